//! End to end: trees built here, made into UFS1 images by makefs, dumped
//! by minidump through the library, and read back by restore(8) (Debian's
//! dump package).  Every restored tree must be the tree that was dumped:
//! contents, sizes, modes, owners, times, symbolic link targets and hard
//! links.  The same dumps made with the oracle (tape-fixed.c) must be the
//! same bytes.  Damaged and wrong images must be refused with exit
//! status 3 and a message that says what is wrong, before any volume is
//! written.  With build/faultwrite.so, ends of medium on one volume and on
//! every volume must still give a set restore reads back.
//!
//! Without makefs or restore the tests say SKIPPED loudly and pass; under
//! CI they fail with the command that installs them.

mod common;

use common::fstree::{
    Dump, Input, Out, Snapshot, Tools, build_tree, dump, listing_matches, longest, makefs, restore,
    restores_to, snapshot, tools, tree_differs, volume_size, write,
};
use common::{Run, minidump, noise, oracle, original, refuses, root, scratch};
use std::fs;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

// ------------------------------------------------------------------ runs
//
// The trees, the runs of a dump and of restore, and the comparison of
// trees are in common::fstree, shared with ufs2.rs.

/// The oracle's dump is the library's, byte for byte.
fn same_as_oracle(what: &str, lib: &Dump, orc: &Dump) {
    common::assert_same(what, (&lib.ended, &lib.vols), (&orc.ended, &orc.vols));
}

/// Dump `img` into `dir`/lib with the library, which must end well, and,
/// where the oracle `orc` is built, into `dir`/ref with it: the same
/// bytes and messages.  The library's dump.
fn dump_as_oracle(
    what: &str,
    orc: Option<&Path>,
    dir: &Path,
    img: &str,
    args: &[&str],
    out: Out,
) -> Dump {
    let lib = dump(&minidump(), &dir.join("lib"), img, args, out, &[]);
    assert_eq!(lib.ended.code, Some(0), "{what}: {}", lib.ended.stderr);
    if let Some(o) = orc {
        let r = dump(o, &dir.join("ref"), img, args, out, &[]);
        same_as_oracle(what, &lib, &r);
    }
    lib
}

// ------------------------------------------------------------------ round trips

