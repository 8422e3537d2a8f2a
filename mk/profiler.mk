# mk/profiler.mk: heapbook, its preloaded library, the flame graph page's
# assets, the profiler's test programs, and its fuzz target
# (docs/profiler.md).

BIN      := $(BUILD)/bin
HEAPBOOK := $(BIN)/heapbook
PRELOAD  := $(BUILD)/lib/libheapbook-preload.so
PRELOAD_MIMALLOC := $(BUILD)/lib/libheapbook-preload-mimalloc.so

PROFILER_CFLAGS = $(OWN_WARN) $(PATHS) -O2 -g -Iharness -Iharness/include -Iprofiler $(CFLAGS)
$(BUILD)/obj/profiler/%.o: profiler/%.c | $(DEPS_OK)
	$(call compile,$(PROFILER_CFLAGS))

# The preload: its hooks, its recorder and its end of the channel, with the
# harness's stack capture (harness/core/stacks.c and the pages its table
# lives in, nothing else of the core: no interposer); hidden symbols but
# the hooks.  -z defs: a symbol of the core left out is a link error here,
# not a "symbol lookup error" in the program it measures.  Two builds of the hooks: over the
# program's own allocator, and over mimalloc (heapbook run --mimalloc).
PRELOAD_CFLAGS = $(OWN_WARN) $(PATHS) -O2 -g -fno-builtin -pthread -fPIC -fvisibility=hidden \
    -Iharness -Iharness/include -Iprofiler $(CFLAGS)
$(BUILD)/pic/obj/profiler/%.o: profiler/%.c | $(DEPS_OK)
	$(call compile,$(PRELOAD_CFLAGS))
$(BUILD)/pic/obj/profiler/preload/hooks-mimalloc.o: profiler/preload/hooks.c | $(DEPS_OK)
	$(call compile,$(PRELOAD_CFLAGS) -DHEAPBOOK_FORWARD_TO_MIMALLOC)
PRELOAD_OBJS := $(BUILD)/pic/obj/profiler/preload/recorder.o $(BUILD)/pic/obj/profiler/preload/exec_hooks.o \
    $(BUILD)/pic/obj/profiler/preload/stack_memo.o $(BUILD)/pic/obj/profiler/channel.o \
    $(BUILD)/pic/obj/harness/core/stacks.o
define link_preload
	$(call quiet,LINK,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) -shared -pthread -Wl,-z,defs $^ $(1) -lunwind -ldl $(LDFLAGS) -o $@
endef
$(PRELOAD): $(BUILD)/pic/obj/profiler/preload/hooks.o $(PRELOAD_OBJS)
	$(call link_preload,)
$(PRELOAD_MIMALLOC): $(BUILD)/pic/obj/profiler/preload/hooks-mimalloc.o $(PRELOAD_OBJS)
	$(call link_preload,-lmimalloc)

# The page's libraries come from npm (profiler/web/package-lock.json) and
# are built into heapbook (profiler/page_assets.S).
WEB_MODULES := profiler/web/node_modules/.installed
$(WEB_MODULES): profiler/web/package-lock.json | $(DEPS_OK)
	$(Q)npm ci --prefix profiler/web --no-audit --no-fund --loglevel=error
	@touch $@

$(BUILD)/obj/profiler/page_assets_S.o: profiler/page_assets.S profiler/web/page.html profiler/web/model.js \
    profiler/web/page.js $(WEB_MODULES)
	$(call quiet,AS,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) -c $< -o $@

