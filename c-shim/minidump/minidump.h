/*
 * minidump: a stand-in for the parts of dump around tape.c.
 *
 * It is only as much of dump as it takes to drive tape.c (or libdumptape,
 * which replaces it) the way the real program does: the same globals, the
 * same calls in the same order, the same operator interface.  Where the
 * real dump reads a file system, minidump reads a "source": a UFS1 image
 * (ufs.c), or, when asked for with -G (or -S, -N, -M), a generator that
 * invents a file system from a seed (gen.c).
 */
#ifndef _MINIDUMP_H_
#define	_MINIDUMP_H_

#include <sys/types.h>

#include <stdint.h>

#include <ufs/ufs/dinode.h>

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
	struct dinode *(*src_inode)(ino_t ino);
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
	long	(*src_blocks)(ino_t ino, struct dinode *dp, int64_t lbn,
		    ufs_daddr_t **blkp);
};

extern const struct source gen_source;
extern const struct source ufs_source;
extern const struct source *source;	/* the one in use */

/* gen.c: the parameters of the generated file system. */
extern unsigned long long gen_seed;	/* -S */
extern long	gen_ninodes;		/* -N */
extern long	gen_maxkb;		/* -M */

/* optr.c: where query() takes its answers from. */
void	answers_open(void);

/* traverse.c */
void	dumpfiles(void);

/* ufs.c: len bytes at byte off of the disk, or quit naming what. */
void	readdisk(int64_t off, void *buf, size_t len, const char *what);

#endif /* !_MINIDUMP_H_ */
