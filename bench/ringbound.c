/*
 * ringbound: a ring of three slaves with nothing else to do, as a second
 * yardstick for the benchmark (bench/run.sh), beside lowerbound's one
 * process: about the fastest three slaves get on this machine.  It does
 * what dump's slaves must do and nothing more: no master, no lists, no
 * headers, no reports.  Three processes share the output descriptor and a
 * mapping of `slots' record buffers (3, or 6 as the library may have into
 * a pipe).  Process p reads records p, p + 3, p + 6, ... of the data file
 * with pread(2), `readsize' bytes at a time (dump's bread() reads file
 * system blocks), each into slot (record % slots) once the record that
 * slot held before is out; whichever process takes the write lock writes
 * every record that is ready next, in order, one write(2) each.  Every
 * wait is a look at the shared words and a sched_yield(2): no process
 * ever sleeps, so no wake-up is ever paid for, and its processor time is
 * about two processors times its time.  The records are lowerbound's.
 *
 * usage: ringbound datafile ntrec bytes output [slots [readsize]]
 */
#include <sys/mman.h>
#include <sys/wait.h>

#include <sched.h>
#include <stdatomic.h>

#include "yardstick.h"

#define	SLAVES		3
#define	MAXSLOTS	(2 * SLAVES)

struct words {
	atomic_llong	next;		/* the next record to go out */
	atomic_int	lock;		/* the write lock: 0 or holder + 1 */
	atomic_int	failed;		/* a process failed: everyone stops */
	atomic_llong	ready[MAXSLOTS];	/* record + 1 the slot holds */
};

static struct words *w;
static struct yardstick y;
static char *bufs;
static size_t bstride, rsize;
static int slots;

/* A process that fails stops the others. */
static void
stop_all(void)
{
	if (w != NULL)
		atomic_store(&w->failed, 1);
}

static int
ready_next(long long *rec)
{
	long long n;

	n = atomic_load(&w->next);
	if (n >= y.nrec || atomic_load(&w->ready[n % slots]) != n + 1)
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
	int zero;

	while (ready_next(&rec)) {
		zero = 0;
		if (!atomic_compare_exchange_strong(&w->lock, &zero, me + 1))
			return;
		while (ready_next(&rec)) {
			ys_write(&y, bufs + (size_t)(rec % slots) * bstride);
			atomic_store(&w->next, rec + 1);
		}
		atomic_store(&w->lock, 0);
	}
}

static void
slave(int me)
{
	long long rec;

	for (rec = me; rec < y.nrec; rec += SLAVES) {
		/* The slot's last record must be out before it is reused. */
		while (rec >= slots && atomic_load(&w->next) <= rec - slots) {
			if (atomic_load(&w->failed))
				exit(1);
			drain(me);
			sched_yield();
		}
		ys_read(&y, bufs + (size_t)(rec % slots) * bstride, rec, rsize);
		atomic_store(&w->ready[rec % slots], rec + 1);
		drain(me);
	}
	while (atomic_load(&w->next) < y.nrec) {
		if (atomic_load(&w->failed))
			exit(1);
		drain(me);
		sched_yield();
	}
}

int
main(int argc, char *argv[])
{
	static const char usage[] = " [slots [readsize]]";
	pid_t pids[SLAVES];
	char *end;
	int i, status, bad;

	ys_name = "ringbound";
	ys_atfail = stop_all;
	if (argc < 5 || argc > 7)
		ys_usage(usage);
	ys_open(&y, argv, usage);
	slots = SLAVES;
	rsize = y.bsize;
	if (argc >= 6) {
		slots = (int)strtol(argv[5], &end, 10);
		if (*end != '\0' || (slots != SLAVES && slots != MAXSLOTS)) {
			fprintf(stderr, "ringbound: slots must be %d or %d\n",
			    SLAVES, MAXSLOTS);
			ys_usage(usage);
		}
	}
	if (argc == 7) {
		rsize = (size_t)strtol(argv[6], &end, 10);
		if (*end != '\0' || rsize < 1) {
			fprintf(stderr, "ringbound: bad read size %s\n",
			    argv[6]);
			ys_usage(usage);
		}
	}
	bstride = (y.bsize + 4095) / 4096 * 4096;
	/* The words take the first page, the buffers the rest. */
	_Static_assert(sizeof(struct words) <= 4096, "words fit a page");
	w = mmap(NULL, 4096 + (size_t)slots * bstride,
	    PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANON, -1, 0);
	if (w == MAP_FAILED) {
		w = NULL;
		ys_fail("mmap");
	}
	bufs = (char *)w + 4096;

	for (i = 1; i < SLAVES; i++) {
		switch (pids[i] = fork()) {
		case -1:
			ys_fail("fork");
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
