"""gcp-cloud-run: the spec -> Cloud Run v2 mapping.

Every variant (the bundled example plus inline specs: public/private,
created/existing network, with/without secrets, CMEK and alarms) is rendered
once per module and parsed back to check what the spec asked for. The gates
every target gets (fmt, lint, Checkov, determinism, escaping) run over the
target's declared variants in tests/test_conformance.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from generator import pipeline
from generator.errors import SpecError
from generator.targets import gcp_cloud_run
from tests.hclread import resources, string_value
from tests.support import EXAMPLES, render_spec_file, write_spec_file

KEY = "projects/ml-keys/locations/europe-west1/keyRings/run/cryptoKeys/iris"
CONNECTOR = "projects/ml-net/locations/europe-west1/connectors/shared"
NASTY_ENV = {
    "QUOTES": 'say "hi" \\ back\\slash',
    "TEMPLATE": "${var.secret} and %{ if true }x%{ endif }",
    "LINES": "one\ntwo\r\n\tthree",
    "UNICODE": "naïve – ✓",
}

# A public service in an existing network with CMEK, no secrets, no alarms, tracing off.
# `env: {}` is replaced by NASTY_ENV as JSON (JSON is YAML: the values go in exactly).
PUBLIC = f"""
name: public-api
description: "a \\"quoted\\" description with ${{braces}} and %{{ directives }}\\nover two lines"
container:
  image: europe-west1-docker.pkg.dev/ml/models/api:2.0.0
  port: 9000
  env: {{}}
  health_check: {{path: /ready, interval: 20, timeout: 4}}
resources: {{cpu: 2, memory: 4096}}
scaling: {{min: 0, max: 20}}
network: {{public: true, vpc: existing}}
observability: {{log_retention_days: 400, tracing: false}}
targets:
  gcp-cloud-run:
    project: ml-serving-demo
    region: europe-west1
    vpc_connector: {CONNECTOR}
    kms_key: {KEY}
"""

# A private service in a created network, no invokers, two variables sharing one secret, one alarm.
PRIVATE = f"""
name: private-scorer
container:
  image: ghcr.io/example/scorer@sha256:{"a" * 64}
  secrets: {{API_KEY: scorer-api-key, API_KEY_COPY: scorer-api-key, DB_PASSWORD: scorer-db}}
network: {{public: false, vpc: create, cidr: 10.30.0.0/20}}
observability:
  log_retention_days: 7
  alarms: {{error_rate_percent: 2.5}}
targets:
  gcp-cloud-run: {{project: ml-serving-demo, region: us-central1, kms_key: {KEY.replace("europe-west1", "us-central1")}}}
