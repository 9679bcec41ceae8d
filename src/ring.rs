//! The ring of slave processes that read the disk and write the tape.
//!
//! Each volume has SLAVES slaves, forked by the master when the volume is
//! opened.  The master hands the slaves lists (see `buffers`) in turn, over
//! a socketpair each, numbered in the order they go on tape.  A slave reads
//! its list's disk blocks itself, waits until the list's number comes up,
//! writes the whole tape record with one write(), reports how much it
//! wrote and passes the turn on.  Turn and reports live in a page the
//! volume's processes share (`shm`), so nobody makes a system call for
//! them unless it has to sleep; the sleeper is woken by a byte on the pipe
//! from the slave before it (for the turn) or on its socket (for the
//! master).  Nothing waits on a signal, nothing longjmps.  A slave that
//! dies closes its pipe and socket, so the next slave and the master see
//! EOF instead of waiting for ever; a master that dies closes the command
//! sockets and every slave ends.

use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};

use nix::errno::Errno;
use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use nix::sys::signal::{Signal, kill};
use nix::sys::socket::{AddressFamily, MsgFlags, SockFlag, SockType, send, socketpair};
use nix::unistd::{ForkResult, Pid, fork};

use crate::buffers::{Records, Req};
use crate::dump::{self, TP_BSIZE, X_ABORT, X_FINOK, daddr_t};
use crate::shm::Shared;
use crate::signals;

pub const SLAVES: usize = 3;

/// A list on the command socket: a head (number of runs, list number),
/// the runs (dblk as i64, count as i32), then the header records.
const HEAD_BYTES: usize = 16;
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
    shared: Shared,
    /// Number of the next list handed out, and the slave it must go to.
    next_seq: u64,
    next_slave: usize,
    /// Number of the last list each slave was given.
    given: [u64; SLAVES],
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
        let shared = Shared::new().map_err(|e| fail(0, e))?;
        let mut bells = Vec::with_capacity(SLAVES);
        for _ in 0..SLAVES {
            bells.push(nix::unistd::pipe().map_err(|e| fail(0, e))?);
        }
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
                    // Keep the read end of this slave's doorbell and the
                    // write end of the next one's; close the rest, so that
                    // a slave that dies is seen to die.
                    let mut bell = None;
                    let mut next_bell = None;
                    for (k, (r, w)) in bells.into_iter().enumerate() {
                        if k == i {
                            bell = Some(r);
                        }
                        if k == (i + 1) % SLAVES {
                            next_bell = Some(w);
                        }
                    }
                    let (Some(bell), Some(next_bell)) = (bell, next_bell) else {
                        dump::quit("master/slave protocol botched.\n")
                    };
                    Slave {
                        me: i,
                        cmd: theirs,
                        bell,
                        next_bell,
                        ntrec,
                        writesize,
                        master,
                        shared: &shared,
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
            shared,
            next_seq: 0,
            next_slave: first,
            given: [0; SLAVES],
            scratch: Vec::new(),
        })
    }

    /// Hand slave `i` a list: its runs and the header records it carries.
    /// Lists go to the slaves in ring order, each numbered one more.
    pub fn send(&mut self, i: usize, runs: &[Req], headers: &[u8]) -> Result<(), Errno> {
        if i != self.next_slave {
            return Err(Errno::EINVAL);
        }
        let seq = self.next_seq;
        let buf = &mut self.scratch;
        buf.clear();
        buf.extend_from_slice(&(runs.len() as u32).to_ne_bytes());
        buf.extend_from_slice(&0u32.to_ne_bytes());
        buf.extend_from_slice(&seq.to_ne_bytes());
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
        self.given[i] = seq;
        self.next_seq += 1;
        self.next_slave = (i + 1) % SLAVES;
        Ok(())
    }

    /// Wait for slave `i`'s report on its last list, watching `lifeline`
    /// too: it reads EOF once the dump's top-level process is gone.
    pub fn collect(&mut self, i: usize, lifeline: Option<BorrowedFd<'_>>) -> Outcome {
        let seq = self.given[i];
        loop {
            if let Some(v) = self.shared.report_of(i, seq) {
                return outcome(v);
            }
            if signals::any() {
                return Outcome::Signalled;
            }
            if let Some(v) = self.shared.master_sleeps(i, seq) {
                return outcome(v);
            }
            let woke = self.sleep(i, lifeline);
            self.shared.master_awake(i);
            if let Some(o) = woke {
                return o;
            }
        }
    }

    /// Sleep until slave `i` rings, a signal comes or the top-level
    /// process goes; what ended the sleep, if the wait is over.
    fn sleep(&mut self, i: usize, lifeline: Option<BorrowedFd<'_>>) -> Option<Outcome> {
        let mut fds = [
            PollFd::new(self.cmds[i].as_fd(), PollFlags::POLLIN),
            PollFd::new(self.wake.0.as_fd(), PollFlags::POLLIN),
            PollFd::new(lifeline.unwrap_or(self.wake.0.as_fd()), PollFlags::POLLIN),
        ];
        match poll(&mut fds, PollTimeout::NONE) {
            Ok(_) => {}
            Err(Errno::EINTR) => return None,
            Err(e) => return Some(Outcome::Gone(Some(e))),
        }
        let ready = |f: &PollFd| f.any().unwrap_or(false);
        let (bell, woken, orphaned) = (ready(&fds[0]), ready(&fds[1]), ready(&fds[2]));
        if lifeline.is_some() && orphaned {
            return Some(Outcome::Orphaned);
        }
        if woken {
            signals::drain(self.wake.0.as_fd());
        }
        if bell {
            let mut b = [0u8; 64];
            match nix::unistd::read(&self.cmds[i], &mut b) {
                Ok(0) => return Some(Outcome::Gone(None)),
                Ok(_) | Err(Errno::EINTR | Errno::EAGAIN) => {}
                Err(e) => return Some(Outcome::Gone(Some(e))),
            }
        }
        None
    }

    /// Close the command sockets: idle slaves see EOF and exit.
    pub fn close(self) {
        signals::forget_wake(&self.wake.1);
    }
}

