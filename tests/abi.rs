//! The C ABI: the committed header is what cbindgen makes of src/ffi.rs,
//! it compiles next to dump's own prototypes, and the shared library
//! exports exactly the contract's symbols.

mod common;

use std::path::Path;
use std::process::Command;

fn generate() -> String {
    let dir = env!("CARGO_MANIFEST_DIR");
    let config =
        cbindgen::Config::from_file(Path::new(dir).join("cbindgen.toml")).expect("cbindgen.toml");
    let bindings = cbindgen::Builder::new()
        .with_crate(dir)
        .with_config(config)
        .generate()
        .expect("cbindgen could not read the crate");
    let mut out = Vec::new();
    bindings.write(&mut out);
    String::from_utf8(out).expect("header is UTF-8")
}

#[test]
fn header_is_current() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("include/dumptape.h");
    let fresh = generate();
    if std::env::var_os("DUMPTAPE_BLESS").is_some() {
        std::fs::write(&path, &fresh).expect("write include/dumptape.h");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == fresh,
        "include/dumptape.h is stale: run `make header` and commit it"
    );
}

/// Every function and global of CONTRACT.md, and nothing else.
const CONTRACT: &[&str] = &[
    "Exit",
    "alloctape",
    "blocksthisvol",
    "close_rewind",
    "dumpabort",
    "dumpblock",
    "lastspclrec",
    "master",
    "nextblock",
    "nexttape",
    "nogripe",
    "proceed",
    "reqsiz",
    "sigpipe",
    "slaves",
    "slp",
    "startnewtape",
    "tenths",
    "tperror",
    "trecno",
    "trewind",
    "writerec",
    "writesize",
];

/// Symbols the rest of dump owns: the library must only reference them.
const DUMPS: &[&str] = &[
    "u_spcl",
    "tape",
    "disk",
    "tapefd",
    "diskfd",
    "pipeout",
    "curino",
    "newtape",
    "density",
    "tsize",
    "asize",
    "unlimited",
    "blockswritten",
    "tapeno",
    "tstart_writing",
    "sblock",
    "dev_bshift",
    "tp_bshift",
    "blocksperfile",
    "ntrec",
    "cartridge",
    "msg",
    "quit",
    "broadcast",
    "query",
    "timeest",
    "writeheader",
    "bread",
];

fn nm(args: &[&str], file: &Path) -> Vec<String> {
    let out = Command::new("nm")
        .args(args)
        .arg(file)
        .output()
        .expect("nm runs");
    assert!(out.status.success(), "nm {args:?} failed");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split_whitespace().last().map(str::to_owned))
        .collect()
}

#[test]
fn shared_library_exports_the_contract() {
    let so = common::lib_so();
    let mut defined = nm(&["-D", "--defined-only"], &so);
    defined.retain(|s| !s.starts_with("_") || s == "_init" || s == "_fini");
    defined.retain(|s| s != "_init" && s != "_fini");
    defined.sort();
    let mut want: Vec<String> = CONTRACT.iter().map(|s| s.to_string()).collect();
    want.sort();
    assert_eq!(defined, want, "exported symbols of {}", so.display());
    let undefined = nm(&["-D", "--undefined-only"], &so);
    for s in DUMPS {
        assert!(
            undefined.iter().any(|u| u == s),
            "{s} should be taken from dump"
        );
    }
}

#[test]
fn static_library_defines_none_of_dumps_symbols() {
    let a = common::lib_a();
    let out = Command::new("nm")
        .args(["--defined-only", "-g"])
        .arg(&a)
        .output()
        .expect("nm runs");
    let text = String::from_utf8_lossy(&out.stdout);
    for line in text.lines() {
        let Some(sym) = line.split_whitespace().last() else {
            continue;
        };
        assert!(!DUMPS.contains(&sym), "libdumptape.a defines dump's {sym}");
    }
    for s in CONTRACT {
        assert!(
            text.lines()
                .any(|l| l.split_whitespace().last() == Some(*s)),
            "libdumptape.a lacks {s}"
        );
    }
}

#[test]
fn header_compiles_beside_dumps_prototypes() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = std::env::temp_dir().join(format!("abi-check-{}.o", std::process::id()));
    for defs in [&[][..], &["-DRDUMP"][..]] {
        let status = Command::new(std::env::var("CC").unwrap_or_else(|_| "cc".into()))
            .args(["-Wall", "-Wextra", "-Werror", "-c"])
            .args(defs)
            .arg("-I")
            .arg(root.join("c-shim/include"))
            .arg("-I")
            .arg(root.join("include"))
            .arg("-o")
            .arg(&out)
            .arg(root.join("c-shim/abi-check.c"))
            .status()
            .expect("cc runs");
        assert!(
            status.success(),
            "c-shim/abi-check.c does not compile with {defs:?}"
        );
    }
    let _ = std::fs::remove_file(out);
}
