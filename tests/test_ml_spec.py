"""Issue 12 sections 1, 2 and 4: the model artifact and its read grant, the application's
permissions, and per-target overrides, on every target they touch.

Rendered modules are read back with tfgen's HCL reader (tests/hclread.py); the
gates (fmt, lint, terraform validate, Checkov) run over each target's
all-features variant in tests/test_conformance.py, which uses all three.
"""

from __future__ import annotations

import pytest
import yaml

from generator import pipeline
from generator.errors import SpecError
from generator.targets import registry
from tests.hclread import blocks, local_values, policy_statements, resources
from tests.support import REPO, checkov_scan, render_spec_file, write_spec_file

VAULT = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-kv/providers/Microsoft.KeyVault/vaults/kv-models"
ACCOUNT = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-ml/providers/Microsoft.Storage/storageAccounts/mlmodels"
KMS = "arn:aws:kms:us-east-1:123456789012:key/0f0e0d0c-1234-5678-9abc-def012345678"
TARGET_SETTINGS = {
    "aws-ecs": {"region": "us-east-1"},
    "aws-lambda": {"region": "us-east-1", "package": {"type": "image"}},
    "gcp-cloud-run": {"project": "ml-serving-demo", "region": "europe-west1"},
    "azure-aci": {"location": "westeurope", "resource_group": {"name": "rg-ml"}, "key_vault_id": VAULT},
    "kubernetes": {},
}
ECR_IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/model:1.0"


def _spec(tmp_path, name="spec", **sections):
    """A spec file: `sections` over a small valid base (targets given as name -> extra settings)."""
    targets = sections.pop("targets")
    data = {
        "name": "ml-svc",
        "container": {"image": ECR_IMAGE},
        "observability": {"tracing": False},
        **sections,
        "targets": {t: {**TARGET_SETTINGS[t], **extra} for t, extra in targets.items()},
    }
    return write_spec_file(tmp_path, name, yaml.safe_dump(data, sort_keys=False))


def _errors(path) -> list[str]:
    with pytest.raises(SpecError) as caught:
        pipeline.load_spec(path)
    return [str(p) for p in caught.value.problems]


def _compact(expressions: list[str]) -> list[str]:
    return [e.replace(" ", "") for e in expressions]


def _module(tmp_path, path, target: str):
    return render_spec_file(path, registry.get(target), tmp_path / "out")


def _at(path, key: str) -> str:
    """`LINE:COLUMN` of the first `key` in the spec file (where tfgen locates a field: its key)."""
    for number, line in enumerate(path.read_text().splitlines(), 1):
        if key in line:
            return f"{number}:{line.index(key) + 1}"
    raise AssertionError(f"{key!r} not in {path}")


# -- 4: one spec, differently sized per target ------------------------------------------------


def test_the_example_sizes_ecs_at_half_a_vcpu_beside_cloud_run_at_one(tmp_path):
    spec = REPO / "examples" / "churn-model.yaml"
    ecs = _module(tmp_path, spec, "aws-ecs")
    task = resources(ecs, "aws_ecs_task_definition")["this"]
    assert (task["cpu"], task["memory"]) == ("512", "1024")
    run = _module(tmp_path, spec, "gcp-cloud-run")
    container = resources(run, "google_cloud_run_v2_service")["this"]["template"][0]["containers"][0]
    assert container["resources"][0]["limits"] == {"cpu": "1", "memory": "2048Mi"}
    # the CPU target is ECS's alone; Cloud Run (which refuses one) never sees it
    assert pipeline.load_spec(spec).for_target("gcp-cloud-run").scaling.cpu_target is None
    assert pipeline.load_spec(spec).for_target("aws-ecs").scaling.cpu_target == 70


def test_an_override_is_checked_by_its_target_and_the_error_points_at_it(tmp_path):
    path = _spec(
        tmp_path,
        resources={"cpu": 1, "memory": 2048},
        targets={"aws-ecs": {"resources": {"cpu": 0.5, "memory": 8192}}, "gcp-cloud-run": {}},
    )
    assert _errors(path) == [
        f"{path}:{_at(path, 'memory: 8192')}: targets.aws-ecs.resources.memory: Fargate with 0.5 vCPU needs memory "
        "1024-4096 in steps of 1024 MiB; got 8192"
    ]


