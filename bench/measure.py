#!/usr/bin/env python3
"""Run one benchmark command and measure it (bench/run.sh calls this).

usage: measure.py [--pipe] [--gnutime] [--nosample] [--errlog FILE]
		  [--timeout SEC] -- cmd [args...]

The command runs in a process group of its own, with --gnutime under GNU
time (/usr/bin/time -f "%e %U %S"), which costs a few milliseconds more.  With --pipe its standard output goes through a pipe to
`cat > /dev/null`, a second process; otherwise to /dev/null.  Its standard
error goes to --errlog (default /dev/null).

Prints one line of tab-separated fields:

  wall		seconds from starting the command (and cat) until both have
		exited: the whole pipeline
  cpu_tree	user+sys seconds of the command's whole process tree, cat
		excluded: the rusage wait4() returns for the command (what it
		and its waited-for descendants used; with --gnutime also GNU
		time's own cost, 1-2 ms) plus the rusage of every orphan this
		process reaps.  This process is a child
		subreaper (PR_SET_CHILD_SUBREAPER), so a descendant whose parent
		does not wait for it is reparented here and reaped here: nothing
		of the tree escapes the count.
  cpu_time	with --gnutime, GNU time's %U + %S (10 ms resolution): the
		command's rusage, which covers its waited-for descendants
		only; -1 without --gnutime
  cpu_rchild	getrusage(RUSAGE_CHILDREN) after minus before, minus cat's:
		must equal cpu_tree (a cross-check of the accounting)
  peak_rss_kb	highest sum, over all processes of the tree (GNU time
		excluded), of VmRSS, sampled every 10 ms from /proc/PID/statm.
		A page shared by several processes (libc, copy-on-write pages
		after fork, shared memory) counts once per process.
  peak_pss_kb	the same for Pss (/proc/PID/smaps_rollup), which divides each
		shared page among the processes that map it: the memory the
		tree really holds
  nprocs	processes of the tree seen by the sampler
  orphans	processes reaped here rather than by their parent
  status	exit status of the command (GNU time passes it on), then of
		cat; ",killed" when --timeout or a signal to this process
		(SIGINT, SIGTERM, SIGHUP) made it kill them
"""

import ctypes
import os
import resource
import signal
import sys
import threading
import time

PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024
PR_SET_CHILD_SUBREAPER = 36
SAMPLE_S = 0.010


def cpu_of(ru):
    return ru.ru_utime + ru.ru_stime


class Sampler(threading.Thread):
    """Polls /proc for the processes of a process group and their memory."""

    def __init__(self):
        super().__init__(daemon=True)
        self.pgid = None           # set once the command runs
        self.exclude = set()
        self.tree = set()          # pids of the tree
        self.other = set()         # pids known not to be of it
        self.peak_rss = 0
        self.peak_pss = 0
        self.stop = threading.Event()
        # What runs before the command is not of it.
        self.other.update(int(p) for p in os.listdir("/proc") if p.isdigit())

    def classify(self, pid):
        try:
            with open("/proc/%d/stat" % pid, "rb") as f:
                s = f.read()
        except OSError:
            return
        # pid (comm) state ppid pgrp ...: comm may hold spaces and parens.
        fields = s[s.rindex(b")") + 2:].split()
        ppid, pgrp = int(fields[1]), int(fields[2])
        if pgrp == self.pgid or ppid in self.tree or pid == self.pgid:
            self.tree.add(pid)
        else:
            self.other.add(pid)

    def sample(self):
        for name in os.listdir("/proc"):
            if not name.isdigit():
                continue
            pid = int(name)
            if pid not in self.tree and pid not in self.other:
                self.classify(pid)
        rss = pss = 0
        for pid in self.tree:
            if pid in self.exclude:
                continue
            try:
                with open("/proc/%d/statm" % pid, "rb") as f:
                    rss += int(f.read().split()[1]) * PAGE_KB
                with open("/proc/%d/smaps_rollup" % pid, "rb") as f:
                    for line in f:
                        if line.startswith(b"Pss:"):
                            pss += int(line.split()[1])
                            break
            except (OSError, ValueError, IndexError):
                pass
        self.peak_rss = max(self.peak_rss, rss)
        self.peak_pss = max(self.peak_pss, pss)

    def run(self):
        while not self.stop.is_set():
            self.sample()
            self.stop.wait(SAMPLE_S)


