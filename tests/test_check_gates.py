"""`tfgen check` runs the gates each target's output kind declares, over that kind's
modules, and knows no kind or target by name (generator/outputs, targets/base.py)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from generator import check
from generator.outputs import FINDINGS, Gate, GateOptions, OutputKind
from generator.outputs.terraform import TERRAFORM
from generator.targets import registry
from tests.support import EXAMPLES

SPEC = EXAMPLES / "iris-classifier.yaml"


def _kind(name: str, calls: list, status: str | None = None) -> OutputKind:
    def gate(gate_name):
        def run(step, folders, options):
            # module folders as <env or base>/<target>, whatever the temporary root
            where = [str(Path(f)).split(f"/{SPEC.stem}/", 1)[1] for f in folders]
            calls.append((gate_name, where, options))
            if status:
                step.status = status

        return Gate(gate_name, run)

    return dataclasses.replace(TERRAFORM, name=name, gates=(gate(f"{name} one"), gate(f"{name} two")))


def test_each_output_kind_runs_its_own_gates_over_its_own_modules(monkeypatch):
    calls: list = []
    ecs, run = registry.get("aws-ecs"), registry.get("gcp-cloud-run")
    by_name = {name: registry.get(name) for name in registry.names()}
    by_name[ecs.name] = dataclasses.replace(ecs, output=_kind("first", calls))
    by_name[run.name] = dataclasses.replace(run, output=_kind("second", calls, status=FINDINGS))
    monkeypatch.setattr(registry, "_LOADED", by_name)

    options = GateOptions(specs=[SPEC])  # rendered into a temporary folder
    steps = check.run_check(options, echo=lambda line: None)

    assert [s.name for s in steps] == ["validate", "render", "first one", "first two", "second one", "second two"]
    ecs_modules, run_modules = [ecs.name, f"prod/{ecs.name}"], [run.name, f"prod/{run.name}"]
    assert [(gate, where) for gate, where, _ in calls] == [
        ("first one", ecs_modules),
        ("first two", ecs_modules),
        ("second one", run_modules),
        ("second two", run_modules),
    ]
    assert all(opts is options for *_, opts in calls)
    assert [s.status for s in steps[-2:]] == [FINDINGS, FINDINGS]
    assert check.exit_code(steps) == 1


def test_terraform_kind_declares_the_terraform_gates():
    assert [g.name for g in TERRAFORM.gates] == ["fmt", "lint", "terraform validate", "scan"]
    assert {t.output.name for t in registry.TARGETS} == {"terraform", "kubernetes-manifests"}
