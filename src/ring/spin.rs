//! Waiting without sleeping, for a while.
//!
//! On a machine with few processors, waking a process that sleeps on a
//! pipe costs far more than the record it waits for (tens of microseconds
//! where a processor has gone idle, against a few for a 10 KB write): a
//! ring that sleeps at every hand-over spends its time being woken.  So
//! the ring's processes wait by looking again and again, and sleep only
//! when nothing has happened for `SPIN`.  Between looks a waiter hands its
//! processor to whoever else can run (sched_yield): the process it waits
//! for, or the reader at the other end of a pipe, may need it.  A yield
//! that comes back soon (`ALONE`) ran nobody, or only another waiter that
//! looked and yielded in turn, or a process with little left to do; then
//! looking without a system call for a while (`ALONE_LOOK`) costs nobody
//! much, where yielding again would only bounce the processor between two
//! waiters.  Most waits end within a microsecond, while another processor
//! finishes a write, so the first look (`FIRST`) makes no system call
//! either; a longer one, before any yield, would take the processor from
//! a slave that has reading or writing to do.
//!
//! Yielding does not give a processor away for long: Linux's scheduler
//! keeps each runnable process's share fair over time, so a spinner takes
//! its share from the writer and the pipe's reader whatever it does.
//! Where a waiter has slack enough to be woken, it sleeps instead (see
//! `ring::sleeps_at_once`).
//!
//! On a busy machine, a yield hands the processor to a process outside the
//! ring for a whole time slice, where a sleeper that is woken would get it
//! back at once.  So when two yields within `STRIKES` each kept this process
//! away for `CROWDED`, its waits go to sleep at once for `STAND_BACK`.  One
//! such yield on a quiet machine (the kernel's own work) changes nothing.

use std::cell::Cell;
use std::time::{Duration, Instant};

/// How long to look before sleeping.
const SPIN: Duration = Duration::from_micros(50);
/// The first look, without a system call.
const FIRST: Duration = Duration::from_micros(1);
/// A yield that came back within `ALONE` ran nobody with much to do: look
/// without a system call for `ALONE_LOOK`.
const ALONE: Duration = Duration::from_micros(10);
const ALONE_LOOK: Duration = Duration::from_micros(10);
/// A yield that kept this process off its processor this long ran someone
/// outside the ring for a whole time slice: the machine is busy.
const CROWDED: Duration = Duration::from_micros(500);
/// Two of those within this time: the machine is busy.
const STRIKES: Duration = Duration::from_millis(20);
/// Then waits go straight to sleep for this long.
const STAND_BACK: Duration = Duration::from_millis(100);

thread_local! {
    /// Until when waits do not spin (per process: the library has no
    /// threads).
    static BACK_OFF: Cell<Option<Instant>> = const { Cell::new(None) };
    /// When a yield last kept this process away for `CROWDED`.
    static STRUCK: Cell<Option<Instant>> = const { Cell::new(None) };
}

/// A yield kept this process away: stop spinning for a while if that is
/// the second time lately.
fn crowded(now: Instant) {
    if STRUCK
        .get()
        .is_some_and(|t| now.saturating_duration_since(t) < STRIKES)
    {
        BACK_OFF.set(Some(now + STAND_BACK));
    }
    STRUCK.set(Some(now));
}

/// Look at `done` for up to `d` without a system call; whether it held.
fn look(done: &mut impl FnMut() -> bool, d: Duration) -> bool {
    let from = Instant::now();
    loop {
        if done() {
            return true;
        }
        if from.elapsed() >= d {
            return false;
        }
        std::hint::spin_loop();
    }
}

/// Look at `done` until it holds (true) or `SPIN` has passed (false).
pub fn until(mut done: impl FnMut() -> bool) -> bool {
    let start = Instant::now();
    if look(&mut done, FIRST) {
        return true;
    }
    if BACK_OFF.get().is_some_and(|t| start < t) {
        return false;
    }
    while start.elapsed() < SPIN {
        let before = Instant::now();
        let _ = nix::sched::sched_yield();
        let away = before.elapsed();
        if away >= CROWDED {
            crowded(Instant::now());
            return done();
        }
        let more = if away < ALONE {
            ALONE_LOOK
        } else {
            Duration::ZERO
        };
        if look(&mut done, more) {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wait_ends_when_its_word_changes() {
        assert!(until(|| true));
        // A busy machine may end a wait early (then the caller sleeps and
        // waits again), but never with the word unchanged.
        let mut n = 0;
        let mut waits = 0;
        while !until(|| {
            n += 1;
            n > 100
        }) {
            waits += 1;
            assert!(waits < 10_000, "never saw the word change");
        }
        assert!(n > 100);
    }

    #[test]
    fn a_wait_that_gets_nothing_gives_up() {
        let t = Instant::now();
        assert!(!until(|| false));
        let took = t.elapsed();
        assert!(took >= SPIN || BACK_OFF.get().is_some());
        assert!(took < Duration::from_secs(5), "{took:?}");
    }
}
