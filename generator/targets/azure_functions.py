"""Azure Functions (Linux, Elastic Premium plan, custom container): limits and the template context.

The seed's Azure Function (`main(req)`, HTTP trigger) runs as a Function App
whose code is the spec's container image. Elastic Premium is the plan that
offers VNet integration and always-ready instances, so it is the only plan
rendered; its size (EP1..EP3) comes from `resources` or `plan_sku`.
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
import shlex
from typing import Any

from .. import hcl
from ..model import Spec
from ..outputs.terraform import TERRAFORM
from . import azure_common, common
from .base import Provider, ReadmeFacts, Target, markdown

NAME = "azure-functions"

# Elastic Premium sizes: vCPU and memory (MiB) of one instance.
PLANS = {"EP1": (1, 3584), "EP2": (2, 7168), "EP3": (4, 14336)}
# A Premium plan bursts to at most 100 instances (Linux: 20 to 100 depending on the region).
MAX_BURST = 100
LOG_RETENTION = (30, 730)  # Log Analytics workspace retention, days
SUBNET_PREFIX = 26  # each created subnet (VNet integration, private endpoint); a /26 leaves room to scale out
SUBNET_PREFIX_MAX = 28  # the VNet must hold two such subnets
HEALTH_EVICTION_MINUTES = 2  # an instance failing its health check this long is replaced (2-10)
METRIC_NAMESPACE = "Microsoft.Web/serverFarms"  # CPU and memory percent are plan metrics
APP_NAME_MAX = 60  # a Function App name is its *.azurewebsites.net host label

_ID = azure_common.RESOURCE_ID
_SUBNET_ID = {
    "type": "string",
    "pattern": _ID + "Microsoft\\.Network/virtualNetworks/[A-Za-z0-9._-]+/subnets/[A-Za-z0-9._-]+$",
}


def plan_sku(spec: Spec) -> str | None:
    """The given plan, else the smallest that holds resources.cpu and resources.memory (None: none does)."""
    given = spec.target(NAME).get("plan_sku")
    if given:
        return given
    return next(
        (sku for sku, (cpu, memory) in PLANS.items() if spec.resources.cpu <= cpu and spec.resources.memory <= memory),
        None,
    )


def _image(reference: str) -> dict[str, str] | None:
    """registry_url / image_name / image_tag of a tagged image reference (None: a digest, which the
    Function App's docker block cannot take)."""
    if "@" in reference:
        return None
    first, _, rest = reference.partition("/")
    if rest and ("." in first or ":" in first or first == "localhost"):
        registry, path = first, rest
    else:
        registry, path = "index.docker.io", reference
    name, _, tag = path.rpartition(":") if ":" in path.rsplit("/", 1)[-1] else (path, "", "latest")
    if registry == "index.docker.io" and "/" not in name:
        name = f"library/{name}"
    return {"registry_url": f"https://{registry}", "image_name": name, "image_tag": tag}


def check(spec: Spec) -> list[common.Finding]:
    found = common.check_name_length(spec, APP_NAME_MAX, "a Function App name is a host label of at most 60 characters")
    settings = spec.target(NAME)
    given = settings.get("plan_sku")
    cpu, memory = spec.resources.cpu, spec.resources.memory
    if given:
        plan_cpu, plan_memory = PLANS[given]
        if cpu > plan_cpu:
            found.append(
                (
                    ("resources", "cpu"),
                    f"plan {given} has {plan_cpu} vCPU per instance; got {cpu:g} (use a larger plan_sku)",
                )
            )
        if memory > plan_memory:
            found.append(
                (
                    ("resources", "memory"),
                    f"plan {given} has {plan_memory} MiB per instance; got {memory} (use a larger plan_sku)",
                )
            )
    elif plan_sku(spec) is None:
        path = "cpu" if cpu > PLANS["EP3"][0] else "memory"
        found.append(
            (
                ("resources", path),
                "the largest Elastic Premium plan (EP3) has 4 vCPU and 14336 MiB per instance; "
                f"got {cpu:g} vCPU and {memory} MiB",
            )
        )
    scaling = spec.scaling
    if scaling.min < 1:
        found.append(
            (
                ("scaling", "min"),
                "an Elastic Premium plan keeps at least one always-ready instance; set min to 1 or more",
            )
        )
    if scaling.max > MAX_BURST:
        found.append(
            (("scaling", "max"), f"an Elastic Premium plan bursts to at most {MAX_BURST} instances; got {scaling.max}")
        )
    found += common.check_no_cpu_target(spec, "Azure Functions", "it scales on HTTP load and queue length")
    if scaling.concurrency is not None:
        found.append(
            (
                ("scaling", "concurrency"),
                "per-instance HTTP concurrency is the function's host.json (extensions.http."
                "maxConcurrentRequests), inside the image; remove scaling.concurrency",
            )
        )
    for metric in ("error_rate_percent", "latency_p99_ms"):
        if getattr(spec.observability.alarms, metric) is not None:
            found.append(
                (
                    ("observability", "alarms", metric),
                    "Azure Functions publishes no request rate in percent or p99 latency as platform metrics; remove this "
                    "alarm (Application Insights holds the request telemetry)",
                )
            )
    low, high = LOG_RETENTION
    if not low <= spec.observability.log_retention_days <= high:
        found.append(
            (("observability", "log_retention_days"), f"a Log Analytics workspace keeps logs {low}-{high} days")
        )
    if spec.container.image and _image(spec.container.image) is None:
        found.append((("container", "image"), "a Function App pulls an image by tag, not by digest; give NAME:TAG"))
    if spec.container.secrets and "key_vault_id" not in settings:
        found.append((("targets", NAME), "container.secrets are Key Vault references: give `key_vault_id`"))
    if not spec.network.public:
        if spec.network.vpc == "existing":
            for key, what in (
                (
                    "subnet_id",
                    "a subnet delegated to Microsoft.Web/serverFarms with the Microsoft.Storage "
                    "service endpoint, for VNet integration",
                ),
                ("private_endpoint_subnet_id", "the subnet of the app's private endpoint"),
            ):
                if key not in settings:
                    found.append((("targets", NAME), f"network.vpc is `existing`: give `{key}` ({what})"))
        else:
            found += _check_created_vnet(spec)
    found += common.check_compute(
        spec,
        "Azure Functions",
        arm64="Function App containers run on x86_64 workers",
        spot="Elastic Premium instances are not offered as Spot capacity",
        gpu="Function App plans have no GPU instances",
    )
    found += _check_model(spec)
    return found


def _check_created_vnet(spec: Spec) -> list[common.Finding]:
    network = ipaddress.ip_network(spec.network.cidr, strict=False)
    if str(network) != spec.network.cidr:
        return [(("network", "cidr"), f"`{spec.network.cidr}` has host bits set; use {network}")]
    if network.prefixlen > SUBNET_PREFIX_MAX:
        return [
            (
                ("network", "cidr"),
                f"the VNet holds two subnets (VNet integration, private endpoint): at least a "
                f"/{SUBNET_PREFIX_MAX}; got /{network.prefixlen}",
            )
        ]
    return []


def _check_model(spec: Spec) -> list[common.Finding]:
    found = common.check_model_readable(spec, NAME, "azure-blob", "A Function App managed identity")
    found += azure_common.check_model_storage_account(spec, NAME)
    return found + azure_common.check_client_id_unset(spec, "the app's identity, which holds its grants")


def _network(spec: Spec) -> dict[str, Any]:
    """`mode` public, create or existing. Private modes: outbound through VNet integration (`integration`
    subnet), inbound only through a private endpoint (`endpoint` subnet)."""
    if spec.network.public:
        return {"mode": "public", "allowed_cidrs": sorted(spec.network.allowed_cidrs)}
    settings = spec.target(NAME)
    if spec.network.vpc == "existing":
        return {
            "mode": "existing",
            "integration": settings["subnet_id"],
            "endpoint": settings["private_endpoint_subnet_id"],
        }
    vnet = ipaddress.ip_network(spec.network.cidr)
    integration, endpoint = list(vnet.subnets(new_prefix=max(vnet.prefixlen + 1, SUBNET_PREFIX)))[:2]
    return {
        "mode": "create",
        "vnet_cidr": str(vnet),
        "integration_cidr": str(integration),
        "endpoint_cidr": str(endpoint),
        "allowed_cidrs": sorted(spec.network.allowed_cidrs),
        "integration": hcl.Expr("azurerm_subnet.integration.id"),
        "endpoint": hcl.Expr("azurerm_subnet.endpoint.id"),
    }


def _storage_name(spec: Spec) -> str:
    """A storage account name is 3-24 lowercase letters and digits, unique in Azure: the service name's
    letters and digits plus a hash of the full name, so two services never collide by truncation."""
    stem = re.sub("[^a-z0-9]", "", spec.name.lower())[:14]
    return f"st{stem}{hashlib.sha256(spec.name.encode()).hexdigest()[:8]}"


def _alerts(spec: Spec) -> list[dict[str, Any]]:
    a = spec.observability.alarms
    alerts = []
    for key, metric, percent in (
        ("cpu", "CpuPercentage", a.cpu_percent),
        ("memory", "MemoryPercentage", a.memory_percent),
    ):
        if percent is not None:
            alerts.append(
                {
                    "key": key,
                    "name": f"{spec.name}-{key}",
                    "metric": metric,
                    "threshold": percent,
                    "description": f"Average {key.upper() if key == 'cpu' else key} of the plan's instances above "
                    f"{percent}% for {azure_common.ALERT_WINDOW_MINUTES} minutes",
                }
            )
    return alerts


def _command_line(spec: Spec) -> str | None:
    words = [*spec.container.command, *spec.container.args]
    return shlex.join(words) if words else None


def context(spec: Spec) -> dict[str, Any]:
    settings = spec.target(NAME)
    network = _network(spec)
    vault = settings.get("key_vault_id")
    scaling = spec.scaling
    image = spec.container.image
    assert image is not None  # needs_image: check_common refuses a spec without one
    return {
        **common.base_context(spec),
        **azure_common.placement(spec, NAME),
        "key_vault": {"id": vault, "name": vault.rsplit("/", 1)[-1], "resource_group": vault.split("/")[4]}
        if vault
        else None,
        "plan": {
            "sku": plan_sku(spec),
            "always_ready": scaling.min,
            "max_burst": scaling.max,
            "zone_balancing": scaling.min >= 2,
        },
        "image": _image(image),
        "command_line": _command_line(spec),
        "port": spec.container.port,
        "env": dict(spec.container.env),
        "secrets": dict(spec.container.secrets),
        "health": spec.container.health,
        "health_eviction_minutes": HEALTH_EVICTION_MINUTES,
        "network": network,
        "model": azure_common.model_blob_read_grant(spec, NAME),
        "grants": azure_common.role_grants(spec),
        "metrics": "metrics" in spec.permissions.capabilities,
        "log_retention_days": spec.observability.log_retention_days,
        "alerts": _alerts(spec),
        "alert": azure_common.metric_alert_settings(METRIC_NAMESPACE),
        "notify": azure_common.alert_notify(spec, NAME),
        "skip": {key: hcl.Expr(text) for key, text in _skips(spec).items()},
        "names": {
            "app": spec.name,
            "plan": f"{spec.name}-plan",
            "storage": _storage_name(spec),
            "identity": f"{spec.name}-id",
            "workspace": f"{spec.name}-logs",
            "insights": f"{spec.name}-insights",
            "vnet": f"{spec.name}-vnet",
            "integration_subnet": f"{spec.name}-integration",
            "endpoint_subnet": f"{spec.name}-endpoint",
            "endpoint": f"{spec.name}-endpoint",
            "nsg": f"{spec.name}-endpoint",
            **azure_common.action_group_names(spec),
        },
    }


def _skips(spec: Spec) -> dict[str, str]:
    """Reasons for the inline Checkov skips (tfgen's own words, one line each)."""
    reasons = {
        "storage_cmk": "the runtime storage account holds only the Functions host's keys and leases, encrypted with "
        "Microsoft-managed keys and infrastructure encryption; no model data or secrets are stored there",
        "storage_private_endpoint": "the Function App reaches its runtime storage through VNet service endpoints (private "
        "network) or Entra-authorized requests only (shared keys are disabled)",
        "storage_logging": "queue request logging (queue_properties) is written through the storage data plane, which the "
        "account's network rules close to Terraform in a private network; an HTTP-triggered app's host uses no queues",
        "storage_geo": "zone-redundant storage; the host's keys and leases are recreated by the host and need no geo copy",
    }
    if spec.scaling.min < 2:
        reasons["single_instance"] = (
            "scaling.min is 1: one always-ready instance, which a zone-redundant plan cannot be; "
            "set scaling.min to 2 or more for failover across zones"
        )
    if not spec.network.public:
        reasons["storage_endpoint"] = (
            "the integration subnet reaches the account through a service endpoint, which uses the "
            "public endpoint; network_rules deny every other source"
        )
    if spec.network.public:
        reasons["public"] = (
            "the spec asks for a public endpoint (network.public: true); access restrictions allow only network.allowed_cidrs"
        )
        reasons["storage_public"] = (
            "without VNet integration (network.public: true) the Function App reaches its storage over "
            "public endpoints; shared keys are disabled, so only Entra-authorized identities get in"
        )
    return reasons


def readme(spec: Spec, c: dict[str, Any]) -> ReadmeFacts:
    """What the module creates and what its user must know. Spec values quoted here are all
    pattern-restricted by the schema (names, ids, CIDRs, image references): none can hold a backtick."""
    rg, names, network, plan = c["resource_group"], c["names"], c["network"], c["plan"]
    creates = []
    if rg["create"]:
        creates.append(f"Resource group `{rg['name']}` in `{c['location']}`.")
    else:
        creates.append(
            f"Nothing for the resource group: it uses the existing `{rg['name']}`; resources go to `{c['location']}`."
        )
    creates.append(
        f"Elastic Premium plan `{names['plan']}` ({plan['sku']}, Linux): {plan['always_ready']} always-ready "
        f"instance(s), bursting to {plan['max_burst']}."
    )
    creates.append(
        f"Linux Function App `{names['app']}` running `{spec.container.image}` on port {c['port']} (health check "
        f"`{c['health'].path}`), HTTPS only, TLS 1.2 minimum, FTP and basic-auth publishing off."
    )
    creates.append(
        f"Storage account `{names['storage']}` for the Functions host, reached with the managed identity "
        "(shared keys off, TLS 1.2, no public blobs, infrastructure encryption, soft delete)."
    )
    creates.append(
        f"Log Analytics workspace `{names['workspace']}` ({c['log_retention_days']} days) and Application Insights "
        f"`{names['insights']}` on it (Entra authentication only)."
    )
    roles = [
        "`Storage Blob Data Owner` on the runtime storage account",
        "`Monitoring Metrics Publisher` on Application Insights",
    ]
    roles += [f"`Key Vault Secrets User` on secret `{s}`" for s in c["secrets"].values()]
    if c["model"]:
        roles.append(
            f"`Storage Blob Data Reader` on container `{c['model']['container']}`, limited by a condition to the model "
            f"{'prefix' if c['model']['prefix'] else 'blob'} `{c['model']['key']}`"
        )
    roles += [f"`{g['role']}` on `{g['scope']}` (`permissions.azure`)" for g in c["grants"].values()]
    creates.append(f"User-assigned managed identity `{names['identity']}` with {'; '.join(roles)}.")
    if network["mode"] == "create":
        creates.append(
            f"Virtual network `{names['vnet']}` (`{network['vnet_cidr']}`): subnet `{names['integration_subnet']}` "
            f"(`{network['integration_cidr']}`, VNet integration, all outbound traffic routed through it) and subnet "
            f"`{names['endpoint_subnet']}` (`{network['endpoint_cidr']}`) holding the app's private endpoint, guarded "
            f"by an NSG that allows HTTPS only from `{'`, `'.join(network['allowed_cidrs'])}`; private DNS zone "
            "`privatelink.azurewebsites.net` linked to the VNet."
        )
    elif network["mode"] == "existing":
        creates.append(
            f"VNet integration through `{network['integration']}` and a private endpoint in `{network['endpoint']}`."
        )
    for alert in c["alerts"]:
        creates.append(f"Metric alert `{alert['name']}`: {alert['description']}.")
    notes = [
        "Secrets are Key Vault references (`@Microsoft.KeyVault(SecretUri=...)`) in app settings, resolved by the platform at "
        "run time with the app's identity: no secret value is in the plan or the state. The vault must use the RBAC "
        "permission model (the grant is `Key Vault Secrets User` on each named secret).",
        "The Functions host's storage is reached with the identity (`storage_uses_managed_identity`), not a connection string.",
        "Health check: the platform pings `health_check.path` about once a minute and replaces an instance that fails it for "
        f"{HEALTH_EVICTION_MINUTES} minutes; `health_check.interval` and `timeout` are not used (the platform fixes them).",
        f"A Premium plan on Linux bursts to 20-100 instances depending on the region; tfgen refuses `scaling.max` above {MAX_BURST}.",
    ]
    if network["mode"] == "public":
        notes.append(
            "Public endpoint: access restrictions allow only `network.allowed_cidrs`; the storage account accepts "
            "public traffic, but only with Entra credentials."
        )
    elif network["mode"] == "existing":
        notes.append(
            "Existing subnets: the integration subnet must be delegated to `Microsoft.Web/serverFarms` and have the "
            "`Microsoft.Storage` service endpoint; DNS for the private endpoint (`privatelink.azurewebsites.net`) "
            "and NSG rules for `network.allowed_cidrs` are yours."
        )
    notes.append(
        "The provider takes the subscription from `ARM_SUBSCRIPTION_ID` and credentials from the environment; it "
        "talks to storage with Entra ID (`storage_use_azuread`), since shared keys are disabled."
    )
    return ReadmeFacts("Azure Functions", tuple(map(markdown, creates)), tuple(map(markdown, notes)))


SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["location", "resource_group"],
    "properties": {
        "location": azure_common.location_schema(),
        "resource_group": azure_common.resource_group_schema(),
        "plan_sku": {
            "description": "Elastic Premium size (EP1: 1 vCPU/3.5 GB, EP2: 2/7, EP3: 4/14); default: the smallest "
            "that holds resources.cpu and resources.memory.",
            "type": "string",
            "enum": list(PLANS),
        },
        "key_vault_id": {
            "description": "Resource id of the Key Vault (RBAC model) holding container.secrets; required with secrets.",
            "type": "string",
            "pattern": _ID + "Microsoft\\.KeyVault/vaults/[A-Za-z0-9-]{3,24}$",
        },
        "subnet_id": {
            **_SUBNET_ID,
            "description": "Existing subnet for VNet integration (network.vpc: existing), delegated to "
            "Microsoft.Web/serverFarms with the Microsoft.Storage service endpoint.",
        },
        "private_endpoint_subnet_id": {
            **_SUBNET_ID,
            "description": "Existing subnet for the app's private endpoint (network.vpc: existing).",
        },
        "action_group_ids": azure_common.action_group_ids_schema(
            "Existing Azure Monitor action groups every metric alert notifies, besides observability.notify_emails."
        ),
        "model_storage_account_id": azure_common.storage_account_id_schema(
            "Resource id of the storage account holding an Azure Blob model.uri; required with such a model."
        ),
    },
}

