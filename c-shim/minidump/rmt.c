/*
 * The remote tape routines dump uses when built with RDUMP (rmt(8) over
 * rcmd).  Not written yet: a remote tape is refused when main() asks for
 * the host, so the others are never reached.  rmtclose() must stay
 * harmless, since dumpabort() calls it on every abort.
 */
#include <sys/types.h>

#include "dump.h"

#ifdef RDUMP
int
rmthost(char *host)
{

	msg("remote tapes not supported yet (host %s)\n", host);
	return (0);
}

int
rmtopen(char *tape, int mode)
{

	(void)mode;
	quit("remote tapes not supported yet (%s)\n", tape);
}

int
rmtwrite(char *buf, int count)
{

	(void)buf;
	(void)count;
	quit("remote tapes not supported yet\n");
}

void
rmtclose(void)
{

	/* Nothing is ever open. */
}
#endif /* RDUMP */
