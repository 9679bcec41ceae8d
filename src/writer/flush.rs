//! Full lists go to the ring, and the ring's reports come back: tape.c's
//! flushtape, and the master's side of the ring's protocol.

use std::os::fd::AsFd;

use nix::errno::Errno;

use super::TapeWriter;
use crate::format::{Field, TP_NINDIR, TS_BITS, TS_CLRI, TS_END};
use crate::host::{Flavour, Host};
use crate::ring::Outcome;
use crate::signals;

impl<H: Host> TapeWriter<H> {
    /// Data records the header in progress announces.  For an inode's
    /// header, its c_addr entries that are set, never looking past c_addr.
    /// A map (TS_CLRI, TS_BITS) is followed by all of its c_count records:
    /// tape.c counted the c_addr left over from the header before, so a
    /// volume that began inside a map said it owed the wrong number of
    /// records (restore skips that many entering the volume).  Today's
    /// FreeBSD counts nothing for a map, and is followed in that.
    pub(crate) fn announced_blocks(&self) -> i64 {
        let count = self.host.header(Field::Count);
        match self.host.header(Field::Type) as i32 {
            TS_END => 0,
            TS_CLRI | TS_BITS if self.host.flavour() == Flavour::FreeBsd => 0,
            TS_CLRI | TS_BITS => count.max(0),
            _ => {
                let n = count.clamp(0, TP_NINDIR as i64) as usize;
                (0..n).filter(|&i| self.host.header_addr(i) != 0).count() as i64
            }
        }
    }

    /// Records from c_tapea `tapea` to the header after the current one.
    pub(crate) fn records_to_next_header(&self, tapea: i64) -> i64 {
        self.lastspclrec.get() + self.announced_blocks() + 1 - tapea
    }

    /// Hand list `from` to the slave of slot `s`.
    pub(crate) fn send_list(&self, s: usize, from: usize) {
        let ntrec = self.ntrec.get();
        let res = {
            let mut runs = self
                .runs
                .try_borrow_mut()
                .unwrap_or_else(|_| self.reentered());
            let list = self.list(from);
            if !list.runs(ntrec, &mut runs) {
                drop((list, runs));
                self.botched()
            }
            match self.ring_mut().as_mut() {
                Some(r) => r.send(s, &runs, list.headers.bytes()),
                None => Err(Errno::EBADF),
            }
        };
        if let Err(e) = res {
            self.pending();
            self.host.quit(
                format!(
                    "error writing command pipe: {}\n",
                    crate::process::strerror(e)
                )
                .as_bytes(),
            );
        }
        self.update(s, |i| i.sent = true);
    }

    pub(crate) fn botched(&self) -> ! {
        self.host
            .quit(format!("master/{} protocol botched.\n", self.word()).as_bytes())
    }

    /// Take back slot `s`'s report on its last list: bytes written.
    pub(crate) fn collect(&self, s: usize) -> usize {
        loop {
            let outcome = {
                let lifeline = self
                    .lifeline
                    .try_borrow()
                    .unwrap_or_else(|_| self.reentered());
                let alive = lifeline.as_ref().map(|l| l.alive.as_fd());
                match self.ring_mut().as_mut() {
                    Some(r) => r.collect(s, alive),
                    None => Outcome::Gone(Some(Errno::EBADF)),
                }
            };
            match outcome {
                Outcome::Wrote(n) => {
                    self.update(s, |i| i.sent = false);
                    return usize::try_from(n).unwrap_or(0);
                }
                Outcome::Signalled => self.pending(),
                Outcome::Orphaned => self.dumpabort(),
                Outcome::WriteFailed => {
                    signals::take();
                    self.tperror();
                }
                Outcome::Gone(e) => {
                    // A slave that aborted told the master first (SIGTERM).
                    self.pending();
                    let why = match e {
                        Some(e) => crate::process::strerror(e),
                        None => format!("{} exited", self.word()),
                    };
                    self.host
                        .msg(format!("error reading command pipe in master: {why}\n").as_bytes());
                    self.dumpabort();
                }
            }
        }
    }

