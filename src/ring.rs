//! The ring of slave processes that read the disk and write the tape.
//!
//! Each volume has SLAVES slaves, forked by the master when the volume is
//! opened.  The master hands each slave in turn one list (see `buffers`)
//! over a socketpair; the slave reads the list's disk blocks itself, waits
//! for its turn, writes the whole tape record with one write(), reports how
//! much it wrote, and passes the turn on.  The turn is a byte in a pipe from
//! each slave to the next, so waiting for it needs no signal and no
//! longjmp, and a slave that dies closes its end: the next one sees EOF
//! instead of waiting for ever.  A master that dies closes the command
//! sockets and every slave ends.

use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};

use nix::errno::Errno;
use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use nix::sys::signal::{Signal, kill};
use nix::sys::socket::{AddressFamily, MsgFlags, SockFlag, SockType, send, socketpair};
use nix::unistd::{ForkResult, Pid, fork, getpid};

use crate::buffers::{Records, Req};
use crate::dump::{self, TP_BSIZE, X_ABORT, X_FINOK, daddr_t};
use crate::signals;

pub const SLAVES: usize = 3;

/// Bytes of one run on the command socket: dblk as i64, count as i32.
const RUN_BYTES: usize = 12;
/// What a slave reports instead of a byte count when its write failed.
const WRITE_FAILED: i32 = -1;

/// What became of a list handed to a slave.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Bytes written (writesize, or less at the end of the medium).
    Wrote(i32),
    /// write() failed; the slave has signalled the master and waits.
    WriteFailed,
    /// The slave is gone (EOF on its socket) or the socket failed.
    Gone(Option<Errno>),
    /// A signal came in while waiting; act on it, then wait again.
    Signalled,
    /// The dump's top-level process is gone (its lifeline closed).
    Orphaned,
}

/// The master's side of one volume's ring.
pub struct Ring {
    cmds: Vec<OwnedFd>,
    wake: (OwnedFd, OwnedFd),
    scratch: Vec<u8>,
}

/// Why the ring could not be started.
pub struct StartError {
    pub made: usize,
    pub errno: Errno,
}

impl Ring {
    /// Fork the slaves; `first` is the slave whose list goes first on the
    /// tape.  `pids` receives each slave's pid as it is forked.
    pub fn start(
        first: usize,
        ntrec: usize,
        writesize: usize,
        master: Pid,
        pids: &mut dyn FnMut(usize, Pid, i32),
    ) -> Result<Ring, StartError> {
        let fail = |made, errno| StartError { made, errno };
        let wake = signals::wake_pipe().map_err(|e| fail(0, e))?;
        signals::install_master(&wake.1);
        let mut tokens = Vec::with_capacity(SLAVES);
        for _ in 0..SLAVES {
            tokens.push(nix::unistd::pipe().map_err(|e| fail(0, e))?);
        }
        nix::unistd::write(&tokens[first].1, &[0u8]).map_err(|e| fail(0, e))?;
        let mut cmds: Vec<OwnedFd> = Vec::with_capacity(SLAVES);
        for i in 0..SLAVES {
            let (mine, theirs) = socketpair(
                AddressFamily::Unix,
                SockType::Stream,
                None,
                SockFlag::empty(),
            )
            .map_err(|e| fail(i, e))?;
            // SAFETY: dump is single-threaded and the library starts no
            // threads, so the child may run any code after fork.
            match unsafe { fork() }.map_err(|e| fail(i, e))? {
                ForkResult::Child => {
                    drop(cmds);
                    drop(mine);
                    signals::forget_wake(&wake.1);
                    drop(wake);
                    let mut mine_in = None;
                    let mut mine_out = None;
                    for (k, (r, w)) in tokens.into_iter().enumerate() {
                        if k == i {
                            mine_in = Some(r);
                        }
                        if k == (i + 1) % SLAVES {
                            mine_out = Some(w);
                        }
                    }
                    let (Some(tin), Some(tout)) = (mine_in, mine_out) else {
                        dump::quit("master/slave protocol botched.\n")
                    };
                    Slave {
                        cmd: theirs,
                        tin,
                        tout,
                        ntrec,
                        writesize,
                        master,
                    }
                    .run()
                }
                ForkResult::Parent { child } => {
                    pids(i, child, mine.as_raw_fd());
                    cmds.push(mine);
                }
            }
        }
        Ok(Ring {
            cmds,
            wake,
            scratch: Vec::new(),
        })
    }

