//! The writer over a fake rest of dump (`testkit`): lists, the header in
//! progress, volume sizes, the end-of-medium replay, the operator's
//! answers.  The tests that write volumes run a whole dump in a forked
//! child, whose checkpoints and slaves the writer forks as in dump.

use super::*;
use crate::format::{Layout, TS_BITS, TS_CLRI, TS_END, TS_INODE};
use crate::process::{X_ABORT, X_FINOK};
use crate::testkit::{
    self, Expect, FakeHost, Item, Medium, Ran, Setup, check_set, dump_items, expected, run, script,
};

/// A writer over a fake host, not forked: for what needs no volume.
fn bare(setup: Setup) -> TapeWriter<FakeHost> {
    let dir = testkit::scratch("bare");
    TapeWriter::new(FakeHost::new(&dir, setup))
}

fn reel(ntrec: i64, density: i64, cartridge: bool) -> Setup {
    let mut s = Setup::new(ntrec);
    s.settings.unlimited = false;
    s.settings.density = density;
    s.settings.cartridge = cartridge;
    s.settings.tsize = 2300 * 120;
    s
}

// ------------------------------------------------------------ the lists

#[test]
fn alloctape_sets_up_the_lists() {
    let w = bare(Setup::new(10));
    assert!(w.alloctape());
    assert_eq!(w.writesize.get(), 10 * TP_BSIZE);
    assert_eq!(w.nlists(), SLAVES, "three lists until a volume opens");
    for i in 0..=MAX_LISTS {
        assert_eq!(w.list(i).reqs.len(), 11, "ntrec + 1 entries");
        assert_eq!(w.list(i).headers.bytes().len(), 11 * TP_BSIZE);
    }
    // tape.c starts the first list's count at 1.
    assert_eq!(w.info(0).count, 1);
    assert_eq!(w.nextblock.get(), (0, 0));
}

#[test]
fn alloctape_refuses_what_it_cannot_hold() {
    let w = bare(Setup::new(MAX_NTREC as i64 + 1));
    assert!(!w.alloctape());
    let w = bare(Setup::new(MAX_NTREC as i64));
    assert!(w.alloctape(), "the largest blocking factor is taken");
}

#[test]
fn tape_used_per_block_on_a_reel_a_cartridge_and_at_6250_bpi() {
    for (density, cartridge, tenths) in [
        (160, false, 10240 / 160 + 8),
        (625, false, 10240 / 625 + 5),
        (100, true, 10240 / 100 + 16),
    ] {
        let w = bare(reel(10, density, cartridge));
        assert!(w.alloctape());
        assert_eq!(w.tenths.get(), tenths, "density {density}");
    }
    let mut s = Setup::new(10);
    s.settings.blocksperfile = 1000;
    let w = bare(s);
    assert!(w.alloctape());
    assert_eq!(w.tenths.get(), 0, "-B counts records, not tape");
}

#[test]
fn writerec_puts_headers_in_place() {
    let w = bare(Setup::new(10));
    assert!(w.alloctape());
    w.host().put(Field::Tapea, 7);
    let recs = [[1u8; TP_BSIZE], [2u8; TP_BSIZE], [3u8; TP_BSIZE]];
    w.writerec(&recs[0], true);
    w.writerec(&recs[1], false);
    w.writerec(&recs[2], true);
    assert_eq!(w.trecno.get(), 3);
    assert_eq!(w.nextblock.get(), (0, 3));
    assert_eq!(w.host().header(Field::Tapea), 10, "c_tapea counts records");
    assert_eq!(w.lastspclrec.get(), 9, "the last header proper's c_tapea");
    let l = w.list(0);
    assert_eq!(&l.reqs[..3], &[Req::HEADER; 3]);
    assert_eq!(&l.spcl[..3], &[true, false, true]);
    for (i, r) in recs.iter().enumerate() {
        assert_eq!(l.headers.record(i), &r[..]);
    }
}

