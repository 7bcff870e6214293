"""generator/fastschema.py may only ever say "valid" where jsonschema (Draft 2020-12, ECMA
patterns) says valid: it decides whether jsonschema is imported, never what is accepted."""

from __future__ import annotations

import copy
import random
import subprocess
import sys

import pytest
import yaml

from generator import validate as validate_module
from generator.fastschema import Unsupported, compile_checker
from generator.spec_schema import spec_schema
from tests.support import EXAMPLES, REPO

EXAMPLE_DATA = [yaml.safe_load(p.read_text()) for p in sorted(EXAMPLES.glob("*.yaml"))]
STRANGE = [
    None,
    True,
    False,
    0,
    1,
    1.0,
    1.5,
    -1,
    2**40,
    "",
    "x",
    "svc\n",
    "UPPER",
    "a" * 300,
    "${x}",
    [],
    [1, 1.0],
    ["a", "a"],
    {},
    {"unknown": 1},
    {1: "int key"},
]


def leaf_paths(node, path=()):
    yield path
    if isinstance(node, dict):
        for key, value in node.items():
            yield from leaf_paths(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from leaf_paths(value, (*path, index))


def replaced(document, path, value):
    document = copy.deepcopy(document)
    if not path:
        return value
    node = document
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return document


def jsonschema_accepts(document) -> bool:
    return not any(True for _ in validate_module._validator().iter_errors(document))


def test_every_example_takes_the_fast_path():
    check = compile_checker(spec_schema())
    assert all(check(data) for data in EXAMPLE_DATA)


def test_never_valid_where_jsonschema_finds_an_error():
    check = compile_checker(spec_schema())
    rng = random.Random(14)
    compared = disagreements = 0
    for data in EXAMPLE_DATA:
        for path in leaf_paths(data):
            for value in rng.sample(STRANGE, 8):
                document = replaced(data, path, value)
                fast, full = check(document), jsonschema_accepts(document)
                compared += 1
                assert not (fast and not full), (path, value)
                disagreements += fast != full
            node = replaced(data, (), data)
            for key in path:
                node = node[key]
            if isinstance(node, dict):  # an unknown key beside every known one
                document = replaced(data, (*path, "unknown_key"), 1)
                assert not check(document) or jsonschema_accepts(document), path
    assert compared > 1000
    assert disagreements == 0, f"{disagreements} documents went to jsonschema that it accepts (slow path only)"


@pytest.mark.parametrize(
    "schema, document, valid",
    [
        ({"type": "integer"}, 1.0, True),
        ({"type": "integer"}, True, False),
        ({"type": "number"}, False, False),
        ({"enum": [1]}, True, False),
        ({"const": "a"}, "a", True),
        ({"uniqueItems": True}, [1, 1.0], False),
        ({"uniqueItems": True}, [1, True], True),
        ({"pattern": "^[a-z]+$"}, "svc\n", False),
        ({"properties": {"a": {"type": "string"}}, "additionalProperties": False}, {"a": "x", "b": 1}, False),
        ({"propertyNames": {"maxLength": 2}}, {"abc": 1}, False),
        ({"if": {"properties": {"k": {"const": "s3"}}}, "then": {"required": ["bucket"]}}, {"k": "s3"}, False),
        ({"$defs": {"n": {"type": "integer", "minimum": 1}}, "items": {"$ref": "#/$defs/n"}}, [1, 0], False),
    ],
)
def test_keywords_as_jsonschema_reads_them(schema, document, valid):
    import jsonschema

    assert compile_checker(schema)(document) is valid
    ecma = jsonschema.validators.extend(jsonschema.Draft202012Validator, {"pattern": validate_module._ecma_pattern})
    assert ecma(schema).is_valid(document) is valid  # tfgen's jsonschema: ECMA patterns


def test_a_keyword_it_does_not_know_sends_everything_to_jsonschema():
    with pytest.raises(Unsupported):
        compile_checker({"oneOf": [{"type": "string"}]})
    with pytest.raises(Unsupported):
        compile_checker({"$ref": "https://example.com/schema"})


def test_a_definition_is_compiled_when_reached_and_unsure_when_it_uses_an_unknown_keyword():
    schema = {
        "type": "object",
        "properties": {"plain": {"$ref": "#/$defs/plain"}, "odd": {"$ref": "#/$defs/odd"}},
        "$defs": {"plain": {"type": "string"}, "odd": {"oneOf": [{"type": "string"}]}},
    }
    check = compile_checker(schema)  # the unknown keyword in an unreached definition stops nothing
    assert check({"plain": "x"}) is True
    assert check({"plain": 1}) is False
    assert check({"odd": "x"}) is False  # not "certainly valid": jsonschema decides
    assert check({"plain": "x"}) is True  # and the checker still answers for documents that avoid it


def test_a_valid_spec_is_rendered_without_importing_jsonschema(tmp_path):
    probe = (
        "import sys; from generator.pipeline import load_environments, render_spec; "
        f"[render_spec(s) for s in load_environments({str(EXAMPLES / 'iris-classifier.yaml')!r})]; "
        "print('jsonschema' in sys.modules)"
    )
    proc = subprocess.run([sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, check=True)
    assert proc.stdout.strip() == "False"
    bad = tmp_path / "bad.yaml"
    bad.write_text((EXAMPLES / "iris-classifier.yaml").read_text().replace("port: 8080", "port: 99999"))
    proc = subprocess.run(
        [sys.executable, "-m", "generator", "validate", str(bad)], cwd=REPO, capture_output=True, text=True
    )
    assert proc.returncode == 1 and f"{bad}:" in proc.stderr + proc.stdout
