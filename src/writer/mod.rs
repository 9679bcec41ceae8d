//! The tape writer: tape.c's entry points as the methods of one type, over
//! a `Host` (the rest of dump).
//!
//! The methods are spread over files by concern: gathering records into
//! lists (here), handing lists to the ring and taking back its reports
//! (`flush`), carrying the lists in flight over to the next volume when
//! the medium ends (`replay`), volumes and their checkpoints (`volume`),
//! and the ways a dump ends (`abort`).  They call each other as tape.c's
//! functions do: flushing a list may change volumes, which replays lists.
//!
//! All state sits in cells: the rest of dump calls back in while a method
//! runs (writeheader() hands its record to `writerec` during a volume
//! change, and dump's signal handlers call `close_rewind` or `dumpabort`
//! from inside whatever the library was doing), so nothing is borrowed
//! across a call into the host, and a borrow that finds its cell taken
//! (only a signal handler calling in at the wrong instant can cause that)
//! is refused through the host's quit() instead of a panic.

mod abort;
mod flush;
mod replay;
#[cfg(test)]
mod tests;
mod volume;

use std::any::Any;
use std::cell::{Cell, OnceCell, Ref, RefCell, RefMut};

use crate::format::{Field, Header, TP_BSIZE, TS_END};
use crate::host::{Flavour, Host};
use crate::lists::{List, Req};
use crate::output::Output;
use crate::process::X_ABORT;
use crate::ring::{MAX_SLOTS, Ring, SLAVES};
use crate::signals;

pub(crate) use abort::Lifeline;

/// What the writer keeps about a list it handed over (tape.c's `struct
/// slave`, less the buffers and the process), per list: a slave may have
/// two lists posted (see `ring::depth`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct ListInfo {
    /// Header number (c_tapea) at the start of the list.
    pub tapea: i64,
    /// Records from the start of the list to the next header.
    pub count: i64,
    pub inode: u64,
    /// The list was handed over and its report not yet read.
    pub sent: bool,
    /// Record number of the list's first record in the whole dump.
    pub firstrec: i64,
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
pub(crate) struct Proc {
    pub pid: i32,
    pub fd: i32,
}

/// The most lists in flight, and where the replay's spare list is kept.
pub(crate) const MAX_LISTS: usize = MAX_SLOTS;
pub(crate) const SPARE: usize = MAX_LISTS;

/// The largest blocking factor taken: 64 MiB tape blocks, far beyond any
/// drive's (today's FreeBSD dump stops -b at 1000), while the seven lists
/// and the ring's records stay within reason.
pub const MAX_NTREC: usize = 65536;

thread_local! {
    /// This process's writer, made by the first call of `TapeWriter::of_process`.
    /// The library has no threads: per thread is per process, and a child
    /// forked from this thread inherits it.
    static PROCESS: OnceCell<&'static dyn Any> = const { OnceCell::new() };
}

