"""Does a literal value fit a provider schema type?

Schema types are cty types in their JSON form: "string", "number", "bool",
"dynamic", ["list", T], ["set", T], ["map", T], ["tuple", [T...]],
["object", {name: T}] or ["object", {name: T}, [optional names]].

Only literals are judged; expressions are unknown until plan. The rules are
Terraform's own conversions (go-cty convert): numbers and bools become strings,
"30" becomes a number, "true"/"false"/"1"/"0" become bools, a tuple becomes a
list or set, an object becomes a map; an object converts to an object type only
if every non-optional attribute is there, and extra attributes are silently
dropped (so those are a warning here, not an error).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ..hclread import is_expression

# what big.Float.Parse(s, 10) accepts, near enough: decimal with optional exponent
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
_BOOL_STRINGS = frozenset({"true", "false", "1", "0"})


@dataclass(frozen=True)
class TypeProblem:
    """A literal that Terraform could not convert; `path` is within the value."""

    path: str  # e.g. `[0]`, `["Name"]`, `.port`; "" for the value itself
    message: str
    warning: bool = False


def describe_type(type_: Any) -> str:
    """`["list", "string"]` -> "list of string"."""
    if isinstance(type_, str):
        return "any value" if type_ == "dynamic" else type_
    kind = type_[0]
    if kind in ("list", "set", "map"):
        return f"{kind} of {describe_type(type_[1])}"
    return kind  # object, tuple


def describe_value(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f'string "{shown}"'
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def type_problems(value: Any, type_: Any, path: str = "") -> list[TypeProblem]:
    """Every way the literal parts of `value` fail to convert to `type_`."""
    if value is None or is_expression(value) or type_ == "dynamic":
        return []
    if isinstance(type_, str):
        return _primitive(value, type_, path)
    kind = type_[0]
    if kind in ("list", "set"):
        if not isinstance(value, list):
            return [_mismatch(value, type_, path)]
        return [p for i, v in enumerate(value) for p in type_problems(v, type_[1], f"{path}[{i}]")]
    if kind == "map":
        if not isinstance(value, dict):
            return [_mismatch(value, type_, path)]
        return [p for k, v in value.items() for p in type_problems(v, type_[1], f'{path}["{k}"]')]
    if kind == "tuple":
        if not isinstance(value, list):
            return [_mismatch(value, type_, path)]
        if len(value) != len(type_[1]):
            return [TypeProblem(path, f"expected a tuple of {len(type_[1])} elements, got {len(value)}")]
        return [
            p
            for i, (v, t) in enumerate(zip(value, type_[1], strict=False))
            for p in type_problems(v, t, f"{path}[{i}]")
        ]
    if kind == "object":
        if not isinstance(value, dict):
            return [_mismatch(value, type_, path)]
        return _object(value, type_, path)
    return []  # a type this version does not know: say nothing rather than guess


def _primitive(value: Any, type_: str, path: str) -> list[TypeProblem]:
    if isinstance(value, (list, dict)):
        return [_mismatch(value, type_, path)]
    if type_ == "number":
        if isinstance(value, bool) or (isinstance(value, str) and not _NUMBER.fullmatch(value)):
            return [_mismatch(value, type_, path)]
    elif type_ == "bool":
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return [_mismatch(value, type_, path)]
        if isinstance(value, str) and value not in _BOOL_STRINGS:
            return [_mismatch(value, type_, path)]
    return []  # string: every primitive converts


def _object(value: dict, type_: list, path: str) -> list[TypeProblem]:
    attrs: dict = type_[1]
    optional = set(type_[2]) if len(type_) > 2 else set()
    problems = [
        TypeProblem(path, f'object is missing attribute "{name}"')
        for name in sorted(attrs)
        if name not in value and name not in optional
    ]
    for key, item in value.items():
        if key in attrs:
            problems += type_problems(item, attrs[key], f"{path}.{key}")
        elif not is_expression(key):
            problems.append(TypeProblem(path, f'attribute "{key}" is not part of the object type and is ignored', True))
    return problems


def _mismatch(value: Any, type_: Any, path: str) -> TypeProblem:
    return TypeProblem(path, f"expected {describe_type(type_)}, got {describe_value(value)}")
