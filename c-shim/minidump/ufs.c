/*
 * A UFS1 file system image as the source of minidump (not written yet).
 *
 * minidump picks this source when the disk holds a UFS1 super block,
 * that is FS_MAGIC at its place in the block at SBOFF, in either byte
 * order.  Until the reader exists, such a disk ends the dump at once.
 */
#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>
#include <unistd.h>

#include <ufs/ufs/dinode.h>
#include <ufs/ffs/fs.h>

#include "dump.h"
#include "minidump.h"

static void		ufs_open(void);
static struct dinode	*ufs_inode(ino_t);
static long		ufs_blocks(ino_t, struct dinode *, ufs_daddr_t **);

const struct source ufs_source = {
	"UFS1 image", ufs_open, ufs_inode, ufs_blocks
};

static uint32_t
swap32(uint32_t x)
{

	return ((x >> 24) | ((x >> 8) & 0xff00) | ((x << 8) & 0xff0000) |
	    (x << 24));
}

int
ufs_probe(int fd)
{
	uint32_t magic;

	if (pread(fd, &magic, sizeof(magic),
	    SBOFF + offsetof(struct fs, fs_magic)) != sizeof(magic))
		return (0);
	return (magic == FS_MAGIC || swap32(magic) == FS_MAGIC);
}

static void
ufs_open(void)
{

	quit("UFS images not supported yet\n");
}

static struct dinode *
ufs_inode(ino_t ino)
{
	static struct dinode none;

	(void)ino;
	return (&none);
}

static long
ufs_blocks(ino_t ino, struct dinode *dp, ufs_daddr_t **blkp)
{

	(void)ino;
	*blkp = dp->di_db;
	return (0);
}
