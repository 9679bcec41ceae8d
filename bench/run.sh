#!/bin/sh
# bench/run.sh: throughput, CPU, memory and system calls of the library's
# minidump (build/minidump) against the original tape.c's
# (build/minidump-orig), a one-process lower bound (bench/lowerbound.c) and
# a ring of three slaves without a master (bench/ringbound.c).
# `make bench` builds both and runs this from the top of the tree.
#
# Cases: source (gen: minidump's generator over a file of random bytes;
# ufs: a UFS1 image made with makefs) x blocking factor (-b 10, -b 64) x
# output (null: /dev/null; file: a regular file in bench/data, removed after
# each run; pipe: -f - | cat > /dev/null, timing the whole pipeline).
# Per case: one untimed warm-up run of each program under GNU time (the CPU
# cross-check), then BENCH_RUNS timed runs of each, alternating programs,
# then BENCH_MEMRUNS untimed runs of each for peak memory, then
# (BENCH_STRACE=1) one untimed run of each counting its system calls.
# Memory is sampled in the warm-up and memory runs only: the sampler
# (a thread of measure.py reading /proc every 10 ms) takes processor time
# that the timed runs would otherwise have.
#
# Environment (defaults in brackets):
#   BENCH_RUNS	timed runs per program and case [5]
#   BENCH_MEMRUNS	untimed runs per program and case for memory, besides
#		the warm-up run [2]
#   BENCH_MB	megabytes (10^6 bytes) each run writes [400]
#   BENCH_DATA_MIB	size of the random data file, MiB (>= 300 by default) [320]
#   BENCH_SOURCES	[gen ufs]   BENCH_NTRECS [10 64]   BENCH_OUTPUTS [null file pipe busy]
#		(busy: /dev/null while one busy loop per processor runs)
#   BENCH_STRACE	1: count system calls, 0: skip that [1]
#   BENCH_TIMEOUT	seconds before a run is killed [300]
#   BENCH_LIB, BENCH_REF	the two programs [build/minidump, build/minidump-orig]
#   BENCH_RESULTS	where the table goes [bench/results.tsv]
#
# Results: bench/results.tsv (see bench/report.py for the columns); raw
# measurements in bench/data/ (git-ignored), which also caches the data file
# and the UFS image.

set -u
cd "$(dirname "$0")/.." || exit 1

RUNS=${BENCH_RUNS:-5}
MEMRUNS=${BENCH_MEMRUNS:-2}
MB=${BENCH_MB:-400}
DATA_MIB=${BENCH_DATA_MIB:-320}
SOURCES=${BENCH_SOURCES:-gen ufs}
NTRECS=${BENCH_NTRECS:-10 64}
OUTPUTS=${BENCH_OUTPUTS:-null file pipe busy}
STRACE=${BENCH_STRACE:-1}
TMO=${BENCH_TIMEOUT:-300}
LIB=${BENCH_LIB:-build/minidump}
REF=${BENCH_REF:-build/minidump-orig}
RESULTS=${BENCH_RESULTS:-bench/results.tsv}
GEN_MAXKB=8000
GEN_SEED=1

B=bench
D=bench/data
DATA=$D/random-$DATA_MIB.img
UFSIMG=$D/ufs-$MB.img
OUTFILE=$D/out.dump
RAW=$D/raw.tsv
STR=$D/strace.tsv
BYTES=$D/bytes.tsv
LB=$D/lowerbound
RB=$D/ringbound
WC=$D/wakecost
PY=${PYTHON:-python3}

say() { printf '%s\n' "bench: $*" >&2; }
die() { say "$*"; exit 1; }

# A machine busy with other work: one process per processor that only
# computes, as long as a case runs.
HOGS=""
hogs_start() {
	i=0
	while [ $i -lt "$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 2)" ]; do
		sh -c 'while :; do :; done' &
		HOGS="$HOGS $!"
		i=$((i + 1))
	done
}
hogs_stop() {
	[ -n "$HOGS" ] && kill $HOGS 2>/dev/null
	[ -n "$HOGS" ] && wait $HOGS 2>/dev/null
	HOGS=""
}

