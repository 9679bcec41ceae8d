//! The dump format (BSD's <protocols/dumprestore.h>): the constants, the
//! places of the header fields and the checksum, in the two layouts a
//! header comes in.  The tape writer, dumpcheck and the tests all read the
//! format from here.
//!
//! A dump is a stream of TP_BSIZE records.  A header record describes what
//! follows it: its c_addr map says, for each of the next c_count records of
//! a file, whether the record is on tape (1) or a hole (0).  Every header
//! carries a magic number, and its 256 32-bit words add up to CHECKSUM.

/// Bytes in a tape record.
pub const TP_BSIZE: usize = 1024;
/// Entries of a header's c_addr map.
pub const TP_NINDIR: usize = TP_BSIZE / 2;
/// Bytes in a disk sector, the unit of bread()'s block numbers.
pub const DEV_BSIZE: usize = 512;
/// The default blocking factor: records per tape block.
pub const NTREC: usize = 10;

/// A tape record.
pub type Record = [u8; TP_BSIZE];

/// Record types (c_type).
pub const TS_TAPE: i32 = 1;
pub const TS_INODE: i32 = 2;
pub const TS_BITS: i32 = 3;
pub const TS_ADDR: i32 = 4;
pub const TS_END: i32 = 5;
pub const TS_CLRI: i32 = 6;

/// c_flags: the volume header of a dump whose headers have c_firstrec
/// (4.4BSD layout only).
pub const DR_NEWHEADER: i32 = 1;

/// The magic of a 4.4BSD header (every field 32 bits).
pub const NFS_MAGIC: i32 = 60012;
/// The magic of today's FreeBSD header (64-bit dates, c_tapea, c_firstrec).
pub const FS_UFS2_MAGIC: i32 = 0x1954_0119;
/// What the 256 words of a header add up to.
pub const CHECKSUM: i32 = 84446;

/// Byte offset of c_addr, the same in both layouts.
pub const C_ADDR: usize = 164;

/// The header fields a reader or the tape writer needs by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Type,
    Date,
    Ddate,
    Volume,
    Tapea,
    Inumber,
    Magic,
    Checksum,
    Count,
    Flags,
    Firstrec,
}

/// Where a header keeps its fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// 4.4BSD and the 1998 tape.c: NFS_MAGIC, every field 32 bits.
    Bsd44,
    /// Today's FreeBSD: FS_UFS2_MAGIC; c_date, c_ddate, c_tapea and
    /// c_firstrec are 64 bits at 896, 904, 912 and 920, and their old
    /// 32-bit places stay 0.
    Ufs2,
}

impl Layout {
    /// The layout a magic number stands for.
    pub fn of_magic(magic: i32) -> Option<Layout> {
        match magic {
            NFS_MAGIC => Some(Layout::Bsd44),
            FS_UFS2_MAGIC => Some(Layout::Ufs2),
            _ => None,
        }
    }

    pub fn magic(self) -> i32 {
        match self {
            Layout::Bsd44 => NFS_MAGIC,
            Layout::Ufs2 => FS_UFS2_MAGIC,
        }
    }

    /// Byte offset and width (4 or 8) of a field.
    pub const fn place(self, f: Field) -> (usize, usize) {
        match (self, f) {
            (_, Field::Type) => (0, 4),
            (_, Field::Volume) => (12, 4),
            (_, Field::Inumber) => (20, 4),
            (_, Field::Magic) => (24, 4),
            (_, Field::Checksum) => (28, 4),
            (_, Field::Count) => (160, 4),
            (_, Field::Flags) => (888, 4),
            (Layout::Bsd44, Field::Date) => (4, 4),
            (Layout::Bsd44, Field::Ddate) => (8, 4),
            (Layout::Bsd44, Field::Tapea) => (16, 4),
            (Layout::Bsd44, Field::Firstrec) => (892, 4),
            (Layout::Ufs2, Field::Date) => (896, 8),
            (Layout::Ufs2, Field::Ddate) => (904, 8),
            (Layout::Ufs2, Field::Tapea) => (912, 8),
            (Layout::Ufs2, Field::Firstrec) => (920, 8),
        }
    }
}

/// A header record as read from a volume, in the byte order it was written
/// in (`swapped`: the other one than this host's).
#[derive(Clone, Copy)]
pub struct Header<'a> {
    bytes: &'a [u8],
    swapped: bool,
    layout: Layout,
}

