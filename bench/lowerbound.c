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
#include "yardstick.h"

int
main(int argc, char *argv[])
{
	struct yardstick y;
	long long rec;
	char *buf;

	ys_name = "lowerbound";
	if (argc != 5)
		ys_usage("");
	ys_open(&y, argv, "");
	if ((buf = aligned_alloc(4096, (y.bsize + 4095) / 4096 * 4096)) == NULL)
		ys_fail("malloc");
	for (rec = 0; rec < y.nrec; rec++) {
		ys_read(&y, buf, rec, y.bsize);
		ys_write(&y, buf);
	}
	if (y.out != STDOUT_FILENO && close(y.out) < 0)
		ys_fail("close");
	return (0);
}
