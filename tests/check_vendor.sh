#!/usr/bin/env bash
# tests/check_vendor.sh BUILD - the generated C stands on its own:
#   1. every generated file compiles with the project's strict flags
#      (-std=c11 -Wall -Wextra -Wpedantic -Werror) under gcc and clang,
#      without and with --prefix;
#   2. with --prefix, every symbol the generated objects define starts with it;
#   3. vendoring: the generated files, runtime/*.{c,h} and a program
#      (examples/demo.c) copied into an empty folder build with the plain
#      `cc *.c -I$(pg_config --includedir) -lpq -lsqlite3` and run (SQLite);
#   4. the README's vendoring recipe, run as written in an empty project
#      (schema/ and app.c) with only the dalc binary: `dalc generate`,
#      `dalc runtime runtime`, one cc line over the two folders; the program
#      runs, and `dalc runtime --check` / `dalc check` pass.
# Run by tests/run.sh (every tests/check_*.sh) with cwd = repo root.
set -euo pipefail
build=${1:-build/san}
top=$(pwd)
work=${DALC_TEST_TMP:-$(mktemp -d)}/vendor
rm -rf "$work"; mkdir -p "$work"
pg_inc=$(pg_config --includedir 2>/dev/null || echo /usr/include/postgresql)
strict=(-std=c11 -Wall -Wextra -Wpedantic -Werror -D_POSIX_C_SOURCE=200809L)
fail=0
say() { echo "check_vendor: $*"; }

"$build/dalc" generate --schema schema --out "$work/gen"
"$build/dalc" generate --schema schema --out "$work/pgen" --prefix app_
# names that are C keywords, SQL keywords, or generated code's own locals
"$build/dalc" generate --schema tests/c_names/schema --out "$work/names"

# 1. strict flags, both compilers, both variants
for cc in gcc clang; do
    command -v "$cc" >/dev/null || { say "$cc not installed"; fail=1; continue; }
    for g in gen pgen names; do
        mkdir -p "$work/obj-$cc-$g"
        for f in "$work/$g"/*.c; do
            if ! "$cc" "${strict[@]}" -I"$top/runtime" -I"$work/$g" -c "$f" \
                -o "$work/obj-$cc-$g/$(basename "$f" .c).o"; then
                say "FAIL: $cc ${strict[*]} $g/$(basename "$f")"
                fail=1
            fi
        done
        # every header on its own (includes what it uses)
        for h in "$work/$g"/*.h; do
            if ! echo "#include \"$(basename "$h")\"" | "$cc" "${strict[@]}" -I"$top/runtime" \
                -I"$work/$g" -x c -fsyntax-only -; then
                say "FAIL: $cc: $g/$(basename "$h") does not compile on its own"
                fail=1
            fi
        done
    done
done
[ $fail = 0 ] && say "generated code compiles with gcc and clang under ${strict[*]}"

# 2. the prefix is on every defined symbol
if ls "$work"/obj-gcc-pgen/*.o >/dev/null 2>&1; then
    bad=$(nm -g --defined-only "$work"/obj-gcc-pgen/*.o | awk 'NF == 3 {print $3}' | grep -v '^app_' || true)
    if [ -n "$bad" ]; then
        say "FAIL: symbols without the prefix app_:"; echo "$bad"; fail=1
    else
        say "--prefix app_: every defined symbol starts with app_"
    fi
    if grep -hoE '\b(typedef (struct|enum) [a-z_0-9]+|#define [A-Za-z_0-9]+)' "$work"/pgen/*.h |
        grep -vE ' (app_|APP_|DALC_APP_)'; then
        say "FAIL: unprefixed type or macro names in headers above"; fail=1
    fi
fi

# 3. vendoring into an empty folder
v="$work/vendored"
mkdir -p "$v"
cp "$work"/gen/*.c "$work"/gen/*.h "$top"/runtime/*.c "$top"/runtime/*.h "$top"/examples/demo.c "$v"/
if (cd "$v" && cc *.c -I"$pg_inc" -lpq -lsqlite3 -o demo); then
    say "vendored build: cc *.c -I\$(pg_config --includedir) -lpq -lsqlite3 works"
    if (cd "$v" && env -u DATABASE_URL ./demo >demo.out 2>&1); then
        say "vendored demo ran on SQLite ($(grep -c . "$v/demo.out") lines of output)"
    else
        say "FAIL: vendored demo failed:"; cat "$v/demo.out"; fail=1
    fi
else
    say "FAIL: vendored build"; fail=1
fi
# Regression: a runtime file relied on the Makefile's -D_POSIX_C_SOURCE; the
# vendored sources must build under the strict flags alone, with both compilers.
for c in gcc clang; do
    if (cd "$v" && $c -std=c11 -Wall -Wextra -Wpedantic -Werror -I"$pg_inc" -c *.c && rm -f ./*.o); then
        say "vendored build with $c -std=c11 -Wall -Wextra -Wpedantic -Werror (no -D) works"
    else
        say "FAIL: vendored strict build with $c"; fail=1
    fi
done
# 4. the README's recipe, as written
p="$work/project"
mkdir -p "$p/bin"
cp -r "$top/schema" "$p/schema"
cp "$top/examples/demo.c" "$p/app.c"
cp "$build/dalc" "$p/bin/dalc" # only the binary: no runtime/ beside it
recipe=$(sed -n '/^## Vendoring/,/^## /p' "$top/README.md" | sed -n '/^```sh$/,/^```$/p' | grep -v '^```')
if [ -z "$recipe" ]; then
    say "FAIL: no sh block under ## Vendoring in README.md"; fail=1
elif (cd "$p" && PATH="$p/bin:$PATH" bash -euo pipefail -c "$recipe") >"$work/recipe.out" 2>&1; then
    say "README vendoring recipe works as written ($(echo "$recipe" | wc -l) commands)"
    if (cd "$p" && env -u DATABASE_URL ./app >app.out 2>&1); then
        say "the recipe's program ran on SQLite"
    else
        say "FAIL: the recipe's program failed:"; cat "$p/app.out"; fail=1
    fi
    (cd "$p" && bin/dalc runtime --check runtime && bin/dalc check --schema schema --out generated) ||
        { say "FAIL: dalc runtime --check / dalc check after the recipe"; fail=1; }
    diff -r "$top/runtime" "$p/runtime" -x '*.in' >/dev/null ||
        { say "FAIL: dalc runtime did not write the runtime of this tree"; fail=1; }
else
    say "FAIL: README vendoring recipe:"; echo "$recipe"; cat "$work/recipe.out"; fail=1
fi
exit $fail
