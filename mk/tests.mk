# mk/tests.mk: the harness's own tests, the suites that fail on purpose,
# and `make check` (tests/check.sh), which runs them all.

# The harness's own tests read its internals: they link the layers
# themselves, not the sealed object.
HARNESS_TESTS := $(BUILD)/tests/harness-tests
MIMALLOC_EXPORTS := $(BUILD)/mimalloc-exports.txt
$(MIMALLOC_EXPORTS): tests/harness/mimalloc-exports.sh | $(DEPS_OK)
	@mkdir -p $(@D)
	$(Q)tests/harness/mimalloc-exports.sh > $@

INTERNAL_CFLAGS = $(MEASURED_CFLAGS) -Iharness
$(BUILD)/tests/obj/%.o: tests/%.c | $(DEPS_OK)
	$(call compile,$(INTERNAL_CFLAGS) -DHB_MIMALLOC_EXPORTS='"$(MIMALLOC_EXPORTS)"')
$(BUILD)/memcheck/tests/obj/%.o: tests/%.c | $(DEPS_OK)
	$(call compile,$(INTERNAL_CFLAGS) $(SANITIZE_CFLAGS))

HARNESS_TEST_OBJS := $(patsubst tests/%.c,$(BUILD)/tests/obj/%.o,$(wildcard tests/harness/*.c))
$(HARNESS_TESTS): $(HARNESS_TEST_OBJS) $(HARNESS_ARCHIVES) | $(MIMALLOC_EXPORTS)
	$(call quiet,LINK,$@)
	$(Q)$(CC) $(TEST_LDFLAGS) $(HARNESS_TEST_OBJS) $(HARNESS_LINK) $(TEST_LIBS) -o $@

# Under the sanitizers only the tests that need no counting run: the
# parser and printer of every limit's size (the rest would measure nothing).
MEMCHECK_HARNESS_TESTS := $(BUILD)/memcheck/tests/harness-tests
$(MEMCHECK_HARNESS_TESTS): $(BUILD)/memcheck/tests/obj/harness/test_size.o $(MEMCHECK_ARCHIVES)
	$(call quiet,LINK,$@)
	$(Q)$(CC) $(SANITIZE) $(TEST_LDFLAGS) $(filter %.o,$^) $(MEMCHECK_LINK) $(CUNIT_LIBS) -lunwind -ldw -ldl -o $@

# Suites that fail on purpose, one way per test: tests/fixtures/NAME_fixture.c
# must fail as NAME_fixture.expected and .messages say.
FIXTURES := $(patsubst tests/fixtures/%_fixture.c,$(BUILD)/tests/%-fixture,$(wildcard tests/fixtures/*_fixture.c))
# A static pattern rule: its objects are named, so make keeps them (an
# object reached only through pattern rules would be deleted as
# intermediate after a build from scratch, and rebuilt by the next make).
$(FIXTURES): $(BUILD)/tests/%-fixture: $(BUILD)/tests/obj/fixtures/%_fixture.o $(HARNESS_ARCHIVES)
	$(call quiet,LINK,$@)
	$(Q)$(CC) $(TEST_LDFLAGS) $< $(HARNESS_LINK) $(TEST_LIBS) -o $@

# An exercise broken on purpose (tests/fixtures/memcheck_NAME: a suite and
# its code): make memcheck must fail on it, and so must make valgrind (the
# normal build).  tests/fixtures/memcheck_broken/selftest.sh checks both.
MEMCHECK_FIXTURES := $(notdir $(wildcard tests/fixtures/memcheck_*))
define memcheck_fixture_build
$(BUILD)/memcheck/fixtures/$(1)/tests: $(patsubst tests/%.c,$(BUILD)/memcheck/tests/obj/%.o,$(wildcard tests/fixtures/$(1)/*.c)) $(MEMCHECK_ARCHIVES)
	$$(call quiet,LINK,$$@)
	@mkdir -p $$(@D)
	$(Q)$$(CC) $$(SANITIZE) $$(TEST_LDFLAGS) $$(filter %.o,$$^) $$(MEMCHECK_LINK) $$(CUNIT_LIBS) -lunwind -ldw -ldl -o $$@
$(BUILD)/fixtures/$(1)/tests: $(patsubst tests/%.c,$(BUILD)/tests/obj/%.o,$(wildcard tests/fixtures/$(1)/*.c)) $(HARNESS_ARCHIVES)
	$$(call quiet,LINK,$$@)
	@mkdir -p $$(@D)
	$(Q)$$(CC) $$(TEST_LDFLAGS) $$(filter %.o,$$^) $$(HARNESS_LINK) $$(TEST_LIBS) -o $$@
endef
$(foreach fixture,$(MEMCHECK_FIXTURES),$(eval $(call memcheck_fixture_build,$(fixture))))

# Exercise code that hides memory or reaches past the harness: each file of
# tests/fixtures/rejected must be refused, at its compile or by
# tools/check-objects.sh, with the message its first line expects.  The
# .log records what the build said and its status, for tests/check.sh.
REJECTED := $(patsubst tests/fixtures/rejected/%.c,$(BUILD)/rejected/%.log,$(wildcard tests/fixtures/rejected/*.c))
$(BUILD)/rejected/%.log: tests/fixtures/rejected/%.c $(HARNESS_SEALED) tools/check-objects.sh \
    mk/exercises.mk | $(DEPS_OK)
	$(call quiet,CC,$@)
	@mkdir -p $(@D)
	$(Q)rm -f $(@:.log=.o)
	$(Q)$(CC) $(MEASURED_CFLAGS) $(EXERCISE_CFLAGS) -c $< -o $(@:.log=.o) >$@.out 2>&1 || \
	    ! grep -qE '$(STACK_OBJECT_DIAGNOSTICS)' $@.out || echo "$(STACK_OBJECT_MESSAGE)" >>$@.out
	$(Q)if [ -f $(@:.log=.o) ]; then \
	    tools/check-objects.sh $(HARNESS_SEALED) $(@:.log=.o) >>$@.out 2>&1; echo "status $$?"; \
	else echo "status 1"; fi >>$@.out; mv $@.out $@

# Exercise 01 halfway through a refactoring, with unused code left in it:
# built as an exercise is (mk/exercises.mk), it must compile with warnings
# and pass (tests/fixtures/unused_code/selftest.sh).
$(eval $(call exercise_build,01-fibonacci,tests/fixtures/unused_code))
UNUSED_CODE_TESTS := $(BUILD)/tests/fixtures/unused_code/01-fibonacci/tests

# The harness's own tests built by Clang too: the harness must build
# warning-free and pass with either compiler.
CLANG_HARNESS_TESTS := $(BUILD)/clang/tests/harness-tests
$(CLANG_HARNESS_TESTS): $(shell git ls-files harness tests/harness 2>/dev/null) | $(DEPS_OK)
	$(Q)$(MAKE) --no-print-directory CC=clang BUILD=$(BUILD)/clang $@

# Everything make check runs, built first (in parallel).
CHECK_BUILT := $(HARNESS_TESTS) $(FIXTURES) $(STARTER_TESTS) $(SOLUTION_TESTS) $(PROGRAMS) \
    $(MEMCHECK_SOLUTIONS) $(MEMCHECK_HARNESS_TESTS) $(MEMCHECK_FIXTURES:%=$(BUILD)/memcheck/fixtures/%/tests) \
    $(PROFILER_BUILT) $(CLANG_HARNESS_TESTS) $(REJECTED) $(SOLUTION_TIMES) $(UNUSED_CODE_TESTS)

.PHONY: check check-repeat
## make check            instructors: the harness's tests; every solution passes,
##                       every starter fails only the memory test it teaches
check: $(CHECK_BUILT)
	@CLANG=$(CLANG) tests/check.sh $(EXERCISES)

## make check-repeat N=20
##                       instructors: make check's checks N times on one build; fails
##                       if a run fails or two runs differ in a verdict or a figure
N ?= 20
check-repeat: $(CHECK_BUILT)
	@CLANG=$(CLANG) tests/check-repeat.sh $(N) $(EXERCISES)
