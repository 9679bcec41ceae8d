#!/bin/sh
# make demo: dump a generated file system through libdumptape and say what
# was written.  (Reading real UFS images with makefs comes with the
# front-end's UFS support.)
set -eu
cd "$(dirname "$0")/.."
out=${DEMO_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/dumptape-demo.XXXXXX")}
mkdir -p "$out"
head -c 8388608 /dev/urandom > "$out/disk.img"
echo "demo: dumping a generated file system (seed 1, 300 inodes) to $out/vol1,$out/vol2,$out/vol3"
SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1000000000} DUMPTAPE_HOST=demo \
    build/minidump -S 1 -N 300 -b 10 -B 3000 \
    -f "$out/vol1,$out/vol2,$out/vol3" "$out/disk.img"
for v in "$out"/vol*; do
	printf 'demo: %s: %s bytes\n' "$v" "$(wc -c < "$v" | tr -d ' ')"
done
echo "demo: the volumes are in $out"
