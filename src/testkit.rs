//! A fake rest of dump for the core's unit tests: an in-memory disk whose
//! every sector says its own number, volumes written to files of a
//! scratch directory, scripted answers, recorded messages, and a medium
//! that ends or fails where a test says.  A whole dump runs in a forked
//! child of the test (the writer forks its checkpoints and slaves from
//! there); the test reads back its status, messages and volumes.

use std::cell::{Cell, RefCell};
use std::ffi::CStr;
use std::io::Write;
use std::os::fd::BorrowedFd;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering::SeqCst};
use std::time::{Duration, Instant};

use nix::errno::Errno;
use nix::sys::signal::{Signal, killpg};
use nix::sys::wait::{WaitPidFlag, WaitStatus, waitpid};
use nix::unistd::{ForkResult, Pid, Whence, lseek, setpgid};

use crate::format::{
    C_ADDR, DEV_BSIZE, Field, Header, Layout, Record, TP_BSIZE, TP_NINDIR, TS_ADDR, TS_CLRI,
    TS_END, TS_INODE, TS_TAPE, seal, set_field,
};
use crate::host::{Flavour, Host, Settings};
use crate::pages::Mapping;
use crate::process::{X_FINOK, X_REWRITE};
use crate::writer::TapeWriter;

/// The medium, as a test wants it to behave.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Medium {
    #[default]
    Endless,
    /// Every volume ends after this many bytes (a short write, then 0).
    EndsEvery(u64),
    /// Only the first volume ends there.
    EndsOnFirst(u64),
    /// ENOSPC at this many bytes of every volume.
    FullAt(u64),
    /// The first write that reaches past this many bytes fails with EIO
    /// (once in the whole dump).
    FailsOnceAt(u64),
}

/// What a test sets up.
#[derive(Debug, Clone)]
pub struct Setup {
    pub settings: Settings,
    pub flavour: Flavour,
    /// Volume names: one (each volume written over it) or a list.
    pub names: Vec<String>,
    /// Answers to the operator's questions, in order.
    pub answers: Vec<bool>,
    pub medium: Medium,
    /// Give the volume up (dump's sig() calling close_rewind and exiting
    /// X_REWRITE) once, before this many script items.
    pub give_up_at: Option<usize>,
}

impl Setup {
    /// A dump at -b `ntrec` to one file, volumes ending only at the end
    /// of the medium (-a).
    pub fn new(ntrec: i64) -> Setup {
        Setup {
            settings: Settings {
                ntrec,
                unlimited: true,
                density: 160,
                ..Settings::default()
            },
            flavour: Flavour::Bsd1998,
            names: vec!["vol".into()],
            answers: Vec::new(),
            medium: Medium::Endless,
            give_up_at: None,
        }
    }

    /// Volumes along a list v001,v002,...
    pub fn list(mut self, n: usize) -> Setup {
        self.names = (1..=n).map(|i| format!("v{i:03}")).collect();
        self
    }
}

/// Words shared by every process of the dump.
#[repr(C)]
struct Words {
    answered: AtomicUsize,
    failed: AtomicU32,
    given_up: AtomicU32,
}

/// The fake host.
pub struct FakeHost {
    dir: PathBuf,
    setup: Setup,
    header: RefCell<Record>,
    /// Where the rest of the list of names starts; past the end: none.
    next_name: Cell<usize>,
    name: RefCell<Vec<u8>>,
    tapeno: Cell<i64>,
    blockswritten: Cell<i64>,
    asize: Cell<i64>,
    tstart: Cell<i64>,
    pub curino: Cell<u64>,
    newtape: Cell<i64>,
    shared: Mapping,
}

impl FakeHost {
    pub fn new(dir: &Path, setup: Setup) -> FakeHost {
        let shared = Mapping::new(4096, true).expect("a shared page");
        let first = setup.names[0].clone().into_bytes();
        let layout = match setup.flavour {
            Flavour::Bsd1998 => Layout::Bsd44,
            Flavour::FreeBsd => Layout::Ufs2,
        };
        let mut header = [0u8; TP_BSIZE];
        set_field(&mut header, layout, Field::Date, 1_000_000_000);
        FakeHost {
            dir: dir.to_owned(),
            setup,
            header: RefCell::new(header),
            next_name: Cell::new(0),
            name: RefCell::new(first),
            tapeno: Cell::new(0),
            blockswritten: Cell::new(0),
            asize: Cell::new(0),
            tstart: Cell::new(0),
            curino: Cell::new(0),
            newtape: Cell::new(0),
            shared,
        }
    }

