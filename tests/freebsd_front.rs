//! The front-end built for today's FreeBSD dump (minidump with
//! -DFREEBSD_ABI and c-shim/freebsd/include) and its dumpers: for now the
//! oracle, build/freebsd/minidump-ref (the reference FreeBSD
//! tape-fixed.c); every dumper of common::freebsd_dumpers() must give the
//! first one's bytes and messages.
//!
//! Two runs of one source are byte-identical; every header is of today's
//! format (FS_UFS2_MAGIC, the checksum, the dates, c_tapea and c_firstrec
//! as int64 at 896..927 with their 1998 slots left 0) and each volume's
//! header says where it is in the set; -X (block numbers past 2^33
//! fragments) writes what the plain run writes; -P 'cat > vol$DUMP_VOLUME'
//! writes what -f with a list of files writes; SIGINFO (SIGPWR on Linux)
//! makes the dump report its progress; the original FreeBSD tape.c
//! writes the oracle's bytes where none of its corrections applies; bad
//! images are refused with status 3 before a volume is written.  Every run is bounded in time and must
//! leave nothing running (common::Run).

mod common;

use common::fstree::{
    DI2_DB, DI2_EXTSIZE, DI2_IB, DI2_MODE, DI2_SIZE, Dump, Out, Ufs2Image, dump, makefs_version,
    require_tools, with_each_dumper, write,
};
use common::{
    C_DATE64, C_DDATE64, C_FIRSTREC64, C_TAPEA64, FS_UFS2_MAGIC, OLD_SLOTS, Run, check_set_freebsd,
    children, freebsd_dumpers, injector, is_freebsd_header, kill, noise, scratch, word, word64,
};
use std::fs;
use std::path::Path;
use std::time::{Duration, Instant};

use dumptape::format::TP_BSIZE;
const TS_TAPE: i32 = 1;
const TS_END: i32 = 5;
/// SOURCE_DATE_EPOCH of common::FIXED_ENV: the dump's date.
const DATE: i64 = 1_000_000_000;

/// A data file for the generator, `mb` MiB of seeded noise, as disk.img.
fn disk(base: &Path, seed: u64, mb: usize) {
    fs::create_dir_all(base).unwrap();
    fs::write(base.join("disk.img"), noise(seed, mb << 20)).unwrap();
}

/// The headers of a set: every one of today's format, with this dump's
/// dates, and each volume's TS_TAPE header saying which volume it is and
/// how many records the volumes before it hold (c_firstrec, int64), its
/// c_tapea (int64) past the last header's.  Returns the headers counted.
fn check_headers(what: &str, d: &Dump) -> usize {
    let mut before = 0i64;
    let mut headers = 0;
    let mut last_tapea = -1i64;
    for (v, (name, bytes)) in d.vols.iter().enumerate() {
        assert!(
            bytes.len() % TP_BSIZE == 0 && !bytes.is_empty(),
            "{what}: {name} holds {} bytes",
            bytes.len()
        );
        let first = &bytes[..TP_BSIZE];
        assert!(
            is_freebsd_header(first),
            "{what}: {name} does not start with a header of today's format \
             (magic {:#x}, expected {FS_UFS2_MAGIC:#x})",
            word(first, 24)
        );
        assert_eq!(
            word(first, 0),
            TS_TAPE,
            "{what}: {name}: record 0 is not TS_TAPE"
        );
        assert_eq!(word(first, 12), v as i32 + 1, "{what}: {name}: c_volume");
        assert_eq!(
            word64(first, C_FIRSTREC64),
            before,
            "{what}: {name}: c_firstrec"
        );
        for (r, rec) in bytes.chunks_exact(TP_BSIZE).enumerate() {
            if !is_freebsd_header(rec) {
                continue;
            }
            headers += 1;
            let at = format!("{what}: {name} record {r}");
            assert_eq!(word64(rec, C_DATE64), DATE, "{at}: c_date");
            assert_eq!(word64(rec, C_DDATE64), 0, "{at}: c_ddate");
            for (old, _) in OLD_SLOTS {
                assert_eq!(word(rec, old), 0, "{at}: the 1998 slot at {old}");
            }
            assert_eq!(word(rec, 888), 0, "{at}: c_flags (no DR_NEWHEADER)");
            let tapea = word64(rec, C_TAPEA64);
            assert!(
                tapea >= last_tapea,
                "{at}: c_tapea {tapea} after {last_tapea}"
            );
            last_tapea = tapea;
        }
        before += (bytes.len() / TP_BSIZE) as i64;
    }
    let last = d.vols.last().unwrap();
    let tail = &last.1[last.1.len() - TP_BSIZE..];
    assert_eq!(
        word(tail, 0),
        TS_END,
        "{what}: the set does not end with TS_END"
    );
    headers
}

