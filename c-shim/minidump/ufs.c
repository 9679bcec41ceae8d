/*
 * A UFS1 file system image as the source of minidump.
 *
 * The image is what makefs -t ffs -o version=1 writes (or a UFS1 disk of
 * a BSD of the 1990s): little-endian, the super block at byte SBOFF,
 * inodes in the cylinder groups, block pointers of 32 bits.  Nothing is
 * taken on trust: the image may be a text file, cut short, or damaged,
 * and every number read from it is checked against the others and
 * against the size of the image before it is used to seek, to size a
 * table or to bound a loop.  What does not fit ends the dump through
 * quit() (exit status 3) with a message that says what is wrong.  Each
 * inode, its indirect blocks included, is checked the first time the
 * traversal asks for it, in pass I: a damaged image is reported before
 * a volume is written.
 *
 * This file reads metadata only, with pread on diskfd, in the process
 * that walks the file system; the tape writer's slaves read the data
 * blocks themselves with bread().
 */
/* Today's FreeBSD interface reads images with ffs.c instead. */
#ifndef FREEBSD_ABI
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
#define	FS_UFS2_MAGIC	0x19540119	/* UFS2, not read here */
#define	SBLOCK_UFS2	65536		/* where UFS2 keeps its super block */

/*
 * An indirect block held in memory.  The check and the dump each walk a
 * file's indirect blocks in order, so one block per level of indirection
 * is enough for each to read every indirect block once.
 */
struct iblk {
	int64_t		ib_blkno;	/* fragment number, 0: none held */
	ufs_daddr_t	ib_ptr[MAXNINDIR];
};

static void		ufs_open(void);
static struct dinode	*ufs_inode(ino_t);
static long		ufs_blocks(ino_t, struct dinode *, int64_t,
			    ufs_daddr_t **);

const struct source ufs_source = {
	"UFS1 image", ufs_open, ufs_inode, ufs_blocks
};

static struct fs	*fs;		/* the checked super block */
static int64_t		imgsize;	/* bytes in the image, -1: unknown */
static int64_t		fsfrags;	/* fs_size */
static int64_t		nindir;		/* block pointers per block */
static int64_t		inoblks;	/* blocks of inodes in each cg */
static ino_t		ninodes;	/* fs_ncg * fs_ipg */
static uint64_t		maxfilesize;	/* what 12 + 3 levels can address */
static char		*inobuf;	/* one block of inodes */
static int64_t		inobufblk = -1;	/* the fragment it was read from */
static struct iblk	iblks[NIADDR];	/* by depth, 0 for the top */
static ufs_daddr_t	zeroptrs[MAXNINDIR];	/* an indirect hole */
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
	quit("%s: damaged UFS1 super block: %s\n", disk, why);
}

