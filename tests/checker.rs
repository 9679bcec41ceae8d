//! dumpcheck, the record-stream checker of dump volume sets: it passes the
//! sets the oracle and the library write (one volume and many, every
//! blocking factor, dense and sparse), and names the fault of sets damaged
//! on purpose.

mod common;

use common::{Ended, Run, noise, scratch};
use dumptape::format::{
    C_ADDR, CHECKSUM, Field, Header, Layout, NFS_MAGIC, TP_BSIZE, TS_END, TS_INODE, TS_TAPE, seal,
};
use std::path::{Path, PathBuf};

// The 4.4BSD layout's places, from the format module the library and
// dumpcheck use.
const C_TYPE: usize = place(Field::Type);
const C_DATE: usize = place(Field::Date);
const C_TAPEA: usize = place(Field::Tapea);
const C_MAGIC: usize = place(Field::Magic);
const C_CHECKSUM: usize = place(Field::Checksum);
const C_COUNT: usize = place(Field::Count);
const C_FIRSTREC: usize = place(Field::Firstrec);

const fn place(f: Field) -> usize {
    Layout::Bsd44.place(f).0
}

/// Many small inodes: headers close together, many with no data.
const DENSE: &[&str] = &["-N", "3000", "-M", "3"];
/// Fewer, larger files: long runs of data records.
const SPARSE: &[&str] = &["-N", "150", "-M", "600"];

fn dumpcheck() -> PathBuf {
    let p = common::root().join("target/release/dumpcheck");
    assert!(
        p.exists(),
        "{} is missing: build it with `cargo build --release` (or `make all`)",
        p.display()
    );
    p
}

/// Run dumpcheck in `dir` with a time limit.
fn check(dir: &Path, args: &[&str]) -> Ended {
    Run::new(dumpcheck(), dir).args(args).timeout(60).run()
}

fn assert_ok(e: &Ended, what: &str) {
    let out = String::from_utf8_lossy(&e.stdout);
    assert_eq!(
        e.code,
        Some(0),
        "{what}: dumpcheck failed a good set:\n{}",
        e.stderr
    );
    assert!(
        out.starts_with("dumpcheck: OK: ") && out.lines().count() == 1,
        "{what}: unexpected output {out:?}"
    );
}

/// A fault: status 1, one line on standard error holding every `words`.
fn assert_fault(e: &Ended, words: &[&str]) {
    assert_eq!(
        e.code,
        Some(1),
        "expected a fault with {words:?}; stdout {:?}, stderr {:?}",
        String::from_utf8_lossy(&e.stdout),
        e.stderr
    );
    assert_eq!(e.stderr.lines().count(), 1, "one line: {:?}", e.stderr);
    assert!(e.stderr.starts_with("dumpcheck: volume "), "{:?}", e.stderr);
    for w in words {
        assert!(e.stderr.contains(w), "{w:?} not in {:?}", e.stderr);
    }
    assert!(e.stdout.is_empty(), "nothing on stdout for a fault");
}

/// A fault with one of `alternatives` in its message.
fn assert_fault_any(e: &Ended, alternatives: &[&str]) {
    assert_eq!(e.code, Some(1), "expected a fault: {:?}", e.stderr);
    assert!(
        alternatives.iter().any(|w| e.stderr.contains(w)),
        "none of {alternatives:?} in {:?}",
        e.stderr
    );
}

/// Dump the noise of `dir/disk.img` (made on first use) with `prog` to
/// `nvols` volumes named v1, v2 ... (or `one` when nvols is 1), with
/// `args` and `env` added; the names of the volumes written, in order.
fn dump(prog: &Path, dir: &Path, args: &[&str], nvols: usize, env: &[(&str, &str)]) -> Vec<String> {
    disk(dir);
    let names: Vec<String> = if nvols == 1 {
        vec!["one".into()]
    } else {
        (1..=nvols).map(|i| format!("v{i}")).collect()
    };
    // -G: the generated file system, whatever else args say.
    let mut run =
        Run::new(prog, dir)
            .args(["-G"])
            .args(args)
            .args(["-f", &names.join(","), "disk.img"]);
    for (k, v) in env {
        run = run.env(k, *v);
    }
    let e = run.run();
    assert_eq!(
        e.code,
        Some(0),
        "{} {args:?} failed:\n{}",
        prog.display(),
        e.stderr
    );
    names.into_iter().filter(|n| dir.join(n).exists()).collect()
}

