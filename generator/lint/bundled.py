"""tfgen's own provider schemas, shipped as package data: lint's source of last resort.

scripts/trim-provider-schemas derives them from full `terraform providers
schema -json` files: for each provider the templates declare, at the version
they pin, the provider block and only the resource and data-source types the
templates render (sources.json lists them, with provenance). So `tfgen lint`
works offline on any fresh install, while a --provider-schema file or an
initialised module still wins (engine.py asks those first).

A trimmed schema must never pass judgement on what it does not hold. It
serves a module's provider only when
- the module's version constraint for that provider admits the bundled version, and
- every type of that provider the module uses is bundled, or is not a type of
  the full provider at all (then "unknown resource type" is the true finding;
  `<provider>-<version>.types.json` holds every type name of the full provider).
Otherwise the provider stays unresolved and the reason says why and what to do.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..hclread import Body
from ..paths import provider_schemas_dir
from .checker import provider_ref
from .schema_source import ProviderSchema, SchemaSourceError, load_schema_file

_KIND = {"resource": "resource_types", "data": "data_source_types"}
_ALL_KIND = {"resource": "resource_schemas", "data": "data_source_schemas"}
_CONSTRAINT = re.compile(r"^\s*(=|!=|>=|<=|>|<|~>)?\s*v?([0-9]+(?:\.[0-9]+){0,2})\s*$")


@functools.cache
def bundled_sources(folder: Path | None = None) -> tuple[dict, ...]:
    """The provenance records of the bundled schemas (sources.json), one per provider."""
    folder = folder or provider_schemas_dir()
    try:
        document = json.loads((folder / "sources.json").read_text(encoding="utf-8"))
        return tuple(document["providers"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise SchemaSourceError(
            f"tfgen's bundled provider schemas in {folder} are unreadable ({exc}); reinstall tfgen"
        ) from None


@functools.cache
def _all_type_names(types_file: Path) -> dict[str, tuple[str, ...]]:
    """Kind ("resource", "data") -> every type name of the full provider, sorted."""
    try:
        names = json.loads(types_file.read_text(encoding="utf-8"))
        return {kind: tuple(sorted(names[key])) for kind, key in _ALL_KIND.items()}
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise SchemaSourceError(f"{types_file}: unreadable ({exc}); reinstall tfgen") from None


def bundled_pool(
    bodies: list[tuple[str, Body]], cache_dir: Path | None = None, folder: Path | None = None
) -> tuple[list[ProviderSchema], dict[str, str]]:
    """(bundled schemas fit to serve this module, local name -> why a bundled schema may not serve it)."""
    from .engine import DEFAULT_REGISTRY  # engine imports this module

    folder = folder or provider_schemas_dir()
    required = _required(bodies)
    used = _types_in_use(bodies)
    in_use = (
        set(used) | set(required) | {b.labels[0] for _, body in bodies for b in body.blocks_of("provider") if b.labels}
    )
    # the provider each local name stands for: its required_providers source, else hashicorp/<name>
    address = {name: required.get(name, (None, None))[0] or f"{DEFAULT_REGISTRY}/hashicorp/{name}" for name in in_use}
    pool: list[ProviderSchema] = []
    reasons: dict[str, str] = {}
    for record in bundled_sources(folder):
        names = sorted(name for name in in_use if address[name] == record["source"])
        if not names:
            continue
        label = f"tfgen's bundled {record['provider']} {record['version']} schema"
        why = []
        for name in names:
            constraint = required.get(name, (None, None))[1]
            if constraint and not satisfies(record["version"], constraint):
                why.append(f"{label} does not meet the module's constraint {name} {constraint!r}")
            why += [
                f"{label} holds only the types tfgen renders, not {kind} {type_}"
                for kind, type_ in sorted(used.get(name, ()))
                if type_ not in record[_KIND[kind]] and type_ in _all_type_names(folder / record["types_file"])[kind]
            ]
        if why:
            reasons.update(
                {name: "; ".join(why) + " (initialise the module or pass --provider-schema)" for name in names}
            )
        else:
            all_names = _all_type_names(folder / record["types_file"])
            pool += [
                _BundledSchema.of(p, all_names) for p in load_schema_file(folder / record["schema_file"], cache_dir)
            ]
    return pool, reasons


@dataclass
class _BundledSchema(ProviderSchema):
    """A trimmed schema that still knows every type name of the full provider, for "did you mean" suggestions.

    bundled_pool lends it only to modules whose types are bundled or do not
    exist at all, so a name listed here but not bundled never reaches the checker.
    """

    _all_names: dict[str, tuple[str, ...]] = field(default_factory=dict, repr=False)

    @classmethod
    def of(cls, schema: ProviderSchema, all_names: dict[str, tuple[str, ...]]) -> _BundledSchema:
        return cls(
            schema.source,
            f"tfgen's bundled schema {schema.origin}",
            schema._provider,
            schema._resources,
            schema._data_sources,
            _all_names=all_names,
        )

    def resource_types(self) -> Iterable[str]:
        return self._all_names["resource"]

    def data_source_types(self) -> Iterable[str]:
        return self._all_names["data"]


def satisfies(version: str, constraint: str) -> bool:
    """Does `version` (X.Y.Z) meet a Terraform version constraint like ">= 5.100.0, < 6.0.0"?

    A constraint this cannot read counts as not met: the caller then does not
    lint against a schema of a version the module may not accept.
    """
    have = _version(version)
    for part in constraint.split(","):
        match = _CONSTRAINT.match(part)
        want = _version(match.group(2)) if match else None
        if match is None or want is None or have is None:
            return False
        op, text = match.group(1) or "=", match.group(2)
        segments = text.count(".") + 1
        if op == "~>":  # the last given segment may rise: ~> 5.1 = >= 5.1, < 6.0; ~> 5.1.2 = >= 5.1.2, < 5.2.0
            upper = list(want[: max(segments - 1, 1)])
            upper[-1] += 1
            ok = want <= have < tuple(upper + [0] * (3 - len(upper)))
        else:
            ok = {
                "=": have == want,
                "!=": have != want,
                ">": have > want,
                ">=": have >= want,
                "<": have < want,
                "<=": have <= want,
            }[op]
        if not ok:
            return False
    return True


def _version(text: str) -> tuple[int, int, int] | None:
    try:
        parts = [int(p) for p in text.split(".")]
    except ValueError:
        return None
    return tuple((parts + [0, 0, 0])[:3]) if 1 <= len(parts) <= 3 else None  # type: ignore[return-value]


def _required(bodies: list[tuple[str, Body]]) -> dict[str, tuple[str | None, str | None]]:
    """Local name -> (full source address, version constraint) from required_providers."""
    from .engine import normalize_source

    found: dict[str, tuple[str | None, str | None]] = {}
    for _, body in bodies:
        for terraform in body.blocks_of("terraform"):
            for required in terraform.body.blocks_of("required_providers"):
                for attr in required.body.attributes:
                    value = attr.value if isinstance(attr.value, dict) else {}
                    source, version = value.get("source"), value.get("version")
                    found[attr.name] = (
                        normalize_source(source) if isinstance(source, str) else None,
                        version if isinstance(version, str) else None,
                    )
    return found


def _types_in_use(bodies: list[tuple[str, Body]]) -> dict[str, set[tuple[str, str]]]:
    """Provider local name -> {(kind, type)} of the resource and data blocks that use it."""
    used: dict[str, set[tuple[str, str]]] = {}
    for _, body in bodies:
        for block in body.blocks:
            if block.type in _KIND and len(block.labels) == 2:
                used.setdefault(provider_ref(block), set()).add((block.type, block.labels[0]))
    return used
