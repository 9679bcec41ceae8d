# libdumptape: BSD dump's tape.c as a Rust library with a C ABI.
# Works with GNU make and bmake: no conditionals, no pattern rules.
#
#	src/		the library: a safe core, and in src/abi/ the C
#			interface, the only code that touches C
#	src/bin/	dumpcheck, the checker of volume sets
#	include/	the C header, generated from src/abi (make header)
#	c-shim/		the C side of the library's users: compat headers
#			for hosts without BSD's, and minidump, the rest of
#			dump that drives the library in the tests and demo
#	examples/	a Rust program over the library's Rust interface
#	tests/		every test: Rust (cargo), tests/c the C programs,
#			tests/reference what the reference builds need
#	bench/		make bench: the library against tape.c
#	demo/		make demo: a sample tree and its trip
#	docs/		how the library works
#	man/		the manual pages
#	debian/		make deb: the Debian packages

CARGO?=		cargo
CC?=		cc
CFLAGS?=	-O2 -g
CWARN=		-Wall -Wextra
PREFIX?=	/usr/local
LIBDIR?=	$(PREFIX)/lib
INCLUDEDIR?=	$(PREFIX)/include
BINDIR?=	$(PREFIX)/bin
MANDIR?=	$(PREFIX)/share/man
DESTDIR?=
REFDIR?=	../shared/reference
BUILD=		build
VERSION=	0.1.0
SOMAJOR=	0

# make ABI=freebsd: the library for today's FreeBSD dump (cargo feature
# freebsd), built in target/freebsd and installed under names of its own
# (libdumptape-freebsd.so.0, dumptape-freebsd.h, dumptape-freebsd.pc),
# so that a vendor can ship either interface or both.  The default, ABI=
# or ABI=1998, is the 1998 tape.c's.  make test builds and tests both.
ABI?=
ALL_=		lib $(PROGS)
ALL_1998=	$(ALL_)
ALL_freebsd=	lib-freebsd bins $(BUILD)/freebsd/minidump \
		$(BUILD)/freebsd/badcalls
INAME_=		dumptape
INAME_1998=	$(INAME_)
INAME_freebsd=	dumptape-freebsd
ITARGET_=	target/release
ITARGET_1998=	$(ITARGET_)
ITARGET_freebsd= target/freebsd/release
# What the install target puts where, for the chosen interface.
INAME=		$(INAME_$(ABI))
ITARGET=	$(ITARGET_$(ABI))

# make RDUMP=1: remote tapes through the rest of dump's rmt routines.
RDUMP?=
FEATURES_1=	--features rdump
CDEFS_1=	-DRDUMP
FEATURES=	$(FEATURES_$(RDUMP))
CDEFS=		$(CDEFS_$(RDUMP))

TARGETDIR=	target/release
LIB_A=		$(TARGETDIR)/libdumptape.a
LIB_SO=		$(TARGETDIR)/libdumptape.so
# What a Rust static library needs from the system on Linux and the BSDs.
NATIVE_LIBS?=	-lpthread -lm -ldl
# The static library carries all of Rust's std; let the linker keep only
# what is called (a third of the text, and fewer pages for each process).
GC_SECTIONS?=	-Wl,--gc-sections
# Rust's std needs an unwinder; linked in, libgcc_s is one shared object
# less to map in every process of the dump.
STATIC_LIBGCC?=	-static-libgcc
# The library's code first, std's backtrace printer last (why: the script).
# GNU ld and lld read it; empty it for a linker that does not.
TEXT_ORDER?=	-Wl,-T,c-shim/textorder.ld
# Every front-end, the library's and the reference's, is linked alike.
FRONT_LDFLAGS=	$(GC_SECTIONS) $(STATIC_LIBGCC) $(TEXT_ORDER)

SHIM_INC=	-Ic-shim/include
FRONT_SRCS=	c-shim/minidump/main.c c-shim/minidump/optr.c \
		c-shim/minidump/traverse.c c-shim/minidump/gen.c \
		c-shim/minidump/ufs.c c-shim/minidump/image.c \
		c-shim/minidump/rmt.c
FRONT_HDRS=	c-shim/minidump/minidump.h c-shim/minidump/image.h \
		c-shim/include/dump.h \
		c-shim/include/pathnames.h \
		c-shim/include/protocols/dumprestore.h \
		c-shim/include/ufs/ufs/dinode.h c-shim/include/ufs/ffs/fs.h