def test_a_field_the_override_did_not_set_is_reported_where_it_was_set(tmp_path):
    path = _spec(tmp_path, resources={"cpu": 3, "memory": 2048}, targets={"aws-ecs": {"resources": {"memory": 4096}}})
    assert _errors(path) == [
        f"{path}:{_at(path, 'cpu: 3')}: resources.cpu: Fargate supports cpu 0.25, 0.5, 1, 2, 4, 8, 16; got 3"
    ]


def test_overrides_compose_with_environments_most_specific_last(tmp_path):
    path = _spec(
        tmp_path,
        resources={"cpu": 1, "memory": 2048},
        targets={"aws-ecs": {"resources": {"cpu": 0.5, "memory": 1024}}, "gcp-cloud-run": {}},
        environments={
            "prod": {"resources": {"cpu": 2, "memory": 4096}, "targets": {"aws-ecs": {"resources": {"memory": 2048}}}}
        },
    )
    base, prod = pipeline.load_spec(path), pipeline.load_spec(path, "prod")
    assert (base.for_target("aws-ecs").resources.cpu, base.for_target("aws-ecs").resources.memory) == (0.5, 1024)
    # prod: the environment's top-level resources reach Cloud Run; ECS keeps its override (cpu) and
    # takes the environment's own override of it (memory)
    assert (prod.for_target("gcp-cloud-run").resources.cpu, prod.for_target("gcp-cloud-run").resources.memory) == (
        2,
        4096,
    )
    assert (prod.for_target("aws-ecs").resources.cpu, prod.for_target("aws-ecs").resources.memory) == (0.5, 2048)
    assert base.target("aws-ecs") == {"region": "us-east-1"}  # the override is not a target setting


def test_kubernetes_takes_overrides_too(tmp_path):
    path = _spec(tmp_path, resources={"cpu": 1, "memory": 2048}, targets={"kubernetes": {"resources": {"cpu": 2}}})
    module = _module(tmp_path, path, "kubernetes")
    deployment = yaml.safe_load((module / "base" / "deployment.yaml").read_text())
    assert deployment["spec"]["template"]["spec"]["containers"][0]["resources"]["limits"]["cpu"] == "2"


# -- 1: the model artifact ---------------------------------------------------------------------


def test_ecs_reads_exactly_the_model_object_and_gets_its_uri(tmp_path):
    path = _spec(tmp_path, model={"uri": "s3://ml-models/iris/model.pkl"}, targets={"aws-ecs": {}})
    module = _module(tmp_path, path, "aws-ecs")
    statements = policy_statements(module, "task")
    assert statements["ReadModel"]["actions"] == ["s3:GetObject"]
    assert _compact(statements["ReadModel"]["resources"]) == [
        '${format("arn:%s:s3:::%s",local.partition,"ml-models/iris/model.pkl")}'
    ]
    assert set(statements) == {"ReadModel"}  # no list, no decrypt, nothing else
    assert local_values(module)["environment"] == {"MODEL_URI": "s3://ml-models/iris/model.pkl"}


def test_a_prefix_gets_list_only_under_it_and_a_kms_key_decrypt_only_through_s3(tmp_path):
    path = _spec(
        tmp_path, model={"uri": "s3://ml-models/bert/v3/", "kms_key": KMS, "env": "WEIGHTS"}, targets={"aws-lambda": {}}
    )
    module = _module(tmp_path, path, "aws-lambda")
    statements = policy_statements(module)
    assert _compact(statements["ReadModel"]["resources"]) == [
        '${format("arn:%s:s3:::%s",local.partition,"ml-models/bert/v3/*")}'
    ]
    listing = statements["ListModelPrefix"]
    assert listing["actions"] == ["s3:ListBucket"]
    assert listing["condition"] == [
        {"test": "StringLike", "variable": "s3:prefix", "values": ["bert/v3/", "bert/v3/*"]}
    ]
    assert statements["DecryptModel"]["resources"] == [KMS]
    assert statements["DecryptModel"]["condition"][0]["variable"] == "kms:ViaService"
    assert local_values(module)["environment"]["WEIGHTS"] == "s3://ml-models/bert/v3/"


def test_a_lambda_in_its_own_vpc_reaches_the_model_through_an_s3_gateway_endpoint(tmp_path):
    path = _spec(tmp_path, model={"uri": "s3://ml-models/bert/v3/"}, targets={"aws-lambda": {"vpc": True}})
    module = _module(tmp_path, path, "aws-lambda")
    endpoint = resources(module, "aws_vpc_endpoint")["s3"]
    assert endpoint["vpc_endpoint_type"] == "Gateway"
    assert set(policy_statements(module, "s3_endpoint")) == {"ReadModel", "ListModelPrefix"}
    assert (
        resources(module, "aws_vpc_security_group_egress_rule")["s3"]["prefix_list_id"]
        == "${aws_vpc_endpoint.s3.prefix_list_id}"
    )


def test_cloud_run_reads_the_model_under_an_iam_condition(tmp_path):
    path = _spec(tmp_path, model={"uri": "gs://ml-models/bert/v3/"}, targets={"gcp-cloud-run": {}})
    module = _module(tmp_path, path, "gcp-cloud-run")
    grant = resources(module, "google_storage_bucket_iam_member")["model"]
    assert (grant["bucket"], grant["role"]) == ("ml-models", "roles/storage.objectViewer")
    expression = grant["condition"][0]["expression"]
    assert 'resource.name.startsWith(\\"projects/_/buckets/ml-models/objects/bert/v3/\\")' in expression
    assert 'objectListPrefix\\", \\"\\").startsWith(\\"bert/v3/\\")' in expression
    assert "google_project_iam_member" not in str(resources(module, "google_project_iam_member"))  # no metrics asked


def test_aci_reads_the_model_blob_with_a_conditioned_role_and_sdks_find_the_identity(tmp_path):
    path = _spec(
        tmp_path,
        model={"uri": "https://mlmodels.blob.core.windows.net/models/iris/model.pkl"},
        targets={"azure-aci": {"model_storage_account_id": ACCOUNT}},
    )
    module = _module(tmp_path, path, "azure-aci")
    grant = resources(module, "azurerm_role_assignment")["model"]
    assert grant["scope"] == f"{ACCOUNT}/blobServices/default/containers/models"
    assert grant["role_definition_name"] == "Storage Blob Data Reader"
    assert "blobs:path] StringEquals 'iris/model.pkl'" in grant["condition"]
    assert grant["condition_version"] == "2.0"
    env = resources(module, "azurerm_container_group")["this"]["container"][0]["environment_variables"]
    assert env == {
        "AZURE_CLIENT_ID": "${azurerm_user_assigned_identity.this.client_id}",
        "MODEL_URI": "https://mlmodels.blob.core.windows.net/models/iris/model.pkl",
    }


def test_kubernetes_passes_the_model_uri_and_says_who_must_grant_it(tmp_path):
    path = _spec(tmp_path, model={"uri": "s3://ml-models/iris/model.pkl"}, targets={"kubernetes": {}})
    module = _module(tmp_path, path, "kubernetes")
    deployment = yaml.safe_load((module / "base" / "deployment.yaml").read_text())
    assert {"name": "MODEL_URI", "value": "s3://ml-models/iris/model.pkl"} in deployment["spec"]["template"]["spec"][
        "containers"
    ][0]["env"]
    assert "grant read access to exactly that object to the workload identity" in (module / "README.md").read_text()


@pytest.mark.parametrize(
    "target, uri, words",
    [
        ("gcp-cloud-run", "s3://ml-models/m.pkl", "Cloud Run's service account cannot be granted read access"),
        ("aws-ecs", "gs://ml-models/m.pkl", "ECS's IAM role cannot be granted read access"),
        (
            "aws-lambda",
            "https://mlmodels.blob.core.windows.net/models/m.pkl",
            "Lambda's IAM role cannot be granted read access",
        ),
        ("azure-aci", "s3://ml-models/m.pkl", "A Container Instances managed identity cannot be granted read access"),
    ],
)
def test_a_model_a_cloud_cannot_read_is_refused_at_the_uri(tmp_path, target, uri, words):
    path = _spec(tmp_path, model={"uri": uri}, targets={target: {}})
    errors = _errors(path)
    assert errors == [
        f"{path}:{_at(path, 'uri:')}: model.uri: {words} to `{uri}`; give this target a model it can "
        f"read ({errors[0].split('read (')[1]}"
    ]
    assert f"targets.{target}.model.uri" in errors[0]


def test_a_target_override_of_the_model_lifts_the_refusal(tmp_path):
    path = _spec(
        tmp_path,
        model={"uri": "s3://ml-models/m.pkl"},
        targets={"aws-ecs": {}, "gcp-cloud-run": {"model": {"uri": "gs://ml-models-eu/m.pkl"}}},
    )
    spec = pipeline.load_spec(path)
    assert spec.for_target("gcp-cloud-run").container.env["MODEL_URI"] == "gs://ml-models-eu/m.pkl"
    assert spec.for_target("aws-ecs").container.env["MODEL_URI"] == "s3://ml-models/m.pkl"


