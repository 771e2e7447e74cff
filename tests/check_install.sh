#!/usr/bin/env bash
# tests/check_install.sh BUILD - `make install` of BUILD into a temporary
# DESTDIR with PREFIX=/usr/local (nothing outside DESTDIR may be written),
# checks the installed layout (binary, static and shared runtime with its
# soname, headers in include/dal/, dal.pc, man pages, JSON Schema, make
# fragment, CMake package), then builds the consumer project
# tests/consumer (one table, a main.c that inserts and gets a row on SQLite)
# from the installed tree four ways: the make fragment (shared and static
# runtime), CMake's find_package(dalc) + dalc_generate() (shared and
# static), and pkg-config.  Each program runs; a second build with nothing
# touched must not run dalc, a build after touching the YAML must.
set -euo pipefail
build=${1:-build/san}
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
tmp=${DALC_TEST_TMP:-$(mktemp -d /tmp/dalc-install.XXXXXX)}
# `make test` runs this from make: its flags are not the consumer's
unset MAKEFLAGS MFLAGS MAKELEVEL
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
ok() { echo "ok: $*"; }

dest=$tmp/dest
prefix=/usr/local
root=$dest$prefix
make --no-print-directory install B="$build" DESTDIR="$dest" PREFIX="$prefix" >"$tmp/install.log" 2>&1 ||
    { cat "$tmp/install.log"; echo "FAIL: make install"; exit 1; }

# Every absolute path the install commands write to is inside DESTDIR
# (sed expressions, which name PREFIX, are not destinations).
outside=$(grep -E '^(install|ln|sed)' "$tmp/install.log" | tr ' ' '\n' | grep '^/' | grep -v '|' |
    grep -v "^$dest" || true)
[ -z "$outside" ] && ok "make install writes only under DESTDIR" || fail "install paths outside DESTDIR: $outside"

for f in bin/dalc lib/libdal.a lib/libdal.so lib/libdal.so.1 include/dal/dal.h include/dal/dal_migrate.h \
    lib/pkgconfig/dal.pc share/dalc/dalc.mk share/dalc/dalc.schema.json \
    lib/cmake/dalc/dalcConfig.cmake lib/cmake/dalc/dalcConfigVersion.cmake \
    share/man/man1/dalc.1 share/man/man3/dal.3 share/man/man5/dalc-schema.5; do
    [ -e "$root/$f" ] || fail "not installed: $f"
done
if "$build/dalc" completion bash >/dev/null 2>&1; then
    [ -s "$root/share/bash-completion/completions/dalc" ] && ok "bash completion installed" ||
        fail "not installed: share/bash-completion/completions/dalc"
fi
real=$(readlink -f "$root/lib/libdal.so")
case "$(basename "$real")" in libdal.so.1.*.*) ok "libdal.so -> libdal.so.1 -> $(basename "$real")" ;;
    *) fail "libdal.so resolves to $real" ;; esac
soname=$(readelf -d "$real" | sed -n 's/.*Library soname: \[\(.*\)\]/\1/p')
[ "$soname" = libdal.so.1 ] && ok "soname $soname" || fail "soname '$soname'"
[ "$(readlink "$root/share/man/man3/dal_open.3")" = dal.3 ] && ok "man dal_open finds dal(3)" ||
    fail "share/man/man3/dal_open.3 is not a link to dal.3"
[ ! -e "$root/include/dal.h" ] || fail "dal.h installed outside include/dal/"

# The runtime of a sanitized build needs the sanitizers in the consumer too.
san=""
if nm "$build/libdal.a" 2>/dev/null | grep -c __asan_ >/dev/null; then  # (grep -q would cut nm's pipe)
    san="-fsanitize=address,undefined -fno-omit-frame-pointer"
fi
export LD_LIBRARY_PATH=$root/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}

