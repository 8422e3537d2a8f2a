# mk/grade.mk: `make grade`, a score of the student's code for CI and
# instructors (docs/instructors.md, "Grading"); tools/grade.py does the work.

GRADE := $(BUILD)/grade

.PHONY: grade check-grade
## make grade            score every exercise on your code: done when its tests
##                       pass and make memcheck and make valgrind find no memory
##                       error; writes build/grade/ (grade.json, grade.xml, grade.md)
# "+": the script runs make for each exercise, as a job of this one.
grade: $(HARNESS_SEALED) $(MEMCHECK_ARCHIVES)
	+@tools/grade.py run $(GRADE) $(EXERCISES)

## make check-grade      instructors: make grade on a class of starter, solved
##                       and broken copies of the workbook (tests/grade/check.sh)
check-grade: $(HARNESS_SEALED) $(MEMCHECK_ARCHIVES)
	+@tests/grade/check.sh $(EXERCISES)
