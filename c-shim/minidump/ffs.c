/*
 * A UFS1 or UFS2 file system image as the source of minidump built for
 * today's FreeBSD dump (FREEBSD_ABI); the 1998 build reads UFS1 images
 * with ufs.c.
 *
 * The super block is looked for where today's dump looks for it, at
 * 64 KB, 8 KB, 0 and 256 KB in that order, and taken where it names its
 * own place: a UFS2 super block only at the byte its fs_sblockloc gives,
 * a UFS1 one only at 8 KB or before (further on it is a copy kept in a
 * cylinder group).  FreeBSD's newfs puts the UFS2 super block at 64 KB;
 * Debian's makefs -o version=2 puts it at 8 KB and says so there.
 *
 * As in ufs.c, nothing is taken on trust: every number read from the
 * image is checked against the others and against the size of the image
 * before it is used to seek, to size a table or to bound a loop, and
 * what does not fit ends the dump through quit() (exit status 3) with a
 * message that says what is wrong.  Each inode, its indirect blocks
 * included, is checked the first time pass I asks for it, before a
 * volume is written.  UFS2 initialises the inodes of a cylinder group
 * lazily: those past the group's cg_initediblk are free, whatever the
 * disk holds there, and are not read.
 *
 * This file reads metadata only, with readdisk() in the process that
 * walks the file system; the tape writer's workers read the data blocks
 * themselves with blkread().
 */
/*
 * Builds that take every file of this directory (the packaging test's
 * does) get nothing of this one for the 1998 interface, as ufs.c gives
 * nothing for today's.
 */
#ifdef FREEBSD_ABI
#include <sys/types.h>
#include <sys/param.h>
#include <sys/stat.h>

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ufs/ufs/dinode.h>
#include <ufs/ffs/fs.h>

#include "dump.h"
#include "minidump.h"

#define	DIRBLKSIZ	512		/* a directory grows by this much */
#define	MAXUFSNINDIR	(MAXBSIZE / (int)sizeof(ufs1_daddr_t))

/*
 * An indirect block held in memory, its pointers widened to 64 bits.
 * The check and the dump each walk a file's indirect blocks in order, so
 * one block per level of indirection is enough for each to read every
 * indirect block once.
 */
struct iblk {
	int64_t		ib_blkno;	/* fragment number, 0: none held */
	ufs2_daddr_t	ib_ptr[MAXUFSNINDIR];
};

static void		ffs_open(void);
static union dinode	*ffs_inode(ino_t);
static long		ffs_blocks(ino_t, union dinode *, int64_t,
			    ufs2_daddr_t **);

const struct source ufs_source = {
	"UFS image", ffs_open, ffs_inode, ffs_blocks
};

static struct fs	*fs;		/* the checked super block */
static int		ufs2;		/* UFS2, not UFS1 */
static const char	*kind = "UFS1 or UFS2";	/* for messages */
static int64_t		sbloc;		/* where the super block was found */
static int64_t		imgsize;	/* bytes in the image, -1: unknown */
static int64_t		fsfrags;	/* fragments in the file system */
static int64_t		nindir;		/* block pointers per block */
static int64_t		inoblks;	/* blocks of inodes in each cg */
static size_t		inosize;	/* bytes of an inode, 128 or 256 */
static ino_t		ninodes;	/* fs_ncg * fs_ipg */
static uint64_t		maxfilesize;	/* what 12 + 3 levels can address */
static uint32_t		*inited;	/* per cg: inodes initialised */
static char		*inobuf;	/* one block of inodes */
static int64_t		inobufblk = -1;	/* the fragment it was read from */
static struct iblk	iblks[NIADDR];	/* by depth, 0 for the top */
static ufs1_daddr_t	rawptrs[MAXUFSNINDIR];	/* a UFS1 block as read */
static ufs2_daddr_t	zeroptrs[MAXUFSNINDIR];	/* an indirect hole */
static ufs2_daddr_t	directs[NDADDR];	/* an inode's, widened */
/*
 * The blocks already used as indirect blocks, one bit per block.  An
 * indirect block met a second time means a loop, or two files sharing
 * it: either way the block pointers are not to be trusted.
 */
static uint8_t		*indirmap;
static uint8_t		*checkedmap;	/* inodes checked, one bit each */

static void		badsb(const char *, ...) __printflike(1, 2) __dead2;
static void		badino(ino_t, const char *, ...) __printflike(2, 3)
			    __dead2;