/// The data to dump: 6 MB of noise in `dir/disk.img`, made on first use.
fn disk(dir: &Path) {
    let disk = dir.join("disk.img");
    if !disk.exists() {
        std::fs::write(&disk, noise(5, 6 << 20)).unwrap();
    }
}

/// The programs whose sets must pass: the oracle (when the reference is
/// there; skipped loudly otherwise) and the library's front-end.
fn writers() -> Vec<(&'static str, PathBuf)> {
    let mut w = Vec::new();
    if let Some(o) = common::oracle() {
        w.push(("oracle", o));
    }
    w.push(("library", common::minidump()));
    w
}

fn read(dir: &Path, name: &str) -> Vec<u8> {
    std::fs::read(dir.join(name)).unwrap()
}

fn write(dir: &Path, name: &str, bytes: &[u8]) {
    std::fs::write(dir.join(name), bytes).unwrap();
}

fn word(rec: &[u8], off: usize) -> i32 {
    i32::from_ne_bytes(rec[off..off + 4].try_into().unwrap())
}

fn set_word(rec: &mut [u8], off: usize, v: i32) {
    rec[off..off + 4].copy_from_slice(&v.to_ne_bytes());
}

/// Make a header whole again after an edit, as dump's writeheader does.
fn fix_checksum(rec: &mut [u8]) {
    seal(rec, Layout::Bsd44);
}

fn rec(v: &[u8], i: usize) -> &[u8] {
    &v[i * TP_BSIZE..(i + 1) * TP_BSIZE]
}

fn rec_mut(v: &mut [u8], i: usize) -> &mut [u8] {
    &mut v[i * TP_BSIZE..(i + 1) * TP_BSIZE]
}

/// A header of a volume: where it is, its type, the data records after it.
#[derive(Debug, Clone, Copy)]
struct Hdr {
    at: usize,
    ctype: i32,
    tapea: i32,
    data: usize,
}

/// The headers of a whole first volume (its TS_TAPE announces nothing),
/// walked the simple way: a header, the records it announces, a header...
fn headers(v: &[u8]) -> Vec<Hdr> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < v.len() / TP_BSIZE {
        let r = rec(v, i);
        assert_eq!(word(r, C_MAGIC), NFS_MAGIC, "test walk: no header at {i}");
        let h = Header::new(r, Layout::Bsd44, false);
        let t = word(r, C_TYPE);
        let n = word(r, C_COUNT).max(0) as usize;
        let data = match t {
            TS_TAPE | TS_END => 0,
            TS_INODE | 4 => h.addr_records() as usize,
            _ => n,
        };
        out.push(Hdr {
            at: i,
            ctype: t,
            tapea: word(r, C_TAPEA),
            data,
        });
        i += 1 + data;
    }
    out
}

/// A single volume at -b 1 with the library, its bytes and headers.
fn one_volume(dir: &Path, shape: &[&str]) -> (Vec<u8>, Vec<Hdr>) {
    let args: Vec<&str> = ["-b", "1"].iter().chain(shape).copied().collect();
    dump(&common::minidump(), dir, &args, 1, &[]);
    let v = read(dir, "one");
    let h = headers(&v);
    (v, h)
}

fn without_record(v: &[u8], i: usize) -> Vec<u8> {
    let mut out = v[..i * TP_BSIZE].to_vec();
    out.extend_from_slice(&v[(i + 1) * TP_BSIZE..]);
    out
}

fn with_record(v: &[u8], i: usize, r: &[u8]) -> Vec<u8> {
    let mut out = v[..i * TP_BSIZE].to_vec();
    out.extend_from_slice(r);
    out.extend_from_slice(&v[i * TP_BSIZE..]);
    out
}

// ---------------------------------------------------------------- good sets

