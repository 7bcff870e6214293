"""Azure Container Instances: limits and the template context."""

from __future__ import annotations

import ipaddress
from typing import Any

from .. import hcl
from ..model import Spec
from ..outputs.terraform import TERRAFORM
from . import azure_common, common
from .base import Provider, ReadmeFacts, Starter, StarterQuestion, Target, markdown, yaml_scalar

NAME = "azure-aci"

CPU_MAX = 4
MEMORY_MAX = 16384
MEMORY_STEP = 512  # memory_in_gb in half-GB steps keeps the mapping exact
LOG_RETENTION = (30, 730)  # Log Analytics workspace retention, days

CONTAINER_NAME = "app"
# Issue 13 #9: ACI restarts the container after this many failed liveness probes
# in a row; the first probe waits targets.azure-aci.startup_seconds (model load).
PROBE_FAILURES = 3
STARTUP_SECONDS = 120
# A created VNet gives the container group its first /24 (or the whole range
# when that is smaller); Azure subnets are at least a /29 (5 addresses reserved).
SUBNET_PREFIX = 24
SUBNET_PREFIX_MAX = 29
METRIC_NAMESPACE = "Microsoft.ContainerInstance/containerGroups"


# Issue 13 #2: ACI neither terminates TLS nor filters source addresses, so a
# public group would serve plain HTTP to the whole internet. tfgen refuses that
# unless the spec says the image serves HTTPS itself (container_tls).
PUBLIC_HTTP_REFUSAL = (
    "a public Container Instances group answers on its port with whatever the container speaks, to the whole "
    "internet (ACI terminates no TLS and filters no sources); set targets.azure-aci.container_tls: true if the image "
    "serves HTTPS itself, or use network.public: false and put Application Gateway or Front Door in front"
)


# Issue 13 #10: ACI has no Key Vault references, so the module reads each secret's value at
# plan time and it sits in clear text in the plan and the state. A local state file would
# hold them unencrypted on the deployer's disk: refused.
ENCRYPTED_REMOTE_BACKENDS = ("azurerm", "s3", "gcs", "cloud")  # storage encrypted at rest (s3: encrypt = true)
SECRETS_NEED_REMOTE_STATE = (
    "container.secrets reach Container Instances as values read from Key Vault at plan time, so they are in clear text "
    "in the plan and the state; keep the state in a remote, encrypted backend (state.backend: azurerm, a storage "
    "account encrypted at rest with restricted access), not a local file"
)


