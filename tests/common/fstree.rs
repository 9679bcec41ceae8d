//! Trees of files for the end-to-end tests, made into file system images
//! by makefs, dumped by a front-end and read back by restore(8) (Debian's
//! dump package), and the comparison of a restored tree with its source.
//! e2e.rs uses them with UFS1 images and the 1998 interface, ufs2.rs and
//! freebsd_front.rs with UFS1 and UFS2 images and today's FreeBSD one
//! (with_each_dumper, Ufs2Image).

use super::{Ended, Run, noise};
use nix::sys::stat::{Mode, SFlag};
use std::collections::{BTreeMap, BTreeSet};
use std::ffi::OsStr;
use std::fs;
use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt, symlink};
use std::path::{Path, PathBuf};

pub use dumptape::format::TP_BSIZE;

// ------------------------------------------------------------------ tools

pub struct Tools {
    pub makefs: PathBuf,
    pub restore: PathBuf,
}

/// A program in PATH or in the sbin directories a user's PATH may lack.
pub fn find_tool(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(["/usr/sbin", "/sbin", "/usr/local/sbin"].map(PathBuf::from))
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

/// makefs and restore, or None after a loud SKIPPED line (a failure
/// under CI, which must run these tests).
pub fn tools() -> Option<Tools> {
    let makefs = find_tool("makefs");
    let restore = find_tool("restore");
    if let (Some(makefs), Some(restore)) = (&makefs, &restore) {
        return Some(Tools {
            makefs: makefs.clone(),
            restore: restore.clone(),
        });
    }
    let mut pkgs = Vec::new();
    if makefs.is_none() {
        pkgs.push("makefs");
    }
    if restore.is_none() {
        pkgs.push("dump");
    }
    let cmd = format!("apt-get install -y {}", pkgs.join(" "));
    assert!(
        std::env::var_os("CI").is_none(),
        "the end-to-end tests need makefs and restore: {cmd}"
    );
    eprintln!(
        "\n*** SKIPPED: makefs or restore not found ({cmd}); \
         this end-to-end test did NOT run ***\n"
    );
    None
}

/// makefs and restore, or a failure that says what to install: for the
/// tests that count nothing as passed without them.
pub fn require_tools() -> Tools {
    match (find_tool("makefs"), find_tool("restore")) {
        (Some(makefs), Some(restore)) => Tools { makefs, restore },
        (m, r) => {
            let mut pkgs = Vec::new();
            if m.is_none() {
                pkgs.push("makefs");
            }
            if r.is_none() {
                pkgs.push("dump");
            }
            panic!(
                "this test needs makefs and restore: apt-get install -y {}",
                pkgs.join(" ")
            )
        }
    }
}

pub fn is_root() -> bool {
    nix::unistd::geteuid().is_root()
}

// ------------------------------------------------------------------ trees

pub fn write(p: &Path, data: &[u8]) {
    if let Some(d) = p.parent() {
        fs::create_dir_all(d).unwrap();
    }
    fs::write(p, data).unwrap_or_else(|e| panic!("write {}: {e}", p.display()));
}

pub fn chmod(p: &Path, mode: u32) {
    fs::set_permissions(p, fs::Permissions::from_mode(mode)).unwrap();
}

/// A file with holes in the source tree.  makefs writes the zeros out,
/// so in the image it is a file like any other; `holes` makes real ones.
pub fn sparse_file(p: &Path, len: u64, pieces: &[(u64, &[u8])]) {
    use std::io::{Seek, SeekFrom, Write};
    let mut f = fs::File::create(p).unwrap();
    f.set_len(len).unwrap();
    for (off, data) in pieces {
        f.seek(SeekFrom::Start(*off)).unwrap();
        f.write_all(data).unwrap();
    }
}

/// The sizes a file system treats differently: around a fragment (1 KB
/// here, 512 bytes in the 4K images), a block, the twelve direct blocks.
pub const EDGE_SIZES: &[usize] = &[
    0,
    1,
    511,
    512,
    1023,
    1024,
    1025,
    4095,
    4096,
    8191,
    8192,
    8193,
    12 * 8192 - 1,
    12 * 8192,
    12 * 8192 + 1,
];

/// The tree to dump.  `big` adds files of several MiB (single and, with
/// 4 KB blocks, double indirect blocks).
pub fn build_tree(t: &Path, big: bool) {
    fs::create_dir_all(t).unwrap();
    // Nested directories.
    write(
        &t.join("d1/d2/d3/d4/d5/d6/d7/d8/deep.txt"),
        b"eight levels down\n",
    );
    fs::create_dir_all(t.join("d1/d2/empty-dir")).unwrap();
    // Long names: 254 bytes, and under name255/ the most a UFS
    // directory entry holds, which Debian's restore does not handle (see
    // LONGEST).
    let long_dir = "D".repeat(254);
    let long_file = format!("{}.txt", "f".repeat(250));
    write(&t.join(&long_dir).join(&long_file), &noise(254, 3000));
    let (dir255, file255) = longest();
    write(&t.join(LONGEST).join(&dir255).join(&file255), b"255\n");
    write(&t.join(LONGEST).join(&file255), b"255 too\n");
    write(
        &t.join("\u{e9}t\u{e9} \u{fc}n\u{ef}code \u{2603} with spaces.txt"),
        b"a name in UTF-8\n",
    );
    for &n in EDGE_SIZES {
        write(&t.join(format!("sizes/s{n}")), &noise(n as u64 + 1, n));
    }
    // Hundreds of small files: many headers close together.
    for i in 0..300 {
        let len = (noise(i + 7, 8)[0] as usize) * 12 + i as usize % 7;
        write(&t.join(format!("many/file-{i:03}")), &noise(i + 1000, len));
    }
    sparse_file(
        &t.join("sparse"),
        2 * 1024 * 1024 + 100,
        &[
            (0, b"head"),
            (1024 * 1024, b"middle"),
            (2 * 1024 * 1024 + 96, b"tail"),
        ],
    );
    if big {
        write(&t.join("big/three-mib"), &noise(3, 3 * 1024 * 1024 + 123));
        write(&t.join("big/five-mib"), &noise(5, 5 * 1024 * 1024 + 7));
    }
    // Symbolic links: short ones (< 60 bytes) live in the inode.
    fs::create_dir_all(t.join("links")).unwrap();
    for (name, len) in [
        ("short-1", 1),
        ("short-30", 30),
        ("short-59", 59),
        ("long-60", 60),
        ("long-61", 61),
        ("long-200", 200),
        ("long-1000", 1000),
    ] {
        let target = format!("{}{}", "../sizes/s1", "/x".repeat(len))[..len].to_owned();
        symlink(&target, t.join("links").join(name)).unwrap();
    }
    symlink("../sizes/s8192", t.join("links/to-file")).unwrap();
    symlink("../d1/d2", t.join("links/to-dir")).unwrap();
    symlink("nowhere/at/all", t.join("links/dangling")).unwrap();
    // Hard links, across directories, to data and to an empty file.
    write(&t.join("hard/orig"), &noise(42, 5000));
    fs::hard_link(t.join("hard/orig"), t.join("hard/second")).unwrap();
    fs::hard_link(t.join("hard/orig"), t.join("d1/d2/third")).unwrap();
    write(&t.join("hard/empty-a"), b"");
    fs::hard_link(t.join("hard/empty-a"), t.join("hard/empty-b")).unwrap();
    // Modes.
    for (name, mode) in [
        ("m755", 0o755),
        ("m600", 0o600),
        ("m444", 0o444),
        ("m4755-setuid", 0o4755),
        ("m2755-setgid", 0o2755),
    ] {
        let p = t.join("modes").join(name);
        write(&p, name.as_bytes());
        chmod(&p, mode);
    }
    fs::create_dir_all(t.join("modes/sticky")).unwrap();
    chmod(&t.join("modes/sticky"), 0o1777);
    fs::create_dir_all(t.join("modes/private")).unwrap();
    write(&t.join("modes/private/inside"), b"inside\n");
    chmod(&t.join("modes/private"), 0o700);
    // Special files: no data on tape, only the inode.
    fs::create_dir_all(t.join("special")).unwrap();
    nix::unistd::mkfifo(&t.join("special/fifo"), Mode::from_bits_truncate(0o644)).expect("mkfifo");
    if is_root() {
        for (name, kind, dev) in [
            ("chr", SFlag::S_IFCHR, nix::sys::stat::makedev(1, 3)),
            ("blk", SFlag::S_IFBLK, nix::sys::stat::makedev(7, 0)),
        ] {
            let p = t.join("special").join(name);
            nix::sys::stat::mknod(&p, kind, Mode::from_bits_truncate(0o640), dev)
                .unwrap_or_else(|e| panic!("mknod {name}: {e}"));
        }
        let p = t.join("modes/owned");
        write(&p, b"someone else's\n");
        std::os::unix::fs::chown(&p, Some(1234), Some(567)).unwrap();
    }
}

/// Where the names of 255 bytes are.  Debian's restore 0.4b47 lists such
/// a name as an empty one ("./name255/") and restores nothing of it or
/// under it, whatever wrote the dump, while 254 bytes are fine: the test
/// checks that the names are on tape and leaves them out of what restore
/// must give back.
pub const LONGEST: &str = "name255";

pub fn longest() -> (String, String) {
    ("E".repeat(255), format!("{}.txt", "g".repeat(251)))
}

/// Is this name one restore cannot give back (see LONGEST)?
pub fn beyond_restore(p: &Path) -> bool {
    p.starts_with(LONGEST) && p != Path::new(LONGEST)
}

/// What a restored tree must give back of each name.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub kind: &'static str,
    pub mode: u32,
    pub size: u64,
    /// FNV-1a of the contents (regular files).
    pub sum: u64,
    pub target: Option<PathBuf>,
    pub rdev: u64,
    pub owner: Option<(u32, u32)>,
    pub mtime: i64,
}

