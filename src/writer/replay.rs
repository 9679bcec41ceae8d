//! The end of the medium: the lists that were in flight when it came
//! never made it to the volume just closed, and go onto the next one
//! behind its header (tape.c's rollforward, corrected).
//!
//! Each replayed list moves up one record to make room for the volume
//! header, so each gives its last record to the next list, and the last
//! one's last record opens the list being filled.  The lists are rebuilt
//! one at a time in the spare list and sent from there.

use super::{SPARE, TapeWriter};
use crate::format::{DEV_BSIZE, Field, TP_BSIZE};
use crate::host::Host;
use crate::lists::Req;

/// The records already in the list being filled when it is not one of
/// those replayed: they go back in behind the carried record.
pub(super) struct Kept {
    reqs: Vec<Req>,
    spcl: Vec<bool>,
    headers: Vec<u8>,
}

impl<H: Host> TapeWriter<H> {
    /// Replay the `m` lists from slot `failed` on onto the next volume,
    /// the list being filled holding `kept` records already.
    ///
    /// With all the lists and nothing kept this is rollforward as the
    /// corrected tape.c has it: the carried header record goes along, the
    /// volume's first record counts the replayed lists, and the volume
    /// header leaves the header in progress alone while the list that
    /// starts with the carried record is described afresh.  Fewer lists
    /// come from an end of medium met while a volume is being closed.
    pub(crate) fn replay(&self, failed: usize, m: usize, kept: usize) {
        self.note_progress(failed);
        if self.info(failed).firstrec == self.volume_firstrec.get() {
            return self.resend(failed, m);
        }
        let n = self.nlists();
        let cur = (failed + m) % n;
        let saved = (kept > 0 && m < n).then(|| self.keep(cur, kept));
        let first_firstrec = self.info(failed).firstrec;
        self.slp.set(failed);
        // Next free header record in the spare list: 0 is the volume
        // header's.
        let mut ntb = 1;
        for i in 0..m {
            let s = self.slp.get();
            let last = self.shift_into_spare(s, &mut ntb);
            if i == 0 {
                {
                    let mut dst = self.list_mut(SPARE);
                    dst.reqs[0] = Req::HEADER;
                    dst.spcl[0] = true;
                }
                self.new_volume_header(s);
            }
            self.send_list(s, SPARE);
            self.became_what_was_sent(s, i > 0);
            self.slp.set((s + 1) % n);
            ntb = self.carry(last, ntb);
        }
        self.open_with_carried(cur, saved);
        // The first replayed list, behind the volume header, must fit.
        if self.info(failed).sent && self.collect(failed) != self.writesize.get() {
            self.host.quit(b"EOT detected at start of the tape!\n");
        }
        self.describe_afresh(cur, first_firstrec + (m * self.ntrec.get()) as i64);
        // A full list (at -b 1, or with the kept records) goes out now;
        // from inside the volume header it could not.
        if self.trecno.get() >= self.ntrec.get() {
            self.flushtape();
        }
    }

    /// Slot `s`'s list and its description become what was just sent for
    /// it from the spare list: if the next volume ends too before this
    /// list is on it, the next replay must move these records, not those
    /// the list held before it moved one record on.  With `carried`, the
    /// list now starts with the record carried from the list before it,
    /// one header number earlier; otherwise with the volume header, which
    /// takes no header number, and the list is described as it was.
    fn became_what_was_sent(&self, s: usize, carried: bool) {
        {
            let spare = self.list(SPARE);
            self.list_mut(s).copy_from(&spare);
        }
        if carried {
            let ntrec = self.ntrec.get();
            let leading = self.list(s).leading_data(ntrec);
            self.update(s, |i| {
                i.tapea -= 1;
                i.count = match leading {
                    Some(n) => n as i64,
                    // No header proper in the list: one more data record
                    // comes before the next header than came before.
                    None => i.count + 1,
                };
            });
        }
    }

    /// A medium that takes no record of the dump besides its volume header
    /// (at -b 1, one record; at any -b, less than one tape block) would
    /// have the same list cut short on every volume for ever: after three
    /// such volumes in a row, give up as tape.c does when the first tape
    /// block does not fit.
    fn note_progress(&self, failed: usize) {
        let tapea = self.info(failed).tapea;
        let (last, times) = self.last_cut.get();
        let times = if tapea == last { times + 1 } else { 0 };
        self.last_cut.set((tapea, times));
        if times >= 2 {
            self.host.quit(b"EOT detected at start of the tape!\n");
        }
    }

    /// What list `cur` holds before the replay: its first `kept` records.
    pub(super) fn keep(&self, cur: usize, kept: usize) -> Kept {
        let l = self.list(cur);
        let nhdr = self.nextblock.get().1;
        Kept {
            reqs: l.reqs[..kept].to_vec(),
            spcl: l.spcl[..kept].to_vec(),
            headers: l.headers.bytes()[..nhdr * TP_BSIZE].to_vec(),
        }
    }

    /// Copy list `s` one record on into the spare list, its header records
    /// from `*ntb` on; its last record is to move on to the next list, so
    /// it is left out of this one.  Returns that record's place.
    pub(super) fn shift_into_spare(&self, s: usize, ntb: &mut usize) -> usize {
        let ntrec = self.ntrec.get();
        let src = self.list(s);
        let mut dst = self.list_mut(SPARE);
        let (mut p, mut q, mut otb) = (0usize, 1usize, 0usize);
        let mut last = None;
        while p < ntrec && q <= ntrec && src.reqs[p].count > 0 {
            let r = src.reqs[p];
            dst.reqs[q] = r;
            dst.spcl[q] = src.spcl[p];
            if r.dblk == 0 {
                if *ntb > ntrec || otb >= ntrec {
                    break;
                }
                dst.headers.copy_record(*ntb, src.headers.record(otb));
                *ntb += 1;
                otb += 1;
            }
            last = Some(q);
            q += r.count as usize;
            p += r.count as usize;
        }
        let Some(last) = last else {
            drop((src, dst));
            self.host.quit(b"rollforward: protocol botch\n")
        };
        if dst.reqs[last].dblk != 0 {
            dst.reqs[last].count -= 1;
        } else {
            *ntb -= 1;
        }
        let end = (q - 1).min(ntrec);
        dst.reqs[end].count = 0;
        last
    }

