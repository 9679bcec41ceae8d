/*
 * minidump: the main program of dump around tape.c, reduced to a level 0
 * dump of one source (see minidump.h).  It defines the globals dump
 * shares with tape.c and makes tape.c's calls in the order dump's main()
 * makes them, with the same options, defaults and messages: those of the
 * dump of the 1990s, or with FREEBSD_ABI those of today's FreeBSD dump
 * (-P, 64-bit dates, the UFS2 header).
 *
 * Environment:
 *	SOURCE_DATE_EPOCH	the date of the dump, instead of now
 *	DUMPTAPE_HOST		the host name written in the headers
 *	DUMPTAPE_ANSWERS	a file of answers to questions (optr.c)
 *	TAPE			the output when there is no -f
 *	DUMPTAPE_RMT		the tape server for -f host:file (rmt.c)
 */
#include <sys/types.h>
#include <sys/param.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <ufs/ufs/dinode.h>
#include <ufs/ffs/fs.h>
#include <protocols/dumprestore.h>

#include "dump.h"
#include "pathnames.h"
#include "minidump.h"

/* Limits of the generator's options, to keep its tables in memory. */
#define	GEN_MAXINODES	1000000L
#define	GEN_MAXKB	4194304L	/* 4 GB files */

/*
 * What tape.c takes from the rest of dump.
 * Today's tape.c defines the header, curino and newtape itself and keeps
 * its descriptor and tape used to itself.
 */
#ifndef FREEBSD_ABI
union u_spcl u_spcl;		/* the header being built: spcl */
#endif
char	*tape;			/* output file, or a list a,b,c */
char	*disk;			/* the file system */
char	*host;			/* remote tape host (RDUMP) */
#ifdef FREEBSD_ABI
char	*popenout;		/* -P: the command each volume goes to */
#else
int	tapefd = -1;		/* the open volume */
#endif
int	diskfd = -1;		/* the open disk */
int	pipeout;		/* -f -: the dump goes to stdout */
#ifndef FREEBSD_ABI
ino_t	curino;			/* inode being dumped */
int	newtape;		/* set by startnewtape(1): dump TS_BITS */
#endif
int	density;		/* bytes per tenth of an inch */
long	tsize;			/* tape length, tenths of an inch */
#ifndef FREEBSD_ABI
long	asize;			/* tape used on this volume */
#endif
int	unlimited;		/* -a: to the end of the medium */
int	blockswritten;		/* records written so far */
int	tapeno;			/* volume number */
time_t	tstart_writing;		/* when writing began */
struct	fs *sblock;		/* super block of the source */
int	dev_bshift;		/* log2(dev_bsize) */
int	tp_bshift;		/* log2(TP_BSIZE) */
long	blocksperfile;		/* -B, rounded to whole tape blocks */
int	ntrec = NTREC;		/* -b: records per tape block */
int	cartridge;		/* -c */

/*
 * The rest of dump's globals that minidump uses.
 */
long	dev_bsize = 1;		/* sector size, from the super block */
long	tapesize;		/* estimated records */
int	etapes;			/* estimated volumes */
int	nonodump;		/* ignore the nodump flag */
ino_t	maxino;			/* inodes in the file system */
int	mapsize;		/* bytes of each inode map */
char	*usedinomap;		/* inodes in use: TS_CLRI */
char	*dumpdirmap;		/* directories to dump */
char	*dumpinomap;		/* inodes to dump: TS_BITS */
#ifdef FREEBSD_ABI
int	level;			/* always a full dump, 0 */
int	lastlevel;
int	passno;			/* the pass, for setproctitle() */
time_t	tend_writing;		/* when the last record was written */
#else
char	level = '0';		/* always a full dump */
char	lastlevel;
#endif
_Alignas(8) char sblock_buf[MAXBSIZE];	/* holds a struct fs */

const struct source *source;

static int	sdeset;		/* the date came from SOURCE_DATE_EPOCH */
static int	genflag;	/* -G, -M, -N or -S: the generator */
#ifdef FREEBSD_ABI
/*
 * -R: the number of the first record (c_tapea), so that a dump of a few
 * megabytes has records numbered past 2^31 as a dump of two terabytes
 * would.
 */
