/*
 * Walking the file system and writing its inodes to tape, as dump's
 * traverse.c does: pass I maps the inodes, passes III and IV dump the
 * directories and then everything else, each inode as a TS_INODE header
 * followed by its data records, with TS_ADDR headers to go on where one
 * header's c_addr[] is full.  The inodes and block lists come from the
 * source (minidump.h), not from reading a disk directly.
 *
 * With FREEBSD_ABI it is today's traverse.c: either kind of inode
 * (DIP()), the inode's fields copied into the UFS2 header one by one,
 * 64-bit block numbers, FS_UFS2_MAGIC, and blkread() for tape.c.
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

static src_daddr *fileblocks(ino_t, src_dinode *, int64_t, int);

#ifdef FREEBSD_ABI
#ifndef UF_NODUMP
#define	UF_NODUMP	0x00000001	/* chflags nodump */
#endif
#define	DI(dp, field)	DIP(dp, field)
/* Changed since the last dump, and not marked nodump (below level 1). */
#define	WANTTODUMP(dp)							\
	((DIP(dp, di_mtime) >= spcl.c_ddate ||				\
	    DIP(dp, di_ctime) >= spcl.c_ddate) &&			\
	    (nonodump || (DIP(dp, di_flags) & UF_NODUMP) == 0))
#define	HEADER_MAGIC	FS_UFS2_MAGIC

static void	blksout(union dinode *, ufs2_daddr_t *, int, ino_t, int);
#else
#define	DI(dp, field)	((dp)->field)
#define	WANTTODUMP(dp)							\
	((dp)->di_mtime >= spcl.c_ddate || (dp)->di_ctime >= spcl.c_ddate)
#define	HEADER_MAGIC	NFS_MAGIC
#endif

/*
 * How many tape records an inode will take: its data (holes excluded,
 * as far as di_blocks tells), the TS_ADDR headers of a long file, and its
 * TS_INODE header.  Only an estimate, for the "estimated ..." message and
 * the percentage done.
 */
long
blockest(src_dinode *dp)
{
	long blkest, sizeest;

#ifdef FREEBSD_ABI
	/* A snapshot is dumped as an empty file (dumpino()). */
	if (DIP(dp, di_flags) & SF_SNAPSHOT)
		return (1);
#endif
	blkest = howmany((off_t)DI(dp, di_blocks) * DEV_BSIZE, TP_BSIZE);
	sizeest = howmany(DI(dp, di_size), TP_BSIZE);
	if (blkest > sizeest)
		blkest = sizeest;
	if (DI(dp, di_size) > (uint64_t)sblock->fs_bsize * NDADDR)
		blkest += howmany(sizeest -
		    NDADDR * sblock->fs_bsize / TP_BSIZE, TP_NINDIR);
	return (blkest + 1);
}

/*
 * dump's getino() also notes the inode in curino: tape.c records it
 * with each tape block and a new volume's header carries it.  Today's
 * also gives the type of file.
 */
