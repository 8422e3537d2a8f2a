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
	$(call record_objects,HARNESS_TEST_OBJS)

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
# tests/fixtures/rejected must be refused, at its compile (the compiler's
# limits, tools/check_source.py) or by tools/check_objects.py, with the
# message its first line expects; each file of tests/fixtures/accepted,
# honest code that looks like a refused one, must build.  The .log records
# what the build said and its status, for tests/check.sh.  Below its first
# line a fixture may say
#   /* cflags: FLAGS */     compile it with these flags too;
#   /* objects only */      do not run tools/check_source.py: the object
#                           check must refuse it on its own;
#   /* scaffolding */       check it as scaffolding is (SCAFFOLDING);
# and a file beside it, NAME.allowed, adds the imports it lists.
CHECKED_FIXTURES := $(patsubst tests/fixtures/%.c,$(BUILD)/checked/%.log,\
    $(wildcard tests/fixtures/rejected/*.c tests/fixtures/accepted/*.c))
fixture_says = grep -q '^/\* $(1) \*/$$' $<
$(BUILD)/checked/%.log: tests/fixtures/%.c $(HARNESS_SEALED) $(OBJECT_CHECKERS) $(SOURCE_CHECKERS) \
    mk/exercises.mk | $(DEPS_OK)
	$(call quiet,CC,$@)
	@mkdir -p $(@D)
	$(Q)object=$(@:.log=.o); rm -f $$object; \
	flags="$(MEASURED_CFLAGS) $$(sed -n 's|^/\* cflags: \(.*\) \*/$$|\1|p' $<)"; \
	$(CC) $$flags $(EXERCISE_CFLAGS) $(DEPFLAGS) -c $< -o $$object >$@.out 2>&1 || \
	    ! grep -qE '$(STACK_OBJECT_DIAGNOSTICS)' $@.out || echo "$(STACK_OBJECT_MESSAGE)" >>$@.out; \
	$(call fixture_says,objects only) || \
	    $(call check_source,$$flags,$(@:.log=.i)) >>$@.out 2>&1 || rm -f $$object; \
	if [ -f $$object ]; then \
	    scaffolding=$$($(call fixture_says,scaffolding) && echo --scaffolding $<=$(SCAFFOLDING_FIXTURE_LIMIT)); \
	    $(call check_objects,$(wildcard $(<:.c=.allowed)),$$scaffolding $$object) >>$@.out 2>&1; \
	    echo "status $$?"; \
	else echo "status 1"; fi >>$@.out; mv $@.out $@
# A fixture checked as scaffolding may keep as much as exercise 09's.
SCAFFOLDING_FIXTURE_LIMIT := 393216

# A file of scaffolding is exempt by its exact path only: exercise 09 with
# a sample_log.c of its own elsewhere (tests/fixtures/rejected/NAME/NN-name/)
# is checked as any exercise code is.  Built as an exercise's variant; its
# .log records what the object check said at the link.
REJECTED_VARIANTS := $(patsubst %/,%,$(dir $(wildcard tests/fixtures/rejected/*/[0-9][0-9]-*/)))
define rejected_variant
$(eval $(call exercise_build,$(notdir $(1)),$(patsubst %/,%,$(dir $(1)))))
$(BUILD)/checked/$(patsubst tests/fixtures/%/,%,$(dir $(1))).log: \
    $$($(patsubst %/,%,$(dir $(1)))_$(notdir $(1))_OBJS) $(OBJECT_CHECKERS)
	$$(call quiet,CHECK,$$@)
	@mkdir -p $$(@D)
	$(Q){ $$(call check_objects,$$(call exercise_allowed,$(notdir $(1))),$$(filter %.o,$$^)); \
	    echo "status $$$$?"; } >$$@.out 2>&1; mv $$@.out $$@
endef
$(foreach variant,$(REJECTED_VARIANTS),$(eval $(call rejected_variant,$(variant))))
CHECKED_FIXTURES += $(patsubst tests/fixtures/%,$(BUILD)/checked/%.log,$(patsubst %/,%,$(dir $(REJECTED_VARIANTS))))

# Exercise 01 halfway through a refactoring, with unused code left in it:
# built as an exercise is (mk/exercises.mk), it must compile with warnings
# and pass (tests/fixtures/unused_code/selftest.sh).
$(eval $(call exercise_build,01-fibonacci,tests/fixtures/unused_code))
UNUSED_CODE_TESTS := $(BUILD)/tests/fixtures/unused_code/01-fibonacci/tests
# Exercise 01 with files of its own that tests/fixtures/moved_source/selftest.sh
# writes, deletes and moves, as an update may: make rebuilds what they
# supply, without an error or a stale object (mk/exercises.mk, which file
# supplies each preprocessed file).
$(eval $(call exercise_build,01-fibonacci,tests/fixtures/moved_source))

# The harness's own tests built by Clang too: the harness must build
# warning-free and pass with either compiler.
CLANG_HARNESS_TESTS := $(BUILD)/clang/tests/harness-tests
$(CLANG_HARNESS_TESTS): $(if $(EXERCISE_FILES_ONLY),,$(shell git ls-files harness tests/harness 2>/dev/null)) | $(DEPS_OK)
	$(Q)$(MAKE) --no-print-directory CC=clang BUILD=$(BUILD)/clang $@

# Everything make check runs, built first (in parallel).
CHECK_BUILT := $(HARNESS_TESTS) $(FIXTURES) $(STARTER_TESTS) $(SOLUTION_TESTS) $(PROGRAMS) \
    $(MEMCHECK_SOLUTIONS) $(MEMCHECK_HARNESS_TESTS) $(MEMCHECK_FIXTURES:%=$(BUILD)/memcheck/fixtures/%/tests) \
    $(PROFILER_BUILT) $(CLANG_HARNESS_TESTS) $(CHECKED_FIXTURES) $(SOLUTION_TIMES) $(UNUSED_CODE_TESTS)

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
