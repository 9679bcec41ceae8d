//! The master's side of the tape: gathering records into lists, handing
//! full lists to the ring, and carrying the lists in flight over to the next
//! volume when the medium ends (tape.c's writerec, dumpblock, flushtape and
//! rollforward, here `replay`).
//!
//! All state sits in cells: dump's writeheader() calls back into writerec
//! while startnewtape is running, so no part of it may be borrowed across a
//! call into the rest of dump.

use std::cell::{Cell, RefCell};
use std::os::fd::AsFd;

use crate::buffers::{List, Req};
use crate::dump::{self, DEV_BSIZE, TP_BSIZE, TP_NINDIR, TS_BITS, TS_CLRI, TS_END, field, spcl};
use crate::ring::{Outcome, Ring, SLAVES};
use crate::shm::MAX_SLOTS;
use crate::signals;
use crate::volume;

/// What tape.c keeps per slave about the list it was handed (`struct
/// slave`, less the buffers and the process), here per list: a slave may
/// have two lists posted (see `ring::depth`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ListInfo {
    /// Header number (c_tapea) at the start of the list.
    pub tapea: i32,
    /// Records from the start of the list to the next header.
    pub count: i32,
    pub inode: i32,
    /// The list was handed over and its report not yet read.
    pub sent: bool,
    /// Record number of the list's first record in the whole dump.
    pub firstrec: i32,
}

impl ListInfo {
    const ZERO: ListInfo = ListInfo {
        tapea: 0,
        count: 0,
        inode: 0,
        sent: false,
        firstrec: 0,
    };
}

/// A slave process of the current volume: its pid and the master's end of
/// its socket (pid 0 when there is none).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Proc {
    pub pid: i32,
    pub fd: i32,
}

/// The most lists in flight, and where the replay's spare list is kept.
pub const MAX_LISTS: usize = MAX_SLOTS;
pub const SPARE: usize = MAX_LISTS;

/// Everything the tape writer remembers between calls.
pub struct Tape {
    pub ntrec: Cell<usize>,
    pub writesize: Cell<i32>,
    pub reqsiz: Cell<i32>,
    pub tenths: Cell<i32>,
    /// Next record of the current list.
    pub trecno: Cell<usize>,
    /// c_tapea of the last header record written.
    pub lastspclrec: Cell<i64>,
    pub blocksthisvol: Cell<i64>,
    /// Index of the list being filled.
    pub slp: Cell<usize>,
    /// Lists that go round the ring: SLAVES, or more where the output
    /// cannot end; 0 until the first volume opens and settles it for the
    /// rest of the dump.
    pub nlists: Cell<usize>,
    /// Where the next header record goes: (list, record).
    pub nextblock: Cell<(usize, usize)>,
    /// In a slave: the master's pid; 0 elsewhere.
    pub master: Cell<i32>,
    /// Set on a write error: the next volume change asks no questions.
    pub nogripe: Cell<bool>,
    /// Rest of the output list ("a,b,c"), into dump's string.
    pub nexttape: Cell<*mut libc::c_char>,
    /// Inside a replay: the volume header must not flush a list.
    pub rolling: Cell<bool>,
    pub list_info: [Cell<ListInfo>; MAX_LISTS + 1],
    pub procs: [Cell<Proc>; SLAVES],
    /// The lists; the last (SPARE) is the replay's.
    pub lists: [RefCell<List>; MAX_LISTS + 1],
    /// The runs of the list being handed over (kept, not reallocated).
    pub runs: RefCell<Vec<Req>>,
    pub ring: RefCell<Option<Ring>>,
    /// Tells every process of the dump when the top-level one is gone.
    pub lifeline: RefCell<Option<volume::Lifeline>>,
    /// c_firstrec of the volume being written: a list that starts there
    /// starts with the volume's own TS_TAPE header.
    pub volume_firstrec: Cell<i32>,
    /// Lists flushed, for occasional checks.
    pub flushes: Cell<u32>,
    /// In a checkpoint process: the child writing the volume.
    pub checkpoint_child: Cell<i32>,
    /// This process writes a volume: it was forked by startnewtape, and
    /// its checkpoint writes the volume again when it exits X_REWRITE.
    pub volume_process: Cell<bool>,
    /// The volume's output is open (tapefd, or the remote tape).
    pub output_open: Cell<bool>,
}

impl Tape {
    pub const fn new() -> Tape {
        Tape {
            ntrec: Cell::new(0),
            writesize: Cell::new(0),
            reqsiz: Cell::new(0),
            tenths: Cell::new(0),
            trecno: Cell::new(0),
            lastspclrec: Cell::new(-1),
            blocksthisvol: Cell::new(0),
            slp: Cell::new(0),
            nlists: Cell::new(0),
            nextblock: Cell::new((0, 0)),
            master: Cell::new(0),
            nogripe: Cell::new(false),
            nexttape: Cell::new(std::ptr::null_mut()),
            rolling: Cell::new(false),
            list_info: [const { Cell::new(ListInfo::ZERO) }; MAX_LISTS + 1],
            procs: [const { Cell::new(Proc { pid: 0, fd: 0 }) }; SLAVES],
            lists: [const { RefCell::new(List::empty()) }; MAX_LISTS + 1],
            runs: RefCell::new(Vec::new()),
            ring: RefCell::new(None),
            lifeline: RefCell::new(None),
            volume_firstrec: Cell::new(0),
            flushes: Cell::new(0),
            checkpoint_child: Cell::new(0),
            volume_process: Cell::new(false),
            output_open: Cell::new(false),
        }
    }

    pub fn info(&self, i: usize) -> ListInfo {
        self.list_info[i].get()
    }

    pub fn update(&self, i: usize, f: impl FnOnce(&mut ListInfo)) {
        let mut s = self.list_info[i].get();
        f(&mut s);
        self.list_info[i].set(s);
    }

    /// No list is in flight any more (its slaves are gone or not yet
    /// forked): no report is awaited.
    pub fn forget_sent(&self) {
        for i in 0..self.nlists() {
            self.update(i, |s| s.sent = false);
        }
    }

    /// Lists that go round the ring (SLAVES until the first volume opens).
    pub fn nlists(&self) -> usize {
        match self.nlists.get() {
            0 => SLAVES,
            n => n,
        }
    }
}

impl Default for Tape {
    fn default() -> Self {
        Tape::new()
    }
}

/// The largest blocking factor the library takes: 64 MiB records, far
/// beyond any drive's block size (FreeBSD's dump stops -b at 1000), while
/// the seven lists and the ring's records stay within reason.
const MAX_NTREC: i64 = 65536;

/// Set up the buffers for dump's `ntrec`.  False when the memory cannot
/// be had; a blocking factor that makes no sense is refused with quit().
pub fn alloctape(t: &Tape) -> bool {
    let n = i64::from(dump::ntrec_get());
    if n <= 0 {
        dump::quit(format!("bad blocking factor {n}: it must be at least 1\n"));
    }
    if n > MAX_NTREC {
        return false;
    }
    let ntrec = n as usize;
    let writesize = ntrec * TP_BSIZE;
    t.ntrec.set(ntrec);
    t.writesize.set(writesize as i32);
    t.reqsiz
        .set(((ntrec + 1) * std::mem::size_of::<Req>()) as i32);
    // Tape used per record, in tenths of an inch: the record at the
    // density, plus the inter-record gap (cartridges, 6250 bpi streaming,
    // and 1600 bpi start/stop drives differ).
    if dump::blocksperfile_get() == 0 && dump::unlimited_get() == 0 {
        let density = dump::density_get();
        if density <= 0 {
            dump::quit(format!("bad density {density}\n"));
        }
        let gap = if dump::cartridge_get() != 0 {
            16
        } else if density == 625 {
            5
        } else {
            8
        };
        t.tenths.set(writesize as i32 / density + gap);
    }
    for l in &t.lists {
        let Some(list) = List::new(ntrec) else {
            return false;
        };
        *l.borrow_mut() = list;
    }
    t.slp.set(0);
    // A new dump settles its ring's depth again when its first volume
    // opens (a ring still running keeps the one it has).
    if t.ring.borrow().is_none() {
        t.nlists.set(0);
    }
    t.update(0, |s| {
        s.count = 1;
        s.tapea = 0;
        s.firstrec = 0;
    });
    t.nextblock.set((0, 0));
    true
}

