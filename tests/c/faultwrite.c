/*
 * faultwrite: an LD_PRELOAD object that makes write(2) and writev(2) on
 * chosen outputs behave like a medium that fills up or fails, for the
 * end-of-medium and write-error tests.  It works the same under the
 * library build and the reference builds: both reach libc's write
 * through the dynamic linker, where this object comes first.
 *
 *	DUMPTAPE_FAULT=mode:offset[:match]
 *
 * offset is a byte offset counted in each output file from its start.
 * Modes, for a write of n bytes at offset off:
 *
 *	eot	off >= offset: returns 0, as a full tape does; a write that
 *		straddles offset writes only the bytes before it.
 *	enospc, efbig
 *		the same, but -1 with errno ENOSPC or EFBIG instead of 0.
 *	eio	the first write that reaches past offset fails with EIO;
 *		only one in the whole run, whatever process makes it.
 *	eioall	every write that reaches past offset fails with EIO, so a
 *		volume that is started again fails again.
 *	die	a process whose write reaches past offset kills itself with
 *		SIGKILL instead: a slave that dies in the middle of writing
 *		a record (in the library, holding the ring's write lock).
 *
 * Without match the fault applies to every regular file the program
 * writes but its standard descriptors: a test's log captured with
 * >file 2>&1 is not an output of the dump.  With match it applies to
 * any descriptor whose path contains match: a FIFO, a device, or
 * standard output when the dump goes there (-f -).  The dump's own
 * pipes and sockets are never regular files and have no such path.
 * Outside Linux there is no portable way to name an open descriptor,
 * so match is ignored and every regular file is a target.
 *
 * The eio mode remembers its one failure in a file created with O_EXCL,
 * .faultwrite-eio-done in DUMPTAPE_FAULT_DIR (the current directory by
 * default): the dump forks, and restarts from processes that forked
 * before the failure, so no memory of a process would do.  Remove the
 * file before each run.
 *
 * A slow medium, for the tests that send signals to a running dump:
 *
 *	DUMPTAPE_SLOW=write_usec[,open_usec][:match]
 *
 * Every write to a target (as above, with this match) first sleeps
 * write_usec microseconds, and every open for writing of a path that
 * contains match (any path without one) sleeps open_usec before it
 * opens.  It works with or without DUMPTAPE_FAULT.
 *
 * The write path only makes system calls and touches memory set up by
 * the constructor: writes may come from signal handlers and from the
 * children of a fork, where malloc and stdio are not safe.
 */
#ifndef _GNU_SOURCE
#define	_GNU_SOURCE		/* RTLD_NEXT */
#endif

#include <sys/types.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define	FAULT_ENV	"DUMPTAPE_FAULT"
#define	SLOW_ENV	"DUMPTAPE_SLOW"
#define	FAULT_DIR_ENV	"DUMPTAPE_FAULT_DIR"
#define	EIO_MARKER	".faultwrite-eio-done"
#define	MAXIOV		64	/* iovecs copied to cut a writev short */
#define	NCOUNTERS	64	/* outputs without a file offset */

enum mode { M_OFF, M_EOT, M_ENOSPC, M_EFBIG, M_EIO, M_EIOALL, M_DIE };

/*
 * Bytes written so far to an output that has no file offset (a FIFO,
 * a character device).  The slaves that write it are separate
 * processes, so the counters live in memory shared across fork.  The
 * key mixes st_dev and st_ino; 0 is a free slot.
 */
struct counter {
	uint64_t	key;
	int64_t		written;
};

typedef ssize_t	(*write_fn)(int, const void *, size_t);
typedef ssize_t	(*writev_fn)(int, const struct iovec *, int);
typedef int	(*open_fn)(const char *, int, ...);

static write_fn		real_write;
static writev_fn	real_writev;
static open_fn		real_open, real_open64;
static long		slow_write, slow_open;	/* microseconds */
static const char	*slow_match;
static enum mode	mode = M_OFF;
static off_t		limit;
static const char	*match;		/* from the environment: not freed */
static char		marker[PATH_MAX];
static struct counter	*counters;	/* NCOUNTERS, MAP_SHARED */