    fn words(&self) -> &Words {
        // The first bytes of a page-aligned, zero-filled shared mapping.
        let bytes = self.shared.bytes();
        assert!(bytes.len() >= size_of::<Words>());
        // Safe view: AtomicUsize/AtomicU32 of 0 are valid for any bytes
        // of zero, and the mapping is aligned.
        let p = bytes.as_ptr().cast::<Words>();
        debug_assert!(p.is_aligned());
        words_of(p)
    }

    fn log(&self, text: &str) {
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.join("log"))
            .expect("the test's log");
        let _ = f.write_all(text.as_bytes());
    }

    /// The process's writer over this host (see `TapeWriter::of_process`).
    pub fn writer() -> &'static TapeWriter<FakeHost> {
        TapeWriter::of_process(|| unreachable!("the test made the writer"))
    }

    /// Set a field of the header in progress.
    pub fn put(&self, f: Field, v: i64) {
        self.set_header(f, v)
    }

    /// c_addr of the header in progress.
    pub fn put_addr(&self, entries: &[u8]) {
        let mut h = self.header.borrow_mut();
        h[C_ADDR..C_ADDR + TP_NINDIR].fill(0);
        h[C_ADDR..C_ADDR + entries.len()].copy_from_slice(entries);
    }
}

/// The shared words of the fake host.
#[allow(unsafe_code)]
fn words_of<'a>(p: *const Words) -> &'a Words {
    // SAFETY: `p` is the start of a live, aligned, zero-filled shared
    // mapping at least a page long, written only through these atomics.
    unsafe { &*p }
}

impl Host for FakeHost {
    fn flavour(&self) -> Flavour {
        self.setup.flavour
    }

    fn msg(&self, text: &[u8]) {
        self.log(&String::from_utf8_lossy(text));
    }

    fn quit(&self, text: &[u8]) -> ! {
        self.msg(text);
        FakeHost::writer().dumpabort()
    }

    fn broadcast(&self, text: &CStr) {
        self.log(&format!(
            "[broadcast] {}\n",
            text.to_string_lossy().trim_end()
        ));
    }

    fn query(&self, question: &CStr) -> bool {
        let i = self.words().answered.fetch_add(1, SeqCst);
        let q = question.to_string_lossy();
        match self.setup.answers.get(i) {
            Some(&a) => {
                self.log(&format!("{q} {}\n", if a { "yes" } else { "no" }));
                a
            }
            None => self.quit(format!("no answer to \"{q}\"\n").as_bytes()),
        }
    }

    fn timeest(&self) {}

    fn header(&self, f: Field) -> i64 {
        Header::new(&self.header.borrow()[..], self.layout(), false).get(f)
    }

    fn set_header(&self, f: Field, v: i64) {
        set_field(&mut self.header.borrow_mut()[..], self.layout(), f, v)
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
        let layout = self.layout();
        let rec = {
            let mut h = self.header.borrow_mut();
            set_field(&mut h[..], layout, Field::Inumber, ino as i64);
            set_field(&mut h[..], layout, Field::Magic, i64::from(layout.magic()));
            seal(&mut h[..], layout);
            *h
        };
        writerec(&rec, true);
    }

    fn bread(&self, sector: i64, buf: &mut [u8]) {
        for (k, s) in buf.chunks_exact_mut(DEV_BSIZE).enumerate() {
            sector_bytes(sector + k as i64, s);
        }
    }

    fn reopen_disk(&self) -> std::io::Result<()> {
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
        self.setup.settings
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
        let mut p = self.dir.as_os_str().as_bytes().to_vec();
        p.push(b'/');
        p.extend(self.name.borrow().iter());
        p
    }

    fn next_tape_name(&self) -> bool {
        let names = &self.setup.names;
        let i = self.next_name.get();
        if names.len() < 2 || i >= names.len() {
            return false;
        }
        *self.name.borrow_mut() = names[i].clone().into_bytes();
        self.next_name.set(i + 1);
        true
    }

