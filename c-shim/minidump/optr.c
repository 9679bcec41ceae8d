/*
 * The operator interface of dump: messages, questions, broadcasts and
 * the time estimate.  Everything goes to standard error with dump's
 * "  DUMP: " prefix; standard output may be the dump itself (-f -).
 *
 * Answers to questions come from the file named by DUMPTAPE_ANSWERS
 * when it is set, so that tests can play the operator, or else from
 * the terminal as in dump.  Without either, a question ends the dump
 * rather than waiting for ever.
 */
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <protocols/dumprestore.h>

#include "dump.h"
#include "pathnames.h"
#include "minidump.h"

#define	MSGBUFSIZE	16384

int	notify;				/* -n of dump; broadcast anyway */

/*
 * The answers file.  It is opened once, before the first fork, and
 * read a byte at a time with read(2): every process of the dump (the
 * checkpoint processes, the master of each volume) then shares one
 * offset in the kernel, so each answer is used exactly once whichever
 * process asks.
 */
static int	answerfd = -1;
static char	*answerpath;

static int	ttyquery(const char *);
static int	filequery(const char *);
static void	alarmcatch(int);

static const char *attnmessage;		/* the question being asked */

/*
 * Messages are formatted first and printed with one call, so that each
 * leaves in one write(2) and the lines of the several processes of the
 * dump do not interleave.
 */
static void
vmsg(const char *fmt, va_list ap)
{
	char buf[MSGBUFSIZE];

	(void)vsnprintf(buf, sizeof(buf), fmt, ap);
	(void)fprintf(stderr, "  DUMP: %s", buf);
	(void)fflush(stdout);
	(void)fflush(stderr);
}

void
msg(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
}

void
msgtail(const char *fmt, ...)
{
	char buf[MSGBUFSIZE];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	(void)fputs(buf, stderr);
}

void
quit(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
	dumpabort(0);
}

/*
 * Called by main() before anything forks: see answerfd above.
 */
void
answers_open(void)
{
	int fd;

	if ((answerpath = getenv("DUMPTAPE_ANSWERS")) == NULL ||
	    *answerpath == '\0') {
		answerpath = NULL;
		return;
	}
	if ((fd = open(answerpath, O_RDONLY)) < 0) {
		(void)fprintf(stderr, "  DUMP: Cannot open %s: %s\n",
		    answerpath, strerror(errno));
		exit(X_STARTUP);
	}
	/* Keep clear of 0, 1 and 2, which tape.c may close or reuse. */
	if (fd <= STDERR_FILENO) {
		answerfd = fcntl(fd, F_DUPFD, STDERR_FILENO + 1);
		(void)close(fd);
		if (answerfd < 0) {
			(void)fprintf(stderr, "  DUMP: %s: %s\n", answerpath,
			    strerror(errno));
			exit(X_STARTUP);
		}
	} else
		answerfd = fd;
}

/*
 * Ask the operator a yes-or-no question; 1 for yes.
 */
int
query(MSGCONST char *question)
{
	int back;

	attnmessage = question;
	(void)fprintf(stderr, "  DUMP: %s: (\"yes\" or \"no\") ", question);
	(void)fflush(stderr);
	if (answerfd >= 0)
		back = filequery(question);
	else
		back = ttyquery(question);
	/*
	 * From the first question on, dump takes an alarm the way it takes
	 * a hangup: sig() starts the volume again.
	 */
	if (signal(SIGALRM, sig) == SIG_IGN)
		(void)signal(SIGALRM, SIG_IGN);
	return (back);
}

/*
 * Read one line of the answers file into buf, without its newline.
 * Returns 0 at the end of the file.
 */
