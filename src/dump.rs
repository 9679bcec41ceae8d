//! What the rest of dump (main.c, optr.c, traverse.c, dumprmt.c) provides to
//! the tape writer: its globals and its routines, bound as externs and
//! wrapped in safe functions.
//!
//! Soundness of every wrapper here rests on two facts: dump is a
//! single-threaded program and the library starts no threads, and no signal
//! handler of the library touches these objects (handlers only set atomic
//! flags, see `signals`).  So a read or write of one of dump's globals can
//! never race with another, and no Rust reference to them is ever held: they
//! are read and written through raw pointers, one value at a time.

use std::ffi::{CStr, CString, c_char, c_int, c_long, c_void};

/// The host's `daddr_t`: 32 bits on Linux and macOS, 64 on the BSDs.
#[cfg(any(target_os = "linux", target_os = "android", target_vendor = "apple"))]
#[allow(non_camel_case_types)]
pub type daddr_t = i32;
/// The host's `daddr_t`: 32 bits on Linux and macOS, 64 on the BSDs.
#[cfg(not(any(target_os = "linux", target_os = "android", target_vendor = "apple")))]
#[allow(non_camel_case_types)]
pub type daddr_t = i64;

#[allow(non_camel_case_types)]
pub type ino_t = libc::ino_t;

/// Bytes in a tape record.
pub const TP_BSIZE: usize = 1024;
/// Bytes in a disk sector, the unit of bread()'s block numbers.
pub const DEV_BSIZE: usize = 512;
/// Entries of a header's c_addr map.
pub const TP_NINDIR: usize = TP_BSIZE / 2;

pub const TS_TAPE: i32 = 1;
pub const TS_BITS: i32 = 3;
pub const TS_END: i32 = 5;
pub const TS_CLRI: i32 = 6;
pub const DR_NEWHEADER: i32 = 1;

pub const X_FINOK: c_int = 0;
pub const X_REWRITE: c_int = 2;
pub const X_ABORT: c_int = 3;

/// Word indexes of the header fields tape.c touches (every field is 32 bits
/// on tape, see CONTRACT.md).
pub mod field {
    pub const C_TYPE: usize = 0;
    pub const C_VOLUME: usize = 3;
    pub const C_TAPEA: usize = 4;
    pub const C_INUMBER: usize = 5;
    pub const C_COUNT: usize = 40;
    pub const C_ADDR_BYTE: usize = 164;
    pub const C_FLAGS: usize = 222;
    pub const C_FIRSTREC: usize = 223;
}

/// Byte offset of fs_fsbtodb in the UFS1 superblock.
const FS_FSBTODB: usize = 100;

/// A copy of the header being built (`union u_spcl`).
pub type Spcl = [i32; TP_BSIZE / 4];

