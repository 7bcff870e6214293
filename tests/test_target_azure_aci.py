"""azure-aci: the spec -> Azure Container Instances mapping.

Every variant (the bundled example plus inline specs: public/private, created
and existing subnet, created and existing resource group, with/without secrets,
customer-managed key and alarms) is rendered once per module and parsed back to
check what the spec asked for. The gates every target gets (fmt, lint, Checkov,
determinism, escaping) run over the target's declared variants in
tests/test_conformance.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from generator import pipeline, render
from generator.errors import SpecError
from generator.targets import azure_aci
from tests.hclread import blocks, parse_module, plain
from tests.support import EXAMPLES, render_spec_file, write_spec_file
from tests.test_hcl import hcl_unescape

SUB = "00000000-0000-0000-0000-000000000000"
VAULT = f"/subscriptions/{SUB}/resourceGroups/rg-kv/providers/Microsoft.KeyVault/vaults/kv-models"
SUBNET = (
    f"/subscriptions/{SUB}/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet-shared/subnets/aci"
)
NASTY_ENV = {
    "QUOTES": 'say "hi" \\ back\\slash',
    "TEMPLATE": "${var.secret} and %{ if true }x%{ endif }",
    "LINES": "one\ntwo\r\n\tthree",
    "UNICODE": "naïve – ✓",
}
NASTY_ARG = '--greeting=${HOME} %{x} "q" \\ \n'

# Public, existing resource group, customer-managed key, command + args, no secrets/env/alarms.
# `args: []` is replaced by JSON (JSON is YAML: the values go in exactly).
PUBLIC = f"""
name: public-api
description: "a \\"quoted\\" description with ${{braces}} and %{{ directives }}\\nover two lines"
container:
  image: ghcr.io/example/api@sha256:{"a" * 64}
  port: 9000
  command: [python, -m, serve]
  args: []
network: {{public: true}}
observability: {{log_retention_days: 90, tracing: false}}
targets:
  azure-aci:
    location: eastus
    resource_group: {{name: rg-shared, create: false}}
    key_vault_id: {VAULT}
    encryption_key: aci-deployment-key
    container_tls: true
"""

# Private in an existing subnet: nasty plain env, two secrets, a memory alarm, half a vCPU.
EXISTING = f"""
name: existing-net
container:
  image: mcr.microsoft.com/example/model:1.0
  env: {{}}
  secrets: {{API_KEY: model-api-key, DB_PASSWORD: model-db-password}}
  health_check: {{path: /healthz, interval: 10, timeout: 2}}
resources: {{cpu: 0.5, memory: 1536}}
network: {{vpc: existing, allowed_cidrs: [172.16.0.0/12]}}
observability:
  log_retention_days: 730
  tracing: false
  alarms: {{memory_percent: 75}}
targets:
  azure-aci:
    location: northeurope
    resource_group: {{name: rg-existing-net}}
    key_vault_id: {VAULT}
    subnet_id: {SUBNET}
state: {{backend: azurerm, resource_group_name: rg-tfstate, storage_account_name: sttfstate, container_name: tfstate, key: x}}
"""

# Private in a created /28 network (the subnet is the whole range), a CPU alarm and a key.
SMALL = f"""
name: small-net
container:
  image: mcr.microsoft.com/example/model:2
network: {{cidr: 10.9.0.0/28, allowed_cidrs: [10.1.2.3/32, 10.0.0.0/8]}}
observability:
  tracing: false
  alarms: {{cpu_percent: 50}}
targets:
  azure-aci:
    location: westus2
    resource_group: {{name: rg-small}}
    key_vault_id: {VAULT}
    encryption_key: k1
