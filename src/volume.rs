//! Volumes: opening each one behind a checkpoint process, closing and
//! changing them, and the ways a dump ends (tape.c's startnewtape,
//! trewind, close_rewind, tperror, dumpabort, killall, enslave).

use std::os::fd::{AsFd, OwnedFd};

use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use nix::sys::signal::{Signal, kill};
use nix::unistd::{ForkResult, Pid, fork, getpid};

use crate::dump::{self, DR_NEWHEADER, TS_TAPE, X_ABORT, X_FINOK, X_REWRITE, field, spcl};
use crate::ffi::exit;
use crate::ring::{self, Ring, SLAVES};
use crate::signals::{self, Pending};
use crate::tape::{self, Proc, Tape};

/// A pipe whose write end only the dump's top-level process holds: once
/// that process is gone, every other one reads EOF from `alive` and ends
/// rather than write on for nobody (CONTRACT item 9).
pub struct Lifeline {
    pub alive: OwnedFd,
    keep: Option<OwnedFd>,
}

/// End the dump if its top-level process is gone.
pub fn check_lifeline(t: &Tape) {
    let gone = match t.lifeline.borrow().as_ref() {
        Some(l) => {
            let mut fds = [PollFd::new(l.alive.as_fd(), PollFlags::POLLIN)];
            matches!(poll(&mut fds, PollTimeout::ZERO), Ok(n) if n > 0)
        }
        None => false,
    };
    if gone {
        dumpabort();
    }
}

/// Whether the volume is full by size (-B records, or length and density).
pub fn full(t: &Tape) -> bool {
    if dump::pipeout_get() != 0 || dump::unlimited_get() != 0 {
        return false;
    }
    let bpf = dump::blocksperfile_get();
    if bpf != 0 {
        // c_long is 32 bits on some hosts.
        #[allow(clippy::useless_conversion)]
        let bpf = i64::from(bpf);
        t.blocksthisvol.get() >= bpf
    } else {
        dump::asize_get() > dump::tsize_get()
    }
}

/// Act on a signal noted by the handlers.
pub fn act_on(t: &Tape, p: Pending) {
    match p {
        Pending::Abort => dumpabort(),
        Pending::WriteError => tperror(t),
        Pending::BrokenPipe => sigpipe(),
    }
}

pub fn sigpipe() -> ! {
    dump::quit("Broken pipe\n")
}

/// A slave's write failed: restart the volume from its checkpoint if the
/// operator wants to, else abort.
pub fn tperror(t: &Tape) -> ! {
    if dump::pipeout_get() != 0 {
        let mut m = b"write error on ".to_vec();
        m.extend(dump::tape_name());
        m.push(b'\n');
        dump::msg(m);
        dump::quit("Cannot recover\n");
    }
    dump::msg(format!(
        "write error {} blocks into volume {}\n",
        t.blocksthisvol.get(),
        dump::tapeno_get()
    ));
    dump::broadcast(c"DUMP WRITE ERROR!\n");
    if !dump::query(c"Do you want to restart?") {
        dumpabort();
    }
    dump::msg("Closing this volume.  Prepare to restart with new media;\n");
    dump::msg("this dump volume will be rewritten.\n");
    killall(t);
    t.nogripe.set(true);
    close_rewind(t);
    exit(X_REWRITE)
}

/// End the whole dump: from a slave, by telling the master; from the
/// master, by killing the slaves.
pub fn dumpabort() -> ! {
    let t = crate::ffi::state();
    let master = t.master.get();
    if master != 0 && master != getpid().as_raw() {
        // A slave: the master decides.  One that is already gone (this
        // slave now has another parent) has nothing left to be told, and
        // its pid may be someone else's by now.
        if nix::unistd::getppid().as_raw() == master {
            let _ = kill(Pid::from_raw(master), Signal::SIGTERM);
        }
    } else {
        killall(t);
        reap(t);
        // A checkpoint takes the volume it waits for down with it.
        let child = t.checkpoint_child.get();
        if child > 0 {
            stop_child(Pid::from_raw(child));
        }
        dump::msg("The ENTIRE dump is aborted.\n");
    }
    #[cfg(feature = "rdump")]
    dump::rmtclose();
    exit(X_ABORT)
}

