//! What the rest of dump (main.c, optr.c, traverse.c, dumprmt.c) provides
//! to the 1998 tape.c: its globals and routines, bound as externs and
//! wrapped as the core's `Host`.
//!
//! Soundness of every access here rests on two facts: dump is a
//! single-threaded program and the library starts no threads, and no
//! signal handler of the library touches these objects (its handlers only
//! set atomic flags).  So a read or write of one of dump's globals never
//! races with another, and no Rust reference to them is held: they are
//! read and written through raw pointers, one value at a time.

use std::cell::Cell;
use std::ffi::{CStr, CString, c_char, c_int, c_long, c_void};
use std::ptr;

use super::common::{c_bytes, cstring, fsbtodb, get, next_in_list, reopen, set};
use crate::format::{C_ADDR, Field, Layout, Record, TP_BSIZE, TP_NINDIR};
use crate::host::{Host, Settings};
use crate::process::{self, X_ABORT};

/// The host's `daddr_t`: 32 bits on Linux and macOS, 64 on the BSDs.
#[cfg(any(target_os = "linux", target_os = "android", target_vendor = "apple"))]
#[allow(non_camel_case_types)]
pub type daddr_t = i32;
/// The host's `daddr_t`: 32 bits on Linux and macOS, 64 on the BSDs.
#[cfg(not(any(target_os = "linux", target_os = "android", target_vendor = "apple")))]
#[allow(non_camel_case_types)]
pub type daddr_t = i64;

#[allow(non_camel_case_types)]
type ino_t = libc::ino_t;

unsafe extern "C" {
    /// The header in progress (`union u_spcl`; `spcl` is its s_spcl).
    static mut u_spcl: [i32; TP_BSIZE / 4];
    static mut tape: *mut c_char;
    static mut disk: *mut c_char;
    static mut tapefd: c_int;
    static mut diskfd: c_int;
    static mut pipeout: c_int;
    static mut curino: ino_t;
    static mut newtape: c_int;
    static mut density: c_int;
    static mut tsize: c_long;
    static mut asize: c_long;
    static mut unlimited: c_int;
    static mut blockswritten: c_int;
    static mut tapeno: c_int;
    static mut tstart_writing: libc::time_t;
    static mut sblock: *mut c_void;
    static mut dev_bshift: c_int;
    static mut tp_bshift: c_int;
    static mut blocksperfile: c_long;
    static mut ntrec: c_int;
    static mut cartridge: c_int;
    #[cfg(feature = "rdump")]
    static mut host: *mut c_char;

    #[link_name = "msg"]
    fn c_msg(fmt: *const c_char, ...);
    #[link_name = "quit"]
    fn c_quit(fmt: *const c_char, ...);
    #[link_name = "broadcast"]
    fn c_broadcast(message: *mut c_char);
    #[link_name = "query"]
    fn c_query(question: *mut c_char) -> c_int;
    #[link_name = "timeest"]
    fn c_timeest();
    #[link_name = "writeheader"]
    fn c_writeheader(ino: ino_t);
    #[link_name = "bread"]
    fn c_bread(blkno: daddr_t, buf: *mut c_char, size: c_int);
    #[cfg(feature = "rdump")]
    #[link_name = "rmtopen"]
    fn c_rmtopen(tape: *mut c_char, mode: c_int) -> c_int;
    #[cfg(feature = "rdump")]
    #[link_name = "rmtwrite"]
    fn c_rmtwrite(buf: *mut c_char, count: c_int) -> c_int;
    #[cfg(feature = "rdump")]
    #[link_name = "rmtclose"]
    fn c_rmtclose();
}

/// Word index and width check of a header field in the 1998 layout,
/// where every field is 32 bits.
fn word(f: Field) -> usize {
    let (off, width) = Layout::Bsd44.place(f);
    debug_assert_eq!(width, 4);
    off / 4
}

/// The rest of a 1998 dump, through its C globals and routines.
pub struct CHost {
    /// Where the rest of a list of outputs "a,b,c" starts (tape.c's
    /// nexttape), into dump's string; null when no name is left.
    next: Cell<*mut c_char>,
}

