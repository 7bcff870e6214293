"""What the Azure targets share: the model blob read grant (an ABAC condition) and its checks,
role assignments from permissions.azure, metric alert settings and who the alerts notify.

Nothing here names a target: the target's settings key and the words that differ
(who holds the grants) come in as parameters."""

from __future__ import annotations

from typing import Any

from .. import hcl
from ..model import Spec
from .base import Finding

ACTION_GROUP_SHORT_NAME_MAX = 12  # Azure's limit for an action group's short name (shown in SMS and emails)
# Metric alerts: the average over a window, evaluated every minute.
ALERT_WINDOW_MINUTES = 5
ALERT_FREQUENCY, ALERT_WINDOW, ALERT_SEVERITY = "PT1M", f"PT{ALERT_WINDOW_MINUTES}M", 2

# Storage Blob Data Reader limited to the model's blob or prefix (Azure ABAC, condition version 2.0):
# reads outside the path are denied, and so is listing (a prefix: listing only under it).
_BLOB_READ = "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read"
_BLOB_PATH = "@Resource[Microsoft.Storage/storageAccounts/blobServices/containers/blobs:path]"
_LIST_PREFIX = "@Request[Microsoft.Storage/storageAccounts/blobServices/containers/blobs:prefix]"


def model_blob_read_grant(spec: Spec, target: str) -> dict[str, Any] | None:
    """The read grant on the model's container, its condition limiting it to the model's blob or prefix."""
    model = spec.model
    if model is None or model.scheme != "azure-blob":
        return None
    read = f"!(ActionMatches{{'{_BLOB_READ}'}} AND NOT SubOperationMatches{{'Blob.List'}})"
    listing = f"!(ActionMatches{{'{_BLOB_READ}'}} AND SubOperationMatches{{'Blob.List'}})"
    if model.is_prefix:
        condition = (
            f"(({read}) OR ({_BLOB_PATH} StringStartsWith '{model.key}')) "
            f"AND (({listing}) OR ({_LIST_PREFIX} StringStartsWith '{model.key}'))"
        )
    else:
        condition = f"(({read}) OR ({_BLOB_PATH} StringEquals '{model.key}')) AND ({listing})"
    account_id = spec.target(target)["model_storage_account_id"]
    return {
        "scope": f"{account_id}/blobServices/default/containers/{model.bucket}",
        "condition": condition,
        "key": model.key,
        "container": model.bucket,
        "prefix": model.is_prefix,
    }


def check_model_storage_account(spec: Spec, target: str) -> list[Finding]:
    """`model_storage_account_id` (the grant's scope) is given with an Azure Blob model, names its account,
    and is not given without one."""
    account_id = spec.target(target).get("model_storage_account_id")
    account = account_id.rsplit("/", 1)[-1] if account_id is not None else None
    model = spec.model if spec.model is not None and spec.model.scheme == "azure-blob" else None
    if model is not None and account is None:
        return [
            (
                ("targets", target),
                f"the model is in storage account `{model.account}`: give `model_storage_account_id` "
                "(its resource id), the scope of the read grant",
            )
        ]
    if model is not None and account != model.account:
        return [
            (
                ("targets", target, "model_storage_account_id"),
                f"names storage account `{account}`, but model.uri is in `{model.account}`",
            )
        ]
    if model is None and account_id is not None:
        return [(("targets", target, "model_storage_account_id"), "only used with an Azure Blob model.uri; remove it")]
    return []


def check_client_id_unset(spec: Spec, identity: str) -> list[Finding]:
    """tfgen sets AZURE_CLIENT_ID to the identity holding the grants (`identity`: that identity, in words)."""
    return [
        (
            ("container", field, "AZURE_CLIENT_ID"),
            f"tfgen sets AZURE_CLIENT_ID to {identity}; remove it here",
        )
        for field in ("env", "secrets")
        if "AZURE_CLIENT_ID" in getattr(spec.container, field)
    ]


def role_grants(spec: Spec) -> dict[str, dict[str, str]]:
    """permissions.azure, keyed `ROLE on SCOPE`."""
    return dict(
        sorted(
            (f"{g['role']} on {g['scope']}", {"role": g["role"], "scope": g["scope"]}) for g in spec.permissions.azure
        )
    )


def alert_notify(spec: Spec, target: str) -> dict[str, list[str]]:
    """Who the metric alerts tell: an action group emailing the spec's addresses, and the target's own groups."""
    return {
        "emails": list(spec.observability.notify_emails),
        "action_group_ids": list(spec.target(target).get("action_group_ids", ())),
    }


def metric_alert_settings(namespace: str) -> dict[str, Any]:
    """How often metric alerts evaluate, over what window, how severe, on which metric namespace."""
    return {"frequency": ALERT_FREQUENCY, "window": ALERT_WINDOW, "severity": ALERT_SEVERITY, "namespace": namespace}


def action_group_names(spec: Spec) -> dict[str, str]:
    return {"action_group": f"{spec.name}-alerts", "action_group_short": spec.name[:ACTION_GROUP_SHORT_NAME_MAX]}


def placement(spec: Spec, target: str) -> dict[str, Any]:
    """Where the module's resources go: the location and the resource group, created or looked up."""
    settings = spec.target(target)
    rg = settings["resource_group"]
    return {
        "location": settings["location"],
        "resource_group": {"name": rg["name"], "create": rg["create"]},
        "resource_group_ref": hcl.Expr(
            "azurerm_resource_group.this.name" if rg["create"] else "data.azurerm_resource_group.this.name"
        ),
    }


# -- schema fragments of the targets' settings (fresh dicts: each target's schema owns its own) --

RESOURCE_ID = "^/subscriptions/[0-9a-f-]{36}/resourceGroups/[A-Za-z0-9._()-]+/providers/"


def location_schema() -> dict[str, Any]:
    return {"type": "string", "pattern": "^[a-z][a-z0-9]+$"}


def resource_group_schema() -> dict[str, Any]:
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["name"],
        "properties": {
            "name": {"type": "string", "pattern": "^[A-Za-z0-9._()-]{1,89}[A-Za-z0-9_()-]$"},
            "create": {"type": "boolean", "default": True},
        },
    }


def action_group_ids_schema(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "type": "array",
        "uniqueItems": True,
        "maxItems": 5,
        "items": {
            "type": "string",
            "pattern": RESOURCE_ID + "(M|m)icrosoft\\.(I|i)nsights/action(G|g)roups/[A-Za-z0-9._-]{1,260}$",
        },
    }


def storage_account_id_schema(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "type": "string",
        "pattern": RESOURCE_ID + "Microsoft\\.Storage/storageAccounts/[a-z0-9]{3,24}$",
    }


# -- what the targets' variants share --

EXAMPLE_SUBSCRIPTION = "/subscriptions/00000000-0000-0000-0000-000000000000"
EXAMPLE_VAULT = f"{EXAMPLE_SUBSCRIPTION}/resourceGroups/rg-kv/providers/Microsoft.KeyVault/vaults/kv-models"


def all_features_permissions() -> dict[str, Any]:
    """The `permissions` of an all-features variant: metrics and one role on a named scope."""
    return {
        "capabilities": ["metrics"],
        "azure": [
            {
                "role": "Storage Queue Data Message Sender",
                "scope": f"{EXAMPLE_SUBSCRIPTION}/resourceGroups/rg-ml/providers/Microsoft.Storage/storageAccounts/examplequeues",
            }
        ],
    }
