//! What the tape writer needs from the rest of dump: the operator, the
//! header in progress, the disk, dump's settings and counters, and the
//! names of its outputs.  The C boundaries (`abi`) implement it over dump's
//! globals and routines; a Rust port of dump implements it over its own.

use std::ffi::CStr;
use std::os::fd::{BorrowedFd, OwnedFd};

use crate::format::{Field, Layout, Record};

/// Which tape.c the writer behaves as, where the two differ beyond the
/// header's layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavour {
    /// The 1998 tape.c (4.4BSD header, "slave" in its messages).
    Bsd1998,
    /// Today's FreeBSD tape.c (64-bit header fields, "worker" in its
    /// messages, -P pipelines).
    FreeBsd,
}

/// dump's settings, as its globals hold them when asked.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Settings {
    /// Records per tape block (-b).
    pub ntrec: i64,
    /// Records per volume (-B), 0 when volumes end by length.
    pub blocksperfile: i64,
    /// The dump goes to standard output (-f -).
    pub pipeout: bool,
    /// Volumes end only where the medium does (-a).
    pub unlimited: bool,
    /// Tape density in bytes per tenth of an inch (-d).
    pub density: i64,
    /// Tape length in tenths of an inch (-s).
    pub tsize: i64,
    /// A cartridge rather than a 9-track reel (-c).
    pub cartridge: bool,
    /// The output is a remote tape (through rmt).
    pub remote: bool,
    /// The output is a pipeline that dump starts per volume (-P).
    pub pipeline: bool,
}

/// The rest of dump, as the tape writer sees it.
///
/// Every method is called from the process that needs it: the master of
/// the dump, a volume's checkpoint or a slave (bread, write_medium and the
/// rmt routines run in slaves).  Text goes to the operator as bytes: tape
/// names need not be UTF-8.
pub trait Host: Sized {
    /// Which tape.c to be.
    fn flavour(&self) -> Flavour {
        Flavour::Bsd1998
    }

    // The operator (optr.c).

    /// A line to the operator (dump's msg("%s", text)).
    fn msg(&self, text: &[u8]);
    /// Report and abort the dump (dump's quit(), which ends in dumpabort).
    fn quit(&self, text: &[u8]) -> !;
    /// A message to every operator.
    fn broadcast(&self, text: &CStr);
    /// Ask the operator; true for yes.
    fn query(&self, question: &CStr) -> bool;
    /// Report progress now and then.
    fn timeest(&self);

    // The header in progress (dump's spcl).

    /// How the header lays out its fields.
    fn layout(&self) -> Layout {
        match self.flavour() {
            Flavour::Bsd1998 => Layout::Bsd44,
            Flavour::FreeBsd => Layout::Ufs2,
        }
    }
    fn header(&self, f: Field) -> i64;
    fn set_header(&self, f: Field, v: i64);
    /// Entry `i` of c_addr (`i` < TP_NINDIR).
    fn header_addr(&self, i: usize) -> u8;
    fn save_header(&self) -> Record;
    fn restore_header(&self, saved: &Record);
    /// Fill in and write the header in progress for inode `ino`: dump's
    /// writeheader(), which hands the finished record to `writerec` (the
    /// writer's own, given here) as a header.
    fn writeheader(&self, ino: u64, writerec: &dyn Fn(&Record, bool));

    // The disk.

    /// Read `buf.len()` bytes from disk sector `sector`.
    fn bread(&self, sector: i64, buf: &mut [u8]);
    /// Give this process (a slave) its own descriptor on the disk.
    fn reopen_disk(&self) -> std::io::Result<()>;
    /// Shifts from file-system fragments to sectors (fsbtodb), from
    /// records to bytes (tp_bshift) and from sectors to bytes (dev_bshift).
    fn fsbtodb_shift(&self) -> u32;
    fn tp_bshift(&self) -> u32;
    fn dev_bshift(&self) -> u32;

    // dump's settings and counters.

    fn settings(&self) -> Settings;
    fn tapeno(&self) -> i64;
    fn set_tapeno(&self, v: i64);
    fn blockswritten(&self) -> i64;
    fn set_blockswritten(&self, v: i64);
    /// Tape used on this volume, in tenths of an inch.
    fn asize(&self) -> i64;
    fn set_asize(&self, v: i64);
    fn tstart_writing(&self) -> i64;
    fn set_tstart_writing(&self, v: i64);
    /// The inode being dumped.
    fn curino(&self) -> u64;
    fn newtape(&self) -> i64;
    fn set_newtape(&self, v: i64);

    // The output.

    /// The current output's name (dump's `tape`).
    fn tape_name(&self) -> Vec<u8>;
    /// A list of outputs "a,b,c" is used one name per volume: move to the
    /// next name.  Whether the volume takes its name from such a list.
    fn next_tape_name(&self) -> bool;
    /// The list of outputs still has a name for the next volume.
    fn more_tape_names(&self) -> bool;
    /// Tell dump the volume's descriptor (its `tapefd`).
    fn set_tapefd(&self, fd: i32);
    /// Write to the volume's descriptor: write(2), unless the medium is
    /// simulated.
    fn write_medium(&self, fd: BorrowedFd<'_>, buf: &[u8]) -> nix::Result<usize> {
        nix::unistd::write(fd, buf)
    }
    /// A remote tape through rmt: open the current name (mode as
    /// open(2)'s), write, close.  Only called when `settings().remote`.
    fn rmt_open(&self, _mode: i32) -> i32 {
        -1
    }
    fn rmt_write(&self, _buf: &[u8]) -> isize {
        -1
    }
    fn rmt_close(&self) {}
    /// Start the volume's output pipeline (-P) with DUMP_VOLUME set to
    /// `volume`: a descriptor of its standard input, or the message that
    /// says why it could not be had (the dump is then aborted).
    fn pipeline_open(&self, _volume: i64) -> Result<OwnedFd, Vec<u8>> {
        Err(b"Cannot open output pipeline.\n".to_vec())
    }
    /// The volume's output pipeline is done with: close it and wait for
    /// it (after the library has closed its own descriptor).
    fn pipeline_close(&self) {}

    // What today's FreeBSD dump does around a volume.

    /// Before each fork of a volume's process: give the process its
    /// original title back (setproctitle(NULL)).
    fn restore_proctitle(&self) {}
    /// The volume's ring has started: the volume's process takes dump's
    /// own handlers that tape.c sets there (SIGINFO).
    fn volume_started(&self) {}
}