PROGS=		$(BUILD)/minidump $(BUILD)/minidump-so $(BUILD)/badcalls
# What only the tests use (rules at the end): defined here, before the
# test target, since both makes expand a dependency line as they read it.
TEST_PROGS=	$(BUILD)/faultwrite.so $(BUILD)/minidump-rdump $(BUILD)/replay \
		$(BUILD)/freebsd/minidump $(BUILD)/freebsd/badcalls \
		$(BUILD)/freebsd/minidump-rdump

.PHONY: all lib bins test demo bench install clean reference header deb

all: $(ALL_$(ABI))

# The C libraries, with a soname so that programs linked against the .so
# record libdumptape.so.0; then the Rust programs (dumpcheck, the
# examples).
SONAME=		libdumptape.so.$(SOMAJOR)
lib:
	$(CARGO) rustc --release --lib --crate-type cdylib,staticlib \
	    $(FEATURES) -- -C link-arg=-Wl,-soname,$(SONAME)
	$(CARGO) build --release --bins --examples $(FEATURES)

bins:
	$(CARGO) build --release --bins $(FEATURES)

$(LIB_A) $(LIB_SO): lib

$(BUILD)/minidump: $(FRONT_SRCS) $(FRONT_HDRS) c-shim/textorder.ld lib
	mkdir -p $(BUILD)
	$(CC) $(CFLAGS) $(CWARN) $(CDEFS) $(SHIM_INC) -o $@ $(FRONT_SRCS) \
	    $(LIB_A) $(NATIVE_LIBS) $(FRONT_LDFLAGS)

# The same front-end linked the way a packaged dump links: against the .so.
# It finds libdumptape.so.0 beside itself, in build/.
$(BUILD)/minidump-so: $(FRONT_SRCS) $(FRONT_HDRS) lib
	mkdir -p $(BUILD)
	ln -sf ../$(LIB_SO) $(BUILD)/libdumptape.so.$(SOMAJOR)
	ln -sf libdumptape.so.$(SOMAJOR) $(BUILD)/libdumptape.so
	$(CC) $(CFLAGS) $(CWARN) $(CDEFS) $(SHIM_INC) -o $@ $(FRONT_SRCS) \
	    -L$(BUILD) -Wl,-rpath,'$$ORIGIN' -ldumptape

# Careless calls, one per run, for the tests.
$(BUILD)/badcalls: tests/c/badcalls.c include/dumptape.h lib
	mkdir -p $(BUILD)
	$(CC) $(CFLAGS) $(CWARN) $(CDEFS) $(SHIM_INC) -Iinclude -o $@ \
	    tests/c/badcalls.c $(LIB_A) $(NATIVE_LIBS)

# The oracle (tape-fixed.c) and the original (tape.c), built with the same
# front-end.  BSD's setjmp saves the signal mask; tests/reference/bsd-setjmp makes
# Linux's do the same, or the original's ring deadlocks.  Its malloc gets
# room in front of each block (tests/reference/refmalloc.c), where its
# request arrays may fall.
REF_CFLAGS=	$(CFLAGS) -w $(CDEFS) -Itests/reference/bsd-setjmp $(SHIM_INC) \
		-Dmalloc=ref_malloc
REF_DEPS=	$(FRONT_SRCS) $(FRONT_HDRS) tests/reference/bsd-setjmp/setjmp.h \
		tests/reference/refmalloc.c c-shim/textorder.ld
reference: $(BUILD)/minidump-ref $(BUILD)/minidump-orig

$(BUILD)/minidump-ref: $(REF_DEPS) $(REFDIR)/tape-fixed.c
	mkdir -p $(BUILD)
	$(CC) $(REF_CFLAGS) -c -o $(BUILD)/tape-fixed.o $(REFDIR)/tape-fixed.c
	$(CC) $(CFLAGS) $(CWARN) $(CDEFS) $(SHIM_INC) -o $@ $(FRONT_SRCS) \
	    tests/reference/refmalloc.c $(BUILD)/tape-fixed.o $(FRONT_LDFLAGS)

$(BUILD)/minidump-orig: $(REF_DEPS) $(REFDIR)/tape.c
	mkdir -p $(BUILD)
	$(CC) $(REF_CFLAGS) -c -o $(BUILD)/tape-orig.o $(REFDIR)/tape.c
	$(CC) $(CFLAGS) $(CWARN) $(CDEFS) $(SHIM_INC) -o $@ $(FRONT_SRCS) \
	    tests/reference/refmalloc.c $(BUILD)/tape-orig.o $(FRONT_LDFLAGS)