static int64_t	firstrecord;
#endif

/* The dump's dates: 32 bits on the 1998 tape, 64 on today's. */
#ifdef FREEBSD_ABI
typedef int64_t	dumpdate_t;
#else
typedef int32_t	dumpdate_t;
#endif

static void	setdate(void);
static const char *datestr(dumpdate_t);
static void	sethost(void);
static void	setlabel(const char *);
static long	numarg(const char *, long, long);
static int	intarg(const char *);
static unsigned long long seedarg(const char *);
static void	estimate(void);
static void	usage(void) __dead2;
#ifdef FREEBSD_ABI
static void	pfconflict(void) __dead2;
static int64_t	recordarg(const char *);
#define	GETOPT_STRING	"0aB:b:cd:f:GL:M:N:P:R:S:s:X"
#else
#define	GETOPT_STRING	"0aB:b:cd:f:GL:M:N:S:s:"
#endif

int
main(int argc, char *argv[])
{
	const char *label;
	int ch, i, anydirskipped, bflag;

	setdate();
	tsize = 0;	/* default below, from -c */
	tape = NULL;
	label = "none";
	bflag = 0;

	while ((ch = getopt(argc, argv, GETOPT_STRING)) != -1)
		switch (ch) {
		case '0':		/* the only level there is */
#ifdef FREEBSD_ABI
			level = 0;
#else
			level = ch;
#endif
			break;
		case 'a':		/* write until the end of the medium */
			unlimited = 1;
			break;
		case 'B':		/* records per volume */
			blocksperfile = numarg("number of blocks per file",
			    1L, 0L);
			break;
		case 'b':
			/*
			 * Records per tape block.  dump allows 1 to 1000;
			 * minidump passes any number on, so that tests can
			 * see tape.c (or the library) refuse a bad one.
			 */
			ntrec = intarg("number of blocks per write");
			bflag = 1;
			break;
		case 'c':		/* cartridge, not 9-track */
			cartridge = 1;
			break;
		case 'd':		/* density in bits per inch */
			density = numarg("density", 10L, 327670L) / 10;
			if (density >= 625 && !bflag)
				ntrec = HIGHDENSITYTREC;
			break;
		case 'f':
#ifdef FREEBSD_ABI
			if (popenout != NULL)
				pfconflict();
#endif
			tape = optarg;
			break;
		case 'L':
			label = optarg;
			break;
		case 'G':		/* a generated file system */
			genflag = 1;
			break;
		case 'M':		/* generator: largest file, KB */
			genflag = 1;
			gen_maxkb = numarg("maximum file size", 0L, GEN_MAXKB);
			break;
		case 'N':		/* generator: inodes */
			genflag = 1;
			gen_ninodes = numarg("number of inodes", 1L,
			    GEN_MAXINODES);
			break;
#ifdef FREEBSD_ABI
		case 'P':		/* a pipeline per volume */
			if (tape != NULL)
				pfconflict();
			popenout = optarg;
			break;
		case 'X':		/* generator: block numbers past 2^33 */
			genflag = 1;
			gen_wide = GEN_WIDE;
			break;
		case 'R':		/* the first record's number */
			firstrecord = recordarg(optarg);
			break;
#endif
		case 'S':		/* generator: seed */
			genflag = 1;
			gen_seed = seedarg(optarg);
			break;
		case 's':		/* tape length in feet */
			tsize = numarg("tape size", 1L, 0L) * 12 * 10;
			break;
		default:
			usage();
		}
	argc -= optind;
	argv += optind;

	if (argc < 1) {
		(void)fprintf(stderr, "Must specify disk or file system\n");
		usage();
	}
	disk = *argv++;
	argc--;
	if (argc >= 1) {
		(void)fprintf(stderr, "Unknown arguments to dump:");
		while (argc--)
			(void)fprintf(stderr, " %s", *argv++);
		(void)fprintf(stderr, "\n");
		exit(X_STARTUP);
	}
#ifdef FREEBSD_ABI
	if (popenout != NULL)
		tape = "child pipeline process";
	else
#endif
	if (tape == NULL && (tape = getenv("TAPE")) == NULL)
		tape = _PATH_DEFTAPE;
	if (strcmp(tape, "-") == 0) {
		pipeout++;
		tape = "standard output";
	}

	/*
	 * Volume size: by record count (-B) in whole tape blocks, or by
	 * tape length and density, defaulting to a 2300-foot 1600 bpi
	 * 9-track tape or a 1700-foot cartridge.  dump divides by ntrec
	 * unchecked and, when -B rounds down to 0, leaves density 0 for
	 * tape.c to divide by: minidump guards both, so that a bad -b
	 * reaches alloctape().
	 */
	if (blocksperfile && ntrec > 0)
		blocksperfile = blocksperfile / ntrec * ntrec;
	if (blocksperfile == 0 && !unlimited) {
		if (density == 0)
			density = cartridge ? 100 : 160;
		if (tsize == 0)
			tsize = cartridge ? 1700L * 120L : 2300L * 120L;
	}

	if (strchr(tape, ':') != NULL) {
		host = tape;
		tape = strchr(host, ':');
		*tape++ = '\0';
#ifdef RDUMP
		/* rmt(8) ends each argument with a newline. */
		if (strchr(tape, '\n') != NULL) {
			(void)fprintf(stderr, "invalid characters in tape\n");
			exit(X_STARTUP);
		}
		if (rmthost(host) == 0)
			exit(X_STARTUP);
#else
		(void)fprintf(stderr, "remote dump not enabled\n");
		exit(X_STARTUP);
#endif
	}

	/* Before anything forks: every process must share the answers. */
	answers_open();

	if (signal(SIGHUP, SIG_IGN) != SIG_IGN)
		(void)signal(SIGHUP, sig);
	if (signal(SIGTRAP, SIG_IGN) != SIG_IGN)
		(void)signal(SIGTRAP, sig);
	if (signal(SIGFPE, SIG_IGN) != SIG_IGN)
		(void)signal(SIGFPE, sig);
	if (signal(SIGBUS, SIG_IGN) != SIG_IGN)
		(void)signal(SIGBUS, sig);
	if (signal(SIGSEGV, SIG_IGN) != SIG_IGN)
		(void)signal(SIGSEGV, sig);
	if (signal(SIGTERM, SIG_IGN) != SIG_IGN)
		(void)signal(SIGTERM, sig);
	if (signal(SIGINT, interrupt) == SIG_IGN)
		(void)signal(SIGINT, SIG_IGN);
#ifdef FREEBSD_ABI
	/*
	 * A BSD process ignores SIGINFO unless it asks for it, as tape.c
	 * does in each volume's process; SIGPWR, standing in for it here
	 * (fbsd_compat.h), would end every other process of the dump.
	 */
	(void)signal(SIGINFO, SIG_IGN);
#endif

	/* No fstab here: the disk is always an unlisted file system. */
	(void)strncpy(spcl.c_dev, disk, NAMELEN - 1);
	(void)strncpy(spcl.c_filesys, "an unlisted file system", NAMELEN - 1);
	setlabel(label);
	sethost();
#ifdef FREEBSD_ABI
	spcl.c_level = level;
#else
	spcl.c_level = level - '0';
#endif
	spcl.c_type = TS_TAPE;
#ifdef FREEBSD_ABI
	spcl.c_tapea = firstrecord;
#endif
	/* A level 0 dump follows no other dump. */
#ifdef FREEBSD_ABI
	lastlevel = 0;
#else
	lastlevel = '0';
#endif
	spcl.c_ddate = 0;

#ifdef FREEBSD_ABI
	msg("Date of this level %d dump: %s", level, datestr(spcl.c_date));
	msg("Date of last level %d dump: %s", lastlevel,
	    datestr(spcl.c_ddate));
#else
	msg("Date of this level %c dump: %s", level, datestr(spcl.c_date));
	msg("Date of last level %c dump: %s", lastlevel,
	    datestr(spcl.c_ddate));
#endif
	msg("Dumping %s ", disk);
	if (host)
		msgtail("to %s on host %s\n", tape, host);
	else
		msgtail("to %s\n", tape);

	if ((diskfd = open(disk, O_RDONLY)) < 0) {
		msg("Cannot open %s\n", disk);
		exit(X_ABORT);
	}
	/*
	 * The generator only when asked for: a disk that is not the UFS1
	 * file system it was meant to be must be an error, not a dump of
	 * some invented one.
	 */
	source = genflag ? &gen_source : &ufs_source;
	source->src_open();
	dev_bsize = sblock->fs_fsize / fsbtodb(sblock, 1);
	dev_bshift = ffs((int)dev_bsize) - 1;
	if (dev_bsize != (1 << dev_bshift))
		quit("dev_bsize (%ld) is not a power of 2\n", dev_bsize);
	tp_bshift = ffs(TP_BSIZE) - 1;
#ifndef FREEBSD_ABI
	/* Today's dump leaves c_flags alone: the magic tells the format. */
	if (sblock->fs_inodefmt >= FS_44INODEFMT)
		spcl.c_flags |= DR_NEWINODEFMT;
#endif
	maxino = (ino_t)sblock->fs_ipg * sblock->fs_ncg;
	mapsize = roundup(howmany(maxino, NBBY), TP_BSIZE);
	usedinomap = calloc((size_t)mapsize, 1);
	dumpdirmap = calloc((size_t)mapsize, 1);
	dumpinomap = calloc((size_t)mapsize, 1);
	if (usedinomap == NULL || dumpdirmap == NULL || dumpinomap == NULL)
		quit("out of memory for the inode maps\n");
	tapesize = 3 * (howmany(mapsize, TP_BSIZE) + 1);

	nonodump = spcl.c_level < 1;	/* dump's -h default, 1 */

#ifdef FREEBSD_ABI
	passno = 1;
	setproctitle("%s: pass 1: regular files", disk);
#endif
	msg("mapping (Pass I) [regular files]\n");
	anydirskipped = mapfiles(maxino, &tapesize);

#ifdef FREEBSD_ABI
	passno = 2;
	setproctitle("%s: pass 2: directories", disk);
#endif
	msg("mapping (Pass II) [directories]\n");
	while (anydirskipped)
		anydirskipped = mapdirs(maxino, &tapesize);

	estimate();

	if (!alloctape())
		quit(
	"can't allocate tape buffers - try a smaller blocking factor.\n");

	startnewtape(1);
	(void)time(&tstart_writing);
	dumpmap(usedinomap, TS_CLRI, maxino - 1);

	dumpfiles();

#ifdef FREEBSD_ABI
	(void)time(&tend_writing);
#endif
	spcl.c_type = TS_END;
	for (i = 0; i < ntrec; i++)
		writeheader(maxino - 1);
#ifdef FREEBSD_ABI
	if (pipeout)
		msg("DUMP: %jd tape blocks\n", (intmax_t)spcl.c_tapea);
	else
		msg("DUMP: %jd tape blocks on %d volume%s\n",
		    (intmax_t)spcl.c_tapea, spcl.c_volume,
		    spcl.c_volume == 1 ? "" : "s");
	/*
	 * How long the writing took: a line that differs from run to run,
	 * left out of reproducible runs (SOURCE_DATE_EPOCH), whose messages
	 * the tests compare.
	 */
	if (!sdeset) {
		if (tend_writing - tstart_writing == 0)
			msg("finished in less than a second\n");
		else
			msg("finished in %jd seconds, throughput %jd "
			    "KBytes/sec\n",
			    (intmax_t)(tend_writing - tstart_writing),
			    (intmax_t)(spcl.c_tapea /
			    (tend_writing - tstart_writing)));
	}
#else
	if (pipeout)
		msg("DUMP: %ld tape blocks\n", (long)spcl.c_tapea);
	else
		msg("DUMP: %ld tape blocks on %d volume(s)\n",
		    (long)spcl.c_tapea, spcl.c_volume);
#endif
	trewind();
	broadcast("DUMP IS DONE!\7\7\n");
	msg("DUMP IS DONE\n");
	Exit(X_FINOK);
}

