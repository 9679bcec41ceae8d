/*
 * replay: the rest of dump reduced to a script of the calls traverse.c
 * makes of tape.c, for a test that replays the same script through the
 * library's C interface (this program) and its Rust interface
 * (examples/replay.rs), and compares what both write.
 *
 *	replay -b ntrec [-B records] [-D date] -f names disk script
 *
 * -D gives c_date, in seconds.  The script has one call a line:
 *
 *	map TYPE N		a TS_CLRI or TS_BITS header, then its N records
 *	file INO TYPE COUNT BITS
 *				a TS_INODE or TS_ADDR header for inode INO,
 *				c_addr from BITS (a string of 0 and 1)
 *	block FRAG SIZE		dumpblock(FRAG, SIZE)
 *	end N			N TS_END headers
 *
 * Disk data comes from the file disk, in 512-byte sectors, with 1 KB
 * fragments (fs_fsbtodb 1).  Every question is answered yes.
 */
#include <sys/types.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <protocols/dumprestore.h>
#include <ufs/ufs/dinode.h>
#include <ufs/ffs/fs.h>

#include "dump.h"
#include "dumptape.h"

#define	MAXINO	1000

union u_spcl u_spcl;
char	*tape;
char	*disk;
char	*host;
int	tapefd = -1, diskfd = -1, pipeout;
ino_t	curino;
int	newtape, density, unlimited = 1, blockswritten, tapeno;
int	cartridge, ntrec = 10, dev_bshift = 9, tp_bshift = 10;
long	tsize, asize, blocksperfile;
time_t	tstart_writing;
static struct fs fs;
struct fs *sblock = &fs;

static void
vmsg(const char *fmt, va_list ap)
{
	char buf[1024];

	(void)vsnprintf(buf, sizeof(buf), fmt, ap);
	(void)fprintf(stderr, "  DUMP: %s", buf);
	(void)fflush(stderr);
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
broadcast(char *message)
{
	size_t len;

	len = strlen(message);
	while (len > 0 && (message[len - 1] == '\n' || message[len - 1] == '\7'))
		len--;
	(void)fprintf(stderr, "  DUMP: [broadcast] %.*s\n", (int)len, message);
}

int
query(char *question)
{

	(void)fprintf(stderr, "  DUMP: %s: (\"yes\" or \"no\") yes\n", question);
	return (1);
}

void
timeest(void)
{
}

void
writeheader(ino_t ino)
{
	uint32_t sum, word;
	size_t i;

	spcl.c_inumber = (int32_t)ino;
	spcl.c_magic = NFS_MAGIC;
	spcl.c_checksum = 0;
	sum = 0;
	for (i = 0; i < sizeof(u_spcl); i += sizeof(word)) {
		memcpy(&word, (char *)&u_spcl + i, sizeof(word));
		sum += word;
	}
	spcl.c_checksum = (int32_t)((uint32_t)CHECKSUM - sum);
	writerec((char *)&u_spcl, 1);
}

void
bread(daddr_t blkno, char *buf, int size)
{
	ssize_t n;
	int done;

	memset(buf, 0, (size_t)size);
	for (done = 0; done < size; done += (int)n) {
		n = pread(diskfd, buf + done, (size_t)(size - done),
		    ((off_t)blkno << dev_bshift) + done);
		if (n < 0 && errno == EINTR) {
			n = 0;
			continue;
		}
		if (n <= 0)
			break;
	}
}

#ifdef RDUMP
int
rmtopen(char *name, int mode)
{
	(void)name;
	(void)mode;
	return (-1);
}

int
rmtwrite(char *buf, int count)
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

static void
usage(void)
{

	(void)fprintf(stderr,
	    "usage: replay -b ntrec [-B records] [-D date] -f names disk script\n");
	exit(X_STARTUP);
}

/* One map record: its number, then zeros. */
static void
maprecord(long k)
{
	char rec[TP_BSIZE];
	uint32_t n;

	memset(rec, 0, sizeof(rec));
	n = (uint32_t)k;
	memcpy(rec, &n, sizeof(n));
	writerec(rec, 0);
}

static void
play(FILE *script)
{
	char line[1024], bits[TP_NINDIR + 2];
	long a, b, c, i;

	while (fgets(line, sizeof(line), script) != NULL) {
		if (line[0] == '#' || line[0] == '\n')
			continue;
		if (sscanf(line, "map %ld %ld", &a, &b) == 2) {
			spcl.c_type = (int32_t)a;
			spcl.c_count = (int32_t)b;
			memset(spcl.c_addr, 0, sizeof(spcl.c_addr));
			writeheader(MAXINO);
			for (i = 0; i < b; i++)
				maprecord(i);
		} else if (sscanf(line, "file %ld %ld %ld %513s", &a, &b, &c,
		    bits) == 4) {
			curino = (ino_t)a;
			spcl.c_type = (int32_t)b;
			spcl.c_count = (int32_t)c;
			memset(spcl.c_addr, 0, sizeof(spcl.c_addr));
			for (i = 0; i < TP_NINDIR && bits[i] != '\0'; i++)
				spcl.c_addr[i] = bits[i] == '1';
			writeheader((ino_t)a);
		} else if (sscanf(line, "block %ld %ld", &a, &b) == 2)
			dumpblock((daddr_t)a, (int)b);
		else if (sscanf(line, "end %ld", &a) == 1) {
			spcl.c_type = TS_END;
			for (i = 0; i < a; i++)
				writeheader(MAXINO);
		} else
			errx(X_STARTUP, "bad script line: %s", line);
	}
}

int
main(int argc, char *argv[])
{
	FILE *script;
	int ch;

	while ((ch = getopt(argc, argv, "B:b:D:f:")) != -1)
		switch (ch) {
		case 'D':
			spcl.c_date = (int32_t)atol(optarg);
			break;
		case 'B':
			blocksperfile = atol(optarg);
			unlimited = 0;
			break;
		case 'b':
			ntrec = atoi(optarg);
			break;
		case 'f':
			tape = optarg;
			break;
		default:
			usage();
		}
	argc -= optind;
	argv += optind;
	if (argc != 2 || tape == NULL)
		usage();
	disk = argv[0];
	if ((diskfd = open(disk, O_RDONLY)) < 0)
		err(X_STARTUP, "%s", disk);
	if ((script = fopen(argv[1], "r")) == NULL)
		err(X_STARTUP, "%s", argv[1]);
	fs.fs_fsbtodb = 1;
	if (!alloctape())
		quit("can't allocate tape buffers\n");
	startnewtape(1);
	play(script);
	trewind();
	msg("DUMP IS DONE\n");
	Exit(X_FINOK);
}