fn single_volumes(ntrec: &str) {
    for (who, prog) in writers() {
        for shape in [DENSE, SPARSE] {
            let dir = scratch(&format!("dumpcheck-one-b{ntrec}"));
            let args: Vec<&str> = ["-b", ntrec].iter().chain(shape).copied().collect();
            dump(&prog, &dir, &args, 1, &[]);
            let what = format!("{who} -b {ntrec} {shape:?}");
            let e = check(&dir, &["-b", ntrec, "one"]);
            assert_ok(&e, &what);
            assert!(String::from_utf8_lossy(&e.stdout).contains(": 1 volume, "));
            // Whole tape blocks are whole records: -b 1 reads them too.
            assert_ok(&check(&dir, &["one"]), &what);
            let _ = std::fs::remove_dir_all(&dir);
        }
    }
}

#[test]
fn good_single_volume_b1() {
    single_volumes("1");
}

#[test]
fn good_single_volume_b10() {
    single_volumes("10");
}

#[test]
fn good_single_volume_b64() {
    single_volumes("64");
}

/// Several volumes by record count (-B) and a list of files: runs of data
/// cross the volume changes.
#[test]
fn good_multi_volume() {
    let cases: &[(&str, &str, &[&str], usize)] = &[
        ("10", "2000", DENSE, 5),
        ("1", "1500", SPARSE, 5),
        ("64", "1920", DENSE, 5),
        ("10", "700", SPARSE, 10),
    ];
    for (who, prog) in writers() {
        for &(ntrec, per_vol, shape, expect) in cases {
            let dir = scratch("dumpcheck-multi");
            let args: Vec<&str> = ["-b", ntrec, "-B", per_vol]
                .iter()
                .chain(shape)
                .copied()
                .collect();
            let vols = dump(&prog, &dir, &args, 12, &[]);
            assert_eq!(vols.len(), expect, "{who} {args:?}: volumes {vols:?}");
            let what = format!("{who} {args:?}");
            let mut cargs = vec!["-b", ntrec];
            cargs.extend(vols.iter().map(String::as_str));
            let e = check(&dir, &cargs);
            assert_ok(&e, &what);
            let out = String::from_utf8_lossy(&e.stdout);
            assert!(out.contains(&format!(": {expect} volumes, ")), "{out}");
            let _ = std::fs::remove_dir_all(&dir);
        }
    }
}

/// When the medium fills in the last tape block, the TS_END headers, dump
/// has opened one more volume: at -b 1 it holds the TS_TAPE header alone,
/// at -b 10 nothing at all (the header stayed in an unwritten block).
/// Both are sound sets.
#[test]
fn good_volume_after_the_end() {
    for (who, prog) in writers() {
        // The length of the whole dump at -b 1, to end volume 1 right there.
        let dir = scratch("dumpcheck-after-end");
        dump(&prog, &dir, &["-b", "1", "-N", "20", "-M", "3"], 1, &[]);
        let total = (read(&dir, "one").len() / TP_BSIZE).to_string();
        let vols = dump(
            &prog,
            &dir,
            &["-b", "1", "-B", &total, "-N", "20", "-M", "3"],
            3,
            &[],
        );
        assert_eq!(vols, ["v1", "v2"], "{who}");
        assert_eq!(read(&dir, "v2").len(), TP_BSIZE, "{who}: v2 is TS_TAPE");
        assert_ok(&check(&dir, &["v1", "v2"]), &format!("{who} -b 1"));
        let _ = std::fs::remove_dir_all(&dir);

        let dir = scratch("dumpcheck-after-end");
        let vols = dump(
            &prog,
            &dir,
            &["-b", "10", "-B", "10", "-N", "20", "-M", "3"],
            12,
            &[],
        );
        let last = vols.last().unwrap();
        assert!(read(&dir, last).is_empty(), "{who}: {last} should be empty");
        let mut cargs = vec!["-b", "10"];
        cargs.extend(vols.iter().map(String::as_str));
        assert_ok(&check(&dir, &cargs), &format!("{who} -b 10 -B 10"));
        let _ = std::fs::remove_dir_all(&dir);
    }
}

