# mk/harness.mk: the harness (docs/harness.md), one archive per layer, each
# built on the ones below it: base <- core <- support <- runner.
#
#   build/lib/libhb-{base,core,support,runner}.a the harness's own tests,
#                                                bench; the profiler's CLI
#                                                links libhb-base.a alone
#   build/lib/heapbook.o                         the same, sealed: what the
#                                                exercises' tests link
#   build/pic/obj/harness/core/stacks.o          the profiler's preload
#                                                (mk/profiler.mk)
#   build/memcheck/lib/libhb-*.a                 with the sanitizers, which own
#                                                malloc (entry_points.c defines
#                                                none there)

HARNESS_LAYERS := base core support runner
harness_srcs = $(wildcard harness/$(1)/*.c)

# The allocation path (harness/core): its calls into mimalloc through the
# GOT, one jump fewer (every binary binds at start-up: -z now); no SLP
# vectorizing, which packs a block header's fields into vector registers
# and spends three instructions on two stores.  fast_paths.c alone keeps
# no frame pointer (docs/performance.md: what it saves): it reaches the
# rest of the core by tail calls only, which leave the caller's frame
# pointer in its register for the stack walk (stacks.c).
CORE_CFLAGS := -fno-plt -fno-tree-slp-vectorize
core_objects = $(foreach tree,obj pic/obj memcheck/obj,$(BUILD)/$(tree)/harness/core/$(1).o)
$(call core_objects,%): HARNESS_CFLAGS += $(CORE_CFLAGS)
$(call core_objects,fast_paths): HARNESS_CFLAGS += -fomit-frame-pointer

$(BUILD)/obj/harness/%.o: harness/%.c | $(DEPS_OK)
	$(call compile,$(HARNESS_CFLAGS))
$(BUILD)/pic/obj/harness/%.o: harness/%.c | $(DEPS_OK)
	$(call compile,$(HARNESS_CFLAGS) -fPIC)
$(BUILD)/memcheck/obj/harness/%.o: harness/%.c | $(DEPS_OK)
	$(call compile,$(HARNESS_CFLAGS) $(SANITIZE_CFLAGS))

# $(1): the tree (obj, pic/obj, memcheck/obj); $(2): its lib folder; $(3): layer
define harness_archive
$(2)_$(3)_OBJS := $(patsubst %.c,$(BUILD)/$(1)/%.o,$(call harness_srcs,$(3)))
$(BUILD)/$(2)/libhb-$(3).a: $$($(2)_$(3)_OBJS)
	$$(archive)
	$$(call record_objects,$(2)_$(3)_OBJS)
endef
$(foreach layer,$(HARNESS_LAYERS),$(eval $(call harness_archive,obj,lib,$(layer))))
$(foreach layer,$(HARNESS_LAYERS),$(eval $(call harness_archive,memcheck/obj,memcheck/lib,$(layer))))

# Whole archives, layer above first: every entry point and constructor is
# linked, not only those something happens to call.
harness_link = -Wl,--whole-archive $(foreach layer,runner support core base,$(BUILD)/$(1)/libhb-$(layer).a) -Wl,--no-whole-archive
HARNESS_ARCHIVES := $(foreach layer,$(HARNESS_LAYERS),$(BUILD)/lib/libhb-$(layer).a)
HARNESS_LINK     := $(call harness_link,lib)
MEMCHECK_ARCHIVES := $(foreach layer,$(HARNESS_LAYERS),$(BUILD)/memcheck/lib/libhb-$(layer).a)
MEMCHECK_LINK     := $(call harness_link,memcheck/lib)

# The sealed harness: every layer in one relocatable object whose hidden
# symbols are made local, so the code under test can reach heapbook.h's API
# and malloc & co., and nothing else of the harness (its guard, its scopes,
# its exclusions).
HARNESS_SEALED := $(BUILD)/lib/heapbook.o
$(HARNESS_SEALED): $(HARNESS_ARCHIVES)
	$(call quiet,SEAL,$@)
	$(Q)$(CC) -r -nostdlib -Wl,--whole-archive $^ -Wl,--no-whole-archive -o $@.all
	$(Q)objcopy --localize-hidden $@.all $@ && rm -f $@.all

.PHONY: harness
## make harness          build the harness's libraries (build/lib)
harness: $(HARNESS_ARCHIVES) $(HARNESS_SEALED)
