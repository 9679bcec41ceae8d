/*
 * Walking the file system and writing its inodes to tape, as dump's
 * traverse.c does: pass I maps the inodes, passes III and IV dump the
 * directories and then everything else, each inode as a TS_INODE header
 * followed by its data records, with TS_ADDR headers to go on where one
 * header's c_addr[] is full.  The inodes and block lists come from the
 * source (minidump.h), not from reading a disk directly.
 */
#include <sys/types.h>
#include <sys/param.h>

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <ufs/ufs/dinode.h>
#include <ufs/ffs/fs.h>
#include <protocols/dumprestore.h>

#include "dump.h"
#include "minidump.h"

#define	BREADEMAX	32	/* read errors before asking the operator */

static int	breaderrors;

static ufs_daddr_t *fileblocks(ino_t, struct dinode *, int64_t, int);

/*
 * How many tape records an inode will take: its data (holes excluded,
 * as far as di_blocks tells), the TS_ADDR headers of a long file, and its
 * TS_INODE header.  Only an estimate, for the "estimated ..." message and
 * the percentage done.
 */
long
blockest(struct dinode *dp)
{
	long blkest, sizeest;

	blkest = howmany((off_t)dp->di_blocks * DEV_BSIZE, TP_BSIZE);
	sizeest = howmany(dp->di_size, TP_BSIZE);
	if (blkest > sizeest)
		blkest = sizeest;
	if (dp->di_size > (uint64_t)sblock->fs_bsize * NDADDR)
		blkest += howmany(sizeest -
		    NDADDR * sblock->fs_bsize / TP_BSIZE, TP_NINDIR);
	return (blkest + 1);
}

/*
 * dump's getino() also notes the inode in curino: tape.c records it
 * with each tape block and a new volume's header carries it.
 */
struct dinode *
getino(ino_t inum)
{

	curino = inum;
	return (source->src_inode(inum));
}

/*
 * Pass I: every inode in use goes in usedinomap, directories in
 * dumpdirmap, and whatever this dump takes in dumpinomap.  This is a
 * level 0 dump (c_ddate is 0), so that is every inode in use; the nodump
 * flag is ignored at level 0 as in dump.  Returns whether a directory was
 * left out, which pass II would then look into.
 */
int
mapfiles(ino_t nino, long *tapesizep)
{
	struct dinode *dp;
	ino_t ino;
	int mode, anydirskipped;

	anydirskipped = 0;
	for (ino = ROOTINO; ino < nino; ino++) {
		dp = getino(ino);
		if ((mode = dp->di_mode & IFMT) == 0)
			continue;
		SETINO(ino, usedinomap);
		if (mode == IFDIR)
			SETINO(ino, dumpdirmap);
		if (dp->di_mtime >= spcl.c_ddate ||
		    dp->di_ctime >= spcl.c_ddate) {
			SETINO(ino, dumpinomap);
			if (mode != IFREG && mode != IFDIR && mode != IFLNK)
				*tapesizep += 1;
			else
				*tapesizep += blockest(dp);
			continue;
		}
		if (mode == IFDIR)
			anydirskipped = 1;
	}
	/* restore cannot do without the root directory. */
	SETINO(ROOTINO, dumpinomap);
	return (anydirskipped);
}

/*
 * Pass II would add the directories leading to files dumped at a
 * higher level; at level 0 every directory is dumped already.
 */
int
mapdirs(ino_t nino, long *tapesizep)
{

	(void)nino;
	(void)tapesizep;
	return (0);
}

/*
 * Passes III and IV: the inodes marked in dumpdirmap that are still
 * directories, then those marked in dumpinomap that are not.  dumpino()
 * clears each inode from dumpinomap, so nothing goes twice.
 */
