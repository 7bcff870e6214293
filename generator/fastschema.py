"""A yes/no JSON Schema check for the common case: the spec is valid.

Importing jsonschema costs more than validating a spec with it; most runs
validate good specs and never need its error objects. `compile_checker(schema)`
turns the spec schema into plain Python closures that answer one question:
is this document certainly valid? When the answer is no (it is invalid, or
this checker is unsure), generator/validate.py runs jsonschema, which finds
and explains every error. So this module can cost a spec nothing but time:
it only ever says "valid" where Draft 2020-12 does.

It knows the keywords the spec schema uses. A schema with any other keyword
(or a $ref it cannot resolve) is refused at compile time (Unsupported), and
then every document goes to jsonschema. A `$defs` entry is compiled when a
document first reaches it (a spec names one or two of the targets), and one
with an unknown keyword sends the documents that reach it to jsonschema. Patterns use the same ECMA-262 engine
(regress, "u" flag) as validate.py. Where its semantics could be looser than
jsonschema's it is stricter: 1 and 1.0 count as equal items for uniqueItems,
as jsonschema counts them; True is never 1.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

import regress

Check = Callable[[Any], bool]

_ANNOTATIONS = {
    "description",
    "default",
    "title",
    "$schema",
    "$id",
    "$comment",
    "examples",
    "deprecated",
    "readOnly",
    "writeOnly",
    "markdownDescription",
    "$defs",
}


class Unsupported(Exception):
    """The schema uses something this checker does not implement: use jsonschema for everything."""


@cache
def _regex(pattern: str) -> regress.Regex:
    return regress.Regex(pattern, "u")


def _always(_document: Any) -> bool:
    return True


def _never(_document: Any) -> bool:
    return False


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


_TYPES: dict[str, Check] = {
    "string": lambda v: isinstance(v, str),
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    "number": _number,
    "integer": lambda v: (isinstance(v, int) and not isinstance(v, bool)) or (isinstance(v, float) and v.is_integer()),
}


def _canonical(value: Any) -> Any:
    """A comparable form in which equal JSON values (as jsonschema compares them) are equal, True is not 1."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return (type(value).__name__, value)
    if _number(value):
        return ("number", float(value))
    if isinstance(value, list):
        return ("array", tuple(_canonical(v) for v in value))
    if isinstance(value, dict):
        if not all(isinstance(k, str) for k in value):
            raise TypeError("a non-string key")
        return ("object", tuple(sorted((k, _canonical(v)) for k, v in value.items())))
    raise TypeError(type(value).__name__)  # not JSON: the caller says "not certainly valid"


def _equal(a: Any, b: Any) -> bool:
    return _canonical(a) == _canonical(b)


def compile_checker(schema: dict[str, Any]) -> Check:
    """A function document -> True only when `schema` certainly accepts it. Raises Unsupported."""
    defs: dict[str, Check] = {}
    root_defs = schema.get("$defs", {})

    def ref(target: str) -> Check:
        prefix = "#/$defs/"
        if not target.startswith(prefix) or "/" in target[len(prefix) :] or target[len(prefix) :] not in root_defs:
            raise Unsupported(f"$ref {target}")
        name = target[len(prefix) :]

        def check(v: Any) -> bool:
            # compiled when first reached: a spec naming one target never compiles the others' parts
            # (an unsupported keyword found then raises Unsupported, which _safely turns into "unsure")
            if name not in defs:
                defs[name] = node(root_defs[name])
            return defs[name](v)

        return check

    def node(s: Any) -> Check:
        if s is True:
            return _always
        if s is False:
            return _never
        if not isinstance(s, dict):
            raise Unsupported(repr(s))
        checks: list[Check] = []
        for key, value in s.items():
            if key in _ANNOTATIONS:
                continue
            checks.append(keyword(key, value, s))
        return lambda v: all(check(v) for check in checks)

    def keyword(key: str, value: Any, s: dict[str, Any]) -> Check:
        if key == "type":
            names = [value] if isinstance(value, str) else list(value)
            if any(n not in _TYPES for n in names):
                raise Unsupported(f"type {value}")
            return lambda v: any(_TYPES[n](v) for n in names)
        if key == "$ref":
            return ref(value)
        if key == "enum":
            return lambda v: any(_equal(v, option) for option in value)
        if key == "const":
            return lambda v: _equal(v, value)
        if key == "pattern":
            regex = _regex(value)
            return lambda v: not isinstance(v, str) or regex.find(v) is not None
        if key in ("minLength", "maxLength"):
            low = key == "minLength"
            return lambda v: not isinstance(v, str) or (len(v) >= value if low else len(v) <= value)
        if key in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
            compare = {
                "minimum": lambda v: v >= value,
                "maximum": lambda v: v <= value,
                "exclusiveMinimum": lambda v: v > value,
                "exclusiveMaximum": lambda v: v < value,
            }[key]
            return lambda v: not _number(v) or compare(v)
        if key in ("minItems", "maxItems"):
            low = key == "minItems"
            return lambda v: not isinstance(v, list) or (len(v) >= value if low else len(v) <= value)
        if key == "uniqueItems":
            if not value:
                return _always
            return lambda v: not isinstance(v, list) or len({_canonical(i) for i in v}) == len(v)
        if key == "items":
            item = node(value)
            return lambda v: not isinstance(v, list) or all(item(i) for i in v)
        if key == "properties":
            compiled = {name: node(sub) for name, sub in value.items()}
            return lambda v: not isinstance(v, dict) or all(compiled[k](v[k]) for k in compiled if k in v)
        if key == "additionalProperties":
            if "patternProperties" in s:
                raise Unsupported("patternProperties")
            known = set(s.get("properties", {}))
            extra = node(value)
            return lambda v: not isinstance(v, dict) or all(extra(v[k]) for k in v if k not in known)
        if key == "required":
            return lambda v: not isinstance(v, dict) or all(name in v for name in value)
        if key in ("minProperties", "maxProperties"):
            low = key == "minProperties"
            return lambda v: not isinstance(v, dict) or (len(v) >= value if low else len(v) <= value)
        if key == "propertyNames":
            key_check = node(value)
            return lambda v: not isinstance(v, dict) or all(isinstance(k, str) and key_check(k) for k in v)
        if key == "allOf":
            parts = [node(part) for part in value]
            return lambda v: all(part(v) for part in parts)
        if key == "anyOf":
            parts = [node(part) for part in value]
            return lambda v: any(part(v) for part in parts)
        if key == "if":
            condition, then, otherwise = node(value), node(s.get("then", True)), node(s.get("else", True))
            return lambda v: then(v) if condition(v) else otherwise(v)
        if key in ("then", "else"):
            return _always  # applied through "if"; without an "if" they do nothing
        raise Unsupported(key)

    root = node(schema)
    return lambda document: _safely(root, document)


def _safely(check: Check, document: Any) -> bool:
    try:
        return check(document)
    except (TypeError, ValueError, RecursionError):  # something not JSON-like: let jsonschema judge it
        return False
    except Unsupported:  # a definition reached for the first time uses what this checker cannot check
        return False