/// The closing line of a dump to files: "DUMP: N tape blocks on V
/// volume(s)" as today's main.c words it, with N the records written
/// (the last tape block may hold fewer, never more) and V the volumes.
fn check_closing_line(what: &str, d: &Dump, ntrec: usize) {
    let line = d
        .ended
        .stderr
        .lines()
        .find(|l| l.contains("DUMP: DUMP: "))
        .unwrap_or_else(|| panic!("{what}: no closing line:\n{}", d.ended.stderr));
    let n = d.vols.len();
    let want = format!(" volume{}", if n == 1 { "" } else { "s" });
    assert!(
        line.ends_with(&format!("on {n}{want}")),
        "{what}: {line:?}, expected it to end with \"on {n}{want}\""
    );
    let blocks: usize = line
        .split_whitespace()
        .nth(2)
        .and_then(|w| w.parse().ok())
        .unwrap_or_else(|| panic!("{what}: {line:?}"));
    let on_tape = d.records();
    assert!(
        blocks >= on_tape && blocks < on_tape + ntrec,
        "{what}: {blocks} tape blocks said, {on_tape} records on the volumes"
    );
}

/// Generated file systems, dumped twice each: the same bytes and
/// messages, a sound set of today's format, the right closing line.
#[test]
fn reproducible_with_ufs2_headers() {
    let dumpers = freebsd_dumpers();
    let base = scratch("fbsd-repro");
    disk(&base, 5, 8);
    let cases: Vec<(&str, Vec<&str>, Out, usize)> = vec![
        (
            "seed1-b10",
            vec!["-G", "-S", "1", "-b", "10"],
            Out::File,
            10,
        ),
        (
            "seed7-b64-vols",
            vec![
                "-S", "7", "-N", "300", "-M", "2000", "-b", "64", "-B", "2048",
            ],
            Out::Vols(30),
            64,
        ),
        (
            "seed9-b32-feet",
            vec!["-S", "9", "-N", "300", "-b", "32", "-d", "6250", "-s", "30"],
            Out::Vols(30),
            32,
        ),
    ];
    for (label, args, out, ntrec) in cases {
        let dir = base.join(label);
        let run = |prog: &Path, d: &Path| dump(prog, d, "../../../disk.img", &args, out, &[]);
        let first = with_each_dumper(label, &dumpers, &dir.join("a"), run);
        let again = with_each_dumper(label, &dumpers, &dir.join("b"), run);
        assert_eq!(first.ended.code, Some(0), "{label}: {}", first.ended.stderr);
        common::assert_same(
            &format!("{label}: two runs"),
            (&first.ended, &first.vols),
            (&again.ended, &again.vols),
        );
        let check =
            check_set_freebsd(ntrec, &first.paths()).unwrap_or_else(|e| panic!("{label}: {e}"));
        let headers = check_headers(label, &first);
        check_closing_line(label, &first, ntrec);
        if let Out::Vols(_) = out {
            assert!(
                first.vols.len() >= 3,
                "{label}: {} volumes",
                first.vols.len()
            );
        }
        println!(
            "{label}: {} volume(s), {} records, {headers} headers, twice the same; {check}",
            first.vols.len(),
            first.records()
        );
    }
    let _ = fs::remove_dir_all(&base);
}

