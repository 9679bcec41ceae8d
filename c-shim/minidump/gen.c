/*
 * A made-up file system, the source of minidump with -G (or -S, -N, -M).
 *
 * From a seed it invents a UFS1-like file system whose data are the bytes
 * of the disk file: a root directory, a few more directories, and many
 * files of every kind, with holes, sizes ending in fragments, and files
 * long enough to need indirect blocks.  Block numbers point anywhere
 * into the disk file, so every record dump writes is real data that a
 * test can check.  Nothing is written to the disk file, so directory
 * contents are whatever bytes are there: restore will not make a tree
 * of it, but every header on the tape is well formed.
 *
 * The random numbers come from our own generator (splitmix64), not from
 * rand(3), so that a seed makes the same file system with any libc.
 *
 * Built for today's FreeBSD dump (FREEBSD_ABI), the file system is a
 * UFS2 one: 256-byte inodes with 64-bit times, a birth time, and 64-bit
 * block numbers.  With -X (gen_wide) every block number lies past 2^33
 * fragments, where only 64-bit arithmetic reaches; blkread() takes the
 * offset off again, so that the tape holds the same bytes as without.
 */
#include <sys/types.h>
#include <sys/param.h>
#include <sys/stat.h>

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <ufs/ufs/dinode.h>
#include <ufs/ffs/fs.h>
#include <protocols/dumprestore.h>

#include "dump.h"
#include "minidump.h"

#ifdef FREEBSD_ABI
typedef struct ufs2_dinode gen_dinode;
typedef ufs2_daddr_t	gen_daddr;
#define	GEN_MAXSYMLINKLEN	UFS2_MAXSYMLINKLEN
#else
typedef struct dinode	gen_dinode;
typedef ufs_daddr_t	gen_daddr;
#define	GEN_MAXSYMLINKLEN	MAXSYMLINKLEN
#endif

#define	GEN_BSIZE	8192
#define	GEN_FSIZE	1024
#define	GEN_FRAG	(GEN_BSIZE / GEN_FSIZE)
#define	GEN_INOPB	((int)(GEN_BSIZE / sizeof(gen_dinode)))
#define	GEN_NINDIR	((int)(GEN_BSIZE / sizeof(gen_daddr)))
#define	GEN_SECTORS(n)	((n) / DEV_BSIZE)	/* bytes to di_blocks */
#define	DIRBLKSIZ	512			/* UFS directory chunk */

unsigned long long gen_seed = 1;
long	gen_ninodes = 200;
long	gen_maxkb = 512;
#ifdef FREEBSD_ABI
int64_t	gen_wide;
#endif

/* An inode and, for a file with indirect blocks, all its blocks. */
struct genino {
#ifdef FREEBSD_ABI
	union dinode	gi_u;		/* gi_din: its dp2 */
#define	gi_din		gi_u.dp2
#else
	struct dinode	gi_din;
#endif
	gen_daddr	*gi_blks;	/* NULL: di_db holds them all */
};

static struct genino	*itab;		/* indexed by inode number */
static ino_t		itabsize;
static src_dinode	zeroino;	/* for numbers past the table */
static int32_t		nblocks;	/* whole blocks in the disk file */
static uint64_t		rngstate;

enum kind {
	K_FREE, K_DIR, K_REG, K_SHORTLINK, K_LONGLINK, K_FIFO, K_SOCK,
	K_CHR, K_BLK
};

static void		gen_open(void);
static src_dinode	*gen_inode(ino_t);
static long		gen_blocks(ino_t, src_dinode *, int64_t,
			    gen_daddr **);

const struct source gen_source = {
	"generated file system", gen_open, gen_inode, gen_blocks
};

