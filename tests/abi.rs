//! The C ABI: the committed header is what cbindgen makes of src/ffi.rs,
//! it compiles next to dump's own prototypes, and the shared library
//! exports exactly the contract's symbols.  And the static library links
//! into a program the way the README says.

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

/// Every function and global the 1998 tape.c defines, and nothing else.
const TAPE_C: &[&str] = &[
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

/// Standard output of binutils' `tool` with `args` on `file`.
fn binutil(tool: &str, args: &[&str], file: &Path) -> String {
    let out = Command::new(tool)
        .args(args)
        .arg(file)
        .output()
        .unwrap_or_else(|e| panic!("{tool} does not run (binutils): {e}"));
    assert!(out.status.success(), "{tool} {args:?} failed");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn nm(args: &[&str], file: &Path) -> Vec<String> {
    binutil("nm", args, file)
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
    let mut want: Vec<String> = TAPE_C.iter().map(|s| s.to_string()).collect();
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
    for s in TAPE_C {
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
            .arg(root.join("tests/c/abi-check.c"))
            .status()
            .expect("cc runs");
        assert!(
            status.success(),
            "tests/c/abi-check.c does not compile with {defs:?}"
        );
    }
    let _ = std::fs::remove_file(out);
}

/// minidump is linked as the README tells packagers to link the static
/// library: the library's code in a section of its own ahead of the rest,
/// std's backtrace printer in one after it, and no libgcc_s to map.  (If
/// the archive's member names change, c-shim/textorder.ld stops matching
/// and this fails.)
#[test]
fn front_end_keeps_the_library_code_together() {
    let exe = common::minidump();
    let sections = binutil("readelf", &["-SW"], &exe);
    // [Nr] Name Type Address Off Size ...: address and size of a section.
    let find = |name: &str| -> (u64, u64) {
        let line = sections
            .lines()
            .find(|l| l.split_whitespace().any(|w| w == name))
            .unwrap_or_else(|| panic!("{} has no {name} section", exe.display()));
        let f: Vec<&str> = line.split(']').nth(1).unwrap().split_whitespace().collect();
        let hex = |s: &str| u64::from_str_radix(s, 16).unwrap();
        (hex(f[2]), hex(f[4]))
    };
    let (lib_at, lib_len) = find(".text.dumptape");
    let (text_at, _) = find(".text");
    let (bt_at, bt_len) = find(".text.backtrace");
    assert!(
        lib_len > 8 * 1024,
        "the library's code is not in .text.dumptape"
    );
    assert!(
        bt_len > 32 * 1024,
        "std's backtrace code is not in .text.backtrace"
    );
    assert!(lib_at < text_at && text_at < bt_at, "sections out of order");
    let dynamic = binutil("readelf", &["-d"], &exe);
    assert!(
        !dynamic.contains("libgcc_s"),
        "minidump needs libgcc_s:\n{dynamic}"
    );
}