def check(spec: Spec) -> list[common.Finding]:
    found = common.check_name_length(spec, 63, "container group names are at most 63 characters")
    scaling = spec.scaling
    asked = common.explicit(spec, "scaling")
    if asked and (
        scaling.max > 1 or scaling.min > 1 or scaling.cpu_target is not None or scaling.concurrency is not None
    ):
        found.append(
            (
                ("scaling",),
                "Azure Container Instances has no autoscaling; remove `scaling` (or set min and max to 1) for this target",
            )
        )
    cpu, memory = spec.resources.cpu, spec.resources.memory
    if cpu > CPU_MAX or (cpu * 2) != int(cpu * 2):
        found.append((("resources", "cpu"), f"ACI cpu is 0.5-{CPU_MAX} in steps of 0.5; got {cpu:g}"))
    if memory > MEMORY_MAX or memory % MEMORY_STEP:
        found.append(
            (
                ("resources", "memory"),
                f"ACI memory is {MEMORY_STEP}-{MEMORY_MAX} MiB in steps of {MEMORY_STEP}; got {memory}",
            )
        )
    if spec.observability.tracing:
        found.append(
            (
                ("observability", "tracing"),
                "Container Instances has no built-in tracing; set observability.tracing: false for this target",
            )
        )
    for metric in ("error_rate_percent", "latency_p99_ms"):
        if getattr(spec.observability.alarms, metric) is not None:
            found.append(
                (
                    ("observability", "alarms", metric),
                    "Container Instances publishes no request metrics; remove this alarm",
                )
            )
    low, high = LOG_RETENTION
    if not low <= spec.observability.log_retention_days <= high:
        found.append(
            (("observability", "log_retention_days"), f"a Log Analytics workspace keeps logs {low}-{high} days")
        )
    if spec.network.vpc == "existing" and "subnet_id" not in spec.target(NAME):
        found.append(
            (
                ("targets", NAME),
                "network.vpc is `existing`: give `subnet_id` (a subnet delegated to Microsoft.ContainerInstance)",
            )
        )
    if spec.container.args and not spec.container.command:
        # ACI's `commands` works like `docker run --entrypoint`: it replaces the
        # image's entrypoint, so arguments alone cannot be appended to it.
        found.append(
            (
                ("container", "args"),
                "Container Instances cannot pass args to the image's own entrypoint; give `command` (the entrypoint) with them",
            )
        )
    if spec.container.secrets and spec.state.backend not in ENCRYPTED_REMOTE_BACKENDS:
        where = ("state", "backend") if common.explicit(spec, "state.backend") else ("container", "secrets")
        found.append((where, SECRETS_NEED_REMOTE_STATE))
    if spec.network.public and not spec.target(NAME)["container_tls"]:
        found.append((("network", "public"), PUBLIC_HTTP_REFUSAL))
    if not spec.network.public and spec.network.vpc == "create":
        found += _check_created_vnet(spec)
    found += common.check_any_source_only(spec, "Container Instances")
    found += common.check_compute(
        spec,
        "Container Instances",
        arm64="container groups run on x86_64 hosts",
        spot="a Spot container group cannot take inbound connections (SpotPriorityContainerGroupNotSupportedForInboundConnectivity), "
        "and a model server must",
        gpu="GPU container groups were retired",
    )
    found += _check_model(spec)
    return found


def startup_seconds(spec: Spec) -> int:
    """The model-load window: container.startup_seconds wins over targets.azure-aci.startup_seconds (kept working)."""
    shared = spec.container.startup_seconds
    return shared if shared is not None else spec.target(NAME)["startup_seconds"]


def _check_model(spec: Spec) -> list[common.Finding]:
    found = common.check_model_readable(spec, NAME, "azure-blob", "A Container Instances managed identity")
    if _app_identity_used(spec):
        found += azure_common.check_client_id_unset(
            spec, "the group's identity, which holds the model and permissions grants"
        )
    return found + azure_common.check_model_storage_account(spec, NAME)


def _check_created_vnet(spec: Spec) -> list[common.Finding]:
    network = ipaddress.ip_network(spec.network.cidr, strict=False)
    if str(network) != spec.network.cidr:
        return [(("network", "cidr"), f"`{spec.network.cidr}` has host bits set; use {network}")]
    if network.prefixlen > SUBNET_PREFIX_MAX:
        return [
            (("network", "cidr"), f"an Azure subnet needs at least a /{SUBNET_PREFIX_MAX}; got /{network.prefixlen}")
        ]
    return []


def _network(spec: Spec) -> dict[str, Any]:
    """`mode` is public, create or existing; `subnet` is the one a private group joins
    (a reference to the created one, or the given id)."""
    if spec.network.public:
        return {"mode": "public"}
    if spec.network.vpc == "existing":
        return {"mode": "existing", "subnet": spec.target(NAME)["subnet_id"]}
    vnet = ipaddress.ip_network(spec.network.cidr)
    subnet = next(vnet.subnets(new_prefix=max(vnet.prefixlen, SUBNET_PREFIX)))
    return {
        "mode": "create",
        "vnet_cidr": str(vnet),
        "subnet_cidr": str(subnet),
        "allowed_cidrs": sorted(spec.network.allowed_cidrs),
        "subnet": hcl.Expr("azurerm_subnet.this.id"),
    }