/*
 * How many records and volumes the dump will take, from the pass I
 * estimate and the volume size, and the records this adds: a header
 * and the TS_BITS map per further volume, ten trailer records.
 */
static void
estimate(void)
{
	double fetapes;
	int tenthsperirg;

	if (pipeout || unlimited) {
		tapesize += 10;
		msg("estimated %ld tape blocks.\n", tapesize);
		return;
	}
	if (blocksperfile)
		fetapes = (double)tapesize / blocksperfile;
	else if (cartridge) {
		/*
		 * A cartridge stops streaming at the end of each tape
		 * block, about 1.548 inches each time.
		 */
		fetapes = ((double)tapesize * TP_BSIZE * (1.0 / density) +
		    (double)tapesize * (1.0 / ntrec) * 15.48) * (1.0 / tsize);
	} else {
		/* A 9-track tape has an inter-record gap per tape block. */
		tenthsperirg = density == 625 ? 3 : 7;
		fetapes = ((double)tapesize * TP_BSIZE * (1.0 / density) +
		    (double)tapesize * (1.0 / ntrec) * tenthsperirg) *
		    (1.0 / tsize);
	}
	/* With a bad -b the estimate is nonsense; keep it a number. */
	if (fetapes >= 0 && fetapes < 1e6)
		etapes = (int)fetapes;
	else
		etapes = 0;
	etapes++;
	tapesize += (etapes - 1) * (howmany(mapsize, TP_BSIZE) + 1);
	tapesize += etapes + 10;
	msg("estimated %ld tape blocks on %3.2f tape(s).\n", tapesize,
	    fetapes);
}