"""


def _public_spec() -> str:
    return PUBLIC.replace("args: []", "args: " + json.dumps(["--port", "9000", NASTY_ARG]))


def _existing_spec() -> str:
    return EXISTING.replace("env: {}", "env: " + json.dumps(NASTY_ENV, ensure_ascii=False))


@pytest.fixture(scope="module")
def specs(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("specs")
    return {
        "resnet": EXAMPLES / "resnet-aci.yaml",
        "public": write_spec_file(folder, "public", _public_spec()),
        "existing": write_spec_file(folder, "existing", _existing_spec()),
        "small": write_spec_file(folder, "small", SMALL),
    }


@pytest.fixture(scope="module")
def root(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("modules")


@pytest.fixture(scope="module")
def modules(specs, root) -> dict[str, Path]:
    return {name: render_spec_file(path, azure_aci.TARGET, root) for name, path in specs.items()}


def _group(module: Path) -> dict:
    return blocks(module, "resource", "azurerm_container_group")["this"]


def _outputs(module: Path) -> dict[str, str]:
    """Output name -> its value expression, as hcl2 reads it, from outputs.tf only.

    Kept here rather than hclread.outputs: it reads one file and unwraps with plain().
    """
    return {
        name: plain(body)["value"]
        for block in parse_module(module)["outputs.tf"]["output"]
        for name, body in block.items()
    }


def _string(value: str) -> str:
    """A parsed HCL string literal back to its value.

    Kept here rather than hclread.string_value: it drops the last character
    whenever the first is a quote, without checking that the last one is.
    """
    return hcl_unescape(value[1:-1] if value.startswith('"') else value)


# ---- Checkov skips (Checkov itself runs once, over every target's variants: tests/test_conformance.py) ----


def test_skips_are_only_the_honest_ones(modules):
    expected = {
        "resnet": {"CKV_AZURE_235"},  # plain env present
        "existing": {"CKV_AZURE_235"},
        "public": {"CKV_AZURE_98", "CKV_AZURE_245"},  # the spec asks for a public endpoint
        "small": set(),
    }
    for name, module in modules.items():
        facts = render.module_facts({p.name: p.read_text() for p in module.glob("*.tf")})
        assert {s["check"] for s in facts["skips"]} == expected[name], name
        assert all(len(s["reason"]) > 30 for s in facts["skips"])
        readme = (module / "README.md").read_text()
        for check in expected[name]:
            assert f"| {check} | `azurerm_container_group.this` |" in readme


# ---- mapping -------------------------------------------------------------


def test_example_private_group_in_a_created_network(modules):
    module = modules["resnet"]
    group = _group(module)
    assert group["ip_address_type"] == "Private" and "dns_name_label" not in group
    assert group["subnet_ids"] == ["${azurerm_subnet.this.id}"]
    assert (group["os_type"], group["restart_policy"], group["sku"]) == ("Linux", "Always", "Standard")
    assert group["identity"] == [
        {"type": "UserAssigned", "identity_ids": ["${azurerm_user_assigned_identity.this.id}"]}
    ]
    container = group["container"][0]
    assert (container["cpu"], container["memory"]) == (2, 4)  # 2 vCPU, 4096 MiB -> 4 GB
    assert container["ports"] == [{"port": 8080, "protocol": "TCP"}]
    # issue 13 #9: the liveness probe waits out the model load and restarts only after three failures
    http_get = [{"path": "/ping", "port": 8080, "scheme": "Http"}]
    assert container["liveness_probe"] == [
        {
            "initial_delay_seconds": 120,
            "period_seconds": 30,
            "timeout_seconds": 10,
            "failure_threshold": 3,
            "http_get": http_get,
        }
    ]
    assert container["readiness_probe"] == [
        {"period_seconds": 30, "timeout_seconds": 10, "failure_threshold": 3, "http_get": http_get}
    ]
    assert container["environment_variables"] == {"TS_DEFAULT_WORKERS_PER_MODEL": "2", "TS_NUMBER_OF_GPU": "0"}
    assert "data.azurerm_key_vault_secret.this" in container["secure_environment_variables"]
    log_analytics = group["diagnostics"][0]["log_analytics"][0]
    assert log_analytics["workspace_id"] == "${azurerm_log_analytics_workspace.this.workspace_id}"
    assert log_analytics["log_type"] == "ContainerInsights"
    assert group["depends_on"] == ["${azurerm_subnet_network_security_group_association.this}"]

    secrets = blocks(module, "data", "azurerm_key_vault_secret")["this"]
    assert secrets["for_each"] == {"INFERENCE_API_KEY": "resnet-inference-api-key"}
    assert secrets["key_vault_id"].endswith("/vaults/kv-ml-vision")

    assert blocks(module, "resource", "azurerm_resource_group")["this"]["name"] == "rg-ml-vision"
    workspace = blocks(module, "resource", "azurerm_log_analytics_workspace")["this"]
    assert (workspace["sku"], workspace["retention_in_days"]) == ("PerGB2018", 30)


def test_created_network_admits_only_the_spec_cidrs_on_the_port(modules):
    module = modules["resnet"]
    assert blocks(module, "resource", "azurerm_virtual_network")["this"]["address_space"] == ["10.30.0.0/16"]
    subnet = blocks(module, "resource", "azurerm_subnet")["this"]
    assert subnet["address_prefixes"] == ["10.30.0.0/24"]
    assert subnet["delegation"][0]["service_delegation"][0]["name"] == "Microsoft.ContainerInstance/containerGroups"
    rules = blocks(module, "resource", "azurerm_network_security_rule")
    allow, deny = rules["allow_service"], rules["deny_other_inbound"]
    assert (allow["access"], allow["direction"], allow["protocol"]) == ("Allow", "Inbound", "Tcp")
    assert allow["source_address_prefixes"] == ["10.0.0.0/8", "192.168.0.0/16"]
    assert (allow["destination_port_range"], allow["destination_address_prefix"]) == ("8080", "10.30.0.0/24")
    assert (deny["access"], deny["direction"], deny["source_address_prefix"], deny["priority"]) == (
        "Deny",
        "Inbound",
        "*",
        4096,
    )
    assert allow["priority"] < deny["priority"] < 65000  # ahead of Azure's default allow rules
    assoc = blocks(module, "resource", "azurerm_subnet_network_security_group_association")["this"]
    assert assoc["subnet_id"] == "${azurerm_subnet.this.id}"

    small = modules["small"]
    assert blocks(small, "resource", "azurerm_subnet")["this"]["address_prefixes"] == ["10.9.0.0/28"]
    small_allow = blocks(small, "resource", "azurerm_network_security_rule")["allow_service"]
    assert small_allow["source_address_prefixes"] == ["10.0.0.0/8", "10.1.2.3/32"]


def test_public_group_has_a_protected_dns_label_and_no_network(modules):
    module = modules["public"]
    group = _group(module)
    assert group["ip_address_type"] == "Public" and "subnet_ids" not in group
    assert (group["dns_name_label"], group["dns_name_label_reuse_policy"]) == ("public-api", "TenantReuse")
    assert not (module / "network.tf").exists()
    # no alarms: the one input is the image (issue 12 #5)
    assert (module / "variables.tf").read_text().count("variable ") == 1
    outputs = _outputs(module)
    # issue 13 #2: public only when the container serves TLS, and then https everywhere
    assert outputs["url"] == "https://${azurerm_container_group.this.fqdn}:9000"
    container = group["container"][0]
    assert {probe: container[probe][0]["http_get"][0]["scheme"] for probe in ("liveness_probe", "readiness_probe")} == {
        "liveness_probe": "Https",
        "readiness_probe": "Https",
    }
    assert outputs["fqdn"] == "${azurerm_container_group.this.fqdn}"
    assert _outputs(modules["resnet"])["url"] == "http://${azurerm_container_group.this.ip_address}:8080"
    assert "fqdn" not in _outputs(modules["resnet"])


def test_command_and_args_become_commands_escaped(modules):
    commands = _group(modules["public"])["container"][0]["commands"]
    assert [_string(c) for c in commands] == ["python", "-m", "serve", "--port", "9000", NASTY_ARG]


def test_existing_subnet_and_resource_group(modules):
    module = modules["existing"]
    group = _group(module)
    assert group["subnet_ids"] == [SUBNET]
    assert "depends_on" not in group
    assert not (module / "network.tf").exists()
    container = group["container"][0]
    assert (container["cpu"], container["memory"]) == (0.5, 1.5)
    assert container["liveness_probe"][0]["http_get"][0]["path"] == "/healthz"
    assert blocks(module, "data", "azurerm_key_vault_secret")["this"]["for_each"] == {
        "API_KEY": "model-api-key",
        "DB_PASSWORD": "model-db-password",
    }
    assert blocks(module, "resource", "azurerm_resource_group")["this"]["name"] == "rg-existing-net"
    assert blocks(modules["public"], "data", "azurerm_resource_group")["this"]["name"] == "rg-shared"
    assert not blocks(modules["public"], "resource", "azurerm_resource_group")


def test_customer_managed_key_gives_the_identity_one_role_on_one_key(modules):
    for name in ("public", "small"):
        module = modules[name]
        group = _group(module)
        assert group["key_vault_key_id"] == "${data.azurerm_key_vault_key.encryption.id}"
        assert group["key_vault_user_assigned_identity_id"] == "${azurerm_user_assigned_identity.this.id}"
        assert "${azurerm_role_assignment.encryption_key}" in group["depends_on"]
        roles = blocks(module, "resource", "azurerm_role_assignment")
        assert list(roles) == ["encryption_key"]
        assert roles["encryption_key"]["role_definition_name"] == "Key Vault Crypto Service Encryption User"
        assert roles["encryption_key"]["scope"] == "${data.azurerm_key_vault_key.encryption.resource_versionless_id}"
    assert blocks(modules["public"], "data", "azurerm_key_vault_key")["encryption"]["name"] == "aci-deployment-key"
    # Without a key: no role at all, and no CMK arguments.
    for name in ("resnet", "existing"):
        assert not blocks(modules[name], "resource", "azurerm_role_assignment")
        assert "key_vault_key_id" not in _group(modules[name])


def test_alert_thresholds_are_converted_from_percent(modules):
    cpu = blocks(modules["small"], "resource", "azurerm_monitor_metric_alert")
    assert list(cpu) == ["cpu"]
    criteria = cpu["cpu"]["criteria"][0]
    assert (criteria["metric_name"], criteria["threshold"]) == ("CpuUsage", 500)  # 50% of 1 vCPU in millicores
    assert criteria["metric_namespace"] == "Microsoft.ContainerInstance/containerGroups"
    memory = blocks(modules["existing"], "resource", "azurerm_monitor_metric_alert")
    criteria = memory["memory"]["criteria"][0]
    assert (criteria["metric_name"], criteria["threshold"]) == ("MemoryUsage", 1536 * 1024 * 1024 * 3 // 4)
    resnet = blocks(modules["resnet"], "resource", "azurerm_monitor_metric_alert")
    assert (
        resnet["cpu"]["criteria"][0]["threshold"] == 1800 and resnet["memory"]["criteria"][0]["threshold"] == 3865470566
    )
    assert not blocks(modules["public"], "resource", "azurerm_monitor_metric_alert")
    assert "action_group_ids" in (modules["small"] / "variables.tf").read_text()


def test_tags_on_every_taggable_resource(modules):
    module = modules["resnet"]
    locals_ = plain(parse_module(module)["main.tf"]["locals"][0])
    assert locals_["tags"] == {"managed-by": "tfgen", "service": "resnet-aci", "team": "vision"}
    untaggable = {
        "azurerm_subnet",
        "azurerm_network_security_rule",
        "azurerm_subnet_network_security_group_association",
        "azurerm_role_assignment",
    }
    for parsed in parse_module(module).values():
        for block in parsed.get("resource", []):
            for kind, bodies in block.items():
                for body in bodies.values():
                    assert kind in untaggable or body.get("tags") == ["${local.tags}"], kind


def test_readme_documents_autoscaling_state_and_skips(modules):
    resnet = (modules["resnet"] / "README.md").read_text()
    assert "No autoscaling" in resnet
    assert "Secrets end up in Terraform state" in resnet and "encrypted, access-controlled backend" in resnet
    assert "`CpuUsage` in millicores" in resnet
    public = (modules["public"] / "README.md").read_text()
    assert "Secrets end up in Terraform state" not in public  # no secrets, no such warning
    assert "ACI neither terminates TLS nor filters source addresses" in public
    assert "`targets.azure-aci.container_tls`" in public
    # issue 13 #9: the private URL says what it is
    assert "reachable only inside the virtual network" in resnet
    assert "Key Vault Crypto Service Encryption User" in public
    existing = (modules["existing"] / "README.md").read_text()
    assert "its network security group is yours" in existing
    small = (modules["small"] / "README.md").read_text()
    assert "`<vault id>/keys/k1`" in small
    for name, module in modules.items():  # tfgen's own Markdown is never escaped into literal backticks
        assert "\\`" not in (module / "README.md").read_text(), name


# ---- check() -------------------------------------------------------------


def _problems(tmp_path: Path, text: str) -> list[str]:
    with pytest.raises(SpecError) as caught:
        pipeline.load_spec(write_spec_file(tmp_path, "bad", text))
    return [p.message for p in caught.value.problems]


BASE = f"""
name: bad-spec
container: {{image: mcr.microsoft.com/x/y:1}}
observability: {{tracing: false}}
targets:
  azure-aci:
    location: westeurope
    resource_group: {{name: rg}}
    key_vault_id: {VAULT}
