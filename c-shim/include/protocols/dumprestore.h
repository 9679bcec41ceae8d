/*
 * The dump tape format, 4.4BSD "new" headers (DR_NEWHEADER).
 *
 * A tape is a sequence of TP_BSIZE records.  Some are headers, the
 * union u_spcl below; the others are file data or inode maps.  A header
 * says how many records follow it (c_count, with c_addr[i] == 0 for a
 * hole that has no record).  Every field is 32 bits on tape whatever the
 * host's long, time_t or ino_t, hence the fixed-width types.
 *
 * The header being built is a global of dump (u_spcl, defined outside
 * tape.c) and is known by the name spcl.
 */
#ifndef _PROTOCOLS_DUMPRESTORE_H_
#define	_PROTOCOLS_DUMPRESTORE_H_

#include <stddef.h>
#include <stdint.h>

#include <ufs/ufs/dinode.h>

#define	TP_BSIZE	1024		/* bytes in a tape record */
#define	NTREC		10		/* default records per tape block */
#define	HIGHDENSITYTREC	32		/* default above 6250 bpi */
#define	TP_NINDIR	(TP_BSIZE / 2)	/* c_addr entries in a header */
#define	LBLSIZE		16		/* c_label */
#define	NAMELEN		64		/* c_filesys, c_dev, c_host */

#define	OFS_MAGIC	(int)60011	/* 4.2BSD headers */
#define	NFS_MAGIC	(int)60012	/* 4.4BSD headers */
#define	CHECKSUM	(int)84446	/* the header words add up to this */

union u_spcl {
	char dummy[TP_BSIZE];
	struct s_spcl {
		int32_t	c_type;		/*   0: TS_* below */
		int32_t	c_date;		/*   4: when this dump began */
		int32_t	c_ddate;	/*   8: date of the previous dump */
		int32_t	c_volume;	/*  12: volume number, from 1 */
		int32_t	c_tapea;	/*  16: this record's number */
		int32_t	c_inumber;	/*  20: the inode it belongs to */
		int32_t	c_magic;	/*  24: NFS_MAGIC */
		int32_t	c_checksum;	/*  28: makes the sum CHECKSUM */
		struct dinode c_dinode;	/*  32: the inode itself */
		int32_t	c_count;	/* 160: c_addr entries in use */
		char	c_addr[TP_NINDIR]; /* 164: 1 data record, 0 hole */
		char	c_label[LBLSIZE]; /* 676: volume label */
		int32_t	c_level;	/* 692: dump level */
		char	c_filesys[NAMELEN]; /* 696: mount point */
		char	c_dev[NAMELEN];	/* 760: device */
		char	c_host[NAMELEN]; /* 824: host */
		int32_t	c_flags;	/* 888: DR_* below */
		int32_t	c_firstrec;	/* 892: first record of the volume */
		int32_t	c_spare[32];	/* 896: reserved */
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

/* Header flags (c_flags). */
#define	DR_NEWHEADER	0x0001	/* this header format */
#define	DR_NEWINODEFMT	0x0002	/* 4.4BSD inodes on tape */

/* The dumpdates(5) line format. */
#define	DUMPOUTFMT	"%-16s %c %s"
#define	DUMPINFMT	"%16s %c %[^\n]\n"

_Static_assert(sizeof(union u_spcl) == TP_BSIZE, "header is TP_BSIZE");
_Static_assert(sizeof(struct s_spcl) == TP_BSIZE, "header fields fill it");
_Static_assert(offsetof(struct s_spcl, c_type) == 0, "c_type");
_Static_assert(offsetof(struct s_spcl, c_date) == 4, "c_date");
_Static_assert(offsetof(struct s_spcl, c_ddate) == 8, "c_ddate");
_Static_assert(offsetof(struct s_spcl, c_volume) == 12, "c_volume");
_Static_assert(offsetof(struct s_spcl, c_tapea) == 16, "c_tapea");
_Static_assert(offsetof(struct s_spcl, c_inumber) == 20, "c_inumber");
_Static_assert(offsetof(struct s_spcl, c_magic) == 24, "c_magic");
_Static_assert(offsetof(struct s_spcl, c_checksum) == 28, "c_checksum");
_Static_assert(offsetof(struct s_spcl, c_dinode) == 32, "c_dinode");
_Static_assert(offsetof(struct s_spcl, c_count) == 160, "c_count");
_Static_assert(offsetof(struct s_spcl, c_addr) == 164, "c_addr");
_Static_assert(offsetof(struct s_spcl, c_label) == 676, "c_label");
_Static_assert(offsetof(struct s_spcl, c_level) == 692, "c_level");
_Static_assert(offsetof(struct s_spcl, c_filesys) == 696, "c_filesys");
_Static_assert(offsetof(struct s_spcl, c_dev) == 760, "c_dev");
_Static_assert(offsetof(struct s_spcl, c_host) == 824, "c_host");
_Static_assert(offsetof(struct s_spcl, c_flags) == 888, "c_flags");
_Static_assert(offsetof(struct s_spcl, c_firstrec) == 892, "c_firstrec");
_Static_assert(offsetof(struct s_spcl, c_spare) == 896, "c_spare");

#endif /* !_PROTOCOLS_DUMPRESTORE_H_ */