pub struct Snapshot {
    pub nodes: BTreeMap<PathBuf, Node>,
    /// Names that share an inode, each group sorted.
    pub links: BTreeSet<Vec<PathBuf>>,
}

pub fn fnv(data: &[u8]) -> u64 {
    data.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ b as u64).wrapping_mul(0x100_0000_01b3)
    })
}

pub fn snapshot(top: &Path) -> Snapshot {
    let mut nodes = BTreeMap::new();
    let mut byino: BTreeMap<u64, Vec<PathBuf>> = BTreeMap::new();
    let mut todo = vec![PathBuf::new()];
    // Only root can give files away or keep setuid bits of others.
    let mask = if is_root() { 0o7777 } else { 0o1777 };
    while let Some(rel) = todo.pop() {
        let p = top.join(&rel);
        for e in fs::read_dir(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display())) {
            let e = e.unwrap();
            let name = rel.join(e.file_name());
            // restore -r keeps its table there for a later incremental.
            if name == Path::new("restoresymtable") {
                continue;
            }
            let md = fs::symlink_metadata(e.path()).unwrap();
            let ft = md.file_type();
            let mut n = Node {
                kind: "?",
                mode: md.mode() & mask,
                size: 0,
                sum: 0,
                target: None,
                rdev: 0,
                owner: is_root().then_some((md.uid(), md.gid())),
                mtime: md.mtime(),
            };
            if ft.is_dir() {
                n.kind = "dir";
                todo.push(name.clone());
            } else if ft.is_symlink() {
                n.kind = "symlink";
                n.target = Some(fs::read_link(e.path()).unwrap());
                n.size = md.len();
            } else if ft.is_file() {
                n.kind = "file";
                n.size = md.len();
                n.sum = fnv(&fs::read(e.path()).unwrap());
                byino.entry(md.ino()).or_default().push(name.clone());
            } else {
                n.kind = if ft.is_fifo() {
                    "fifo"
                } else if ft.is_char_device() {
                    "chr"
                } else if ft.is_block_device() {
                    "blk"
                } else {
                    "socket"
                };
                n.rdev = md.rdev();
            }
            nodes.insert(name, n);
        }
    }
    let links = byino
        .into_values()
        .filter(|v| v.len() > 1)
        .map(|mut v| {
            v.sort();
            v
        })
        .collect();
    Snapshot { nodes, links }
}

