#!/bin/sh
# The Debian packages, end to end (run by tests/run.sh, so part of make
# test): build them with `make deb`, check them with lintian, unpack them
# into a scratch root and use nothing but what they hold there: build the
# project's front-end (c-shim/minidump) against the packaged library with
# pkg-config, once shared and once static, run a small dump with each,
# check it with the packaged dumpcheck, render the packaged manual pages,
# and compare the packages' files with what `make install` installs.
#
# Nothing is installed on the machine: the packages are unpacked with
# `dpkg -x` into the scratch root, never `dpkg -i`, so the test neither
# needs nor leaves a system copy of the library, and a library already
# installed in /usr cannot stand in for the packaged one unnoticed.
#
# Prints one line per check passed; any failure ends it with status 1.
set -eu
cd "$(dirname "$0")/.."

MAKE=${MAKE:-make}

say() {
	echo "packaging: $*"
}

pass() {
	echo "packaging: ok: $*"
}

fail() {
	echo "packaging: FAILED: $*" >&2
	exit 1
}

# Show the end of a step's log, then fail.
fail_log() {
	tail -n 40 "$1" >&2 || true
	shift
	fail "$*"
}

# --- what the checks need -------------------------------------------------

# dump brings dump(8) and restore(8), and manpages-dev fork(2) and the
# rest, for the pages' cross-references (mandoc -Tlint looks for them).
need=""
command -v dpkg-buildpackage >/dev/null 2>&1 || need="$need dpkg-dev"
command -v dh >/dev/null 2>&1 || need="$need debhelper"
command -v lintian >/dev/null 2>&1 || need="$need lintian"
command -v mandoc >/dev/null 2>&1 || need="$need mandoc"
command -v pkg-config >/dev/null 2>&1 || need="$need pkg-config"
command -v man >/dev/null 2>&1 || need="$need man-db"
command -v readelf >/dev/null 2>&1 || need="$need binutils"
command -v cc >/dev/null 2>&1 || need="$need build-essential"
dpkg -s build-essential >/dev/null 2>&1 || need="$need build-essential"
[ -e /usr/share/man/man2/fork.2.gz ] || need="$need manpages-dev"
command -v restore >/dev/null 2>&1 || [ -x /sbin/restore ] ||
    need="$need dump"
if [ -n "$need" ]; then
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
		say "installing$need"
		apt-get update -qq >/dev/null 2>&1 || true
		DEBIAN_FRONTEND=noninteractive timeout 900 \
		    apt-get install -y -qq $need >/dev/null ||
		    fail "apt-get install -y$need did not work"
	else
		fail "missing$need; install them with: apt-get install -y$need"
	fi
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/dumptape-packaging.XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'exit 1' HUP INT TERM

version=$(dpkg-parsechangelog -S Version)
arch=$(dpkg --print-architecture)
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null)
pkgs="libdumptape0 libdumptape-dev dumptape-tools"

# --- build ------------------------------------------------------------------

# What the checkout and the directory above it hold before the build, to
# see that the build adds nothing to either but build/ (where it works).
touch "$work/start"
status() {
	git status --porcelain --ignored | grep -v '^!! build/$' || true
}
before=""
if [ -e .git ] && command -v git >/dev/null 2>&1; then
	status >"$work/status.before"
	before=$work/status.before
fi

timeout 1800 $MAKE deb >"$work/deb.log" 2>&1 ||
    fail_log "$work/deb.log" "make deb (log above)"
for p in $pkgs; do
	[ -f "build/deb/${p}_${version}_${arch}.deb" ] ||
	    fail "make deb did not write build/deb/${p}_${version}_${arch}.deb"
done
[ -f "build/deb/dumptape_${version}_${arch}.changes" ] ||
    fail "make deb did not write the .changes file in build/deb"
[ -f "build/deb/dumptape_${version}_${arch}.buildinfo" ] ||
    fail "make deb did not write the .buildinfo file in build/deb"
pass "make deb: $(cd build/deb && echo *.deb) in build/deb"