fn outcome(v: i32) -> Outcome {
    match v {
        WRITE_FAILED => Outcome::WriteFailed,
        n => Outcome::Wrote(n),
    }
}

/// One slave's side.
struct Slave<'a> {
    me: usize,
    cmd: OwnedFd,
    /// Rung by the slave before this one when this one's turn comes.
    bell: OwnedFd,
    next_bell: OwnedFd,
    ntrec: usize,
    writesize: usize,
    master: Pid,
    shared: &'a Shared,
}

/// Read until `buf[..want]` is filled, taking whatever more is there up to
/// the end of `buf`; the bytes now in it, 0 on EOF before the first.
fn read_at_least(fd: &OwnedFd, buf: &mut [u8], have: usize, want: usize) -> Result<usize, Errno> {
    let mut got = have;
    while got < want {
        match nix::unistd::read(fd, &mut buf[got..]) {
            Ok(0) if got == 0 => return Ok(0),
            Ok(0) => return Err(Errno::EPIPE),
            Ok(n) => got += n,
            Err(Errno::EINTR) => slave_signals(),
            Err(e) => return Err(e),
        }
    }
    Ok(got)
}

/// A SIGTERM to a slave aborts the dump, as tape.c's handler did.
fn slave_signals() {
    if signals::take() == Some(signals::Pending::Abort) {
        crate::volume::dumpabort();
    }
}

fn botched() -> ! {
    dump::quit("master/slave protocol botched.\n")
}

