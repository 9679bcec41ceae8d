//! What the hosts of both C interfaces share: dump's scalars read and
//! written, texts handed to C, names read from it, the tape list that
//! dump's `-f a,b,c` leaves in one string, the disk reopened, and the
//! super block's one field the tape writer reads.

use std::ffi::{CStr, CString, c_char, c_int, c_void};
use std::ptr;

/// Byte offset of fs_fsbtodb in the super block (struct fs), the same in
/// UFS1's and UFS2's.
const FS_FSBTODB: usize = 100;

/// Read one of dump's scalar globals.
macro_rules! get {
    ($sym:ident) => {
        // SAFETY: see the module comment of the caller's host: dump is
        // single-threaded and no handler of the library touches dump's
        // globals; a plain aligned scalar.
        unsafe { (&raw const $sym).read() }
    };
}

/// Write one of dump's scalar globals.
macro_rules! set {
    ($sym:ident, $v:expr) => {
        // SAFETY: as for `get!`.
        unsafe { (&raw mut $sym).write($v) }
    };
}

pub(super) use {get, set};

/// A text for C.  Texts come from C strings or from the core, with no NUL
/// inside; should one appear anyway, the text is cut there rather than
/// the call failing.
pub(super) fn cstring(text: &[u8]) -> CString {
    let end = text.iter().position(|&b| b == 0).unwrap_or(text.len());
    CString::new(&text[..end]).unwrap_or_default()
}

/// The bytes of one of dump's names, "(null)" for none (as printf says).
pub(super) fn c_bytes(p: *const c_char) -> Vec<u8> {
    if p.is_null() {
        return b"(null)".to_vec();
    }
    // SAFETY: dump's names are NUL-terminated C strings.
    unsafe { CStr::from_ptr(p) }.to_bytes().to_vec()
}

/// The next output of a list "a,b,c": `cur` is dump's `tape`, `next`
/// where the rest of the list starts (null before the first call).  The
/// name is cut at its comma in place, as dump expects of tape.c; returns
/// the name and the new `next` (null after the last), or None when `tape`
/// names no list and there is nothing more.
pub(super) fn next_in_list(
    cur: *mut c_char,
    next: *mut c_char,
) -> Option<(*mut c_char, *mut c_char)> {
    // SAFETY: `cur` and `next` are null or point into the NUL-terminated,
    // writable string dump was given (its argv or a copy); writing a NUL
    // over a comma stays inside it.
    unsafe {
        if next.is_null() && (cur.is_null() || libc::strchr(cur, b',' as c_int).is_null()) {
            return None;
        }
        let name = if !next.is_null() && *next != 0 {
            next
        } else {
            cur
        };
        let comma = libc::strchr(name, b',' as c_int);
        if comma.is_null() {
            Some((name, ptr::null_mut()))
        } else {
            *comma = 0;
            Some((name, comma.add(1)))
        }
    }
}

/// Close dump's descriptor of the disk `old` and open `path` again: each
/// slave reads the disk through a descriptor of its own.
pub(super) fn reopen(old: c_int, path: *const c_char) -> std::io::Result<c_int> {
    // SAFETY: close(2) on dump's descriptor of the disk; `path` is dump's
    // NUL-terminated path of it.
    let fd = unsafe {
        libc::close(old);
        libc::open(path, libc::O_RDONLY)
    };
    if fd < 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(fd)
}

/// The file system block to disk sector shift of dump's super block,
/// None before dump has read one.
pub(super) fn fsbtodb(fs: *const c_void) -> Option<u32> {
    if fs.is_null() {
        return None;
    }
    // SAFETY: a non-null sblock points at dump's super block (struct fs),
    // read before any tape is written; fs_fsbtodb is an int at byte 100.
    let shift = unsafe { fs.cast::<u8>().add(FS_FSBTODB).cast::<i32>().read() };
    Some(shift.clamp(0, 62) as u32)
}
