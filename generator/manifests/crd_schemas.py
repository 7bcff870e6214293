"""Strict JSON Schemas for the custom resources this target renders, which the
Kubernetes OpenAPI schemas (kubernetes-validate) do not hold.

Written for exactly the fields tfgen emits, from the External Secrets
Operator's ExternalSecret reference (external-secrets.io/v1): names and key
patterns as the CRD declares them, every object closed (`additionalProperties:
false`), so a misspelt or unknown field is an error as in the strict
Kubernetes schemas.
"""

from __future__ import annotations

from typing import Any

_SUBDOMAIN = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"
_STRING_MAP = {"type": "object", "additionalProperties": {"type": "string"}}


def _closed(properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {"type": "object", "additionalProperties": False, "required": required, "properties": properties}


EXTERNAL_SECRET_V1 = _closed(
    {
        "apiVersion": {"const": "external-secrets.io/v1"},
        "kind": {"const": "ExternalSecret"},
        "metadata": _closed(
            {
                "name": {"type": "string", "pattern": _SUBDOMAIN, "maxLength": 253},
                "namespace": {"type": "string", "pattern": _SUBDOMAIN, "maxLength": 63},
                "labels": _STRING_MAP,
                "annotations": _STRING_MAP,
            },
            ["name"],
        ),
        "spec": _closed(
            {
                "refreshInterval": {"type": "string", "pattern": "^([0-9]+(\\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$"},
                "secretStoreRef": _closed(
                    {
                        "name": {"type": "string", "pattern": _SUBDOMAIN, "minLength": 1, "maxLength": 253},
                        "kind": {"enum": ["SecretStore", "ClusterSecretStore"]},
                    },
                    ["name"],
                ),
                "target": _closed(
                    {
                        "name": {"type": "string", "pattern": _SUBDOMAIN, "minLength": 1, "maxLength": 253},
                        "creationPolicy": {"enum": ["Owner", "Orphan", "Merge", "None"]},
                    },
                    [],
                ),
                "data": {
                    "type": "array",
                    "items": _closed(
                        {
                            "secretKey": {
                                "type": "string",
                                "pattern": "^[-._a-zA-Z0-9]+$",
                                "minLength": 1,
                                "maxLength": 253,
                            },
                            "remoteRef": _closed({"key": {"type": "string", "minLength": 1}}, ["key"]),
                        },
                        ["secretKey", "remoteRef"],
                    ),
                },
            },
            ["secretStoreRef"],
        ),
    },
    ["apiVersion", "kind", "metadata", "spec"],
)

# (apiVersion, kind) -> schema
SCHEMAS: dict[tuple[str, str], dict[str, Any]] = {("external-secrets.io/v1", "ExternalSecret"): EXTERNAL_SECRET_V1}