/// `-` reads the one volume from standard input.
#[test]
fn good_set_on_standard_input() {
    let dir = scratch("dumpcheck-stdin");
    dump(&common::minidump(), &dir, &["-b", "10"], 1, &[]);
    let cmd = format!("exec '{}' -b 10 - < one", dumpcheck().display());
    let e = Run::new("sh", &dir).args(["-c", &cmd]).timeout(60).run();
    assert_ok(&e, "stdin");
    let _ = std::fs::remove_dir_all(&dir);
}

/// A volume written on a host of the other byte order: every header word
/// swapped, data untouched.
#[test]
fn good_byte_swapped_set() {
    let dir = scratch("dumpcheck-swapped");
    let (mut v, hdrs) = one_volume(&dir, DENSE);
    for h in &hdrs {
        to_other_byte_order(rec_mut(&mut v, h.at));
    }
    write(&dir, "one", &v);
    assert_ok(&check(&dir, &["one"]), "byte-swapped");
    let _ = std::fs::remove_dir_all(&dir);
}

/// A header as a host of the other byte order writes it: its numbers
/// byte-swapped, its character arrays (c_addr, c_label, c_filesys, c_dev,
/// c_host) as they are, and a checksum that makes its words, read in that
/// host's order, add up to CHECKSUM.
fn to_other_byte_order(r: &mut [u8]) {
    let chars = |o: usize| (C_ADDR..692).contains(&o) || (696..888).contains(&o);
    for o in (0..TP_BSIZE).step_by(4).filter(|&o| !chars(o)) {
        r[o..o + 4].reverse();
    }
    set_word(r, C_CHECKSUM, 0);
    let sum = (0..TP_BSIZE)
        .step_by(4)
        .fold(0i32, |s, o| s.wrapping_add(word(r, o).swap_bytes()));
    set_word(r, C_CHECKSUM, CHECKSUM.wrapping_sub(sum).swap_bytes());
}

/// A fragment of a tape block at the end of a volume (a write the medium
/// cut short) is a fault: restore would read its records.
#[test]
fn cut_short_block_is_not_read() {
    let dir = scratch("dumpcheck-fragment");
    dump(&common::minidump(), &dir, &["-b", "10"], 1, &[]);
    let mut v = read(&dir, "one");
    v.extend_from_slice(&noise(9, 5 * TP_BSIZE + 100));
    write(&dir, "one", &v);
    // Restore would read the bytes of a cut-short block: a fault.
    assert_fault(
        &check(&dir, &["-b", "10", "one"]),
        &["5220 bytes of a tape block cut short"],
    );
    // Read as -b 1, the five whole records of noise follow the TS_END.
    assert_fault(&check(&dir, &["one"]), &["after TS_END"]);
    let _ = std::fs::remove_dir_all(&dir);
}

// ----------------------------------------------------------------- bad sets