def _container(spec: Spec) -> dict[str, Any]:
    c = spec.container
    return {
        "name": CONTAINER_NAME,
        "image": c.image,
        # `commands` replaces the entrypoint; the spec's args follow its command.
        "commands": [*c.command, *c.args],
        "env": {
            **c.env,
            **(
                {"AZURE_CLIENT_ID": hcl.Expr("azurerm_user_assigned_identity.this.client_id")}
                if _app_identity_used(spec)
                else {}
            ),
        },
        "secrets": dict(c.secrets),
        "port": c.port,
        "cpu": spec.resources.cpu,
        "memory_gb": spec.resources.memory / 1024,  # exact: check() keeps memory in 512 MiB steps
        "health": c.health,
    }


def _alerts(spec: Spec) -> list[dict[str, Any]]:
    """Metric alerts. ACI reports CpuUsage in millicores and MemoryUsage in
    bytes, not percent, so each threshold is that percent of what the group
    requested."""
    a = spec.observability.alarms
    cpu, memory = spec.resources.cpu, spec.resources.memory
    alerts = []
    if a.cpu_percent is not None:
        millicores = cpu * 1000 * a.cpu_percent / 100
        alerts.append(
            {
                "key": "cpu",
                "name": f"{spec.name}-cpu",
                "metric": "CpuUsage",
                "threshold": millicores,
                "description": f"Average CPU above {a.cpu_percent}% of the {cpu:g} vCPU requested ({millicores:g} millicores) for {azure_common.ALERT_WINDOW_MINUTES} minutes",
            }
        )
    if a.memory_percent is not None:
        mib = memory * a.memory_percent / 100
        alerts.append(
            {
                "key": "memory",
                "name": f"{spec.name}-memory",
                "metric": "MemoryUsage",
                "threshold": int(memory * 1024 * 1024 * a.memory_percent // 100),
                "description": f"Average memory above {a.memory_percent}% of the {memory} MiB requested ({mib:g} MiB) for {azure_common.ALERT_WINDOW_MINUTES} minutes",
            }
        )
    return alerts


def _skips(spec: Spec) -> dict[str, hcl.Expr]:
    """Reasons for the inline Checkov skips this spec needs (tfgen's own words, one line each)."""
    reasons = {}
    if spec.container.env or _app_identity_used(spec):
        reasons["plain_env"] = (
            "container.env holds only non-secret settings (the spec keeps secrets in container.secrets, "
            "which go to secure_environment_variables); plain values stay readable to operators"
        )
    if spec.network.public:
        reasons["public_no_vnet"] = (
            "the spec asks for a public endpoint (network.public: true) and ACI cannot join a virtual "
            "network with a public IP"
        )
        reasons["public"] = "the spec asks for a public endpoint (network.public: true)"
    return {key: hcl.Expr(text) for key, text in reasons.items()}


def _app_identity_used(spec: Spec) -> bool:
    """Whether the application itself uses the group's identity (a model grant or permissions): then the
    container gets AZURE_CLIENT_ID, so Azure SDKs pick this user-assigned identity."""
    model_in_blob = spec.model is not None and spec.model.scheme == "azure-blob"
    return model_in_blob or "metrics" in spec.permissions.capabilities or bool(spec.permissions.azure)


def _url_description(spec: Spec, tls: bool) -> str:
    scheme = "HTTPS served by the container" if tls else "plain HTTP: ACI terminates no TLS"
    if spec.network.public:
        return f"Service URL on the group's public DNS name ({scheme})."
    return (
        f"Service URL on the group's private IP ({scheme}): reachable only inside the virtual network and networks "
        "peered or routed to it, from network.allowed_cidrs; the address may change when the group is recreated."
    )


def _depends_on(network: dict[str, Any], settings) -> list[hcl.Expr]:
    """What must exist before the group starts: its key usable, its subnet's NSG in force."""
    after = []
    if settings.get("encryption_key"):
        after.append(hcl.Expr("azurerm_role_assignment.encryption_key"))
    if network["mode"] == "create":
        after.append(hcl.Expr("azurerm_subnet_network_security_group_association.this"))
    return after


def context(spec: Spec) -> dict[str, Any]:
    settings = spec.target(NAME)
    network = _network(spec)
    container = _container(spec)
    return {
        **common.base_context(spec),
        **azure_common.placement(spec, NAME),
        "key_vault_id": settings["key_vault_id"],
        "encryption_key": settings.get("encryption_key"),
        "network": network,
        "container": container,
        "tls": settings["container_tls"],
        "url_description": _url_description(spec, settings["container_tls"]),
        "probes": {"liveness_delay": startup_seconds(spec), "failure_threshold": PROBE_FAILURES},
        "probe_scheme": "Https" if settings["container_tls"] else "Http",
        "url": hcl.Expr(
            f'"{"https" if settings["container_tls"] else "http"}://'
            f'${{azurerm_container_group.this.{"fqdn" if spec.network.public else "ip_address"}}}:{container["port"]}"'
        ),
        "depends_on": _depends_on(network, settings),
        "model": azure_common.model_blob_read_grant(spec, NAME),
        "metrics": "metrics" in spec.permissions.capabilities,
        "grants": azure_common.role_grants(spec),
        "app_identity": _app_identity_used(spec),
        "skip": _skips(spec),
        "log_retention_days": spec.observability.log_retention_days,
        "alerts": _alerts(spec),
        "notify": azure_common.alert_notify(spec, NAME),
        "alert": azure_common.metric_alert_settings(METRIC_NAMESPACE),
        "names": {
            "container_group": spec.name,
            "dns_label": spec.name,
            "identity": f"{spec.name}-id",
            "workspace": f"{spec.name}-logs",
            "vnet": f"{spec.name}-vnet",
            "subnet": f"{spec.name}-aci",
            "nsg": f"{spec.name}-aci",
            **azure_common.action_group_names(spec),
        },
    }


def _told(notify: dict[str, Any]) -> str:
    """Who the alerts notify, in words (tfgen's Markdown)."""
    emails, groups = len(notify["emails"]), len(notify["action_group_ids"])
    told = (
        [f"an action group emailing the {emails} address(es) in `observability.notify_emails`"] if emails else []
    ) + ([f"the {groups} action group(s) in `targets.{NAME}.action_group_ids`"] if groups else [])
    if told:
        return "They notify " + " and ".join(told) + ", plus any in `var.action_group_ids`."
    return (
        f"They notify nobody yet: set `observability.notify_emails` or `targets.{NAME}.action_group_ids` (or "
        "`var.action_group_ids`); until then they only show in the portal."
    )


def readme(spec: Spec, c: dict[str, Any]) -> ReadmeFacts:
    """What the module creates and what its user must know, from its template context `c`.

    Items are tfgen's own Markdown; the spec values quoted in them are all
    pattern-restricted by the schema (names, ids, CIDRs, image references,
    env var names): none can hold a backtick.
    """
    rg, names, network, container, key = (
        c["resource_group"],
        c["names"],
        c["network"],
        c["container"],
        c["encryption_key"],
    )
    health = container["health"]
    creates = []
    if rg["create"]:
        creates.append(f"Resource group `{rg['name']}` in `{c['location']}`.")
    else:
        creates.append(
            f"Nothing for the resource group: it uses the existing `{rg['name']}`; resources go to `{c['location']}`."
        )
    creates.append(
        f"Container group `{names['container_group']}` (Linux, restart policy Always, Standard SKU) running one container "
        f"`{container['name']}` from `{container['image']}` with {container['cpu']:g} vCPU and {container['memory_gb']:g} GB of "
        f"memory, TCP port {container['port']}, and {'HTTPS' if c['tls'] else 'HTTP'} liveness and readiness probes on "
        f"`{health.path}` every {health.interval} s (timeout {health.timeout} s); the liveness probe starts after "
        f"{c['probes']['liveness_delay']} s (`startup_seconds`, the model's load time) and restarts the container after "
        f"{c['probes']['failure_threshold']} failures in a row."
    )
    if network["mode"] == "public":
        creates.append(
            f"A public IP address with DNS label `{names['dns_label']}` (reuse policy TenantReuse, so the name "
            "cannot be taken over by another tenant)."
        )
    elif network["mode"] == "create":
        creates.append(
            f"A private IP address in a new virtual network `{names['vnet']}` (`{network['vnet_cidr']}`), subnet "
            f"`{names['subnet']}` (`{network['subnet_cidr']}`) delegated to `Microsoft.ContainerInstance/containerGroups`."
        )
        creates.append(
            f"Network security group `{names['nsg']}` on that subnet: inbound TCP {container['port']} only from "
            f"`{'`, `'.join(network['allowed_cidrs'])}`, then an explicit deny of all other inbound traffic (it "
            "outranks Azure's default allow-VNet and allow-load-balancer rules)."
        )
    else:
        creates.append(f"A private IP address in the existing subnet `{network['subnet']}`.")
    roles = (
        ([f"`Key Vault Crypto Service Encryption User` on the key `{key}` only"] if key else [])
        + (
            [
                f"`Storage Blob Data Reader` on container `{c['model']['container']}`, limited by a condition to the model "
                f"{'prefix' if c['model']['prefix'] else 'blob'} `{c['model']['key']}`"
            ]
            if c["model"]
            else []
        )
        + (
            ["`Monitoring Metrics Publisher` on the container group (`permissions.capabilities`: metrics)"]
            if c["metrics"]
            else []
        )
        + [f"`{g['role']}` on `{g['scope']}` (`permissions.azure`)" for g in c["grants"].values()]
    )
    creates.append(
        f"User-assigned managed identity `{names['identity']}`, attached to the group"
        + (f", with {'; '.join(roles)}" if roles else " with no role")
        + "."
    )
    for env_name, secret in container["secrets"].items():
        creates.append(
            f"Secure environment variable `{env_name}` holding Key Vault secret `{secret}` (read through a data source)."
        )
    if key:
        creates.append(f"Customer-managed encryption of the group's deployment data with Key Vault key `{key}`.")
    creates.append(
        f"Log Analytics workspace `{names['workspace']}` (PerGB2018, {c['log_retention_days']} days retention) "
        "receiving the group's diagnostics: container logs in `ContainerInstanceLog_CL`, events in `ContainerEvent_CL`."
    )
    for alert in c["alerts"]:
        creates.append(
            f"Metric alert `{alert['name']}`: {alert['description']} (`{alert['metric']}` > {int(alert['threshold'])})."
        )
    notes = [
        "No autoscaling: Container Instances runs one container group with no scale-out, so tfgen's validation refuses "
        "`scaling` (other than min and max 1) for this target. Use Azure Container Apps or AKS when the model needs more "
        "than one replica."
    ]
    if container["secrets"]:
        notes.append(
            "Secrets end up in Terraform state. ACI has no Key Vault references, so Terraform reads each secret at plan time "
            '(`data "azurerm_key_vault_secret"`) and hands its value to the container as a secure environment variable under '
            "the name the spec gives; the app needs no change. ACI never returns secure values through its API, but the values "
            "sit in clear text in the plan and in the state (`sensitive` only hides them from CLI output), unlike the other "
            "targets where only a reference reaches Terraform. Keep the state in an encrypted, access-controlled backend (an "
            "`azurerm` backend: a storage account encrypts at rest; restrict who can read the container): tfgen refuses a "
            "local state for this module, and `tfgen plan` prints a note naming the data sources that read the values. Never "
            "keep saved plan files. A rotated secret reaches the container at the next apply, which recreates the group."
        )
        notes.append(
            "Why not let the app read Key Vault with the group's identity: that keeps values out of state but needs code in the "
            "app, and the azurerm provider documents that managed identity is not available to container groups deployed into "
            "a virtual network, which is this module's default. Whoever runs Terraform needs `Key Vault Secrets User` on the "
            "named secrets (or a vault access policy with Get)."
        )
    notes.append(
        "The Log Analytics workspace key that ACI uses to ship logs is also in the state; the workspace therefore keeps "
        "local (shared-key) authentication enabled."
    )
    if c["app_identity"]:
        notes.append(
            "The container gets `AZURE_CLIENT_ID` (the identity's client id), so Azure SDKs (`DefaultAzureCredential`) "
            "authenticate as this identity"
            + (
                f"; the model (`{spec.model.uri}`) reaches it as `{spec.model.env}`"
                if c["model"] and spec.model is not None
                else ""
            )
            + ". The azurerm provider documents managed identity as unavailable to container groups in a virtual network "
            "(this module's default); where that holds, the application cannot use these grants: check your region, or run "
            "the group public with `container_tls`."
        )
    if key:
        notes.append(
            "Encryption key: the vault needs soft delete, purge protection and the RBAC permission model (the role is scoped to "
            f"`<vault id>/keys/{key}`, a valid RBAC scope only there). The group pins the key version it was created with; "
            "rotating the key means a new version and, at the next apply, a new container group. A new role assignment can take "
            "a few minutes to reach Key Vault: if the first apply cannot use the key, apply again."
        )
    else:
        notes.append(
            "Deployment data (including secure environment variables) is encrypted with Microsoft-managed keys. Set "
            f"`targets.{NAME}.encryption_key` to the name of an RSA key in the same vault to use your own key: the identity then "
            "gets `Key Vault Crypto Service Encryption User` on that key alone."
        )
    if network["mode"] == "public":
        notes.append(
            "Public endpoint: ACI neither terminates TLS nor filters source addresses, so the container's own HTTPS on port "
            f"{container['port']} answers the whole internet (tfgen refuses an `allowed_cidrs` other than `0.0.0.0/0` here, and "
            f"refuses a public group unless `targets.{NAME}.container_tls` says the image serves TLS itself). The certificate, "
            "its renewal and any client authentication are the image's job; Application Gateway or Front Door in front of a "
            "private group is the alternative. `network.vpc` and `network.cidr` are not used."
        )
    elif network["mode"] == "existing":
        notes.append(
            "Existing subnet: it must be delegated to `Microsoft.ContainerInstance/containerGroups`, and its network security "
            "group is yours. This module adds no NSG rules there, so `network.allowed_cidrs` is enforced only if your NSG does it."
        )
    else:
        notes.append(
            "Outbound traffic (image pulls, Key Vault, your dependencies) leaves through Azure's default outbound access; attach "
            "a NAT gateway or route through a firewall if you need a fixed egress address or egress filtering."
        )
    notes.append(
        "Images are pulled without registry credentials; a private registry such as ACR needs an `image_registry_credential` "
        "(for example with this identity and `AcrPull`), which tfgen does not generate yet."
    )
    if c["alerts"]:
        notes.append(
            "Alerts: ACI reports `CpuUsage` in millicores and `MemoryUsage` in bytes, not percent, so each threshold is the spec's "
            "percent of the requested cpu (vCPU × 1000) or memory (MiB × 1048576). " + _told(c["notify"])
        )
    notes.append(
        "Secure defaults Checkov cannot see (it has four checks for container groups: CKV_AZURE_98, CKV_AZURE_235, CKV_AZURE_245, "
        "CKV2_AZURE_28): a private IP unless the spec says public; an NSG with an explicit deny; secrets only as secure "
        "environment variables; an identity with no role beyond the encryption key; a DNS label that cannot be taken over; logs "
        "kept the spec's retention."
    )
    notes.append(
        "The provider takes the subscription from `ARM_SUBSCRIPTION_ID` and credentials from the environment (Azure CLI, "
        "managed identity or OIDC)."
    )
    return ReadmeFacts("Azure Container Instances", tuple(map(markdown, creates)), tuple(map(markdown, notes)))


SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["location", "resource_group", "key_vault_id"],
    "properties": {
        "location": azure_common.location_schema(),
        "resource_group": azure_common.resource_group_schema(),
        "key_vault_id": {
            "description": "Resource id of the Key Vault holding container.secrets.",
            "type": "string",
            "pattern": "^/subscriptions/[0-9a-f-]{36}/resourceGroups/[A-Za-z0-9._()-]+/providers/"
            "Microsoft\\.KeyVault/vaults/[A-Za-z0-9-]{3,24}$",
        },
        "subnet_id": {
            "description": "Existing delegated subnet id, used when network.vpc is existing.",
            "type": "string",
            "pattern": "^/subscriptions/[0-9a-f-]{36}/resourceGroups/[A-Za-z0-9._()-]+/providers/"
            "Microsoft\\.Network/virtualNetworks/[A-Za-z0-9._-]+/subnets/[A-Za-z0-9._-]+$",
        },
        "action_group_ids": azure_common.action_group_ids_schema(
            "Existing Azure Monitor action groups every metric alert notifies, besides observability.notify_emails."
        ),
        "model_storage_account_id": azure_common.storage_account_id_schema(
            "Resource id of the storage account holding an Azure Blob model.uri "
            "(/subscriptions/ID/resourceGroups/RG/providers/Microsoft.Storage/storageAccounts/NAME); "
            "required with such a model: the read grant is scoped to the model's container in it."
        ),
        "startup_seconds": {
            "description": "How long the container may take to start (load the model) before the liveness probe begins; "
            "after that, three failed probes in a row restart it. container.startup_seconds, when set, wins.",
            "type": "integer",
            "minimum": 0,
            "maximum": 3600,
            "default": STARTUP_SECONDS,
        },
        "container_tls": {
            "description": "The image serves HTTPS on container.port with its own certificate. Required with "
            "network.public: true (tfgen refuses a public group otherwise: ACI terminates no TLS); "
            "the probes and the url output then use https.",
            "type": "boolean",
            "default": False,
        },
        "encryption_key": {
            "description": "Name of an RSA key in key_vault_id (a vault with purge protection and the RBAC permission "
            "model) that encrypts the container group's deployment data, secure environment variables "
            "included; omit it for Microsoft-managed keys.",
            "type": "string",
            "pattern": "^[A-Za-z][A-Za-z0-9-]{0,126}$",
        },
    },
}