/* splitmix64: small, fast, and the same everywhere. */
static uint64_t
rnd(void)
{
	uint64_t z;

	z = (rngstate += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return (z ^ (z >> 31));
}

/* A number in [0, n). */
static uint64_t
rndn(uint64_t n)
{

	return (n == 0 ? 0 : rnd() % n);
}

/*
 * A whole block somewhere in the disk file.  Block 0 is never used:
 * fragment number 0 would read as a hole.
 */
#ifdef FREEBSD_ABI
static gen_daddr
randblock(void)
{

	return ((gen_daddr)(1 + rndn(nblocks - 1)) * GEN_FRAG + gen_wide);
}
#else
static ufs_daddr_t
randblock(void)
{

	return ((ufs_daddr_t)(1 + rndn(nblocks - 1)) * GEN_FRAG);
}
#endif

/*
 * Give a file of the given size its blocks.  Holes are left at random
 * (never in the last block: UFS always allocates it) when holes is set.
 * The last block of a file that fits in the direct blocks is a run of
 * fragments inside one block, as UFS allocates it; past the direct
 * blocks every block is whole.
 */
static void
makeblocks(struct genino *gi, uint64_t size, int holes)
{
	gen_dinode *dp;
	gen_daddr *list;
	int64_t nblks, lbn, sectors, rest;
	int nfr, last;

	dp = &gi->gi_din;
	dp->di_size = size;
	nblks = howmany(size, GEN_BSIZE);
	if (nblks > NDADDR) {
		if ((list = calloc(nblks, sizeof(*list))) == NULL)
			quit("out of memory for the block list of a %ju-byte "
			    "file\n", (uintmax_t)size);
		gi->gi_blks = list;
	} else
		list = dp->di_db;
	sectors = 0;
	for (lbn = 0; lbn < nblks; lbn++) {
		last = lbn == nblks - 1;
		if (holes && !last && rndn(8) == 0)
			continue;
		if (last && lbn < NDADDR && size % GEN_BSIZE != 0) {
			nfr = howmany(size % GEN_BSIZE, GEN_FSIZE);
			list[lbn] = randblock() + rndn(GEN_FRAG - nfr + 1);
			sectors += GEN_SECTORS(nfr * GEN_FSIZE);
		} else {
			list[lbn] = randblock();
			sectors += GEN_SECTORS(GEN_BSIZE);
		}
	}
	if (nblks > NDADDR) {
		memcpy(dp->di_db, list, sizeof(dp->di_db));
		/* The indirect blocks count in di_blocks too. */
		dp->di_ib[0] = randblock();
		sectors += GEN_SECTORS(GEN_BSIZE);
		rest = nblks - NDADDR - GEN_NINDIR;
		if (rest > 0) {
			dp->di_ib[1] = randblock();
			sectors += GEN_SECTORS(GEN_BSIZE) *
			    (1 + howmany(rest, GEN_NINDIR));
		}
	}
	dp->di_blocks = (int32_t)sectors;
}

/*
 * The size of a regular file: mostly small, some up to the direct
 * blocks, a few up to the -M limit; some empty, some a whole number of
 * fragments or blocks.
 */
static uint64_t
regsize(void)
{
	uint64_t max, lim, size;
	unsigned r;

	max = (uint64_t)gen_maxkb * 1024;
	if (max == 0)
		return (0);
	r = rndn(100);
	if (r < 5)
		return (0);
	if (r < 60)
		lim = 8192;
	else if (r < 90)
		lim = (uint64_t)NDADDR * GEN_BSIZE;
	else
		lim = max;
	if (lim > max)
		lim = max;
	size = 1 + rndn(lim);
	if (rndn(8) == 0)
		size = roundup(size, GEN_FSIZE);
	else if (rndn(16) == 0)
		size = roundup(size, GEN_BSIZE);
	return (size > max ? max : size);
}

static enum kind
pickkind(void)
{
	unsigned r;

	r = rndn(100);
	if (r < 5)
		return (K_FREE);
	if (r < 12)
		return (K_DIR);
	if (r < 18)
		return (K_SHORTLINK);
	if (r < 21)
		return (K_LONGLINK);
	if (r < 23)
		return (K_FIFO);
	if (r < 24)
		return (K_SOCK);
	if (r < 26)
		return (K_CHR);
	if (r < 27)
		return (K_BLK);
	return (K_REG);
}

static void
geninode(ino_t ino)
{
	static const char pathchars[] =
	    "abcdefghijklmnopqrstuvwxyz0123456789._-/";
	struct genino *gi;
	gen_dinode *dp;
	enum kind kind;
	char *target;
	size_t i, len;
	int32_t t;

	gi = &itab[ino];
	dp = &gi->gi_din;
	kind = ino == ROOTINO ? K_DIR : pickkind();
	if (kind == K_FREE)
		return;
	t = 800000000 + (int32_t)rndn(200000000);
	dp->di_mtime = t;
	dp->di_mtimensec = (int32_t)rndn(1000000000);
	dp->di_ctime = t + (int32_t)rndn(1000);
	dp->di_ctimensec = (int32_t)rndn(1000000000);
	dp->di_atime = dp->di_ctime + (int32_t)rndn(100000);
	dp->di_atimensec = (int32_t)rndn(1000000000);
#ifdef FREEBSD_ABI
	dp->di_birthtime = t - (int32_t)rndn(100000);
	dp->di_birthnsec = (int32_t)rndn(1000000000);
#endif
	dp->di_gen = (int32_t)(rnd() & 0x7fffffff);
	if (ino != ROOTINO) {
		dp->di_uid = (uint32_t)rndn(2000);
		dp->di_gid = (uint32_t)rndn(2000);
	}
	dp->di_nlink = 1;
	switch (kind) {
	case K_DIR:
		dp->di_mode = IFDIR | 0755;
		dp->di_nlink = 2;
		makeblocks(gi, DIRBLKSIZ * (1 + rndn(24)), 0);
		break;
	case K_REG:
		dp->di_mode = IFREG | (rndn(4) == 0 ? 0755 : 0644);
		makeblocks(gi, regsize(), 1);
		break;
	case K_SHORTLINK:
		/* The target lives where the block numbers would be. */
		dp->di_mode = IFLNK | 0755;
		len = 1 + rndn(GEN_MAXSYMLINKLEN - 1);
		target = (char *)dp->di_shortlink;
		for (i = 0; i < len; i++)
			target[i] = pathchars[rndn(sizeof(pathchars) - 1)];
		dp->di_size = len;
		break;
	case K_LONGLINK:
		dp->di_mode = IFLNK | 0755;
		makeblocks(gi, GEN_MAXSYMLINKLEN + rndn(200), 0);
		break;
	case K_FIFO:
		dp->di_mode = IFIFO | 0644;
		break;
	case K_SOCK:
		dp->di_mode = IFSOCK | 0755;
		break;
	case K_CHR:
	case K_BLK:
		dp->di_mode = (kind == K_CHR ? IFCHR : IFBLK) | 0640;
		dp->di_rdev = (int32_t)(rnd() & 0xffff);
		break;
	case K_FREE:
		break;
	}
}

/*
 * The super block of the made-up file system: 8 KB blocks of 1 KB
 * fragments, one cylinder group holding every inode, as big as the
 * disk file (whole blocks only).
 */
static void
gen_open(void)
{
	struct stat st;
	struct fs *fs;
	off_t bytes;
	int64_t nfrags;
	long ipg;
	ino_t ino;

	if (fstat(diskfd, &st) < 0)
		quit("cannot stat %s: %s\n", disk, strerror(errno));
	if (S_ISREG(st.st_mode))
		bytes = st.st_size;
	else if ((bytes = lseek(diskfd, 0, SEEK_END)) < 0)
		quit("cannot find the size of %s: %s\n", disk,
		    strerror(errno));
	nfrags = bytes / GEN_FSIZE;
	if (nfrags > INT32_MAX)
		nfrags = INT32_MAX;
	nfrags -= nfrags % GEN_FRAG;
	if (nfrags < 2 * GEN_FRAG)
		quit("%s is too small (%jd bytes): the generator needs %d\n",
		    disk, (intmax_t)bytes, 2 * GEN_BSIZE);
	nblocks = (int32_t)(nfrags / GEN_FRAG);
	ipg = roundup(gen_ninodes + ROOTINO, GEN_INOPB);

	/*
	 * dump reads the super block from the disk before anything else,
	 * and its master goes on reading inodes and directories, so the
	 * disk has been read in the master before any slave is forked.
	 * Read where a super block would lie (the first 16 KB, which the
	 * size check above guarantees) before making one up, so that the
	 * generator's master does too: otherwise each slave would be the
	 * first to call pread() and bind it lazily, mapping the dynamic
	 * linker and libc's symbol tables (some 300 KB a slave) where
	 * dump's would not.
	 */
#ifdef FREEBSD_ABI
	readdisk(SBLOCK_UFS1, sblock_buf, SBLOCKSIZE, "the super block");
	memset(sblock_buf, 0, sizeof(struct fs));
	fs = (struct fs *)sblock_buf;
	fs->fs_sblockloc = SBLOCK_UFS2;
	fs->fs_sblkno = (SBLOCK_UFS2 + SBLOCKSIZE) / GEN_FSIZE;
	fs->fs_cblkno = fs->fs_sblkno + GEN_FRAG;
	fs->fs_iblkno = fs->fs_cblkno + GEN_FRAG;
	fs->fs_dblkno = fs->fs_iblkno + ipg / GEN_INOPB * GEN_FRAG;
	fs->fs_time = spcl.c_date;
	fs->fs_size = nfrags;
	fs->fs_dsize = nfrags;
	fs->fs_ncg = 1;
	fs->fs_bsize = GEN_BSIZE;
	fs->fs_fsize = GEN_FSIZE;
	fs->fs_frag = GEN_FRAG;
	fs->fs_minfree = 8;
	fs->fs_bmask = ~(GEN_BSIZE - 1);
	fs->fs_fmask = ~(GEN_FSIZE - 1);
	fs->fs_bshift = ffs(GEN_BSIZE) - 1;
	fs->fs_fshift = ffs(GEN_FSIZE) - 1;
	fs->fs_maxcontig = 16;
	fs->fs_maxbpg = GEN_NINDIR;
	fs->fs_fragshift = ffs(GEN_FRAG) - 1;
	fs->fs_fsbtodb = ffs(GEN_FSIZE / DEV_BSIZE) - 1;
	fs->fs_sbsize = SBLOCKSIZE;
	fs->fs_nindir = GEN_NINDIR;
	fs->fs_inopb = GEN_INOPB;
	fs->fs_optim = FS_OPTTIME;
	fs->fs_cgsize = GEN_BSIZE;
	fs->fs_ipg = (uint32_t)ipg;
	fs->fs_fpg = (int32_t)nfrags;
	fs->fs_maxbsize = GEN_BSIZE;
	fs->fs_maxsymlinklen = UFS2_MAXSYMLINKLEN;
	fs->fs_maxfilesize = (uint64_t)GEN_BSIZE * (NDADDR + GEN_NINDIR +
	    (uint64_t)GEN_NINDIR * GEN_NINDIR) - 1;
	fs->fs_qbmask = GEN_BSIZE - 1;
	fs->fs_qfmask = GEN_FSIZE - 1;
	fs->fs_magic = FS_UFS2_MAGIC;
#else
	readdisk(SBOFF, sblock_buf, SBSIZE, "the super block");
	memset(sblock_buf, 0, sizeof(struct fs));
	fs = (struct fs *)sblock_buf;
	fs->fs_sblkno = SBOFF / GEN_FSIZE;
	fs->fs_cblkno = fs->fs_sblkno + GEN_FRAG;
	fs->fs_iblkno = fs->fs_cblkno + GEN_FRAG;
	fs->fs_dblkno = fs->fs_iblkno + ipg / GEN_INOPB * GEN_FRAG;
	fs->fs_cgmask = -1;
	fs->fs_time = spcl.c_date;
	fs->fs_size = (int32_t)nfrags;
	fs->fs_dsize = (int32_t)nfrags;
	fs->fs_ncg = 1;
	fs->fs_bsize = GEN_BSIZE;
	fs->fs_fsize = GEN_FSIZE;
	fs->fs_frag = GEN_FRAG;
	fs->fs_minfree = 8;
	fs->fs_rps = 60;
	fs->fs_bmask = ~(GEN_BSIZE - 1);
	fs->fs_fmask = ~(GEN_FSIZE - 1);
	fs->fs_bshift = ffs(GEN_BSIZE) - 1;
	fs->fs_fshift = ffs(GEN_FSIZE) - 1;
	fs->fs_maxcontig = 16;
	fs->fs_maxbpg = GEN_NINDIR;
	fs->fs_fragshift = ffs(GEN_FRAG) - 1;
	fs->fs_fsbtodb = ffs(GEN_FSIZE / DEV_BSIZE) - 1;
	fs->fs_sbsize = SBSIZE;
	fs->fs_nindir = GEN_NINDIR;
	fs->fs_inopb = GEN_INOPB;
	fs->fs_nspf = GEN_FSIZE / DEV_BSIZE;
	fs->fs_optim = FS_OPTTIME;
	fs->fs_ipg = (int32_t)ipg;
	fs->fs_fpg = (int32_t)nfrags;
	fs->fs_maxsymlinklen = MAXSYMLINKLEN;
	fs->fs_inodefmt = FS_44INODEFMT;
	fs->fs_maxfilesize = (uint64_t)GEN_BSIZE * (NDADDR + GEN_NINDIR +
	    (uint64_t)GEN_NINDIR * GEN_NINDIR) - 1;
	fs->fs_qbmask = GEN_BSIZE - 1;
	fs->fs_qfmask = GEN_FSIZE - 1;
	fs->fs_postblformat = FS_DYNAMICPOSTBLFMT;
	fs->fs_nrpos = 1;
	fs->fs_magic = FS_MAGIC;
#endif
	sblock = fs;

	itabsize = (ino_t)ipg;
	if ((itab = calloc(itabsize, sizeof(*itab))) == NULL)
		quit("out of memory for %ld inodes\n", ipg);
	rngstate = gen_seed;
	for (ino = ROOTINO; ino < ROOTINO + (ino_t)gen_ninodes; ino++)
		geninode(ino);
}

static src_dinode *
gen_inode(ino_t ino)
{

	if (ino >= itabsize)
		return (&zeroino);
#ifdef FREEBSD_ABI
	return (&itab[ino].gi_u);
#else
	return (&itab[ino].gi_din);
#endif
}

/* The whole list is in memory: the entries from lbn are a pointer away. */
static long
gen_blocks(ino_t ino, src_dinode *dp, int64_t lbn, gen_daddr **blkp)
{
	struct genino *gi;
	int64_t nblks;

	if (ino >= itabsize) {
#ifdef FREEBSD_ABI
		*blkp = dp->dp2.di_db;
#else
		*blkp = dp->di_db;
#endif
		return (0);
	}
	gi = &itab[ino];
	nblks = howmany(gi->gi_din.di_size, GEN_BSIZE);
	if (lbn >= nblks) {
		*blkp = gi->gi_din.di_db;
		return (0);
	}
	*blkp = (gi->gi_blks != NULL ? gi->gi_blks : gi->gi_din.di_db) + lbn;
	return ((long)(nblks - lbn));
}
