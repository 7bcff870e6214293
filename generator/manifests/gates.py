"""The gates of a Kustomize module, all offline: build, strict schema validation, Checkov.

What is checked is what a cluster would receive: every kustomization root of
the module (`base/` and each `overlays/<env>/`) is built with `kubectl
kustomize`, and that built output is validated and scanned, never the
source files. A missing tool (kubectl, kubernetes-validate, Checkov) is a
ToolError, so `tfgen check` reports "tool failed", never a pass.
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from ..errors import ToolError
from ..runners import kubectl

# Kubernetes version whose OpenAPI schema the objects are validated against (strict: unknown fields are errors).
KUBERNETES_VERSION = "1.32"
# Checkov's placeholder when a skip annotation has no `=reason`.
_NO_REASON = "No comment provided"


def kustomize_roots(folder: Path) -> list[Path]:
    """base/ and every overlays/<env>/ of one module, in a fixed order."""
    roots = [folder / "base"] + sorted(p for p in (folder / "overlays").glob("*") if p.is_dir())
    return [r for r in roots if (r / "kustomization.yaml").is_file()]


def label(folder: Path, root: Path) -> str:
    return f"{folder}/{root.relative_to(folder)}"


def build(folders: list[Path]) -> dict[str, list[dict[str, Any]]]:
    """`kubectl kustomize` of every root: label -> the built objects."""
    built: dict[str, list[dict[str, Any]]] = {}
    for folder in folders:
        roots = kustomize_roots(folder)
        if not roots:
            raise ToolError(f"{folder}: no base/kustomization.yaml; not a kubernetes module")
        for root in roots:
            text = kubectl.kustomize_build(root)
            built[label(folder, root)] = [d for d in yaml.safe_load_all(text) if d is not None]
    return built


def _object_name(obj: dict[str, Any]) -> str:
    meta = obj.get("metadata") or {}
    return f"{obj.get('kind', '?')}/{meta.get('name', '?')}"


def schema_problems(built: dict[str, list[dict[str, Any]]], version: str = KUBERNETES_VERSION) -> list[str]:
    """Every object against the Kubernetes `version` schema, strict; every problem, one message each.

    Uses kubernetes-validate's bundled (offline) strict schemas, as its own
    `validate()` does, but lists every error of an object instead of the first.
    """
    problems = []
    for where, objects in built.items():
        for obj in objects:
            validator = _validator(obj.get("apiVersion", ""), obj.get("kind", ""), version)
            if validator is None:
                problems.append(
                    f"{where}: {_object_name(obj)}: no schema for {obj.get('apiVersion')} "
                    f"{obj.get('kind')} in Kubernetes {version}"
                )
                continue
            for error in sorted(validator.iter_errors(obj), key=lambda e: list(map(str, e.absolute_path))):
                path = ".".join(str(p) for p in error.absolute_path) or "(object)"
                problems.append(f"{where}: {_object_name(obj)}: {path}: {error.message}")
    return problems


@cache
def _validator(api_version: str, kind: str, version: str):
    from .crd_schemas import SCHEMAS

    if (api_version, kind) in SCHEMAS:  # a custom resource: tfgen's strict schema of it
        import jsonschema

        return jsonschema.Draft202012Validator(SCHEMAS[(api_version, kind)])
    try:
        import jsonschema
        import referencing
        from kubernetes_validate import utils
    except ImportError as exc:
        raise ToolError(f"kubernetes-validate is not installed ({exc}); `pip install kubernetes-validate`") from None
    if version not in {utils.major_minor(v) for v in utils.all_versions()}:
        raise ToolError(f"kubernetes-validate {utils.__version__} has no schemas for Kubernetes {version}")
    # the file naming kubernetes-validate uses: apps/v1 -> apps-v1, networking.k8s.io/v1 -> networking-v1
    group_version = re.sub(r"^([^./]*)(?:\.[^/]*)?/", r"\1-", api_version)
    folder = f"kubernetes-json-schema/v{version}.0-local-strict"
    try:
        schema = utils.schema_contents(f"{folder}/{kind.lower()}-{group_version}.json", version)
    except FileNotFoundError:
        return None
    definitions = utils.schema_contents(f"{folder}/_definitions.json", version)
    registry = referencing.Resource.from_contents(definitions) @ (
        referencing.Resource.from_contents(schema) @ referencing.Registry()
    )
    return jsonschema.Draft202012Validator(schema, registry=registry)


@dataclass
class ScanOutcome:
    passed: int = 0
    failed: list[str] = field(default_factory=list)  # one message per failed check
    failures: list[tuple[str, str, str]] = field(default_factory=list)  # (check id, build label, object)
    skipped: list[tuple[str, str, str]] = field(default_factory=list)  # (check id, object, reason)
    reasonless: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return f"{self.passed} passed, {len(self.failed)} failed, {len(self.skipped)} skipped"


def scan(built: dict[str, list[dict[str, Any]]]) -> ScanOutcome:
    """Checkov's kubernetes framework over the built output, in one run."""
    from ..runners.checkov import run_checkov
    from .yamlout import dump_all

    with tempfile.TemporaryDirectory(prefix="tfgen-k8s-scan-") as tmp:
        names: dict[str, str] = {}
        for i, (where, objects) in enumerate(built.items()):
            file_name = f"built-{i}.yaml"
            names[file_name] = where
            (Path(tmp) / file_name).write_text(dump_all(objects), encoding="utf-8")
        reports = run_checkov(["--framework", "kubernetes", "--directory", tmp])
    outcome = ScanOutcome()
    for report in reports:
        results = report.get("results") or {}
        outcome.passed += len(results.get("passed_checks") or [])
        for record in results.get("failed_checks") or []:
            where = names.get(Path(record.get("file_path", "")).name, record.get("file_path", "?"))
            outcome.failed.append(
                f"{record['check_id']} {where}: {record.get('resource', '?')} {record.get('check_name', '')}"
            )
            outcome.failures.append((record["check_id"], where, record.get("resource", "?")))
        for record in results.get("skipped_checks") or []:
            reason = ((record.get("check_result") or {}).get("suppress_comment") or "").strip()
            item = (record["check_id"], record.get("resource", "?"), reason)
            outcome.skipped.append(item)
            if not reason or reason == _NO_REASON:
                outcome.reasonless.append(f"{item[0]} {item[1]}: skipped without a reason")
    return outcome