"""


def test_args_without_command_are_refused(tmp_path):
    text = BASE.replace(
        "container: {image: mcr.microsoft.com/x/y:1}",
        "container: {image: mcr.microsoft.com/x/y:1, args: [--port, '80']}",
    )
    assert any("cannot pass args to the image's own entrypoint" in m for m in _problems(tmp_path, text))


@pytest.mark.parametrize("cidr, words", [("10.0.0.0/30", "at least a /29"), ("10.0.0.1/24", "host bits")])
def test_unusable_created_network_is_refused(tmp_path, cidr, words):
    text = BASE + f"network: {{cidr: {cidr}}}\n"
    assert any(words in m for m in _problems(tmp_path, text))


def test_autoscaling_is_refused(tmp_path):
    text = BASE + "scaling: {min: 1, max: 3}\n"
    assert any("has no autoscaling" in m for m in _problems(tmp_path, text))


def test_public_group_without_container_tls_is_refused(tmp_path):
    """Issue 13 #2: ACI terminates no TLS and filters no sources; plain HTTP to the internet is refused, located."""
    text = BASE + "network: {public: true, allowed_cidrs: [0.0.0.0/0]}\n"
    with pytest.raises(SpecError) as caught:
        pipeline.load_spec(write_spec_file(tmp_path, "bad", text))
    assert "bad.yaml:" in str(caught.value) and "network.public: a public Container Instances group" in str(
        caught.value
    )
    allowed = text.replace("    key_vault_id: " + VAULT, "    key_vault_id: " + VAULT + "\n    container_tls: true")
    pipeline.load_spec(write_spec_file(tmp_path, "good", allowed))  # accepted once the container serves TLS