@pytest.mark.parametrize(
    "model, container, message",
    [
        (
            {"uri": "s3://bk1/m.pkl", "env": "MODEL"},
            {"env": {"MODEL": "x"}},
            "model.env: `MODEL` is also in container.env",
        ),
        ({"uri": "gs://bk1/m.pkl", "kms_key": KMS}, {}, "model.kms_key: only for an s3:// model"),
        ({"env": "WEIGHTS"}, {}, "model: missing required field `uri`"),
    ],
)
def test_model_rules(tmp_path, model, container, message):
    target = "gcp-cloud-run" if model.get("uri", "").startswith("gs") else "aws-ecs"
    path = _spec(tmp_path, model=model, container={"image": ECR_IMAGE, **container}, targets={target: {}})
    assert [e.split(": ", 1)[1] for e in _errors(path)][0].startswith(message)


@pytest.mark.parametrize(
    "uri", ["s3://bk1/models/*", "s3://bk1/m${aws:username}", "gs://bk1/", "s3://bk1//x", "s3://BK1/m", "s3://bk1/a b"]
)
def test_model_uris_that_would_widen_or_break_the_grant_are_refused_by_the_schema(tmp_path, uri):
    path = _spec(tmp_path, model={"uri": uri}, targets={"aws-ecs": {}})
    assert all("model.uri" in e for e in _errors(path))


def test_aci_needs_the_models_storage_account_and_it_must_match(tmp_path):
    uri = "https://mlmodels.blob.core.windows.net/models/m.pkl"
    missing = _errors(_spec(tmp_path, "a", model={"uri": uri}, targets={"azure-aci": {}}))
    assert missing[0].endswith(
        "targets.azure-aci: the model is in storage account `mlmodels`: give `model_storage_account_id` "
        "(its resource id), the scope of the read grant"
    )
    other = ACCOUNT.replace("mlmodels", "othermodels")
    wrong = _errors(
        _spec(tmp_path, "b", model={"uri": uri}, targets={"azure-aci": {"model_storage_account_id": other}})
    )
    assert wrong[0].endswith("names storage account `othermodels`, but model.uri is in `mlmodels`")


# -- 2: the application's permissions ----------------------------------------------------------


def test_metrics_on_aws_is_put_metric_data_limited_to_the_namespace(tmp_path):
    path = _spec(
        tmp_path, permissions={"capabilities": ["metrics"], "metrics_namespace": "ml/churn"}, targets={"aws-ecs": {}}
    )
    statement = policy_statements(_module(tmp_path, path, "aws-ecs"), "task")["PublishMetrics"]
    assert statement["actions"] == ["cloudwatch:PutMetricData"]
    assert statement["condition"] == [
        {"test": "StringEquals", "variable": "cloudwatch:namespace", "values": ["ml/churn"]}
    ]


def test_metrics_on_google_and_azure(tmp_path):
    path = _spec(tmp_path, permissions={"capabilities": ["metrics"]}, targets={"gcp-cloud-run": {}, "azure-aci": {}})
    run = resources(_module(tmp_path, path, "gcp-cloud-run"), "google_project_iam_member")["metrics"]
    assert (run["project"], run["role"]) == ("ml-serving-demo", "roles/monitoring.metricWriter")
    aci = resources(_module(tmp_path, path, "azure-aci"), "azurerm_role_assignment")["metrics"]
    assert (aci["scope"], aci["role_definition_name"]) == (
        "${azurerm_container_group.this.id}",
        "Monitoring Metrics Publisher",
    )


def test_aws_statements_are_rendered_as_written_in_both_aws_targets(tmp_path):
    statement = {
        "sid": "ReadFeatures",
        "actions": ["dynamodb:GetItem"],
        "resources": ["arn:aws:dynamodb:us-east-1:123456789012:table/features"],
        "conditions": [{"test": "StringEquals", "variable": "aws:RequestedRegion", "values": ["us-east-1"]}],
    }
    path = _spec(tmp_path, permissions={"aws": [statement]}, targets={"aws-ecs": {}, "aws-lambda": {}})
    for target, document in (("aws-ecs", "task"), ("aws-lambda", "this")):
        rendered = policy_statements(_module(tmp_path, path, target), document)["ReadFeatures"]
        assert rendered == {
            "sid": "ReadFeatures",
            "actions": statement["actions"],
            "resources": statement["resources"],
            "condition": [{"test": "StringEquals", "variable": "aws:RequestedRegion", "values": ["us-east-1"]}],
        }


