//! Differential tests: the front-end linked with the library against the
//! same front-end linked with tape-fixed.c, the oracle.  Volume bytes,
//! every message line and the exit status must be identical.

mod common;

use common::{Ended, Run, noise, scratch};
use std::path::Path;

#[derive(Debug, Clone, Copy)]
enum Output {
    /// A file that does not exist yet.
    NewFile,
    /// A file already there and longer than the dump (README: correction 4, truncated).
    OverLonger,
    /// Standard output (-f -).
    Stdout,
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
    let bytes = match c.output {
        Output::Stdout => ended.stdout.clone(),
        _ => std::fs::read(dir.join(VOLUME)).unwrap_or_default(),
    };
    (ended, bytes)
}

fn compare(c: Case, lib: &Path, oracle: &Path, base: &Path) {
    let (le, lv) = side(lib, &base.join("lib"), c);
    let (oe, ov) = side(oracle, &base.join("ref"), c);
    assert_eq!(oe.code, Some(0), "oracle failed on {c:?}: {}", oe.stderr);
    assert_eq!(
        le.code, oe.code,
        "exit status differs on {c:?}\nlibrary:\n{}",
        le.stderr
    );
    assert_eq!(le.stderr, oe.stderr, "messages differ on {c:?}");
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
    let Some(oracle) = common::oracle() else {
        return;
    };
    let lib = common::minidump();
    let mut n = 0;
    for seed in [1u64, 7] {
        for dense in [false, true] {
            for output in [Output::NewFile, Output::OverLonger, Output::Stdout] {
                let c = Case {
                    seed,
                    dense,
                    ntrec,
                    output,
                };
                let base = scratch(&format!("diff-b{ntrec}"));
                compare(c, &lib, &oracle, &base);
                let _ = std::fs::remove_dir_all(&base);
                n += 1;
            }
        }
    }
    println!("differential -b {ntrec}: {n} cases identical to the oracle byte for byte");
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
    compare(c, &common::minidump_so(), &oracle, &base);
    let _ = std::fs::remove_dir_all(&base);
}