#[test]
fn dumpblock_makes_runs_in_sectors() {
    let w = bare(Setup::new(10));
    assert!(w.alloctape());
    w.writerec(&[0u8; TP_BSIZE], true);
    // Fragment 50, 4 KB: sectors from 100 (the fake's fsbtodb is 1).
    w.dumpblock(50, 4096);
    w.dumpblock(60, 1024);
    let l = w.list(0);
    assert_eq!(
        l.reqs[1],
        Req {
            dblk: 100,
            count: 4
        }
    );
    assert_eq!(
        l.reqs[5],
        Req {
            dblk: 120,
            count: 1
        }
    );
    assert_eq!(w.trecno.get(), 6);
    assert_eq!(w.host().header(Field::Tapea), 6);
    assert_eq!(w.nextblock.get(), (0, 1), "data takes no header record");
}

#[test]
fn block_numbers_beyond_32_bits() {
    let w = bare(Setup::new(10));
    assert!(w.alloctape());
    let far = 1i64 << 33;
    w.dumpblock(far, 2048);
    assert_eq!(
        w.list(0).reqs[0],
        Req {
            dblk: far << 1,
            count: 2
        }
    );
    // A record number past 2^31 in the 64-bit header fields.
    let mut s = Setup::new(10);
    s.flavour = Flavour::FreeBsd;
    let w = bare(s);
    assert!(w.alloctape());
    w.host().put(Field::Tapea, (1 << 31) + 5);
    w.writerec(&[0u8; TP_BSIZE], true);
    assert_eq!(w.lastspclrec.get(), (1 << 31) + 5);
    assert_eq!(w.host().header(Field::Tapea), (1 << 31) + 6);
}

// ------------------------------------- what the header in progress owes

fn owing(w: &TapeWriter<FakeHost>, kind: i32, count: i64, addr: &[u8]) -> i64 {
    w.host().put(Field::Type, i64::from(kind));
    w.host().put(Field::Count, count);
    w.host().put_addr(addr);
    w.announced_blocks()
}

#[test]
fn an_inode_owes_its_set_addr_entries() {
    let w = bare(Setup::new(10));
    assert_eq!(owing(&w, TS_INODE, 5, &[1, 0, 1, 1, 0, 1]), 3);
    assert_eq!(owing(&w, TS_INODE, 0, &[1, 1]), 0);
}

#[test]
fn c_addr_is_never_read_past_its_end() {
    let w = bare(Setup::new(10));
    assert_eq!(owing(&w, TS_INODE, 100_000, &[1; 512]), 512);
    assert_eq!(owing(&w, TS_INODE, -3, &[1; 512]), 0);
}

#[test]
fn a_map_owes_all_its_records() {
    let w = bare(Setup::new(10));
    assert_eq!(owing(&w, TS_CLRI, 600, &[0; 512]), 600);
    assert_eq!(owing(&w, TS_BITS, 3, &[1; 512]), 3);
    assert_eq!(owing(&w, TS_END, 7, &[1; 512]), 0);
}

#[test]
fn todays_freebsd_counts_nothing_for_a_map() {
    let mut s = Setup::new(10);
    s.flavour = Flavour::FreeBsd;
    let w = bare(s);
    assert_eq!(owing(&w, TS_CLRI, 600, &[1; 512]), 0);
    assert_eq!(owing(&w, TS_BITS, 3, &[1; 512]), 0);
    assert_eq!(owing(&w, TS_INODE, 2, &[1; 512]), 2);
}

#[test]
fn records_to_the_next_header() {
    let w = bare(Setup::new(10));
    w.lastspclrec.set(5);
    owing(&w, TS_INODE, 3, &[1, 1, 1]);
    // Header at 5, its 3 records at 6..9: from 7, two before the next.
    assert_eq!(w.records_to_next_header(7), 2);
    assert_eq!(w.records_to_next_header(9), 0);
}

// --------------------------------------------------------- volume sizes

#[test]
fn a_volume_is_full_by_records() {
    let mut s = Setup::new(10);
    s.settings.unlimited = false;
    s.settings.blocksperfile = 100;
    let w = bare(s);
    w.blocksthisvol.set(90);
    assert!(!w.full());
    w.blocksthisvol.set(100);
    assert!(w.full());
}

#[test]
fn a_volume_is_full_by_length() {
    let mut s = reel(10, 160, false);
    s.settings.tsize = 1000;
    let w = bare(s);
    w.host().set_asize(1000);
    assert!(!w.full());
    w.host().set_asize(1001);
    assert!(w.full());
}

