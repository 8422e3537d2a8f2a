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
.PHONY: workbook test solution check help clean bench format progress list hint reset watch

help:
	@echo "heapbook: a C memory workbook"
	@echo
	@echo "  make                  run the exercises in order; show the first one to fix"
	@echo "  make test EX=01       build and run one exercise's tests on your code"
	@echo "  make solution EX=01   the same tests on the reference solution"
	@echo "  make watch [EX=01]    rerun an exercise's tests whenever you save a file"
	@echo "  make hint EX=01       the next hint for an exercise, one at a time"
	@echo "  make progress         every exercise and its state (also: make list)"
	@echo "  make reset EX=01      put an exercise's starter back (keeps yours in build/backups)"
	@echo "  make check            instructors: harness tests; every solution passes,"
	@echo "                        every starter fails only the memory test it teaches"
	@echo "  make bench            harness overhead against glibc malloc and mimalloc"
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

test:
	$(need_ex)
	@$(MAKE) --no-print-directory $(BUILD)/exercises/$(ex_dir)/tests
	@$(BUILD)/exercises/$(ex_dir)/tests

solution:
	$(need_ex)
	@$(MAKE) --no-print-directory $(BUILD)/solutions/$(ex_dir)/tests
	@$(BUILD)/solutions/$(ex_dir)/tests

check: $(BUILD)/tests/harness-tests $(FIXTURES) $(STARTER_TESTS) $(SOLUTION_TESTS) $(PROGRAMS)
	@tools/check.sh $(EXERCISES)

bench: $(HARNESS_OBJS)
	@$(MAKE) --no-print-directory -C bench

format:
	clang-format -i $(wildcard harness/*.[ch] tests/*/*.[ch] exercises/*/*.[ch] solutions/*/*.[ch] bench/*.[ch])

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
