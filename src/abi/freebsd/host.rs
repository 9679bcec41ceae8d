//! The rest of today's FreeBSD dump as the core's `Host`.
//!
//! Soundness of every access here rests on two facts: dump is a
//! single-threaded program and the library starts no threads, and no
//! signal handler of the library touches these objects (its handlers only
//! set atomic flags).  So a read or write of one of dump's globals never
//! races with another, and no Rust reference to them is held: they are
//! read and written through raw pointers, one value at a time.

use std::cell::Cell;
use std::ffi::{CStr, c_char, c_int};
use std::os::fd::{FromRawFd, OwnedFd};
use std::ptr;

use super::globals::{curino, newtape, u_spcl};
use super::imports::*;
use crate::abi::common::{c_bytes, cstring, fsbtodb, get, next_in_list, reopen, set};
use crate::format::{C_ADDR, Field, Layout, Record, TP_BSIZE, TP_NINDIR};
use crate::host::{Flavour, Host, Settings};
use crate::process::{self, X_ABORT};

/// The signal that asks dump for its progress: SIGINFO where the system
/// has one; Linux has none, and the rest of dump (its compat layer) takes
/// SIGPWR for it.
#[cfg(any(
    target_os = "freebsd",
    target_os = "netbsd",
    target_os = "openbsd",
    target_os = "dragonfly",
    target_vendor = "apple"
))]
const SIGINFO: c_int = libc::SIGINFO;
#[cfg(not(any(
    target_os = "freebsd",
    target_os = "netbsd",
    target_os = "openbsd",
    target_os = "dragonfly",
    target_vendor = "apple"
)))]
const SIGINFO: c_int = libc::SIGPWR;

/// The header's bytes.
fn header_bytes() -> *mut u8 {
    (&raw mut u_spcl).cast()
}

/// The rest of today's dump, through its C globals and routines.
pub struct CHost {
    /// Tape used on this volume, in tenths of an inch (private to
    /// today's tape.c).
    asize: Cell<i64>,
    /// Where the rest of a list of outputs "a,b,c" starts, into dump's
    /// string; null when no name is left.
    next: Cell<*mut c_char>,
    /// The volume's output pipeline (-P).
    pipeline: Cell<*mut libc::FILE>,
}

impl CHost {
    pub fn new() -> CHost {
        CHost {
            asize: Cell::new(0),
            next: Cell::new(ptr::null_mut()),
            pipeline: Cell::new(ptr::null_mut()),
        }
    }
}

