/*
 * wakecost: what it costs on this machine to hand the turn to a process
 * that sleeps, the price a ring pays each time one of its processes
 * sleeps instead of looking (bench/run.sh prints it with the results).
 * Two processes pass a turn back and forth, each sleeping until it has
 * it: through a pair of pipes, and through two process-shared POSIX
 * semaphores in shared memory.  For each, the wall time and the processor
 * time (both processes, user + system) per hand-over.
 *
 * usage: wakecost [handovers]
 */
#include <sys/types.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>

#include <errno.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static _Noreturn void
die(const char *what)
{
	fprintf(stderr, "wakecost: %s: %s\n", what, strerror(errno));
	exit(1);
}

static double
seconds(const struct timeval *tv)
{
	return ((double)tv->tv_sec + (double)tv->tv_usec / 1e6);
}

static double
cpu_so_far(void)
{
	struct rusage self, kids;

	if (getrusage(RUSAGE_SELF, &self) < 0 ||
	    getrusage(RUSAGE_CHILDREN, &kids) < 0)
		die("getrusage");
	return (seconds(&self.ru_utime) + seconds(&self.ru_stime) +
	    seconds(&kids.ru_utime) + seconds(&kids.ru_stime));
}

static double
now(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) < 0)
		die("clock_gettime");
	return ((double)ts.tv_sec + (double)ts.tv_nsec / 1e9);
}

/* One byte each way through a pair of pipes, n round trips. */
static void
pipes(long n)
{
	int there[2], back[2];
	long i;
	char b;
	pid_t pid;

	if (pipe(there) < 0 || pipe(back) < 0)
		die("pipe");
	if ((pid = fork()) < 0)
		die("fork");
	if (pid == 0) {
		for (i = 0; i < n; i++)
			if (read(there[0], &b, 1) != 1 ||
			    write(back[1], &b, 1) != 1)
				_exit(1);
		_exit(0);
	}
	b = 0;
	for (i = 0; i < n; i++)
		if (write(there[1], &b, 1) != 1 || read(back[0], &b, 1) != 1)
			die("pipe round trip");
	if (waitpid(pid, NULL, 0) < 0)
		die("waitpid");
	close(there[0]);
	close(there[1]);
	close(back[0]);
	close(back[1]);
}

/* Two process-shared semaphores, n round trips. */
static void
semaphores(long n)
{
	sem_t *s;
	long i;
	pid_t pid;

	s = mmap(NULL, 2 * sizeof(sem_t), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANON, -1, 0);
	if (s == MAP_FAILED)
		die("mmap");
	if (sem_init(&s[0], 1, 0) < 0 || sem_init(&s[1], 1, 0) < 0)
		die("sem_init");
	if ((pid = fork()) < 0)
		die("fork");
	if (pid == 0) {
		for (i = 0; i < n; i++) {
			while (sem_wait(&s[0]) < 0)
				if (errno != EINTR)
					_exit(1);
			if (sem_post(&s[1]) < 0)
				_exit(1);
		}
		_exit(0);
	}
	for (i = 0; i < n; i++) {
		if (sem_post(&s[0]) < 0)
			die("sem_post");
		while (sem_wait(&s[1]) < 0)
			if (errno != EINTR)
				die("sem_wait");
	}
	if (waitpid(pid, NULL, 0) < 0)
		die("waitpid");
	munmap(s, 2 * sizeof(sem_t));
}

static void
measure(const char *name, void (*f)(long), long n)
{
	double t, c;

	t = now();
	c = cpu_so_far();
	f(n);
	t = now() - t;
	c = cpu_so_far() - c;
	/* Two hand-overs a round trip. */
	printf("%s\t%.1f\t%.1f\n", name, t / (2.0 * (double)n) * 1e6,
	    c / (2.0 * (double)n) * 1e6);
}

int
main(int argc, char *argv[])
{
	long n;
	char *end;

	n = 20000;
	if (argc == 2) {
		n = strtol(argv[1], &end, 10);
		if (*end != '\0' || n < 1) {
			fprintf(stderr, "usage: wakecost [handovers]\n");
			return (2);
		}
		n = (n + 1) / 2;
	} else if (argc > 2) {
		fprintf(stderr, "usage: wakecost [handovers]\n");
		return (2);
	}
	printf("mechanism\tus_per_handover\tcpu_us_per_handover\n");
	measure("pipe", pipes, n);
	measure("semaphore", semaphores, n);
	return (0);
}
