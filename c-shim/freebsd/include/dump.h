/*
 * What the parts of today's FreeBSD dump share: the globals and the
 * functions that tape.c (or libdumptape built for this ABI) and the rest
 * of dump take from each other.  The stand-in for the rest of dump,
 * c-shim/minidump built with -DFREEBSD_ABI, is compiled against it.
 *
 * Compared with the 1998 interface (c-shim/include/dump.h): tape.c now
 * defines curino, newtape and the header u_spcl itself and keeps its
 * descriptor and tape length to itself; it reads the disk with blkread()
 * and 64-bit block numbers; it writes each volume through popen(3) when
 * popenout is set (-P); it installs infosch() for SIGINFO; the operator
 * functions take const strings.  Each global is defined once, by the
 * part of dump named beside it.
 */
#ifndef _DUMP_H_
#define	_DUMP_H_

#include <sys/types.h>
#include <sys/param.h>

#include <limits.h>
#include <stdint.h>
#include <time.h>

#include <fbsd_compat.h>
#include <ufs/ufs/dinode.h>

union dinode;
struct fs;

/*
 * The inode maps: a bit per inode, inode 1 in bit 0 of byte 0.
 */
extern int	mapsize;	/* bytes in each map */
extern char	*usedinomap;	/* inodes in use */
extern char	*dumpdirmap;	/* directories to dump */
extern char	*dumpinomap;	/* inodes to dump */

#define	SETINO(ino, map) \
	map[(u_int)((ino) - 1) / CHAR_BIT] |= \
	    1 << ((u_int)((ino) - 1) % CHAR_BIT)
#define	CLRINO(ino, map) \
	map[(u_int)((ino) - 1) / CHAR_BIT] &= \
	    ~(1 << ((u_int)((ino) - 1) % CHAR_BIT))
#define	TSTINO(ino, map) \
	(map[(u_int)((ino) - 1) / CHAR_BIT] & \
	    (1 << ((u_int)((ino) - 1) % CHAR_BIT)))

/*
 * Defined by the rest of dump (main.c).  Lengths of tape are in tenths
 * of an inch.
 */
extern char	*disk;		/* the file system being dumped */
extern char	*tape;		/* the output, or a comma-separated list */
extern char	*popenout;	/* -P: a command that takes each volume */
extern char	*host;		/* remote tape host, or NULL */
extern int	level;		/* level of this dump */
extern int	lastlevel;	/* level of the previous one */
extern int	diskfd;		/* descriptor of disk */
extern int	pipeout;	/* writing to standard output */
extern int	density;	/* bytes per tenth of an inch */
extern long	tapesize;	/* estimated tape records */
extern long	tsize;		/* tape length, tenths of an inch */
extern int	etapes;		/* estimated volumes */
extern int	nonodump;	/* ignore the nodump flag */
extern int	unlimited;	/* write until the end of the medium */
extern int	notify;		/* tell the operators */
extern int	blockswritten;	/* records written on all volumes */
extern int	tapeno;		/* current volume number */
extern int	ntrec;		/* records per tape block */
extern long	blocksperfile;	/* records per volume, 0: by length */
extern int	cartridge;	/* cartridge tape, not 9-track */
extern time_t	tstart_writing;	/* when the first record was written */
extern time_t	tend_writing;	/* when the last one was */
extern int	passno;		/* the pass dump is in, 1 to 4 */
extern struct fs *sblock;	/* the super block */
extern long	dev_bsize;	/* sector size of the disk */
extern int	dev_bshift;	/* log2(dev_bsize) */
extern int	tp_bshift;	/* log2(TP_BSIZE) */

/* Defined by tape.c. */
extern ino_t	curino;		/* the inode being dumped */
extern int	newtape;	/* a volume began: dump the TS_BITS map */

/* operator interface functions (optr.c) */
void	broadcast(const char *message);
void	infosch(int signo);
void	msg(const char *fmt, ...) __printflike(1, 2);
void	msgtail(const char *fmt, ...) __printflike(1, 2);
int	query(const char *question);
void	quit(const char *fmt, ...) __printflike(1, 2) __dead2;
void	timeest(void);

/* mapping routines (traverse.c) */
int	mapfiles(ino_t maxino, long *tapesize);
int	mapdirs(ino_t maxino, long *tapesize);

/* file dumping routines (traverse.c) */
void	blkread(ufs2_daddr_t blkno, char *buf, int size);
void	dumpino(union dinode *dp, ino_t ino);
void	dumpmap(char *map, int type, ino_t ino);
void	writeheader(ino_t ino);
union	dinode *getino(ino_t inum, int *modep);

/* tape writing routines (tape.c) */
int	alloctape(void);
void	close_rewind(void);
void	dumpblock(ufs2_daddr_t blkno, int size);
void	startnewtape(int top);
void	trewind(void);
void	writerec(char *dp, int isspcl);
void	Exit(int status) __dead2;
void	dumpabort(int signo) __dead2;

/* remote tapes (dumprmt.c) */
#ifdef RDUMP
void	rmtclose(void);
int	rmthost(const char *host);
int	rmtopen(const char *tape, int mode);
int	rmtwrite(const char *buf, int count);
#endif /* RDUMP */

void	interrupt(int signo);	/* the operator hit ^C */
void	sig(int signo);		/* hangup and the like: rewrite the volume */

/*
 * Exit statuses.  A checkpoint process reads them from the process that
 * wrote the volume: X_REWRITE asks it to start the volume over.
 */
#define	X_FINOK		0	/* done */
#define	X_STARTUP	1	/* bad arguments, nothing was written */
#define	X_REWRITE	2	/* write this volume again */
#define	X_ABORT		3	/* give up, no checkpoint */

#define	OPGRENT		"operator"	/* group of the operators */

#endif /* !_DUMP_H_ */
