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
#   - tools/check_source.py, on each file's preprocessed text (below),
#     refuses inline assembly, pragmas, attributes and sanitizer tests;
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
# error, as do the limits and checks above.  GCC and Clang
# take the same names; Clang's unused-value covers its unused-comparison.
# tests/fixtures/unused_code/selftest.sh proves both halves.
UNUSED_CODE_WARNINGS := unused-function unused-variable unused-const-variable unused-parameter \
    unused-but-set-variable unused-but-set-parameter unused-label unused-value unused-local-typedefs
EXERCISE_CFLAGS += $(UNUSED_CODE_WARNINGS:%=-Wno-error=%)
# ---- end of unused code ----------------------------------------------------

# Scaffolding: an exercise's files that are the course's, not the
# student's, by exact path and with the storage each may keep
# (tools/check_objects.py --scaffolding): checked like any exercise code
# otherwise, and a file of the same name elsewhere is not exempt.  make
# grade never takes them from a submission (tools/grade.py reads this
# line): 05's sample text is made by its suite before any test, in the
# runner's own process, which must run none of a submission's code.
SCAFFOLDING := exercises/05-streaming/sample_text.c=1024 exercises/09-string-views/sample_log.c=393216 exercises/12-shared-strings/team_year.c=2048
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
# check_source FLAGS,OUTPUT: the command that preprocesses $< with FLAGS
# into OUTPUT and checks it (the sanitizers' flags are what it compares
# with).  A scanned file depends on the checker: a new rule applies to code
# built before it.
check_source = HEAPBOOK_RESERVED_NAMES=$(RESERVED_NAMES) $(SOURCE_CHECKER) '$(SANITIZE_CFLAGS)' \
    $(2) $(CC) $(1) $<
SOURCE_CHECKER := tools/check_source.py
# What a scan depends on: the checker, and the names a macro may not take.
SOURCE_CHECKERS := $(SOURCE_CHECKER) $(RESERVED_NAMES)

STACK_OBJECT_MESSAGE := heapbook: exercise code may not keep more than $(STACK_OBJECT_LIMIT) \
bytes in local (stack) storage: the memory tests count the heap; allocate it with malloc \
(docs/harness.md, What is rejected)
# What the compiler's message says when one of those limits stopped it
# ("alloca" as a word: exercise 18's folder, 18-pool-allocator, holds it).
STACK_OBJECT_DIAGNOSTICS := larger-than|Wvla|\<alloca\>

# compile_exercise FLAGS: compile $< (a preprocessed file: below), and
# say why when a limit above stopped it.
define compile_exercise
	$(call quiet,CC,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) $(1) $(EXERCISE_CFLAGS) -c $< -o $@ 2>$@.log || { \
	    cat $@.log >&2; \
	    grep -qE '$(STACK_OBJECT_DIAGNOSTICS)' $@.log && echo "$(STACK_OBJECT_MESSAGE)" >&2; \
	    exit 1; }
	@cat $@.log >&2; rm -f $@.log
endef

# ---- one preprocessed source for both builds --------------------------------
# Each file of an exercise and its suite is preprocessed once, with the
# normal build's flags, into build/VARIANT/NN-name/obj/FILE.i, and both its
# objects, the normal one and the sanitizers' (build/memcheck/...), are
# compiled from that file: no macro the sanitizers' flags define
# (__SANITIZE_ADDRESS__, __has_feature(address_sanitizer)) can make the
# code the sanitizers judge differ from the code the tests ran.  -C keeps
# the comments, which GCC reads for -Wimplicit-fallthrough.  Written aside
# and renamed: the sanitizer build in the background (tools/memcheck_run.sh
# prepare) may make the same file at the same time.
# tests/fixtures/sanitizer_detect proves it (docs/memcheck.md, "The same code").
#
# preprocess FLAGS[,scan]: with scan, tools/check_source.py preprocesses
# the file, with the sanitizers' flags too at the same time, reads both,
# and removes the file if it refuses it.  A source is scanned once, where its own variant builds it:
# not again when an exercise's file is built for a solution or a wrong fix
# that keeps it.  (For the exercises themselves the second rule below
# replaces the first, the same pattern: it scans there.)  Variants in
# UNSCANNED_VARIANTS are not scanned (mk/wrong-fixes.mk says why).
define preprocess
	@mkdir -p $(@D)
	$(Q)$(if $(2),$(call check_source,$(1) -MMD -MP -MT $@ -MF $@.$$$$.deps,$@.$$$$),\
	    $(CC) $(1) -E -C -MMD -MP -MT $@ -MF $@.$$$$.deps $< -o $@.$$$$) && mv -f $@.$$$$ $@ && \
	    $(call record_source,$@.$$$$.deps) || { rm -f $@.$$$$.deps; exit 1; }