/// The restored tree is the source tree, name by name.
pub fn same_tree(what: &str, src: &Snapshot, got: &Path) {
    same_tree_with(what, src, got, true);
}

/// The same, with the modification times compared only if `times`: a
/// reader that does not find them in the format gives back 0 for each.
pub fn same_tree_with(what: &str, src: &Snapshot, got: &Path, times: bool) {
    if let Some(why) = tree_differs(src, got, times) {
        panic!("{what}: {why}");
    }
}

/// The first way the tree at `got` is not `src`, or None: for runs that
/// are only recorded (an original tape.c's set), where a difference is
/// a finding, not a failure.
pub fn tree_differs(src: &Snapshot, got: &Path, times: bool) -> Option<String> {
    let dst = snapshot(got);
    for (name, n) in &src.nodes {
        if beyond_restore(name) {
            continue;
        }
        let Some(m) = dst.nodes.get(name) else {
            return Some(format!("{} was not restored", name.display()));
        };
        let (mut a, mut b) = (n.clone(), m.clone());
        if !times {
            (a.mtime, b.mtime) = (0, 0);
        }
        if a != b {
            return Some(format!(
                "{} differs\n  dumped:   {a:?}\n  restored: {b:?}",
                name.display()
            ));
        }
    }
    let extra: Vec<_> = dst
        .nodes
        .keys()
        .filter(|k| !src.nodes.contains_key(*k) && !beyond_restore(k))
        .collect();
    if !extra.is_empty() {
        return Some(format!("restored names not dumped: {extra:?}"));
    }
    if src.links != dst.links {
        return Some(format!(
            "hard links: dumped {:?}, restored {:?}",
            src.links, dst.links
        ));
    }
    None
}

