//! The ring of slave processes that read the disk and write the tape.
//!
//! Each volume has SLAVES slaves, forked by the master when the volume is
//! opened.  The master posts lists (see `lists`) to the slaves in turn,
//! numbered in the order they go on tape, into memory they share (`shm`):
//! into SLAVES slots, one per slave as in tape.c, or into twice as many
//! where the output cannot end (`depth`), each slave then taking every
//! SLAVES-th slot.
//! A slave reads its list's disk blocks itself into its slot's record and
//! marks it ready; then, if it can take the write lock, it writes every
//! ready record that comes next on tape, its own and the others', one
//! write() each, in order, and reports what each write gave.  So no slave
//! ever waits for another's turn, and the processes only sleep when there
//! is nothing to do for a while (`spin`), or, in a deep ring, when a slave
//! knows its next list is some records away (`sleeps_at_once`): a sleeper
//! is woken by a byte on its socket.  Nothing waits on a signal, nothing
//! longjmps.  A slave that dies closes its socket, which the master watches
//! whenever it sleeps; a master that dies closes the sockets and every
//! slave ends.

mod shm;
mod slave;
pub mod spin;

use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};

use nix::errno::Errno;
use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use nix::sys::socket::{AddressFamily, MsgFlags, SockFlag, SockType, send, socketpair};
use nix::unistd::{ForkResult, Pid};

use crate::lists::Req;
use crate::signals;
pub use shm::MAX_SLOTS;
use shm::Shared;
pub use slave::Work;

pub const SLAVES: usize = 3;
/// The most lists a slave can have posted at once.
pub const MAX_DEPTH: usize = 2;

/// Records smaller than this go round a deeper ring where they can.
pub const DEEP_BELOW: usize = 32 * 1024;

/// Records from `SLEEP_FROM` and under `SLEEP_BELOW` bytes, see
/// `sleeps_at_once`.
const SLEEP_FROM: usize = 4 * 1024;
const SLEEP_BELOW: usize = 20 * 1024;

/// Whether a slave of a ring of `slots` slots, for records of `writesize`
/// bytes, sleeps at once when it has filled a list, until its next list is
/// posted, instead of spinning first.
///
/// Only in a deep ring: there the slave's next list goes into the slot it
/// filled before this one, so the master can post it only once the writer
/// has written what that slot holds, a few records on.  That is a long
/// wait, and the records ahead leave time to wake the slave.  Spinning
/// meanwhile would take the processors from the writer and the pipe's
/// reader, each runnable process getting its share whether it yields or
/// not.  Below 4 KB the master posts so fast that ringing a doorbell for
/// nearly every list slows it, and from 20 KB on the few records the pipe
/// holds leave too little time (bench/RESULTS.md has the measurements).
fn sleeps_at_once(slots: usize, writesize: usize) -> bool {
    slots > SLAVES && (SLEEP_FROM..SLEEP_BELOW).contains(&writesize)
}

/// How many lists each slave may have posted at once, for records of
/// `writesize` bytes.
///
/// tape.c hands each slave one list, and learns that the medium ended when
/// it takes back the report on the list two before the one it has just
/// handed over.  There it says "End of tape detected" and changes volumes,
/// so its messages fall in a set place among dump's own ("dumping (Pass
/// IV)"); a master that ran further ahead would learn it later, and could
/// say it after a message of dump's that tape.c said it before.  So the
/// master keeps that pace, except where the medium cannot end and there is
/// nothing to learn: then each slave gets a second list (slot) in the
/// ring, and the master waits for the report on a list SLAVES * 2 back,
/// so that a slave that finishes one list finds the next posted.  From
/// 32 KB on, three records' writes already outlast the hand-overs, and
/// second records would only cost memory in every process of the ring.
pub fn depth(output_cannot_end: bool, writesize: usize) -> usize {
    if output_cannot_end && writesize < DEEP_BELOW {
        MAX_DEPTH
    } else {
        1
    }
}

/// What a slave reports instead of a byte count when its write failed.
pub(crate) const WRITE_FAILED: i32 = -1;

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
    /// Each slave's socket.  An array, not a Vec: a slave closes the
    /// others' after fork without calling free(), whose page of libc code
    /// it would otherwise map for nothing else.
    cmds: [Option<OwnedFd>; SLAVES],
    wake: (OwnedFd, OwnedFd),
    shared: Shared,
    /// Number of the next list handed out, and the slot it must go to.
    next_seq: u64,
    next_slot: usize,
    /// Number of the last list each slot was given.
    given: [u64; MAX_SLOTS],
}

/// Why the ring could not be started.
pub struct StartError {
    pub made: usize,
    pub errno: Errno,
}

/// How a ring is to be made.
pub struct Plan {
    /// The slot whose list goes first on the tape.
    pub first: usize,
    /// SLAVES, or a multiple of it up to MAX_SLOTS.
    pub slots: usize,
    pub ntrec: usize,
    pub writesize: usize,
    /// The master: where a slave sends SIGUSR1 when its write fails.
    pub master: Pid,
    /// What the ring's processes are called in messages: "slave", or
    /// "worker" as today's FreeBSD says.
    pub word: &'static str,
}