/// -X hands every block number out 2^33 fragments further on, so that
/// tape.c's requests and blkread() need 64 bits; the tape holds no block
/// numbers, only c_addr flags, so the volumes and the messages are the
/// plain run's.
#[test]
fn wide_block_numbers_write_the_same() {
    let dumpers = freebsd_dumpers();
    let base = scratch("fbsd-wide");
    disk(&base, 11, 12);
    let cases: Vec<(&str, Vec<&str>, Out, usize)> = vec![
        (
            "seed3-b10",
            vec!["-a", "-S", "3", "-M", "6000", "-b", "10"],
            Out::File,
            10,
        ),
        (
            "seed11-b32-vols",
            vec![
                "-S", "11", "-N", "300", "-M", "3000", "-b", "32", "-B", "4096",
            ],
            Out::Vols(30),
            32,
        ),
        (
            "seed13-b64-stdout",
            vec!["-S", "13", "-b", "64"],
            Out::Stdout,
            64,
        ),
    ];
    for (label, args, out, ntrec) in cases {
        let dir = base.join(label);
        let plain = with_each_dumper(label, &dumpers, &dir.join("plain"), |p, d| {
            dump(p, d, "../../../disk.img", &args, out, &[])
        });
        let mut wide_args = args.clone();
        wide_args.push("-X");
        let wide = with_each_dumper(label, &dumpers, &dir.join("wide"), |p, d| {
            dump(p, d, "../../../disk.img", &wide_args, out, &[])
        });
        assert_eq!(plain.ended.code, Some(0), "{label}: {}", plain.ended.stderr);
        common::assert_same(
            &format!("{label}: -X against plain"),
            (&wide.ended, &wide.vols),
            (&plain.ended, &plain.vols),
        );
        let check =
            check_set_freebsd(ntrec, &wide.paths()).unwrap_or_else(|e| panic!("{label}: {e}"));
        println!(
            "{label}: -X gives the plain run's {} volume(s), {} records; {check}",
            wide.vols.len(),
            wide.records()
        );
    }
    let _ = fs::remove_dir_all(&base);
}