impl<'a> Header<'a> {
    /// `bytes` (a whole record) read with `layout` and byte order.
    pub fn new(bytes: &'a [u8], layout: Layout, swapped: bool) -> Header<'a> {
        assert!(bytes.len() >= TP_BSIZE, "a header is a whole record");
        Header {
            bytes,
            swapped,
            layout,
        }
    }

    /// The layout and byte order of a record whose magic is one of the
    /// two, in either order.
    pub fn recognize(bytes: &'a [u8]) -> Option<Header<'a>> {
        let (off, _) = Layout::Bsd44.place(Field::Magic);
        let m = i32::from_ne_bytes(bytes.get(off..off + 4)?.try_into().ok()?);
        if let Some(l) = Layout::of_magic(m) {
            return Some(Header::new(bytes, l, false));
        }
        Layout::of_magic(m.swap_bytes()).map(|l| Header::new(bytes, l, true))
    }

    pub fn layout(&self) -> Layout {
        self.layout
    }

    pub fn swapped(&self) -> bool {
        self.swapped
    }

    /// The 32-bit word at byte `off`.
    pub fn word(&self, off: usize) -> i32 {
        let w = i32::from_ne_bytes(self.bytes[off..off + 4].try_into().unwrap_or_default());
        if self.swapped { w.swap_bytes() } else { w }
    }

    pub fn get(&self, f: Field) -> i64 {
        match self.layout.place(f) {
            (off, 4) => i64::from(self.word(off)),
            (off, _) => {
                let w = i64::from_ne_bytes(self.bytes[off..off + 8].try_into().unwrap_or_default());
                if self.swapped { w.swap_bytes() } else { w }
            }
        }
    }

    /// Entry `i` of c_addr.
    pub fn addr(&self, i: usize) -> u8 {
        self.bytes[C_ADDR + i.min(TP_NINDIR - 1)]
    }

    /// The records c_addr says are on tape among the first c_count
    /// entries, never reading past the map.
    pub fn addr_records(&self) -> u64 {
        let n = usize::try_from(self.get(Field::Count))
            .unwrap_or(0)
            .min(TP_NINDIR);
        self.bytes[C_ADDR..C_ADDR + n]
            .iter()
            .filter(|&&b| b != 0)
            .count() as u64
    }

    /// The 256 words added up as restore does: with wrap-around.
    pub fn sum(&self) -> i32 {
        (0..TP_BSIZE)
            .step_by(4)
            .fold(0i32, |s, off| s.wrapping_add(self.word(off)))
    }
}

/// Write field `f` of a header record in this host's byte order.
pub fn set_field(rec: &mut [u8], layout: Layout, f: Field, v: i64) {
    match layout.place(f) {
        (off, 4) => rec[off..off + 4].copy_from_slice(&(v as i32).to_ne_bytes()),
        (off, _) => rec[off..off + 8].copy_from_slice(&v.to_ne_bytes()),
    }
}

/// Make the header's words add up to CHECKSUM (its c_checksum is set).
pub fn seal(rec: &mut [u8], layout: Layout) {
    set_field(rec, layout, Field::Checksum, 0);
    let sum = Header::new(rec, layout, false).sum();
    set_field(
        rec,
        layout,
        Field::Checksum,
        i64::from(CHECKSUM.wrapping_sub(sum)),
    );
}

/// A record type's name, as dumprestore.h spells it.
pub fn type_name(t: i64) -> String {
    match t as i32 {
        TS_TAPE => "TS_TAPE".into(),
        TS_INODE => "TS_INODE".into(),
        TS_BITS => "TS_BITS".into(),
        TS_ADDR => "TS_ADDR".into(),
        TS_END => "TS_END".into(),
        TS_CLRI => "TS_CLRI".into(),
        _ => format!("unknown type {t}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_layouts_place_the_fields() {
        // The offsets of dumprestore.h (the 1998 one and today's).
        assert_eq!(Layout::Bsd44.place(Field::Firstrec), (892, 4));
        assert_eq!(Layout::Bsd44.place(Field::Tapea), (16, 4));
        assert_eq!(Layout::Ufs2.place(Field::Date), (896, 8));
        assert_eq!(Layout::Ufs2.place(Field::Tapea), (912, 8));
        assert_eq!(Layout::Ufs2.place(Field::Firstrec), (920, 8));
        assert_eq!(Layout::Ufs2.place(Field::Count), (C_ADDR - 4, 4));
        for l in [Layout::Bsd44, Layout::Ufs2] {
            assert_eq!(Layout::of_magic(l.magic()), Some(l));
        }
    }

    #[test]
    fn a_sealed_header_is_recognized_in_either_order() {
        for layout in [Layout::Bsd44, Layout::Ufs2] {
            let mut rec = [0u8; TP_BSIZE];
            set_field(&mut rec, layout, Field::Magic, i64::from(layout.magic()));
            set_field(&mut rec, layout, Field::Type, i64::from(TS_INODE));
            set_field(&mut rec, layout, Field::Tapea, 5_000_000_000);
            set_field(&mut rec, layout, Field::Count, 3);
            rec[C_ADDR] = 1;
            rec[C_ADDR + 2] = 1;
            rec[C_ADDR + 3] = 1; // past c_count: not counted
            seal(&mut rec, layout);
            let h = Header::recognize(&rec).unwrap();
            assert_eq!(h.layout(), layout);
            assert_eq!(h.sum(), CHECKSUM);
            assert_eq!(h.addr_records(), 2);
            let want = if layout == Layout::Ufs2 {
                5_000_000_000
            } else {
                i64::from(5_000_000_000i64 as i32)
            };
            assert_eq!(h.get(Field::Tapea), want);
            // The same header written on a host of the other byte order.
            let mut other = rec;
            for w in other.chunks_exact_mut(4) {
                w.reverse();
            }
            if layout == Layout::Ufs2 {
                for f in [Field::Date, Field::Ddate, Field::Tapea, Field::Firstrec] {
                    let (off, _) = layout.place(f);
                    // A 64-bit field reversed as a whole, not word by word.
                    let v = i64::from_ne_bytes(rec[off..off + 8].try_into().unwrap());
                    other[off..off + 8].copy_from_slice(&v.swap_bytes().to_ne_bytes());
                }
            }
            let h = Header::recognize(&other).unwrap();
            assert!(h.swapped());
            assert_eq!(h.sum(), CHECKSUM);
            assert_eq!(h.get(Field::Tapea), want);
            assert_eq!(h.get(Field::Type), i64::from(TS_INODE));
        }
        assert!(Header::recognize(&[0u8; TP_BSIZE]).is_none());
    }

    #[test]
    fn c_count_past_the_map_is_not_read() {
        let mut rec = [1u8; TP_BSIZE];
        set_field(&mut rec, Layout::Bsd44, Field::Count, 100_000);
        assert_eq!(
            Header::new(&rec, Layout::Bsd44, false).addr_records(),
            TP_NINDIR as u64
        );
        set_field(&mut rec, Layout::Bsd44, Field::Count, -5);
        assert_eq!(Header::new(&rec, Layout::Bsd44, false).addr_records(), 0);
    }
}
