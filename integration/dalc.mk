# dalc.mk - use dalc from a GNU make project (installed by `make install` of
# dalc into PREFIX/share/dalc/; see docs/build.md).
#
#     DALC_SCHEMA := schema             # the schema folder (*.yaml, *.yml, *.sql)
#     DALC_OUT    := generated          # where dalc writes the C code
#     include /usr/local/share/dalc/dalc.mk
#
#     app: main.o $(DALC_OBJS)
#     	$(CC) $(LDFLAGS) -o $@ $^ $(DALC_LDLIBS)
#     main.o: CPPFLAGS += $(DALC_CFLAGS)
#     main.o: $(DALC_OUT)/schema.h
#
# `dalc generate` runs while make reads the makefiles, only when a schema
# file, a migration's SQL or the dalc binary is newer than the last run, or
# when a schema file was added or removed.  dalc keeps the modification time
# of every file whose content did not change, so only the objects of changed
# files are compiled again.  Then make reads the list of generated .c files
# (DALC_SRCS) and goes on with it.
#
# Settings (set them before the include):
#   DALC_SCHEMA      the schema folder (default: schema)
#   DALC_OUT         the output folder (default: generated)
#   DALC_MIGRATIONS  the migrations folder (default: dalc's own default,
#                    `migrations` beside the schema folder, when it exists)
#   DALC_FLAGS       more options of `dalc generate` (--prefix P, --templates DIR,
#                    --verify URL)
#   DALC_BUILD       objects, dependency files and bookkeeping (default: .dalc)
#   DALC_LINK        shared (default: libdal.so) or static (libdal.a and the
#                    engine libraries)
#   DALC             the dalc binary (default: the one installed beside this file)
# Provided:
#   DALC_SRCS        the generated .c files
#   DALC_OBJS        their objects (in DALC_BUILD), compiled with DALC_CFLAGS
#   DALC_CFLAGS      -I for dal.h and -iquote for the output folder
#   DALC_LDLIBS      the runtime to link with (after the objects)
#   dalc-generate    a target that runs `dalc generate` now, whatever the times
#   dalc-clean       removes DALC_BUILD (never the output folder)

# The includer's first target stays the default goal.
_dalc_goal      := $(.DEFAULT_GOAL)
DALC_HOME       := $(abspath $(dir $(lastword $(MAKEFILE_LIST)))/../..)
DALC            ?= $(DALC_HOME)/bin/dalc
DALC_SCHEMA     ?= schema
DALC_OUT        ?= generated
DALC_BUILD      ?= .dalc
DALC_FLAGS      ?=
DALC_LINK       ?= shared
DALC_MIGRATIONS ?=

DALC_CFLAGS := -I$(DALC_HOME)/include/dal -iquote $(DALC_OUT)
ifeq ($(DALC_LINK),static)
DALC_LDLIBS := $(DALC_HOME)/lib/libdal.a -lpq -lsqlite3 -lpthread -lm
else
DALC_LDLIBS := -L$(DALC_HOME)/lib -ldal
endif

# The schema folder without a trailing '/', and the migrations folder dalc
# reads (its own default: `migrations` beside the schema folder).
_dalc_schema  := $(patsubst %/,%,$(DALC_SCHEMA))
_dalc_migdir  := $(or $(DALC_MIGRATIONS),$(patsubst %/,%,$(dir $(_dalc_schema)))/migrations)
DALC_INPUTS   := $(sort $(wildcard $(_dalc_schema)/*.yaml $(_dalc_schema)/*.yml \
                                   $(_dalc_schema)/*.sql $(_dalc_migdir)/*/*.sql))
_dalc_command  = $(DALC) generate --schema $(_dalc_schema) --out $(DALC_OUT) \
                 $(if $(DALC_MIGRATIONS),--migrations $(DALC_MIGRATIONS)) $(DALC_FLAGS)

.PHONY: dalc-generate dalc-clean _dalc_force
dalc-generate:
	$(_dalc_command)
dalc-clean:
	rm -rf $(DALC_BUILD)

# sources.mk records the generated .c files and the inputs they came from;
# make remakes it (running dalc) before anything else when it is older than
# an input, and reads it again.  A schema file added or removed since (the
# recorded list differs) also makes it stale.  Not for `make dalc-clean`.
ifeq ($(filter dalc-clean,$(MAKECMDGOALS)),)
include $(DALC_BUILD)/sources.mk
endif
_dalc_stale := $(if $(filter-out $(_dalc_inputs_was),$(DALC_INPUTS))$(filter-out $(DALC_INPUTS),$(_dalc_inputs_was)),_dalc_force)

$(DALC_BUILD)/sources.mk: $(DALC_INPUTS) $(wildcard $(DALC)) $(_dalc_stale)
	@mkdir -p $(DALC_BUILD)
	$(_dalc_command)
	@{ echo '_dalc_inputs_was := $(DALC_INPUTS)'; \
	   echo 'DALC_SRCS := $$(sort $$(wildcard $(DALC_OUT)/*.c))'; } > $@.tmp && mv $@.tmp $@

DALC_OBJS := $(patsubst $(DALC_OUT)/%.c,$(DALC_BUILD)/%.o,$(DALC_SRCS))

$(DALC_BUILD)/%.o: $(DALC_OUT)/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(DALC_CFLAGS) $(CFLAGS) -MMD -MP -c $< -o $@

-include $(DALC_OBJS:.o=.d)

.DEFAULT_GOAL := $(_dalc_goal)
