//! dumpcheck: check the record stream of a BSD dump volume set without
//! restoring it.
//!
//! Usage: `dumpcheck [-b ntrec] VOL...` (`-` alone: standard input).
//!
//! The volumes are read in order as one stream of TP_BSIZE records, in
//! the 4.4BSD "new" format (NFS_MAGIC, 32-bit fields) or today's FreeBSD
//! one (FS_UFS2_MAGIC, 64-bit dates, c_tapea and c_firstrec, their old
//! 32-bit places 0), as the first header says, in either byte order.
//! Every header must be whole (magic, checksum) and
//! of the same dump (c_date); each header announces how many data records
//! follow it, and exactly that many must come before the next header, also
//! across a volume change; each volume starts with a TS_TAPE header giving
//! its place in the set (c_volume, c_firstrec) and the data records it
//! still owes (c_count); c_tapea numbers the records of the dump and so
//! must run on without a gap inside a volume and never go back; the set
//! ends with TS_END headers and nothing else.
//!
//! Today's FreeBSD restore enters a volume in the middle of a file it
//! extracts by c_tapea (it skips the records it has read already, those
//! numbered up to the last one it read), and otherwise skips c_count
//! records, where today's dump writes 0 or less for a map that goes on
//! (so that restore reads the rest of it): a volume header of that format
//! is checked by those rules.
//!
//! Exit status: 0 the set is sound, 1 a fault (reported on standard error,
//! the first one only), 2 a usage error or a file that cannot be read.

use std::ffi::OsString;
use std::fs::File;
use std::io::{self, Read, Write};
use std::process::ExitCode;

use dumptape::MAX_NTREC;
use dumptape::format::{
    CHECKSUM, Field, Header, Layout, TP_BSIZE, TS_ADDR, TS_BITS, TS_CLRI, TS_END, TS_INODE,
    TS_TAPE, type_name,
};

const USAGE: &str = "usage: dumpcheck [-b ntrec] VOL...";

