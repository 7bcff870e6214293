"""Issue 10 #16: Checkov finds nothing whatever the container port.

Checkov's unrestricted-ingress checks for ports 22, 80 and 3389 (CKV_AWS_24,
CKV_AWS_260, CKV_AWS_25) read an ingress rule without a CIDR as open to the
world: they do not know `referenced_security_group_id`, so they flag the ECS
rule that admits only the load balancer's security group. That rule carries a
reasoned inline skip for exactly the check of its port; one Checkov run over
every variant proves "0 failed" and that no other check was skipped for it.
"""

from __future__ import annotations

import pytest
import yaml

from generator import pipeline
from tests.hclread import parse_module
from tests.support import checkov_scan, write_module

PORTS = [22, 80, 443, 3389, 8080]
MISREAD = {22: "CKV_AWS_24", 80: "CKV_AWS_260", 3389: "CKV_AWS_25"}
VAULT = (
    "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-kv/providers/"
    "Microsoft.KeyVault/vaults/kv-models"
)
CERTIFICATE = "arn:aws:acm:us-east-1:123456789012:certificate/abc-123"


def _specs() -> dict[str, dict]:
    specs = {}
    for port in PORTS:
        container = {"image": "ghcr.io/example/demo:1.0", "port": port}
        specs[f"ecs-internal-{port}"] = {"container": container, "targets": {"aws-ecs": {"region": "us-east-1"}}}
        specs[f"ecs-public-{port}"] = {
            "container": container,
            "network": {"public": True, "allowed_cidrs": ["0.0.0.0/0"]},
            "targets": {"aws-ecs": {"region": "us-east-1", "certificate_arn": CERTIFICATE}},
        }
        specs[f"aci-{port}"] = {
            "container": container,
            "observability": {"tracing": False},
            "targets": {
                "azure-aci": {"location": "westeurope", "resource_group": {"name": "rg-demo"}, "key_vault_id": VAULT}
            },
        }
        specs[f"run-{port}"] = {
            "container": container,
            "targets": {"gcp-cloud-run": {"project": "demo-project", "region": "europe-west1"}},
        }
    return specs


def _render_all(tmp_path):
    out = tmp_path / "modules"
    modules = {}
    for name, body in _specs().items():
        path = tmp_path / f"{name}.yaml"
        path.write_text(yaml.safe_dump({"name": name, **body}, sort_keys=False), encoding="utf-8")
        spec = pipeline.load_spec(path)
        (target,) = spec.targets
        modules[name] = write_module(spec, pipeline.registry.get(target), out)
    return out, modules


def _service_from_alb(module) -> str:
    text = (module / "security.tf").read_text(encoding="utf-8")
    start = text.index('resource "aws_vpc_security_group_ingress_rule" "service_from_alb"')
    return text[start : text.index("\n}\n", start)]


def test_the_skip_names_exactly_the_check_of_the_port(tmp_path):
    _, modules = _render_all(tmp_path)
    for name, module in modules.items():
        if not name.startswith("ecs-"):
            continue
        port = int(name.rsplit("-", 1)[1])
        block = _service_from_alb(module)
        skipped = [line.strip() for line in block.splitlines() if "checkov:skip=" in line]
        if port in MISREAD:
            (line,) = skipped
            assert line.startswith(f"#checkov:skip={MISREAD[port]}:"), line
            assert "referenced_security_group_id" in line
        else:
            assert skipped == [], name
        parse_module(module)  # still reads with Checkov's grammar


@pytest.mark.checkov
def test_checkov_finds_nothing_for_any_container_port(tmp_path):
    out, _ = _render_all(tmp_path)
    result = checkov_scan([out])
    assert [(f.check_id, f.resource, f.file) for f in result.failed] == []
    # the port-80 rule: skipped for CKV_AWS_260 only, and every other check of it ran
    ecs80 = [f for f in result.skipped if "ecs-internal-80" in str(f.file) and "service_from_alb" in f.resource]
    assert [f.check_id for f in ecs80] == ["CKV_AWS_260"]
    assert any("service_from_alb" in f.resource and "ecs-internal-80" in str(f.file) for f in result.passed)
