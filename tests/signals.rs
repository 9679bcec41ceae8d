//! dump's own signal handlers call back into the library at any instant:
//! main.c's sig() (SIGHUP, SIGTERM before the ring, SIGALRM once the
//! operator has been asked something, ...) calls close_rewind() and exits
//! X_REWRITE, and the volume's checkpoint writes it again; optr.c's
//! interrupt() asks whether to abort on SIGINT.  Each case sends one
//! signal at many instants to a dump slowed down by build/faultwrite.so
//! (DUMPTAPE_SLOW), so that it lands in different code each time: a
//! slave's write, the master's wait, a volume change, a replay, the open
//! of a volume.  The library must end as the case says (a rewritten
//! volume and a whole dump with the bytes of an uninterrupted one, or an
//! abort), in bounded time with nothing left running.  The oracle goes
//! through the same instants; what it does is printed, not required.

mod common;

use common::{Abi, Ended, Run, children, noise, scratch};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Instants per case.
const INSTANTS: usize = 20;
/// Runs of one program at once (they mostly sleep in the slow writes).
const AT_ONCE: usize = 5;
/// Microseconds each slowed write of a record takes.
const SLOW_WRITE: u64 = 3000;

/// Who gets the signal.
#[derive(Clone, Copy, Debug, PartialEq)]
enum To {
    /// The process writing the current volume.
    Volume,
    /// Every process of the dump, as a terminal sends a hangup or ^C.
    Group,
}

/// What the library must make of a case.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Expect {
    /// Finish with status 0 and the bytes of the uninterrupted dump.
    Whole,
    /// Abort: status 3, "The ENTIRE dump is aborted.".
    Aborted,
    /// Either of the two, never anything else (a group hangup: the
    /// operator's answers decide).
    WholeOrAborted,
}

/// When, from the moment the dump's first volume process exists.
#[derive(Clone, Copy, Debug)]
enum From {
    /// That moment.
    Start,
    /// Once the volume has its three slaves.
    Ring,
}