/// Record numbers are 64-bit end to end: with -R the front-end numbers
/// the first record 2^31 - 648 or 2^32 - 1296 (what a dump of two or
/// four terabytes reaches), and the volumes must be the plain run's with
/// every header's c_tapea that much higher, across volume changes and
/// the replay after an end of medium, and no other byte changed but the
/// checksum.
#[test]
fn record_numbers_past_2_31() {
    let dumpers = freebsd_dumpers();
    let base = scratch("fbsd-rec31");
    disk(&base, 17, 8);
    let inj = injector().to_string_lossy().into_owned();
    let eot_env = [
        ("DUMPTAPE_FAULT", "eot:307200"),
        ("LD_PRELOAD", inj.as_str()),
    ];
    let by_records = ["-b", "10", "-B", "1000", "-N", "300", "-M", "600"];
    let to_the_end = ["-a", "-b", "10", "-N", "300", "-M", "600"];
    let no_env: &[(&str, &str)] = &[];
    let cases: [(&str, &[&str], _, i64); 3] = [
        ("B1000-past-2^31", &by_records, no_env, (1 << 31) - 648),
        ("eot-past-2^31", &to_the_end, &eot_env, (1 << 31) - 648),
        ("eot-past-2^32", &to_the_end, &eot_env, (1 << 32) - 1296),
    ];
    let sum = dumptape::format::Layout::Ufs2
        .place(dumptape::format::Field::Checksum)
        .0;
    for (label, args, env, first) in cases {
        let dir = base.join(label);
        let plain = with_each_dumper(label, &dumpers, &dir.join("plain"), |p, d| {
            dump(p, d, "../../../disk.img", args, Out::Vols(40), env)
        });
        let r = first.to_string();
        let mut moved_args = args.to_vec();
        moved_args.extend(["-R", &r]);
        let moved = with_each_dumper(label, &dumpers, &dir.join("moved"), |p, d| {
            dump(p, d, "../../../disk.img", &moved_args, Out::Vols(40), env)
        });
        assert_eq!(moved.ended.code, Some(0), "{label}: {}", moved.ended.stderr);
        assert!(
            moved.vols.len() >= 3,
            "{label}: {} volumes",
            moved.vols.len()
        );
        assert_eq!(moved.vols.len(), plain.vols.len(), "{label}: volumes");
        let (mut headers, mut top) = (0, 0i64);
        for ((name, a), (_, b)) in moved.vols.iter().zip(&plain.vols) {
            assert_eq!(a.len(), b.len(), "{label}: {name}: length");
            for (i, (ra, rb)) in a
                .chunks_exact(TP_BSIZE)
                .zip(b.chunks_exact(TP_BSIZE))
                .enumerate()
            {
                if !is_freebsd_header(rb) {
                    assert!(ra == rb, "{label}: {name} record {i} differs");
                    continue;
                }
                let (ta, tb) = (word64(ra, C_TAPEA64), word64(rb, C_TAPEA64));
                assert_eq!(ta, tb + first, "{label}: {name} record {i}: c_tapea");
                assert!(
                    is_freebsd_header(ra),
                    "{label}: {name} record {i}: checksum"
                );
                let outside = |r: &[u8]| {
                    let mut v = r.to_vec();
                    v[C_TAPEA64..C_TAPEA64 + 8].fill(0);
                    v[sum..sum + 4].fill(0);
                    v
                };
                assert!(
                    outside(ra) == outside(rb),
                    "{label}: {name} record {i}: more than c_tapea differs"
                );
                headers += 1;
                top = top.max(ta);
            }
        }
        assert!(
            top > first.max(1 << 31),
            "{label}: c_tapea reached only {top}"
        );
        let check =
            check_set_freebsd(10, &moved.paths()).unwrap_or_else(|e| panic!("{label}: {e}"));
        println!(
            "{label}: {} volumes, {headers} headers numbered from {first} to {top}; {check}",
            moved.vols.len()
        );
    }
    let _ = fs::remove_dir_all(&base);
}

