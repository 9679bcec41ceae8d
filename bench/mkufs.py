#!/usr/bin/env python3
"""Make the file tree of the benchmark's UFS image (bench/run.sh).

usage: mkufs.py DATAFILE DIR MB

Fills DIR (which must not exist) with about MB megabytes (10^6 bytes) of
regular files whose contents are slices of DATAFILE, in directories of 40
files, with a few symbolic links.  File sizes are log-uniform from 100 bytes
to 8 MiB, so that there are many small files and most bytes are in big
ones.  The same arguments always make the same tree (fixed seed).
"""

import math
import os
import random
import sys


def main(datafile, top, mb):
    target = int(mb) * 1000 * 1000
    rng = random.Random(20240601)
    fd = os.open(datafile, os.O_RDONLY)
    dsize = os.fstat(fd).st_size
    os.mkdir(top)
    total = nfiles = 0
    d = None
    lo, hi = math.log(100), math.log(8 << 20)
    while total < target:
        if nfiles % 40 == 0:
            d = os.path.join(top, "d%04d" % (nfiles // 40))
            os.mkdir(d)
            os.symlink("../d0000", os.path.join(d, "up"))
        size = min(int(math.exp(rng.uniform(lo, hi))), target - total)
        size = max(size, 1)
        off = rng.randrange(0, max(1, dsize - size))
        with open(os.path.join(d, "f%05d" % nfiles), "wb") as f:
            left = size
            while left > 0:
                n = min(left, 1 << 20)
                chunk = os.pread(fd, n, off + size - left)
                if not chunk:
                    sys.exit("mkufs.py: %s is too small" % datafile)
                f.write(chunk)
                left -= len(chunk)
        total += size
        nfiles += 1
    os.close(fd)
    print("%d files, %d bytes" % (nfiles, total))


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(*sys.argv[1:])
