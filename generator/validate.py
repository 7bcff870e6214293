"""Validation: the JSON Schema first, then the rules a schema cannot express.

Every problem found in one run is reported, located (file:line:col) and
sorted. Per-platform rules live with each target mapping (`check()`), so a
new platform brings its own limits.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from functools import cache, lru_cache
from types import MappingProxyType
from typing import Any

import regress

from . import overrides, spec_kind
from .errors import Problem, SpecError
from .model import Spec, normalize
from .overlay import apply_environment
from .spec import LoadedSpec, dotted, kind_of


def schema() -> dict:
    from .spec_schema import committed_schema  # = spec_schema(), without importing every target

    return committed_schema()


@cache
def _ecma_regex(pattern: str) -> regress.Regex:
    return regress.Regex(pattern, "u")


def _ecma_pattern(validator: Any, pattern: str, instance: Any, _schema: dict) -> Any:
    """`pattern` as JSON Schema defines it: an ECMA-262 regex (the "u" flag), searched.

    Editors read the schema with ECMA semantics; Python's `re` differs where it
    matters for input: its `$` also matches before a final newline, so
    "svc\\n" would pass `^[a-z-]+$`. One engine for both sides.
    """
    import jsonschema

    if validator.is_type(instance, "string") and _ecma_regex(pattern).find(instance) is None:
        yield jsonschema.ValidationError(f"{instance!r} does not match {pattern!r}")


@lru_cache(maxsize=1)
def _validator() -> Any:
    """jsonschema's Draft 2020-12 validator with ECMA patterns. Imported only when a spec may have
    errors to explain: jsonschema's import costs more than validating a spec."""
    import jsonschema

    ecma = jsonschema.validators.extend(jsonschema.Draft202012Validator, {"pattern": _ecma_pattern})
    return ecma(schema())


@lru_cache(maxsize=1)
def _certainly_valid() -> Any:
    """generator/fastschema.py's yes/no check of the schema (None: the schema uses what it cannot check)."""
    from .fastschema import Unsupported, compile_checker

    try:
        return compile_checker(schema())
    except Unsupported:
        return None