#[derive(Clone)]
struct Case {
    name: &'static str,
    /// The interface the front-end and the oracle are built for.
    abi: Abi,
    args: Vec<String>,
    /// Volume files to collect ("out.dump", or a list).
    volumes: Vec<String>,
    slow: String,
    fault: Option<String>,
    answers: String,
    /// Create the output first (tape.c's rewind of a volume that was never
    /// opened waits for the file to exist).
    precreate: bool,
    sig: i32,
    to: To,
    from: From,
    /// A signal sent first, and how long before the sweep's signal: the
    /// question it raises makes dump take SIGALRM like a hangup.
    prelude: Option<(i32, Duration)>,
    /// The instants, after `from`.
    instants: Vec<Duration>,
    expect: Expect,
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

/// `n` instants spread over `span`, starting at `first`.
fn spread(first: Duration, span: Duration, n: usize) -> Vec<Duration> {
    (0..n)
        .map(|k| first + span.mul_f64(k as f64 / n as f64))
        .collect()
}

const YES: &str = "yes\nyes\nyes\nyes\nyes\nyes\nyes\nyes\nyes\nyes\n";

/// A single volume of ~400 records of 10 KB, each write slowed by 3 ms:
/// about 1.2 s of writing.
fn one_volume(name: &'static str, sig: i32, to: To, expect: Expect) -> Case {
    Case {
        name,
        abi: Abi::Bsd1998,
        args: strings(&["-a", "-b", "10", "-N", "100", "-M", "600", "-f", "out.dump"]),
        volumes: strings(&["out.dump"]),
        slow: format!("{SLOW_WRITE}:out.dump"),
        fault: None,
        answers: YES.into(),
        precreate: false,
        sig,
        to,
        from: From::Start,
        prelude: None,
        instants: spread(
            Duration::from_millis(5),
            Duration::from_millis(1300),
            INSTANTS,
        ),
        expect,
    }
}

/// Five volumes of 100 records (-B 1000) along a list of outputs.
fn volume_list() -> Vec<String> {
    (1..=5).map(|i| format!("v{i:03}")).collect()
}

/// One run's outcome.
struct Outcome {
    ended: Ended,
    volumes: Vec<Vec<u8>>,
    dir: PathBuf,
}

/// Run `prog` on case `c`, the signal sent `at` (None: not at all).
fn run(prog: &Path, c: &Case, base: &Path, tag: &str, at: Option<Duration>, limit: u64) -> Outcome {
    let dir = base.join(tag);
    std::fs::create_dir_all(&dir).unwrap();
    if c.precreate {
        for v in &c.volumes {
            std::fs::write(dir.join(v), b"").unwrap();
        }
    }
    let mut r = Run::new(prog, &dir)
        .args(&c.args)
        .args(["../disk.img"])
        .answers(&c.answers)
        .env("LD_PRELOAD", common::injector())
        .env("DUMPTAPE_SLOW", &c.slow)
        .env("DUMPTAPE_FAULT_DIR", &dir)
        .timeout(limit);
    if let Some(f) = &c.fault {
        r = r.env("DUMPTAPE_FAULT", f);
    }
    if let Some(at) = at {
        let (sig, to, from, prelude) = (c.sig, c.to, c.from, c.prelude);
        r = r.during(move |top, _| {
            let Some(first) = wait_volume(top, from) else {
                return;
            };
            let t0 = Instant::now();
            if let Some((pre, gap)) = prelude {
                common::kill(first, pre);
                std::thread::sleep(gap);
            }
            std::thread::sleep(at.saturating_sub(t0.elapsed()));
            match to {
                To::Volume => {
                    if let Some(p) = volume_process(top) {
                        common::kill(p, sig);
                    }
                }
                To::Group => common::signal_group(top, sig),
            }
        });
    }
    let ended = r.run();
    let volumes = c
        .volumes
        .iter()
        .map(|v| std::fs::read(dir.join(v)).unwrap_or_default())
        .collect();
    Outcome {
        ended,
        volumes,
        dir,
    }
}

/// The first volume's process once it exists (and, for `From::Ring`, once
/// it has its slaves).
fn wait_volume(top: u32, from: From) -> Option<u32> {
    let end = Instant::now() + Duration::from_secs(20);
    while Instant::now() < end {
        if let Some(&v) = children(top).first() {
            match from {
                From::Start => return Some(v),
                From::Ring if children(v).len() == 3 => return Some(v),
                From::Ring => {}
            }
        }
        std::thread::sleep(Duration::from_micros(200));
    }
    None
}

/// The process writing the current volume: down the chain of checkpoints
/// from the top, each of which has one child, the next volume's process.
/// (A volume process has no children yet, or its three slaves.)
fn volume_process(top: u32) -> Option<u32> {
    let mut p = top;
    for _ in 0..64 {
        let c = children(p);
        if c.len() != 1 {
            return (p != top).then_some(p);
        }
        p = c[0];
    }
    None
}

fn sound(abi: Abi, o: &Outcome, ntrec: usize) -> Result<String, String> {
    abi.check_set(ntrec, &o.volumes_paths())
}

impl Outcome {
    fn volumes_paths(&self) -> Vec<PathBuf> {
        // Volumes past the last one written are empty: leave them out.
        let mut v: Vec<PathBuf> = Vec::new();
        let names: Vec<_> = std::fs::read_dir(&self.dir)
            .map(|d| d.flatten().map(|e| e.file_name()).collect())
            .unwrap_or_default();
        let mut names: Vec<String> = names
            .iter()
            .map(|n| n.to_string_lossy().into_owned())
            .filter(|n| n == "out.dump" || n.starts_with('v'))
            .collect();
        names.sort();
        for n in names {
            let p = self.dir.join(&n);
            if std::fs::metadata(&p).is_ok_and(|m| m.len() > 0) {
                v.push(p);
            }
        }
        v
    }
}

/// What the oracle did at one instant.
#[derive(Default, Debug)]
struct OracleTally {
    identical: usize,
    different: usize,
    status: Vec<Option<i32>>,
    /// Ran over its time, or left processes running.
    hung: usize,
}

/// Run the whole case: the uninterrupted dumps first, then every instant
/// with the library and with the oracle.
fn sweep(c: Case) {
    let base = scratch(&format!("sig-{}", c.name));
    std::fs::write(base.join("disk.img"), noise(19, 8 << 20)).unwrap();
    let ntrec: usize = c
        .args
        .iter()
        .position(|a| a == "-b")
        .map_or(10, |i| c.args[i + 1].parse().unwrap());

    let lib_prog = c.abi.minidump();
    let lib_clean = run(&lib_prog, &c, &base, "lib-clean", None, 60);
    assert_eq!(
        lib_clean.ended.code,
        Some(0),
        "{}: uninterrupted: {}",
        c.name,
        lib_clean.ended.stderr
    );
    sound(c.abi, &lib_clean, ntrec).unwrap_or_else(|e| panic!("{}: uninterrupted: {e}", c.name));
    let oracle = c.abi.oracle();
    let expected = match &oracle {
        Some(o) => {
            let orc = run(o, &c, &base, "ref-clean", None, 60);
            assert_eq!(
                orc.ended.code,
                Some(0),
                "{}: oracle: {}",
                c.name,
                orc.ended.stderr
            );
            assert!(
                orc.volumes == lib_clean.volumes,
                "{}: uninterrupted dumps differ from the oracle's",
                c.name
            );
            orc.volumes
        }
        None => lib_clean.volumes.clone(),
    };

    let mut lib_results = Vec::new();
    let mut orc_tally = OracleTally::default();
    for chunk in c.instants.chunks(AT_ONCE) {
        std::thread::scope(|s| {
            let lib: Vec<_> = chunk
                .iter()
                .enumerate()
                .map(|(k, &at)| {
                    let c = &c;
                    let base = &base;
                    let lib_prog = &lib_prog;
                    s.spawn(move || {
                        let tag = format!("lib-{}", at.as_micros());
                        let o = run(lib_prog, c, base, &tag, Some(at), 60);
                        (k, at, o)
                    })
                })
                .collect();
            let orc: Vec<_> = match &oracle {
                Some(prog) => chunk
                    .iter()
                    .map(|&at| {
                        let c = &c;
                        let base = &base;
                        s.spawn(move || {
                            let tag = format!("ref-{}", at.as_micros());
                            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                                run(prog, c, base, &tag, Some(at), 15)
                            }))
                            .ok()
                        })
                    })
                    .collect(),
                None => Vec::new(),
            };
            for h in lib {
                lib_results.push(h.join().expect("library run"));
            }
            for h in orc {
                match h.join().ok().flatten() {
                    None => orc_tally.hung += 1,
                    Some(o) if o.ended.code == Some(0) && o.volumes == expected => {
                        orc_tally.identical += 1
                    }
                    Some(o) if o.ended.code == Some(0) => orc_tally.different += 1,
                    Some(o) => orc_tally.status.push(o.ended.code),
                }
            }
        });
    }

    let (mut whole, mut aborted, mut rewritten) = (0, 0, 0);
    let mut landed = std::collections::BTreeMap::new();
    for (_, at, o) in &lib_results {
        *landed.entry(after_what(&o.ended.stderr)).or_insert(0) += 1;
        let what = format!("{} at {at:?}", c.name);
        let e = &o.ended;
        match e.code {
            Some(0) => {
                assert!(
                    c.expect != Expect::Aborted,
                    "{what}: finished, but must abort\n{}",
                    e.stderr
                );
                if let Some(i) = o.volumes.iter().zip(&expected).position(|(a, b)| a != b) {
                    panic!(
                        "{what}: volume {} differs from the uninterrupted dump's\n{}",
                        i + 1,
                        e.stderr
                    );
                }
                sound(c.abi, o, ntrec).unwrap_or_else(|why| panic!("{what}: {why}\n{}", e.stderr));
                whole += 1;
                if e.stderr.contains("Rewriting attempted") {
                    rewritten += 1;
                }
            }
            Some(3) => {
                assert!(
                    c.expect != Expect::Whole,
                    "{what}: status 3, but must finish\n{}",
                    e.stderr
                );
                assert!(
                    e.stderr.contains("The ENTIRE dump is aborted."),
                    "{what}: {}",
                    e.stderr
                );
                aborted += 1;
            }
            _ => panic!(
                "{what}: status {:?}, signal {:?}\n{}",
                e.code, e.signal, e.stderr
            ),
        }
        assert!(
            !e.stderr.contains("panicked") && !e.stderr.contains("RUST_BACKTRACE"),
            "{what}: a panic reached the operator\n{}",
            e.stderr
        );
        assert!(
            e.elapsed < Duration::from_secs(30),
            "{what}: took {:?}",
            e.elapsed
        );
    }
    println!(
        "{}: {} instants: library finished whole {whole} times ({rewritten} after \
         rewriting a volume), aborted {aborted}; oracle: {orc_tally:?}",
        c.name,
        lib_results.len()
    );
    println!(
        "{}: the library's first word on the signal came after: {landed:?}",
        c.name
    );
    assert_eq!(lib_results.len(), c.instants.len());
    if c.expect == Expect::Whole && matches!(c.sig, libc::SIGHUP | libc::SIGTERM | libc::SIGALRM) {
        assert!(
            rewritten >= c.instants.len() / 2,
            "{}: only {rewritten} runs rewrote a volume: the signal missed",
            c.name
        );
    }
    let _ = std::fs::remove_dir_all(&base);
}

