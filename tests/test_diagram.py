"""The Mermaid diagram in every module README: drawn from the rendered code, never drifting from it."""

from __future__ import annotations

import re

import pytest

from generator import pipeline, render
from generator.diagram import SECRET_ACTIONS, SECRETS, mermaid
from generator.model import normalize
from generator.targets import registry
from tests.support import REPO

# Terraform modules (a Kubernetes module's diagram is tested with its target, from its manifests)
COMMITTED = sorted(p.parent for p in (REPO / "modules").rglob("README.md") if any(p.parent.glob("*.tf")))
TERRAFORM_TARGETS = [t for t in registry.TARGETS if t.output.name == "terraform"]
VARIANTS = [(t, name) for t in TERRAFORM_TARGETS for name in sorted(t.variants)]
BLOCK = re.compile(r"```mermaid\n(.*?)\n```", re.DOTALL)
ADDRESS = re.compile(r"\b(?:data\.)?[a-z0-9]+(?:_[a-z0-9]+)+\.[a-z0-9_]+\b")


def _tf(folder) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.tf"))}


def _diagram(readme: str) -> str:
    found = BLOCK.findall(readme)
    assert len(found) == 1, "expected exactly one mermaid block"
    return found[0]


@pytest.mark.parametrize("module", COMMITTED, ids=lambda p: str(p.relative_to(REPO / "modules")))
def test_committed_readme_diagram_is_the_one_its_code_gives(module):
    diagram = _diagram((module / "README.md").read_text(encoding="utf-8"))
    facts = render.module_facts(_tf(module))
    assert diagram == mermaid(facts["resources"])  # same facts as the README's tables, read back from the code
    declared = {r["address"] for r in facts["resources"]}
    named = set(ADDRESS.findall(diagram))
    assert named and named <= declared, named - declared  # it shows nothing the module does not declare
    assert diagram.startswith('flowchart LR\n  callers(["Callers"])')
    for edge in ("-->|logs| logs", "-.->|runs as| identity"):
        assert edge in diagram, edge
    # alarms are drawn exactly when the module declares some (a module without thresholds may have none)
    alarm_types = {"aws_cloudwatch_metric_alarm", "google_monitoring_alert_policy", "azurerm_monitor_metric_alert"}
    assert ("-.->|watch| service" in diagram) == any(r["type"] in alarm_types for r in facts["resources"])
    # secrets are drawn exactly when the module reads some (an example without container.secrets has none)
    reads = any(r["type"] in SECRETS or set(r["actions"]) & set(SECRET_ACTIONS) for r in facts["resources"])
    assert ("-->|reads| secrets" in diagram) == reads


@pytest.mark.parametrize(("target", "variant"), VARIANTS, ids=[f"{t.name}-{v}" for t, v in VARIANTS])
def test_every_variant_of_every_target_gets_a_diagram_of_its_own_resources(target, variant):
    spec = normalize(dict(target.variants[variant]))
    files = render.render_module(spec, target)
    readme = next(text for path, text in files.items() if path.name == "README.md")
    diagram = _diagram(readme)
    tf = {path.name: text for path, text in files.items() if path.suffix == ".tf"}
    types = {r["type"] for r in render.module_facts(tf)["resources"] if not r["data"]}
    assert "  service[" in diagram
    # each optional part is drawn exactly when the module declares it
    assert ("  network[" in diagram) == bool(
        types
        & {
            "aws_vpc",
            "aws_subnet",
            "aws_security_group",
            "google_compute_network",
            "google_vpc_access_connector",
            "azurerm_virtual_network",
            "azurerm_subnet",
            "azurerm_network_security_group",
            "aws_nat_gateway",
            "google_compute_subnetwork",
            "google_compute_firewall",
        }
    )
    assert ("  entry[" in diagram) == bool(types & {"aws_lb", "aws_lambda_function_url", "aws_batch_job_queue"})
    assert ("  dlq[" in diagram) == ("aws_sqs_queue" in types)
    assert ("  schedule(" in diagram) == ("aws_scheduler_schedule" in types)


@pytest.mark.parametrize(
    ("reserve", "label"),
    [
        (False, "Provisioned concurrency: 2 warm"),  # nothing reserved: no upper bound to draw
        (True, "Provisioned concurrency: 2 warm, at most 9 concurrent"),  # reserved = scaling.max
    ],
)
def test_lambda_scaling_and_optional_parts_read_from_the_code(tmp_path, reserve, label):
    spec_file = tmp_path / "fn.yaml"
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text("def handler(e, c):\n    return 1\n")
    spec_file.write_text(
        "name: fn\nscaling: {min: 2, max: 9}\ntargets:\n  aws-lambda:\n    region: us-east-1\n"
        "    package: {type: zip, source: src, handler: app.handler, runtime: python3.12}\n"
        f"    reserve_concurrency: {str(reserve).lower()}\n"
    )
    files, _ = pipeline.render_spec(pipeline.load_spec(spec_file))
    diagram = _diagram(next(t for p, t in files.items() if p.name == "README.md"))
    assert f'  scaling{{{{"{label}<br/>aws_lambda_provisioned_concurrency_config.this (optional)"}}}}' in diagram


def test_no_service_no_diagram_and_long_lists_are_cut():
    assert mermaid([]) == ""
    resource = {"data": False, "count": None, "numbers": {}, "actions": []}
    service = {**resource, "type": "aws_ecs_service", "name": "this", "address": "aws_ecs_service.this"}
    alarms = [
        {
            **resource,
            "type": "aws_cloudwatch_metric_alarm",
            "name": f"a{i}",
            "address": f"aws_cloudwatch_metric_alarm.a{i}",
        }
        for i in range(5)
    ]
    diagram = mermaid([service, *alarms])
    assert (
        '  alarms["CloudWatch alarms<br/>aws_cloudwatch_metric_alarm.a0<br/>aws_cloudwatch_metric_alarm.a1<br/>'
        'aws_cloudwatch_metric_alarm.a2<br/>+2 more"]'
    ) in diagram
    assert "callers -->|requests| service" in diagram  # no load balancer declared: callers reach the service
