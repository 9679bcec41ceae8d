//! The data today's tape.c defines and the rest of dump uses: the header
//! in progress, the inode being dumped, the new-tape flag, and nogripe.
//! dump reads and writes them itself; the library reads and writes them
//! through its host (`host.rs`), one value at a time.

#![allow(non_upper_case_globals)]

use std::ffi::{c_char, c_int};

use crate::format::TP_BSIZE;

/// dumprestore.h's `union u_spcl`: the 1024-byte header, aligned for its
/// 64-bit fields.  The C header takes its definition from dumprestore.h.
#[repr(C)]
pub union Spcl {
    pub dummy: [c_char; TP_BSIZE],
    align: i64,
}

const _: () = assert!(size_of::<Spcl>() == TP_BSIZE && align_of::<Spcl>() == 8);

/// The header being built (dump's `spcl` is `u_spcl.s_spcl`).
#[unsafe(no_mangle)]
pub static mut u_spcl: Spcl = Spcl {
    dummy: [0; TP_BSIZE],
};

/// The inode being dumped, set by the rest of dump.
#[unsafe(no_mangle)]
pub static mut curino: libc::ino_t = 0;

/// Counts the volumes opened by startnewtape(1): dump writes a TS_BITS
/// map at the start of each.
#[unsafe(no_mangle)]
pub static mut newtape: c_int = 0;

/// Set on a write error: the next volume change asks no questions.
#[unsafe(no_mangle)]
pub static mut nogripe: c_int = 0;
