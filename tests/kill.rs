//! A dump whose volume process dies must end promptly with status 3 and
//! leave nothing running (FIX 5, CONTRACT item 9).

mod common;

use common::{Run, children, noise, scratch};
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

/// The process tree of a running dump: (checkpoint, volume master, slaves).
fn tree(top: u32) -> (u32, Vec<u32>) {
    let masters = wait_children(top, 1);
    assert_eq!(masters.len(), 1, "the checkpoint has one child");
    let slaves = wait_children(masters[0], 3);
    assert_eq!(slaves.len(), 3, "the volume has three slaves");
    (masters[0], slaves)
}

/// Dump to a pipe that is read only after `act` has run, so the dump is
/// certainly in the middle of its work when the process is killed.
fn kill_mid_dump(act: fn(u32, u32, &[u32])) -> common::Ended {
    let dir = scratch("kill");
    std::fs::write(dir.join("disk.img"), noise(9, 16 << 20)).unwrap();
    let e = Run::new(common::minidump(), &dir)
        .args(["-b", "10", "-N", "300", "-M", "2000", "-f", "-", "disk.img"])
        .timeout(60)
        .during(move |top, out| {
            // Let the first records through so the ring is running, then
            // stop reading: the slaves block on the full pipe.
            let mut buf = vec![0u8; 64 << 10];
            let _ = out.read_exact(&mut buf);
            let (master, slaves) = tree(top);
            act(top, master, &slaves);
        })
        .run();
    let _ = std::fs::remove_dir_all(&dir);
    e
}

#[test]
fn volume_process_killed() {
    let e = kill_mid_dump(|_, master, _| common::kill(master, libc::SIGKILL));
    assert_eq!(e.code, Some(3), "{}", e.stderr);
    assert!(e.stderr.contains("returns LOB status 11"), "{}", e.stderr);
}