impl Ring {
    /// Fork the slaves for a ring made as `plan` says; each does `work`.
    /// `pids` receives each slave's pid as it is forked.
    pub fn start<W: Work>(
        plan: &Plan,
        work: &W,
        pids: &mut dyn FnMut(usize, Pid, i32),
    ) -> Result<Ring, StartError> {
        let fail = |made, errno| StartError { made, errno };
        let wake = signals::wake_pipe().map_err(|e| fail(0, e))?;
        signals::install_master(&wake.1);
        let shared = Shared::new(plan.first, plan.ntrec, plan.slots).map_err(|e| fail(0, e))?;
        let held = signals::Held::for_fork();
        let mut cmds: [Option<OwnedFd>; SLAVES] = Default::default();
        for i in 0..SLAVES {
            let (mine, theirs) = socketpair(
                AddressFamily::Unix,
                SockType::Stream,
                None,
                SockFlag::empty(),
            )
            .map_err(|e| fail(i, e))?;
            match crate::process::fork().map_err(|e| fail(i, e))? {
                ForkResult::Child => {
                    drop(cmds);
                    drop(mine);
                    signals::forget_wake(&wake.1);
                    drop(wake);
                    signals::install_slave();
                    signals::clear();
                    drop(held);
                    slave::Slave::new(i, plan, theirs, &shared).run(work)
                }
                ForkResult::Parent { child } => {
                    pids(i, child, mine.as_raw_fd());
                    cmds[i] = Some(mine);
                }
            }
        }
        drop(held);
        Ok(Ring {
            cmds,
            wake,
            shared,
            next_seq: 0,
            next_slot: plan.first,
            given: [0; MAX_SLOTS],
        })
    }

    /// Post a list into slot `i`, for its slave: its runs and the header
    /// records it carries (packed from the start of `headers`, one per
    /// header run; what is left over is not used).  Lists go round the
    /// slots in order, each numbered one more; a slot's last list must have
    /// been collected first.
    pub fn send(&mut self, i: usize, runs: &[Req], headers: &[u8]) -> Result<(), Errno> {
        if i != self.next_slot || self.given_unreported(i) {
            return Err(Errno::EINVAL);
        }
        let seq = self.next_seq;
        if self.shared.post(i, seq, runs, headers)? {
            let cmd = self.cmds[i % SLAVES].as_ref().ok_or(Errno::EBADF)?;
            ring_bell(cmd)?;
        }
        self.given[i] = seq;
        self.next_seq += 1;
        self.next_slot = (i + 1) % self.shared.slots();
        Ok(())
    }

    /// Slot `i` was given a list whose report is not in.
    fn given_unreported(&self, i: usize) -> bool {
        self.shared.posted(i) == self.given[i] + 1
            && self.shared.report_of(i, self.given[i]).is_none()
    }

    /// Wait for the report on slot `i`'s last list, watching `lifeline`
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
            let shared = &self.shared;
            if spin::until(|| shared.report_of(i, seq).is_some() || signals::any()) {
                continue;
            }
            if let Some(v) = self.shared.master_sleeps(i, seq) {
                return outcome(v);
            }
            let woke = self.sleep(lifeline);
            self.shared.master_awake();
            if let Some(o) = woke {
                return o;
            }
        }
    }

    /// Sleep until a slave rings, a slave dies, a signal comes or the
    /// top-level process goes; what ended the sleep, if the wait is over.
    /// Any slave may write the record waited for, and any may die.
    fn sleep(&mut self, lifeline: Option<BorrowedFd<'_>>) -> Option<Outcome> {
        // The slaves' sockets, then the signal pipe, then the lifeline.
        let wake = self.wake.0.as_fd();
        let mut fds: [PollFd; SLAVES + 2] = std::array::from_fn(|k| {
            let fd = match k {
                k if k < SLAVES => self.cmds[k].as_ref().map_or(wake, |c| c.as_fd()),
                k if k == SLAVES => wake,
                _ => lifeline.unwrap_or(wake),
            };
            PollFd::new(fd, PollFlags::POLLIN)
        });
        match poll(&mut fds, PollTimeout::NONE) {
            Ok(_) => {}
            Err(Errno::EINTR) => return None,
            Err(e) => return Some(Outcome::Gone(Some(e))),
        }
        let ready = fds.map(|f| f.any().unwrap_or(false));
        if lifeline.is_some() && ready[SLAVES + 1] {
            return Some(Outcome::Orphaned);
        }
        if ready[SLAVES] {
            signals::drain(self.wake.0.as_fd());
        }
        for (k, cmd) in self.cmds.iter().enumerate() {
            let Some(cmd) = cmd.as_ref().filter(|_| ready[k]) else {
                continue;
            };
            let mut b = [0u8; 64];
            match nix::unistd::read(cmd, &mut b) {
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

/// A byte on a socket, to wake whoever sleeps at the other end; EPIPE
/// when nobody is left there.
fn ring_bell(fd: &OwnedFd) -> Result<(), Errno> {
    loop {
        match send(fd.as_raw_fd(), &[0u8], MsgFlags::MSG_NOSIGNAL) {
            Ok(_) => return Ok(()),
            Err(Errno::EINTR) => {}
            Err(Errno::ECONNRESET) => return Err(Errno::EPIPE),
            Err(e) => return Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_small_records_into_a_pipe_go_deep() {
        assert!(sleeps_at_once(MAX_SLOTS, 10 * 1024));
        assert!(!sleeps_at_once(SLAVES, 10 * 1024), "one list per slave");
        assert!(!sleeps_at_once(MAX_SLOTS, 1024) && !sleeps_at_once(MAX_SLOTS, 30 * 1024));
        assert_eq!(depth(true, 10 * 1024), MAX_DEPTH);
        assert_eq!(depth(true, DEEP_BELOW), 1);
        assert_eq!(depth(false, 1024), 1);
    }
}
