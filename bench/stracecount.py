#!/usr/bin/env python3
"""Count the system calls in an `strace -f -o FILE` trace (bench/run.sh).

usage: stracecount.py TRACE

Prints three tab-separated numbers:

  all		every system call started by any process of the trace: each
		line "PID name(..." counts once, whether it finished on that
		line or says <unfinished ...>; the "<... name resumed>" lines
		that finish them, signals (---) and exits (+++) do not count
  disk		the reads of the disk the rest of dump makes: pread64,
		preadv, preadv2, lseek, _llseek (minidump's bread() and the
		UFS source use pread; nothing else in minidump, the library,
		tape.c or the lower bound uses these calls)
  stderr	messages: write(2, ...) and writev(2, ...)

The writer's own calls are all - disk - stderr.
"""

import re
import sys

DISK = {"pread64", "preadv", "preadv2", "lseek", "_llseek"}
LINE = re.compile(rb"^(\d+)\s+([A-Za-z_0-9?]+)\((.{0,2})")


def main(path):
    total = disk = stderr = 0
    with open(path, "rb") as f:
        for line in f:
            m = LINE.match(line)
            if m is None:
                continue        # resumed, signal, exit, or noise
            total += 1
            name = m.group(2)
            if name in DISK_B:
                disk += 1
            elif name in (b"write", b"writev") and m.group(3) == b"2,":
                stderr += 1
    print("%d\t%d\t%d" % (total, disk, stderr))


DISK_B = {n.encode() for n in DISK}

if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