    fn more_tape_names(&self) -> bool {
        self.next_name.get() < self.setup.names.len() && self.setup.names.len() > 1
    }

    fn set_tapefd(&self, _fd: i32) {}

    fn write_medium(&self, fd: BorrowedFd<'_>, buf: &[u8]) -> nix::Result<usize> {
        let at = lseek(fd, 0, Whence::SeekCur).unwrap_or(0) as u64;
        let end = at + buf.len() as u64;
        let limit = |l: u64| -> nix::Result<usize> {
            if at >= l {
                Ok(0)
            } else if end > l {
                nix::unistd::write(fd, &buf[..(l - at) as usize])
            } else {
                nix::unistd::write(fd, buf)
            }
        };
        match self.setup.medium {
            Medium::Endless => nix::unistd::write(fd, buf),
            Medium::EndsEvery(l) => limit(l),
            Medium::EndsOnFirst(l) if self.tapeno.get() == 1 => limit(l),
            Medium::EndsOnFirst(_) => nix::unistd::write(fd, buf),
            Medium::FullAt(l) if end > l => {
                if at < l {
                    nix::unistd::write(fd, &buf[..(l - at) as usize])
                } else {
                    Err(Errno::ENOSPC)
                }
            }
            Medium::FullAt(_) => nix::unistd::write(fd, buf),
            Medium::FailsOnceAt(l) if end > l && self.words().failed.swap(1, SeqCst) == 0 => {
                Err(Errno::EIO)
            }
            Medium::FailsOnceAt(_) => nix::unistd::write(fd, buf),
        }
    }
}

/// The bytes of sector `s` of the fake disk: its number, then a pattern.
pub fn sector_bytes(s: i64, out: &mut [u8]) {
    out[..8].copy_from_slice(&s.to_le_bytes());
    for (i, b) in out[8..].iter_mut().enumerate() {
        *b = (s as usize).wrapping_mul(31).wrapping_add(i) as u8;
    }
}

/// What the rest of dump hands the writer, in order.
#[derive(Debug, Clone)]
pub enum Item {
    /// A map (TS_CLRI or TS_BITS) of this many records.
    Map(i32, usize),
    /// A file: one record each, from this fragment, or a hole.
    File(u64, Vec<Option<i64>>),
}

/// A script of the usual shape: the two maps, then `files` files of
/// `size` records each (every fifth record a hole), data read from
/// fragments far apart.
pub fn script(map: usize, files: usize, size: usize) -> Vec<Item> {
    let mut items = vec![Item::Map(TS_CLRI, map)];
    let mut frag = 100i64;
    for f in 0..files {
        let blocks = (0..size)
            .map(|k| {
                frag += 1;
                (k % 5 != 4).then_some(frag)
            })
            .collect();
        items.push(Item::File(2 + f as u64, blocks));
        frag += 7;
    }
    items
}

/// The records the script puts on tape, in order: a header's type, or a
/// data record's first sector.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    Header(i32, u64),
    Map,
    Data(i64),
}

/// What the script must put on tape, TS_END headers included.
pub fn expected(items: &[Item], ntrec: usize) -> Vec<Expect> {
    let mut out = Vec::new();
    for item in items {
        match item {
            Item::Map(kind, n) => {
                out.push(Expect::Header(*kind, 1000));
                out.extend(std::iter::repeat_n(Expect::Map, *n));
            }
            Item::File(ino, blocks) => {
                for (c, chunk) in blocks.chunks(TP_NINDIR).enumerate() {
                    out.push(Expect::Header(
                        if c == 0 { TS_INODE } else { TS_ADDR },
                        *ino,
                    ));
                    out.extend(chunk.iter().flatten().map(|&f| Expect::Data(f << 1)));
                }
            }
        }
    }
    out.extend(std::iter::repeat_n(Expect::Header(TS_END, 1000), ntrec));
    out
}