#[test]
fn standard_output_and_a_to_the_end_are_never_full() {
    let mut s = reel(10, 160, false);
    s.settings.tsize = 1;
    s.settings.pipeout = true;
    let w = bare(s.clone());
    w.host().set_asize(1000);
    assert!(!w.full());
    s.settings.pipeout = false;
    s.settings.unlimited = true;
    let w = bare(s);
    w.host().set_asize(1000);
    assert!(!w.full());
}

// ------------------------------------------------ the replay, step by step

/// List 0 at -b 4: a header, a run of two, a header.
fn four(w: &TapeWriter<FakeHost>) {
    assert!(w.alloctape());
    let mut l = w.list_mut(0);
    l.reqs[0] = Req::HEADER;
    l.spcl[0] = true;
    l.reqs[1] = Req { dblk: 40, count: 2 };
    l.reqs[3] = Req::HEADER;
    l.spcl[3] = false;
    l.reqs[4].count = 0;
    l.headers.copy_record(0, &[0xa; TP_BSIZE]);
    l.headers.copy_record(1, &[0xb; TP_BSIZE]);
}

#[test]
fn a_replayed_list_moves_up_one_record() {
    let w = bare(Setup::new(4));
    four(&w);
    let mut ntb = 1;
    let last = w.shift_into_spare(0, &mut ntb);
    let spare = w.list(SPARE);
    assert_eq!(spare.reqs[1], Req::HEADER);
    assert_eq!(spare.reqs[2], Req { dblk: 40, count: 2 });
    // The last record (a map record) moves on: not in this list.
    assert_eq!(last, 4);
    assert_eq!(spare.reqs[4].count, 0, "the list ends there");
    assert_eq!(ntb, 2, "one header record kept, the moved one given up");
    assert_eq!(spare.headers.record(1), &[0xa; TP_BSIZE][..]);
    assert_eq!(spare.headers.record(2), &[0xb; TP_BSIZE][..]);
}

#[test]
fn a_carried_header_record_goes_with_its_request() {
    let w = bare(Setup::new(4));
    four(&w);
    let mut ntb = 1;
    let last = w.shift_into_spare(0, &mut ntb);
    assert_eq!(w.carry(last, ntb), 1);
    let spare = w.list(SPARE);
    assert_eq!(spare.reqs[0], Req::HEADER);
    assert!(!spare.spcl[0], "a map record, not a header proper");
    assert_eq!(spare.headers.record(0), &[0xb; TP_BSIZE][..]);
}

#[test]
fn a_carried_data_record_is_the_runs_last() {
    let w = bare(Setup::new(3));
    assert!(w.alloctape());
    {
        let mut l = w.list_mut(0);
        l.reqs[0] = Req::HEADER;
        l.reqs[1] = Req { dblk: 40, count: 2 };
        l.reqs[3].count = 0;
    }
    let mut ntb = 1;
    let last = w.shift_into_spare(0, &mut ntb);
    assert_eq!(w.list(SPARE).reqs[last], Req { dblk: 40, count: 1 });
    assert_eq!(w.carry(last, ntb), 0);
    // Two sectors a record: the run's second record is at sector 42.
    assert_eq!(w.list(SPARE).reqs[0], Req { dblk: 42, count: 1 });
}

#[test]
fn the_carried_record_opens_the_list_being_filled() {
    let w = bare(Setup::new(4));
    four(&w);
    {
        let mut cur = w.list_mut(1);
        cur.reqs[0] = Req { dblk: 8, count: 1 };
        cur.reqs[1] = Req::HEADER;
        cur.headers.copy_record(0, &[0xc; TP_BSIZE]);
    }
    w.slp.set(1);
    w.nextblock.set((1, 1));
    w.trecno.set(2);
    let kept = w.keep(1, 2);
    {
        let mut spare = w.list_mut(SPARE);
        spare.reqs[0] = Req::HEADER;
        spare.headers.copy_record(0, &[0xd; TP_BSIZE]);
    }
    w.open_with_carried(1, Some(kept));
    let cur = w.list(1);
    assert_eq!(cur.reqs[0], Req::HEADER);
    assert_eq!(cur.reqs[1], Req { dblk: 8, count: 1 });
    assert_eq!(cur.reqs[2], Req::HEADER);
    assert_eq!(cur.headers.record(0), &[0xd; TP_BSIZE][..]);
    assert_eq!(cur.headers.record(1), &[0xc; TP_BSIZE][..]);
    assert_eq!(w.trecno.get(), 3);
    assert_eq!(w.nextblock.get(), (1, 2));
}

