/*
 * The dump tape format as today's FreeBSD writes it.
 *
 * A tape is a run of TP_BSIZE records, some of them headers (union
 * u_spcl), the rest file data and inode maps.  The header is still 1024
 * bytes, but its inode part has UFS2's fields (64-bit size and times,
 * birth time, flags, owner), and the dates, the record number and the
 * volume's first record moved to 64-bit slots at 896, 904, 912 and 920.
 * The 32-bit slots they had (4, 8, 16 and 892) are left 0.  Every header
 * carries FS_UFS2_MAGIC, whatever the file system, and c_flags has no
 * DR_NEWHEADER: the magic says it all.
 *
 * tape.c defines the header being built (u_spcl) and calls it spcl.
 */
#ifndef _PROTOCOLS_DUMPRESTORE_H_
#define	_PROTOCOLS_DUMPRESTORE_H_

#include <stddef.h>
#include <stdint.h>

#define	TP_BSIZE	1024		/* bytes in a tape record */
#define	NTREC		10		/* default records per tape block */
#define	HIGHDENSITYTREC	32		/* default above 6250 bpi */
#define	TP_NINDIR	(TP_BSIZE / 2)	/* c_addr entries in a header */
#define	LBLSIZE		16		/* c_label */
#define	NAMELEN		64		/* c_filesys, c_dev, c_host */

#define	OFS_MAGIC	(int)60011	/* 4.2BSD headers */
#define	NFS_MAGIC	(int)60012	/* 4.4BSD headers */
#ifndef FS_UFS2_MAGIC
#define	FS_UFS2_MAGIC	0x19540119	/* these headers, as in fs.h */
#endif
#define	CHECKSUM	(int)84446	/* the header words add up to this */

/* Inode numbers on tape stay 32 bits, whatever the host's ino_t. */
typedef uint32_t dump_ino_t;

union u_spcl {
	char dummy[TP_BSIZE];
	struct s_spcl {
		int32_t	c_type;		/*   0: TS_* below */
		int32_t	c_old_date;	/*   4: 0 (see c_date) */
		int32_t	c_old_ddate;	/*   8: 0 (see c_ddate) */
		int32_t	c_volume;	/*  12: volume number, from 1 */
		int32_t	c_old_tapea;	/*  16: 0 (see c_tapea) */
		dump_ino_t c_inumber;	/*  20: the inode it belongs to */
		int32_t	c_magic;	/*  24: FS_UFS2_MAGIC */
		int32_t	c_checksum;	/*  28: makes the sum CHECKSUM */
		/*
		 * The inode, in the places a UFS1 inode had its fields.
		 */
		uint16_t c_mode;	/*  32: type and permissions */
		int16_t	c_spare1[3];	/*  34: old links, owner, group */
		uint64_t c_size;	/*  40: bytes */
		int32_t	c_old_atime;	/*  48: 32-bit access time */
		int32_t	c_atimensec;	/*  52 */
		int32_t	c_old_mtime;	/*  56: 32-bit modification time */
		int32_t	c_mtimensec;	/*  60 */
		int32_t	c_spare2[2];	/*  64: old change time */
		int32_t	c_rdev;		/*  72: device number */
		int32_t	c_birthtimensec; /* 76 */
		int64_t	c_birthtime;	/*  80: creation time */
		int64_t	c_atime;	/*  88: access time */
		int64_t	c_mtime;	/*  96: modification time */
		int32_t	c_extsize;	/* 104: bytes of extended attributes */
		int32_t	c_spare4[6];	/* 108: old block pointers */
		uint32_t c_file_flags;	/* 132: chflags(2) flags */
		int32_t	c_spare5[2];	/* 136: old blocks and generation */
		uint32_t c_uid;		/* 144: owner */
		uint32_t c_gid;		/* 148: group */
		int32_t	c_spare6[2];	/* 152 */
		/*
		 * The rest is as it was.
		 */
		int32_t	c_count;	/* 160: c_addr entries in use */
		char	c_addr[TP_NINDIR]; /* 164: 1 data record, 0 hole */
		char	c_label[LBLSIZE]; /* 676: volume label */
		int32_t	c_level;	/* 692: dump level */
		char	c_filesys[NAMELEN]; /* 696: mount point */
		char	c_dev[NAMELEN];	/* 760: device */
		char	c_host[NAMELEN]; /* 824: host */
		int32_t	c_flags;	/* 888: unused, 0 */
		int32_t	c_old_firstrec;	/* 892: 0 (see c_firstrec) */
		int64_t	c_date;		/* 896: when this dump began */
		int64_t	c_ddate;	/* 904: date of the previous dump */
		int64_t	c_tapea;	/* 912: this record's number */
		int64_t	c_firstrec;	/* 920: first record of the volume */
		int32_t	c_spare[24];	/* 928: reserved */
	} s_spcl;
};
extern union u_spcl u_spcl;
#define	spcl	u_spcl.s_spcl