/// Append one header or map record to the current list.
pub fn writerec(t: &Tape, rec: &[u8; TP_BSIZE], isspcl: bool) {
    pending(t);
    let s = t.slp.get();
    let k = t.trecno.get();
    let (nl, nr) = t.nextblock.get();
    if k >= t.ntrec.get() || nr >= t.ntrec.get() {
        dump::quit("writerec: no tape buffers (alloctape not called?)\n");
    }
    {
        let mut cur = t.lists[s].borrow_mut();
        cur.reqs[k] = Req::HEADER;
        cur.spcl[k] = isspcl;
    }
    t.lists[nl].borrow_mut().headers.copy_record(nr, rec);
    t.nextblock.set((nl, nr + 1));
    if isspcl {
        t.lastspclrec.set(i64::from(spcl::get(field::C_TAPEA)));
    }
    t.trecno.set(k + 1);
    spcl::set(field::C_TAPEA, spcl::get(field::C_TAPEA).wrapping_add(1));
    if k + 1 >= t.ntrec.get() && !t.rolling.get() {
        flushtape(t);
    }
}

/// Append `size` bytes of file-system blocks starting at fragment `blkno`.
pub fn dumpblock(t: &Tape, blkno: i64, size: i32) {
    pending(t);
    if size < 0 || !(size as usize).is_multiple_of(TP_BSIZE) {
        dump::quit(format!(
            "dumpblock: size {size} is not a multiple of {TP_BSIZE}\n"
        ));
    }
    let ntrec = t.ntrec.get();
    if ntrec == 0 {
        dump::quit("dumpblock: no tape buffers (alloctape not called?)\n");
    }
    let tp_shift = dump::tp_bshift_get();
    let dev_shift = dump::dev_bshift_get();
    let mut dblk: i64 = blkno << dump::fsbtodb_shift();
    let mut tpblks = (size >> tp_shift) as usize;
    loop {
        let avail = tpblks.min(ntrec - t.trecno.get());
        if avail == 0 {
            break;
        }
        let k = t.trecno.get();
        t.lists[t.slp.get()].borrow_mut().reqs[k] = Req {
            dblk: dblk as dump::daddr_t,
            count: avail as i32,
        };
        t.trecno.set(k + avail);
        spcl::set(
            field::C_TAPEA,
            spcl::get(field::C_TAPEA).wrapping_add(avail as i32),
        );
        if k + avail >= ntrec {
            flushtape(t);
        }
        dblk += (avail as i64) << (tp_shift - dev_shift);
        tpblks -= avail;
    }
}

/// Act on a signal that came in since the last look.
pub fn pending(t: &Tape) {
    if signals::any()
        && let Some(p) = signals::take()
    {
        volume::act_on(t, p);
    }
}

/// Data records the header in progress announces.  For an inode's
/// header, its c_addr entries that are set, never looking past c_addr
/// (CONTRACT item 11).  A map (TS_CLRI, TS_BITS) is followed by all of its
/// c_count records; tape.c counted the c_addr left over from the header
/// before, and a volume that began inside a map said it owed the wrong
/// number of records (restore skips that many entering the volume).
fn announced_blocks() -> i64 {
    let count = spcl::get(field::C_COUNT);
    match spcl::get(field::C_TYPE) {
        TS_END => 0,
        TS_CLRI | TS_BITS => i64::from(count.max(0)),
        _ => {
            let n = count.clamp(0, TP_NINDIR as i32) as usize;
            (0..n).filter(|&i| spcl::addr(i) != 0).count() as i64
        }
    }
}

/// Records from c_tapea `tapea` to the header after the current one.
fn records_to_next_header(t: &Tape, tapea: i64) -> i32 {
    (t.lastspclrec.get() + announced_blocks() + 1 - tapea) as i32
}

/// Hand list `s` to its slave.
pub fn send_list(t: &Tape, s: usize, from: usize) {
    let ntrec = t.ntrec.get();
    let res = {
        let mut runs = t.runs.borrow_mut();
        let list = t.lists[from].borrow();
        if !list.runs(ntrec, &mut runs) {
            drop((list, runs));
            dump::quit("master/slave protocol botched.\n")
        }
        let mut ring = t.ring.borrow_mut();
        match ring.as_mut() {
            Some(r) => r.send(s, &runs, list.headers.bytes()),
            None => Err(nix::errno::Errno::EBADF),
        }
    };
    if let Err(e) = res {
        pending(t);
        let mut m = b"error writing command pipe: ".to_vec();
        m.extend(dump::strerror(e as i32));
        m.push(b'\n');
        dump::quit(m);
    }
    t.update(s, |i| i.sent = true);
}