// ------------------------------------------------------- whole dumps

/// A dump of `items` as `setup` says: its end, and the set checked.
fn whole(name: &str, setup: Setup, items: Vec<Item>) -> Ran {
    let ntrec = setup.settings.ntrec as usize;
    let layout = match setup.flavour {
        Flavour::Bsd1998 => Layout::Bsd44,
        Flavour::FreeBsd => Layout::Ufs2,
    };
    let want = expected(&items, ntrec);
    let ran = run(name, setup, dump_items(items));
    assert_eq!(ran.status, Some(X_FINOK), "{name}:\n{}", ran.log);
    if let Err(e) = check_set(&ran.volumes, layout, &want) {
        panic!("{name}: {e}\n{}", ran.log);
    }
    let _ = std::fs::remove_dir_all(&ran.dir);
    ran
}

#[test]
fn one_volume_at_b1() {
    whole("one-b1", Setup::new(1), script(3, 6, 9));
}

#[test]
fn one_volume_at_b10() {
    let r = whole("one-b10", Setup::new(10), script(4, 30, 37));
    assert_eq!(r.volumes.len(), 1);
    assert!(r.says("Closing"), "{}", r.log);
}

#[test]
fn one_volume_at_b64() {
    whole("one-b64", Setup::new(64), script(2, 20, 300));
}

#[test]
fn files_of_more_than_512_records_continue_in_ts_addr() {
    whole("addr", Setup::new(10), script(1, 3, 1500));
}

#[test]
fn volumes_by_records() {
    let mut s = Setup::new(10).list(12);
    s.settings.unlimited = false;
    s.settings.blocksperfile = 200;
    let r = whole("by-records", s, script(4, 40, 37));
    assert!(r.volumes.len() >= 6, "{} volumes", r.volumes.len());
    for v in &r.volumes[..r.volumes.len() - 1] {
        assert_eq!(v.len(), 200 * TP_BSIZE, "each volume holds -B records");
    }
    assert!(
        r.says("Volume 2 begins with blocks from inode "),
        "{}",
        r.log
    );
    assert!(r.says("Dumping volume 3 on "), "{}", r.log);
}

/// Volumes by length: a volume is full once its tape blocks used more
/// than the tape; how many blocks that is depends on the gaps.
fn by_length(name: &str, density: i64, cartridge: bool, tsize: i64) {
    let mut s = reel(10, density, cartridge).list(40);
    s.settings.tsize = tsize;
    let tenths = 10240 / density
        + if cartridge {
            16
        } else if density == 625 {
            5
        } else {
            8
        };
    let blocks = tsize / tenths + 1;
    let r = whole(name, s, script(4, 40, 37));
    assert!(r.volumes.len() >= 3, "{name}: {} volumes", r.volumes.len());
    for v in &r.volumes[..r.volumes.len() - 1] {
        assert_eq!(
            v.len() as i64,
            blocks * 10240,
            "{name}: tape blocks per volume"
        );
    }
}

#[test]
fn volumes_by_length_on_a_reel() {
    by_length("reel", 160, false, 1000);
}

#[test]
fn volumes_by_length_at_6250_bpi() {
    by_length("6250", 625, false, 300);
}

#[test]
fn volumes_by_length_on_a_cartridge() {
    by_length("cartridge", 100, true, 1500);
}

#[test]
fn the_operator_mounts_each_volume() {
    let mut s = Setup::new(10);
    s.settings.unlimited = false;
    s.settings.blocksperfile = 300;
    s.answers = vec![true; 20];
    let r = run("mount", s, dump_items(script(2, 20, 37)));
    assert_eq!(r.status, Some(X_FINOK), "{}", r.log);
    assert!(r.says("Change Volumes: Mount volume #2\n"), "{}", r.log);
    assert!(r.says("[broadcast] CHANGE DUMP VOLUMES!"), "{}", r.log);
    assert!(r.says("Is the new volume mounted and ready to go? yes"));
}