cleanup() {
	hogs_stop
	rm -f "$OUTFILE" "$D/trace" "$D/ufs-tree.tmp.img"
	rm -rf "$D/ufs-tree"
}
trap 'cleanup; exit 130' INT TERM HUP
trap cleanup EXIT

for p in "$LIB" "$REF"; do
	[ -x "$p" ] || die "$p is missing: run make all reference (or make bench)"
done
command -v "$PY" >/dev/null || die "python3 is missing"
# System calls are counted with perf's tracepoints where they can be read:
# they count without stopping anyone.  strace -f stops every process at
# every call, which turns a ring that waits by spinning into one that
# sleeps, and so counts a different program.  strace is the fallback.
COUNTER=none
if [ "$STRACE" = 1 ]; then
	if command -v perf >/dev/null &&
	    perf stat -x, -e raw_syscalls:sys_enter true >/dev/null 2>&1; then
		COUNTER=perf
	elif command -v strace >/dev/null; then
		COUNTER=strace
		say "perf's syscall tracepoints are not readable: counting with strace -f (apt-get install linux-perf, run as root)"
	else
		say "neither perf nor strace: no system call counts (apt-get install linux-perf strace)"
		STRACE=0
	fi
fi
[ -x /usr/bin/time ] || die "/usr/bin/time (GNU time) is missing"
mkdir -p "$D" || exit 1
START=$(date +%s)
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)
# Measure copies, so that a build during the runs cannot mix two versions
# (both programs are linked statically against what they test).
LIBSRC=$LIB REFSRC=$REF
cp "$LIBSRC" "$D/minidump-lib" && cp "$REFSRC" "$D/minidump-ref" ||
    die "cannot copy the programs to $D"
LIB=$D/minidump-lib REF=$D/minidump-ref
sums() { cksum < "$LIBSRC" | cut -d' ' -f1; cksum < "$REFSRC" | cut -d' ' -f1; }
SUMS_START=$(sums | tr '\n' ' ')

# --- inputs -----------------------------------------------------------

if [ ! -f "$DATA" ] || \
    [ "$(wc -c < "$DATA")" -ne $((DATA_MIB * 1024 * 1024)) ]; then
	say "making $DATA ($DATA_MIB MiB of random bytes)"
	rm -f "$D"/random-*.img
	head -c $((DATA_MIB * 1024 * 1024)) /dev/urandom > "$DATA.tmp" &&
	    mv "$DATA.tmp" "$DATA" || die "cannot make $DATA"
fi

case " $SOURCES " in
*" ufs "*)
	if [ ! -f "$UFSIMG" ]; then
		command -v makefs >/dev/null ||
		    die "makefs is missing (apt-get install makefs), or set BENCH_SOURCES=gen"
		say "making $UFSIMG (UFS1, about $MB MB of files)"
		rm -rf "$D/ufs-tree" "$D"/ufs-*.img
		"$PY" $B/mkufs.py "$DATA" "$D/ufs-tree" "$MB" >&2 &&
		    makefs -t ffs -o version=1 "$D/ufs-tree.tmp.img" \
		    "$D/ufs-tree" > "$D/makefs.log" 2>&1 &&
		    mv "$D/ufs-tree.tmp.img" "$UFSIMG" ||
		    die "cannot make $UFSIMG (see $D/makefs.log)"
		rm -rf "$D/ufs-tree"
	fi
	# Does the library's minidump take it?  (Skip the source if not.)
	if ! timeout "$TMO" "$LIB" -a -b 10 -f /dev/null "$UFSIMG" \
	    > /dev/null 2>"$D/ufs-check.err"; then
		say "$LIB does not dump $UFSIMG (see $D/ufs-check.err): no ufs cases"
		SOURCES=$(echo "$SOURCES" | sed 's/ufs//')
	fi
	;;
esac

