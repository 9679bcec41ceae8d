//! One slave of the ring: it waits for a list in its slots, reads the
//! list's disk blocks into the slot's record, and writes whatever records
//! are ready next on tape while it holds the write lock.

use std::os::fd::OwnedFd;

use nix::errno::Errno;
use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;

use super::shm::Shared;
use super::{MAX_DEPTH, Plan, SLAVES, WRITE_FAILED, sleeps_at_once, spin};
use crate::format::TP_BSIZE;
use crate::process::{X_ABORT, X_FINOK};
use crate::signals;

/// What a slave needs from the dump it works for.
pub trait Work {
    /// Read `buf.len()` bytes from disk sector `sector`.
    fn bread(&self, sector: i64, buf: &mut [u8]);
    /// Give this process its own descriptor on the disk.
    fn reopen_disk(&self) -> std::io::Result<()>;
    /// One write(2) of part of a record to the volume.
    fn write(&self, buf: &[u8]) -> Result<usize, Errno>;
    /// A broken pipe is an error to report, not the end of the dump (a
    /// remote tape's connection).
    fn pipe_errors_are_write_errors(&self) -> bool;
    /// Report and abort (dump's quit()).
    fn quit(&self, text: &[u8]) -> !;
    /// Abort the dump (dumpabort() in a slave: the master decides).
    fn abort(&self) -> !;
    /// The reader of the output went away.
    fn broken_pipe(&self) -> !;
    /// Leave the process.
    fn exit(&self, status: i32) -> !;
}

/// One slave's side.
pub(super) struct Slave<'a> {
    me: usize,
    /// The ring's first slot.
    first: usize,
    /// Its socket to the master: the master's doorbell and its own.
    cmd: OwnedFd,
    ntrec: usize,
    writesize: usize,
    master: Pid,
    word: &'static str,
    shared: &'a Shared,
}

/// A SIGTERM to a slave aborts the dump, as tape.c's handler did.
fn slave_signals(work: &impl Work) {
    if signals::take() == Some(signals::Pending::Abort) {
        work.abort();
    }
}

