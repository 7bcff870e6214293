"""Google Cloud Functions (2nd gen, HTTP trigger) from a source folder: limits and the template context.

tfgen zips `source` (generator/package.py) into the module; Terraform uploads it to a private,
versioned bucket under its content hash, so changed code is a new object and a new build.
A 2nd-gen function runs as a Cloud Run service of the same name: its invoker role, metrics
and logs are Cloud Run's (`roles/run.invoker`, `run.googleapis.com/*`, `cloud_run_revision`).
"""

from __future__ import annotations

import ipaddress
from pathlib import Path, PurePosixPath
from typing import Any

from .. import hcl
from ..model import Spec
from ..outputs.terraform import TERRAFORM
from . import common, gcp_common
from .base import Provider, ReadmeFacts, Starter, StarterQuestion, Target, markdown, yaml_scalar

NAME = "gcp-cloud-functions"

# Where tfgen builds `source`, inside the module folder (beside the .tf files).
BUILT_PACKAGE = "function-source.zip"
RUNTIMES = ("python310", "python311", "python312", "python313")
# Sizes a 2nd-gen function accepts: whole vCPUs from this list, or a fraction below 1.
CPUS = (1.0, 2.0, 4.0, 6.0, 8.0)
MEMORY_MIN, MEMORY_MAX = 128, 32768
# memory above the key (MiB) needs at least this many vCPU
MIN_CPU_FOR_MEMORY = ((24576, 8), (16384, 6), (8192, 4), (4096, 2), (1024, 1))
# vCPU -> the least memory (MiB) it can run with
MIN_MEMORY_FOR_CPU = {4.0: 2048, 6.0: 4096, 8.0: 4096}
FRACTIONAL_CPU_MIN = 0.083
MAX_INSTANCES = 1000  # the platform's ceiling for max_instance_count
TIMEOUT_MAX = 3600  # HTTP functions: 60 minutes
# A Serverless VPC Access connector takes its own /28 subnet.
CONNECTOR_PREFIX = 28
RESERVED_ENV = ("PORT", "K_SERVICE", "K_REVISION", "K_CONFIGURATION", "FUNCTION_TARGET", "FUNCTION_SIGNATURE_TYPE")
NAME_MAX = 22  # `<name>-build` service account (30) and `<name>-fn` connector (25) ids


def function_name(spec: Spec) -> str:
    """`<name>-fn`: a Cloud Run target of the same spec and project already uses `<name>` for its service,
    and a 2nd-gen function runs as a Cloud Run service named like the function."""
    return f"{spec.name}-fn"


def check(spec: Spec) -> list[common.Finding]:
    settings = spec.target(NAME)
    found = common.check_name_length(
        spec,
        NAME_MAX,
        "the connector id `<name>-fn` is at most 25 characters and the build "
        "service account id `<name>-build` at most 30",
    )
    found += common.check_no_cpu_target(spec, "Cloud Functions", "it scales on request concurrency")
    found += _check_size(spec)
    if spec.scaling.max > MAX_INSTANCES:
        found.append((("scaling", "max"), f"a function runs at most {MAX_INSTANCES} instances; got {spec.scaling.max}"))
    concurrency = spec.scaling.concurrency
    if concurrency is not None and concurrency > 1 and spec.resources.cpu < 1:
        found.append(
            (
                ("scaling", "concurrency"),
                "a function with less than 1 vCPU serves one request at a time; "
                "set resources.cpu to 1 or more, or scaling.concurrency to 1",
            )
        )
    found += gcp_common.check_reserved_env(spec, "Cloud Functions", RESERVED_ENV)
    found += common.check_compute(
        spec,
        "Cloud Functions",
        arm64="functions run on x86_64 only",
        spot="functions have no Spot capacity",
        gpu="2nd-gen functions run on CPU only",
    )
    found += _check_network(spec, settings)
    found += common.check_any_source_only(spec, "Cloud Functions")
    found += gcp_common.check_no_invokers_when_public(spec, NAME, "function")
    if settings["timeout"] > TIMEOUT_MAX:
        found.append(
            (("targets", NAME, "timeout"), f"an HTTP function runs at most {TIMEOUT_MAX} s; got {settings['timeout']}")
        )
    found += gcp_common.check_key_location(spec, NAME, "the function, its buckets and log bucket")
    found += gcp_common.check_log_retention(spec)
    found += common.check_model_readable(spec, NAME, "gs", "the function's service account")
    found += _check_source(spec)
    return found


