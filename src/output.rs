//! A volume's output: a file or a device opened by name, standard output
//! (`-f -`), or a remote tape through the rest of dump's rmt routines.
//! Opening it, writing to it, closing and "rewinding" it as tape.c does,
//! and whether it can end at all.

use std::ffi::OsStr;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;

use nix::errno::Errno;
use nix::fcntl::{OFlag, open};
use nix::sys::stat::{Mode, SFlag, fstat};

use crate::host::Host;

/// How long to wait between attempts at reopening a volume to rewind it.
const REWIND_RETRY: u32 = 10;

/// The output of the volume being written.
#[derive(Debug, Default)]
pub enum Output {
    #[default]
    Closed,
    /// A file, a device or a FIFO, opened by name.
    Named(OwnedFd),
    /// Standard output (dump's pipeout).
    Stdout(std::io::Stdout),
    /// A remote tape: the rest of dump holds the connection; the number is
    /// what its rmtopen() returned.
    Remote(i32),
    /// The standard input of the volume's pipeline (-P): the rest of dump
    /// started it and waits for it when it is closed.
    Pipeline(OwnedFd),
}

/// Why the output could not be opened.
#[derive(Debug)]
pub enum OpenError {
    /// The operator may be asked to try again.
    Retry,
    /// The dump cannot go on: this is what to say.
    Fatal(Vec<u8>),
}

impl Output {
    /// Open the output dump names for a new volume, as tape.c does: a
    /// file is created if need be and truncated, so that no tail of an
    /// older, longer file stays behind.
    pub fn open<H: Host>(host: &H) -> Result<Output, OpenError> {
        let s = host.settings();
        if s.pipeout {
            return Ok(Output::Stdout(std::io::stdout()));
        }
        if s.pipeline {
            // The next volume's number, as the header will say.
            let volume = host.header(crate::format::Field::Volume) + 1;
            return host
                .pipeline_open(volume)
                .map(Output::Pipeline)
                .map_err(OpenError::Fatal);
        }
        if s.remote {
            // O_RDWR, as tape.c asks of rmt.
            return match host.rmt_open(2) {
                fd if fd >= 0 => Ok(Output::Remote(fd)),
                _ => Err(OpenError::Retry),
            };
        }
        let name = host.tape_name();
        open(
            OsStr::from_bytes(&name),
            OFlag::O_WRONLY | OFlag::O_CREAT | OFlag::O_TRUNC,
            Mode::from_bits_truncate(0o666),
        )
        .map(Output::Named)
        .map_err(|_| OpenError::Retry)
    }

    pub fn is_open(&self) -> bool {
        !matches!(self, Output::Closed)
    }

    /// The descriptor dump knows the volume by (its `tapefd`).
    pub fn raw_fd(&self) -> i32 {
        match self {
            Output::Closed => -1,
            Output::Named(fd) | Output::Pipeline(fd) => fd.as_raw_fd(),
            Output::Stdout(out) => out.as_raw_fd(),
            Output::Remote(fd) => *fd,
        }
    }

    fn fd(&self) -> Option<BorrowedFd<'_>> {
        match self {
            Output::Named(fd) | Output::Pipeline(fd) => Some(fd.as_fd()),
            Output::Stdout(out) => Some(out.as_fd()),
            _ => None,
        }
    }

    /// One write(2) of part of a record (or rmtwrite for a remote tape).
    pub fn write<H: Host>(&self, host: &H, buf: &[u8]) -> Result<usize, Errno> {
        if let Output::Remote(_) = self {
            return match host.rmt_write(buf) {
                n if n >= 0 => Ok(n as usize),
                _ => Err(Errno::last()),
            };
        }
        match self.fd() {
            Some(fd) => host.write_medium(fd, buf),
            None => Err(Errno::EBADF),
        }
    }

    /// Whether writes can never meet the end of a medium: standard output
    /// that is a pipe or a socket, where a blocking write() writes the
    /// whole record or fails.  A regular file or a device can end (ENOSPC,
    /// EFBIG, a short write at the end of a tape).
    pub fn cannot_end(&self) -> bool {
        matches!(self, Output::Stdout(_)) && self.fd().is_some_and(never_ends)
    }

    /// Close the volume and "rewind" it: a tape drive rewinds when its
    /// device is opened and closed again.  A FIFO is only closed: reopening
    /// it would wait for a new reader.  A regular file that the end of the
    /// medium cut inside a tape block of `writesize` bytes loses that
    /// partial block: on a tape it would not exist, and restore would read
    /// its bytes as records that the next volume then repeats.
    pub fn close_and_rewind<H: Host>(self, host: &H, writesize: usize) {
        match self {
            Output::Closed | Output::Stdout(_) => {}
            Output::Pipeline(fd) => {
                drop(fd);
                host.pipeline_close();
            }
            Output::Remote(_) => {
                host.rmt_close();
                while host.rmt_open(0) < 0 {
                    nix::unistd::sleep(REWIND_RETRY);
                }
                host.rmt_close();
            }
            Output::Named(fd) => {
                let kind = fstat(fd.as_fd())
                    .ok()
                    .map(|st| (SFlag::from_bits_truncate(st.st_mode) & SFlag::S_IFMT, st));
                if let Some((SFlag::S_IFREG, st)) = kind
                    && writesize > 0
                {
                    let size = st.st_size as u64;
                    let cut = size % writesize as u64;
                    if cut != 0 {
                        let _ = nix::unistd::ftruncate(&fd, (size - cut) as libc::off_t);
                    }
                }
                drop(fd);
                if let Some((SFlag::S_IFIFO, _)) = kind {
                    return;
                }
                let name = host.tape_name();
                while open(OsStr::from_bytes(&name), OFlag::O_RDONLY, Mode::empty()).is_err() {
                    nix::unistd::sleep(REWIND_RETRY);
                }
            }
        }
    }
}

/// Whether writes to `fd` can never meet the end of a medium: a pipe or a
/// socket.
pub fn never_ends(fd: BorrowedFd<'_>) -> bool {
    fstat(fd).is_ok_and(|st| {
        let kind = SFlag::from_bits_truncate(st.st_mode) & SFlag::S_IFMT;
        kind == SFlag::S_IFIFO || kind == SFlag::S_IFSOCK
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use nix::sys::socket::{AddressFamily, SockFlag, SockType, socketpair};

    #[test]
    fn only_pipes_and_sockets_never_end() {
        let (r, w) = nix::unistd::pipe().unwrap();
        assert!(never_ends(r.as_fd()) && never_ends(w.as_fd()));
        let (a, _b) = socketpair(
            AddressFamily::Unix,
            SockType::Stream,
            None,
            SockFlag::empty(),
        )
        .unwrap();
        assert!(never_ends(a.as_fd()));
        let null = std::fs::File::options()
            .write(true)
            .open("/dev/null")
            .unwrap();
        assert!(!never_ends(null.as_fd()), "a device may be a tape");
        let path = std::env::temp_dir().join(format!("dumptape-never-ends-{}", std::process::id()));
        let file = std::fs::File::create(&path).unwrap();
        let _ = std::fs::remove_file(&path);
        assert!(!never_ends(file.as_fd()), "a file system fills up");
    }
}
