/*
 * A UFS1 file system image as the source of minidump built for the 1998
 * interface, whose headers know UFS1 only; the FreeBSD build reads
 * images with ffs.c instead.  image.c does the checks and the walks the
 * two share (see image.h); what is here is what differs: how UFS1 is
 * told from other files, and the fields of struct fs and struct dinode
 * that the old headers name or type their own way.
 *
 * The image is what makefs -t ffs -o version=1 writes (or a UFS1 disk of
 * a BSD of the 1990s): little-endian, the super block at byte SBOFF,
 * inodes in the cylinder groups, block pointers of 32 bits.
 */
#ifndef FREEBSD_ABI
#include <sys/types.h>
#include <sys/param.h>

#include <stdint.h>
#include <unistd.h>

#include <ufs/ufs/dinode.h>
#include <ufs/ffs/fs.h>

#include "dump.h"
#include "minidump.h"
#include "image.h"

#define	FS_UFS2_MAGIC	0x19540119	/* UFS2, not read here */
#define	SBLOCK_UFS2	65536		/* where UFS2 keeps its super block */

static void	ufs_open(void);

const struct source ufs_source = {
	"UFS1 image", ufs_open, getinode, blockptrs
};

/*
 * The first fragment of cylinder group c, in 64 bits (the header's
 * cgstart() computes in a ufs_daddr_t).
 */
static int64_t
cgstart64(int64_t c)
{

	return ((int64_t)fs->fs_fpg * c +
	    (int64_t)fs->fs_cgoffset * (c & ~(int64_t)fs->fs_cgmask));
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

/* What image.c does not check of the super block. */
static void
checksb(void)
{
	int64_t c, base, end, limit;

	checksizes();
	checkperblock(sizeof(ufs_daddr_t), sizeof(struct dinode));
	fsfrags = fs->fs_size;
	checkgroups();
	checklayout(fs->fs_cgoffset);
	/* Every group's inodes, wherever cgoffset moves them, are inside. */
	for (c = 0; c < fs->fs_ncg; c++) {
		base = (int64_t)fs->fs_fpg * c;
		limit = MIN(base + fs->fs_fpg, fsfrags);
		end = cgstart64(c) + fs->fs_iblkno + inoblks * fs->fs_frag;
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
}

static void
ufs_open(void)
{

	fskind = "UFS1";
	imgsize = imagesize("UFS1", 1);
	checkmagic();
	checksb();
	sblock = fs;
	imagesetup();
}

/* The fragment of the block that holds inode ino. */
int64_t
inoblock(ino_t ino)
{
	int64_t cg;

	cg = (int64_t)(ino / (ino_t)fs->fs_ipg);
	return (cgstart64(cg) + fs->fs_iblkno +
	    (int64_t)((ino % (ino_t)fs->fs_ipg) / (ino_t)fs->fs_inopb) *
	    fs->fs_frag);
}

/* What checkfile() leaves to the reader: di_blocks, signed here. */
void
checkino(ino_t ino, struct dinode *dp)
{

	checkfile(ino, dp);
	if (dp->di_blocks < 0 ||
	    (int64_t)dp->di_blocks * DEV_BSIZE > fsfrags * fs->fs_fsize)
		badino(ino, "%d sectors, more than the file system holds",
		    dp->di_blocks);
}
#endif /* !FREEBSD_ABI */