impl CHost {
    pub fn new() -> CHost {
        CHost {
            next: Cell::new(ptr::null_mut()),
        }
    }

    /// tape.c's `nexttape`.
    pub fn nexttape(&self) -> *mut c_char {
        self.next.get()
    }
}

impl Host for CHost {
    fn msg(&self, text: &[u8]) {
        let s = cstring(text);
        // SAFETY: "%s" with one NUL-terminated string.
        unsafe { c_msg(c"%s".as_ptr(), s.as_ptr()) }
    }

    fn quit(&self, text: &[u8]) -> ! {
        let s = cstring(text);
        // SAFETY: "%s" with one NUL-terminated string.
        unsafe { c_quit(c"%s".as_ptr(), s.as_ptr()) }
        // dump's quit() ends in dumpabort(); should another one return,
        // still never go on past a fatal error.
        process::exit(X_ABORT)
    }

    fn broadcast(&self, text: &CStr) {
        let s = CString::from(text);
        // SAFETY: broadcast only reads its argument; the copy is ours.
        unsafe { c_broadcast(s.as_ptr().cast_mut()) }
    }

    fn query(&self, question: &CStr) -> bool {
        let s = CString::from(question);
        // SAFETY: query only reads its argument; the copy is ours.
        unsafe { c_query(s.as_ptr().cast_mut()) != 0 }
    }

    fn timeest(&self) {
        // SAFETY: dump's routine, no arguments.
        unsafe { c_timeest() }
    }

    fn header(&self, f: Field) -> i64 {
        let w = word(f);
        // SAFETY: a word inside the 1024-byte union, which is int-aligned.
        i64::from(unsafe { (&raw const u_spcl).cast::<i32>().add(w).read() })
    }

    fn set_header(&self, f: Field, v: i64) {
        let w = word(f);
        // SAFETY: as in header(); the 1998 header holds 32 bits.
        unsafe { (&raw mut u_spcl).cast::<i32>().add(w).write(v as i32) }
    }

    fn header_addr(&self, i: usize) -> u8 {
        let i = i.min(TP_NINDIR - 1);
        // SAFETY: c_addr lies inside the union and `i` is bounded.
        unsafe { (&raw const u_spcl).cast::<u8>().add(C_ADDR + i).read() }
    }

    fn save_header(&self) -> Record {
        // SAFETY: a whole-object copy of plain data.
        let words = unsafe { (&raw const u_spcl).read() };
        let mut r = [0u8; TP_BSIZE];
        for (out, w) in r.chunks_exact_mut(4).zip(words) {
            out.copy_from_slice(&w.to_ne_bytes());
        }
        r
    }

    fn restore_header(&self, saved: &Record) {
        let mut words = [0i32; TP_BSIZE / 4];
        for (w, b) in words.iter_mut().zip(saved.chunks_exact(4)) {
            *w = i32::from_ne_bytes([b[0], b[1], b[2], b[3]]);
        }
        // SAFETY: as in save_header.
        unsafe { (&raw mut u_spcl).write(words) }
    }

    fn writeheader(&self, ino: u64, _writerec: &dyn Fn(&Record, bool)) {
        // SAFETY: dump's routine; it calls back the exported writerec,
        // which reaches the same writer (nothing of it is borrowed here).
        unsafe { c_writeheader(ino as ino_t) }
    }

    fn bread(&self, sector: i64, buf: &mut [u8]) {
        let Ok(size) = c_int::try_from(buf.len()) else {
            self.quit(b"bread: request too large\n")
        };
        // SAFETY: buf is writable for exactly `size` bytes; the sector is
        // narrowed to dump's daddr_t as tape.c's was.
        unsafe { c_bread(sector as daddr_t, buf.as_mut_ptr().cast(), size) }
    }

    fn reopen_disk(&self) -> std::io::Result<()> {
        let fd = reopen(get!(diskfd), get!(disk))?;
        set!(diskfd, fd);
        Ok(())
    }