say "reading the inputs into the page cache"
cat "$DATA" > /dev/null
[ -f "$UFSIMG" ] && case " $SOURCES " in *" ufs "*) cat "$UFSIMG" > /dev/null;; esac

${CC:-cc} -O2 -o "$LB" $B/lowerbound.c || die "cannot compile $B/lowerbound.c"
${CC:-cc} -O2 -o "$RB" $B/ringbound.c || die "cannot compile $B/ringbound.c"
${CC:-cc} -O2 -pthread -o "$WC" $B/wakecost.c ||
    die "cannot compile $B/wakecost.c"

# The ring bound reads in the blocks dump's bread() reads: the generator's
# block size, and the UFS image's (fs_bsize, in the UFS1 super block at
# 8192 or the UFS2 one at 65536).
GEN_BSIZE=$(sed -n 's/^#define[[:space:]]*GEN_BSIZE[[:space:]]*\([0-9][0-9]*\).*/\1/p' \
    c-shim/minidump/gen.c)
[ -n "$GEN_BSIZE" ] || die "no GEN_BSIZE in c-shim/minidump/gen.c"
UFS_BSIZE=8192
case " $SOURCES " in
*" ufs "*)
	UFS_BSIZE=$("$PY" -c '
import struct, sys
f = open(sys.argv[1], "rb")
for off, magic in ((8192, 0x011954), (65536, 0x19540119)):
    f.seek(off)
    sb = f.read(1376)
    if len(sb) == 1376 and struct.unpack_from("=i", sb, 1372)[0] == magic:
        print(struct.unpack_from("=i", sb, 48)[0])
        break
' "$UFSIMG")
	[ -n "$UFS_BSIZE" ] || die "no UFS super block in $UFSIMG"
	;;
esac

# --- how many inodes make BENCH_MB megabytes --------------------------

# dumpbytes prog ntrec source: bytes the dump writes (to a pipe, counted)
dumpbytes() {
	timeout "$TMO" "$1" -a -b "$2" $(srcopts "$3") -f - "$(disk "$3")" \
	    2>/dev/null | wc -c | tr -d ' '
}
srcopts() {
	case $1 in
	gen) echo "-N $N -M $GEN_MAXKB -S $GEN_SEED";;
	*) ;;
	esac
}
disk() {
	case $1 in
	gen) echo "$DATA";;
	ufs) echo "$UFSIMG";;
	esac
}

N=$((1800 * MB / 400))
[ "$N" -ge 1 ] || N=1
case " $SOURCES " in
*" gen "*)
	i=0
	while :; do
		got=$(dumpbytes "$REF" 64 gen)
		[ "${got:-0}" -gt 0 ] || die "$REF writes nothing"
		ok=$("$PY" -c "import sys; t=$MB*1e6; print(int(abs($got-t) <= 0.08*t))")
		[ "$ok" = 1 ] && break
		i=$((i + 1))
		[ $i -ge 6 ] && { say "gen: $got bytes with -N $N, close enough"; break; }
		N=$("$PY" -c "print(max(1, min(1000000, round($N*$MB*1e6/$got))))")
	done
	say "gen: -N $N -M $GEN_MAXKB -S $GEN_SEED writes about $got bytes"
	;;
esac

: > "$BYTES"
for src in $SOURCES; do
	for nt in $NTRECS; do
		for prog in lib ref; do
			case $prog in lib) bin=$LIB;; ref) bin=$REF;; esac
			printf '%s\t%s\t%s\t%s\n' "$src" "$nt" "$prog" \
			    "$(dumpbytes "$bin" "$nt" "$src")" >> "$BYTES"
		done
	done
done

# bytesof source ntrec prog
bytesof() {
	awk -F'\t' -v s="$1" -v n="$2" -v p="$3" \
	    '$1 == s && $2 == n && $3 == p { print $4 }' "$BYTES"
}

# --- the runs ---------------------------------------------------------

