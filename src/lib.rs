//! libdumptape: the tape writer of BSD dump (tape.c) in Rust.
//!
//! The rest of dump (main.c, traverse.c, optr.c, itime.c, dumprmt.c) links
//! against the library in place of tape.c, through a C boundary (`abi`)
//! that defines exactly what tape.c defined: the 1998 interface by
//! default, today's FreeBSD one with the `freebsd` feature, none without
//! the `c-abi` feature.  The
//! boundary only calls into the core below, which knows nothing of C.
//!
//! A Rust port of dump uses the core directly: it implements [`Host`]
//! for what the rest of dump provides, and calls the methods of a
//! [`TapeWriter`], which are tape.c's entry points.
//!
//! The core, by concern:
//! - `host`: what the writer needs from the rest of dump;
//! - `format`: the dump format (constants, header layouts, checksum);
//! - `writer`: the writer's state and tape.c's entry points;
//! - `lists`: request lists and the records they carry;
//! - `ring`: the slave processes that read the disk and write the tape;
//! - `output`: the volume's file, device, standard output or remote tape;
//! - `signals`: handlers that only note what came in, and which signals
//!   each kind of process keeps;
//! - `process`: forking, leaving, and each process's writer;
//! - `pages`: page mappings, private or shared with the slaves.

#[cfg(feature = "c-abi")]
#[allow(unsafe_code)]
mod abi;
pub mod format;
pub mod host;
mod lists;
mod output;
mod pages;
mod process;
mod ring;
mod signals;
#[cfg(test)]
mod testkit;
mod writer;

pub use format::{Field, Layout, Record};
pub use host::{Flavour, Host, Settings};
pub use process::{X_ABORT, X_FINOK, X_REWRITE};
pub use writer::{MAX_NTREC, TapeWriter};