def test_google_roles_go_on_the_named_resources_only(tmp_path):
    grants = [
        {"role": "roles/pubsub.publisher", "resource_type": "topic", "name": "predictions"},
        {"role": "roles/storage.objectCreator", "resource_type": "bucket", "name": "ml-out"},
    ]
    module = _module(
        tmp_path, _spec(tmp_path, permissions={"gcp": grants}, targets={"gcp-cloud-run": {}}), "gcp-cloud-run"
    )
    topic = resources(module, "google_pubsub_topic_iam_member")["granted"]
    assert topic["for_each"] == {
        "roles/pubsub.publisher on predictions": {"name": "predictions", "role": "roles/pubsub.publisher"}
    }
    bucket = resources(module, "google_storage_bucket_iam_member")["granted"]
    assert bucket["for_each"] == {
        "roles/storage.objectCreator on ml-out": {"name": "ml-out", "role": "roles/storage.objectCreator"}
    }
    assert resources(module, "google_project_iam_member") == {}


def test_azure_roles_go_on_the_named_scopes_only(tmp_path):
    grant = {"role": "Storage Queue Data Message Sender", "scope": ACCOUNT}
    module = _module(tmp_path, _spec(tmp_path, permissions={"azure": [grant]}, targets={"azure-aci": {}}), "azure-aci")
    granted = resources(module, "azurerm_role_assignment")["granted"]
    assert granted["for_each"] == {f"Storage Queue Data Message Sender on {ACCOUNT}": grant}


@pytest.mark.parametrize(
    "permissions, targets, message",
    [
        (
            {"aws": [{"sid": "A", "actions": ["s3:GetObject"], "resources": ["*"]}]},
            {"gcp-cloud-run": {}},
            "permissions.aws: no target of this spec uses it (only aws-ecs, aws-lambda",
        ),
        (
            {"gcp": [{"role": "roles/pubsub.publisher", "resource_type": "topic", "name": "t"}]},
            {"aws-ecs": {}},
            "permissions.gcp: no target of this spec uses it (only gcp-cloud-run",
        ),
        (
            {"capabilities": ["metrics"]},
            {"kubernetes": {}},
            "permissions: Kubernetes (Kustomize) renders no grants for the application's identity",
        ),
        (
            {"aws": [{"sid": "ReadModel", "actions": ["s3:GetObject"], "resources": ["*"]}]},
            {"aws-ecs": {}},
            "permissions.aws[0].sid: `ReadModel` is already a statement id of this policy",
        ),
    ],
)
def test_permissions_a_target_cannot_honour_are_refused_where_written(tmp_path, permissions, targets, message):
    path = _spec(tmp_path, permissions=permissions, targets=targets)
    assert any(e.split(": ", 1)[1].startswith(message) for e in _errors(path)), _errors(path)


@pytest.mark.checkov
def test_a_star_the_user_writes_stays_and_checkov_reports_it(tmp_path):
    """No `*` unless the user writes it, and then Checkov's finding stands (no skip is added)."""
    path = _spec(
        tmp_path,
        permissions={"aws": [{"sid": "Everything", "actions": ["s3:*"], "resources": ["*"]}]},
        targets={"aws-lambda": {}},
    )
    module = _module(tmp_path, path, "aws-lambda")
    assert policy_statements(module)["Everything"]["resources"] == ["*"]
    failed = checkov_scan([module]).failed
    # wildcard findings (e.g. CKV_AWS_356 "*" as a resource, CKV_AWS_111 write without constraints), all on that policy
    assert {"CKV_AWS_356", "CKV_AWS_111"} <= {f.check_id for f in failed}
    assert {f.resource for f in failed} == {"aws_iam_policy_document.this"}


def test_without_model_or_permissions_the_application_role_holds_nothing(tmp_path):
    path = _spec(tmp_path, targets={"aws-ecs": {}})
    module = _module(tmp_path, path, "aws-ecs")
    assert "task" not in blocks(module, "data", "aws_iam_policy_document")
    assert "task" not in resources(module, "aws_iam_role_policy")
