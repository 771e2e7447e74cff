#!/usr/bin/env bash
# tests/check_completion.sh BUILD - the bash completion (`dalc completion
# bash`) offers every command `dalc --help` lists, every subcommand of a
# group, and every option each command's --help lists, wherever the
# options stand; a folder option completes folders.
# Run by tests/run.sh (every tests/check_*.sh) with cwd = repo root.
set -uo pipefail
build=${1:-build/san}
dalc="$(pwd)/$build/dalc"
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

script=$("$dalc" completion bash) || { echo "FAIL: dalc completion bash exited $?"; exit 1; }
bash -n <(echo "$script") || { echo "FAIL: the completion script is not valid bash"; exit 1; }
# shellcheck disable=SC1090
source <(echo "$script")
complete -p dalc >/dev/null || { echo "FAIL: the script does not register _dalc for dalc"; exit 1; }

# offers WORD... :: CANDIDATE...: completing the words (the last is the one
# under the cursor) offers every candidate
offers() {
    local words=() want=() seen=0
    for w in "$@"; do
        if [ "$w" = "::" ] && [ $seen = 0 ]; then seen=1; continue; fi
        if [ $seen = 0 ]; then words+=("$w"); else want+=("$w"); fi
    done
    COMP_WORDS=(dalc "${words[@]}")
    COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
    COMPREPLY=()
    _dalc
    local got=" ${COMPREPLY[*]} "
    for c in "${want[@]}"; do
        case "$got" in *" $c "*) ;; *) fail "dalc ${words[*]}<TAB> does not offer $c (offers:$got)" ;; esac
    done
}

# the commands dalc --help lists: "  migrate up [N]   summary" -> "migrate up"
mapfile -t cmds < <("$dalc" --help | sed -n '/^commands:/,/^$/p' | grep -E '^  [a-z]' |
    sed -E 's/^  //; s/  .*//; s/ (\[|[A-Z]).*//')
[ ${#cmds[@]} -ge 12 ] || fail "dalc --help lists only ${#cmds[@]} commands"
firsts=$(printf '%s\n' "${cmds[@]}" | awk '{print $1}' | sort -u)
# shellcheck disable=SC2086
offers "" :: $firsts
# shellcheck disable=SC2086
offers --schema schema "" :: $firsts
offers ge :: generate
offers migrate "" :: status up down baseline repair
offers migration "" :: new
offers completion "" :: bash
n=0
for c in "${cmds[@]}"; do
    read -ra words <<<"$c"
    mapfile -t opts < <("$dalc" $c --help | sed -n '/^options:/,/^$/p' | grep -oE '^  --[a-z-]+' | sed 's/^ *//')
    [ ${#opts[@]} -gt 0 ] || fail "dalc $c --help lists no options"
    offers "${words[@]}" -- :: "${opts[@]}"
    # after a positional argument and before the command words too
    offers "${words[@]}" x -- :: "${opts[@]}"
    offers "${words[@]}" --help "" :: # (no error)
    n=$((n + 1))
done
# a folder option offers folders
mkdir -p "${DALC_TEST_TMP:-/tmp}/compl/somedir"
(cd "${DALC_TEST_TMP:-/tmp}/compl" && offers generate --schema so :: somedir) || fails=$((fails + 1))
offers migrate up --db "" :: # a URL: nothing to offer, no error

[ $fails = 0 ] && echo "check_completion: every command ($n), subcommand and option is offered"
exit $((fails > 0))
