#!/bin/sh
# The test suite behind `make test`: style and lint gates, then every cargo
# test (unit, ABI, differential against the oracle, bad input, kills), then
# the Debian packages (tests/packaging.sh).
# Installs what the end-to-end tests need when it can (root on Debian).
set -eu
cd "$(dirname "$0")/.."

REFDIR=${DUMPTAPE_REFERENCE:-../shared/reference}
MAKE=${MAKE:-make}

need_pkgs=""
command -v makefs >/dev/null 2>&1 || need_pkgs="$need_pkgs makefs"
command -v restore >/dev/null 2>&1 || [ -x /sbin/restore ] || need_pkgs="$need_pkgs dump"
command -v strace >/dev/null 2>&1 || need_pkgs="$need_pkgs strace"
if [ -n "$need_pkgs" ]; then
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
		echo "tests: installing$need_pkgs"
		apt-get update -qq >/dev/null 2>&1 || true
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $need_pkgs >/dev/null
	else
		echo "tests: missing$need_pkgs; install them with: apt-get install -y$need_pkgs"
	fi
fi

if [ -f "$REFDIR/tape-fixed.c" ]; then
	$MAKE REFDIR="$REFDIR" reference
elif [ -n "${CI:-}" ]; then
	echo "tests: $REFDIR/tape-fixed.c is missing; CI must run the differential tests" >&2
	exit 1
else
	echo "tests: *** $REFDIR/tape-fixed.c not found: differential tests will be SKIPPED ***"
fi

cargo fmt --check
cargo clippy --release --all-targets -- -D warnings
# Each interface, and the library without one (a Rust port's).
cargo clippy --release --all-targets --features freebsd -- -D warnings
cargo clippy --release --lib --features rdump -- -D warnings
cargo clippy --release --lib --features freebsd,rdump -- -D warnings
cargo clippy --release --lib --no-default-features -- -D warnings
# The Rust interface's documentation, its example compiled by the tests.
RUSTDOCFLAGS="-D warnings" cargo doc --no-deps --quiet
log=$(mktemp "${TMPDIR:-/tmp}/dumptape-test.XXXXXX")
status=0
# Every test binary runs even when one fails, so that the count below
# is of the whole suite.
cargo test --release --no-fail-fast -- --test-threads=2 >"$log" 2>&1 || status=1
cat "$log"
# The Debian packages, built, checked and used as a vendor would: one
# more test in the count below.
pkgfail=0
sh tests/packaging.sh || { status=1; pkgfail=1; }
# One closing line for the whole suite.
awk -v pkgfail=$pkgfail '/^test result:/ { p += $4; f += $6; s += $8 }
    END { if (pkgfail) f++; else p++
	printf "%d passed, %d failed, %d skipped\n", p, f, s }' "$log"
grep -q "^test result: FAILED" "$log" && status=1
rm -f "$log"
exit $status
