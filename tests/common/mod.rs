//! Helpers shared by the integration tests: where the programs are, runs
//! with a time limit, and the check that nothing of a dump is left running
//! once it has ended (no live process in its process group, its output
//! pipes closed).
#![allow(dead_code)]

pub mod fstree;

use std::ffi::OsString;
use std::io::Read;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{ChildStdout, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn built(rel: &str) -> PathBuf {
    let p = root().join(rel);
    assert!(
        p.exists(),
        "{} is missing: run `make all` (or `make test`) first",
        p.display()
    );
    p
}

pub fn lib_so() -> PathBuf {
    built("target/release/libdumptape.so")
}

pub fn lib_a() -> PathBuf {
    built("target/release/libdumptape.a")
}

/// The shared library built for today's FreeBSD dump (make ABI=freebsd).
pub fn freebsd_lib_so() -> PathBuf {
    built("target/freebsd/release/libdumptape.so")
}

/// The front-end linked with the library.
pub fn minidump() -> PathBuf {
    built("build/minidump")
}

/// The same front-end linked with the library's shared object.
pub fn minidump_so() -> PathBuf {
    built("build/minidump-so")
}

/// dumpcheck, the checker of volume sets.
pub fn dumpcheck() -> PathBuf {
    built("target/release/dumpcheck")
}

/// dumpcheck's verdict on a set of volumes written at -b `ntrec`: its
/// report, or what it found wrong.
pub fn check_set<P: AsRef<Path>>(ntrec: usize, vols: &[P]) -> Result<String, String> {
    if vols.is_empty() {
        return Err("no volumes".into());
    }
    let out = Command::new(dumpcheck())
        .arg(format!("-b{ntrec}"))
        .args(vols.iter().map(AsRef::as_ref))
        .stdin(Stdio::null())
        .output()
        .expect("run dumpcheck");
    let msg = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    if out.status.success() {
        Ok(msg.trim().to_owned())
    } else {
        Err(msg.trim().to_owned())
    }
}

/// The LD_PRELOAD object that makes outputs end, fail or slow down
/// (tests/c/faultwrite.c).
pub fn injector() -> PathBuf {
    built("build/faultwrite.so")
}

/// The reference directory: ../shared/reference, or DUMPTAPE_REFERENCE.
pub fn reference_dir() -> PathBuf {
    match std::env::var_os("DUMPTAPE_REFERENCE") {
        Some(d) => PathBuf::from(d),
        None => root().join("../shared/reference"),
    }
}

/// The oracle: the front-end built with tape-fixed.c.  None (said loudly)
/// when the reference is absent; under CI its absence is a failure.
pub fn oracle() -> Option<PathBuf> {
    oracle_named("build/minidump-ref", "tape-fixed.c")
}

/// The original tape.c with the same front-end, to show its defects.
pub fn original() -> Option<PathBuf> {
    oracle_named("build/minidump-orig", "tape.c")
}

fn oracle_named(rel: &str, src: &str) -> Option<PathBuf> {
    let have_src = reference_dir().join(src).exists();
    let bin = root().join(rel);
    if have_src && bin.exists() {
        return Some(bin);
    }
    let why = if have_src {
        format!("{} is not built (make reference)", bin.display())
    } else {
        format!(
            "{} not found (set DUMPTAPE_REFERENCE)",
            reference_dir().join(src).display()
        )
    };
    assert!(
        std::env::var_os("CI").is_none(),
        "differential test cannot run under CI: {why}"
    );
    eprintln!("\n*** SKIPPED: {why}; this differential test did NOT run ***\n");
    None
}

/// `prog` refuses the image `disk` (relative to `base/run`): status 3, the
/// message `msg`, no volume written.  Prints the line that says it.
pub fn refuses(prog: &Path, base: &Path, what: &str, disk: &str, msg: &str) {
    let dir = base.join("run");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let e = Run::new(prog, &dir)
        .args(["-f", "out.dump", disk])
        .timeout(30)
        .run();
    assert_eq!(e.code, Some(3), "{what}: {}", e.stderr);
    assert!(
        e.stderr.contains(msg),
        "{what}: {msg:?} not in:\n{}",
        e.stderr
    );
    assert!(
        !dir.join("out.dump").exists(),
        "{what}: a volume was written"
    );
    let line = e
        .stderr
        .lines()
        .find(|l| l.contains(msg))
        .unwrap_or_default();
    println!("{what}: {}", line.trim());
}

/// A fresh directory for one test.
pub fn scratch(name: &str) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let d = std::env::temp_dir().join(format!(
        "dumptape-{}-{}-{}",
        name,
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("create scratch dir");
    d
}

/// `len` bytes of seeded noise, so every data block is distinguishable.
pub fn noise(seed: u64, len: usize) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        out.extend_from_slice(&x.to_le_bytes());
    }
    out.truncate(len);
    out
}

