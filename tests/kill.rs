//! Whatever process of a dump dies, the dump ends promptly with status 3
//! and leaves nothing running, its output closed (README: correction 5, and beyond the
//! corrections).
//! `Run` fails a test that outlives its time, leaves a process of the dump
//! behind, or leaves its output or messages open.

mod common;

use common::{ABIS, Ended, Run, children, noise, scratch};
use std::io::Read;
use std::process::ChildStdout;
use std::time::{Duration, Instant};

/// Wait until `pid` has `n` children; their pids.
fn wait_children(pid: u32, n: usize) -> Vec<u32> {
    let end = Instant::now() + Duration::from_secs(20);
    loop {
        let c = children(pid);
        if c.len() >= n || Instant::now() > end {
            return c;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// The processes of a running dump: (volume master, its slaves).
fn tree(top: u32) -> (u32, Vec<u32>) {
    let masters = wait_children(top, 1);
    assert_eq!(masters.len(), 1, "the checkpoint has one child");
    let slaves = wait_children(masters[0], 3);
    assert_eq!(slaves.len(), 3, "the volume has three slaves");
    (masters[0], slaves)
}

/// Which process to act on, and how.
type Act = fn(u32, u32, &[u32], &mut Option<ChildStdout>);

/// Dump to a pipe that is read only after `act` has run, so the dump is
/// certainly in the middle of its work (the writer blocked on the full
/// pipe, the other slaves waiting on their sockets) when it acts; the rest
/// of the output is read afterwards.
fn mid_dump(
    prog: std::path::PathBuf,
    act: impl FnOnce(u32, u32, &[u32], &mut Option<ChildStdout>) + Send + 'static,
) -> Ended {
    let dir = scratch("kill");
    std::fs::write(dir.join("disk.img"), noise(9, 16 << 20)).unwrap();
    let e = Run::new(prog, &dir)
        .args(["-b", "10", "-N", "300", "-M", "2000", "-f", "-", "disk.img"])
        .timeout(60)
        .during(move |top, out| {
            let mut buf = vec![0u8; 64 << 10];
            if let Some(o) = out.as_mut() {
                let _ = o.read_exact(&mut buf);
            }
            let (master, slaves) = tree(top);
            act(top, master, &slaves, out);
        })
        .run();
    let _ = std::fs::remove_dir_all(&dir);
    e
}

fn assert_aborted(e: &Ended, what: &str) {
    assert_eq!(
        e.code,
        Some(3),
        "{what}: status {:?}/{:?}\n{}",
        e.code,
        e.signal,
        e.stderr
    );
    assert!(
        e.elapsed < Duration::from_secs(20),
        "{what}: took {:?}",
        e.elapsed
    );
}

#[test]
fn volume_process_killed() {
    for abi in ABIS {
        let e = mid_dump(abi.minidump(), |_, master, _, _| {
            common::kill(master, libc::SIGKILL)
        });
        assert_aborted(&e, &format!("{}: master SIGKILL", abi.name()));
        assert!(e.stderr.contains("returns LOB status 11"), "{}", e.stderr);
    }
}

#[test]
fn volume_process_terminated() {
    for abi in ABIS {
        let e = mid_dump(abi.minidump(), |_, master, _, _| {
            common::kill(master, libc::SIGTERM)
        });
        assert_aborted(&e, &format!("{}: master SIGTERM", abi.name()));
        assert!(
            e.stderr.contains("The ENTIRE dump is aborted."),
            "{}",
            e.stderr
        );
    }
}

#[test]
fn each_slave_killed() {
    for abi in ABIS {
        for k in 0..3 {
            let act: Act = match k {
                0 => |_, _, s, _| common::kill(s[0], libc::SIGKILL),
                1 => |_, _, s, _| common::kill(s[1], libc::SIGKILL),
                _ => |_, _, s, _| common::kill(s[2], libc::SIGKILL),
            };
            let e = mid_dump(abi.minidump(), act);
            assert_aborted(&e, &format!("{}: slave {k} SIGKILL", abi.name()));
            assert!(
                e.stderr.contains("The ENTIRE dump is aborted."),
                "{}",
                e.stderr
            );
        }
    }
}

#[test]
fn slave_terminated() {
    for abi in ABIS {
        let e = mid_dump(abi.minidump(), |_, _, s, _| {
            common::kill(s[1], libc::SIGTERM)
        });
        assert_aborted(&e, &format!("{}: slave SIGTERM", abi.name()));
        assert!(
            e.stderr.contains("The ENTIRE dump is aborted."),
            "{}",
            e.stderr
        );
    }
}

/// `dump -f - | head`: the reader goes away.
#[test]
fn reader_of_the_pipe_gone() {
    for abi in ABIS {
        let e = mid_dump(abi.minidump(), |_, _, _, out| drop(out.take()));
        assert_aborted(&e, &format!("{}: reader gone", abi.name()));
        assert!(e.stderr.contains("Broken pipe"), "{}", e.stderr);
        assert!(
            e.stderr.contains("The ENTIRE dump is aborted."),
            "{}",
            e.stderr
        );
    }
}

/// The top-level process (the first volume's checkpoint) killed outright:
/// nobody is left to report, but the rest of the dump must stop.
#[test]
fn top_level_killed() {
    for abi in ABIS {
        let e = mid_dump(abi.minidump(), |top, _, _, _| {
            common::kill(top, libc::SIGKILL)
        });
        assert_eq!(e.signal, Some(libc::SIGKILL));
    }
}

/// The top-level process asked to stop: it aborts, taking the volume with it.
#[test]
fn top_level_terminated() {
    for abi in ABIS {
        let e = mid_dump(abi.minidump(), |top, _, _, _| {
            common::kill(top, libc::SIGTERM)
        });
        assert_aborted(&e, &format!("{}: top SIGTERM", abi.name()));
    }
}

/// The reference tape.c hangs for ever when a slave is killed (item 9):
/// shown, not required, with a short time limit.
#[test]
fn original_hangs_when_a_slave_is_killed() {
    for abi in ABIS {
        let Some(orig) = abi.original() else {
            continue;
        };
        let dir = scratch("kill-orig");
        std::fs::write(dir.join("disk.img"), noise(9, 16 << 20)).unwrap();
        let result = std::panic::catch_unwind(|| {
            Run::new(orig, &dir)
                .args(["-b", "10", "-N", "300", "-M", "2000", "-f", "-", "disk.img"])
                .timeout(5)
                .during(|top, out| {
                    let mut buf = vec![0u8; 64 << 10];
                    if let Some(o) = out.as_mut() {
                        let _ = o.read_exact(&mut buf);
                    }
                    let (_, slaves) = tree(top);
                    common::kill(slaves[0], libc::SIGKILL);
                })
                .run()
        });
        println!(
            "{} tape.c with a {} killed: {}",
            abi.name(),
            abi.word(),
            match result {
                Err(_) => "hung (killed after 5 s): it waits for ever for the dead process".into(),
                Ok(e) => format!("ended, status {:?}", e.code),
            }
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}

/// A slave killed in the middle of its write(), which in the library means
/// holding the ring's write lock: no other slave may write after it, and
/// the master, waiting for a record that will never be written, must see
/// the death rather than wait for ever.
#[test]
fn writer_killed_holding_the_write_lock() {
    for abi in ABIS {
        let injector = common::root().join("build/faultwrite.so");
        assert!(injector.exists(), "build/faultwrite.so: run make test");
        let dir = scratch("kill-writer");
        std::fs::write(dir.join("disk.img"), noise(5, 8 << 20)).unwrap();
        let e = Run::new(abi.minidump(), &dir)
            .args([
                "-a", "-b", "10", "-N", "200", "-M", "2000", "-f", "out.dump", "disk.img",
            ])
            .env("DUMPTAPE_FAULT", "die:307200")
            .env("LD_PRELOAD", injector)
            .timeout(60)
            .run();
        let written = std::fs::metadata(dir.join("out.dump")).map_or(0, |m| m.len());
        let _ = std::fs::remove_dir_all(&dir);
        assert_aborted(&e, &format!("{}: writer SIGKILL", abi.name()));
        assert!(
            e.stderr.contains("The ENTIRE dump is aborted."),
            "{}",
            e.stderr
        );
        // Nothing past the record the writer died in went on the tape.
        assert_eq!(written, 307_200, "bytes on the volume");
    }
}

/// Standard output into a pipe cannot end, so each slave gets a second
/// list (ring::depth): the ring's shared mapping holds six records there,
/// where it holds three for a file (the differential tests cover both).
/// The mapping is seen in /proc, so this runs on Linux only.
#[cfg(target_os = "linux")]
#[test]
fn a_pipe_gets_the_deeper_ring() {
    for abi in ABIS {
        use std::sync::{Arc, Mutex};
        let seen = Arc::new(Mutex::new(Vec::new()));
        let seen2 = Arc::clone(&seen);
        let e = mid_dump(abi.minidump(), move |_, _, slaves, _| {
            let maps =
                std::fs::read_to_string(format!("/proc/{}/maps", slaves[0])).unwrap_or_default();
            // Sizes of the shared writable mappings: "lo-hi rw-s ...".
            for l in maps.lines() {
                let mut f = l.split_whitespace();
                let (Some(range), Some("rw-s")) = (f.next(), f.next()) else {
                    continue;
                };
                if let Some((lo, hi)) = range.split_once('-') {
                    let n = |s| u64::from_str_radix(s, 16).unwrap_or(0);
                    seen2.lock().unwrap().push(n(hi).saturating_sub(n(lo)));
                }
            }
        });
        assert_eq!(e.code, Some(0), "{}", e.stderr);
        let seen = seen.lock().unwrap().clone();
        // Six 10 KB records, each on pages of its own, and the ring's words.
        let six = 6 * 10 * 1024;
        assert!(
            seen.iter().any(|&n| n >= six && n < six + 64 * 1024),
            "shared mappings of a slave: {seen:?}"
        );
    }
}