/// The message the library (or dump) printed last before its first word
/// on the signal: where in the dump the signal landed, roughly.
fn after_what(stderr: &str) -> String {
    let lines: Vec<&str> = stderr.lines().collect();
    let first = lines.iter().position(|l| {
        l.contains("Rewriting attempted")
            || l.contains("Interrupt received.")
            || l.contains("The ENTIRE dump is aborted.")
    });
    match first {
        None => "(no word on it)".into(),
        Some(0) => "(nothing)".into(),
        Some(i) => lines[i - 1]
            .trim_start_matches("  DUMP: ")
            .chars()
            .map(|c| if c.is_ascii_digit() { 'N' } else { c })
            .collect(),
    }
}

#[test]
fn hangup_to_the_volume_process() {
    sweep(one_volume(
        "hup-volume",
        libc::SIGHUP,
        To::Volume,
        Expect::Whole,
    ));
}

/// Unslowed, on more data: the master is mostly at work, not waiting.
#[test]
fn hangup_to_a_busy_volume_process() {
    sweep(busy_volume_process());
}

fn busy_volume_process() -> Case {
    let mut c = one_volume("hup-busy", libc::SIGHUP, To::Volume, Expect::Whole);
    c.args = strings(&[
        "-a", "-b", "10", "-N", "400", "-M", "4000", "-f", "out.dump",
    ]);
    c.slow = "0".into();
    c.from = From::Ring;
    c.instants = spread(Duration::ZERO, Duration::from_millis(60), INSTANTS);
    c
}