/// Environment that makes two runs of the front-end byte-identical.
pub const FIXED_ENV: &[(&str, &str)] = &[
    ("SOURCE_DATE_EPOCH", "1000000000"),
    ("DUMPTAPE_HOST", "testhost"),
    ("TZ", "UTC"),
];

/// Something done to a running dump: given the top-level pid and its
/// standard output (taking it closes the reading end).
pub type During = Box<dyn FnOnce(u32, &mut Option<ChildStdout>) + Send>;

/// One run of a dump program.
pub struct Run {
    pub prog: PathBuf,
    pub args: Vec<OsString>,
    pub dir: PathBuf,
    pub env: Vec<(OsString, OsString)>,
    pub answers: Option<String>,
    pub timeout: Duration,
    /// Called with the top-level pid while the dump runs; may act on it
    /// (kill a process, read part of the output ...).
    pub during: Option<During>,
}

pub struct Ended {
    /// Exit code, or None when killed by a signal.
    pub code: Option<i32>,
    pub signal: Option<i32>,
    pub stdout: Vec<u8>,
    pub stderr: String,
    pub elapsed: Duration,
}

impl Run {
    pub fn new(prog: impl Into<PathBuf>, dir: &Path) -> Run {
        Run {
            prog: prog.into(),
            args: Vec::new(),
            dir: dir.to_owned(),
            env: FIXED_ENV
                .iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
            answers: None,
            timeout: Duration::from_secs(60),
            during: None,
        }
    }

    pub fn args<I, S>(mut self, args: I) -> Run
    where
        I: IntoIterator<Item = S>,
        S: Into<OsString>,
    {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    pub fn env(mut self, k: &str, v: impl Into<OsString>) -> Run {
        self.env.push((k.into(), v.into()));
        self
    }

    pub fn answers(mut self, a: &str) -> Run {
        self.answers = Some(a.to_owned());
        self
    }

    pub fn timeout(mut self, secs: u64) -> Run {
        self.timeout = Duration::from_secs(secs);
        self
    }

    pub fn during(mut self, f: impl FnOnce(u32, &mut Option<ChildStdout>) + Send + 'static) -> Run {
        self.during = Some(Box::new(f));
        self
    }

    /// Run to the end; panics if it outlives its time or leaves anything
    /// running or holding its output open.
    pub fn run(self) -> Ended {
        let mut cmd = Command::new(&self.prog);
        cmd.args(&self.args)
            .current_dir(&self.dir)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0);
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        if let Some(a) = &self.answers {
            let f = self.dir.join(".answers");
            std::fs::write(&f, a).expect("write answers");
            cmd.env("DUMPTAPE_ANSWERS", f);
        }
        let start = Instant::now();
        let mut child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("spawn {}: {e}", self.prog.display()));
        let pid = child.id();
        let mut out = child.stdout.take();
        let mut err = child.stderr.take().expect("stderr");
        let (etx, erx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut s = Vec::new();
            let _ = err.read_to_end(&mut s);
            let _ = etx.send(s);
        });
        let (otx, orx) = mpsc::channel();
        let during = self.during;
        std::thread::spawn(move || {
            if let Some(f) = during {
                f(pid, &mut out);
            }
            let mut s = Vec::new();
            if let Some(mut out) = out {
                let _ = out.read_to_end(&mut s);
            }
            let _ = otx.send(s);
        });
        let deadline = start + self.timeout;
        let status = loop {
            if let Some(st) = child.try_wait().expect("wait") {
                break st;
            }
            if Instant::now() > deadline {
                let left = group_members(pid);
                kill_group(pid);
                let _ = child.wait();
                panic!(
                    "{} {:?} ran over {:?}; processes: {left:?}",
                    self.prog.display(),
                    self.args,
                    self.timeout
                );
            }
            std::thread::sleep(Duration::from_millis(5));
        };
        let elapsed = start.elapsed();
        // The top-level process is gone; the rest must follow promptly.
        let grace = Instant::now() + Duration::from_secs(5);
        while !group_members(pid).is_empty() && Instant::now() < grace {
            std::thread::sleep(Duration::from_millis(10));
        }
        let left = group_members(pid);
        if !left.is_empty() {
            kill_group(pid);
            panic!(
                "{} {:?} left processes running: {left:?}",
                self.prog.display(),
                self.args
            );
        }
        let stdout = orx
            .recv_timeout(Duration::from_secs(5))
            .expect("standard output still held open after the dump ended");
        let stderr = erx
            .recv_timeout(Duration::from_secs(5))
            .expect("standard error still held open after the dump ended");
        Ended {
            code: status.code(),
            signal: status.signal(),
            stdout,
            stderr: String::from_utf8_lossy(&stderr).into_owned(),
            elapsed,
        }
    }
}

