# mk/exercises.mk: each exercise's test binary and program, for the
# student's code (exercises/NN-name) and the reference (solutions/NN-name,
# which holds only the files that differ), normally and with the sanitizers.
#
#   build/VARIANT/NN-name/tests            the suite, linked with the sealed harness
#   build/VARIANT/NN-name/program          main.c, plain malloc: what heapbook run records
#   build/memcheck/VARIANT/NN-name/tests   the suite under ASan and UBSan

EXERCISES := $(sort $(notdir $(wildcard exercises/[0-9][0-9]-*)))
VARIANTS  := exercises solutions

# Exercise code may not hide memory where the memory tests cannot see it,
# nor switch the harness's checks off (docs/harness.md, What is rejected):
#   - a big local array, a variable-length array or an alloca() is an error
#     here (GCC's checks; Clang forbids variable-length arrays and alloca(),
#     since it has no limit for either; Clang takes the frame's limit as a
#     warning's value, and its name alone for -Werror=);
#   - tools/check_source.py, beside each compile, refuses inline assembly,
#     pragmas, attributes and sanitizer tests in the preprocessed source;
#   - tools/check_objects.py, before the link, refuses an import that is
#     not on tools/allowed-imports.txt (or the exercise's
#     tests/exercises/test_NN_name.allowed), a definition of a name the
#     harness or a library defines, an unusual section, and more than a
#     little static storage.
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

# Scaffolding whose data must be big, by exact path and with the storage
# it may keep (tools/check_objects.py --scaffolding): checked like any
# exercise code otherwise.  A file of the same name elsewhere is not exempt.
SCAFFOLDING := exercises/09-string-views/sample_log.c=393216 exercises/12-shared-strings/team_year.c=2048
# The names exercise code may import: the list, and the exercise's own
# additions (tests/exercises/test_NN_name.allowed) if it has any.
ALLOWED_IMPORTS := tools/allowed-imports.txt
exercise_allowed = $(wildcard tests/exercises/test_$(subst -,_,$(1)).allowed)
# The names the harness and the libraries a test binary links define,
# read once (tools/check_objects.py reserved-names).
RESERVED_NAMES := $(BUILD)/lib/reserved-names.txt
$(RESERVED_NAMES): $(HARNESS_SEALED) tools/check_objects.py tools/elf_file.py | $(DEPS_OK)
	$(call quiet,NAMES,$@)
	$(Q)tools/check_objects.py reserved-names $(CC) $(HARNESS_SEALED) >$@.tmp && mv $@.tmp $@
# check_objects ALLOWED_FILES OBJECTS: the command that checks objects.
check_objects = tools/check_objects.py check --reserved $(RESERVED_NAMES) \
    $(foreach file,$(ALLOWED_IMPORTS) $(1),--allowed $(file)) $(SCAFFOLDING:%=--scaffolding %) $(2)
OBJECT_CHECKERS := tools/check_objects.py tools/elf_file.py $(ALLOWED_IMPORTS) $(RESERVED_NAMES)
# check_source FLAGS: the command that checks $< (the flags are the
# compile's; the sanitizers' are what it compares with).  A scanned object
# depends on the checker: a new rule applies to code built before it.
check_source = $(SOURCE_CHECKER) '$(SANITIZE_CFLAGS)' $(CC) $(1) $(EXERCISE_CFLAGS) $<
SOURCE_CHECKER := tools/check_source.py

STACK_OBJECT_MESSAGE := heapbook: exercise code may not keep more than $(STACK_OBJECT_LIMIT) \
bytes in local (stack) storage: the memory tests count the heap; allocate it with malloc \
(docs/harness.md, What is rejected)
# What the compiler's message says when one of those limits stopped it.
STACK_OBJECT_DIAGNOSTICS := larger-than|Wvla|alloca