/// Hand the script to the writer as dump's traverse.c does, after
/// `startnewtape`; then the end of the dump.  `give_up` as in Setup.
pub fn play(w: &TapeWriter<FakeHost>, items: &[Item], give_up: Option<usize>) {
    let h = w.host();
    let ntrec = h.settings().ntrec as usize;
    for (n, item) in items.iter().enumerate() {
        if give_up == Some(n) && h.words().given_up.swap(1, SeqCst) == 0 {
            h.msg(b"Rewriting attempted as response to unknown signal.\n");
            w.close_rewind();
            w.exit(X_REWRITE);
        }
        match item {
            Item::Map(kind, records) => {
                h.put(Field::Type, i64::from(*kind));
                h.put(Field::Count, *records as i64);
                h.put_addr(&[]);
                h.writeheader(1000, &|r, s| w.writerec(r, s));
                let mut rec = [0u8; TP_BSIZE];
                for k in 0..*records {
                    rec[..8].copy_from_slice(&(k as u64).to_le_bytes());
                    w.writerec(&rec, false);
                }
            }
            Item::File(ino, blocks) => {
                h.curino.set(*ino);
                for (c, chunk) in blocks.chunks(TP_NINDIR).enumerate() {
                    let kind = if c == 0 { TS_INODE } else { TS_ADDR };
                    h.put(Field::Type, i64::from(kind));
                    h.put(Field::Count, chunk.len() as i64);
                    let addr: Vec<u8> = chunk.iter().map(|b| u8::from(b.is_some())).collect();
                    h.put_addr(&addr);
                    h.writeheader(*ino, &|r, s| w.writerec(r, s));
                    // Runs of consecutive fragments go in one call.
                    let mut k = 0;
                    while k < chunk.len() {
                        let Some(first) = chunk[k] else {
                            k += 1;
                            continue;
                        };
                        let mut n = 1;
                        while k + n < chunk.len() && chunk[k + n] == Some(first + n as i64) {
                            n += 1;
                        }
                        w.dumpblock(first, (n * TP_BSIZE) as i32);
                        k += n;
                    }
                }
            }
        }
    }
    h.put(Field::Type, i64::from(TS_END));
    h.put(Field::Count, 0);
    for _ in 0..ntrec {
        h.writeheader(1000, &|r, s| w.writerec(r, s));
    }
    w.trewind();
}

/// Make standard output a pipe whose reader, a process of its own,
/// copies what comes into the file `out` until every writer is gone.
pub fn stdout_to_a_reader(out: &Path) {
    let (r, w) = nix::unistd::pipe().expect("pipe");
    match crate::process::fork().expect("fork") {
        ForkResult::Child => {
            drop(w);
            let mut f = std::fs::File::create(out).expect("the reader's file");
            let mut buf = vec![0u8; 1 << 16];
            loop {
                match nix::unistd::read(&r, &mut buf) {
                    Ok(0) => crate::process::exit(0),
                    Ok(n) => f.write_all(&buf[..n]).expect("write"),
                    Err(Errno::EINTR) => {}
                    Err(_) => crate::process::exit(1),
                }
            }
        }
        ForkResult::Parent { .. } => {
            drop(r);
            nix::unistd::dup2_stdout(&w).expect("dup2");
        }
    }
}

/// How a forked dump ended.
pub struct Ran {
    pub status: Option<i32>,
    pub log: String,
    pub volumes: Vec<Vec<u8>>,
    pub dir: PathBuf,
}

impl Ran {
    pub fn says(&self, text: &str) -> bool {
        self.log.contains(text)
    }
}

/// A scratch directory for one test.
pub fn scratch(name: &str) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let d = std::env::temp_dir().join(format!(
        "dumptape-unit-{name}-{}-{}",
        std::process::id(),
        N.fetch_add(1, SeqCst)
    ));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("scratch dir");
    d
}

