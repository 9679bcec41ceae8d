/*
 * What reading a UFS image takes whatever the version of UFS and
 * whichever interface minidump is built for: the checks of the super
 * block's sizes and counts, and the check and walk of each inode's block
 * pointers.  The reader (ufs.c or ffs.c, see image.h) finds the super
 * block and does the rest.
 *
 * Nothing is taken on trust: the image may be a text file, cut short, or
 * damaged, and every number read from it is checked against the others
 * and against the size of the image before it is used to seek, to size a
 * table or to bound a loop.  What does not fit ends the dump through
 * quit() (exit status 3) with a message that says what is wrong.  Each
 * inode, its indirect blocks included, is checked the first time the
 * traversal asks for it, in pass I: a damaged image is reported before a
 * volume is written.
 *
 * Block pointers are handed to the traversal as src_daddr: 32 bits for
 * the 1998 interface, 64 for today's, for which indirect() widens UFS1's
 * as it reads them.  The fields of struct fs that both headers name
 * alike but type differently (fs_ncg, fs_ipg, fs_inopb: signed in the old
 * one) are taken into 64-bit numbers before they are checked or printed,
 * so that each build says what it always said.
 *
 * Metadata only is read here, with readdisk() in the process that walks
 * the file system; the tape writer's slaves read the data blocks
 * themselves.
 */
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
#include "image.h"

#define	DIRBLKSIZ	512		/* a directory grows by this much */

/*
 * An indirect block held in memory.  The check and the dump each walk a
 * file's indirect blocks in order, so one block per level of indirection
 * is enough for each to read every indirect block once.
 */
struct iblk {
	int64_t		ib_blkno;	/* fragment number, 0: none held */
	src_daddr	ib_ptr[MAXNINDIR];
};

struct fs		*fs;
const char		*fskind;
int64_t			imgsize;
int64_t			fsfrags;
int64_t			nindir;
size_t			inosize;
ino_t			ninodes;
int64_t			inoblks;

static uint64_t		maxfilesize;	/* what 12 + 3 levels can address */
static char		*inobuf;	/* one block of inodes */
static int64_t		inobufblk = -1;	/* the fragment it was read from */
static struct iblk	iblks[NIADDR];	/* by depth, 0 for the top */
static int32_t		rawptrs[MAXNINDIR];	/* a UFS1 block to widen */
static src_daddr	zeroptrs[MAXNINDIR];	/* an indirect hole */
static src_daddr	directs[NDADDR];	/* an inode's, as src_daddr */
/*
 * The blocks already used as indirect blocks, one bit per block.  An
 * indirect block met a second time means a loop, or two files sharing
 * it: either way the block pointers are not to be trusted.
 */
static uint8_t		*indirmap;
static uint8_t		*checkedmap;	/* inodes checked, one bit each */

void
badsb(const char *fmt, ...)
{
	char why[256];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	quit("%s: damaged %s super block: %s\n", disk, fskind, why);
}

void
badino(ino_t ino, const char *fmt, ...)
{
	char why[256];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	quit("%s: damaged %s inode %ju: %s\n", disk, fskind, (uintmax_t)ino,
	    why);
}

uint32_t
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

/*
 * The size of the image, or -1 when the kind of file does not tell.  A
 * directory gets told how to make an image of it: name (UFS1, UFS) and
 * version (makefs's) are the reader's.
 */
int64_t
imagesize(const char *name, int version)
{
	struct stat st;
	off_t end;

	if (fstat(diskfd, &st) < 0)
		quit("cannot stat %s: %s\n", disk, strerror(errno));
	if (S_ISDIR(st.st_mode))
		quit("%s is a directory, not a %s file system image "
		    "(make one with: makefs -t ffs -o version=%d IMAGE %s)\n",
		    disk, name, version, disk);
	if (S_ISREG(st.st_mode))
		return ((int64_t)st.st_size);
	if (S_ISBLK(st.st_mode) &&
	    (end = lseek(diskfd, 0, SEEK_END)) > 0)
		return ((int64_t)end);
	return (-1);
}

/*
 * The numbers that say where everything is must agree with each other
 * and with the image: the later arithmetic (inode addresses, table
 * sizes, loop bounds) relies on each of these.  First the block and
 * fragment sizes, and what is derived from them.
 */
void
checksizes(void)
{
	int64_t frag;

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
}