/// -P runs a command per volume with DUMP_VOLUME set; 'cat > vol$DUMP_VOLUME'
/// must get exactly what -f vol1,vol2,... gets.  The operator is asked
/// for each new volume (there is no list of names to take them from).
#[test]
fn popen_volumes_equal_files() {
    let dumpers = freebsd_dumpers();
    let base = scratch("fbsd-popen");
    disk(&base, 17, 8);
    let yes = "yes\n".repeat(100);
    for (label, args, ntrec) in [
        (
            "b10",
            vec!["-S", "17", "-N", "300", "-b", "10", "-B", "1500"],
            10,
        ),
        (
            "b64",
            vec!["-S", "19", "-N", "300", "-b", "64", "-B", "2048"],
            64,
        ),
    ] {
        let dir = base.join(label);
        let files = with_each_dumper(label, &dumpers, &dir.join("files"), |p, d| {
            dump(p, d, "../../../disk.img", &args, Out::Vols(30), &[])
        });
        assert_eq!(files.ended.code, Some(0), "{label}: {}", files.ended.stderr);
        let n = files.vols.len();
        assert!(n >= 3, "{label}: {n} volumes");
        let piped = with_each_dumper(label, &dumpers, &dir.join("popen"), |p, d| {
            fs::create_dir_all(d).unwrap();
            let ended = Run::new(p, d)
                .args(&args)
                .args(["-P", "cat > vol$DUMP_VOLUME", "../../../disk.img"])
                .answers(&yes)
                .timeout(120)
                .run();
            let vols = (1..=n + 1)
                .filter_map(|i| {
                    let name = format!("vol{i}");
                    fs::read(d.join(&name)).ok().map(|b| (name, b))
                })
                .collect();
            Dump {
                ended,
                dir: d.to_owned(),
                vols,
            }
        });
        assert_eq!(
            piped.ended.code,
            Some(0),
            "{label} -P: {}",
            piped.ended.stderr
        );
        assert!(
            piped
                .ended
                .stderr
                .contains("Closing child pipeline process"),
            "{label} -P: the volumes are not the pipeline's:\n{}",
            piped.ended.stderr
        );
        assert_eq!(
            piped.vols.len(),
            n,
            "{label}: -P wrote {} volumes",
            piped.vols.len()
        );
        for ((a, x), (b, y)) in piped.vols.iter().zip(&files.vols) {
            assert!(x == y, "{label}: -P's {a} is not -f's {b}");
        }
        let check =
            check_set_freebsd(ntrec, &piped.paths()).unwrap_or_else(|e| panic!("{label}: {e}"));
        println!("{label}: -P wrote the {n} volumes -f wrote; {check}");
    }
    // -P and -f both name the output: today's dump takes one.
    let e = Run::new(&dumpers[0], &base)
        .args(["-G", "-P", "cat > x", "-f", "y", "disk.img"])
        .run();
    assert_eq!(e.code, Some(1), "-P with -f: {}", e.stderr);
    assert!(
        e.stderr
            .contains("You cannot use the P and f flags together.")
    );
    let _ = fs::remove_dir_all(&base);
}

/// SIGINFO asks dump for its progress; Linux has none and the compat
/// layer maps it to SIGPWR (c-shim/freebsd/include/fbsd_compat.h).  Sent
/// once 500 records are out, to the volume's process alone and then, as
/// a BSD terminal sends ^T, to the whole process group, it makes the next
/// tape block report "% done"; without it a short dump reports nothing.
/// The other processes ignore it, as BSD's do by default (main.c sets
/// that; SIGPWR's own default would end them): the dump goes on and
/// writes the same bytes.
#[test]
fn siginfo_reports_progress() {
    let dumpers = freebsd_dumpers();
    let base = scratch("fbsd-siginfo");
    disk(&base, 23, 12);
    let so = injector();
    for prog in &dumpers {
        let quiet = Run::new(prog, &base)
            .args(["-S", "23", "-M", "1000", "-f", "quiet.dump", "disk.img"])
            .run();
        assert_eq!(quiet.code, Some(0), "{}", quiet.stderr);
        assert!(!quiet.stderr.contains("% done"), "{}", quiet.stderr);
        for to_group in [false, true] {
            let out = base.join("slow.dump");
            let _ = fs::remove_file(&out);
            let ended = Run::new(prog, &base)
                .args(["-S", "23", "-M", "1000", "-f", "slow.dump", "disk.img"])
                .env("LD_PRELOAD", so.as_os_str())
                .env("DUMPTAPE_SLOW", "3000:slow.dump")
                .timeout(120)
                .during(move |pid, _| {
                    // 700 records written: the master has flushed more.
                    let until = Instant::now() + Duration::from_secs(60);
                    while fs::metadata(&out).map(|m| m.len()).unwrap_or(0) < 700 * 1024 {
                        assert!(Instant::now() < until, "the slow dump did not get going");
                        std::thread::sleep(Duration::from_millis(20));
                    }
                    if to_group {
                        common::signal_group(pid, libc::SIGPWR);
                    } else {
                        let volume = children(pid);
                        assert_eq!(volume.len(), 1, "the top process's children: {volume:?}");
                        kill(volume[0], libc::SIGPWR);
                    }
                })
                .run();
            assert_eq!(ended.code, Some(0), "{}", ended.stderr);
            let line = ended
                .stderr
                .lines()
                .find(|l| l.contains("% done, finished in"))
                .unwrap_or_else(|| panic!("no progress report after SIGPWR:\n{}", ended.stderr));
            let quiet = fs::read(base.join("quiet.dump")).unwrap();
            assert!(
                quiet == fs::read(base.join("slow.dump")).unwrap(),
                "the signalled dump wrote other bytes"
            );
            let whom = if to_group {
                "the process group"
            } else {
                "the volume's process"
            };
            println!(
                "{}: SIGPWR to {whom} gave {:?}",
                prog.display(),
                line.trim()
            );
        }
    }
    let _ = fs::remove_dir_all(&base);
}