/* Header types (c_type). */
#define	TS_TAPE		1	/* volume header */
#define	TS_INODE	2	/* an inode and its first blocks */
#define	TS_BITS		3	/* map of the inodes on the dump */
#define	TS_ADDR		4	/* more blocks of the same inode */
#define	TS_END		5	/* end of the dump */
#define	TS_CLRI		6	/* map of the inodes in use */

_Static_assert(sizeof(union u_spcl) == TP_BSIZE, "header is TP_BSIZE");
_Static_assert(sizeof(struct s_spcl) == TP_BSIZE, "header fields fill it");
_Static_assert(offsetof(struct s_spcl, c_type) == 0, "c_type");
_Static_assert(offsetof(struct s_spcl, c_old_date) == 4, "c_old_date");
_Static_assert(offsetof(struct s_spcl, c_old_ddate) == 8, "c_old_ddate");
_Static_assert(offsetof(struct s_spcl, c_volume) == 12, "c_volume");
_Static_assert(offsetof(struct s_spcl, c_old_tapea) == 16, "c_old_tapea");
_Static_assert(offsetof(struct s_spcl, c_inumber) == 20, "c_inumber");
_Static_assert(offsetof(struct s_spcl, c_magic) == 24, "c_magic");
_Static_assert(offsetof(struct s_spcl, c_checksum) == 28, "c_checksum");
_Static_assert(offsetof(struct s_spcl, c_mode) == 32, "c_mode");
_Static_assert(offsetof(struct s_spcl, c_size) == 40, "c_size");
_Static_assert(offsetof(struct s_spcl, c_old_atime) == 48, "c_old_atime");
_Static_assert(offsetof(struct s_spcl, c_old_mtime) == 56, "c_old_mtime");
_Static_assert(offsetof(struct s_spcl, c_rdev) == 72, "c_rdev");
_Static_assert(offsetof(struct s_spcl, c_birthtimensec) == 76,
    "c_birthtimensec");
_Static_assert(offsetof(struct s_spcl, c_birthtime) == 80, "c_birthtime");
_Static_assert(offsetof(struct s_spcl, c_atime) == 88, "c_atime");
_Static_assert(offsetof(struct s_spcl, c_mtime) == 96, "c_mtime");
_Static_assert(offsetof(struct s_spcl, c_extsize) == 104, "c_extsize");
_Static_assert(offsetof(struct s_spcl, c_file_flags) == 132, "c_file_flags");
_Static_assert(offsetof(struct s_spcl, c_uid) == 144, "c_uid");
_Static_assert(offsetof(struct s_spcl, c_gid) == 148, "c_gid");
_Static_assert(offsetof(struct s_spcl, c_count) == 160, "c_count");
_Static_assert(offsetof(struct s_spcl, c_addr) == 164, "c_addr");
_Static_assert(offsetof(struct s_spcl, c_label) == 676, "c_label");
_Static_assert(offsetof(struct s_spcl, c_level) == 692, "c_level");
_Static_assert(offsetof(struct s_spcl, c_filesys) == 696, "c_filesys");
_Static_assert(offsetof(struct s_spcl, c_dev) == 760, "c_dev");
_Static_assert(offsetof(struct s_spcl, c_host) == 824, "c_host");
_Static_assert(offsetof(struct s_spcl, c_flags) == 888, "c_flags");
_Static_assert(offsetof(struct s_spcl, c_old_firstrec) == 892,
    "c_old_firstrec");
_Static_assert(offsetof(struct s_spcl, c_date) == 896, "c_date");
_Static_assert(offsetof(struct s_spcl, c_ddate) == 904, "c_ddate");
_Static_assert(offsetof(struct s_spcl, c_tapea) == 912, "c_tapea");
_Static_assert(offsetof(struct s_spcl, c_firstrec) == 920, "c_firstrec");
_Static_assert(offsetof(struct s_spcl, c_spare) == 928, "c_spare");

#endif /* !_PROTOCOLS_DUMPRESTORE_H_ */