/// A tree through makefs, minidump (library and oracle) and restore, to
/// one file, through a pipe and to volume lists, at -b 10, 32 and 64.
fn round_trip(name: &str, opts: &str, big: bool) {
    let Some(tools) = tools() else { return };
    let base = scratch(&format!("e2e-{name}"));
    build_tree(&base.join("tree"), big);
    makefs(&tools, &base, "tree", "fs.img", opts);
    let src = snapshot(&base.join("tree"));
    let orc = oracle();
    // The same name for every program: it is written in c_dev.
    let img = "../../fs.img";

    let cases: Vec<(&str, Vec<&str>, Out, usize)> = vec![
        ("file-b10", vec!["-b", "10"], Out::File, 10),
        ("stdout-b32", vec!["-b", "32"], Out::Stdout, 32),
        ("file-b32", vec!["-b", "32"], Out::File, 32),
        ("vols-b64", vec!["-b", "64"], Out::Vols(30), 64),
        ("vols-b10", vec!["-b", "10"], Out::Vols(30), 10),
    ];
    let mut records = 0;
    let mut stdout32 = Vec::new();
    for (label, mut args, out, ntrec) in cases {
        let what = format!("{name} {label}");
        let size;
        if let Out::Vols(_) = out {
            // Three volumes or more for -b 64, about ten for -b 10.
            let nvols = if ntrec == 64 { 4 } else { 10 };
            size = volume_size(records, ntrec, nvols);
            args.extend(["-B", &size]);
        }
        let dir = base.join(label);
        let lib = dump_as_oracle(&what, orc.as_deref(), &dir, img, &args, out);
        let check =
            common::check_set(ntrec, &lib.paths()).unwrap_or_else(|e| panic!("{what}: {e}"));
        if label == "file-b10" {
            records = lib.records();
            // Nothing on tape depends on the run: no uninitialised bytes.
            let again = dump(&minidump(), &dir.join("again"), img, &args, out, &[]);
            assert!(
                again.vols[0].1 == lib.vols[0].1,
                "{what}: two dumps of one image differ"
            );
            // The directory entries of 255-byte names are on the tape.
            let (d, f) = longest();
            for name in [d, f] {
                let mut entry = name.into_bytes();
                entry.push(0);
                assert!(
                    lib.vols[0].1.windows(entry.len()).any(|w| w == entry),
                    "{what}: a 255-byte name is not on the tape"
                );
            }
        }
        match out {
            Out::Stdout => stdout32 = lib.vols[0].1.clone(),
            Out::File if ntrec == 32 => {
                assert!(
                    stdout32 == lib.vols[0].1,
                    "{what}: a pipe and a file get different bytes"
                )
            }
            _ => {}
        }
        let vols = lib.paths();
        let rdir = dir.join("restored");
        match out {
            Out::File => {
                let input = Input::File(&vols[0]);
                listing_matches(&what, &tools, &dir.join("list"), &input, &src);
                restores_to(&what, &tools, &rdir, &["-r"], &input, &src);
                restores_to(&what, &tools, &rdir, &["-x", "-a"], &input, &src);
            }
            Out::Stdout => {
                let input = Input::Pipe(&vols[0]);
                restores_to(&what, &tools, &rdir, &["-r"], &input, &src);
            }
            Out::Vols(_) => {
                assert!(lib.vols.len() >= 3, "{what}: {} volumes", lib.vols.len());
                let prefix = lib.dir.join("vol");
                let input = Input::Multi(&prefix);
                listing_matches(&what, &tools, &dir.join("list"), &input, &src);
                restores_to(&what, &tools, &rdir, &["-r"], &input, &src);
                restores_to(&what, &tools, &rdir, &["-x", "-a"], &input, &src);
            }
        }
        println!(
            "{what}: {} names, {} records on {} volume(s){}; restored; {check}",
            src.nodes.len(),
            lib.records(),
            lib.vols.len(),
            if orc.is_some() {
                ", identical to the oracle's"
            } else {
                ""
            }
        );
        let _ = fs::remove_dir_all(&dir);
    }
    let _ = fs::remove_dir_all(&base);
}

#[test]
fn ufs1_8k_blocks() {
    round_trip("8k", "", true);
}

/// 4 KB blocks of 512-byte fragments: a 5 MiB file needs the double
/// indirect block, and a fragment is half a tape record.
#[test]
fn ufs1_4k_blocks_512_fragments() {
    round_trip("4k", "bsize=4096,fsize=512", true);
}

#[test]
fn ufs1_16k_blocks() {
    round_trip("16k", "bsize=16384,fsize=2048", false);
}

#[test]
fn ufs1_64k_blocks() {
    round_trip("64k", "bsize=65536,fsize=8192", false);
}

// ------------------------------------------------------------------ images

/// Just enough UFS1 to find an inode and change it, for the holes and
/// the damaged images.
struct Image {
    d: Vec<u8>,
}

const SBOFF: usize = 8192;

impl Image {
    fn sb(&self, off: usize) -> i64 {
        i32::from_le_bytes(self.d[SBOFF + off..SBOFF + off + 4].try_into().unwrap()) as i64
    }

    fn fsize(&self) -> i64 {
        self.sb(52)
    }

    /// Byte offset of inode `ino` (cgoffset is 0 in what makefs writes).
    fn inode(&self, ino: i64) -> usize {
        let (iblkno, frag, inopb, ipg, fpg) = (
            self.sb(16),
            self.sb(56),
            self.sb(120),
            self.sb(184),
            self.sb(188),
        );
        let cg = ino / ipg;
        let fsba = cg * fpg + iblkno + (ino % ipg) / inopb * frag;
        (fsba * self.fsize()) as usize + (ino % inopb) as usize * 128
    }

