//! The ring of slave processes that read the disk and write the tape.
//!
//! Each volume has SLAVES slaves, forked by the master when the volume is
//! opened.  The master posts lists (see `buffers`) to the slaves in turn,
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

use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};

use nix::errno::Errno;
use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use nix::sys::signal::{Signal, kill};
use nix::sys::socket::{AddressFamily, MsgFlags, SockFlag, SockType, send, socketpair};
use nix::unistd::{ForkResult, Pid, fork};

use crate::buffers::Req;
use crate::dump::{self, TP_BSIZE, X_ABORT, X_FINOK, daddr_t};
use crate::shm::{MAX_SLOTS, Shared};
use crate::signals;
use crate::spin;

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
/// meanwhile takes the processors from the writer and the pipe's reader,
/// each runnable process getting its share whether it yields or not.
/// Measured into cat, medians of 5 to 21 alternating runs:
/// - -b 4: the same time with a sixth less processor time; -b 10: 0.28-0.30
///   s to 0.23-0.24 s with a fifth less; -b 16: 0.20 s to 0.19 s.
/// - -b 1 and -b 2: a tenth slower (1.90 s to 2.16 s, 0.96 s to 1.05 s),
///   though with less processor time: lists come so fast that the doorbell
///   the master rings for nearly every one slows the master, which has
///   the most to do per byte there.
/// - -b 20: 0.19 s to 0.20 s; -b 24: no difference; -b 30: 0.18 s to 0.20 s
///   with more processor time.  The pipe holds only two or three records,
///   and presumably the processors, left idle more often, take longer to
///   wake the writer and the reader.
/// - A ring of one list per slave (a file at -b 10): 0.33 s to 0.41 s, the
///   next list following soon there.
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
/// ring, and the master waits for the report on a list SLAVES * 2 back.
/// Into a pipe that is much faster for small records: a slave that
/// finishes one list finds the next posted, and the master does not have
/// to be woken at each report before a slave has work again.  From 32 KB
/// on, three records' writes already outlast the hand-overs (measured: no
/// gain at -b 32 or -b 64), and the second records would only cost memory
/// in every process of the ring.
pub fn depth(output_cannot_end: bool, writesize: usize) -> usize {
    if output_cannot_end && writesize < DEEP_BELOW {
        MAX_DEPTH
    } else {
        1
    }
}

/// Whether writes to `fd` can never meet the end of a medium: a pipe or a
/// socket, where a blocking write() writes the whole record or fails
/// (EPIPE, or an error that tperror reports).  A regular file or a device
/// can end (ENOSPC, EFBIG, a short write at the end of a tape).
pub fn never_ends(fd: BorrowedFd<'_>) -> bool {
    use nix::sys::stat::{SFlag, fstat};
    fstat(fd).is_ok_and(|st| {
        let kind = SFlag::from_bits_truncate(st.st_mode) & SFlag::S_IFMT;
        kind == SFlag::S_IFIFO || kind == SFlag::S_IFSOCK
    })
}

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

