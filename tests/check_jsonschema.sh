#!/usr/bin/env bash
# tests/check_jsonschema.sh - the JSON Schema of table and view files
# (editor/dalc.schema.json, installed as PREFIX/share/dalc/dalc.schema.json):
#   - it knows every key dalc's readers accept (generator/model/table.c,
#     view.c) and every schema type (generator/model/types.c), no more;
#   - every good schema file of the project validates (every YAML file but
#     tests/bad/ and fuzz/: schema/, the migrations' snapshots, bench/,
#     tests/good*/, the probe, C-name, consumer and query tests' schemas);
#   - every file of tests/bad/ that is bad in shape (an unknown key, a value
#     of the wrong kind or outside its set) fails; files bad only in meaning
#     (a cycle, a reference to a missing table) are dalc's to refuse.
# Uses Debian's python3-jsonschema and python3-yaml (tests/deps.sh test).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
py=/usr/bin/python3
schema=editor/dalc.schema.json

# Keys and types: dalc's readers against the schema's properties.
$py - "$schema" <<'PY'
import json, re, sys
s = json.load(open(sys.argv[1]))
d = s["definitions"]
def c_array(path, name):
    src = open(path).read()
    m = re.search(r"\b" + name + r"\[\]\s*=\s*\{(.*?)\};", src, re.S)
    return set(re.findall(r'"([a-z_]+)"', m.group(1)))
def props(o): return set(o["properties"])
types = set(re.findall(r'\[TY_[A-Z0-9]+\]\s*=\s*\{"([a-z0-9]+)"', open("generator/model/types.c").read()))
pairs = [
    ("table keys", c_array("generator/model/table.c", "table_keys"), props(d["table"])),
    ("column keys", c_array("generator/model/table.c", "column_keys"), props(d["column"])),
    ("index keys", c_array("generator/model/table.c", "index_keys"), props(d["index"])),
    ("view keys", c_array("generator/model/view.c", "view_keys"), props(d["view"])),
    ("view sql keys", c_array("generator/model/view.c", "sql_keys"), props(d["view"]["properties"]["sql"]["oneOf"][1])),
    ("view column keys", c_array("generator/model/view.c", "vcol_keys"), props(d["view"]["properties"]["columns"]["items"])),
    ("types", types, set(d["column"]["properties"]["type"]["enum"])),
]
bad = 0
for what, dalc, js in pairs:
    if dalc != js:
        bad += 1
        print(f"FAIL: {what}: dalc reads {sorted(dalc - js)} that the JSON Schema lacks; "
              f"the JSON Schema has {sorted(js - dalc)} that dalc does not read")
    else:
        print(f"ok: {what}: {len(dalc)} in both")
def undocumented(o, where):
    n = 0
    for k, v in o.get("properties", {}).items():
        if "description" not in v:
            print(f"FAIL: {where}.{k} has no description"); n += 1
    return n
for name, o in d.items():
    bad += undocumented(o, name)
sys.exit(1 if bad else 0)
PY

# Every YAML file of the project but the bad schemas, the fuzzers' seeds and
# build output is a table or view file.
good=$(find . \( -path ./build -o -path ./tests/bad -o -path ./fuzz -o -path ./.git \) -prune -o \
    \( -name '*.yaml' -o -name '*.yml' \) -type f -print | sed 's|^\./||' | sort)
b=tests/bad
bad="$b/auto_update/jobs.yaml $b/defaults/jobs.yaml $b/empty_columns/jobs.yaml $b/fk_actions/runs.yaml
     $b/identifiers/jobs.yaml $b/identity/jobs.yaml $b/indexes/jobs.yaml $b/missing_keys/jobs.yaml
     $b/missing_keys/runs.yaml $b/no_cascade/jobs.yaml $b/no_cascade/runs.yaml $b/null_values/jobs.yaml
     $b/renamed_from/jobs.yaml $b/reserved_tables/dal_db.yaml $b/reserved_tables/schema.yaml
     $b/top_level/jobs.yaml $b/type_params/jobs.yaml $b/unknown_keys/jobs.yaml
     $b/unknown_ref_table/runs.yaml $b/unknown_type/jobs.yaml $b/views/a.yaml $b/views/v.yaml
     $b/yaml_shapes/jobs.yaml $b/yaml_shapes2/jobs.yaml"
# shellcheck disable=SC2086
$py tests/check_jsonschema.py "$schema" $good --bad $bad