    /// The regular file of this size (there must be one).
    fn file_of_size(&self, size: u64) -> usize {
        let ninodes = self.sb(44) * self.sb(184);
        (2..ninodes)
            .map(|i| self.inode(i))
            .find(|&o| {
                let mode = u16::from_le_bytes(self.d[o..o + 2].try_into().unwrap());
                mode & 0o170000 == 0o100000 && self.u64(o + 8) == size
            })
            .unwrap_or_else(|| panic!("no file of {size} bytes in the image"))
    }

    fn word(&self, off: usize) -> i64 {
        i32::from_le_bytes(self.d[off..off + 4].try_into().unwrap()) as i64
    }

    fn u64(&self, off: usize) -> u64 {
        u64::from_le_bytes(self.d[off..off + 8].try_into().unwrap())
    }

    fn set_i32(&mut self, off: usize, v: i64) {
        self.d[off..off + 4].copy_from_slice(&(v as i32).to_le_bytes());
    }

    /// Byte offset of entry i of the indirect block at fragment b.
    fn ptr(&self, b: i64, i: usize) -> usize {
        (b * self.fsize()) as usize + 4 * i
    }
}

const DI_DB: usize = 40;
const DI_IB: usize = 88;

/// Holes in the image (makefs writes none): a direct block, an entry of
/// the single indirect block, and a whole indirect block under the double
/// one.  The tape holds no records for them; restore makes zeros of them.
#[test]
fn holes() {
    let Some(tools) = tools() else { return };
    let base = scratch("e2e-holes");
    let tree = base.join("tree");
    let size = 9 * 1024 * 1024 + 5;
    let data = noise(9, size);
    write(&tree.join("holey"), &data);
    write(&tree.join("other"), b"another file\n");
    makefs(&tools, &base, "tree", "fs.img", "bsize=4096,fsize=512");
    let mut img = Image {
        d: fs::read(base.join("fs.img")).unwrap(),
    };
    let bsize = 4096;
    let ino = img.file_of_size(size as u64);
    let mut want = data.clone();
    let mut hole = |lbn: usize| want[lbn * bsize..(lbn + 1) * bsize].fill(0);
    // Direct block 2.
    img.set_i32(ino + DI_DB + 2 * 4, 0);
    hole(2);
    // Entry 7 of the single indirect block: logical block 12 + 7.
    let single = img.word(ino + DI_IB);
    let at = img.ptr(single, 7);
    img.set_i32(at, 0);
    hole(12 + 7);
    // The first indirect block under the double one: 1024 blocks.
    let double = img.word(ino + DI_IB + 4);
    let at = img.ptr(double, 0);
    img.set_i32(at, 0);
    for lbn in 12 + 1024..12 + 2048 {
        hole(lbn);
    }
    fs::write(base.join("holes.img"), &img.d).unwrap();

    let full = dump(
        &minidump(),
        &base.join("full"),
        "../fs.img",
        &["-b", "10"],
        Out::File,
        &[],
    );
    let lib = dump_as_oracle(
        "holes",
        oracle().as_deref(),
        &base,
        "../holes.img",
        &["-b", "10"],
        Out::File,
    );
    common::check_set(10, &lib.paths()).unwrap();
    // The holes take no records: 1026 blocks of 4 KB are 4104 records.
    let saved = full.records() as i64 - lib.records() as i64;
    // Give or take the padding of the last tape block.
    assert!(
        (4104 - 10..=4104 + 10).contains(&saved),
        "the holes saved {saved} records"
    );
    let rdir = base.join("restored");
    let e = restore(&tools, &rdir, &["-r"], &Input::File(&lib.paths()[0]));
    assert_eq!(e.code, Some(0), "{}", e.stderr);
    let got = fs::read(rdir.join("holey")).unwrap();
    assert_eq!(got.len(), want.len());
    assert!(got == want, "the restored file is not the file with holes");
    assert_eq!(fs::read(rdir.join("other")).unwrap(), b"another file\n");
    println!("holes: {saved} records fewer on tape, restored as zeros");
    let _ = fs::remove_dir_all(&base);
}

