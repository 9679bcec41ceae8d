/*
 * A UFS1 or UFS2 file system image as the source of minidump built for
 * today's FreeBSD dump (FREEBSD_ABI); the 1998 build reads UFS1 images
 * with ufs.c.  image.c does the checks and the walks the two share (see
 * image.h); what is here is what only today's headers and UFS2 have.
 *
 * The super block is looked for where today's dump looks for it, at
 * 64 KB, 8 KB, 0 and 256 KB in that order, and taken where it names its
 * own place: a UFS2 super block only at the byte its fs_sblockloc gives,
 * a UFS1 one only at 8 KB or before (further on it is a copy kept in a
 * cylinder group).  FreeBSD's newfs puts the UFS2 super block at 64 KB;
 * Debian's makefs -o version=2 puts it at 8 KB and says so there.
 *
 * UFS2 initialises the inodes of a cylinder group lazily: those past the
 * group's cg_initediblk are free, whatever the disk holds there, and are
 * not read.
 */
/*
 * Builds that take every file of this directory (the packaging test's
 * does) get nothing of this one for the 1998 interface, as ufs.c gives
 * nothing for today's.
 */
#ifdef FREEBSD_ABI
#include <sys/types.h>
#include <sys/param.h>

#include <stdint.h>
#include <stdlib.h>

#include <ufs/ufs/dinode.h>
#include <ufs/ffs/fs.h>

#include "dump.h"
#include "minidump.h"
#include "image.h"

static void		ffs_open(void);

const struct source ufs_source = {
	"UFS image", ffs_open, getinode, blockptrs
};

static int		ufs2;		/* UFS2, not UFS1 */
static int64_t		sbloc;		/* where the super block was found */
static uint32_t		*inited;	/* per cg: inodes initialised */

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

/* What image.c does not check of the super block. */
static void
checksb(void)
{
	int64_t c, base, end, limit, cgend;
	int maxsym;

	fskind = ufs2 ? "UFS2" : "UFS1";
	checksizes();
	if (fs->fs_sbsize <= 0 || fs->fs_sbsize > SBLOCKSIZE)
		badsb("a super block of %d bytes", fs->fs_sbsize);
	if (ufs2)
		checkperblock(sizeof(ufs2_daddr_t), sizeof(struct ufs2_dinode));
	else
		checkperblock(sizeof(ufs1_daddr_t), sizeof(struct ufs1_dinode));
	/*
	 * blksout() leaves out what lies past the end of a UFS2 file in its
	 * last fragment with these masks.
	 */
	if (ufs2 && (fs->fs_qbmask != fs->fs_bsize - 1 ||
	    fs->fs_qfmask != fs->fs_fsize - 1))
		badsb("masks %#jx and %#jx do not match the sizes",
		    (uintmax_t)fs->fs_qbmask, (uintmax_t)fs->fs_qfmask);
	fsfrags = ufs2 ? fs->fs_size : fs->fs_old_size;
	checkgroups();
	checklayout(ufs2 ? 0 : fs->fs_old_cgoffset);
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
		end = cgstart(fs, c) + fs->fs_iblkno + inoblks * fs->fs_frag;
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

static void
ffs_open(void)
{

	imgsize = imagesize("UFS", 2);
	findsb();
	checksb();
	sblock = fs;
	readgroups();
	imagesetup();
}

/*
 * The fragment of the block that holds inode ino, or -1 if the inode
 * is past its group's initialised ones.
 */
int64_t
inoblock(ino_t ino)
{
	int64_t cg;

	cg = (int64_t)(ino / fs->fs_ipg);
	if (ino % fs->fs_ipg >= inited[cg])
		return (-1);
	return (cgstart(fs, cg) + fs->fs_iblkno +
	    (int64_t)((ino % fs->fs_ipg) / fs->fs_inopb) * fs->fs_frag);
}

/*
 * The inode's fields that today's headers type their own way: di_blocks
 * is unsigned, 32 or 64 bits; and UFS2's extended attributes.
 */
void
checkino(ino_t ino, union dinode *dp)
{
	uint64_t sectors;

	checkfile(ino, dp);
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
#endif /* FREEBSD_ABI */
