/*
 * lowerbound: the least work a dump writer can do for a given output, as a
 * yardstick for the benchmark (bench/run.sh).  One process reads the data
 * file sequentially in tape blocks of ntrec * 1024 bytes with pread(2) and
 * writes each block with one write(2) to the output, until it has written
 * exactly the number of bytes the dump wrote.  At the end of the data file
 * it starts again from offset 0.
 *
 * usage: lowerbound datafile ntrec bytes output	(output "-": stdout)
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void
die(const char *what)
{
	fprintf(stderr, "lowerbound: %s: %s\n", what, strerror(errno));
	exit(1);
}

int
main(int argc, char *argv[])
{
	struct stat st;
	long long total, done, off;
	size_t bsize;
	ssize_t n, w;
	size_t got, put;
	char *buf, *end;
	long ntrec;
	int in, out;

	if (argc != 5) {
		fprintf(stderr,
		    "usage: lowerbound datafile ntrec bytes output\n");
		return (2);
	}
	ntrec = strtol(argv[2], &end, 10);
	if (*end != '\0' || ntrec < 1 || ntrec > 100000) {
		fprintf(stderr, "lowerbound: bad ntrec %s\n", argv[2]);
		return (2);
	}
	total = strtoll(argv[3], &end, 10);
	if (*end != '\0' || total < 0) {
		fprintf(stderr, "lowerbound: bad byte count %s\n", argv[3]);
		return (2);
	}
	bsize = (size_t)ntrec * 1024;
	if (total % (long long)bsize != 0) {
		fprintf(stderr, "lowerbound: %lld is not a whole number of "
		    "%zu-byte blocks\n", total, bsize);
		return (2);
	}
	if ((in = open(argv[1], O_RDONLY)) < 0)
		die(argv[1]);
	if (fstat(in, &st) < 0)
		die("fstat");
	if (st.st_size < (off_t)bsize) {
		fprintf(stderr, "lowerbound: %s is smaller than a block\n",
		    argv[1]);
		return (1);
	}
	if (strcmp(argv[4], "-") == 0)
		out = STDOUT_FILENO;
	else if ((out = open(argv[4], O_WRONLY | O_CREAT | O_TRUNC, 0666)) < 0)
		die(argv[4]);
	if ((buf = aligned_alloc(4096, (bsize + 4095) / 4096 * 4096)) == NULL)
		die("malloc");

	off = 0;
	for (done = 0; done < total; done += (long long)bsize) {
		if (off + (long long)bsize > (long long)st.st_size)
			off = 0;
		for (got = 0; got < bsize; got += (size_t)n) {
			n = pread(in, buf + got, bsize - got, off + got);
			if (n < 0 && errno == EINTR) {
				n = 0;
				continue;
			}
			if (n < 0)
				die("pread");
			if (n == 0) {
				fprintf(stderr, "lowerbound: short read\n");
				return (1);
			}
		}
		off += (long long)bsize;
		for (put = 0; put < bsize; put += (size_t)w) {
			w = write(out, buf + put, bsize - put);
			if (w < 0 && errno == EINTR) {
				w = 0;
				continue;
			}
			if (w <= 0)
				die("write");
		}
	}
	if (out != STDOUT_FILENO && close(out) < 0)
		die("close");
	return (0);
}