/// Before the ring exists SIGTERM is still dump's sig(): the volume
/// process is kept in the open of its output (slowed by 400 ms).
#[test]
fn terminate_before_the_ring() {
    sweep(before_the_ring());
}

fn before_the_ring() -> Case {
    let mut c = one_volume("term-open", libc::SIGTERM, To::Volume, Expect::Whole);
    c.slow = format!("{SLOW_WRITE},400000:out.dump");
    c.precreate = true;
    c.instants = spread(
        Duration::from_millis(10),
        Duration::from_millis(300),
        INSTANTS,
    );
    c
}

/// dump takes SIGALRM like a hangup once it has asked the operator
/// something: here the operator interrupts, and says not to abort.
#[test]
fn alarm_after_a_question() {
    sweep(after_a_question(Duration::from_millis(1100)));
}

/// The instants span `span` from 150 ms on, 50 ms after the interrupt.
fn after_a_question(span: Duration) -> Case {
    let mut c = one_volume("alrm-volume", libc::SIGALRM, To::Volume, Expect::Whole);
    c.answers = format!("no\n{YES}");
    c.prelude = Some((libc::SIGINT, Duration::from_millis(100)));
    c.instants = spread(Duration::from_millis(150), span, INSTANTS);
    c
}

#[test]
fn hangup_in_a_later_volume() {
    sweep(in_a_later_volume(Duration::from_millis(1100)));
}

/// The instants span `span` from 300 ms on, past the first volume.
fn in_a_later_volume(span: Duration) -> Case {
    let vols = volume_list();
    let mut c = one_volume("hup-later", libc::SIGHUP, To::Volume, Expect::Whole);
    c.args = strings(&["-b", "10", "-B", "1000", "-N", "100", "-M", "600", "-f"]);
    c.args.push(vols.join(","));
    c.slow = format!("{SLOW_WRITE}:v0");
    c.volumes = vols;
    c.instants = spread(Duration::from_millis(300), span, INSTANTS);
    c
}