/// A live (not zombie) process, from /proc/PID/stat.
struct Proc {
    pid: u32,
    state: char,
    ppid: u32,
    pgrp: u32,
}

/// Every live process.
fn live_processes() -> Vec<Proc> {
    let mut out = Vec::new();
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return out;
    };
    for e in dir.flatten() {
        let Ok(pid) = e.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(e.path().join("stat")) else {
            continue;
        };
        // pid (comm) state ppid pgrp ...: comm may hold spaces.
        let Some(close) = stat.rfind(')') else {
            continue;
        };
        let f: Vec<&str> = stat[close + 1..].split_whitespace().collect();
        if f.len() < 3 {
            continue;
        }
        let state = f[0].chars().next().unwrap_or('?');
        if state != 'Z' {
            out.push(Proc {
                pid,
                state,
                ppid: f[1].parse().unwrap_or(0),
                pgrp: f[2].parse().unwrap_or(0),
            });
        }
    }
    out
}

/// Live (not zombie) processes of process group `pgid`: pid, state, ppid.
pub fn group_members(pgid: u32) -> Vec<(u32, char, u32)> {
    live_processes()
        .into_iter()
        .filter(|p| p.pgrp == pgid)
        .map(|p| (p.pid, p.state, p.ppid))
        .collect()
}

/// Children of `pid` (live ones).
pub fn children(pid: u32) -> Vec<u32> {
    live_processes()
        .into_iter()
        .filter(|p| p.ppid == pid)
        .map(|p| p.pid)
        .collect()
}

pub fn kill_group(pgid: u32) {
    signal_group(pgid, libc::SIGKILL);
}

/// Send `sig` to every process of group `pgid`.
pub fn signal_group(pgid: u32, sig: i32) {
    if let Ok(s) = nix::sys::signal::Signal::try_from(sig) {
        let _ = nix::sys::signal::killpg(nix::unistd::Pid::from_raw(pgid as i32), s);
    }
}

pub fn kill(pid: u32, sig: i32) {
    if let Ok(s) = nix::sys::signal::Signal::try_from(sig) {
        let _ = nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid as i32), s);
    }
}

/// One dump program's run on a scenario, for comparing two programs.
pub struct Side {
    pub ended: Ended,
    /// Each volume's name and bytes, in order ("-" for standard output).
    pub volumes: Vec<(String, Vec<u8>)>,
}

/// A scenario: a data file, arguments, answers, and the volume names.
#[derive(Clone)]
pub struct Scenario {
    pub seed: u64,
    pub disk_bytes: usize,
    pub args: Vec<String>,
    pub answers: Option<String>,
    pub env: Vec<(String, String)>,
    /// Volume files to collect after the run, in order.
    pub volumes: Vec<String>,
    pub timeout: u64,
}