impl Ring {
    /// Fork the slaves for a ring of `slots` slots (SLAVES, or a multiple
    /// of it up to MAX_SLOTS); `first` is the slot whose list goes first on
    /// the tape.  `pids` receives each slave's pid as it is forked.
    pub fn start(
        first: usize,
        slots: usize,
        ntrec: usize,
        writesize: usize,
        master: Pid,
        pids: &mut dyn FnMut(usize, Pid, i32),
    ) -> Result<Ring, StartError> {
        let fail = |made, errno| StartError { made, errno };
        let wake = signals::wake_pipe().map_err(|e| fail(0, e))?;
        signals::install_master(&wake.1);
        let shared = Shared::new(first, ntrec, slots).map_err(|e| fail(0, e))?;
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
            // SAFETY: dump is single-threaded and the library starts no
            // threads, so the child may run any code after fork.
            match unsafe { fork() }.map_err(|e| fail(i, e))? {
                ForkResult::Child => {
                    drop(cmds);
                    drop(mine);
                    signals::forget_wake(&wake.1);
                    drop(wake);
                    signals::install_slave();
                    signals::clear();
                    drop(held);
                    Slave {
                        me: i,
                        first,
                        cmd: theirs,
                        ntrec,
                        writesize,
                        master,
                        shared: &shared,
                    }
                    .run()
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
            next_slot: first,
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

/// One slave's side.
struct Slave<'a> {
    me: usize,
    /// The ring's first slot.
    first: usize,
    /// Its socket to the master: the master's doorbell and its own.
    cmd: OwnedFd,
    ntrec: usize,
    writesize: usize,
    master: Pid,
    shared: &'a Shared,
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
        if let Err(e) = dump::reopen_disk() {
            let mut m = b"slave couldn't reopen disk: ".to_vec();
            m.extend(dump::strerror(e.raw_os_error().unwrap_or(0)));
            m.push(b'\n');
            dump::quit(m);
        }
        // This slave's slots are those k with k % SLAVES == me, taken in
        // turn from the first after the ring's first slot.
        let slots = self.shared.slots();
        let mut k = (self.first + (self.me + SLAVES - self.first % SLAVES) % SLAVES) % slots;
        // What each of them was last posted.
        let mut last = [0u64; MAX_DEPTH];
        while let Some(posted) = self.await_list(k, last[k / SLAVES]) {
            last[k / SLAVES] = posted;
            let seq = posted - 1;
            self.shared.fill(k, seq, |runs, rec| self.fill(runs, rec));
            // A SIGTERM that came while no system call was there to be
            // interrupted.
            slave_signals();
            self.write_ready();
            k = (k + SLAVES) % slots;
        }
        crate::ffi::exit(X_FINOK)
    }

    /// Wait until a list other than `last` is posted in slot `k`: what was
    /// posted, or None once the master has closed the ring.
    ///
    /// A slave spins first, or sleeps at once (`sleeps_at_once`).
    fn await_list(&self, k: usize, last: u64) -> Option<u64> {
        let shared = self.shared;
        let spins = !sleeps_at_once(shared.slots(), self.writesize);
        loop {
            slave_signals();
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
                Err(e) => {
                    let mut m = b"error reading command pipe: ".to_vec();
                    m.extend(dump::strerror(e as i32));
                    m.push(b'\n');
                    dump::quit(m)
                }
            }
        }
    }

    /// Read the list's disk blocks into the record with dump's bread; the
    /// master has put its header records in their places already.
    fn fill(&self, runs: &mut dyn Iterator<Item = (i64, i64)>, rec: &mut [u8]) {
        let mut pos = 0usize;
        for (dblk, count) in runs {
            let count = usize::try_from(count).unwrap_or(0);
            if count == 0 || pos + count > self.ntrec || (dblk == 0 && count != 1) {
                botched();
            }
            if dblk != 0 {
                dump::bread(
                    dblk as daddr_t,
                    &mut rec[pos * TP_BSIZE..(pos + count) * TP_BSIZE],
                );
            }
            pos += count;
        }
        if pos != self.ntrec {
            botched();
        }
    }

    /// Write whatever is ready to go on tape next, if no other slave is
    /// at it.  Whoever holds the lock looks again after letting it go, so
    /// a record made ready meanwhile by a slave that found the lock taken
    /// is never left behind.
    fn write_ready(&self) {
        let shared = self.shared;
        while shared.next_ready().is_some() && shared.lock(self.me) {
            while let Some((seq, i)) = shared.next_ready() {
                let mut failed = false;
                let master_sleeps = shared.write(i, seq, |rec| match self.write_record(rec) {
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
                    self.ring_master();
                }
                if failed {
                    self.write_failed();
                }
            }
            shared.unlock();
        }
    }

    /// A write failed and was reported: keep the write lock, so that
    /// nothing more goes on this tape, until the master decides and closes
    /// the ring.
    fn write_failed(&self) -> ! {
        let mut sink = [0u8; 256];
        loop {
            match nix::unistd::read(&self.cmd, &mut sink) {
                Ok(0) => break,
                Ok(_) => {}
                Err(Errno::EINTR) => slave_signals(),
                Err(_) => break,
            }
        }
        crate::ffi::exit(X_ABORT)
    }

    /// A byte on its socket wakes the master.  A slave ignores SIGPIPE, so
    /// a plain write() does (the master's doorbell needs send()'s
    /// MSG_NOSIGNAL), and the slave maps no more of libc than it uses for
    /// the tape.
    fn ring_master(&self) {
        loop {
            match nix::unistd::write(&self.cmd, &[0u8]) {
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

#[cfg(test)]
mod tests {
    use super::*;

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
        assert!(sleeps_at_once(MAX_SLOTS, 10 * 1024));
        assert!(!sleeps_at_once(SLAVES, 10 * 1024), "one list per slave");
        assert!(!sleeps_at_once(MAX_SLOTS, 1024) && !sleeps_at_once(MAX_SLOTS, 30 * 1024));
        assert_eq!(depth(true, 10 * 1024), MAX_DEPTH);
        assert_eq!(depth(true, DEEP_BELOW), 1);
        assert_eq!(depth(false, 1024), 1);
    }
}
