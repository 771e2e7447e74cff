#!/usr/bin/python3
"""tests/check_jsonschema.py SCHEMA.json GOOD... -- --bad BAD...

Validates table and view files against dalc's JSON Schema (editor/) with
Debian's python3-jsonschema, the way an editor's YAML language server reads
them: YAML 1.2 core scalars (true/false, null/~, decimal, octal and hex
integers, floats; everything else is a string, so `default: 2024-01-02` is
text as dalc reads it).  Every GOOD file must validate; every BAD file must
fail.  Prints one line per file; exits 1 on any surprise."""
import json
import re
import sys

import jsonschema
import yaml


class Yaml12Loader(yaml.SafeLoader):
    """SafeLoader with the YAML 1.2 core schema's implicit types."""


Yaml12Loader.yaml_implicit_resolvers = {}
for tag, regexp, first in [
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    ("tag:yaml.org,2002:int", r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", "-+0123456789"),
    ("tag:yaml.org,2002:float",
     r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
     "-+0123456789."),
]:
    Yaml12Loader.add_implicit_resolver(tag, re.compile(regexp), list(first))


def construct_int(loader, node):
    v = loader.construct_scalar(node)
    if v.startswith("0o"):
        return int(v[2:], 8)
    if v.startswith("0x"):
        return int(v[2:], 16)
    return int(v, 10)


def construct_bool(loader, node):
    return loader.construct_scalar(node).lower() == "true"


def construct_mapping(loader, node):
    """Keys are the plain text written (dalc's rule; a JSON key is a
    string): `null: true` has the key "null"."""
    loader.flatten_mapping(node)
    return {(k.value if isinstance(k, yaml.ScalarNode) else loader.construct_object(k)):
            loader.construct_object(v, deep=True) for k, v in node.value}


Yaml12Loader.add_constructor("tag:yaml.org,2002:map", construct_mapping)
Yaml12Loader.add_constructor("tag:yaml.org,2002:int", construct_int)
Yaml12Loader.add_constructor("tag:yaml.org,2002:bool", construct_bool)


def main(argv):
    schema = json.load(open(argv[1], encoding="utf-8"))
    jsonschema.Draft7Validator.check_schema(schema)
    validator = jsonschema.Draft7Validator(schema)
    good, bad, files = [], [], None
    files = good
    for a in argv[2:]:
        if a == "--bad":
            files = bad
        else:
            files.append(a)
    surprises = 0
    for path, want_valid in [(p, True) for p in good] + [(p, False) for p in bad]:
        with open(path, encoding="utf-8") as f:
            doc = yaml.load(f, Loader=Yaml12Loader)
        errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))
        if want_valid and errors:
            surprises += 1
            for e in errors:
                where = "/".join(str(p) for p in e.absolute_path)
                print(f"FAIL: {path}: {where}: {e.message}")
        elif not want_valid and not errors:
            surprises += 1
            print(f"FAIL: {path}: a bad file validates")
        elif want_valid:
            print(f"ok: {path} validates")
        else:
            e = errors[0]
            where = "/".join(str(p) for p in e.absolute_path)
            print(f"ok: {path} is refused ({where}: {e.message[:100]})")
    print(f"{len(good)} good and {len(bad)} bad files, {surprises} surprise(s)")
    return 1 if surprises else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
