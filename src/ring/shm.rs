//! The memory a volume's ring shares between its processes: one mapping,
//! made before the slaves are forked, holding the words that order the
//! ring and, per slot, the runs of the list posted there and the record
//! that list makes.  There are SLAVES slots, or a multiple of SLAVES (see
//! `ring::depth`); slot k belongs to slave k % SLAVES.
//!
//! The master posts a list into a slot: its runs, and its header records
//! straight into their places in the slot's record; the slot's slave reads
//! the list's disk blocks into the rest of the record and marks it ready;
//! whichever slave holds the write lock writes every ready record that
//! comes next on tape, in order, and reports each.  Each area has one
//! writer at a time, handed on by the words: the master writes a slot's
//! runs and record only once the slot's last record is reported (so its
//! slave has read the runs and filled the record, and the record is on
//! tape), the slave fills the record only once a new list is posted, and a
//! writer reads a record only while it is ready and unreported.
//!
//! The words and the slots' runs come first (three slots' runs take 3 KB
//! at -b 64, within the first page), so a process that only orders the
//! ring and reads the disk touches those and its own records.
//!
//! A process that waits for a word and must sleep raises its `asleep` flag
//! and looks again before sleeping; whoever changes the word looks at the
//! flag afterwards and, if it is up, rings the sleeper's doorbell (a byte
//! on its socket).  All of it is sequentially consistent, so one of the two
//! always sees the other.

use std::ptr::NonNull;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering::SeqCst};

use super::{MAX_DEPTH, SLAVES};
use crate::format::TP_BSIZE;
use crate::lists::Req;
use crate::pages::{Mapping, page_size, round_up};

/// The most slots a ring can have.
pub const MAX_SLOTS: usize = SLAVES * MAX_DEPTH;

/// A run in a posted list: dblk and count, native-endian i64 each.
const RUN_BYTES: usize = 16;

/// One slot's words.
#[repr(C)]
struct SlotWords {
    /// Sequence number + 1 of the list last posted (0: none yet).
    posted: AtomicU64,
    /// Sequence number + 1 of the list whose record is ready to go.
    ready: AtomicU64,
    /// tag(seq) | value: what writing the slot's list `seq` gave.
    report: AtomicU64,
    /// Runs in the list posted.
    nruns: AtomicU32,
    /// The slot's slave sleeps until a list is posted.
    asleep: AtomicU32,
}

#[repr(C)]
struct Words {
    /// Sequence number of the next list to go on tape.
    next: AtomicU64,
    /// The write lock: 0, or the holder's slot + 1.
    lock: AtomicU32,
    /// The master sleeps until a report comes.
    master_asleep: AtomicU32,
    slots: [SlotWords; MAX_SLOTS],
}

/// The mapping and where its areas lie.
pub struct Shared {
    map: Mapping,
    ntrec: usize,
    /// The slot of list 0; list n is in slot (first + n) % slots.  Set
    /// before the slaves are forked, so every process has it.
    first: usize,
    /// How many slots: SLAVES times the ring's depth.
    slots: usize,
    /// Offset of slot 0's runs; slot i's are i * runs_len further.
    runs0: usize,
    runs_len: usize,
    /// Offset of slot 0's record (page-aligned); slot i's is i * rec_len
    /// further.
    rec0: usize,
    rec_len: usize,
}

/// Where a cache line surely ends: the runs a slave reads stay off the
/// lines of the words every process writes.
const LINE: usize = 128;

impl Shared {
    /// Map the words and `slots` slots (a multiple of SLAVES, at most
    /// MAX_SLOTS) for lists of `ntrec` records; list 0 goes in `first`.
    pub fn new(first: usize, ntrec: usize, slots: usize) -> nix::Result<Shared> {
        if slots == 0 || slots > MAX_SLOTS || !slots.is_multiple_of(SLAVES) || first >= slots {
            return Err(nix::errno::Errno::EINVAL);
        }
        let page = page_size();
        let too_big = nix::errno::Errno::ENOMEM;
        // `from`, then `n` areas of `each` bytes, rounded up to `align`.
        let after = |from: usize, n: usize, each: usize, align: usize| {
            n.checked_mul(each)
                .and_then(|v| v.checked_add(from))
                .and_then(|v| round_up(v, align))
                .ok_or(too_big)
        };
        let runs0 = after(std::mem::size_of::<Words>(), 0, 0, LINE)?;
        let runs_len = after(0, ntrec, RUN_BYTES, LINE)?;
        let rec0 = after(runs0, slots, runs_len, page)?;
        let rec_len = after(0, ntrec, TP_BSIZE, page)?;
        let len = after(rec0, slots, rec_len, 1)?;
        // Zero-filled: a valid `Words` (atomics of 0) and valid bytes.
        let map = Mapping::new(len, true)?;
        Ok(Shared {
            map,
            ntrec,
            first,
            slots,
            runs0,
            runs_len,
            rec0,
            rec_len,
        })
    }