litter=$(find .. -maxdepth 1 -newer "$work/start" \( -name '*.deb' \
    -o -name '*.ddeb' -o -name '*.changes' -o -name '*.buildinfo' \) \
    -print)
[ -z "$litter" ] || fail "make deb left files in ..: $litter"
if [ -n "$before" ]; then
	status >"$work/status.after"
	cmp -s "$work/status.before" "$work/status.after" || {
		diff "$work/status.before" "$work/status.after" >&2 || true
		fail "make deb changed the checkout (git status above)"
	}
	pass "make deb left the checkout and its parent directory as they were"
else
	pass "make deb left nothing in the parent directory"
fi

# --- lintian ----------------------------------------------------------------

# Every tag is shown (-I -E --pedantic); an error (E:) fails the test.
# lintian itself exits non-zero for errors, or when it cannot run.
st=0
timeout 600 lintian -I -E --pedantic build/deb/*.deb >"$work/lintian.log" \
    2>&1 || st=$?
grep -v 'running with root privileges' "$work/lintian.log" |
    sed 's/^/packaging: lintian: /' || true
if grep -q '^E: ' "$work/lintian.log"; then
	fail "lintian reports errors (E: above)"
fi
[ "$st" = 0 ] || fail_log "$work/lintian.log" "lintian exits $st"
pass "lintian: no errors in $(ls build/deb/*.deb | wc -l) packages"

# --- unpack -----------------------------------------------------------------

# dpkg -x only: nothing goes onto the machine (see the top).
root=$work/root
mkdir -p "$root"
for p in $pkgs; do
	timeout 120 dpkg -x "build/deb/${p}_${version}_${arch}.deb" "$root" ||
	    fail "dpkg -x ${p}_${version}_${arch}.deb"
done
libdir=$root/usr/lib/$multiarch
pass "unpacked $pkgs into a scratch root"

# --- build against the packages ---------------------------------------------

# pkg-config reads only the unpacked dumptape.pc (PKG_CONFIG_LIBDIR) and
# puts the scratch root in front of the paths it gives (the sysroot), so
# the .pc file is used as shipped, prefix=/usr and all.  The ALLOW_SYSTEM
# variables keep pkgconf from dropping -I/usr/include and -L/usr/lib/...
# as the system's own directories before they get the sysroot.
PKG_CONFIG_SYSROOT_DIR=$root
PKG_CONFIG_LIBDIR=$libdir/pkgconfig
PKG_CONFIG_PATH=
PKG_CONFIG_ALLOW_SYSTEM_CFLAGS=1
PKG_CONFIG_ALLOW_SYSTEM_LIBS=1
export PKG_CONFIG_SYSROOT_DIR PKG_CONFIG_LIBDIR PKG_CONFIG_PATH \
    PKG_CONFIG_ALLOW_SYSTEM_CFLAGS PKG_CONFIG_ALLOW_SYSTEM_LIBS

cflags=$(pkg-config --cflags dumptape) || fail "pkg-config --cflags dumptape"
libs=$(pkg-config --libs dumptape) || fail "pkg-config --libs dumptape"
slibs=$(pkg-config --static --libs dumptape) ||
    fail "pkg-config --static --libs dumptape"
case " $cflags " in
*" -I$root/usr/include "*) ;;
*) fail "pkg-config --cflags gives '$cflags', not the scratch root's" ;;
esac
case " $libs " in
*" -L$libdir "*) ;;
*) fail "pkg-config --libs gives '$libs', not the scratch root's" ;;
esac
case " $libs " in
*" -ldumptape "*) ;;
*) fail "pkg-config --libs gives '$libs', without -ldumptape" ;;
esac
case " $slibs " in
*" -lpthread -lm -ldl "*) ;;
*) fail "pkg-config --static --libs gives '$slibs', without NATIVE_LIBS" ;;
esac
pass "pkg-config: $cflags $libs (static: $slibs)"

# The packaged header next to dump's own declarations (c-shim/include).
timeout 120 cc -Wall -Wextra -Werror -Ic-shim/include $cflags -M \
    tests/c/abi-check.c >"$work/abi-check.d" 2>"$work/abi-check.log" ||
    fail_log "$work/abi-check.log" "tests/c/abi-check.c with the packaged header"
grep -q "$root/usr/include/dumptape.h" "$work/abi-check.d" ||
    fail "tests/c/abi-check.c did not read the packaged dumptape.h"
timeout 120 cc -Wall -Wextra -Werror -Ic-shim/include $cflags -c \
    -o "$work/abi-check.o" tests/c/abi-check.c 2>"$work/abi-check.log" ||
    fail_log "$work/abi-check.log" "tests/c/abi-check.c with the packaged header"
pass "the packaged dumptape.h agrees with dump's declarations (tests/c/abi-check.c)"

# The front-end: dump's compat headers from c-shim/include, the library
# only from the scratch root.
timeout 300 cc -O2 -Wall -Wextra -Ic-shim/include $cflags \
    -o "$work/minidump-shared" c-shim/minidump/*.c $libs \
    >"$work/cc-shared.log" 2>&1 ||
    fail_log "$work/cc-shared.log" "linking minidump with the shared library"
readelf -d "$work/minidump-shared" | grep -q 'NEEDED.*\[libdumptape\.so\.0\]' ||
    fail "minidump-shared does not need libdumptape.so.0"
LD_LIBRARY_PATH=$libdir ldd "$work/minidump-shared" >"$work/ldd.log" 2>&1 ||
    fail_log "$work/ldd.log" "ldd minidump-shared"
grep -q "libdumptape\.so\.0 => $libdir/libdumptape\.so\.0 " "$work/ldd.log" ||
    fail_log "$work/ldd.log" "minidump-shared loads libdumptape.so.0 from elsewhere"
pass "minidump linked with pkg-config --libs loads $libdir/libdumptape.so.0"

# -l:libdumptape.a takes the archive where -ldumptape would take the .so
# beside it.
slibs_a=$(echo " $slibs " | sed 's/ -ldumptape / -l:libdumptape.a /')
timeout 300 cc -O2 -Wall -Wextra -Ic-shim/include $cflags \
    -o "$work/minidump-static" c-shim/minidump/*.c $slibs_a \
    >"$work/cc-static.log" 2>&1 ||
    fail_log "$work/cc-static.log" "linking minidump with the static library"
if readelf -d "$work/minidump-static" | grep -q 'NEEDED.*libdumptape'; then
	fail "minidump-static still needs the shared library"
fi
readelf -sW "$work/minidump-static" |
    awk '$8 == "alloctape" && $7 != "UND" { f = 1 } END { exit !f }' ||
    fail "minidump-static does not define alloctape"
pass "minidump linked with pkg-config --static and libdumptape.a needs no libdumptape.so"

# --- a small dump with each ---------------------------------------------------

# A few MiB of seeded bytes (a linear congruential generator whose products
# stay exact in awk's doubles): the generated file system's data.
LC_ALL=C timeout 120 awk -v seed=23 -v n=4194304 'BEGIN {
	x = seed
	for (i = 0; i < n; i++) {
		x = (x * 69069 + 1) % 4294967296
		printf "%c", int(x / 16777216) % 255 + 1
	}
}' >"$work/disk.img" || fail "making disk.img"

for kind in shared static; do
	d=$work/run-$kind
	mkdir -p "$d"
	cp "$work/disk.img" "$d/disk.img"
	(cd "$d" && env SOURCE_DATE_EPOCH=1000000000 DUMPTAPE_HOST=testhost \
	    TZ=UTC LD_LIBRARY_PATH="$libdir" timeout 120 \
	    "$work/minidump-$kind" -G -N 200 -M 200 -f out.dump disk.img \
	    </dev/null >"$d/log" 2>&1) ||
	    fail_log "$d/log" "the dump with minidump-$kind"
	timeout 120 "$root/usr/bin/dumpcheck" -b 10 "$d/out.dump" \
	    >"$d/check" 2>&1 ||
	    fail_log "$d/check" "dumpcheck -b 10 on minidump-$kind's volume"
	pass "minidump-$kind: dump exits 0, packaged dumpcheck: $(cat "$d/check")"
done
cmp "$work/run-shared/out.dump" "$work/run-static/out.dump" ||
    fail "the shared and static builds wrote different volumes"
pass "the shared and static builds wrote byte-identical volumes"

# --- manual pages -------------------------------------------------------------

# mandoc checks cross-references against the manuals installed on this
# machine: the two pages of these packages are not (see the top), and
# Debian keeps no mandoc.db (man-db indexes the manuals), for which mandoc
# says "outdated mandoc.db" of every page it does find.  Those two kinds
# of lines are expected; anything else fails.
for page in man1/dumpcheck.1 man3/libdumptape.3; do
	f=$root/usr/share/man/$page.gz
	[ -f "$f" ] || fail "$page.gz is not in the packages"
	LC_ALL=C.UTF-8 MANWIDTH=80 timeout 60 man --warnings -l "$f" \
	    >"$work/page.txt" 2>"$work/page.err" ||
	    fail_log "$work/page.err" "man -l $page"
	[ ! -s "$work/page.err" ] || fail_log "$work/page.err" \
	    "man --warnings -l $page warns (above)"
	[ -s "$work/page.txt" ] || fail "man -l $page rendered nothing"
	# Its exit status tells the worst message (1 to 4); from 5 on,
	# mandoc itself failed (124: it timed out).
	st=0
	timeout 60 mandoc -Tlint "$f" >"$work/lint" 2>&1 || st=$?
	[ "$st" -lt 5 ] || fail_log "$work/lint" "mandoc -Tlint $page exits $st"
	grep -v -e 'outdated mandoc\.db lacks ' \
	    -e 'STYLE: referenced manual not found: Xr dumpcheck 1' \
	    -e 'STYLE: referenced manual not found: Xr libdumptape 3' \
	    "$work/lint" >"$work/lint.left" || true
	[ ! -s "$work/lint.left" ] || fail_log "$work/lint.left" \
	    "mandoc -Tlint $page (above)"
	pass "$page: man --warnings says nothing, mandoc -Tlint nothing but" \
	    "$(wc -l <"$work/lint") expected line(s) (see the script)"
done

# --- the packages hold what make install installs -------------------------------

# dh_compress gzips the manual pages, and only the packages carry
# usr/share/doc (copyright, changelog): compare names with those set aside.
inst=$work/install
timeout 600 $MAKE install DESTDIR="$inst" PREFIX=/usr \
    LIBDIR="/usr/lib/$multiarch" >"$work/install.log" 2>&1 ||
    fail_log "$work/install.log" "make install"
(cd "$inst" && find . \( -type f -o -type l \) -print) | sort >"$work/inst.list"
(cd "$root" && find . \( -type f -o -type l \) -print) |
    grep -v '^\./usr/share/doc/' |
    sed 's|^\(\./usr/share/man/.*\)\.gz$|\1|' | sort >"$work/pkg.list"
if ! cmp -s "$work/inst.list" "$work/pkg.list"; then
	say "make install (<) against the packages (>):" >&2
	diff "$work/inst.list" "$work/pkg.list" >&2 || true
	fail "the packages and make install disagree on the files"
fi
# What is not built: the same bytes (manual pages unpacked first).
for f in usr/include/dumptape.h "usr/lib/$multiarch/pkgconfig/dumptape.pc"; do
	cmp -s "$inst/$f" "$root/$f" || fail "$f differs from make install's"
done
for page in man1/dumpcheck.1 man3/libdumptape.3; do
	gzip -dc "$root/usr/share/man/$page.gz" | cmp -s "$inst/usr/share/man/$page" - ||
	    fail "$page differs from make install's"
done
for l in "usr/lib/$multiarch/libdumptape.so" "usr/lib/$multiarch/libdumptape.so.0"; do
	[ "$(readlink "$inst/$l")" = "$(readlink "$root/$l")" ] ||
	    fail "$l points elsewhere than make install's"
done
pass "the packages hold the $(wc -l <"$work/inst.list") files make install installs, and nothing else"
