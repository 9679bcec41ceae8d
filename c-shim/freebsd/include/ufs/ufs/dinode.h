/*
 * The on-disk inodes of today's FreeBSD: UFS1's 128 bytes with 32-bit
 * block numbers and times, and UFS2's 256 bytes with 64-bit ones.  Both
 * are on-disk layouts, so only fixed-width integers appear here, and the
 * offsets are checked at compile time.
 */
#ifndef _UFS_UFS_DINODE_H_
#define	_UFS_UFS_DINODE_H_

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

/*
 * Inode 0 is never used and inode 1 once held the bad blocks; restore
 * still counts on the root directory being inode 2.
 */
#define	UFS_ROOTINO	((ino_t)2)
#define	UFS_WINO	((ino_t)1)	/* placeholder of whiteout entries */

/* Block numbers (in fragments) and times as each format stores them. */
typedef int32_t	ufs1_daddr_t;
typedef int64_t	ufs2_daddr_t;
typedef int64_t	ufs_lbn_t;
typedef int64_t	ufs_time_t;

#define	UFS_NXADDR	2	/* blocks of extended attributes (UFS2) */
#define	UFS_NDADDR	12	/* direct block pointers */
#define	UFS_NIADDR	3	/* single, double and triple indirect */

/*
 * A symbolic link whose target is shorter than the space of the block
 * pointers keeps it there and owns no block.
 */
#define	UFS1_MAXSYMLINKLEN \
	((UFS_NDADDR + UFS_NIADDR) * (int)sizeof(ufs1_daddr_t))
#define	UFS2_MAXSYMLINKLEN \
	((UFS_NDADDR + UFS_NIADDR) * (int)sizeof(ufs2_daddr_t))

/* File types and permissions in di_mode: those of <sys/stat.h>. */
#define	IEXEC		0000100
#define	IWRITE		0000200
#define	IREAD		0000400
#define	ISVTX		0001000
#define	ISGID		0002000
#define	ISUID		0004000

#define	IFMT		0170000
#define	IFIFO		0010000
#define	IFCHR		0020000
#define	IFDIR		0040000
#define	IFBLK		0060000
#define	IFREG		0100000
#define	IFLNK		0120000
#define	IFSOCK		0140000
#define	IFWHT		0160000

struct ufs2_dinode {
	uint16_t	di_mode;	/*   0: type and permissions */
	uint16_t	di_nlink;	/*   2: links */
	uint32_t	di_uid;		/*   4: owner */
	uint32_t	di_gid;		/*   8: group */
	uint32_t	di_blksize;	/*  12: block size of the inode */
	uint64_t	di_size;	/*  16: bytes */
	uint64_t	di_blocks;	/*  24: DEV_BSIZE sectors held */
	ufs_time_t	di_atime;	/*  32: last access */
	ufs_time_t	di_mtime;	/*  40: last modification */
	ufs_time_t	di_ctime;	/*  48: last change of the inode */
	ufs_time_t	di_birthtime;	/*  56: creation */
	int32_t		di_mtimensec;	/*  64 */
	int32_t		di_atimensec;	/*  68 */
	int32_t		di_ctimensec;	/*  72 */
	int32_t		di_birthnsec;	/*  76 */
	uint32_t	di_gen;		/*  80: generation number */
	uint32_t	di_kernflags;	/*  84: the kernel's own flags */
	uint32_t	di_flags;	/*  88: chflags(2) flags */
	uint32_t	di_extsize;	/*  92: bytes of extended attributes */
	ufs2_daddr_t	di_extb[UFS_NXADDR]; /* 96: their blocks */
	union {
		struct {
			ufs2_daddr_t di_db[UFS_NDADDR]; /* 112: direct */
			ufs2_daddr_t di_ib[UFS_NIADDR]; /* 208: indirect */
		};
		char	di_shortlink[UFS2_MAXSYMLINKLEN]; /* 112 */
	};
	uint64_t	di_modrev;	/* 232: NFSv4 change count */
	union {
		uint32_t di_freelink;	/* 240: soft updates journal */
		uint32_t di_dirdepth;	/* 240: directories: depth */
	};
	uint32_t	di_ckhash;	/* 244: check hash */
	uint32_t	di_spare[2];	/* 248 */
};