static void
badino(ino_t ino, const char *fmt, ...)
{
	char why[256];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	quit("%s: damaged UFS1 inode %ju: %s\n", disk, (uintmax_t)ino, why);
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

/* The first fragment of cylinder group c, in 64 bits. */
static int64_t
cgstart64(int64_t c)
{

	return ((int64_t)fs->fs_fpg * c +
	    (int64_t)fs->fs_cgoffset * (c & ~(int64_t)fs->fs_cgmask));
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
		quit("%s is a directory, not a UFS1 file system image "
		    "(make one with: makefs -t ffs -o version=1 IMAGE %s)\n",
		    disk, disk);
	if (S_ISREG(st.st_mode))
		return ((int64_t)st.st_size);
	if (S_ISBLK(st.st_mode) &&
	    (end = lseek(diskfd, 0, SEEK_END)) > 0)
		return ((int64_t)end);
	return (-1);
}

/*
 * Is there a super block at all, and of the kind read here?  Each way
 * of not being a UFS1 file system gets its own words: the first thing a
 * new user hands minidump may well be the wrong file.
 */
static void
checkmagic(void)
{
	uint32_t magic;
	int32_t m2;

	if (imgsize == 0)
		quit("%s is not a UFS1 file system: it is empty "
		    "(-G dumps a generated file system instead)\n", disk);
	if (imgsize >= 0 && imgsize < SBOFF + SBSIZE)
		quit("%s is not a UFS1 file system: at %jd bytes it is too "
		    "short to hold a super block at byte %jd "
		    "(-G dumps a generated file system instead)\n", disk,
		    (intmax_t)imgsize, (intmax_t)SBOFF);
	readdisk(SBOFF, sblock_buf, SBSIZE, "the super block");
	fs = (struct fs *)sblock_buf;
	magic = (uint32_t)fs->fs_magic;
	if (magic == FS_MAGIC)
		return;
	if (swap32(magic) == FS_MAGIC)
		quit("%s is a big-endian UFS1 file system: minidump reads "
		    "little-endian ones only (makefs -B le)\n", disk);
	if (magic == FS_UFS2_MAGIC)
		quit("%s is a UFS2 file system: minidump reads UFS1 only "
		    "(makefs -t ffs -o version=1)\n", disk);
	if ((imgsize < 0 || imgsize >= SBLOCK_UFS2 + SBSIZE) &&
	    pread(diskfd, &m2, sizeof(m2), SBLOCK_UFS2 +
	    offsetof(struct fs, fs_magic)) == sizeof(m2) &&
	    m2 == FS_UFS2_MAGIC)
		quit("%s is a UFS2 file system: minidump reads UFS1 only "
		    "(makefs -t ffs -o version=1)\n", disk);
	quit("%s is not a UFS1 file system: no UFS1 magic number in a "
	    "super block at byte %jd (-G dumps a generated file system "
	    "instead)\n", disk, (intmax_t)SBOFF);
}

/*
 * The numbers that say where everything is must agree with each other
 * and with the image: the later arithmetic (inode addresses, table
 * sizes, loop bounds) relies on each of these.
 */
static void
checksb(void)
{
	int64_t frag, c, base, end, limit, maxlbn;

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
	if (fs->fs_nindir != fs->fs_bsize / (int)sizeof(ufs_daddr_t) ||
	    fs->fs_inopb != fs->fs_bsize / (int)sizeof(struct dinode))
		badsb("%d pointers and %d inodes per block do not match the "
		    "block size %d", fs->fs_nindir, fs->fs_inopb,
		    fs->fs_bsize);
	if (fs->fs_size <= 0 || fs->fs_ncg <= 0 || fs->fs_fpg <= 0 ||
	    fs->fs_ipg <= 0)
		badsb("size %d, %d cylinder groups of %d fragments and %d "
		    "inodes", fs->fs_size, fs->fs_ncg, fs->fs_fpg,
		    fs->fs_ipg);
	if (fs->fs_fpg % frag != 0 || fs->fs_ipg % fs->fs_inopb != 0)
		badsb("cylinder groups of %d fragments and %d inodes are "
		    "not whole blocks", fs->fs_fpg, fs->fs_ipg);
	fsfrags = fs->fs_size;
	if (fs->fs_ncg != (fsfrags + fs->fs_fpg - 1) / fs->fs_fpg)
		badsb("%d cylinder groups of %d fragments for a file system "
		    "of %jd", fs->fs_ncg, fs->fs_fpg, (intmax_t)fsfrags);
	if (imgsize >= 0 && fsfrags * fs->fs_fsize > imgsize)
		quit("%s: truncated UFS1 image: the file system is %jd "
		    "bytes, the image only %jd\n", disk,
		    (intmax_t)(fsfrags * fs->fs_fsize), (intmax_t)imgsize);
	/* c_inumber, and the inode maps, are 32-bit. */
	if ((int64_t)fs->fs_ncg * fs->fs_ipg > INT32_MAX)
		badsb("%d cylinder groups of %d inodes", fs->fs_ncg,
		    fs->fs_ipg);
	ninodes = (ino_t)fs->fs_ncg * (ino_t)fs->fs_ipg;
	inoblks = fs->fs_ipg / fs->fs_inopb;
	if (fs->fs_sblkno < 0 || fs->fs_cblkno < 0 || fs->fs_iblkno < 0 ||
	    fs->fs_cgoffset < 0 ||
	    (int64_t)fs->fs_iblkno + inoblks * frag > fs->fs_dblkno ||
	    fs->fs_dblkno > fs->fs_fpg)
		badsb("cylinder group layout: super block %d, group block "
		    "%d, inodes %d, data %d in %d fragments",
		    fs->fs_sblkno, fs->fs_cblkno, fs->fs_iblkno,
		    fs->fs_dblkno, fs->fs_fpg);
	/* Every group's inodes, wherever cgoffset moves them, are inside. */
	for (c = 0; c < fs->fs_ncg; c++) {
		base = (int64_t)fs->fs_fpg * c;
		limit = MIN(base + fs->fs_fpg, fsfrags);
		end = cgstart64(c) + fs->fs_iblkno + inoblks * frag;
		if (end > limit)
			badsb("the inodes of cylinder group %jd end at "
			    "fragment %jd, past its end at %jd",
			    (intmax_t)c, (intmax_t)end, (intmax_t)limit);
	}
	if (fs->fs_maxsymlinklen < 0 || fs->fs_maxsymlinklen > MAXSYMLINKLEN)
		badsb("short symbolic links of up to %d bytes",
		    fs->fs_maxsymlinklen);
	if (fs->fs_inodefmt != FS_44INODEFMT &&
	    fs->fs_inodefmt != FS_42INODEFMT)
		badsb("unknown inode format %d", fs->fs_inodefmt);
	/* Direct blocks, then one, two and three levels of indirection. */
	nindir = fs->fs_nindir;
	maxlbn = NDADDR + nindir + nindir * nindir + nindir * nindir * nindir;
	maxfilesize = (uint64_t)maxlbn * (uint64_t)fs->fs_bsize;
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
	if (b < 0 || b + nfr > fsfrags)
		badino(ino, "%s at fragment %jd, outside the file system of "
		    "%jd fragments", what, (intmax_t)b, (intmax_t)fsfrags);
	if (b % fs->fs_frag + nfr > fs->fs_frag)
		badino(ino, "%s of %jd fragments at fragment %jd crosses a "
		    "block boundary", what, (intmax_t)nfr, (intmax_t)b);
}

/*
 * The block pointers of indirect block blkno, the one at depth depth of
 * the current walk.  A hole reads as zeros.  mark: the check of the file
 * follows this pointer, and follows each once, so meeting it again (in
 * this file or another) is a loop or a cross-link.
 */
static ufs_daddr_t *
indirect(ino_t ino, int depth, int64_t blkno, int mark)
{
	struct iblk *ib;
	int64_t blk;

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
		readdisk(blkno * fs->fs_fsize, ib->ib_ptr,
		    (size_t)fs->fs_bsize, "an indirect block");
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
static ufs_daddr_t *
chunk(ino_t ino, struct dinode *dp, int64_t k)
{
	ufs_daddr_t *p;
	int64_t i1, i2;

	if (k == 0)
		return (indirect(ino, 0, dp->di_ib[0], 0));
	k -= 1;
	if (k < nindir) {
		p = indirect(ino, 0, dp->di_ib[1], 0);
		return (indirect(ino, 1, p[k], 0));
	}
	k -= nindir;
	i1 = k / nindir;
	i2 = k % nindir;
	p = indirect(ino, 0, dp->di_ib[2], 0);
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
	ufs_daddr_t *p;
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
checkblocks(ino_t ino, struct dinode *dp)
{
	int64_t nblks, lbn, nfr, last;
	int level, lastok;

	if (dp->di_size > maxfilesize)
		badino(ino, "size %ju is more than this file system can "
		    "address (%ju)", (uintmax_t)dp->di_size,
		    (uintmax_t)maxfilesize);
	if (dp->di_size == 0)
		return;
	nblks = (int64_t)howmany(dp->di_size, (uint64_t)fs->fs_bsize);
	for (lbn = 0; lbn < NDADDR && lbn < nblks; lbn++) {
		nfr = fs->fs_frag;
		if (lbn == nblks - 1)
			nfr = (int64_t)howmany(dp->di_size -
			    (uint64_t)lbn * (uint64_t)fs->fs_bsize,
			    (uint64_t)fs->fs_fsize);
		checkptr(ino, lbn, dp->di_db[lbn], nfr);
	}
	last = nblks - 1;
	if (last < NDADDR) {
		if (dp->di_db[last] == 0)
			badino(ino, "size %ju, but its last block is not "
			    "allocated", (uintmax_t)dp->di_size);
		return;
	}
	lastok = 0;
	lbn = NDADDR;
	for (level = 0; level < NIADDR && lbn < nblks; level++)
		checkindir(ino, 0, level, dp->di_ib[level], &lbn, nblks,
		    &lastok);
	if (!lastok)
		badino(ino, "size %ju, but its last block is not allocated",
		    (uintmax_t)dp->di_size);
}

/*
 * What the inode says of itself must make sense before the traversal
 * counts, maps or dumps it.
 */
static void
checkino(ino_t ino, struct dinode *dp)
{
	int mode;

	mode = dp->di_mode & IFMT;
	switch (mode) {
	case IFDIR:
		if (dp->di_size == 0 || dp->di_size % DIRBLKSIZ != 0)
			badino(ino, "a directory of %ju bytes, not a multiple "
			    "of %d", (uintmax_t)dp->di_size, DIRBLKSIZ);
		checkblocks(ino, dp);
		break;
	case IFREG:
		checkblocks(ino, dp);
		break;
	case IFLNK:
		/* A short one keeps its target in the inode: no blocks. */
		if (dp->di_size >= (uint64_t)fs->fs_maxsymlinklen) {
			if (dp->di_size > MAXPATHLEN)
				badino(ino, "a symbolic link of %ju bytes",
				    (uintmax_t)dp->di_size);
			checkblocks(ino, dp);
		}
		break;
	case IFIFO:
	case IFCHR:
	case IFBLK:
	case IFSOCK:
		break;
	default:
		badino(ino, "unknown file type in mode 0%o", dp->di_mode);
	}
	if (dp->di_blocks < 0 ||
	    (int64_t)dp->di_blocks * DEV_BSIZE > fsfrags * fs->fs_fsize)
		badino(ino, "%d sectors, more than the file system holds",
		    dp->di_blocks);
}

static void
ufs_open(void)
{
	struct dinode *dp;
	size_t mapbytes;

	imgsize = imagesize();
	checkmagic();
	checksb();
	sblock = fs;
	if ((inobuf = malloc((size_t)fs->fs_bsize)) == NULL)
		quit("out of memory for a block of inodes\n");
	mapbytes = (size_t)howmany(fsfrags / fs->fs_frag + 1, NBBY);
	if ((indirmap = calloc(mapbytes, 1)) == NULL)
		quit("out of memory for the map of indirect blocks "
		    "(%zu bytes)\n", mapbytes);
	if ((checkedmap = calloc((size_t)howmany(ninodes, NBBY), 1)) == NULL)
		quit("out of memory for the map of %ju inodes\n",
		    (uintmax_t)ninodes);
	dp = ufs_inode(ROOTINO);
	if ((dp->di_mode & IFMT) != IFDIR)
		badino(ROOTINO, "the root inode is not a directory "
		    "(mode 0%o)", dp->di_mode);
}

/*
 * Inode ino, checked (once: the image does not change under the dump).
 * The copy stays valid until the next call: the traversal takes what it
 * needs from one inode before asking for the next.
 */
static struct dinode *
ufs_inode(ino_t ino)
{
	static struct dinode din;
	int64_t cg, fsba;

	if (ino >= ninodes) {
		memset(&din, 0, sizeof(din));
		return (&din);
	}
	cg = (int64_t)(ino / (ino_t)fs->fs_ipg);
	fsba = cgstart64(cg) + fs->fs_iblkno +
	    (int64_t)((ino % (ino_t)fs->fs_ipg) / (ino_t)fs->fs_inopb) *
	    fs->fs_frag;
	if (fsba != inobufblk) {
		inobufblk = -1;
		readdisk(fsba * fs->fs_fsize, inobuf, (size_t)fs->fs_bsize,
		    "a block of inodes");
		inobufblk = fsba;
	}
	memcpy(&din, inobuf + (ino % (ino_t)fs->fs_inopb) * sizeof(din),
	    sizeof(din));
	if (!(checkedmap[ino / NBBY] & (1 << (ino % NBBY)))) {
		if (din.di_mode != 0)
			checkino(ino, &din);
		checkedmap[ino / NBBY] |= 1 << (ino % NBBY);
	}
	return (&din);
}

/*
 * The block pointers of a file from logical block lbn: the direct
 * blocks for 0, else the indirect block that maps lbn on.  ufs_inode()
 * has checked them all.
 */
static long
ufs_blocks(ino_t ino, struct dinode *dp, int64_t lbn, ufs_daddr_t **blkp)
{
	int64_t k;

	if (lbn < NDADDR) {
		*blkp = &dp->di_db[lbn];
		return (NDADDR - lbn);
	}
	k = (lbn - NDADDR) / nindir;
	*blkp = chunk(ino, dp, k) + (lbn - NDADDR) % nindir;
	return ((long)(nindir - (lbn - NDADDR) % nindir));
}
#endif /* !FREEBSD_ABI */
