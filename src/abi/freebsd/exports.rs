//! Today's FreeBSD tape.c's functions, with its C types, and nothing
//! else: each calls the process's writer.  Of the writer's state, only
//! nogripe is tape.c's to publish; curino, newtape and u_spcl are the
//! host's to read and write (`globals`).

use std::ffi::{c_char, c_int};

use super::globals::nogripe;
use super::host::CHost;
use crate::format::TP_BSIZE;
use crate::host::Host;
use crate::process;
use crate::writer::TapeWriter;

/// This process's writer.
fn writer() -> &'static TapeWriter<CHost> {
    TapeWriter::of_process(CHost::new)
}

/// Copy nogripe out when an entry point returns.
fn publish(w: &TapeWriter<CHost>) {
    // SAFETY: dump is single-threaded and the library starts no threads;
    // the static is written by value and no reference to it is kept.
    unsafe { (&raw mut nogripe).write(c_int::from(w.nogripe.get())) }
}

/// Allocate the tape buffers for dump's `ntrec`: 1 on success, 0 if the
/// memory cannot be had.
#[unsafe(no_mangle)]
pub extern "C" fn alloctape() -> c_int {
    let w = writer();
    let ok = w.alloctape();
    publish(w);
    c_int::from(ok)
}

/// Add one TP_BSIZE record at `dp` to the tape; `isspcl`: it is a header.
///
/// # Safety
/// `dp` must point to TP_BSIZE readable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn writerec(dp: *mut c_char, isspcl: c_int) {
    let w = writer();
    if dp.is_null() {
        w.host().quit(b"writerec: NULL record\n");
    }
    // SAFETY: the caller passes a whole record (TP_BSIZE bytes).  It is
    // copied out at once: it is often dump's own `spcl`, which the library
    // goes on to change.
    let rec: [u8; TP_BSIZE] = unsafe { dp.cast_const().cast::<[u8; TP_BSIZE]>().read_unaligned() };
    w.writerec(&rec, isspcl != 0);
}

/// Add `size` bytes of file-system blocks from fragment `blkno`.
#[unsafe(no_mangle)]
pub extern "C" fn dumpblock(blkno: i64, size: c_int) {
    writer().dumpblock(blkno, size);
}

/// SIGUSR1 in tape.c: a worker's write failed.
#[unsafe(no_mangle)]
pub extern "C" fn tperror(signo: c_int) {
    let _ = signo;
    writer().tperror()
}

/// SIGPIPE in tape.c.
#[unsafe(no_mangle)]
pub extern "C" fn sigpipe(signo: c_int) {
    let _ = signo;
    writer().sigpipe()
}

/// Drain the workers, close the volume and rewind it.
#[unsafe(no_mangle)]
pub extern "C" fn trewind() {
    let w = writer();
    w.trewind();
    publish(w);
}

/// Close the volume in progress and have the operator mount the next.
/// Only dump's sig() calls it, from a signal handler, before it exits
/// X_REWRITE for the volume to be written again (the library's own volume
/// changes do not come through here): what the workers still hold is not
/// drained, since the volume's checkpoint writes the whole volume again.
#[unsafe(no_mangle)]
pub extern "C" fn close_rewind() {
    let w = writer();
    w.close_rewind();
    publish(w);
}

/// Fork the volume's checkpoint, open the volume, write its header.
#[unsafe(no_mangle)]
pub extern "C" fn startnewtape(top: c_int) {
    let w = writer();
    w.startnewtape(top != 0);
    publish(w);
}

/// Abort the whole dump; does not return.
#[unsafe(no_mangle)]
pub extern "C" fn dumpabort(signo: c_int) -> ! {
    let _ = signo;
    writer().dumpabort()
}

/// Leave with `status`; does not return.
#[unsafe(no_mangle)]
pub extern "C" fn Exit(status: c_int) -> ! {
    process::exit(status)
}

/// SIGUSR2, the workers' turn signal in tape.c.  The workers here pass
/// their turn through shared memory; a stray SIGUSR2 is only noted.
#[unsafe(no_mangle)]
pub extern "C" fn proceed(signo: c_int) {
    let _ = signo;
    crate::signals::note_proceed();
}
