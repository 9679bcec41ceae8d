//! replay: the rest of dump reduced to a script of the calls traverse.c
//! makes of tape.c, written against the library's Rust interface: a
//! `Host` for what dump provides and a `TapeWriter` whose methods are
//! tape.c's entry points.  tests/c/replay.c is the same program against
//! the C interface; the tests run both on one script and compare what
//! they write.  It is also the smallest example of a Rust port of dump.
//!
//! Usage: `replay -b ntrec [-B records] [-D date] -f names disk script`;
//! the script is described in tests/c/replay.c.

use std::cell::{Cell, RefCell};
use std::ffi::CStr;
use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::os::unix::fs::FileExt;

use dumptape::format::{
    C_ADDR, DEV_BSIZE, Layout, NFS_MAGIC, Record, TP_BSIZE, TP_NINDIR, TS_END, seal, set_field,
};
use dumptape::{Field, Host, Settings, TapeWriter, X_FINOK};

const MAXINO: u64 = 1000;
/// dump's status for bad arguments: nothing was written.
const X_STARTUP: i32 = 1;

/// What this little dump provides to the tape writer.
struct Replay {
    settings: Settings,
    disk: File,
    header: RefCell<Record>,
    /// The list of outputs "a,b,c" and where its next name is.
    names: Vec<Vec<u8>>,
    next: Cell<usize>,
    name: RefCell<Vec<u8>>,
    tapeno: Cell<i64>,
    blockswritten: Cell<i64>,
    asize: Cell<i64>,
    tstart: Cell<i64>,
    curino: Cell<u64>,
    newtape: Cell<i64>,
}

impl Replay {
    /// The writer of this process (quit() must reach it to abort).
    fn writer() -> &'static TapeWriter<Replay> {
        TapeWriter::of_process(|| unreachable!("made in main"))
    }
}

impl Host for Replay {
    fn msg(&self, text: &[u8]) {
        let mut e = std::io::stderr().lock();
        let _ = e.write_all(b"  DUMP: ");
        let _ = e.write_all(text);
    }

    fn quit(&self, text: &[u8]) -> ! {
        self.msg(text);
        Replay::writer().dumpabort()
    }

    fn broadcast(&self, text: &CStr) {
        let t = text.to_string_lossy();
        let t = t.trim_end_matches(['\n', '\x07']);
        eprintln!("  DUMP: [broadcast] {t}");
    }

    fn query(&self, question: &CStr) -> bool {
        eprintln!(
            "  DUMP: {}: (\"yes\" or \"no\") yes",
            question.to_string_lossy()
        );
        true
    }

    fn timeest(&self) {}

    fn header(&self, f: Field) -> i64 {
        dumptape::format::Header::new(&self.header.borrow()[..], Layout::Bsd44, false).get(f)
    }

    fn set_header(&self, f: Field, v: i64) {
        set_field(&mut self.header.borrow_mut()[..], Layout::Bsd44, f, v);
    }

    fn header_addr(&self, i: usize) -> u8 {
        self.header.borrow()[C_ADDR + i]
    }

    fn save_header(&self) -> Record {
        *self.header.borrow()
    }

    fn restore_header(&self, saved: &Record) {
        *self.header.borrow_mut() = *saved;
    }

    fn writeheader(&self, ino: u64, writerec: &dyn Fn(&Record, bool)) {
        let rec = {
            let mut h = self.header.borrow_mut();
            set_field(&mut h[..], Layout::Bsd44, Field::Inumber, ino as i64);
            set_field(
                &mut h[..],
                Layout::Bsd44,
                Field::Magic,
                i64::from(NFS_MAGIC),
            );
            seal(&mut h[..], Layout::Bsd44);
            *h
        };
        writerec(&rec, true);
    }

    fn bread(&self, sector: i64, buf: &mut [u8]) {
        buf.fill(0);
        let mut done = 0;
        while done < buf.len() {
            match self.disk.read_at(
                &mut buf[done..],
                sector as u64 * DEV_BSIZE as u64 + done as u64,
            ) {
                Ok(0) | Err(_) => break,
                Ok(n) => done += n,
            }
        }
    }

    fn reopen_disk(&self) -> std::io::Result<()> {
        // pread() has no seek pointer to share: this descriptor will do.
        Ok(())
    }

    fn fsbtodb_shift(&self) -> u32 {
        1
    }

    fn tp_bshift(&self) -> u32 {
        10
    }

    fn dev_bshift(&self) -> u32 {
        9
    }

    fn settings(&self) -> Settings {
        self.settings
    }

    fn tapeno(&self) -> i64 {
        self.tapeno.get()
    }

    fn set_tapeno(&self, v: i64) {
        self.tapeno.set(v)
    }

    fn blockswritten(&self) -> i64 {
        self.blockswritten.get()
    }

    fn set_blockswritten(&self, v: i64) {
        self.blockswritten.set(v)
    }

    fn asize(&self) -> i64 {
        self.asize.get()
    }

    fn set_asize(&self, v: i64) {
        self.asize.set(v)
    }

    fn tstart_writing(&self) -> i64 {
        self.tstart.get()
    }

    fn set_tstart_writing(&self, v: i64) {
        self.tstart.set(v)
    }