/// Run `body` in a forked child, its own process group, as the top-level
/// process of a dump over a fake host: it gets the writer (alloctape done
/// by the body).  The child's status, the messages and the volumes come
/// back; nothing of the dump may outlive it.
pub fn run(name: &str, setup: Setup, body: impl FnOnce(&TapeWriter<FakeHost>)) -> Ran {
    let dir = scratch(name);
    let names = setup.names.clone();
    match crate::process::fork().expect("fork") {
        ForkResult::Child => {
            let _ = setpgid(Pid::from_raw(0), Pid::from_raw(0));
            let code = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                let host = FakeHost::new(&dir, setup);
                let w = TapeWriter::of_process(|| host);
                body(w);
                X_FINOK
            }))
            .unwrap_or(99);
            crate::process::exit(code)
        }
        ForkResult::Parent { child } => {
            let status = wait_for(child, Duration::from_secs(60));
            let left = Instant::now() + Duration::from_secs(5);
            while group_alive(child) {
                assert!(
                    Instant::now() < left,
                    "{name}: processes of the dump left running"
                );
                std::thread::sleep(Duration::from_millis(10));
            }
            let log = std::fs::read_to_string(dir.join("log")).unwrap_or_default();
            let mut volumes = Vec::new();
            for n in &names {
                if let Ok(b) = std::fs::read(dir.join(n)) {
                    volumes.push(b);
                }
            }
            Ran {
                status,
                log,
                volumes,
                dir,
            }
        }
    }
}

/// The usual body: alloctape, the first volume, the script.
pub fn dump_items(items: Vec<Item>) -> impl FnOnce(&TapeWriter<FakeHost>) {
    move |w| {
        assert!(w.alloctape());
        w.startnewtape(true);
        let give_up = w.host().setup.give_up_at;
        play(w, &items, give_up);
        w.exit(X_FINOK)
    }
}

