//! The end of the medium and write errors, injected with
//! build/faultwrite.so: the library always finishes and writes a sound,
//! restorable volume set (dumpcheck), and wherever the oracle finishes with
//! a sound set, the library's volumes, messages and status are the
//! oracle's, byte for byte.

mod common;

use common::{ABIS, Abi, Scenario, Side, scratch};
use std::path::{Path, PathBuf};

/// dumpcheck's verdict on a run's volumes.
fn check(abi: Abi, side: &Side, dir: &Path, ntrec: usize) -> Result<String, String> {
    let vols: Vec<_> = side.volumes.iter().map(|(n, _)| dir.join(n)).collect();
    abi.check_set(ntrec, &vols)
}

#[derive(Clone, Copy, Debug)]
enum Shape {
    /// Few big files: long runs of data records.
    Sparse,
    /// Many small inodes: header records close together.
    Dense,
}

fn scenario(ntrec: usize, shape: Shape, fault: &str) -> Scenario {
    let shape_args: &[&str] = match shape {
        Shape::Sparse => &["-N", "60", "-M", "300"],
        Shape::Dense => &["-N", "1200", "-M", "3"],
    };
    let mut args = vec!["-a", "-b"];
    let b = ntrec.to_string();
    args.push(&b);
    args.extend_from_slice(shape_args);
    let mut s = Scenario::new(&args).volume_list(1000);
    s.disk_bytes = 3 << 20;
    s.seed = ntrec as u64 * 7 + shape as u64;
    if !fault.is_empty() {
        s.env.push(("DUMPTAPE_FAULT".into(), fault.into()));
        s.env.push((
            "LD_PRELOAD".into(),
            common::injector().to_string_lossy().into_owned(),
        ));
    }
    s
}

/// Totals of a sweep.
#[derive(Default, Debug)]
struct Tally {
    cases: usize,
    identical: usize,
    oracle_failed: usize,
    max_volumes: usize,
}

/// One fault: the library must finish with a sound set; the oracle's set,
/// when it finishes soundly, must be the same bytes.
fn case(abi: Abi, name: &str, s: &Scenario, ntrec: usize, tally: &mut Tally) {
    let base = scratch(name);
    let lib = s.run(&abi.minidump(), &base.join("lib"));
    assert_eq!(
        lib.ended.code,
        Some(0),
        "{name}: library failed:\n{}",
        lib.ended.stderr
    );
    if let Err(why) = check(abi, &lib, &base.join("lib"), ntrec) {
        panic!(
            "{name}: library's volumes are not sound: {why}\n{}",
            lib.ended.stderr
        );
    }
    tally.cases += 1;
    tally.max_volumes = tally.max_volumes.max(lib.volumes.len());
    if let Some(orc) = abi.oracle() {
        let ref_dir = base.join("ref");
        let mut o = s.run(&orc, &ref_dir);
        cut_partial_blocks(&mut o, &ref_dir, ntrec);
        if o.ended.code == Some(0) && check(abi, &o, &ref_dir, ntrec).is_ok() {
            common::assert_same(name, (&lib.ended, &lib.volumes), (&o.ended, &o.volumes));
            tally.identical += 1;
        } else {
            tally.oracle_failed += 1;
        }
    }
    let _ = std::fs::remove_dir_all(&base);
}

/// tape.c leaves the bytes of a tape block the medium cut short at the
/// end of a volume file, where restore reads them; the library cuts them
/// off when it closes the volume.  Cut them off tape.c's volumes too, to
/// compare the rest.
fn cut_partial_blocks(side: &mut Side, dir: &Path, ntrec: usize) {
    for (n, b) in side.volumes.iter_mut() {
        let whole = b.len() - b.len() % (ntrec * 1024);
        if whole != b.len() {
            b.truncate(whole);
            std::fs::write(dir.join(&*n), &b[..]).unwrap();
        }
    }
}

