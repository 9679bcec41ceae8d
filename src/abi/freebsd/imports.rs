//! What today's FreeBSD dump (main.c, optr.c, traverse.c, dumprmt.c)
//! provides to its tape.c: its globals and routines, bound as externs.
//! `host.rs` wraps them as the core's `Host`.

use std::ffi::{c_char, c_int, c_long, c_void};

unsafe extern "C" {
    pub static mut tape: *mut c_char;
    pub static mut disk: *mut c_char;
    pub static mut popenout: *mut c_char;
    pub static mut diskfd: c_int;
    pub static mut pipeout: c_int;
    pub static mut density: c_int;
    pub static mut tsize: c_long;
    pub static mut unlimited: c_int;
    pub static mut blockswritten: c_int;
    pub static mut tapeno: c_int;
    pub static mut ntrec: c_int;
    pub static mut blocksperfile: c_long;
    pub static mut cartridge: c_int;
    #[cfg(feature = "rdump")]
    pub static mut host: *mut c_char;
    pub static mut tstart_writing: libc::time_t;
    pub static mut sblock: *mut c_void;
    pub static mut dev_bshift: c_int;
    pub static mut tp_bshift: c_int;

    #[link_name = "msg"]
    pub fn c_msg(fmt: *const c_char, ...);
    #[link_name = "quit"]
    pub fn c_quit(fmt: *const c_char, ...);
    #[link_name = "broadcast"]
    pub fn c_broadcast(message: *const c_char);
    #[link_name = "query"]
    pub fn c_query(question: *const c_char) -> c_int;
    #[link_name = "timeest"]
    pub fn c_timeest();
    #[link_name = "writeheader"]
    pub fn c_writeheader(ino: libc::ino_t);
    #[link_name = "blkread"]
    pub fn c_blkread(blkno: i64, buf: *mut c_char, size: c_int);
    /// dump's SIGINFO handler: report progress at the next timeest().
    #[link_name = "infosch"]
    pub fn c_infosch(signo: c_int);
    #[link_name = "setproctitle"]
    pub fn c_setproctitle(fmt: *const c_char, ...);
    #[cfg(feature = "rdump")]
    #[link_name = "rmtopen"]
    pub fn c_rmtopen(tape: *const c_char, mode: c_int) -> c_int;
    #[cfg(feature = "rdump")]
    #[link_name = "rmtwrite"]
    pub fn c_rmtwrite(buf: *const c_char, count: c_int) -> c_int;
    #[cfg(feature = "rdump")]
    #[link_name = "rmtclose"]
    pub fn c_rmtclose();
}