endef
# ---- which file supplies each preprocessed file ------------------------------
# A name's file is the variant's own if it has one, else the starter's (the
# pattern rules above, in that order), and an update may delete or move a
# file: the compiler's .d names the file it read as a prerequisite, which
# would stop every later make ("No rule to make target"), and a starter's
# file older than the .i the deleted one made would leave that stale.  So
# its .d (FILE.i.d) names no source: it says which file supplied the .i,
# and the .i is remade when the file that supplies it now (source_of.TARGET,
# set by exercise_build) is another one, or none.  The Makefile skips the
# FILE.d a build before this one wrote, and remakes an .i or a link that
# has no record (the Makefile's last lines).  The compiler's list is
# written aside (FILE.i.PID.deps, which the Makefile does not read) and
# the record renamed into place: a refused file leaves no .d naming its
# source, and the sanitizer build may make the same .i at the same time.
# tests/fixtures/moved_source/selftest.sh proves both.
# record_source DEPS: FILE.i.d from the compiler's list DEPS.
define record_source
{ sed '0,\@ $<\( \|$$\)@s@@ @' $(1) && \
	printf 'ifneq ($$(source_of.%s),%s)\n%s: $$(SOURCE_CHANGED)\nendif\n' '$@' '$<' '$@'; } >$(1).record && \
	mv -f $(1).record $@.d && rm -f $(1) $(@:.i=.d)
endef
# A deleted name leaves the objects it made: the link takes only the names
# there are now, and is remade when they differ (mk/config.mk's record_objects).
# ---- end of which file supplies each preprocessed file -----------------------
# ---- end of one preprocessed source ------------------------------------------

# ---- libraries an exercise is built on -------------------------------------
# An exercise whose code calls a real library names it here, linked into
# its tests (every build) and its program; tools/install-deps.sh installs
# its development package.  17: zlib (zlib1g-dev).
EXERCISE_LIBS_17-compressed-logs := -lz
exercise_libs = $(EXERCISE_LIBS_$(1))
# ---- end of libraries ---------------------------------------------------------