/// Bytes of the dump without faults.
fn clean_size(abi: Abi, ntrec: usize, shape: Shape) -> usize {
    let s = scenario(ntrec, shape, "");
    let base = scratch("clean");
    let side = s.run(&abi.minidump(), &base);
    assert_eq!(side.ended.code, Some(0), "{}", side.ended.stderr);
    let n = side.volumes.iter().map(|(_, b)| b.len()).sum();
    let _ = std::fs::remove_dir_all(&base);
    n
}

/// End-of-medium offsets on the first volume only: the first records,
/// spread over the dump, and the last two records (item 7).
fn first_volume_offsets(total: usize, ws: usize) -> Vec<usize> {
    let mut v = vec![
        0,
        1,
        512,
        1023,
        1024,
        ws - 1,
        ws,
        ws + 1,
        2 * ws - 1,
        2 * ws + 300,
    ];
    for k in 1..20 {
        v.push(total * k / 20 + k * 37 % ws);
    }
    for d in [2 * ws + 1, 2 * ws, 2 * ws - 500, ws + 1, ws, ws - 1, 700, 1] {
        v.push(total - d);
    }
    v.retain(|&o| o < total);
    v.sort_unstable();
    v.dedup();
    v
}

fn sweep(ntrec: usize) {
    for abi in ABIS {
        sweep_in(abi, ntrec);
    }
}

fn sweep_in(abi: Abi, ntrec: usize) {
    let ws = ntrec * 1024;
    let mut tally = Tally::default();
    for shape in [Shape::Sparse, Shape::Dense] {
        let total = clean_size(abi, ntrec, shape);
        for off in first_volume_offsets(total, ws) {
            let s = scenario(ntrec, shape, &format!("eot:{off}:v001"));
            case(
                abi,
                &format!("eot-{}-b{ntrec}-{shape:?}-{off}", abi.name()),
                &s,
                ntrec,
                &mut tally,
            );
        }
        // Every volume ends: short media, ends of medium a few lists apart.
        let short: &[usize] = if ntrec == 1 {
            &[8, 12, 20, 40]
        } else {
            &[4, 5, 7, 12]
        };
        for &lists in short {
            let size = lists * ws + ws / 3;
            let s = scenario(ntrec, shape, &format!("eot:{size}"));
            case(
                abi,
                &format!("short-{}-b{ntrec}-{shape:?}-{lists}", abi.name()),
                &s,
                ntrec,
                &mut tally,
            );
        }
    }
    println!("{}: end of medium at -b {ntrec}: {tally:?}", abi.name());
    assert!(tally.cases >= 60, "too few cases: {tally:?}");
}

#[test]
fn end_of_medium_b1() {
    sweep(1);
}

#[test]
fn end_of_medium_b10() {
    sweep(10);
}

#[test]
fn end_of_medium_b64() {
    sweep(64);
}

/// ENOSPC or EFBIG at an offset is the end of the medium there (README: correction 3).
#[test]
fn full_file_system_is_end_of_medium() {
    for abi in ABIS {
        full_file_system_in(abi);
    }
}

fn full_file_system_in(abi: Abi) {
    let minidump = abi.minidump();
    for (ntrec, shape) in [(10, Shape::Dense), (64, Shape::Sparse), (1, Shape::Dense)] {
        let ws = ntrec * 1024;
        // Media of at most a third of the dump, so that it ends at least
        // twice.
        let most = clean_size(abi, ntrec, shape) / ws / 3;
        let lists = if ntrec == 1 { [40, 57] } else { [5, 9] }.map(|l| l.min(most));
        for size in [lists[0] * ws + 100, lists[1] * ws] {
            let base = scratch("enospc");
            let eot =
                scenario(ntrec, shape, &format!("eot:{size}")).run(&minidump, &base.join("eot"));
            for mode in ["enospc", "efbig"] {
                let full = scenario(ntrec, shape, &format!("{mode}:{size}"))
                    .run(&minidump, &base.join(mode));
                assert_eq!(full.ended.code, Some(0), "{mode}: {}", full.ended.stderr);
                assert_eq!(
                    common::masked(&full.ended.stderr),
                    common::masked(&eot.ended.stderr),
                    "{mode} at {size}: messages"
                );
                assert!(
                    full.volumes == eot.volumes,
                    "{mode} at {size}: volumes differ"
                );
                assert!(
                    full.volumes.len() > 2,
                    "{} -b {ntrec} {mode} at {size}: {} volumes",
                    abi.name(),
                    full.volumes.len()
                );
            }
            let _ = std::fs::remove_dir_all(&base);
        }
    }
}

