# mk/config.mk: the compiler, the flags of each kind of code, and how every
# object is compiled.  Conventional variables work: CC=clang, CFLAGS (added
# last), V=1 (show each command).

BUILD   := build
DEPS_OK := $(BUILD)/.deps-ok

# make's built-in default is cc; heapbook is tested with gcc and clang.
ifeq ($(origin CC),default)
CC := gcc
endif
CLANG := $(if $(findstring clang,$(shell $(CC) --version 2>/dev/null | head -n 1)),yes)

# No built-in rules: every rule of the build is written here, and make
# would otherwise search its built-in catalogue for a way to remake each of
# the hundreds of dependency files it reads, a quarter of a second of every
# `make test` doing nothing.
MAKEFLAGS += --no-builtin-rules
.SUFFIXES:

# The student's commands that only run a script (mk/student.mk), and
# whether they are all this make was asked for (then the Makefile reads
# nothing else).
STUDENT_COMMANDS := test solution watch predict hint progress list reset memcheck memcheck-solution \
    valgrind run
STUDENT_COMMANDS_ONLY := $(if $(MAKECMDGOALS),$(if $(filter-out $(STUDENT_COMMANDS),$(MAKECMDGOALS)),,yes))
# A make asked only for exercises' binaries and programs (what those
# scripts ask for) skips the lists that ask git or a script as it starts:
# make lint's scripts, the screenshots' programs, the files the Clang
# build and compile_commands.json follow, the fixes built with the
# sanitizers.
EXERCISE_FILES_ONLY := $(if $(MAKECMDGOALS),$(if $(filter-out $(BUILD)/%/tests $(BUILD)/%/program,$(MAKECMDGOALS)),,yes))

# Every core by default; `make -jN` on the command line wins.  Only the
# first make sets it: a make it starts shares the first one's jobs.
ifeq ($(MAKELEVEL),0)
MAKEFLAGS += -j$(shell nproc 2>/dev/null || echo 2)
endif

# V=1 shows each command; otherwise one short line per file made (none
# with make -s).
ifeq ($(V),1)
Q :=
quiet = @true
else
Q := @
quiet = @$(if $(findstring s,$(firstword -$(MAKEFLAGS))),true,printf '  %-8s %s\n' $(1) $(2))
endif

WARN  := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror
# Stricter for heapbook's own code (the harness, the profiler), not for the
# code students write and the tests measure: every function with external
# linkage has its declaration in a header (the interposed libc functions
# too: harness/core/internal.h), no name hides another, and formats are literal.
OWN_WARN := $(WARN) -Wmissing-prototypes -Wshadow -Wformat=2
# File names in debug info and stack reports relative to the repository.
# Clang leaves the compilation directory whole (it joins it to each file:
# "." reads as "./tests/...", which harness/support/report.c trims) and
# writes no address ranges table, without which libdw finds no line for an
# address.  Its default DWARF 5 is more than Debian 12's valgrind reads
# ("unhandled dwarf2 abbrev form", then no report at all): make valgrind
# needs DWARF 4.
PATHS := -ffile-prefix-map=$(CURDIR)/= $(if $(CLANG),-fdebug-compilation-dir=. -gdwarf-aranges -gdwarf-4)
# Each object also writes which headers it read (build/.../x.d), so a
# changed header rebuilds exactly what includes it.
DEPFLAGS = -MMD -MP

# Asked of pkg-config once, when a recipe first needs them (each sets
# itself on first use): not at every make's start, nor at every compile.
CUNIT_CFLAGS = $(eval CUNIT_CFLAGS := $(shell pkg-config --cflags cunit 2>/dev/null))$(CUNIT_CFLAGS)
CUNIT_LIBS   = $(eval CUNIT_LIBS := $(shell pkg-config --libs cunit 2>/dev/null || echo -lcunit))$(CUNIT_LIBS)