// ------------------------------------------------------------------ runs

pub fn makefs(tools: &Tools, dir: &Path, tree: &str, img: &str, opts: &str) {
    makefs_version(tools, dir, tree, img, 1, opts);
}

/// makefs -t ffs -o version=`version` (1: UFS1, 2: UFS2) with `opts`.
pub fn makefs_version(tools: &Tools, dir: &Path, tree: &str, img: &str, version: u32, opts: &str) {
    let o = if opts.is_empty() {
        format!("version={version}")
    } else {
        format!("version={version},{opts}")
    };
    let e = Run::new(&tools.makefs, dir)
        .args([
            "-M", "1048576", "-b", "20%", "-t", "ffs", "-o", &o, img, tree,
        ])
        .timeout(120)
        .run();
    assert_eq!(e.code, Some(0), "makefs -o {o}: {}", e.stderr);
}

/// Where a dump goes.
#[derive(Clone, Copy)]
pub enum Out {
    /// One file, `one.dump`.
    File,
    /// Standard output (-f -), read through a pipe.
    Stdout,
    /// A list vol001,vol002,... of this many names.
    Vols(usize),
}

pub struct Dump {
    pub ended: Ended,
    pub dir: PathBuf,
    /// The volumes' names in `dir` and their bytes.
    pub vols: Vec<(String, Vec<u8>)>,
}

impl Dump {
    pub fn paths(&self) -> Vec<PathBuf> {
        self.vols.iter().map(|(n, _)| self.dir.join(n)).collect()
    }

    pub fn records(&self) -> usize {
        self.vols.iter().map(|(_, b)| b.len()).sum::<usize>() / TP_BSIZE
    }
}

/// Dump `img` (a path relative to `dir`, so that c_dev is the same for
/// every program) with `prog`.
pub fn dump(
    prog: &Path,
    dir: &Path,
    img: &str,
    args: &[&str],
    out: Out,
    env: &[(&str, &str)],
) -> Dump {
    fs::create_dir_all(dir).unwrap();
    let names: Vec<String> = match out {
        Out::File => vec!["one.dump".into()],
        Out::Stdout => vec!["-".into()],
        Out::Vols(n) => (1..=n).map(|i| format!("vol{i:03}")).collect(),
    };
    for n in &names {
        let _ = fs::remove_file(dir.join(n));
    }
    let mut run = Run::new(prog, dir)
        .args(args)
        .args(["-f", &names.join(","), img])
        .timeout(120);
    for (k, v) in env {
        run = run.env(k, v);
    }
    let ended = run.run();
    let vols = match out {
        Out::Stdout => {
            fs::write(dir.join("stdout.dump"), &ended.stdout).unwrap();
            vec![("stdout.dump".to_owned(), ended.stdout.clone())]
        }
        _ => names
            .iter()
            .filter_map(|n| fs::read(dir.join(n)).ok().map(|b| (n.clone(), b)))
            .collect(),
    };
    Dump {
        ended,
        dir: dir.to_owned(),
        vols,
    }
}

