#!/usr/bin/env bash
# bench/hostile.sh DALC - how fast and in how much memory dalc rejects
# hostile schema files (the tests check the exact errors; timing belongs
# here, not in tests).  Prints a markdown table.
set -euo pipefail
dalc=${1:-build/dalc}
tmp=$(mktemp -d /tmp/dalc-hostile.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
mk() { mkdir -p "$tmp/$1"; cat > "$tmp/$1/t.yaml"; }

# billion laughs: 9 levels of 9 aliases
{ echo 'a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'
  for i in $(seq 1 9); do p=$((i - 1))
    echo "a$i: &a$i [*a$p,*a$p,*a$p,*a$p,*a$p,*a$p,*a$p,*a$p,*a$p]"; done; } | mk alias_bomb
head -c 100000 /dev/zero | tr '\0' '[' | mk deep_100k
printf 'table: t\ncomment: "\xff\xfe bad"\ncolumns: []\n' | mk invalid_utf8
: | mk empty
{ echo "table: t"; echo "columns:";
  awk 'BEGIN { for (i = 0; i < 120000; i++)
      print "  - { name: c" i ", type: text, comment: \"padding padding padding padding padding\" }" }'; } | mk big_10mb
# the widest table allowed (1,600 columns): valid, through the whole pipeline
wide() { { echo "table: t"; echo "columns:"; echo "  - { name: id, type: int64, primary_key: true }"
  awk -v n="$1" 'BEGIN { for (i = 1; i < n; i++)
      print "  - { name: c" i ", type: text, comment: \"padding padding padding padding\" }" }'; }; }
wide 1600 | mk wide_1600
wide 25000 | mk wide_25000
printf 'table: %s\ncolumns:\n  - { name: id, type: int64, primary_key: true }\n' \
    "$(head -c 70 /dev/zero | tr '\0' a)" | mk name_70

echo "| input | exit code | seconds | peak RSS (KiB) | first diagnostic |"
echo "|---|---|---|---|---|"
for c in alias_bomb deep_100k invalid_utf8 empty big_10mb wide_1600 wide_25000 name_70; do
    rc=0
    /usr/bin/time -f "%e %M" -o "$tmp/time" "$dalc" generate --schema "$tmp/$c" --out "$tmp/out_$c" \
        >/dev/null 2>"$tmp/err" || rc=$?
    read -r secs rss < <(tail -1 "$tmp/time")
    msg=$(grep -m1 error "$tmp/err" | sed "s|$tmp/||" | cut -c1-90 || true)
    echo "| $c | $rc | $secs | $rss | \`$msg\` |"
done