/// A file reaching into the triple indirect block: 4 GiB with 4 KB
/// blocks, so the image gets it by hand (makefs would write out every
/// zero).  The 5 MiB file is made 4 GiB and a bit long, with a chain of
/// three new indirect blocks, in blocks the image leaves free, mapping
/// its last blocks to its first ones.  Everything between is a hole: a
/// dump of a few MB, a sparse file on restore.
#[test]
fn triple_indirect() {
    let Some(tools) = tools() else { return };
    let base = scratch("e2e-triple");
    let tree = base.join("tree");
    let data = noise(3, 5 * 1024 * 1024 + 7);
    write(&tree.join("big"), &data);
    write(&tree.join("small"), b"small\n");
    makefs(&tools, &base, "tree", "fs.img", "bsize=4096,fsize=512");
    let mut img = Image {
        d: fs::read(base.join("fs.img")).unwrap(),
    };
    let (bsize, frag, fsize) = (4096usize, img.sb(56), img.fsize());
    let nindir = bsize / 4;
    let ino = img.file_of_size(data.len() as u64);
    // Free blocks: whole blocks of zeros in the data area (no file in
    // the tree has a block of zeros).
    let first = img.sb(20) + 64 * frag;
    let free: Vec<i64> = (first..img.sb(36) - frag + 1)
        .step_by(frag as usize)
        .filter(|&b| {
            let at = (b * fsize) as usize;
            img.d[at..at + bsize].iter().all(|&x| x == 0)
        })
        .collect();
    assert!(free.len() >= 3, "no room for three indirect blocks");
    let (t, m, l) = (free[0], free[1], free[2]);
    let (at_t, at_m) = (img.ptr(t, 0), img.ptr(m, 0));
    img.set_i32(at_t, m);
    img.set_i32(at_m, l);
    for i in 0..3 {
        let b = img.word(ino + DI_DB + 4 * i);
        let at = img.ptr(l, i);
        img.set_i32(at, b);
    }
    img.set_i32(ino + DI_IB + 8, t);
    let lbn0 = 12 + nindir + nindir * nindir;
    let size = (lbn0 + 2) * bsize + 100;
    img.d[ino + 8..ino + 16].copy_from_slice(&(size as u64).to_le_bytes());
    fs::write(base.join("triple.img"), &img.d).unwrap();

    let lib = dump_as_oracle(
        "triple",
        oracle().as_deref(),
        &base,
        "../triple.img",
        &["-b", "64"],
        Out::File,
    );
    let check = common::check_set(64, &lib.paths()).unwrap();
    let rdir = base.join("restored");
    let e = restore(&tools, &rdir, &["-r"], &Input::File(&lib.paths()[0]));
    assert_eq!(e.code, Some(0), "{}", e.stderr);
    let got = rdir.join("big");
    assert_eq!(fs::metadata(&got).unwrap().len(), size as u64);
    let mut f = fs::File::open(&got).unwrap();
    let mut head = vec![0; data.len()];
    use std::io::{Read, Seek, SeekFrom};
    f.read_exact(&mut head).unwrap();
    assert!(head == data, "the direct, single and double blocks differ");
    let mut tail = Vec::new();
    f.seek(SeekFrom::Start((lbn0 * bsize) as u64)).unwrap();
    f.read_to_end(&mut tail).unwrap();
    assert!(
        tail == data[..2 * bsize + 100],
        "the blocks under the triple indirect block differ"
    );
    println!(
        "triple indirect: a {size}-byte file, {} records; restored; {check}",
        lib.records()
    );
    let _ = fs::remove_dir_all(&base);
}

// ------------------------------------------------------------------ bad images

