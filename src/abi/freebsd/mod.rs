//! Today's FreeBSD tape.c's C interface: what it defines (`globals`, the
//! data the rest of dump shares with it, and `exports`, its functions),
//! and what it takes from the rest of dump (`imports`, wrapped as the
//! core's `Host` in `host`).

mod exports;
mod globals;
mod host;
mod imports;
