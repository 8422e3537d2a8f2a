# mk/exercises.mk: each exercise's test binary and program, for the
# student's code (exercises/NN-name) and the reference (solutions/NN-name,
# which holds only the files that differ), normally and with the sanitizers.
#
#   build/VARIANT/NN-name/tests            the suite, linked with the sealed harness
#   build/VARIANT/NN-name/program          main.c, plain malloc: what heapbook run records
#   build/memcheck/VARIANT/NN-name/tests   the suite under ASan and UBSan

EXERCISES := $(sort $(notdir $(wildcard exercises/[0-9][0-9]-*)))
VARIANTS  := exercises solutions

# Exercise code may not hide memory where the memory tests cannot see it:
# a big local array, a variable-length array or an alloca() is an error
# here (GCC's checks; Clang forbids variable-length arrays and alloca(),
# since it has no limit for either), and a big
# static or global array, or a call that reaches an allocator the harness
# does not count, fails tools/check-objects.sh before the link.  Files of
# scaffolding whose data must be big are exempt by name.  (Clang takes the
# frame's limit as a warning's value, and its name alone for -Werror=.)
STACK_OBJECT_LIMIT := 1024
EXERCISE_CFLAGS := $(if $(CLANG),-Werror=vla -Werror=alloca -Wframe-larger-than=$(STACK_OBJECT_LIMIT) \
    -Werror=frame-larger-than,-Werror=vla-larger-than=$(STACK_OBJECT_LIMIT) \
    -Werror=alloca-larger-than=$(STACK_OBJECT_LIMIT) -Werror=frame-larger-than=$(STACK_OBJECT_LIMIT))
# ---- unused code: a warning, not an error ---------------------------------
# Refactoring leaves a function, a variable or a parameter unused for a
# while ("'fibonacci' defined but not used"): the compiler still says so,
# and the tests still run.  Every other warning of -Wall -Wextra stays an
# error, as do the limits above and tools/check-objects.sh.  GCC and Clang
# take the same names; Clang's unused-value covers its unused-comparison.
# tests/fixtures/unused_code/selftest.sh proves both halves.
UNUSED_CODE_WARNINGS := unused-function unused-variable unused-const-variable unused-parameter \
    unused-but-set-variable unused-but-set-parameter unused-label unused-value unused-local-typedefs
EXERCISE_CFLAGS += $(UNUSED_CODE_WARNINGS:%=-Wno-error=%)
# ---- end of unused code ----------------------------------------------------
SCAFFOLDING := sample_text.c sample_log.c
SCAFFOLDING_OBJECTS := $(foreach file,$(SCAFFOLDING),%/$(file:.c=.o))
exercise_cflags = $(if $(filter $(SCAFFOLDING),$(notdir $<)),,$(EXERCISE_CFLAGS))

STACK_OBJECT_MESSAGE := heapbook: exercise code may not keep more than $(STACK_OBJECT_LIMIT) \
bytes in local (stack) storage: the memory tests count the heap; allocate it with malloc \
(docs/harness.md, What is rejected)
# What the compiler's message says when one of those limits stopped it
# ("alloca" as a word: exercise 18's folder, 18-pool-allocator, holds it).
STACK_OBJECT_DIAGNOSTICS := larger-than|Wvla|\<alloca\>

# compile_exercise FLAGS: compile, and say why when a limit above stopped it.
define compile_exercise
	$(call quiet,CC,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) $(1) $(exercise_cflags) $(DEPFLAGS) -c $< -o $@ 2>$@.log || { \
	    cat $@.log >&2; \
	    grep -qE '$(STACK_OBJECT_DIAGNOSTICS)' $@.log && echo "$(STACK_OBJECT_MESSAGE)" >&2; \
	    exit 1; }
	@cat $@.log >&2; rm -f $@.log
endef

# ---- libraries an exercise is built on -------------------------------------
# An exercise whose code calls a real library names it here, linked into
# its tests (every build) and its program; tools/install-deps.sh installs
# its development package.  17: zlib (zlib1g-dev).
EXERCISE_LIBS_17-compressed-logs := -lz
exercise_libs = $(EXERCISE_LIBS_$(1))
# ---- end of libraries ---------------------------------------------------------

