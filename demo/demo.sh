#!/bin/sh
# make demo: the whole trip of a file system through libdumptape.
#
# The sample tree in demo/sample is copied, given what a checkout cannot
# carry (a hard link, an empty directory, a sparse file, a larger file,
# file modes), made into a UFS1 image with makefs, dumped by
# build/minidump (linked with the library) onto a set of small volumes,
# checked with dumpcheck, listed and restored by restore(8), and the
# restored tree compared with the copy.
#
# ABI=freebsd (make demo ABI=freebsd): the same trip through today's
# FreeBSD interface: a UFS2 image, build/freebsd/minidump (linked with
# libdumptape-freebsd), volumes in today's format.  restore(8) on Linux
# takes a file's times from the header's 1998 places, which today's
# format leaves 0, so that trip compares everything but the times.
#
# DEMO_DIR: where to work (default: a new directory under TMPDIR); it is
# kept, so that the image, the volumes and the restored tree can be
# looked at afterwards.
set -eu
cd "$(dirname "$0")/.."
top=$(pwd)

say() {
	echo "demo: $*"
}

fail() {
	echo "demo: FAILED: $*" >&2
	exit 1
}

# makefs and restore live in /usr/sbin, which a user's PATH may lack.
PATH=$PATH:/usr/sbin:/sbin
export PATH

need=""
command -v makefs >/dev/null 2>&1 || need="$need makefs"
command -v restore >/dev/null 2>&1 || need="$need dump"
if [ -n "$need" ]; then
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
		say "installing$need (apt-get)"
		apt-get update -qq >/dev/null 2>&1 || true
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $need \
		    >/dev/null || fail "apt-get install -y$need did not work"
	else
		fail "makefs and restore are needed: apt-get install -y$need"
	fi
fi
case ${ABI:-} in
""|1998)
	prog=build/minidump ufs=1 fmt="the 1998 format (NFS_MAGIC, 32-bit fields)"
	;;
freebsd)
	prog=build/freebsd/minidump ufs=2
	fmt="today's FreeBSD format (FS_UFS2_MAGIC, 64-bit c_tapea and dates)"
	;;
*)
	fail "ABI=$ABI: it is empty, 1998 or freebsd"
	;;
esac
say "interface: ${ABI:-1998} ($prog); volumes in $fmt"
for f in $prog target/release/dumpcheck; do
	[ -x "$f" ] || fail "$f is missing: run make all"
done

out=${DEMO_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/dumptape-demo.XXXXXX")}
mkdir -p "$out"
tree=$out/tree
img=$out/sample.img
rest=$out/restored
rm -rf "$tree" "$rest" "$img" "$out"/vol[0-9][0-9][0-9] "$out/dump.log"

# The tree: the bundled sample, and what git does not keep.
cp -pR demo/sample "$tree"
chmod 755 "$tree/src/count.sh"
chmod 600 "$tree/private/secret.txt"
chmod 700 "$tree/private"
ln "$tree/docs/notes.txt" "$tree/src/notes-hard-link.txt"
mkdir "$tree/empty-dir"
# A file with a 3 MB hole (makefs writes the zeros out) ...
printf 'the start of a sparse file\n' > "$tree/sparse.dat"
dd if=/dev/null of="$tree/sparse.dat" bs=1 seek=3145728 2>/dev/null
printf 'and its end, 3 MB on\n' >> "$tree/sparse.dat"
# ... and one big enough for indirect blocks, text all the same.
awk 'BEGIN { for (i = 0; i < 40000; i++)
	printf("line %05d of the larger file of the demo\n", i) }' \
	> "$tree/docs/larger.txt"
nfiles=$(find "$tree" | wc -l | tr -d ' ')
say "1. sample tree: $tree ($nfiles names, $(du -sk "$tree" | cut -f1) KB)"

makefs -t ffs -o version=$ufs -M 1048576 "$img" "$tree" >"$out/makefs.log" 2>&1 ||
    { cat "$out/makefs.log" >&2; fail "makefs"; }
