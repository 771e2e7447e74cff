# dalc - schema compiler for C.  See README.md.
#
#   make            build/dalc (generator) and build/libdal.a (runtime)
#   make generate   regenerate generated/ from schema/
#   make demo       build everything and run examples/demo.c (SQLite default)
#   make test       every test, under ASan+UBSan, with a private PostgreSQL
#   make valgrind   the suite without sanitizers, test binaries under valgrind
#   make tsan       the pool tests under ThreadSanitizer
#   make golden     rewrite the golden files (generated/) from the current generator
#   make fuzz       the libFuzzer targets: YAML and .sql front ends, PostgreSQL value decoders, engine round trip
#   make bench      benchmarks (not tests)
#   make install    PREFIX=/usr/local DESTDIR=  (docs/build.md)

CC      ?= cc
PREFIX  ?= /usr/local
PG_INC  := $(shell pg_config --includedir 2>/dev/null || echo /usr/include/postgresql)
WARN    := -std=c11 -Wall -Wextra -Wpedantic -Werror
OPT     ?= -O2 -g
CFLAGS  ?= $(OPT)
# SQLITE_SRC=path/sqlite3.c: build against that SQLite amalgamation (its
# sqlite3.h beside it) instead of the system libsqlite3; it is compiled with
# SQLITE_CFLAGS into libdal.a.  Use a build folder of its own (B=build/amalg).
SQLITE_SRC    ?=
SQLITE_CFLAGS ?= -DSQLITE_THREADSAFE=2 -DSQLITE_DEFAULT_MEMSTATUS=0 -DSQLITE_OMIT_DEPRECATED \
                 -DSQLITE_ENABLE_COLUMN_METADATA \
                 -DSQLITE_OMIT_SHARED_CACHE -DSQLITE_OMIT_LOAD_EXTENSION
ifneq ($(SQLITE_SRC),)
SQLITE_INC := -I$(dir $(abspath $(SQLITE_SRC)))
SQLITE_OBJ := $(B)/sqlite3/sqlite3.o
SQLITE_PIC_OBJ := $(B)/pic/sqlite3/sqlite3.o
LDLIBS_SQLITE :=
else
SQLITE_INC :=
SQLITE_OBJ :=
SQLITE_PIC_OBJ :=
LDLIBS_SQLITE := -lsqlite3
endif
ALL_CFLAGS = $(WARN) $(CFLAGS) -D_POSIX_C_SOURCE=200809L $(SQLITE_INC) -I$(PG_INC) -Iruntime -Igenerator
LDLIBS_RT  = -lpq $(LDLIBS_SQLITE) -lpthread -lm
LDLIBS_GEN = -lyaml $(LDLIBS_SQLITE) -lpq

# Sanitized build used by `make test`.
SAN_FLAGS = -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

B ?= build