impl<'a> Slave<'a> {
    pub(super) fn new(me: usize, plan: &Plan, cmd: OwnedFd, shared: &'a Shared) -> Slave<'a> {
        Slave {
            me,
            first: plan.first,
            cmd,
            ntrec: plan.ntrec,
            writesize: plan.writesize,
            master: plan.master,
            word: plan.word,
            shared,
        }
    }

    fn botched(&self, work: &impl Work) -> ! {
        work.quit(format!("master/{} protocol botched.\n", self.word).as_bytes())
    }

    pub(super) fn run(self, work: &impl Work) -> ! {
        if let Err(e) = work.reopen_disk() {
            work.quit(format!("{} couldn't reopen disk: {e}\n", self.word).as_bytes());
        }
        // This slave's slots are those k with k % SLAVES == me, taken in
        // turn from the first after the ring's first slot.
        let slots = self.shared.slots();
        let mut k = (self.first + (self.me + SLAVES - self.first % SLAVES) % SLAVES) % slots;
        // What each of them was last posted.
        let mut last = [0u64; MAX_DEPTH];
        while let Some(posted) = self.await_list(work, k, last[k / SLAVES]) {
            last[k / SLAVES] = posted;
            let seq = posted - 1;
            self.shared
                .fill(k, seq, |runs, rec| self.fill(work, runs, rec));
            // A SIGTERM that came while no system call was there to be
            // interrupted.
            slave_signals(work);
            self.write_ready(work);
            k = (k + SLAVES) % slots;
        }
        work.exit(X_FINOK)
    }

    /// Wait until a list other than `last` is posted in slot `k`: what was
    /// posted, or None once the master has closed the ring.
    ///
    /// A slave spins first, or sleeps at once (`sleeps_at_once`).
    fn await_list(&self, work: &impl Work, k: usize, last: u64) -> Option<u64> {
        let shared = self.shared;
        let spins = !sleeps_at_once(shared.slots(), self.writesize);
        loop {
            slave_signals(work);
            let posted = || shared.posted(k) != last || signals::any();
            if posted() || (spins && spin::until(posted)) {
                if signals::any() {
                    continue;
                }
                return Some(shared.posted(k));
            }
            if !shared.slave_sleeps(k, last) {
                continue;
            }
            let mut b = [0u8; 64];
            let got = nix::unistd::read(&self.cmd, &mut b);
            shared.slave_awake(k);
            match got {
                // ECONNRESET: the master closed its end with a doorbell
                // byte of ours still unread there, which is the same end.
                Ok(0) | Err(Errno::ECONNRESET) => {
                    // The master is done with the ring; a list posted
                    // just before still goes out.
                    let p = shared.posted(k);
                    return (p != last).then_some(p);
                }
                Ok(_) | Err(Errno::EINTR) => {}
                Err(e) => work.quit(
                    format!(
                        "error reading command pipe: {}\n",
                        crate::process::strerror(e)
                    )
                    .as_bytes(),
                ),
            }
        }
    }

    /// Read the list's disk blocks into the record with dump's bread; the
    /// master has put its header records in their places already.
    fn fill(&self, work: &impl Work, runs: &mut dyn Iterator<Item = (i64, i64)>, rec: &mut [u8]) {
        let mut pos = 0usize;
        for (dblk, count) in runs {
            let count = usize::try_from(count).unwrap_or(0);
            if count == 0 || pos + count > self.ntrec || (dblk == 0 && count != 1) {
                self.botched(work);
            }
            if dblk != 0 {
                work.bread(dblk, &mut rec[pos * TP_BSIZE..(pos + count) * TP_BSIZE]);
            }
            pos += count;
        }
        if pos != self.ntrec {
            self.botched(work);
        }
    }

    /// Write whatever is ready to go on tape next, if no other slave is
    /// at it.  Whoever holds the lock looks again after letting it go, so
    /// a record made ready meanwhile by a slave that found the lock taken
    /// is never left behind.
    fn write_ready(&self, work: &impl Work) {
        let shared = self.shared;
        while shared.next_ready().is_some() && shared.lock(self.me) {
            while let Some((seq, i)) = shared.next_ready() {
                let mut failed = false;
                let master_sleeps =
                    shared.write(i, seq, |rec| match self.write_record(work, rec) {
                        Ok(size) => size as i32,
                        Err(_) => {
                            // Tell the master at once (tape.c's SIGUSR1), and
                            // in the report too.
                            let _ = kill(self.master, Signal::SIGUSR1);
                            failed = true;
                            WRITE_FAILED
                        }
                    });
                if master_sleeps {
                    self.ring_master(work);
                }
                if failed {
                    self.write_failed(work);
                }
            }
            shared.unlock();
        }
    }

    /// A write failed and was reported: keep the write lock, so that
    /// nothing more goes on this tape, until the master decides and closes
    /// the ring.
    fn write_failed(&self, work: &impl Work) -> ! {
        let mut sink = [0u8; 256];
        loop {
            match nix::unistd::read(&self.cmd, &mut sink) {
                Ok(0) => break,
                Ok(_) => {}
                Err(Errno::EINTR) => slave_signals(work),
                Err(_) => break,
            }
        }
        work.exit(X_ABORT)
    }

    /// A byte on its socket wakes the master.  A slave ignores SIGPIPE, so
    /// a plain write() does (the master's doorbell needs send()'s
    /// MSG_NOSIGNAL), and the slave maps no more of libc than it uses for
    /// the tape.
    fn ring_master(&self, work: &impl Work) {
        loop {
            match nix::unistd::write(&self.cmd, &[0u8]) {
                Ok(_) => return,
                Err(Errno::EINTR) => slave_signals(work),
                // The master is gone; nobody is left to tell.
                Err(_) => work.exit(X_ABORT),
            }
        }
    }

    /// Write one record, as tape.c's slaves do: retry short writes, take
    /// repeated zero-length writes, ENOSPC and EFBIG (a full file system, a
    /// file size limit) for the end of the medium (reported as 0 bytes),
    /// and any other failure for a write error.
    fn write_record(&self, work: &impl Work, rec: &[u8]) -> Result<usize, Errno> {
        let mut eot = 0;
        let mut size = 0usize;
        while eot < 10 && size < self.writesize {
            match work.write(&rec[size..self.writesize]) {
                Ok(0) => eot += 1,
                Ok(n) => size += n,
                Err(Errno::EINTR) => slave_signals(work),
                Err(Errno::ENOSPC | Errno::EFBIG) => eot = 10,
                Err(Errno::EPIPE) if !work.pipe_errors_are_write_errors() => work.broken_pipe(),
                Err(e) => return Err(e),
            }
        }
        Ok(if eot > 0 { 0 } else { size })
    }
}
