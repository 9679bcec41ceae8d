/*
 * minidump: a stand-in for the parts of dump around tape.c.
 *
 * It is only as much of dump as it takes to drive tape.c (or libdumptape,
 * which replaces it) the way the real program does: the same globals, the
 * same calls in the same order, the same operator interface.  Where the
 * real dump reads a file system, minidump reads a "source": a UFS1 image
 * (ufs.c, with image.c), or, when asked for with -G (or -S, -N, -M), a
 * generator that invents a file system from a seed (gen.c).
 *
 * The same sources build two front-ends.  By default they are the dump
 * of the 1990s that tape.c of 1998 was written for (c-shim/include).
 * With -DFREEBSD_ABI and c-shim/freebsd/include they are today's FreeBSD
 * dump around today's tape.c: UFS2 headers, 64-bit block numbers, -P,
 * and a reader of UFS1 and UFS2 images (ffs.c) in place of ufs.c.
 */
#ifndef _MINIDUMP_H_
#define	_MINIDUMP_H_

#include <sys/types.h>

#include <stdint.h>

#include <ufs/ufs/dinode.h>

#ifdef FREEBSD_ABI
#include <fbsd_compat.h>

/*
 * Today's dump keeps either kind of inode in one union and picks the
 * member by the super block's magic (DIP()); block numbers are 64 bits
 * whatever the file system.
 */
union dinode {
	struct ufs1_dinode dp1;
	struct ufs2_dinode dp2;
};
#define	DIP(dp, field) \
	(sblock->fs_magic == FS_UFS1_MAGIC ? (dp)->dp1.field : (dp)->dp2.field)
#define	DIP_SET(dp, field, val) do {					\
	if (sblock->fs_magic == FS_UFS1_MAGIC)				\
		(dp)->dp1.field = (val);				\
	else								\
		(dp)->dp2.field = (val);				\
} while (0)

typedef union dinode	src_dinode;
typedef ufs2_daddr_t	src_daddr;

/* The old names, which the shared code uses. */
#define	ROOTINO		UFS_ROOTINO
#define	NDADDR		UFS_NDADDR
#define	NIADDR		UFS_NIADDR
#define	MAXNINDIR	(MAXBSIZE / (int)sizeof(ufs1_daddr_t))
#define	MSGCONST	const	/* query(), broadcast(), rmt*() take const */

/* A snapshot file is dumped as an empty file (chflags(2)'s flag). */
#ifndef SF_SNAPSHOT
#define	SF_SNAPSHOT	0x00200000
#endif

extern ino_t	maxino;		/* inodes in the file system */
extern char	sblock_buf[MAXBSIZE];	/* holds a struct fs */
#else
typedef struct dinode	src_dinode;
typedef ufs_daddr_t	src_daddr;
/* One kind of inode: DIP() only lets code serve both interfaces. */
#define	DIP(dp, field)	((dp)->field)
#define	MSGCONST
#endif

/*
 * A source of inodes.  The traversal (traverse.c) asks it for each
 * inode number below maxino, and for the block list of each file it
 * dumps; everything else about the file system it reads from *sblock.
 */
struct source {
	const char *src_name;
	/*
	 * Fill in *sblock (the fs_ipg, fs_ncg, block and fragment sizes,
	 * fs_fsbtodb, fs_maxsymlinklen, fs_inodefmt at least) from disk.
	 * Failure is fatal: it calls quit().
	 */
	void	(*src_open)(void);
	/* The inode, with di_mode 0 if it is not in use. */
	src_dinode *(*src_inode)(ino_t ino);
	/*
	 * The file's block entries from logical block lbn on, one per
	 * file system block (the last may be a run of fragments), 0 for a
	 * hole.  dumpino() asks for them as dump reads them: lbn 0 for the
	 * direct blocks, then NDADDR, NDADDR + NINDIR, ... for what each
	 * indirect block holds, once each and in that order, so that a
	 * source reading a disk needs only an indirect block at a time.
	 * Returns how many entries *blkp holds from lbn (at least as many
	 * as the file has from there, up to NINDIR); they stay valid until
	 * the next call.
	 */
	long	(*src_blocks)(ino_t ino, src_dinode *dp, int64_t lbn,
		    src_daddr **blkp);
};

extern const struct source gen_source;
extern const struct source ufs_source;	/* ufs.c, or ffs.c */
extern const struct source *source;	/* the one in use */

/* gen.c: the parameters of the generated file system. */
extern unsigned long long gen_seed;	/* -S */
extern long	gen_ninodes;		/* -N */
extern long	gen_maxkb;		/* -M */
#ifdef FREEBSD_ABI
/*
 * -X: every block number the generator gives out lies this many
 * fragments further on, past 2^33, where only 64-bit block numbers reach;
 * blkread() takes it off again, so the tape gets the same bytes.
 */
extern int64_t	gen_wide;
#define	GEN_WIDE	((int64_t)1 << 33)
#endif

/* optr.c: where query() takes its answers from. */
void	answers_open(void);

/* traverse.c */
void	dumpfiles(void);
/* len bytes at byte off of the disk, or quit naming what. */
void	readdisk(int64_t off, void *buf, size_t len, const char *what);

#endif /* !_MINIDUMP_H_ */
