# heapbook: a C memory workbook.  `make help` lists the targets.

EXERCISES := $(sort $(notdir $(wildcard exercises/[0-9][0-9]-*)))
BUILD     := build
DEPS_OK   := $(BUILD)/.deps-ok

# EX=01 (or EX=01-fibonacci) picks one exercise.
EX ?=
ex_dir = $(or $(filter $(EX)-%,$(EXERCISES)),$(filter $(EX),$(EXERCISES)))

CC      ?= gcc
WARN    := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror
# File names in debug info and stack reports relative to the repository.
PATHS   := -ffile-prefix-map=$(CURDIR)/=
CUNIT_CFLAGS = $(shell pkg-config --cflags cunit)
CUNIT_LIBS   = $(shell pkg-config --libs cunit)

# The harness itself: optimised, and -fno-builtin so GCC never turns the
# allocator's own code into calls to itself.
HARNESS_CFLAGS := $(WARN) $(PATHS) -O2 -g -fno-builtin -pthread
# Code under measurement (exercises, solutions, tests).  -fno-builtin stops
# GCC from deleting malloc/free pairs or merging malloc+memset into calloc:
# every allocation written is an allocation counted.  No inlining and no
# sibling calls, so every function keeps its frame in a reported stack.
MEASURED_CFLAGS := $(WARN) $(PATHS) -O2 -g -fno-builtin -fno-inline \
    -fno-optimize-sibling-calls -fno-omit-frame-pointer -pthread
# -rdynamic exports the harness's malloc & co. so that every library
# (libc, CUnit, libmimalloc itself) resolves them to the counting versions.
TEST_LDFLAGS := -rdynamic -pthread
TEST_LIBS = $(CUNIT_LIBS) -lmimalloc -lunwind -ldw

