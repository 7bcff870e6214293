"""Issue 10 #15: every target's module is `terraform fmt`-clean whatever the length of its
lists and maps (one item, many items, none), with created and existing networks.

Templates pad `=` for one-line values; when an encoded list or map turns
multi-line, hclwrite writes `name = [` without the padding, and so must we.
One real `terraform fmt -check -recursive` over every rendered variant.
"""

from __future__ import annotations

import shutil

import pytest
import yaml

from generator import pipeline
from tests.support import EXAMPLES, require_terraform, run, write_module

SUB = "00000000-0000-0000-0000-000000000000"
VAULT = f"/subscriptions/{SUB}/resourceGroups/rg-kv/providers/Microsoft.KeyVault/vaults/kv-models"
ACI_SUBNET = f"/subscriptions/{SUB}/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet/subnets/aci"
ECR_IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/models/demo:1.0"


def _subnets(count: int, digit: str) -> list[str]:
    return [f"subnet-{digit}{i:016x}" for i in range(count)]


def _cidrs(count: int) -> list[str]:
    return [f"10.{i}.0.0/16" for i in range(count)]


def _container(size: int, image: str) -> dict:
    container = {"image": image, "port": 8080}
    if size:
        container["command"] = [f"serve-{i}-{'x' * 20}" for i in range(size)]
        container["args"] = [f"--flag-{i}={'y' * 20}" for i in range(size)]
        container["env"] = {f"VARIABLE_NUMBER_{i}": "v" * 30 for i in range(size)}
        container["secrets"] = {f"SECRET_NUMBER_{i}": f"secret-name-{i}" for i in range(size)}
    return container


def _variants(size: int) -> dict[str, dict]:
    """Specs for every target and network mode; `size` items in each list and map (0: none where allowed)."""
    labels = {f"label-{i}": f"value-{i}" for i in range(size)}
    cidrs = _cidrs(max(size, 1))
    ecs_network = {
        "vpc_id": "vpc-0123456789abcdef0",
        "private_subnet_ids": _subnets(max(size, 1), "0"),
        "public_subnet_ids": _subnets(max(size, 2), "1"),
    }
    return {
        "ecs-existing": {
            "labels": labels,
            "container": _container(size, "ghcr.io/example/demo:1.0"),
            "network": {"public": True, "vpc": "existing", "allowed_cidrs": cidrs},
            "targets": {
                "aws-ecs": {
                    "region": "us-east-1",
                    "network": ecs_network,
                    "certificate_arn": "arn:aws:acm:us-east-1:123456789012:certificate/abc-123",
                }
            },
        },
        "ecs-created": {
            "labels": labels,
            "container": _container(size, "ghcr.io/example/demo:1.0"),
            "network": {"public": False, "vpc": "create", "allowed_cidrs": cidrs},
            "targets": {"aws-ecs": {"region": "us-east-1"}},
        },
        "lambda-existing": {
            "labels": labels,
            "container": {k: v for k, v in _container(size, ECR_IMAGE).items() if k not in ("command", "args")},
            "network": {"vpc": "existing"},
            "targets": {
                "aws-lambda": {
                    "region": "us-east-1",
                    "vpc": True,
                    "package": {"type": "image"},
                    "network": {"vpc_id": "vpc-0123456789abcdef0", "private_subnet_ids": _subnets(max(size, 1), "0")},
                }
            },
        },
        "lambda-zip-created": {
            "labels": labels,
            "container": {k: v for k, v in _container(size, "").items() if k in ("env", "secrets")},
            "targets": {
                "aws-lambda": {
                    "region": "us-east-1",
                    "vpc": True,
                    "package": {
                        "type": "zip",
                        "source": "sentiment-lambda",
                        "handler": "app.handler",
                        "runtime": "python3.12",
                    },
                }
            },
        },
        "cloud-run": {
            "labels": labels,
            "container": _container(size, "ghcr.io/example/demo:1.0"),
            "targets": {
                "gcp-cloud-run": {
                    "project": "demo-project",
                    "region": "europe-west1",
                    "invokers": [f"user:person-{i}@example.com" for i in range(size)],
                }
            },
        },
        "cloud-run-existing": {
            "labels": labels,
            "container": _container(size, "ghcr.io/example/demo:1.0"),
            "network": {"vpc": "existing"},
            "targets": {
                "gcp-cloud-run": {
                    "project": "demo-project",
                    "region": "europe-west1",
                    "vpc_connector": "projects/demo-project/locations/europe-west1/connectors/conn",
                }
            },
        },
        "aci-created": {
            "labels": labels,
            "container": _container(size, "ghcr.io/example/demo:1.0"),
            "network": {"allowed_cidrs": cidrs},
            "observability": {"tracing": False},
            # secrets on ACI are read into plan and state: a remote, encrypted backend is required
            "state": {
                "backend": "azurerm",
                "resource_group_name": "rg-tfstate",
                "storage_account_name": "sttfstate",
                "container_name": "tfstate",
                "key": "demo.tfstate",
            },
            "targets": {
                "azure-aci": {"location": "westeurope", "resource_group": {"name": "rg-demo"}, "key_vault_id": VAULT}
            },
        },
        "aci-existing": {
            "labels": labels,
            "container": _container(size, "ghcr.io/example/demo:1.0"),
            "network": {"vpc": "existing", "allowed_cidrs": cidrs},
            "observability": {"tracing": False},
            # secrets on ACI are read into plan and state: a remote, encrypted backend is required
            "state": {
                "backend": "azurerm",
                "resource_group_name": "rg-tfstate",
                "storage_account_name": "sttfstate",
                "container_name": "tfstate",
                "key": "demo.tfstate",
            },
            "targets": {
                "azure-aci": {
                    "location": "westeurope",
                    "resource_group": {"name": "rg-demo"},
                    "key_vault_id": VAULT,
                    "subnet_id": ACI_SUBNET,
                }
            },
        },
    }


@pytest.mark.terraform
def test_every_variant_is_terraform_fmt_clean(tmp_path):
    shutil.copytree(EXAMPLES / "sentiment-lambda", tmp_path / "sentiment-lambda")
    out = tmp_path / "modules"
    modules = 0
    for size in (0, 1, 6):
        for name, body in _variants(size).items():
            spec_path = tmp_path / f"{name}-{size}.yaml"
            spec_path.write_text(yaml.safe_dump({"name": f"{name}-{size}", **body}, sort_keys=False), encoding="utf-8")
            spec = pipeline.load_spec(spec_path)
            for target in spec.targets:
                write_module(spec, pipeline.registry.get(target), out)
                modules += 1
    assert modules == 24
    assert len(list(out.rglob("main.tf"))) == 24
    proc = run([require_terraform(), "fmt", "-check", "-diff", "-no-color", "-recursive", "."], out)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr
