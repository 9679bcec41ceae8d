#!/usr/bin/env python3
"""Turn bench/run.sh's raw measurements into bench/results.tsv and a table.

usage: report.py RAW STRACE BYTES RESULTS

results.tsv: comment lines (#) with the machine and the settings, then one
header line and one line per case x program, tab-separated:

  case			source: gen (minidump's generator) or ufs (makefs image)
  ntrec			-b: 1 KB records per tape block
  output		null (/dev/null), file (bench/data), pipe (| cat),
			busy (/dev/null, with one busy loop per processor
			running meanwhile)
  program		library (build/minidump), reference (build/minidump-orig,
			the original tape.c), lowerbound (bench/lowerbound.c),
			ringbound (bench/ringbound.c)
  median_s		median wall seconds of the timed runs (whole pipeline)
  MB_s			bytes written / median_s / 10^6
  ratio_vs_reference	MB_s / the reference's MB_s
  cpu_s_per_GiB		median user+sys seconds of the whole process tree (cat
			excluded) per 2^30 bytes written
  peak_rss_kb		median over the untimed runs that sample memory (the
			warm-up run and BENCH_MEMRUNS more) of the peak of
			the sum of VmRSS over the process tree, sampled every
			10 ms
  syscalls_per_record_all	system calls of every process of the dump
			(perf stat's tracepoints, else strace -f; one untimed
			run) per tape record, a record
			being ntrec * 1024 bytes of output
  syscalls_per_record_writer	the same without the disk reads (pread64,
			lseek) and the writes to stderr (messages): the tape
			writer's own calls (plus dump's start-up, a few dozen)
  bytes			bytes written per run
  runs			timed runs that succeeded
  wall_min_s wall_max_s	fastest and slowest timed run
  peak_pss_kb		as peak_rss_kb, with Pss (shared pages divided among
			the processes sharing them)
  ratio_vs_lowerbound	MB_s / the lower bound's MB_s
  paired_ratio_median	the runs go in rounds (one run of each program
			per round, back to back): per round, the reference's
			wall time / this program's; the median over the
			rounds.  A slow spell of the machine that slows
			both runs of a round alike cancels out here, where
			it may shift one program's median alone
  paired_ratio_min paired_ratio_max	the lowest and highest of those
  cpu_ratio_vs_reference	cpu_s_per_GiB / the reference's (the
			lower bound's shows how much room the CPU target
			leaves)
  ratio_vs_ringbound	MB_s / the ring bound's MB_s: how close this comes
			to three slaves with no master and nothing else to
			do (waiting only by looking, so no strict bound:
			see bench/README.md)
"""

import os
import platform
import statistics
import subprocess
import sys
import time

PROGS = [("lib", "library"), ("ref", "reference"), ("lb", "lowerbound"),
         ("rb", "ringbound")]
OUT_ORDER = {"null": 0, "file": 1, "pipe": 2, "busy": 3}
COLUMNS = ["case", "ntrec", "output", "program", "median_s", "MB_s",
           "ratio_vs_reference", "cpu_s_per_GiB", "peak_rss_kb",
           "syscalls_per_record_all", "syscalls_per_record_writer",
           "bytes", "runs", "wall_min_s", "wall_max_s", "peak_pss_kb",
           "ratio_vs_lowerbound", "paired_ratio_median", "paired_ratio_min",
           "paired_ratio_max", "cpu_ratio_vs_reference", "ratio_vs_ringbound"]

# Targets for the library (relative to the reference).
CPU_MAX = 0.5
RSS_MAX = 1.1
SYSCALLS_B10_MAX = 3.0


def throughput_target(ntrec, output):
    # busy is not in the issue: a ring that waits by spinning must not
    # become slower than tape.c when other work holds every processor.
    if output in ("file", "busy"):
        return 1.0
    return 3.0 if ntrec <= 10 else 2.0


def read_tsv(path):
    rows = []
    try:
        with open(path) as f:
            for line in f:
                line = line.rstrip("\n")
                if line and not line.startswith("#"):
                    rows.append(line.split("\t"))
    except OSError:
        pass
    return rows


