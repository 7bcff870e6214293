"""The spec's JSON Schema: the shared fields from schemas/tfgen.schema.json,
every target's part (`$defs.targets.properties`, its fragment and the shared
`$defs` it references, the platforms named in the description) from the
target registry.

The committed file holds the whole result, because editors read it for
completion; tests/test_target_contract.py fails when it is not current.
Refresh it (and the spec reference page) with:

    python -m generator.spec_schema
"""

from __future__ import annotations

import copy
import json
from functools import lru_cache
from typing import Any

from . import paths
from .overrides import override_schema

REFERENCE_PAGE = "docs/spec-reference.md"


def with_targets(schema: dict[str, Any], targets) -> dict[str, Any]:
    """`schema` with its target-owned parts replaced by those of `targets` (registry order)."""
    schema = copy.deepcopy(schema)
    titles = [t.title for t in targets] or ["its targets"]
    platforms = titles[0] if len(titles) <= 1 else f"{', '.join(titles[:-1])} or {titles[-1]}"
    schema["description"] = f"One ML model service or batch job, described once, deployed to {platforms}."
    owned: dict[str, Any] = {}
    for target in targets:
        for key, definition in target.schema_defs.items():
            if owned.setdefault(key, definition) != definition:
                raise ValueError(f"{target.name}: shared schema definition {key!r} differs from another target's")
        if target.schema_def_name in owned:
            raise ValueError(f"{target.name}: schema definition {target.schema_def_name!r} is taken")
        # every target may override container, resources, scaling and model for itself (overrides.py)
        owned[target.schema_def_name] = {
            **target.schema,
            "properties": {**target.schema.get("properties", {}), **override_schema()},
        }
    defs: dict[str, Any] = {}
    for key, definition in schema["$defs"].items():
        if key == "targets":
            definition["properties"] = {t.name: {"$ref": f"#/$defs/{t.schema_def_name}"} for t in targets}
            defs[key] = definition
            defs.update(owned)
        elif key not in owned:
            defs[key] = definition
    schema["$defs"] = {key: value for key, value in defs.items() if key in _reachable(schema, defs)}
    return schema


def _reachable(schema: dict[str, Any], defs: dict[str, Any]) -> set[str]:
    """`$defs` keys referenced from the schema's own properties, transitively (old target parts drop out)."""
    seen: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                key = ref[len("#/$defs/") :]
                if key not in seen and key in defs:
                    seen.add(key)
                    walk(defs[key])
            for key, value in node.items():
                if key != "$defs":
                    walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(schema)
    return seen


@lru_cache(maxsize=1)
def spec_schema() -> dict[str, Any]:
    """The schema tfgen validates with (the committed file, target parts from the registry)."""
    from .targets import registry

    committed = json.loads(paths.spec_schema_path().read_text(encoding="utf-8"))
    return with_targets(committed, registry.TARGETS)


@lru_cache(maxsize=1)
def committed_schema() -> dict[str, Any]:
    """The committed file as it is, which is what spec_schema() builds (tests/test_target_contract.py
    holds them equal): what validation reads, so it imports no target module."""
    return json.loads(paths.spec_schema_path().read_text(encoding="utf-8"))


def schema_text(schema: dict[str, Any] | None = None) -> str:
    """The schema as the committed file holds it."""
    return json.dumps(spec_schema() if schema is None else schema, indent=2, ensure_ascii=False) + "\n"


def main() -> None:
    from pathlib import Path

    from .schema_docs import reference

    text = schema_text()
    reference_text = reference(spec_schema())
    paths.spec_schema_path().write_text(text, encoding="utf-8")
    page = Path(__file__).resolve().parent.parent / REFERENCE_PAGE
    if page.parent.is_dir():
        page.write_text(reference_text, encoding="utf-8")
    print(f"wrote {paths.spec_schema_path()}" + (f" and {page}" if page.parent.is_dir() else ""))


if __name__ == "__main__":
    main()