CLI_OBJS := $(patsubst %.c,$(BUILD)/obj/%.o,$(wildcard profiler/*.c)) \
    $(BUILD)/obj/profiler/page_assets_S.o
# Of the harness the command line needs only its base: values as text.
$(HEAPBOOK): $(CLI_OBJS) $(BUILD)/lib/libhb-base.a | $(PRELOAD) $(PRELOAD_MIMALLOC)
	$(call quiet,LINK,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) $(filter-out source-changed,$^) -ldw -lelf -lzstd -lz -lstdc++ -o $@
	$(call record_objects,CLI_OBJS)

.PHONY: profiler web-assets
## make profiler         build build/bin/heapbook (docs/profiler.md)
profiler: $(HEAPBOOK) $(PRELOAD) $(PRELOAD_MIMALLOC)
web-assets: $(WEB_MODULES)

# Programs with known heaps, for tests/profiler/check.sh: each one's
# comment says what it tests and what its figures are.
PROFILER_TESTS := $(BUILD)/tests/profiler
PROFILER_TEST_PROGRAMS := $(addprefix $(PROFILER_TESTS)/,peaks odd_names closes_descriptors \
    ends_early recursion forks threads preinit temporary uses_library_pie uses_library_nopie uses_constructor \
    uses_stripped cplusplus peaks_static craft_capture rebuilt_first rebuilt_second random_pairs addrmap_check \
    transcoder_check)
$(PROFILER_TESTS)/lib%.so: tests/profiler/%.c | $(DEPS_OK)
	$(call quiet,LINK,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) $(MEASURED_CFLAGS) -fPIC -shared $< -o $@
# Only its exported symbols left, in .dynsym.
$(PROFILER_TESTS)/libstripped_library.so: tests/profiler/stripped_library.c | $(DEPS_OK)
	$(call quiet,LINK,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) $(MEASURED_CFLAGS) -fPIC -shared $< -o $@ && strip --strip-all $@
# link_with_library LIBRARY: a program that links build/tests/profiler/libLIBRARY.so.
define link_with_library
	$(call quiet,LINK,$@)
	$(Q)$(CC) $(MEASURED_CFLAGS) $(2) $< -L$(PROFILER_TESTS) -l$(1) -Wl,-rpath,'$$ORIGIN' -o $@
endef
$(PROFILER_TESTS)/uses_library_pie: tests/profiler/uses_library.c $(PROFILER_TESTS)/libtestlib.so
	$(call link_with_library,testlib,-fPIE -pie)
$(PROFILER_TESTS)/uses_library_nopie: tests/profiler/uses_library.c $(PROFILER_TESTS)/libtestlib.so
	$(call link_with_library,testlib,-fno-pie -no-pie)
$(PROFILER_TESTS)/uses_constructor: tests/profiler/uses_constructor.c $(PROFILER_TESTS)/libconstructor_library.so
	$(call link_with_library,constructor_library,)
$(PROFILER_TESTS)/uses_stripped: tests/profiler/uses_stripped.c $(PROFILER_TESTS)/libstripped_library.so
	$(call link_with_library,stripped_library,)
# C++ with inlining, so that inlined calls are frames to find; clang++,
# since clang is installed and g++ need not be.
$(PROFILER_TESTS)/cplusplus: tests/profiler/cplusplus.cc | $(DEPS_OK)
	$(call quiet,LINK,$@)
	@mkdir -p $(@D)
	$(Q)clang++ -std=c++17 -O2 -g -gdwarf-aranges -ffile-prefix-map=$(CURDIR)/= -fdebug-compilation-dir=. \
	    -fno-omit-frame-pointer $< -o $@
$(PROFILER_TESTS)/peaks_static: tests/profiler/peaks.c | $(DEPS_OK)
	$(call quiet,LINK,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) $(MEASURED_CFLAGS) -static $< -o $@
# The bench's program of random (size, stack) pairs, for the size of a
# capture that counts events by tick (check.sh).
$(PROFILER_TESTS)/random_pairs: bench/tenmillion.c | $(DEPS_OK)
	$(call quiet,LINK,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) $(MEASURED_CFLAGS) -fno-inline $< -o $@
# The headers too: a new capture format must rebuild it (it writes the header).
$(PROFILER_TESTS)/craft_capture: tests/profiler/craft_capture.c profiler/capture_file.c \
    profiler/output_file.c profiler/capture.h profiler/capture_file.h | $(DEPS_OK)
	$(call quiet,LINK,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) $(PROFILER_CFLAGS) $(filter %.c,$^) -lzstd -o $@
$(PROFILER_TESTS)/addrmap_check: tests/profiler/addrmap_check.c profiler/addrmap.c \
    profiler/addrmap.h | $(DEPS_OK)
	$(call quiet,LINK,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) $(PROFILER_CFLAGS) $(filter %.c,$^) -o $@
$(PROFILER_TESTS)/transcoder_check: tests/profiler/transcoder_check.c profiler/transcoder.c \
    profiler/addrmap.c profiler/array.c profiler/records.c profiler/transcoder.h profiler/capture.h \
    | $(DEPS_OK)
	$(call quiet,LINK,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) $(PROFILER_CFLAGS) $(filter %.c,$^) -o $@
# One program built twice, the second with other code (another build-id):
# check.sh copies each in turn to one path.
$(PROFILER_TESTS)/rebuilt_first $(PROFILER_TESTS)/rebuilt_second: tests/profiler/rebuilt.c | $(DEPS_OK)
	$(call quiet,LINK,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) $(MEASURED_CFLAGS) $(if $(findstring second,$@),-DREBUILT) $< -o $@
$(PROFILER_TESTS)/%: tests/profiler/%.c | $(DEPS_OK)
	$(call quiet,LINK,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) $(MEASURED_CFLAGS) $< -o $@

PROFILER_BUILT := $(HEAPBOOK) $(PRELOAD) $(PRELOAD_MIMALLOC) $(PROFILER_TEST_PROGRAMS)

## make fuzz             libFuzzer on every command that reads a capture (FUZZ_RUNS=10000000)
# Built with clang, AddressSanitizer and UBSan from the same sources as
# heapbook (its main() aside); the corpus, regression inputs included, is
# tests/profiler/corpus/, and new inputs found go to build/fuzz/corpus.
FUZZ_RUNS ?= 10000000
FUZZ := $(BUILD)/fuzz/fuzz_capture
FUZZ_SOURCES := tests/profiler/fuzz_capture.c $(filter-out profiler/heapbook.c,$(wildcard profiler/*.c)) \
    profiler/page_assets.S harness/base/format.c
$(FUZZ): $(FUZZ_SOURCES) $(wildcard profiler/*.h) profiler/web/page.html profiler/web/model.js \
    profiler/web/page.js $(WEB_MODULES) | $(DEPS_OK)
	$(call quiet,FUZZ,$@)
	@mkdir -p $(@D)
	$(Q)clang -std=c11 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined \
	    -fno-sanitize-recover=undefined -Iprofiler -Iharness -Iharness/include $(FUZZ_SOURCES) \
	    -ldw -lelf -lzstd -lz -lstdc++ -o $@
.PHONY: fuzz
fuzz: $(FUZZ)
	@mkdir -p $(BUILD)/fuzz/corpus
	$(FUZZ) -runs=$(FUZZ_RUNS) -max_len=65536 -timeout=10 -rss_limit_mb=2048 -close_fd_mask=3 \
	    -print_final_stats=1 $(BUILD)/fuzz/corpus tests/profiler/corpus

# The flame graph page in headless Chromium (tests/web): on the sample
# captures there, and on exercise 01's real page, its diff against the
# solution, and a --follow-fork run's page; or on pages given: make
# test-web HEAPBOOK_PAGE=a.html[:b.html].
WEB_TEST := $(BUILD)/web-test
WEB_SAMPLES := $(WEB_TEST)/sample.html $(WEB_TEST)/sample-diff.html $(WEB_TEST)/sample-processes.html
WEB_REAL := $(WEB_TEST)/exercise01.html $(WEB_TEST)/exercise01-diff.html $(WEB_TEST)/exercise01-processes.html
HEAPBOOK_PAGE ?= $(subst $(space),:,$(WEB_REAL) $(WEB_SAMPLES))
space := $(subst ,, )
$(WEB_REAL) &: $(HEAPBOOK) $(PRELOAD) $(BUILD)/exercises/01-fibonacci/program \
    $(BUILD)/solutions/01-fibonacci/program
	@mkdir -p $(@D) $(WEB_TEST)/processes
	$(HEAPBOOK) run -o $(WEB_TEST)/starter.hbcap $(BUILD)/exercises/01-fibonacci/program >/dev/null
	$(HEAPBOOK) run -o $(WEB_TEST)/solution.hbcap $(BUILD)/solutions/01-fibonacci/program >/dev/null
	rm -f $(WEB_TEST)/processes/*
	$(HEAPBOOK) run --follow-fork -o $(WEB_TEST)/processes/sh.hbcap sh -c \
	    '$(BUILD)/exercises/01-fibonacci/program; $(BUILD)/solutions/01-fibonacci/program' >/dev/null
	$(HEAPBOOK) flamegraph -o $(WEB_TEST)/exercise01.html $(WEB_TEST)/starter.hbcap
	$(HEAPBOOK) flamegraph --diff $(WEB_TEST)/starter.hbcap $(WEB_TEST)/solution.hbcap -o $(WEB_TEST)/exercise01-diff.html
	$(HEAPBOOK) flamegraph -o $(WEB_TEST)/exercise01-processes.html $(WEB_TEST)/processes/sh.hbcap*

$(WEB_TEST)/%.html: tests/web/%-data.json tests/web/make-sample-page.mjs \
    profiler/web/page.html profiler/web/model.js profiler/web/page.js $(WEB_MODULES)
	node tests/web/make-sample-page.mjs $< $@

.PHONY: test-web
## make test-web         the flame graph page in headless Chromium
test-web: $(WEB_SAMPLES) $(WEB_MODULES) $(WEB_REAL)
	@tools/install-deps.sh --browser
	HEAPBOOK_PAGE='$(HEAPBOOK_PAGE)' node --test --test-reporter=tap tests/web/flamegraph.test.mjs

# The pictures of the flame graph page in the lessons (docs/images/): the
# browser test above takes them, on the page of each exercise's program
# tools/screenshots.py names; make check fails when what a picture was made
# from (the page's sources, the test, the capture's stacks and bytes) has
# changed since.
.PHONY: screenshots
## make screenshots      instructors: take the lessons' pictures of the flame graph
##                       page again (docs/images/), after the page or a program changed
screenshots: $(HEAPBOOK) $(PRELOAD) $(WEB_MODULES) $(patsubst %,$(BUILD)/exercises/%/program,$(if \
    $(EXERCISE_FILES_ONLY),,$(shell tools/screenshots.py exercises 2>/dev/null)))
	@tools/install-deps.sh --browser
	tools/screenshots.py make