static void
badsb(const char *fmt, ...)
{
	char why[256];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	quit("%s: damaged %s super block: %s\n", disk, kind, why);
}

static void
badino(ino_t ino, const char *fmt, ...)
{
	char why[256];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	quit("%s: damaged %s inode %ju: %s\n", disk, kind, (uintmax_t)ino,
	    why);
}

static uint32_t
swap32(uint32_t x)
{

	return ((x >> 24) | ((x >> 8) & 0xff00) | ((x << 8) & 0xff0000) |
	    (x << 24));
}

static int
ispow2(int64_t x)
{

	return (x > 0 && (x & (x - 1)) == 0);
}

static int
log2of(int64_t x)
{
	int n;

	for (n = 0; x > 1; x >>= 1)
		n++;
	return (n);
}

/* The block pointers of an inode, widened. */
static int64_t
dbptr(union dinode *dp, int i)
{

	return (ufs2 ? dp->dp2.di_db[i] : dp->dp1.di_db[i]);
}

static int64_t
ibptr(union dinode *dp, int i)
{

	return (ufs2 ? dp->dp2.di_ib[i] : dp->dp1.di_ib[i]);
}

/* The size of the image, or -1 when the kind of file does not tell. */
static int64_t
imagesize(void)
{
	struct stat st;
	off_t end;

	if (fstat(diskfd, &st) < 0)
		quit("cannot stat %s: %s\n", disk, strerror(errno));
	if (S_ISDIR(st.st_mode))
		quit("%s is a directory, not a UFS file system image "
		    "(make one with: makefs -t ffs -o version=2 IMAGE %s)\n",
		    disk, disk);
	if (S_ISREG(st.st_mode))
		return ((int64_t)st.st_size);
	if (S_ISBLK(st.st_mode) &&
	    (end = lseek(diskfd, 0, SEEK_END)) > 0)
		return ((int64_t)end);
	return (-1);
}

/*
 * Find the super block (see the top of this file).  What the places
 * looked at held decides the message when there is none: the first
 * thing a new user hands minidump may well be the wrong file.
 */
static void
findsb(void)
{
	static const int64_t where[] = SBLOCKSEARCH;
	int64_t loc, misplaced, misplacedat, ufs1at;
	uint32_t magic;
	int i, swapped, unfinished;

	if (imgsize == 0)
		quit("%s is not a UFS1 or UFS2 file system: it is empty "
		    "(-G dumps a generated file system instead)\n", disk);
	if (imgsize >= 0 && imgsize < SBLOCKSIZE)
		quit("%s is not a UFS1 or UFS2 file system: at %jd bytes it "
		    "is too short to hold a super block "
		    "(-G dumps a generated file system instead)\n", disk,
		    (intmax_t)imgsize);
	fs = (struct fs *)sblock_buf;
	misplaced = misplacedat = ufs1at = -1;
	swapped = unfinished = 0;
	for (i = 0; (loc = where[i]) != -1; i++) {
		if (imgsize >= 0 && loc + SBLOCKSIZE > imgsize)
			continue;
		readdisk(loc, sblock_buf, SBLOCKSIZE, "a super block");
		magic = (uint32_t)fs->fs_magic;
		if (magic == FS_UFS1_MAGIC) {
			if (loc <= SBLOCK_UFS1) {
				ufs2 = 0;
				sbloc = loc;
				return;
			}
			ufs1at = loc;
		} else if (magic == FS_UFS2_MAGIC) {
			if (fs->fs_sblockloc == loc) {
				ufs2 = 1;
				sbloc = loc;
				return;
			}
			misplaced = fs->fs_sblockloc;
			misplacedat = loc;
		} else if (swap32(magic) == FS_UFS1_MAGIC ||
		    swap32(magic) == FS_UFS2_MAGIC)
			swapped = 1;
		else if (magic == FS_BAD_MAGIC)
			unfinished = 1;
	}
	if (misplacedat >= 0)
		quit("%s: the UFS2 super block at byte %jd gives byte %jd as "
		    "its place (fs_sblockloc): it is a copy or damaged, and "
		    "there is no other\n", disk, (intmax_t)misplacedat,
		    (intmax_t)misplaced);
	if (swapped)
		quit("%s is a big-endian UFS file system: minidump reads "
		    "little-endian ones only (makefs -B le)\n", disk);
	if (unfinished)
		quit("%s: the file system was never finished (newfs was "
		    "interrupted)\n", disk);
	if (ufs1at >= 0)
		quit("%s: a UFS1 super block at byte %jd only, where UFS1 "
		    "keeps none (a copy in a cylinder group?)\n", disk,
		    (intmax_t)ufs1at);
	quit("%s is not a UFS1 or UFS2 file system: no super block at byte "
	    "65536, 8192, 0 or 262144 (-G dumps a generated file system "
	    "instead)\n", disk);
}