_IMAGE = "mcr.microsoft.com/example/model:1.0"
_SUBSCRIPTION, _VAULT = azure_common.EXAMPLE_SUBSCRIPTION, azure_common.EXAMPLE_VAULT
_SUBNET = f"{_SUBSCRIPTION}/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet-shared/subnets/aci"
# Container Instances has no tracing: every variant turns it off (check() refuses it otherwise).
VARIANTS = {
    "minimal": {
        "name": "aci-minimal",
        "container": {"image": _IMAGE},
        "observability": {"tracing": False},
        "targets": {
            NAME: {"location": "westeurope", "resource_group": {"name": "rg-aci-minimal"}, "key_vault_id": _VAULT}
        },
    },
    "public": {
        "name": "aci-public",
        "container": {"image": _IMAGE},
        "network": {"public": True, "allowed_cidrs": ["0.0.0.0/0"]},
        "observability": {"tracing": False},
        "targets": {
            NAME: {
                "location": "westeurope",
                "resource_group": {"name": "rg-aci-public"},
                "key_vault_id": _VAULT,
                "container_tls": True,
            }
        },
    },
    "existing-network": {
        "name": "aci-existing",
        "container": {"image": _IMAGE},
        "network": {"vpc": "existing"},
        "observability": {"tracing": False},
        "targets": {
            NAME: {
                "location": "westeurope",
                "resource_group": {"name": "rg-aci-existing"},
                "key_vault_id": _VAULT,
                "subnet_id": _SUBNET,
            }
        },
    },
    "all-features": {
        "name": "aci-full",
        "description": "every optional feature of azure-aci",
        "labels": {"team": "ml"},
        "container": {
            "image": _IMAGE,
            "port": 9000,
            "command": ["python", "-m", "serve"],
            "args": ["--port", "9000"],
            "env": {"MODE": "strict"},
            "secrets": {"API_KEY": "aci-api-key"},
            "health_check": {"path": "/ready", "interval": 20, "timeout": 4},
            "startup_seconds": 300,
            "writable_paths": ["/tmp", "/home/app/.cache/huggingface"],
        },
        "resources": {"cpu": 2, "memory": 4096},
        "network": {"cidr": "10.60.0.0/24", "allowed_cidrs": ["10.0.0.0/8"]},
        "observability": {
            "log_retention_days": 90,
            "tracing": False,
            "alarms": {"cpu_percent": 80, "memory_percent": 80},
            "notify_emails": ["oncall@example.com"],
        },
        "targets": {
            NAME: {
                "location": "westeurope",
                "resource_group": {"name": "rg-shared", "create": False},
                "action_group_ids": [
                    f"{_SUBSCRIPTION}/resourceGroups/rg-ops/providers/Microsoft.Insights/actionGroups/pager"
                ],
                "key_vault_id": _VAULT,
                "encryption_key": "aci-deployment-key",
                "model_storage_account_id": f"{_SUBSCRIPTION}/resourceGroups/rg-ml/providers/"
                "Microsoft.Storage/storageAccounts/examplemodels",
            }
        },
        "model": {"uri": "https://examplemodels.blob.core.windows.net/models/aci-full/v1/"},
        "permissions": azure_common.all_features_permissions(),
        "state": {
            "backend": "azurerm",
            "resource_group_name": "rg-tfstate",
            "storage_account_name": "sttfstate",
            "container_name": "tfstate",
            "key": "aci-full.tfstate",
        },
    },
}

