/*
 * The remote tape routines dump uses when built with RDUMP (dump's
 * dumprmt.c): with -f host:file, tape.c opens, writes and closes the
 * volume through a tape server that speaks rmt(8)'s protocol, one
 * command and one reply at a time:
 *
 *	O<file>\n<mode>\n	open
 *	W<count>\n<data>	write
 *	C\n			close
 *
 * and each reply is A<number>\n, or E<errno>\n<message>\n for a failure.
 *
 * dump reaches the server with rcmd(3) on the host named before the
 * colon.  minidump starts the server on this machine instead, with its
 * standard input and output on one end of a socketpair, as rshd would
 * connect them: the host name is only a label in the messages.  The
 * server is DUMPTAPE_RMT if set, else /usr/sbin/rmt (Debian's package
 * dump installs its rmt there).  Debian's rmt takes a numeric open mode
 * for its access bits only, so it never creates a file: like a tape
 * drive, the output must exist before the dump (touch it).
 *
 * Every process of the dump (the checkpoint processes, each volume's
 * master and its slaves) shares the one connection.  The slaves take
 * turns, and each reads its reply before passing the turn on; but a
 * process must hold nothing back, or the next one would find the stream
 * where the other's buffer left it.  Commands go out with write(2) as
 * soon as they are made, and replies come in a byte at a time.
 */
#include <sys/types.h>
#include <sys/param.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dump.h"
#include "minidump.h"

#ifdef RDUMP
#define	RMT_DEFAULT	"/usr/sbin/rmt"

#define	TS_CLOSED	0
#define	TS_OPEN		1

static int	rmtstate = TS_CLOSED;
static int	rmtape = -1;		/* our end of the connection */
static const char *rmtpeer;		/* the host, for messages */
static pid_t	rmtpid = -1;		/* the server */
static pid_t	rmtparent = -1;		/* the process that started it */

static void	rmtgetconn(void);
static void	rmtreap(void);
static void	rmtconnaborted(int) __dead2;
static void	rmtsend(const char *, size_t);
static int	rmtcall(const char *, const char *);
static int	rmtreply(const char *);
static int	rmtgetb(void);
static void	rmtgets(char *, int);

/*
 * Connect to the tape server; 0 if that cannot be done.  main() calls
 * this before the first volume, so that the server is a child of the
 * top process: a volume process waits for all of its children when it
 * closes the volume, and would wait for ever for a server that only
 * ends when the dump closes the connection.
 */
int
rmthost(MSGCONST char *host)
{

	rmtpeer = host;
	(void)signal(SIGPIPE, rmtconnaborted);
	rmtgetconn();
	if (rmtape < 0)
		return (0);
	return (1);
}

static void
rmtconnaborted(int signo)
{

	(void)signo;
	msg("Lost connection to remote host.\n");
	exit(X_ABORT);
}

/*
 * Start the server.  A pipe that closes on exec tells whether the exec
 * worked, so that a server that cannot be run fails here, like an rcmd
 * that is refused, and not at the first command.
 */
static void
rmtgetconn(void)
{
	const char *rmt;
	int sv[2], st[2], fd, err;
	ssize_t n;
	pid_t pid;

	if ((rmt = getenv("DUMPTAPE_RMT")) == NULL || *rmt == '\0')
		rmt = RMT_DEFAULT;
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0) {
		msg("cannot connect to %s: %s\n", rmtpeer, strerror(errno));
		return;
	}
	if (pipe(st) < 0) {
		msg("cannot connect to %s: %s\n", rmtpeer, strerror(errno));
		(void)close(sv[0]);
		(void)close(sv[1]);
		return;
	}
	(void)fcntl(st[1], F_SETFD, FD_CLOEXEC);
	switch (pid = fork()) {
	case -1:
		msg("cannot connect to %s: %s\n", rmtpeer, strerror(errno));
		(void)close(sv[0]);
		(void)close(sv[1]);
		(void)close(st[0]);
		(void)close(st[1]);
		return;
	case 0:
		/*
		 * The server on another host would not see the operator's
		 * ^C: dump asks whether to abort, and the connection must
		 * outlive a "no".
		 */
		(void)setpgid(0, 0);
		(void)close(sv[0]);
		(void)close(st[0]);
		if (dup2(sv[1], STDIN_FILENO) < 0 ||
		    dup2(sv[1], STDOUT_FILENO) < 0)
			err = errno;
		else {
			if (sv[1] > STDOUT_FILENO)
				(void)close(sv[1]);
			(void)execl(rmt, "rmt", (char *)NULL);
			err = errno;
		}
		if (write(st[1], &err, sizeof(err)) < 0)
			_exit(126);
		_exit(127);
	}
	(void)close(sv[1]);
	(void)close(st[1]);
	while ((n = read(st[0], &err, sizeof(err))) < 0 && errno == EINTR)
		continue;
	(void)close(st[0]);
	if (n != 0) {
		msg("cannot start %s for %s: %s\n", rmt, rmtpeer,
		    n == sizeof(err) ? strerror(err) : "lost");
		(void)close(sv[0]);
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			continue;
		return;
	}
	/*
	 * tape.c may close or reuse descriptors 0 to 2 (a dump to standard
	 * output); and no program the dump runs needs the connection.
	 */
	fd = sv[0];
	if (fd <= STDERR_FILENO) {
		fd = fcntl(sv[0], F_DUPFD, STDERR_FILENO + 1);
		(void)close(sv[0]);
		if (fd < 0) {
			msg("cannot connect to %s: %s\n", rmtpeer,
			    strerror(errno));
			return;
		}
	}
	(void)fcntl(fd, F_SETFD, FD_CLOEXEC);
	rmtape = fd;
	rmtpid = pid;
	rmtparent = getpid();
	(void)atexit(rmtreap);
	msg("Connection to %s established.\n", rmtpeer);
}