/* Block pointers of ptrsize bytes and inodes of inodesize per block. */
void
checkperblock(size_t ptrsize, size_t inodesize)
{
	int64_t inopb;

	nindir = fs->fs_bsize / (int64_t)ptrsize;
	inosize = inodesize;
	inopb = fs->fs_inopb;
	if (fs->fs_nindir != nindir ||
	    inopb != fs->fs_bsize / (int64_t)inosize)
		badsb("%d pointers and %jd inodes per block do not match the "
		    "block size %d", fs->fs_nindir, (intmax_t)inopb,
		    fs->fs_bsize);
}

/*
 * The cylinder groups, against the size of the file system (fsfrags,
 * which the reader takes from its version's field) and of the image.
 */
void
checkgroups(void)
{
	int64_t ncg, ipg, inopb, frag;

	ncg = fs->fs_ncg;
	ipg = fs->fs_ipg;
	inopb = fs->fs_inopb;
	frag = fs->fs_frag;
	if (fsfrags <= 0 || ncg <= 0 || fs->fs_fpg <= 0 || ipg <= 0)
		badsb("size %jd, %jd cylinder groups of %d fragments and %jd "
		    "inodes", (intmax_t)fsfrags, (intmax_t)ncg, fs->fs_fpg,
		    (intmax_t)ipg);
	if (fs->fs_fpg % frag != 0 || ipg % inopb != 0)
		badsb("cylinder groups of %d fragments and %jd inodes are "
		    "not whole blocks", fs->fs_fpg, (intmax_t)ipg);
	if (fsfrags > INT64_MAX / MAXBSIZE)
		badsb("a size of %jd fragments", (intmax_t)fsfrags);
	if (ncg != (fsfrags + fs->fs_fpg - 1) / fs->fs_fpg)
		badsb("%jd cylinder groups of %d fragments for a file system "
		    "of %jd", (intmax_t)ncg, fs->fs_fpg, (intmax_t)fsfrags);
	if (imgsize >= 0 && fsfrags * fs->fs_fsize > imgsize)
		quit("%s: truncated %s image: the file system is %jd bytes, "
		    "the image only %jd\n", disk, fskind,
		    (intmax_t)(fsfrags * fs->fs_fsize), (intmax_t)imgsize);
	/* The maps of indirect blocks and inodes must fit in memory. */
	if (fsfrags / frag > ((int64_t)1 << 40))
		badsb("a size of %jd fragments", (intmax_t)fsfrags);
	/* c_inumber, and the inode maps, are 32-bit. */
	if (ncg * ipg > INT32_MAX)
		badsb("%jd cylinder groups of %jd inodes", (intmax_t)ncg,
		    (intmax_t)ipg);
	ninodes = (ino_t)ncg * (ino_t)ipg;
	inoblks = ipg / inopb;
}

/*
 * Where the parts of a cylinder group are, within the group; cgoffset
 * is UFS1's stagger of the groups (0 for UFS2, which has none).
 */
void
checklayout(int64_t cgoffset)
{

	if (fs->fs_sblkno < 0 || fs->fs_cblkno < 0 || fs->fs_iblkno < 0 ||
	    cgoffset < 0 ||
	    (int64_t)fs->fs_iblkno + inoblks * fs->fs_frag > fs->fs_dblkno ||
	    fs->fs_dblkno > fs->fs_fpg)
		badsb("cylinder group layout: super block %d, group block "
		    "%d, inodes %d, data %d in %d fragments",
		    fs->fs_sblkno, fs->fs_cblkno, fs->fs_iblkno,
		    fs->fs_dblkno, fs->fs_fpg);
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
 * the current walk.  A hole reads as zeros.  mark: the check of the file
 * follows this pointer, and follows each once, so meeting it again (in
 * this file or another) is a loop or a cross-link.
 */
static src_daddr *
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
		if (nindir == fs->fs_bsize / (int64_t)sizeof(src_daddr))
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
static src_daddr *
chunk(ino_t ino, src_dinode *dp, int64_t k)
{
	src_daddr *p;
	int64_t i1, i2;

	if (k == 0)
		return (indirect(ino, 0, DIP(dp, di_ib[0]), 0));
	k -= 1;
	if (k < nindir) {
		p = indirect(ino, 0, DIP(dp, di_ib[1]), 0);
		return (indirect(ino, 1, p[k], 0));
	}
	k -= nindir;
	i1 = k / nindir;
	i2 = k % nindir;
	p = indirect(ino, 0, DIP(dp, di_ib[2]), 0);
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
	src_daddr *p;
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
checkblocks(ino_t ino, src_dinode *dp)
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
		checkptr(ino, lbn, DIP(dp, di_db[lbn]), nfr);
	}
	last = nblks - 1;
	if (last < NDADDR) {
		if (DIP(dp, di_db[last]) == 0)
			badino(ino, "size %ju, but its last block is not "
			    "allocated", (uintmax_t)size);
		return;
	}
	lastok = 0;
	lbn = NDADDR;
	for (level = 0; level < NIADDR && lbn < nblks; level++)
		checkindir(ino, 0, level, DIP(dp, di_ib[level]), &lbn, nblks,
		    &lastok);
	if (!lastok)
		badino(ino, "size %ju, but its last block is not allocated",
		    (uintmax_t)size);
}