    /// How many slots the ring has.
    pub fn slots(&self) -> usize {
        self.slots
    }

    fn words(&self) -> &Words {
        // SAFETY: the mapping starts with a `Words` (page-aligned, zero
        // or written only through its atomics, by any of the processes).
        #[allow(unsafe_code)]
        unsafe {
            self.map.base().cast::<Words>().as_ref()
        }
    }

    fn slot(&self, i: usize) -> &SlotWords {
        &self.words().slots[i % self.slots]
    }

    /// Bytes `off..off + len` of the mapping.
    ///
    /// SAFETY: the caller holds that area by the protocol above (no other
    /// process writes it meanwhile) and makes no other reference into it
    /// while this one lives.
    #[allow(clippy::mut_from_ref, unsafe_code)]
    unsafe fn area(&self, off: usize, len: usize) -> &mut [u8] {
        debug_assert!(off + len <= self.map.len());
        let base: NonNull<u8> = self.map.base();
        // SAFETY: inside the mapping (the offsets come from new()); the
        // caller answers for exclusive use.
        unsafe { std::slice::from_raw_parts_mut(base.as_ptr().add(off), len) }
    }

    fn runs_off(&self, i: usize) -> usize {
        self.runs0 + (i % self.slots) * self.runs_len
    }

    fn rec_off(&self, i: usize) -> usize {
        self.rec0 + (i % self.slots) * self.rec_len
    }

    // The master's side.

    /// Post list `seq` into slot `i`: its runs, and its header records
    /// (packed from the start of `headers`, in list order; the rest is not
    /// read) into their places in the slot's record.
    /// True if the slot's slave is asleep and needs its doorbell rung.  The
    /// slot's last list must have been reported.  A list that does not fit
    /// a record, or whose header runs are not one record each with a
    /// header record for every one, is refused (EINVAL) and not posted:
    /// posting part of it would leave the master waiting for a record
    /// nobody makes.
    pub fn post(&self, i: usize, seq: u64, runs: &[Req], headers: &[u8]) -> nix::Result<bool> {
        let n = self.ntrec;
        if runs.len() > n {
            return Err(nix::errno::Errno::EINVAL);
        }
        // SAFETY: the slot's runs and record belong to the master until it
        // posts: its slave read the last runs and filled the record before
        // marking it ready, and the record has since been written and
        // reported.  The two areas are disjoint.
        #[allow(unsafe_code)]
        let (rs, rec) = unsafe {
            (
                self.area(self.runs_off(i), n * RUN_BYTES),
                self.area(self.rec_off(i), n * TP_BSIZE),
            )
        };
        let mut pos = 0usize;
        let mut hs = headers.chunks_exact(TP_BSIZE);
        for (r, out) in runs.iter().zip(rs.chunks_exact_mut(RUN_BYTES)) {
            let count = usize::try_from(r.count).unwrap_or(0);
            if count == 0 || count > n - pos {
                return Err(nix::errno::Errno::EINVAL);
            }
            if r.dblk == 0 {
                match hs.next() {
                    Some(h) if count == 1 => rec[pos * TP_BSIZE..][..TP_BSIZE].copy_from_slice(h),
                    _ => return Err(nix::errno::Errno::EINVAL),
                }
            }
            out[..8].copy_from_slice(&r.dblk.to_ne_bytes());
            out[8..].copy_from_slice(&i64::from(r.count).to_ne_bytes());
            pos += count;
        }
        let s = self.slot(i);
        s.nruns.store(runs.len() as u32, SeqCst);
        s.posted.store(seq + 1, SeqCst);
        Ok(s.asleep.swap(0, SeqCst) != 0)
    }

    /// Slot `i`'s report on list `seq`, if it is in.
    pub fn report_of(&self, i: usize, seq: u64) -> Option<i32> {
        let r = self.slot(i).report.load(SeqCst);
        (r & !0xffff_ffff == tag(seq)).then_some(r as u32 as i32)
    }

    /// The master is about to sleep on slot `i`'s report on `seq`; the
    /// report if it came meanwhile (then it must not sleep).
    pub fn master_sleeps(&self, i: usize, seq: u64) -> Option<i32> {
        self.words().master_asleep.store(1, SeqCst);
        let r = self.report_of(i, seq);
        if r.is_some() {
            self.master_awake();
        }
        r
    }