/// Ask a checkpoint's child to abort, and wait for it: at most a few
/// seconds, then it is killed.
fn stop_child(child: Pid) {
    use nix::sys::wait::{WaitPidFlag, waitpid};
    let _ = kill(child, Signal::SIGTERM);
    for _ in 0..500 {
        match waitpid(child, Some(WaitPidFlag::WNOHANG)) {
            Ok(nix::sys::wait::WaitStatus::StillAlive) | Err(nix::errno::Errno::EINTR) => {
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
            _ => return,
        }
    }
    let _ = kill(child, Signal::SIGKILL);
    let _ = waitpid(child, None);
}

/// Kill this volume's slaves.
pub fn killall(t: &Tape) {
    for p in &t.procs {
        let pid = p.get().pid;
        if pid > 0 {
            let _ = kill(Pid::from_raw(pid), Signal::SIGKILL);
        }
    }
    t.forget_sent();
}

/// Why a volume is being closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Closing {
    /// The dump is over (dump's main calls trewind).
    EndOfDump,
    /// Another volume follows.
    Change,
}

/// Drain the ring, end the slaves, close the volume and rewind it.
///
/// tape.c gave up when a list still in flight here came back short ("EOT
/// detected in last 2 tape records!").  Here those lists go onto the next
/// volume like at any other end of medium (CONTRACT item 7).  Returns
/// whether that happened: the next volume is then open and in use.
pub fn trewind(t: &Tape, why: Closing) -> bool {
    let mut rolled = false;
    while let Some((failed, m)) = tape::drain_in_order(t) {
        dump::msg("End of tape detected\n");
        close_volume(t);
        change_volumes(t);
        let kept = t.trecno.get();
        tape::replay(t, failed, m, kept);
        rolled = true;
        if why == Closing::Change {
            return true;
        }
        // The dump is over but the carried record still waits in a list
        // that is not full: pad it with end-of-dump headers, as dump's own
        // trailer does, until it goes out.
        while t.trecno.get() != 0 {
            if spcl::get(field::C_TYPE) != crate::dump::TS_END {
                dump::msg("EOT detected in last 2 tape records!\n");
                dump::msg("Use a longer tape, decrease the size estimate\n");
                dump::quit("or use no size estimate at all.\n");
            }
            dump::writeheader(spcl::get(field::C_INUMBER) as u32 as dump::ino_t);
        }
    }
    close_volume(t);
    rolled
}

/// End the ring and close the volume's output.
fn close_volume(t: &Tape) {
    if let Some(ring) = t.ring.borrow_mut().take() {
        ring.close();
    }
    reap(t);
    close_output(t);
}

/// Close the volume's output and rewind it, once.
fn close_output(t: &Tape) {
    if !t.output_open.replace(false) || dump::pipeout_get() != 0 {
        return;
    }
    let mut m = b"Closing ".to_vec();
    m.extend(dump::tape_name());
    m.push(b'\n');
    dump::msg(m);
    #[cfg(feature = "rdump")]
    if dump::remote() {
        dump::rmtclose();
        while dump::rmtopen_current(0) < 0 {
            nix::unistd::sleep(10);
        }
        dump::rmtclose();
        return;
    }
    dump::close_and_rewind_output(t.writesize.get() as usize);
}

/// Wait for this volume's slaves (and only them: the rest of dump may have
/// children of its own, such as an rmt connection).
fn reap(t: &Tape) {
    for p in &t.procs {
        let pid = p.get().pid;
        if pid > 0 {
            while let Err(nix::errno::Errno::EINTR) =
                nix::sys::wait::waitpid(Pid::from_raw(pid), None)
            {}
        }
        p.set(Proc { pid: 0, fd: -1 });
    }
    t.forget_sent();
}

