# mk/student.mk: what students run (README.md, docs/index.md).  EX picks an
# exercise: EX=01 or EX=01-fibonacci.

EX ?=
ex_dir = $(or $(filter $(EX)-%,$(EXERCISES)),$(filter $(EX),$(EXERCISES)))
need_ex = $(if $(ex_dir),,$(error pick an exercise: EX=01 (one of: $(EXERCISES))))

.PHONY: workbook test solution progress list hint reset watch results memcheck memcheck-solution valgrind run flamegraph

# Each exercise is built by the scripts themselves, so that one that does
# not compile is shown as such instead of stopping make.
## make                  run the exercises in order; show the first one to fix
workbook: $(HARNESS_SEALED)
	@tools/workbook.sh next $(EXERCISES)

## make test EX=01       build and run one exercise's tests on your code
# ARGS go to the test binary: ARGS="--junit r.xml --json r.json", or
# ARGS="--baseline b.tsv --fail-on-increase" (docs/harness.md).
test:
	$(need_ex)
	@$(MAKE) --no-print-directory $(BUILD)/exercises/$(ex_dir)/tests
	@$(BUILD)/exercises/$(ex_dir)/tests $(ARGS)

## make solution EX=01   the same tests on the reference solution
solution:
	$(need_ex)
	@$(MAKE) --no-print-directory $(BUILD)/solutions/$(ex_dir)/tests
	@$(BUILD)/solutions/$(ex_dir)/tests $(ARGS)

## make watch [EX=01]    rerun an exercise's tests whenever you save a file
watch: $(HARNESS_SEALED)
	@tools/workbook.sh watch $(ex_dir)

## make hint EX=01       the next hint for an exercise, one at a time
hint:
	$(need_ex)
	@tools/workbook.sh hint $(ex_dir)

## make progress         every exercise and its state (also: make list)
progress list: $(HARNESS_SEALED)
	@tools/workbook.sh progress $(EXERCISES)

## make reset EX=01      put an exercise's starter back (keeps yours in build/backups)
reset:
	$(need_ex)
	@tools/workbook.sh reset $(ex_dir)

## make results          JUnit XML and JSON results of every exercise in build/results/
# Every exercise's tests on the student's code, for CI and GitHub Classroom;
# exits non-zero if any test failed.
results: $(STARTER_TESTS)
	@mkdir -p $(BUILD)/results
	@status=0; for ex in $(EXERCISES); do \
	    $(BUILD)/exercises/$$ex/tests --junit $(BUILD)/results/$$ex.xml \
	        --json $(BUILD)/results/$$ex.json >/dev/null || status=1; \
	done; echo "results in $(BUILD)/results/"; exit $$status

# Memory errors (docs/memcheck.md).  EX picks an exercise (or a memcheck
# fixture, tests/fixtures/memcheck_*); no EX: every exercise.
memcheck_pick = $(if $(EX),$(or $(ex_dir),$(filter $(EX),$(MEMCHECK_FIXTURES)),\
    $(error pick an exercise: EX=01 (one of: $(EXERCISES)))),$(EXERCISES))
# exercises/01-fibonacci or fixtures/memcheck_broken
memcheck_dirs = $(foreach ex,$(memcheck_pick),$(if $(filter $(ex),$(MEMCHECK_FIXTURES)),fixtures,$(1))/$(ex))

# tools/memcheck_run.sh builds each binary itself, so that an exercise that
# does not compile is reported as such and the others still run.
## make memcheck [EX=01] memory errors: your code's tests under AddressSanitizer
##                       and UBSan (use after free, overflows, leaks, undefined
##                       behaviour); memory limits are skipped there
memcheck:
	@tools/memcheck_run.sh memcheck $(addprefix $(BUILD)/memcheck/,$(addsuffix /tests,$(call memcheck_dirs,exercises)))

## make memcheck-solution [EX=01]
##                       instructors: the solutions under AddressSanitizer and UBSan
memcheck-solution:
	@tools/memcheck_run.sh memcheck $(addprefix $(BUILD)/memcheck/,$(addsuffix /tests,$(call memcheck_dirs,solutions)))

## make valgrind [EX=01] the same checks under valgrind, where sanitizers are missing
valgrind:
	@tools/memcheck_run.sh valgrind $(addprefix $(BUILD)/,$(addsuffix /tests,$(call memcheck_dirs,exercises)))

## make run EX=01        only record the exercise's program (build/exercises/NN-name/program.hbcap)
run: $(HEAPBOOK) $(PRELOAD)
	$(need_ex)
	@$(MAKE) --no-print-directory -s $(BUILD)/exercises/$(ex_dir)/program
	$(HEAPBOOK) run -o $(BUILD)/exercises/$(ex_dir)/program.hbcap $(BUILD)/exercises/$(ex_dir)/program

## make flamegraph EX=01 run the exercise's program under heapbook, write its flame graph
flamegraph: run
	$(HEAPBOOK) flamegraph -o $(BUILD)/exercises/$(ex_dir)/flamegraph.html $(BUILD)/exercises/$(ex_dir)/program.hbcap