#[test]
fn flipped_byte_in_a_header() {
    let dir = scratch("dumpcheck-flip");
    let (mut v, hdrs) = one_volume(&dir, DENSE);
    let h = hdrs[hdrs.len() / 2];
    rec_mut(&mut v, h.at)[40] ^= 0x10; // in c_dinode
    write(&dir, "one", &v);
    let e = check(&dir, &["one"]);
    assert_fault(
        &e,
        &[
            "bad checksum",
            "expected 84446",
            &format!("volume 1 (one), record {} (set record {})", h.at, h.at),
        ],
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn flipped_magic() {
    let dir = scratch("dumpcheck-magic");
    let (mut v, hdrs) = one_volume(&dir, DENSE);
    let h = hdrs[hdrs.len() / 3];
    let r = rec_mut(&mut v, h.at);
    set_word(r, C_MAGIC, NFS_MAGIC ^ 1);
    write(&dir, "one", &v);
    let e = check(&dir, &["one"]);
    let magic = (NFS_MAGIC ^ 1).to_string();
    assert_fault(
        &e,
        &[
            "bad magic",
            &magic,
            "expected 60012",
            &format!("record {}", h.at),
        ],
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// A data record dropped: its header's run swallows the next header, and
/// that header's first data record stands where a header must be.
#[test]
fn data_record_dropped() {
    let dir = scratch("dumpcheck-drop");
    let (v, hdrs) = one_volume(&dir, DENSE);
    let i = hdrs
        .windows(2)
        .position(|w| w[0].ctype == TS_INODE && w[0].data >= 1 && w[1].data >= 1)
        .expect("two inodes with data in a row");
    let (h, next) = (hdrs[i], hdrs[i + 1]);
    write(&dir, "one", &without_record(&v, h.at + 1));
    // next's first data record, one place earlier.
    let at = next.at;
    assert_fault(
        &check(&dir, &["one"]),
        &[
            "expected a header",
            &format!("record {at} (set record {at})"),
        ],
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// A data record dropped before a header without data: the header after
/// that one comes a record early, its c_tapea tells (the counts are off).
#[test]
fn data_record_dropped_before_an_empty_header() {
    let dir = scratch("dumpcheck-drop2");
    let (v, hdrs) = one_volume(&dir, DENSE);
    let i = hdrs
        .windows(3)
        .position(|w| w[0].data >= 1 && w[1].data == 0 && w[2].ctype == TS_INODE)
        .expect("data, then a header without data");
    write(&dir, "one", &without_record(&v, hdrs[i].at + 1));
    let third = hdrs[i + 2];
    assert_fault(
        &check(&dir, &["one"]),
        &[
            &format!("c_tapea is {}, expected {}", third.tapea, third.tapea - 1),
            &format!("record {}", third.at - 1),
        ],
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// A whole data record inserted into a run: the run's last record comes
/// where a header must be.
#[test]
fn data_record_inserted() {
    let dir = scratch("dumpcheck-insert");
    let (v, hdrs) = one_volume(&dir, SPARSE);
    let h = *hdrs.iter().find(|h| h.data >= 3).expect("a run of data");
    let copy = rec(&v, h.at + 1).to_vec();
    write(&dir, "one", &with_record(&v, h.at + 1, &copy));
    assert_fault(
        &check(&dir, &["one"]),
        &[
            "expected a header",
            &format!("record {}", h.at + h.data + 1),
        ],
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// An old header inserted where a header is due: c_tapea goes back.
#[test]
fn header_inserted() {
    let dir = scratch("dumpcheck-insert-hdr");
    let (v, hdrs) = one_volume(&dir, DENSE);
    let old = rec(&v, hdrs[5].at).to_vec();
    let at = hdrs[hdrs.len() / 2].at;
    write(&dir, "one", &with_record(&v, at, &old));
    assert_fault(
        &check(&dir, &["one"]),
        &[
            "c_tapea went back",
            &format!("c_tapea is {}", hdrs[5].tapea),
            &format!("record {at}"),
        ],
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// A five-volume set from the library, for the faults of whole volumes.
fn five_volumes(dir: &Path, env: &[(&str, &str)]) -> Vec<String> {
    let args = ["-b", "10", "-B", "2000", "-N", "3000", "-M", "3"];
    let vols = dump(&common::minidump(), dir, &args, 6, env);
    assert_eq!(vols.len(), 5, "{vols:?}");
    vols
}

fn check_vols(dir: &Path, vols: &[&str]) -> Ended {
    let mut args = vec!["-b", "10"];
    args.extend(vols);
    check(dir, &args)
}

#[test]
fn volume_missing() {
    let dir = scratch("dumpcheck-missing");
    five_volumes(&dir, &[]);
    assert_fault(
        &check_vols(&dir, &["v1", "v3", "v4", "v5"]),
        &["volume 2 (v3), record 0 (set record 2000): c_volume is 3, expected 2"],
    );
    // The last volume missing: the set stops mid-dump.
    assert_fault_any(
        &check_vols(&dir, &["v1", "v2", "v3", "v4"]),
        &["ends inside data", "no TS_END"],
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn volumes_out_of_order() {
    let dir = scratch("dumpcheck-order");
    five_volumes(&dir, &[]);
    assert_fault(
        &check_vols(&dir, &["v1", "v3", "v2", "v4", "v5"]),
        &["volume 2 (v3)", "c_volume is 3, expected 2"],
    );
    assert_fault(
        &check_vols(&dir, &["v2", "v1", "v3", "v4", "v5"]),
        &[
            "volume 1 (v2), record 0 (set record 0)",
            "c_volume is 2, expected 1",
        ],
    );
    assert_fault(
        &check_vols(&dir, &["v1", "v2", "v3", "v4", "v5", "v5"]),
        &["volume 6 (v5)", "c_volume is 5, expected 6"],
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// The last volume cut short: inside a run of data, or between headers.
#[test]
fn last_volume_truncated() {
    let dir = scratch("dumpcheck-trunc");
    let (v, hdrs) = one_volume(&dir, SPARSE);
    let h = *hdrs[hdrs.len() / 2..]
        .iter()
        .find(|h| h.data >= 3)
        .expect("a run of data in the second half");
    write(&dir, "cut1", &v[..(h.at + 2) * TP_BSIZE]);
    assert_fault(
        &check(&dir, &["cut1"]),
        &[
            "ends inside data",
            &format!("{} data records still owed", h.data - 1),
            &format!("set record {}", h.at),
        ],
    );
    write(&dir, "cut2", &v[..h.at * TP_BSIZE]);
    assert_fault(
        &check(&dir, &["cut2"]),
        &[
            "no TS_END",
            &format!("record {} (set record {})", h.at, h.at),
        ],
    );
    // Less than a tape block cut at -b 10: that whole block is lost.
    dump(&common::minidump(), &dir, &["-b", "10"], 1, &[]);
    let v = read(&dir, "one");
    write(&dir, "one", &v[..v.len() - 100]);
    assert_fault(
        &check(&dir, &["-b", "10", "one"]),
        &["bytes of a tape block cut short"],
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// A volume of another dump of the same data, a second later: everything
/// else matches, the date tells.
#[test]
fn volume_from_another_dump() {
    let a = scratch("dumpcheck-other-a");
    let b = scratch("dumpcheck-other-b");
    five_volumes(&a, &[]);
    five_volumes(&b, &[("SOURCE_DATE_EPOCH", "1000000001")]);
    std::fs::copy(b.join("v3"), a.join("other3")).unwrap();
    assert_fault(
        &check_vols(&a, &["v1", "v2", "other3", "v4", "v5"]),
        &[
            "volume 3 (other3), record 0 (set record 4000)",
            "from another dump",
            "c_date is 1000000001",
            "expected 1000000000 (2001-09-09 01:46:40 UTC)",
        ],
    );
    let _ = std::fs::remove_dir_all(&a);
    let _ = std::fs::remove_dir_all(&b);
}

/// Volume header fields edited (checksum made whole again): each is named.
#[test]
fn volume_header_fields() {
    let dir = scratch("dumpcheck-fields");
    five_volumes(&dir, &[]);
    let orig = read(&dir, "v3");
    let edit = |f: &dyn Fn(&mut [u8])| {
        let mut v = orig.clone();
        f(rec_mut(&mut v, 0));
        fix_checksum(rec_mut(&mut v, 0));
        write(&dir, "v3", &v);
        check_vols(&dir, &["v1", "v2", "v3", "v4", "v5"])
    };
    let e = edit(&|r| set_word(r, C_FIRSTREC, word(r, C_FIRSTREC) + 30));
    assert_fault(
        &e,
        &[
            "volume 3 (v3), record 0",
            "c_firstrec is 4030, expected 4000",
        ],
    );
    let e = edit(&|r| set_word(r, C_COUNT, word(r, C_COUNT) + 1));
    assert_fault(&e, &["volume 3 (v3), record 0", "c_count is"]);
    let e = edit(&|r| set_word(r, C_TYPE, TS_INODE));
    assert_fault(&e, &["expected TS_TAPE", "found TS_INODE"]);
    let e = edit(&|r| set_word(r, C_TAPEA, 5));
    assert_fault(&e, &["c_tapea went back", "c_tapea is 5"]);
    let e = edit(&|r| set_word(r, C_DATE, 7));
    assert_fault(&e, &["from another dump", "c_date is 7"]);
    let _ = std::fs::remove_dir_all(&dir);
}

/// After the first TS_END dump writes only TS_END headers.
#[test]
fn record_after_ts_end() {
    let dir = scratch("dumpcheck-after");
    dump(&common::minidump(), &dir, &["-b", "10"], 1, &[]);
    let mut v = read(&dir, "one");
    let last = v.len() / TP_BSIZE - 1;
    assert_eq!(word(rec(&v, last), C_TYPE), TS_END);
    assert_eq!(word(rec(&v, last - 1), C_TYPE), TS_END, "-b 10 pads");
    // The last TS_END made an inode header.
    set_word(rec_mut(&mut v, last), C_TYPE, TS_INODE);
    fix_checksum(rec_mut(&mut v, last));
    write(&dir, "one", &v);
    assert_fault(
        &check(&dir, &["-b", "10", "one"]),
        &[
            "after TS_END",
            "expected TS_END, found TS_INODE",
            &format!("record {last}"),
        ],
    );
    // ... or noise.
    rec_mut(&mut v, last).copy_from_slice(&noise(3, TP_BSIZE));
    write(&dir, "one", &v);
    assert_fault(
        &check(&dir, &["-b", "10", "one"]),
        &["after TS_END", "expected a header"],
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// tape.c (and so the oracle and the library) counts c_addr[] for every
/// header type when it works out a volume header's c_count: when a volume
/// change falls just after a TS_CLRI map header, the next TS_TAPE header
/// owes the wrong number of map records.  dumpcheck says so.
#[test]
fn map_header_before_a_volume_change() {
    for (who, prog) in writers() {
        let dir = scratch("dumpcheck-map");
        // Two records a volume: TS_TAPE and TS_CLRI on v1, the map on
        // v2.  The dump then asks for a third volume and, with no answer,
        // aborts: the two volumes are all this needs.
        disk(&dir);
        Run::new(&prog, &dir)
            .args(["-b", "1", "-B", "2", "-N", "20", "-f", "v1,v2", "disk.img"])
            .run();
        assert_eq!(read(&dir, "v2").len(), 2 * TP_BSIZE, "{who}");
        let e = check(&dir, &["v1", "v2"]);
        if who == "library" {
            // The library counts a map's records (see tape.rs,
            // announced_blocks): the set is only short of its end.
            assert_fault(&e, &["no TS_END"]);
        } else {
            // tape.c counted the c_addr left over from the header before.
            assert_fault(
                &e,
                &[
                    "volume 2 (v2), record 0 (set record 2)",
                    "c_count is 0, expected 1 (1 data record still owed by the TS_CLRI header at set record 1)",
                ],
            );
        }
        println!("{who}: {}", e.stderr.trim());
        let _ = std::fs::remove_dir_all(&dir);
    }
}

// -------------------------------------------------------- the command itself

#[test]
fn usage_and_unreadable_files() {
    let dir = scratch("dumpcheck-usage");
    write(&dir, "empty", b"");
    for args in [
        &[][..],
        &["-b"][..],
        &["-b", "0", "empty"][..],
        &["-b", "x", "empty"][..],
        &["-q", "empty"][..],
        &["empty", "-"][..],
    ] {
        let e = check(&dir, args);
        assert_eq!(e.code, Some(2), "{args:?}: {}", e.stderr);
        assert!(
            e.stderr.contains("usage: dumpcheck"),
            "{args:?}: {}",
            e.stderr
        );
    }
    let e = check(&dir, &["empty", "no-such-volume"]);
    assert_eq!(e.code, Some(2));
    assert!(
        e.stderr
            .contains("no-such-volume: No such file or directory"),
        "{}",
        e.stderr
    );
    let e = check(&dir, &["."]);
    assert_eq!(e.code, Some(2));
    assert!(e.stderr.contains("Is a directory"), "{}", e.stderr);
    // An empty volume alone is no dump (an empty volume inside a set is
    // what a medium that took no whole block leaves, see end_volume).
    assert_fault(&check(&dir, &["empty"]), &["volume 1 (empty)", "no TS_END"]);
    let _ = std::fs::remove_dir_all(&dir);
}
