//! The 1998 tape.c's C interface: every function and global it defines,
//! with its C types, and nothing else.  Each function calls the process's
//! writer; the globals are a view of the writer's state for C code that
//! reads them, copied out (`publish`) whenever an entry point returns.

#![allow(non_upper_case_globals)]

use std::cell::RefCell;
use std::ffi::{c_char, c_int, c_long};
use std::ptr;
use std::sync::atomic::{AtomicU32, Ordering::Relaxed};

use super::imports::{CHost, daddr_t};
use crate::format::TP_BSIZE;
use crate::host::Host;
use crate::process;
use crate::ring::SLAVES;
use crate::writer::{SPARE, TapeWriter};

/// tape.c's `struct slave`.
#[repr(C)]
#[allow(non_camel_case_types)]
pub struct slave {
    pub tapea: c_int,
    pub count: c_int,
    pub inode: c_int,
    pub fd: c_int,
    pub pid: c_int,
    pub sent: c_int,
    pub firstrec: c_int,
    pub tblock: *mut [c_char; TP_BSIZE],
    pub req: *mut req,
}

/// tape.c's `struct req`: a run of `count` records from disk sector
/// `dblk`, or a header record when `dblk` is 0.
#[repr(C)]
#[derive(Clone, Copy)]
#[allow(non_camel_case_types)]
pub struct req {
    pub dblk: daddr_t,
    pub count: c_int,
}

// `slaves` is spelled [slave; 4] for cbindgen; it is SLAVES + 1.
const _: () = assert!(SLAVES + 1 == 4);

const EMPTY_SLAVE: slave = slave {
    tapea: 0,
    count: 0,
    inode: 0,
    fd: 0,
    pid: 0,
    sent: 0,
    firstrec: 0,
    tblock: ptr::null_mut(),
    req: ptr::null_mut(),
};

#[unsafe(no_mangle)]
pub static mut writesize: c_int = 0;
#[unsafe(no_mangle)]
pub static mut lastspclrec: c_long = -1;
#[unsafe(no_mangle)]
pub static mut trecno: c_int = 0;
#[unsafe(no_mangle)]
pub static mut blocksthisvol: c_long = 0;
/// The rest of a list of outputs "a,b,c", into dump's string.
#[unsafe(no_mangle)]
pub static mut nexttape: *mut c_char = ptr::null_mut();
#[unsafe(no_mangle)]
pub static mut reqsiz: c_int = 0;
#[unsafe(no_mangle)]
pub static mut slaves: [slave; 4] = [EMPTY_SLAVE; SLAVES + 1];
#[unsafe(no_mangle)]
pub static mut slp: *mut slave = ptr::null_mut();
#[unsafe(no_mangle)]
pub static mut nextblock: *mut [c_char; TP_BSIZE] = ptr::null_mut();
#[unsafe(no_mangle)]
pub static mut master: c_int = 0;
#[unsafe(no_mangle)]
pub static mut tenths: c_int = 0;
#[unsafe(no_mangle)]
pub static mut nogripe: c_int = 0;

/// This process's writer.
fn writer() -> &'static TapeWriter<CHost> {
    TapeWriter::of_process(CHost::new)
}

thread_local! {
    /// The requests of the lists `slaves` shows, as C's `struct req`
    /// (the writer keeps 64-bit sector numbers).
    static REQS: RefCell<[Vec<req>; SLAVES + 1]> = const { RefCell::new([const { Vec::new() }; SLAVES + 1]) };
}