impl Scenario {
    pub fn new(args: &[&str]) -> Scenario {
        Scenario {
            seed: 1,
            disk_bytes: 6 << 20,
            args: args.iter().map(|s| s.to_string()).collect(),
            answers: None,
            env: Vec::new(),
            volumes: vec!["out.dump".into()],
            timeout: 120,
        }
    }

    /// Output to a list of `n` volume files v001,v002,...
    pub fn volume_list(mut self, n: usize) -> Scenario {
        self.volumes = (1..=n).map(|i| format!("v{i:03}")).collect();
        self.args.push("-f".into());
        self.args.push(self.volumes.join(","));
        self
    }

    pub fn run(&self, prog: &Path, dir: &Path) -> Side {
        std::fs::create_dir_all(dir).unwrap();
        let disk = dir.join("disk.img");
        if !disk.exists() {
            std::fs::write(&disk, noise(self.seed, self.disk_bytes)).unwrap();
        }
        for v in &self.volumes {
            let _ = std::fs::remove_file(dir.join(v));
        }
        let mut run = Run::new(prog, dir)
            .args(&self.args)
            .args(["disk.img"])
            .timeout(self.timeout);
        for (k, v) in &self.env {
            run = run.env(k, v);
        }
        if let Some(a) = &self.answers {
            run = run.answers(a);
        }
        let ended = run.run();
        let volumes = if self.args.iter().any(|a| a == "-") {
            vec![("-".into(), ended.stdout.clone())]
        } else {
            self.volumes
                .iter()
                .filter_map(|v| std::fs::read(dir.join(v)).ok().map(|b| (v.clone(), b)))
                .collect()
        };
        Side { ended, volumes }
    }
}

/// Messages with the parts that may differ between two correct runs
/// masked: process ids; the count in "write error N blocks", which in
/// tape.c is whatever the master had flushed when the slave's signal came;
/// and the estimate of today's dump ("N% done, finished in H:MM at
/// <date>"), which is reckoned from the clock.
pub fn masked(stderr: &str) -> String {
    stderr
        .lines()
        .map(|l| match l.find("% done, finished in ") {
            Some(i) => format!("{}% done, finished in T", &l[..i]),
            None => l.to_string(),
        })
        .map(|l| {
            let mut out = String::new();
            let mut words = l.split(' ').peekable();
            let mut prev = "";
            while let Some(w) = words.next() {
                let masked = matches!(prev, "Child" | "Parent" | "child" | "error")
                    && w.chars().all(|c| c.is_ascii_digit())
                    && !w.is_empty();
                out.push_str(if masked { "N" } else { w });
                if words.peek().is_some() {
                    out.push(' ');
                }
                prev = w;
            }
            out
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Two runs of one dump are the same: exit status, messages (masked) and
/// every volume's bytes.  Panics naming the first difference.
pub fn assert_same(
    what: &str,
    lib: (&Ended, &[(String, Vec<u8>)]),
    orc: (&Ended, &[(String, Vec<u8>)]),
) {
    assert_eq!(
        lib.0.code, orc.0.code,
        "{what}: exit status\nlibrary:\n{}\noracle:\n{}",
        lib.0.stderr, orc.0.stderr
    );
    let (lm, om) = (masked(&lib.0.stderr), masked(&orc.0.stderr));
    if lm != om {
        let d = lm.lines().zip(om.lines()).find(|(a, b)| a != b);
        panic!("{what}: messages differ: {d:?}\nlibrary:\n{lm}\noracle:\n{om}");
    }
    assert_eq!(lib.1.len(), orc.1.len(), "{what}: number of volumes");
    for ((n, a), (_, b)) in lib.1.iter().zip(orc.1) {
        if a != b {
            let at = a
                .iter()
                .zip(b)
                .position(|(x, y)| x != y)
                .unwrap_or(a.len().min(b.len()));
            panic!(
                "{what}: volume {n} differs from the oracle's from byte {at} \
                 (library {} bytes, oracle {})",
                a.len(),
                b.len()
            );
        }
    }
}

/// The two C interfaces the library is built with, each with its
/// front-end (c-shim/minidump built for it), its oracle and its original.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Abi {
    /// The 1998 tape.c's (the default build).
    Bsd1998,
    /// Today's FreeBSD tape.c's (make ABI=freebsd).
    FreeBsd,
}

/// Both interfaces, for the tests that run under each.
pub const ABIS: [Abi; 2] = [Abi::Bsd1998, Abi::FreeBsd];

impl Abi {
    pub fn name(self) -> &'static str {
        match self {
            Abi::Bsd1998 => "1998",
            Abi::FreeBsd => "freebsd",
        }
    }

    /// The front-end linked with the library.
    pub fn minidump(self) -> PathBuf {
        match self {
            Abi::Bsd1998 => minidump(),
            Abi::FreeBsd => freebsd_minidump(),
        }
    }

    /// The oracle (the reference tape-fixed.c): None, said loudly, when
    /// the reference is absent; under CI its absence is a failure.
    pub fn oracle(self) -> Option<PathBuf> {
        match self {
            Abi::Bsd1998 => oracle(),
            Abi::FreeBsd => oracle_named("build/freebsd/minidump-ref", "freebsd/tape-fixed.c"),
        }
    }

    /// The original tape.c, to show its defects.
    pub fn original(self) -> Option<PathBuf> {
        match self {
            Abi::Bsd1998 => original(),
            Abi::FreeBsd => oracle_named("build/freebsd/minidump-orig", "freebsd/tape.c"),
        }
    }

    /// dumpcheck's verdict on a set this interface wrote.
    pub fn check_set<P: AsRef<Path>>(self, ntrec: usize, vols: &[P]) -> Result<String, String> {
        match self {
            Abi::Bsd1998 => check_set(ntrec, vols),
            Abi::FreeBsd => check_set_freebsd(ntrec, vols),
        }
    }

    /// What the ring's processes are called in this tape.c's messages.
    pub fn word(self) -> &'static str {
        match self {
            Abi::Bsd1998 => "slave",
            Abi::FreeBsd => "worker",
        }
    }
}