/// Read slave `s`'s report on its last list: bytes written.
pub fn collect(t: &Tape, s: usize) -> i32 {
    loop {
        let outcome = {
            let lifeline = t.lifeline.borrow();
            let alive = lifeline.as_ref().map(|l| l.alive.as_fd());
            match t.ring.borrow_mut().as_mut() {
                Some(r) => r.collect(s, alive),
                None => Outcome::Gone(Some(nix::errno::Errno::EBADF)),
            }
        };
        match outcome {
            Outcome::Wrote(n) => {
                t.update(s, |i| i.sent = false);
                return n;
            }
            Outcome::Signalled => pending(t),
            Outcome::Orphaned => volume::dumpabort(),
            Outcome::WriteFailed => {
                signals::take();
                volume::tperror(t);
            }
            Outcome::Gone(e) => {
                // A slave that aborted told the master first (SIGTERM).
                pending(t);
                let why = match e {
                    Some(e) => dump::strerror(e as i32),
                    None => b"slave exited".to_vec(),
                };
                let mut m = b"error reading command pipe in master: ".to_vec();
                m.extend(why);
                m.push(b'\n');
                dump::msg(m);
                volume::dumpabort();
            }
        }
    }
}

/// Read every outstanding report, whatever it says (the lists are about
/// to be replayed).
pub fn drain(t: &Tape) {
    for s in 0..t.nlists() {
        if t.info(s).sent {
            collect(t, s);
        }
    }
}

/// The current list is full: hand it over, take the oldest report back,
/// and start the next list (tape.c's flushtape).
pub fn flushtape(t: &Tape) {
    let ntrec = t.ntrec.get();
    let s = t.slp.get();
    if t.nextblock.get().0 != s {
        dump::quit("master/slave protocol botched.\n");
    }
    {
        let mut list = t.lists[s].borrow_mut();
        let k = t.trecno.get().min(ntrec);
        list.reqs[k].count = 0;
    }
    // A master that never has to wait would never see its lifeline close:
    // look now and then (a wait watches it anyway).
    let flushes = t.flushes.get().wrapping_add(1);
    t.flushes.set(flushes);
    if flushes.is_multiple_of(64) {
        volume::check_lifeline(t);
    }
    send_list(t, s, s);
    let lastfirstrec = t.info(s).firstrec;
    let n = t.nlists();
    let s = (s + 1) % n;
    t.slp.set(s);
    if t.info(s).sent {
        let got = collect(t, s);
        if got < t.writesize.get() {
            dump::msg("End of tape detected\n");
            drain(t);
            volume::close_rewind(t);
            replay(t, s, n, 0);
            return;
        }
    }
    let tapea = spcl::get(field::C_TAPEA);
    let count = records_to_next_header(t, i64::from(tapea));
    t.update(s, |i| {
        i.count = count;
        i.tapea = tapea;
        i.firstrec = lastfirstrec.wrapping_add(ntrec as i32);
        i.inode = dump::curino_get() as i32;
    });
    t.nextblock.set((s, 0));
    t.trecno.set(0);
    dump::asize_set(dump::asize_get() + libc::c_long::from(t.tenths.get()));
    dump::blockswritten_set(dump::blockswritten_get().wrapping_add(ntrec as i32));
    t.blocksthisvol.set(t.blocksthisvol.get() + ntrec as i64);
    if volume::full(t) && !volume::close_rewind(t) {
        volume::startnewtape(t, false);
    }
    dump::timeest();
}

/// The lists handed out but not yet reported, oldest first, and what each
/// wrote; the first short one and how many lists from it on are in flight.
pub fn drain_in_order(t: &Tape) -> Option<(usize, usize)> {
    let cur = t.slp.get();
    let n = t.nlists();
    let mut short = None;
    for k in 1..=n {
        let s = (cur + k) % n;
        if t.info(s).sent {
            let got = collect(t, s);
            if got != t.writesize.get() && short.is_none() {
                short = Some(s);
            }
        }
    }
    short.map(|failed| (failed, (cur + n - failed - 1) % n + 1))
}