/// Copy the writer's state out to the C globals.
fn publish(w: &TapeWriter<CHost>) {
    let ntrec = w.ntrec.get();
    // SAFETY: dump is single-threaded and the library starts no threads;
    // the statics are written by value through raw pointers and no
    // reference to them is kept.
    unsafe {
        (&raw mut writesize).write(w.writesize.get() as c_int);
        (&raw mut lastspclrec).write(w.lastspclrec.get() as c_long);
        (&raw mut trecno).write(w.trecno.get() as c_int);
        (&raw mut blocksthisvol).write(w.blocksthisvol.get() as c_long);
        (&raw mut reqsiz).write(((ntrec + 1) * size_of::<req>()) as c_int);
        (&raw mut master).write(w.master.get());
        (&raw mut tenths).write(w.tenths.get() as c_int);
        (&raw mut nogripe).write(c_int::from(w.nogripe.get()));
        (&raw mut nexttape).write(w.host().nexttape());
    }
    // tape.c's slaves[i] is slave i with its list.  A slave with two lists
    // shows the one in the same bank as the list being filled, so that slp
    // and its buffers agree as in tape.c; slaves[SLAVES] is the replay's
    // spare list.
    let bank = w.slp.get() / SLAVES * SLAVES;
    let _ = REQS.try_with(|mirror| {
        let Ok(mut mirror) = mirror.try_borrow_mut() else {
            return;
        };
        for (i, reqs) in mirror.iter_mut().enumerate() {
            let (l, p) = if i < SLAVES {
                (bank + i, w.procs[i].get())
            } else {
                (SPARE, crate::writer::Proc { pid: 0, fd: 0 })
            };
            // A list is only held here when dump's signal handler called
            // in while the writer was using it: keep what was published.
            let Some(list) = w.try_list(l) else {
                continue;
            };
            reqs.clear();
            reqs.extend(list.reqs.iter().map(|r| req {
                dblk: r.dblk as daddr_t,
                count: r.count,
            }));
            let (req_ptr, tblock) = if list.reqs.is_empty() {
                (ptr::null_mut(), ptr::null_mut())
            } else {
                (
                    reqs.as_mut_ptr(),
                    list.headers.bytes().as_ptr().cast_mut().cast(),
                )
            };
            let s = w.info(l);
            // SAFETY: as above; `i` is within the array.
            unsafe {
                (&raw mut slaves).cast::<slave>().add(i).write(slave {
                    tapea: s.tapea as c_int,
                    count: s.count as c_int,
                    inode: s.inode as c_int,
                    fd: p.fd,
                    pid: p.pid,
                    sent: c_int::from(s.sent),
                    firstrec: s.firstrec as c_int,
                    tblock,
                    req: req_ptr,
                });
            }
        }
    });
    // SAFETY: as above; slp % SLAVES is within the array.
    unsafe {
        let base = (&raw mut slaves).cast::<slave>();
        (&raw mut slp).write(base.add(w.slp.get() % SLAVES));
    }
    publish_next_block(w);
}

/// Publish where the next header record goes, a pointer into its list,
/// unless that list is held (see publish).
fn publish_next_block(w: &TapeWriter<CHost>) {
    let (l, r) = w.nextblock.get();
    let Some(list) = w.try_list(l) else {
        return;
    };
    let p = if list.reqs.is_empty() {
        ptr::null_mut()
    } else {
        // The list holds ntrec records and writerec keeps r below ntrec;
        // wrapping_add keeps a bad r from being undefined behaviour here.
        list.headers
            .bytes()
            .as_ptr()
            .cast_mut()
            .wrapping_add(r * TP_BSIZE)
            .cast()
    };
    // SAFETY: as in publish.
    unsafe { (&raw mut nextblock).write(p) }
}

/// Flushes counted at the last full publish.
static PUBLISHED: AtomicU32 = AtomicU32::new(u32::MAX);

/// After a record: between flushes only the record position and the last
/// header change, so only those are copied out (writerec and dumpblock run
/// once per record or run of blocks).
fn publish_record(w: &TapeWriter<CHost>) {
    let flushes = w.flushes.get();
    if PUBLISHED.swap(flushes, Relaxed) != flushes {
        return publish(w);
    }
    // SAFETY: as in publish.
    unsafe {
        (&raw mut lastspclrec).write(w.lastspclrec.get() as c_long);
        (&raw mut trecno).write(w.trecno.get() as c_int);
    }
    publish_next_block(w);
}

/// Allocate the tape buffers for dump's `ntrec`: 1 on success, 0 if the
/// memory cannot be had.
#[unsafe(no_mangle)]
pub extern "C" fn alloctape() -> c_int {
    let w = writer();
    let ok = w.alloctape();
    PUBLISHED.store(u32::MAX, Relaxed);
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
    publish_record(w);
}

/// Add `size` bytes of file-system blocks from fragment `blkno`.
#[unsafe(no_mangle)]
pub extern "C" fn dumpblock(blkno: daddr_t, size: c_int) {
    let w = writer();
    w.dumpblock(i64::from(blkno), size);
    publish_record(w);
}

/// SIGUSR1 in tape.c: a slave's write failed.
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

/// Drain the ring, close the volume and rewind it.
#[unsafe(no_mangle)]
pub extern "C" fn trewind() {
    let w = writer();
    w.trewind();
    publish(w);
}

/// Close the volume in progress and have the operator mount the next.
/// Only dump's sig() calls it, from a signal handler, before it exits
/// X_REWRITE for the volume to be written again (the library's own volume
/// changes do not come through here): what the ring still holds is not
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

/// SIGUSR2, the ring's turn signal in tape.c.  The ring here passes its
/// turn through shared memory; a stray SIGUSR2 is only noted.
#[unsafe(no_mangle)]
pub extern "C" fn proceed(signo: c_int) {
    let _ = signo;
    crate::signals::note_proceed();
}
