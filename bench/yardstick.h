/*
 * yardstick.h: what the benchmark's yardsticks (lowerbound.c, ringbound.c)
 * share: their first four arguments and the files those name, and reading
 * and writing one tape block.  Both write `bytes' bytes of blocks of
 * ntrec * 1024 bytes, block i being the data file's block i, counted again
 * from offset 0 at the end of the file.
 *
 *	name datafile ntrec bytes output ...	(output "-": standard output)
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct yardstick {
	int		 in;		/* the data file */
	int		 out;		/* the output */
	size_t		 bsize;		/* bytes in a block: ntrec * 1024 */
	long long	 nrec;		/* blocks to write */
	long long	 nblocks;	/* whole blocks in the data file */
};

static const char *ys_name = "yardstick";
/* Called before a failure exits, e.g. to stop the other processes. */
static void (*ys_atfail)(void);

static _Noreturn void
ys_fail(const char *what)
{
	fprintf(stderr, "%s: %s: %s\n", ys_name, what, strerror(errno));
	if (ys_atfail != NULL)
		ys_atfail();
	exit(1);
}

static _Noreturn void
ys_usage(const char *usage)
{
	fprintf(stderr, "usage: %s datafile ntrec bytes output%s\n", ys_name,
	    usage);
	exit(2);
}

/* Take argv[1] to argv[4], open the files; exit 2 if they are wrong. */
static void
ys_open(struct yardstick *y, char *argv[], const char *usage)
{
	struct stat st;
	long long total;
	long ntrec;
	char *end;

	ntrec = strtol(argv[2], &end, 10);
	if (*end != '\0' || ntrec < 1 || ntrec > 100000) {
		fprintf(stderr, "%s: bad ntrec %s\n", ys_name, argv[2]);
		ys_usage(usage);
	}
	y->bsize = (size_t)ntrec * 1024;
	total = strtoll(argv[3], &end, 10);
	if (*end != '\0' || total < 0 || total % (long long)y->bsize != 0) {
		fprintf(stderr, "%s: %s is not a whole number of %zu-byte "
		    "blocks\n", ys_name, argv[3], y->bsize);
		ys_usage(usage);
	}
	y->nrec = total / (long long)y->bsize;
	if ((y->in = open(argv[1], O_RDONLY)) < 0)
		ys_fail(argv[1]);
	if (fstat(y->in, &st) < 0)
		ys_fail("fstat");
	y->nblocks = (long long)st.st_size / (long long)y->bsize;
	if (y->nblocks < 1) {
		fprintf(stderr, "%s: %s is smaller than a block\n", ys_name,
		    argv[1]);
		exit(1);
	}
	if (strcmp(argv[4], "-") == 0)
		y->out = STDOUT_FILENO;
	else if ((y->out = open(argv[4], O_WRONLY | O_CREAT | O_TRUNC,
	    0666)) < 0)
		ys_fail(argv[4]);
}

/* Read block `rec' into buf with pread(2), `rsize' bytes at a time. */
static void
ys_read(const struct yardstick *y, char *buf, long long rec, size_t rsize)
{
	off_t off;
	size_t got, want;
	ssize_t n;

	off = (off_t)(rec % y->nblocks) * (off_t)y->bsize;
	for (got = 0; got < y->bsize; got += (size_t)n) {
		want = y->bsize - got < rsize ? y->bsize - got : rsize;
		n = pread(y->in, buf + got, want, off + (off_t)got);
		if (n < 0 && errno == EINTR) {
			n = 0;
			continue;
		}
		if (n < 0)
			ys_fail("pread");
		if (n == 0) {
			errno = EIO;
			ys_fail("short read");
		}
	}
}

/* Write one block with one write(2) (more only if it stops short). */
static void
ys_write(const struct yardstick *y, const char *buf)
{
	size_t put;
	ssize_t n;

	for (put = 0; put < y->bsize; put += (size_t)n) {
		n = write(y->out, buf + put, y->bsize - put);
		if (n < 0 && errno == EINTR) {
			n = 0;
			continue;
		}
		if (n <= 0)
			ys_fail("write");
	}
}