/*
 * At the exit of the top process, wait for the server, which nothing
 * else would reap: an rcmd connection leaves no process behind, and
 * neither may this.  Every command has had its reply by now, so once
 * our end is closed the server has nothing left to do; it ends at the
 * end of its input, unless some stray process of the dump still holds
 * the connection, and then it is no use to anyone.
 */
static void
rmtreap(void)
{
	struct timespec tick = { 0, 10 * 1000 * 1000 };
	int i;

	if (rmtpid <= 0 || getpid() != rmtparent)
		return;
	(void)close(rmtape);
	rmtape = -1;
	for (i = 0; i < 100; i++) {
		if (waitpid(rmtpid, NULL, WNOHANG) != 0)
			return;
		(void)nanosleep(&tick, NULL);
	}
	(void)kill(rmtpid, SIGKILL);
	while (waitpid(rmtpid, NULL, 0) < 0 && errno == EINTR)
		continue;
}

/*
 * Open the file on the server: the descriptor there, or -1 with errno
 * set from the server's reply.  As in dump, the connection counts as
 * open even when the open fails, so that rmtclose() always tells the
 * server to close.
 */
int
rmtopen(MSGCONST char *tape, int mode)
{
	char buf[MAXPATHLEN + 32];
	int n;

	n = snprintf(buf, sizeof(buf), "O%s\n%d\n", tape, mode);
	if (n < 0 || (size_t)n >= sizeof(buf)) {
		/* A cut name could open some other file. */
		msg("%s: %s\n", tape, strerror(ENAMETOOLONG));
		errno = ENAMETOOLONG;
		return (-1);
	}
	rmtstate = TS_OPEN;
	return (rmtcall(tape, buf));
}

void
rmtclose(void)
{

	if (rmtstate != TS_OPEN)
		return;
	(void)rmtcall("close", "C\n");
	rmtstate = TS_CLOSED;
}

/*
 * Write count bytes: the count the server wrote, or -1 with errno set.
 */
int
rmtwrite(MSGCONST char *buf, int count)
{
	char line[30];

	(void)snprintf(line, sizeof(line), "W%d\n", count);
	rmtsend(line, strlen(line));
	rmtsend(buf, count < 0 ? 0 : (size_t)count);
	return (rmtreply("write"));
}

/*
 * Send all of it.  A signal (the slaves get them for their turns) may
 * cut a write to a socket short; a lost byte would shift every later
 * command.
 */
static void
rmtsend(const char *buf, size_t len)
{
	ssize_t n;

	while (len > 0) {
		if ((n = write(rmtape, buf, len)) < 0) {
			if (errno == EINTR)
				continue;
			rmtconnaborted(0);
		}
		buf += n;
		len -= (size_t)n;
	}
}

static int
rmtcall(const char *cmd, const char *buf)
{

	rmtsend(buf, strlen(buf));
	return (rmtreply(cmd));
}

/*
 * Read the reply to cmd: its number, or -1 with errno from the server
 * after saying why.  A reply of neither kind means the two ends no
 * longer agree where a message starts: nothing can be trusted after it.
 */
static int
rmtreply(const char *cmd)
{
	char code[30], emsg[BUFSIZ], *cp;

	rmtgets(code, sizeof(code));
	if (*code == 'E' || *code == 'F') {
		rmtgets(emsg, sizeof(emsg));
		msg("%s: %s", cmd, emsg);
		errno = atoi(code + 1);
		if (*code == 'F')
			rmtstate = TS_CLOSED;
		return (-1);
	}
	if (*code != 'A') {
		cp = code + strlen(code);
		if (cp > code && *--cp == '\n')
			*cp = '\0';
		msg("Protocol to remote tape server botched (code \"%s\").\n",
		    code);
		rmtconnaborted(0);
	}
	return (atoi(code + 1));
}

/*
 * One byte: a larger read could take the start of the next reply,
 * which belongs to whichever process sends the next command.
 */
static int
rmtgetb(void)
{
	char c;
	ssize_t n;

	while ((n = read(rmtape, &c, 1)) < 0 && errno == EINTR)
		continue;
	if (n != 1)
		rmtconnaborted(0);
	return (c);
}

/* A line, newline included. */
static void
rmtgets(char *line, int len)
{
	char *cp;

	for (cp = line; len > 1; cp++, len--) {
		*cp = (char)rmtgetb();
		if (*cp == '\n') {
			cp[1] = '\0';
			return;
		}
	}
	*cp = '\0';
	msg("Protocol to remote tape server botched.\n");
	msg("(rmtgets got \"%s\").\n", line);
	rmtconnaborted(0);
}
#endif /* RDUMP */
