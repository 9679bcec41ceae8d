#!/bin/sh
# The Debian packages, end to end (run by tests/run.sh, so part of make
# test): build them with `make deb`, check them with lintian, see that the
# libraries of both interfaces (1998 and today's FreeBSD) can be installed
# at once, unpack them all into a scratch root and use nothing but what
# they hold there: build the project's front-end (c-shim/minidump) for
# each interface against its packaged library with pkg-config, once
# shared and once static, run a small dump with each, check it with the
# packaged dumpcheck, render the packaged manual pages, and compare the
# packages' files with what `make install` installs for each interface.
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
pkgs1998="libdumptape0 libdumptape-dev dumptape-tools"
pkgsfreebsd="libdumptape-freebsd0 libdumptape-freebsd-dev"
pkgs="$pkgs1998 $pkgsfreebsd"

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

# Every tag is shown (-I -E --pedantic); an error (E:) or a warning (W:)
# fails the test, so that only tags of the info, pedantic and
# experimental kinds are let stand.  lintian itself exits non-zero for
# errors, or when it cannot run.
st=0
timeout 600 lintian -I -E --pedantic build/deb/*.deb >"$work/lintian.log" \
    2>&1 || st=$?
grep -v 'running with root privileges' "$work/lintian.log" |
    sed 's/^/packaging: lintian: /' || true
if grep -q '^E: ' "$work/lintian.log"; then
	fail "lintian reports errors (E: above)"
fi
if grep -q '^W: ' "$work/lintian.log"; then
	fail "lintian reports warnings (W: above)"
fi
[ "$st" = 0 ] || fail_log "$work/lintian.log" "lintian exits $st"
pass "lintian: no errors or warnings in $(ls build/deb/*.deb | wc -l) packages"

# --- both interfaces at once -------------------------------------------------

# A system may have to write dumps of both kinds, so every package must
# install beside every other: dpkg refuses a package that brings a file
# another installed package has (directories aside).
for p in $pkgs; do
	timeout 60 dpkg -c "build/deb/${p}_${version}_${arch}.deb" \
	    >"$work/$p.contents" || fail "dpkg -c ${p}_${version}_${arch}.deb"
done
for p in $pkgs; do
	awk '$1 !~ /^d/ { print $6 }' "$work/$p.contents"
done | sort | uniq -d >"$work/shared-files"
[ ! -s "$work/shared-files" ] || fail_log "$work/shared-files" \
    "files in more than one package (above)"
pass "no two of the $(echo $pkgs | wc -w) packages have a file in common"

# --- unpack -----------------------------------------------------------------

# dpkg -x only: nothing goes onto the machine (see the top).  All of them
# in one root, as on a system that has both libraries: each front-end
# below must still find its own.
root=$work/root
mkdir -p "$root"
for p in $pkgs; do
	timeout 120 dpkg -x "build/deb/${p}_${version}_${arch}.deb" "$root" ||
	    fail "dpkg -x ${p}_${version}_${arch}.deb"
done
libdir=$root/usr/lib/$multiarch
pass "unpacked $pkgs into a scratch root"

# --- build against the packages ---------------------------------------------

# pkg-config reads only the unpacked .pc files (PKG_CONFIG_LIBDIR) and
# puts the scratch root in front of the paths it gives (the sysroot), so
# each .pc file is used as shipped, prefix=/usr and all.  The ALLOW_SYSTEM
# variables keep pkgconf from dropping -I/usr/include and -L/usr/lib/...
# as the system's own directories before they get the sysroot.
PKG_CONFIG_SYSROOT_DIR=$root
PKG_CONFIG_LIBDIR=$libdir/pkgconfig
PKG_CONFIG_PATH=
PKG_CONFIG_ALLOW_SYSTEM_CFLAGS=1
PKG_CONFIG_ALLOW_SYSTEM_LIBS=1
export PKG_CONFIG_SYSROOT_DIR PKG_CONFIG_LIBDIR PKG_CONFIG_PATH \
    PKG_CONFIG_ALLOW_SYSTEM_CFLAGS PKG_CONFIG_ALLOW_SYSTEM_LIBS

# The flags pkg-config gives for library $1 (dumptape, dumptape-freebsd),
# which must point into the scratch root: sets cflags, libs and slibs.
pc_flags() {
	cflags=$(pkg-config --cflags "$1") || fail "pkg-config --cflags $1"
	libs=$(pkg-config --libs "$1") || fail "pkg-config --libs $1"
	slibs=$(pkg-config --static --libs "$1") ||
	    fail "pkg-config --static --libs $1"
	case " $cflags " in
	*" -I$root/usr/include "*) ;;
	*) fail "pkg-config --cflags $1 gives '$cflags', not the scratch root's" ;;
	esac
	case " $libs " in
	*" -L$libdir "*) ;;
	*) fail "pkg-config --libs $1 gives '$libs', not the scratch root's" ;;
	esac
	case " $libs " in
	*" -l$1 "*) ;;
	*) fail "pkg-config --libs $1 gives '$libs', without -l$1" ;;
	esac
	case " $slibs " in
	*" -lpthread -lm -ldl "*) ;;
	*) fail "pkg-config --static --libs $1 gives '$slibs', without NATIVE_LIBS" ;;
	esac
	pass "pkg-config $1: $cflags $libs (static: $slibs)"
}

# The front-end built against the packaged library $1 (dumptape,
# dumptape-freebsd), with the flags pc_flags got for it, as
# $work/$2-shared and $work/$2-static; the rest are the front-end's own
# flags, the interface's compat headers (dump's side) among them.  With
# both libraries in one directory, each must link and load its own.
link_front() {
	lib=$1
	name=$2
	shift 2
	timeout 300 cc -O2 -Wall -Wextra "$@" $cflags \
	    -o "$work/$name-shared" c-shim/minidump/*.c $libs \
	    >"$work/$name-shared.cc" 2>&1 ||
	    fail_log "$work/$name-shared.cc" "linking $name with lib$lib.so"
	needed=$(readelf -d "$work/$name-shared" |
	    sed -n 's/.*NEEDED.*\[\(libdumptape[^]]*\)\].*/\1/p')
	[ "$needed" = "lib$lib.so.0" ] ||
	    fail "$name-shared needs '$needed', not lib$lib.so.0"
	LD_LIBRARY_PATH=$libdir ldd "$work/$name-shared" >"$work/ldd.log" 2>&1 ||
	    fail_log "$work/ldd.log" "ldd $name-shared"
	grep -q -F "lib$lib.so.0 => $libdir/lib$lib.so.0 " "$work/ldd.log" ||
	    fail_log "$work/ldd.log" "$name-shared loads lib$lib.so.0 from elsewhere"
	pass "$name linked with pkg-config --libs $lib loads $libdir/lib$lib.so.0"

	# -l:lib$lib.a takes the archive where -l$lib would take the .so
	# beside it.
	slibs_a=$(echo " $slibs " | sed "s/ -l$lib / -l:lib$lib.a /")
	timeout 300 cc -O2 -Wall -Wextra "$@" $cflags \
	    -o "$work/$name-static" c-shim/minidump/*.c $slibs_a \
	    >"$work/$name-static.cc" 2>&1 ||
	    fail_log "$work/$name-static.cc" "linking $name with lib$lib.a"
	if readelf -d "$work/$name-static" | grep -q 'NEEDED.*libdumptape'; then
		fail "$name-static still needs a shared libdumptape"
	fi
	readelf -sW "$work/$name-static" |
	    awk '$8 == "alloctape" && $7 != "UND" { f = 1 } END { exit !f }' ||
	    fail "$name-static does not define alloctape"
	pass "$name linked with pkg-config --static $lib and lib$lib.a needs no shared libdumptape"
}

# The packaged headers next to dump's own declarations (c-shim), where a
# declaration that disagrees with dump.h's is an error: tests/c/abi-check.c
# states the 1998 contract once more, and tests/c/badcalls.c, built for
# today's FreeBSD interface, includes dumptape-freebsd.h after its dump.h.
# Then the front-end, the library only from the scratch root.  Every
# source of c-shim/minidump is given: ufs.c compiles to nothing for
# today's interface, ffs.c for the 1998 one.
pc_flags dumptape
timeout 120 cc -Wall -Wextra -Werror -Ic-shim/include $cflags -M \
    tests/c/abi-check.c >"$work/abi-check.d" 2>"$work/abi-check.log" ||
    fail_log "$work/abi-check.log" "tests/c/abi-check.c with the packaged header"
grep -q "$root/usr/include/dumptape.h" "$work/abi-check.d" ||
    fail "tests/c/abi-check.c did not read the packaged dumptape.h"
timeout 120 cc -Wall -Wextra -Werror -Ic-shim/include $cflags -c \
    -o "$work/abi-check.o" tests/c/abi-check.c 2>"$work/abi-check.log" ||
    fail_log "$work/abi-check.log" "tests/c/abi-check.c with the packaged header"
pass "the packaged dumptape.h agrees with dump's declarations (tests/c/abi-check.c)"
link_front dumptape minidump -Ic-shim/include

pc_flags dumptape-freebsd
fbflags="-DFREEBSD_ABI -Ic-shim/freebsd/include"
timeout 120 cc -Wall -Wextra -Werror $fbflags $cflags -M \
    tests/c/badcalls.c >"$work/badcalls.d" 2>"$work/badcalls.log" ||
    fail_log "$work/badcalls.log" "tests/c/badcalls.c with the packaged header"
grep -q "$root/usr/include/dumptape-freebsd.h" "$work/badcalls.d" ||
    fail "tests/c/badcalls.c did not read the packaged dumptape-freebsd.h"
timeout 120 cc -Wall -Wextra -Werror $fbflags $cflags -c \
    -o "$work/badcalls.o" tests/c/badcalls.c 2>"$work/badcalls.log" ||
    fail_log "$work/badcalls.log" "tests/c/badcalls.c with the packaged header"
pass "the packaged dumptape-freebsd.h agrees with today's dump.h (tests/c/badcalls.c)"
link_front dumptape-freebsd minidump-freebsd $fbflags

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

# Program $1 of $work, given the rest as options, dumps the generated file
# system to out.dump in a directory of its own, which the packaged
# dumpcheck then reads.
dump_with() {
	name=$1
	shift
	d=$work/run-$name
	mkdir -p "$d"
	cp "$work/disk.img" "$d/disk.img"
	(cd "$d" && env SOURCE_DATE_EPOCH=1000000000 DUMPTAPE_HOST=testhost \
	    TZ=UTC LD_LIBRARY_PATH="$libdir" timeout 120 \
	    "$work/$name" -G -N 200 -M 200 "$@" disk.img \
	    </dev/null >"$d/log" 2>&1) ||
	    fail_log "$d/log" "the dump with $name $*"
	timeout 120 "$root/usr/bin/dumpcheck" -b 10 "$d/out.dump" \
	    >"$d/check" 2>&1 ||
	    fail_log "$d/check" "dumpcheck -b 10 on $name's volume"
	pass "$name $*: dump exits 0, packaged dumpcheck: $(cat "$d/check")"
}

dump_with minidump-shared -f out.dump
dump_with minidump-static -f out.dump
cmp "$work/run-minidump-shared/out.dump" "$work/run-minidump-static/out.dump" ||
    fail "the shared and static builds wrote different volumes"
pass "the shared and static builds wrote byte-identical volumes"

# Today's interface can also hand each volume to a command (dump -P),
# which must get the same bytes as a file does.
dump_with minidump-freebsd-shared -f out.dump
dump_with minidump-freebsd-static -P 'cat >out.dump'
cmp "$work/run-minidump-freebsd-shared/out.dump" \
    "$work/run-minidump-freebsd-static/out.dump" ||
    fail "the FreeBSD builds wrote different volumes to a file and a pipeline"
pass "the FreeBSD builds wrote byte-identical volumes, to a file and through a pipeline"

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

# The files and links of the packages named, as make install names them:
# dh_compress gzips the manual pages, and only the packages carry
# usr/share/doc (copyright, changelog), which is set aside.
pkg_files() {
	for p in "$@"; do
		awk '$1 !~ /^d/ { print $6 }' "$work/$p.contents"
	done | grep -v '^\./usr/share/doc/' |
	    sed 's|^\(\./usr/share/man/.*\)\.gz$|\1|' | sort
}

# make ABI=$1 install, in a directory of its own, against the packages
# $3...; $2 names a file of the install that they lack because another
# package has it, or is empty.  Then what is not built (headers, .pc
# files, manual pages, links) must be the same in the scratch root.
install_matches() {
	abi=$1
	elsewhere=$2
	shift 2
	inst=$work/install-$abi
	timeout 600 $MAKE ABI="$abi" install DESTDIR="$inst" PREFIX=/usr \
	    LIBDIR="/usr/lib/$multiarch" >"$inst.log" 2>&1 ||
	    fail_log "$inst.log" "make ABI=$abi install"
	(cd "$inst" && find . \( -type f -o -type l \) -print) |
	    sort >"$inst.all"
	if [ -n "$elsewhere" ]; then
		grep -q -x -F "$elsewhere" "$inst.all" ||
		    fail "make ABI=$abi install does not install $elsewhere"
		pkg_files $pkgs | grep -q -x -F "$elsewhere" ||
		    fail "no package has $elsewhere"
		grep -v -x -F "$elsewhere" "$inst.all" >"$inst.list" ||
		    fail "make ABI=$abi install installs only $elsewhere"
	else
		cp "$inst.all" "$inst.list"
	fi
	pkg_files "$@" >"$inst.pkgs"
	if ! cmp -s "$inst.list" "$inst.pkgs"; then
		say "make ABI=$abi install (<) against $* (>):" >&2
		diff "$inst.list" "$inst.pkgs" >&2 || true
		fail "$* and make ABI=$abi install disagree on the files"
	fi
	while read -r f; do
		if [ -L "$inst/$f" ]; then
			[ "$(readlink "$inst/$f")" = "$(readlink "$root/$f")" ] ||
			    fail "$f points elsewhere than make install's"
			continue
		fi
		case $f in
		./usr/share/man/*)
			gzip -dc "$root/$f.gz" | cmp -s "$inst/$f" - ||
			    fail "$f differs from make install's" ;;
		*.h | *.pc)
			cmp -s "$inst/$f" "$root/$f" ||
			    fail "$f differs from make install's" ;;
		esac
	done <"$inst.list"
	pass "make ABI=$abi install installs the $(wc -l <"$inst.all")" \
	    "files of $*${elsewhere:+ and $elsewhere}, and nothing else"
}

# ABI is given every time, as in debian/rules: under make ABI=freebsd
# test, MAKEFLAGS would pass it down.  libdumptape(3) is in
# libdumptape-dev alone (debian/control says why), where the 1998
# comparison finds it.
install_matches 1998 "" $pkgs1998
install_matches freebsd ./usr/share/man/man3/libdumptape.3 \
    $pkgsfreebsd dumptape-tools