HARNESS_SRCS := $(wildcard harness/*.c)
HARNESS_OBJS := $(patsubst harness/%.c,$(BUILD)/harness/%.o,$(HARNESS_SRCS))
HARNESS_HDRS := $(wildcard harness/*.h)
MIMALLOC_EXPORTS := $(BUILD)/mimalloc-exports.txt

.DEFAULT_GOAL := workbook
.PHONY: workbook test solution check check-repeat help clean bench format progress list hint reset watch results

help:
	@echo "heapbook: a C memory workbook"
	@echo
	@echo "  make                  run the exercises in order; show the first one to fix"
	@echo "  make test EX=01       build and run one exercise's tests on your code"
	@echo "  make solution EX=01   the same tests on the reference solution"
	@echo "  make memcheck [EX=01] memory errors: your code's tests under AddressSanitizer"
	@echo "                        and UBSan (use after free, overflows, leaks, undefined"
	@echo "                        behaviour); memory limits are skipped there"
	@echo "  make valgrind [EX=01] the same checks under valgrind, where sanitizers are missing"
	@echo "  make watch [EX=01]    rerun an exercise's tests whenever you save a file"
	@echo "  make hint EX=01       the next hint for an exercise, one at a time"
	@echo "  make progress         every exercise and its state (also: make list)"
	@echo "  make reset EX=01      put an exercise's starter back (keeps yours in build/backups)"
	@echo "  make results          JUnit XML and JSON results of every exercise in build/results/"
	@echo "  make flamegraph EX=01 run the exercise's program under heapbook, write its flame graph"
	@echo "  make run EX=01        only record it (build/exercises/NN-name/program.hbcap)"
	@echo "  make profiler         build build/bin/heapbook (docs/profiler.md)"
	@echo "  make check            instructors: harness tests; every solution passes,"
	@echo "                        every starter fails only the memory test it teaches"
	@echo "  make check-repeat N=20"
	@echo "                        instructors: make check's checks N times; fails if any run"
	@echo "                        fails or two runs differ in a verdict or a figure"
	@echo "  make memcheck-solution [EX=01]"
	@echo "                        instructors: the solutions under AddressSanitizer and UBSan"
	@echo "  make test-web         the flame graph page in headless Chromium"
	@echo "  make fuzz             libFuzzer on the capture reader (FUZZ_SECONDS=60)"
	@echo "  make bench            the harness and the profiler against glibc, mimalloc,"
	@echo "                        heaptrack, massif and memusage (docs/performance.md)"
	@echo "  make format           clang-format every C file"
	@echo "  make compile_commands.json"
	@echo "                        for editors: rebuild everything, recording each compile command"
	@echo "  make clean            remove build/"
	@echo
	@echo "Exercises: $(EXERCISES)"

$(DEPS_OK): tools/install-deps.sh
	@tools/install-deps.sh
	@mkdir -p $(@D) && touch $@

$(BUILD)/harness/%.o: harness/%.c $(HARNESS_HDRS) | $(DEPS_OK)
	@mkdir -p $(@D)
	$(CC) $(HARNESS_CFLAGS) $(CUNIT_CFLAGS) -c $< -o $@

$(MIMALLOC_EXPORTS): | $(DEPS_OK)
	@mkdir -p $(@D)
	tools/mimalloc-exports.sh > $@

# --- one test binary and one program per exercise, for starter and solution
# $(1): exercise (01-fibonacci); $(2): variant (exercises or solutions)
define exercise_build
$(2)_$(1)_SRCS := $$(filter-out %/main.c,$$(wildcard $(2)/$(1)/*.c) \
    $$(filter-out $$(patsubst $(2)/$(1)/%,exercises/$(1)/%,$$(wildcard $(2)/$(1)/*.c)),$$(wildcard exercises/$(1)/*.c)))
$(2)_$(1)_TEST := tests/exercises/test_$$(subst -,_,$(1)).c
$(2)_$(1)_INCS := -I$(2)/$(1) -Iexercises/$(1) -Iharness

$(BUILD)/$(2)/$(1)/tests: $$($(2)_$(1)_SRCS) $$($(2)_$(1)_TEST) $$(wildcard exercises/$(1)/*.h) $(HARNESS_OBJS)
	@mkdir -p $$(@D)
	$$(CC) $$(MEASURED_CFLAGS) $$(CUNIT_CFLAGS) $$($(2)_$(1)_INCS) $(TEST_LDFLAGS) \
	    $$($(2)_$(1)_SRCS) $$($(2)_$(1)_TEST) $(HARNESS_OBJS) $$(TEST_LIBS) -o $$@

$(BUILD)/$(2)/$(1)/program: $$($(2)_$(1)_SRCS) exercises/$(1)/main.c $$(wildcard exercises/$(1)/*.h) | $(DEPS_OK)
	@mkdir -p $$(@D)
	$$(CC) $$(MEASURED_CFLAGS) $$($(2)_$(1)_INCS) $$($(2)_$(1)_SRCS) exercises/$(1)/main.c -o $$@
endef
$(foreach ex,$(EXERCISES),$(foreach variant,exercises solutions,$(eval $(call exercise_build,$(ex),$(variant)))))

STARTER_TESTS  := $(EXERCISES:%=$(BUILD)/exercises/%/tests)
SOLUTION_TESTS := $(EXERCISES:%=$(BUILD)/solutions/%/tests)
PROGRAMS       := $(EXERCISES:%=$(BUILD)/exercises/%/program) $(EXERCISES:%=$(BUILD)/solutions/%/program)

# --- the harness's own tests
HARNESS_TEST_SRCS := $(wildcard tests/harness/*.c)
$(BUILD)/tests/harness-tests: $(HARNESS_TEST_SRCS) $(HARNESS_OBJS) $(MIMALLOC_EXPORTS)
	@mkdir -p $(@D)
	$(CC) $(MEASURED_CFLAGS) $(CUNIT_CFLAGS) -Iharness -DHB_MIMALLOC_EXPORTS='"$(MIMALLOC_EXPORTS)"' \
	    $(TEST_LDFLAGS) $(HARNESS_TEST_SRCS) $(HARNESS_OBJS) $(TEST_LIBS) -ldl -o $@

# --- suites that fail on purpose, one way per test (tools/check.sh)
FIXTURES := $(patsubst tests/fixtures/%_fixture.c,$(BUILD)/tests/%-fixture,$(wildcard tests/fixtures/*_fixture.c))
$(BUILD)/tests/%-fixture: tests/fixtures/%_fixture.c $(HARNESS_OBJS)
	@mkdir -p $(@D)
	$(CC) $(MEASURED_CFLAGS) $(CUNIT_CFLAGS) -Iharness $(TEST_LDFLAGS) $< $(HARNESS_OBJS) $(TEST_LIBS) -o $@

# --- the profiler: heapbook and libheapbook-preload.so (docs/profiler.md)
BIN := $(BUILD)/bin
LIB := $(BUILD)/lib
HEAPBOOK := $(BIN)/heapbook
PRELOAD := $(LIB)/libheapbook-preload.so

# The harness's allocator, position-independent, for the preloaded library:
# everything but the CUnit side.
PRELOAD_HARNESS := hb_override hb_track hb_blocks hb_stacks hb_pages hb_scope hb_misuse \
    hb_fault hb_report hb_symbolize hb_names hb_text hb_size
PRELOAD_OBJS := $(PRELOAD_HARNESS:%=$(BUILD)/pic/harness/%.o) $(BUILD)/pic/profiler/preload.o

$(BUILD)/pic/%.o: %.c $(HARNESS_HDRS) profiler/capture.h | $(DEPS_OK)
	@mkdir -p $(@D)
	$(CC) $(HARNESS_CFLAGS) -fPIC -Iharness -c $< -o $@

$(PRELOAD): $(PRELOAD_OBJS)
	@mkdir -p $(@D)
	$(CC) -shared -pthread $^ -lmimalloc -lunwind -ldw -o $@

# The page's libraries come from npm (tools/web/package-lock.json) and are
# built into heapbook (profiler/page_assets.S).
WEB_MODULES := tools/web/node_modules/.installed
$(WEB_MODULES): tools/web/package-lock.json | $(DEPS_OK)
	npm ci --prefix tools/web --no-audit --no-fund --loglevel=error
	@touch $@

CLI_SRCS := $(filter-out profiler/preload.c,$(wildcard profiler/*.c)) harness/hb_size.c harness/hb_names.c harness/hb_json.c
CLI_HDRS := $(wildcard profiler/*.h) harness/hb_size.h harness/hb_names.h harness/hb_json.h
$(HEAPBOOK): $(CLI_SRCS) $(CLI_HDRS) profiler/page_assets.S tools/web/page.html tools/web/page.js $(WEB_MODULES) | $(PRELOAD)
	@mkdir -p $(@D)
	$(CC) $(WARN) $(PATHS) -O2 -g -Iharness -Iprofiler $(CLI_SRCS) profiler/page_assets.S -ldw -o $@

.PHONY: profiler run flamegraph
profiler: $(HEAPBOOK) $(PRELOAD)

# make run EX=01: the exercise's program (your code) under heapbook run.
run: profiler
	$(need_ex)
	@$(MAKE) --no-print-directory -s $(BUILD)/exercises/$(ex_dir)/program
	$(HEAPBOOK) run -o $(BUILD)/exercises/$(ex_dir)/program.hbcap $(BUILD)/exercises/$(ex_dir)/program

# make flamegraph EX=01: run it, then write the page beside the capture.
flamegraph: run
	$(HEAPBOOK) flamegraph -o $(BUILD)/exercises/$(ex_dir)/flamegraph.html $(BUILD)/exercises/$(ex_dir)/program.hbcap

# --- the profiler's tests (tools/test-profiler.sh): programs with known heaps
PROFILER_TESTS := $(BUILD)/tests/profiler
PROFILER_TEST_PROGRAMS := $(PROFILER_TESTS)/peaks $(PROFILER_TESTS)/odd_names \
    $(PROFILER_TESTS)/uses_library_pie $(PROFILER_TESTS)/uses_library_nopie
$(PROFILER_TESTS)/libtestlib.so: tests/profiler/library.c | $(DEPS_OK)
	@mkdir -p $(@D)
	$(CC) $(MEASURED_CFLAGS) -fPIC -shared $< -o $@
$(PROFILER_TESTS)/uses_library_pie: tests/profiler/uses_library.c $(PROFILER_TESTS)/libtestlib.so
	$(CC) $(MEASURED_CFLAGS) -fPIE -pie $< -L$(PROFILER_TESTS) -ltestlib -Wl,-rpath,'$$ORIGIN' -o $@
$(PROFILER_TESTS)/uses_library_nopie: tests/profiler/uses_library.c $(PROFILER_TESTS)/libtestlib.so
	$(CC) $(MEASURED_CFLAGS) -fno-pie -no-pie $< -L$(PROFILER_TESTS) -ltestlib -Wl,-rpath,'$$ORIGIN' -o $@
$(PROFILER_TESTS)/%: tests/profiler/%.c | $(DEPS_OK)
	@mkdir -p $(@D)
	$(CC) $(MEASURED_CFLAGS) $< -o $@

# make fuzz: libFuzzer on the capture reader (clang), over tests/profiler/corpus.
FUZZ_SECONDS ?= 60
.PHONY: fuzz
fuzz:
	@command -v clang >/dev/null || { echo "make fuzz needs clang: apt-get install clang"; exit 1; }
	@mkdir -p $(BUILD)/fuzz
	clang -std=c11 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined -Iprofiler -Iharness \
	    tests/profiler/fuzz_capture.c profiler/capture_reader.c profiler/replay.c profiler/addrmap.c \
	    -o $(BUILD)/fuzz/fuzz_capture
	$(BUILD)/fuzz/fuzz_capture -max_total_time=$(FUZZ_SECONDS) tests/profiler/corpus

# --- what users run
need_ex = $(if $(ex_dir),,$(error pick an exercise: EX=01 (one of: $(EXERCISES))))

# Each exercise is built by the scripts themselves, so that one that does not
# compile is shown as such instead of stopping make.
workbook: $(HARNESS_OBJS)
	@tools/workbook.sh $(EXERCISES)

progress list: $(HARNESS_OBJS)
	@tools/progress.sh $(EXERCISES)

hint:
	$(need_ex)
	@tools/hint.sh $(ex_dir)

reset:
	$(need_ex)
	@tools/reset.sh $(ex_dir)

watch: $(HARNESS_OBJS)
	@tools/watch.sh $(ex_dir)

# ARGS go to the test binary: ARGS="--junit r.xml --json r.json", or
# ARGS="--baseline b.tsv --fail-on-increase" (docs/harness.md).
test:
	$(need_ex)
	@$(MAKE) --no-print-directory $(BUILD)/exercises/$(ex_dir)/tests
	@$(BUILD)/exercises/$(ex_dir)/tests $(ARGS)

solution:
	$(need_ex)
	@$(MAKE) --no-print-directory $(BUILD)/solutions/$(ex_dir)/tests
	@$(BUILD)/solutions/$(ex_dir)/tests $(ARGS)

# make results: every exercise's tests on the student's code, results in
# build/results/NN-name.{xml,json} (JUnit, Exercism-style JSON) for CI and
# GitHub Classroom; exits non-zero if any test failed.
results: $(STARTER_TESTS)
	@mkdir -p $(BUILD)/results
	@status=0; for ex in $(EXERCISES); do \
	    $(BUILD)/exercises/$$ex/tests --junit $(BUILD)/results/$$ex.xml \
	        --json $(BUILD)/results/$$ex.json >/dev/null || status=1; \
	done; echo "results in $(BUILD)/results/"; exit $$status

check check-repeat: $(BUILD)/tests/harness-tests $(FIXTURES) $(STARTER_TESTS) $(SOLUTION_TESTS) $(PROGRAMS) \
    $(HEAPBOOK) $(PRELOAD) $(PROFILER_TEST_PROGRAMS)
check:
	@tools/check.sh $(EXERCISES)

# make check-repeat N=20: make check's checks N times on one build; fails if
# a run fails or two runs differ (tools/check-repeat.sh).
N ?= 20
check-repeat:
	@tools/check-repeat.sh $(N) $(EXERCISES)

bench: $(HARNESS_OBJS)
	@$(MAKE) --no-print-directory -C bench

format:
	clang-format -i $(wildcard harness/*.[ch] tests/*/*.[ch] tests/fixtures/*/*.[ch] exercises/*/*.[ch] solutions/*/*.[ch] bench/*.[ch] profiler/*.[ch])

# Every compile command, for editors (IntelliSense, clangd) to find harness/
# and CUnit's headers.  bear records a full rebuild (-B) so that no file is
# missing; it writes into build/ first, so a failed build keeps the previous
# list and leaves this target out of date.
compile_commands.json: $(wildcard harness/*.[ch] tests/*/*.[ch] exercises/*/*.[ch] solutions/*/*.[ch]) Makefile
	@mkdir -p $(BUILD)
	bear --output $(BUILD)/$@ -- $(MAKE) --no-print-directory -B \
	    $(BUILD)/tests/harness-tests $(FIXTURES) $(STARTER_TESTS) $(SOLUTION_TESTS) $(PROGRAMS)
	cp $(BUILD)/$@ $@

