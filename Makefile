# heapbook: a C memory workbook.  `make help` lists the targets; the parts
# of the build are in mk/, one per folder of the repository:
#
#   mk/config.mk     the compiler, the flags of each kind of code
#   mk/harness.mk    harness/: one archive per layer, and the sealed object
#   mk/exercises.mk  exercises/ and solutions/: test binaries and programs
#   mk/profiler.mk   profiler/: heapbook, its preload, the page
#   mk/tests.mk      tests/: the harness's tests, fixtures, make check
#   mk/student.mk    what students run: make, test, hint, watch, memcheck ...

.DEFAULT_GOAL := workbook

include mk/config.mk
include mk/harness.mk
include mk/exercises.mk
include mk/profiler.mk
include mk/tests.mk
include mk/wrong-fixes.mk
include mk/student.mk

.PHONY: help bench format clean

## make help             this list
help:
	@echo "heapbook: a C memory workbook"
	@echo
	@sed -n 's/^## //p' mk/student.mk mk/profiler.mk mk/tests.mk mk/harness.mk Makefile
	@echo
	@echo "Exercises: $(EXERCISES)"

## make bench            the harness and the profiler against glibc, mimalloc,
##                       heaptrack, massif and memusage (docs/performance.md)
bench: $(HARNESS_ARCHIVES)
	@$(MAKE) --no-print-directory -C bench

## make format           clang-format every C file
format:
	clang-format -i $(shell git ls-files '*.c' '*.h')

# Every compile command, for editors (IntelliSense, clangd) to find the
# harness's and CUnit's headers.  bear records a full rebuild (-B) so that
# no file is missing; it writes into build/ first, so a failed build keeps
# the previous list and leaves this target out of date.
## make compile_commands.json
##                       for editors: rebuild everything, recording each compile command
compile_commands.json: $(shell git ls-files '*.c' '*.h' '*.mk') Makefile
	@mkdir -p $(BUILD)
	bear --output $(BUILD)/$@ -- $(MAKE) --no-print-directory -B $(CHECK_BUILT)
	cp $(BUILD)/$@ $@

## make clean            remove build/
clean:
	rm -rf $(BUILD)

# Every object's header dependencies (-MMD).
-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
