/*
 * The UFS1 on-disk inode, as 4.4BSD and FreeBSD lay it out: 128 bytes,
 * every field at a fixed offset.  A dump tape carries a copy of it in each
 * TS_INODE header (c_dinode), so its layout is part of the tape format and
 * must not depend on the host's types: only fixed-width integers here.
 */
#ifndef _UFS_UFS_DINODE_H_
#define	_UFS_UFS_DINODE_H_

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

/*
 * Inode 0 is never used and inode 1 once held bad blocks; the root
 * directory is always inode 2.
 */
#define	ROOTINO		((ino_t)2)

/* A file system block or fragment number as UFS1 stores it. */
typedef int32_t	ufs_daddr_t;

#define	NDADDR		12		/* direct block pointers */
#define	NIADDR		3		/* indirect block pointers */

/*
 * A symbolic link whose target fits where the block pointers are keeps
 * it there ("short" or "fast" link) and owns no data block.
 */
#define	MAXSYMLINKLEN	((NDADDR + NIADDR) * (int)sizeof(ufs_daddr_t))

struct dinode {
	uint16_t	di_mode;	/*   0: type and permissions */
	int16_t		di_nlink;	/*   2: link count */
	union {
		uint16_t oldids[2];	/*   4: 4.2BSD uid and gid */
		int32_t	 inumber;	/*   4: LFS: inode number */
	} di_u;
	uint64_t	di_size;	/*   8: length in bytes */
	int32_t		di_atime;	/*  16: last access */
	int32_t		di_atimensec;	/*  20 */
	int32_t		di_mtime;	/*  24: last modification */
	int32_t		di_mtimensec;	/*  28 */
	int32_t		di_ctime;	/*  32: last inode change */
	int32_t		di_ctimensec;	/*  36 */
	ufs_daddr_t	di_db[NDADDR];	/*  40: direct blocks */
	ufs_daddr_t	di_ib[NIADDR];	/*  88: single, double, triple */
	uint32_t	di_flags;	/* 100: chflags(2) flags */
	int32_t		di_blocks;	/* 104: DEV_BSIZE units held */
	int32_t		di_gen;		/* 108: generation number */
	uint32_t	di_uid;		/* 112: owner */
	uint32_t	di_gid;		/* 116: group */
	int32_t		di_spare[2];	/* 120: reserved */
};

/* Other names for parts of the inode. */
#define	di_inumber	di_u.inumber
#define	di_ouid		di_u.oldids[0]
#define	di_ogid		di_u.oldids[1]
#define	di_rdev		di_db[0]	/* device number of a special file */
#define	di_shortlink	di_db		/* target of a short symbolic link */

/* File types in di_mode, the same values as the S_IF* of <sys/stat.h>. */
#define	IFMT		0170000
#define	IFIFO		0010000
#define	IFCHR		0020000
#define	IFDIR		0040000
#define	IFBLK		0060000
#define	IFREG		0100000
#define	IFLNK		0120000
#define	IFSOCK		0140000
#define	IFWHT		0160000

#define	ISUID		04000
#define	ISGID		02000
#define	ISVTX		01000
#define	IREAD		0400
#define	IWRITE		0200
#define	IEXEC		0100

/* The tape format depends on every one of these. */
_Static_assert(sizeof(struct dinode) == 128, "struct dinode is 128 bytes");
_Static_assert(offsetof(struct dinode, di_mode) == 0, "di_mode");
_Static_assert(offsetof(struct dinode, di_nlink) == 2, "di_nlink");
_Static_assert(offsetof(struct dinode, di_u) == 4, "di_u");
_Static_assert(offsetof(struct dinode, di_size) == 8, "di_size");
_Static_assert(offsetof(struct dinode, di_atime) == 16, "di_atime");
_Static_assert(offsetof(struct dinode, di_atimensec) == 20, "di_atimensec");
_Static_assert(offsetof(struct dinode, di_mtime) == 24, "di_mtime");
_Static_assert(offsetof(struct dinode, di_mtimensec) == 28, "di_mtimensec");
_Static_assert(offsetof(struct dinode, di_ctime) == 32, "di_ctime");
_Static_assert(offsetof(struct dinode, di_ctimensec) == 36, "di_ctimensec");
_Static_assert(offsetof(struct dinode, di_db) == 40, "di_db");
_Static_assert(offsetof(struct dinode, di_ib) == 88, "di_ib");
_Static_assert(offsetof(struct dinode, di_flags) == 100, "di_flags");
_Static_assert(offsetof(struct dinode, di_blocks) == 104, "di_blocks");
_Static_assert(offsetof(struct dinode, di_gen) == 108, "di_gen");
_Static_assert(offsetof(struct dinode, di_uid) == 112, "di_uid");
_Static_assert(offsetof(struct dinode, di_gid) == 116, "di_gid");
_Static_assert(offsetof(struct dinode, di_spare) == 120, "di_spare");

#endif /* !_UFS_UFS_DINODE_H_ */