/// The medium ended: the `m` lists from slot `failed` on never made it to
/// the volume just closed.  Replay them on the new volume behind its
/// header.  Each list moves up one record to make room, so each gives its
/// last record to the next, and the last one's last record opens the list
/// being filled, ahead of the `kept` records already in it.
///
/// With m == SLAVES lists (all of them) and nothing kept this is
/// tape-fixed.c's rollforward:
/// FIX 1 (the carried header goes along), FIX 2 (firstrec counts the
/// replayed lists), FIX 6 (the volume header leaves the header in progress
/// alone, and the new list is described afresh).  Fewer lists come from an
/// end of medium met while a volume is being closed (CONTRACT item 7).
pub fn replay(t: &Tape, failed: usize, m: usize, kept: usize) {
    if t.info(failed).firstrec == t.volume_firstrec.get() {
        return resend(t, failed, m);
    }
    let ntrec = t.ntrec.get();
    let n = t.nlists();
    let cur = (failed + m) % n;
    // The records already in the list being filled, when it is not one of
    // those replayed: they go back in behind the carried record.
    let saved = (kept > 0 && m < n).then(|| {
        let l = t.lists[cur].borrow();
        let nhdr = t.nextblock.get().1;
        (
            l.reqs[..kept].to_vec(),
            l.spcl[..kept].to_vec(),
            l.headers.bytes()[..nhdr * TP_BSIZE].to_vec(),
        )
    });
    let first_firstrec = t.info(failed).firstrec;
    t.slp.set(failed);
    // Next free header record in the spare list.
    let mut ntb = 1usize;
    for i in 0..m {
        let s = t.slp.get();
        let prev = {
            let src = t.lists[s].borrow();
            let mut dst = t.lists[SPARE].borrow_mut();
            let mut q = 1usize;
            let mut p = 0usize;
            let mut otb = 0usize;
            let mut prev = None;
            while p < ntrec && q <= ntrec && src.reqs[p].count > 0 {
                let r = src.reqs[p];
                dst.reqs[q] = r;
                dst.spcl[q] = src.spcl[p];
                if r.dblk == 0 {
                    if ntb > ntrec || otb >= ntrec {
                        break;
                    }
                    let rec = src.headers.record(otb).to_vec();
                    dst.headers.copy_record(ntb, &rec);
                    ntb += 1;
                    otb += 1;
                }
                prev = Some(q);
                q += r.count as usize;
                p += r.count as usize;
            }
            let Some(prev) = prev else {
                drop((src, dst));
                dump::quit("rollforward: protocol botch\n")
            };
            // The last record moves on to the next list.
            if dst.reqs[prev].dblk != 0 {
                dst.reqs[prev].count -= 1;
            } else {
                ntb -= 1;
            }
            let end = (q - 1).min(ntrec);
            dst.reqs[end].count = 0;
            prev
        };
        if i == 0 {
            {
                let mut dst = t.lists[SPARE].borrow_mut();
                dst.reqs[0] = Req::HEADER;
                dst.spcl[0] = true;
            }
            new_volume_header(t, s);
        }
        send_list(t, s, SPARE);
        t.slp.set((s + 1) % n);
        let mut dst = t.lists[SPARE].borrow_mut();
        let last = dst.reqs[prev];
        let last_spcl = dst.spcl[prev];
        if last.dblk != 0 {
            let sectors = (TP_BSIZE / DEV_BSIZE) as i64;
            let dblk = i64::from(last.dblk) + i64::from(last.count) * sectors;
            dst.reqs[0] = Req {
                dblk: dblk as dump::daddr_t,
                count: 1,
            };
            dst.spcl[0] = false;
            ntb = 0;
        } else {
            dst.reqs[0] = Req::HEADER;
            dst.spcl[0] = last_spcl;
            let rec = dst.headers.record(ntb).to_vec();
            dst.headers.copy_record(0, &rec);
            ntb = 1;
        }
    }
    // The carried record opens the list being filled.
    {
        let spare_list = t.lists[SPARE].borrow();
        let carried = spare_list.reqs[0];
        let mut l = t.lists[cur].borrow_mut();
        l.reqs[0] = carried;
        l.spcl[0] = spare_list.spcl[0];
        let mut nhdr = 0;
        if carried.dblk == 0 {
            l.headers.copy_record(0, spare_list.headers.record(0));
            nhdr = 1;
        }
        let mut k = 1;
        if let Some((reqs, flags, hdrs)) = &saved {
            // Runs keep their positions, one record on.
            let mut j = 0;
            while j < reqs.len() && reqs[j].count > 0 {
                let r = reqs[j];
                l.reqs[k] = r;
                l.spcl[k] = flags[j];
                k += r.count as usize;
                j += r.count as usize;
            }
            let n = hdrs.len() / TP_BSIZE;
            l.headers.bytes_mut()[nhdr * TP_BSIZE..(nhdr + n) * TP_BSIZE].copy_from_slice(hdrs);
            nhdr += n;
        }
        t.nextblock.set((cur, nhdr));
        t.trecno.set(k);
    }
    // The first replayed list, behind the volume header, must fit.
    if t.info(failed).sent && collect(t, failed) != t.writesize.get() {
        dump::quit("EOT detected at start of the tape!\n");
    }
    let kept = t.trecno.get() - 1;
    let tapea = spcl::get(field::C_TAPEA) - 1 - kept as i32;
    let count = match t.lists[cur].borrow().leading_data(kept + 1) {
        Some(n) => n as i32,
        None => records_to_next_header(t, i64::from(tapea)),
    };
    t.update(cur, |i| {
        i.firstrec = first_firstrec.wrapping_add((m * ntrec) as i32);
        i.tapea = tapea;
        i.inode = dump::curino_get() as i32;
        i.count = count;
    });
    // A full list (at -b 1, or with the kept records) goes out now; from
    // inside the volume header it could not (CONTRACT item 8).
    if t.trecno.get() >= ntrec {
        flushtape(t);
    }
}