#[test]
fn the_operator_refuses_a_volume_and_aborts() {
    let mut s = Setup::new(10);
    s.settings.unlimited = false;
    s.settings.blocksperfile = 300;
    s.answers = vec![false, true];
    let r = run("refuse", s, dump_items(script(2, 20, 37)));
    assert_eq!(r.status, Some(X_ABORT), "{}", r.log);
    assert!(r.says("Do you want to abort? yes"), "{}", r.log);
    assert!(r.says("The ENTIRE dump is aborted."), "{}", r.log);
}

#[test]
fn the_operator_refuses_then_mounts() {
    let mut s = Setup::new(10).list(1);
    s.settings.unlimited = false;
    s.settings.blocksperfile = 300;
    s.answers = vec![false, false, true, true, true, true, true, true];
    let r = run("refuse-then", s, dump_items(script(2, 20, 37)));
    assert_eq!(r.status, Some(X_FINOK), "{}", r.log);
    assert!(r.says("Do you want to abort? no"), "{}", r.log);
}

// ---------------------------------------------------- the end of the medium

fn ends(name: &str, ntrec: i64, medium: Medium, items: Vec<Item>) -> Ran {
    let mut s = Setup::new(ntrec).list(400);
    s.medium = medium;
    whole(name, s, items)
}

#[test]
fn end_of_medium_once_at_b1() {
    let r = ends(
        "eot1-b1",
        1,
        Medium::EndsOnFirst(150 * 1024 + 300),
        script(3, 8, 30),
    );
    assert!(r.says("End of tape detected"), "{}", r.log);
    assert_eq!(r.volumes.len(), 2);
}

#[test]
fn end_of_medium_once_at_b10() {
    for at in [3 * 10240, 7 * 10240 + 5000, 20 * 10240 + 1] {
        let r = ends("eot1-b10", 10, Medium::EndsOnFirst(at), script(3, 30, 37));
        assert_eq!(r.volumes.len(), 2, "end at {at}");
    }
}

#[test]
fn end_of_medium_once_at_b64() {
    ends(
        "eot1-b64",
        64,
        Medium::EndsOnFirst(5 * 65536 + 7000),
        script(3, 20, 300),
    );
}

#[test]
fn end_of_medium_in_the_first_block() {
    // The volume takes nothing: its header and the lists go out again on
    // the next, and the empty one is left behind.
    let r = ends(
        "eot-first",
        10,
        Medium::EndsOnFirst(5000),
        script(3, 30, 37),
    );
    assert!(r.volumes[0].is_empty(), "nothing whole on the first volume");
}

#[test]
fn end_of_medium_in_the_last_two_records() {
    let items = script(3, 30, 37);
    let clean = ends("eot-last-clean", 10, Medium::Endless, items.clone());
    let total = clean.volumes[0].len() as u64;
    for back in [10240 + 1, 2 * 10240, 1] {
        let r = ends(
            "eot-last",
            10,
            Medium::EndsOnFirst(total - back),
            items.clone(),
        );
        assert!(r.volumes.len() >= 2, "{} back", back);
    }
}

#[test]
fn ends_of_medium_a_few_lists_apart_at_b1() {
    let r = ends(
        "eot-every-b1",
        1,
        Medium::EndsEvery(13 * 1024 + 100),
        script(3, 12, 20),
    );
    assert!(r.volumes.len() > 10, "{} volumes", r.volumes.len());
}

#[test]
fn ends_of_medium_a_few_lists_apart_at_b10() {
    for lists in [4, 5, 7] {
        let r = ends(
            "eot-every-b10",
            10,
            Medium::EndsEvery(lists * 10240 + 3000),
            script(4, 40, 37),
        );
        assert!(r.volumes.len() > 8, "{lists}: {} volumes", r.volumes.len());
    }
}

