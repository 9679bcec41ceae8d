//! Waiting without sleeping, for a while.
//!
//! On a machine with few processors, waking a process that sleeps on a
//! pipe costs far more than the record it waits for (tens of microseconds
//! where a processor has gone idle, against a few for a 10 KB write): a
//! ring that sleeps at every hand-over spends its time being woken.  So
//! the ring's processes wait by looking again and again, and sleep only
//! when nothing has happened for `SPIN`.  Most waits end within a
//! microsecond or two, while another processor finishes a write, so a
//! waiter first looks without a system call for `FIRST`; then it hands
//! its processor to whoever else can run (sched_yield), which is what the
//! process it waits for may need, and looks again for `BETWEEN` after
//! each yield, so that a yield that ran nobody else does not simply cost
//! another system call.

use std::cell::Cell;
use std::time::{Duration, Instant};

/// How long to look before sleeping.
const SPIN: Duration = Duration::from_micros(50);
/// Looking without yielding, at first and after each yield.
const FIRST: Duration = Duration::from_micros(1);
const BETWEEN: Duration = Duration::from_micros(2);

/// A yield that kept this process off its processor this long ran
/// someone outside the ring for a whole time slice: the machine is busy.
const CROWDED: Duration = Duration::from_micros(500);
/// Then waits go straight to sleep for this long.  On a busy machine a
/// yield hands the processor to the busy process for a whole time slice,
/// where a sleeper that is woken gets it back at once.
const STAND_BACK: Duration = Duration::from_millis(100);

thread_local! {
    /// Until when waits do not spin (per process: the library has no
    /// threads).
    static BACK_OFF: Cell<Option<Instant>> = const { Cell::new(None) };
}

/// Look at `done` until it holds (true) or `SPIN` has passed (false).
pub fn until(mut done: impl FnMut() -> bool) -> bool {
    let start = Instant::now();
    let mut look = FIRST;
    let spin = match BACK_OFF.get() {
        Some(t) if start < t => Duration::ZERO,
        _ => SPIN,
    };
    loop {
        let from = Instant::now();
        loop {
            if done() {
                return true;
            }
            if from.elapsed() >= look {
                break;
            }
            std::hint::spin_loop();
        }
        if start.elapsed() >= spin {
            return false;
        }
        let before = Instant::now();
        let _ = nix::sched::sched_yield();
        let after = Instant::now();
        if after.duration_since(before) >= CROWDED {
            BACK_OFF.set(Some(after + STAND_BACK));
            return false;
        }
        look = BETWEEN;
    }
}