def _check_size(spec: Spec) -> list[common.Finding]:
    cpu, memory = spec.resources.cpu, spec.resources.memory
    found: list[common.Finding] = []
    if not (cpu in CPUS or FRACTIONAL_CPU_MIN <= cpu < 1):
        found.append(
            (
                ("resources", "cpu"),
                f"a function takes cpu {FRACTIONAL_CPU_MIN}-1 or {', '.join(f'{c:g}' for c in CPUS)}; got {cpu:g}",
            )
        )
        return found
    if not MEMORY_MIN <= memory <= MEMORY_MAX:
        found.append((("resources", "memory"), f"function memory is {MEMORY_MIN}-{MEMORY_MAX} MiB; got {memory}"))
        return found
    for above, least in MIN_CPU_FOR_MEMORY:
        if memory > above and cpu < least:
            found.append(
                (("resources", "cpu"), f"a function needs at least {least} vCPU for more than {above} MiB of memory")
            )
            break
    if memory < MIN_MEMORY_FOR_CPU.get(cpu, 0):
        found.append(
            (("resources", "memory"), f"a function needs at least {MIN_MEMORY_FOR_CPU[cpu]} MiB with {cpu:g} vCPU")
        )
    return found


def _check_network(spec: Spec, settings) -> list[common.Finding]:
    if spec.network.vpc == "existing":
        return (
            []
            if "vpc_connector" in settings
            else [(("targets", NAME), "network.vpc is `existing`: give `vpc_connector`")]
        )
    found: list[common.Finding] = []
    if "vpc_connector" in settings:
        found.append(
            (
                ("targets", NAME, "vpc_connector"),
                "only used when network.vpc is `existing`; remove it or set network.vpc: existing",
            )
        )
    if ipaddress.ip_network(spec.network.cidr, strict=False).prefixlen > CONNECTOR_PREFIX:
        found.append(
            (("network", "cidr"), f"the VPC connector needs a /{CONNECTOR_PREFIX} of the range; got a smaller range")
        )
    return found


def source_folder(spec: Spec) -> Path:
    """`source`, resolved relative to the folder of the spec file."""
    return Path(spec.origin).parent / spec.target(NAME)["source"]


def _check_source(spec: Spec) -> list[common.Finding]:
    from ..package import PackageError, package_files  # zipfile and the writer: only when checking

    try:
        package_files(source_folder(spec))
    except PackageError as exc:
        return [(("targets", NAME, "source"), f"{exc} (resolved relative to the spec file)")]
    return []


def packages(spec: Spec) -> dict[PurePosixPath, Path]:
    return {PurePosixPath(BUILT_PACKAGE): source_folder(spec)}


def context(spec: Spec) -> dict[str, Any]:
    settings = spec.target(NAME)
    name, project = spec.name, settings["project"]
    public = spec.network.public
    return {
        **common.base_context(spec),
        "function_name": function_name(spec),
        "project": project,
        "region": settings["region"],
        "runtime": settings["runtime"],
        "entry_point": settings["entry_point"],
        "timeout": settings["timeout"],
        "package": BUILT_PACKAGE,
        "source": settings["source"],
        "source_bucket": f"{project}-{name}-fn-src",
        "repository_id": f"{name}-fn",
        "account_id": f"{name}-fn",
        "account_display_name": f"{name} Cloud Functions runtime",
        "build_account_id": f"{name}-build",
        "build_display_name": f"{name} Cloud Functions build",
        "ingress": "ALLOW_ALL" if public else "ALLOW_INTERNAL_ONLY",
        "invokers": ["allUsers"] if public else sorted(settings["invokers"]),
        "public": public,
        "cpu": f"{spec.resources.cpu:g}",
        "memory": spec.resources.memory,
        "scaling": {"min": spec.scaling.min, "max": spec.scaling.max, "concurrency": spec.scaling.concurrency or 1},
        "env": dict(sorted(spec.container.env.items())),
        "secret_env": sorted(spec.container.secrets.items()),
        "secret_names": sorted(set(spec.container.secrets.values())),
        "vpc": _vpc(spec, settings),
        "kms_key": settings.get("kms_key"),
        "logs": _logs(spec),
        "alerts": alerts(spec),
        "alert_window": f"{gcp_common.ALERT_WINDOW_S}s",
        "notify": gcp_common.alert_notify(spec, NAME),
        "apis": _apis(spec),
        "tracing": spec.observability.tracing,
        "skip": _skips(spec),
        "model": gcp_common.model_read_grant(spec),
        "metrics": "metrics" in spec.permissions.capabilities,
        "grants": gcp_common.named_resource_grants(spec),
    }


