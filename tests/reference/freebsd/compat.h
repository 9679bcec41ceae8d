/*
 * Forced in (cc -include) ahead of the first line of the reference
 * FreeBSD tape.c and tape-fixed.c, so that both build unmodified on
 * Linux; nothing else is compiled with it.  tape.c includes its own
 * dump.h, which takes FreeBSD's system headers for granted: what those
 * give and glibc's do not comes from c-shim/freebsd/include/fbsd_compat.h
 * (cdefs, SIGINFO as SIGPWR, setproctitle).  Two more things only
 * tape.c's ring needs are here.
 */
#ifndef _REF_FREEBSD_COMPAT_H_
#define	_REF_FREEBSD_COMPAT_H_

#include <fbsd_compat.h>

#include <setjmp.h>
#include <signal.h>

/*
 * BSD's setjmp() saves the signal mask and longjmp() restores it.  The
 * workers longjmp out of their SIGUSR2 handler; with glibc's setjmp,
 * which saves no mask, SIGUSR2 stays blocked after the first jump and
 * the ring waits for ever.  <setjmp.h> is in already, so tape.c's own
 * #include of it changes nothing of this.
 */
#undef	setjmp
#undef	longjmp
#define	jmp_buf			sigjmp_buf
#define	setjmp(env)		sigsetjmp((env), 1)
#define	longjmp(env, val)	siglongjmp((env), (val))

/*
 * BSD's sigpause(mask) sets the signal mask to mask, a bit per signal,
 * and waits for a signal.  glibc's sigpause(sig) is X/Open's, which
 * takes one signal out of the mask, and fails at once with EINVAL for
 * 0 in some build modes: the worker's wait for ever after a write error
 * would spin.  sigsuspend() does what BSD's does in every mode.
 */
static inline int
ref_bsd_sigpause(int mask)
{
	sigset_t set;
	int signo;

	(void)sigemptyset(&set);
	for (signo = 1; signo < 32; signo++)
		if (mask & (1 << (signo - 1)))
			(void)sigaddset(&set, signo);
	return (sigsuspend(&set));
}
#undef	sigpause
#define	sigpause(mask)		ref_bsd_sigpause(mask)

#endif /* !_REF_FREEBSD_COMPAT_H_ */
