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

import yaml

from . import FINDINGS, Gate, GateOptions, OutputKind, Step
from .terraform import TERRAFORM


def _modules(folders: list[Path]) -> list[Path]:
    return sorted(set(folders))


def _build(step: Step, folders: list[Path], _options: GateOptions) -> None:
    from ..manifests import gates  # gates and kubectl are imported when checking, not when rendering

    built = gates.build(_modules(folders))
    step.detail = f"{len(built)} kustomization(s), {sum(len(v) for v in built.values())} object(s)"


def _schema(step: Step, folders: list[Path], _options: GateOptions) -> None:
    from ..manifests import gates

    built = gates.build(_modules(folders))
    problems = gates.schema_problems(built)
    step.detail = f"{sum(len(v) for v in built.values())} object(s), Kubernetes {gates.KUBERNETES_VERSION}, strict"
    if problems:
        step.status, step.messages = FINDINGS, problems


def _scan(step: Step, folders: list[Path], _options: GateOptions) -> None:
    from ..manifests import gates

    outcome = gates.scan(gates.build(_modules(folders)))
    step.detail = outcome.summary()
    if outcome.failed or outcome.reasonless:
        step.status, step.messages = FINDINGS, outcome.failed + outcome.reasonless


def _facts(files: dict[str, str]) -> dict[str, Any]:
    """README facts read back from the rendered manifests: Checkov skips (`checkov.io/skipN`
    annotations) and the Mermaid diagram of the base objects."""
    return {"skips": skip_annotations(files), "diagram": diagram(_base_objects(files))}


def _base_objects(files: dict[str, str]) -> dict[str, dict[str, Any]]:
    """kind -> object, from base/*.yaml (one object per kind)."""
    found = {}
    for path, text in sorted(files.items()):
        if path.startswith("base/") and path.endswith(".yaml"):
            doc = yaml.safe_load(text)
            if isinstance(doc, dict) and "kind" in doc and doc["kind"] != "Kustomization":
                found[doc["kind"]] = doc
    return found


def diagram(objs: dict[str, dict[str, Any]]) -> str:
    """Callers -> (Ingress) -> Service -> pods, with what guards and runs them. Every value in it
    comes from a rendered object and is pattern-restricted by the spec schema (no quotes or brackets)."""
    if "Deployment" not in objs or "Service" not in objs:
        return ""
    deployment, service = objs["Deployment"], objs["Service"]
    pod = deployment["spec"]["template"]["spec"]
    port = service["spec"]["ports"][0]
    svc_type = service["spec"]["type"]
    lines = ["flowchart LR"]
    callers = "internet" if svc_type == "LoadBalancer" else "clients"
    svc = f'service["Service {svc_type}<br/>:{port["port"]}"]'
    if "Ingress" in objs:
        spec = objs["Ingress"]["spec"]
        lines.append('  callers(["clients"])')
        lines.append(
            f'  callers -->|HTTPS| ingress["Ingress {spec["rules"][0]["host"]}<br/>TLS, class {spec["ingressClassName"]}"]'
        )
        lines.append(f"  ingress --> {svc}")
    else:
        lines.append(f'  callers(["{callers}"])')
        lines.append(f"  callers -->|TCP {port['port']}| {svc}")
    if "HorizontalPodAutoscaler" in objs:
        hpa = objs["HorizontalPodAutoscaler"]["spec"]
        count = f"{hpa['minReplicas']}-{hpa['maxReplicas']} pods"
        lines.append('  hpa{{"HorizontalPodAutoscaler"}} -.-> pods')
    else:
        count = f"{deployment['spec'].get('replicas', 1)} pods"
    lines.append(
        f'  service -->|:{port["targetPort"]}| pods["Deployment {deployment["metadata"]["name"]}<br/>{count}"]'
    )
    if "NetworkPolicy" in objs:
        lines.append('  netpol{{"NetworkPolicy"}} -.-> pods')
    if "PodDisruptionBudget" in objs:
        lines.append('  pdb{{"PodDisruptionBudget"}} -.-> pods')
    if "ServiceAccount" in objs:
        sa = objs["ServiceAccount"]
        identity = "<br/>cloud workload identity" if sa["metadata"].get("annotations") else ""
        lines.append(f'  pods --- sa["ServiceAccount {sa["metadata"]["name"]}{identity}"]')
    container = pod["containers"][0]
    uses_secrets = (
        any("valueFrom" in e for e in container.get("env", [])) or pod.get("imagePullSecrets") or "Ingress" in objs
    )
    if uses_secrets:
        lines.append('  secrets[("existing Secrets")] -.-> pods')
    return "\n".join(lines)


def skip_annotations(files: dict[str, str]) -> list[dict[str, str]]:
    skips: dict[tuple[str, str], dict[str, str]] = {}
    for path, text in sorted(files.items()):
        if not path.endswith(".yaml"):
            continue
        for doc in yaml.safe_load_all(text):
            if not isinstance(doc, dict) or "kind" not in doc:
                continue  # kustomization files, JSON patches
            annotations = (doc.get("metadata") or {}).get("annotations") or {}
            for key, value in sorted(annotations.items()):
                if key.startswith("checkov.io/skip") and isinstance(value, str):
                    check, _, reason = value.partition("=")
                    resource = f"{doc['kind']}/{doc['metadata']['name']}"
                    skips.setdefault(
                        (check, resource), {"check": check, "resource": resource, "reason": reason, "file": path}
                    )
    return list(skips.values())


class KubectlRunner:
    """`tfgen plan` / `apply` of a Kustomize module: overlays/<env>/ (or base/) on the current context."""

    @staticmethod
    def plan(*args: Any, **kwargs: Any) -> Any:
        from ..runners import kubectl

        return kubectl.plan(*args, **kwargs)

    @staticmethod
    def apply(*args: Any, **kwargs: Any) -> Any:
        from ..runners import kubectl

        return kubectl.apply_module(*args, **kwargs)


KUBERNETES_MANIFESTS = OutputKind(
    name="kubernetes-manifests",
    gates=(Gate("kustomize build", _build), Gate("kubernetes schema", _schema), Gate("scan (kubernetes)", _scan)),
    file_kinds={".md": TERRAFORM.file_kinds[".md"]},  # the same README Markdown; Jinja imported when it renders
    shared_templates=("README.md.j2",),
    facts=_facts,
    required_variants=("minimal", "public", "public-ingress", "gpu", "all-features"),
    runner=KubectlRunner(),
)