/// The medium ends 150 records into the first volume (about 0.45 s in):
/// signals around it land in the drain, the volume change and the replay.
fn around_an_end_of_medium() -> Case {
    let vols = volume_list();
    let mut c = one_volume("hup-eot", libc::SIGHUP, To::Volume, Expect::Whole);
    c.args = strings(&["-a", "-b", "10", "-N", "100", "-M", "600", "-f"]);
    c.args.push(vols.join(","));
    c.slow = format!("{SLOW_WRITE}:v0");
    c.fault = Some(format!("eot:{}:v001", 150 * 10240));
    c.volumes = vols;
    c.instants = spread(
        Duration::from_millis(380),
        Duration::from_millis(200),
        INSTANTS,
    );
    c
}

#[test]
fn hangup_around_an_end_of_medium() {
    sweep(around_an_end_of_medium());
}

#[test]
fn interrupt_answered_no() {
    let mut c = one_volume("int-no", libc::SIGINT, To::Volume, Expect::Whole);
    c.answers = "no\n".into();
    sweep(c);
}

/// The instants of a case that must abort: while there is still
/// something to write (a signal after the last record may let the dump
/// finish).
fn while_writing() -> Vec<Duration> {
    spread(
        Duration::from_millis(5),
        Duration::from_millis(1000),
        INSTANTS,
    )
}

/// The same for today's front-end, which writes a smaller dump of the
/// same data (about 0.93 s of slowed writes).
fn while_writing_today() -> Vec<Duration> {
    spread(
        Duration::from_millis(5),
        Duration::from_millis(800),
        INSTANTS,
    )
}

fn interrupt_yes() -> Case {
    let mut c = one_volume("int-yes", libc::SIGINT, To::Volume, Expect::Aborted);
    c.answers = "yes\n".into();
    c.instants = while_writing();
    c
}

#[test]
fn interrupt_answered_yes() {
    sweep(interrupt_yes());
}

/// ^C at the terminal: every process gets it; only the volume's asks.
fn interrupt_group() -> Case {
    let mut c = one_volume("int-group", libc::SIGINT, To::Group, Expect::Whole);
    c.answers = "no\n".into();
    c
}

#[test]
fn interrupt_to_the_group() {
    sweep(interrupt_group());
}

#[test]
fn terminate_after_the_ring() {
    let mut c = one_volume("term-ring", libc::SIGTERM, To::Volume, Expect::Aborted);
    c.from = From::Ring;
    c.instants = while_writing();
    sweep(c);
}

/// A terminal hangup: every process of the dump gets SIGHUP.  tape.c
/// hangs there for ever; the library rewrites the volume (the operator
/// says yes) and finishes, or aborts, but never exits 2 or hangs.
#[test]
fn hangup_to_the_group() {
    sweep(one_volume(
        "hup-group",
        libc::SIGHUP,
        To::Group,
        Expect::WholeOrAborted,
    ));
}

/// The same cases under today's FreeBSD interface, against its own
/// oracle, with the instants of the cases that depend on the dump's
/// length brought inside its shorter dump.
fn freebsd(mut c: Case, name: &'static str) -> Case {
    c.abi = Abi::FreeBsd;
    c.name = name;
    c
}

#[test]
fn freebsd_hangup_to_the_volume_process() {
    let c = one_volume("", libc::SIGHUP, To::Volume, Expect::Whole);
    sweep(freebsd(c, "fb-hup-volume"));
}

#[test]
fn freebsd_hangup_to_the_group() {
    let c = one_volume("", libc::SIGHUP, To::Group, Expect::WholeOrAborted);
    sweep(freebsd(c, "fb-hup-group"));
}

#[test]
fn freebsd_interrupt_answered_no() {
    let mut c = one_volume("", libc::SIGINT, To::Volume, Expect::Whole);
    c.answers = "no\n".into();
    sweep(freebsd(c, "fb-int-no"));
}

