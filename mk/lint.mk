# mk/lint.mk: make lint, static analysis of heapbook's own code: the
# harness and the profiler in C, and every shell script of the repository.
# Exercises, solutions and the tests' fixtures are left out: students' code
# has its own flags (mk/exercises.mk) and fixtures are wrong on purpose.
#
#   clang-tidy   the static analyzer scan-build runs (clang-analyzer-*,
#                the same checkers, one file at a time) and bugprone-*;
#                which checks, and why some are off: mk/clang-tidy.yaml
#   cppcheck     its warning, portability and performance checks
#   shellcheck   every script, following what each sources (-x)
#
# A finding fails make lint.  A false one is suppressed where it is, with
# its reason beside it: NOLINTNEXTLINE(check) for clang-tidy,
# "cppcheck-suppress id ; reason" for cppcheck, "shellcheck disable=SCnnnn
# # reason" for shellcheck (docs/instructors.md).  Each C file is analysed
# into a stamp of its own (build/lint/), so a second make lint analyses
# only what changed, and files are analysed in parallel (make -j).

LINT := $(BUILD)/lint
LINT_SOURCES := $(wildcard harness/*/*.c profiler/*.c profiler/preload/*.c)
LINT_HEADERS := $(wildcard harness/*/*.h harness/include/*/*.h profiler/*.h profiler/preload/*.h)
# Scripts: *.sh, and every tracked file whose first line runs sh or bash.
LINT_SCRIPTS := $(if $(EXERCISE_FILES_ONLY),,$(sort $(shell git ls-files '*.sh' 2>/dev/null) \
    $(shell git ls-files -z 2>/dev/null | xargs -0 awk 'FNR == 1 { if (/^#!.*[/ ](ba)?sh( |$$)/) print FILENAME; nextfile }' 2>/dev/null)))
# The flags the build compiles these files with, less the code generation
# ones clang-tidy has no use for (and GCC's, which clang does not know).
LINT_CFLAGS = -std=c11 -D_GNU_SOURCE -pthread -Iharness -Iharness/include -Iprofiler $(CUNIT_CFLAGS)

# cppcheck analyses one configuration (the one built: GNU C, -D_GNU_SOURCE)
# rather than every combination of the #ifs it finds; its style checks are
# left out (clang-format and the review keep the style).  Two findings are
# suppressed by file, in files whose comments are another change's:
#   uninitvar in quarantine.c    hb_quarantine_history's insertion sort
#                                reads serials[at - 1] only below n, which it
#                                wrote
#   allocaCalled in measure.c    run_aligned moves the test's stack by a
#                                computed amount on purpose (its comment),
#                                which only alloca does without a VLA warning
CPPCHECK_FLAGS := -q --std=c11 -D_GNU_SOURCE -D__GNUC__ -Iharness -Iharness/include -Iprofiler \
    --enable=warning,portability,performance --inline-suppr --error-exitcode=1 \
    --suppress=uninitvar:harness/core/quarantine.c --suppress=allocaCalled:harness/runner/measure.c \
    --template='{file}:{line}: {severity}: {message} [{id}]'

.PHONY: lint

## make lint             instructors: static analysis (clang-tidy with the
##                       clang analyzer, cppcheck, shellcheck); fails on a finding
lint: $(LINT_SOURCES:%=$(LINT)/tidy/%.ok) $(LINT)/cppcheck.ok $(LINT)/shellcheck.ok
	@echo "make lint: no finding in $(words $(LINT_SOURCES)) C files and $(words $(LINT_SCRIPTS)) scripts"

$(LINT)/tidy/%.c.ok: %.c $(LINT_HEADERS) mk/clang-tidy.yaml | $(DEPS_OK)
	$(call quiet,TIDY,$<)
	@mkdir -p $(@D)
	$(Q)clang-tidy --quiet --config-file=mk/clang-tidy.yaml $< -- $(LINT_CFLAGS) >$@.log 2>&1 || \
	    { grep -v ' warnings\? generated\.$$' $@.log; exit 1; }
	@touch $@

$(LINT)/cppcheck.ok: $(LINT_SOURCES) $(LINT_HEADERS) | $(DEPS_OK)
	$(call quiet,CPPCHECK,$@)
	@mkdir -p $(@D)
	$(Q)cppcheck $(CPPCHECK_FLAGS) $(LINT_SOURCES)
	@touch $@

$(LINT)/shellcheck.ok: $(LINT_SCRIPTS) | $(DEPS_OK)
	$(call quiet,SHCHECK,$@)
	@mkdir -p $(@D)
	$(Q)test -n "$(LINT_SCRIPTS)" || { echo "make lint: no script found (git ls-files): run it in a clone" >&2; exit 1; }
	$(Q)shellcheck -x -P SCRIPTDIR $(LINT_SCRIPTS)
	@touch $@
