/*
 * The allocator the reference tape.c and tape-fixed.c are built with in
 * the tests.  Their alloctape() puts the request array just before a
 * page-aligned buffer and nothing keeps it inside the malloc'd block (a
 * known defect of tape.c): at -b 32 and above it can land before the
 * block and overwrite the end of the previous one, another slave's header
 * records.
 * Every block handed out here has REF_PAD unused bytes in front of it, so
 * the request array always has room there and the reference writes what
 * its code means to write.  Blocks are never freed: tape.c frees none.
 */
#include <stdlib.h>

#define	REF_PAD	(64 * 1024)	/* > (ntrec + 1) * sizeof(struct req) */

void	*ref_malloc(size_t);

void *
ref_malloc(size_t size)
{
	char *p;

	if ((p = malloc(size + REF_PAD)) == NULL)
		return (NULL);
	return (p + REF_PAD);
}