clean:
	rm -rf $(BUILD)

# =============================================================================
# Memory-error checking: make memcheck (AddressSanitizer + UBSan) and make
# valgrind.  docs/memcheck.md says when to use which; harness/hb_memcheck.h
# how the harness steps aside for them.
#
# AddressSanitizer replaces malloc itself, so its build links every harness
# object except hb_override.o (the counting layer would fight it for malloc)
# and no libmimalloc (only hb_override.o calls it).  The harness is compiled
# again under build/memcheck/ with the sanitizers, so it is checked too and
# the normal objects are untouched.  -fno-sanitize-recover=undefined makes
# undefined behaviour stop the test, as a memory error does.
SANITIZE := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
MEMCHECK := $(BUILD)/memcheck
MEMCHECK_HARNESS_OBJS := $(patsubst harness/%.c,$(MEMCHECK)/harness/%.o,\
    $(filter-out harness/hb_override.c,$(HARNESS_SRCS)))
MEMCHECK_LIBS = $(CUNIT_LIBS) -lunwind -ldw
# Broken on purpose, for tools/memcheck_selftest.sh: `make memcheck
# EX=memcheck_broken` must fail.  Each is a folder with a suite and its code.
MEMCHECK_FIXTURES := $(notdir $(wildcard tests/fixtures/memcheck_*))