# The harness itself: optimised, hidden unless it is API (sealed:
# mk/harness.mk), and -fno-builtin so the compiler never turns the
# allocator's own code into calls to itself.  Frame pointers, as in the
# measured code: a test binary's stacks are walked by them
# (harness/core/stacks.c).
HARNESS_CFLAGS = $(OWN_WARN) $(PATHS) -O2 -g -fno-builtin -fno-omit-frame-pointer -pthread \
    -fvisibility=hidden \
    -Iharness/include $(CUNIT_CFLAGS) $(CFLAGS)

# Code under measurement (exercises, solutions, tests).  -fno-builtin stops
# the compiler from deleting malloc/free pairs or merging malloc+memset into
# calloc: every allocation written is an allocation counted.  No inlining
# and no sibling calls, so every function keeps its frame in a reported
# stack; frame pointers, so the stack is cheap to walk.  No identical-code
# folding: GCC's -O2 merges functions whose code is the same (two tests
# calling one helper), and a report through the merged copy names the
# other test and its line (tests/fixtures/identity_fixture.c).  Clang
# merges functions only when asked (-fmerge-functions); the linker folds
# none either (bfd ld cannot; gold and lld only with --icf).
NO_FOLDING := $(if $(CLANG),,-fno-ipa-icf)
MEASURED_CFLAGS = $(WARN) $(PATHS) -O2 -g -fno-builtin -fno-inline -fno-unroll-loops \
    -fno-optimize-sibling-calls -fno-omit-frame-pointer $(NO_FOLDING) -pthread \
    -Iharness/include $(CUNIT_CFLAGS) $(CFLAGS)

# AddressSanitizer and UBSan (make memcheck): undefined behaviour stops the
# test, as a memory error does.
SANITIZE := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
# GCC 12 with ASan warns that a variable of runner/child.c set before setjmp()
# and never changed after it "might be clobbered"; C guarantees such a
# variable, and the normal build agrees.
SANITIZE_CFLAGS := $(SANITIZE) $(if $(CLANG),,-Wno-clobbered)

# -rdynamic exports the harness's malloc & co. so that every library (libc,
# CUnit, libmimalloc itself) resolves them to the counting versions.  -z
# now binds every function at start-up: a first call resolved lazily would
# run the dynamic linker on the test's stack, as deep as this CPU's
# register state is large, and the stack figures would differ by machine.
TEST_LDFLAGS = -rdynamic -pthread -Wl,-z,now $(LDFLAGS)
TEST_LIBS    = $(CUNIT_LIBS) -lmimalloc -lunwind -ldw -ldl

# The packages every target needs, installed once (tools/install-deps.sh).
$(DEPS_OK): tools/install-deps.sh
	$(Q)tools/install-deps.sh
	$(Q)mkdir -p $(@D) && touch $@

# compile FLAGS: the recipe of one object, with its header dependencies.
define compile
	$(call quiet,CC,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) $(1) $(DEPFLAGS) -c $< -o $@
endef

# record_objects VARIABLE: the last line of a link's or an archive's recipe,
# whose objects are VARIABLE's, a list from the sources there are.  A
# deleted source leaves its object, and the link no newer object: $@.d
# records the list, and the link is remade when VARIABLE differs from it.
# tests/fixtures/moved_source/selftest.sh proves it.
define record_objects
	@printf 'ifneq ($$(strip $$(%s)),%s)\n%s: $$(SOURCE_CHANGED)\nendif\n' '$(1)' '$(strip $($(1)))' '$@' >$@.d
endef
# Named by a variable: a make without it (an older commit's, on the same
# build/) reads the records and adds nothing.
SOURCE_CHANGED := source-changed
.PHONY: source-changed
source-changed:

# archive: the recipe of one static library from its objects.
define archive
	$(call quiet,AR,$@)
	@mkdir -p $(@D)
	$(Q)rm -f $@ && $(AR) rcs $@ $(filter %.o,$^)
endef