_IMAGE = "mcr.microsoft.com/example/model:1.0"
_SUBSCRIPTION, _VAULT = azure_common.EXAMPLE_SUBSCRIPTION, azure_common.EXAMPLE_VAULT
_VNET = f"{_SUBSCRIPTION}/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet-shared/subnets"
VARIANTS = {
    "minimal": {
        "name": "func-minimal",
        "container": {"image": _IMAGE},
        "targets": {NAME: {"location": "westeurope", "resource_group": {"name": "rg-func-minimal"}}},
    },
    "public": {
        "name": "func-public",
        "container": {"image": _IMAGE},
        "network": {"public": True, "allowed_cidrs": ["203.0.113.0/24"]},
        "targets": {NAME: {"location": "westeurope", "resource_group": {"name": "rg-func-public"}}},
    },
    "existing-network": {
        "name": "func-existing",
        "container": {"image": _IMAGE},
        "network": {"vpc": "existing"},
        "targets": {
            NAME: {
                "location": "westeurope",
                "resource_group": {"name": "rg-func-existing"},
                "subnet_id": f"{_VNET}/functions",
                "private_endpoint_subnet_id": f"{_VNET}/endpoints",
            }
        },
    },
    "all-features": {
        "name": "func-full",
        "description": "every optional feature of azure-functions",
        "labels": {"team": "ml"},
        "container": {
            "image": _IMAGE,
            "port": 8080,
            "command": ["python", "-m", "serve"],
            "args": ["--port", "8080"],
            "env": {"MODE": "strict"},
            "secrets": {"API_KEY": "func-api-key"},
            "health_check": {"path": "/ready", "interval": 20, "timeout": 4},
        },
        "resources": {"cpu": 2, "memory": 4096},
        "scaling": {"min": 2, "max": 20},
        "network": {"cidr": "10.70.0.0/24", "allowed_cidrs": ["10.0.0.0/8"]},
        "observability": {
            "log_retention_days": 90,
            "alarms": {"cpu_percent": 80, "memory_percent": 80},
            "notify_emails": ["oncall@example.com"],
        },
        "targets": {
            NAME: {
                "location": "westeurope",
                "resource_group": {"name": "rg-shared", "create": False},
                "plan_sku": "EP3",
                "key_vault_id": _VAULT,
                "action_group_ids": [
                    f"{_SUBSCRIPTION}/resourceGroups/rg-ops/providers/Microsoft.Insights/actionGroups/pager"
                ],
                "model_storage_account_id": f"{_SUBSCRIPTION}/resourceGroups/rg-ml/providers/"
                "Microsoft.Storage/storageAccounts/examplemodels",
            }
        },
        "model": {"uri": "https://examplemodels.blob.core.windows.net/models/func-full/v1/"},
        "permissions": azure_common.all_features_permissions(),
        "state": {
            "backend": "azurerm",
            "resource_group_name": "rg-tfstate",
            "storage_account_name": "sttfstate",
            "container_name": "tfstate",
            "key": "func-full.tfstate",
        },
    },
}

TARGET = Target(
    name=NAME,
    title="Azure Functions (Linux, Elastic Premium, container)",
    template_dir=NAME,
    output=TERRAFORM,
    providers=(Provider("azurerm", "hashicorp/azurerm", ">= 4.51.0, < 5.0.0"),),
    schema=SCHEMA,
    defaults={"resource_group": {"create": True}},
    check=check,
    context=context,
    readme=readme,
    variants=VARIANTS,
    warnings=lambda spec: common.unnotified_alarms(spec, NAME, bool(_alerts(spec)), "action_group_ids"),
    permission_cloud="azure",
)
