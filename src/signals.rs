//! Signals of the dump's processes.
//!
//! tape.c ran its whole error handling (operator questions included) inside
//! signal handlers and longjmp'd out of them.  Here every handler only
//! records the signal in an atomic flag and, in the master, writes a byte to
//! a self-pipe so that a wait in progress wakes up; the work is done later,
//! at a safe point, by the same exported routines (dumpabort, tperror,
//! sigpipe) tape.c would have run.

use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};

use nix::fcntl::{FcntlArg, OFlag, fcntl};
use nix::sys::signal::{SaFlags, SigAction, SigHandler, SigSet, Signal};

static TERM: AtomicBool = AtomicBool::new(false);
static USR1: AtomicBool = AtomicBool::new(false);
static PIPE: AtomicBool = AtomicBool::new(false);
static USR2: AtomicBool = AtomicBool::new(false);
/// Write end of the self-pipe, or -1.
static WAKE_FD: AtomicI32 = AtomicI32::new(-1);

/// A signal the dump must act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pending {
    /// SIGTERM: a slave's dumpabort() or the operator: abort the dump.
    Abort,
    /// SIGUSR1: a slave's write failed.
    WriteError,
    /// SIGPIPE: a reader went away.
    BrokenPipe,
}

#[allow(unsafe_code)]
extern "C" fn on_signal(signo: libc::c_int) {
    let flag = match signo {
        libc::SIGTERM => &TERM,
        libc::SIGUSR1 => &USR1,
        libc::SIGPIPE => &PIPE,
        _ => &USR2,
    };
    flag.store(true, Ordering::SeqCst);
    let fd = WAKE_FD.load(Ordering::SeqCst);
    if fd >= 0 {
        let b = 0u8;
        // SAFETY: write(2) is async-signal-safe; the pipe is non-blocking,
        // so a full pipe (a wake-up already pending) just fails.
        unsafe { libc::write(fd, (&raw const b).cast(), 1) };
    }
}

/// The SIGUSR2 flag, set by the exported `proceed`.
#[cfg_attr(not(feature = "c-abi"), allow(dead_code))]
pub fn note_proceed() {
    USR2.store(true, Ordering::SeqCst);
}

#[allow(unsafe_code)]
fn set(sig: Signal, handler: SigHandler, flags: SaFlags) {
    let act = libc::sigaction::from(SigAction::new(handler, flags, SigSet::empty()));
    // Called directly, not through nix's sigaction(): that one hands back
    // the old action, a copy large enough to go through memcpy, and a slave
    // would map a page of libc for that alone.
    // SAFETY: `act` is a whole sigaction, and no old action is asked for.
    // The handler only stores atomics and calls write(2), both
    // async-signal-safe; SIG_IGN/SIG_DFL need nothing.
    let _ = unsafe { libc::sigaction(sig as libc::c_int, &act, std::ptr::null_mut()) };
}

/// The master's handlers, set before its slaves are forked (tape.c's
/// enslave).  SA_RESTART keeps the rest of dump's reads and writes from
/// failing with EINTR; the library's own waits watch the self-pipe.
pub fn install_master(wake: &OwnedFd) {
    WAKE_FD.store(wake.as_raw_fd(), Ordering::SeqCst);
    let h = SigHandler::Handler(on_signal);
    for sig in [
        Signal::SIGTERM,
        Signal::SIGUSR1,
        Signal::SIGPIPE,
        Signal::SIGUSR2,
    ] {
        set(sig, h, SaFlags::SA_RESTART);
    }
}

/// A slave's handlers: the operator's interrupt is the master's business,
/// a broken pipe shows up as EPIPE from write(2), and a SIGTERM interrupts
/// whatever the slave waits for.  The signals on which dump's sig()
/// rewrites the volume are the volume process's to act on: a slave that
/// ran sig() would try to close and rewrite the volume itself.
pub fn install_slave() {
    WAKE_FD.store(-1, Ordering::SeqCst);
    set(Signal::SIGINT, SigHandler::SigIgn, SaFlags::empty());
    set(Signal::SIGPIPE, SigHandler::SigIgn, SaFlags::empty());
    for &sig in REWRITE_SIGNALS {
        set(sig, SigHandler::SigIgn, SaFlags::empty());
    }
    let h = SigHandler::Handler(on_signal);
    set(Signal::SIGTERM, h, SaFlags::empty());
    set(Signal::SIGUSR2, h, SaFlags::SA_RESTART);
}

/// The signals the rest of dump handles: the operator's interrupt,
/// SIGTERM, and from the third on those on which dump's sig() closes the
/// volume in progress and exits X_REWRITE for its checkpoint to write it
/// again.  (SIGSEGV too goes to sig(), which aborts on it: a fault is
/// never ignored here.)
const DUMPS: [Signal; 7] = [
    Signal::SIGINT,
    Signal::SIGTERM,
    Signal::SIGHUP,
    Signal::SIGTRAP,
    Signal::SIGFPE,
    Signal::SIGBUS,
    Signal::SIGALRM,
];
const REWRITE_SIGNALS: &[Signal] = DUMPS.split_at(2).1;

