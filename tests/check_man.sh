#!/usr/bin/env bash
# tests/check_man.sh BUILD - the man pages in man/ (installed by make install
# into PREFIX/share/man):
#   - dalc(1), dal(3) and dalc-schema(5) exist, and each renders without a
#     warning: mandoc -Tlint (warnings and errors; its style notes depend on
#     which other manuals the machine has), groff -ww -z -mandoc, man -l;
#   - every command, subcommand and option that BUILD/dalc accepts appears in
#     dalc(1): the words of the usage lines of `dalc --help` and of
#     `dalc COMMAND --help` for each command, every --option of those texts,
#     and every "--option" string in the CLI's sources;
#   - every environment variable the code reads (getenv) is in dalc(1) or dal(3).
set -uo pipefail
build=${1:-build/san}
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
dalc=$build/dalc
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

for m in man/dalc.1 man/dal.3 man/dalc-schema.5; do
    [ -f "$m" ] || { fail "$m is missing"; continue; }
    out=$(mandoc -Tlint -W warning "$m" 2>&1) || true
    [ -z "$out" ] && echo "ok: mandoc -Tlint $m" || fail "mandoc -Tlint $m: $out"
    out=$(groff -ww -z -mandoc "$m" 2>&1) || true
    [ -z "$out" ] && echo "ok: groff -ww -z $m" || fail "groff -ww $m: $out"
    out=$(MANPAGER=cat MANWIDTH=80 man --warnings -l "$m" 2>&1 >/dev/null) || fail "man -l $m failed"
    [ -z "$out" ] && echo "ok: man -l $m" || fail "man -l $m: $out"
done

# The text of a page as a reader sees it (no overstrike, one long line per
# paragraph so that nothing is split).
render() { mandoc -Tascii -O width=1000 "$1" 2>/dev/null | col -b; }
page=$(render man/dalc.1)
runtime_page=$(render man/dal.3)

help=$("$dalc" --help 2>&1) || fail "dalc --help exits $?"
texts=$help
# The commands, as the help shows them: the first word after "dalc" on the
# usage lines ("usage: dalc generate ..." and the indented "dalc ..."
# lines), and the lower-case words that start each line of a "commands:"
# section ("  migrate up [N]   apply ...").
usage_re='^(usage:[[:space:]]*|[[:space:]]+)dalc '
commands=$( (printf '%s\n' "$help" | grep -E "$usage_re" | sed -E "s/$usage_re//" | grep -oE '^[a-z][a-z-]*'
    printf '%s\n' "$help" | awk '/^[a-z ]*commands:$/ {on = 1; next} /^[^ ]/ || /^$/ {on = 0} on' |
        grep -E '^  [a-z]' | sed -E 's/^ +//; s/  .*//' | grep -oE '^[a-z][a-z-]*( [a-z][a-z-]*)*' | tr ' ' '+') | sort -u)
[ -n "$commands" ] || fail "no commands found in dalc --help"
words=""
for c in $commands; do
    words+=" ${c//+/ }"
    # shellcheck disable=SC2086
    if chelp=$("$dalc" ${c//+/ } --help 2>&1); then
        texts+=$'\n'$chelp
    fi
done
# every lower-case word of every usage line (commands, subcommands) and of
# the command names
words=$( (echo $words | tr ' ' '\n'; printf '%s\n' "$texts" | grep -E "$usage_re" |
    sed -E 's/usage://; s/--[a-z-]*//g' | grep -oE '\b[a-z][a-z_]+\b') | sort -u)
for w in $words; do
    grep -qw -- "$w" <<<"$page" || fail "dalc(1) does not mention '$w' (from the usage of dalc)"
done
# every option: those the help texts list (lines "  --opt ...") and show in
# usage lines, and those in the CLI's sources
options=$( (printf '%s\n' "$texts" | grep -oE -- '^  --[a-z][a-z-]*' | sed 's/^  //'
    printf '%s\n' "$texts" | grep -E "$usage_re" | grep -oE -- '--[a-z][a-z-]*'
    grep -ohE '"--[a-z][a-z-]*' generator/main.c generator/cli/*.c | tr -d '"') | sort -u)
for o in $options; do
    grep -q -- "$o\b" <<<"$page" || fail "dalc(1) does not document option $o"
done
echo "ok: dalc(1) covers $(echo "$commands" | wc -w) commands, $(echo "$words" | wc -w) usage words, $(echo "$options" | wc -w) options"

envs=$(grep -ohE 'getenv\("[A-Z_]+"\)' generator/main.c generator/*/*.c runtime/*.c | sed 's/getenv("\(.*\)")/\1/' | sort -u)
for e in $envs; do
    grep -qw -- "$e" <<<"$page$runtime_page" || fail "environment variable $e is in neither dalc(1) nor dal(3)"
done
echo "ok: environment variables documented: $(echo $envs)"

[ "$fails" -eq 0 ] && echo "check_man: all passed" || echo "check_man: $fails failure(s)"
[ "$fails" -eq 0 ]
