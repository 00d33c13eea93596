# migmeter - plain Makefile; every library through pkg-config.
PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
DATADIR ?= $(PREFIX)/share/migmeter
MANDIR  ?= $(PREFIX)/share/man/man1
UNITDIR ?= $(PREFIX)/lib/systemd/system
VERSION := 0.1.0

CC      ?= cc
PKGS    := libpcap libnl-3.0 libnl-route-3.0 json-c
# libmicrohttpd: its header only; the library is dlopen()ed by --metrics-listen (src/prom-http.c)
CPKGS   := $(PKGS) libmicrohttpd
WARN    := -Wall -Wextra -Wformat=2 -Wstrict-prototypes -Wmissing-prototypes \
           -Wwrite-strings -Wshadow -Werror
CFLAGS  ?= -O2 -g
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE $(WARN) $(CFLAGS) -Iinclude \
             -DMM_VERSION='"$(VERSION)"' -DMM_BPFDIR='"$(DATADIR)/bpf"' \
             $(shell pkg-config --cflags $(CPKGS) 2>/dev/null)
LIBS    = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lm
CMOCKA  = $(shell pkg-config --cflags --libs cmocka 2>/dev/null)

# B is where objects and unit tests go, BIN the program: `make asan` builds
# a second, sanitized tree with B=build/asan BIN=build/asan/migmeter.
B       ?= build
BIN     ?= migmeter
SRCS    := $(wildcard src/*.c)
OBJS    := $(patsubst src/%.c,$(B)/%.o,$(SRCS))
LIBOBJS := $(filter-out $(B)/main.o,$(OBJS))

# Each unit test links only the modules it exercises.
# The migration records: announces, grouping, their report and outputs.
MIG_OBJS    := $(B)/announce.o $(B)/decode-arp.o $(B)/migration.o $(B)/migration-get.o $(B)/migration-group.o \
	       $(B)/migration-match.o $(B)/report-migration.o $(B)/report-unresp.o $(B)/out-text-migration.o \
	       $(B)/out-csv-migration.o $(B)/out-text-views.o \
	       $(B)/app.o $(B)/app-timeline.o $(B)/app-phase.o $(B)/app-report.o
UNIT_migration := $(B)/migration.o $(B)/migration-get.o $(B)/migration-group.o $(B)/migration-match.o $(B)/kind.o $(B)/addr.o
UNIT_announce := $(B)/announce.o $(B)/arr.o $(B)/decode-arp.o $(B)/decode.o $(B)/addr.o
UNIT_decode := $(B)/decode.o $(B)/addr.o
UNIT_kind   := $(B)/kind.o
UNIT_flow   := $(B)/arr.o $(B)/flow.o $(B)/flow-totals.o $(B)/flow-any.o $(B)/flow-retire.o $(B)/kind.o $(B)/addr.o $(B)/seqspace.o
UNIT_flow_any := $(UNIT_flow)
UNIT_flow_keep := $(UNIT_flow)
UNIT_seqspace := $(B)/seqspace.o
ECHO_OBJS   := $(B)/echo.o $(B)/echo-times.o $(B)/echo-episodes.o $(B)/echo-unresp.o $(B)/echo-retire.o \
	       $(B)/seqwin.o $(B)/unresp.o $(B)/episode.o $(B)/medset.o
UNIT_echo   := $(ECHO_OBJS) $(B)/arr.o $(B)/mmtime.o
UNIT_seqwin := $(B)/seqwin.o
UNIT_unresp := $(B)/unresp.o $(B)/mmtime.o
UNIT_echo_unresp := $(UNIT_echo)
UNIT_echo_keep := $(UNIT_echo)
UNIT_echo_bounded := $(UNIT_echo)
UNIT_series := $(B)/series.o $(B)/arr.o $(B)/mmtime.o
UNIT_episode := $(B)/episode.o $(B)/mmtime.o
UNIT_medset := $(B)/medset.o $(B)/mmtime.o
UNIT_app    := $(B)/app.o $(B)/app-timeline.o $(B)/app-phase.o $(B)/seqspace.o $(B)/medset.o $(B)/mmtime.o $(B)/addr.o
UNIT_mmtime := $(B)/mmtime.o
# The other views: each parser with the shared text module.
VIEW_TEXT   := $(B)/view-text.o $(B)/mmtime.o
UNIT_view_ping := $(B)/view-ping.o $(VIEW_TEXT)
UNIT_view_nova := $(B)/view-nova.o $(B)/view-novalist.o $(VIEW_TEXT)
UNIT_view_libvirt := $(B)/view-libvirt.o $(B)/view-qmp.o $(VIEW_TEXT)
UNIT_bpfmemo := $(B)/bpfmemo.o
UNIT_tsmerge := $(B)/tsmerge.o
UNIT_pcapng := $(B)/source-pcapng.o
UNIT_join   := $(B)/source-join.o $(B)/source-pcapng.o $(B)/source-stream.o
UNIT_outpath := $(B)/outpath.o
UNIT_rotate := $(B)/rotate.o $(B)/outpath.o
UNIT_recfile := $(B)/recfile.o $(B)/mmtime.o
UNIT_source_order := $(B)/source-order.o $(B)/mmtime.o $(B)/arr.o
UNIT_merge  := $(B)/merge.o $(B)/merge-read.o $(B)/merge-out.o $(B)/mmtime.o
UNIT_prom   := $(B)/prom.o $(B)/prom-text.o
UNIT_prom_http := $(B)/prom-http.o
UNIT_report := $(LIBOBJS)
UNIT_plot   := $(LIBOBJS)
UNIT_capture := $(LIBOBJS)
UNITS   := $(patsubst tests/unit/test_%.c,%,$(wildcard tests/unit/test_*.c))
UNITBIN := $(patsubst %,$(B)/test_%,$(UNITS))

# Sanitizers for `make asan` (gcc or clang) and the libFuzzer harnesses (clang only).
SAN_FLAGS  := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_CC    ?= clang
FUZZ_TIME  ?= 30
FUZZ_LIB   := $(filter-out src/main.c,$(SRCS))

.PHONY: all deps deps-build demo check unit e2e golden fuzz fuzz-build asan asan-build hostile valgrind \
	install clean bench

all: $(BIN)

deps-build:
	@scripts/setup-deps.sh build

deps:
	@scripts/setup-deps.sh test

$(BIN): $(OBJS)
	$(CC) $(ALL_CFLAGS) -o $@ $(OBJS) $(LIBS)

$(B)/%.o: src/%.c $(wildcard include/*.h)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

.SECONDEXPANSION:
$(B)/test_%: tests/unit/test_%.c $$(UNIT_$$*) $(wildcard include/*.h) $(wildcard tests/unit/*.h)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(UNIT_$*) $(LIBS) $(CMOCKA)

build/gen_fixtures: tests/gen_fixtures.c tests/gen_fixtures_mig.c tests/gen_fixtures_any.c tests/gen_fixtures_postcopy.c \
		   tests/gen_fixtures_app.c tests/bytebuf.h
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Itests -o $@ $< $(LIBS)

build/gen_many: tests/gen_many.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(LIBS)

build/gen_hostile: tests/gen_hostile.c tests/bytebuf.h
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -o $@ $<

build/xfer: tests/xfer.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -o $@ $<

unit: $(UNITBIN)
	@set -e; for t in $(UNITBIN); do echo "== $$t"; ./$$t; done

golden: $(BIN) build/gen_fixtures
	@bash tests/golden.sh

# migmeter and every unit test under AddressSanitizer + UBSan in build/asan/,
# then the unit, golden, hostile and end-to-end suites against that binary.
asan-build:
	@$(MAKE) --no-print-directory B=build/asan BIN=build/asan/migmeter CFLAGS="$(SAN_FLAGS)" \
		build/asan/migmeter $(patsubst %,build/asan/test_%,$(UNITS))

asan: asan-build build/gen_fixtures build/gen_hostile build/xfer build/gen_many
	@$(MAKE) --no-print-directory B=build/asan BIN=build/asan/migmeter CFLAGS="$(SAN_FLAGS)" unit
	@MIGMETER=build/asan/migmeter bash tests/golden.sh
	@MIGMETER=build/asan/migmeter HOSTILE_MAX_RSS_MB=512 bash tests/hostile.sh -q
	@MIGMETER=$(CURDIR)/build/asan/migmeter bash tests/e2e/run.sh

# Damaged captures: the deterministic mutation rounds (tests/fuzz_replay.py)
# through the sanitized binary, then each libFuzzer harness for FUZZ_TIME
# seconds from a seed corpus of the fixtures, the sample and the hostile files.
build/fuzz/fuzz_decode: tests/fuzz/fuzz_decode.c src/decode.c src/addr.c $(wildcard include/*.h)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(ALL_CFLAGS) $(SAN_FLAGS) -fsanitize=fuzzer -o $@ $(filter %.c,$^) $(LIBS)

build/fuzz/fuzz_replay: tests/fuzz/fuzz_replay.c $(FUZZ_LIB) $(wildcard include/*.h)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(ALL_CFLAGS) $(SAN_FLAGS) -fsanitize=fuzzer -o $@ $(filter %.c,$^) $(LIBS)

# The same harness with the widest settings: --ports 1-65535, an ICMP filter that passes every frame, 1 us bins.
build/fuzz/fuzz_replay_wide: tests/fuzz/fuzz_replay.c $(FUZZ_LIB) $(wildcard include/*.h)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(ALL_CFLAGS) $(SAN_FLAGS) -fsanitize=fuzzer -DFUZZ_WIDE -o $@ $(filter %.c,$^) $(LIBS)

# The other views' parsers (ping, nova, migration list, domjobinfo, QMP), their JSON and the matcher.
build/fuzz/fuzz_views: tests/fuzz/fuzz_views.c $(FUZZ_LIB) $(wildcard include/*.h)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(ALL_CFLAGS) $(SAN_FLAGS) -fsanitize=fuzzer -o $@ $(filter %.c,$^) $(LIBS)

fuzz-build: build/fuzz/fuzz_decode build/fuzz/fuzz_replay build/fuzz/fuzz_replay_wide build/fuzz/fuzz_views

fuzz: asan-build fuzz-build build/gen_fixtures build/gen_hostile
	@mkdir -p tests/fixtures tests/hostile
	@./build/gen_fixtures tests/fixtures >/dev/null
	@./build/gen_hostile tests/hostile >/dev/null
	@python3 tests/fuzz_replay.py build/asan/migmeter bpf 150 \
		tests/fixtures/mig_eth.pcap tests/fixtures/mig_v6.pcap tests/fixtures/mig_ns.pcap \
		tests/fixtures/ping_vxlan.pcap tests/fixtures/ping_gre.pcap tests/fixtures/mig_sll2.pcap \
		tests/fixtures/mig_concurrent.pcap \
		samples/migration-49152.pcapng
	@bash tests/fuzz/run.sh $(FUZZ_TIME) tests/fixtures/*.pcap samples/*.pcapng tests/hostile/*.pcap*

# Hostile captures (tests/gen_hostile.c) replayed by the real binary.
hostile: $(BIN) build/gen_hostile
	@MIGMETER=./$(BIN) bash tests/hostile.sh

# The sample replay, then a damaged merge (the error path, every CSV) under valgrind.
valgrind: $(BIN) build/gen_hostile
	@valgrind -q --error-exitcode=1 --leak-check=full \
		./$(BIN) replay --bpf-dir bpf samples/migration-49152.pcapng >/dev/null
	@mkdir -p tests/hostile && ./build/gen_hostile tests/hostile >/dev/null
	@tmp=$$(mktemp -d); valgrind -q --error-exitcode=99 --leak-check=full \
		./$(BIN) replay --bpf-dir bpf --format csv -o $$tmp/r.csv --timeseries $$tmp/s.csv \
		tests/hostile/lying-headers.pcap tests/hostile/ng-block-past-end.pcapng 2>/dev/null; \
		rc=$$?; rm -rf $$tmp; [ $$rc -eq 1 ] || { echo "valgrind: damaged replay: exit $$rc"; exit 1; }
	@echo "valgrind: sample and damaged replays clean"

e2e: migmeter build/xfer build/gen_fixtures build/gen_many
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
	@$(MAKE) --no-print-directory hostile
	@$(MAKE) --no-print-directory valgrind
	@$(MAKE) --no-print-directory e2e
	@$(MAKE) --no-print-directory asan
	@$(MAKE) --no-print-directory fuzz

bench:
	@scripts/setup-deps.sh bench
	@$(MAKE) --no-print-directory all
	@bash bench/run.sh
	@bash bench/live.sh 4 3

# The unit file gets this PREFIX's paths (the one in contrib/ names /usr/local).
install: migmeter
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR)/bpf $(DESTDIR)$(MANDIR) \
		$(DESTDIR)$(UNITDIR) $(DESTDIR)$(DATADIR)/grafana
	install -m 755 migmeter $(DESTDIR)$(BINDIR)/migmeter
	install -m 644 bpf/*.bpf $(DESTDIR)$(DATADIR)/bpf/
	install -m 644 man/migmeter.1 $(DESTDIR)$(MANDIR)/migmeter.1
	sed -e 's|/usr/local/bin/migmeter|$(BINDIR)/migmeter|' \
	    -e 's|/usr/local/share/migmeter/bpf|$(DATADIR)/bpf|' \
		contrib/systemd/migmeter@.service >$(DESTDIR)$(UNITDIR)/migmeter@.service
	chmod 644 $(DESTDIR)$(UNITDIR)/migmeter@.service
	install -m 644 contrib/grafana/migmeter.json $(DESTDIR)$(DATADIR)/grafana/migmeter.json

clean-objs:
	rm -rf build migmeter

clean: clean-objs
	rm -rf tests/fixtures tests/hostile bench/out
