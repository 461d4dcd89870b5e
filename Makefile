# vt - one non-recursive GNU Makefile.
#
#   make            lib/libvt.a and bin/<tool> for every cmd/<tool>.c
#   make check      unit tests (Criterion), end-to-end tool tests, interop
#   make asan       the same suite built with AddressSanitizer + UBSan
#   make demo       a short tour of the tools on bundled data
#   make bench      side-by-side benchmarks against the reference tools
#   make fuzz       libFuzzer targets for the parsers (FUZZ_SECONDS each)
#   make lint       cppcheck and man page lint
#   make install    PREFIX, DESTDIR, BINDIR, MANDIR

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
DESTDIR ?=

CC ?= cc
OPT ?= -O2 -g
WERROR ?= -Werror
BUILD ?= build/rel
BIN ?= bin
SANFLAGS ?=
FUZZ_SECONDS ?= 30
PYTHON ?= /usr/bin/python3

PKGS := openblas libcjson stb libdeflate
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CRIT_CFLAGS := $(shell pkg-config --cflags criterion 2>/dev/null)
CRIT_LIBS := $(shell pkg-config --libs criterion 2>/dev/null)

# -ffp-contract=off: no fused multiply-add, so results are the same bits on
# every machine; never -ffast-math.
VT_CFLAGS = -std=c11 -Wall -Wextra -Wshadow -Wvla $(WERROR) \
	-D_DEFAULT_SOURCE -D_FILE_OFFSET_BITS=64 -ffp-contract=off -pthread \
	-MMD -MP $(OPT) $(SANFLAGS) $(CFLAGS) -Ilib/include $(PKG_CFLAGS)
VT_LDFLAGS = $(SANFLAGS) $(LDFLAGS) -pthread
VT_LIBS = $(PKG_LIBS) -lz -lm

LIB_SRC := $(sort $(wildcard lib/*/*.c))
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/%.o)
LIB := $(if $(filter build/rel,$(BUILD)),lib/libvt.a,$(BUILD)/libvt.a)
TOOLS := $(sort $(notdir $(basename $(wildcard cmd/*.c))))
TOOL_BINS := $(TOOLS:%=$(BIN)/%)
UNIT_SRC := $(sort $(wildcard test/unit/*.c))
UNIT_BIN := $(BUILD)/test/unit-tests
FUZZ_SRC := $(sort $(wildcard test/fuzz/fuzz_*.c))
FUZZ_BINS := $(FUZZ_SRC:test/fuzz/%.c=build/fuzz/bin/%)
MAN_PAGES := $(sort $(wildcard man/man*/*.[157]))

.PHONY: all check check-run check-unit check-cli check-interop asan demo \
	demo-run bench fuzz lint install uninstall clean deps

all: $(LIB) $(TOOL_BINS)

.SECONDARY:

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(VT_CFLAGS) -c -o $@ $<

# lib/nn's kernels are loops over arrays: let GCC vectorise them at -O2
# (the default "very cheap" cost model refuses most), use the sqrt
# instruction without the errno path, and if-convert selects such as
# x > 0 ? 1 : slope (lib/nn never reads floating-point exception flags).
# None of these changes a result: reductions stay in order without
# -ffast-math, and fp-contract stays off.
$(BUILD)/lib/nn/%.o: VT_CFLAGS += -fvect-cost-model=dynamic -fno-math-errno \
	-fno-trapping-math

$(LIB): $(LIB_OBJ)
	@mkdir -p $(@D)
	rm -f $@
	ar rcs $@ $^

$(BIN)/%: $(BUILD)/cmd/%.o $(LIB)
	@mkdir -p $(@D)
	$(CC) $(VT_LDFLAGS) -o $@ $< $(LIB) $(VT_LIBS)

$(BUILD)/test/unit/%.o: test/unit/%.c
	@mkdir -p $(@D)
	$(CC) $(VT_CFLAGS) $(CRIT_CFLAGS) -Itest/unit -c -o $@ $<

$(UNIT_BIN): $(UNIT_SRC:%.c=$(BUILD)/%.o) $(LIB)
	@mkdir -p $(@D)
	$(CC) $(VT_LDFLAGS) -o $@ $(filter %.o,$^) $(LIB) $(CRIT_LIBS) $(VT_LIBS)

# Set-up: install missing Debian packages when run as root.
deps:
	@scripts/install-deps --if-root

check: deps
	@$(MAKE) --no-print-directory check-run

check-run: all $(UNIT_BIN)
	@$(MAKE) -k --no-print-directory check-unit check-cli check-interop

check-unit: $(UNIT_BIN)
	cd test && OPENBLAS_NUM_THREADS=1 VT_TEST_DATA=data ../$(UNIT_BIN) --jobs 2