/// Every wrong disk ends the dump with status 3 and a message naming the
/// problem, before a volume is opened.
#[test]
fn bad_images_are_refused() {
    let Some(tools) = tools() else { return };
    let base = scratch("e2e-bad");
    let tree = base.join("tree");
    write(&tree.join("small"), b"small\n");
    write(&tree.join("dir/file"), &noise(1, 20000));
    write(&tree.join("five"), &noise(5, 5 * 1024 * 1024 + 7));
    makefs(&tools, &base, "tree", "good.img", "bsize=4096,fsize=512");
    let e = Run::new(&tools.makefs, &base)
        .args([
            "-M",
            "1048576",
            "-t",
            "ffs",
            "-o",
            "version=2",
            "ufs2.img",
            "tree",
        ])
        .run();
    assert_eq!(e.code, Some(0), "{}", e.stderr);
    let e = Run::new(&tools.makefs, &base)
        .args([
            "-M",
            "1048576",
            "-B",
            "be",
            "-t",
            "ffs",
            "-o",
            "version=1",
            "be.img",
            "tree",
        ])
        .run();
    assert_eq!(e.code, Some(0), "{}", e.stderr);
    let good = fs::read(base.join("good.img")).unwrap();
    let img = || Image { d: good.clone() };
    let ino_small = img().file_of_size(6);
    let ino_five = img().file_of_size(5 * 1024 * 1024 + 7);
    let fs_size = img().sb(36);

    let mut cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("empty", vec![], "is not a UFS1 file system: it is empty"),
        (
            "text",
            b"hello, world\n".to_vec(),
            "too short to hold a super block",
        ),
        (
            "long text",
            "not a file system\n".repeat(2000).into_bytes(),
            "is not a UFS1 file system: no UFS1 magic number",
        ),
        (
            "cut short",
            good[..good.len() / 2].to_vec(),
            "truncated UFS1 image",
        ),
        ("cut in the super block", good[..9000].to_vec(), "too short"),
    ];
    let sb_cases: &[(&str, usize, i64, &str)] = &[
        ("block size", 48, 12288, "block size 12288"),
        ("fragment size", 52, 3000, "fragment size 3000"),
        ("cylinder groups", 44, 1000, "cylinder groups"),
        (
            "inodes per group",
            184,
            0x7fff_fff0,
            "damaged UFS1 super block",
        ),
        ("fsbtodb", 100, 9, "fsbtodb 9"),
        ("size", 36, 0x7fff_0000, "damaged UFS1 super block"),
        ("inode blocks", 16, 0x7000_0000, "cylinder group layout"),
    ];
    for (what, off, v, msg) in sb_cases {
        let mut i = img();
        i.set_i32(SBOFF + off, *v);
        cases.push((what, i.d, msg));
    }
    let mut i = img();
    let root = i.inode(2);
    i.d[root..root + 2].copy_from_slice(&0o100644u16.to_le_bytes());
    cases.push((
        "root not a directory",
        i.d,
        "the root inode is not a directory",
    ));
    let mut i = img();
    i.d[ino_small..ino_small + 2].copy_from_slice(&0o170644u16.to_le_bytes());
    cases.push(("file type", i.d, "unknown file type"));
    let mut i = img();
    i.set_i32(ino_small + DI_DB, fs_size + 100);
    cases.push(("block past the end", i.d, "outside the file system"));
    let mut i = img();
    i.d[ino_small + 8..ino_small + 16].copy_from_slice(&(1u64 << 62).to_le_bytes());
    cases.push(("size", i.d, "more than this file system can address"));
    let mut i = img();
    i.d[ino_five + 8..ino_five + 16].copy_from_slice(&(1u64 << 30).to_le_bytes());
    cases.push(("size past the blocks", i.d, "last block is not allocated"));
    // The double indirect block points back at the single one.
    let mut i = img();
    let (single, double) = (i.word(ino_five + DI_IB), i.word(ino_five + DI_IB + 4));
    let at = i.ptr(double, 0);
    i.set_i32(at, single);
    cases.push(("indirect loop", i.d, "is met twice"));
    let mut i = img();
    let at = i.ptr(double, 0);
    i.set_i32(at, double);
    cases.push(("indirect self-loop", i.d, "damaged UFS1 inode"));

    let mini = minidump();
    let run_case = |what: &str, disk: &str, msg: &str| refuses(&mini, &base, what, disk, msg);
    for (what, bytes, msg) in &cases {
        fs::write(base.join("bad.img"), bytes).unwrap();
        run_case(what, "../bad.img", msg);
    }
    run_case("UFS2", "../ufs2.img", "is a UFS2 file system");
    run_case(
        "big-endian",
        "../be.img",
        "is a big-endian UFS1 file system",
    );
    run_case("a directory", "../tree", "is a directory");
    run_case("no such file", "../none.img", "Cannot open ../none.img");
    // The generator is still there when asked for.
    fs::write(base.join("bad.img"), "not a file system\n".repeat(2000)).unwrap();
    let e = Run::new(minidump(), &base)
        .args(["-G", "-f", "gen.dump", "bad.img"])
        .run();
    assert_eq!(e.code, Some(0), "-G: {}", e.stderr);
    let _ = fs::remove_dir_all(&base);
}