fn wait_for(child: Pid, limit: Duration) -> Option<i32> {
    let end = Instant::now() + limit;
    loop {
        match waitpid(child, Some(WaitPidFlag::WNOHANG)) {
            Ok(WaitStatus::Exited(_, code)) => return Some(code),
            Ok(WaitStatus::Signaled(..)) => return None,
            Ok(_) | Err(Errno::EINTR) => {}
            Err(e) => panic!("waitpid: {e}"),
        }
        if Instant::now() > end {
            let _ = killpg(child, Signal::SIGKILL);
            let _ = waitpid(child, None);
            panic!("the dump ran over {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// A live (not zombie) process in process group `pgid`.
fn group_alive(pgid: Pid) -> bool {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return false;
    };
    dir.flatten().any(|e| {
        let Ok(stat) = std::fs::read_to_string(e.path().join("stat")) else {
            return false;
        };
        let Some(close) = stat.rfind(')') else {
            return false;
        };
        let f: Vec<&str> = stat[close + 1..].split_whitespace().collect();
        f.len() > 2 && f[0] != "Z" && f[2].parse::<i32>() == Ok(pgid.as_raw())
    })
}

/// A volume's records: its header fields, a map's record, or a data
/// record's first sector.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Got {
    Header {
        kind: i32,
        ino: u64,
        tapea: i64,
        volume: i64,
        firstrec: i64,
        count: i64,
        /// Data records owed by the header before, when this one came.
        owed: i64,
    },
    Map,
    Data(i64),
}

/// Read a set of volumes as restore does: the records after each header
/// as its c_addr (or a map's c_count) says; a volume header in between
/// leaves the count owed as it was.  Every header must be whole.
pub fn read_set(volumes: &[Vec<u8>], layout: Layout) -> Result<Vec<Vec<Got>>, String> {
    let (mut owed, mut in_map) = (0i64, false);
    let mut out = Vec::new();
    for (vi, v) in volumes.iter().enumerate() {
        if v.len() % TP_BSIZE != 0 {
            return Err(format!("volume {}: not whole records", vi + 1));
        }
        let mut recs = Vec::new();
        for (i, r) in v.chunks_exact(TP_BSIZE).enumerate() {
            if i > 0 && owed > 0 {
                owed -= 1;
                recs.push(if in_map {
                    Got::Map
                } else {
                    Got::Data(i64::from_le_bytes(r[..8].try_into().unwrap_or_default()))
                });
                continue;
            }
            let h = Header::new(r, layout, false);
            if h.get(Field::Magic) != i64::from(layout.magic())
                || h.sum() != crate::format::CHECKSUM
            {
                return Err(format!("volume {} record {i}: not a whole header", vi + 1));
            }
            let kind = h.get(Field::Type) as i32;
            recs.push(Got::Header {
                kind,
                ino: h.get(Field::Inumber) as u64,
                tapea: h.get(Field::Tapea),
                volume: h.get(Field::Volume),
                firstrec: h.get(Field::Firstrec),
                count: h.get(Field::Count),
                owed,
            });
            match kind {
                TS_TAPE if i == 0 => {}
                TS_INODE | TS_ADDR => {
                    (owed, in_map) = (h.addr_records() as i64, false);
                }
                TS_CLRI | crate::format::TS_BITS => (owed, in_map) = (h.get(Field::Count), true),
                TS_END => (owed, in_map) = (0, false),
                k => return Err(format!("volume {} record {i}: c_type {k}", vi + 1)),
            }
        }
        out.push(recs);
    }
    if owed != 0 {
        return Err(format!("the set ends owing {owed} records"));
    }
    Ok(out)
}

/// The set's stream, volume headers left out, against what the script
/// must put on tape; each volume header's place in the set (c_volume,
/// c_firstrec: the records of the volumes before, c_count: the data
/// records still owed across the change); c_tapea running on with the
/// records.
pub fn check_set(volumes: &[Vec<u8>], layout: Layout, want: &[Expect]) -> Result<(), String> {
    let set = read_set(volumes, layout)?;
    let mut got = Vec::new();
    let (mut before, mut vol) = (0i64, 0i64);
    // tape.c starts the first list's count at 1, so the first volume
    // with records says it owes 1 (or 0) though nothing came before.
    let mut first = true;
    // The c_tapea the next header may have: exactly, or one more too
    // (after a volume header written at an end of medium, which takes the
    // number of the record after it).
    let mut next_tapea: Option<(i64, bool)> = None;
    for recs in &set {
        // A medium that took not one whole tape block leaves an empty
        // volume; its records are on the next, which says so.
        vol += 1;
        for (i, g) in recs.iter().enumerate() {
            if let Some((n, either)) = next_tapea.as_mut() {
                if let Got::Header { tapea, kind, .. } = g
                    && *tapea != *n
                    && !(*either && *tapea == *n + 1)
                {
                    return Err(format!(
                        "volume {vol} record {i}: a type {kind} header's c_tapea is {tapea}, \
                         want {n}"
                    ));
                }
                if let Got::Header { tapea, .. } = g {
                    *n = *tapea;
                    *either = false;
                }
                *n += 1;
            }
            match *g {
                Got::Header {
                    kind: TS_TAPE,
                    volume,
                    firstrec,
                    count,
                    owed,
                    tapea,
                    ..
                } => {
                    if i != 0 || volume != vol || firstrec != before {
                        return Err(format!(
                            "volume {vol}: c_volume {volume}, c_firstrec {firstrec} \
                             (want {before})"
                        ));
                    }
                    if !(first && (count == 0 || count == 1)) && count != owed {
                        return Err(format!("volume {vol}: c_count {count}, want {owed}"));
                    }
                    first = false;
                    next_tapea = Some((tapea, true));
                }
                Got::Header { kind, ino, .. } => got.push(Expect::Header(
                    kind,
                    if kind == TS_INODE || kind == TS_ADDR {
                        ino
                    } else {
                        1000
                    },
                )),
                Got::Map => got.push(Expect::Map),
                Got::Data(s) => got.push(Expect::Data(s)),
            }
        }
        before += recs.len() as i64;
    }
    // dump's trailer is ntrec TS_END headers so that the last whole tape
    // block goes out; those that do not fill another one stay behind, and
    // an end of medium there may take more.  So the stream is what the
    // script wrote up to its trailer, then one TS_END or more.
    let end = Expect::Header(TS_END, 1000);
    let body = want.iter().rposition(|e| *e != end).map_or(0, |i| i + 1);
    if let Some(i) = got.iter().zip(&want[..body]).position(|(a, b)| a != b) {
        return Err(format!(
            "record {i} of the stream: got {:?}, want {:?}",
            got[i], want[i]
        ));
    }
    let trailer = got.get(body..).unwrap_or_default();
    if trailer.is_empty() || trailer.iter().any(|e| *e != end) {
        return Err(format!(
            "the stream has {} records: {} of the script, then {} that are not all TS_END",
            got.len(),
            body,
            trailer.len()
        ));
    }
    Ok(())
}
