# aiosift: `make` builds build/aiosift with what is installed (a C11
# compiler, pkg-config and the libraries below) and never installs
# anything; `make deps` installs the Debian packages the build and the tests
# need, when some are missing; `make check` (deps first) runs every test,
# on the normal build and on an address/undefined-sanitizer build; `make
# demo` (build deps first) runs the main job on the bundled sample logs.
# CFLAGS, CPPFLAGS, LDFLAGS and LDLIBS given by the user are appended to
# ours (so they win); warnings are errors with DEVELOPER=1 and in make check.

CFLAGS  ?= -O2 -g
PREFIX  ?= /usr/local
PKG_CONFIG ?= pkg-config

# Warnings are errors with DEVELOPER=1, in every check target, and in the
# sanitizer and fuzzing builds (which only the checks use).
ifneq ($(filter check check-%,$(MAKECMDGOALS)),)
export DEVELOPER = 1
endif
WARN     = -Wall -Wextra -Wshadow -Wvla -Wformat=2 -Wstrict-prototypes \
           -Wmissing-prototypes $(if $(filter 1,$(DEVELOPER)),-Werror)
CHECKWARN = $(filter-out -Werror,$(WARN)) -Werror
SAN      = -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
           -fno-sanitize-recover=all

# The libraries, by pkg-config name; their flags from pkg-config, or the
# usual names when it (or a .pc file) is missing.
PC_LIBS  = sqlite3 libpcre2-8 zlib
# ISA-L's igzip inflates gzip faster than zlib: used when pkg-config finds
# it (Debian libisal-dev), unless NO_ISAL=1; zlib does without it.
NO_ISAL ?=
ifeq ($(NO_ISAL),)
HAVE_ISAL := $(shell $(PKG_CONFIG) --exists libisal 2>/dev/null && echo 1)
endif
ifeq ($(HAVE_ISAL),1)
PC_LIBS  += libisal
ISAL_CPPFLAGS = -DHAVE_ISAL
endif
PC_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PC_LIBS) 2>/dev/null)
PC_LDLIBS := $(shell $(PKG_CONFIG) --libs $(PC_LIBS) 2>/dev/null || \
             echo -lsqlite3 -lpcre2-8 -lz)

# Ours first, the user's after.
AS_CPPFLAGS = -D_DEFAULT_SOURCE -D_FILE_OFFSET_BITS=64 \
           -DPCRE2_CODE_UNIT_WIDTH=8 $(ISAL_CPPFLAGS) -I. -Ibuild/gen \
           $(PC_CFLAGS) -MMD -MP $(CPPFLAGS)
# libcurl is loaded at run time by fleet/clickhouse.c (dlopen)
AS_LDLIBS = $(PC_LDLIBS) -lpthread -lm -ldl $(LDLIBS)

# Debian packages (dpkg names): what `make` needs, and what the tests,
# the sanitizer build, the fuzzers and the man page check add.
BUILD_PKGS = gcc make pkg-config libsqlite3-dev libpcre2-dev zlib1g-dev \
           libcurl4-openssl-dev libisal-dev
TEST_PKGS  = libcmocka-dev sqlite3 gzip python3 clang libclang-rt-14-dev \
           valgrind groff-base man-db systemd python3-jsonschema \
           clickhouse-server clickhouse-client curl
# tests/html_screenshot.sh renders the HTML report in headless Chromium
TEST_PKGS += chromium
# tests/cli/completion.sh checks the zsh and fish scripts
TEST_PKGS += zsh fish
# make deb and tests/cli/deb.sh
TEST_PKGS += dpkg-dev lintian binutils fakeroot
# tests/gen/wordings.py runs real uvloop and pytest
TEST_PKGS += python3-uvloop python3-pytest
# tests/gen/layouts.py runs the real logging libraries
TEST_PKGS += python3-loguru python3-structlog python3-rich \
           python3-pythonjsonlogger python3-celery gunicorn uvicorn

