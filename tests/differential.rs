//! Differential tests: the front-end linked with the library against the
//! same front-end linked with tape-fixed.c, the oracle, under each of the
//! library's C interfaces (the 1998 tape.c's and today's FreeBSD one's).
//! Volume bytes, every message line and the exit status must be identical.

mod common;

use common::{ABIS, Abi, Ended, Run, noise, scratch};
use std::io::Read;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

#[derive(Debug, Clone, Copy)]
enum Output {
    /// A file that does not exist yet.
    NewFile,
    /// A file already there and longer than the dump (README: correction 4, truncated).
    OverLonger,
    /// Standard output (-f -).
    Stdout,
    /// A FIFO with a reader (README: correction 13, closed at the end,
    /// never opened again).
    Fifo,
}

#[derive(Debug, Clone, Copy)]
struct Case {
    seed: u64,
    /// Many small inodes: header records close together.
    dense: bool,
    ntrec: u32,
    output: Output,
}

const DISK: &str = "disk.img";
const VOLUME: &str = "out.dump";

/// Run one side of a case in `dir`; the volume's bytes and the run.
fn side(prog: &Path, dir: &Path, c: Case) -> (Ended, Vec<u8>) {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join(DISK), noise(c.seed, 6 << 20)).unwrap();
    if let Output::OverLonger = c.output {
        std::fs::write(dir.join(VOLUME), vec![0xa5u8; 24 << 20]).unwrap();
    }
    let shape: &[&str] = if c.dense {
        &["-N", "3000", "-M", "3"]
    } else {
        &["-N", "150", "-M", "600"]
    };
    let target = match c.output {
        Output::Stdout => "-",
        _ => VOLUME,
    };
    let reader = matches!(c.output, Output::Fifo).then(|| fifo_reader(&dir.join(VOLUME)));
    let ended = Run::new(prog, dir)
        .args([
            "-S",
            &c.seed.to_string(),
            "-b",
            &c.ntrec.to_string(),
            "-f",
            target,
        ])
        .args(shape)
        .args([DISK])
        .run();
    let bytes = match (c.output, reader) {
        (Output::Stdout, _) => ended.stdout.clone(),
        (_, Some((done, h))) => {
            done.store(true, Ordering::Relaxed);
            h.join().expect("FIFO reader")
        }
        _ => std::fs::read(dir.join(VOLUME)).unwrap_or_default(),
    };
    (ended, bytes)
}

/// A FIFO at `path` and a thread reading it to its end.  The read end is
/// opened without waiting for a writer, so the thread cannot outlive a
/// dump that never opens its output: it stops at the first end of file
/// once it has read something, or once the dump has ended (`done`).
fn fifo_reader(path: &Path) -> (Arc<AtomicBool>, std::thread::JoinHandle<Vec<u8>>) {
    nix::unistd::mkfifo(path, nix::sys::stat::Mode::from_bits_truncate(0o600)).expect("mkfifo");
    let mut f = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
        .expect("open the FIFO");
    let done = Arc::new(AtomicBool::new(false));
    let done2 = Arc::clone(&done);
    let h = std::thread::spawn(move || {
        let mut got = Vec::new();
        let mut buf = vec![0u8; 1 << 16];
        loop {
            match f.read(&mut buf) {
                Ok(0) if !got.is_empty() || done2.load(Ordering::Relaxed) => break,
                Ok(0) => std::thread::sleep(Duration::from_millis(1)),
                Ok(n) => got.extend_from_slice(&buf[..n]),
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                    if done2.load(Ordering::Relaxed) {
                        break;
                    }
                    std::thread::sleep(Duration::from_micros(200));
                }
                Err(e) => panic!("reading the FIFO: {e}"),
            }
        }
        got
    });
    (done, h)
}

fn compare(abi: Abi, c: Case, lib: &Path, oracle: &Path, base: &Path) {
    let (le, lv) = side(lib, &base.join("lib"), c);
    // The 1998 oracle opens a FIFO again at the end and waits there for
    // a reader that never comes: the library's FIFO must carry what the
    // oracle writes to a file of that name.
    let oc = match (abi, c.output) {
        (Abi::Bsd1998, Output::Fifo) => Case {
            output: Output::NewFile,
            ..c
        },
        _ => c,
    };
    let (oe, ov) = side(oracle, &base.join("ref"), oc);
    assert_eq!(oe.code, Some(0), "oracle failed on {c:?}: {}", oe.stderr);
    assert_eq!(
        le.code, oe.code,
        "exit status differs on {c:?}\nlibrary:\n{}",
        le.stderr
    );
    assert_eq!(
        common::masked(&le.stderr),
        common::masked(&oe.stderr),
        "messages differ on {c:?}"
    );
    assert!(
        !ov.is_empty() && ov.len() % (c.ntrec as usize * 1024) == 0,
        "{c:?}: odd volume size {}",
        ov.len()
    );
    if lv != ov {
        let at = lv
            .iter()
            .zip(&ov)
            .position(|(a, b)| a != b)
            .unwrap_or(lv.len().min(ov.len()));
        panic!(
            "{c:?}: volumes differ (library {} bytes, oracle {} bytes) from byte {at} (record {})",
            lv.len(),
            ov.len(),
            at / 1024
        );
    }
}

fn sweep(ntrec: u32) {
    for abi in ABIS {
        sweep_in(abi, ntrec, &[1, 7]);
    }
}

fn sweep_in(abi: Abi, ntrec: u32, seeds: &[u64]) {
    let Some(oracle) = abi.oracle() else {
        return;
    };
    let lib = abi.minidump();
    let mut n = 0;
    for &seed in seeds {
        for dense in [false, true] {
            for output in [
                Output::NewFile,
                Output::OverLonger,
                Output::Stdout,
                Output::Fifo,
            ] {
                let c = Case {
                    seed,
                    dense,
                    ntrec,
                    output,
                };
                let base = scratch(&format!("diff-{}-b{ntrec}", abi.name()));
                compare(abi, c, &lib, &oracle, &base);
                let _ = std::fs::remove_dir_all(&base);
                n += 1;
            }
        }
    }
    println!(
        "differential ({}) -b {ntrec}: {n} cases identical to the oracle byte for byte",
        abi.name()
    );
}

#[test]
fn blocking_factor_1() {
    sweep(1);
}

#[test]
fn blocking_factor_2() {
    sweep(2);
}

#[test]
fn blocking_factor_10() {
    sweep(10);
}

#[test]
fn blocking_factor_32() {
    sweep(32);
}

#[test]
fn blocking_factor_64() {
    sweep(64);
}

/// Today's FreeBSD dump takes -b up to 1000, with 16-byte requests.
#[test]
fn blocking_factor_1000() {
    for abi in ABIS {
        sweep_in(abi, 1000, &[5]);
    }
}

/// More data sets at the usual blocking factor.
#[test]
fn more_seeds_at_b10() {
    for abi in ABIS {
        sweep_in(abi, 10, &[11, 12, 13, 14]);
    }
}

/// The shared object behaves as the static library does.
#[test]
fn shared_library_build_matches() {
    let Some(oracle) = common::oracle() else {
        return;
    };
    let c = Case {
        seed: 3,
        dense: true,
        ntrec: 10,
        output: Output::NewFile,
    };
    let base = scratch("diff-so");
    compare(Abi::Bsd1998, c, &common::minidump_so(), &oracle, &base);
    let _ = std::fs::remove_dir_all(&base);
}
