//! Request lists and the records a list carries.
//!
//! A list describes one tape block's worth (`ntrec` TP_BSIZE records) of
//! the dump: entry k says what goes at record k, either a run of `count`
//! records read from the disk at sector `dblk`, or (dblk 0, count 1) a
//! header record that the master supplies.  Entries are indexed by record
//! position, so a run of n covers entries k..k+n and only entry k is
//! meaningful; one spare entry holds the count-0 sentinel that ends a list.

use crate::format::TP_BSIZE;
use crate::pages::Mapping;

/// One request: a run of disk records, or a header record (tape.c's
/// `struct req`, with 64-bit sector numbers).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Req {
    pub dblk: i64,
    pub count: i32,
}

impl Req {
    pub const HEADER: Req = Req { dblk: 0, count: 1 };
}

/// A page-aligned buffer of records in a mapping of its own, so that its
/// size is exactly what the blocking factor asks, and pages never written
/// are never made: a list's header records are mostly unused, and every
/// slave and checkpoint inherits them.
pub struct Records {
    pages: Option<Mapping>,
}

impl Records {
    pub const fn empty() -> Records {
        Records { pages: None }
    }

    /// `n` zeroed records, or None when the memory cannot be had.
    pub fn new(n: usize) -> Option<Records> {
        let len = n.checked_mul(TP_BSIZE)?;
        Some(Records {
            pages: Some(Mapping::new(len, false).ok()?),
        })
    }

    pub fn bytes(&self) -> &[u8] {
        self.pages.as_ref().map_or(&[], |p| p.bytes())
    }

    pub fn bytes_mut(&mut self) -> &mut [u8] {
        self.pages.as_mut().map_or(&mut [], |p| p.bytes_mut())
    }

    pub fn record(&self, i: usize) -> &[u8] {
        &self.bytes()[i * TP_BSIZE..(i + 1) * TP_BSIZE]
    }

    pub fn record_mut(&mut self, i: usize) -> &mut [u8] {
        &mut self.bytes_mut()[i * TP_BSIZE..(i + 1) * TP_BSIZE]
    }

    /// Copy `src` (a record) over record `to`.
    pub fn copy_record(&mut self, to: usize, src: &[u8]) {
        self.record_mut(to).copy_from_slice(src);
    }

    /// Copy record `from` over record `to`.
    pub fn move_record(&mut self, from: usize, to: usize) {
        self.bytes_mut()
            .copy_within(from * TP_BSIZE..(from + 1) * TP_BSIZE, to * TP_BSIZE);
    }
}

/// One list: its requests and, packed from record 0 on, the header records
/// it carries (disk records are read by the slave, not stored).
/// `spcl[k]` says whether the record at k is a header proper (writerec's
/// isspcl) rather than a map or symlink record that only travels like one.
pub struct List {
    pub reqs: Vec<Req>,
    pub spcl: Vec<bool>,
    pub headers: Records,
}

impl List {
    pub const fn empty() -> List {
        List {
            reqs: Vec::new(),
            spcl: Vec::new(),
            headers: Records::empty(),
        }
    }

    pub fn new(ntrec: usize) -> Option<List> {
        let mut reqs = Vec::new();
        reqs.try_reserve_exact(ntrec + 1).ok()?;
        reqs.resize(ntrec + 1, Req::default());
        let mut spcl = Vec::new();
        spcl.try_reserve_exact(ntrec + 1).ok()?;
        spcl.resize(ntrec + 1, false);
        Some(List {
            reqs,
            spcl,
            // One record more than a list holds: a replayed list has its
            // carried record and its own before the last moves on.
            headers: Records::new(ntrec + 1)?,
        })
    }

    /// Copy all of `other` (a list for the same ntrec) over this one.
    pub fn copy_from(&mut self, other: &List) {
        self.reqs.copy_from_slice(&other.reqs);
        self.spcl.copy_from_slice(&other.spcl);
        self.headers
            .bytes_mut()
            .copy_from_slice(other.headers.bytes());
    }

    /// Records from position 0 up to the first header proper among the
    /// first `len`, or None when there is none.
    pub fn leading_data(&self, len: usize) -> Option<usize> {
        let mut k = 0usize;
        while k < len {
            let r = self.reqs[k];
            if r.count <= 0 {
                return None;
            }
            if r.dblk == 0 && self.spcl[k] {
                return Some(k);
            }
            k += r.count as usize;
        }
        None
    }

    /// The runs of a list in order, into `out`; false when they do not add
    /// up to exactly `ntrec` records.  (Once per tape block: `out` is
    /// reused, not allocated.)
    pub fn runs(&self, ntrec: usize, out: &mut Vec<Req>) -> bool {
        out.clear();
        let mut k = 0usize;
        while k < ntrec {
            let Some(&r) = self.reqs.get(k) else {
                return false;
            };
            if r.count <= 0 || (r.dblk == 0 && r.count != 1) {
                return false;
            }
            out.push(r);
            k += r.count as usize;
        }
        k == ntrec
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pages::page_size;

    #[test]
    fn records_are_aligned_and_inside() {
        for n in [1usize, 2, 10, 64, 1000] {
            let mut r = Records::new(n).unwrap();
            let p = r.bytes().as_ptr() as usize;
            assert_eq!(p % page_size(), 0);
            assert_eq!(r.bytes().len(), n * TP_BSIZE);
            r.record_mut(n - 1)[TP_BSIZE - 1] = 7;
            r.move_record(n - 1, 0);
            assert_eq!(r.record(0)[TP_BSIZE - 1], 7);
        }
    }

    #[test]
    fn runs_must_cover_the_list() {
        let mut l = List::new(4).unwrap();
        l.reqs[0] = Req::HEADER;
        l.reqs[1] = Req { dblk: 16, count: 3 };
        let mut runs = Vec::new();
        assert!(l.runs(4, &mut runs));
        assert_eq!(runs.len(), 2);
        l.reqs[1].count = 2;
        l.reqs[3] = Req { dblk: 0, count: 0 };
        assert!(!l.runs(4, &mut runs));
    }

    #[test]
    fn leading_data_stops_at_a_header_proper() {
        let mut l = List::new(6).unwrap();
        l.reqs[0] = Req { dblk: 8, count: 2 };
        l.reqs[2] = Req::HEADER; // a map record, not a header proper
        l.reqs[3] = Req::HEADER;
        l.spcl[3] = true;
        l.reqs[4] = Req { dblk: 0, count: 0 };
        assert_eq!(l.leading_data(6), Some(3));
        assert_eq!(l.leading_data(3), None);
        let mut m = List::new(6).unwrap();
        m.copy_from(&l);
        assert_eq!(m.leading_data(6), Some(3));
    }
}
