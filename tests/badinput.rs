//! Bad input gets a clear message through quit() and exit status 3, never
//! a crash or a hang.

mod common;

use common::{ABIS, Abi, Run, noise, scratch};

fn disk(dir: &std::path::Path) {
    std::fs::write(dir.join("disk.img"), noise(5, 1 << 20)).unwrap();
}

/// Refused under each interface (where today's FreeBSD tape.c writes a
/// dump with a broken ring or crashes).
fn assert_refused(blocking: &str, expect: &str) {
    for abi in ABIS {
        let dir = scratch("badb");
        disk(&dir);
        let e = Run::new(abi.minidump(), &dir)
            .args(["-b", blocking, "-N", "20", "-f", "out.dump", "disk.img"])
            .timeout(30)
            .run();
        let who = format!("{} -b {blocking}", abi.name());
        assert_eq!(e.code, Some(3), "{who}: {}", e.stderr);
        assert!(
            e.stderr.contains(expect),
            "{who}: expected {expect:?} in:\n{}",
            e.stderr
        );
        assert!(
            e.stderr.contains("  DUMP: "),
            "messages go through msg/quit"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}

#[test]
fn blocking_factor_zero() {
    assert_refused("0", "bad blocking factor 0");
}

#[test]
fn blocking_factor_negative() {
    assert_refused("-5", "bad blocking factor -5");
}

#[test]
fn blocking_factor_absurd() {
    assert_refused("100000000", "can't allocate tape buffers");
    assert_refused("2147483647", "can't allocate tape buffers");
}

/// An output that cannot be opened: the operator is asked to retry, says
/// no, and the dump aborts, in the same words as the oracle.
#[test]
fn output_cannot_be_opened() {
    for abi in ABIS {
        cannot_be_opened(abi);
    }
}

fn cannot_be_opened(abi: Abi) {
    let runs = [("library", Some(abi.minidump())), ("oracle", abi.oracle())];
    let mut seen = Vec::new();
    for (who, prog) in runs {
        let Some(prog) = prog else { continue };
        let dir = scratch("noopen");
        disk(&dir);
        let e = Run::new(prog, &dir)
            .args(["-N", "20", "-f", "no/such/dir/out.dump", "disk.img"])
            .answers("no\n")
            .timeout(30)
            .run();
        let who = format!("{} {who}", abi.name());
        assert_eq!(e.code, Some(3), "{who}: {}", e.stderr);
        assert!(
            e.stderr
                .contains("Cannot open output \"no/such/dir/out.dump\"."),
            "{who}: {}",
            e.stderr
        );
        assert!(
            e.stderr.contains("Do you want to retry the open?"),
            "{who}: {}",
            e.stderr
        );
        assert!(
            e.stderr.contains("The ENTIRE dump is aborted."),
            "{who}: {}",
            e.stderr
        );
        seen.push(e.stderr);
        let _ = std::fs::remove_dir_all(&dir);
    }
    if seen.len() == 2 {
        assert_eq!(seen[0], seen[1], "library and oracle word it differently");
    }
}

/// Retrying the open works once the output can be made.
#[test]
fn output_opened_on_retry() {
    for abi in ABIS {
        opened_on_retry(abi);
    }
}

fn opened_on_retry(abi: Abi) {
    let dir = scratch("retry");
    disk(&dir);
    // A directory of that name makes the first open fail; answering "yes"
    // twice while it stays keeps asking, "no" ends it.
    std::fs::create_dir_all(dir.join("out.dump")).unwrap();
    let e = Run::new(abi.minidump(), &dir)
        .args(["-N", "20", "-f", "out.dump", "disk.img"])
        .answers("yes\nyes\nno\n")
        .timeout(30)
        .run();
    assert_eq!(e.code, Some(3), "{}", e.stderr);
    assert_eq!(
        e.stderr.matches("Do you want to retry the open?").count(),
        3,
        "{}",
        e.stderr
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// Calls a real caller could get wrong, made by a C program that links the
/// library the way dump does (tests/c/badcalls.c), built for each
/// interface.
#[test]
fn bad_calls_from_c() {
    for rel in ["build/badcalls", "build/freebsd/badcalls"] {
        bad_calls(rel);
    }
}

fn bad_calls(rel: &str) {
    let prog = common::root().join(rel);
    assert!(prog.exists(), "{rel} is missing: run make test");
    for (case, expect) in [
        ("size", "dumpblock: size 1000 is not a multiple of 1024"),
        (
            "negative",
            "dumpblock: size -1024 is not a multiple of 1024",
        ),
        ("noalloc", "no tape buffers"),
        ("nullrec", "writerec: NULL record"),
        ("rewrite", "The ENTIRE dump is aborted."),
    ] {
        let dir = scratch("badcalls");
        let e = Run::new(&prog, &dir).args([case]).timeout(30).run();
        assert_eq!(e.code, Some(3), "{rel} {case}: {}", e.stderr);
        assert!(
            e.stderr.contains(expect),
            "{rel} {case}: expected {expect:?} in:\n{}",
            e.stderr
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
