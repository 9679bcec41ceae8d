//! The library's Rust interface drives a whole dump exactly as its C
//! interface does: one script of traverse.c's calls (maps, inodes with
//! holes and TS_ADDR continuations, block runs, volume changes, an end of
//! medium), replayed by examples/replay.rs (a Rust host over TapeWriter)
//! and by tests/c/replay.c (C over libdumptape.a), gives the same volumes
//! byte for byte, the same messages and status, and a set dumpcheck
//! passes.

mod common;

use common::{Ended, Run, noise, scratch};
use dumptape::format::{TP_BSIZE, TP_NINDIR, TS_ADDR, TS_BITS, TS_CLRI, TS_INODE};
use std::fmt::Write;
use std::path::{Path, PathBuf};

fn rust_replay() -> PathBuf {
    let p = common::root().join("target/release/examples/replay");
    assert!(
        p.exists(),
        "{} is missing: cargo builds it with the tests",
        p.display()
    );
    p
}

fn c_replay() -> PathBuf {
    let p = common::root().join("build/replay");
    assert!(p.exists(), "{} is missing: run make test", p.display());
    p
}

/// A small deterministic generator (xorshift), for scripts from a seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self, below: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % below
    }
}

/// What traverse.c would call for a file system of `files` files from
/// `seed`: the two maps, then each file's headers (c_addr with holes,
/// TS_ADDR past 512 records) and its data as runs of fragments.
fn script(seed: u64, files: u64, ntrec: usize) -> String {
    let mut r = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let mut s = String::new();
    writeln!(s, "map {TS_CLRI} {}", 1 + r.next(30)).unwrap();
    writeln!(s, "map {TS_BITS} {}", 1 + r.next(30)).unwrap();
    for ino in 2..2 + files {
        // Mostly small files, a few long enough for TS_ADDR headers.
        let records = if r.next(10) == 0 {
            600 + r.next(1200)
        } else {
            r.next(40)
        } as usize;
        let present: Vec<bool> = (0..records).map(|_| r.next(6) != 0).collect();
        let mut frag = 64 + r.next(60_000) as i64;
        for (c, chunk) in present.chunks(TP_NINDIR).enumerate() {
            let kind = if c == 0 { TS_INODE } else { TS_ADDR };
            let bits: String = chunk.iter().map(|&p| if p { '1' } else { '0' }).collect();
            let bits = if bits.is_empty() { "-".into() } else { bits };
            writeln!(s, "file {ino} {kind} {} {bits}", chunk.len()).unwrap();
            // Runs of present records, in calls of up to 8 records.
            let mut k = 0;
            while k < chunk.len() {
                if !chunk[k] {
                    k += 1;
                    frag += 1;
                    continue;
                }
                let mut n = 1;
                while k + n < chunk.len() && chunk[k + n] && n < 8 {
                    n += 1;
                }
                writeln!(s, "block {frag} {}", n * TP_BSIZE).unwrap();
                frag += n as i64;
                k += n;
            }
        }
    }
    writeln!(s, "end {ntrec}").unwrap();
    s
}

/// One program's run: its end and its volumes.
struct Side {
    ended: Ended,
    volumes: Vec<(String, Vec<u8>)>,
}

fn side(
    prog: &Path,
    dir: &Path,
    args: &[String],
    names: &[String],
    env: &[(&str, String)],
) -> Side {
    let mut run = Run::new(prog, dir)
        .args(args)
        .args(["../disk.img", "../script"])
        .timeout(120);
    for (k, v) in env {
        run = run.env(k, v);
    }
    let ended = run.run();
    let volumes = names
        .iter()
        .filter_map(|n| std::fs::read(dir.join(n)).ok().map(|b| (n.clone(), b)))
        .collect();
    Side { ended, volumes }
}

/// Both programs on one script; they must agree on everything.
fn same(
    name: &str,
    seed: u64,
    files: u64,
    ntrec: usize,
    per_volume: Option<usize>,
    env: &[(&str, String)],
) {
    let base = scratch(&format!("api-{name}"));
    std::fs::write(base.join("disk.img"), noise(seed, 64 << 20)).unwrap();
    std::fs::write(base.join("script"), script(seed, files, ntrec)).unwrap();
    let names: Vec<String> = (1..=200).map(|i| format!("v{i:03}")).collect();
    let mut args = vec![
        "-b".to_string(),
        ntrec.to_string(),
        "-D".into(),
        "1000000000".into(),
        "-f".into(),
        names.join(","),
    ];
    if let Some(b) = per_volume {
        args.extend(["-B".to_string(), b.to_string()]);
    }
    let mut env = env.to_vec();
    env.push(("DUMPTAPE_FAULT_DIR", base.to_string_lossy().into_owned()));
    let rust_dir = base.join("rust");
    let c_dir = base.join("c");
    std::fs::create_dir_all(&rust_dir).unwrap();
    std::fs::create_dir_all(&c_dir).unwrap();
    let r = side(&rust_replay(), &rust_dir, &args, &names, &env);
    let c = side(&c_replay(), &c_dir, &args, &names, &env);
    assert_eq!(
        r.ended.code,
        Some(0),
        "{name}: Rust host:\n{}",
        r.ended.stderr
    );
    common::assert_same(name, (&r.ended, &r.volumes), (&c.ended, &c.volumes));
    let vols: Vec<PathBuf> = r.volumes.iter().map(|(n, _)| rust_dir.join(n)).collect();
    let report = common::check_set(ntrec, &vols).unwrap_or_else(|e| panic!("{name}: {e}"));
    println!(
        "{name}: {} volumes, Rust and C identical; {report}",
        r.volumes.len()
    );
    let _ = std::fs::remove_dir_all(&base);
}

#[test]
fn one_volume_at_b10() {
    same("one-b10", 1, 200, 10, None, &[]);
}

#[test]
fn volume_changes_at_b1() {
    same("vols-b1", 2, 60, 1, Some(700), &[]);
}

#[test]
fn volume_changes_at_b10() {
    same("vols-b10", 3, 300, 10, Some(3000), &[]);
}

#[test]
fn ends_of_medium_at_b64() {
    let fault = format!("eot:{}", 5 * 65536 + 1234);
    let env = [
        ("DUMPTAPE_FAULT", fault),
        (
            "LD_PRELOAD",
            common::injector().to_string_lossy().into_owned(),
        ),
    ];
    same("eot-b64", 4, 300, 64, None, &env);
}