# The exercise's sources but main.c, by file name: a solution's file
# replaces the starter's of the same name.
exercise_names = $(filter-out main.c,$(sort $(notdir $(wildcard exercises/$(1)/*.c solutions/$(1)/*.c))))
exercise_suite = tests/exercises/test_$(subst -,_,$(1)).c

# $(1): exercise; $(2): variant; $(3): tree ($(BUILD) or $(BUILD)/memcheck);
# $(4): extra flags
define exercise_objects
$(3)/$(2)/$(1)/obj/%.o: $(2)/$(1)/%.c | $(DEPS_OK)
	$$(call compile_exercise,$$(MEASURED_CFLAGS) $(4) -I$(2)/$(1) -Iexercises/$(1))
$(3)/$(2)/$(1)/obj/%.o: exercises/$(1)/%.c | $(DEPS_OK)
	$$(call compile_exercise,$$(MEASURED_CFLAGS) $(4) -I$(2)/$(1) -Iexercises/$(1))
$(3)/$(2)/$(1)/obj/suite.o: $(call exercise_suite,$(1)) | $(DEPS_OK)
	$$(call compile,$$(MEASURED_CFLAGS) $(4) -I$(2)/$(1) -Iexercises/$(1))
endef

# $(1): exercise; $(2): variant
define exercise_build
$(2)_$(1)_OBJS := $(patsubst %.c,$(BUILD)/$(2)/$(1)/obj/%.o,$(call exercise_names,$(1)))
$(eval $(call exercise_objects,$(1),$(2),$(BUILD)))
$(eval $(call exercise_objects,$(1),$(2),$(BUILD)/memcheck,$$(SANITIZE_CFLAGS)))

$(BUILD)/$(2)/$(1)/tests: $$($(2)_$(1)_OBJS) $(BUILD)/$(2)/$(1)/obj/suite.o $(HARNESS_SEALED) \
    tools/check-objects.sh
	$(Q)tools/check-objects.sh $(HARNESS_SEALED) $$(filter-out $$(SCAFFOLDING_OBJECTS),$$($(2)_$(1)_OBJS))
	$$(call quiet,LINK,$$@)
	$(Q)$$(CC) $$(TEST_LDFLAGS) $$(filter %.o,$$^) $(call exercise_libs,$(1)) $$(TEST_LIBS) -o $$@

$(BUILD)/$(2)/$(1)/program: $$($(2)_$(1)_OBJS) $(BUILD)/$(2)/$(1)/obj/main.o
	$$(call quiet,LINK,$$@)
	$(Q)$$(CC) $$(LDFLAGS) $$^ $(call exercise_libs,$(1)) -o $$@

$(BUILD)/memcheck/$(2)/$(1)/tests: $$(patsubst $(BUILD)/%,$(BUILD)/memcheck/%,$$($(2)_$(1)_OBJS)) \
    $(BUILD)/memcheck/$(2)/$(1)/obj/suite.o $(MEMCHECK_ARCHIVES)
	$$(call quiet,LINK,$$@)
	$(Q)$$(CC) $$(SANITIZE) $$(TEST_LDFLAGS) $$(filter %.o,$$^) $(MEMCHECK_LINK) \
	    $(call exercise_libs,$(1)) $$(CUNIT_LIBS) -lunwind -ldw -ldl -o $$@
endef
$(foreach ex,$(EXERCISES),$(foreach variant,$(VARIANTS),$(eval $(call exercise_build,$(ex),$(variant)))))

# ---- the reference solution's time per test ---------------------------------
# make test gives each test of the student's a time limit from the
# solution's own processor time for it (harness/runner/time_limits.c):
# measured here, once per build of the solution, on this machine, and
# made with the student's test binary, in the same make.  A run that
# writes nothing leaves an empty file: the default limits.
SOLUTION_TIMES := $(EXERCISES:%=$(BUILD)/solutions/%/times.tsv)
$(SOLUTION_TIMES): %/times.tsv: %/tests
	$(call quiet,TIME,$@)
	$(Q)$< --record-times $@ >/dev/null 2>&1; test -f $@ || : >$@
$(foreach ex,$(EXERCISES),$(eval $(BUILD)/exercises/$(ex)/tests: | $(BUILD)/solutions/$(ex)/times.tsv))
# ---- end of the solution's times ----------------------------------------------

STARTER_TESTS   := $(EXERCISES:%=$(BUILD)/exercises/%/tests)
SOLUTION_TESTS  := $(EXERCISES:%=$(BUILD)/solutions/%/tests)
PROGRAMS        := $(foreach variant,$(VARIANTS),$(EXERCISES:%=$(BUILD)/$(variant)/%/program))
MEMCHECK_SOLUTIONS := $(EXERCISES:%=$(BUILD)/memcheck/solutions/%/tests)
