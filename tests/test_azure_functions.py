"""azure-functions (issue 18): what the module does with a spec, and what the target refuses.

The conformance suite covers fmt, lint against the bundled azurerm schema, Checkov and
determinism over the declared variants; these tests pin what a scanner cannot see: secrets
only as Key Vault references, the host's storage through the identity, the plan size and
scaling, the network modes, and the located refusals of what the platform cannot honour.
"""

from __future__ import annotations

import pytest
import yaml

from generator import pipeline
from generator.errors import SpecError
from generator.targets import registry
from tests.hclread import local_values, resources
from tests.support import render_spec_file, write_spec_file

NAME = "azure-functions"
VAULT = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-kv/providers/Microsoft.KeyVault/vaults/kv-models"
SETTINGS = {"location": "westeurope", "resource_group": {"name": "rg-fn"}}


def _spec(tmp_path, settings=None, **sections):
    data = {
        "name": "fn-model",
        "container": {"image": "mcr.microsoft.com/example/model:1.0"},
        **sections,
        "targets": {NAME: {**SETTINGS, **(settings or {})}},
    }
    return write_spec_file(tmp_path, "spec", yaml.safe_dump(data, sort_keys=False))


def _module(tmp_path, path):
    return render_spec_file(path, registry.get(NAME), tmp_path / "out")


def _errors(path) -> list[str]:
    with pytest.raises(SpecError) as caught:
        pipeline.load_spec(path)
    return [str(p) for p in caught.value.problems]


def _at(path, key: str) -> str:
    for number, line in enumerate(path.read_text().splitlines(), 1):
        if key in line:
            return f"{number}:{line.index(key) + 1}"
    raise AssertionError(f"{key!r} not in {path}")


def _app(module) -> dict:
    return resources(module, "azurerm_linux_function_app")["this"]


def test_secrets_are_key_vault_references_resolved_by_the_identity_and_no_value_is_read(tmp_path):
    path = _spec(
        tmp_path,
        {"key_vault_id": VAULT},
        container={"image": "mcr.microsoft.com/example/model:1.0", "secrets": {"API_KEY": "model-api-key"}},
    )
    module = _module(tmp_path, path)
    text = "".join(p.read_text() for p in module.glob("*.tf"))
    assert "azurerm_key_vault_secret" not in text  # no data source that would put a value in plan or state
    assert local_values(module)["key_vault_secrets"] == {"API_KEY": "model-api-key"}
    app = _app(module)
    assert (
        "@Microsoft.KeyVault(SecretUri=${data.azurerm_key_vault.this.vault_uri}secrets/${secret}/)"
        in app["app_settings"]
    )
    assert app["key_vault_reference_identity_id"] == "${azurerm_user_assigned_identity.this.id}"
    grant = resources(module, "azurerm_role_assignment")["secret"]
    assert grant["role_definition_name"] == "Key Vault Secrets User"
    assert grant["scope"] == "${data.azurerm_key_vault.this.id}/secrets/${each.value}"


def test_the_host_storage_is_reached_with_the_identity_and_hardened(tmp_path):
    module = _module(tmp_path, _spec(tmp_path))
    app = _app(module)
    assert app["storage_uses_managed_identity"] is True and "storage_account_access_key" not in app
    assert 'AzureWebJobsStorage__credential           = "managedidentity"' in (module / "main.tf").read_text()
    assert app["https_only"] is True and app["ftp_publish_basic_authentication_enabled"] is False
    site = app["site_config"][0]
    assert (site["minimum_tls_version"], site["ftps_state"]) == ("1.2", "Disabled")
    storage = resources(module, "azurerm_storage_account")["this"]
    assert storage["shared_access_key_enabled"] is False and storage["allow_nested_items_to_be_public"] is False
    assert storage["min_tls_version"] == "TLS1_2" and storage["infrastructure_encryption_enabled"] is True
    assert resources(module, "azurerm_role_assignment")["storage"]["role_definition_name"] == "Storage Blob Data Owner"
    insights = resources(module, "azurerm_application_insights")["this"]
    assert insights["workspace_id"] == "${azurerm_log_analytics_workspace.this.id}"
    assert insights["local_authentication_disabled"] is True


def test_plan_size_follows_resources_and_scaling_sets_always_ready_and_burst(tmp_path):
    path = _spec(tmp_path, resources={"cpu": 2, "memory": 6144}, scaling={"min": 2, "max": 30})
    module = _module(tmp_path, path)
    plan = resources(module, "azurerm_service_plan")["this"]
    assert (plan["sku_name"], plan["worker_count"], plan["maximum_elastic_worker_count"]) == ("EP2", 2, 30)
    assert plan["zone_balancing_enabled"] is True
    site = _app(module)["site_config"][0]
    assert (site["elastic_instance_minimum"], site["app_scale_limit"]) == (2, 30)