/*
 * The numbers that say where everything is must agree with each other
 * and with the image: the later arithmetic (inode addresses, table
 * sizes, loop bounds) relies on each of these.
 */
static void
checksb(void)
{
	int64_t frag, c, base, end, limit, maxlbn, cgend;
	int maxsym;

	kind = ufs2 ? "UFS2" : "UFS1";
	if (!ispow2(fs->fs_bsize) || fs->fs_bsize < MINBSIZE ||
	    fs->fs_bsize > MAXBSIZE)
		badsb("block size %d is not a power of 2 from %d to %d",
		    fs->fs_bsize, MINBSIZE, MAXBSIZE);
	if (!ispow2(fs->fs_fsize) || fs->fs_fsize < DEV_BSIZE ||
	    fs->fs_fsize > fs->fs_bsize ||
	    fs->fs_bsize / fs->fs_fsize > MAXFRAG)
		badsb("fragment size %d does not go with block size %d",
		    fs->fs_fsize, fs->fs_bsize);
	frag = fs->fs_bsize / fs->fs_fsize;
	if (fs->fs_frag != frag)
		badsb("%d fragments per block, but %d / %d is %jd",
		    fs->fs_frag, fs->fs_bsize, fs->fs_fsize, (intmax_t)frag);
	if (fs->fs_bshift != log2of(fs->fs_bsize) ||
	    fs->fs_fshift != log2of(fs->fs_fsize) ||
	    fs->fs_fragshift != log2of(frag))
		badsb("shifts %d, %d, %d do not match the sizes",
		    fs->fs_bshift, fs->fs_fshift, fs->fs_fragshift);
	/* The sector size dump reads in: 512 bytes up to a fragment. */
	if (fs->fs_fsbtodb < 0 ||
	    fs->fs_fsbtodb > fs->fs_fshift - log2of(DEV_BSIZE))
		badsb("fsbtodb %d makes no sector size for %d-byte fragments",
		    fs->fs_fsbtodb, fs->fs_fsize);
	if (fs->fs_sbsize <= 0 || fs->fs_sbsize > SBLOCKSIZE)
		badsb("a super block of %d bytes", fs->fs_sbsize);
	inosize = ufs2 ? sizeof(struct ufs2_dinode) :
	    sizeof(struct ufs1_dinode);
	nindir = fs->fs_bsize /
	    (ufs2 ? (int)sizeof(ufs2_daddr_t) : (int)sizeof(ufs1_daddr_t));
	if (fs->fs_nindir != nindir ||
	    fs->fs_inopb != (uint32_t)fs->fs_bsize / inosize)
		badsb("%d pointers and %u inodes per block do not match the "
		    "block size %d", fs->fs_nindir, fs->fs_inopb,
		    fs->fs_bsize);
	/*
	 * blksout() leaves out what lies past the end of a UFS2 file in its
	 * last fragment with these masks.
	 */
	if (ufs2 && (fs->fs_qbmask != fs->fs_bsize - 1 ||
	    fs->fs_qfmask != fs->fs_fsize - 1))
		badsb("masks %#jx and %#jx do not match the sizes",
		    (uintmax_t)fs->fs_qbmask, (uintmax_t)fs->fs_qfmask);
	fsfrags = ufs2 ? fs->fs_size : fs->fs_old_size;
	if (fsfrags <= 0 || fs->fs_ncg == 0 || fs->fs_fpg <= 0 ||
	    fs->fs_ipg == 0)
		badsb("size %jd, %u cylinder groups of %d fragments and %u "
		    "inodes", (intmax_t)fsfrags, fs->fs_ncg, fs->fs_fpg,
		    fs->fs_ipg);
	if (fs->fs_fpg % frag != 0 || fs->fs_ipg % fs->fs_inopb != 0)
		badsb("cylinder groups of %d fragments and %u inodes are "
		    "not whole blocks", fs->fs_fpg, fs->fs_ipg);
	if (fsfrags > INT64_MAX / MAXBSIZE)
		badsb("a size of %jd fragments", (intmax_t)fsfrags);
	if (fs->fs_ncg != (fsfrags + fs->fs_fpg - 1) / fs->fs_fpg)
		badsb("%u cylinder groups of %d fragments for a file system "
		    "of %jd", fs->fs_ncg, fs->fs_fpg, (intmax_t)fsfrags);
	if (imgsize >= 0 && fsfrags * fs->fs_fsize > imgsize)
		quit("%s: truncated %s image: the file system is %jd bytes, "
		    "the image only %jd\n", disk, kind,
		    (intmax_t)(fsfrags * fs->fs_fsize), (intmax_t)imgsize);
	/* The maps of indirect blocks and inodes must fit in memory. */
	if (fsfrags / frag > ((int64_t)1 << 40))
		badsb("a size of %jd fragments", (intmax_t)fsfrags);
	/* c_inumber, and the inode maps, are 32-bit. */
	if ((int64_t)fs->fs_ncg * fs->fs_ipg > INT32_MAX)
		badsb("%u cylinder groups of %u inodes", fs->fs_ncg,
		    fs->fs_ipg);
	ninodes = (ino_t)fs->fs_ncg * (ino_t)fs->fs_ipg;
	inoblks = fs->fs_ipg / fs->fs_inopb;
	if (fs->fs_sblkno < 0 || fs->fs_cblkno < 0 || fs->fs_iblkno < 0 ||
	    (!ufs2 && fs->fs_old_cgoffset < 0) ||
	    (int64_t)fs->fs_iblkno + inoblks * frag > fs->fs_dblkno ||
	    fs->fs_dblkno > fs->fs_fpg)
		badsb("cylinder group layout: super block %d, group block "
		    "%d, inodes %d, data %d in %d fragments",
		    fs->fs_sblkno, fs->fs_cblkno, fs->fs_iblkno,
		    fs->fs_dblkno, fs->fs_fpg);
	if (ufs2 && (fs->fs_cgsize < (int32_t)sizeof(struct cg) ||
	    fs->fs_cgsize > MAXBSIZE))
		badsb("cylinder group blocks of %d bytes", fs->fs_cgsize);
	/*
	 * Every group's inodes (and for UFS2 its group block, which says
	 * how many are initialised), wherever cgoffset moves them, are
	 * inside the group and the file system.
	 */
	for (c = 0; c < fs->fs_ncg; c++) {
		base = (int64_t)fs->fs_fpg * c;
		limit = MIN(base + fs->fs_fpg, fsfrags);
		end = cgstart(fs, c) + fs->fs_iblkno + inoblks * frag;
		cgend = ufs2 ? cgtod(fs, c) +
		    howmany(fs->fs_cgsize, fs->fs_fsize) : 0;
		if (end > limit || cgend > limit)
			badsb("the inodes of cylinder group %jd end at "
			    "fragment %jd, its group block at %jd, past its "
			    "end at %jd", (intmax_t)c, (intmax_t)end,
			    (intmax_t)cgend, (intmax_t)limit);
	}
	maxsym = ufs2 ? UFS2_MAXSYMLINKLEN : UFS1_MAXSYMLINKLEN;
	if (fs->fs_maxsymlinklen < 0 || fs->fs_maxsymlinklen > maxsym)
		badsb("short symbolic links of up to %d bytes",
		    fs->fs_maxsymlinklen);
	if (!ufs2 && fs->fs_old_inodefmt != FS_44INODEFMT &&
	    fs->fs_old_inodefmt != FS_42INODEFMT)
		badsb("unknown inode format %d", fs->fs_old_inodefmt);
	/* Direct blocks, then one, two and three levels of indirection. */
	maxlbn = NDADDR + nindir + nindir * nindir + nindir * nindir * nindir;
	if ((uint64_t)maxlbn > UINT64_MAX / (uint64_t)fs->fs_bsize)
		maxfilesize = UINT64_MAX;
	else
		maxfilesize = (uint64_t)maxlbn * (uint64_t)fs->fs_bsize;
}