    fn fsbtodb_shift(&self) -> u32 {
        fsbtodb(get!(sblock)).unwrap_or_else(|| self.quit(b"no superblock (sblock is NULL)\n"))
    }

    fn tp_bshift(&self) -> u32 {
        get!(tp_bshift).clamp(0, 62) as u32
    }

    fn dev_bshift(&self) -> u32 {
        get!(dev_bshift).clamp(0, 62) as u32
    }

    // c_long is 32 bits on some hosts.
    #[allow(clippy::useless_conversion)]
    fn settings(&self) -> Settings {
        Settings {
            ntrec: i64::from(get!(ntrec)),
            blocksperfile: i64::from(get!(blocksperfile)),
            pipeout: get!(pipeout) != 0,
            unlimited: get!(unlimited) != 0,
            density: i64::from(get!(density)),
            tsize: i64::from(get!(tsize)),
            cartridge: get!(cartridge) != 0,
            remote: remote(),
            pipeline: false,
        }
    }

    fn tapeno(&self) -> i64 {
        i64::from(get!(tapeno))
    }

    fn set_tapeno(&self, v: i64) {
        set!(tapeno, v as c_int)
    }

    fn blockswritten(&self) -> i64 {
        i64::from(get!(blockswritten))
    }

    fn set_blockswritten(&self, v: i64) {
        set!(blockswritten, v as c_int)
    }

    // c_long is 32 bits on some hosts.
    #[allow(clippy::useless_conversion)]
    fn asize(&self) -> i64 {
        i64::from(get!(asize))
    }

    fn set_asize(&self, v: i64) {
        set!(asize, v as c_long)
    }

    // time_t is 32 bits on some hosts.
    #[allow(clippy::useless_conversion)]
    fn tstart_writing(&self) -> i64 {
        i64::from(get!(tstart_writing))
    }

    fn set_tstart_writing(&self, v: i64) {
        set!(tstart_writing, v as libc::time_t)
    }

    // ino_t is 32 bits on some hosts.
    #[allow(clippy::useless_conversion)]
    fn curino(&self) -> u64 {
        u64::from(get!(curino))
    }

    fn newtape(&self) -> i64 {
        i64::from(get!(newtape))
    }

    fn set_newtape(&self, v: i64) {
        set!(newtape, v as c_int)
    }

    fn tape_name(&self) -> Vec<u8> {
        c_bytes(get!(tape))
    }

    /// A list of outputs "a,b,c" is used one per volume.  `next` is
    /// where the rest of the list starts; both it and `tape` point into
    /// dump's own string, which is cut at the commas as it is used.
    fn next_tape_name(&self) -> bool {
        let Some((name, rest)) = next_in_list(get!(tape), self.next.get()) else {
            return false;
        };
        set!(tape, name);
        self.next.set(rest);
        true
    }

    fn more_tape_names(&self) -> bool {
        !self.next.get().is_null()
    }

    fn set_tapefd(&self, fd: i32) {
        set!(tapefd, fd)
    }

    #[cfg(feature = "rdump")]
    fn rmt_open(&self, mode: i32) -> i32 {
        let name = get!(tape);
        // SAFETY: `tape` is a NUL-terminated name.
        unsafe { c_rmtopen(name, mode) }
    }

    #[cfg(feature = "rdump")]
    fn rmt_write(&self, buf: &[u8]) -> isize {
        let n = c_int::try_from(buf.len()).unwrap_or(c_int::MAX);
        // SAFETY: rmtwrite reads `n` bytes of buf.
        unsafe { c_rmtwrite(buf.as_ptr().cast_mut().cast(), n) as isize }
    }

    #[cfg(feature = "rdump")]
    fn rmt_close(&self) {
        // SAFETY: dump's routine; it tolerates a connection not open.
        unsafe { c_rmtclose() }
    }
}

/// Whether the dump goes to a remote tape (`host` is set).
fn remote() -> bool {
    #[cfg(feature = "rdump")]
    {
        !get!(host).is_null()
    }
    #[cfg(not(feature = "rdump"))]
    {
        false
    }
}
