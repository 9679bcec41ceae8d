/*
 * ringbound: the fastest a ring of three slaves can go on this machine, as
 * a second yardstick for the benchmark (bench/run.sh), beside lowerbound's
 * one process.  It does what dump's slaves must do and nothing else: no
 * master, no lists, no headers, no reports.  Three processes share the
 * output descriptor and a mapping of `slots' record buffers (3 or 6).
 * Process p reads records p, p + 3, p + 6, ... of the data file with
 * pread(2), each into slot (record % slots) once the record that slot held
 * before is on the output; whichever process takes the write lock writes
 * every record that is ready next, in order, one write(2) each.  Every
 * wait is a look at the shared words and a sched_yield(2): no process
 * ever sleeps, so no wake-up is ever paid for (its processor time is not
 * a bound, only its time).  The records are those lowerbound writes:
 * ntrec * 1024 bytes from offset 0 on, again from 0 at the end of the file.
 *
 * usage: ringbound datafile ntrec bytes output [slots]	(output "-": stdout)
 */
#include <sys/types.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define	SLAVES		3
#define	MIN(a, b)	((a) < (b) ? (a) : (b))
#define	MAXSLOTS	(2 * SLAVES)

struct words {
	atomic_llong	next;		/* the next record to go out */
	atomic_int	lock;		/* the write lock: 0 or holder + 1 */
	atomic_int	failed;		/* a write failed: everyone stops */
	atomic_llong	ready[MAXSLOTS];	/* record + 1 the slot holds */
};

static struct words *w;
static char *bufs;
static size_t bsize, bstride, rsize;
static long long nrec, nblocks;
static int slots, in, out;

static _Noreturn void
die(const char *what)
{
	fprintf(stderr, "ringbound: %s: %s\n", what, strerror(errno));
	if (w != NULL)
		atomic_store(&w->failed, 1);
	exit(1);
}

static int
ready_next(long long *rec)
{
	long long n;

	n = atomic_load(&w->next);
	if (n >= nrec || atomic_load(&w->ready[n % slots]) != n + 1)
		return (0);
	*rec = n;
	return (1);
}

/*
 * Write what is ready next, unless another process holds the lock; look
 * again after letting it go, as a record made ready meanwhile by a process
 * that found the lock taken would otherwise wait for nobody.
 */
static void
drain(int me)
{
	long long rec;
	size_t put;
	ssize_t n;
	char *p;
	int zero;

	while (ready_next(&rec)) {
		zero = 0;
		if (!atomic_compare_exchange_strong(&w->lock, &zero, me + 1))
			return;
		while (ready_next(&rec)) {
			p = bufs + (size_t)(rec % slots) * bstride;
			for (put = 0; put < bsize; put += (size_t)n) {
				n = write(out, p + put, bsize - put);
				if (n < 0 && errno == EINTR) {
					n = 0;
					continue;
				}
				if (n <= 0)
					die("write");
			}
			atomic_store(&w->next, rec + 1);
		}
		atomic_store(&w->lock, 0);
	}
}

static void
slave(int me)
{
	long long rec, off;
	ssize_t n;
	size_t got;
	char *p;

	for (rec = me; rec < nrec; rec += SLAVES) {
		/* The slot's last record must be out before it is reused. */
		while (rec >= slots && atomic_load(&w->next) <= rec - slots) {
			if (atomic_load(&w->failed))
				exit(1);
			drain(me);
			sched_yield();
		}
		p = bufs + (size_t)(rec % slots) * bstride;
		off = (rec % nblocks) * (long long)bsize;
		for (got = 0; got < bsize; got += (size_t)n) {
			n = pread(in, p + got, MIN(rsize, bsize - got),
			    off + (off_t)got);
			if (n < 0 && errno == EINTR) {
				n = 0;
				continue;
			}
			if (n <= 0)
				die("pread");
		}
		atomic_store(&w->ready[rec % slots], rec + 1);
		drain(me);
	}
	while (atomic_load(&w->next) < nrec) {
		if (atomic_load(&w->failed))
			exit(1);
		drain(me);
		sched_yield();
	}
}

int
main(int argc, char *argv[])
{
	struct stat st;
	long long total;
	pid_t pids[SLAVES];
	long ntrec;
	char *end;
	int i, status, bad;

	if (argc < 5 || argc > 7) {
		fprintf(stderr, "usage: ringbound datafile ntrec bytes output "
		    "[slots [readsize]]\n");
		return (2);
	}
	ntrec = strtol(argv[2], &end, 10);
	if (*end != '\0' || ntrec < 1 || ntrec > 100000) {
		fprintf(stderr, "ringbound: bad ntrec %s\n", argv[2]);
		return (2);
	}
	total = strtoll(argv[3], &end, 10);
	bsize = (size_t)ntrec * 1024;
	if (*end != '\0' || total < 0 || total % (long long)bsize != 0) {
		fprintf(stderr, "ringbound: bad byte count %s\n", argv[3]);
		return (2);
	}
	slots = SLAVES;
	rsize = bsize;
	if (argc == 7) {
		rsize = (size_t)strtol(argv[6], &end, 10);
		if (*end != '\0' || rsize < 1) {
			fprintf(stderr, "ringbound: bad read size %s\n",
			    argv[6]);
			return (2);
		}
	}
	if (argc >= 6) {
		slots = (int)strtol(argv[5], &end, 10);
		if (*end != '\0' || (slots != SLAVES && slots != MAXSLOTS)) {
			fprintf(stderr, "ringbound: slots must be %d or %d\n",
			    SLAVES, MAXSLOTS);
			return (2);
		}
	}
	nrec = total / (long long)bsize;
	if ((in = open(argv[1], O_RDONLY)) < 0)
		die(argv[1]);
	if (fstat(in, &st) < 0)
		die("fstat");
	nblocks = st.st_size / (long long)bsize;
	if (nblocks < 1) {
		fprintf(stderr, "ringbound: %s is smaller than a block\n",
		    argv[1]);
		return (1);
	}
	if (strcmp(argv[4], "-") == 0)
		out = STDOUT_FILENO;
	else if ((out = open(argv[4], O_WRONLY | O_CREAT | O_TRUNC, 0666)) < 0)
		die(argv[4]);
	bstride = (bsize + 4095) / 4096 * 4096;
	w = mmap(NULL, sizeof(*w) + 4096 + (size_t)slots * bstride,
	    PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (w == MAP_FAILED)
		die("mmap");
	bufs = (char *)w + 4096;

	for (i = 1; i < SLAVES; i++) {
		switch (pids[i] = fork()) {
		case -1:
			die("fork");
		case 0:
			slave(i);
			_exit(0);
		}
	}
	slave(0);
	bad = 0;
	for (i = 1; i < SLAVES; i++)
		if (waitpid(pids[i], &status, 0) < 0 || status != 0)
			bad = 1;
	return (bad || atomic_load(&w->failed));
}
