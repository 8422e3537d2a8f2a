# heapbook: a C memory workbook.  `make help` lists the targets; the parts
# of the build are in mk/, one per folder of the repository:
#
#   mk/config.mk     the compiler, the flags of each kind of code
#   mk/harness.mk    harness/: one archive per layer, and the sealed object
#   mk/exercises.mk  exercises/ and solutions/: test binaries and programs
#   mk/profiler.mk   profiler/: heapbook, its preload, the page
#   mk/tests.mk      tests/: the harness's tests, fixtures, make check
#   mk/wrong-fixes.mk  tests/wrong-fixes/: each lesson's plausible wrong
#                    fixes, built as variants of their exercise
#   mk/student.mk    what students run: make, test, hint, watch, memcheck ...
#   mk/grade.mk      make grade: a score for CI and instructors
#   mk/lint.mk       make lint: static analysis of the harness, the profiler
#                    and every script (its clang-tidy checks: mk/clang-tidy.yaml)

.DEFAULT_GOAL := workbook

include mk/config.mk
# A make asked only for the student's commands reads mk/student.mk alone:
# each of them runs a script that makes what it needs with a make of its
# own (tools/workbook.sh), and the build read twice was a third of the
# edit-test loop's time (docs/performance.md, section 5).
ifeq ($(STUDENT_COMMANDS_ONLY),)
include mk/harness.mk
include mk/exercises.mk
include mk/profiler.mk
include mk/tests.mk
include mk/wrong-fixes.mk
endif
include mk/student.mk
ifeq ($(STUDENT_COMMANDS_ONLY),)
include mk/grade.mk
include mk/lint.mk
endif

.PHONY: help all bench format clean

## make help             this list
help:
	@echo "heapbook: a C memory workbook"
	@echo
	@sed -n 's/^## //p' mk/student.mk mk/grade.mk mk/profiler.mk mk/tests.mk mk/lint.mk mk/harness.mk Makefile
	@echo
	@echo "Exercises: $(EXERCISES)"

## make bench            the harness and the profiler against glibc, mimalloc,
##                       heaptrack, massif and memusage, and fault injection
##                       with blocks held (docs/performance.md)
bench: $(HARNESS_ARCHIVES)
	@$(MAKE) --no-print-directory -C bench

## make format           clang-format every C file
format:
	clang-format -i $(shell git ls-files '*.c' '*.h')

# The flame graph page's libraries come with the set-up, on the first
# `make`, rather than on the first `make flamegraph`: that one then works
# offline (in a lab, on a train, in a container without network).
workbook: $(WEB_MODULES)

## make all              build everything make check runs
all: $(CHECK_BUILT)

# Every compile command, for editors (IntelliSense, clangd) to find the
# harness's and CUnit's headers with the build's own flags: from dry runs
# of a build from scratch (make -n -B), which compile nothing, of
# everything make check builds, `make fuzz`, and bench/.  Written into
# build/ first, so that a failed run leaves the previous list.
## make compile_commands.json
##                       for editors: every compile command of the build
compile_commands.json: $(if $(EXERCISE_FILES_ONLY),,$(shell git ls-files '*.c' '*.S' '*.mk' '*Makefile' 2>/dev/null)) \
    tools/compile_commands.py
	@mkdir -p $(BUILD)
	$(Q)tools/compile_commands.py . $(CHECK_BUILT) fuzz \
	    -- bench built -o ../$(BUILD)/lib/libhb-core.a -o ../$(BUILD)/lib/libhb-runner.a \
	    -o ../$(BUILD)/lib/libhb-support.a > $(BUILD)/$@
	$(Q)cp $(BUILD)/$@ $@
	$(call quiet,WROTE,$@)

## make clean            remove build/
clean:
	rm -rf $(BUILD)

# Every object's header dependencies (-MMD), and what made each
# exercise's preprocessed files and links (mk/exercises.mk, which file
# supplies each preprocessed file): FILE.i's are FILE.i.d, and a FILE.d
# beside a FILE.i is an older build's, which named its source as a
# prerequisite; it is skipped, and an .i or a link without its record is
# remade once.
ifeq ($(STUDENT_COMMANDS_ONLY),)
BUILT := $(shell find $(BUILD) -type f \( -name '*.d' -o -name '*.i' -o -name tests -o -name program \) 2>/dev/null)
-include $(filter-out $(patsubst %.i,%.d,$(filter %.i,$(BUILT))),$(filter %.d,$(BUILT)))
UNRECORDED := $(filter-out $(patsubst %.d,%,$(filter %.i.d %/tests.d %/program.d,$(BUILT))),\
    $(filter %.i $(EXERCISE_LINKS),$(BUILT)))
$(if $(UNRECORDED),$(eval $(UNRECORDED): $(SOURCE_CHANGED)))
endif