/*
 * The date of the dump.  SOURCE_DATE_EPOCH makes two runs write the same
 * bytes; the 1998 tape holds the date in 32 bits, today's in 64.
 */
#ifdef FREEBSD_ABI
#define	DATE_MAX	INT64_MAX
#else
#define	DATE_MAX	INT32_MAX
#endif

static void
setdate(void)
{
	const char *sde;
	char *end;
	long long t;

	if ((sde = getenv("SOURCE_DATE_EPOCH")) == NULL || *sde == '\0') {
		spcl.c_date = (dumpdate_t)time(NULL);
		return;
	}
	errno = 0;
	t = strtoll(sde, &end, 10);
	if (errno != 0 || *end != '\0' || t < 0 || t > DATE_MAX) {
		(void)fprintf(stderr,
		    "minidump: SOURCE_DATE_EPOCH is not a date: %s\n", sde);
		exit(X_STARTUP);
	}
	spcl.c_date = (dumpdate_t)t;
	sdeset = 1;
}

/*
 * A date as ctime(3) gives it, newline included.  A reproducible date
 * is shown in UTC, so that the messages do not depend on TZ either.
 */
static const char *
datestr(dumpdate_t date)
{
	time_t t;
	struct tm *tm;
	const char *s;

	if (date == 0)
		return ("the epoch\n");
	t = date;
	if (sdeset)
		tm = gmtime(&t);
	else
		tm = localtime(&t);
	if (tm == NULL || (s = asctime(tm)) == NULL)
		return ("an unknown date\n");
	return (s);
}