# cmdline prog source ntrec output: the command, for measure.py or strace
cmdline() {
	case $4 in
	null|busy) o=/dev/null;;
	file) o=$OUTFILE;;
	pipe) o=-;;
	esac
	case $1 in
	lib) echo "$LIB -a -b $3 $(srcopts "$2") -f $o $(disk "$2")";;
	ref) echo "$REF -a -b $3 $(srcopts "$2") -f $o $(disk "$2")";;
	lb) echo "$LB $(disk "$2") $3 $(bytesof "$2" "$3" ref) $o";;
	rb) echo "$RB $(disk "$2") $3 $(bytesof "$2" "$3" ref) $o $(slotsof "$4") $(bsizeof "$2")";;
	esac
}

# Slots of the ring bound: two lists a slave where the output cannot end
# (a pipe), as the library may have (ring::depth), one elsewhere.
slotsof() {
	case $1 in
	pipe) echo 6;;
	*) echo 3;;
	esac
}

bsizeof() {
	case $1 in
	gen) echo "$GEN_BSIZE";;
	ufs) echo "$UFS_BSIZE";;
	esac
}

# reverse word...: the words, last first
reverse() {
	r_out=""
	for r_w in "$@"; do
		r_out="$r_w $r_out"
	done
	echo $r_out
}

FAILS=0
# measure phase idx prog source ntrec output
measure() {
	m_phase=$1 m_idx=$2 m_prog=$3 m_src=$4 m_nt=$5 m_out=$6
	m_opts=""
	[ "$m_out" = pipe ] && m_opts="--pipe"
	[ "$m_phase" = warm ] && m_opts="$m_opts --gnutime"
	[ "$m_phase" = run ] && m_opts="$m_opts --nosample"
	rm -f "$OUTFILE"
	m_res=$("$PY" $B/measure.py $m_opts --timeout "$TMO" \
	    --errlog "$D/last.err" -- $(cmdline $m_prog $m_src $m_nt $m_out))
	m_rc=$?
	[ $m_rc -eq 130 ] && exit 130
	m_ob=-
	[ "$m_out" = file ] && [ -f "$OUTFILE" ] &&
	    m_ob=$(wc -c < "$OUTFILE" | tr -d ' ')
	rm -f "$OUTFILE"
	if [ $m_rc -ne 0 ]; then
		FAILS=$((FAILS + 1))
		say "FAILED: $m_prog $m_src -b $m_nt $m_out ($m_res); its stderr:"
		tail -5 "$D/last.err" >&2
		cp "$D/last.err" "$D/failed-$m_prog-$m_src-$m_nt-$m_out.err"
	fi
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$m_src" "$m_nt" \
	    "$m_out" "$m_prog" "$m_phase" "$m_idx" "$m_rc" "$m_ob" "$m_res" \
	    >> "$RAW"
}

# counted prog source ntrec output counter...: one untimed run of the case
# under the counter (its report in $D/trace), the pipe read by cat
counted() {
	c_prog=$1 c_src=$2 c_nt=$3 c_out=$4
	shift 4
	rm -f "$OUTFILE" "$D/trace"
	if [ "$c_out" = pipe ]; then
		timeout "$TMO" "$@" $(cmdline $c_prog $c_src $c_nt $c_out) \
		    2>/dev/null | cat > /dev/null
	else
		timeout "$TMO" "$@" $(cmdline $c_prog $c_src $c_nt $c_out) \
		    > /dev/null 2>&1
	fi
}

# perf_count prog source ntrec output: the same three numbers as
# stracecount.py (all, disk reads, messages), from perf stat's counters
PERF_EVENTS="-e raw_syscalls:sys_enter -e syscalls:sys_enter_pread64
    -e syscalls:sys_enter_preadv -e syscalls:sys_enter_lseek
    -e syscalls:sys_enter_write --filter fd==2
    -e syscalls:sys_enter_writev --filter fd==2"