/// Library and oracle on one scenario: same status, messages and volumes.
/// The library's side is returned for further checks.
pub fn same_as_oracle(name: &str, s: &Scenario) -> Option<Side> {
    same_as_oracle_in(Abi::Bsd1998, name, s)
}

/// The same under interface `abi`.
pub fn same_as_oracle_in(abi: Abi, name: &str, s: &Scenario) -> Option<Side> {
    let oracle = abi.oracle()?;
    let base = scratch(name);
    let lib = s.run(&abi.minidump(), &base.join("lib"));
    let orc = s.run(&oracle, &base.join("ref"));
    assert_same(name, (&lib.ended, &lib.volumes), (&orc.ended, &orc.volumes));
    let _ = std::fs::remove_dir_all(&base);
    Some(lib)
}

// ------------------------------------------------------------------ today's FreeBSD ABI

/// The front-end built for today's FreeBSD dump with the reference
/// FreeBSD tape-fixed.c: the oracle of that ABI.  Its tests run it and
/// nothing else, so a missing one fails them (it is never a skip).
pub fn freebsd_oracle() -> PathBuf {
    let src = reference_dir().join("freebsd/tape-fixed.c");
    assert!(
        src.exists(),
        "{} not found (set DUMPTAPE_REFERENCE): the FreeBSD ABI's tests need it",
        src.display()
    );
    let bin = root().join("build/freebsd/minidump-ref");
    assert!(
        bin.exists(),
        "{} is not built: run `make reference` (or `make test`)",
        bin.display()
    );
    bin
}

/// The same front-end with the unmodified FreeBSD tape.c, which the
/// oracle corrects: where no correction applies the two must agree.
pub fn freebsd_original() -> PathBuf {
    let src = reference_dir().join("freebsd/tape.c");
    assert!(
        src.exists(),
        "{} not found (set DUMPTAPE_REFERENCE)",
        src.display()
    );
    let bin = root().join("build/freebsd/minidump-orig");
    assert!(
        bin.exists(),
        "{} is not built: run `make reference` (or `make test`)",
        bin.display()
    );
    bin
}