impl Slave<'_> {
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
        // Room for the largest list: every record a header.
        let mut msg = vec![0u8; HEAD_BYTES + self.ntrec * (RUN_BYTES + TP_BSIZE)];
        loop {
            slave_signals();
            let have = match read_at_least(&self.cmd, &mut msg, 0, HEAD_BYTES) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) => {
                    let mut m = b"error reading command pipe: ".to_vec();
                    m.extend(dump::strerror(e as i32));
                    m.push(b'\n');
                    dump::quit(m)
                }
            };
            let nruns = u32::from_ne_bytes(msg[..4].try_into().unwrap_or_default()) as usize;
            let seq = u64::from_ne_bytes(msg[8..16].try_into().unwrap_or_default());
            if nruns == 0 || nruns > self.ntrec {
                botched();
            }
            let runs_end = HEAD_BYTES + nruns * RUN_BYTES;
            let have =
                read_at_least(&self.cmd, &mut msg, have, runs_end).unwrap_or_else(|_| botched());
            let nhdr = msg[HEAD_BYTES..runs_end]
                .chunks_exact(RUN_BYTES)
                .filter(|r| r[..8].iter().all(|&b| b == 0))
                .count();
            let end = runs_end + nhdr * TP_BSIZE;
            read_at_least(&self.cmd, &mut msg, have, end).unwrap_or_else(|_| botched());
            self.fill(&mut rec, &msg[HEAD_BYTES..runs_end], &msg[runs_end..end]);
            // A SIGTERM that came while no system call was there to be
            // interrupted.
            slave_signals();
            self.await_turn(seq);
            match self.write_record(rec.bytes()) {
                Ok(size) => self.report(seq, size as i32),
                Err(_) => {
                    // Tell the master at once (tape.c's SIGUSR1), and in the
                    // report too; keep the turn until the master decides.
                    let _ = kill(self.master, Signal::SIGUSR1);
                    self.report(seq, WRITE_FAILED);
                    let mut sink = [0u8; 256];
                    while let Ok(n) = read_at_least(&self.cmd, &mut sink, 0, 1) {
                        if n == 0 {
                            break;
                        }
                    }
                    crate::ffi::exit(X_ABORT);
                }
            }
            if self.shared.pass_turn(seq + 1, (self.me + 1) % SLAVES) {
                self.ring(&self.next_bell);
            }
        }
        crate::ffi::exit(X_FINOK)
    }

    /// Put the list's records in place: disk blocks read with dump's
    /// bread, header records as the master sent them.
    fn fill(&self, rec: &mut Records, runs: &[u8], mut headers: &[u8]) {
        let mut pos = 0usize;
        for run in runs.chunks_exact(RUN_BYTES) {
            let dblk = i64::from_ne_bytes(run[..8].try_into().unwrap_or_default());
            let count = i32::from_ne_bytes(run[8..].try_into().unwrap_or_default());
            let count = usize::try_from(count).unwrap_or(0);
            if count == 0 || pos + count > self.ntrec {
                botched();
            }
            let span = &mut rec.bytes_mut()[pos * TP_BSIZE..(pos + count) * TP_BSIZE];
            if dblk != 0 {
                dump::bread(dblk as daddr_t, span);
            } else if count != 1 || headers.len() < TP_BSIZE {
                botched();
            } else {
                span.copy_from_slice(&headers[..TP_BSIZE]);
                headers = &headers[TP_BSIZE..];
            }
            pos += count;
        }
        if pos != self.ntrec {
            botched();
        }
    }

    fn await_turn(&self, seq: u64) {
        while self.shared.turn() != seq {
            if !self.shared.slave_sleeps(self.me, seq) {
                return;
            }
            let mut b = [0u8; 16];
            match read_at_least(&self.bell, &mut b, 0, 1) {
                Ok(n) if n > 0 => {}
                // The slave before this one is gone: the ring is broken and
                // the records can no longer go out in order.
                _ => crate::volume::dumpabort(),
            }
            self.shared.slave_awake(self.me);
        }
    }

    /// A byte on a doorbell; one whose sleeper is gone shows up elsewhere.
    fn ring(&self, fd: &OwnedFd) {
        while let Err(Errno::EINTR) = nix::unistd::write(fd, &[0u8]) {
            slave_signals();
        }
    }

    fn report(&self, seq: u64, value: i32) {
        if !self.shared.report(self.me, seq, value) {
            return;
        }
        loop {
            match send(self.cmd.as_raw_fd(), &[0u8], MsgFlags::MSG_NOSIGNAL) {
                Ok(_) => return,
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