perf_count() {
	counted "$1" "$2" "$3" "$4" perf stat -x, -o "$D/trace" $PERF_EVENTS --
	printf '%s\t%s\t%s\t%s\t%s\n' "$2" "$3" "$4" "$1" "$(awk -F, '
	    $3 == "raw_syscalls:sys_enter" { all = $1 }
	    $3 ~ /pread64|preadv|lseek/ { disk += $1 }
	    $3 ~ /sys_enter_write/ { err += $1 }
	    END { printf "%d\t%d\t%d", all, disk, err }' "$D/trace")" >> "$STR"
	rm -f "$OUTFILE" "$D/trace"
}

# strace_count prog source ntrec output
strace_count() {
	counted "$1" "$2" "$3" "$4" strace -f -o "$D/trace"
	printf '%s\t%s\t%s\t%s\t%s\n' "$2" "$3" "$4" "$1" \
	    "$("$PY" $B/stracecount.py "$D/trace")" >> "$STR"
	rm -f "$OUTFILE" "$D/trace"
}

: > "$RAW"
: > "$STR"
for src in $SOURCES; do
	for nt in $NTRECS; do
		for out in $OUTPUTS; do
			say "$src -b $nt -> $out ($(($(date +%s) - START)) s so far)"
			# Reread the input: a page cache that evicts what
			# sat idle (a DAMON reclaim scheme here pages out
			# what was not touched for a minute) must not make
			# the first runs of a case read the disk.
			cat "$(disk "$src")" > /dev/null
			# The ring bound spins with sched_yield(), which on a
			# busy machine hands the processor away for a whole
			# time slice each time (a run takes seconds): no bound.
			PROGS="lib ref lb rb"
			[ "$out" = busy ] && PROGS="lib ref lb"
			[ "$out" = busy ] && hogs_start
			for prog in $PROGS; do
				measure warm 0 $prog $src $nt $out
			done
			r=1
			while [ $r -le "$RUNS" ]; do
				if [ $((r % 2)) = 1 ]; then
					order=$PROGS
				else
					order=$(reverse $PROGS)
				fi
				for prog in $order; do
					measure run $r $prog $src $nt $out
				done
				r=$((r + 1))
			done
			r=1
			while [ $r -le "$MEMRUNS" ]; do
				for prog in $PROGS; do
					measure mem $r $prog $src $nt $out
				done
				r=$((r + 1))
			done
			if [ "$STRACE" = 1 ]; then
				for prog in $PROGS; do
					${COUNTER}_count $prog $src $nt $out
				done
			fi
			hogs_stop
		done
	done
done

# What waking a sleeper costs here: the price of every sleep in a ring.
WAKECOST=$("$WC" 2>/dev/null | awk -F'\t' 'NR > 1 {
    printf "%s%s %s / %s", sep, $1, $2, $3; sep = ", " }')
ELAPSED=$(($(date +%s) - START))
SUMS_END=$(sums | tr '\n' ' ')
[ "$SUMS_START" = "$SUMS_END" ] ||
    say "note: $LIBSRC or $REFSRC was rebuilt during the runs; the copies made at the start were measured"
say "done in $ELAPSED s"

case " $SOURCES " in *" ufs "*) ;; *) UFSIMG="(not run)";; esac
case " $SOURCES " in *" gen "*) ;; *) N="(not run)";; esac
BENCH_WAKECOST=$WAKECOST BENCH_COUNTER=$COUNTER BENCH_SUMS="$SUMS_START" BENCH_SUMS_END="$SUMS_END" BENCH_N=$N BENCH_ELAPSED=$ELAPSED BENCH_LOAD_START=$LOAD_START BENCH_LIBBIN=$LIBSRC BENCH_REFBIN=$REFSRC \
    BENCH_DATAFILE=$DATA BENCH_UFSIMG=$UFSIMG \
    "$PY" $B/report.py "$RAW" "$STR" "$BYTES" "$RESULTS"
rc=$?
[ $FAILS -eq 0 ] || { say "$FAILS runs failed (bench/data/failed-*.err)"; rc=1; }
exit $rc