static void	fault_init(void) __attribute__((__constructor__));
static void	fault_die(const char *, const char *);
static void	resolve(void);
static void	slow_init(void);
static void	pause_for(long);
static int	target(int, struct stat *, const char *);
static int	position(int, const struct stat *, off_t *,
		    struct counter **);
static ssize_t	decide(size_t, off_t, size_t *);
static void	account(struct counter *, ssize_t);

/*
 * Bad configuration ends the program: a test whose fault silently did
 * not happen would pass for the wrong reason.
 */
static void
fault_die(const char *why, const char *what)
{

	resolve();
	if (real_write != NULL) {
		(void)real_write(STDERR_FILENO, "faultwrite: ", 12);
		(void)real_write(STDERR_FILENO, why, strlen(why));
		(void)real_write(STDERR_FILENO, ": ", 2);
		(void)real_write(STDERR_FILENO, what, strlen(what));
		(void)real_write(STDERR_FILENO, "\n", 1);
	}
	_exit(125);
}

static void
resolve(void)
{

	if (real_write == NULL)
		real_write = (write_fn)dlsym(RTLD_NEXT, "write");
	if (real_writev == NULL)
		real_writev = (writev_fn)dlsym(RTLD_NEXT, "writev");
	if (real_open == NULL)
		real_open = (open_fn)dlsym(RTLD_NEXT, "open");
	if (real_open64 == NULL)
		real_open64 = (open_fn)dlsym(RTLD_NEXT, "open64");
}

static void
slow_init(void)
{
	const char *spec;
	char *end;
	long v;

	if ((spec = getenv(SLOW_ENV)) == NULL || *spec == '\0')
		return;
	errno = 0;
	v = strtol(spec, &end, 10);
	if (end == spec || v < 0 || errno != 0)
		fault_die("want write_usec[,open_usec][:match]", spec);
	slow_write = v;
	if (*end == ',') {
		spec = end + 1;
		v = strtol(spec, &end, 10);
		if (end == spec || v < 0 || errno != 0)
			fault_die("want write_usec[,open_usec][:match]", spec);
		slow_open = v;
	}
	if (*end == ':' && end[1] != '\0')
		slow_match = end + 1;
	else if (*end != '\0')
		fault_die("want write_usec[,open_usec][:match]", spec);
}

/*
 * Sleep the whole time even when a signal handler runs meanwhile.
 */
static void
pause_for(long usec)
{
	struct timespec left;

	left.tv_sec = usec / 1000000;
	left.tv_nsec = usec % 1000000 * 1000;
	while (nanosleep(&left, &left) == -1 && errno == EINTR)
		continue;
}

static void
fault_init(void)
{
	static const struct {
		const char	*name;
		enum mode	 mode;
	} modes[] = {
		{ "eot", M_EOT }, { "enospc", M_ENOSPC }, { "efbig", M_EFBIG },
		{ "eio", M_EIO }, { "eioall", M_EIOALL },
		{ "die", M_DIE },
	};
	const char *spec, *colon, *dir;
	char *end;
	unsigned long long off;
	size_t len, i;
	void *p;

	resolve();
	slow_init();
	if ((spec = getenv(FAULT_ENV)) == NULL || *spec == '\0')
		return;
	if ((colon = strchr(spec, ':')) == NULL)
		fault_die("want mode:offset[:match]", spec);
	len = (size_t)(colon - spec);
	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		if (strlen(modes[i].name) == len &&
		    strncmp(spec, modes[i].name, len) == 0)
			break;
	if (i == sizeof(modes) / sizeof(modes[0]))
		fault_die("unknown mode", spec);
	errno = 0;
	off = strtoull(colon + 1, &end, 10);
	if (end == colon + 1 || (*end != '\0' && *end != ':') ||
	    errno != 0 || off > (unsigned long long)INT64_MAX ||
	    colon[1] == '-')
		fault_die("bad offset", spec);
	if (*end == ':' && end[1] != '\0')
		match = end + 1;

	if ((dir = getenv(FAULT_DIR_ENV)) == NULL || *dir == '\0')
		dir = ".";
	/* Else the marker could not be made, and eio would never fail. */
	if (modes[i].mode == M_EIO && access(dir, W_OK | X_OK) == -1)
		fault_die("cannot make the eio marker in", dir);
	if (strlen(dir) + 1 + sizeof(EIO_MARKER) > sizeof(marker))
		fault_die("directory name too long", dir);
	(void)strcpy(marker, dir);
	(void)strcat(marker, "/");
	(void)strcat(marker, EIO_MARKER);

	p = mmap(NULL, NCOUNTERS * sizeof(struct counter),
	    PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p != MAP_FAILED)
		counters = p;

	if (real_write == NULL || real_writev == NULL)
		fault_die("cannot find libc's write", "dlsym");
	limit = (off_t)off;
	mode = modes[i].mode;
}