#[test]
fn ends_of_medium_a_few_lists_apart_at_b64() {
    let r = ends(
        "eot-every-b64",
        64,
        Medium::EndsEvery(4 * 65536 + 9000),
        script(3, 20, 300),
    );
    assert!(r.volumes.len() > 3, "{} volumes", r.volumes.len());
}

/// A medium shorter than the ring: the lists replayed onto a volume are
/// themselves cut short there, and the next replay moves what was sent
/// for them, not what they held before; at the end, only trailer is lost
/// with the last cut list.
#[test]
fn media_shorter_than_the_ring() {
    for (ntrec, at) in [(10, 2 * 10240), (10, 10240), (10, 15 * 1024), (64, 65536)] {
        let r = ends("eot-short", ntrec, Medium::EndsEvery(at), script(3, 30, 37));
        assert!(
            r.volumes.len() > 8,
            "-b {ntrec}, medium of {at}: {} volumes",
            r.volumes.len()
        );
    }
}

/// A medium that takes nothing but the volume header (one record at
/// -b 1) would be asked for again and again: the dump gives up.
#[test]
fn a_medium_that_takes_only_the_volume_header_gives_up() {
    let mut s = Setup::new(1).list(400);
    s.medium = Medium::EndsEvery(1024);
    let r = run("eot-nothing", s, dump_items(script(3, 8, 30)));
    assert_eq!(r.status, Some(X_ABORT), "{}", r.log);
    assert!(r.says("EOT detected at start of the tape!"), "{}", r.log);
    assert!(r.volumes.len() <= 4, "{} volumes", r.volumes.len());
    let _ = std::fs::remove_dir_all(&r.dir);
}

#[test]
fn an_end_of_medium_inside_a_map() {
    // A map longer than c_addr: the next volume says it owes the map's
    // remaining records.
    let r = ends(
        "eot-map",
        10,
        Medium::EndsOnFirst(30 * 10240 + 500),
        script(600, 10, 20),
    );
    let set = testkit::read_set(&r.volumes, Layout::Bsd44).unwrap();
    match set[1][0] {
        testkit::Got::Header { count, owed, .. } => {
            assert!(owed > 0 && count == owed, "c_count {count}, owed {owed}")
        }
        g => panic!("{g:?}"),
    }
}

#[test]
fn the_header_in_progress_survives_the_volume_header() {
    // The medium ends inside a long file: its TS_ADDR headers after the
    // replay are whole and in place (check_set), not the TS_TAPE header.
    let r = ends(
        "eot-header",
        10,
        Medium::EndsEvery(9 * 10240 + 700),
        script(1, 2, 1300),
    );
    assert!(r.volumes.len() > 3);
}

#[test]
fn a_full_file_system_is_the_end_of_the_medium() {
    let items = script(3, 30, 37);
    let eot = ends(
        "full-eot",
        10,
        Medium::EndsEvery(6 * 10240 + 100),
        items.clone(),
    );
    let full = ends("full-enospc", 10, Medium::FullAt(6 * 10240 + 100), items);
    assert_eq!(eot.volumes, full.volumes);
    assert!(full.volumes.len() > 3);
}

// ------------------------------------------------------------ write errors

#[test]
fn a_write_error_restarted_writes_the_volume_again() {
    let mut s = Setup::new(10).list(3);
    s.medium = Medium::FailsOnceAt(9 * 10240);
    s.answers = vec![true, true, true];
    let r = whole("eio-yes", s, script(3, 30, 37));
    assert!(r.says("write error"), "{}", r.log);
    assert!(r.says("Do you want to restart? yes"), "{}", r.log);
    assert!(r.says("this dump volume will be rewritten."), "{}", r.log);
}

#[test]
fn a_write_error_not_restarted_aborts() {
    let mut s = Setup::new(10);
    s.medium = Medium::FailsOnceAt(9 * 10240);
    s.answers = vec![false];
    let r = run("eio-no", s, dump_items(script(3, 30, 37)));
    assert_eq!(r.status, Some(X_ABORT), "{}", r.log);
    assert!(r.says("The ENTIRE dump is aborted."), "{}", r.log);
}

// -------------------------------------------------- dump's sig() and quit()

