//! Remote tapes (the `rdump` feature, `make RDUMP=1`): the front-end built
//! with -DRDUMP writes `-f host:file` through rmtopen/rmtwrite/rmtclose to
//! a real rmt(8) server (Debian's /usr/sbin/rmt, started locally in place
//! of rsh).  Library and oracle must write the same volumes and messages.

mod common;

use common::{ABIS, Abi, Scenario, masked, root, scratch};
use std::path::{Path, PathBuf};

fn rmt_present() -> bool {
    let ok = Path::new("/usr/sbin/rmt").exists() || Path::new("/sbin/rmt").exists();
    if !ok {
        assert!(
            std::env::var_os("CI").is_none(),
            "rmt(8) is missing: apt-get install -y dump"
        );
        eprintln!("\n*** SKIPPED: rmt(8) not installed (apt-get install -y dump) ***\n");
    }
    ok
}

fn prog(rel: &str) -> PathBuf {
    let p = root().join(rel);
    assert!(p.exists(), "{} is missing: run make test", p.display());
    p
}

/// Under each interface, run `s` with the library's and the oracle's
/// rdump builds; the remote files are named absolutely, so each side
/// writes into its own directory.
fn remote(name: &str, ntrec: &str, extra: &[&str], env: &[(&str, &str)], nvol: usize) {
    if !rmt_present() {
        return;
    }
    for abi in ABIS {
        remote_in(
            abi,
            &format!("{name}-{}", abi.name()),
            ntrec,
            extra,
            env,
            nvol,
        );
    }
}

fn remote_in(abi: Abi, name: &str, ntrec: &str, extra: &[&str], env: &[(&str, &str)], nvol: usize) {
    let Some(_) = abi.oracle() else { return };
    let base = scratch(name);
    let mut sides = Vec::new();
    let bins = match abi {
        Abi::Bsd1998 => ["build/minidump-rdump", "build/minidump-ref-rdump"],
        Abi::FreeBsd => [
            "build/freebsd/minidump-rdump",
            "build/freebsd/minidump-ref-rdump",
        ],
    };
    for (who, bin) in ["lib", "ref"].into_iter().zip(bins) {
        let dir = base.join(who);
        std::fs::create_dir_all(&dir).unwrap();
        let vols: Vec<PathBuf> = (1..=nvol).map(|i| dir.join(format!("r{i}"))).collect();
        // rmt opens with the mode's read/write bits only: it creates nothing.
        for v in &vols {
            std::fs::write(v, b"").unwrap();
        }
        let list: Vec<String> = vols
            .iter()
            .map(|v| v.to_string_lossy().into_owned())
            .collect();
        let target = format!("localhost:{}", list.join(","));
        let mut args = vec!["-b", ntrec, "-N", "200", "-f", &target];
        args.extend_from_slice(extra);
        let mut s = Scenario::new(&args);
        s.volumes = Vec::new();
        s.env = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let side = s.run(&prog(bin), &dir);
        let bytes: Vec<Vec<u8>> = vols.iter().map(|v| std::fs::read(v).unwrap()).collect();
        // The two sides name different directories: compare the rest.
        let log = masked(&side.ended.stderr).replace(&dir.to_string_lossy().into_owned(), "DIR");
        sides.push((side.ended.code, log, bytes));
    }
    let (lib, orc) = (&sides[0], &sides[1]);
    assert_eq!(lib.0, Some(0), "{name}: library failed:\n{}", lib.1);
    assert_eq!(lib.0, orc.0, "{name}: exit status");
    assert_eq!(lib.1, orc.1, "{name}: messages");
    assert!(lib.2 == orc.2, "{name}: volumes differ from the oracle's");
    let used = lib.2.iter().filter(|b| !b.is_empty()).count();
    assert!(used >= nvol.min(2), "{name}: only {used} volumes written");
    println!("{name}: {used} remote volumes identical to the oracle's");
    let _ = std::fs::remove_dir_all(&base);
}

#[test]
fn single_volume_through_rmt() {
    remote("rmt-1", "10", &[], &[], 1);
}

#[test]
fn volumes_through_rmt() {
    remote("rmt-B", "10", &["-B", "1500"], &[], 6);
}

#[test]
fn end_of_medium_through_rmt() {
    // The server meets the end of the medium: faultwrite is preloaded into
    // everything the dump starts, rmt included.
    let inj = prog("build/faultwrite.so").to_string_lossy().into_owned();
    let env = [
        ("DUMPTAPE_FAULT", "eot:700000"),
        ("LD_PRELOAD", inj.as_str()),
    ];
    remote("rmt-eot", "10", &["-a"], &env, 14);
}