run_app() { # what app
    if out=$("$2" "$tmp/$1.db" 2>&1) && [ "$out" = "note 1: from an installed dalc (done: no)" ]; then
        ok "$1: $out"
    else
        fail "$1: the consumer printed: $out"
    fi
}
needs_so() { # what app yes|no
    if readelf -d "$2" | grep -c 'NEEDED.*libdal\.so\.1' >/dev/null; then has=yes; else has=no; fi
    [ "$has" = "$3" ] && ok "$1: linked against libdal.so.1: $has" || fail "$1: linked against libdal.so.1: $has, expected $3"
}
# newest modification time of the generated files (they keep theirs when
# dalc finds nothing changed)
gen_times() { stat -c '%n %Y.%y' "$1"/*.c "$1"/*.h | sort; }

# ---- make, with the installed fragment ---------------------------------
mkb() { # dir what args...
    local d=$1 what=$2
    shift 2
    make --no-print-directory -C "$d" DALC_MK="$root/share/dalc/dalc.mk" \
        CFLAGS="-O1 -g $san" LDFLAGS="$san" "$@" >"$tmp/$what.log" 2>&1 ||
        { cat "$tmp/$what.log"; fail "$what: make failed"; return 1; }
}
for link in shared static; do
    d=$tmp/make-$link
    rm -rf "$d"
    cp -r tests/consumer "$d"
    rm -f "$d/CMakeLists.txt"
    mkb "$d" "make-$link" DALC_LINK=$link || continue
    grep -q 'bin/dalc generate' "$tmp/make-$link.log" || fail "make-$link: the first build did not run dalc"
    run_app "make-$link" "$d/app"
    needs_so "make-$link" "$d/app" "$([ $link = shared ] && echo yes || echo no)"
    before=$(gen_times "$d/generated")
    mkb "$d" "make-$link-again" DALC_LINK=$link || continue
    if grep -q 'dalc generate' "$tmp/make-$link-again.log" || grep -q '^cc\|-c ' "$tmp/make-$link-again.log"; then
        fail "make-$link: a build with nothing changed did work:"; cat "$tmp/make-$link-again.log"
    else ok "make-$link: nothing changed, nothing done"; fi
    sleep 1.1
    touch "$d/schema/notes.yaml"
    mkb "$d" "make-$link-touched" DALC_LINK=$link || continue
    grep -q 'dalc generate' "$tmp/make-$link-touched.log" && ok "make-$link: touched YAML, dalc ran" ||
        fail "make-$link: touching the YAML did not run dalc"
    [ "$(gen_times "$d/generated")" = "$before" ] && ok "make-$link: unchanged output kept its times" ||
        fail "make-$link: dalc rewrote unchanged files"
    sed -i 's/max_length: 200/max_length: 300/' "$d/schema/notes.yaml"
    mkb "$d" "make-$link-edited" DALC_LINK=$link || continue
    grep -q 'generated/notes.c' "$tmp/make-$link-edited.log" && ok "make-$link: edited YAML, notes.c compiled again" ||
        fail "make-$link: editing the YAML did not rebuild notes.c"
    run_app "make-$link-edited" "$d/app"
done

# ---- CMake, with find_package(dalc) -------------------------------------
if command -v cmake >/dev/null; then
    for link in OFF ON; do
        what=cmake-static-$link
        d=$tmp/$what
        rm -rf "$d"
        cp -r tests/consumer "$d"
        rm -f "$d/Makefile"
        cmb() { cmake --build "$d/b" >"$tmp/$what-$1.log" 2>&1 || { cat "$tmp/$what-$1.log"; fail "$what: build failed"; return 1; }; }
        if ! cmake -S "$d" -B "$d/b" -DCMAKE_PREFIX_PATH="$root" -DDALC_LINK_STATIC=$link \
            -DCMAKE_C_FLAGS="-O1 -g $san" -DCMAKE_EXE_LINKER_FLAGS="$san" >"$tmp/$what-configure.log" 2>&1; then
            cat "$tmp/$what-configure.log"; fail "$what: configure failed"; continue
        fi
        cmb 1 || continue
        run_app "$what" "$d/b/app"
        needs_so "$what" "$d/b/app" "$([ $link = OFF ] && echo yes || echo no)"
        before=$(gen_times "$d/b/consumer_schema_dalc")
        cmb 2 || continue
        if grep -q 'dalc: generating\|Building C' "$tmp/$what-2.log"; then
            fail "$what: a build with nothing changed did work:"; cat "$tmp/$what-2.log"
        else ok "$what: nothing changed, nothing done"; fi
        sleep 1.1
        touch "$d/schema/notes.yaml"
        cmb 3 || continue
        grep -q 'dalc: generating' "$tmp/$what-3.log" && ok "$what: touched YAML, dalc ran" ||
            fail "$what: touching the YAML did not run dalc"
        [ "$(gen_times "$d/b/consumer_schema_dalc")" = "$before" ] && ok "$what: unchanged output kept its times" ||
            fail "$what: dalc rewrote unchanged files"
        sed -i 's/max_length: 200/max_length: 300/' "$d/schema/notes.yaml"
        cmb 4 || continue
        grep -q 'notes.c.o' "$tmp/$what-4.log" && ok "$what: edited YAML, notes.c compiled again" ||
            fail "$what: editing the YAML did not rebuild notes.c"
        run_app "$what-edited" "$d/b/app"
    done
else
    fail "cmake is not installed (tests/deps.sh test installs it)"
fi

# ---- pkg-config ---------------------------------------------------------
d=$tmp/pkgconfig
rm -rf "$d" && mkdir -p "$d"
"$root/bin/dalc" generate --schema tests/consumer/schema --out "$d/gen"
flags=$(PKG_CONFIG_PATH=$root/lib/pkgconfig PKG_CONFIG_SYSROOT_DIR=$dest pkg-config --cflags --libs dal)
case "$flags" in *"-I$root/include/dal"*"-ldal"*) ok "pkg-config: $flags" ;; *) fail "pkg-config: $flags" ;; esac
# shellcheck disable=SC2086
if cc -std=c11 -Wall -Wextra -Werror -O1 -g $san -iquote "$d/gen" tests/consumer/main.c "$d"/gen/*.c $flags -o "$d/app"; then
    run_app pkgconfig "$d/app"
else
    fail "pkg-config: the consumer does not compile with pkg-config --cflags --libs dal"
fi

[ "$fails" -eq 0 ] && echo "check_install: all passed" || echo "check_install: $fails failure(s)"
[ "$fails" -eq 0 ]