#[test]
fn a_volume_given_up_is_written_again() {
    let items = script(3, 30, 37);
    let clean = whole("giveup-clean", Setup::new(10).list(1), items.clone());
    let mut s = Setup::new(10).list(1);
    s.give_up_at = Some(12);
    s.answers = vec![true];
    let r = whole("giveup", s, items);
    assert!(r.says("Rewriting attempted"), "{}", r.log);
    assert!(r.says("Change Volumes: Mount volume #2"), "{}", r.log);
    assert_eq!(r.volumes, clean.volumes);
}

#[test]
fn giving_up_before_any_volume_aborts() {
    let r = run("giveup-top", Setup::new(10), |w| {
        assert!(w.alloctape());
        w.close_rewind();
        w.exit(2)
    });
    assert_eq!(r.status, Some(X_ABORT), "{}", r.log);
    assert!(r.says("The ENTIRE dump is aborted."), "{}", r.log);
}

#[test]
fn a_bad_blocking_factor_is_refused() {
    let r = run("b0", Setup::new(0), |w| {
        w.alloctape();
    });
    assert_eq!(r.status, Some(X_ABORT), "{}", r.log);
    assert!(r.says("bad blocking factor 0"), "{}", r.log);
}

#[test]
fn a_size_that_is_no_whole_record_is_refused() {
    let r = run("size", Setup::new(10), |w| {
        assert!(w.alloctape());
        w.dumpblock(1, 1000);
    });
    assert_eq!(r.status, Some(X_ABORT), "{}", r.log);
    assert!(
        r.says("dumpblock: size 1000 is not a multiple of 1024"),
        "{}",
        r.log
    );
}

// ----------------------------------------------------------- today's FreeBSD

#[test]
fn freebsd_headers_have_64_bit_fields_and_no_newheader_flag() {
    let mut s = Setup::new(10).list(12);
    s.flavour = Flavour::FreeBsd;
    s.settings.unlimited = false;
    s.settings.blocksperfile = 300;
    let r = whole("freebsd", s, script(2, 30, 37));
    assert!(r.volumes.len() >= 3);
    let v2 = &r.volumes[1][..TP_BSIZE];
    let h = crate::format::Header::new(v2, Layout::Ufs2, false);
    assert_eq!(h.get(Field::Magic), i64::from(crate::format::FS_UFS2_MAGIC));
    assert_eq!(h.get(Field::Firstrec), 300);
    assert_eq!(
        h.get(Field::Flags) & i64::from(crate::format::DR_NEWHEADER),
        0
    );
    assert_eq!(&v2[892..896], &[0; 4], "the old c_firstrec stays 0");
}

// ------------------------------------------------------ standard output

#[test]
fn standard_output_into_a_pipe_gets_the_deeper_ring() {
    let mut s = Setup::new(10);
    s.settings.pipeout = true;
    let items = script(3, 30, 37);
    let want = expected(&items, 10);
    let r = run("pipe", s, move |w| {
        use std::os::unix::ffi::OsStrExt;
        let out = w.host().tape_name();
        testkit::stdout_to_a_reader(std::path::Path::new(std::ffi::OsStr::from_bytes(&out)));
        assert!(w.alloctape());
        w.startnewtape(true);
        assert_eq!(w.nlists(), 2 * SLAVES, "two lists a slave into a pipe");
        testkit::play(w, &items, None);
        w.exit(X_FINOK)
    });
    assert_eq!(r.status, Some(X_FINOK), "{}", r.log);
    let got = std::fs::read(r.dir.join("vol")).unwrap();
    check_set(&[got], Layout::Bsd44, &want).unwrap();
    assert!(!r.says("Closing"), "standard output is not closed");
}

#[test]
fn the_expected_stream_of_a_script() {
    let e = expected(
        &[Item::Map(TS_CLRI, 2), Item::File(5, vec![Some(3), None])],
        2,
    );
    assert_eq!(
        e,
        vec![
            Expect::Header(TS_CLRI, 1000),
            Expect::Map,
            Expect::Map,
            Expect::Header(TS_INODE, 5),
            Expect::Data(6),
            Expect::Header(TS_END, 1000),
            Expect::Header(TS_END, 1000),
        ]
    );
}