/*
 * How many inodes of each cylinder group are initialised.  UFS1 has them
 * all written by newfs; UFS2's group block says, in cg_initediblk.
 */
static void
readgroups(void)
{
	struct cg cgh;
	int64_t c;

	if ((inited = calloc(fs->fs_ncg, sizeof(*inited))) == NULL)
		quit("out of memory for %u cylinder groups\n", fs->fs_ncg);
	for (c = 0; c < fs->fs_ncg; c++) {
		if (!ufs2) {
			inited[c] = fs->fs_ipg;
			continue;
		}
		readdisk(cgtod(fs, c) * fs->fs_fsize, &cgh, sizeof(cgh),
		    "a cylinder group block");
		if (cgh.cg_magic != CG_MAGIC)
			badsb("cylinder group %jd has no cylinder group magic "
			    "number (%#x) at fragment %jd", (intmax_t)c,
			    (unsigned)cgh.cg_magic, (intmax_t)cgtod(fs, c));
		if (cgh.cg_initediblk > fs->fs_ipg ||
		    cgh.cg_initediblk % fs->fs_inopb != 0)
			badsb("cylinder group %jd has %u inodes initialised, "
			    "of %u", (intmax_t)c, cgh.cg_initediblk,
			    fs->fs_ipg);
		inited[c] = cgh.cg_initediblk;
	}
}

