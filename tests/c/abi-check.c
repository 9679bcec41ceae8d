/*
 * Compile-time proof that libdumptape's header and dump's agree.
 *
 * dump's C sources see tape.c's functions through <dump.h>; the library
 * publishes them in "dumptape.h", generated from the Rust code.  This
 * file includes both, states once more the C types tape.c gives to
 * every symbol of tape.c, and takes the address of each into a pointer
 * of exactly that type.  Any disagreement is an error (conflicting
 * types) or a warning (incompatible pointer types), so
 *
 *	cc -Wall -Wextra -Werror -Ic-shim/include -Iinclude \
 *	    -c -o /dev/null tests/c/abi-check.c
 *
 * compiles only if the two sets of declarations match.  Nothing here is
 * meant to be linked or run.
 */
#include <sys/types.h>
#include <sys/param.h>

#include <stddef.h>

#include <ufs/ufs/dinode.h>
#include <ufs/ffs/fs.h>
#include <protocols/dumprestore.h>

#include "dump.h"
#include "dumptape.h"

#ifndef SLAVES
#define	SLAVES	3
#endif

/*
 * The contract, as tape.c of 1998 has it.  Repeating a declaration is
 * allowed only with the same type: these lines are checks themselves.
 */
int	alloctape(void);
void	writerec(char *, int);
void	dumpblock(daddr_t, int);
void	tperror(int);
void	sigpipe(int);
void	trewind(void);
void	close_rewind(void);
void	startnewtape(int);
void	dumpabort(int);
void	Exit(int);
void	proceed(int);

extern int	writesize;
extern long	lastspclrec;
extern int	trecno;
extern long	blocksthisvol;
extern char	*nexttape;
extern int	reqsiz;
extern struct slave slaves[SLAVES + 1];
extern struct slave *slp;
extern char	(*nextblock)[TP_BSIZE];
extern int	master;
extern int	tenths;
extern int	nogripe;

/* Each symbol, through a pointer of the contract's type. */
int	(*const abi_alloctape)(void) = alloctape;
void	(*const abi_writerec)(char *, int) = writerec;
void	(*const abi_dumpblock)(daddr_t, int) = dumpblock;
void	(*const abi_tperror)(int) = tperror;
void	(*const abi_sigpipe)(int) = sigpipe;
void	(*const abi_trewind)(void) = trewind;
void	(*const abi_close_rewind)(void) = close_rewind;
void	(*const abi_startnewtape)(int) = startnewtape;
void	(*const abi_dumpabort)(int) = dumpabort;
void	(*const abi_Exit)(int) = Exit;
void	(*const abi_proceed)(int) = proceed;

int	*const abi_writesize = &writesize;
long	*const abi_lastspclrec = &lastspclrec;
int	*const abi_trecno = &trecno;
long	*const abi_blocksthisvol = &blocksthisvol;
char	**const abi_nexttape = &nexttape;
int	*const abi_reqsiz = &reqsiz;
struct slave (*const abi_slaves)[SLAVES + 1] = &slaves;
struct slave **const abi_slp = &slp;
char	(**const abi_nextblock)[TP_BSIZE] = &nextblock;
int	*const abi_master = &master;
int	*const abi_tenths = &tenths;
int	*const abi_nogripe = &nogripe;

/*
 * The two structures, field by field: the same types at the same
 * offsets as tape.c's, which this mirror copies.
 */
struct abi_req {
	daddr_t	dblk;
	int	count;
};

struct abi_slave {
	int	tapea;
	int	count;
	int	inode;
	int	fd;
	int	pid;
	int	sent;
	int	firstrec;
	char	(*tblock)[TP_BSIZE];
	struct	abi_req *req;
};

#define	SAME_TYPE(a, b)	__builtin_types_compatible_p(__typeof__(a), b)
#define	FIELD(s, f)	(((struct s *)0)->f)
#define	SAME_FIELD(s, m, f, t)						\
	_Static_assert(offsetof(struct s, f) == offsetof(struct m, f) &&\
	    SAME_TYPE(FIELD(s, f), t), #s "." #f)

SAME_FIELD(req, abi_req, dblk, daddr_t);
SAME_FIELD(req, abi_req, count, int);
_Static_assert(sizeof(struct req) == sizeof(struct abi_req), "struct req");

SAME_FIELD(slave, abi_slave, tapea, int);
SAME_FIELD(slave, abi_slave, count, int);
SAME_FIELD(slave, abi_slave, inode, int);
SAME_FIELD(slave, abi_slave, fd, int);
SAME_FIELD(slave, abi_slave, pid, int);
SAME_FIELD(slave, abi_slave, sent, int);
SAME_FIELD(slave, abi_slave, firstrec, int);
SAME_FIELD(slave, abi_slave, tblock, char (*)[TP_BSIZE]);
SAME_FIELD(slave, abi_slave, req, struct req *);
_Static_assert(sizeof(struct slave) == sizeof(struct abi_slave),
    "struct slave");
