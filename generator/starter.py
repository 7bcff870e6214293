"""The starter spec `tfgen init` writes: commented YAML a newcomer can read and edit.

Pure: answers in, text out. Every user value goes through `yaml_scalar` (a JSON
string is a valid YAML double-quoted scalar), so a name or image can never
change the document's shape. Optional sections are written as comments, so
the file validates for any choice of targets and shows what can be set. What
each target asks and writes is its `starter` (generator/targets/base.py).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .targets import registry
from .targets.base import StarterQuestion, yaml_scalar

TARGETS = tuple(t.name for t in registry.TARGETS if t.starter is not None)
NAME = re.compile(r"^[a-z][a-z0-9-]{0,22}[a-z0-9]$")


@dataclass(frozen=True)
class Answers:
    name: str
    image: str | None
    port: int
    targets: tuple[str, ...]
    settings: Mapping[str, Any] = field(default_factory=dict)  # question option -> answer


def suggest_name(folder_name: str) -> str:
    """A valid service name from a folder name (`My_Model v2` -> `my-model-v2`), or `my-model`."""
    name = re.sub(r"[^a-z0-9]+", "-", folder_name.lower()).strip("-")
    name = re.sub(r"^[^a-z]+", "", name)[:24].rstrip("-")
    return name if NAME.fullmatch(name) else "my-model"


def _starter(target: str):
    return registry.get(target).starter


def needs_image(targets: tuple[str, ...]) -> bool:
    """Whether any chosen target runs container.image."""
    return any(_starter(t).needs_image for t in targets)


def questions(targets: tuple[str, ...] | None = None) -> list[StarterQuestion]:
    """The questions of `targets` (default: every target), in registry order, each option once."""
    chosen = TARGETS if targets is None else [t for t in TARGETS if t in targets]
    asked: dict[str, StarterQuestion] = {}
    for target in chosen:
        for question in _starter(target).questions:
            asked.setdefault(question.option, question)
    return list(asked.values())


def files(targets: tuple[str, ...]) -> dict[str, str]:
    """Files the chosen targets' starters write beside the spec (relative path -> text)."""
    out: dict[str, str] = {}
    for target in targets:
        out.update(_starter(target).files)
    return out


def _section(targets: tuple[str, ...], key: str) -> list[str] | None:
    for target in targets:
        lines = _starter(target).sections.get(key)
        if lines is not None:
            return list(lines)
    return None


def render(answers: Answers, spec_file: str = "tfgen.yaml") -> str:
    a, lines = answers, list[str]()
    add = lines.append
    add("# A tfgen spec: one description of a model service, rendered to Terraform")
    add("# for each target below. Every field, its default and its limits:")
    add("# docs/spec-reference.md (or `tfgen schema --format markdown`).")
    add("#")
    add(f"#   tfgen validate {spec_file}   # check it (every problem as FILE:LINE:COL)")
    add(f"#   tfgen render {spec_file}     # write modules/{a.name}/<target>/*.tf")
    add(f"#   tfgen check {spec_file}      # the CI gate: fmt, lint, terraform validate, Checkov")
    add("")
    add(f"name: {yaml_scalar(a.name)}  # 2-24 characters [a-z0-9-]; prefixes every resource name")
    add(f"description: {yaml_scalar(a.name + ' model service')}")
    add("# labels: {team: ml-platform}  # tags/labels on every resource")
    add("")
    add("container:")
    if a.image:
        add(f"  image: {yaml_scalar(a.image)}  # pin a tag or digest; `latest` makes plans drift")
    for target in a.targets:
        lines.extend(_starter(target).sections.get("container", ()))
    add(f"  port: {a.port}  # where the server listens")
    add("  health_check: {path: /health, interval: 30, timeout: 5}  # must answer 200")
    add("  # env: {LOG_LEVEL: info}")
    add("  # secrets: {API_TOKEN: my-api-token}  # env var -> secret *name* in the platform's store, never a value")
    add("")
    add("resources: {cpu: 1, memory: 2048}  # vCPU and MiB, mapped to what each platform offers")
    add("")
    lines.extend(
        _section(a.targets, "scaling")
        or ["# scaling: {min: 1, max: 3}  # instances (Lambda: provisioned / reserved concurrency)"]
    )
    add('# network: {public: false, allowed_cidrs: ["10.0.0.0/8"]}  # private by default')
    lines.extend(
        _section(a.targets, "observability")
        or ["# observability: {log_retention_days: 30, tracing: true, alarms: {error_rate_percent: 5}}"]
    )
    add("")
    add("targets:")
    for target in a.targets:
        add(f"  {target}:")
        lines.extend(_starter(target).settings(a.settings))
    add("")
    add("state:")
    add("  backend: local  # s3, gcs or azurerm to share state with a team")
    add("")
    add("# environments:  # overlays, rendered to modules/<name>/<env>/<target>/")
    add("#   prod: {scaling: {min: 2, max: 10}}")
    return "\n".join(lines) + "\n"
