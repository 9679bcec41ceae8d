/*
 * Between image.c and the reader of UFS images it serves: ufs.c for the
 * 1998 interface (UFS1 under the old headers), ffs.c for today's (UFS1
 * and UFS2 under FreeBSD's).  image.c checks and walks what the two
 * versions of UFS lay out alike; the reader finds the super block, checks
 * what only its version has, and says where each block of inodes is.
 *
 * A reader's open routine calls, in this order: imagesize(), then its
 * own search for the super block; checksizes(), checkperblock(),
 * checkgroups() and checklayout() from its check of the super block,
 * with what only it checks in between; then, once sblock is set,
 * imagesetup().
 */
#ifndef _IMAGE_H_
#define	_IMAGE_H_

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

/* Set by the reader. */
extern struct fs	*fs;		/* the super block */
extern const char	*fskind;	/* "UFS1", "UFS2": for messages */
extern int64_t		imgsize;	/* bytes in the image, -1: unknown */
extern int64_t		fsfrags;	/* fragments in the file system */
/* Set by checkperblock() and checkgroups(). */
extern int64_t		nindir;		/* block pointers per block */
extern size_t		inosize;	/* bytes of an on-disk inode */
extern ino_t		ninodes;	/* fs_ncg * fs_ipg */
extern int64_t		inoblks;	/* blocks of inodes in each cg */

void	badsb(const char *, ...) __printflike(1, 2) __dead2;
void	badino(ino_t, const char *, ...) __printflike(2, 3) __dead2;
uint32_t swap32(uint32_t);
int64_t	imagesize(const char *, int);
void	checksizes(void);
void	checkperblock(size_t, size_t);
void	checkgroups(void);
void	checklayout(int64_t);
void	checkfile(ino_t, src_dinode *);
void	imagesetup(void);
src_dinode *getinode(ino_t);
long	blockptrs(ino_t, src_dinode *, int64_t, src_daddr **);

/* What the reader gives image.c. */
int64_t	inoblock(ino_t);
void	checkino(ino_t, src_dinode *);

#endif /* !_IMAGE_H_ */