unsafe extern "C" {
    static mut u_spcl: Spcl;
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

/// Getter and setter for one of dump's scalar globals.
macro_rules! scalar {
    ($get:ident, $set:ident, $sym:ident, $t:ty) => {
        pub fn $get() -> $t {
            // SAFETY: see the module comment; a plain aligned scalar.
            unsafe { (&raw const $sym).read() }
        }
        #[allow(dead_code)]
        pub fn $set(v: $t) {
            // SAFETY: as above.
            unsafe { (&raw mut $sym).write(v) }
        }
    };
}

scalar!(tapefd_get, tapefd_set, tapefd, c_int);
scalar!(diskfd_get, diskfd_set, diskfd, c_int);
scalar!(pipeout_get, pipeout_set, pipeout, c_int);
scalar!(curino_get, curino_set, curino, ino_t);
scalar!(newtape_get, newtape_set, newtape, c_int);
scalar!(density_get, density_set, density, c_int);
scalar!(tsize_get, tsize_set, tsize, c_long);
scalar!(asize_get, asize_set, asize, c_long);
scalar!(unlimited_get, unlimited_set, unlimited, c_int);
scalar!(blockswritten_get, blockswritten_set, blockswritten, c_int);
scalar!(tapeno_get, tapeno_set, tapeno, c_int);
scalar!(
    tstart_writing_get,
    tstart_writing_set,
    tstart_writing,
    libc::time_t
);
scalar!(dev_bshift_get, dev_bshift_set, dev_bshift, c_int);
scalar!(tp_bshift_get, tp_bshift_set, tp_bshift, c_int);
scalar!(blocksperfile_get, blocksperfile_set, blocksperfile, c_long);
scalar!(ntrec_get, ntrec_set, ntrec, c_int);
scalar!(cartridge_get, cartridge_set, cartridge, c_int);

/// The header in progress, `spcl`.
pub mod spcl {
    use super::{Spcl, u_spcl};

    fn base() -> *mut i32 {
        (&raw mut u_spcl).cast()
    }

    pub fn get(word: usize) -> i32 {
        assert!(word < 256);
        // SAFETY: in bounds of the 1024-byte union, which is int-aligned.
        unsafe { base().add(word).read() }
    }

    pub fn set(word: usize, v: i32) {
        assert!(word < 256);
        // SAFETY: as in get.
        unsafe { base().add(word).write(v) }
    }

    /// Entry `i` of c_addr, the map of present (1) and absent (0) blocks.
    pub fn addr(i: usize) -> u8 {
        assert!(i < super::TP_NINDIR);
        // SAFETY: c_addr lies inside the union; `i` is bounded above.
        unsafe {
            base()
                .cast::<u8>()
                .add(super::field::C_ADDR_BYTE + i)
                .read()
        }
    }

    pub fn save() -> Spcl {
        // SAFETY: a whole-object copy of plain data.
        unsafe { (&raw const u_spcl).read() }
    }

    pub fn restore(s: &Spcl) {
        // SAFETY: as in save.
        unsafe { (&raw mut u_spcl).write(*s) }
    }
}

/// fs_fsbtodb of the superblock: shift from fs fragments to disk sectors.
pub fn fsbtodb_shift() -> i32 {
    // SAFETY: sblock points at dump's superblock (struct fs), read before
    // any tape is written; fs_fsbtodb is an int at byte 100.
    unsafe {
        let fs = (&raw const sblock).read();
        if fs.is_null() {
            quit("no superblock (sblock is NULL)\n");
        }
        fs.cast::<u8>().add(FS_FSBTODB).cast::<i32>().read()
    }
}

fn cstring(text: &[u8]) -> CString {
    // Texts come from C strings or from this crate: no NUL inside; should
    // one appear anyway, cut the text there rather than fail.
    let end = text.iter().position(|&b| b == 0).unwrap_or(text.len());
    CString::new(&text[..end]).unwrap_or_default()
}

/// Print a line to the operator through dump's msg().
pub fn msg(text: impl AsRef<[u8]>) {
    let s = cstring(text.as_ref());
    // SAFETY: "%s" with one NUL-terminated string.
    unsafe { c_msg(c"%s".as_ptr(), s.as_ptr()) }
}

/// Report and abort through dump's quit(), which does not return.
pub fn quit(text: impl AsRef<[u8]>) -> ! {
    let s = cstring(text.as_ref());
    // SAFETY: "%s" with one NUL-terminated string.
    unsafe { c_quit(c"%s".as_ptr(), s.as_ptr()) }
    // dump's quit() ends in dumpabort(); should another one return,
    // still never go on past a fatal error.
    crate::ffi::exit(X_ABORT)
}

pub fn broadcast(text: &CStr) {
    let s = CString::from(text);
    // SAFETY: broadcast only reads its argument; the copy is ours.
    unsafe { c_broadcast(s.as_ptr().cast_mut()) }
}

/// Ask the operator; true for yes.
pub fn query(question: &CStr) -> bool {
    let s = CString::from(question);
    // SAFETY: query only reads its argument; the copy is ours.
    unsafe { c_query(s.as_ptr().cast_mut()) != 0 }
}

pub fn timeest() {
    // SAFETY: no arguments; dump's routine.
    unsafe { c_timeest() }
}

/// Fill in and write the header in progress (dump calls writerec back).
pub fn writeheader(ino: ino_t) {
    // SAFETY: dump's routine; it re-enters writerec, which the library
    // allows (its state is held in cells, not borrowed across this call).
    unsafe { c_writeheader(ino) }
}

/// Read `buf.len()` bytes at sector `blkno` of the disk with dump's bread.
pub fn bread(blkno: daddr_t, buf: &mut [u8]) {
    let size = c_int::try_from(buf.len()).unwrap_or_else(|_| quit("bread: request too large\n"));
    // SAFETY: buf is writable for exactly `size` bytes.
    unsafe { c_bread(blkno, buf.as_mut_ptr().cast(), size) }
}

fn c_bytes(p: *const c_char) -> Vec<u8> {
    if p.is_null() {
        return b"(null)".to_vec();
    }
    // SAFETY: dump's names are NUL-terminated C strings.
    unsafe { CStr::from_ptr(p) }.to_bytes().to_vec()
}

/// The name of the current output, as dump's `tape` holds it.
pub fn tape_name() -> Vec<u8> {
    // SAFETY: read of a pointer global.
    c_bytes(unsafe { (&raw const tape).read() })
}

/// A list of outputs "a,b,c" is used one per volume.  `next` is where the
/// rest of the list starts (tape.c's `nexttape`); both it and `tape` point
/// into dump's own string, which is cut at the commas as it is used.
/// Returns whether the volume takes its name from such a list.
pub fn advance_tape_list(next: &mut *mut c_char) -> bool {
    // SAFETY: `tape` and `*next` point into the NUL-terminated, writable
    // string dump was given (its argv or a copy); writing a NUL over a
    // comma stays inside it.
    unsafe {
        let cur = (&raw const tape).read();
        if next.is_null() && (cur.is_null() || libc::strchr(cur, b',' as c_int).is_null()) {
            return false;
        }
        if !next.is_null() && **next != 0 {
            (&raw mut tape).write(*next);
        }
        let cur = (&raw const tape).read();
        let comma = libc::strchr(cur, b',' as c_int);
        if comma.is_null() {
            *next = std::ptr::null_mut();
        } else {
            *comma = 0;
            *next = comma.add(1);
        }
        true
    }
}

/// Whether the dump goes to a remote tape (`host` is set).
pub fn remote() -> bool {
    #[cfg(feature = "rdump")]
    {
        // SAFETY: read of a pointer global.
        !unsafe { (&raw const host).read() }.is_null()
    }
    #[cfg(not(feature = "rdump"))]
    {
        false
    }
}

/// Open the output for a new volume as tape.c does; returns the descriptor
/// or a negative value.  FIX 4: O_TRUNC, so no tail of an older file stays.
pub fn open_output() -> c_int {
    if pipeout_get() != 0 {
        return 1;
    }
    // SAFETY: `tape` is a NUL-terminated path (or a host's file name).
    unsafe {
        let name = (&raw const tape).read();
        #[cfg(feature = "rdump")]
        if remote() {
            return c_rmtopen(name, 2);
        }
        libc::open(
            name,
            libc::O_WRONLY | libc::O_CREAT | libc::O_TRUNC,
            0o666 as libc::c_uint,
        )
    }
}

/// Write part of a record to the output; the result of write(2) (or of
/// rmtwrite for a remote tape) with errno left as it was set.
pub fn write_output(buf: &[u8]) -> isize {
    #[cfg(feature = "rdump")]
    if remote() {
        let n = c_int::try_from(buf.len()).unwrap_or(c_int::MAX);
        // SAFETY: rmtwrite reads `n` bytes of buf.
        return unsafe { c_rmtwrite(buf.as_ptr().cast_mut().cast(), n) } as isize;
    }
    // SAFETY: write(2) reads buf.len() bytes of buf.
    unsafe { libc::write(tapefd_get(), buf.as_ptr().cast(), buf.len()) }
}

#[cfg(feature = "rdump")]
pub fn rmtclose() {
    // SAFETY: dump's routine; it tolerates a connection that is not open.
    unsafe { c_rmtclose() }
}

#[cfg(feature = "rdump")]
pub fn rmtopen_current(mode: c_int) -> c_int {
    // SAFETY: `tape` is a NUL-terminated name.
    unsafe { c_rmtopen((&raw const tape).read(), mode) }
}

/// Whether the output is standard output (-f -) and a pipe or a socket
/// (`ring::never_ends`).  dump never splits standard output into volumes.
pub fn output_cannot_end() -> bool {
    let fd = tapefd_get();
    if pipeout_get() == 0 || remote() || fd < 0 {
        return false;
    }
    // SAFETY: the descriptor is dump's open output, and stays open for
    // the call.
    crate::ring::never_ends(unsafe { std::os::fd::BorrowedFd::borrow_raw(fd) })
}

/// Close the volume and "rewind" it: a tape drive rewinds when its device
/// is opened and closed again.  A FIFO is only closed (CONTRACT item 13):
/// reopening it would wait for a new reader.  A regular file that the end
/// of the medium cut inside a tape block loses that partial block: on a
/// tape it would not exist, and restore reads its bytes as records that
/// the next volume then repeats.
pub fn close_and_rewind_output(writesize: usize) {
    let fd = tapefd_get();
    // SAFETY: fstat fills a zeroed stat of ours; ftruncate, close, open
    // and sleep take plain arguments; `tape` is a NUL-terminated path.
    unsafe {
        let mut st: libc::stat = std::mem::zeroed();
        let known = libc::fstat(fd, &mut st) == 0;
        let kind = st.st_mode & libc::S_IFMT;
        if known && kind == libc::S_IFREG && writesize > 0 {
            let size = st.st_size as u64;
            let cut = size % writesize as u64;
            if cut != 0 {
                libc::ftruncate(fd, (size - cut) as libc::off_t);
            }
        }
        libc::close(fd);
        if known && kind == libc::S_IFIFO {
            return;
        }
        let name = (&raw const tape).read();
        loop {
            let f = libc::open(name, libc::O_RDONLY);
            if f >= 0 {
                libc::close(f);
                break;
            }
            libc::sleep(10);
        }
    }
}

/// Give this process its own descriptor (and seek pointer) on the disk.
pub fn reopen_disk() -> Result<(), std::io::Error> {
    // SAFETY: `disk` is a NUL-terminated path; close/open on plain ints.
    unsafe {
        libc::close(diskfd_get());
        let fd = libc::open((&raw const disk).read(), libc::O_RDONLY);
        if fd < 0 {
            return Err(std::io::Error::last_os_error());
        }
        diskfd_set(fd);
    }
    Ok(())
}

/// strerror() of an errno value, worded as the C library words it.
pub fn strerror(errno: i32) -> Vec<u8> {
    // SAFETY: strerror returns a NUL-terminated string, copied at once.
    c_bytes(unsafe { libc::strerror(errno) })
}