#[test]
fn freebsd_terminate_after_the_ring() {
    let mut c = one_volume("", libc::SIGTERM, To::Volume, Expect::Aborted);
    c.from = From::Ring;
    // Today's front-end writes a smaller dump of the same data (about
    // 0.93 s of slowed writes): the instants stop well before its end.
    c.instants = while_writing_today();
    sweep(freebsd(c, "fb-term-ring"));
}

#[test]
fn freebsd_hangup_to_a_busy_volume_process() {
    sweep(freebsd(busy_volume_process(), "fb-hup-busy"));
}

#[test]
fn freebsd_terminate_before_the_ring() {
    sweep(freebsd(before_the_ring(), "fb-term-open"));
}

#[test]
fn freebsd_alarm_after_a_question() {
    let c = after_a_question(Duration::from_millis(700));
    sweep(freebsd(c, "fb-alrm-volume"));
}

#[test]
fn freebsd_hangup_in_a_later_volume() {
    let c = in_a_later_volume(Duration::from_millis(700));
    sweep(freebsd(c, "fb-hup-later"));
}

#[test]
fn freebsd_interrupt_answered_yes() {
    let mut c = interrupt_yes();
    c.instants = while_writing_today();
    sweep(freebsd(c, "fb-int-yes"));
}

#[test]
fn freebsd_interrupt_to_the_group() {
    sweep(freebsd(interrupt_group(), "fb-int-group"));
}

#[test]
fn freebsd_hangup_around_an_end_of_medium() {
    sweep(freebsd(around_an_end_of_medium(), "fb-hup-eot"));
}

/// Where a run at the volume change question stands (Linux: /proc).
#[cfg(target_os = "linux")]
mod question {
    use super::*;
    use std::io::Write;
    use std::sync::{Arc, Mutex};

    /// `pid` sleeps in read(2) on the answers: waiting for the operator.
    fn asking(pid: u32, answers: &Path) -> bool {
        let Ok(s) = std::fs::read_to_string(format!("/proc/{pid}/syscall")) else {
            return false;
        };
        let mut f = s.split_whitespace();
        if f.next() != Some(&libc::SYS_read.to_string()) {
            return false;
        }
        let Some(fd) = f
            .next()
            .and_then(|x| i64::from_str_radix(x.trim_start_matches("0x"), 16).ok())
        else {
            return false;
        };
        std::fs::read_link(format!("/proc/{pid}/fd/{fd}")).is_ok_and(|l| l == answers)
    }

    fn gone(top: u32) -> bool {
        std::fs::read_to_string(format!("/proc/{top}/stat")).map_or(true, |s| {
            s.rsplit(')')
                .next()
                .is_some_and(|r| r.trim_start().starts_with('Z'))
        })
    }

    /// What one run gave: status and messages, the volumes as they stood at
    /// each question (repeats of the one before dropped) and at the end.
    pub struct Questioned {
        pub ended: Ended,
        pub volumes: Vec<Vec<u8>>,
    }

    /// A -B set to one file, the operator's answers written only once the
    /// dump waits for them; before the answer to question `hup_at` (if
    /// any), `delay` after it is asked, SIGHUP goes to the asking process.
    pub fn run(
        prog: &Path,
        base: &Path,
        tag: &str,
        hup_at: Option<(usize, Duration)>,
        limit: u64,
    ) -> Questioned {
        let dir = base.join(tag);
        std::fs::create_dir_all(&dir).unwrap();
        let fifo = dir.join("answers.fifo");
        nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::from_bits_truncate(0o600))
            .expect("mkfifo");
        let snaps = Arc::new(Mutex::new(Vec::<Vec<u8>>::new()));
        let snaps2 = Arc::clone(&snaps);
        let out = dir.join("out.dump");
        let out2 = out.clone();
        let answers_path = fifo.clone();
        let ended = Run::new(prog, &dir)
            .args([
                "-b", "10", "-B", "1000", "-N", "100", "-M", "600", "-f", "out.dump",
            ])
            .args(["../disk.img"])
            .env("DUMPTAPE_ANSWERS", &answers_path)
            .env("LD_PRELOAD", common::injector())
            .env("DUMPTAPE_SLOW", format!("{SLOW_WRITE}:out.dump"))
            .timeout(limit)
            .during(move |top, _| {
                let Ok(mut answers) = std::fs::OpenOptions::new().write(true).open(&fifo) else {
                    return;
                };
                let mut asked = 0;
                let end = Instant::now() + Duration::from_secs(limit);
                while !gone(top) && Instant::now() < end {
                    let Some(p) = volume_process(top).filter(|&p| asking(p, &fifo)) else {
                        std::thread::sleep(Duration::from_millis(1));
                        continue;
                    };
                    {
                        let mut s = snaps2.lock().unwrap();
                        let v = std::fs::read(&out2).unwrap_or_default();
                        if s.last() != Some(&v) {
                            s.push(v);
                        }
                    }
                    asked += 1;
                    if let Some((q, delay)) = hup_at
                        && q == asked
                    {
                        std::thread::sleep(delay);
                        common::kill(p, libc::SIGHUP);
                        // Let the signal's own question be asked.
                        std::thread::sleep(Duration::from_millis(50));
                    }
                    let _ = answers.write_all(b"yes\n");
                    // Until the answer is read, the process still asks.
                    let t = Instant::now();
                    while asking(p, &fifo) && t.elapsed() < Duration::from_secs(2) {
                        std::thread::sleep(Duration::from_micros(200));
                    }
                }
            })
            .run();
        let mut volumes = snaps.lock().unwrap().clone();
        volumes.push(std::fs::read(&out).unwrap_or_default());
        Questioned { ended, volumes }
    }
}

