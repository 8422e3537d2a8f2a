# mk/student.mk: what students run (README.md, docs/index.md).  Each target
# hands EX to tools/workbook.sh as typed (make does not expand it: EX='$(x)'
# is the text it reads), and the script checks it the same way for all:
# EX=1, EX=01, EX=fib, EX=01-fibonacci.

EX ?=
# EX quoted for the shell, unexpanded.
ex_arg = '$(subst ','\'',$(value EX))'

.PHONY: workbook test solution progress list hint predict reset watch results memcheck memcheck-solution valgrind run flamegraph

# Each exercise is built by the script itself, harness included, so that one
# that does not compile is shown as such instead of stopping make (a make asked
# only for these reads no other file: Makefile).  The sanitizer build of an
# exercise (and of the harness, the first time) is started by the script in the
# background, under a lock, while the tests run (tools/memcheck_run.sh prepare).
## make                  run the exercises in order; show the first one to fix
workbook: $(HARNESS_SEALED)
	@tools/workbook.sh next

## make test EX=01       one exercise's tests on your code; when they all pass,
##                       the same code under the sanitizers and valgrind: done
##                       needs all three
# ARGS go to the test binary: ARGS="--test NAME", ARGS="--junit r.xml
# --json r.json", or ARGS="--baseline b.tsv --fail-on-increase"
# (docs/harness.md).
test:
	@tools/workbook.sh test $(ex_arg) $(ARGS)

## make solution EX=01   the same tests on the reference solution
solution:
	@tools/workbook.sh solution $(ex_arg) $(ARGS)

## make watch [EX=01]    rerun an exercise's tests whenever you save a file
watch:
	@tools/workbook.sh watch $(ex_arg)

## make predict EX=01    answer the lesson's questions before you run (make test
##                       asks them the first time), then see them beside the figures
predict:
	@tools/workbook.sh predict $(ex_arg)

## make hint EX=01       the next hint for an exercise, one at a time
hint:
	@tools/workbook.sh hint $(ex_arg)

## make progress         every exercise and its state (also: make list)
progress list:
	@tools/workbook.sh progress

## make reset EX=01      put an exercise's starter back (keeps yours in build/backups)
reset:
	@tools/workbook.sh reset $(ex_arg)

## make results          the same as make grade (JSON, JUnit XML and Markdown in build/grade/)
results: grade

# Memory errors (docs/memcheck.md).  EX picks an exercise (or a memcheck
# fixture, tests/fixtures/memcheck_*); no EX: every exercise.
## make memcheck [EX=01] memory errors: your code's tests under AddressSanitizer
##                       and UBSan (use after free, overflows, leaks, undefined
##                       behaviour); memory limits are skipped there
memcheck:
	@tools/workbook.sh memcheck $(ex_arg)

## make memcheck-solution [EX=01]
##                       instructors: the solutions under AddressSanitizer and UBSan
memcheck-solution:
	@tools/workbook.sh memcheck-solution $(ex_arg)

## make valgrind [EX=01] the same checks under valgrind, where sanitizers are missing
valgrind:
	@tools/workbook.sh valgrind $(ex_arg)

## make run EX=01        only record the exercise's program (build/exercises/NN-name/program.hbcap)
run:
	@tools/workbook.sh run $(ex_arg)

## make flamegraph EX=01 run the exercise's program under heapbook, write its flame graph
flamegraph: $(WEB_MODULES)
	@tools/workbook.sh flamegraph $(ex_arg)

# What an editor lists and runs: the build task of .vscode/tasks.json,
# which TestMate runs before the tests, and `cmake --build` (docs/editor.md).
.PHONY: test-binaries
## make test-binaries    for editors and CTest: every exercise's test binary,
##                       yours and the solution's (docs/editor.md)
test-binaries: $(STARTER_TESTS) $(SOLUTION_TESTS) $(SOLUTION_TIMES)