/// The rest of dump gives the volume in progress up: its sig() calls
/// close_rewind() on a hangup (and the like) from inside whatever the
/// library was doing, then exits X_REWRITE, and the volume's checkpoint
/// writes the whole volume again.  So what the ring still holds need not
/// be drained, nor rolled forward when it met the end of the medium:
/// stop the slaves, close and rewind the output, ask for the next volume.
/// Nothing here borrows state that the interrupted code may hold.  A
/// process with no checkpoint above it (before the first volume) has no
/// volume to write again: that ends the dump.
pub fn give_up_volume(t: &Tape) {
    if !t.volume_process.get() {
        dumpabort();
    }
    killall(t);
    reap(t);
    close_output(t);
    change_volumes(t);
}

/// Close the volume and have the operator mount the next.  Returns
/// whether the lists in flight were already replayed onto it.
pub fn close_rewind(t: &Tape) -> bool {
    if trewind(t, Closing::Change) {
        return true;
    }
    change_volumes(t);
    false
}

/// Ask for the next volume, unless a list of outputs names it.
fn change_volumes(t: &Tape) {
    if !t.nexttape.get().is_null() {
        return;
    }
    let start = now();
    if !t.nogripe.get() {
        dump::msg(format!(
            "Change Volumes: Mount volume #{}\n",
            dump::tapeno_get() + 1
        ));
        dump::broadcast(c"CHANGE DUMP VOLUMES!\x07\x07\n");
    }
    while !dump::query(c"Is the new volume mounted and ready to go?") {
        if dump::query(c"Do you want to abort?") {
            dumpabort();
        }
    }
    let end = now();
    if start != -1 && end != -1 {
        dump::tstart_writing_set(dump::tstart_writing_get() + (end - start));
    }
}

fn now() -> libc::time_t {
    // SAFETY: time(2) with no output pointer.
    unsafe { libc::time(std::ptr::null_mut()) }
}

/// Start a volume.  The calling process stays behind as the volume's
/// checkpoint: it waits for a child that does the work, and forks a fresh
/// one from the same state whenever that child asks for the volume to be
/// rewritten.
pub fn startnewtape(t: &Tape, top: bool) {
    let signals = signals::Checkpoint::enter();
    let parent = getpid();
    if t.lifeline.borrow().is_none() {
        match nix::unistd::pipe() {
            Ok((alive, keep)) => {
                *t.lifeline.borrow_mut() = Some(Lifeline {
                    alive,
                    keep: Some(keep),
                })
            }
            Err(_) => {
                dump::msg(format!("Context save fork fails in parent {parent}\n"));
                exit(X_ABORT);
            }
        }
    }
    loop {
        signals.before_fork();
        // SAFETY: dump is single-threaded and the library starts no
        // threads, so the child may run any code after fork.
        match unsafe { fork() } {
            Err(_) => {
                dump::msg(format!("Context save fork fails in parent {parent}\n"));
                exit(X_ABORT);
            }
            Ok(ForkResult::Parent { child }) => {
                t.volume_process.set(false);
                t.checkpoint_child.set(child.as_raw());
                signals.waiting();
                let status = checkpoint_wait(parent, child);
                t.checkpoint_child.set(0);
                match status {
                    X_FINOK => exit(X_FINOK),
                    X_ABORT => exit(X_ABORT),
                    X_REWRITE => continue,
                    other => {
                        dump::msg(format!("Bad return code from dump: {other}\n"));
                        exit(X_ABORT);
                    }
                }
            }
            Ok(ForkResult::Child) => break,
        }
    }
    if let Some(l) = t.lifeline.borrow_mut().as_mut() {
        l.keep = None;
    }
    t.volume_process.set(true);
    t.output_open.set(false);
    signals::clear();
    signals.in_volume();
    open_volume(t, top);
}