    /// Hand slave `i` a list: its runs and the header records it carries.
    pub fn send(&mut self, i: usize, runs: &[Req], headers: &[u8]) -> Result<(), Errno> {
        let buf = &mut self.scratch;
        buf.clear();
        buf.extend_from_slice(&(runs.len() as u32).to_ne_bytes());
        for r in runs {
            buf.extend_from_slice(&i64::from(r.dblk).to_ne_bytes());
            buf.extend_from_slice(&r.count.to_ne_bytes());
        }
        buf.extend_from_slice(headers);
        let fd = self.cmds[i].as_raw_fd();
        let mut done = 0;
        while done < buf.len() {
            match send(fd, &buf[done..], MsgFlags::MSG_NOSIGNAL) {
                Ok(n) => done += n,
                Err(Errno::EINTR) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// Wait for slave `i`'s report on its last list, watching `lifeline`
    /// too: it reads EOF once the dump's top-level process is gone.
    pub fn collect(&mut self, i: usize, lifeline: Option<BorrowedFd<'_>>) -> Outcome {
        let mut word = [0u8; 4];
        let mut got = 0;
        while got < word.len() {
            if signals::any() {
                return Outcome::Signalled;
            }
            let mut fds = [
                PollFd::new(self.cmds[i].as_fd(), PollFlags::POLLIN),
                PollFd::new(self.wake.0.as_fd(), PollFlags::POLLIN),
                PollFd::new(lifeline.unwrap_or(self.wake.0.as_fd()), PollFlags::POLLIN),
            ];
            match poll(&mut fds, PollTimeout::NONE) {
                Ok(_) => {}
                Err(Errno::EINTR) => continue,
                Err(e) => return Outcome::Gone(Some(e)),
            }
            if lifeline.is_some() && fds[2].any().unwrap_or(false) {
                return Outcome::Orphaned;
            }
            if fds[1].any().unwrap_or(false) {
                signals::drain(self.wake.0.as_fd());
                continue;
            }
            match nix::unistd::read(&self.cmds[i], &mut word[got..]) {
                Ok(0) => return Outcome::Gone(None),
                Ok(n) => got += n,
                Err(Errno::EINTR | Errno::EAGAIN) => {}
                Err(e) => return Outcome::Gone(Some(e)),
            }
        }
        match i32::from_ne_bytes(word) {
            WRITE_FAILED => Outcome::WriteFailed,
            n => Outcome::Wrote(n),
        }
    }

    /// Close the command sockets: idle slaves see EOF and exit.
    pub fn close(self) {
        signals::forget_wake(&self.wake.1);
    }
}

/// One slave's side.
struct Slave {
    cmd: OwnedFd,
    tin: OwnedFd,
    tout: OwnedFd,
    ntrec: usize,
    writesize: usize,
    master: Pid,
}

/// Read exactly `buf.len()` bytes; Ok(false) on EOF before the first byte.
fn read_full(fd: &OwnedFd, buf: &mut [u8]) -> Result<bool, Errno> {
    let mut got = 0;
    while got < buf.len() {
        match nix::unistd::read(fd, &mut buf[got..]) {
            Ok(0) if got == 0 => return Ok(false),
            Ok(0) => return Err(Errno::EPIPE),
            Ok(n) => got += n,
            Err(Errno::EINTR) => slave_signals(),
            Err(e) => return Err(e),
        }
    }
    Ok(true)
}

/// A SIGTERM to a slave aborts the dump, as tape.c's handler did.
fn slave_signals() {
    if signals::take() == Some(signals::Pending::Abort) {
        crate::volume::dumpabort();
    }
}

impl Slave {
    fn run(self) -> ! {
        signals::install_slave();
        signals::clear();
        if let Err(e) = dump::reopen_disk() {
            let mut m = b"slave couldn't reopen disk: ".to_vec();
            m.extend(dump::strerror(e.raw_os_error().unwrap_or(0)));
            m.push(b'\n');
            dump::quit(m);
        }
        let Some(mut rec) = Records::new(self.ntrec) else {
            dump::quit("slave couldn't allocate its buffer\n")
        };
        let botched = || -> ! { dump::quit("master/slave protocol botched.\n") };
        let mut runbuf = Vec::with_capacity(RUN_BYTES * self.ntrec);
        loop {
            let mut word = [0u8; 4];
            match read_full(&self.cmd, &mut word) {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) => {
                    let mut m = b"error reading command pipe: ".to_vec();
                    m.extend(dump::strerror(e as i32));
                    m.push(b'\n');
                    dump::quit(m)
                }
            }
            let nruns = u32::from_ne_bytes(word) as usize;
            if nruns == 0 || nruns > self.ntrec {
                botched();
            }
            runbuf.resize(nruns * RUN_BYTES, 0);
            if !matches!(read_full(&self.cmd, &mut runbuf), Ok(true)) {
                botched();
            }
            let mut pos = 0usize;
            for run in runbuf.chunks_exact(RUN_BYTES) {
                let dblk = i64::from_ne_bytes(run[..8].try_into().unwrap_or_default());
                let count = i32::from_ne_bytes(run[8..].try_into().unwrap_or_default());
                let count = usize::try_from(count).unwrap_or(0);
                if count == 0 || pos + count > self.ntrec {
                    botched();
                }
                let span = &mut rec.bytes_mut()[pos * TP_BSIZE..(pos + count) * TP_BSIZE];
                if dblk != 0 {
                    dump::bread(dblk as daddr_t, span);
                } else if count != 1 || !matches!(read_full(&self.cmd, span), Ok(true)) {
                    botched();
                }
                pos += count;
            }
            if pos != self.ntrec {
                botched();
            }
            self.await_turn();
            let outcome = self.write_record(rec.bytes());
            match outcome {
                Ok(size) => self.report(size as i32),
                Err(_) => {
                    // Tell the master at once (tape.c's SIGUSR1), and on the
                    // socket too so that a master waiting for this report
                    // wakes; then hold the turn until the master decides.
                    let _ = kill(self.master, Signal::SIGUSR1);
                    self.report(WRITE_FAILED);
                    let mut sink = [0u8; 256];
                    while let Ok(true) = read_full(&self.cmd, &mut sink[..1]) {}
                    crate::ffi::exit(X_ABORT);
                }
            }
            self.pass_turn();
        }
        crate::ffi::exit(X_FINOK)
    }

    fn await_turn(&self) {
        let mut b = [0u8; 1];
        match read_full(&self.tin, &mut b) {
            Ok(true) => {}
            // The slave before this one is gone: the ring is broken and
            // the records can no longer go out in order.
            _ => crate::volume::dumpabort(),
        }
    }

    fn pass_turn(&self) {
        loop {
            match nix::unistd::write(&self.tout, &[0u8]) {
                Err(Errno::EINTR) => slave_signals(),
                // A next slave that is gone shows up at the master.
                _ => return,
            }
        }
    }

    fn report(&self, value: i32) {
        let bytes = value.to_ne_bytes();
        let mut done = 0;
        while done < bytes.len() {
            match send(self.cmd.as_raw_fd(), &bytes[done..], MsgFlags::MSG_NOSIGNAL) {
                Ok(n) => done += n,
                Err(Errno::EINTR) => slave_signals(),
                // The master is gone; nobody is left to tell.
                Err(_) => crate::ffi::exit(X_ABORT),
            }
        }
    }

    /// Write one record, as tape.c's slaves do: retry short writes, take
    /// repeated zero-length writes, ENOSPC and EFBIG (FIX 3) for the end of
    /// the medium (reported as 0 bytes), and any other failure for a write
    /// error.
    fn write_record(&self, rec: &[u8]) -> Result<usize, Errno> {
        let mut eot = 0;
        let mut size = 0usize;
        while eot < 10 && size < self.writesize {
            let n = dump::write_output(&rec[size..self.writesize]);
            if n < 0 {
                match Errno::last() {
                    Errno::EINTR => {
                        slave_signals();
                        continue;
                    }
                    Errno::ENOSPC | Errno::EFBIG => {
                        eot = 10;
                        continue;
                    }
                    Errno::EPIPE if !dump::remote() => crate::volume::sigpipe(),
                    e => return Err(e),
                }
            }
            if n == 0 {
                eot += 1;
            }
            size += n as usize;
        }
        Ok(if eot > 0 { 0 } else { size })
    }
}

/// This process's pid, for `master`.
pub fn me() -> Pid {
    getpid()
}