/*
 * Whether writes to fd are to be disturbed.  Fills in *st.
 */
static int
target(int fd, struct stat *st, const char *m)
{
#ifdef __linux__
	char link[32], path[PATH_MAX], digits[12], *d;
	ssize_t n;
	unsigned int u;
#endif

	if (fstat(fd, st) == -1)
		return (0);
#ifdef __linux__
	if (m != NULL) {
		/* snprintf is not async-signal-safe: build the name. */
		d = digits + sizeof(digits);
		*--d = '\0';
		u = (unsigned int)fd;
		do
			*--d = (char)('0' + u % 10);
		while ((u /= 10) != 0);
		(void)strcpy(link, "/proc/self/fd/");
		(void)strcat(link, d);
		if ((n = readlink(link, path, sizeof(path) - 1)) == -1)
			return (0);
		path[n] = '\0';
		return (strstr(path, m) != NULL);
	}
#endif
	return (S_ISREG(st->st_mode) && fd > STDERR_FILENO);
}

/*
 * Where the next byte written to fd goes, counted from the start of the
 * file.  Files with an offset use it: the slaves share one open file
 * description, and a write by one moves it for all.  Others count in a
 * shared slot, returned in *cp.  0 if neither is known.
 */
static int
position(int fd, const struct stat *st, off_t *offp, struct counter **cp)
{
	uint64_t key, expect;
	off_t off;
	int i;

	*cp = NULL;
	if (S_ISREG(st->st_mode) || S_ISBLK(st->st_mode)) {
		if ((off = lseek(fd, 0, SEEK_CUR)) == -1)
			return (0);
		*offp = off;
		return (1);
	}
	if (counters == NULL)
		return (0);
	key = ((uint64_t)st->st_dev << 32 ^ (uint64_t)st->st_ino) | 1;
	for (i = 0; i < NCOUNTERS; i++) {
		expect = 0;
		if (__atomic_load_n(&counters[i].key, __ATOMIC_ACQUIRE) ==
		    key ||
		    __atomic_compare_exchange_n(&counters[i].key, &expect, key,
		    0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE) ||
		    expect == key) {
			*cp = &counters[i];
			*offp = (off_t)__atomic_load_n(&counters[i].written,
			    __ATOMIC_ACQUIRE);
			return (1);
		}
	}
	return (0);
}

static void
account(struct counter *c, ssize_t n)
{

	if (c != NULL && n > 0)
		(void)__atomic_fetch_add(&c->written, (int64_t)n,
		    __ATOMIC_ACQ_REL);
}

/*
 * The fate of a write of n bytes at off: 1 to pass it on, with *np the
 * bytes to pass (fewer than n to cut it short); 0 or -1 to return that
 * without writing, errno set for -1.
 */
static ssize_t
decide(size_t n, off_t off, size_t *np)
{
	int fd, reached;

	*np = n;
	reached = n > 0 && (off >= limit || (off_t)(limit - off) < (off_t)n);
	if (!reached)
		return (1);
	switch (mode) {
	case M_EOT:
	case M_ENOSPC:
	case M_EFBIG:
		if (off < limit) {
			*np = (size_t)(limit - off);
			return (1);
		}
		if (mode == M_EOT)
			return (0);
		errno = mode == M_ENOSPC ? ENOSPC : EFBIG;
		return (-1);
	case M_EIO:
		/* Whoever creates the marker first takes the one failure. */
		fd = open(marker, O_WRONLY | O_CREAT | O_EXCL, 0644);
		if (fd == -1)
			return (1);
		(void)close(fd);
		errno = EIO;
		return (-1);
	case M_EIOALL:
		errno = EIO;
		return (-1);
	case M_DIE:
		(void)kill(getpid(), SIGKILL);
		break;
	case M_OFF:
		break;
	}
	return (1);
}

