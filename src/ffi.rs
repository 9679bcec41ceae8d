//! The C ABI: every function and global tape.c defines, with tape.c's C
//! types (CONTRACT.md), and nothing else.
//!
//! The globals are a faithful view of the library's state for C code that
//! reads them; the state itself lives in `tape::Tape` and is copied out
//! (`publish`) whenever an entry point returns.

#![allow(non_upper_case_globals)]

use std::ffi::{c_char, c_int, c_long};
use std::ptr;
use std::sync::atomic::{AtomicU32, Ordering::Relaxed};

use crate::buffers::Req;
use crate::dump::{TP_BSIZE, daddr_t};
use crate::ring::SLAVES;
use crate::tape::{self, Proc, SPARE, Tape};
use crate::volume;

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
#[allow(non_camel_case_types)]
pub struct req {
    pub dblk: daddr_t,
    pub count: c_int,
}

const _: () = assert!(std::mem::size_of::<req>() == std::mem::size_of::<Req>());
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

/// The one `Tape` of the process.
struct Global(Tape);

// SAFETY: dump is single-threaded and the library starts no threads (it
// forks), so the cells inside are only ever touched by one thread; signal
// handlers do not touch them (they set atomics in `signals`).
unsafe impl Sync for Global {}

static STATE: Global = Global(Tape::new());

pub fn state() -> &'static Tape {
    &STATE.0
}

/// Copy the state out to the C globals.
fn publish(t: &Tape) {
    // SAFETY: single-threaded (see Global); the statics are written by
    // value through raw pointers, no reference to them is kept.  The
    // buffer pointers stay valid while their lists live (until the next
    // alloctape, which publishes again).
    unsafe {
        (&raw mut writesize).write(t.writesize.get());
        (&raw mut lastspclrec).write(t.lastspclrec.get() as c_long);
        (&raw mut trecno).write(t.trecno.get() as c_int);
        (&raw mut blocksthisvol).write(t.blocksthisvol.get() as c_long);
        (&raw mut nexttape).write(t.nexttape.get());
        (&raw mut reqsiz).write(t.reqsiz.get());
        (&raw mut master).write(t.master.get());
        (&raw mut tenths).write(t.tenths.get());
        (&raw mut nogripe).write(c_int::from(t.nogripe.get()));
        // tape.c's slaves[i] is slave i with its list.  A slave with two
        // lists (ring::depth) shows the one in the same bank as the list
        // being filled, so that slp and its buffers agree as in tape.c;
        // slaves[SLAVES] is the replay's spare list.
        let base = (&raw mut slaves).cast::<slave>();
        let bank = t.slp.get() / SLAVES * SLAVES;
        for i in 0..=SLAVES {
            let (l, p) = if i < SLAVES {
                (bank + i, t.procs[i].get())
            } else {
                (SPARE, Proc { pid: 0, fd: 0 })
            };
            let s = t.info(l);
            // A list is only held here when dump's signal handler called
            // in while the library was using it: keep what was published.
            let Ok(mut list) = t.lists[l].try_borrow_mut() else {
                continue;
            };
            let reqs = if list.reqs.is_empty() {
                ptr::null_mut()
            } else {
                list.reqs.as_mut_ptr().cast::<req>()
            };
            let tblock = if list.reqs.is_empty() {
                ptr::null_mut()
            } else {
                list.headers.as_ptr()
            };
            base.add(i).write(slave {
                tapea: s.tapea,
                count: s.count,
                inode: s.inode,
                fd: p.fd,
                pid: p.pid,
                sent: c_int::from(s.sent),
                firstrec: s.firstrec,
                tblock,
                req: reqs,
            });
        }
        (&raw mut slp).write(base.add(t.slp.get() % SLAVES));
    }
    publish_next_block(t);
}

/// Where the next header record goes, as a pointer into its list; None
/// while the list is held (see publish).
fn next_block(t: &Tape) -> Option<*mut [c_char; TP_BSIZE]> {
    let (l, r) = t.nextblock.get();
    let mut list = t.lists[l].try_borrow_mut().ok()?;
    if list.reqs.is_empty() {
        return Some(ptr::null_mut());
    }
    // The list holds ntrec records and writerec keeps r below ntrec;
    // wrapping_add keeps a bad r from being undefined behaviour here.
    Some(list.headers.as_ptr().wrapping_add(r))
}