static void
sethost(void)
{
	const char *name;

	if ((name = getenv("DUMPTAPE_HOST")) != NULL)
		(void)strncpy(spcl.c_host, name, NAMELEN - 1);
	else if (gethostname(spcl.c_host, NAMELEN - 1) < 0)
		(void)strncpy(spcl.c_host, "unknown", NAMELEN - 1);
	spcl.c_host[NAMELEN - 1] = '\0';
}

/* The label must leave room for its terminating NUL. */
static void
setlabel(const char *label)
{

	(void)strncpy(spcl.c_label, label, LBLSIZE - 1);
	spcl.c_label[LBLSIZE - 1] = '\0';
	if (strlen(label) > LBLSIZE - 1) {
		msg("WARNING: label `%s' is longer than %d characters.\n",
		    label, LBLSIZE - 1);
		msg("WARNING: using the truncated label `%s'.\n",
		    spcl.c_label);
	}
}

/*
 * A decimal option argument between vmin and vmax (no upper limit if
 * vmax is 0), as dump takes them.
 */
static long
numarg(const char *meaning, long vmin, long vmax)
{
	char *end;
	long val;

	errno = 0;
	val = strtol(optarg, &end, 10);
	if (*optarg == '\0' || *end != '\0' || errno != 0) {
		(void)fprintf(stderr, "minidump: illegal %s -- %s\n", meaning,
		    optarg);
		exit(X_STARTUP);
	}
	if (val < vmin || (vmax && val > vmax)) {
		if (vmax)
			(void)fprintf(stderr,
			    "minidump: %s must be between %ld and %ld\n",
			    meaning, vmin, vmax);
		else
			(void)fprintf(stderr,
			    "minidump: %s must be at least %ld\n", meaning,
			    vmin);
		exit(X_STARTUP);
	}
	return (val);
}

