/*
 * BSD semantics for setjmp/longjmp, for compiling the reference tape.c
 * unmodified on Linux.  Only the reference objects are built with this
 * directory on the include path.
 *
 * On the BSDs setjmp() saves the signal mask and longjmp() restores it.
 * tape.c's slaves longjmp out of their SIGUSR2 handler; with Linux's
 * setjmp, which saves no mask, SIGUSR2 would stay blocked after the
 * first jump and the ring of slaves would wait for it for ever.
 */
#ifndef _BSD_SETJMP_H_
#define	_BSD_SETJMP_H_

#include_next <setjmp.h>

#undef	setjmp
#undef	longjmp
#define	jmp_buf			sigjmp_buf
#define	setjmp(env)		sigsetjmp((env), 1)
#define	longjmp(env, val)	siglongjmp((env), (val))

#endif /* !_BSD_SETJMP_H_ */