/// The medium ended before the volume took one whole tape block: the
/// lists in flight begin with that volume's own TS_TAPE header.  tape.c
/// replayed it behind the next volume's header, where restore meets a
/// volume header in mid-stream and gives up.  Here the new header takes
/// the old one's place and the lists go out again as they were: nothing
/// moves, nothing is carried.
fn resend(t: &Tape, failed: usize, m: usize) {
    let ntrec = t.ntrec.get();
    let n = t.nlists();
    {
        let src = t.lists[failed].borrow();
        let mut dst = t.lists[SPARE].borrow_mut();
        dst.reqs.copy_from_slice(&src.reqs);
        dst.spcl.copy_from_slice(&src.spcl);
        dst.headers.bytes_mut().copy_from_slice(src.headers.bytes());
    }
    let (trecno, nextblock) = (t.trecno.get(), t.nextblock.get());
    t.slp.set(failed);
    new_volume_header(t, failed);
    for i in 0..m {
        let s = (failed + i) % n;
        send_list(t, s, if i == 0 { SPARE } else { s });
    }
    let cur = (failed + m) % n;
    t.slp.set(cur);
    if t.info(failed).sent && collect(t, failed) != t.writesize.get() {
        dump::quit("EOT detected at start of the tape!\n");
    }
    if m == n {
        // The list being filled was the first to go again: start afresh,
        // as flushtape would have.
        let tapea = spcl::get(field::C_TAPEA);
        let count = records_to_next_header(t, i64::from(tapea));
        let firstrec = t.info(failed).firstrec.wrapping_add((m * ntrec) as i32);
        t.update(cur, |i| {
            i.firstrec = firstrec;
            i.tapea = tapea;
            i.inode = dump::curino_get() as i32;
            i.count = count;
        });
        t.trecno.set(0);
        t.nextblock.set((cur, 0));
    } else {
        t.trecno.set(trecno);
        t.nextblock.set(nextblock);
    }
}

/// Open the next volume in the middle of a replay, its TS_TAPE header
/// going into record 0 of the spare list and numbered as the first record
/// of slot `s`'s list.  The header in progress (spcl, lastspclrec) is left
/// as it was but for the volume's number and first record (FIX 6).
fn new_volume_header(t: &Tape, s: usize) {
    t.trecno.set(0);
    t.nextblock.set((SPARE, 0));
    let saved = dump::spcl::save();
    let saved_last = t.lastspclrec.get();
    spcl::set(field::C_TAPEA, t.info(s).tapea);
    t.rolling.set(true);
    volume::startnewtape(t, false);
    t.rolling.set(false);
    let volume = spcl::get(field::C_VOLUME);
    let firstrec = spcl::get(field::C_FIRSTREC);
    spcl::restore(&saved);
    spcl::set(field::C_VOLUME, volume);
    spcl::set(field::C_FIRSTREC, firstrec);
    t.lastspclrec.set(saved_last);
}