# Every source of the binary, by area. The main() of cli/main.c is left out
# of the unit tests, which link everything else.
SRCS     = $(sort $(wildcard cli/*.c common/*.c ingest/*.c rules/*.c \
           query/*.c store/*.c fleet/*.c))
LIBSRCS  = $(filter-out cli/main.c,$(SRCS))
GENSRCS  = build/gen/asyncio_rules.c
UNITSRCS = $(sort $(wildcard tests/unit/test_*.c))

OBJS     = $(SRCS:%.c=build/obj/%.o) build/obj/gen/asyncio_rules.o
LIBOBJS  = $(LIBSRCS:%.c=build/obj/%.o) build/obj/gen/asyncio_rules.o
SANOBJS  = $(SRCS:%.c=build/san/%.o) build/san/gen/asyncio_rules.o
SANLIB   = $(LIBSRCS:%.c=build/san/%.o) build/san/gen/asyncio_rules.o
UNITS    = $(UNITSRCS:tests/unit/%.c=build/tests/%)
SANUNITS = $(UNITSRCS:tests/unit/%.c=build/san/tests/%)

.PHONY: deb all deps deps-build check check-plain check-san check-fuzz check-zlib \
        check-mutate check-build check-headers demo install clean bench fuzz

all: build/aiosift

# deps: install what is missing (Debian), only when something is; as root,
# otherwise the command to run is printed. deps-build: what `make` needs.
define install_pkgs
	@command -v dpkg-query >/dev/null || { echo "make deps: no dpkg" \
	  "here; install a C11 compiler, pkg-config and the development" \
	  "files of: $(PC_LIBS)"; exit 0; }; \
	missing=""; for p in $(1); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | \
	    grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing:$$missing"; \
	    (apt-get update -q && DEBIAN_FRONTEND=noninteractive \
	      apt-get install -y -q $$missing) >build-deps.log 2>&1 || \
	      { cat build-deps.log; exit 1; }; rm -f build-deps.log; \
	  else \
	    echo "missing packages:$$missing; run: sudo apt-get install$$missing"; \
	    exit 1; \
	  fi; \
	fi
endef
deps:
	$(call install_pkgs,$(BUILD_PKGS) $(TEST_PKGS))
deps-build:
	$(call install_pkgs,$(BUILD_PKGS))

# Each build tree remembers the flags it was built with (DIR/.flags,
# rewritten only when they change): new flags rebuild it.
define flags_stamp
$(shell mkdir -p $(1) && f='$(subst ','"'"',$(2))' && \
  [ "$$(cat $(1)/.flags 2>/dev/null)" = "$$f" ] || \
  printf '%s\n' "$$f" >$(1)/.flags)
endef
$(call flags_stamp,build/obj,$(CC) $(AS_CPPFLAGS) $(WARN) $(CFLAGS) $(LDFLAGS) $(AS_LDLIBS))
$(call flags_stamp,build/san,$(CC) $(AS_CPPFLAGS) $(CHECKWARN) $(SAN) $(LDFLAGS) $(AS_LDLIBS))

build/gen/asyncio_rules.c: rules/asyncio.rules
	@mkdir -p $(@D)
	@{ echo '/* Generated from rules/asyncio.rules by the Makefile. */'; \
	  echo '#include <stddef.h>'; \
	  echo 'extern const char asyncio_rules[];'; \
	  echo 'extern const size_t asyncio_rules_len;'; \
	  echo 'const char asyncio_rules[] = {'; \
	  od -An -v -tx1 $< | sed 's/ *\([0-9a-f][0-9a-f]\)/0x\1,/g'; \
	  echo '0x00 };'; \
	  echo "const size_t asyncio_rules_len = sizeof(asyncio_rules) - 1;"; \
	} > $@.tmp && mv $@.tmp $@

build/obj/gen/%.o: build/gen/%.c build/obj/.flags
	@mkdir -p $(@D)
	$(CC) $(AS_CPPFLAGS) -std=c11 $(CFLAGS) -c -o $@ $<

build/san/gen/%.o: build/gen/%.c build/san/.flags
	@mkdir -p $(@D)
	$(CC) $(AS_CPPFLAGS) -std=c11 $(SAN) -c -o $@ $<

build/obj/%.o: %.c build/obj/.flags
	@mkdir -p $(@D)
	$(CC) $(AS_CPPFLAGS) -std=c11 $(WARN) $(CFLAGS) -c -o $@ $<

build/san/%.o: %.c build/san/.flags
	@mkdir -p $(@D)
	$(CC) $(AS_CPPFLAGS) -std=c11 $(CHECKWARN) $(SAN) -c -o $@ $<

build/aiosift: $(OBJS)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(OBJS) $(AS_LDLIBS)

build/san/aiosift: $(SANOBJS)
	$(CC) $(SAN) $(LDFLAGS) -o $@ $(SANOBJS) $(AS_LDLIBS)

# the unit tests' objects stay, so a second run rebuilds nothing
.SECONDARY: $(UNITSRCS:%.c=build/obj/%.o) $(UNITSRCS:%.c=build/san/%.o)

build/tests/%: build/obj/tests/unit/%.o $(LIBOBJS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIBOBJS) $(AS_LDLIBS) -lcmocka

build/san/tests/%: build/san/tests/unit/%.o $(SANLIB)
	@mkdir -p $(@D)
	$(CC) $(SAN) $(LDFLAGS) -o $@ $< $(SANLIB) $(AS_LDLIBS) -lcmocka

# tests/check.sh runs each part whatever the others did (a part whose
# build fails counts as a failed check) and always ends with "total: N
# passed, M failed" and the names of the failed checks. Every check
# target builds with DEVELOPER=1: warnings are errors.
# The parts run in two groups side by side (two cores), each group's
# parts one after the other; the groups are balanced by their CPU time
# (plain+mutate about as long as san+fuzz+build on a quiet machine;
# check-zlib, the gzip tests on the zlib-only build, about a minute).
CHECK_GROUPS = "check-plain check-mutate check-zlib" \
           "check-san check-fuzz check-build"

# build/aiosift first: tests of both groups use it (make install); if it
# fails, the parts count that.
check: deps
	@$(MAKE) --no-print-directory build/aiosift || true
	@CHECK_COUNTS=$(CURDIR)/build/check.counts \
	  CHECK_FAILED=$(CURDIR)/build/check.failed MAKE="$(MAKE)" \
	  tests/check.sh $(CHECK_GROUPS)

check-plain:
	@$(MAKE) --no-print-directory build/aiosift $(UNITS)
	@tests/run build

check-san:
	@$(MAKE) --no-print-directory build/san/aiosift $(SANUNITS)
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
	  UBSAN_OPTIONS=print_stacktrace=1 tests/run build/san

# The program with zlib alone, as built where ISA-L is missing (or with
# NO_ISAL=1): only ingest/reader.c differs, and links no ISA-L. check-zlib
# runs the gzip tests on it, so that both inflaters answer to them (the
# fuzzer compares the two in one binary: fuzz/fuzz_gzip.c).
ZLIB_CPPFLAGS = $(filter-out -DHAVE_ISAL,$(AS_CPPFLAGS))
ZLIB_LDLIBS = $(filter-out -lisal,$(AS_LDLIBS))
ZLIBOBJS = $(filter-out build/obj/ingest/reader.o,$(OBJS)) \
           build/zlib/obj/ingest/reader.o
ZLIBLIB  = $(filter-out build/obj/ingest/reader.o,$(LIBOBJS)) \
           build/zlib/obj/ingest/reader.o
ZLIB_TESTS = unit/test_reader cli/hostile.sh cli/ingest.sh cli/inflate.sh \
           cli/readahead.sh

build/zlib/obj/%.o: %.c build/obj/.flags
	@mkdir -p $(@D)
	$(CC) $(ZLIB_CPPFLAGS) -std=c11 $(WARN) $(CFLAGS) -c -o $@ $<

build/zlib/aiosift: $(ZLIBOBJS)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(ZLIBOBJS) $(ZLIB_LDLIBS)

build/zlib/tests/test_reader: build/obj/tests/unit/test_reader.o $(ZLIBLIB)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(ZLIBLIB) $(ZLIB_LDLIBS) -lcmocka

check-zlib:
	@$(MAKE) --no-print-directory build/zlib/aiosift \
	  build/zlib/tests/test_reader
	@TESTS="$(ZLIB_TESTS)" tests/run build/zlib

# Mutations of the rules and the field extraction that the tests must
# catch (tests/mutate.sh).
check-mutate:
	@$(MAKE) --no-print-directory build/aiosift
	@tests/mutate.sh

# The project builds with gcc and clang, and installs (tests/build.sh).
check-build:
	@tests/build.sh

# Each header compiles on its own.
check-headers:
	@for h in $$(ls */*.h | grep -v '^build/'); do \
	  echo "#include \"$$h\"" | $(CC) $(AS_CPPFLAGS) -std=c11 $(CHECKWARN) \
	    -x c -c -o /dev/null - || exit 1; done; echo "headers ok"

# make demo: the cron job's two steps on the real CPython logs in samples/,
# with the default database (./aiosift.db here, as for any user who gives
# no --db; a second run finds the files unchanged), then the incidents.
demo: deps-build build/aiosift
	./build/aiosift ingest samples/
	./build/aiosift report --since 3650d
	./build/aiosift query incidents --limit 8

# make install [DESTDIR=/tmp/stage] [PREFIX=/usr]: the binary, the man
# pages, the shipped rules and JSON Schemas, and the example systemd units
# (their ExecStart names PREFIX's binary) in PREFIX/share/aiosift, and the
# bash, zsh and fish completions where those shells look.
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR  ?= $(PREFIX)/share/zsh/site-functions
FISHCOMPDIR ?= $(PREFIX)/share/fish/vendor_completions.d
BINDIR   = $(PREFIX)/bin
MANDIR   = $(PREFIX)/share/man
DATADIR  = $(PREFIX)/share/aiosift
install: build/aiosift
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
	  $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(DATADIR)/systemd \
	  $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR) \
	  $(DESTDIR)$(FISHCOMPDIR)
	install -m 755 build/aiosift $(DESTDIR)$(BINDIR)/aiosift
	install -m 644 aiosift.1 $(DESTDIR)$(MANDIR)/man1/aiosift.1
	install -m 644 aiosift-rules.5 $(DESTDIR)$(MANDIR)/man5/aiosift-rules.5
	install -m 644 rules/asyncio.rules share/aiosift/*.schema.json \
	  $(DESTDIR)$(DATADIR)/
	for u in systemd/*.service systemd/*.timer; do \
	  sed 's|@bindir@|$(BINDIR)|g' $$u >$(DESTDIR)$(DATADIR)/$$u && \
	  chmod 644 $(DESTDIR)$(DATADIR)/$$u || exit 1; done
	build/aiosift completion bash >$(DESTDIR)$(BASHCOMPDIR)/aiosift
	build/aiosift completion zsh >$(DESTDIR)$(ZSHCOMPDIR)/_aiosift
	build/aiosift completion fish >$(DESTDIR)$(FISHCOMPDIR)/aiosift.fish
	chmod 644 $(DESTDIR)$(BASHCOMPDIR)/aiosift \
	  $(DESTDIR)$(ZSHCOMPDIR)/_aiosift $(DESTDIR)$(FISHCOMPDIR)/aiosift.fish

# make deb: build/aiosift_VERSION_amd64.deb with dpkg-deb, from the
# metadata in debian/ (debian/build-deb.sh; lintian-clean).
deb: all
	@debian/build-deb.sh

clean:
	rm -rf build

-include $(shell find build -name '*.d' 2>/dev/null)

# make bench: aiosift against grep, zcat | grep, sqlite3 .import and lnav
# on generated data (bench/README.md); not part of make check.
BENCH_MB   ?= 200
BENCH_RUNS ?= 3
BENCH_FULL ?= 0
# make bench BENCH_FLEET=1: the fleet instead (bench/fleet.sh): 1,000
# hosts shipping to two local ClickHouse shards, fleet report latency.
BENCH_FLEET ?= 0
bench: build/aiosift
	@if [ "$(BENCH_FLEET)" = 1 ]; then BENCH_RUNS=$(BENCH_RUNS) \
	  bench/fleet.sh; else BENCH_MB=$(BENCH_MB) BENCH_RUNS=$(BENCH_RUNS) \
	  BENCH_FULL=$(BENCH_FULL) bench/run.sh; fi

# Fuzzing (fuzz/README.md): libFuzzer harnesses fuzz/fuzz_NAME.c, built with
# clang over the library objects, run by fuzz/run.sh on their seed corpus
# fuzz/corpus/NAME and the regression inputs tests/fixtures/hostile/fuzz/.
# `make fuzz FUZZ_SECONDS=N` runs each for N seconds (a crash found is added
# to the regression inputs); `make check` a fixed number of runs with a
# fixed seed.
FUZZ_SECONDS ?= 60
FUZZCC   = clang
FUZZSAN  = -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
           -fno-sanitize-recover=all
FUZZOBJS = $(LIBSRCS:%.c=build/fuzz/obj/%.o) build/fuzz/obj/gen/asyncio_rules.o
FUZZERS  = $(patsubst fuzz/%.c,build/fuzz/%,$(wildcard fuzz/fuzz_*.c))
.SECONDARY: $(FUZZOBJS)
$(call flags_stamp,build/fuzz,$(FUZZCC) $(AS_CPPFLAGS) $(CHECKWARN) $(FUZZSAN) $(LDFLAGS) $(AS_LDLIBS))

build/fuzz/obj/gen/%.o: build/gen/%.c build/fuzz/.flags
	@mkdir -p $(@D)
	$(FUZZCC) $(AS_CPPFLAGS) $(FUZZSAN) -std=c11 -c -o $@ $<

build/fuzz/obj/%.o: %.c build/fuzz/.flags
	@mkdir -p $(@D)
	$(FUZZCC) $(AS_CPPFLAGS) $(FUZZSAN) -fsanitize=fuzzer-no-link -std=c11 \
	  $(CHECKWARN) -c -o $@ $<

build/fuzz/%: fuzz/%.c $(FUZZOBJS)
	$(FUZZCC) $(AS_CPPFLAGS) $(FUZZSAN) -fsanitize=fuzzer -std=c11 $(CHECKWARN) \
	  $(LDFLAGS) -o $@ $< $(FUZZOBJS) $(AS_LDLIBS)

fuzz: deps $(FUZZERS)
	@fuzz/run.sh $(FUZZ_SECONDS)

# make check's fuzzing is deterministic: the committed corpora replayed,
# then FUZZ_RUNS runs with the fixed seed FUZZ_SEED.
FUZZ_RUNS ?= 10000
FUZZ_SEED ?= 1
check-fuzz:
	@$(MAKE) --no-print-directory $(FUZZERS)
	@FUZZ_RUNS=$(FUZZ_RUNS) FUZZ_SEED=$(FUZZ_SEED) fuzz/run.sh
