//! The ways a dump ends: an abort, a write error, a broken pipe, the
//! dump's top-level process gone (tape.c's dumpabort, tperror, sigpipe,
//! killall and Exit).

use std::os::fd::{AsFd, OwnedFd};

use nix::errno::Errno;
use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use nix::sys::signal::{Signal, kill};
use nix::sys::wait::{WaitPidFlag, WaitStatus, waitpid};
use nix::unistd::{Pid, getpid, getppid};

use super::TapeWriter;
use crate::host::Host;
use crate::process::{X_ABORT, X_REWRITE};
use crate::signals::Pending;

/// A pipe whose write end only the dump's top-level process holds: once
/// that process is gone, every other one reads EOF from `alive` and ends
/// rather than write on for nobody.
pub(crate) struct Lifeline {
    pub(crate) alive: OwnedFd,
    keep: Option<OwnedFd>,
}

/// How long a checkpoint gives its child to abort before killing it.
const STOP_TRIES: u32 = 500;
const STOP_PAUSE: std::time::Duration = std::time::Duration::from_millis(10);

impl<H: Host> TapeWriter<H> {
    /// Leave the process with `status` (tape.c's Exit), flushing C stdio
    /// as exit(3) does; a slave leaves at once (see `process::exit_now`).
    pub fn exit(&self, status: i32) -> ! {
        if self.in_slave() {
            crate::process::exit_now(status)
        }
        crate::process::exit(status)
    }

    /// This process is one of the ring's slaves.
    fn in_slave(&self) -> bool {
        let master = self.master.get();
        master != 0 && master != getpid().as_raw()
    }

    /// Made by the first startnewtape of a dump, in its top-level process.
    pub(crate) fn make_lifeline(&self, parent: Pid) {
        let mut l = self
            .lifeline
            .try_borrow_mut()
            .unwrap_or_else(|_| self.reentered());
        if l.is_some() {
            return;
        }
        match nix::unistd::pipe() {
            Ok((alive, keep)) => {
                *l = Some(Lifeline {
                    alive,
                    keep: Some(keep),
                })
            }
            Err(_) => {
                drop(l);
                self.host
                    .msg(format!("Context save fork fails in parent {parent}\n").as_bytes());
                self.exit(X_ABORT);
            }
        }
    }

    /// A process forked by startnewtape lets go of the lifeline's write
    /// end: only the top-level process holds it.
    pub(crate) fn child_of_checkpoint(&self) {
        if let Ok(mut l) = self.lifeline.try_borrow_mut()
            && let Some(l) = l.as_mut()
        {
            l.keep = None;
        }
    }

    /// End the dump if its top-level process is gone.
    pub(crate) fn check_lifeline(&self) {
        let gone = match self
            .lifeline
            .try_borrow()
            .unwrap_or_else(|_| self.reentered())
            .as_ref()
        {
            Some(l) => {
                let mut fds = [PollFd::new(l.alive.as_fd(), PollFlags::POLLIN)];
                matches!(poll(&mut fds, PollTimeout::ZERO), Ok(n) if n > 0)
            }
            None => false,
        };
        if gone {
            self.dumpabort();
        }
    }

    /// Act on a signal noted by the library's handlers.
    pub(crate) fn act_on(&self, p: Pending) {
        match p {
            Pending::Abort => self.dumpabort(),
            Pending::WriteError => self.tperror(),
            Pending::BrokenPipe => self.sigpipe(),
        }
    }

    /// The reader of the output went away (tape.c's sigpipe).
    pub fn sigpipe(&self) -> ! {
        self.host.quit(b"Broken pipe\n")
    }

    /// A slave's write failed (tape.c's tperror): write the volume again
    /// from its checkpoint if the operator wants to, else abort.
    pub fn tperror(&self) -> ! {
        if self.host.settings().pipeout {
            let mut m = b"write error on ".to_vec();
            m.extend(self.host.tape_name());
            m.push(b'\n');
            self.host.msg(&m);
            self.host.quit(b"Cannot recover\n");
        }
        self.host.msg(
            format!(
                "write error {} blocks into volume {}\n",
                self.blocksthisvol.get(),
                self.host.tapeno()
            )
            .as_bytes(),
        );
        self.host.broadcast(c"DUMP WRITE ERROR!\n");
        if !self.host.query(c"Do you want to restart?") {
            self.dumpabort();
        }
        self.host
            .msg(b"Closing this volume.  Prepare to restart with new media;\n");
        self.host.msg(b"this dump volume will be rewritten.\n");
        self.killall();
        self.nogripe.set(true);
        self.close_and_change();
        self.exit(X_REWRITE)
    }

    /// End the whole dump (tape.c's dumpabort): from a slave, by telling
    /// the master; from the master, by killing the slaves; from a
    /// checkpoint, by taking down the volume it waits for.
    pub fn dumpabort(&self) -> ! {
        let master = self.master.get();
        if self.in_slave() {
            // A slave: the master decides.  One that is already gone (this
            // slave now has another parent) has nothing left to be told,
            // and its pid may be someone else's by now.
            if getppid().as_raw() == master {
                let _ = kill(Pid::from_raw(master), Signal::SIGTERM);
            }
        } else {
            self.killall();
            self.reap();
            let child = self.checkpoint_child.get();
            if child > 0 {
                stop_child(Pid::from_raw(child));
            }
            self.host.msg(b"The ENTIRE dump is aborted.\n");
        }
        if self.host.settings().remote {
            self.host.rmt_close();
        }
        self.exit(X_ABORT)
    }

    /// Kill this volume's slaves.
    pub(crate) fn killall(&self) {
        for p in &self.procs {
            let pid = p.get().pid;
            if pid > 0 {
                let _ = kill(Pid::from_raw(pid), Signal::SIGKILL);
            }
        }
        self.forget_sent();
    }
}

/// Ask a checkpoint's child to abort, and wait for it: at most a few
/// seconds, then it is killed.
fn stop_child(child: Pid) {
    let _ = kill(child, Signal::SIGTERM);
    for _ in 0..STOP_TRIES {
        match waitpid(child, Some(WaitPidFlag::WNOHANG)) {
            Ok(WaitStatus::StillAlive) | Err(Errno::EINTR) => std::thread::sleep(STOP_PAUSE),
            _ => return,
        }
    }
    let _ = kill(child, Signal::SIGKILL);
    let _ = waitpid(child, None);
}