    pub fn master_awake(&self) {
        self.words().master_asleep.store(0, SeqCst);
    }

    // A slave's side.

    /// What slot `i` was last posted (sequence number + 1).
    pub fn posted(&self, i: usize) -> u64 {
        self.slot(i).posted.load(SeqCst)
    }

    /// Slot `i`'s slave is about to sleep until something other than
    /// `last` is posted; false if it came meanwhile (then it must not).
    pub fn slave_sleeps(&self, i: usize, last: u64) -> bool {
        let s = self.slot(i);
        s.asleep.store(1, SeqCst);
        if s.posted.load(SeqCst) != last {
            s.asleep.store(0, SeqCst);
            return false;
        }
        true
    }

    pub fn slave_awake(&self, i: usize) {
        self.slot(i).asleep.store(0, SeqCst);
    }

    /// Fill slot `i`'s record from its list: `f` gets the runs (dblk,
    /// count) and the record, whose header records the master has put in
    /// place; then the record is ready to go as list `seq`.
    pub fn fill<R>(
        &self,
        i: usize,
        seq: u64,
        f: impl FnOnce(&mut dyn Iterator<Item = (i64, i64)>, &mut [u8]) -> R,
    ) -> R {
        let n = self.ntrec;
        let nruns = (self.slot(i).nruns.load(SeqCst) as usize).min(n);
        // SAFETY: between the post of list `seq` and its ready mark, the
        // slot's runs and record belong to its slave; the areas are
        // disjoint.
        #[allow(unsafe_code)]
        let (rs, rec) = unsafe {
            (
                &*self.area(self.runs_off(i), n * RUN_BYTES),
                self.area(self.rec_off(i), n * TP_BSIZE),
            )
        };
        let mut runs = rs[..nruns * RUN_BYTES].chunks_exact(RUN_BYTES).map(|r| {
            let word = |b: &[u8]| i64::from_ne_bytes(b.try_into().unwrap_or_default());
            (word(&r[..8]), word(&r[8..]))
        });
        let out = f(&mut runs, rec);
        self.slot(i).ready.store(seq + 1, SeqCst);
        out
    }

    /// Take the write lock for slot `me`'s slave; false if another has it.
    pub fn lock(&self, me: usize) -> bool {
        self.words()
            .lock
            .compare_exchange(0, me as u32 + 1, SeqCst, SeqCst)
            .is_ok()
    }

    pub fn unlock(&self) {
        self.words().lock.store(0, SeqCst);
    }

    /// The next list to go on tape and its slot, if its record is ready.
    pub fn next_ready(&self) -> Option<(u64, usize)> {
        let seq = self.words().next.load(SeqCst);
        let i = ((self.first as u64 + seq) % self.slots as u64) as usize;
        (self.slot(i).ready.load(SeqCst) == seq + 1).then_some((seq, i))
    }

    /// With the write lock held and list `seq` ready in slot `i`: `f`
    /// writes its record, and what it returns is the report.  True if the
    /// master sleeps and needs its doorbell rung.
    pub fn write(&self, i: usize, seq: u64, f: impl FnOnce(&[u8]) -> i32) -> bool {
        let n = self.ntrec;
        // SAFETY: a ready, unreported record is only read, and only by
        // the holder of the write lock; its slave waits for a new list.
        #[allow(unsafe_code)]
        let rec = unsafe { &*self.area(self.rec_off(i), n * TP_BSIZE) };
        let value = f(rec);
        let w = self.words();
        self.slot(i)
            .report
            .store(tag(seq) | u64::from(value as u32), SeqCst);
        w.next.store(seq + 1, SeqCst);
        w.master_asleep.swap(0, SeqCst) != 0
    }
}