ssize_t
write(int fd, const void *buf, size_t n)
{
	struct stat st;
	struct counter *c;
	ssize_t r;
	size_t pass;
	off_t off;
	int saved;

	if (real_write == NULL)
		resolve();
	saved = errno;
	if (slow_write > 0 && target(fd, &st, slow_match))
		pause_for(slow_write);
	errno = saved;
	if (mode == M_OFF)
		return (real_write(fd, buf, n));
	if (!target(fd, &st, match) || !position(fd, &st, &off, &c)) {
		errno = saved;
		return (real_write(fd, buf, n));
	}
	errno = saved;
	if ((r = decide(n, off, &pass)) != 1)
		return (r);
	r = real_write(fd, buf, pass);
	account(c, r);
	return (r);
}

ssize_t
writev(int fd, const struct iovec *iov, int iovcnt)
{
	struct iovec cut[MAXIOV];
	struct stat st;
	struct counter *c;
	ssize_t r;
	size_t n, pass;
	off_t off;
	int i, saved;

	if (real_writev == NULL)
		resolve();
	saved = errno;
	if (slow_write > 0 && target(fd, &st, slow_match))
		pause_for(slow_write);
	errno = saved;
	if (mode == M_OFF || iovcnt <= 0)
		return (real_writev(fd, iov, iovcnt));
	if (!target(fd, &st, match) || !position(fd, &st, &off, &c)) {
		errno = saved;
		return (real_writev(fd, iov, iovcnt));
	}
	errno = saved;
	for (n = 0, i = 0; i < iovcnt; i++) {
		if (iov[i].iov_len > SIZE_MAX - n) {
			/* The kernel refuses it; let it say so. */
			return (real_writev(fd, iov, iovcnt));
		}
		n += iov[i].iov_len;
	}
	if ((r = decide(n, off, &pass)) != 1)
		return (r);
	if (pass == n) {
		r = real_writev(fd, iov, iovcnt);
		account(c, r);
		return (r);
	}
	/*
	 * Keep the first pass bytes.  Past MAXIOV vectors the write is cut
	 * shorter still, which a short count allows.
	 */
	for (i = 0; i < iovcnt && i < MAXIOV && pass > 0; i++) {
		cut[i] = iov[i];
		if (cut[i].iov_len > pass)
			cut[i].iov_len = pass;
		pass -= cut[i].iov_len;
	}
	r = real_writev(fd, cut, i);
	account(c, r);
	return (r);
}

/*
 * open(2) and open64(2): a slow medium is slow to open for writing too.
 */
static int
slow_opened(open_fn real, const char *path, int flags, mode_t m)
{

	if (real == NULL) {
		errno = ENOSYS;
		return (-1);
	}
	if (slow_open > 0 && (flags & O_ACCMODE) != O_RDONLY &&
	    (slow_match == NULL || strstr(path, slow_match) != NULL))
		pause_for(slow_open);
	return (real(path, flags, m));
}

/* The mode argument is there only when a file may be created. */
#define	OPEN_MODE(flags, m) do {					\
	va_list ap;							\
									\
	(m) = 0;							\
	if ((flags) & O_CREAT) {					\
		va_start(ap, flags);					\
		(m) = (mode_t)va_arg(ap, int);				\
		va_end(ap);						\
	}								\
} while (0)

int
open(const char *path, int flags, ...)
{
	mode_t m;

	OPEN_MODE(flags, m);
	if (real_open == NULL)
		resolve();
	return (slow_opened(real_open, path, flags, m));
}

int
open64(const char *path, int flags, ...)
{
	mode_t m;

	OPEN_MODE(flags, m);
	if (real_open64 == NULL)
		resolve();
	return (slow_opened(real_open64, path, flags, m));
}