say "2. UFS$ufs image (makefs -t ffs -o version=$ufs): $img ($(wc -c < "$img" | tr -d ' ') bytes)"

# Small volumes, 1200 records (1.2 MB) each, from a list of names.
ntrec=10
recs=1200
vols=""
for i in 1 2 3 4 5 6 7 8 9; do
	vols="$vols${vols:+,}$out/vol00$i"
done
say "3. dumping it with $prog -b $ntrec -B $recs -f $out/vol001,...:"
SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1000000000} \
    DUMPTAPE_HOST=${DUMPTAPE_HOST:-demo} \
    $prog -0 -L demo -b $ntrec -B $recs -f "$vols" "$img" \
    >"$out/dump.log" 2>&1 || { cat "$out/dump.log" >&2; fail "minidump"; }
sed 's/^/     /' "$out/dump.log"
set --
for v in "$out"/vol[0-9][0-9][0-9]; do
	set -- "$@" "$v"
	bytes=$(wc -c < "$v" | tr -d ' ')
	say "   volume $v: $bytes bytes, $((bytes / 1024)) records"
done
[ $# -ge 3 ] || fail "expected 3 volumes or more, got $#"

say "4. checking the record stream: dumpcheck -b $ntrec <volumes>"
target/release/dumpcheck -b $ntrec "$@" || fail "dumpcheck"

# restore -M takes -f as a prefix and reads prefix001, prefix002, ...
# one after the other, without asking for the next volume.  -b: restore
# otherwise guesses the blocking factor from its first read, which a
# first volume shorter than that read would mislead.
say "5. listing the set: restore -t -b $ntrec -M -f $out/vol"
restore -t -b $ntrec -M -f "$out/vol" </dev/null 2>&1 | sed 's/^/     /'

mkdir "$rest"
say "6. restoring it: cd $rest && restore -r -b $ntrec -M -f $out/vol"
(cd "$rest" && restore -r -b $ntrec -M -f "$out/vol" </dev/null) ||
    fail "restore -r"
# restore -r leaves its table for a later incremental restore.
rm -f "$rest/restoresymtable"

say "7. comparing $rest with $tree"
diff -r --no-dereference "$tree" "$rest" || fail "the trees differ"
# Modes, link counts, owners, sizes, times and symbolic link targets as
# ls shows them.  Not the space used ("total"): makefs writes out the
# hole of the sparse file; nor a directory's own size, which depends on
# the host file system; nor, in today's format, the times (see above).
lsl='$1 == "total" { next } $1 ~ /^d/ { $5 = "-" }'
if [ "$ufs" = 2 ]; then
	lsl="$lsl"' NF >= 9 { $6 = $7 = $8 = "-" }'
fi
lsl="$lsl"' { print }'
(cd "$tree" && ls -lnR .) | awk "$lsl" > "$out/ls.tree"
(cd "$rest" && ls -lnR .) | awk "$lsl" > "$out/ls.restored"
diff "$out/ls.tree" "$out/ls.restored" || fail "modes or links differ"
for l in latest; do
	[ "$(readlink "$tree/$l")" = "$(readlink "$rest/$l")" ] ||
	    fail "symbolic link $l"
done
set -- $(ls -i "$rest/docs/notes.txt") $(ls -i "$rest/src/notes-hard-link.txt")
[ "$1" = "$3" ] || fail "the hard link was not kept"
if [ "$ufs" = 2 ]; then
	say "   same contents, modes, owners, symbolic link and hard link"
else
	say "   same contents, modes, owners, times, symbolic link and hard link"
fi

say "done.  Everything is in $out:"
say "  tree/      the sample tree as dumped"
say "  sample.img the UFS$ufs image made of it"
say "  vol001...  the dump volumes (dump.log: what minidump said)"
say "  restored/  the tree restore(8) made of the volumes"
say "Remove it with: rm -rf $out"