#ifdef FREEBSD_ABI
union dinode *
getino(ino_t inum, int *modep)
{
	union dinode *dp;

	curino = inum;
	dp = source->src_inode(inum);
	*modep = DIP(dp, di_mode) & IFMT;
	return (dp);
}
#else
struct dinode *
getino(ino_t inum)
{

	curino = inum;
	return (source->src_inode(inum));
}
#endif

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
	src_dinode *dp;
	ino_t ino;
	int mode, anydirskipped;

	anydirskipped = 0;
	for (ino = ROOTINO; ino < nino; ino++) {
#ifdef FREEBSD_ABI
		dp = getino(ino, &mode);
		if (mode == 0)
			continue;
#else
		dp = getino(ino);
		if ((mode = dp->di_mode & IFMT) == 0)
			continue;
#endif
		SETINO(ino, usedinomap);
		if (mode == IFDIR)
			SETINO(ino, dumpdirmap);
		if (WANTTODUMP(dp)) {
			SETINO(ino, dumpinomap);
			if (mode != IFREG && mode != IFDIR && mode != IFLNK)
				*tapesizep += 1;
			else
				*tapesizep += blockest(dp);
			continue;
		}
		if (mode == IFDIR) {
#ifdef FREEBSD_ABI
			/* A nodump directory takes what is under it along. */
			if (!nonodump && (DIP(dp, di_flags) & UF_NODUMP))
				CLRINO(ino, usedinomap);
#endif
			anydirskipped = 1;
		}
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
#ifdef FREEBSD_ABI
void
dumpfiles(void)
{
	union dinode *dp;
	ino_t ino;
	int mode;

	passno = 3;
	setproctitle("%s: pass 3: directories", disk);
	msg("dumping (Pass III) [directories]\n");
	for (ino = 1; ino < maxino; ino++) {
		if (!TSTINO(ino, dumpdirmap))
			continue;
		/* Skip what is no longer a directory. */
		dp = getino(ino, &mode);
		if (mode != IFDIR)
			continue;
		dumpino(dp, ino);
	}

	passno = 4;
	setproctitle("%s: pass 4: regular files", disk);
	msg("dumping (Pass IV) [regular files]\n");
	for (ino = 1; ino < maxino; ino++) {
		if (!TSTINO(ino, dumpinomap))
			continue;
		dp = getino(ino, &mode);
		if (mode == IFDIR)
			continue;
		dumpino(dp, ino);
	}
}
#else
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
#endif

#ifdef FREEBSD_ABI
/*
 * Write one inode as today's dump does.  The header takes the inode's
 * fields one by one (a UFS1 inode's widened to UFS2's), and the rest is
 * as below: special and empty files are the header alone, a short
 * symbolic link gets one record holding its target, and other files go
 * out in pieces, the direct blocks and then those of each indirect
 * block.  The last piece says so (blksout()): on UFS2 it leaves out the
 * records of the last fragment that lie past the end of the file.
 */
void
dumpino(union dinode *dp, ino_t ino)
{
	union u_spcl linkrec;	/* aligned as a record, for writerec() */
	int64_t size, lbn;
	int cnt, last;

	if (newtape) {
		/* The first inode of the dump: the map of what it holds. */
		newtape = 0;
		dumpmap(dumpinomap, TS_BITS, ino);
	}
	CLRINO(ino, dumpinomap);
	/* A snapshot is dumped as an empty file. */
	if (DIP(dp, di_flags) & SF_SNAPSHOT) {
		DIP_SET(dp, di_size, 0);
		DIP_SET(dp, di_flags, DIP(dp, di_flags) & ~SF_SNAPSHOT);
	}
	/*
	 * The old 32-bit time slots and the spares are left as they are,
	 * 0: restore takes the times from the 64-bit fields.
	 */
	if (sblock->fs_magic == FS_UFS1_MAGIC) {
		spcl.c_mode = dp->dp1.di_mode;
		spcl.c_size = dp->dp1.di_size;
		spcl.c_extsize = 0;
		spcl.c_atime = dp->dp1.di_atime;
		spcl.c_atimensec = dp->dp1.di_atimensec;
		spcl.c_mtime = dp->dp1.di_mtime;
		spcl.c_mtimensec = dp->dp1.di_mtimensec;
		spcl.c_birthtime = 0;
		spcl.c_birthtimensec = 0;
		spcl.c_rdev = dp->dp1.di_rdev;
		spcl.c_file_flags = dp->dp1.di_flags;
		spcl.c_uid = dp->dp1.di_uid;
		spcl.c_gid = dp->dp1.di_gid;
	} else {
		spcl.c_mode = dp->dp2.di_mode;
		spcl.c_size = dp->dp2.di_size;
		spcl.c_extsize = (int32_t)dp->dp2.di_extsize;
		spcl.c_atime = dp->dp2.di_atime;
		spcl.c_atimensec = dp->dp2.di_atimensec;
		spcl.c_mtime = dp->dp2.di_mtime;
		spcl.c_mtimensec = dp->dp2.di_mtimensec;
		spcl.c_birthtime = dp->dp2.di_birthtime;
		spcl.c_birthtimensec = dp->dp2.di_birthnsec;
		spcl.c_rdev = (int32_t)dp->dp2.di_rdev;
		spcl.c_file_flags = dp->dp2.di_flags;
		spcl.c_uid = dp->dp2.di_uid;
		spcl.c_gid = dp->dp2.di_gid;
	}
	spcl.c_type = TS_INODE;
	spcl.c_count = 0;
	switch (DIP(dp, di_mode) & IFMT) {
	case 0:
		/* Freed since pass I. */
		return;
	case IFLNK:
		if (DIP(dp, di_size) > 0 &&
		    DIP(dp, di_size) < (uint64_t)sblock->fs_maxsymlinklen) {
			spcl.c_addr[0] = 1;
			spcl.c_count = 1;
			writeheader(ino);
			/*
			 * dump leaves the rest of this record as its stack
			 * happens to be; zero it, so that two runs write
			 * the same bytes.
			 */
			memset(&linkrec, 0, sizeof(linkrec));
			memcpy(linkrec.dummy,
			    sblock->fs_magic == FS_UFS1_MAGIC ?
			    dp->dp1.di_shortlink : dp->dp2.di_shortlink,
			    (size_t)DIP(dp, di_size));
			writerec(linkrec.dummy, 0);
			return;
		}
		/* FALLTHROUGH */
	case IFDIR:
	case IFREG:
		if (DIP(dp, di_size) > 0)
			break;
		/* FALLTHROUGH */
	case IFIFO:
	case IFSOCK:
	case IFCHR:
	case IFBLK:
		writeheader(ino);
		return;
	default:
		msg("Warning: undefined file type 0%o\n",
		    (unsigned)(DIP(dp, di_mode) & IFMT));
		return;
	}

	if (DIP(dp, di_size) > (uint64_t)NDADDR * sblock->fs_bsize) {
		cnt = NDADDR * sblock->fs_frag;
		last = 0;
	} else {
		cnt = howmany(DIP(dp, di_size), sblock->fs_fsize);
		last = 1;
	}
	blksout(dp, fileblocks(ino, dp, 0, cnt), cnt, ino, last);
	/* The rest, an indirect block's worth at a time, as dmpindir(). */
	size = (int64_t)DIP(dp, di_size) - (int64_t)NDADDR * sblock->fs_bsize;
	for (lbn = NDADDR; size > 0; lbn += NINDIR(sblock)) {
		if (size > (int64_t)NINDIR(sblock) * sblock->fs_bsize) {
			cnt = NINDIR(sblock) * sblock->fs_frag;
			last = 0;
		} else {
			cnt = howmany(size, sblock->fs_fsize);
			last = 1;
		}
		size -= (int64_t)NINDIR(sblock) * sblock->fs_bsize;
		blksout(dp, fileblocks(ino, dp, lbn, cnt), cnt, ino, last);
	}
}
#else
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
#endif

/*
 * The source's block entries for frags fragments of the file from
 * logical block lbn.  blksout() reads as many entries as the fragments
 * take; a source that has fewer is wrong, and reading past its list
 * would dump whatever lies there.
 */
static src_daddr *
fileblocks(ino_t ino, src_dinode *dp, int64_t lbn, int frags)
{
	src_daddr *blks;
	long n;

	n = source->src_blocks(ino, dp, lbn, &blks);
	if (n < howmany(frags, sblock->fs_frag))
		quit("%s: inode %ju: %ld block entries from block %jd, "
		    "%d needed\n", source->src_name, (uintmax_t)ino, n,
		    (intmax_t)lbn, howmany(frags, sblock->fs_frag));
	return (blks);
}

#ifdef FREEBSD_ABI
/*
 * Dump frags fragments' worth of the file system blocks in blkp[], up to
 * TP_NINDIR tape records per header, as below; today's dump treats UFS2
 * in two ways of its own.  In the last piece of a file (last) it leaves
 * out the records of the last fragment that lie wholly past the end of
 * the file, which only a fragment larger than a record has; and after
 * each header's records it sets c_count to 0, which is what a TS_END
 * header written next then carries.
 */
static void
blksout(union dinode *dp, ufs2_daddr_t *blkp, int frags, ino_t ino, int last)
{
	ufs2_daddr_t *bp;
	int i, j, count, blks, resid, tbperdb, ufs2;

	ufs2 = sblock->fs_magic == FS_UFS2_MAGIC;
	blks = howmany(frags * sblock->fs_fsize, TP_BSIZE);
	if (ufs2 && last) {
		resid = howmany(fragoff(sblock, dp->dp2.di_size), TP_BSIZE);
		if (resid > 0)
			blks -= howmany(sblock->fs_fsize, TP_BSIZE) - resid;
	}
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
		if (ufs2)
			spcl.c_count = 0;
	}
}
#else
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
#endif

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
	spcl.c_magic = HEADER_MAGIC;
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
 * this too, each with the descriptor it opened itself.  Today's dump
 * calls it blkread() and gives 64-bit sector numbers.
 */
