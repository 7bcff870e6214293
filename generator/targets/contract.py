"""What every registered target must satisfy, as plain problem strings.

tests/test_target_contract.py asserts the list is empty for every target in
the registry, and that deliberately broken targets are caught.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from .base import Target, _no_files

# `namespace/type`, optionally with a registry host in front
PROVIDER_SOURCE = re.compile(r"^([a-z0-9.-]+/)?[a-z0-9-]+/[a-z0-9-]+$")
# Terraform version constraints: comma-separated `OP VERSION`, at least one
VERSION_CONSTRAINT = re.compile(r"^\s*(=|!=|>=|<=|>|<|~>)?\s*\d+(\.\d+){0,2}(-[0-9A-Za-z.]+)?\s*$")
TARGET_NAME = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")  # platform-service (cloud-service), or one word


def problems(target: Target) -> list[str]:
    """Everything wrong with `target` against the contract (base.py)."""
    return [f"{target.name}: {p}" for p in _problems(target)]


def _problems(target: Target) -> Iterator[str]:
    from .. import paths
    from ..errors import RenderError
    from ..render import module_templates

    if not TARGET_NAME.match(target.name):
        yield f"name {target.name!r} is not lowercase `platform-service` or one word"
    folder = paths.templates_dir() / target.template_dir
    if not target.template_dir and target.files is _no_files:
        yield "no template_dir and no files: the target renders nothing of its own"
    elif target.template_dir and (not folder.is_dir() or not any(folder.glob("*.j2"))):
        yield f"no templates in {folder}"
    else:
        try:
            for file_name in module_templates(target):
                if not any(file_name.endswith(suffix) for suffix in target.output.file_kinds):
                    yield f"{file_name}: {target.output.name} modules have no file kind for it"
        except RenderError as exc:
            yield str(exc)
    for name in target.output.shared_templates:
        if not (paths.templates_dir() / "_shared" / name).is_file():
            yield f"output kind {target.output.name}: no templates/_shared/{name}"
    if target.output.name == "terraform" and not target.providers:
        yield "a Terraform module needs at least one provider (versions.tf is rendered from them)"
    for provider in target.providers:
        if not PROVIDER_SOURCE.match(provider.source):
            yield f"provider {provider.name}: source {provider.source!r} is not `namespace/type`"
        parts = provider.version.split(",") if provider.version.strip() else []
        if not parts or not all(VERSION_CONSTRAINT.match(p) for p in parts):
            yield f"provider {provider.name}: version {provider.version!r} is not a version constraint"
    yield from _schema_problems(target)
    yield from _variant_problems(target)


def _schema_problems(target: Target) -> Iterator[str]:
    import jsonschema

    schema = target.schema
    if schema.get("type") != "object" or schema.get("additionalProperties") is not False:
        yield "schema: must be an object with additionalProperties: false (typos must be errors)"
    try:
        jsonschema.Draft202012Validator.check_schema(dict(schema))
    except jsonschema.SchemaError as exc:
        yield f"schema: not a valid JSON Schema: {exc.message}"
    yield from _defaults_match(schema, target.defaults, "defaults")
    yield from _schema_defaults_declared(schema, target.defaults, "schema")


def _defaults_match(schema: Mapping[str, Any], defaults: Mapping[str, Any], where: str) -> Iterator[str]:
    """Each default is the schema's `default` for that property (nested mappings: inside that object)."""
    properties = schema.get("properties", {})
    for key, value in defaults.items():
        node = properties.get(key)
        if node is None:
            yield f"{where}.{key}: not a property of the schema fragment"
        elif isinstance(value, Mapping):
            yield from _defaults_match(node, value, f"{where}.{key}")
        elif "default" not in node:
            yield f"{where}.{key}: the schema fragment declares no default (it has none for editors and docs)"
        elif node["default"] != value:
            yield f"{where}.{key}: {value!r} but the schema fragment says {node['default']!r}"


def _schema_defaults_declared(schema: Mapping[str, Any], defaults: Mapping[str, Any], where: str) -> Iterator[str]:
    """Each `default` in the schema fragment is one `normalize` applies."""
    for key, node in schema.get("properties", {}).items():
        if "default" in node and key not in defaults:
            yield f"{where}.{key}: default {node['default']!r} is not in the target's defaults, so normalize would not apply it"
        if node.get("type") == "object" and "properties" in node:
            nested = defaults.get(key, {})
            yield from _schema_defaults_declared(node, nested if isinstance(nested, Mapping) else {}, f"{where}.{key}")


def _variant_problems(target: Target) -> Iterator[str]:
    required = target.output.required_variants
    if "service" not in target.kinds:  # network.public is a service's field, refused on a job
        required = tuple(v for v in required if v != "public")
    missing = [v for v in required if v not in target.variants]
    if missing:
        yield f"variants: missing {', '.join(missing)}"
    for name, spec in target.variants.items():
        if list(spec.get("targets", {})) != [target.name]:
            yield f"variant {name}: its `targets` must hold this target only"


# -- the audit: nothing outside a target's own files names it --------------------

# Product code: the package and its templates (the schema file is audited separately).
AUDITED = ("generator/**/*.py", "templates/**/*.j2")
# Files that may name every target: the list itself, and command help texts (examples).
MAY_NAME_ANY = ("generator/targets/registry.py", "generator/cli/")


def _names_of(target: Target) -> re.Pattern[str]:
    """How a target can be named in code: spec key, template folder, module, schema definition."""
    module = target.context.__module__.rsplit(".", 1)[-1]
    words = sorted({target.name, target.template_dir, module, target.schema_def_name} - {""})
    return re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, words)) + r")(?![\w-])")


def _own_files(target: Target) -> tuple[str, ...]:
    module = target.context.__module__.replace(".", "/") + ".py"
    own = (module,) + ((f"templates/{target.template_dir}/",) if target.template_dir else ())
    return own + tuple(target.own_files)


def mentions(root, targets) -> dict[str, list[str]]:
    """Target name -> `file:line: text` of every place outside its own files that names it.

    The schema's hand-written part (the committed file with the target parts
    taken out) is audited too; its target parts are derived from the registry.
    """
    import json
    from pathlib import Path

    from ..spec_schema import with_targets

    root = Path(root)
    files = sorted(
        {p for pattern in AUDITED for p in root.glob(pattern) if p.is_file() and "__pycache__" not in p.parts}
    )
    schema_path = root / "schemas" / "tfgen.schema.json"
    shared_schema = json.dumps(with_targets(json.loads(schema_path.read_text(encoding="utf-8")), []), indent=2)
    found: dict[str, list[str]] = {}
    for target in targets:
        pattern, own = _names_of(target), _own_files(target)
        hits = found.setdefault(target.name, [])
        for path in files:
            rel = path.relative_to(root).as_posix()
            if rel.startswith(own) or rel.startswith(MAY_NAME_ANY):
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
                if pattern.search(line):
                    hits.append(f"{rel}:{number}: {line.strip()}")
        for number, line in enumerate(shared_schema.splitlines(), 1):
            if pattern.search(line):
                hits.append(f"schemas/tfgen.schema.json (hand-written part, line {number} as rebuilt): {line.strip()}")
    return found
