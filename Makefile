# migmeter - plain Makefile; every library through pkg-config.
PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
DATADIR ?= $(PREFIX)/share/migmeter
MANDIR  ?= $(PREFIX)/share/man/man1
VERSION := 0.1.0

CC      ?= cc
PKGS    := libpcap libnl-3.0 libnl-route-3.0 json-c
WARN    := -Wall -Wextra -Wformat=2 -Wstrict-prototypes -Wmissing-prototypes \
           -Wwrite-strings -Wshadow -Werror
CFLAGS  ?= -O2 -g
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE $(WARN) $(CFLAGS) -Iinclude \
             -DMM_VERSION='"$(VERSION)"' -DMM_BPFDIR='"$(DATADIR)/bpf"' \
             $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LIBS    = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lm
CMOCKA  = $(shell pkg-config --cflags --libs cmocka 2>/dev/null)

SRCS    := $(wildcard src/*.c)
OBJS    := $(patsubst src/%.c,build/%.o,$(SRCS))
LIBOBJS := $(filter-out build/main.o,$(OBJS))

# Each unit test links only the modules it exercises.
UNIT_decode := build/decode.o build/addr.o
UNIT_kind   := build/kind.o
UNIT_flow   := build/flow.o build/kind.o build/addr.o build/seqspace.o
UNIT_seqspace := build/seqspace.o
UNIT_echo   := build/echo.o
UNIT_series := build/series.o
UNIT_mmtime := build/mmtime.o
UNIT_bpfmemo := build/bpfmemo.o
UNIT_report := $(LIBOBJS)
UNITS   := $(patsubst tests/unit/test_%.c,%,$(wildcard tests/unit/test_*.c))
UNITBIN := $(patsubst %,build/test_%,$(UNITS))

.PHONY: all deps deps-build demo check unit e2e golden fuzz install clean bench

all: migmeter

deps-build:
	@scripts/setup-deps.sh build

deps:
	@scripts/setup-deps.sh test

migmeter: $(OBJS)
	$(CC) $(ALL_CFLAGS) -o $@ $(OBJS) $(LIBS)

build/%.o: src/%.c $(wildcard include/*.h) | build
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

build:
	@mkdir -p build

.SECONDEXPANSION:
build/test_%: tests/unit/test_%.c $$(UNIT_$$*) $(wildcard include/*.h) | build
	$(CC) $(ALL_CFLAGS) -o $@ $< $(UNIT_$*) $(LIBS) $(CMOCKA)

build/gen_fixtures: tests/gen_fixtures.c | build
	$(CC) $(ALL_CFLAGS) -o $@ $< $(LIBS)

build/xfer: tests/xfer.c | build
	$(CC) $(ALL_CFLAGS) -o $@ $<

unit: $(UNITBIN)
	@set -e; for t in $(UNITBIN); do echo "== $$t"; ./$$t; done

golden: migmeter build/gen_fixtures
	@bash tests/golden.sh

# The replay under AddressSanitizer/UBSan on mutated captures: damaged input never crashes.
build/asan/migmeter: $(SRCS) $(wildcard include/*.h)
	@mkdir -p build/asan
	$(CC) $(ALL_CFLAGS) -O1 -fsanitize=address,undefined -fno-sanitize-recover=all \
		-o $@ $(SRCS) $(LIBS)

fuzz: build/asan/migmeter build/gen_fixtures
	@mkdir -p tests/fixtures && ./build/gen_fixtures tests/fixtures >/dev/null
	@python3 tests/fuzz_replay.py build/asan/migmeter bpf 150 \
		tests/fixtures/mig_eth.pcap tests/fixtures/mig_v6.pcap tests/fixtures/mig_ns.pcap \
		tests/fixtures/ping_vxlan.pcap tests/fixtures/ping_gre.pcap tests/fixtures/mig_sll2.pcap \
		samples/migration-49152.pcapng

e2e: migmeter build/xfer
	@bash tests/e2e/run.sh

demo: deps-build
	@$(MAKE) --no-print-directory all
	./migmeter replay --bpf-dir bpf samples/migration-49152.pcapng

check: deps
	@$(MAKE) --no-print-directory all
	@$(MAKE) --no-print-directory CC=clang CFLAGS="-O1 -g" clean-objs all >/dev/null
	@$(MAKE) --no-print-directory clean-objs all >/dev/null
	@$(MAKE) --no-print-directory unit
	@$(MAKE) --no-print-directory golden
	@$(MAKE) --no-print-directory fuzz
	@$(MAKE) --no-print-directory e2e

bench:
	@scripts/setup-deps.sh bench
	@$(MAKE) --no-print-directory all
	@bash bench/run.sh

install: migmeter
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR)/bpf $(DESTDIR)$(MANDIR)
	install -m 755 migmeter $(DESTDIR)$(BINDIR)/migmeter
	install -m 644 bpf/*.bpf $(DESTDIR)$(DATADIR)/bpf/
	install -m 644 man/migmeter.1 $(DESTDIR)$(MANDIR)/migmeter.1

clean-objs:
	rm -rf build migmeter

clean: clean-objs
	rm -rf tests/fixtures bench/out