// ------------------------------------------------------------------ end of medium

/// One run of a set with ends of medium injected; restore must read it
/// back.  Returns a line for the record, or why the set is not good.
fn eot_run(
    tools: &Tools,
    prog: &Path,
    dir: &Path,
    ntrec: usize,
    fault: &str,
    src: &Snapshot,
) -> (Dump, Result<String, String>) {
    let so = root().join("build/faultwrite.so");
    let b = ntrec.to_string();
    let d = dump(
        prog,
        dir,
        "../../fs.img",
        &["-a", "-b", &b],
        Out::Vols(200),
        &[
            ("LD_PRELOAD", &so.display().to_string()),
            ("DUMPTAPE_FAULT", fault),
            ("DUMPTAPE_FAULT_DIR", &dir.display().to_string()),
        ],
    );
    let verdict = eot_verdict(tools, &d, dir, ntrec, src);
    (d, verdict)
}

/// A set made with ends of medium: the dump's status, dumpcheck, and the
/// tree restore makes of it.
fn eot_verdict(
    tools: &Tools,
    d: &Dump,
    dir: &Path,
    ntrec: usize,
    src: &Snapshot,
) -> Result<String, String> {
    if d.ended.code != Some(0) {
        return Err(format!("exit {:?}", d.ended.code));
    }
    let check = common::check_set(ntrec, &d.paths())?;
    let rdir = dir.join("restored");
    let _ = fs::remove_dir_all(&rdir);
    let prefix = dir.join("vol");
    // restore takes the blocking factor from the size of its first read
    // when not told: a first volume of fewer records than it reads (an
    // end of medium in the first tape blocks) misleads it.
    let b = ntrec.to_string();
    let e = restore(tools, &rdir, &["-r", "-b", &b], &Input::Multi(&prefix));
    if e.code != Some(0) {
        let first = e.stderr.lines().next().unwrap_or_default().to_owned();
        return Err(format!("restore exit {:?}: {first}", e.code));
    }
    let differs = tree_differs(src, &rdir, true);
    let _ = fs::remove_dir_all(&rdir);
    match differs {
        Some(why) => Err(format!("restored tree differs: {why}")),
        None => Ok(check),
    }
}

