# aiosift: `make` builds build/aiosift; `make check` runs every test, on the
# normal build and on an address/undefined-sanitizer build; `make demo` runs
# the main job on the bundled sample logs. Missing Debian packages are
# installed first (as root; otherwise the command to run is printed).

WARN     = -std=c11 -Wall -Wextra -Werror -Wshadow -Wvla -Wformat=2 \
           -Wstrict-prototypes -Wmissing-prototypes
CFLAGS  ?= -O2 -g
SAN      = -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
           -fno-sanitize-recover=all
CPPFLAGS = -D_DEFAULT_SOURCE -D_FILE_OFFSET_BITS=64 \
           -DPCRE2_CODE_UNIT_WIDTH=8 -I. -Ibuild/gen -MMD -MP
# libcurl is loaded at run time by fleet/clickhouse.c (dlopen)
LDLIBS   = -lsqlite3 -lpcre2-8 -lz -lpthread -lm -ldl
PREFIX  ?= /usr/local

# Debian packages the build and the tests need (dpkg name).
PKGS     = gcc make pkg-config libsqlite3-dev libpcre2-dev zlib1g-dev \
           libcmocka-dev sqlite3 gzip python3 clang libclang-rt-14-dev \
           valgrind python3-jsonschema libcurl4-openssl-dev \
           clickhouse-server clickhouse-client curl \
           groff-base man-db systemd
# tests/html_screenshot.sh renders the HTML report in headless Chromium
PKGS    += chromium
# tests/cli/completion.sh checks the zsh and fish scripts
PKGS    += zsh fish
# tests/gen/wordings.py runs real uvloop and pytest
PKGS    += python3-uvloop python3-pytest
# tests/gen/layouts.py runs the real logging libraries
PKGS    += python3-loguru python3-structlog python3-rich \
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

.PHONY: all deps check check-plain check-san demo install clean \
        check-headers bench fuzz check-fuzz

all: deps build/aiosift

# Install what is missing, only when it is missing.
deps:
	@missing=""; for p in $(PKGS); do \
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

build/obj/gen/%.o: build/gen/%.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -std=c11 -c -o $@ $<

build/san/gen/%.o: build/gen/%.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(SAN) -std=c11 -c -o $@ $<

build/obj/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -c -o $@ $<

build/san/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(SAN) $(WARN) -c -o $@ $<

build/aiosift: $(OBJS)
	$(CC) $(CFLAGS) -o $@ $(OBJS) $(LDLIBS)

build/san/aiosift: $(SANOBJS)
	$(CC) $(SAN) -o $@ $(SANOBJS) $(LDLIBS)

# the unit tests' objects stay, so a second run rebuilds nothing
.SECONDARY: $(UNITSRCS:%.c=build/obj/%.o) $(UNITSRCS:%.c=build/san/%.o)