struct ufs1_dinode {
	uint16_t	di_mode;	/*   0: type and permissions */
	uint16_t	di_nlink;	/*   2: links */
	union {
		uint32_t di_freelink;	/*   4: soft updates journal */
		uint32_t di_dirdepth;	/*   4: directories: depth */
	};
	uint64_t	di_size;	/*   8: bytes */
	int32_t		di_atime;	/*  16: last access */
	int32_t		di_atimensec;	/*  20 */
	int32_t		di_mtime;	/*  24: last modification */
	int32_t		di_mtimensec;	/*  28 */
	int32_t		di_ctime;	/*  32: last change of the inode */
	int32_t		di_ctimensec;	/*  36 */
	union {
		struct {
			ufs1_daddr_t di_db[UFS_NDADDR]; /* 40: direct */
			ufs1_daddr_t di_ib[UFS_NIADDR]; /* 88: indirect */
		};
		char	di_shortlink[UFS1_MAXSYMLINKLEN]; /* 40 */
	};
	uint32_t	di_flags;	/* 100: chflags(2) flags */
	uint32_t	di_blocks;	/* 104: DEV_BSIZE sectors held */
	uint32_t	di_gen;		/* 108: generation number */
	uint32_t	di_uid;		/* 112: owner */
	uint32_t	di_gid;		/* 116: group */
	uint64_t	di_modrev;	/* 120: NFSv4 change count */
};

/* Devices keep their number where the first block pointer would be. */
#define	di_rdev		di_db[0]

_Static_assert(sizeof(struct ufs2_dinode) == 256, "ufs2_dinode is 256 bytes");
_Static_assert(offsetof(struct ufs2_dinode, di_uid) == 4, "di_uid");
_Static_assert(offsetof(struct ufs2_dinode, di_size) == 16, "di_size");
_Static_assert(offsetof(struct ufs2_dinode, di_blocks) == 24, "di_blocks");
_Static_assert(offsetof(struct ufs2_dinode, di_atime) == 32, "di_atime");
_Static_assert(offsetof(struct ufs2_dinode, di_birthtime) == 56,
    "di_birthtime");
_Static_assert(offsetof(struct ufs2_dinode, di_mtimensec) == 64,
    "di_mtimensec");
_Static_assert(offsetof(struct ufs2_dinode, di_birthnsec) == 76,
    "di_birthnsec");
_Static_assert(offsetof(struct ufs2_dinode, di_flags) == 88, "di_flags");
_Static_assert(offsetof(struct ufs2_dinode, di_extsize) == 92, "di_extsize");
_Static_assert(offsetof(struct ufs2_dinode, di_extb) == 96, "di_extb");
_Static_assert(offsetof(struct ufs2_dinode, di_db) == 112, "di_db");
_Static_assert(offsetof(struct ufs2_dinode, di_shortlink) == 112,
    "di_shortlink");
_Static_assert(offsetof(struct ufs2_dinode, di_ib) == 208, "di_ib");
_Static_assert(offsetof(struct ufs2_dinode, di_modrev) == 232, "di_modrev");
_Static_assert(offsetof(struct ufs2_dinode, di_spare) == 248, "di_spare");

_Static_assert(sizeof(struct ufs1_dinode) == 128, "ufs1_dinode is 128 bytes");
_Static_assert(offsetof(struct ufs1_dinode, di_size) == 8, "di_size");
_Static_assert(offsetof(struct ufs1_dinode, di_atime) == 16, "di_atime");
_Static_assert(offsetof(struct ufs1_dinode, di_mtime) == 24, "di_mtime");
_Static_assert(offsetof(struct ufs1_dinode, di_ctime) == 32, "di_ctime");
_Static_assert(offsetof(struct ufs1_dinode, di_db) == 40, "di_db");
_Static_assert(offsetof(struct ufs1_dinode, di_ib) == 88, "di_ib");
_Static_assert(offsetof(struct ufs1_dinode, di_flags) == 100, "di_flags");
_Static_assert(offsetof(struct ufs1_dinode, di_blocks) == 104, "di_blocks");
_Static_assert(offsetof(struct ufs1_dinode, di_uid) == 112, "di_uid");
_Static_assert(offsetof(struct ufs1_dinode, di_gid) == 116, "di_gid");
_Static_assert(offsetof(struct ufs1_dinode, di_modrev) == 120, "di_modrev");

#endif /* !_UFS_UFS_DINODE_H_ */