# Regenerate include/dumptape.h (the tests fail while it is stale).
header:
	DUMPTAPE_BLESS=1 $(CARGO) test --release --test abi header_is_current

# Both interfaces, whatever ABI says.
test: lib $(PROGS) $(TEST_PROGS)
	sh tests/run.sh

demo: all
	ABI=$(ABI) sh demo/demo.sh

# make bench ABI=freebsd times today's interface against today's tape.c,
# its table in bench/results-freebsd.tsv.
BENCHDIR_=	$(BUILD)
BENCHDIR_1998=	$(BUILD)
BENCHDIR_freebsd= $(FB_BUILD)
BENCHTSV_=	bench/results.tsv
BENCHTSV_1998=	$(BENCHTSV_)
BENCHTSV_freebsd= bench/results-freebsd.tsv
bench: $(ALL_$(ABI)) reference
	BENCH_LIB=$${BENCH_LIB:-$(BENCHDIR_$(ABI))/minidump} \
	BENCH_REF=$${BENCH_REF:-$(BENCHDIR_$(ABI))/minidump-orig} \
	BENCH_RESULTS=$${BENCH_RESULTS:-$(BENCHTSV_$(ABI))} \
	    sh bench/run.sh

install: all
	mkdir -p $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCLUDEDIR) \
	    $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(BINDIR) \
	    $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man3
	install -m 644 $(ITARGET)/libdumptape.a \
	    $(DESTDIR)$(LIBDIR)/lib$(INAME).a
	install -m 755 $(ITARGET)/libdumptape.so \
	    $(DESTDIR)$(LIBDIR)/lib$(INAME).so.$(VERSION)
	ln -sf lib$(INAME).so.$(VERSION) \
	    $(DESTDIR)$(LIBDIR)/lib$(INAME).so.$(SOMAJOR)
	ln -sf lib$(INAME).so.$(SOMAJOR) $(DESTDIR)$(LIBDIR)/lib$(INAME).so
	install -m 644 include/$(INAME).h $(DESTDIR)$(INCLUDEDIR)/$(INAME).h
	install -m 755 $(TARGETDIR)/dumpcheck $(DESTDIR)$(BINDIR)/dumpcheck
	install -m 644 man/dumpcheck.1 $(DESTDIR)$(MANDIR)/man1/dumpcheck.1
	install -m 644 man/libdumptape.3 \
	    $(DESTDIR)$(MANDIR)/man3/libdumptape.3
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' \
	    -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' -e 's|@VERSION@|$(VERSION)|' \
	    -e 's|@NAME@|$(INAME)|' \
	    dumptape.pc.in > $(DESTDIR)$(LIBDIR)/pkgconfig/$(INAME).pc

clean:
	$(CARGO) clean
	rm -rf $(BUILD)

# Debian packages (debian/): dpkg-buildpackage on a copy of the tree in
# build/pkg, so that its leftovers stay out of the checkout, its clean
# step (make clean) leaves this target/ alone, and the packages it writes
# beside the tree it builds land in build/pkg, whence they go to build/deb.
DEB_TOP=	$(BUILD)/pkg
DEB_SRC=	$(DEB_TOP)/dumptape-$(VERSION)
DEB_OUT=	$(BUILD)/deb

