//! libdumptape: the tape writer of BSD dump (tape.c) in Rust, behind the
//! same C ABI.
//!
//! The rest of dump (main.c, traverse.c, optr.c, itime.c, dumprmt.c) links
//! against this library in place of tape.c.  Layout:
//!
//! - `ffi`: the exported functions and globals, nothing else;
//! - `dump`: what the rest of dump provides (its globals and routines);
//! - `buffers`: request lists and page-aligned record buffers;
//! - `tape`: records into lists, lists to the ring, end-of-medium replay;
//! - `ring`: the slave processes that read the disk and write the tape;
//! - `shm`: the turn and the reports the ring's processes share;
//! - `volume`: checkpoints, opening and closing volumes, aborting;
//! - `signals`: handlers that only record what came in.

pub mod buffers;
pub mod dump;
pub mod ffi;
pub mod ring;
pub mod shm;
pub mod signals;
pub mod spin;
pub mod tape;
pub mod volume;
