"""Kubernetes manifests (a Kustomize tree): how the module renders, its gates, how it runs.

The manifests themselves are built as data by the target (`Target.files`,
generator/manifests/) and dumped by generator/manifests/yamlout.py, never
typed into a template; only the README is a template. Gates, all offline,
over what a cluster would receive (`kubectl kustomize` of base/ and every
overlay): the build itself, strict schema validation for the pinned
Kubernetes version (kubernetes-validate), and Checkov's kubernetes framework.
`tfgen plan` / `apply` run `kubectl diff` / `kubectl apply --server-side`
on the current context (generator/runners/kubectl.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .. import render
from ..manifests import gates
from ..runners import kubectl
from . import FINDINGS, Gate, GateOptions, OutputKind, Step


def _modules(folders: list[Path]) -> list[Path]:
    return sorted(set(folders))


def _build(step: Step, folders: list[Path], options: GateOptions) -> None:
    built = gates.build(_modules(folders))
    step.detail = f"{len(built)} kustomization(s), {sum(len(v) for v in built.values())} object(s)"


def _schema(step: Step, folders: list[Path], options: GateOptions) -> None:
    built = gates.build(_modules(folders))
    problems = gates.schema_problems(built)
    step.detail = f"{sum(len(v) for v in built.values())} object(s), Kubernetes {gates.KUBERNETES_VERSION}, strict"
    if problems:
        step.status, step.messages = FINDINGS, problems


def _scan(step: Step, folders: list[Path], options: GateOptions) -> None:
    outcome = gates.scan(gates.build(_modules(folders)))
    step.detail = outcome.summary()
    if outcome.failed or outcome.reasonless:
        step.status, step.messages = FINDINGS, outcome.failed + outcome.reasonless


def _facts(files: dict[str, str]) -> dict[str, Any]:
    return {}  # the README reads the target's context, built from the same objects as the files


class KubectlRunner:
    """`tfgen plan` / `apply` of a Kustomize module: overlays/<env>/ (or base/) on the current context."""

    plan = staticmethod(kubectl.plan)
    apply = staticmethod(kubectl.apply_module)


KUBERNETES_MANIFESTS = OutputKind(
    name="kubernetes-manifests",
    gates=(Gate("kustomize build", _build), Gate("kubernetes schema", _schema), Gate("scan (kubernetes)", _scan)),
    file_kinds={".md": render.MARKDOWN_FILE},
    facts=_facts,
    required_variants=("minimal", "public", "public-ingress", "gpu", "all-features"),
    runner=KubectlRunner(),
)