/// The front-end linked with the library's FreeBSD interface.
pub fn freebsd_minidump() -> PathBuf {
    built("build/freebsd/minidump")
}

/// The dump programs of the FreeBSD ABI that every FreeBSD scenario runs,
/// the oracle first: each later one (the library) must write the
/// oracle's bytes and messages.
pub fn freebsd_dumpers() -> Vec<PathBuf> {
    vec![freebsd_oracle(), freebsd_minidump()]
}

pub use dumptape::format::{CHECKSUM, FS_UFS2_MAGIC};
use dumptape::format::{Field, Header, Layout};

const fn ufs2(f: Field) -> usize {
    Layout::Ufs2.place(f).0
}

const fn bsd44(f: Field) -> usize {
    Layout::Bsd44.place(f).0
}

/// Today's 64-bit header fields: c_date, c_ddate, c_tapea, c_firstrec.
pub const C_DATE64: usize = ufs2(Field::Date);
pub const C_DDATE64: usize = ufs2(Field::Ddate);
pub const C_TAPEA64: usize = ufs2(Field::Tapea);
pub const C_FIRSTREC64: usize = ufs2(Field::Firstrec);
/// Their 32-bit slots of 1998, which today's dump leaves 0.
pub const OLD_SLOTS: [(usize, usize); 4] = [
    (bsd44(Field::Date), C_DATE64),
    (bsd44(Field::Ddate), C_DDATE64),
    (bsd44(Field::Tapea), C_TAPEA64),
    (bsd44(Field::Firstrec), C_FIRSTREC64),
];

/// A 32-bit word of a record, in this host's byte order.
pub fn word(rec: &[u8], off: usize) -> i32 {
    i32::from_ne_bytes(rec[off..off + 4].try_into().unwrap())
}

/// A 64-bit field of a record, in this host's byte order.
pub fn word64(rec: &[u8], off: usize) -> i64 {
    i64::from_ne_bytes(rec[off..off + 8].try_into().unwrap())
}

/// A whole header of today's format: its magic and its checksum.
pub fn is_freebsd_header(rec: &[u8]) -> bool {
    let h = Header::new(rec, Layout::Ufs2, false);
    h.get(Field::Magic) == i64::from(FS_UFS2_MAGIC) && h.sum() == CHECKSUM
}

/// The verdict on a volume set of today's FreeBSD format: dumpcheck reads
/// it as it reads the 1998 one, besides the format's own rules (the 1998
/// places of the dates, c_tapea and c_firstrec left 0) and the way today's
/// restore enters a volume (by c_tapea inside a file, by c_count
/// elsewhere).  c_flags must be 0 too: today's dump sets no flag.
pub fn check_set_freebsd<P: AsRef<Path>>(ntrec: usize, vols: &[P]) -> Result<String, String> {
    for (i, v) in vols.iter().enumerate() {
        let v = v.as_ref();
        let bytes = std::fs::read(v).map_err(|e| format!("{}: {e}", v.display()))?;
        for (r, rec) in bytes.chunks_exact(1024).enumerate() {
            if is_freebsd_header(rec) && word(rec, ufs2(Field::Flags)) != 0 {
                return Err(format!(
                    "volume {} ({}), record {r}: c_flags is {}, expected 0",
                    i + 1,
                    v.display(),
                    word(rec, ufs2(Field::Flags))
                ));
            }
        }
    }
    let report = check_set(ntrec, vols)?;
    // A medium that ends at once leaves its volume empty: the set starts
    // on the first volume that holds anything.
    let first = vols
        .iter()
        .filter_map(|v| std::fs::read(v.as_ref()).ok())
        .find(|b| !b.is_empty());
    if !first.is_some_and(|b| b.len() >= 1024 && is_freebsd_header(&b[..1024])) {
        return Err(format!("not today's format (FS_UFS2_MAGIC): {report}"));
    }
    Ok(report)
}