impl Host for CHost {
    fn flavour(&self) -> Flavour {
        Flavour::FreeBsd
    }

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
        // SAFETY: a NUL-terminated string that broadcast only reads.
        unsafe { c_broadcast(text.as_ptr()) }
    }

    fn query(&self, question: &CStr) -> bool {
        // SAFETY: a NUL-terminated string that query only reads.
        unsafe { c_query(question.as_ptr()) != 0 }
    }

    fn timeest(&self) {
        // SAFETY: dump's routine, no arguments.
        unsafe { c_timeest() }
    }

    fn header(&self, f: Field) -> i64 {
        let (off, width) = Layout::Ufs2.place(f);
        // SAFETY: inside the 1024-byte union, which is 8-aligned; every
        // field is aligned to its width.
        unsafe {
            let p = header_bytes().add(off);
            if width == 8 {
                p.cast::<i64>().read()
            } else {
                i64::from(p.cast::<i32>().read())
            }
        }
    }

    fn set_header(&self, f: Field, v: i64) {
        let (off, width) = Layout::Ufs2.place(f);
        // SAFETY: as in header().
        unsafe {
            let p = header_bytes().add(off);
            if width == 8 {
                p.cast::<i64>().write(v)
            } else {
                p.cast::<i32>().write(v as i32)
            }
        }
    }

    fn header_addr(&self, i: usize) -> u8 {
        let i = i.min(TP_NINDIR - 1);
        // SAFETY: c_addr lies inside the union and `i` is bounded.
        unsafe { header_bytes().add(C_ADDR + i).read() }
    }

    fn save_header(&self) -> Record {
        let mut r = [0u8; TP_BSIZE];
        // SAFETY: a copy of the union's 1024 bytes into ours.
        unsafe { ptr::copy_nonoverlapping(header_bytes(), r.as_mut_ptr(), TP_BSIZE) };
        r
    }

    fn restore_header(&self, saved: &Record) {
        // SAFETY: as in save_header, the other way.
        unsafe { ptr::copy_nonoverlapping(saved.as_ptr(), header_bytes(), TP_BSIZE) };
    }

    fn writeheader(&self, ino: u64, _writerec: &dyn Fn(&Record, bool)) {
        // SAFETY: dump's routine; it calls back the exported writerec,
        // which reaches the same writer (nothing of it is borrowed here).
        unsafe { c_writeheader(ino as libc::ino_t) }
    }

    fn bread(&self, sector: i64, buf: &mut [u8]) {
        let Ok(size) = c_int::try_from(buf.len()) else {
            self.quit(b"blkread: request too large\n")
        };
        // SAFETY: buf is writable for exactly `size` bytes.
        unsafe { c_blkread(sector, buf.as_mut_ptr().cast(), size) }
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
            pipeline: !get!(popenout).is_null(),
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

    fn asize(&self) -> i64 {
        self.asize.get()
    }

    fn set_asize(&self, v: i64) {
        self.asize.set(v)
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

    /// Today's tape.c keeps its descriptor to itself.
    fn set_tapefd(&self, _fd: i32) {}

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
        unsafe { c_rmtwrite(buf.as_ptr().cast(), n) as isize }
    }

    #[cfg(feature = "rdump")]
    fn rmt_close(&self) {
        // SAFETY: dump's routine; it tolerates a connection not open.
        unsafe { c_rmtclose() }
    }

    /// popen(3) of dump's -P command, DUMP_VOLUME set to the volume's
    /// number; a descriptor of the pipe, the FILE kept for pclose.
    fn pipeline_open(&self, volume: i64) -> Result<OwnedFd, Vec<u8>> {
        let number = cstring(volume.to_string().as_bytes());
        // SAFETY: setenv(3) with two NUL-terminated strings; the library
        // has no threads to race with the environment.
        if unsafe { libc::setenv(c"DUMP_VOLUME".as_ptr(), number.as_ptr(), 1) } == -1 {
            return Err(b"Cannot set $DUMP_VOLUME.\n".to_vec());
        }
        let cmd = get!(popenout);
        // SAFETY: popen(3) with dump's NUL-terminated command.
        let fp = unsafe { libc::popen(cmd, c"w".as_ptr()) };
        if fp.is_null() {
            let mut m = b"Cannot open output pipeline \"".to_vec();
            m.extend(c_bytes(cmd));
            m.extend(b"\".\n");
            return Err(m);
        }
        self.pipeline.set(fp);
        // SAFETY: fileno(3) of the stream popen made; dup(2) of it gives a
        // descriptor that is ours alone to close.
        let fd = unsafe { libc::dup(libc::fileno(fp)) };
        if fd < 0 {
            return Err(b"Cannot open output pipeline.\n".to_vec());
        }
        // SAFETY: `fd` was just made by dup(2) and nothing else owns it.
        Ok(unsafe { OwnedFd::from_raw_fd(fd) })
    }

    fn pipeline_close(&self) {
        let fp = self.pipeline.replace(ptr::null_mut());
        if !fp.is_null() {
            // SAFETY: the stream popen(3) made, closed once.
            unsafe { libc::pclose(fp) };
        }
    }

    fn restore_proctitle(&self) {
        // SAFETY: setproctitle(NULL) gives the process its own title back.
        unsafe { c_setproctitle(ptr::null()) }
    }

    fn volume_started(&self) {
        let handler: unsafe extern "C" fn(c_int) = c_infosch;
        // SAFETY: a whole sigaction with dump's own handler, as today's
        // tape.c sets it with signal(3) (BSD semantics: SA_RESTART).
        unsafe {
            let mut act: libc::sigaction = std::mem::zeroed();
            act.sa_sigaction = handler as usize;
            act.sa_flags = libc::SA_RESTART;
            libc::sigemptyset(&mut act.sa_mask);
            libc::sigaction(SIGINFO, &act, ptr::null_mut());
        }
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
