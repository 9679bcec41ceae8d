//! The C interfaces: each committed header is what cbindgen makes of its
//! boundary's exports and compiles next to dump's own prototypes, and each
//! shared library exports exactly what its tape.c defines.  And the static
//! library links into a program the way the README says.

mod common;

use std::path::Path;
use std::process::Command;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The header cbindgen makes from `sources` with `config`.
fn generate(config: &str, sources: &[&str]) -> String {
    let config = cbindgen::Config::from_file(root().join(config)).expect("cbindgen config");
    let mut b = cbindgen::Builder::new().with_config(config);
    for s in sources {
        b = b.with_src(root().join(s));
    }
    let bindings = b.generate().expect("cbindgen could not read the boundary");
    let mut out = Vec::new();
    bindings.write(&mut out);
    String::from_utf8(out).expect("header is UTF-8")
}

/// The committed header is the generated one (DUMPTAPE_BLESS writes it).
fn current(header: &str, config: &str, sources: &[&str]) {
    let path = root().join(header);
    let fresh = generate(config, sources);
    if std::env::var_os("DUMPTAPE_BLESS").is_some() {
        std::fs::write(&path, &fresh).expect("write the header");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == fresh,
        "{header} is stale: run `make header` and commit it"
    );
}

#[test]
fn header_is_current() {
    current(
        "include/dumptape.h",
        "cbindgen.toml",
        &["src/abi/exports.rs"],
    );
}

#[test]
fn freebsd_header_is_current() {
    current(
        "include/dumptape-freebsd.h",
        "cbindgen-freebsd.toml",
        &["src/abi/freebsd/globals.rs", "src/abi/freebsd/exports.rs"],
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

/// `so` defines exactly `exports` (besides the toolchain's names, which
/// begin with an underscore) and takes each of `imports` from dump.
fn exports_exactly(so: &Path, exports: &[&str], imports: &[&str]) {
    let mut defined = nm(&["-D", "--defined-only"], so);
    defined.retain(|s| !s.starts_with('_'));
    defined.sort();
    let mut want: Vec<String> = exports.iter().map(|s| s.to_string()).collect();
    want.sort();
    assert_eq!(defined, want, "exported symbols of {}", so.display());
    let undefined = nm(&["-D", "--undefined-only"], so);
    for s in imports {
        assert!(
            undefined.iter().any(|u| u == s),
            "{s} should be taken from dump"
        );
    }
}

#[test]
fn shared_library_exports_the_contract() {
    exports_exactly(&common::lib_so(), TAPE_C, DUMPS);
}

/// Every function and global today's FreeBSD tape.c defines.
const FREEBSD_TAPE_C: &[&str] = &[
    "Exit",
    "alloctape",
    "close_rewind",
    "curino",
    "dumpabort",
    "dumpblock",
    "newtape",
    "nogripe",
    "proceed",
    "sigpipe",
    "startnewtape",
    "tperror",
    "trewind",
    "u_spcl",
    "writerec",
];

/// What today's dump defines and its tape.c uses.
const FREEBSD_DUMPS: &[&str] = &[
    "tape",
    "disk",
    "popenout",
    "diskfd",
    "pipeout",
    "density",
    "tsize",
    "unlimited",
    "blockswritten",
    "tapeno",
    "ntrec",
    "blocksperfile",
    "cartridge",
    "tstart_writing",
    "sblock",
    "dev_bshift",
    "tp_bshift",
    "msg",
    "quit",
    "broadcast",
    "query",
    "timeest",
    "writeheader",
    "blkread",
    "infosch",
    "setproctitle",
];

#[test]
fn freebsd_shared_library_exports_what_todays_tape_c_defines() {
    let so = common::freebsd_lib_so();
    exports_exactly(&so, FREEBSD_TAPE_C, FREEBSD_DUMPS);
    // The header in progress is dumprestore.h's union: 1024 bytes, aligned
    // for its 64-bit fields.
    let syms = binutil("readelf", &["-sW", "--dyn-syms"], &so);
    let line = syms
        .lines()
        .find(|l| l.split_whitespace().last() == Some("u_spcl"))
        .expect("u_spcl in the dynamic symbols");
    let f: Vec<&str> = line.split_whitespace().collect();
    assert_eq!(f[2], "1024", "the size of u_spcl: {line}");
    let addr = u64::from_str_radix(f[1], 16).unwrap();
    assert_eq!(addr % 8, 0, "u_spcl is 8-aligned: {line}");
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