/// Ends of medium at several places of the first volume, on every volume
/// (the dump rolls forward again and again), and a full file system
/// (ENOSPC), at whole tape blocks.  Library: status 0, a sound set, the
/// tree restored, and the oracle's bytes wherever the oracle succeeds.
/// The original tape.c is run too, for the record only.
///
/// Ends of medium inside a tape block too: the short write leaves the
/// bytes before the end on the volume file (there is no such thing on a
/// tape), and restore would read them as records that the next volume then
/// repeats.  The library cuts them off when it closes the volume; tape.c
/// leaves them, and its sets do not restore (shown, not required).
#[test]
fn end_of_medium() {
    let Some(tools) = tools() else { return };
    if !root().join("build/faultwrite.so").exists() {
        assert!(
            std::env::var_os("CI").is_none(),
            "build/faultwrite.so is missing: make test builds it"
        );
        eprintln!("\n*** SKIPPED: build/faultwrite.so not built; end of medium NOT tested ***\n");
        return;
    }
    let base = scratch("e2e-eot");
    build_tree(&base.join("tree"), true);
    makefs(&tools, &base, "tree", "fs.img", "");
    let src = snapshot(&base.join("tree"));
    let orc = oracle();
    let orig = original();

    // (ntrec, fault, least volumes; 0: for the record only)
    let mut cases: Vec<(usize, String, usize)> = Vec::new();
    for blocks in [1, 2, 3, 7, 50, 300] {
        cases.push((10, format!("eot:{}:vol001", blocks * 10240), 2));
    }
    cases.push((10, format!("eot:{}", 40 * 10240), 10));
    cases.push((10, format!("eot:{}", 12 * 10240), 90));
    cases.push((32, format!("eot:{}", 17 * 32768), 10));
    cases.push((64, format!("eot:{}", 9 * 65536), 10));
    cases.push((10, format!("enospc:{}", 90 * 10240), 5));
    cases.push((64, format!("enospc:{}:vol001", 3 * 65536), 2));
    cases.push((10, "eot:700001".into(), 10));
    // A first volume that takes no whole block stays empty, and restore -M
    // stops at it: for the record only.
    cases.push((10, "eot:5000:vol001".into(), 0));
    cases.push((32, "enospc:300001:vol001".into(), 2));

    for (i, (ntrec, fault, least)) in cases.iter().enumerate() {
        let what = format!("-b {ntrec} {fault}");
        let dir = base.join(format!("case{i}"));
        let (lib, verdict) = eot_run(&tools, &minidump(), &dir.join("lib"), *ntrec, fault, &src);
        let mut line = match verdict {
            Ok(check) if *least > 0 => {
                assert!(
                    lib.vols.len() >= *least,
                    "{what}: {} volumes, expected {least} or more",
                    lib.vols.len()
                );
                format!("{what}: {} volumes, restored; {check}", lib.vols.len())
            }
            Err(e) if *least > 0 => panic!("{what}: {e}\n{}", lib.ended.stderr),
            Ok(_) => format!(
                "record: {what} (inside a tape block): {} volumes, restored",
                lib.vols.len()
            ),
            Err(e) => format!(
                "record: {what} (inside a tape block): {} volumes, {e}",
                lib.vols.len()
            ),
        };
        if let Some(o) = &orc {
            let (r, rv) = eot_run(&tools, o, &dir.join("ref"), *ntrec, fault, &src);
            match rv {
                Ok(_) if *least > 0 => {
                    same_as_oracle(&what, &lib, &r);
                    line.push_str("; identical to the oracle's");
                }
                Ok(_) => line.push_str("; oracle restored"),
                Err(e) => line.push_str(&format!("; oracle: {e}")),
            }
        }
        if let Some(o) = &orig {
            let got = catch_unwind(AssertUnwindSafe(|| {
                eot_run(&tools, o, &dir.join("orig"), *ntrec, fault, &src).1
            }));
            match got {
                Ok(Ok(_)) => line.push_str("; original tape.c: restored"),
                Ok(Err(e)) => line.push_str(&format!("; original tape.c: {e}")),
                Err(_) => line.push_str("; original tape.c: hung or left processes"),
            }
        }
        println!("{line}");
        let _ = fs::remove_dir_all(&dir);
    }
    let _ = fs::remove_dir_all(&base);
}