/// A hangup while the volume process waits for the operator at a volume
/// change (tape.c's close_rewind asking for the next volume): the volume
/// just closed is written again, and the set is the uninterrupted one.
#[cfg(target_os = "linux")]
#[test]
fn hangup_at_the_volume_change_question() {
    for abi in common::ABIS {
        at_the_question(abi);
    }
}

#[cfg(target_os = "linux")]
fn at_the_question(abi: Abi) {
    let base = scratch("sig-question");
    std::fs::write(base.join("disk.img"), noise(19, 8 << 20)).unwrap();
    let clean = question::run(&abi.minidump(), &base, "lib-clean", None, 60);
    assert_eq!(clean.ended.code, Some(0), "{}", clean.ended.stderr);
    assert!(clean.volumes.len() >= 4, "{} volumes", clean.volumes.len());
    if let Some(o) = abi.oracle() {
        let orc = question::run(&o, &base, "ref-clean", None, 60);
        assert!(
            orc.volumes == clean.volumes,
            "uninterrupted: volumes differ from the oracle's: {:?} against {:?}\n{}\n{}",
            orc.volumes.iter().map(Vec::len).collect::<Vec<_>>(),
            clean.volumes.iter().map(Vec::len).collect::<Vec<_>>(),
            orc.ended.stderr,
            clean.ended.stderr
        );
    }
    let mut tally = OracleTally::default();
    let mut tried = 0;
    for q in [1, 2, 3] {
        for delay in [0, 2, 20] {
            let at = Some((q, Duration::from_millis(delay)));
            let tag = format!("q{q}-{delay}");
            let lib = question::run(&abi.minidump(), &base, &format!("lib-{tag}"), at, 60);
            let what = format!("{}: hangup at question {q} after {delay} ms", abi.name());
            assert_eq!(lib.ended.code, Some(0), "{what}: {}", lib.ended.stderr);
            assert!(
                lib.ended.stderr.contains("Rewriting attempted"),
                "{what}: the signal missed\n{}",
                lib.ended.stderr
            );
            assert!(
                lib.volumes == clean.volumes,
                "{what}: volumes differ\n{}",
                lib.ended.stderr
            );
            tried += 1;
            if let Some(o) = abi.oracle() {
                match std::panic::catch_unwind(|| {
                    question::run(&o, &base, &format!("ref-{tag}"), at, 15)
                }) {
                    Err(_) => tally.hung += 1,
                    Ok(r) if r.ended.code == Some(0) && r.volumes == clean.volumes => {
                        tally.identical += 1
                    }
                    Ok(r) if r.ended.code == Some(0) => tally.different += 1,
                    Ok(r) => tally.status.push(r.ended.code),
                }
            }
        }
    }
    println!(
        "{}: hup-question: {tried} instants, library whole and identical each time; \
         oracle: {tally:?}",
        abi.name()
    );
    let _ = std::fs::remove_dir_all(&base);
}