#ifdef FREEBSD_ABI
void
blkread(ufs2_daddr_t blkno, char *buf, int size)
#else
void
bread(daddr_t blkno, char *buf, int size)
#endif
{
	off_t off;
	ssize_t n;
	int done;

	if (size <= 0)
		return;
#ifdef FREEBSD_ABI
	/* The generator's -X: its block numbers lie GEN_WIDE further on. */
	if (gen_wide != 0 && blkno >= fsbtodb(sblock, gen_wide))
		blkno -= fsbtodb(sblock, gen_wide);
#endif
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

/*
 * Read len bytes at byte off of the disk, all of them or quit: the
 * metadata of a file system cannot be made up the way bread() makes up
 * an unreadable data block.
 */
void
readdisk(int64_t off, void *buf, size_t len, const char *what)
{
	ssize_t n;
	size_t done;

	for (done = 0; done < len; done += (size_t)n) {
		n = pread(diskfd, (char *)buf + done, len - done,
		    (off_t)(off + (int64_t)done));
		if (n < 0 && errno == EINTR) {
			n = 0;
			continue;
		}
		if (n < 0)
			quit("%s: cannot read %s at byte %jd: %s\n", disk,
			    what, (intmax_t)off, strerror(errno));
		if (n == 0)
			quit("%s: cannot read %s at byte %jd: the image ends "
			    "at byte %jd (truncated?)\n", disk, what,
			    (intmax_t)off, (intmax_t)(off + (int64_t)done));
	}
}