# -Wno-clobbered: with ASan's instrumentation GCC 12 warns that a variable of
# hb_isolate.c set before setjmp() and never changed after it "might be
# clobbered"; C guarantees such a variable, and the normal build agrees.
$(MEMCHECK)/harness/%.o: harness/%.c $(HARNESS_HDRS) | $(DEPS_OK)
	@mkdir -p $(@D)
	$(CC) $(HARNESS_CFLAGS) $(SANITIZE) -Wno-clobbered $(CUNIT_CFLAGS) -c $< -o $@

# The same sources as the normal build: $(2)_$(1)_SRCS, _TEST and _INCS are
# set by exercise_build above.  $(1): exercise; $(2): exercises or solutions.
define memcheck_build
$(MEMCHECK)/$(2)/$(1)/tests: $$($(2)_$(1)_SRCS) $$($(2)_$(1)_TEST) $$(wildcard exercises/$(1)/*.h) $(MEMCHECK_HARNESS_OBJS)
	@mkdir -p $$(@D)
	$$(CC) $$(MEASURED_CFLAGS) $$(SANITIZE) $$(CUNIT_CFLAGS) $$($(2)_$(1)_INCS) $(TEST_LDFLAGS) \
	    $$($(2)_$(1)_SRCS) $$($(2)_$(1)_TEST) $(MEMCHECK_HARNESS_OBJS) $$(MEMCHECK_LIBS) -o $$@
endef
$(foreach ex,$(EXERCISES),$(foreach variant,exercises solutions,$(eval $(call memcheck_build,$(ex),$(variant)))))

# A fixture, with the sanitizers ($(MEMCHECK)/fixtures) and without them
# ($(BUILD)/fixtures, for make valgrind).
define memcheck_fixture_build
$(MEMCHECK)/fixtures/$(1)/tests: $(wildcard tests/fixtures/$(1)/*.[ch]) $(MEMCHECK_HARNESS_OBJS)
	@mkdir -p $$(@D)
	$$(CC) $$(MEASURED_CFLAGS) $$(SANITIZE) $$(CUNIT_CFLAGS) -Itests/fixtures/$(1) -Iharness $(TEST_LDFLAGS) \
	    $(wildcard tests/fixtures/$(1)/*.c) $(MEMCHECK_HARNESS_OBJS) $$(MEMCHECK_LIBS) -o $$@

$(BUILD)/fixtures/$(1)/tests: $(wildcard tests/fixtures/$(1)/*.[ch]) $(HARNESS_OBJS)
	@mkdir -p $$(@D)
	$$(CC) $$(MEASURED_CFLAGS) $$(CUNIT_CFLAGS) -Itests/fixtures/$(1) -Iharness $(TEST_LDFLAGS) \
	    $(wildcard tests/fixtures/$(1)/*.c) $(HARNESS_OBJS) $$(TEST_LIBS) -o $$@
endef
$(foreach fixture,$(MEMCHECK_FIXTURES),$(eval $(call memcheck_fixture_build,$(fixture))))

# The harness's own tests (tests/harness) check the counting allocator, which
# this build leaves out: under AddressSanitizer they would measure nothing.
# Those that need no counting run here, so ASan and UBSan check that code too:
# test_size.c, the parser and printer of every limit's size.
MEMCHECK_HARNESS_TESTS := tests/harness/test_size.c
$(MEMCHECK)/tests/harness-tests: $(MEMCHECK_HARNESS_TESTS) $(MEMCHECK_HARNESS_OBJS)
	@mkdir -p $(@D)
	$(CC) $(MEASURED_CFLAGS) $(SANITIZE) $(CUNIT_CFLAGS) -Iharness -Itests/harness $(TEST_LDFLAGS) \
	    $(MEMCHECK_HARNESS_TESTS) $(MEMCHECK_HARNESS_OBJS) $(MEMCHECK_LIBS) -o $@

# EX=01 picks an exercise (or a memcheck fixture); no EX: every exercise.
memcheck_pick = $(if $(EX),$(or $(ex_dir),$(filter $(EX),$(MEMCHECK_FIXTURES)),\
    $(error pick an exercise: EX=01 (one of: $(EXERCISES)))),$(EXERCISES))
# exercises/01-fibonacci or fixtures/memcheck_broken
memcheck_dirs = $(foreach ex,$(memcheck_pick),$(if $(filter $(ex),$(MEMCHECK_FIXTURES)),fixtures,$(1))/$(ex))

.PHONY: memcheck memcheck-solution valgrind

# make check runs these (tools/check.sh); as prerequisites they build in
# parallel with the rest under make -j.
check check-repeat: $(EXERCISES:%=$(MEMCHECK)/solutions/%/tests) $(MEMCHECK)/tests/harness-tests \
    $(MEMCHECK_FIXTURES:%=$(MEMCHECK)/fixtures/%/tests)

# tools/memcheck_run.sh builds each binary itself, so that an exercise that
# does not compile is reported as such and the others still run.
memcheck:
	@tools/memcheck_run.sh memcheck $(addprefix $(MEMCHECK)/,$(addsuffix /tests,$(call memcheck_dirs,exercises)))

memcheck-solution:
	@tools/memcheck_run.sh memcheck $(addprefix $(MEMCHECK)/,$(addsuffix /tests,$(call memcheck_dirs,solutions)))

valgrind:
	@tools/memcheck_run.sh valgrind $(addprefix $(BUILD)/,$(addsuffix /tests,$(call memcheck_dirs,exercises)))

# --- the flame graph page (tools/web) and its browser test (tests/web)
# make web-assets: tools/web/node_modules, by npm ci, when it is missing or
# package-lock.json is newer (the $(WEB_MODULES) stamp above).
# make test-web: the page in headless Chromium, on the sample captures in
# tests/web, or on real pages: make test-web HEAPBOOK_PAGE=a.html[:b.html].
WEB_TEST := $(BUILD)/web-test
WEB_SAMPLES := $(WEB_TEST)/sample.html $(WEB_TEST)/sample-diff.html
# By default: the real page for exercise 01's starter and its diff against
# the solution (written by heapbook), and the samples with hostile names.
HEAPBOOK_PAGE ?= $(WEB_TEST)/exercise01.html:$(WEB_TEST)/exercise01-diff.html:$(WEB_TEST)/sample.html:$(WEB_TEST)/sample-diff.html
$(WEB_TEST)/exercise01.html $(WEB_TEST)/exercise01-diff.html: $(HEAPBOOK) $(PRELOAD) \
    $(BUILD)/exercises/01-fibonacci/program $(BUILD)/solutions/01-fibonacci/program
	@mkdir -p $(@D)
	$(HEAPBOOK) run -o $(WEB_TEST)/starter.hbcap $(BUILD)/exercises/01-fibonacci/program >/dev/null
	$(HEAPBOOK) run -o $(WEB_TEST)/solution.hbcap $(BUILD)/solutions/01-fibonacci/program >/dev/null
	$(HEAPBOOK) flamegraph -o $(WEB_TEST)/exercise01.html $(WEB_TEST)/starter.hbcap
	$(HEAPBOOK) flamegraph --diff $(WEB_TEST)/starter.hbcap $(WEB_TEST)/solution.hbcap -o $(WEB_TEST)/exercise01-diff.html
.PHONY: web-assets test-web

web-assets: $(WEB_MODULES)

$(WEB_TEST)/%.html: tests/web/%-data.json tests/web/make-sample-page.mjs \
    tools/web/page.html tools/web/page.js $(WEB_MODULES)
	node tests/web/make-sample-page.mjs $< $@

test-web: $(WEB_SAMPLES) $(WEB_MODULES) $(WEB_TEST)/exercise01.html
	@tools/install-deps.sh --browser
	HEAPBOOK_PAGE='$(HEAPBOOK_PAGE)' node --test --test-reporter=tap tests/web/flamegraph.test.mjs