/// How restore is to read a dump.
pub enum Input<'a> {
    /// -f FILE
    File(&'a Path),
    /// -M -f PREFIX: PREFIX001, PREFIX002, ... without asking for each.
    Multi(&'a Path),
    /// -f - from a pipe fed with FILE.
    Pipe(&'a Path),
}

pub fn restore(tools: &Tools, dir: &Path, op: &[&str], input: &Input) -> Ended {
    fs::create_dir_all(dir).unwrap();
    let r = tools.restore.display().to_string();
    let run = match input {
        Input::File(f) => Run::new(&tools.restore, dir)
            .args(op)
            .args([OsStr::new("-f"), f.as_os_str()]),
        Input::Multi(p) => Run::new(&tools.restore, dir).args(op).args([
            OsStr::new("-M"),
            OsStr::new("-f"),
            p.as_os_str(),
        ]),
        Input::Pipe(f) => {
            let cmd = format!("cat '{}' | '{r}' {} -f -", f.display(), op.join(" "));
            Run::new("sh", dir).args(["-c", &cmd])
        }
    };
    // restore -r names its temporary files after the dump date, which is
    // the same in every test: each restore gets a directory of its own.
    let tmp = dir.with_extension("tmp");
    fs::create_dir_all(&tmp).unwrap();
    let e = run.env("TMPDIR", tmp.as_os_str()).timeout(120).run();
    let _ = fs::remove_dir_all(&tmp);
    e
}

/// `restore -t`: every name of the tree, and nothing else.
/// Returns the inode number restore gives each name it lists.
pub fn listing_matches(
    what: &str,
    tools: &Tools,
    dir: &Path,
    input: &Input,
    src: &Snapshot,
) -> BTreeMap<String, u64> {
    let e = restore(tools, dir, &["-t"], input);
    assert_eq!(e.code, Some(0), "{what}: restore -t: {}", e.stderr);
    let out = String::from_utf8_lossy(&e.stdout);
    let inodes: BTreeMap<String, u64> = out
        .lines()
        .filter_map(|l| {
            let (ino, name) = l.split_once('\t')?;
            Some((name.to_owned(), ino.trim().parse::<u64>().ok()?))
        })
        .filter(|(name, _)| !name.starts_with(&format!("./{LONGEST}/")))
        .collect();
    let listed: BTreeSet<String> = inodes.keys().cloned().collect();
    let mut want: BTreeSet<String> = src
        .nodes
        .keys()
        .filter(|k| !beyond_restore(k))
        .map(|k| format!("./{}", k.display()))
        .collect();
    want.insert(".".into());
    assert_eq!(listed, want, "{what}: restore -t lists other names");
    inodes
}

/// `restore -r` (or -x) into an empty directory gives the tree back.
pub fn restores_to(
    what: &str,
    tools: &Tools,
    dir: &Path,
    op: &[&str],
    input: &Input,
    src: &Snapshot,
) {
    restores_to_with(what, tools, dir, op, input, src, true);
}

/// The same, with the modification times compared only if `times` (see
/// same_tree_with).
pub fn restores_to_with(
    what: &str,
    tools: &Tools,
    dir: &Path,
    op: &[&str],
    input: &Input,
    src: &Snapshot,
    times: bool,
) {
    let _ = fs::remove_dir_all(dir);
    let e = restore(tools, dir, op, input);
    assert_eq!(e.code, Some(0), "{what}: restore {op:?}: {}", e.stderr);
    same_tree_with(&format!("{what}: restore {op:?}"), src, dir, times);
    let _ = fs::remove_dir_all(dir);
}

/// The records of a single-file dump at `ntrec`, to size volumes by.
pub fn volume_size(records: usize, ntrec: usize, nvols: usize) -> String {
    (records / nvols / ntrec * ntrec).max(ntrec * 4).to_string()
}

// ------------------------------------------------------------------ FreeBSD

/// Runs one scenario with each of `dumpers` (see common::freebsd_dumpers),
/// in `base`/dumper0, `base`/dumper1, ...: every later dumper must end as
/// the first did, with the same messages and the same bytes on every
/// volume.  The first one's dump.
pub fn with_each_dumper(
    what: &str,
    dumpers: &[PathBuf],
    base: &Path,
    run: impl Fn(&Path, &Path) -> Dump,
) -> Dump {
    let mut first: Option<Dump> = None;
    for (i, prog) in dumpers.iter().enumerate() {
        let got = run(prog, &base.join(format!("dumper{i}")));
        match &first {
            None => first = Some(got),
            Some(f) => super::assert_same(
                &format!(
                    "{what} ({} against {})",
                    prog.display(),
                    dumpers[0].display()
                ),
                (&got.ended, &got.vols),
                (&f.ended, &f.vols),
            ),
        }
    }
    first.expect("at least one dumper")
}

/// Byte offsets in a UFS2 inode.
pub const DI2_MODE: usize = 0;
pub const DI2_SIZE: usize = 16;
pub const DI2_BLOCKS: usize = 24;
pub const DI2_MTIME: usize = 40;
pub const DI2_EXTSIZE: usize = 92;
pub const DI2_DB: usize = 112;
pub const DI2_IB: usize = 208;

/// Just enough of a little-endian UFS2 image (makefs -o version=2) to
/// find an inode or a cylinder group and change it, for holes, files
/// made huge, and damage.
pub struct Ufs2Image {
    pub d: Vec<u8>,
    /// Byte offset of the super block: where its magic is.
    pub sb: usize,
}

impl Ufs2Image {
    pub fn read(p: &Path) -> Ufs2Image {
        let d = fs::read(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        let sb = [65536usize, 8192, 0, 262144]
            .into_iter()
            .find(|&o| {
                d.len() >= o + 1376
                    && i32::from_le_bytes(d[o + 1372..o + 1376].try_into().unwrap()) == 0x1954_0119
            })
            .unwrap_or_else(|| panic!("{}: no UFS2 super block", p.display()));
        Ufs2Image { d, sb }
    }

    pub fn i32_at(&self, off: usize) -> i64 {
        i32::from_le_bytes(self.d[off..off + 4].try_into().unwrap()) as i64
    }

    pub fn i64_at(&self, off: usize) -> i64 {
        i64::from_le_bytes(self.d[off..off + 8].try_into().unwrap())
    }

    pub fn set_i32(&mut self, off: usize, v: i64) {
        self.d[off..off + 4].copy_from_slice(&(v as i32).to_le_bytes());
    }

    pub fn set_i64(&mut self, off: usize, v: i64) {
        self.d[off..off + 8].copy_from_slice(&v.to_le_bytes());
    }

    /// A 32-bit field of the super block.
    pub fn sb32(&self, off: usize) -> i64 {
        self.i32_at(self.sb + off)
    }

    pub fn fsize(&self) -> i64 {
        self.sb32(52)
    }

    pub fn bsize(&self) -> i64 {
        self.sb32(48)
    }

    pub fn frag(&self) -> i64 {
        self.sb32(56)
    }

    /// Fragments in the file system (the 64-bit fs_size).
    pub fn size(&self) -> i64 {
        self.i64_at(self.sb + 1080)
    }

    /// Byte offset of inode `ino` (UFS2 groups are never staggered).
    pub fn inode(&self, ino: i64) -> usize {
        let (iblkno, inopb, ipg, fpg) = (
            self.sb32(16),
            self.sb32(120),
            self.sb32(184),
            self.sb32(188),
        );
        let cg = ino / ipg;
        let fsba = cg * fpg + iblkno + (ino % ipg) / inopb * self.frag();
        (fsba * self.fsize()) as usize + (ino % inopb) as usize * 256
    }

    /// Byte offset of cylinder group `c`'s block.
    pub fn cg_block(&self, c: i64) -> usize {
        ((c * self.sb32(188) + self.sb32(12)) * self.fsize()) as usize
    }

    /// The regular file of this size (there must be one).
    pub fn file_of_size(&self, size: u64) -> usize {
        let ninodes = self.sb32(44) * self.sb32(184);
        (2..ninodes)
            .map(|i| self.inode(i))
            .find(|&o| {
                let mode = u16::from_le_bytes(self.d[o..o + 2].try_into().unwrap());
                mode & 0o170000 == 0o100000 && self.i64_at(o + DI2_SIZE) as u64 == size
            })
            .unwrap_or_else(|| panic!("no file of {size} bytes in the image"))
    }

    /// Byte offset of entry i of the indirect block at fragment b.
    pub fn ptr(&self, b: i64, i: usize) -> usize {
        (b * self.fsize()) as usize + 8 * i
    }

    /// Whole blocks of zeros in the data area of the first cylinder
    /// group (no file of the tests has one): room for blocks a test adds.
    pub fn free_blocks(&self, n: usize) -> Vec<i64> {
        let (frag, bsize) = (self.frag(), self.bsize() as usize);
        let first = self.sb32(20) + 64 * frag;
        let end = self.sb32(188).min(self.size());
        let free: Vec<i64> = (first..end - frag + 1)
            .step_by(frag as usize)
            .filter(|&b| {
                let at = (b * self.fsize()) as usize;
                self.d[at..at + bsize].iter().all(|&x| x == 0)
            })
            .take(n)
            .collect();
        assert!(free.len() == n, "no room for {n} more blocks");
        free
    }
}
