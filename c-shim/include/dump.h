/*
 * What the parts of dump share: its globals and the functions of each
 * part, in the shape the 4.4BSD/FreeBSD sources of the 1990s expect.
 * tape.c (or libdumptape in its place) is compiled against this header;
 * so is the stand-in for the rest of dump in c-shim/minidump.
 *
 * The old header defined its globals here, relying on common symbols;
 * today's compilers make that a multiple definition, so this one only
 * declares them and the rest of dump defines each once.
 *
 * daddr_t, u_int and ino_t are the host's: on glibc they need the BSD
 * names visible (the default, or _DEFAULT_SOURCE with a strict -std).
 */
#ifndef _DUMP_H_
#define	_DUMP_H_

#include <sys/types.h>
#include <sys/param.h>

#include <stdint.h>
#include <time.h>

#ifdef __has_include
#if __has_include(<sys/cdefs.h>)
#include <sys/cdefs.h>
#endif
#endif

/* Old prototype macro, noreturn and format checking, where missing. */
#ifndef __P
#define	__P(protos)	protos
#endif
#ifndef __dead2
#define	__dead2		__attribute__((__noreturn__))
#endif
#ifndef __printflike
#define	__printflike(fmtarg, firstvararg) \
	__attribute__((__format__(__printf__, fmtarg, firstvararg)))
#endif
#ifndef NBBY
#define	NBBY		8
#endif
#ifndef MAXBSIZE
#define	MAXBSIZE	65536
#endif

struct dinode;
struct fs;

#define	MAXINOPB	(MAXBSIZE / sizeof(struct dinode))
#define	MAXNINDIR	(MAXBSIZE / sizeof(int32_t))

/*
 * The inode maps: a bit per inode, inode 1 in bit 0 of byte 0.
 */
extern int	mapsize;	/* bytes in each map */
extern char	*usedinomap;	/* inodes in use */
extern char	*dumpdirmap;	/* directories to dump */
extern char	*dumpinomap;	/* inodes to dump */

#define	SETINO(ino, map) \
	map[(u_int)((ino) - 1) / NBBY] |= 1 << ((u_int)((ino) - 1) % NBBY)
#define	CLRINO(ino, map) \
	map[(u_int)((ino) - 1) / NBBY] &= ~(1 << ((u_int)((ino) - 1) % NBBY))
#define	TSTINO(ino, map) \
	(map[(u_int)((ino) - 1) / NBBY] & (1 << ((u_int)((ino) - 1) % NBBY)))

/*
 * Lengths of tape are in tenths of an inch.
 */
extern char	*disk;		/* the file system being dumped */
extern char	*tape;		/* the output, or a comma-separated list */
extern char	*host;		/* remote tape host, or NULL */
extern char	*dumpdates;	/* the dumpdates file */
extern char	*temp;		/* its temporary copy */
extern char	lastlevel;	/* level of the previous dump */
extern char	level;		/* level of this dump */
extern int	uflag;		/* update dumpdates */
extern int	diskfd;		/* descriptor of disk */
extern int	tapefd;		/* descriptor of the volume */
extern int	pipeout;	/* writing to standard output */
extern ino_t	curino;		/* the inode being dumped */
extern int	newtape;	/* a volume began: dump the TS_BITS map */
extern int	density;	/* bytes per tenth of an inch */
extern long	tapesize;	/* estimated tape records */
extern long	tsize;		/* tape length, tenths of an inch */
extern long	asize;		/* tenths of an inch used on this volume */
extern int	etapes;		/* estimated volumes */
extern int	nonodump;	/* ignore the nodump flag */
extern int	unlimited;	/* write until the end of the medium */

extern int	notify;		/* tell the operators */
extern int	blockswritten;	/* records written on all volumes */
extern int	tapeno;		/* current volume number */
extern time_t	tstart_writing;	/* when the first record was written */
extern struct fs *sblock;	/* the super block */
extern char	sblock_buf[MAXBSIZE];
extern long	dev_bsize;	/* sector size of the disk */
extern int	dev_bshift;	/* log2(dev_bsize) */
extern int	tp_bshift;	/* log2(TP_BSIZE) */
extern long	blocksperfile;	/* records per volume, 0: by length */
extern int	ntrec;		/* records per tape block */
extern int	cartridge;	/* cartridge tape, not 9-track */
extern ino_t	maxino;		/* inodes in the file system */

/* operator interface functions */
void	broadcast __P((char *message));
void	lastdump __P((int arg));
void	msg __P((const char *fmt, ...)) __printflike(1, 2);
void	msgtail __P((const char *fmt, ...)) __printflike(1, 2);
int	query __P((char *question));
void	quit __P((const char *fmt, ...)) __printflike(1, 2) __dead2;
void	set_operators __P((void));
void	timeest __P((void));
time_t	unctime __P((char *str));

/* mapping routines */
long	blockest __P((struct dinode *dp));
int	mapfiles __P((ino_t maxino, long *tapesize));
int	mapdirs __P((ino_t maxino, long *tapesize));

/* file dumping routines */
void	blksout __P((int32_t *blkp, int frags, ino_t ino));
void	bread __P((daddr_t blkno, char *buf, int size));
void	dumpino __P((struct dinode *dp, ino_t ino));
void	dumpmap __P((char *map, int type, ino_t ino));
void	writeheader __P((ino_t ino));

/* tape writing routines */
int	alloctape __P((void));
void	close_rewind __P((void));
void	dumpblock __P((daddr_t blkno, int size));
void	startnewtape __P((int top));
void	trewind __P((void));
void	writerec __P((char *dp, int isspcl));

void	Exit __P((int status)) __dead2;
void	dumpabort __P((int signo)) __dead2;
void	getfstab __P((void));

char	*rawname __P((char *cp));
struct	dinode *getino __P((ino_t inum));

/* rdump routines */
#ifdef RDUMP
void	rmtclose __P((void));
int	rmthost __P((char *host));
int	rmtopen __P((char *tape, int mode));
int	rmtwrite __P((char *buf, int count));
#endif /* RDUMP */

void	interrupt __P((int signo));	/* the operator hit ^C */
void	sig __P((int signo));

/*
 * Exit statuses.  A checkpoint process reads them from the process that
 * wrote the volume: X_REWRITE asks it to start the volume over.
 */
#define	X_FINOK		0	/* done */
#define	X_STARTUP	1	/* bad arguments, nothing was written */
#define	X_REWRITE	2	/* write this volume again */
#define	X_ABORT		3	/* give up, no checkpoint */

#define	OPGRENT		"operator"	/* group of the operators */
#define	DIALUP		"ttyd"		/* prefix of dial-up lines */

#endif /* !_DUMP_H_ */