def test_public_app_is_limited_to_allowed_cidrs(tmp_path):
    path = _spec(tmp_path, network={"public": True, "allowed_cidrs": ["203.0.113.0/24", "198.51.100.0/24"]})
    module = _module(tmp_path, path)
    app = _app(module)
    assert app["public_network_access_enabled"] is True and "virtual_network_subnet_id" not in app
    site = app["site_config"][0]
    assert site["ip_restriction_default_action"] == "Deny"
    assert '"198.51.100.0/24", "203.0.113.0/24"' in (module / "main.tf").read_text()
    assert resources(module, "azurerm_private_endpoint") == {}


def test_private_app_is_reached_only_through_its_private_endpoint_and_integrates_with_the_vnet(tmp_path):
    module = _module(tmp_path, _spec(tmp_path, network={"cidr": "10.9.0.0/24", "allowed_cidrs": ["10.0.0.0/8"]}))
    app = _app(module)
    assert app["public_network_access_enabled"] is False
    assert app["virtual_network_subnet_id"] == "${azurerm_subnet.integration.id}"
    assert app["site_config"][0]["vnet_route_all_enabled"] is True
    endpoint = resources(module, "azurerm_private_endpoint")["this"]
    assert endpoint["private_service_connection"][0]["subresource_names"] == ["sites"]
    subnets = resources(module, "azurerm_subnet")
    assert (subnets["integration"]["address_prefixes"], subnets["endpoint"]["address_prefixes"]) == (
        ["10.9.0.0/26"],
        ["10.9.0.64/26"],
    )
    assert resources(module, "azurerm_network_security_rule")["allow_https"]["source_address_prefixes"] == [
        "10.0.0.0/8"
    ]
    storage = resources(module, "azurerm_storage_account")["this"]
    assert storage["network_rules"][0]["default_action"] == "Deny"


def test_the_image_and_command_reach_the_docker_stack(tmp_path):
    path = _spec(
        tmp_path,
        container={
            "image": "registry.example.com:5000/team/model:2.1",
            "command": ["python", "-m", "serve"],
            "args": ["--name", "a b"],
        },
    )
    site = _app(_module(tmp_path, path))["site_config"][0]
    docker = site["application_stack"][0]["docker"][0]
    assert (docker["registry_url"], docker["image_name"], docker["image_tag"]) == (
        "https://registry.example.com:5000",
        "team/model",
        "2.1",
    )
    assert site["app_command_line"] == "python -m serve --name 'a b'"


def test_the_model_blob_is_readable_by_the_identity_only(tmp_path):
    account = (
        "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-ml/providers/"
        "Microsoft.Storage/storageAccounts/models1"
    )
    path = _spec(
        tmp_path,
        {"model_storage_account_id": account},
        model={"uri": "https://models1.blob.core.windows.net/weights/v1/model.onnx"},
    )
    module = _module(tmp_path, path)
    grant = resources(module, "azurerm_role_assignment")["model"]
    assert grant["scope"] == f"{account}/blobServices/default/containers/weights"
    assert "StringEquals 'v1/model.onnx'" in grant["condition"]
    assert _app(module)["app_settings"]  # merged settings carry MODEL_URI via local.app_env
    assert local_values(module)["app_env"]["MODEL_URI"] == "https://models1.blob.core.windows.net/weights/v1/model.onnx"


@pytest.mark.parametrize(
    ("sections", "settings", "key", "message"),
    [
        (
            {"resources": {"cpu": 1, "memory": 1024, "gpu": {"count": 1, "type": "nvidia-tesla-t4"}}},
            {},
            "gpu",
            "has no GPUs",
        ),
        ({"resources": {"cpu": 8, "memory": 4096}}, {}, "cpu:", "largest Elastic Premium plan (EP3)"),
        ({"resources": {"cpu": 2, "memory": 4096}}, {"plan_sku": "EP1"}, "cpu:", "plan EP1 has 1 vCPU"),
        ({"resources": {"cpu": 1, "memory": 8192}}, {"plan_sku": "EP2"}, "memory:", "plan EP2 has 7168 MiB"),
        ({"scaling": {"min": 1, "max": 150}}, {}, "max:", "bursts to at most 100 instances"),
        ({"scaling": {"min": 1, "max": 3, "cpu_target": 60}}, {}, "cpu_target", "no CPU-target setting"),
        ({"container": {"image": "mcr.microsoft.com/x@sha256:" + "a" * 64}}, {}, "image:", "by tag, not by digest"),
        (
            {"container": {"image": "mcr.microsoft.com/x:1", "secrets": {"K": "s"}}},
            {},
            "azure-functions:",
            "give `key_vault_id`",
        ),
    ],
)
def test_what_the_platform_cannot_honour_is_refused_where_it_is_written(tmp_path, sections, settings, key, message):
    path = _spec(tmp_path, settings, **sections)
    errors = _errors(path)
    assert any(e.startswith(f"{path}:{_at(path, key)}:") and message in e for e in errors), errors