@pytest.mark.parametrize("delay", [0, 600])
def test_liveness_delay_follows_startup_seconds(tmp_path, delay):
    text = BASE + f"    startup_seconds: {delay}\n"
    module = render_spec_file(write_spec_file(tmp_path, "slow", text), azure_aci.TARGET, tmp_path / "out")
    assert _group(module)["container"][0]["liveness_probe"][0]["initial_delay_seconds"] == delay


def test_encryption_key_name_is_checked_by_the_schema(tmp_path):
    text = BASE + "    encryption_key: not_a_key!\n"
    assert _problems(tmp_path, text)


@pytest.mark.parametrize(
    "state, where",
    [
        ("", "container.secrets"),  # no state: the default local file; located at the secrets
        ("state: {backend: local, path: x.tfstate}\n", "state.backend"),
    ],
)
def test_secrets_with_a_local_state_are_refused(tmp_path, state, where):
    """Issue 13 #10: secret values sit in the plan and the state; a local state file would hold them unencrypted."""
    text = (
        BASE.replace(
            "container: {image: mcr.microsoft.com/x/y:1}",
            "container: {image: mcr.microsoft.com/x/y:1, secrets: {API_KEY: api-key}}",
        )
        + state
    )
    with pytest.raises(SpecError) as caught:
        pipeline.load_spec(write_spec_file(tmp_path, "bad", text))
    assert f"{where}: container.secrets reach Container Instances as values read from Key Vault" in str(caught.value)
    remote = text.replace(state, "") + (
        "state: {backend: azurerm, resource_group_name: rg, storage_account_name: st1, "
        "container_name: tfstate, key: k}\n"
    )
    pipeline.load_spec(write_spec_file(tmp_path, "good", remote))  # an azurerm backend is accepted


def test_plan_notes_the_secret_values_it_holds(modules):
    from generator.cli.plan import secret_value_notes

    notes = secret_value_notes(modules["resnet"])
    assert len(notes) == 1 and "data.azurerm_key_vault_secret.this" in notes[0] and "clear text" in notes[0]
    assert secret_value_notes(modules["public"]) == []  # no secrets: nothing to say