def machine():
    model = "?"
    mem = "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    mem = "%d MiB" % (int(line.split()[1]) // 1024)
                    break
    except OSError:
        pass

    def git(*args):
        try:
            return subprocess.run(["git"] + list(args), capture_output=True,
                                  text=True, timeout=10).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return ""
    commit = git("rev-parse", "--short", "HEAD") or "?"
    if git("status", "--porcelain", "--untracked-files=no"):
        commit += " (with uncommitted changes)"
    return [
        ("nproc", str(os.cpu_count())),
        ("cpu", model),
        ("memory", mem),
        ("kernel", "%s %s %s" % (platform.system(), platform.release(),
                                 platform.machine())),
        ("commit", commit),
        ("date", time.strftime("%Y-%m-%d %H:%M:%S %Z")),
        ("cksum of the library's and the reference's minidump (copies "
         "measured)", os.environ.get("BENCH_SUMS", "?").strip() +
         ("" if os.environ.get("BENCH_SUMS") ==
          os.environ.get("BENCH_SUMS_END") else
          " (rebuilt during the runs: the copies made before were measured)")),
        ("load average (1, 5, 15 min) before the runs",
         os.environ.get("BENCH_LOAD_START", "?")),
        ("load average after the runs", loadavg()),
        ("a hand-over to a process that sleeps (bench/wakecost.c: "
         "wall / CPU microseconds, two processes passing a turn)",
         os.environ.get("BENCH_WAKECOST", "?")),
        ("system calls counted with", {
            "perf": "perf stat (syscall tracepoints, nobody stopped)",
            "strace": "strace -f (every process stopped at every call)",
        }.get(os.environ.get("BENCH_COUNTER", ""), "nothing (not counted)")),
    ]


def loadavg():
    try:
        with open("/proc/loadavg") as f:
            return " ".join(f.read().split()[:3])
    except OSError:
        return "?"


def fmt(x, spec):
    return "-" if x is None else format(x, spec)