/// BSD dump's tape writer.
///
/// Its methods are tape.c's entry points.  A Rust port of the rest of dump
/// makes one writer over its `Host` and calls them as dump's C code calls
/// tape.c's functions:
///
/// ```no_run
/// use dumptape::{Host, TapeWriter};
///
/// fn dump<H: Host>(host: H, blocks: &[(i64, i32)]) {
///     let w = TapeWriter::new(host);
///     if !w.alloctape() {
///         w.host().quit(b"can't allocate tape buffers\n");
///     }
///     // Fork the first volume's checkpoint; the rest runs in the child.
///     w.startnewtape(true);
///     for &(blkno, size) in blocks {
///         // ... a TS_INODE header through the host's writeheader ...
///         w.dumpblock(blkno, size);
///     }
///     // ... TS_END headers ...
///     w.trewind();
///     w.exit(dumptape::X_FINOK);
/// }
/// ```
///
/// The writer forks: a checkpoint process per volume and three slaves per
/// volume.  It is not to be shared between threads, and the program that
/// uses it must not have threads of its own when it calls
/// `startnewtape`.
pub struct TapeWriter<H: Host> {
    host: H,
    pub(crate) ntrec: Cell<usize>,
    pub(crate) writesize: Cell<usize>,
    pub(crate) tenths: Cell<i64>,
    /// Next record of the current list.
    pub(crate) trecno: Cell<usize>,
    /// c_tapea of the last header record written.
    pub(crate) lastspclrec: Cell<i64>,
    pub(crate) blocksthisvol: Cell<i64>,
    /// Index of the list being filled.
    pub(crate) slp: Cell<usize>,
    /// Lists that go round the ring: SLAVES, or more where the output
    /// cannot end; 0 until the first volume opens and settles it for the
    /// rest of the dump.
    nlists: Cell<usize>,
    /// Where the next header record goes: (list, record).
    pub(crate) nextblock: Cell<(usize, usize)>,
    /// In a slave: the master's pid; 0 elsewhere.
    pub(crate) master: Cell<i32>,
    /// Set on a write error: the next volume change asks no questions.
    pub(crate) nogripe: Cell<bool>,
    /// Inside a replay: the volume header must not flush a list.
    rolling: Cell<bool>,
    list_info: [Cell<ListInfo>; MAX_LISTS + 1],
    pub(crate) procs: [Cell<Proc>; SLAVES],
    /// The lists; the last (SPARE) is the replay's.
    lists: [RefCell<List>; MAX_LISTS + 1],
    /// The runs of the list being handed over (kept, not reallocated).
    runs: RefCell<Vec<Req>>,
    ring: RefCell<Option<Ring>>,
    output: RefCell<Output>,
    /// Tells every process of the dump when the top-level one is gone.
    lifeline: RefCell<Option<Lifeline>>,
    /// c_firstrec of the volume being written: a list that starts there
    /// starts with the volume's own TS_TAPE header.
    volume_firstrec: Cell<i64>,
    /// Lists flushed, for occasional checks.
    pub(crate) flushes: Cell<u32>,
    /// In a checkpoint process: the child writing the volume.
    checkpoint_child: Cell<i32>,
    /// This process writes a volume: it was forked by startnewtape, and
    /// its checkpoint writes the volume again when it exits X_REWRITE.
    volume_process: Cell<bool>,
    /// c_tapea of the dump's first TS_END header: what restore reads
    /// ends there, and what follows is trailer.
    pub(crate) first_end: Cell<Option<i64>>,
    /// The medium ended after the first TS_END was on a volume: the set is
    /// whole, its volume closed, and the rest of the trailer is dropped.
    pub(crate) complete: Cell<bool>,
    /// c_tapea of the list the last end of medium cut short, and how many
    /// ends of medium in a row have cut the same one.
    pub(crate) last_cut: Cell<(i64, u32)>,
}

impl<H: Host> TapeWriter<H> {
    pub fn new(host: H) -> TapeWriter<H> {
        TapeWriter {
            host,
            ntrec: Cell::new(0),
            writesize: Cell::new(0),
            tenths: Cell::new(0),
            trecno: Cell::new(0),
            lastspclrec: Cell::new(-1),
            blocksthisvol: Cell::new(0),
            slp: Cell::new(0),
            nlists: Cell::new(0),
            nextblock: Cell::new((0, 0)),
            master: Cell::new(0),
            nogripe: Cell::new(false),
            rolling: Cell::new(false),
            list_info: [const { Cell::new(ListInfo::ZERO) }; MAX_LISTS + 1],
            procs: [const { Cell::new(Proc { pid: 0, fd: 0 }) }; SLAVES],
            lists: [const { RefCell::new(List::empty()) }; MAX_LISTS + 1],
            runs: RefCell::new(Vec::new()),
            ring: RefCell::new(None),
            output: RefCell::new(Output::Closed),
            lifeline: RefCell::new(None),
            volume_firstrec: Cell::new(0),
            flushes: Cell::new(0),
            checkpoint_child: Cell::new(0),
            volume_process: Cell::new(false),
            first_end: Cell::new(None),
            complete: Cell::new(false),
            last_cut: Cell::new((-1, 0)),
        }
    }

    /// The rest of dump.
    pub fn host(&self) -> &H {
        &self.host
    }