    /// The record at `last` of the list just sent opens the next one (in
    /// place 0 of the spare list).  Returns the next free header record.
    pub(super) fn carry(&self, last: usize, ntb: usize) -> usize {
        let mut dst = self.list_mut(SPARE);
        let r = dst.reqs[last];
        if r.dblk != 0 {
            // The run's last record.
            let sectors = (TP_BSIZE / DEV_BSIZE) as i64;
            dst.reqs[0] = Req {
                dblk: r.dblk + i64::from(r.count) * sectors,
                count: 1,
            };
            dst.spcl[0] = false;
            0
        } else {
            dst.reqs[0] = Req::HEADER;
            dst.spcl[0] = dst.spcl[last];
            dst.headers.move_record(ntb, 0);
            1
        }
    }

    /// The carried record opens list `cur`, ahead of what it kept.
    pub(super) fn open_with_carried(&self, cur: usize, saved: Option<Kept>) {
        let spare = self.list(SPARE);
        let carried = spare.reqs[0];
        let mut l = self.list_mut(cur);
        l.reqs[0] = carried;
        l.spcl[0] = spare.spcl[0];
        let mut nhdr = 0;
        if carried.dblk == 0 {
            l.headers.copy_record(0, spare.headers.record(0));
            nhdr = 1;
        }
        let mut k = 1;
        if let Some(kept) = saved {
            // Runs keep their positions, one record on.
            let mut j = 0;
            while j < kept.reqs.len() && kept.reqs[j].count > 0 {
                let r = kept.reqs[j];
                l.reqs[k] = r;
                l.spcl[k] = kept.spcl[j];
                k += r.count as usize;
                j += r.count as usize;
            }
            let n = kept.headers.len() / TP_BSIZE;
            l.headers.bytes_mut()[nhdr * TP_BSIZE..(nhdr + n) * TP_BSIZE]
                .copy_from_slice(&kept.headers);
            nhdr += n;
        }
        self.nextblock.set((cur, nhdr));
        self.trecno.set(k);
    }

    /// List `cur`, which now starts with the carried record, described
    /// anew: where it starts in the dump and how many of its records come
    /// before the next header.
    fn describe_afresh(&self, cur: usize, firstrec: i64) {
        let kept = self.trecno.get() - 1;
        let tapea = self.host.header(Field::Tapea) - 1 - kept as i64;
        let count = match self.list(cur).leading_data(kept + 1) {
            Some(n) => n as i64,
            None => self.records_to_next_header(tapea),
        };
        self.describe(cur, firstrec, tapea, count);
    }

    /// The medium ended before the volume took one whole tape block: the
    /// lists in flight begin with that volume's own TS_TAPE header.  tape.c
    /// replayed it behind the next volume's header, where restore meets a
    /// volume header in mid-stream and gives up.  Here the new header takes
    /// the old one's place and the lists go out again as they were:
    /// nothing moves, nothing is carried.
    fn resend(&self, failed: usize, m: usize) {
        let n = self.nlists();
        {
            let src = self.list(failed);
            self.list_mut(SPARE).copy_from(&src);
        }
        let (trecno, nextblock) = (self.trecno.get(), self.nextblock.get());
        self.slp.set(failed);
        self.new_volume_header(failed);
        for i in 0..m {
            let s = (failed + i) % n;
            self.send_list(s, if i == 0 { SPARE } else { s });
        }
        let cur = (failed + m) % n;
        self.slp.set(cur);
        if self.info(failed).sent && self.collect(failed) != self.writesize.get() {
            self.host.quit(b"EOT detected at start of the tape!\n");
        }
        if m == n {
            // The list being filled was the first to go again: start
            // afresh, as flushtape would have.
            let tapea = self.host.header(Field::Tapea);
            let count = self.records_to_next_header(tapea);
            let firstrec = self.info(failed).firstrec + (m * self.ntrec.get()) as i64;
            self.describe(cur, firstrec, tapea, count);
            self.trecno.set(0);
            self.nextblock.set((cur, 0));
        } else {
            self.trecno.set(trecno);
            self.nextblock.set(nextblock);
        }
    }

    /// Open the next volume in the middle of a replay, its TS_TAPE header
    /// going into record 0 of the spare list and numbered as the first
    /// record of slot `s`'s list.  The header in progress (spcl,
    /// lastspclrec) is left as it was but for the volume's number and
    /// first record.
    fn new_volume_header(&self, s: usize) {
        self.trecno.set(0);
        self.nextblock.set((SPARE, 0));
        let saved = self.host.save_header();
        let saved_last = self.lastspclrec.get();
        self.host.set_header(Field::Tapea, self.info(s).tapea);
        self.rolling.set(true);
        self.startnewtape(false);
        self.rolling.set(false);
        let volume = self.host.header(Field::Volume);
        let firstrec = self.host.header(Field::Firstrec);
        self.host.restore_header(&saved);
        self.host.set_header(Field::Volume, volume);
        self.host.set_header(Field::Firstrec, firstrec);
        self.lastspclrec.set(saved_last);
    }
}