/// Publish where the next header record goes.
fn publish_next_block(t: &Tape) {
    if let Some(p) = next_block(t) {
        // SAFETY: as in publish.
        unsafe { (&raw mut nextblock).write(p) }
    }
}

/// Flushes counted at the last full publish.
static PUBLISHED: AtomicU32 = AtomicU32::new(u32::MAX);

/// After a record: between flushes only the record position and the last
/// header change, so only those are copied out (writerec and dumpblock run
/// once per record or run of blocks).
fn publish_record(t: &Tape) {
    let flushes = t.flushes.get();
    if PUBLISHED.swap(flushes, Relaxed) != flushes {
        return publish(t);
    }
    // SAFETY: as in publish.
    unsafe {
        (&raw mut lastspclrec).write(t.lastspclrec.get() as c_long);
        (&raw mut trecno).write(t.trecno.get() as c_int);
    }
    publish_next_block(t);
}

/// Leave the process with `status`, flushing C stdio as exit(3) does.
pub fn exit(status: c_int) -> ! {
    std::process::exit(status)
}

/// Allocate the tape buffers for dump's `ntrec`: 1 on success, 0 if the
/// memory cannot be had.
#[unsafe(no_mangle)]
pub extern "C" fn alloctape() -> c_int {
    let t = state();
    let ok = tape::alloctape(t);
    PUBLISHED.store(u32::MAX, Relaxed);
    publish(t);
    c_int::from(ok)
}

/// Add one TP_BSIZE record at `dp` to the tape; `isspcl`: it is a header.
///
/// # Safety
/// `dp` must point to TP_BSIZE readable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn writerec(dp: *mut c_char, isspcl: c_int) {
    if dp.is_null() {
        crate::dump::quit("writerec: NULL record\n");
    }
    // SAFETY: the caller passes a whole record (TP_BSIZE bytes).  It is
    // copied out at once: it is often dump's own `spcl`, which the library
    // goes on to change.
    let rec: [u8; TP_BSIZE] = unsafe { dp.cast_const().cast::<[u8; TP_BSIZE]>().read_unaligned() };
    let t = state();
    tape::writerec(t, &rec, isspcl != 0);
    publish_record(t);
}

/// Add `size` bytes of file-system blocks from fragment `blkno`.
#[unsafe(no_mangle)]
pub extern "C" fn dumpblock(blkno: daddr_t, size: c_int) {
    let t = state();
    tape::dumpblock(t, i64::from(blkno), size);
    publish_record(t);
}

/// SIGUSR1 in tape.c: a slave's write failed.
#[unsafe(no_mangle)]
pub extern "C" fn tperror(signo: c_int) {
    let _ = signo;
    volume::tperror(state())
}

/// SIGPIPE in tape.c.
#[unsafe(no_mangle)]
pub extern "C" fn sigpipe(signo: c_int) {
    let _ = signo;
    volume::sigpipe()
}

/// Drain the ring, close the volume and rewind it.
#[unsafe(no_mangle)]
pub extern "C" fn trewind() {
    let t = state();
    volume::trewind(t, volume::Closing::EndOfDump);
    publish(t);
}

/// Close the volume in progress and have the operator mount the next.
/// Only dump's sig() calls it, from a signal handler, before it exits
/// X_REWRITE for the volume to be written again (the library's own volume
/// changes do not come through here): see `volume::give_up_volume`.
#[unsafe(no_mangle)]
pub extern "C" fn close_rewind() {
    let t = state();
    volume::give_up_volume(t);
    publish(t);
}

/// Fork the volume's checkpoint, open the volume, write its header.
#[unsafe(no_mangle)]
pub extern "C" fn startnewtape(top: c_int) {
    let t = state();
    volume::startnewtape(t, top != 0);
    publish(t);
}

/// Abort the whole dump; does not return.
#[unsafe(no_mangle)]
pub extern "C" fn dumpabort(signo: c_int) -> ! {
    let _ = signo;
    volume::dumpabort()
}

/// Leave with `status`; does not return.
#[unsafe(no_mangle)]
pub extern "C" fn Exit(status: c_int) -> ! {
    exit(status)
}

/// SIGUSR2, the ring's turn signal in tape.c.  The ring here passes its
/// turn through pipes; a stray SIGUSR2 is only noted.
#[unsafe(no_mangle)]
pub extern "C" fn proceed(signo: c_int) {
    let _ = signo;
    crate::signals::note_proceed();
}