/// Hold `DUMPS` back; the mask before.
fn hold() -> SigSet {
    let mut set = SigSet::empty();
    for sig in DUMPS {
        set.add(sig);
    }
    set.thread_swap_mask(nix::sys::signal::SigmaskHow::SIG_BLOCK)
        .unwrap_or_else(|_| SigSet::empty())
}

/// What a checkpoint process does differently while it waits: the
/// dispositions dump gave its signals, which the volume's processes are
/// forked with, and the mask to give them back.
pub struct Checkpoint {
    dumps: [libc::sigaction; DUMPS.len()],
    mask: SigSet,
}

impl Checkpoint {
    /// Take note of dump's dispositions and hold those signals back until
    /// the fork has given each process its own.
    #[allow(unsafe_code)]
    pub fn enter() -> Checkpoint {
        let dumps = DUMPS.map(|sig| {
            // SAFETY: a zeroed sigaction is a valid output buffer.
            let mut old: libc::sigaction = unsafe { std::mem::zeroed() };
            // SAFETY: `old` is a whole sigaction; nothing is changed.
            let _ = unsafe { libc::sigaction(sig as libc::c_int, std::ptr::null(), &mut old) };
            old
        });
        Checkpoint {
            dumps,
            mask: hold(),
        }
    }

    /// Before a fork: the child is to have dump's dispositions (the
    /// signals are held back again after a rewrite's wait).
    #[allow(unsafe_code)]
    pub fn before_fork(&self) {
        hold();
        for (sig, act) in DUMPS.iter().zip(&self.dumps) {
            // SAFETY: a sigaction read back from the kernel in enter().
            let _ = unsafe { libc::sigaction(*sig as libc::c_int, act, std::ptr::null_mut()) };
        }
    }

    /// In the child: dump's handlers, and what came meanwhile goes to them.
    pub fn in_volume(&self) {
        let _ = self.mask.thread_set_mask();
    }

    /// In the checkpoint, while it waits for the volume's process: only
    /// that process acts on a hangup or an interrupt (a whole process
    /// group gets them from a terminal), and a SIGTERM stops the wait so
    /// that the checkpoint can take the volume down with the dump.  What
    /// came while the signals were held back is dropped with them.
    pub fn waiting(&self) {
        set(Signal::SIGINT, SigHandler::SigIgn, SaFlags::empty());
        for &sig in REWRITE_SIGNALS {
            set(sig, SigHandler::SigIgn, SaFlags::empty());
        }
        set(
            Signal::SIGTERM,
            SigHandler::Handler(on_signal),
            SaFlags::empty(),
        );
        let _ = self.mask.thread_set_mask();
    }
}

/// The signals dump's handlers act on, held back while the ring's slaves
/// are forked: a slave must not run dump's handlers before it has its
/// own.  Dropping it lets them in again.
pub struct Held(SigSet);

impl Held {
    pub fn for_fork() -> Held {
        Held(hold())
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        let _ = self.0.thread_set_mask();
    }
}

/// Forget flags inherited across a fork.
pub fn clear() {
    for f in [&TERM, &USR1, &PIPE, &USR2] {
        f.store(false, Ordering::SeqCst);
    }
}

/// The most urgent signal not yet acted on, taking it.
pub fn take() -> Option<Pending> {
    if TERM.swap(false, Ordering::SeqCst) {
        Some(Pending::Abort)
    } else if USR1.swap(false, Ordering::SeqCst) {
        Some(Pending::WriteError)
    } else if PIPE.swap(false, Ordering::SeqCst) {
        Some(Pending::BrokenPipe)
    } else {
        None
    }
}

/// Cheap test for the hot path.
pub fn any() -> bool {
    TERM.load(Ordering::Relaxed) || USR1.load(Ordering::Relaxed) || PIPE.load(Ordering::Relaxed)
}

/// A self-pipe: (read end, write end), both non-blocking.
pub fn wake_pipe() -> nix::Result<(OwnedFd, OwnedFd)> {
    let (r, w) = nix::unistd::pipe()?;
    for fd in [&r, &w] {
        fcntl(fd, FcntlArg::F_SETFL(OFlag::O_NONBLOCK))?;
        fcntl(fd, FcntlArg::F_SETFD(nix::fcntl::FdFlag::FD_CLOEXEC))?;
    }
    Ok((r, w))
}

/// Empty the self-pipe after a wake-up.
pub fn drain(fd: BorrowedFd<'_>) {
    let mut buf = [0u8; 64];
    while let Ok(n) = nix::unistd::read(fd, &mut buf) {
        if n == 0 {
            break;
        }
    }
}

/// Stop using the self-pipe (before it is closed).
pub fn forget_wake(fd: &OwnedFd) {
    let _ = WAKE_FD.compare_exchange(
        fd.as_fd().as_raw_fd(),
        -1,
        Ordering::SeqCst,
        Ordering::SeqCst,
    );
}