_KEY_VAULT_HINT = "/subscriptions/ID/resourceGroups/RG/providers/Microsoft.KeyVault/vaults/NAME"
STARTER = Starter(
    questions=(
        StarterQuestion(
            "azure-resource-group",
            "Azure resource group",
            f"Azure resource group for {NAME} (created).",
            default="rg-{name}",
        ),
        StarterQuestion(
            "azure-key-vault-id",
            f"Key Vault id ({_KEY_VAULT_HINT})",
            f"Key Vault resource id for {NAME}: {_KEY_VAULT_HINT}.",
        ),
    ),
    settings=lambda answers: [
        f"    location: {yaml_scalar('westeurope')}",
        f"    resource_group: {{name: {yaml_scalar(answers['azure-resource-group'])}, create: true}}",
        f"    key_vault_id: {yaml_scalar(answers['azure-key-vault-id'])}  # the vault that holds container.secrets",
    ],
    sections={
        "scaling": (f"# scaling: Container Instances cannot scale; remove {NAME} to set min/max.",),
        "observability": (
            "observability:",
            "  log_retention_days: 30",
            "  tracing: false  # Container Instances has no built-in tracing",
        ),
    },
)

TARGET = Target(
    name=NAME,
    title="Azure Container Instances",
    template_dir=NAME,
    output=TERRAFORM,
    providers=(Provider("azurerm", "hashicorp/azurerm", ">= 4.51.0, < 5.0.0"),),
    schema=SCHEMA,
    defaults={"resource_group": {"create": True}, "container_tls": False, "startup_seconds": STARTUP_SECONDS},
    check=check,
    context=context,
    readme=readme,
    variants=VARIANTS,
    starter=STARTER,
    warnings=lambda spec: common.unnotified_alarms(spec, NAME, bool(_alerts(spec)), "action_group_ids"),
    permission_cloud="azure",
)