/*
 * Check the pointer to logical block lbn of inode ino (an indirect block
 * if lbn is -1), which holds nfr fragments: inside the file system, and
 * inside one block (whole blocks start on a block boundary).
 */
static void
checkptr(ino_t ino, int64_t lbn, int64_t b, int64_t nfr)
{
	char what[64];

	if (b == 0)
		return;
	if (lbn < 0)
		(void)snprintf(what, sizeof(what), "an indirect block");
	else
		(void)snprintf(what, sizeof(what), "block %jd", (intmax_t)lbn);
	if (b < 0 || b > fsfrags - nfr)
		badino(ino, "%s at fragment %jd, outside the file system of "
		    "%jd fragments", what, (intmax_t)b, (intmax_t)fsfrags);
	if (b % fs->fs_frag + nfr > fs->fs_frag)
		badino(ino, "%s of %jd fragments at fragment %jd crosses a "
		    "block boundary", what, (intmax_t)nfr, (intmax_t)b);
}

/*
 * The block pointers of indirect block blkno, the one at depth depth of
 * the current walk, widened to 64 bits.  A hole reads as zeros.  mark:
 * the check of the file follows this pointer, and follows each once, so
 * meeting it again (in this file or another) is a loop or a cross-link.
 */
static ufs2_daddr_t *
indirect(ino_t ino, int depth, int64_t blkno, int mark)
{
	struct iblk *ib;
	int64_t blk, i;

	if (blkno == 0)
		return (zeroptrs);
	checkptr(ino, -1, blkno, fs->fs_frag);
	blk = blkno / fs->fs_frag;
	if (mark) {
		if (indirmap[blk / NBBY] & (1 << (blk % NBBY)))
			badino(ino, "indirect block at fragment %jd is met "
			    "twice (a loop, or shared with another file)",
			    (intmax_t)blkno);
		indirmap[blk / NBBY] |= 1 << (blk % NBBY);
	}
	ib = &iblks[depth];
	if (ib->ib_blkno != blkno) {
		/* Not valid until read whole: quit() may come first. */
		ib->ib_blkno = 0;
		if (ufs2)
			readdisk(blkno * fs->fs_fsize, ib->ib_ptr,
			    (size_t)fs->fs_bsize, "an indirect block");
		else {
			readdisk(blkno * fs->fs_fsize, rawptrs,
			    (size_t)fs->fs_bsize, "an indirect block");
			for (i = 0; i < nindir; i++)
				ib->ib_ptr[i] = rawptrs[i];
		}
		ib->ib_blkno = blkno;
	}
	return (ib->ib_ptr);
}

/*
 * The pointers of chunk k of a file past its direct blocks: the contents
 * of the k-th indirect block that points at data, as dump's dmpindir()
 * meets them.  The depths are those of checkindir(), so that the blocks
 * the check read are still held.
 */
