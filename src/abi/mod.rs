//! The C boundary: the only code that touches C.  Each interface has
//! `exports`, every function and global its tape.c defines, with its C
//! types, and nothing else, and `imports`, what the rest of dump defines,
//! bound and wrapped as the core's `Host`.  Both only translate: the work
//! is the core's.  The default is the 1998 tape.c's interface; the
//! `freebsd` feature gives today's FreeBSD one instead.

mod common;
#[cfg(not(feature = "freebsd"))]
mod exports;
#[cfg(feature = "freebsd")]
mod freebsd;
#[cfg(not(feature = "freebsd"))]
mod imports;
