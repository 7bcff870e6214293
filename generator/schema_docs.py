"""The spec reference page, generated from the JSON Schema (never written by hand)."""

from __future__ import annotations

import json
from typing import Any


def _resolve(root: dict, node: dict) -> dict:
    while "$ref" in node:
        ref = node["$ref"]
        target: Any = root
        for part in ref.lstrip("#/").split("/"):
            target = target[part]
        node = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
    return node


def _type_of(root: dict, node: dict) -> str:
    node = _resolve(root, node)
    if "enum" in node:
        return " \\| ".join(f"`{v}`" for v in node["enum"])
    kind = node.get("type", "")
    if kind == "array":
        return f"list of {_type_of(root, node.get('items', {}))}"
    if kind == "object" and "additionalProperties" in node and isinstance(node["additionalProperties"], dict):
        return f"map of {_type_of(root, node['additionalProperties'])}"
    return kind or "any"


def _limits(node: dict) -> str:
    parts = []
    for key, word in (
        ("minimum", "≥"),
        ("exclusiveMinimum", ">"),
        ("maximum", "≤"),
        ("minLength", "length ≥"),
        ("maxLength", "length ≤"),
        ("minItems", "items ≥"),
        ("maxItems", "items ≤"),
    ):
        if key in node:
            parts.append(f"{word} {node[key]}")
    if "pattern" in node:
        parts.append(f"pattern `{node['pattern']}`")
    return ", ".join(parts)


def _rows(root: dict, node: dict, prefix: str, out: list[str]) -> None:
    node = _resolve(root, node)
    required = set(node.get("required", ()))
    for name, child in node.get("properties", {}).items():
        path = f"{prefix}.{name}" if prefix else name
        resolved = _resolve(root, child)
        default = (
            f"`{json.dumps(resolved['default'])}`"
            if "default" in resolved
            else ("required" if name in required else "")
        )
        description = resolved.get("description", "").replace("|", "\\|").replace("\n", " ")
        limits = _limits(resolved)
        text = description + (f" ({limits})" if limits else "")
        out.append(f"| `{path}` | {_type_of(root, child)} | {default} | {text} |")
        if resolved.get("type") == "object" and "properties" in resolved and name != "environments":
            _rows(root, resolved, path, out)


def reference(schema: dict) -> str:
    lines = [
        "# Spec reference",
        "",
        "Generated from `schemas/tfgen.schema.json` by `tfgen schema --format markdown`; do not edit by hand.",
        "",
        schema.get("description", ""),
        "",
        "| field | type | default | description |",
        "|---|---|---|---|",
    ]
    _rows(schema, schema, "", lines)
    lines += [
        "",
        "`environments.<env>` takes any top-level field except `name` and `environments`;",
        "it is deep-merged over the base (maps key by key, lists and scalars replaced).",
        "",
    ]
    return "\n".join(lines)
