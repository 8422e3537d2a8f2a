# mk/grade.mk: `make grade`, a score of the student's code for CI and
# instructors (docs/instructors.md, "Grading"); tools/grade.py does the work.

GRADE := $(BUILD)/grade

.PHONY: grade grade-ready check-grade
## make grade            score every exercise on your code: done when its tests
##                       pass and neither make memcheck nor make valgrind finds
##                       a memory error; writes build/grade/ (grade.md, .json,
##                       .xml, and the course platforms' gradescope.json,
##                       prairielearn.json, classroom50.json); SUBMISSION=FOLDER
##                       grades a student's files over this workbook's (graders/)
grade: $(HARNESS_SEALED) $(MEMCHECK_ARCHIVES)
	@tools/grade.py run $(GRADE) $(if $(SUBMISSION),--submission $(SUBMISSION)) $(EXERCISES)

## make grade-ready      graders: the sanitizer builds of the exercises as handed
##                       out, compiled (never run) where a grader image is made
##                       (graders/prepare) or a batch starts: a submission then
##                       compiles only the files it changes, the suites ready
grade-ready: $(EXERCISES:%=$(BUILD)/memcheck/exercises/%/tests)

## make check-grade      instructors: make grade on a class of starter, solved
##                       and broken copies of the workbook (tests/grade/check.sh)
check-grade: $(HARNESS_SEALED) $(MEMCHECK_ARCHIVES) $(SOLUTION_TIMES) $(STARTER_TESTS)
	+@tests/grade/check.sh $(EXERCISES)