def main(rawf, stracef, bytesf, resultsf):
    raw = read_tsv(rawf)
    strace = read_tsv(stracef)
    nbytes = {(r[0], int(r[1]), r[2]): int(r[3] or 0)
              for r in read_tsv(bytesf) if len(r) >= 4}
    notes = []

    # Cases in the order they ran.
    cases = []
    for r in raw:
        key = (r[0], int(r[1]), r[2])
        if key not in cases:
            cases.append(key)
    srcs = []
    for c in cases:
        if c[0] not in srcs:
            srcs.append(c[0])
    cases.sort(key=lambda c: (srcs.index(c[0]), c[1], OUT_ORDER.get(c[2], 9)))

    def bytes_of(src, nt, prog):
        return nbytes.get((src, nt, "ref" if prog in ("lb", "rb") else prog))

    for src in srcs:
        for nt in sorted({c[1] for c in cases if c[0] == src}):
            bl, br = nbytes.get((src, nt, "lib")), nbytes.get((src, nt, "ref"))
            if bl != br:
                notes.append("%s -b %d: the library writes %s bytes, the "
                             "reference %s" % (src, nt, bl, br))

    res = {}
    cpu_check = []
    for (src, nt, out) in cases:
        for prog, _ in PROGS:
            rows = [r for r in raw if r[0] == src and int(r[1]) == nt and
                    r[2] == out and r[3] == prog]
            runs = [r for r in rows if r[4] == "run" and r[6] == "0"]
            failed = [r for r in rows if r[6] != "0"]
            if failed:
                notes.append("%s -b %d %s %s: %d runs failed" % (
                    src, nt, out, prog, len(failed)))
            for r in rows:
                if r[6] == "0" and r[2] == "file" and r[7] != "-" and \
                        int(r[7]) != bytes_of(src, nt, prog):
                    notes.append("%s -b %d file %s: wrote %s bytes, not %s" % (
                        src, nt, prog, r[7], bytes_of(src, nt, prog)))
                    break
            for r in rows:
                if r[4] == "warm" and r[6] == "0":
                    cpu_check.append((src, nt, out, prog, float(r[9]),
                                      float(r[10]), float(r[11]), int(r[15])))
                if r[6] == "0" and int(r[15]) > 0:
                    notes.append("%s -b %d %s %s: %s processes outlived their "
                                 "parent (reaped by measure.py)" % (
                                     src, nt, out, prog, r[15]))
            b = bytes_of(src, nt, prog)
            d = {"bytes": b, "runs": len(runs), "absent": not rows}
            if runs and b:
                walls = [float(r[8]) for r in runs]
                d["median_s"] = statistics.median(walls)
                d["wall_min_s"] = min(walls)
                d["wall_max_s"] = max(walls)
                d["MB_s"] = b / d["median_s"] / 1e6
                d["cpu_s_per_GiB"] = statistics.median(
                    float(r[9]) for r in runs) / (b / 2**30)
            # Memory comes from the untimed runs that sample it.
            mem = [r for r in rows if r[4] in ("warm", "mem") and
                   r[6] == "0" and int(r[12]) > 0]
            if mem:
                d["peak_rss_kb"] = statistics.median(int(r[12]) for r in mem)
                d["peak_pss_kb"] = statistics.median(int(r[13]) for r in mem)
            st = [s for s in strace if s[0] == src and int(s[1]) == nt and
                  s[2] == out and s[3] == prog]
            if st and b and len(st[-1]) >= 7 and int(st[-1][4]) > 0:
                recs = b / (nt * 1024)
                allc, disk, err = (int(x) for x in st[-1][4:7])
                d["syscalls_per_record_all"] = allc / recs
                d["syscalls_per_record_writer"] = (allc - disk - err) / recs
            res[(src, nt, out, prog)] = d
        ref = res[(src, nt, out, "ref")].get("MB_s")
        lb = res[(src, nt, out, "lb")].get("MB_s")
        rb = res[(src, nt, out, "rb")].get("MB_s")
        refcpu = res[(src, nt, out, "ref")].get("cpu_s_per_GiB")
        walls = {}
        for r in raw:
            if r[0] == src and int(r[1]) == nt and r[2] == out and \
                    r[4] == "run" and r[6] == "0":
                walls[(r[3], r[5])] = float(r[8])
        for prog, _ in PROGS:
            d = res[(src, nt, out, prog)]
            if d.get("MB_s") and ref:
                d["ratio_vs_reference"] = d["MB_s"] / ref
            if d.get("MB_s") and lb:
                d["ratio_vs_lowerbound"] = d["MB_s"] / lb
            if d.get("MB_s") and rb:
                d["ratio_vs_ringbound"] = d["MB_s"] / rb
            if d.get("cpu_s_per_GiB") is not None and refcpu:
                d["cpu_ratio_vs_reference"] = d["cpu_s_per_GiB"] / refcpu
            paired = [walls[("ref", i)] / w for (p, i), w in walls.items()
                      if p == prog and w > 0 and ("ref", i) in walls]
            if paired:
                d["paired_ratio_median"] = statistics.median(paired)
                d["paired_ratio_min"] = min(paired)
                d["paired_ratio_max"] = max(paired)

    # --- results.tsv ---
    spec = {"median_s": ".4f", "MB_s": ".1f", "ratio_vs_reference": ".3f",
            "cpu_s_per_GiB": ".3f", "peak_rss_kb": ".0f",
            "syscalls_per_record_all": ".2f",
            "syscalls_per_record_writer": ".2f", "wall_min_s": ".4f",
            "wall_max_s": ".4f", "peak_pss_kb": ".0f",
            "ratio_vs_lowerbound": ".3f", "paired_ratio_median": ".3f",
            "paired_ratio_min": ".3f", "paired_ratio_max": ".3f",
            "cpu_ratio_vs_reference": ".3f", "ratio_vs_ringbound": ".3f"}
    env = os.environ.get
    lines = ["# dumptape benchmark (bench/run.sh); columns: bench/report.py"]
    for k, v in machine():
        lines.append("# %s: %s" % (k, v))
    lines.append("# settings: BENCH_RUNS=%s BENCH_MB=%s, gen: -N %s -M 8000 "
                 "-S 1 over %s; ufs: %s; library %s, reference %s" % (
                     env("BENCH_RUNS", "5"), env("BENCH_MB", "400"),
                     env("BENCH_N", "?"), env("BENCH_DATAFILE", "?"),
                     env("BENCH_UFSIMG", "?"), env("BENCH_LIBBIN", "?"),
                     env("BENCH_REFBIN", "?")))
    lines.append("\t".join(COLUMNS))
    for (src, nt, out) in cases:
        for prog, name in PROGS:
            d = res[(src, nt, out, prog)]
            if d["absent"]:
                continue
            vals = [src, str(nt), out, name]
            for c in COLUMNS[4:]:
                v = d.get(c)
                if c in ("bytes", "runs"):
                    vals.append("-" if v is None else str(v))
                else:
                    vals.append(fmt(v, spec[c]))
            lines.append("\t".join(vals))
    with open(resultsf, "w") as f:
        f.write("\n".join(lines) + "\n")

    # --- the readable table ---
    hdr = ("case", "-b", "output", "program", "med s", "MB/s", "x ref",
           "x lowbd", "x ringbd", "CPU s/GiB", "RSS MB", "PSS MB", "sys/rec", "writer/rec")
    table = []
    for (src, nt, out) in cases:
        for prog, name in PROGS:
            d = res[(src, nt, out, prog)]
            if d["absent"]:
                continue
            table.append((src, str(nt), out, name,
                          fmt(d.get("median_s"), ".3f"),
                          fmt(d.get("MB_s"), ".0f"),
                          fmt(d.get("ratio_vs_reference"), ".2f"),
                          fmt(d.get("ratio_vs_lowerbound"), ".2f"),
                          fmt(d.get("ratio_vs_ringbound"), ".2f"),
                          fmt(d.get("cpu_s_per_GiB"), ".3f"),
                          fmt(d.get("peak_rss_kb") and
                              d["peak_rss_kb"] / 1024, ".1f"),
                          fmt(d.get("peak_pss_kb") and
                              d["peak_pss_kb"] / 1024, ".1f"),
                          fmt(d.get("syscalls_per_record_all"), ".2f"),
                          fmt(d.get("syscalls_per_record_writer"), ".2f")))
        table.append(None)
    print_table(hdr, table, right=set(range(4, len(hdr))))

    # --- targets ---
    print()
    print("Targets for the library (PASS/FAIL; - when not measured):")
    hdr2 = ("case", "-b", "output", "speed vs ref", "paired [range]",
            "need", "ringbd", "throughput", "writer sys/rec", "CPU vs ref",
            "lowbd CPU", "RSS vs ref", "PSS vs ref")
    t2 = []
    npass = nfail = 0
    for (src, nt, out) in cases:
        lib, ref = res[(src, nt, out, "lib")], res[(src, nt, out, "ref")]
        lbd = res[(src, nt, out, "lb")]
        rbd = res[(src, nt, out, "rb")]
        if lib.get("paired_ratio_median") is None:
            paired = "-"
        else:
            paired = "%.2f [%.2f-%.2f]" % (
                lib["paired_ratio_median"], lib["paired_ratio_min"],
                lib["paired_ratio_max"])
        need = throughput_target(nt, out)

        def verdict(ok):
            nonlocal npass, nfail
            if ok is None:
                return "-"
            if ok:
                npass += 1
                return "PASS"
            nfail += 1
            return "FAIL"

        def rel(key, limit):
            a, b = lib.get(key), ref.get(key)
            if a is None or not b:
                return None, "-"
            return a / b <= limit, "%.2f" % (a / b)

        r = lib.get("ratio_vs_reference")
        thr = verdict(None if r is None else r >= need)
        w = lib.get("syscalls_per_record_writer")
        if nt == 10 and w is not None:
            sysv = "%s %.2f" % (verdict(w <= SYSCALLS_B10_MAX), w)
        else:
            sysv = "n/a" if nt != 10 else "-"
        cok, ctxt = rel("cpu_s_per_GiB", CPU_MAX)
        rok, rtxt = rel("peak_rss_kb", RSS_MAX)
        _, ptxt = rel("peak_pss_kb", RSS_MAX)
        t2.append((src, str(nt), out, fmt(r, ".2f"), paired,
                   ">= %.0fx" % need,
                   fmt(rbd.get("ratio_vs_reference"), ".2f"), thr, sysv,
                   "%s %s" % (verdict(cok), ctxt),
                   fmt(lbd.get("cpu_ratio_vs_reference"), ".2f"),
                   "%s %s" % (verdict(rok), rtxt), ptxt))
    print_table(hdr2, t2, right={3, 6, 10})
    print("  throughput: >= 3x the reference at -b 10 to /dev/null and a pipe, "
          ">= 2x at -b 64, >= 1x to a regular file (and on a busy machine, "
          "not in the issue); writer sys/rec: <= %g at "
          "-b 10; CPU per GiB: <= %gx the reference's; peak RSS (sum of "
          "VmRSS): <= %gx the reference's (PSS shown, not judged)." % (
              SYSCALLS_B10_MAX, CPU_MAX, RSS_MAX))
    print("  speed vs ref is the ratio of the medians (judged); paired is "
          "the median of the rounds' ratios, with their range (a slow spell "
          "of the machine that hits both runs of a round cancels out).  "
          "lowbd CPU is the lower bound's CPU per GiB against the "
          "reference's: the room the CPU target leaves (at a pipe the lower "
          "bound also sleeps whenever the pipe is full, so there it is no "
          "strict bound).  ringbd is the ring bound's speed against the "
          "reference: three slaves that read in dump's blocks and write in "
          "order, with no master and nothing else to do.")
    print("  %d PASS, %d FAIL" % (npass, nfail))

    # --- the CPU cross-check ---
    if cpu_check:
        worst = max(cpu_check, key=lambda c: abs(c[4] - c[5]))
        worst2 = max(cpu_check, key=lambda c: abs(c[4] - c[6]))
        orph = sum(c[7] for c in cpu_check)
        print()
        print("CPU accounting check (warm-up runs under GNU time): GNU time "
              "%%U+%%S vs the subreaper's wait4 rusage of the whole tree: "
              "largest difference %.3f s (%s -b %d %s %s: %.3f vs %.3f); "
              "RUSAGE_CHILDREN agrees within %.4f s; %d orphans." % (
                  abs(worst[4] - worst[5]), worst[0], worst[1], worst[2],
                  worst[3], worst[5], worst[4], abs(worst2[4] - worst2[6]),
                  orph))
    if env("BENCH_WAKECOST"):
        print("A hand-over to a process that sleeps costs here (wall / CPU "
              "microseconds, bench/wakecost.c): %s.  A ring that sleeps pays "
              "it at every sleep; one that looks instead pays in CPU." %
              env("BENCH_WAKECOST"))
    for n in notes:
        print("NOTE: " + n)
    busy = [x for x in (env("BENCH_LOAD_START", "?"), loadavg())
            if x != "?" and float(x.split()[0]) > 0.5 * (os.cpu_count() or 1)]
    if busy:
        print("NOTE: the machine was busy (load average %s on %d CPUs): the "
              "times are noisy; CPU seconds and system calls much less so." % (
                  " then ".join(busy), os.cpu_count() or 1))
    el = env("BENCH_ELAPSED")
    print()
    print("Wrote %s%s." % (resultsf, "" if el is None else
                            " (the runs took %s s)" % el))
    return 0


def print_table(hdr, rows, right=()):
    w = [len(h) for h in hdr]
    for r in rows:
        if r:
            w = [max(a, len(b)) for a, b in zip(w, r)]

    def line(r):
        return "  ".join((c.rjust(w[i]) if i in right else c.ljust(w[i]))
                         for i, c in enumerate(r)).rstrip()
    print(line(hdr))
    print(line(["-" * x for x in w]))
    for r in rows:
        print("" if r is None else line(r))


if __name__ == "__main__":
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    sys.exit(main(*sys.argv[1:]))
