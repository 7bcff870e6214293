"""Validation: the JSON Schema first, then the rules a schema cannot express.

Every problem found in one run is reported, located (file:line:col) and
sorted. Per-platform rules live with each target mapping (`check()`), so a
new platform brings its own limits.
"""

from __future__ import annotations

import difflib
import json
from functools import lru_cache
from typing import Any

import jsonschema

from . import paths
from .errors import Problem, SpecError
from .model import Spec, normalize
from .overlay import apply_environment
from .spec import LoadedSpec, dotted, kind_of


@lru_cache(maxsize=1)
def schema() -> dict:
    return json.loads(paths.spec_schema_path().read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(schema())


def _show(value: Any) -> str:
    text = json.dumps(value, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


def _schema_problems(loaded: LoadedSpec, data: Any) -> list[Problem]:
    problems = []
    for error in _validator().iter_errors(data):
        problems.extend(_explain(loaded, error))
    return problems


def _explain(loaded: LoadedSpec, error: jsonschema.ValidationError) -> list[Problem]:
    path = tuple(error.absolute_path)
    kind, expected, value = error.validator, error.validator_value, error.instance
    schema_node = error.schema if isinstance(error.schema, dict) else {}
    hint = schema_node.get("description", "")
    if kind == "additionalProperties":
        allowed = sorted(schema_node.get("properties", {}))
        out = []
        for key in sorted(set(value) - set(allowed)):
            close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
            guess = f" (did you mean `{close[0]}`?)" if close else ""
            out.append(loaded.problem(path + (key,), f"unknown field{guess}; allowed here: {', '.join(allowed)}"))
        return out
    if kind == "propertyNames":
        key = value
        rule = expected.get("pattern", "") if isinstance(expected, dict) else ""
        if isinstance(expected, dict) and "$ref" in expected:
            rule = _resolve(expected["$ref"]).get("pattern", "")
        return [loaded.problem(path + (key,), f"invalid key {key!r}: must match {rule}")]
    if kind == "required":
        missing = [name for name in expected if name not in value]
        return [loaded.problem(path, f"missing required field `{name}`") for name in missing] if path else [
            Problem(loaded.file, 1, 1, name, "missing required field") for name in missing
        ]
    messages = {
        "type": lambda: f"expected {_type_words(expected)}, got {kind_of(value)} {_show(value)}",
        "enum": lambda: f"{_show(value)} is not allowed; expected one of: {', '.join(map(str, expected))}",
        "const": lambda: f"expected {_show(expected)}",
        "pattern": lambda: f"{_show(value)} is not valid" + (f": {hint}" if hint else f"; must match {expected}"),
        "minimum": lambda: f"{value} is too small; minimum is {expected}",
        "maximum": lambda: f"{value} is too large; maximum is {expected}",
        "exclusiveMinimum": lambda: f"{value} must be greater than {expected}",
        "exclusiveMaximum": lambda: f"{value} must be less than {expected}",
        "minLength": lambda: f"{_show(value)} is too short; at least {expected} characters",
        "maxLength": lambda: f"{_show(value)} is too long ({len(value)} characters); at most {expected}",
        "minItems": lambda: f"needs at least {expected} item(s)",
        "maxItems": lambda: f"has {len(value)} items; at most {expected}",
        "uniqueItems": lambda: "items must be unique",
        "minProperties": lambda: f"needs at least {expected} entr{'y' if expected == 1 else 'ies'}",
        "maxProperties": lambda: f"has {len(value)} entries; at most {expected}",
    }
    make = messages.get(kind)
    message = make() if make else error.message
    where = path + ("<value>",) if path and (path + ("<value>",)) in loaded.positions else path
    line, column = loaded.position(where)
    return [Problem(loaded.file, line, column, dotted(path), message)]


def _resolve(ref: str) -> dict:
    node: Any = schema()
    for part in ref.lstrip("#/").split("/"):
        node = node[part]
    return node


def _type_words(expected: Any) -> str:
    names = {"object": "a mapping", "array": "a list", "string": "a string", "integer": "a whole number",
             "number": "a number", "boolean": "true or false", "null": "null"}
    if isinstance(expected, list):
        return " or ".join(names.get(t, t) for t in expected)
    return names.get(expected, str(expected))


def _env_names(loaded: LoadedSpec) -> list[str]:
    envs = loaded.data.get("environments")
    return sorted(envs) if isinstance(envs, dict) else []


def validate(loaded: LoadedSpec, env: str | None = None) -> Spec:
    """Validate the whole file (base and every environment); return the model for `env`.

    Raises SpecError with every problem found, sorted by position.
    """
    from .targets import common, registry  # local: targets import model, not validate

    problems = set(_schema_problems(loaded, loaded.data))
    envs = _env_names(loaded)
    if env is not None and env not in envs:
        known = ", ".join(envs) or "none defined"
        problems.add(Problem(loaded.file, 1, 1, "environments", f"no environment `{env}`; known: {known}"))
    models: dict[str | None, Spec] = {}
    if not problems:
        for name in [None, *envs]:
            view = apply_environment(loaded, name)
            # the base was validated with the whole file above; an overlay can break the merge
            found = _schema_problems(view, view.data) if name is not None else []
            if found:
                problems.update(found)
                continue
            spec = normalize(view.data, name, origin=loaded.file)
            for path, message in common.check_common(spec):
                problems.add(view.problem(path, message))
            for target in spec.targets:
                for path, message in registry.get(target).check(spec):
                    problems.add(view.problem(path, message))
            models[name] = spec
    if problems:
        raise SpecError(list(problems))
    return models[env]


def validate_file(path: str, env: str | None = None) -> Spec:
    from .spec import load_file

    return validate(load_file(path), env)