void
dumpfiles(void)
{
	struct dinode *dp;
	ino_t ino;

	msg("dumping (Pass III) [directories]\n");
	for (ino = 1; ino < maxino; ino++) {
		if (!TSTINO(ino, dumpdirmap))
			continue;
		/* Skip what is no longer a directory. */
		dp = getino(ino);
		if ((dp->di_mode & IFMT) != IFDIR)
			continue;
		dumpino(dp, ino);
	}

	msg("dumping (Pass IV) [regular files]\n");
	for (ino = 1; ino < maxino; ino++) {
		if (!TSTINO(ino, dumpinomap))
			continue;
		dp = getino(ino);
		if ((dp->di_mode & IFMT) == IFDIR)
			continue;
		dumpino(dp, ino);
	}
}

/*
 * Write one inode: its header, then its data.  Special files and empty
 * files are the header alone.  A short symbolic link, whose target lives
 * in the inode, gets one data record holding the target.  Other files
 * go out in the pieces dump makes of them: the direct blocks, then the
 * blocks of each indirect block, each piece starting with a header.
 */
void
dumpino(struct dinode *dp, ino_t ino)
{
	union u_spcl linkrec;	/* aligned as a record, for writerec() */
	int64_t size, lbn;
	int cnt;

	if (newtape) {
		/* The first inode of the dump: the map of what it holds. */
		newtape = 0;
		dumpmap(dumpinomap, TS_BITS, ino);
	}
	CLRINO(ino, dumpinomap);
	spcl.c_dinode = *dp;
	spcl.c_type = TS_INODE;
	spcl.c_count = 0;
	switch (dp->di_mode & IFMT) {
	case 0:
		/* Freed since pass I. */
		return;
	case IFLNK:
		if (dp->di_size > 0 &&
		    dp->di_size < (uint64_t)sblock->fs_maxsymlinklen) {
			spcl.c_addr[0] = 1;
			spcl.c_count = 1;
			writeheader(ino);
			/*
			 * dump leaves the rest of this record as its stack
			 * happens to be; zero it, so that two runs write
			 * the same bytes.
			 */
			memset(&linkrec, 0, sizeof(linkrec));
			memcpy(linkrec.dummy, dp->di_shortlink,
			    (size_t)dp->di_size);
			writerec(linkrec.dummy, 0);
			return;
		}
		/* FALLTHROUGH */
	case IFDIR:
	case IFREG:
		if (dp->di_size > 0)
			break;
		/* FALLTHROUGH */
	case IFIFO:
	case IFSOCK:
	case IFCHR:
	case IFBLK:
		writeheader(ino);
		return;
	default:
		msg("Warning: undefined file type 0%o\n", dp->di_mode & IFMT);
		return;
	}

	if (dp->di_size > (uint64_t)NDADDR * sblock->fs_bsize)
		cnt = NDADDR * sblock->fs_frag;
	else
		cnt = howmany(dp->di_size, sblock->fs_fsize);
	blksout(fileblocks(ino, dp, 0, cnt), cnt, ino);
	/*
	 * The rest, an indirect block's worth at a time, as dump's
	 * dmpindir() hands each indirect block that maps data to blksout():
	 * holes in the indirect blocks too come out as runs of holes.
	 */
	size = (int64_t)dp->di_size - (int64_t)NDADDR * sblock->fs_bsize;
	for (lbn = NDADDR; size > 0; lbn += NINDIR(sblock)) {
		if (size < (int64_t)NINDIR(sblock) * sblock->fs_bsize)
			cnt = howmany(size, sblock->fs_fsize);
		else
			cnt = NINDIR(sblock) * sblock->fs_frag;
		size -= (int64_t)NINDIR(sblock) * sblock->fs_bsize;
		blksout(fileblocks(ino, dp, lbn, cnt), cnt, ino);
	}
}

/*
 * The source's block entries for frags fragments of the file from
 * logical block lbn.  blksout() reads as many entries as the fragments
 * take; a source that has fewer is wrong, and reading past its list
 * would dump whatever lies there.
 */
static ufs_daddr_t *
fileblocks(ino_t ino, struct dinode *dp, int64_t lbn, int frags)
{
	ufs_daddr_t *blks;
	long n;

	n = source->src_blocks(ino, dp, lbn, &blks);
	if (n < howmany(frags, sblock->fs_frag))
		quit("%s: inode %ju: %ld block entries from block %jd, "
		    "%d needed\n", source->src_name, (uintmax_t)ino, n,
		    (intmax_t)lbn, howmany(frags, sblock->fs_frag));
	return (blks);
}