/// The original FreeBSD tape.c, built with the same compat layer (BSD
/// setjmp, sigpause, SIGINFO), writes what the oracle writes wherever
/// none of the oracle's corrections applies: one volume, volumes by
/// count, by tape length, to standard output and through -P, with no
/// end of the medium (reference/freebsd/README.md measured the same).
#[test]
fn original_agrees_without_ends_of_medium() {
    let (oracle, original) = (freebsd_dumpers()[0].clone(), common::freebsd_original());
    let base = scratch("fbsd-orig");
    disk(&base, 29, 8);
    let yes = "yes\n".repeat(100);
    let cases: Vec<(&str, Vec<&str>, Out)> = vec![
        ("one", vec!["-S", "29", "-a"], Out::File),
        (
            "count-b32",
            vec!["-S", "31", "-N", "300", "-b", "32", "-B", "1024"],
            Out::Vols(30),
        ),
        (
            "feet-b10",
            vec!["-S", "37", "-N", "300", "-s", "40"],
            Out::Vols(30),
        ),
        ("stdout-b64", vec!["-S", "41", "-b", "64"], Out::Stdout),
    ];
    for (label, args, out) in cases {
        let d = base.join(label);
        let a = dump(&oracle, &d.join("ref"), "../../disk.img", &args, out, &[]);
        let b = dump(
            &original,
            &d.join("orig"),
            "../../disk.img",
            &args,
            out,
            &[],
        );
        assert_eq!(a.ended.code, Some(0), "{label}: {}", a.ended.stderr);
        common::assert_same(label, (&b.ended, &b.vols), (&a.ended, &a.vols));
        println!(
            "{label}: the original's {} volume(s) are the oracle's",
            a.vols.len()
        );
    }
    let popen = |prog: &Path, dir: &Path| {
        fs::create_dir_all(dir).unwrap();
        let ended = Run::new(prog, dir)
            .args([
                "-S",
                "43",
                "-N",
                "300",
                "-B",
                "1500",
                "-P",
                "cat > vol$DUMP_VOLUME",
            ])
            .args(["../../disk.img"])
            .answers(&yes)
            .run();
        let vols = (1..)
            .map(|i| format!("vol{i}"))
            .map_while(|n| fs::read(dir.join(&n)).ok().map(|b| (n, b)))
            .collect::<Vec<_>>();
        (ended, vols)
    };
    let (ea, va) = popen(&oracle, &base.join("popen/ref"));
    let (eb, vb) = popen(&original, &base.join("popen/orig"));
    assert_eq!(ea.code, Some(0), "-P: {}", ea.stderr);
    assert!(va.len() >= 3, "-P: {} volumes", va.len());
    common::assert_same("-P", (&eb, &vb), (&ea, &va));
    println!("-P: the original's {} volumes are the oracle's", va.len());
    let _ = fs::remove_dir_all(&base);
}

// ------------------------------------------------------------------ bad images

