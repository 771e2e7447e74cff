#!/usr/bin/env bash
# tests/check_docs.sh - what users read speaks to users: no tracked file
# (docs, README, comments, messages, generated code) names a file they do
# not have - a machine's absolute path, the project's internal contracts
# (spec/*.md, ../shared) - an issue or ticket number, or "this session".
# Run by tests/run.sh (every tests/check_*.sh) with cwd = repo root.
set -uo pipefail
patterns=(
    -e '(^|[[:space:]"'"'"'(`=])/work/'  # the machine this was written on
    -e '/home/[a-z]' -e '/root/' -e '/Users/'
    -e '\.\./shared' -e 'shared/spec' -e 'shared/seeds'
    -e '\bspec/[a-z-]+\.md'     # internal contracts, not shipped
    -e '\b([Ii]ssue|[Tt]icket|PR) ?#?[0-9]+'
    -e '\(#[0-9]+\)'
    -e '[Tt]his session'
)
files() { # tracked files, or (outside a git checkout) every file but build/
    if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then git ls-files -z
    else find . -path ./build -prune -o -path ./.git -prune -o -type f -printf '%P\0'; fi
}
hits=$(files | grep -zv '^tests/check_docs\.sh$' | xargs -0 grep -nIE "${patterns[@]}" -- 2>/dev/null)
if [ -n "$hits" ]; then
    echo "check_docs: FAIL: references users cannot follow (machine paths, internal files, issue numbers):"
    echo "$hits"
    exit 1
fi
echo "check_docs: $(files | tr -cd '\0' | wc -c) files name no machine path, internal file or issue number"
