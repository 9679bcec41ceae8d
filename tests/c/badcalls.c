/*
 * badcalls: a smallest "rest of dump" that makes the calls a careless
 * caller could make, one per run, so the tests can see that the library
 * refuses each through quit() with status 3 instead of crashing:
 *
 *	badcalls size		dumpblock() with a size not a multiple of 1024
 *	badcalls negative	dumpblock() with a negative size
 *	badcalls noalloc	writerec() before alloctape()
 *	badcalls nullrec	writerec(NULL, ...)
 *	badcalls rewrite	close_rewind() before any volume: dump's sig()
 *				in its first process, where no checkpoint
 *				waits to write a volume again
 *
 * Built twice: for the 1998 interface, and with -DFREEBSD_ABI for today's
 * FreeBSD one (its dump.h, blkread(), const strings, popenout).
 */
#include <sys/types.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <protocols/dumprestore.h>
#include <ufs/ufs/dinode.h>
#include <ufs/ffs/fs.h>

#include "dump.h"
#ifdef FREEBSD_ABI
#include "dumptape-freebsd.h"
#define	CONST	const
#else
#include "dumptape.h"
#define	CONST
#endif

char	*tape = "/dev/null";
char	*disk = "/dev/null";
char	*host;
int	diskfd = -1, pipeout;
int	density = 160, unlimited = 1, blockswritten, tapeno;
int	cartridge, ntrec = 10, dev_bshift = 9, tp_bshift = 10;
long	tsize, blocksperfile;
time_t	tstart_writing;
static struct fs fs;
struct fs *sblock = &fs;
#ifdef FREEBSD_ABI
char	*popenout;
#else
union u_spcl u_spcl;
int	tapefd = -1, newtape;
ino_t	curino;
long	asize;
#endif

static void
vmsg(const char *fmt, va_list ap)
{
	fprintf(stderr, "  DUMP: ");
	vfprintf(stderr, fmt, ap);
	fflush(stderr);
}

void
msg(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
}

void
quit(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
	dumpabort(0);
}

void
broadcast(CONST char *message)
{
	(void)message;
}

int
query(CONST char *question)
{
	msg("%s (\"yes\" or \"no\") no\n", question);
	return (0);
}

void
timeest(void)
{
}

void
writeheader(ino_t ino)
{
	spcl.c_inumber = (int32_t)ino;
	writerec((char *)&u_spcl, 1);
}

#ifdef FREEBSD_ABI
void
blkread(ufs2_daddr_t blkno, char *buf, int size)
{
	(void)blkno;
	memset(buf, 0, (size_t)size);
}

void
infosch(int signo)
{
	(void)signo;
}

void
setproctitle(const char *fmt, ...)
{
	(void)fmt;
}
#else
void
bread(daddr_t blkno, char *buf, int size)
{
	(void)blkno;
	memset(buf, 0, (size_t)size);
}
#endif

#ifdef RDUMP
int
rmtopen(CONST char *name, int mode)
{
	(void)name;
	(void)mode;
	return (-1);
}

int
rmtwrite(CONST char *buf, int count)
{
	(void)buf;
	(void)count;
	return (-1);
}

void
rmtclose(void)
{
}
#endif

int
main(int argc, char *argv[])
{
	const char *what;

	if (argc != 2) {
		fprintf(stderr,
		    "usage: badcalls size|negative|noalloc|nullrec|rewrite\n");
		return (1);
	}
	what = argv[1];
	fs.fs_fsbtodb = 1;
	if (strcmp(what, "noalloc") == 0) {
		writerec((char *)&u_spcl, 1);
		return (0);
	}
	if (!alloctape())
		quit("can't allocate tape buffers\n");
	if (strcmp(what, "nullrec") == 0)
		writerec(NULL, 1);
	else if (strcmp(what, "size") == 0)
		dumpblock(16, 1000);
	else if (strcmp(what, "negative") == 0)
		dumpblock(16, -1024);
	else if (strcmp(what, "rewrite") == 0) {
		close_rewind();
		/* dump's sig() goes on to exit X_REWRITE. */
		exit(X_REWRITE);
	}
	/* Reaching here means the library let the call through. */
	return (0);
}
