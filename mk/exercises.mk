# mk/exercises.mk: each exercise's test binary and program, for the
# student's code (exercises/NN-name) and the reference (solutions/NN-name,
# which holds only the files that differ), normally and with the sanitizers.
#
#   build/VARIANT/NN-name/tests            the suite, linked with the sealed harness
#   build/VARIANT/NN-name/program          main.c, plain malloc: what heapbook run records
#   build/memcheck/VARIANT/NN-name/tests   the suite under ASan and UBSan

EXERCISES := $(sort $(notdir $(wildcard exercises/[0-9][0-9]-*)))
VARIANTS  := exercises solutions

# The exercise's sources but main.c, by file name: a solution's file
# replaces the starter's of the same name.
exercise_names = $(filter-out main.c,$(sort $(notdir $(wildcard exercises/$(1)/*.c solutions/$(1)/*.c))))
exercise_suite = tests/exercises/test_$(subst -,_,$(1)).c

# $(1): exercise; $(2): variant; $(3): tree ($(BUILD) or $(BUILD)/memcheck);
# $(4): extra flags
define exercise_objects
$(3)/$(2)/$(1)/obj/%.o: $(2)/$(1)/%.c | $(DEPS_OK)
	$$(call compile,$$(MEASURED_CFLAGS) $(4) -I$(2)/$(1) -Iexercises/$(1))
$(3)/$(2)/$(1)/obj/%.o: exercises/$(1)/%.c | $(DEPS_OK)
	$$(call compile,$$(MEASURED_CFLAGS) $(4) -I$(2)/$(1) -Iexercises/$(1))
$(3)/$(2)/$(1)/obj/suite.o: $(call exercise_suite,$(1)) | $(DEPS_OK)
	$$(call compile,$$(MEASURED_CFLAGS) $(4) -I$(2)/$(1) -Iexercises/$(1))
endef

# $(1): exercise; $(2): variant
define exercise_build
$(2)_$(1)_OBJS := $(patsubst %.c,$(BUILD)/$(2)/$(1)/obj/%.o,$(call exercise_names,$(1)))
$(eval $(call exercise_objects,$(1),$(2),$(BUILD)))
$(eval $(call exercise_objects,$(1),$(2),$(BUILD)/memcheck,$$(SANITIZE_CFLAGS)))

$(BUILD)/$(2)/$(1)/tests: $$($(2)_$(1)_OBJS) $(BUILD)/$(2)/$(1)/obj/suite.o $(HARNESS_SEALED)
	$$(call quiet,LINK,$$@)
	$(Q)$$(CC) $$(TEST_LDFLAGS) $$^ $$(TEST_LIBS) -o $$@

$(BUILD)/$(2)/$(1)/program: $$($(2)_$(1)_OBJS) $(BUILD)/$(2)/$(1)/obj/main.o
	$$(call quiet,LINK,$$@)
	$(Q)$$(CC) $$(LDFLAGS) $$^ -o $$@

$(BUILD)/memcheck/$(2)/$(1)/tests: $$(patsubst $(BUILD)/%,$(BUILD)/memcheck/%,$$($(2)_$(1)_OBJS)) \
    $(BUILD)/memcheck/$(2)/$(1)/obj/suite.o $(MEMCHECK_ARCHIVES)
	$$(call quiet,LINK,$$@)
	$(Q)$$(CC) $$(SANITIZE) $$(TEST_LDFLAGS) $$(filter %.o,$$^) $(MEMCHECK_LINK) \
	    $$(CUNIT_LIBS) -lunwind -ldw -ldl -o $$@
endef
$(foreach ex,$(EXERCISES),$(foreach variant,$(VARIANTS),$(eval $(call exercise_build,$(ex),$(variant)))))

STARTER_TESTS   := $(EXERCISES:%=$(BUILD)/exercises/%/tests)
SOLUTION_TESTS  := $(EXERCISES:%=$(BUILD)/solutions/%/tests)
PROGRAMS        := $(foreach variant,$(VARIANTS),$(EXERCISES:%=$(BUILD)/$(variant)/%/program))
MEMCHECK_SOLUTIONS := $(EXERCISES:%=$(BUILD)/memcheck/solutions/%/tests)