    /// This process's writer over a host of type `H`, made with `make` the
    /// first time: the state behind a C boundary, whose entry points are
    /// free functions.  A process has one writer, for one kind of host.
    pub fn of_process(make: impl FnOnce() -> H) -> &'static TapeWriter<H>
    where
        H: 'static,
    {
        let any = PROCESS.with(|w| {
            *w.get_or_init(|| {
                let made: &'static TapeWriter<H> = Box::leak(Box::new(TapeWriter::new(make())));
                made
            })
        });
        match any.downcast_ref::<TapeWriter<H>>() {
            Some(w) => w,
            // A second kind of host in one process: nothing sensible is
            // left to do.
            None => crate::process::exit(X_ABORT),
        }
    }

    /// Have the host write the header in progress for inode `ino` (it
    /// hands the record back to `writerec`).
    fn writeheader(&self, ino: u64) {
        self.host
            .writeheader(ino, &|rec, isspcl| self.writerec(rec, isspcl));
    }

    /// What the ring's processes are called in messages.
    fn word(&self) -> &'static str {
        match self.host.flavour() {
            Flavour::Bsd1998 => "slave",
            Flavour::FreeBsd => "worker",
        }
    }

    pub(crate) fn info(&self, i: usize) -> ListInfo {
        self.list_info[i].get()
    }

    fn update(&self, i: usize, f: impl FnOnce(&mut ListInfo)) {
        let mut s = self.list_info[i].get();
        f(&mut s);
        self.list_info[i].set(s);
    }

    /// No list is in flight any more (its slaves are gone or not yet
    /// forked): no report is awaited.
    fn forget_sent(&self) {
        for i in 0..self.nlists() {
            self.update(i, |s| s.sent = false);
        }
    }

    /// Lists that go round the ring (SLAVES until the first volume opens).
    pub(crate) fn nlists(&self) -> usize {
        match self.nlists.get() {
            0 => SLAVES,
            n => n,
        }
    }

    /// A cell found taken: dump's signal handler called back in while the
    /// writer was using it.
    fn reentered(&self) -> ! {
        self.host
            .quit(b"tape writer called from a signal handler in the middle of its work\n")
    }

    pub(crate) fn list(&self, i: usize) -> Ref<'_, List> {
        self.lists[i]
            .try_borrow()
            .unwrap_or_else(|_| self.reentered())
    }

    fn list_mut(&self, i: usize) -> RefMut<'_, List> {
        self.lists[i]
            .try_borrow_mut()
            .unwrap_or_else(|_| self.reentered())
    }

    /// List `i` if nobody holds it (for a view of the state that must not
    /// fail: the 1998 boundary publishes the lists).
    #[cfg_attr(
        not(all(feature = "c-abi", not(feature = "freebsd"))),
        allow(dead_code)
    )]
    pub(crate) fn try_list(&self, i: usize) -> Option<Ref<'_, List>> {
        self.lists[i].try_borrow().ok()
    }

    fn ring_mut(&self) -> RefMut<'_, Option<Ring>> {
        self.ring
            .try_borrow_mut()
            .unwrap_or_else(|_| self.reentered())
    }

    fn output(&self) -> Ref<'_, Output> {
        self.output
            .try_borrow()
            .unwrap_or_else(|_| self.reentered())
    }

    /// Set up the buffers for dump's blocking factor (tape.c's alloctape):
    /// false when the memory cannot be had; a blocking factor that makes no
    /// sense is refused through the host's quit().
    pub fn alloctape(&self) -> bool {
        let s = self.host.settings();
        let n = s.ntrec;
        if n <= 0 {
            self.host
                .quit(format!("bad blocking factor {n}: it must be at least 1\n").as_bytes());
        }
        if n > MAX_NTREC as i64 {
            return false;
        }
        let ntrec = n as usize;
        let writesize = ntrec * TP_BSIZE;
        self.ntrec.set(ntrec);
        self.writesize.set(writesize);
        // Tape used per tape block, in tenths of an inch: the block at the
        // density, plus the inter-record gap (cartridges, 6250 bpi
        // streaming, and 1600 bpi start/stop drives differ).
        if s.blocksperfile == 0 && !s.unlimited {
            let density = s.density;
            if density <= 0 {
                self.host
                    .quit(format!("bad density {density}\n").as_bytes());
            }
            let gap = if s.cartridge {
                16
            } else if density == 625 {
                5
            } else {
                8
            };
            self.tenths.set(writesize as i64 / density + gap);
        }
        for i in 0..self.lists.len() {
            let Some(list) = List::new(ntrec) else {
                return false;
            };
            *self.list_mut(i) = list;
        }
        self.slp.set(0);
        // A new dump settles its ring's depth again when its first volume
        // opens (a ring still running keeps the one it has).
        if self.ring_mut().is_none() {
            self.nlists.set(0);
        }
        self.update(0, |s| {
            s.count = 1;
            s.tapea = 0;
            s.firstrec = 0;
        });
        self.nextblock.set((0, 0));
        self.first_end.set(None);
        self.complete.set(false);
        self.last_cut.set((-1, 0));
        true
    }

    /// Append one header or map record to the current list (tape.c's
    /// writerec); `isspcl`: it is a header proper.
    pub fn writerec(&self, rec: &[u8; TP_BSIZE], isspcl: bool) {
        self.pending();
        if self.complete.get() {
            return;
        }
        let s = self.slp.get();
        let k = self.trecno.get();
        let (nl, nr) = self.nextblock.get();
        let ntrec = self.ntrec.get();
        if k >= ntrec || nr >= ntrec {
            self.host
                .quit(b"writerec: no tape buffers (alloctape not called?)\n");
        }
        {
            let mut cur = self.list_mut(s);
            cur.reqs[k] = Req::HEADER;
            cur.spcl[k] = isspcl;
        }
        self.list_mut(nl).headers.copy_record(nr, rec);
        self.nextblock.set((nl, nr + 1));
        let tapea = self.host.header(Field::Tapea);
        if isspcl {
            self.lastspclrec.set(tapea);
            let kind = Header::new(rec, self.host.layout(), false).get(Field::Type);
            if kind == i64::from(TS_END) && self.first_end.get().is_none() {
                self.first_end.set(Some(tapea));
            }
        }
        self.trecno.set(k + 1);
        self.host.set_header(Field::Tapea, tapea + 1);
        if k + 1 >= ntrec && !self.rolling.get() {
            self.flushtape();
        }
    }

    /// Append `size` bytes of file-system blocks from fragment `blkno`
    /// (tape.c's dumpblock); the slaves read them from the disk.
    pub fn dumpblock(&self, blkno: i64, size: i32) {
        self.pending();
        if size < 0 || !(size as usize).is_multiple_of(TP_BSIZE) {
            self.host.quit(
                format!("dumpblock: size {size} is not a multiple of {TP_BSIZE}\n").as_bytes(),
            );
        }
        let ntrec = self.ntrec.get();
        if ntrec == 0 {
            self.host
                .quit(b"dumpblock: no tape buffers (alloctape not called?)\n");
        }
        if self.complete.get() {
            return;
        }
        let tp_shift = self.host.tp_bshift();
        let dev_shift = self.host.dev_bshift();
        let mut dblk = blkno << self.host.fsbtodb_shift();
        let mut tpblks = (size >> tp_shift) as usize;
        loop {
            let avail = tpblks.min(ntrec - self.trecno.get());
            if avail == 0 {
                break;
            }
            let k = self.trecno.get();
            self.list_mut(self.slp.get()).reqs[k] = Req {
                dblk,
                count: avail as i32,
            };
            self.trecno.set(k + avail);
            let tapea = self.host.header(Field::Tapea);
            self.host.set_header(Field::Tapea, tapea + avail as i64);
            if k + avail >= ntrec {
                self.flushtape();
            }
            dblk += ((avail as i64) << tp_shift) >> dev_shift;
            tpblks -= avail;
        }
    }

    /// Act on a signal that came in since the last look.
    fn pending(&self) {
        if signals::any()
            && let Some(p) = signals::take()
        {
            self.act_on(p);
        }
    }
}
