# mk/profiler.mk: heapbook, its preloaded library, the flame graph page's
# assets, the profiler's test programs, and its fuzz target
# (docs/profiler.md).

BIN      := $(BUILD)/bin
HEAPBOOK := $(BIN)/heapbook
PRELOAD  := $(BUILD)/lib/libheapbook-preload.so

PROFILER_CFLAGS = $(WARN) $(PATHS) -O2 -g -Iharness -Iharness/include -Iprofiler $(CFLAGS)
$(BUILD)/obj/profiler/%.o: profiler/%.c | $(DEPS_OK)
	$(call compile,$(PROFILER_CFLAGS))
$(BUILD)/pic/obj/profiler/%.o: profiler/%.c | $(DEPS_OK)
	$(call compile,$(HARNESS_CFLAGS) -fPIC -Iharness)

# The preload: the harness's core and support, position-independent, and
# the recorder.
$(PRELOAD): $(BUILD)/pic/obj/profiler/preload.o $(BUILD)/pic/lib/libhb-support.a $(BUILD)/pic/lib/libhb-core.a
	$(call quiet,LINK,$@)
	$(Q)$(CC) -shared -pthread $< -Wl,--whole-archive $(filter %.a,$^) -Wl,--no-whole-archive \
	    -lmimalloc -lunwind -ldw $(LDFLAGS) -o $@

# The page's libraries come from npm (profiler/web/package-lock.json) and
# are built into heapbook (profiler/page_assets.S).
WEB_MODULES := profiler/web/node_modules/.installed
$(WEB_MODULES): profiler/web/package-lock.json | $(DEPS_OK)
	$(Q)npm ci --prefix profiler/web --no-audit --no-fund --loglevel=error
	@touch $@

$(BUILD)/obj/profiler/page_assets_S.o: profiler/page_assets.S profiler/web/page.html profiler/web/page.js $(WEB_MODULES)
	$(call quiet,AS,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) -c $< -o $@

CLI_OBJS := $(patsubst %.c,$(BUILD)/obj/%.o,$(filter-out profiler/preload.c,$(wildcard profiler/*.c))) \
    $(BUILD)/obj/profiler/page_assets_S.o
# Of the harness the command line needs only values as text (format.c):
# the archive gives the linker what is called.
$(HEAPBOOK): $(CLI_OBJS) $(BUILD)/lib/libhb-support.a | $(PRELOAD)
	$(call quiet,LINK,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) $^ -ldw -o $@

.PHONY: profiler web-assets
## make profiler         build build/bin/heapbook (docs/profiler.md)
profiler: $(HEAPBOOK) $(PRELOAD)
web-assets: $(WEB_MODULES)

# Programs with known heaps, for tests/profiler/check.sh.
PROFILER_TESTS := $(BUILD)/tests/profiler
PROFILER_TEST_PROGRAMS := $(PROFILER_TESTS)/peaks $(PROFILER_TESTS)/odd_names \
    $(PROFILER_TESTS)/uses_library_pie $(PROFILER_TESTS)/uses_library_nopie
$(PROFILER_TESTS)/libtestlib.so: tests/profiler/library.c | $(DEPS_OK)
	$(call quiet,LINK,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) $(MEASURED_CFLAGS) -fPIC -shared $< -o $@
$(PROFILER_TESTS)/uses_library_pie: tests/profiler/uses_library.c $(PROFILER_TESTS)/libtestlib.so
	$(call quiet,LINK,$@)
	$(Q)$(CC) $(MEASURED_CFLAGS) -fPIE -pie $< -L$(PROFILER_TESTS) -ltestlib -Wl,-rpath,'$$ORIGIN' -o $@
$(PROFILER_TESTS)/uses_library_nopie: tests/profiler/uses_library.c $(PROFILER_TESTS)/libtestlib.so
	$(call quiet,LINK,$@)
	$(Q)$(CC) $(MEASURED_CFLAGS) -fno-pie -no-pie $< -L$(PROFILER_TESTS) -ltestlib -Wl,-rpath,'$$ORIGIN' -o $@
$(PROFILER_TESTS)/%: tests/profiler/%.c | $(DEPS_OK)
	$(call quiet,LINK,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) $(MEASURED_CFLAGS) $< -o $@

PROFILER_BUILT := $(HEAPBOOK) $(PRELOAD) $(PROFILER_TEST_PROGRAMS)

## make fuzz             libFuzzer on the capture reader (FUZZ_SECONDS=60; needs clang)
FUZZ_SECONDS ?= 60
.PHONY: fuzz
fuzz:
	@command -v clang >/dev/null || { echo "make fuzz needs clang: apt-get install clang"; exit 1; }
	@mkdir -p $(BUILD)/fuzz
	clang -std=c11 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined -Iprofiler -Iharness \
	    -Iharness/include tests/profiler/fuzz_capture.c profiler/capture_reader.c profiler/replay.c \
	    profiler/addrmap.c -o $(BUILD)/fuzz/fuzz_capture
	$(BUILD)/fuzz/fuzz_capture -max_total_time=$(FUZZ_SECONDS) tests/profiler/corpus

# The flame graph page in headless Chromium (tests/web): on the sample
# captures there, and on exercise 01's real page and its diff against the
# solution; or on pages given: make test-web HEAPBOOK_PAGE=a.html[:b.html].
WEB_TEST := $(BUILD)/web-test
WEB_SAMPLES := $(WEB_TEST)/sample.html $(WEB_TEST)/sample-diff.html
HEAPBOOK_PAGE ?= $(WEB_TEST)/exercise01.html:$(WEB_TEST)/exercise01-diff.html:$(WEB_TEST)/sample.html:$(WEB_TEST)/sample-diff.html
$(WEB_TEST)/exercise01.html $(WEB_TEST)/exercise01-diff.html &: $(HEAPBOOK) $(PRELOAD) \
    $(BUILD)/exercises/01-fibonacci/program $(BUILD)/solutions/01-fibonacci/program
	@mkdir -p $(@D)
	$(HEAPBOOK) run -o $(WEB_TEST)/starter.hbcap $(BUILD)/exercises/01-fibonacci/program >/dev/null
	$(HEAPBOOK) run -o $(WEB_TEST)/solution.hbcap $(BUILD)/solutions/01-fibonacci/program >/dev/null
	$(HEAPBOOK) flamegraph -o $(WEB_TEST)/exercise01.html $(WEB_TEST)/starter.hbcap
	$(HEAPBOOK) flamegraph --diff $(WEB_TEST)/starter.hbcap $(WEB_TEST)/solution.hbcap -o $(WEB_TEST)/exercise01-diff.html

$(WEB_TEST)/%.html: tests/web/%-data.json tests/web/make-sample-page.mjs \
    profiler/web/page.html profiler/web/page.js $(WEB_MODULES)
	node tests/web/make-sample-page.mjs $< $@

.PHONY: test-web
## make test-web         the flame graph page in headless Chromium
test-web: $(WEB_SAMPLES) $(WEB_MODULES) $(WEB_TEST)/exercise01.html
	@tools/install-deps.sh --browser
	HEAPBOOK_PAGE='$(HEAPBOOK_PAGE)' node --test --test-reporter=tap tests/web/flamegraph.test.mjs