"""


def _public_spec() -> str:
    return PUBLIC.replace("env: {}", "env: " + json.dumps(NASTY_ENV, ensure_ascii=False))


@pytest.fixture(scope="module")
def modules(tmp_path_factory) -> dict[str, Path]:
    specs = tmp_path_factory.mktemp("specs")
    out = tmp_path_factory.mktemp("modules")
    iris = EXAMPLES / "iris-classifier.yaml"
    return {
        "iris": render_spec_file(iris, gcp_cloud_run.TARGET, out),
        "iris-prod": render_spec_file(iris, gcp_cloud_run.TARGET, out, "prod"),
        "public": render_spec_file(write_spec_file(specs, "public", _public_spec()), gcp_cloud_run.TARGET, out),
        "private": render_spec_file(write_spec_file(specs, "private", PRIVATE), gcp_cloud_run.TARGET, out),
    }


def _service(module: Path) -> dict:
    return resources(module, "google_cloud_run_v2_service")["this"]


# --- Checkov skips (Checkov itself runs once, over every target's variants: tests/test_conformance.py) --------


def test_no_module_skips_a_checkov_check(modules):
    for module in modules.values():
        tf = "".join(p.read_text() for p in module.glob("*.tf"))
        assert "checkov:skip" not in tf
        assert "None: every Checkov check that applies passes." in (module / "README.md").read_text()


# --- the mapping -------------------------------------------------------------------------------


def test_iris_service_maps_the_spec(modules):
    service = _service(modules["iris"])
    assert service["ingress"] == "INGRESS_TRAFFIC_INTERNAL_ONLY"
    assert service["deletion_protection"] == "${var.deletion_protection}"
    assert service["labels"] == {
        "cost-center": "research-42",
        "managed-by": "tfgen",
        "service": "iris-classifier",
        "team": "ml-platform",
    }
    template = service["template"][0]
    assert template["max_instance_request_concurrency"] == 80
    assert template["scaling"] == [{"min_instance_count": 1, "max_instance_count": 4}]
    assert template["vpc_access"][0]["egress"] == "PRIVATE_RANGES_ONLY"
    assert template["vpc_access"][0]["network_interfaces"][0]["subnetwork"] == "${google_compute_subnetwork.this.id}"
    assert "encryption_key" not in template
    container = template["containers"][0]
    assert container["image"] == "${var.image}"  # issue 12 #5: the spec's image is the input's default
    assert 'default     = "ghcr.io/example/iris-classifier:1.4.2"' in (modules["iris"] / "variables.tf").read_text()
    assert container["command"] == ["uvicorn", "app:api"]
    assert container["args"] == ["--host", "0.0.0.0", "--port", "8080", "--workers", "2"]
    assert container["ports"] == [{"container_port": 8080}]
    resources = container["resources"][0]
    assert resources["limits"] == {"cpu": "1", "memory": "2048Mi"}
    assert (resources["cpu_idle"], resources["startup_cpu_boost"]) == (True, True)
    assert container["startup_probe"][0]["http_get"] == [{"path": "/healthz", "port": 8080}]
    assert (container["startup_probe"][0]["period_seconds"], container["startup_probe"][0]["failure_threshold"]) == (
        10,
        24,
    )
    liveness = container["liveness_probe"][0]
    assert (liveness["period_seconds"], liveness["timeout_seconds"], liveness["failure_threshold"]) == (30, 5, 3)


def test_secrets_are_references_with_least_privilege(modules):
    container = _service(modules["private"])["template"][0]["containers"][0]
    secret_env = {e["name"]: e["value_source"][0]["secret_key_ref"][0] for e in container["env"]}
    assert secret_env == {
        "API_KEY": {"secret": "scorer-api-key", "version": "latest"},
        "API_KEY_COPY": {"secret": "scorer-api-key", "version": "latest"},
        "DB_PASSWORD": {"secret": "scorer-db", "version": "latest"},
    }
    assert all("value" not in e for e in container["env"])
    grants = resources(modules["private"], "google_secret_manager_secret_iam_member")
    assert list(grants) == ["this"]
    assert 'for_each = toset(["scorer-api-key", "scorer-db"])' in (modules["private"] / "iam.tf").read_text()
    assert grants["this"]["role"] == "roles/secretmanager.secretAccessor"
    assert grants["this"]["member"] == "${google_service_account.this.member}"
    # No project-level role for the runtime identity but the trace writer (tracing on; issue 13 #8).
    assert set(resources(modules["private"], "google_project_iam_member")) == {"trace_agent"}
    # Without secrets: no grant, no dependency on one.
    assert not resources(modules["public"], "google_secret_manager_secret_iam_member")
    assert "google_secret_manager_secret_iam_member" not in (modules["public"] / "main.tf").read_text()


def test_invokers_all_users_only_when_public(modules):
    public = resources(modules["public"], "google_cloud_run_v2_service_iam_member")["invoker"]
    assert public["role"] == "roles/run.invoker"
    assert 'for_each = toset(["allUsers"])' in (modules["public"] / "iam.tf").read_text()
    assert _service(modules["public"])["ingress"] == "INGRESS_TRAFFIC_ALL"
    assert 'for_each = toset(["group:ml-clients@example.com"])' in (modules["iris"] / "iam.tf").read_text()
    assert not resources(modules["private"], "google_cloud_run_v2_service_iam_member")
    assert "No invokers are listed" in (modules["private"] / "README.md").read_text()


def test_existing_network_uses_the_connector_and_creates_none(modules):
    template = _service(modules["public"])["template"][0]
    assert template["vpc_access"] == [{"connector": CONNECTOR, "egress": "PRIVATE_RANGES_ONLY"}]
    assert not (modules["public"] / "network.tf").exists()
    assert "network_id" not in (modules["public"] / "outputs.tf").read_text()
    subnet = resources(modules["private"], "google_compute_subnetwork")["this"]
    assert (subnet["ip_cidr_range"], subnet["private_ip_google_access"], subnet["region"]) == (
        "10.30.0.0/20",
        True,
        "us-central1",
    )
    assert resources(modules["private"], "google_compute_network")["this"]["auto_create_subnetworks"] is False


def test_cmek_covers_the_revision_and_the_log_bucket(modules):
    assert "kms.tf" not in {p.name for p in modules["iris"].iterdir()}
    template = _service(modules["public"])["template"][0]
    assert template["encryption_key"] == KEY
    grants = resources(modules["public"], "google_kms_crypto_key_iam_member")
    assert set(grants) == {"run_service_agent", "logging"}
    assert grants["run_service_agent"]["member"] == (
        "serviceAccount:service-${data.google_project.this.number}@serverless-robot-prod.iam.gserviceaccount.com"
    )
    assert {g["role"] for g in grants.values()} == {"roles/cloudkms.cryptoKeyEncrypterDecrypter"}
    bucket = resources(modules["public"], "google_logging_project_bucket_config")["this"]
    assert bucket["cmek_settings"] == [{"kms_key_name": KEY}]
    assert bucket["location"] == "europe-west1"


def test_logs_kept_for_the_spec_retention(modules):
    for name, days in (("iris", 30), ("iris-prod", 90), ("public", 400), ("private", 7)):
        bucket = resources(modules[name], "google_logging_project_bucket_config")["this"]
        assert bucket["retention_days"] == days, name
    sink = resources(modules["iris"], "google_logging_project_sink")["this"]
    exclusion = resources(modules["iris"], "google_logging_project_exclusion")["this"]
    service_filter = 'resource.type = "cloud_run_revision" AND resource.labels.service_name = "iris-classifier"'
    assert string_value(sink["filter"]) == service_filter == string_value(exclusion["filter"])
    assert sink["destination"] == "logging.googleapis.com/${google_logging_project_bucket_config.this.id}"


def test_one_alert_policy_per_threshold(modules):
    iris = resources(modules["iris"], "google_monitoring_alert_policy")
    assert list(iris) == ["cpu", "memory", "error_rate", "latency_p99"]
    cpu = iris["cpu"]["conditions"][0]["condition_threshold"][0]
    assert cpu["threshold_value"] == 0.85 and "container/cpu/utilizations" in cpu["filter"]
    latency = iris["latency_p99"]["conditions"][0]["condition_threshold"][0]
    assert latency["threshold_value"] == 1500
    assert latency["aggregations"][0]["cross_series_reducer"] == "REDUCE_PERCENTILE_99"
    assert iris["cpu"]["notification_channels"] == "${local.notification_channels}"  # tests/test_alarm_notify.py
    assert iris["cpu"]["user_labels"]["team"] == "ml-platform"
    private = resources(modules["private"], "google_monitoring_alert_policy")
    assert list(private) == ["error_rate"]
    ratio = private["error_rate"]["conditions"][0]["condition_threshold"][0]
    assert ratio["threshold_value"] == 0.025
    assert (
        'response_code_class = \\"5xx\\"' in ratio["filter"]
        and "response_code_class" not in ratio["denominator_filter"]
    )
    # No thresholds: no policies and no notification_channels variable.
    assert not (modules["public"] / "monitoring.tf").exists()
    assert "notification_channels" not in (modules["public"] / "variables.tf").read_text()


def test_description_becomes_the_service_description(modules):
    # escaping in general is checked for every target in tests/test_conformance.py
    service = _service(modules["public"])
    assert (
        string_value(service["description"])
        == 'a "quoted" description with ${braces} and %{ directives }\nover two lines'
    )


def test_readme_states_what_cloud_run_cannot_honour(modules):
    iris = (modules["iris"] / "README.md").read_text()
    assert "`network.allowed_cidrs` is not applied" in iris
    public = (modules["public"] / "README.md").read_text()
    assert "`observability.tracing` is false, but Cloud Run always samples requests into Cloud Trace" in public
    assert "cpu_target" not in public
    assert "| `deletion_protection` | `bool` | `true` |" in public


# --- check() -----------------------------------------------------------------------------------


BASE = """
name: {name}
container:
  image: ghcr.io/example/m:1
  env: {env}
  secrets: {secrets}
