/*
 * What today's FreeBSD system headers give dump and tape.c that glibc's
 * do not, for building either on Linux.  dump.h includes this; the
 * reference tape.c, which includes a dump.h of its own, gets it through
 * a header forced in ahead of its first line (tests/reference/freebsd).
 * On a BSD every definition here is already there and is left alone.
 */
#ifndef _FBSD_COMPAT_H_
#define	_FBSD_COMPAT_H_

#include <sys/types.h>
#include <sys/param.h>

#include <signal.h>
#include <stdint.h>

#ifdef __has_include
#if __has_include(<sys/cdefs.h>)
#include <sys/cdefs.h>
#endif
#endif

/*
 * FreeBSD's <sys/cdefs.h> attributes.  glibc's headers are all in by
 * now for what this file includes; a few kernel headers use __unused as
 * a field name, and none of them is included by dump.
 */
#ifndef __unused
#define	__unused	__attribute__((__unused__))
#endif
#ifndef __dead2
#define	__dead2		__attribute__((__noreturn__))
#endif
#ifndef __printflike
#define	__printflike(fmtarg, firstvararg) \
	__attribute__((__format__(__printf__, fmtarg, firstvararg)))
#endif

/* <sys/param.h> on the BSDs: the largest file system block. */
#ifndef MAXBSIZE
#define	MAXBSIZE	65536
#endif

/*
 * SIGINFO, the BSD terminal's status request (^T), makes dump report its
 * progress at the next tape block.  Linux has no SIGINFO: SIGPWR, which
 * nothing sends a dump by itself, stands in for it, so that tape.c's
 * signal(SIGINFO, infosch) installs a handler that kill -PWR reaches.
 * BSD ignores SIGINFO where no handler is set, Linux ends a process on
 * SIGPWR: the rest of dump ignores it from the start (main.c).
 */
#ifndef SIGINFO
#define	SIGINFO		SIGPWR
#endif

/*
 * FreeBSD's libc shows the pass and the progress in ps(1) with this;
 * glibc has no such function, and the rest of dump provides it.
 */
void	setproctitle(const char *fmt, ...) __printflike(1, 2);

#endif /* !_FBSD_COMPAT_H_ */
