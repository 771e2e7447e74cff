#!/usr/bin/env bash
# The committed generated/ must be exactly what this dalc writes from schema/
# (CI regenerates and fails on any difference).
set -euo pipefail
build=${1:-build/san}
if ! "$build/dalc" check --schema schema --out generated; then
    echo "generated/ is stale: run 'make generate' and commit the result" >&2
    exit 1
fi
echo "generated/ is up to date"