def main(argv):
    pipe = gnutime = False
    sample = True
    errlog = "/dev/null"
    timeout = 600.0
    i = 0
    while i < len(argv) and argv[i] != "--":
        if argv[i] == "--pipe":
            pipe = True
        elif argv[i] == "--gnutime":
            gnutime = True
        elif argv[i] == "--nosample":
            sample = False
        elif argv[i] == "--errlog":
            i += 1
            errlog = argv[i]
        elif argv[i] == "--timeout":
            i += 1
            timeout = float(argv[i])
        else:
            sys.exit("measure.py: unknown option %s" % argv[i])
        i += 1
    cmd = argv[i + 1:]
    if not cmd:
        sys.exit(__doc__)

    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        sys.exit("measure.py: prctl(PR_SET_CHILD_SUBREAPER) failed")

    tfile = None
    if gnutime:
        tfile = "/tmp/measure.%d.time" % os.getpid()
        cmd = ["/usr/bin/time", "-f", "%e %U %S", "-o", tfile] + cmd
    W = os.POSIX_SPAWN_OPEN
    D = os.POSIX_SPAWN_DUP2
    null_in = (W, 0, "/dev/null", os.O_RDONLY, 0)
    err = (W, 2, errlog, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)

    sampler = Sampler()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    if pipe:
        r, w = os.pipe()       # close-on-exec: only the dup2 copies stay
        t0 = time.perf_counter()
        pid = os.posix_spawnp(cmd[0], cmd, os.environ,
                              file_actions=[null_in, (D, w, 1), err],
                              setpgroup=0)
        catpid = os.posix_spawnp("cat", ["cat"], os.environ,
                                 file_actions=[(D, r, 0),
                                               (W, 1, "/dev/null",
                                                os.O_WRONLY, 0)])
        os.close(r)
        os.close(w)
    else:
        t0 = time.perf_counter()
        pid = os.posix_spawnp(cmd[0], cmd, os.environ,
                              file_actions=[null_in,
                                            (W, 1, "/dev/null", os.O_WRONLY,
                                             0),
                                            err],
                              setpgroup=0)
        catpid = None

    sampler.pgid = pid
    if gnutime:
        sampler.exclude.add(pid)
    if catpid:
        sampler.other.add(catpid)
    if sample:
        sampler.start()

    # Reap everything; the wall time ends when the command and cat have
    # both exited.  Orphans of the tree come here too (subreaper), and the
    # loop ends only when no child at all is left.
    killed = []

    def kill_all():
        killed.append(True)
        for f, p in ((os.killpg, pid), (os.kill, catpid)):
            if p:
                try:
                    f(p, 9)
                except OSError:
                    pass

    def on_signal(signo, frame):
        killed.append(signo)
        kill_all()

    for signo in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signo, on_signal)
    timer = threading.Timer(timeout, kill_all)
    timer.daemon = True
    timer.start()
    direct = {pid} | ({catpid} if catpid else set())
    status = {}
    cpu_tree = 0.0
    cpu_cat = 0.0
    orphans = 0
    t1 = None
    while True:
        try:
            wpid, wst, ru = os.wait4(-1, 0)
        except ChildProcessError:
            break
        except InterruptedError:
            continue
        if wpid == catpid:
            cpu_cat = cpu_of(ru)
        else:
            cpu_tree += cpu_of(ru)
            if wpid != pid:
                orphans += 1
        if wpid in direct:
            status[wpid] = os.waitstatus_to_exitcode(wst)
            direct.discard(wpid)
            if not direct:
                t1 = time.perf_counter()
    timer.cancel()
    sampler.stop.set()
    if sample:
        sampler.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu_rchild = cpu_of(after) - cpu_of(before) - cpu_cat

    cpu_time = -1.0
    if tfile:
        try:
            with open(tfile) as f:
                last = f.read().strip().splitlines()[-1].split()
            cpu_time = float(last[1]) + float(last[2])
        except (OSError, IndexError, ValueError):
            pass
        try:
            os.unlink(tfile)
        except OSError:
            pass

    st = "%s" % status.get(pid, "?")
    if catpid:
        st += ",%s" % status.get(catpid, "?")
    if killed:
        st += ",killed"
    wall = (t1 if t1 is not None else time.perf_counter()) - t0
    print("%.6f\t%.4f\t%.4f\t%.4f\t%d\t%d\t%d\t%d\t%s" % (
        wall, cpu_tree, cpu_time, cpu_rchild, sampler.peak_rss,
        sampler.peak_pss, len(sampler.tree - sampler.exclude), orphans, st))
    ok = status.get(pid) == 0 and (not catpid or status.get(catpid) == 0)
    if any(k is not True for k in killed):
        return 130
    return 0 if ok and not killed else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