/// The high word of a report on list `seq`, never 0.
fn tag(seq: u64) -> u64 {
    let t = (seq.wrapping_add(1)) & 0xffff_ffff;
    (if t == 0 { 1 } else { t }) << 32
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One list through a slot, as the master, a slave and a writer see it.
    #[test]
    fn a_list_goes_round() {
        let ntrec = 4;
        let s = Shared::new(2, ntrec, SLAVES).unwrap();
        let runs = [
            Req { dblk: 32, count: 2 },
            Req::HEADER,
            Req { dblk: 40, count: 1 },
        ];
        let header = [7u8; TP_BSIZE];
        // List 0 goes to slot 2 (the first).  Refused: too many records, a
        // header run of two records, a header run without its record.
        let too_many = [Req::HEADER; 5];
        assert!(s.post(2, 0, &too_many, &[0u8; 5 * TP_BSIZE]).is_err());
        let long_header = [Req { dblk: 0, count: 2 }];
        assert!(s.post(2, 0, &long_header, &[0u8; 2 * TP_BSIZE]).is_err());
        assert!(s.post(2, 0, &runs, &[]).is_err());
        assert_eq!(s.posted(2), 0, "a refused list is not posted");
        assert!(!s.post(2, 0, &runs, &header).unwrap());
        assert_eq!(s.posted(2), 1);
        assert!(s.next_ready().is_none());
        s.fill(2, 0, |rs, rec| {
            let got: Vec<_> = rs.collect();
            assert_eq!(got, vec![(32, 2), (0, 1), (40, 1)]);
            // The header is in its place, record 2.
            assert_eq!(&rec[2 * TP_BSIZE..3 * TP_BSIZE], &header[..]);
            rec[..2 * TP_BSIZE].fill(1);
            rec[3 * TP_BSIZE..].fill(2);
        });
        assert_eq!(s.next_ready(), Some((0, 2)));
        assert!(s.lock(0));
        assert!(!s.lock(1), "the write lock has one holder");
        assert!(s.report_of(2, 0).is_none());
        assert!(!s.write(2, 0, |rec| {
            assert_eq!(rec[0], 1);
            assert_eq!(rec[2 * TP_BSIZE], 7);
            assert_eq!(rec[ntrec * TP_BSIZE - 1], 2);
            rec.len() as i32
        }));
        s.unlock();
        assert_eq!(s.report_of(2, 0), Some((ntrec * TP_BSIZE) as i32));
        assert!(s.report_of(2, 1).is_none(), "a report names its list");
        // List 1 goes to slot 0, and is not ready yet.
        assert!(s.next_ready().is_none());
    }

    /// The slots' runs and records do not overlap one another or the words.
    #[test]
    fn slots_are_apart() {
        for (ntrec, slots) in [1usize, 10, 64, 300]
            .into_iter()
            .flat_map(|n| [(n, SLAVES), (n, MAX_SLOTS)])
        {
            let s = Shared::new(0, ntrec, slots).unwrap();
            let mut areas = vec![(0, std::mem::size_of::<Words>())];
            for i in 0..slots {
                areas.push((s.runs_off(i), ntrec * RUN_BYTES));
                areas.push((s.rec_off(i), ntrec * TP_BSIZE));
                assert_eq!(s.rec_off(i) % page_size(), 0);
            }
            areas.sort();
            for w in areas.windows(2) {
                assert!(w[0].0 + w[0].1 <= w[1].0, "{ntrec}: {w:?}");
            }
            let last = areas[areas.len() - 1];
            assert!(last.0 + last.1 <= s.map.len());
        }
    }

    #[test]
    fn a_sleeper_is_rung() {
        let s = Shared::new(0, 1, SLAVES).unwrap();
        assert!(s.slave_sleeps(1, 0));
        assert!(s.post(1, 0, &[Req::HEADER], &[0u8; TP_BSIZE]).unwrap());
        // The flag went down with the ring: no second doorbell.
        assert!(!s.slave_sleeps(1, 0), "list 0 is there: no sleep");
        assert!(s.master_sleeps(0, 0).is_none());
        s.fill(0, 0, |_, _| ());
        assert!(s.write(0, 0, |_| 1), "the master sleeps: ring it");
        assert_eq!(s.master_sleeps(0, 0), Some(1));
    }

    /// A deeper ring: lists go round all the slots in turn, from `first`.
    #[test]
    fn lists_go_round_every_slot() {
        assert!(
            Shared::new(0, 1, SLAVES + 1).is_err(),
            "not a multiple of SLAVES"
        );
        assert!(
            Shared::new(MAX_SLOTS, 1, MAX_SLOTS).is_err(),
            "no such first slot"
        );
        let s = Shared::new(4, 1, MAX_SLOTS).unwrap();
        let hdr = [0u8; TP_BSIZE];
        for seq in 0..2 * MAX_SLOTS as u64 {
            let k = ((4 + seq) % MAX_SLOTS as u64) as usize;
            assert!(s.next_ready().is_none());
            s.post(k, seq, &[Req::HEADER], &hdr).unwrap();
            s.fill(k, seq, |_, _| ());
            assert_eq!(s.next_ready(), Some((seq, k)));
            assert!(s.lock(k % SLAVES));
            s.write(k, seq, |_| 7);
            s.unlock();
            assert_eq!(s.report_of(k, seq), Some(7));
        }
    }
}