    /// Take back every outstanding report, whatever it says (the lists
    /// are about to be replayed).
    pub(crate) fn drain(&self) {
        for s in 0..self.nlists() {
            if self.info(s).sent {
                self.collect(s);
            }
        }
    }

    /// The lists handed out but not yet reported, oldest first, and what
    /// each wrote: the first short one and how many lists from it on were
    /// in flight.
    pub(crate) fn drain_in_order(&self) -> Option<(usize, usize)> {
        let cur = self.slp.get();
        let n = self.nlists();
        let mut short = None;
        for k in 1..=n {
            let s = (cur + k) % n;
            if self.info(s).sent {
                let got = self.collect(s);
                if got != self.writesize.get() && short.is_none() {
                    short = Some(s);
                }
            }
        }
        short.map(|failed| (failed, (cur + n - failed - 1) % n + 1))
    }

    /// List `s` starts at record `firstrec` of the dump with header number
    /// `tapea`, `count` records before the next header, in the inode
    /// being dumped now.
    pub(crate) fn describe(&self, s: usize, firstrec: i64, tapea: i64, count: i64) {
        let inode = self.host.curino();
        self.update(s, |i| {
            i.firstrec = firstrec;
            i.tapea = tapea;
            i.inode = inode;
            i.count = count;
        });
    }

    /// Whether everything restore reads, up to the dump's first TS_END,
    /// came before list `s`, the first one the medium cut short: what is
    /// lost with it is trailer, and the set is whole without it.
    pub(crate) fn whole_before(&self, s: usize) -> bool {
        self.first_end
            .get()
            .is_some_and(|end| self.info(s).tapea > end)
    }

    /// The set is whole on the volumes written: close this one and take
    /// no more records.  Replaying the trailer instead, with more trailer
    /// to fill its last tape block, need never end on a medium shorter
    /// than the ring.
    pub(crate) fn finish_on_this_volume(&self) {
        self.complete.set(true);
        self.close_volume();
        self.trecno.set(0);
        self.nextblock.set((self.slp.get(), 0));
    }

    /// The current list is full: hand it over, take the oldest report
    /// back, and start the next list (tape.c's flushtape).
    pub(crate) fn flushtape(&self) {
        let ntrec = self.ntrec.get();
        let s = self.slp.get();
        if self.nextblock.get().0 != s {
            self.botched();
        }
        {
            let mut list = self.list_mut(s);
            let k = self.trecno.get().min(ntrec);
            list.reqs[k].count = 0;
        }
        // A master that never has to wait would never see its lifeline
        // close: look now and then (a wait watches it anyway).
        let flushes = self.flushes.get().wrapping_add(1);
        self.flushes.set(flushes);
        if flushes.is_multiple_of(64) {
            self.check_lifeline();
        }
        self.send_list(s, s);
        let lastfirstrec = self.info(s).firstrec;
        let n = self.nlists();
        let s = (s + 1) % n;
        self.slp.set(s);
        if self.info(s).sent {
            let got = self.collect(s);
            if got < self.writesize.get() {
                self.host.msg(b"End of tape detected\n");
                self.drain();
                if self.whole_before(s) {
                    self.finish_on_this_volume();
                    return;
                }
                self.close_and_change();
                self.replay(s, n, 0);
                return;
            }
        }
        let tapea = self.host.header(Field::Tapea);
        let count = self.records_to_next_header(tapea);
        self.describe(s, lastfirstrec + ntrec as i64, tapea, count);
        self.nextblock.set((s, 0));
        self.trecno.set(0);
        self.host.set_asize(self.host.asize() + self.tenths.get());
        self.host
            .set_blockswritten(self.host.blockswritten() + ntrec as i64);
        self.blocksthisvol
            .set(self.blocksthisvol.get() + ntrec as i64);
        if self.full() && !self.close_and_change() {
            self.startnewtape(false);
        }
        self.host.timeest();
    }
}