deb:
	rm -rf $(DEB_TOP) $(DEB_OUT)
	mkdir -p $(DEB_SRC) $(DEB_OUT)
	tar -cf - --exclude=./.git --exclude=./target --exclude=./build \
	    --exclude=./bench/data . | (cd $(DEB_SRC) && tar -xf -)
	cd $(DEB_SRC) && dpkg-buildpackage -us -uc -b
	mv $(DEB_TOP)/*.deb $(DEB_TOP)/*.buildinfo $(DEB_TOP)/*.changes \
	    $(DEB_OUT)/
	rm -rf $(DEB_TOP)

# The rest of dump reduced to a script of calls, against the C
# interface; examples/replay.rs is the same against the Rust one.
$(BUILD)/replay: tests/c/replay.c include/dumptape.h lib
	mkdir -p $(BUILD)
	$(CC) $(CFLAGS) $(CWARN) $(SHIM_INC) -Iinclude -o $@ \
	    tests/c/replay.c $(LIB_A) $(NATIVE_LIBS)

# --- fault injection and remote tapes ---

# An LD_PRELOAD object that makes writes stop short or fail like a full
# or bad medium; tests/c/faultwrite.c tells how to aim it.
$(BUILD)/faultwrite.so: tests/c/faultwrite.c
	mkdir -p $(BUILD)
	$(CC) $(CFLAGS) $(CWARN) -shared -fPIC -o $@ \
	    tests/c/faultwrite.c -ldl

# Remote tapes (-f host:file through rmt(8)) whatever RDUMP says.  The
# library has a target directory of its own, so that its rdump build
# does not take the place of the plain one in target/release.
RDUMP_TARGETDIR=	target/rdump
RDUMP_LIB_A=	$(RDUMP_TARGETDIR)/release/libdumptape.a

.PHONY: lib-rdump

lib-rdump:
	$(CARGO) rustc --release --lib --crate-type cdylib,staticlib \
	    --features rdump --target-dir $(RDUMP_TARGETDIR) \
	    -- -C link-arg=-Wl,-soname,$(SONAME)

$(RDUMP_LIB_A): lib-rdump

$(BUILD)/minidump-rdump: $(FRONT_SRCS) $(FRONT_HDRS) c-shim/textorder.ld lib-rdump
	mkdir -p $(BUILD)
	$(CC) $(CFLAGS) $(CWARN) -DRDUMP $(SHIM_INC) -o $@ $(FRONT_SRCS) \
	    $(RDUMP_LIB_A) $(NATIVE_LIBS) $(FRONT_LDFLAGS)

# The oracle with -DRDUMP: only where the reference is, so it is part
# of the reference target rather than of TEST_PROGS.
reference: $(BUILD)/minidump-ref-rdump

$(BUILD)/minidump-ref-rdump: $(REF_DEPS) $(REFDIR)/tape-fixed.c
	mkdir -p $(BUILD)
	$(CC) $(REF_CFLAGS) -DRDUMP -c -o $(BUILD)/tape-fixed-rdump.o \
	    $(REFDIR)/tape-fixed.c
	$(CC) $(CFLAGS) $(CWARN) -DRDUMP $(SHIM_INC) -o $@ $(FRONT_SRCS) \
	    tests/reference/refmalloc.c $(BUILD)/tape-fixed-rdump.o $(FRONT_LDFLAGS)

# --- today's FreeBSD dump ---

# The library with today's FreeBSD tape.c's interface: a target
# directory of its own, and a soname of its own, so that both libraries
# can be built, tested and installed side by side.
FREEBSD_TARGETDIR=	target/freebsd
FREEBSD_LIB_A=	$(FREEBSD_TARGETDIR)/release/libdumptape.a
FREEBSD_LIB_SO=	$(FREEBSD_TARGETDIR)/release/libdumptape.so
FREEBSD_SONAME=	libdumptape-freebsd.so.$(SOMAJOR)

.PHONY: lib-freebsd

lib-freebsd:
	$(CARGO) rustc --release --lib --crate-type cdylib,staticlib \
	    --features freebsd $(FEATURES) --target-dir $(FREEBSD_TARGETDIR) \
	    -- -C link-arg=-Wl,-soname,$(FREEBSD_SONAME)

# --- today's FreeBSD dump (ABI=freebsd): the C side ---

# The front-end's sources built for today's FreeBSD dump interface: the
# compat headers of c-shim/freebsd/include and -DFREEBSD_ABI, with ffs.c,
# a reader of UFS1 and UFS2 images, in place of ufs.c (image.c, what the
# two readers share, serves both).  Linked with today's reference
# tape-fixed.c it is this ABI's oracle, and with its tape.c the
# original.  The reference files build unmodified: what Linux
# lacks (BSD setjmp, SIGINFO, sigpause, setproctitle, cdefs) is forced in
# ahead of their first line by tests/reference/freebsd/compat.h, and
# they get the padded malloc of the 1998 reference (same alloctape).
FB_BUILD=	$(BUILD)/freebsd
FB_REFDIR=	$(REFDIR)/freebsd
FB_INC=		-DFREEBSD_ABI -Ic-shim/freebsd/include
FB_SRCS=	c-shim/minidump/main.c c-shim/minidump/optr.c \
		c-shim/minidump/traverse.c c-shim/minidump/gen.c \
		c-shim/minidump/ffs.c c-shim/minidump/image.c \
		c-shim/minidump/rmt.c
FB_HDRS=	c-shim/minidump/minidump.h c-shim/minidump/image.h \
		c-shim/freebsd/include/dump.h \
		c-shim/freebsd/include/fbsd_compat.h \
		c-shim/freebsd/include/pathnames.h \
		c-shim/freebsd/include/protocols/dumprestore.h \
		c-shim/freebsd/include/ufs/ufs/dinode.h \
		c-shim/freebsd/include/ufs/ffs/fs.h
FB_REF_CFLAGS=	$(CFLAGS) -w $(CDEFS) \
		-include tests/reference/freebsd/compat.h \
		-Ic-shim/freebsd/include -Dmalloc=ref_malloc
FB_REF_DEPS=	$(FB_SRCS) $(FB_HDRS) tests/reference/freebsd/compat.h \
		tests/reference/refmalloc.c c-shim/textorder.ld

reference: $(FB_BUILD)/minidump-ref $(FB_BUILD)/minidump-orig

# The same front-end with the library's FreeBSD interface.
$(FB_BUILD)/minidump: $(FB_SRCS) $(FB_HDRS) c-shim/textorder.ld lib-freebsd
	mkdir -p $(FB_BUILD)
	$(CC) $(CFLAGS) $(CWARN) $(CDEFS) $(FB_INC) -o $@ $(FB_SRCS) \
	    $(FREEBSD_LIB_A) $(NATIVE_LIBS) $(FRONT_LDFLAGS)

$(FB_BUILD)/badcalls: tests/c/badcalls.c include/dumptape-freebsd.h \
    $(FB_HDRS) lib-freebsd
	mkdir -p $(FB_BUILD)
	$(CC) $(CFLAGS) $(CWARN) $(CDEFS) $(FB_INC) -Iinclude -o $@ \
	    tests/c/badcalls.c $(FREEBSD_LIB_A) $(NATIVE_LIBS)

$(FB_BUILD)/minidump-ref: $(FB_REF_DEPS) $(FB_REFDIR)/tape-fixed.c \
    $(FB_REFDIR)/dump.h
	mkdir -p $(FB_BUILD)
	$(CC) $(FB_REF_CFLAGS) -c -o $(FB_BUILD)/tape-fixed.o \
	    $(FB_REFDIR)/tape-fixed.c
	$(CC) $(CFLAGS) $(CWARN) $(CDEFS) $(FB_INC) -o $@ $(FB_SRCS) \
	    tests/reference/refmalloc.c $(FB_BUILD)/tape-fixed.o \
	    $(FRONT_LDFLAGS)

$(FB_BUILD)/minidump-orig: $(FB_REF_DEPS) $(FB_REFDIR)/tape.c \
    $(FB_REFDIR)/dump.h
	mkdir -p $(FB_BUILD)
	$(CC) $(FB_REF_CFLAGS) -c -o $(FB_BUILD)/tape-orig.o \
	    $(FB_REFDIR)/tape.c
	$(CC) $(CFLAGS) $(CWARN) $(CDEFS) $(FB_INC) -o $@ $(FB_SRCS) \
	    tests/reference/refmalloc.c $(FB_BUILD)/tape-orig.o \
	    $(FRONT_LDFLAGS)

# Remote tapes under today's interface: library and oracle built with
# -DRDUMP, as for the 1998 one.
FB_RDUMP_TARGETDIR=	target/freebsd-rdump

.PHONY: lib-freebsd-rdump

lib-freebsd-rdump:
	$(CARGO) rustc --release --lib --crate-type cdylib,staticlib \
	    --features freebsd,rdump --target-dir $(FB_RDUMP_TARGETDIR) \
	    -- -C link-arg=-Wl,-soname,$(FREEBSD_SONAME)

$(FB_BUILD)/minidump-rdump: $(FB_SRCS) $(FB_HDRS) c-shim/textorder.ld \
    lib-freebsd-rdump
	mkdir -p $(FB_BUILD)
	$(CC) $(CFLAGS) $(CWARN) -DRDUMP $(FB_INC) -o $@ $(FB_SRCS) \
	    $(FB_RDUMP_TARGETDIR)/release/libdumptape.a $(NATIVE_LIBS) \
	    $(FRONT_LDFLAGS)

reference: $(FB_BUILD)/minidump-ref-rdump

$(FB_BUILD)/minidump-ref-rdump: $(FB_REF_DEPS) $(FB_REFDIR)/tape-fixed.c \
    $(FB_REFDIR)/dump.h
	mkdir -p $(FB_BUILD)
	$(CC) $(FB_REF_CFLAGS) -DRDUMP -c -o $(FB_BUILD)/tape-fixed-rdump.o \
	    $(FB_REFDIR)/tape-fixed.c
	$(CC) $(CFLAGS) $(CWARN) -DRDUMP $(FB_INC) -o $@ $(FB_SRCS) \
	    tests/reference/refmalloc.c $(FB_BUILD)/tape-fixed-rdump.o \
	    $(FRONT_LDFLAGS)