/* Any int at all, for -b. */
static int
intarg(const char *meaning)
{
	char *end;
	long val;

	errno = 0;
	val = strtol(optarg, &end, 10);
	if (*optarg == '\0' || *end != '\0' || errno != 0 ||
	    val < INT_MIN || val > INT_MAX) {
		(void)fprintf(stderr, "minidump: illegal %s -- %s\n", meaning,
		    optarg);
		exit(X_STARTUP);
	}
	return ((int)val);
}

static unsigned long long
seedarg(const char *arg)
{
	char *end;
	unsigned long long val;

	errno = 0;
	val = strtoull(arg, &end, 0);
	if (*arg == '\0' || *arg == '-' || *end != '\0' || errno != 0) {
		(void)fprintf(stderr, "minidump: illegal seed -- %s\n", arg);
		exit(X_STARTUP);
	}
	return (val);
}

/*
 * Hangup, termination and the like: start this volume again from its
 * checkpoint, as dump does.  Before the first volume is open there is
 * nothing to start again (and the output may not exist for trewind() to
 * reopen), so that ends the dump.
 */
void
sig(int signo)
{

	switch (signo) {
	case SIGALRM:
	case SIGBUS:
	case SIGFPE:
	case SIGHUP:
	case SIGTERM:
	case SIGTRAP:
		if (pipeout)
			quit("Signal on pipe: cannot recover\n");
		if (tapeno == 0)
			quit("Signal %d before the first volume: "
			    "cannot recover\n", signo);
		msg("Rewriting attempted as response to unknown signal.\n");
		(void)fflush(stderr);
		(void)fflush(stdout);
		close_rewind();
		exit(X_REWRITE);
	case SIGSEGV:
		/*
		 * dump sends SIGSEGV to its whole process group, which
		 * here may include whatever started it: only this process
		 * dies, and its checkpoint process reports the abort.
		 */
		msg("SIGSEGV: ABORTING!\n");
		(void)signal(SIGSEGV, SIG_DFL);
		(void)raise(SIGSEGV);
		break;
	}
}

#ifdef FREEBSD_ABI
/* -f and -P name the output two ways: today's dump takes one only. */
static void
pfconflict(void)
{

	(void)fprintf(stderr,
	    "minidump: You cannot use the P and f flags together.\n");
	exit(X_STARTUP);
}

/*
 * -X asks the generator for block numbers past 2^33 fragments: the
 * same file system, read through 64-bit block numbers.
 */
static void
usage(void)
{

	(void)fprintf(stderr,
	    "usage: minidump [-0acGX] [-B records] [-b blocksize] "
	    "[-d density]\n"
	    "                [-f file | -P pipecommand] [-L label] "
	    "[-M maxkb] [-N inodes]\n"
	    "                [-R firstrecord] [-S seed] [-s feet] disk\n");
	exit(X_STARTUP);
}

static int64_t
recordarg(const char *arg)
{
	char *end;
	long long val;

	errno = 0;
	val = strtoll(arg, &end, 0);
	if (errno != 0 || end == arg || *end != '\0' || val < 0 ||
	    val > INT64_MAX / 2) {
		msg("bad first record number %s\n", arg);
		exit(X_STARTUP);
	}
	return ((int64_t)val);
}
#else
static void
usage(void)
{

	(void)fprintf(stderr,
	    "usage: minidump [-0acG] [-B records] [-b blocksize] [-d density] "
	    "[-f file]\n"
	    "                [-L label] [-M maxkb] [-N inodes] [-S seed] "
	    "[-s feet] disk\n");
	exit(X_STARTUP);
}
#endif