# compile_exercise FLAGS[,scan]: compile, and say why when a limit above
# stopped it; with scan, tools/check_source.py reads the source meanwhile
# (on the other core: the student's loop does not wait for it), and the
# object is removed if it refuses it.  A source is scanned once, where its
# own variant builds it: not again for the sanitizers' build, nor when an
# exercise's file is built for a solution or a wrong fix that keeps it.
# (For the exercises themselves the second rule below replaces the first,
# the same pattern: it scans there.)
define compile_exercise
	$(call quiet,CC,$@)
	@mkdir -p $(@D)
	$(Q)$(if $(2),$(call check_source,$(1)) 2>$@.scan & ):; \
	$(CC) $(1) $(EXERCISE_CFLAGS) $(DEPFLAGS) -c $< -o $@ 2>$@.log; compiled=$$?; \
	scanned=0; $(if $(2),wait $$! || scanned=1;) \
	cat $@.log $(if $(2),$@.scan) >&2; \
	[ $$compiled -eq 0 ] || ! grep -qE '$(STACK_OBJECT_DIAGNOSTICS)' $@.log || echo "$(STACK_OBJECT_MESSAGE)" >&2; \
	rm -f $@.log $@.scan; \
	[ $$compiled -eq 0 ] && [ $$scanned -eq 0 ] || { rm -f $@; exit 1; }
endef

# The exercise's sources but main.c, by file name: a solution's file
# replaces the starter's of the same name.
exercise_names = $(filter-out main.c,$(sort $(notdir $(wildcard exercises/$(1)/*.c solutions/$(1)/*.c))))
exercise_suite = tests/exercises/test_$(subst -,_,$(1)).c

# $(1): exercise; $(2): variant; $(3): tree ($(BUILD) or $(BUILD)/memcheck);
# $(4): extra flags
define exercise_objects
$(3)/$(2)/$(1)/obj/%.o: $(2)/$(1)/%.c $(if $(4),,$(SOURCE_CHECKER)) | $(DEPS_OK)
	$$(call compile_exercise,$$(MEASURED_CFLAGS) $(4) -I$(2)/$(1) -Iexercises/$(1),$(if $(4),,scan))
$(3)/$(2)/$(1)/obj/%.o: exercises/$(1)/%.c $(if $(4)$(filter-out exercises,$(2)),,$(SOURCE_CHECKER)) \
    | $(DEPS_OK)
	$$(call compile_exercise,$$(MEASURED_CFLAGS) $(4) -I$(2)/$(1) -Iexercises/$(1),$(if $(4),,$(filter exercises,$(2))))
$(3)/$(2)/$(1)/obj/suite.o: $(call exercise_suite,$(1)) | $(DEPS_OK)
	$$(call compile,$$(MEASURED_CFLAGS) $(4) -I$(2)/$(1) -Iexercises/$(1))
endef

# $(1): exercise; $(2): variant
define exercise_build
$(2)_$(1)_OBJS := $(patsubst %.c,$(BUILD)/$(2)/$(1)/obj/%.o,$(call exercise_names,$(1)))
$(eval $(call exercise_objects,$(1),$(2),$(BUILD)))
$(eval $(call exercise_objects,$(1),$(2),$(BUILD)/memcheck,$$(SANITIZE_CFLAGS)))

$(BUILD)/$(2)/$(1)/tests: $$($(2)_$(1)_OBJS) $(BUILD)/$(2)/$(1)/obj/suite.o $(HARNESS_SEALED) \
    $(OBJECT_CHECKERS) $(call exercise_allowed,$(1))
	$(Q)$$(call check_objects,$(call exercise_allowed,$(1)),$$($(2)_$(1)_OBJS))
	$$(call quiet,LINK,$$@)
	$(Q)$$(CC) $$(TEST_LDFLAGS) $$(filter %.o,$$^) $$(TEST_LIBS) -o $$@

$(BUILD)/$(2)/$(1)/program: $$($(2)_$(1)_OBJS) $(BUILD)/$(2)/$(1)/obj/main.o
	$$(call quiet,LINK,$$@)
	$(Q)$$(CC) $$(LDFLAGS) $$^ -o $$@

$(BUILD)/memcheck/$(2)/$(1)/tests: $$(patsubst $(BUILD)/%,$(BUILD)/memcheck/%,$$($(2)_$(1)_OBJS)) \
    $(BUILD)/memcheck/$(2)/$(1)/obj/suite.o $(MEMCHECK_ARCHIVES)
	$$(call quiet,LINK,$$@)
	$(Q)$$(CC) $$(SANITIZE) $$(TEST_LDFLAGS) $$(filter %.o,$$^) $(MEMCHECK_LINK) \
	    $$(CUNIT_LIBS) -lunwind -ldw -ldl -o $$@
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
