//! Waiting without sleeping, for a while.
//!
//! On a machine with few processors, waking a process that sleeps on a
//! pipe costs far more than the record it waits for (tens of microseconds
//! where a processor has gone idle, against a few for a 10 KB write): a
//! ring that sleeps at every hand-over spends its time being woken.  So
//! the ring's processes first wait by looking again and again, handing
//! the processor to whoever else can run between looks (sched_yield), and
//! sleep only when nothing has happened for `SPIN`.  When nobody else was
//! there to run, a yield comes straight back, and a short busy look
//! (`ALONE_SPIN`) saves system calls without keeping anyone off the
//! processor.

use std::time::{Duration, Instant};

/// How long to look before sleeping.
const SPIN: Duration = Duration::from_micros(50);
/// A yield that came back this fast ran nobody else.
const ALONE: Duration = Duration::from_micros(1);
/// Then look without yielding for this long.
const ALONE_SPIN: Duration = Duration::from_micros(5);

/// Look at `done` until it holds (true) or `SPIN` has passed (false).
pub fn until(mut done: impl FnMut() -> bool) -> bool {
    let start = Instant::now();
    loop {
        if done() {
            return true;
        }
        let before = Instant::now();
        if before.duration_since(start) >= SPIN {
            return false;
        }
        let _ = nix::sched::sched_yield();
        let after = Instant::now();
        if after.duration_since(before) < ALONE {
            while after.elapsed() < ALONE_SPIN {
                if done() {
                    return true;
                }
                std::hint::spin_loop();
            }
        }
    }
}