scaling: {scaling}
network: {network}
targets:
  gcp-cloud-run: {target}
"""


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"env": "{PORT: '1'}"}, "Cloud Run sets `PORT` itself"),
        ({"env": "{TOKEN: x}", "secrets": "{TOKEN: tok}"}, "`TOKEN` is also in container.env"),
        (
            {
                "network": "{public: true}",
                "target": "{project: ml-serving-demo, region: europe-west1, invokers: ['user:a@b.c']}",
            },
            "a public service is invokable by allUsers",
        ),
        (
            {"target": f"{{project: ml-serving-demo, region: europe-west1, vpc_connector: {CONNECTOR}}}"},
            "only used when network.vpc is `existing`",
        ),
        ({"network": "{vpc: existing}"}, "network.vpc is `existing`: give `vpc_connector`"),
        ({"network": "{cidr: 10.0.0.0/27}"}, "Direct VPC egress needs a subnet of /26 or larger; got /27"),
        (
            {"target": f"{{project: ml-serving-demo, region: us-east1, kms_key: {KEY}}}"},
            "the key is in `europe-west1`; the service and its log bucket are in `us-east1`",
        ),
        # Refused, never silently dropped: Cloud Run scales on concurrency with a fixed CPU target.
        ({"scaling": "{cpu_target: 70, concurrency: 10}"}, "Cloud Run has no CPU-target setting"),
    ],
)
def test_check_refuses_what_cloud_run_cannot_do(tmp_path, changes, message):
    fields = {
        "name": "svc",
        "env": "{}",
        "secrets": "{}",
        "scaling": "{}",
        "network": "{}",
        "target": "{project: ml-serving-demo, region: europe-west1}",
        **changes,
    }
    path = write_spec_file(tmp_path, "spec", BASE.format(**fields))
    with pytest.raises(SpecError) as caught:
        pipeline.load_spec(path)
    assert message in str(caught.value)


# --- issue 13 #8 #13: tracing grant and the APIs a fresh project needs ----------------------------------


def test_tracing_grants_the_trace_agent_role_only_when_asked(modules):
    grant = resources(modules["iris"], "google_project_iam_member")["trace_agent"]
    assert (grant["role"], grant["member"], grant["project"]) == (
        "roles/cloudtrace.agent",
        "${google_service_account.this.member}",
        "ml-serving-demo",
    )
    assert "trace_agent" not in resources(modules["public"], "google_project_iam_member")  # tracing: false
    assert "`roles/cloudtrace.agent`" in (modules["iris"] / "README.md").read_text()


def test_the_apis_the_module_calls_are_enabled_and_stay_enabled_on_destroy(modules):
    iris = resources(modules["iris"], "google_project_service")["this"]
    assert iris["disable_on_destroy"] is False and iris["service"] == "${each.value}"
    assert iris["for_each"] == (
        "${toset(['cloudtrace.googleapis.com', 'compute.googleapis.com', 'iam.googleapis.com', "
        "'logging.googleapis.com', 'monitoring.googleapis.com', 'run.googleapis.com', "
        "'secretmanager.googleapis.com'])}"
    )
    # existing network (a connector), no secrets, no alerts, no tracing
    public = resources(modules["public"], "google_project_service")["this"]
    assert public["for_each"] == (
        "${toset(['iam.googleapis.com', 'logging.googleapis.com', 'run.googleapis.com', 'vpcaccess.googleapis.com'])}"
    )
    # what calls an API waits for it: the service account (and through it every grant), the service, logs, network, alerts
    for module in (modules["iris"], modules["private"]):
        assert resources(module, "google_service_account")["this"]["depends_on"] == ["${google_project_service.this}"]
        assert "${google_project_service.this}" in _service(module)["depends_on"]
        assert (
            "${google_project_service.this}"
            in resources(module, "google_logging_project_bucket_config")["this"]["depends_on"]
        )
        assert resources(module, "google_compute_network")["this"]["depends_on"] == ["${google_project_service.this}"]
        assert all(
            p["depends_on"] == ["${google_project_service.this}"]
            for p in resources(module, "google_monitoring_alert_policy").values()
        )