static int
readanswer(char *buf, size_t size)
{
	size_t len;
	ssize_t n;
	char c;

	len = 0;
	for (;;) {
		n = read(answerfd, &c, 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (c == '\n')
			break;
		if (len + 1 < size)
			buf[len++] = c;
	}
	buf[len] = '\0';
	if (n <= 0 && len == 0)
		return (0);
	/* Blanks and a DOS line end around the word do not count. */
	while (len > 0 && (buf[len - 1] == '\r' || buf[len - 1] == ' ' ||
	    buf[len - 1] == '\t'))
		buf[--len] = '\0';
	return (1);
}

static int
filequery(const char *question)
{
	char answer[64], *p;

	for (;;) {
		if (!readanswer(answer, sizeof(answer))) {
			(void)fputs("\n", stderr);
			quit("no answer to \"%s\" in %s\n", question,
			    answerpath);
		}
		for (p = answer; *p == ' ' || *p == '\t'; p++)
			continue;
		(void)fprintf(stderr, "%s\n", p);
		(void)fflush(stderr);
		if (*p == 'y' || *p == 'Y')
			return (1);
		if (*p == 'n' || *p == 'N')
			return (0);
		/* As dump does with a bad answer: say so and ask again. */
		(void)fprintf(stderr, "  DUMP: \"Yes\" or \"No\"?\n");
		(void)fprintf(stderr, "  DUMP: %s: (\"yes\" or \"no\") ",
		    question);
		(void)fflush(stderr);
	}
}

static int
ttyquery(const char *question)
{
	char reply[64];
	void (*oalarm)(int);
	FILE *tty;
	int back, errcount;

	if ((tty = fopen(_PATH_TTY, "r")) == NULL) {
		(void)fputs("\n", stderr);
		quit("no answer to \"%s\": %s: %s\n", question, _PATH_TTY,
		    strerror(errno));
	}
	/* Remind the operator every two minutes, as dump does. */
	oalarm = signal(SIGALRM, alarmcatch);
	(void)alarm(120);
	back = -1;
	errcount = 0;
	do {
		if (fgets(reply, sizeof(reply), tty) == NULL) {
			clearerr(tty);
			if (++errcount > 30) {
				(void)alarm(0);
				(void)fputs("\n", stderr);
				quit("no answer to \"%s\": end of file on %s\n",
				    question, _PATH_TTY);
			}
		} else if (reply[0] == 'y' || reply[0] == 'Y')
			back = 1;
		else if (reply[0] == 'n' || reply[0] == 'N')
			back = 0;
		else {
			(void)fprintf(stderr, "  DUMP: \"Yes\" or \"No\"?\n");
			(void)fprintf(stderr,
			    "  DUMP: %s: (\"yes\" or \"no\") ", question);
		}
	} while (back < 0);
	(void)alarm(0);
	(void)signal(SIGALRM, oalarm);
	(void)fclose(tty);
	return (back);
}

static void
alarmcatch(int signo)
{

	(void)signo;
	(void)fprintf(stderr, "\7\7\n  DUMP: %s: (\"yes\" or \"no\") ",
	    attnmessage);
	(void)alarm(120);
}

/*
 * The operator pressed the interrupt key.
 */
void
interrupt(int signo)
{

	(void)signo;
	msg("Interrupt received.\n");
	if (query("Do you want to abort dump?"))
		dumpabort(0);
}

/*
 * dump writes this to the terminals of the operator group.  Here it is
 * one line on standard error, so that tests can see it was sent; the
 * bells and the newline dump ends it with are dropped.
 */
void
broadcast(MSGCONST char *message)
{
	size_t len;

	len = strlen(message);
	while (len > 0 && (message[len - 1] == '\n' ||
	    message[len - 1] == '\r' || message[len - 1] == '\7'))
		len--;
	(void)fprintf(stderr, "  DUMP: [broadcast] %.*s\n", (int)len, message);
	(void)fflush(stderr);
}

#ifndef FREEBSD_ABI
void
set_operators(void)
{

	/* No operator group to look up: broadcast() writes to stderr. */
}
#endif

/*
 * Every five minutes, how far the dump is and how long it has to go.
 * Nothing until 500 records are out, as the first rate is meaningless.
 */
static time_t	tschedule;

#ifdef FREEBSD_ABI
static volatile sig_atomic_t infoasked;	/* SIGINFO came in */

/*
 * Today's dump also shows the estimate in ps(1) at every tape block,
 * says when it expects to finish, and reports at once after SIGINFO
 * (infosch()).  Past the estimated size it only says it is nearly done.
 */
void
timeest(void)
{
	time_t tnow, tdone;
	double percent;
	char *tdone_str;
	int deltat, hours, mins;

	(void)time(&tnow);
	if (infoasked) {
		infoasked = 0;
		tschedule = 0;
	}
	if (blockswritten > tapesize) {
		setproctitle("%s: 99.99%% done, finished soon", disk);
		if (tnow >= tschedule) {
			tschedule = tnow + 300;
			msg("99.99%% done, finished soon\n");
		}
		return;
	}
	deltat = blockswritten == 0 ? 0 : tstart_writing - tnow +
	    (double)(tnow - tstart_writing) / blockswritten * tapesize;
	tdone = tnow + deltat;
	percent = (blockswritten * 100.0) / tapesize;
	hours = deltat / 3600;
	mins = (deltat % 3600) / 60;
	if ((tdone_str = ctime(&tdone)) == NULL)
		tdone_str = "an unknown time\n";
	setproctitle("%s: pass %d: %3.2f%% done, finished in %d:%02d at %.24s",
	    disk, passno, percent, hours, mins, tdone_str);
	if (tnow < tschedule)
		return;
	tschedule = tnow + 300;
	if (blockswritten < 500)
		return;
	msg("%3.2f%% done, finished in %d:%02d at %.24s\n", percent, hours,
	    mins, tdone_str);
}

/*
 * SIGINFO: report at the next call of timeest(), as if five minutes had
 * gone by.  On Linux the signal is SIGPWR (fbsd_compat.h).
 */
void
infosch(int signo __unused)
{

	infoasked = 1;
}

/*
 * FreeBSD's libc shows the pass and the estimate in ps(1) with this;
 * there is no such place on Linux, and nothing is lost without it.
 */
void
setproctitle(const char *fmt __unused, ...)
{
}
#else
void
timeest(void)
{
	time_t tnow, deltat;

	(void)time(&tnow);
	if (tnow < tschedule)
		return;
	tschedule = tnow + 300;
	if (blockswritten < 500)
		return;
	deltat = tstart_writing - tnow +
	    (1.0 * (tnow - tstart_writing)) / blockswritten * tapesize;
	msg("%3.2f%% done, finished in %d:%02d\n",
	    (blockswritten * 100.0) / tapesize,
	    (int)(deltat / 3600), (int)((deltat % 3600) / 60));
}
#endif