static ufs2_daddr_t *
chunk(ino_t ino, union dinode *dp, int64_t k)
{
	ufs2_daddr_t *p;
	int64_t i1, i2;

	if (k == 0)
		return (indirect(ino, 0, ibptr(dp, 0), 0));
	k -= 1;
	if (k < nindir) {
		p = indirect(ino, 0, ibptr(dp, 1), 0);
		return (indirect(ino, 1, p[k], 0));
	}
	k -= nindir;
	i1 = k / nindir;
	i2 = k % nindir;
	p = indirect(ino, 0, ibptr(dp, 2), 0);
	p = indirect(ino, 1, p[i1], 0);
	return (indirect(ino, 2, p[i2], 0));
}

/*
 * Check the indirect block blkno at depth depth of a file's tree, with
 * level more levels of indirect blocks under it, which maps the file's
 * blocks from *lbnp on; move *lbnp past them.  A hole is skipped whole,
 * however much it maps: a sparse file costs no more than its indirect
 * blocks.  *lastp: the last block of the file (lbn nblks - 1) is there.
 */
static void
checkindir(ino_t ino, int depth, int level, int64_t blkno, int64_t *lbnp,
    int64_t nblks, int *lastp)
{
	ufs2_daddr_t *p;
	int64_t span, i, n;

	for (span = nindir, i = 0; i < level; i++)
		span *= nindir;
	if (blkno == 0) {
		*lbnp += span;
		return;
	}
	p = indirect(ino, depth, blkno, 1);
	if (level == 0) {
		n = MIN(nindir, nblks - *lbnp);
		for (i = 0; i < n; i++)
			checkptr(ino, *lbnp + i, p[i], fs->fs_frag);
		if (*lbnp + n == nblks && p[n - 1] != 0)
			*lastp = 1;
		*lbnp += nindir;
		return;
	}
	/* The deeper levels use deeper buffers: p stays valid. */
	for (i = 0; i < nindir && *lbnp < nblks; i++)
		checkindir(ino, depth + 1, level - 1, p[i], lbnp, nblks,
		    lastp);
}

/*
 * Check a file's size and every block pointer within it, direct and
 * indirect (the rest of an indirect block past the end of the file is
 * never read), and that its last block is there: UFS always allocates
 * the block holding the last byte, so a size that reaches past every
 * allocated block is a damaged size, not a sparse file (and would have
 * dump write gigabytes of holes).
 */
static void
checkblocks(ino_t ino, union dinode *dp)
{
	int64_t nblks, lbn, nfr, last;
	uint64_t size;
	int level, lastok;

	size = DIP(dp, di_size);
	if (size > maxfilesize)
		badino(ino, "size %ju is more than this file system can "
		    "address (%ju)", (uintmax_t)size, (uintmax_t)maxfilesize);
	if (size == 0)
		return;
	nblks = (int64_t)howmany(size, (uint64_t)fs->fs_bsize);
	for (lbn = 0; lbn < NDADDR && lbn < nblks; lbn++) {
		nfr = fs->fs_frag;
		if (lbn == nblks - 1)
			nfr = (int64_t)howmany(size -
			    (uint64_t)lbn * (uint64_t)fs->fs_bsize,
			    (uint64_t)fs->fs_fsize);
		checkptr(ino, lbn, dbptr(dp, lbn), nfr);
	}
	last = nblks - 1;
	if (last < NDADDR) {
		if (dbptr(dp, last) == 0)
			badino(ino, "size %ju, but its last block is not "
			    "allocated", (uintmax_t)size);
		return;
	}
	lastok = 0;
	lbn = NDADDR;
	for (level = 0; level < NIADDR && lbn < nblks; level++)
		checkindir(ino, 0, level, ibptr(dp, level), &lbn, nblks,
		    &lastok);
	if (!lastok)
		badino(ino, "size %ju, but its last block is not allocated",
		    (uintmax_t)size);
}

/*
 * What the inode says of itself must make sense before the traversal
 * counts, maps or dumps it.
 */
