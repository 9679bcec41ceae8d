//! The dump's processes: forking them, leaving them, and the one tape
//! writer each process has for the C boundaries.

use std::any::Any;
use std::cell::OnceCell;

use nix::errno::Errno;
use nix::unistd::ForkResult;

use crate::host::{Host, X_ABORT};
use crate::writer::TapeWriter;

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

/// strerror() of an errno value, worded as the C library words it.
pub fn strerror(e: Errno) -> String {
    let text = std::io::Error::from_raw_os_error(e as i32).to_string();
    // The standard library appends the number; the C library does not.
    match text.rfind(" (os error ") {
        Some(i) => text[..i].to_owned(),
        None => text,
    }
}

thread_local! {
    /// This process's writer, made by the first call of `writer`.  The
    /// library has no threads: per thread is per process, and a child
    /// forked from this thread inherits it.
    static WRITER: OnceCell<&'static dyn Any> = const { OnceCell::new() };
}

/// This process's tape writer over a host of type `H`, made with
/// `make` the first time: the state behind a C boundary, whose entry
/// points are free functions.  A process has one writer, for one kind of
/// host.
pub fn writer<H: Host + 'static>(make: impl FnOnce() -> H) -> &'static TapeWriter<H> {
    let any = WRITER.with(|w| {
        *w.get_or_init(|| {
            let made: &'static TapeWriter<H> = Box::leak(Box::new(TapeWriter::new(make())));
            made
        })
    });
    match any.downcast_ref::<TapeWriter<H>>() {
        Some(w) => w,
        // A second kind of host in one process: nothing sensible is left.
        None => exit(X_ABORT),
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
