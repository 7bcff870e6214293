"""gcp-cloud-functions (issue 18): what the module does with a spec, and what the target refuses.

The conformance suite covers fmt, lint, Checkov and determinism over the declared variants;
these tests pin the behaviour a scanner cannot see: the source zip and its content-hash
object, the invoker and ingress, sizes and scaling, the runtime identity's grants, and the
located refusals of what a function cannot honour.
"""

from __future__ import annotations

import pytest
import yaml

from generator import pipeline
from generator.errors import SpecError
from generator.package import build_zip
from generator.targets import registry
from tests.hclread import resources
from tests.support import render_spec_file, write_spec_file

NAME = "gcp-cloud-functions"
SETTINGS = {"project": "ml-serving-demo", "region": "europe-west1", "source": "fn", "runtime": "python312"}


def _spec(tmp_path, settings=None, **sections):
    """A spec file beside a small source folder `fn/`; `sections` over a valid base."""
    source = tmp_path / "fn"
    if not source.exists():
        source.mkdir()
        (source / "main.py").write_text(
            "import functions_framework\n\n@functions_framework.http\ndef predict(request):\n    return 'ok'\n"
        )
    data = {
        "name": "digits",
        "resources": {"cpu": 1, "memory": 1024},
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
    """`LINE:COLUMN` of the first `key` in the spec file (where tfgen locates a field: its key)."""
    for number, line in enumerate(path.read_text().splitlines(), 1):
        if key in line:
            return f"{number}:{line.index(key) + 1}"
    raise AssertionError(f"{key!r} not in {path}")


def test_the_source_folder_is_zipped_into_the_module_and_uploaded_under_its_hash(tmp_path):
    path = _spec(tmp_path)
    module = _module(tmp_path, path)
    assert (module / "function-source.zip").read_bytes() == build_zip(tmp_path / "fn")
    obj = resources(module, "google_storage_bucket_object")["source"]
    assert obj["name"] == "${filesha256(local.source_zip)}.zip"  # a changed zip is a new object, so a new build
    assert obj["source"] == "${local.source_zip}"
    function = resources(module, "google_cloudfunctions2_function")["this"]
    build = function["build_config"][0]
    assert build["source"][0]["storage_source"][0] == {
        "bucket": "${google_storage_bucket.source.name}",
        "object": "${google_storage_bucket_object.source.name}",
    }
    assert (build["runtime"], build["entry_point"]) == ("python312", "predict")  # the seed's entry point by default
    bucket = resources(module, "google_storage_bucket")["source"]
    assert bucket["uniform_bucket_level_access"] is True
    assert bucket["public_access_prevention"] == "enforced"
    assert bucket["versioning"][0]["enabled"] is True
    assert "encryption" not in bucket

    before = (module / "function-source.zip").read_bytes()
    (tmp_path / "fn" / "main.py").write_text("def predict(request):\n    return 'v2'\n")
    assert _module(tmp_path, path).joinpath("function-source.zip").read_bytes() != before


def test_a_private_function_is_internal_and_invoked_only_by_the_listed_members(tmp_path):
    module = _module(tmp_path, _spec(tmp_path, {"invokers": ["group:ml@example.com"]}))
    service = resources(module, "google_cloudfunctions2_function")["this"]["service_config"][0]
    assert service["ingress_settings"] == "ALLOW_INTERNAL_ONLY"
    invoker = resources(module, "google_cloud_run_v2_service_iam_member")["invoker"]
    assert (invoker["role"], invoker["for_each"]) == ("roles/run.invoker", "${toset(['group:ml@example.com'])}")
    assert invoker["name"] == "${google_cloudfunctions2_function.this.name}"
    assert resources(module, "google_cloudfunctions2_function")["this"]["name"] == "digits-fn"


def test_a_private_function_without_invokers_grants_nobody(tmp_path):
    module = _module(tmp_path, _spec(tmp_path))
    assert resources(module, "google_cloud_run_v2_service_iam_member") == {}


def test_all_users_may_invoke_only_a_public_function(tmp_path):
    module = _module(tmp_path, _spec(tmp_path, network={"public": True}))
    service = resources(module, "google_cloudfunctions2_function")["this"]["service_config"][0]
    assert service["ingress_settings"] == "ALLOW_ALL"
    assert (
        resources(module, "google_cloud_run_v2_service_iam_member")["invoker"]["for_each"] == "${toset(['allUsers'])}"
    )


def test_sizes_scaling_secrets_model_and_connector_reach_the_function(tmp_path):
    path = _spec(
        tmp_path,
        {"vpc_connector": "projects/net/locations/europe-west1/connectors/shared", "timeout": 300},
        resources={"cpu": 2, "memory": 4096},
        scaling={"min": 1, "max": 40, "concurrency": 16},
        network={"vpc": "existing"},
        container={"secrets": {"API_KEY": "api-key"}},
        model={"uri": "gs://models/digits/model.pkl"},
        observability={"tracing": False},
    )
    module = _module(tmp_path, path)
    service = resources(module, "google_cloudfunctions2_function")["this"]["service_config"][0]
    assert (service["available_cpu"], service["available_memory"]) == ("2", "4096Mi")
    assert (
        service["min_instance_count"],
        service["max_instance_count"],
        service["max_instance_request_concurrency"],
    ) == (1, 40, 16)
    assert service["timeout_seconds"] == 300
    assert service["vpc_connector"] == "projects/net/locations/europe-west1/connectors/shared"
    assert service["vpc_connector_egress_settings"] == "PRIVATE_RANGES_ONLY"
    assert service["environment_variables"] == {"MODEL_URI": "gs://models/digits/model.pkl"}
    assert service["secret_environment_variables"] == [
        {"key": "API_KEY", "project_id": "ml-serving-demo", "secret": "api-key", "version": "latest"}
    ]
    assert service["service_account_email"] == "${google_service_account.this.email}"
    secret = resources(module, "google_secret_manager_secret_iam_member")["this"]
    assert (secret["for_each"], secret["role"]) == ("${toset(['api-key'])}", "roles/secretmanager.secretAccessor")
    model = resources(module, "google_storage_bucket_iam_member")["model"]
    assert (model["bucket"], model["member"]) == ("models", "${google_service_account.this.member}")
    assert (
        model["condition"][0]["expression"]
        == 'resource.name == \\"projects/_/buckets/models/objects/digits/model.pkl\\"'
    )
    assert resources(module, "google_vpc_access_connector") == {}  # the existing connector, none created
    assert resources(module, "google_project_iam_member").keys() == {
        "build_logs"
    }  # nothing project-wide for the runtime


def test_a_created_network_gets_a_connector_on_a_28_of_the_range(tmp_path):
    module = _module(tmp_path, _spec(tmp_path, network={"cidr": "10.60.0.0/24"}))
    assert resources(module, "google_compute_subnetwork")["connector"]["ip_cidr_range"] == "10.60.0.0/28"
    connector = resources(module, "google_vpc_access_connector")["this"]
    assert connector["subnet"][0]["name"] == "${google_compute_subnetwork.connector.name}"
    service = resources(module, "google_cloudfunctions2_function")["this"]["service_config"][0]
    assert service["vpc_connector"] == "${google_vpc_access_connector.this.id}"


def test_cmek_covers_the_function_its_repository_and_buckets(tmp_path):
    key = "projects/keys/locations/europe-west1/keyRings/fn/cryptoKeys/api"
    module = _module(tmp_path, _spec(tmp_path, {"kms_key": key}))
    assert resources(module, "google_cloudfunctions2_function")["this"]["kms_key_name"] == key
    assert resources(module, "google_artifact_registry_repository")["this"]["kms_key_name"] == key
    assert resources(module, "google_storage_bucket")["source"]["encryption"][0]["default_kms_key_name"] == key
    assert resources(module, "google_kms_crypto_key_iam_member")["service_agents"]["crypto_key_id"] == key


@pytest.mark.parametrize(
    "sections, settings, field, key, words",
    [
        (
            {"resources": {"cpu": 1, "memory": 16384, "gpu": {"type": "nvidia-l4", "count": 1}}},
            {},
            "resources.gpu",
            "gpu",
            "2nd-gen functions run on CPU only",
        ),
        ({"resources": {"cpu": 3, "memory": 4096}}, {}, "resources.cpu", "cpu", "got 3"),
        ({"resources": {"cpu": 1, "memory": 65536}}, {}, "resources.memory", "memory", "128-32768 MiB"),
        ({"resources": {"cpu": 1, "memory": 8192}}, {}, "resources.cpu", "cpu", "at least 2 vCPU"),
        (
            {"resources": {"cpu": 0.5, "memory": 512}, "scaling": {"concurrency": 4}},
            {},
            "scaling.concurrency",
            "concurrency",
            "one request at a time",
        ),
        ({"scaling": {"cpu_target": 60}}, {}, "scaling.cpu_target", "cpu_target", "no CPU-target setting"),
        ({}, {"timeout": 4000}, f"targets.{NAME}.timeout", "timeout", "at most 3600"),
        ({}, {"source": "missing"}, f"targets.{NAME}.source", "source", "does not exist"),
        ({"network": {"vpc": "existing"}}, {}, f"targets.{NAME}", NAME, "give `vpc_connector`"),
        (
            {"network": {"public": True}},
            {"invokers": ["user:a@example.com"]},
            f"targets.{NAME}.invokers",
            "invokers",
            "allUsers",
        ),
    ],
)
def test_what_a_function_cannot_honour_is_refused_where_it_is_set(tmp_path, sections, settings, field, key, words):
    path = _spec(tmp_path, settings, **sections)
    errors = _errors(path)
    located = [e for e in errors if e.startswith(f"{path}:{_at(path, key + ':')}: {field}: ")]
    assert located and words in located[0], errors


def test_the_example_spec_renders_the_committed_module():
    from tests.support import REPO

    spec = pipeline.load_spec(REPO / "examples" / "digits-function.yaml")
    files, _ = pipeline.render_spec(spec, [NAME])
    for rel, content in files.items():
        committed = REPO / "modules" / rel
        assert committed.read_bytes() == (content if isinstance(content, bytes) else content.encode()), rel