/*
 * What the inode says of its type and size must make sense before the
 * traversal counts, maps or dumps it.  The reader's checkino() calls
 * this, and checks the fields whose types differ between the versions.
 */
void
checkfile(ino_t ino, src_dinode *dp)
{
	uint64_t size;
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
}

/*
 * With the super block checked and sblock set: the buffers and maps the
 * reading of inodes needs, and a root that is a directory.
 */
void
imagesetup(void)
{
	src_dinode *dp;
	int64_t maxlbn;
	size_t mapbytes;

	/* Direct blocks, then one, two and three levels of indirection. */
	maxlbn = NDADDR + nindir + nindir * nindir + nindir * nindir * nindir;
	if ((uint64_t)maxlbn > UINT64_MAX / (uint64_t)fs->fs_bsize)
		maxfilesize = UINT64_MAX;
	else
		maxfilesize = (uint64_t)maxlbn * (uint64_t)fs->fs_bsize;
	if ((inobuf = malloc((size_t)fs->fs_bsize)) == NULL)
		quit("out of memory for a block of inodes\n");
	mapbytes = (size_t)howmany(fsfrags / fs->fs_frag + 1, NBBY);
	if ((indirmap = calloc(mapbytes, 1)) == NULL)
		quit("out of memory for the map of indirect blocks "
		    "(%zu bytes)\n", mapbytes);
	if ((checkedmap = calloc((size_t)howmany(ninodes, NBBY), 1)) == NULL)
		quit("out of memory for the map of %ju inodes\n",
		    (uintmax_t)ninodes);
	dp = getinode(ROOTINO);
	if ((DIP(dp, di_mode) & IFMT) != IFDIR)
		badino(ROOTINO, "the root inode is not a directory "
		    "(mode 0%o)", (unsigned)DIP(dp, di_mode));
}

/*
 * Inode ino, checked (once: the image does not change under the dump);
 * all zeros, not in use, past the last inode or where the reader's
 * inoblock() says the inode was never initialised.  The copy stays
 * valid until the next call: the traversal takes what it needs from one
 * inode before asking for the next.
 */
src_dinode *
getinode(ino_t ino)
{
	static src_dinode din;
	int64_t fsba;

	memset(&din, 0, sizeof(din));
	if (ino >= ninodes || (fsba = inoblock(ino)) < 0)
		return (&din);
	if (fsba != inobufblk) {
		inobufblk = -1;
		readdisk(fsba * fs->fs_fsize, inobuf, (size_t)fs->fs_bsize,
		    "a block of inodes");
		inobufblk = fsba;
	}
	memcpy(&din, inobuf + (ino % (ino_t)fs->fs_inopb) * inosize,
	    inosize);
	if (!(checkedmap[ino / NBBY] & (1 << (ino % NBBY)))) {
		if (DIP(&din, di_mode) != 0)
			checkino(ino, &din);
		checkedmap[ino / NBBY] |= 1 << (ino % NBBY);
	}
	return (&din);
}

/*
 * The block pointers of a file from logical block lbn: the direct
 * blocks for 0, else the indirect block that maps lbn on.  getinode()
 * has checked them all.
 */
long
blockptrs(ino_t ino, src_dinode *dp, int64_t lbn, src_daddr **blkp)
{
	int64_t k;
	int i;

	if (lbn < NDADDR) {
		for (i = 0; i < NDADDR; i++)
			directs[i] = DIP(dp, di_db[i]);
		*blkp = &directs[lbn];
		return (NDADDR - lbn);
	}
	k = (lbn - NDADDR) / nindir;
	*blkp = chunk(ino, dp, k) + (lbn - NDADDR) % nindir;
	return ((long)(nindir - (lbn - NDADDR) % nindir));
}