def _show(value: Any) -> str:
    text = json.dumps(value, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


def _schema_problems(loaded: LoadedSpec, data: Any) -> list[Problem]:
    quick = _certainly_valid()
    if quick is not None and quick(data):
        return []  # jsonschema would find nothing; it is needed only to explain errors
    problems = []
    for error in _validator().iter_errors(data):
        problems.extend(_explain(loaded, error))
    # a key unknown to the object is not also "not allowed" by one of its conditional blocks
    unknown = {p.path for p in problems if p.message.startswith("unknown field")}
    return [p for p in problems if not (p.path in unknown and p.message.startswith("not allowed here"))]


def _under_secrets(path: tuple) -> bool:
    """Whether `path` is inside a container.secrets (of the base, an environment or a target's override)."""
    return any(tuple(path[i : i + 2]) == ("container", "secrets") for i in range(len(path) - 1))


NOT_SHOWN = "(not shown: tfgen never prints what is under container.secrets)"


def _explain(loaded: LoadedSpec, error: Any) -> list[Problem]:  # a jsonschema.ValidationError
    path = tuple(error.absolute_path)
    kind, expected, value = error.validator, error.validator_value, error.instance
    schema_node = error.schema if isinstance(error.schema, dict) else {}
    hint = schema_node.get("description", "")
    # a secret's *name* belongs here; when the check fails it may be the secret itself
    show = (lambda _value: NOT_SHOWN) if _under_secrets(path) else _show
    if kind == "additionalProperties":
        allowed = sorted(schema_node.get("properties", {}))
        out = []
        for key in sorted(set(value) - set(allowed)):
            import difflib  # only to explain an unknown key

            close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
            guess = f" (did you mean `{close[0]}`?)" if close else ""
            if hint and "then" in error.absolute_schema_path:  # a conditional block says why (one backend's fields)
                out.append(loaded.problem(path + (key,), f"not allowed here: {hint}"))
            else:
                out.append(loaded.problem(path + (key,), f"unknown field{guess}; allowed here: {', '.join(allowed)}"))
        return out
    if "propertyNames" in error.absolute_schema_path:
        # a key failed (its pattern or length): point at the key itself
        key_is_secret = _under_secrets(path + ("",))
        shown = NOT_SHOWN if key_is_secret else _show(value)
        rule = hint or f"must match {expected}"
        where = path if key_is_secret else path + (value,)
        line, column = loaded.position(path + (value,))
        return [Problem(loaded.file, line, column, dotted(where), f"invalid key {shown}: {rule}")]
    if kind == "required":
        missing = [name for name in expected if name not in value]
        return (
            [loaded.problem(path, f"missing required field `{name}`") for name in missing]
            if path
            else [Problem(loaded.file, 1, 1, name, "missing required field") for name in missing]
        )
    messages = {
        "type": lambda: f"expected {_type_words(expected)}, got {kind_of(value)} {show(value)}",
        "enum": lambda: f"{show(value)} is not allowed; expected one of: {', '.join(map(str, expected))}",
        "const": lambda: f"expected {_show(expected)}",
        "pattern": lambda: (
            (f"{show(value)} is not valid" if show is _show else f"not a secret name {NOT_SHOWN}")
            + (f": {hint}" if hint else f"; must match {expected}")
        ),
        "minimum": lambda: f"{value} is too small; minimum is {expected}",
        "maximum": lambda: f"{value} is too large; maximum is {expected}",
        "exclusiveMinimum": lambda: f"{value} must be greater than {expected}",
        "exclusiveMaximum": lambda: f"{value} must be less than {expected}",
        "minLength": lambda: f"{show(value)} is too short; at least {expected} characters",
        "maxLength": lambda: f"{show(value)} is too long ({len(value)} characters); at most {expected}",
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


def _type_words(expected: Any) -> str:
    names = {
        "object": "a mapping",
        "array": "a list",
        "string": "a string",
        "integer": "a whole number",
        "number": "a number",
        "boolean": "true or false",
        "null": "null",
    }
    if isinstance(expected, list):
        return " or ".join(str(names.get(t, t)) for t in expected)
    return names.get(expected, str(expected))


def _secret_values(data: Any) -> list[str]:
    """Every value under any container.secrets (base, environments, target overrides), longest first."""
    values: set[str] = set()

    def walk(node: Any, parent: Any = None) -> None:
        if isinstance(node, dict):
            secrets = node.get("secrets")
            if isinstance(parent, dict) and isinstance(secrets, dict) and parent.get("container") is node:
                values.update(str(v) for v in secrets.values())
            for value in node.values():
                walk(value, node)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(data)
    return sorted((v for v in values if v), key=len, reverse=True)


def _redact(path: tuple, message: str, secret_values: list[str]) -> str:
    """A platform rule's message with container.secrets values blanked out.

    Rules may quote a secret *name* ("the end of `x-abc123` reads as an ARN
    suffix"), but a user who put a secret's value there would see it echoed.
    Whole tokens only (a name is letters, digits and hyphens), so a short name
    does not mangle words; outside container.secrets only values long enough
    to be a credential (8+ characters) are blanked, so a secret named `model`
    leaves "model" in other messages alone.
    """
    under_secrets = _under_secrets(path)
    for value in secret_values:
        if under_secrets or len(value) >= 8:
            message = re.sub(rf"(?<![A-Za-z0-9-]){re.escape(value)}(?![A-Za-z0-9-])", "<not shown>", message)
    return message


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
            # Each target is checked on its own view: its `targets.<t>` overrides merged in (overrides.py).
            views: dict[str, Spec] = {}
            located: list[tuple[LoadedSpec, tuple, str]] = []
            for target in spec.targets:
                target_view = overrides.for_target(view, target)
                target_spec = spec if target_view is view else normalize(target_view.data, name, origin=loaded.file)
                if target_view is not view:
                    views[target] = target_spec
                platform = registry.get(target)
                for path, message in [
                    *common.check_view(target_spec),
                    *spec_kind.check_fields(target_spec),
                    # a target refused for the spec's kind (spec_kind.check_targets) has nothing more to say
                    *(platform.check(target_spec) if spec.kind in platform.kinds else ()),
                ]:
                    located.append((target_view, tuple(path), message))
            spec = replace(spec, views=MappingProxyType(views))
            located += [
                (view, tuple(path), message)
                for path, message in [*spec_kind.check_targets(spec), *common.check_common(spec)]
            ]
            secret_names = _secret_values(view.data)
            for where, path, message in located:
                problems.add(where.problem(path, _redact(path, message, secret_names)))
            models[name] = spec
    if problems:
        raise SpecError(list(problems))
    base = replace(models[None], environments=MappingProxyType({n: models[n] for n in envs}))
    return base if env is None else replace(models[env], base=base)


def validate_file(path: str, env: str | None = None) -> Spec:
    from .spec import load_file

    return validate(load_file(path), env)