fn main() -> ExitCode {
    let opts = match parse_args(std::env::args_os().skip(1)) {
        Ok(o) => o,
        Err(why) => {
            eprintln!("dumpcheck: {why}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    // Open every volume first: a missing file is a mistake in the command,
    // better said at once than after reading gigabytes of the volumes
    // before it.
    let mut vols = Vec::with_capacity(opts.vols.len());
    for name in &opts.vols {
        match open_volume(name) {
            Ok(r) => vols.push((display_name(name), r)),
            Err(e) => {
                eprintln!("dumpcheck: {}: {e}", display_name(name));
                return ExitCode::from(2);
            }
        }
    }
    match check_set(opts.ntrec, vols) {
        Ok(summary) => {
            println!("dumpcheck: OK: {summary}");
            // A closed stdout is not a reason to call a sound set bad.
            let _ = io::stdout().flush();
            ExitCode::SUCCESS
        }
        Err(Stop::Fault(msg)) => {
            eprintln!("dumpcheck: {msg}");
            ExitCode::from(1)
        }
        Err(Stop::Io(msg)) => {
            eprintln!("dumpcheck: {msg}");
            ExitCode::from(2)
        }
    }
}

struct Options {
    ntrec: usize,
    vols: Vec<OsString>,
}

/// `[-b ntrec] VOL...`; `-bN` and `--` are understood as getopt does.
fn parse_args(mut args: impl Iterator<Item = OsString>) -> Result<Options, String> {
    let mut ntrec = 1;
    let mut vols = Vec::new();
    while let Some(arg) = args.next() {
        let s = arg.to_string_lossy();
        if s == "--" {
            vols.extend(args.by_ref());
            break;
        } else if s == "-" || !s.starts_with('-') {
            vols.push(arg);
            vols.extend(args.by_ref());
            break;
        } else if let Some(rest) = s.strip_prefix("-b") {
            let value = if rest.is_empty() {
                let v = args.next().ok_or("option -b needs a value")?;
                v.to_string_lossy().into_owned()
            } else {
                rest.to_owned()
            };
            ntrec = parse_ntrec(&value)?;
        } else {
            return Err(format!("unknown option {s}"));
        }
    }
    if vols.is_empty() {
        return Err("no volume given".into());
    }
    // Standard input is one stream: it cannot also be one of several files.
    if vols.len() > 1 && vols.iter().any(|v| v == "-") {
        return Err("- (standard input) must be the only volume".into());
    }
    Ok(Options { ntrec, vols })
}

fn parse_ntrec(s: &str) -> Result<usize, String> {
    match s.parse::<usize>() {
        Ok(n) if (1..=MAX_NTREC).contains(&n) => Ok(n),
        _ => Err(format!(
            "bad blocking factor {s:?}: records per tape block, 1 to {MAX_NTREC}"
        )),
    }
}

fn open_volume(name: &OsString) -> io::Result<Box<dyn Read>> {
    if name == "-" {
        Ok(Box::new(io::stdin().lock()))
    } else {
        Ok(Box::new(File::open(name)?))
    }
}

fn display_name(name: &OsString) -> String {
    if name == "-" {
        "standard input".into()
    } else {
        name.to_string_lossy().into_owned()
    }
}

/// Why checking stopped: a fault in the set (exit 1) or a read error
/// (exit 2).  Both carry the whole message but the program name.
enum Stop {
    Fault(String),
    Io(String),
}

/// Check every volume in order, then the end of the set; the summary line.
fn check_set(ntrec: usize, vols: Vec<(String, Box<dyn Read>)>) -> Result<String, Stop> {
    let mut c = Checker::new();
    let mut block = vec![0u8; ntrec * TP_BSIZE];
    for (name, mut reader) in vols {
        c.start_volume(name);
        loop {
            let got = read_full(&mut reader, &mut block)
                .map_err(|e| Stop::Io(format!("{}: {e}", c.name)))?;
            // A tape block the medium cut short ends the volume.  On a
            // tape it would simply be missing; in a file its bytes stay,
            // and restore reads them as records that the next volume then
            // repeats: the set does not restore.
            if got < block.len() {
                if got > 0 {
                    return Err(c.fault(format!(
                        "the volume ends with {got} bytes of a tape block cut short \
                         (a whole block is {} bytes): restore would read them",
                        block.len()
                    )));
                }
                break;
            }
            for rec in block.chunks_exact(TP_BSIZE) {
                c.record(rec)?;
            }
        }
        c.end_volume()?;
    }
    c.finish()
}

/// Fill `buf`; fewer bytes than its length only at the end of the input.
fn read_full(r: &mut dyn Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut got = 0;
    while got < buf.len() {
        match r.read(&mut buf[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(got)
}

fn data_records(n: u64) -> String {
    format!("{n} data record{}", if n == 1 { "" } else { "s" })
}

/// What c_tapea the next header may carry.  c_tapea counts the records of
/// the dump, so inside a volume it is the record's position plus a fixed
/// offset.  A TS_TAPE header written at a change of volume by record count
/// takes a number of its own; one written at an end of the medium shares
/// the number of the record after it; so after a TS_TAPE header the next
/// record is numbered n or n + 1.
#[derive(Clone, Copy)]
enum Tapea {
    /// Nothing read yet.
    Any,
    Exactly(i64),
    /// n or n + 1.
    EitherOf(i64),
}

impl Tapea {
    fn next(self) -> Tapea {
        match self {
            Tapea::Any => Tapea::Any,
            Tapea::Exactly(n) => Tapea::Exactly(n + 1),
            Tapea::EitherOf(n) => Tapea::EitherOf(n + 1),
        }
    }

    fn admits(self, t: i64) -> bool {
        match self {
            Tapea::Any => true,
            Tapea::Exactly(n) => t == n,
            Tapea::EitherOf(n) => t == n || t == n + 1,
        }
    }

    fn describe(self) -> String {
        match self {
            Tapea::Any => "anything".into(),
            Tapea::Exactly(n) => n.to_string(),
            Tapea::EitherOf(n) => format!("{n} or {}", n + 1),
        }
    }
}

/// The state of the check, record by record through the set.
struct Checker {
    /// The set's layout and byte order (decided by its first record).
    format: Option<(Layout, bool)>,
    /// The dump's date: c_date of the first header.
    date: Option<i64>,
    /// Position of the volume being read in the set, from 1, and its name.
    volume: u64,
    name: String,
    /// Records of the volumes before this one, and read on this one.
    before: u64,
    here: u64,
    /// Data records still owed by the last header, which is described by
    /// its type and set record number for the messages.
    owed: u64,
    owed_by: (i64, u64),
    /// c_tapea of the last record read: a header's own, or one more than
    /// the record's before it.
    last_read: Option<i64>,
    /// The last header's c_tapea and set record, and what the next may be.
    last_tapea: Option<(i64, u64)>,
    tapea: Tapea,
    /// Set record of the first TS_END header.
    end: Option<u64>,
    headers: u64,
    ends: u64,
}

impl Checker {
    fn new() -> Checker {
        Checker {
            format: None,
            date: None,
            volume: 0,
            name: String::new(),
            before: 0,
            here: 0,
            owed: 0,
            owed_by: (0, 0),
            last_read: None,
            last_tapea: None,
            tapea: Tapea::Any,
            end: None,
            headers: 0,
            ends: 0,
        }
    }

    fn start_volume(&mut self, name: String) {
        self.volume += 1;
        self.name = name;
        self.before += self.here;
        self.here = 0;
    }

    /// A fault at the current record, located in the volume and the set.
    fn fault(&self, msg: impl AsRef<str>) -> Stop {
        Stop::Fault(format!(
            "volume {} ({}), record {} (set record {}): {}",
            self.volume,
            self.name,
            self.here,
            self.before + self.here,
            msg.as_ref()
        ))
    }

    fn record(&mut self, bytes: &[u8]) -> Result<(), Stop> {
        // The first record says how the set is written; a set that starts
        // with no header at all is read as 4.4BSD's, in this host's order,
        // and fails its first check.
        let (layout, swapped) = *self.format.get_or_insert_with(|| {
            Header::recognize(bytes).map_or((Layout::Bsd44, false), |h| (h.layout(), h.swapped()))
        });
        let rec = Header::new(bytes, layout, swapped);
        if self.here == 0 {
            self.volume_header(&rec)?;
        } else if self.owed > 0 {
            // Data: anything at all, restore reads it blindly.
            self.owed -= 1;
            self.tapea = self.tapea.next();
            self.last_read = self.last_read.map(|t| t + 1);
        } else {
            self.header(&rec)?;
            self.last_read = Some(rec.get(Field::Tapea));
        }
        self.here += 1;
        Ok(())
    }

    /// Record 0 of a volume: its TS_TAPE header.
    fn volume_header(&mut self, rec: &Header) -> Result<(), Stop> {
        self.whole_header(rec, "expected TS_TAPE")?;
        let t = rec.get(Field::Type);
        if t != i64::from(TS_TAPE) {
            return Err(self.fault(format!(
                "expected TS_TAPE at the start of the volume, found {}",
                type_name(t)
            )));
        }
        let vol = rec.get(Field::Volume);
        if vol != self.volume as i64 {
            return Err(self.fault(format!(
                "c_volume is {vol}, expected {} (a volume missing, repeated or out of order?)",
                self.volume
            )));
        }
        let first = rec.get(Field::Firstrec);
        if first != self.before as i64 {
            return Err(self.fault(format!(
                "c_firstrec is {first}, expected {} (the records on the volumes before it)",
                self.before
            )));
        }
        if rec.layout() == Layout::Ufs2 {
            self.entering_by_tapea(rec)?;
        } else {
            self.volume_count(rec)?;
        }
        self.take_tapea(rec)?;
        // The next record may share this header's number (see Tapea).
        self.tapea = Tapea::EitherOf(rec.get(Field::Tapea));
        self.headers += 1;
        Ok(())
    }

    /// A TS_TAPE header of today's format, checked as today's FreeBSD
    /// restore enters the volume: in the middle of a file's data, by
    /// c_tapea (it skips the records numbered up to the last one read,
    /// which must be none) and by c_count (when it skips that file, the
    /// records that are left of it); in the middle of a map, by c_count,
    /// which must skip nothing (restore reads on); between two headers, by
    /// c_count, which must be 0.
    fn entering_by_tapea(&self, rec: &Header) -> Result<(), Stop> {
        let count = rec.get(Field::Count);
        let tapea = rec.get(Field::Tapea);
        let map = matches!(self.owed_by.0 as i32, TS_BITS | TS_CLRI);
        if self.before == 0 {
            return self.volume_count(rec);
        }
        if self.owed > 0 && !map {
            if let Some(last) = self.last_read
                && tapea <= last
            {
                let n = last + 1 - tapea;
                return Err(self.fault(format!(
                    "c_tapea is {tapea}: restore would skip {} (the last record read \
                     was {last}), but the volume starts with the record after it",
                    data_records(n as u64)
                )));
            }
            return self.volume_count(rec);
        }
        if count > 0 {
            let what = if self.owed > 0 {
                "in the middle of a map, which restore reads on"
            } else {
                "between two headers"
            };
            return Err(self.fault(format!(
                "c_count is {count}: restore would skip {} entering the volume {what}",
                data_records(count as u64)
            )));
        }
        Ok(())
    }

    /// A TS_TAPE header's c_count: the data records still owed by the last
    /// header of the volume before.
    fn volume_count(&self, rec: &Header) -> Result<(), Stop> {
        let count = rec.get(Field::Count);
        if self.before == 0 {
            // tape.c starts the count at 1 (alloctape) and dump has no
            // data to carry into its first volume: 1 is what every dump
            // writes there, 0 would be the honest count.  The first volume
            // with records may follow empty ones (see end_volume).
            if count == 0 || count == 1 {
                return Ok(());
            }
            return Err(self.fault(format!(
                "c_count is {count}, expected 1 (or 0) on the first volume"
            )));
        }
        if count == self.owed as i64 {
            return Ok(());
        }
        let (t, at) = (type_name(self.owed_by.0), self.owed_by.1);
        let why = if self.owed > 0 {
            format!(
                "{} still owed by the {t} header at set record {at}",
                data_records(self.owed)
            )
        } else {
            format!("the {t} header at set record {at} owes no more data records")
        };
        Err(self.fault(format!(
            "c_count is {count}, expected {} ({why})",
            self.owed
        )))
    }

    /// A record where a header must be: one inside a volume.
    fn header(&mut self, rec: &Header) -> Result<(), Stop> {
        // After the first TS_END, dump writes nothing but TS_END headers.
        let expected = match self.end {
            Some(at) => format!("after TS_END (at set record {at}): expected a header"),
            None => "expected a header".to_owned(),
        };
        self.whole_header(rec, &expected)?;
        let t = rec.get(Field::Type);
        if let Some(at) = self.end
            && t != i64::from(TS_END)
        {
            return Err(self.fault(format!(
                "after TS_END (at set record {at}): expected TS_END, found {}",
                type_name(t)
            )));
        }
        let owed = match t as i32 {
            TS_INODE | TS_ADDR => rec.addr_records(),
            TS_BITS | TS_CLRI => self.map_records(rec)?,
            TS_END => 0,
            TS_TAPE => {
                return Err(self.fault("TS_TAPE header inside a volume (expected at record 0)"));
            }
            _ => return Err(self.fault(format!("bad c_type {t}: not a record type"))),
        };
        self.take_tapea(rec)?;
        self.tapea = Tapea::Exactly(rec.get(Field::Tapea) + 1);
        if t == i64::from(TS_END) {
            self.ends += 1;
            self.end.get_or_insert(self.before + self.here);
        }
        self.owed = owed;
        self.owed_by = (t, self.before + self.here);
        self.headers += 1;
        Ok(())
    }

    /// A TS_BITS or TS_CLRI header: c_count records of the map follow.
    fn map_records(&self, rec: &Header) -> Result<u64, Stop> {
        let count = rec.get(Field::Count);
        u64::try_from(count)
            .map_err(|_| self.fault(format!("c_count is {count}, expected a record count >= 0")))
    }

    /// Magic, checksum and date: the record is a header of this dump.
    /// `expected` says what was wanted here, for a record that is no
    /// header at all.
    fn whole_header(&mut self, rec: &Header, expected: &str) -> Result<(), Stop> {
        let magic = rec.get(Field::Magic);
        let want_magic = i64::from(rec.layout().magic());
        if magic != want_magic {
            return Err(self.not_a_header(rec, magic, expected));
        }
        let sum = rec.sum();
        if sum != CHECKSUM {
            return Err(self.fault(format!(
                "bad checksum: the header's words sum to {sum}, expected {CHECKSUM}"
            )));
        }
        if rec.layout() == Layout::Ufs2 {
            for (what, f) in [
                ("c_date", Field::Date),
                ("c_ddate", Field::Ddate),
                ("c_tapea", Field::Tapea),
                ("c_firstrec", Field::Firstrec),
            ] {
                let (off, _) = Layout::Bsd44.place(f);
                let old = rec.word(off);
                if old != 0 {
                    return Err(self.fault(format!(
                        "the 32-bit place of {what} (byte {off}) holds {old}: \
                         today's format leaves it 0"
                    )));
                }
            }
        }
        let date = rec.get(Field::Date);
        let want = *self.date.get_or_insert(date);
        if date != want {
            return Err(self.fault(format!(
                "header from another dump: c_date is {date} ({}), expected {want} ({})",
                utc(date),
                utc(want)
            )));
        }
        Ok(())
    }

    /// A record without the set's magic where a header must be.  A data
    /// record out of place and a header with a damaged magic look alike;
    /// a record that carries a record type and this dump's date is taken
    /// for the latter (so is any plausible first record, before the date
    /// is known).
    fn not_a_header(&self, rec: &Header, magic: i64, expected: &str) -> Stop {
        let t = rec.get(Field::Type);
        let want = rec.layout().magic();
        let dated = self.date.is_none_or(|d| d == rec.get(Field::Date));
        if (i64::from(TS_TAPE)..=i64::from(TS_CLRI)).contains(&t) && dated {
            self.fault(format!("bad magic: c_magic is {magic}, expected {want}"))
        } else {
            // Inside a volume it is the run of data before it that is off.
            let why = if self.here == 0 {
                "not a dump volume, or one that lost its start"
            } else {
                "the data records before it do not match their header's count"
            };
            self.fault(format!(
                "{expected}, found a data record (c_magic {magic}, not {want}): {why}"
            ))
        }
    }

    /// c_tapea never goes back, and inside a volume it runs on with the
    /// records: a record dropped or added shows here at the next header.
    /// A header that passes is the new reference.
    fn take_tapea(&mut self, rec: &Header) -> Result<(), Stop> {
        let t = rec.get(Field::Tapea);
        if let Some((last, at)) = self.last_tapea
            && t < last
        {
            return Err(self.fault(format!(
                "c_tapea went back: c_tapea is {t}, expected at least {last} \
                 (the c_tapea of the header at set record {at})"
            )));
        }
        // A volume header starts a new count (see Tapea).
        if self.here > 0 && !self.tapea.admits(t) {
            return Err(self.fault(format!(
                "c_tapea is {t}, expected {}: records missing or added before this header",
                self.tapea.describe()
            )));
        }
        self.last_tapea = Some((t, self.before + self.here));
        Ok(())
    }

    /// The end of a volume's readable records.  A volume may hold none:
    /// dump opens the next volume when the medium ends, and a medium that
    /// took not one whole tape block (it ended inside the first) leaves an
    /// empty volume behind; its records went onto the next one, which says
    /// so in its c_volume and c_firstrec.
    fn end_volume(&mut self) -> Result<(), Stop> {
        Ok(())
    }

    /// The end of the set: nothing owed, and a TS_END seen.
    fn finish(self) -> Result<String, Stop> {
        if self.owed > 0 {
            return Err(self.fault(format!(
                "the set ends inside data: {} still owed by the {} header at set record {}",
                data_records(self.owed),
                type_name(self.owed_by.0),
                self.owed_by.1
            )));
        }
        if self.end.is_none() {
            return Err(self.fault(format!(
                "no TS_END: the set ends after {} records without a TS_END header \
                 (a volume missing at the end, or cut short?)",
                self.before + self.here
            )));
        }
        Ok(format!(
            "{} volume{}, {} records, {} headers, {} TS_END",
            self.volume,
            if self.volume == 1 { "" } else { "s" },
            self.before + self.here,
            self.headers,
            self.ends
        ))
    }
}

/// A dump date as UTC, `2001-09-09 01:46:40 UTC`.
fn utc(t: i64) -> String {
    let (days, secs) = (t.div_euclid(86400), t.rem_euclid(86400));
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02} UTC",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

/// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's
/// algorithm): no time crate for one line of output.
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}
