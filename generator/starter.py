"""The starter spec `tfgen init` writes: commented YAML a newcomer can read and edit.

Pure: answers in, text out. Every user value goes through `_scalar` (a JSON
string is a valid YAML double-quoted scalar), so a name or image can never
change the document's shape. Optional sections are written as comments, so
the file validates for any choice of targets and shows what can be set.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

TARGETS = ("aws-ecs", "aws-lambda", "gcp-cloud-run", "azure-aci")
NAME = re.compile(r"^[a-z][a-z0-9-]{0,22}[a-z0-9]$")
LAMBDA_SOURCE = "src"  # the folder a Lambda zip is built from, beside the spec
LAMBDA_HANDLER = '''"""A starter AWS Lambda handler (tfgen init). Replace it with your model's code."""

import json


def handler(event, context):
    # A function URL passes the HTTP request; a direct invoke passes your own payload.
    body = event.get("body") if isinstance(event, dict) else None
    return {"statusCode": 200, "headers": {"content-type": "application/json"},
            "body": json.dumps({"ok": True, "received": body})}
'''


@dataclass(frozen=True)
class Answers:
    name: str
    image: str | None
    port: int
    targets: tuple[str, ...]
    region: str = "us-east-1"  # AWS
    gcp_project: str | None = None
    gcp_region: str = "europe-west1"
    azure_location: str = "westeurope"
    azure_resource_group: str | None = None
    azure_key_vault_id: str | None = None


def suggest_name(folder_name: str) -> str:
    """A valid service name from a folder name (`My_Model v2` -> `my-model-v2`), or `my-model`."""
    name = re.sub(r"[^a-z0-9]+", "-", folder_name.lower()).strip("-")
    name = re.sub(r"^[^a-z]+", "", name)[:24].rstrip("-")
    return name if NAME.match(name) else "my-model"


def _scalar(value: str | int) -> str:
    return json.dumps(value, ensure_ascii=False)


def needs_image(targets: tuple[str, ...]) -> bool:
    """Every target runs container.image except a Lambda zip."""
    return any(t != "aws-lambda" for t in targets)


def render(answers: Answers, spec_file: str = "tfgen.yaml") -> str:
    a, lines = answers, []
    add = lines.append
    add("# A tfgen spec: one description of a model service, rendered to Terraform")
    add("# for each target below. Every field, its default and its limits:")
    add("# docs/spec-reference.md (or `tfgen schema --format markdown`).")
    add("#")
    add(f"#   tfgen validate {spec_file}   # check it (every problem as FILE:LINE:COL)")
    add(f"#   tfgen render {spec_file}     # write modules/{a.name}/<target>/*.tf")
    add(f"#   tfgen check {spec_file}      # the CI gate: fmt, lint, terraform validate, Checkov")
    add("")
    add(f"name: {_scalar(a.name)}  # 2-24 characters [a-z0-9-]; prefixes every resource name")
    add(f"description: {_scalar(a.name + ' model service')}")
    add("# labels: {team: ml-platform}  # tags/labels on every resource")
    add("")
    add("container:")
    if a.image:
        add(f"  image: {_scalar(a.image)}  # pin a tag or digest; `latest` makes plans drift")
    if "aws-lambda" in a.targets:
        add("  # aws-lambda runs the zip built from targets.aws-lambda.package.source, not an image")
    add(f"  port: {a.port}  # where the server listens")
    add("  health_check: {path: /health, interval: 30, timeout: 5}  # must answer 200")
    add("  # env: {LOG_LEVEL: info}")
    add("  # secrets: {API_TOKEN: my-api-token}  # env var -> secret *name* in the platform's store, never a value")
    add("")
    add("resources: {cpu: 1, memory: 2048}  # vCPU and MiB, mapped to what each platform offers")
    add("")
    if "azure-aci" in a.targets:
        add("# scaling: Container Instances cannot scale; remove azure-aci to set min/max.")
    else:
        add("# scaling: {min: 1, max: 3}  # instances (Lambda: provisioned / reserved concurrency)")
    add("# network: {public: false, allowed_cidrs: [\"10.0.0.0/8\"]}  # private by default")
    if "azure-aci" in a.targets:
        add("observability:")
        add("  log_retention_days: 30")
        add("  tracing: false  # Container Instances has no built-in tracing")
    else:
        add("# observability: {log_retention_days: 30, tracing: true, alarms: {error_rate_percent: 5}}")
    add("")
    add("targets:")
    for target in a.targets:
        add(f"  {target}:")
        if target == "aws-ecs":
            add(f"    region: {_scalar(a.region)}")
            add("    # certificate_arn: arn:aws:acm:...  # needed for HTTPS when network.public is true")
        elif target == "aws-lambda":
            add(f"    region: {_scalar(a.region)}")
            add("    package:")
            add("      type: zip")
            add(f"      source: {LAMBDA_SOURCE}  # folder beside this file; tfgen zips it into the module (same bytes every time)")
            add("      handler: app.handler")
            add("      runtime: python3.12")
            add("    timeout: 30  # seconds")
        elif target == "gcp-cloud-run":
            add(f"    project: {_scalar(a.gcp_project)}")
            add(f"    region: {_scalar(a.gcp_region)}")
            add("    # invokers: [\"group:ml-clients@example.com\"]  # who may call a private service")
        elif target == "azure-aci":
            add(f"    location: {_scalar(a.azure_location)}")
            add(f"    resource_group: {{name: {_scalar(a.azure_resource_group)}, create: true}}")
            add(f"    key_vault_id: {_scalar(a.azure_key_vault_id)}  # the vault that holds container.secrets")
    add("")
    add("state:")
    add("  backend: local  # s3, gcs or azurerm to share state with a team")
    add("")
    add("# environments:  # overlays, rendered to modules/<name>/<env>/<target>/")
    add("#   prod: {scaling: {min: 2, max: 10}}")
    return "\n".join(lines) + "\n"
