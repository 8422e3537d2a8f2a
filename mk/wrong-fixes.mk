# mk/wrong-fixes.mk: each exercise's catalogue of plausible wrong fixes
# (tests/wrong-fixes/), built as variants of their exercise with
# mk/exercises.mk's exercise_build, as solutions are.  make check runs each
# one once and requires it to fail exactly as its `expected` file says
# (tests/wrong-fixes/check.sh).
#
#   tests/wrong-fixes/NN-FIX/NN-name/*.c   the files that differ from the starter
#   tests/wrong-fixes/NN-FIX/expected      what it is, and how it must fail
#
# A fix whose failures the counting harness cannot see (a write past a
# block, a read of freed memory) says `memcheck` in its `expected` file: it
# is built with the sanitizers instead (build/memcheck/tests/wrong-fixes/...).

WRONG_FIXES := $(sort $(notdir $(wildcard tests/wrong-fixes/[0-9][0-9]-*)))
WRONG_FIXES_MEMCHECK := $(sort $(notdir $(patsubst %/expected,%,\
    $(if $(EXERCISE_FILES_ONLY),,$(shell grep -lw memcheck $(WRONG_FIXES:%=tests/wrong-fixes/%/expected) 2>/dev/null)))))

# The exercise a fix belongs to: the one folder inside it.
wrong_fix_exercise = $(notdir $(patsubst %/,%,$(wildcard tests/wrong-fixes/$(1)/*/)))

# Two fixes prove the backstop behind tools/check_source.py: both builds
# compile one preprocessed source, so asking which build it is changes
# nothing.  They are built without the source check, which refuses such
# code first (tests/fixtures/rejected/sanitize_ifdef.c, sanitize_in_header.c),
# as an object-only fixture skips it to prove the object check alone.
UNSCANNED_VARIANTS := tests/wrong-fixes/12-asks-which-build tests/wrong-fixes/12-header-asks-which-build

$(foreach fix,$(WRONG_FIXES),$(eval $(call exercise_build,$(call wrong_fix_exercise,$(fix)),tests/wrong-fixes/$(fix))))

# Each fix's one test binary, normal or under the sanitizers.
wrong_fix_binary = $(BUILD)/$(if $(filter $(1),$(WRONG_FIXES_MEMCHECK)),memcheck/)tests/wrong-fixes/$(1)/$(call wrong_fix_exercise,$(1))/tests
WRONG_FIX_BINARIES := $(foreach fix,$(WRONG_FIXES),$(call wrong_fix_binary,$(fix)))

# Built with everything else make check runs, in parallel.
check check-repeat: $(WRONG_FIX_BINARIES)
CHECK_BUILT += $(WRONG_FIX_BINARIES)

# A starter green but wrong (its tests/exercises/*.starter says `memcheck`
# on a line: it passes every counting test and fails under the sanitizers)
# is proved so by tests/check.sh with its sanitizer build, built here too.
MEMCHECK_STARTERS := $(patsubst tests/exercises/test_%.starter,%,\
    $(if $(EXERCISE_FILES_ONLY),,$(shell grep -lw memcheck tests/exercises/*.starter 2>/dev/null)))
MEMCHECK_STARTER_BINARIES := $(foreach suite,$(MEMCHECK_STARTERS),\
    $(BUILD)/memcheck/exercises/$(subst _,-,$(suite))/tests)
check check-repeat: $(MEMCHECK_STARTER_BINARIES)
CHECK_BUILT += $(MEMCHECK_STARTER_BINARIES)