/// Every wrong disk ends the dump with status 3 and a message naming the
/// problem, before a volume is opened; UFS1 and UFS2 alike.
#[test]
fn bad_images_are_refused() {
    let tools = require_tools();
    let dumpers = freebsd_dumpers();
    let base = scratch("fbsd-bad");
    let tree = base.join("tree");
    write(&tree.join("small"), b"small\n");
    write(&tree.join("dir/file"), &noise(1, 20000));
    write(&tree.join("five"), &noise(5, 5 * 1024 * 1024 + 7));
    // A directory past its 12 direct blocks, for a loop in its own tree.
    for i in 0..300 {
        write(
            &tree
                .join("bigdir")
                .join(format!("{i:03}{}", "n".repeat(200))),
            b"",
        );
    }
    makefs_version(&tools, &base, "tree", "good.img", 2, "bsize=4096,fsize=512");
    makefs_version(&tools, &base, "tree", "ufs1.img", 1, "");
    let e = Run::new(&tools.makefs, &base)
        .args([
            "-M",
            "1048576",
            "-B",
            "be",
            "-t",
            "ffs",
            "-o",
            "version=2",
            "be.img",
            "tree",
        ])
        .run();
    assert_eq!(e.code, Some(0), "{}", e.stderr);
    let good = Ufs2Image::read(&base.join("good.img"));
    let img = || Ufs2Image {
        d: good.d.clone(),
        sb: good.sb,
    };
    let sb = good.sb;
    let small = good.file_of_size(6);
    let five = good.file_of_size(5 * 1024 * 1024 + 7);

    let mut cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "empty",
            vec![],
            "is not a UFS1 or UFS2 file system: it is empty",
        ),
        (
            "text",
            b"hello, world\n".to_vec(),
            "too short to hold a super block",
        ),
        (
            "long text",
            "not a file system\n".repeat(20000).into_bytes(),
            "no super block at byte 65536, 8192, 0 or 262144",
        ),
        (
            "cut short",
            good.d[..good.d.len() / 2].to_vec(),
            "truncated UFS2 image",
        ),
    ];
    // The super block names another place as its own.
    let mut i = img();
    let loc = i.i64_at(sb + 1000);
    assert_eq!(
        loc as usize, sb,
        "makefs's UFS2 super block is where it says"
    );
    i.set_i64(sb + 1000, 65536);
    cases.push((
        "fs_sblockloc",
        i.d,
        "gives byte 65536 as its place (fs_sblockloc)",
    ));
    // A UFS1 super block only at 64 KB, where UFS1 keeps a copy at most.
    let mut u1 = fs::read(base.join("ufs1.img")).unwrap();
    let sb1: Vec<u8> = u1[8192..16384].to_vec();
    u1[65536..65536 + 8192].copy_from_slice(&sb1);
    u1[8192..16384].fill(0);
    cases.push(("UFS1 at 64 KB", u1, "a UFS1 super block at byte 65536 only"));
    let u1 = fs::read(base.join("ufs1.img")).unwrap();
    cases.push((
        "UFS1 cut short",
        u1[..u1.len() / 2].to_vec(),
        "truncated UFS1 image",
    ));
    let mut u1b = u1.clone();
    u1b[8192 + 48..8192 + 52].copy_from_slice(&12288i32.to_le_bytes());
    cases.push((
        "UFS1 block size",
        u1b,
        "damaged UFS1 super block: block size 12288",
    ));
    for (what, off, v, msg) in [
        ("block size", 48, 12288, "block size 12288"),
        ("fragment size", 52, 3000, "fragment size 3000"),
        ("cylinder groups", 44, 1000, "cylinder groups"),
        ("fsbtodb", 100, 9, "fsbtodb 9"),
        (
            "symlink length",
            1320,
            500,
            "short symbolic links of up to 500 bytes",
        ),
    ] {
        let mut i = img();
        i.set_i32(sb + off, v);
        cases.push((what, i.d, msg));
    }
    let mut i = img();
    i.set_i64(sb + 1080, 1 << 50);
    cases.push(("size", i.d, "a size of 1125899906842624 fragments"));
    let mut i = img();
    let cg0 = i.cg_block(0);
    i.set_i32(cg0 + 4, 0x1234);
    cases.push(("group magic", i.d, "has no cylinder group magic number"));
    let mut i = img();
    let ipg = i.sb32(184);
    i.set_i32(cg0 + 120, ipg + 64);
    cases.push(("initialised inodes", i.d, "inodes initialised"));
    let mut i = img();
    let root = i.inode(2);
    i.d[root..root + 2].copy_from_slice(&0o100644u16.to_le_bytes());
    cases.push(("root", i.d, "the root inode is not a directory"));
    let mut i = img();
    i.d[small + DI2_MODE..small + 2].copy_from_slice(&0o170644u16.to_le_bytes());
    cases.push(("file type", i.d, "unknown file type"));
    let mut i = img();
    let past = i.size() + 100;
    i.set_i64(small + DI2_DB, past);
    cases.push(("block past the end", i.d, "outside the file system"));
    let mut i = img();
    i.set_i64(small + DI2_SIZE, 1 << 62);
    cases.push(("file size", i.d, "more than this file system can address"));
    let mut i = img();
    i.set_i64(five + DI2_SIZE, 1 << 30);
    cases.push(("size past the blocks", i.d, "last block is not allocated"));
    // The double indirect block points back at the single one.
    let mut i = img();
    let (single, double) = (i.i64_at(five + DI2_IB), i.i64_at(five + DI2_IB + 8));
    let at = i.ptr(double, 0);
    i.set_i64(at, single);
    cases.push(("indirect loop", i.d, "is met twice"));
    let mut i = img();
    let at = i.ptr(double, 0);
    i.set_i64(at, double);
    cases.push(("indirect self-loop", i.d, "damaged UFS2 inode"));
    // The directory's double indirect block is its single one, and its
    // size reaches into the double's range.
    let ninodes = good.sb32(44) * good.sb32(184);
    let bigdir = (2..ninodes)
        .map(|n| good.inode(n))
        .find(|&o| {
            let mode = u16::from_le_bytes(good.d[o..o + 2].try_into().unwrap());
            mode & 0o170000 == 0o040000 && good.i64_at(o + DI2_SIZE) > 12 * 4096
        })
        .expect("a directory with an indirect block");
    let mut i = img();
    let dsingle = i.i64_at(bigdir + DI2_IB);
    i.set_i64(bigdir + DI2_IB + 8, dsingle);
    i.set_i64(bigdir + DI2_SIZE, (12 + 512 + 1) * 4096);
    cases.push(("directory loop", i.d, "is met twice"));
    let mut i = img();
    i.set_i32(small + DI2_EXTSIZE, 100);
    cases.push((
        "extended attributes",
        i.d,
        "100 bytes of extended attributes",
    ));

    let run_case = |what: &str, disk: &str, msg: &str| {
        for prog in &dumpers {
            common::refuses(prog, &base, what, disk, msg);
        }
    };
    for (what, bytes, msg) in &cases {
        fs::write(base.join("bad.img"), bytes).unwrap();
        run_case(what, "../bad.img", msg);
    }
    run_case("big-endian", "../be.img", "is a big-endian UFS file system");
    run_case("a directory", "../tree", "is a directory");
    run_case("no such file", "../none.img", "Cannot open ../none.img");
    // The untouched images dump, and the generator is there when asked for.
    for (what, args) in [
        ("good UFS2", vec!["-f", "ok.dump", "good.img"]),
        ("good UFS1", vec!["-f", "ok.dump", "ufs1.img"]),
        ("-G on a bad image", vec!["-G", "-f", "ok.dump", "bad.img"]),
    ] {
        for prog in &dumpers {
            let e = Run::new(prog, &base).args(&args).run();
            assert_eq!(e.code, Some(0), "{what}: {}", e.stderr);
        }
    }
    let _ = fs::remove_dir_all(&base);
}