def _skips(spec: Spec) -> dict[str, hcl.Expr]:
    """Reasons for the inline Checkov skips this spec needs (tfgen's own words, one line each)."""
    reasons = {
        "bucket_logging": (
            "the bucket holds only the deployment zips Terraform uploads and Cloud Build reads once per deploy; "
            "access logs would need a second bucket for nothing the audit logs of the deploy do not show"
        )
    }
    if not spec.target(NAME).get("kms_key"):
        reasons["repository_cmek"] = (
            f"targets.{NAME}.kms_key is not set in the spec: the function, its buckets and "
            "this repository use Google-managed encryption alike"
        )
    if spec.network.public:
        reasons["public_ingress"] = (
            "network.public is true in the spec: the function is meant to answer anyone "
            "(ingress ALLOW_ALL, invoker allUsers)"
        )
    return {key: hcl.Expr(text) for key, text in reasons.items()}


def _vpc(spec: Spec, settings) -> dict[str, Any]:
    if spec.network.vpc == "existing":
        return {"mode": "existing", "connector": settings["vpc_connector"]}
    network = ipaddress.ip_network(spec.network.cidr, strict=False)
    subnet = next(network.subnets(new_prefix=CONNECTOR_PREFIX)) if network.prefixlen < CONNECTOR_PREFIX else network
    return {
        "mode": "create",
        "network_name": f"{spec.name}-fn-net",
        "subnet_name": f"{spec.name}-fn-connector",
        "connector_name": f"{spec.name}-fn",
        "firewall_name": f"{spec.name}-fn-deny-ingress",
        "cidr": str(subnet),
    }


def _apis(spec: Spec) -> list[str]:
    apis = {
        "cloudfunctions.googleapis.com",
        "run.googleapis.com",
        "cloudbuild.googleapis.com",
        "artifactregistry.googleapis.com",
        "storage.googleapis.com",
        "iam.googleapis.com",
        "logging.googleapis.com",
        "vpcaccess.googleapis.com",
    }
    if spec.network.vpc == "create":
        apis.add("compute.googleapis.com")
    if spec.container.secrets:
        apis.add("secretmanager.googleapis.com")
    if alerts(spec):
        apis.add("monitoring.googleapis.com")
    if spec.observability.tracing:
        apis.add("cloudtrace.googleapis.com")
    return sorted(apis)


def _logs(spec: Spec) -> dict[str, Any]:
    # A 2nd-gen function's requests, metrics and logs are those of the Cloud Run service it runs as.
    return gcp_common.log_bucket(
        spec,
        f"{spec.name}-fn-logs",
        f"{spec.name}-fn-logs",
        f"Cloud Function {function_name(spec)}",
        function_name(spec),
    )


def alerts(spec: Spec) -> list[dict[str, Any]]:
    """One alert policy per threshold the spec sets, in a fixed order."""
    return gcp_common.cloud_run_alerts(spec, function_name(spec), f"Cloud Function {function_name(spec)}", "instance")


