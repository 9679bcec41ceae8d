//! The dump's processes: forking them, leaving them, and what their exit
//! status says.

use nix::errno::Errno;
use nix::unistd::ForkResult;

/// dump's exit status: the dump is done.
pub const X_FINOK: i32 = 0;
/// A volume process's exit status: its checkpoint is to write the volume
/// again.
pub const X_REWRITE: i32 = 2;
/// The dump was aborted.
pub const X_ABORT: i32 = 3;

/// fork(2).
pub fn fork() -> nix::Result<ForkResult> {
    // SAFETY: the library starts no threads, and dump is single-threaded
    // (a documented requirement on the caller), so the child is a copy of
    // the only thread there was and may run any code.
    #[allow(unsafe_code)]
    unsafe {
        nix::unistd::fork()
    }
}

/// Leave the process with `status`, flushing C stdio as exit(3) does.
pub fn exit(status: i32) -> ! {
    std::process::exit(status)
}

/// Leave the process at once, as _exit(2) does: no atexit handlers, no
/// flushing of C stdio.  A slave leaves so: its copies of the rest of
/// dump's input streams must not move their offsets, which the master
/// shares.
pub fn exit_now(status: i32) -> ! {
    // SAFETY: _exit(2) takes a plain int and does not return; nix has no
    // wrapper for it.
    #[allow(unsafe_code)]
    unsafe {
        libc::_exit(status)
    }
}

/// strerror() of an errno value, worded as the C library words it.
pub fn strerror(e: Errno) -> String {
    let text = std::io::Error::from_raw_os_error(e as i32).to_string();
    // The standard library appends the number; the C library does not.
    match text.rfind(" (os error ") {
        Some(i) => text[..i].to_owned(),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strerror_is_the_c_librarys() {
        assert_eq!(strerror(Errno::ENOENT), "No such file or directory");
        assert_eq!(strerror(Errno::EPIPE), "Broken pipe");
    }
}