    fn curino(&self) -> u64 {
        self.curino.get()
    }

    fn newtape(&self) -> i64 {
        self.newtape.get()
    }

    fn set_newtape(&self, v: i64) {
        self.newtape.set(v)
    }

    fn tape_name(&self) -> Vec<u8> {
        self.name.borrow().clone()
    }

    /// The names of a list "a,b,c" one per volume; once it is used up,
    /// the last name stays, and is no longer said.
    fn next_tape_name(&self) -> bool {
        let i = self.next.get();
        if self.names.len() < 2 || i >= self.names.len() {
            return false;
        }
        *self.name.borrow_mut() = self.names[i].clone();
        self.next.set(i + 1);
        true
    }

    fn more_tape_names(&self) -> bool {
        self.names.len() > 1 && self.next.get() < self.names.len()
    }

    fn set_tapefd(&self, _fd: i32) {}
}

fn usage() -> ! {
    eprintln!("usage: replay -b ntrec [-B records] [-D date] -f names disk script");
    std::process::exit(X_STARTUP)
}

/// Hand the script's calls to the writer, as traverse.c makes them.
fn play(w: &TapeWriter<Replay>, script: impl BufRead) {
    let h = w.host();
    let writeheader = |ino: u64| h.writeheader(ino, &|r, s| w.writerec(r, s));
    for line in script.lines() {
        let line = line.unwrap_or_else(|_| usage());
        let f: Vec<&str> = line.split_whitespace().collect();
        let num = |i: usize| -> i64 {
            f.get(i)
                .and_then(|s| s.parse().ok())
                .unwrap_or_else(|| usage())
        };
        match f.first().copied() {
            None | Some("#") => {}
            Some("map") => {
                h.set_header(Field::Type, num(1));
                h.set_header(Field::Count, num(2));
                h.header.borrow_mut()[C_ADDR..C_ADDR + TP_NINDIR].fill(0);
                writeheader(MAXINO);
                for k in 0..num(2) {
                    let mut rec = [0u8; TP_BSIZE];
                    rec[..4].copy_from_slice(&(k as u32).to_ne_bytes());
                    w.writerec(&rec, false);
                }
            }
            Some("file") => {
                h.curino.set(num(1) as u64);
                h.set_header(Field::Type, num(2));
                h.set_header(Field::Count, num(3));
                {
                    let mut hdr = h.header.borrow_mut();
                    let addr = &mut hdr[C_ADDR..C_ADDR + TP_NINDIR];
                    addr.fill(0);
                    for (a, b) in addr.iter_mut().zip(f.get(4).unwrap_or(&"").bytes()) {
                        *a = u8::from(b == b'1');
                    }
                }
                writeheader(num(1) as u64);
            }
            Some("block") => w.dumpblock(num(1), num(2) as i32),
            Some("end") => {
                h.set_header(Field::Type, i64::from(TS_END));
                for _ in 0..num(1) {
                    writeheader(MAXINO);
                }
            }
            Some(_) => usage(),
        }
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let mut settings = Settings {
        ntrec: 10,
        unlimited: true,
        ..Settings::default()
    };
    let mut names = None;
    let mut date = 0;
    let mut rest = Vec::new();
    while let Some(a) = args.next() {
        match a.as_str() {
            "-b" => {
                settings.ntrec = args
                    .next()
                    .and_then(|v| v.parse().ok())
                    .unwrap_or_else(|| usage())
            }
            "-B" => {
                settings.blocksperfile = args
                    .next()
                    .and_then(|v| v.parse().ok())
                    .unwrap_or_else(|| usage());
                settings.unlimited = false;
            }
            "-D" => {
                date = args
                    .next()
                    .and_then(|v| v.parse().ok())
                    .unwrap_or_else(|| usage())
            }
            "-f" => names = args.next(),
            _ => rest.push(a),
        }
    }
    let (Some(names), [disk, script]) = (names, &rest[..]) else {
        usage()
    };
    let disk = File::open(disk).unwrap_or_else(|e| {
        eprintln!("replay: {disk}: {e}");
        std::process::exit(X_STARTUP)
    });
    let script = File::open(script).unwrap_or_else(|e| {
        eprintln!("replay: {script}: {e}");
        std::process::exit(X_STARTUP)
    });
    let names: Vec<Vec<u8>> = names.split(',').map(|n| n.as_bytes().to_vec()).collect();
    let host = Replay {
        settings,
        disk,
        header: RefCell::new([0u8; TP_BSIZE]),
        name: RefCell::new(names[0].clone()),
        names,
        next: Cell::new(0),
        tapeno: Cell::new(0),
        blockswritten: Cell::new(0),
        asize: Cell::new(0),
        tstart: Cell::new(0),
        curino: Cell::new(0),
        newtape: Cell::new(0),
    };
    host.set_header(Field::Date, date);
    let w = TapeWriter::of_process(|| host);
    if !w.alloctape() {
        w.host().quit(b"can't allocate tape buffers\n");
    }
    // The first volume's checkpoint stays here; the dump goes on in its
    // child.
    w.startnewtape(true);
    play(w, BufReader::new(script));
    w.trewind();
    w.host().msg(b"DUMP IS DONE\n");
    w.exit(X_FINOK)
}