def readme(_spec: Spec, c: dict[str, Any]) -> ReadmeFacts:
    """What the module creates and what its user must know, from its template context `c`."""
    scaling, vpc, logs, kms_key, invokers = c["scaling"], c["vpc"], c["logs"], c["kms_key"], c["invokers"]
    creates = [
        f"Cloud Function (2nd gen) `{c['function_name']}` in `{c['region']}` (project `{c['project']}`): runtime `{c['runtime']}`, "
        f"entry point `{c['entry_point']}`, HTTP trigger, {c['cpu']} vCPU, {c['memory']} MiB, {scaling['min']}-{scaling['max']} "
        f"instances, at most {scaling['concurrency']} concurrent requests each, {c['timeout']} s timeout",
        f"source bucket `{c['source_bucket']}` (private: uniform access, public access prevention enforced, versioned) holding "
        f"`{c['package']}` under its SHA-256, so changed code is a new object and a new deployment",
        f"Artifact Registry repository `{c['repository_id']}` for the function's built image, and build service account "
        f"`{c['build_account_id']}` (writes that repository and build logs, reads the source bucket)",
        f"runtime service account `{c['account_id']}`"
        + (
            f", allowed to read only the Secret Manager secrets `{'`, `'.join(c['secret_names'])}`"
            if c["secret_names"]
            else ", with no roles beyond those listed here"
        ),
        f"`roles/run.invoker` on the function's service for `{'`, `'.join(invokers)}`"
        if invokers
        else "no invoker binding (see notes)",
        *(
            [
                f"`roles/storage.objectViewer` on bucket `{c['model']['bucket']}` for the service account, limited by an IAM "
                f"condition to the model ({c['model']['description'].lower()})"
            ]
            if c["model"]
            else []
        ),
        *(
            ["`roles/monitoring.metricWriter` on the project (`permissions.capabilities`: metrics)"]
            if c["metrics"]
            else []
        ),
        *(["`roles/cloudtrace.agent` on the project (`observability.tracing`)"] if c["tracing"] else []),
        *[
            f"`{g['role']}` on {kind} `{g['name']}` for the service account (`permissions.gcp`)"
            for kind, grants in c["grants"].items()
            for g in grants.values()
        ],
        "the APIs it calls enabled in the project (left enabled on destroy): "
        + ", ".join(f"`{api}`" for api in c["apis"]),
        f"VPC network `{vpc['network_name']}`, connector subnet `{vpc['subnet_name']}` (`{vpc['cidr']}`, Private Google Access, "
        f"flow logs), a logged deny-all ingress firewall rule and Serverless VPC Access connector `{vpc['connector_name']}`; "
        "the function reaches private ranges through it"
        if vpc["mode"] == "create"
        else f"egress to private ranges through the existing Serverless VPC Access connector `{vpc['connector']}`",
        f"log bucket `{logs['bucket_id']}` keeping the function's logs {logs['retention_days']} days, a sink and a `_Default` exclusion",
    ]
    if kms_key:
        creates.append(
            f"CMEK with `{kms_key}` on the function, its image repository, the source bucket and the log bucket, "
            "and the key grants for the Cloud Functions, Cloud Run, Artifact Registry, Cloud Storage and Cloud "
            "Logging service agents"
        )
    if c["alerts"]:
        creates.append(f"alert policies `{'`, `'.join(a['key'] for a in c['alerts'])}`")
    notes = [
        f"tfgen zips `{c['source']}` (relative to the spec file) deterministically into `{c['package']}` whenever it renders, "
        "plans or checks; the object name is the zip's SHA-256 (`filesha256`), so only changed code redeploys.",
        f"Secure defaults: ingress `{c['ingress']}`; egress to private ranges only through the VPC connector; a dedicated "
        "service account; secrets as Secret Manager references (version `latest`), never values; `allUsers` invoker only "
        "when `network.public`.",
        "Direct VPC egress is not offered: `google_cloudfunctions2_function` (google provider 7.9) takes only `vpc_connector`, "
        "so a created network gets a connector (2-3 `e2-micro` instances, billed while they run).",
        f"The function and its network, log bucket and accounts carry `-fn` (`{c['function_name']}`): a 2nd-gen function "
        "runs as a Cloud Run service named like it, so a Cloud Run module of the same spec in the same project keeps "
        "its own names. Invocation needs `roles/run.invoker` on that "
        "service (granted with `google_cloud_run_v2_service_iam_member`), and its metrics and logs are Cloud Run's.",
        "The function has no health-check or startup-probe setting: `container.health_check` and `container.startup_seconds` "
        "do not apply to it.",
        "Checkov: CKV_GCP_62 (bucket access logging) is skipped on the source bucket"
        + (
            ""
            if c["kms_key"]
            else ", and CKV_GCP_84 (repository CMEK) on the image repository while no `kms_key` is set"
        )
        + (
            ", and CKV_GCP_124 (permissive ingress) on the function because `network.public` asks for it"
            if c["public"]
            else ""
        )
        + ", each with its reason inline.",
    ]
    if not invokers:
        notes.append("No invokers are listed: only principals holding `roles/run.invoker` on the project can call it.")
    if not kms_key:
        notes.append(f"No `kms_key`: Google-managed encryption. Set `targets.{NAME}.kms_key` for CMEK.")
    return ReadmeFacts("Google Cloud Functions (2nd gen)", tuple(map(markdown, creates)), tuple(map(markdown, notes)))


SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["project", "region", "source", "runtime"],
    "properties": {
        "project": gcp_common.project_schema(),
        "region": {"$ref": "#/$defs/region"},
        "source": {
            "description": "Folder of the function's code, relative to the spec file. tfgen zips it deterministically "
            f"into the module as {BUILT_PACKAGE} whenever it renders, plans or checks.",
            "type": "string",
            "pattern": "^[A-Za-z0-9._-][A-Za-z0-9._/-]*$",
            "maxLength": 255,
        },
        "runtime": {"enum": list(RUNTIMES)},
        "entry_point": {
            "description": "Function the Functions Framework calls for each HTTP request.",
            "type": "string",
            "pattern": "^[A-Za-z_][A-Za-z0-9_]{0,127}$",
            "default": "predict",
        },
        "timeout": {"description": "Seconds a request may run.", "type": "integer", "minimum": 1, "default": 60},
        "invokers": gcp_common.invokers_schema("function"),
        "notification_channels": gcp_common.notification_channels_schema(
            "Existing Cloud Monitoring notification channels every alert policy notifies."
        ),
        "vpc_connector": gcp_common.vpc_connector_schema(),
        "kms_key": gcp_common.kms_key_schema(),
    },
}