/*
 * Dump frags fragments' worth of the file system blocks in blkp[], up to
 * TP_NINDIR tape records per header.  The first header is the one the
 * caller prepared (TS_INODE, or TS_ADDR for a later piece); the next
 * ones are TS_ADDR.  c_addr[] says for each record whether it is on the
 * tape (1) or a hole (0).
 */
void
blksout(int32_t *blkp, int frags, ino_t ino)
{
	int32_t *bp;
	int i, j, count, blks, tbperdb;

	blks = howmany(frags * sblock->fs_fsize, TP_BSIZE);
	tbperdb = sblock->fs_bsize >> tp_bshift;
	for (i = 0; i < blks; i += TP_NINDIR) {
		if (i + TP_NINDIR > blks)
			count = blks;
		else
			count = i + TP_NINDIR;
		for (j = i; j < count; j++)
			spcl.c_addr[j - i] = blkp[j / tbperdb] != 0;
		spcl.c_count = count - i;
		writeheader(ino);
		bp = &blkp[i / tbperdb];
		for (j = i; j < count; j += tbperdb, bp++) {
			if (*bp == 0)
				continue;
			if (j + tbperdb <= count)
				dumpblock(*bp, sblock->fs_bsize);
			else
				dumpblock(*bp, (count - j) * TP_BSIZE);
		}
		spcl.c_type = TS_ADDR;
	}
}

/*
 * Dump an inode map: a header, then the map itself, mapsize bytes.
 */
void
dumpmap(char *map, int type, ino_t ino)
{
	char *cp;
	int i;

	spcl.c_type = type;
	spcl.c_count = howmany(mapsize, TP_BSIZE);
	writeheader(ino);
	for (i = 0, cp = map; i < spcl.c_count; i++, cp += TP_BSIZE)
		writerec(cp, 0);
}

/*
 * Finish the header in spcl and write it.  The checksum makes the 256
 * 32-bit words of the header add up to CHECKSUM, as restore checks.
 */
void
writeheader(ino_t ino)
{
	const char *p;
	uint32_t sum, word;
	size_t i;

	spcl.c_inumber = (int32_t)ino;
	spcl.c_magic = NFS_MAGIC;
	spcl.c_checksum = 0;
	sum = 0;
	p = (const char *)&u_spcl;
	for (i = 0; i < sizeof(union u_spcl); i += sizeof(word)) {
		memcpy(&word, p + i, sizeof(word));
		sum += word;
	}
	spcl.c_checksum = (int32_t)((uint32_t)CHECKSUM - sum);
	writerec((char *)&u_spcl, 1);
}

/*
 * Read size bytes at sector blkno of the disk (DEV_BSIZE sectors).  Past
 * the end of the disk the rest reads as zeros, as dump makes of the last
 * fragment of a file system.  On an error, say so, zero the rest, and
 * after too many errors ask whether to go on.  The slaves of tape.c call
 * this too, each with the descriptor it opened itself.
 */
void
bread(daddr_t blkno, char *buf, int size)
{
	off_t off;
	ssize_t n;
	int done;

	if (size <= 0)
		return;
	off = (off_t)blkno << dev_bshift;
	n = 0;
	for (done = 0; done < size; done += n) {
		n = pread(diskfd, buf + done, size - done, off + done);
		if (n < 0 && errno == EINTR) {
			n = 0;
			continue;
		}
		if (n <= 0)
			break;
	}
	if (done == size)
		return;
	if (n < 0) {
		msg("read error from %s: %s: [block %jd]: count=%d\n",
		    disk, strerror(errno), (intmax_t)blkno, size);
		if (++breaderrors > BREADEMAX) {
			msg("More than %d block read errors from %s\n",
			    BREADEMAX, disk);
			broadcast("DUMP IS AILING!\n");
			msg("This is an unrecoverable error.\n");
			if (!query("Do you want to attempt to continue?"))
				dumpabort(0);
			breaderrors = 0;
		}
	}
	memset(buf + done, 0, size - done);
}
