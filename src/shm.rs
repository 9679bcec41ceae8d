//! The words a volume's ring shares between its processes: whose turn it
//! is to write, what each slave's last list wrote, and who is asleep.
//!
//! A wake-up costs far more than the write it waits for, so the ring only
//! sleeps when it must: a slave whose turn has come, or a master whose
//! report is in, goes on without a system call.  Whoever changes a word
//! another process may be sleeping on checks that process's `asleep` flag
//! afterwards, and only then rings its doorbell (a byte on the pipe or
//! socket it sleeps on).  Both sides use sequentially consistent
//! operations, so one of them always sees the other: the sleeper rechecks
//! after raising its flag, the waker looks at the flag after its change.

use std::num::NonZeroUsize;
use std::ptr::NonNull;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering::SeqCst};

use nix::sys::mman::{MapFlags, ProtFlags, mmap_anonymous, munmap};

use crate::ring::SLAVES;

/// The shared words (one page, one per volume).
#[repr(C)]
struct Words {
    /// Sequence number of the next list to go on tape.
    turn: AtomicU64,
    /// Per slave: (sequence number + 1) << 32 | bytes written, of its last
    /// list (0: no report yet).
    report: [AtomicU64; SLAVES],
    /// Per slave: it sleeps until its turn comes.
    slave_asleep: [AtomicU32; SLAVES],
    /// Per slave: the master sleeps until that slave's report comes.
    master_asleep: [AtomicU32; SLAVES],
}

/// A shared anonymous mapping holding `Words`, inherited by the slaves
/// forked after it is made.
pub struct Shared {
    base: NonNull<Words>,
}

impl Shared {
    pub fn new() -> nix::Result<Shared> {
        let len = NonZeroUsize::new(std::mem::size_of::<Words>()).unwrap_or(NonZeroUsize::MIN);
        // SAFETY: a fresh anonymous mapping, placed by the kernel; nothing
        // else refers to that memory.  It is zero-filled, which is a valid
        // `Words` (atomics of 0).
        let p = unsafe {
            mmap_anonymous(
                None,
                len,
                ProtFlags::PROT_READ | ProtFlags::PROT_WRITE,
                MapFlags::MAP_SHARED,
            )?
        };
        Ok(Shared { base: p.cast() })
    }

    fn words(&self) -> &Words {
        // SAFETY: the mapping lives as long as self and holds a `Words`;
        // other processes change it only through the atomics.
        unsafe { self.base.as_ref() }
    }

    pub fn turn(&self) -> u64 {
        self.words().turn.load(SeqCst)
    }

    /// Pass the turn to list `next`; true if slave `who` (the next
    /// writer) is asleep and needs its doorbell rung.
    pub fn pass_turn(&self, next: u64, who: usize) -> bool {
        let w = self.words();
        w.turn.store(next, SeqCst);
        w.slave_asleep[who].swap(0, SeqCst) != 0
    }

    /// Slave `me` is about to sleep until list `seq`'s turn; false if the
    /// turn has come meanwhile (then it must not sleep).
    pub fn slave_sleeps(&self, me: usize, seq: u64) -> bool {
        let w = self.words();
        w.slave_asleep[me].store(1, SeqCst);
        if w.turn.load(SeqCst) == seq {
            w.slave_asleep[me].store(0, SeqCst);
            return false;
        }
        true
    }

    pub fn slave_awake(&self, me: usize) {
        self.words().slave_asleep[me].store(0, SeqCst);
    }

    /// Slave `me` reports on list `seq`; true if the master sleeps on it
    /// and needs its doorbell rung.
    pub fn report(&self, me: usize, seq: u64, value: i32) -> bool {
        let w = self.words();
        w.report[me].store(tag(seq) | u64::from(value as u32), SeqCst);
        w.master_asleep[me].swap(0, SeqCst) != 0
    }

    /// Slave `k`'s report on list `seq`, if it is in.
    pub fn report_of(&self, k: usize, seq: u64) -> Option<i32> {
        let r = self.words().report[k].load(SeqCst);
        (r & !0xffff_ffff == tag(seq)).then_some(r as u32 as i32)
    }

    /// The master is about to sleep on slave `k`'s report on `seq`; the
    /// report if it came meanwhile (then it must not sleep).
    pub fn master_sleeps(&self, k: usize, seq: u64) -> Option<i32> {
        self.words().master_asleep[k].store(1, SeqCst);
        let r = self.report_of(k, seq);
        if r.is_some() {
            self.words().master_asleep[k].store(0, SeqCst);
        }
        r
    }

    pub fn master_awake(&self, k: usize) {
        self.words().master_asleep[k].store(0, SeqCst);
    }
}

/// The high word of a report on list `seq`, never 0.
fn tag(seq: u64) -> u64 {
    let t = (seq.wrapping_add(1)) & 0xffff_ffff;
    (if t == 0 { 1 } else { t }) << 32
}

impl Drop for Shared {
    fn drop(&mut self) {
        let len = std::mem::size_of::<Words>();
        // SAFETY: unmaps exactly the mapping made in new(); no reference
        // into it outlives self.
        let _ = unsafe { munmap(self.base.cast(), len) };
    }
}