GEN_DIRS := base front model sql check introspect emit cli
GEN_SRC  := $(foreach d,$(GEN_DIRS),$(wildcard generator/$(d)/*.c))
RT_SRC   := $(wildcard runtime/*.c)
TMPL     := $(sort $(wildcard templates/*.tmpl))
RT_FILES := $(sort $(wildcard runtime/*.c runtime/*.h))
GEN_OBJ  := $(GEN_SRC:%.c=$(B)/%.o) $(B)/templates_embed.o $(B)/runtime_embed.o
RT_OBJ   := $(RT_SRC:%.c=$(B)/%.o)

.PHONY: all generate demo test test-build test-bins valgrind tsan golden fuzz bench install clean check-generated fuzz-roundtrip-build
all: $(B)/dalc $(B)/libdal.a $(B)/dal_decimal.so

$(B)/%.o: %.c $(wildcard generator/*/*.h runtime/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

# Templates are compiled into the binary (see generator/embed/embed.c).
$(B)/embed: generator/embed/embed.c
	@mkdir -p $(B)
	$(CC) $(WARN) $(CFLAGS) $< -o $@
$(B)/templates_embed.c: $(B)/embed $(TMPL)
	$(B)/embed $(TMPL) > $@.tmp && mv $@.tmp $@
$(B)/templates_embed.o: $(B)/templates_embed.c generator/emit/template.h
	$(CC) $(ALL_CFLAGS) -c $< -o $@
# The runtime sources, written by `dalc runtime DIR` (generator/cli/runtime_cli.c).
$(B)/runtime_embed.c: $(B)/embed $(RT_FILES)
	$(B)/embed --runtime $(RT_FILES) > $@.tmp && mv $@.tmp $@
$(B)/runtime_embed.o: $(B)/runtime_embed.c generator/cli/runtime_files.h
	$(CC) $(ALL_CFLAGS) -c $< -o $@

# The SQLite loadable extension for other SQLite programs (ext/dal_decimal.c);
# without the sanitizers of CFLAGS: it is loaded into programs built without them.
$(B)/dal_decimal.so: ext/dal_decimal.c runtime/dal_codec.c runtime/dal_codec.h runtime/dal_sqlite_decimal.h
	@mkdir -p $(B)
	$(CC) $(WARN) -O2 -D_POSIX_C_SOURCE=200809L -Iruntime -fPIC -shared ext/dal_decimal.c \
	    runtime/dal_codec.c -o $@

$(B)/libdalc.a: $(GEN_OBJ)
	rm -f $@; ar rcs $@ $^
$(B)/libdal.a: $(RT_OBJ) $(SQLITE_OBJ)
	rm -f $@; ar rcs $@ $^
# the amalgamation: SQLite's own code, not held to the project's warnings
$(B)/sqlite3/sqlite3.o: $(SQLITE_SRC)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(SQLITE_CFLAGS) -c $< -o $@
$(B)/pic/sqlite3/sqlite3.o: $(SQLITE_SRC)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(SQLITE_CFLAGS) -fPIC -c $< -o $@
# dalc links the runtime too: `dalc migrate` applies migrations (runtime/dal_migrate.c).
$(B)/dalc: $(B)/generator/main.o $(B)/libdalc.a $(B)/libdal.a
	$(CC) $(CFLAGS) $^ $(LDLIBS_GEN) $(LDLIBS_RT) -o $@

generate: $(B)/dalc
	$(B)/dalc generate --schema schema --out generated

check-generated: $(B)/dalc
	$(B)/dalc check --schema schema --out generated

# ---- demo -------------------------------------------------------------
demo:
	tests/deps.sh
	$(MAKE) --no-print-directory all generate
	$(CC) $(ALL_CFLAGS) -Igenerated examples/demo.c generated/*.c $(B)/libdal.a $(LDLIBS_RT) -o $(B)/demo
	cd $(B) && ./demo

# ---- tests ------------------------------------------------------------
# Everything is rebuilt into build/san with sanitizers, then tests/run.sh
# starts a private PostgreSQL, runs every test binary and stops it.
TEST_SRC := $(sort $(wildcard tests/test_*.c))
PROBE_SRC := $(sort $(wildcard tests/probe_*.c))
test:
	tests/deps.sh test
	$(MAKE) --no-print-directory B=build/san CFLAGS="$(SAN_FLAGS)" test-build
	tests/run.sh build/san

# Tests see the code generated from schema/ by this very build in $(B)/gen
# (generated/ itself is compared with it by tests/run.sh).
test-build: $(B)/dalc $(B)/libdal.a $(B)/libdalc.a $(B)/dal_decimal.so
	$(B)/dalc generate --schema schema --out $(B)/gen
	$(B)/dalc generate --schema tests/probe_schema --out $(B)/probegen
	$(MAKE) --no-print-directory B=$(B) CFLAGS="$(CFLAGS)" test-bins

test-bins: $(B)/libgenerated.a $(TEST_SRC:tests/%.c=$(B)/tests/%) $(PROBE_SRC:tests/%.c=$(B)/tests/%)

$(B)/tests/%: tests/%.c $(wildcard tests/*.h) $(B)/libdalc.a $(B)/libdal.a $(B)/libgenerated.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Itests -I$(B)/gen $< $(B)/libgenerated.a $(B)/libdalc.a $(B)/libdal.a -lcmocka $(LDLIBS_GEN) $(LDLIBS_RT) -o $@

GENERATED_C = $(wildcard $(B)/gen/*.c)
$(B)/libgenerated.a: $(GENERATED_C)
	@mkdir -p $(B)/genobj
	set -e; for f in $(GENERATED_C); do $(CC) $(ALL_CFLAGS) -I$(B)/gen -c $$f -o $(B)/genobj/$$(basename $$f .c).o; done
	rm -f $@; ar rcs $@ $(B)/genobj/*.o

# Reliability probes (tests/probe_*.c, run by tests/check_probe_*.sh) use the
# probe schema tests/probe_schema, generated into $(B)/probegen.
PROBEGEN_C = $(wildcard $(B)/probegen/*.c)
$(B)/libprobegen.a: $(PROBEGEN_C)
	@mkdir -p $(B)/probegenobj
	set -e; for f in $(PROBEGEN_C); do $(CC) $(ALL_CFLAGS) -I$(B)/probegen -c $$f -o $(B)/probegenobj/$$(basename $$f .c).o; done
	rm -f $@; ar rcs $@ $(B)/probegenobj/*.o

$(B)/tests/probe_%: tests/probe_%.c tests/probe.h tests/testutil.h $(B)/libprobegen.a $(B)/libdal.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Itests -I$(B)/probegen $< $(B)/libprobegen.a $(B)/libdal.a -lcmocka $(LDLIBS_RT) -o $@

# The same suite without sanitizers, every test binary under valgrind memcheck.
valgrind:
	tests/deps.sh test
	$(MAKE) --no-print-directory B=build/vg CFLAGS="-O1 -g" test-build
	VALGRIND=1 tests/run.sh build/vg

# The pool tests under ThreadSanitizer, with a private PostgreSQL (tests/check_tsan.sh).
tsan:
	tests/deps.sh test
	DALC_ONLY=check_tsan tests/run.sh build/tsan

golden: $(B)/dalc
	tests/golden.sh $(B)/dalc update

# ---- fuzz -------------------------------------------------------------
FUZZ_SECONDS ?= 60
fuzz:
	$(MAKE) --no-print-directory B=build/fuzz CC=clang CFLAGS="-O1 -g -fsanitize=fuzzer-no-link,address,undefined" build/fuzz/libdalc.a
	clang $(WARN) -O1 -g -fsanitize=fuzzer,address,undefined -Igenerator -Iruntime fuzz/fuzz_yaml.c runtime/dal_calendar.c build/fuzz/libdalc.a -lyaml -o build/fuzz/fuzz_yaml
	mkdir -p build/fuzz/corpus
	build/fuzz/fuzz_yaml -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -timeout=5 -rss_limit_mb=1024 build/fuzz/corpus fuzz/seeds
	clang $(WARN) -O1 -g -fsanitize=fuzzer,address,undefined -Igenerator -Iruntime fuzz/fuzz_sql.c runtime/dal_calendar.c build/fuzz/libdalc.a -o build/fuzz/fuzz_sql
	mkdir -p build/fuzz/corpus_sql
	build/fuzz/fuzz_sql -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -timeout=5 -rss_limit_mb=1024 build/fuzz/corpus_sql fuzz/seeds_sql
	clang $(WARN) -O1 -g -fsanitize=fuzzer,address,undefined -Iruntime fuzz/fuzz_pgdecode.c runtime/dal_codec.c runtime/dal_calendar.c -o build/fuzz/fuzz_pgdecode
	mkdir -p build/fuzz/corpus_pgdecode
	build/fuzz/fuzz_pgdecode -max_total_time=$(FUZZ_SECONDS) -max_len=4096 -timeout=5 -rss_limit_mb=1024 build/fuzz/corpus_pgdecode fuzz/seeds_pgdecode
	$(MAKE) --no-print-directory fuzz-roundtrip-build
	fuzz/roundtrip.sh build/fuzz/fuzz_roundtrip $(FUZZ_SECONDS)

# Differential SQLite/PostgreSQL round trip of the probe table alltypes.
FUZZ_FLAGS = -O1 -g -fsanitize=fuzzer-no-link,address,undefined
fuzz-roundtrip-build:
	$(MAKE) --no-print-directory B=build/fuzz CC=clang CFLAGS="$(FUZZ_FLAGS)" build/fuzz/dalc build/fuzz/libdal.a
	build/fuzz/dalc generate --schema tests/probe_schema --out build/fuzz/probegen
	clang $(WARN) -O1 -g -fsanitize=fuzzer,address,undefined -D_POSIX_C_SOURCE=200809L -I$(PG_INC) -Iruntime -Ibuild/fuzz/probegen \
	    fuzz/fuzz_roundtrip.c build/fuzz/probegen/*.c build/fuzz/libdal.a $(LDLIBS_RT) -o build/fuzz/fuzz_roundtrip

# ---- bench ------------------------------------------------------------
bench: all
	DALC_B="$(B)" SQLITE_SRC="$(SQLITE_SRC)" bench/run.sh

# ---- install ----------------------------------------------------------
# make install [PREFIX=/usr/local] [DESTDIR=]: dalc, the runtime as a static
# and a shared library (soname libdal.so.$(SO_MAJOR)), its headers in
# include/dal/, dal.pc, the man pages, the bash completion, the JSON Schema
# of table and view files, the make fragment and the CMake package
# (docs/build.md).  `man dal_open` finds dal(3) through a link per function
# that dal(3) names.  Nothing
# outside $(DESTDIR)$(PREFIX) is touched, so any writable folder works.
# SO_MAJOR is the runtime version generated code checks (DAL_RUNTIME_VERSION).
SO_MAJOR   := $(shell sed -n 's/^\#define DAL_RUNTIME_VERSION \([0-9]*\)$$/\1/p' runtime/dal.h)
VERSION    := $(shell sed -n 's/^\#define DAL_VERSION_STRING "\(.*\)"$$/\1/p' runtime/dal.h)
SO_NAME    := libdal.so.$(SO_MAJOR)
SO_FILE    := $(SO_NAME).$(word 2,$(subst ., ,$(VERSION))).$(word 3,$(subst ., ,$(VERSION)))
RT_PIC_OBJ := $(RT_SRC:%.c=$(B)/pic/%.o)
MAN_PAGES  := $(sort $(wildcard man/*.[0-9]))
LIBDIR     ?= $(PREFIX)/lib
INCDIR     ?= $(PREFIX)/include/dal
DATADIR    ?= $(PREFIX)/share/dalc
MANDIR     ?= $(PREFIX)/share/man
CMAKEDIR   ?= $(LIBDIR)/cmake/dalc

.PHONY: shared
shared: $(B)/$(SO_FILE)
# tests/check_install.sh installs this very build
test-build: $(B)/$(SO_FILE)

$(B)/pic/%.o: %.c $(wildcard runtime/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -fPIC -c $< -o $@
$(B)/$(SO_FILE): $(RT_PIC_OBJ) $(SQLITE_PIC_OBJ)
	$(CC) $(CFLAGS) -shared -Wl,-soname,$(SO_NAME) $^ $(LDLIBS_RT) -o $@

install: all $(B)/$(SO_FILE)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(INCDIR) \
	    $(DESTDIR)$(DATADIR) $(DESTDIR)$(CMAKEDIR) $(addprefix $(DESTDIR)$(MANDIR)/man,1 3 5)
	install -m 755 $(B)/dalc $(DESTDIR)$(PREFIX)/bin/dalc
	install -m 644 $(B)/libdal.a $(DESTDIR)$(LIBDIR)/libdal.a
	install -m 755 $(B)/dal_decimal.so $(DESTDIR)$(LIBDIR)/dal_decimal.so
	install -m 755 $(B)/$(SO_FILE) $(DESTDIR)$(LIBDIR)/$(SO_FILE)
	ln -sf $(SO_FILE) $(DESTDIR)$(LIBDIR)/$(SO_NAME)
	ln -sf $(SO_NAME) $(DESTDIR)$(LIBDIR)/libdal.so
	install -m 644 runtime/dal.h runtime/dal_migrate.h $(DESTDIR)$(INCDIR)/
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@LIBDIR@|$(LIBDIR)|g' -e 's|@INCDIR@|$(INCDIR)|g' \
	    -e 's|@VERSION@|$(VERSION)|g' -e 's| -lsqlite3| $(LDLIBS_SQLITE)|' \
	    runtime/dal.pc.in > $(DESTDIR)$(LIBDIR)/pkgconfig/dal.pc
	install -m 644 integration/dalc.mk editor/dalc.schema.json $(DESTDIR)$(DATADIR)/
	sed -e 's|@VERSION@|$(VERSION)|g' integration/dalcConfigVersion.cmake.in > $(DESTDIR)$(CMAKEDIR)/dalcConfigVersion.cmake
	sed -e 's|@SO_FILE@|$(SO_FILE)|g' -e 's|@SO_NAME@|$(SO_NAME)|g' integration/dalcConfig.cmake.in > $(DESTDIR)$(CMAKEDIR)/dalcConfig.cmake
	set -e; for m in $(MAN_PAGES); do install -m 644 $$m $(DESTDIR)$(MANDIR)/man$${m##*.}/; done
	set -e; for n in $$(sed -n 's/^\.Nm \(dal_[a-z_]*\).*/\1/p' man/dal.3); do \
	    ln -sf dal.3 $(DESTDIR)$(MANDIR)/man3/$$n.3; done
	if $(B)/dalc completion bash > $(B)/dalc.bash 2>/dev/null; then \
	    install -d $(DESTDIR)$(PREFIX)/share/bash-completion/completions && \
	    install -m 644 $(B)/dalc.bash $(DESTDIR)$(PREFIX)/share/bash-completion/completions/dalc; fi

clean:
	rm -rf build