static void
checkino(ino_t ino, union dinode *dp)
{
	uint64_t size, sectors;
	int mode;

	mode = DIP(dp, di_mode) & IFMT;
	size = DIP(dp, di_size);
	switch (mode) {
	case IFDIR:
		if (size == 0 || size % DIRBLKSIZ != 0)
			badino(ino, "a directory of %ju bytes, not a multiple "
			    "of %d", (uintmax_t)size, DIRBLKSIZ);
		checkblocks(ino, dp);
		break;
	case IFREG:
		checkblocks(ino, dp);
		break;
	case IFLNK:
		/* A short one keeps its target in the inode: no blocks. */
		if (size >= (uint64_t)fs->fs_maxsymlinklen) {
			if (size > MAXPATHLEN)
				badino(ino, "a symbolic link of %ju bytes",
				    (uintmax_t)size);
			checkblocks(ino, dp);
		}
		break;
	case IFIFO:
	case IFCHR:
	case IFBLK:
	case IFSOCK:
		break;
	default:
		badino(ino, "unknown file type in mode 0%o",
		    (unsigned)DIP(dp, di_mode));
	}
	sectors = DIP(dp, di_blocks);
	if (sectors > (uint64_t)fsfrags * (uint64_t)fs->fs_fsize / DEV_BSIZE)
		badino(ino, "%ju sectors, more than the file system holds",
		    (uintmax_t)sectors);
	/*
	 * Today's dump writes extended attributes after the data; this
	 * stand-in does not, and will not leave them out unsaid.
	 */
	if (ufs2 && dp->dp2.di_extsize != 0)
		quit("%s: UFS2 inode %ju has %u bytes of extended attributes, "
		    "which minidump does not dump\n", disk, (uintmax_t)ino,
		    dp->dp2.di_extsize);
}

static void
ffs_open(void)
{
	union dinode *dp;
	size_t mapbytes;

	imgsize = imagesize();
	findsb();
	checksb();
	sblock = fs;
	readgroups();
	if ((inobuf = malloc((size_t)fs->fs_bsize)) == NULL)
		quit("out of memory for a block of inodes\n");
	mapbytes = (size_t)howmany(fsfrags / fs->fs_frag + 1, NBBY);
	if ((indirmap = calloc(mapbytes, 1)) == NULL)
		quit("out of memory for the map of indirect blocks "
		    "(%zu bytes)\n", mapbytes);
	if ((checkedmap = calloc((size_t)howmany(ninodes, NBBY), 1)) == NULL)
		quit("out of memory for the map of %ju inodes\n",
		    (uintmax_t)ninodes);
	dp = ffs_inode(ROOTINO);
	if ((DIP(dp, di_mode) & IFMT) != IFDIR)
		badino(ROOTINO, "the root inode is not a directory "
		    "(mode 0%o)", (unsigned)DIP(dp, di_mode));
}

/*
 * Inode ino, checked (once: the image does not change under the dump).
 * The copy stays valid until the next call: the traversal takes what it
 * needs from one inode before asking for the next.
 */
static union dinode *
ffs_inode(ino_t ino)
{
	static union dinode din;
	int64_t cg, fsba;

	memset(&din, 0, sizeof(din));
	if (ino >= ninodes)
		return (&din);
	cg = (int64_t)(ino / fs->fs_ipg);
	if (ino % fs->fs_ipg >= inited[cg])
		return (&din);
	fsba = cgstart(fs, cg) + fs->fs_iblkno +
	    (int64_t)((ino % fs->fs_ipg) / fs->fs_inopb) * fs->fs_frag;
	if (fsba != inobufblk) {
		inobufblk = -1;
		readdisk(fsba * fs->fs_fsize, inobuf, (size_t)fs->fs_bsize,
		    "a block of inodes");
		inobufblk = fsba;
	}
	memcpy(&din, inobuf + (ino % fs->fs_inopb) * inosize, inosize);
	if (!(checkedmap[ino / NBBY] & (1 << (ino % NBBY)))) {
		if (DIP(&din, di_mode) != 0)
			checkino(ino, &din);
		checkedmap[ino / NBBY] |= 1 << (ino % NBBY);
	}
	return (&din);
}

/*
 * The block pointers of a file from logical block lbn, widened: the
 * direct blocks for 0, else the indirect block that maps lbn on.
 * ffs_inode() has checked them all.
 */
static long
ffs_blocks(ino_t ino, union dinode *dp, int64_t lbn, ufs2_daddr_t **blkp)
{
	int64_t k;
	int i;

	if (lbn < NDADDR) {
		for (i = 0; i < NDADDR; i++)
			directs[i] = dbptr(dp, i);
		*blkp = &directs[lbn];
		return (NDADDR - lbn);
	}
	k = (lbn - NDADDR) / nindir;
	*blkp = chunk(ino, dp, k) + (lbn - NDADDR) % nindir;
	return ((long)(nindir - (lbn - NDADDR) % nindir));
}
#endif /* FREEBSD_ABI */