# Variant specs are written beside a copy of examples/'s folders (tests.support.write_variant_spec).
_BASE = {"project": "ml-serving-demo", "region": "europe-west1", "source": "digits-function", "runtime": "python312"}
_SMALL = {"cpu": 1, "memory": 1024}
VARIANTS = {
    "minimal": {"name": "gcf-minimal", "resources": _SMALL, "targets": {NAME: dict(_BASE)}},
    "public": {
        "name": "gcf-public",
        "resources": _SMALL,
        "network": {"public": True, "allowed_cidrs": ["0.0.0.0/0"]},
        "targets": {NAME: dict(_BASE)},
    },
    "existing-network": {
        "name": "gcf-existing",
        "resources": _SMALL,
        "network": {"vpc": "existing"},
        "targets": {NAME: {**_BASE, "vpc_connector": "projects/ml-net/locations/europe-west1/connectors/shared"}},
    },
    "all-features": {
        "name": "gcf-full",
        "description": "every optional feature of gcp-cloud-functions",
        "labels": {"team": "ml"},
        "container": {"env": {"MODE": "strict"}, "secrets": {"API_KEY": "fn-api-key"}},
        "resources": {"cpu": 2, "memory": 4096},
        "scaling": {"min": 1, "max": 20, "concurrency": 8},
        "network": {"cidr": "10.60.0.0/24"},
        "observability": {
            "log_retention_days": 90,
            "tracing": True,
            "alarms": {"cpu_percent": 80, "memory_percent": 80, "error_rate_percent": 2.5, "latency_p99_ms": 900},
            "notify_emails": ["oncall@example.com"],
        },
        "targets": {
            NAME: {
                **_BASE,
                "entry_point": "handle",
                "timeout": 120,
                "runtime": "python313",
                "invokers": ["group:ml-clients@example.com"],
                "notification_channels": ["projects/ml-serving-demo/notificationChannels/1234567890"],
                "kms_key": "projects/ml-keys/locations/europe-west1/keyRings/fn/cryptoKeys/api",
            }
        },
        "model": {"uri": "gs://example-models/gcf-full/v3/"},
        "permissions": gcp_common.all_features_permissions(),
        "state": {"backend": "gcs", "bucket": "example-tfstate", "prefix": "gcf-full"},
    },
}

_PROJECT_HINT = "6-30 characters [a-z0-9-], starting with a letter"
STARTER = Starter(
    questions=(
        StarterQuestion(
            "gcp-project", f"Google Cloud project ({_PROJECT_HINT})", f"Google Cloud project id ({_PROJECT_HINT})."
        ),
    ),
    settings=lambda answers: [
        f"    project: {yaml_scalar(answers['gcp-project'])}",
        f"    region: {yaml_scalar('europe-west1')}",
        f"    source: {yaml_scalar('function')}",
        f"    runtime: {yaml_scalar('python312')}",
        f"    entry_point: {yaml_scalar('predict')}",
    ],
    needs_image=False,
    files={
        "function/main.py": (
            "import functions_framework\n\n\n@functions_framework.http\ndef predict(request):\n"
            '    payload = request.get_json(silent=True) or {}\n    return {"prediction": None, "input": payload}\n'
        ),
        "function/requirements.txt": "functions-framework==3.*\n",
    },
)

TARGET = Target(
    name=NAME,
    title="Google Cloud Functions (2nd gen)",
    template_dir=NAME,
    output=TERRAFORM,
    providers=(Provider("google", "hashicorp/google", ">= 7.9.0, < 8.0.0"),),
    schema=SCHEMA,
    defaults={"invokers": [], "entry_point": "predict", "timeout": 60},
    check=check,
    context=context,
    readme=readme,
    needs_image=lambda _settings: False,  # the function runs its source folder, never container.image
    packages=packages,
    variants=VARIANTS,
    starter=STARTER,
    warnings=lambda spec: common.unnotified_alarms(spec, NAME, bool(alerts(spec)), "notification_channels"),
    permission_cloud="gcp",
)