/// The checkpoint's wait for the child writing the volume; its exit code.
fn checkpoint_wait(parent: Pid, child: Pid) -> i32 {
    let mut status: libc::c_int = 0;
    loop {
        // SAFETY: wait(2) into a local.
        let got = unsafe { libc::wait(&mut status) };
        if got == child.as_raw() {
            break;
        }
        if got < 0 {
            if nix::errno::Errno::last() == nix::errno::Errno::EINTR {
                if signals::take() == Some(Pending::Abort) {
                    dumpabort();
                }
                continue;
            }
            // No child left to wait for: it is gone without a status.
            return X_ABORT;
        }
        dump::msg(format!(
            "Parent {parent} waiting for child {child} has another child {got} return\n"
        ));
    }
    if status & 0xff != 0 {
        dump::msg(format!(
            "Child {child} returns LOB status {:o}\n",
            status & 0xff
        ));
        // FIX 5: a volume whose writer was killed did not finish.
        return X_ABORT;
    }
    (status >> 8) & 0xff
}

/// In the child: name and open the output, start the slaves, and write
/// the volume's TS_TAPE header.
fn open_volume(t: &Tape, top: bool) {
    dump::tapeno_set(dump::tapeno_get() + 1);
    let mut next = t.nexttape.get();
    if dump::advance_tape_list(&mut next) {
        t.nexttape.set(next);
        let mut m = format!("Dumping volume {} on ", dump::tapeno_get()).into_bytes();
        m.extend(dump::tape_name());
        m.push(b'\n');
        dump::msg(m);
    }
    loop {
        let fd = dump::open_output();
        if fd >= 0 {
            dump::tapefd_set(fd);
            t.output_open.set(true);
            break;
        }
        let mut m = b"Cannot open output \"".to_vec();
        m.extend(dump::tape_name());
        m.extend(b"\".\n");
        dump::msg(m);
        if !dump::query(c"Do you want to retry the open?") {
            dumpabort();
        }
    }
    enslave(t);
    dump::asize_set(0);
    t.blocksthisvol.set(0);
    if top {
        dump::newtape_set(dump::newtape_get() + 1);
    }
    let s = t.info(t.slp.get());
    t.volume_firstrec.set(s.firstrec);
    spcl::set(field::C_COUNT, s.count);
    // Counted in TP_BSIZE records: restore does not know ntrec.
    spcl::set(field::C_FIRSTREC, s.firstrec);
    spcl::set(field::C_VOLUME, spcl::get(field::C_VOLUME) + 1);
    spcl::set(field::C_TYPE, TS_TAPE);
    spcl::set(field::C_FLAGS, spcl::get(field::C_FLAGS) | DR_NEWHEADER);
    dump::writeheader(s.inode as dump::ino_t);
    spcl::set(field::C_FLAGS, spcl::get(field::C_FLAGS) & !DR_NEWHEADER);
    if dump::tapeno_get() > 1 {
        dump::msg(format!(
            "Volume {} begins with blocks from inode {}\n",
            dump::tapeno_get(),
            s.inode
        ));
    }
}

/// Fork this volume's slaves, which share the open output.
fn enslave(t: &Tape) {
    let me = getpid();
    t.master.set(me.as_raw());
    if t.nlists.get() == 0 {
        // Settled once: the lists in flight keep their slots for the rest
        // of the dump (standard output is one volume anyway).
        let deep = ring::depth(dump::output_cannot_end(), t.writesize.get() as usize);
        t.nlists.set(SLAVES * deep);
    }
    t.forget_sent();
    let started = Ring::start(
        t.slp.get(),
        t.nlists(),
        t.ntrec.get(),
        t.writesize.get() as usize,
        me,
        &mut |i, pid, fd| {
            t.procs[i].set(Proc {
                pid: pid.as_raw(),
                fd,
            })
        },
    );
    match started {
        Ok(ring) => *t.ring.borrow_mut() = Some(ring),
        Err(e) => {
            t.master.set(0);
            dump::quit(
                [
                    format!("too many slaves, {} (recompile smaller): ", e.made).into_bytes(),
                    dump::strerror(e.errno as i32),
                    b"\n".to_vec(),
                ]
                .concat(),
            );
        }
    }
    t.master.set(0);
}