fn write_error(abi: Abi, answers: &str) -> (Side, PathBuf) {
    let mut s = scenario(10, Shape::Dense, "eio:900000:v002");
    s.answers = Some(answers.into());
    s.args.splice(0..1, ["-B".to_string(), "2000".to_string()]);
    let lib_base = scratch("eio");
    s.env.push((
        "DUMPTAPE_FAULT_DIR".into(),
        lib_base.join("lib").to_string_lossy().into_owned(),
    ));
    let lib = s.run(&abi.minidump(), &lib_base.join("lib"));
    if let Some(orc) = abi.oracle() {
        let mut so = s.clone();
        so.env.retain(|(k, _)| k != "DUMPTAPE_FAULT_DIR");
        so.env.push((
            "DUMPTAPE_FAULT_DIR".into(),
            lib_base.join("ref").to_string_lossy().into_owned(),
        ));
        let o = so.run(&orc, &lib_base.join("ref"));
        common::assert_same(
            "write error",
            (&lib.ended, &lib.volumes),
            (&o.ended, &o.volumes),
        );
    }
    (lib, lib_base)
}

/// A write fails on volume 2; the operator restarts it: the volume is
/// written again from its checkpoint and the set is whole.
#[test]
fn write_error_restarted() {
    for abi in ABIS {
        let (lib, base) = write_error(abi, "yes\nyes\n");
        assert_eq!(lib.ended.code, Some(0), "{}", lib.ended.stderr);
        assert!(lib.ended.stderr.contains("Do you want to restart?"));
        assert!(
            lib.ended
                .stderr
                .contains("this dump volume will be rewritten.")
        );
        assert!(check(abi, &lib, &base.join("lib"), 10).is_ok());
        let _ = std::fs::remove_dir_all(&base);
    }
}

/// The operator does not restart: the dump aborts.
#[test]
fn write_error_aborted() {
    for abi in ABIS {
        let (lib, base) = write_error(abi, "no\n");
        assert_eq!(lib.ended.code, Some(3), "{}", lib.ended.stderr);
        assert!(lib.ended.stderr.contains("The ENTIRE dump is aborted."));
        let _ = std::fs::remove_dir_all(&base);
    }
}

/// tape.c's own multi-volume sets with the end of the medium met twice or
/// more are not sound (README: correction 2).  What dumpcheck says of the
/// original's set is printed as a record, not required; the library's set
/// of the same dump must be sound.
#[test]
fn original_after_two_ends_of_medium() {
    for abi in ABIS {
        let s = scenario(10, Shape::Dense, &format!("eot:{}", 7 * 10240 + 3000));
        let base = scratch("orig");
        let lib = s.run(&abi.minidump(), &base.join("lib"));
        assert_eq!(lib.ended.code, Some(0), "{}", lib.ended.stderr);
        assert!(lib.volumes.len() > 2, "{} volumes", lib.volumes.len());
        if let Err(why) = check(abi, &lib, &base.join("lib"), 10) {
            panic!("{}: the library's set is not sound: {why}", abi.name());
        }
        if let Some(orig) = abi.original() {
            let mut side = s.run(&orig, &base.join("orig"));
            cut_partial_blocks(&mut side, &base.join("orig"), 10);
            let verdict = check(abi, &side, &base.join("orig"), 10);
            println!(
                "{} tape.c, end of medium every 7 lists (partial blocks removed): status {:?}, \
                 dumpcheck: {verdict:?}",
                abi.name(),
                side.ended.code
            );
        }
        let _ = std::fs::remove_dir_all(&base);
    }
}