check-cli: $(TOOL_BINS)
	OPENBLAS_NUM_THREADS=1 test/cli/run $(BIN)

check-interop: $(TOOL_BINS)
	OPENBLAS_NUM_THREADS=1 PYTHON=$(PYTHON) test/interop/run $(BIN)

asan: deps
	@$(MAKE) --no-print-directory BUILD=build/asan BIN=build/asan/bin \
		OPT="-O1 -g -fno-omit-frame-pointer" \
		SANFLAGS="-fsanitize=address,undefined -fno-sanitize-recover=all" \
		check-run

demo: deps
	@$(MAKE) --no-print-directory all
	@$(MAKE) --no-print-directory demo-run

demo-run: $(TOOL_BINS)
	@scripts/demo $(BIN)

bench: all
	@scripts/install-deps --if-root --bench
	@for s in scripts/bench/*.sh; do echo "== $$s"; sh $$s $(BIN) || exit 1; done

# The fuzzers use the library built once with clang's coverage and sanitizer
# instrumentation (build/fuzz/libvt-fuzz.a).  They compile stb's decoders from
# its headers (test/fuzz/stb_impl.c) instead of linking Debian's libstb, so the
# fuzzer sees coverage inside them and AddressSanitizer checks them.
FUZZ_CFLAGS = -std=c11 -g -O1 -D_DEFAULT_SOURCE -D_FILE_OFFSET_BITS=64 \
	-Ilib/include $(PKG_CFLAGS)
FUZZ_SAN = address,undefined
FUZZ_LIBS = $(filter-out -lstb,$(VT_LIBS))
FUZZ_OBJ := $(LIB_SRC:%.c=build/fuzz/obj/%.o) build/fuzz/obj/test/fuzz/stb_impl.o

build/fuzz/obj/%.o: %.c
	@mkdir -p $(@D)
	clang $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link,$(FUZZ_SAN) -c -o $@ $<

build/fuzz/libvt-fuzz.a: $(FUZZ_OBJ)
	rm -f $@
	ar rcs $@ $^

build/fuzz/bin/%: test/fuzz/%.c build/fuzz/libvt-fuzz.a
	@mkdir -p $(@D)
	clang $(FUZZ_CFLAGS) -fsanitize=fuzzer,$(FUZZ_SAN) -o $@ $< \
		build/fuzz/libvt-fuzz.a $(FUZZ_LIBS)

fuzz: $(FUZZ_BINS)
	@for f in $(FUZZ_BINS); do \
		n=$$(basename $$f); c=build/fuzz/corpus-$$n; mkdir -p $$c; \
		echo "== $$n for $(FUZZ_SECONDS) s"; \
		UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:suppressions=test/fuzz/ubsan.supp \
		$$f -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=2048 \
			-print_final_stats=1 -artifact_prefix=build/fuzz/$$n- \
			$$c test/data/bad test/fuzz/seeds 2>build/fuzz/$$n.log || { \
			tail -40 build/fuzz/$$n.log; grep -m1 'INFO: Seed:' build/fuzz/$$n.log; \
			for a in build/fuzz/$$n-*; do [ -f "$$a" ] || continue; \
				echo "fuzz: $$a ($$(wc -c < $$a) bytes), base64:"; \
				head -c 6000 "$$a" | base64 -w 100; done; exit 1; }; \
		grep -E '^stat::number_of_executed_units' build/fuzz/$$n.log; \
	done

lint:
	cppcheck --quiet --error-exitcode=1 --std=c11 --inline-suppr \
		--enable=warning,portability,performance \
		--suppress=missingIncludeSystem -Ilib/include lib cmd
	mandoc -Tlint -Wwarning $(MAN_PAGES)

install: all
	install -d $(DESTDIR)$(BINDIR)
	install -m 755 $(TOOL_BINS) $(DESTDIR)$(BINDIR)
	@for p in $(MAN_PAGES); do \
		s=$$(basename $$(dirname $$p)); \
		install -d $(DESTDIR)$(MANDIR)/$$s; \
		echo install -m 644 $$p $(DESTDIR)$(MANDIR)/$$s; \
		install -m 644 $$p $(DESTDIR)$(MANDIR)/$$s; \
	done

uninstall:
	rm -f $(TOOLS:%=$(DESTDIR)$(BINDIR)/%)
	@for p in $(MAN_PAGES); do \
		s=$$(basename $$(dirname $$p)); \
		rm -f $(DESTDIR)$(MANDIR)/$$s/$$(basename $$p); \
	done

clean:
	rm -rf build bin lib/libvt.a

-include $(shell find build -name '*.d' 2>/dev/null)