# The sources of exercise $(1) in variant $(2) but main.c, by file name:
# the starter's and the variant's own, whose file replaces the starter's of
# the same name (a name deleted from both is linked no more).
exercise_names = $(filter-out main.c,$(sort $(notdir $(wildcard exercises/$(1)/*.c $(2)/$(1)/*.c))))
exercise_suite = tests/exercises/test_$(subst -,_,$(1)).c

# $(1): exercise; $(2): variant
define exercise_preprocessed
$(foreach name,$(basename $(call exercise_names,$(1),$(2))) main,$(eval \
    source_of.$(BUILD)/$(2)/$(1)/obj/$(name).i := $(firstword $(wildcard $(2)/$(1)/$(name).c exercises/$(1)/$(name).c))))
source_of.$(BUILD)/$(2)/$(1)/obj/suite.i := $(call exercise_suite,$(1))
$(BUILD)/$(2)/$(1)/obj/%.i: $(2)/$(1)/%.c $(SOURCE_CHECKERS) | $(DEPS_OK)
	$$(call preprocess,$$(MEASURED_CFLAGS) -I$(2)/$(1) -Iexercises/$(1),$(if $(filter $(2),$(UNSCANNED_VARIANTS)),,scan))
$(BUILD)/$(2)/$(1)/obj/%.i: exercises/$(1)/%.c $(if $(filter-out exercises,$(2)),,$(SOURCE_CHECKERS)) \
    | $(DEPS_OK)
	$$(call preprocess,$$(MEASURED_CFLAGS) -I$(2)/$(1) -Iexercises/$(1),$(filter exercises,$(2)))
$(BUILD)/$(2)/$(1)/obj/suite.i: $(call exercise_suite,$(1)) | $(DEPS_OK)
	$$(call preprocess,$$(MEASURED_CFLAGS) -I$(2)/$(1) -Iexercises/$(1))
endef

# The flags of a compile from a preprocessed file: without the
# preprocessor's, which Clang would call unused.
PREPROCESSED_CFLAGS = $(filter-out -I% -D%,$(MEASURED_CFLAGS))

# $(1): exercise; $(2): variant; $(3): tree ($(BUILD) or $(BUILD)/memcheck);
# $(4): extra flags.  Compiled from the normal tree's preprocessed files.
define exercise_objects
$(3)/$(2)/$(1)/obj/%.o: $(BUILD)/$(2)/$(1)/obj/%.i
	$$(call compile_exercise,$$(PREPROCESSED_CFLAGS) $(4))
$(3)/$(2)/$(1)/obj/suite.o: $(BUILD)/$(2)/$(1)/obj/suite.i
	$$(call quiet,CC,$$@)
	@mkdir -p $$(@D)
	$(Q)$$(CC) $$(PREPROCESSED_CFLAGS) $(4) -c $$< -o $$@
endef

# $(1): exercise; $(2): variant
define exercise_build
$(2)_$(1)_OBJS := $(patsubst %.c,$(BUILD)/$(2)/$(1)/obj/%.o,$(call exercise_names,$(1),$(2)))
$(eval $(call exercise_preprocessed,$(1),$(2)))
# Kept once made (make deletes what it made by a chain of pattern rules):
# the sanitizer build compiles them after the normal one.
.SECONDARY: $$(patsubst %.o,%.i,$$($(2)_$(1)_OBJS)) $(BUILD)/$(2)/$(1)/obj/suite.i \
    $(BUILD)/$(2)/$(1)/obj/main.i
$(eval $(call exercise_objects,$(1),$(2),$(BUILD)))
$(eval $(call exercise_objects,$(1),$(2),$(BUILD)/memcheck,$$(SANITIZE_CFLAGS)))

$(BUILD)/$(2)/$(1)/tests: $$($(2)_$(1)_OBJS) $(BUILD)/$(2)/$(1)/obj/suite.o $(HARNESS_SEALED) \
    $(OBJECT_CHECKERS) $(call exercise_allowed,$(1))
	$(Q)$$(call check_objects,$(call exercise_allowed,$(1)),$$($(2)_$(1)_OBJS))
	$$(call quiet,LINK,$$@)
	$(Q)$$(CC) $$(TEST_LDFLAGS) $$(filter %.o,$$^) $(call exercise_libs,$(1)) $$(TEST_LIBS) -o $$@
	$$(call record_objects,$(2)_$(1)_OBJS)

$(BUILD)/$(2)/$(1)/program: $$($(2)_$(1)_OBJS) $(BUILD)/$(2)/$(1)/obj/main.o
	$$(call quiet,LINK,$$@)
	$(Q)$$(CC) $$(LDFLAGS) $$(filter %.o,$$^) $(call exercise_libs,$(1)) -o $$@
	$$(call record_objects,$(2)_$(1)_OBJS)

$(BUILD)/memcheck/$(2)/$(1)/tests: $$(patsubst $(BUILD)/%,$(BUILD)/memcheck/%,$$($(2)_$(1)_OBJS)) \
    $(BUILD)/memcheck/$(2)/$(1)/obj/suite.o $(MEMCHECK_ARCHIVES)
	$$(call quiet,LINK,$$@)
	$(Q)$$(CC) $$(SANITIZE) $$(TEST_LDFLAGS) $$(filter %.o,$$^) $(MEMCHECK_LINK) \
	    $(call exercise_libs,$(1)) $$(CUNIT_LIBS) -lunwind -ldw -ldl -o $$@
	$$(call record_objects,$(2)_$(1)_OBJS)
EXERCISE_LINKS += $(BUILD)/$(2)/$(1)/tests $(BUILD)/$(2)/$(1)/program $(BUILD)/memcheck/$(2)/$(1)/tests
endef
$(foreach ex,$(EXERCISES),$(foreach variant,$(VARIANTS),$(eval $(call exercise_build,$(ex),$(variant)))))

# ---- the reference solution's time per test ---------------------------------
# make test gives each test of the student's a time limit from the
# solution's own processor time for it (harness/runner/settings.c):
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
