#!/usr/bin/env bash
# fuzz/roundtrip.sh BINARY SECONDS - runs the round-trip fuzzer against
# $DALC_TEST_PG, or against a private PostgreSQL started here (tests/pg.sh).
set -euo pipefail
bin=$1; secs=$2
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
if [ -z "${DALC_TEST_PG:-}" ]; then
    tmp=$(mktemp -d /tmp/dalc-fuzz.XXXXXX); chmod 755 "$tmp"
    trap 'tests/pg.sh stop "$tmp/pg" || true; rm -rf "$tmp"' EXIT INT TERM
    DALC_TEST_PG=$(tests/pg.sh start "$tmp/pg"); export DALC_TEST_PG
fi
mkdir -p build/fuzz/corpus_rt
"$bin" -max_total_time="$secs" -max_len=4096 -timeout=10 -rss_limit_mb=2048 build/fuzz/corpus_rt