build/tests/%: build/obj/tests/unit/%.o $(LIBOBJS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $< $(LIBOBJS) $(LDLIBS) -lcmocka

build/san/tests/%: build/san/tests/unit/%.o $(SANLIB)
	@mkdir -p $(@D)
	$(CC) $(SAN) -o $@ $< $(SANLIB) $(LDLIBS) -lcmocka

# tests/check.sh runs each part whatever the others did (a part whose
# build fails counts as a failed check) and always ends with "total: N
# passed, M failed" and the names of the failed checks.
CHECK_PARTS = check-plain check-san check-fuzz

check: deps
	@CHECK_COUNTS=$(CURDIR)/build/check.counts \
	  CHECK_FAILED=$(CURDIR)/build/check.failed MAKE="$(MAKE)" \
	  tests/check.sh $(CHECK_PARTS)

check-plain: build/aiosift $(UNITS)
	@tests/run build

check-san: build/san/aiosift $(SANUNITS)
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
	  UBSAN_OPTIONS=print_stacktrace=1 tests/run build/san

# Each header compiles on its own.
check-headers:
	@for h in $$(ls */*.h | grep -v '^build/'); do \
	  echo "#include \"$$h\"" | $(CC) $(CPPFLAGS) $(WARN) -x c -c \
	    -o /dev/null - || exit 1; done; echo "headers ok"

demo: all
	@rm -f build/demo.db build/demo.db-wal build/demo.db-shm
	./build/aiosift ingest --db build/demo.db samples/
	./build/aiosift report --db build/demo.db --since 3650d
	./build/aiosift query incidents --db build/demo.db --limit 8

# make install [DESTDIR=/tmp/stage] [PREFIX=/usr]: the binary, the man
# pages, the shipped rules and JSON Schemas, and the example systemd units
# (their ExecStart names PREFIX's binary) in PREFIX/share/aiosift, and the
# bash, zsh and fish completions where those shells look.
BINDIR   = $(PREFIX)/bin
MANDIR   = $(PREFIX)/share/man
DATADIR  = $(PREFIX)/share/aiosift
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR  ?= $(PREFIX)/share/zsh/site-functions
FISHCOMPDIR ?= $(PREFIX)/share/fish/vendor_completions.d
install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
	  $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(DATADIR)/systemd \
	  $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR) \
	  $(DESTDIR)$(FISHCOMPDIR)
	build/aiosift completion bash >$(DESTDIR)$(BASHCOMPDIR)/aiosift
	build/aiosift completion zsh >$(DESTDIR)$(ZSHCOMPDIR)/_aiosift
	build/aiosift completion fish >$(DESTDIR)$(FISHCOMPDIR)/aiosift.fish
	chmod 644 $(DESTDIR)$(BASHCOMPDIR)/aiosift \
	  $(DESTDIR)$(ZSHCOMPDIR)/_aiosift $(DESTDIR)$(FISHCOMPDIR)/aiosift.fish
	install -m 755 build/aiosift $(DESTDIR)$(BINDIR)/aiosift
	install -m 644 aiosift.1 $(DESTDIR)$(MANDIR)/man1/aiosift.1
	install -m 644 aiosift-rules.5 $(DESTDIR)$(MANDIR)/man5/aiosift-rules.5
	install -m 644 rules/asyncio.rules share/aiosift/*.schema.json \
	  $(DESTDIR)$(DATADIR)/
	for u in systemd/*.service systemd/*.timer; do \
	  sed 's|@bindir@|$(BINDIR)|g' $$u >$(DESTDIR)$(DATADIR)/$$u && \
	  chmod 644 $(DESTDIR)$(DATADIR)/$$u || exit 1; done

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
bench: all
	@if [ "$(BENCH_FLEET)" = 1 ]; then BENCH_RUNS=$(BENCH_RUNS) \
	  bench/fleet.sh; else BENCH_MB=$(BENCH_MB) BENCH_RUNS=$(BENCH_RUNS) \
	  BENCH_FULL=$(BENCH_FULL) bench/run.sh; fi

# Fuzzing (fuzz/README.md): libFuzzer harnesses fuzz/fuzz_NAME.c, built with
# clang over the library objects, run by fuzz/run.sh on their seed corpus
# fuzz/corpus/NAME and the regression inputs tests/fixtures/hostile/fuzz/.
# `make fuzz FUZZ_SECONDS=N` runs each for N seconds; `make check` a fixed
# number of runs with a fixed seed.
FUZZ_SECONDS ?= 60
FUZZCC   = clang
FUZZSAN  = -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
           -fno-sanitize-recover=all
FUZZOBJS = $(LIBSRCS:%.c=build/fuzz/obj/%.o) build/fuzz/obj/gen/asyncio_rules.o
FUZZERS  = $(patsubst fuzz/%.c,build/fuzz/%,$(wildcard fuzz/fuzz_*.c))
.SECONDARY: $(FUZZOBJS)

build/fuzz/obj/gen/%.o: build/gen/%.c
	@mkdir -p $(@D)
	$(FUZZCC) $(CPPFLAGS) $(FUZZSAN) -std=c11 -c -o $@ $<

build/fuzz/obj/%.o: %.c
	@mkdir -p $(@D)
	$(FUZZCC) $(CPPFLAGS) $(FUZZSAN) -fsanitize=fuzzer-no-link $(WARN) \
	  -c -o $@ $<

build/fuzz/%: fuzz/%.c $(FUZZOBJS)
	$(FUZZCC) $(CPPFLAGS) $(FUZZSAN) -fsanitize=fuzzer $(WARN) -o $@ $< \
	  $(FUZZOBJS) $(LDLIBS)

fuzz: deps $(FUZZERS)
	@fuzz/run.sh $(FUZZ_SECONDS)

# make check's fuzzing is deterministic: the committed corpora replayed,
# then FUZZ_RUNS runs with the fixed seed FUZZ_SEED.
FUZZ_RUNS ?= 10000
FUZZ_SEED ?= 1
check-fuzz: $(FUZZERS)
	@FUZZ_RUNS=$(FUZZ_RUNS) FUZZ_SEED=$(FUZZ_SEED) fuzz/run.sh
