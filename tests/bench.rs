//! The benchmark's yardsticks do the work they stand for: the ring bound
//! writes exactly what the lower bound writes (the dump's byte count of
//! the data file's blocks, in order), whatever its slots and read size,
//! into a file and into a pipe, and leaves no process behind; wakecost
//! reports a cost for each of its mechanisms.  A yardstick that wrote
//! less, or out of order, would make the library look slow for nothing.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{Run, noise, root, scratch};

/// Build one of bench/'s programs as bench/run.sh does, warnings fatal.
fn build(dir: &Path, name: &str, extra: &[&str]) -> PathBuf {
    let out = dir.join(name);
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".into());
    let st = Command::new(&cc)
        .args(["-O2", "-Wall", "-Wextra", "-Werror"])
        .args(extra)
        .arg("-o")
        .arg(&out)
        .arg(root().join("bench").join(format!("{name}.c")))
        .status()
        .unwrap_or_else(|e| panic!("{cc}: {e}"));
    assert!(st.success(), "{cc} failed on bench/{name}.c");
    out
}

#[test]
fn ring_bound_writes_what_the_lower_bound_writes() {
    let d = scratch("bench-yardsticks");
    let lb = build(&d, "lowerbound", &[]);
    let rb = build(&d, "ringbound", &[]);
    // Not a whole number of blocks: both start again from offset 0.
    let data = d.join("data");
    std::fs::write(&data, noise(11, (1 << 20) + 3000)).unwrap();
    for (ntrec, slots, rsize) in [
        (10usize, 3, 8192usize),
        (10, 6, 3000),
        (64, 3, 8192),
        (64, 6, 65536),
        (1, 3, 1024),
    ] {
        // More records than the file holds at -b 64.
        let bytes = (ntrec * 1024 * 41).to_string();
        let want = d.join("lb.out");
        let ended = Run::new(&lb, &d)
            .args([
                data.to_string_lossy().into_owned(),
                ntrec.to_string(),
                bytes.clone(),
                want.to_string_lossy().into_owned(),
            ])
            .timeout(30)
            .run();
        assert_eq!(ended.code, Some(0), "lowerbound: {}", ended.stderr);
        let want = std::fs::read(&want).unwrap();
        assert_eq!(want.len(), ntrec * 1024 * 41);
        let args = |out: &str| {
            vec![
                data.to_string_lossy().into_owned(),
                ntrec.to_string(),
                bytes.clone(),
                out.to_string(),
                slots.to_string(),
                rsize.to_string(),
            ]
        };
        let file = d.join("rb.out");
        let ended = Run::new(&rb, &d)
            .args(args(&file.to_string_lossy()))
            .timeout(30)
            .run();
        assert_eq!(ended.code, Some(0), "ringbound: {}", ended.stderr);
        assert!(
            std::fs::read(&file).unwrap() == want,
            "ringbound -b {ntrec} slots {slots} reads of {rsize}: not the lower bound's bytes"
        );
        // Standard output is a pipe here, as in the benchmark's pipe case.
        let ended = Run::new(&rb, &d).args(args("-")).timeout(30).run();
        assert_eq!(ended.code, Some(0), "ringbound -: {}", ended.stderr);
        assert!(
            ended.stdout == want,
            "ringbound -b {ntrec} slots {slots} into a pipe: not the lower bound's bytes"
        );
    }
    // What it refuses.
    for bad in [["7", "3"], ["10", "4"]] {
        let ended = Run::new(&rb, &d)
            .args([
                data.to_string_lossy().as_ref(),
                bad[0],
                "10240",
                "-",
                bad[1],
            ])
            .timeout(30)
            .run();
        assert_eq!(ended.code, Some(2), "ringbound {bad:?}: {}", ended.stderr);
    }
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn wake_cost_reports_each_mechanism() {
    let d = scratch("bench-wakecost");
    let wc = build(&d, "wakecost", &["-pthread"]);
    let ended = Run::new(&wc, &d).args(["2000"]).timeout(60).run();
    assert_eq!(ended.code, Some(0), "wakecost: {}", ended.stderr);
    let out = String::from_utf8(ended.stdout).unwrap();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines.first(),
        Some(&"mechanism\tus_per_handover\tcpu_us_per_handover")
    );
    let names: Vec<&str> = lines[1..]
        .iter()
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            assert_eq!(f.len(), 3, "{l}");
            for v in &f[1..] {
                let v: f64 = v.parse().unwrap_or_else(|_| panic!("{l}"));
                assert!(v.is_finite() && v >= 0.0, "{l}");
            }
            // A hand-over takes some time, however fast the machine.
            assert!(f[1].parse::<f64>().unwrap() > 0.0, "{l}");
            f[0]
        })
        .collect();
    assert_eq!(names, ["pipe", "semaphore"]);
    let _ = std::fs::remove_dir_all(&d);
}
