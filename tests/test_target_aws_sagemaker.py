"""aws-sagemaker: the spec -> SageMaker mapping (issue 15).

The XGBoost example and inline specs are rendered and parsed back to check what the
spec asked for: the model (image, artifact, isolation, VPC), the variant (instance type
from resources.gpu, count from scaling.min, serverless limits, volume key), the
blue/green deployment rolling back on the module's own alarms, the concurrency
conversion, the execution role's exact grants, and the located refusals. The gates
every target gets (fmt, init + validate, lint, Checkov, determinism, escaping) run over
the declared variants in tests/test_conformance.py; plan -> apply -> plan -> destroy on
the emulator is in tests/test_run_examples.py.
"""

from __future__ import annotations

import pytest

from generator import pipeline
from generator.errors import SpecError
from generator.targets import aws_sagemaker, registry
from tests.hclread import outputs, policy_statements, resources, string_value
from tests.support import EXAMPLES, render_spec_file, write_spec_file, write_variant_spec

TARGET = registry.get("aws-sagemaker")


def _variant(tmp_path, name: str):
    spec_path = write_variant_spec(tmp_path / "specs", name, TARGET.variants[name])
    return render_spec_file(spec_path, TARGET, tmp_path / "out")


def _one(module, kind: str) -> dict:
    found = resources(module, kind)
    assert list(found) == ["this"], found
    return found["this"]


def test_example_model_variant_and_endpoint(tmp_path):
    module = render_spec_file(EXAMPLES / "xgboost-sagemaker.yaml", TARGET, tmp_path)
    model = _one(module, "aws_sagemaker_model")
    assert model["enable_network_isolation"] is True  # on by default
    container = model["primary_container"][0]
    assert (
        string_value(container["model_data_url"])
        == "s3://example-ml-artifacts/xgboost-churn/2026-11-01/output/model.tar.gz"
    )
    assert string_value(container["image"]).endswith("/sagemaker-xgboost:1.7-1")
    assert model["vpc_config"][0]["subnets"] == "${aws_subnet.private[*].id}"

    config = _one(module, "aws_sagemaker_endpoint_configuration")
    variant = config["production_variants"][0]
    # resources cpu 2, memory 8192 -> the smallest fitting instance of the cheapest family
    assert string_value(variant["instance_type"]) == "ml.m5.large"
    assert variant["initial_instance_count"] == 1
    assert variant["container_startup_health_check_timeout_in_seconds"] == 120
    assert config["kms_key_arn"] == "${aws_kms_key.this.arn}"
    capture = config["data_capture_config"][0]
    assert capture["initial_sampling_percentage"] == 10
    assert capture["kms_key_id"] == "${aws_kms_key.this.arn}"

    endpoint = _one(module, "aws_sagemaker_endpoint")
    policy = endpoint["deployment_config"][0]["blue_green_update_policy"][0]
    routing = policy["traffic_routing_configuration"][0]
    assert string_value(routing["type"]) == "CANARY" and routing["canary_size"][0]["value"] == 25
    rollback = [
        string_value(a["alarm_name"])
        for a in endpoint["deployment_config"][0]["auto_rollback_configuration"][0]["alarms"]
    ]
    alarms = resources(module, "aws_cloudwatch_metric_alarm")
    assert sorted(rollback) == sorted(string_value(alarms[k]["alarm_name"]) for k in ("errors", "latency"))
    assert set(alarms) == {"errors", "latency", "cpu", "memory"}
    # ModelLatency is in microseconds; CPUUtilization is summed over the instance's 2 vCPUs
    assert alarms["latency"]["threshold"] == 250_000
    assert alarms["cpu"]["threshold"] == 85 * 2

    invoke = outputs(module)["invoke_url"]
    assert "runtime.sagemaker" in invoke and "/invocations" in invoke
    readme = (module / "README.md").read_text(encoding="utf-8")
    assert "aws sagemaker-runtime invoke-endpoint --endpoint-name xgboost-churn" in readme
    assert "Network isolation" in readme and "SageMaker endpoint" in readme  # the note and the Mermaid service node


def test_concurrency_becomes_invocations_per_instance_by_littles_law(tmp_path):
    module = render_spec_file(EXAMPLES / "xgboost-sagemaker.yaml", TARGET, tmp_path)
    policies = resources(module, "aws_appautoscaling_policy")
    assert set(policies) == {"concurrency"}  # concurrency given, no cpu_target: no default CPU policy
    tracking = policies["concurrency"]["target_tracking_scaling_policy_configuration"][0]
    metric = tracking["predefined_metric_specification"][0]["predefined_metric_type"]
    assert string_value(metric) == "SageMakerVariantInvocationsPerInstance"
    # scaling.concurrency 4 in flight at expected_latency_ms 50: 4 x 60000 / 50 invocations a minute
    assert tracking["target_value"] == 4 * 60000 // 50
    target = _one(module, "aws_appautoscaling_target")
    assert (target["min_capacity"], target["max_capacity"]) == (1, 4)
    assert string_value(target["scalable_dimension"]) == "sagemaker:variant:DesiredInstanceCount"


def test_gpu_variant_picks_a_t4_instance_without_a_volume_key(tmp_path):
    module = _variant(tmp_path, "gpu")
    config = _one(module, "aws_sagemaker_endpoint_configuration")
    assert string_value(config["production_variants"][0]["instance_type"]) == "ml.g4dn.xlarge"
    assert "kms_key_arn" not in config  # NVMe instance storage: CreateEndpointConfig refuses a KmsKeyId
    alarms = resources(module, "aws_cloudwatch_metric_alarm")
    assert alarms["gpu"]["threshold"] == 90  # default gpu_alarm_percent x 1 GPU


def test_serverless_variant_has_no_vpc_no_isolation_no_scaling(tmp_path):
    module = _variant(tmp_path, "serverless")
    model = _one(module, "aws_sagemaker_model")
    assert model["enable_network_isolation"] is False and "vpc_config" not in model
    variant = _one(module, "aws_sagemaker_endpoint_configuration")["production_variants"][0]
    assert variant["serverless_config"][0] == {"memory_size_in_mb": 2048, "max_concurrency": 20}
    assert "instance_type" not in variant
    assert resources(module, "aws_appautoscaling_target") == {}
    assert resources(module, "aws_vpc") == {} and resources(module, "aws_security_group") == {}


def test_execution_role_grants_exactly_what_hosting_needs(tmp_path):
    module = _variant(tmp_path, "all-features")
    statements = policy_statements(module)
    assert set(statements) == {
        "ReadModel",
        "DecryptModel",
        "PullImage",
        "EcrLogin",
        "WriteOwnLogs",
        "PublishSageMakerMetrics",
        "WriteCapturedData",
        "EncryptCapturedData",
        "DescribeNetwork",
        "CreateNetworkInterfaces",
        "ManageNetworkInterfacesInVpc",
    }
    [model_object] = statements["ReadModel"]["resources"]
    assert '"example-models/sm-full/v2/model.tar.gz"' in model_object and "*" not in model_object
    [repository] = statements["PullImage"]["resources"]
    assert "repository/%s" in repository and '"team/model"' in repository
    # "*" only where the service has no resource-level permissions, each then narrowed where a condition exists
    wildcard = {sid for sid, s in statements.items() if s["resources"] == ["*"]}
    assert wildcard == {"EcrLogin", "PublishSageMakerMetrics", "DescribeNetwork"}
    assert statements["PublishSageMakerMetrics"]["condition"][0]["values"] == ["/aws/sagemaker/*", "AWS/SageMaker"]
    # an image outside ECR: no ECR statements at all
    plain = _variant(tmp_path / "p", "minimal")
    assert {"PullImage", "EcrLogin"} <= set(policy_statements(plain))
    spec = dict(TARGET.variants["minimal"], container={"image": "ghcr.io/example/model:1"})
    path = write_variant_spec(tmp_path / "g", "ghcr", spec)
    assert not {"PullImage", "EcrLogin"} & set(
        policy_statements(render_spec_file(path, TARGET, tmp_path / "g" / "out"))
    )


def test_emulator_gaps_and_drift_are_declared():
    drift = {d.resource_type: d.arguments for d in TARGET.emulator_drift}
    assert drift["aws_sagemaker_model"] == ("enable_network_isolation", "vpc_config")
    assert drift["aws_sagemaker_endpoint_configuration"] == ("data_capture_config",)
    assert drift["aws_sagemaker_endpoint"] == ("deployment_config",)
    assert [g.variable for g in TARGET.emulator_gaps] == ["enable_endpoint_autoscaling"]


@pytest.mark.parametrize(
    "extra, message",
    [
        ("container: {image: IMG, port: 9000}", "container.port: SageMaker sends requests to port 8080"),
        (
            "container: {image: IMG, health_check: {path: /healthz}}",
            "container.health_check.path: SageMaker checks health with GET /ping",
        ),
        ("container: {image: IMG, command: [serve]}", "container.command: SageMaker starts the image's own entrypoint"),
        (
            "network: {allowed_cidrs: [10.1.0.0/16]}",
            "network.allowed_cidrs: the SageMaker runtime API is an AWS API authenticated by IAM",
        ),
        ("scaling: {min: 0}", "scaling.min: a real-time SageMaker variant cannot run zero instances"),
        ("TARGET instance_type: ml.m9.huge", "`ml.m9.huge` is not a SageMaker real-time instance type"),
        (
            "resources: {gpu: {type: nvidia-t4}}\nTARGET instance_type: ml.m5.large",
            "`ml.m5.large` has 0 GPU; resources.gpu asks for 1 nvidia-t4",
        ),
        (
            "resources: {gpu: {type: nvidia-t4}}\nTARGET mode: serverless",
            "resources.gpu: SageMaker serverless inference runs on CPU only",
        ),
        ("resources: {memory: 3000}\nTARGET mode: serverless", "serverless memory is one of 1024, 2048"),
        ("scaling: {max: 300}\nTARGET mode: serverless", "serverless max concurrency is at most 200"),
        (
            "TARGET mode: serverless\nTARGET data_capture: {sampling_percent: 5}",
            "serverless inference cannot capture data",
        ),
        ("model: {uri: s3://example-models/xgb/v1/}", "model_data_url is one model.tar.gz object"),
        (
            "TARGET deployment: {strategy: linear, step_percent: 5}",
            "SageMaker's linear steps are 10-50% of the variant's capacity",
        ),
        ("resources: {spot: true}", "resources.spot: SageMaker hosting cannot run on Spot capacity"),
        (
            "permissions: {aws: [{sid: X, actions: [s3:GetObject], resources: [arn:aws:s3:::b/k]}]}",
            "permissions: network isolation (on by default) gives the container no network",
        ),
    ],
)
def test_check_refuses_what_sagemaker_cannot_do(tmp_path, extra, message):
    lines = [line for line in extra.replace("IMG", aws_sagemaker._IMAGE).splitlines()]
    top = "\n".join(line for line in lines if not line.startswith("TARGET "))
    settings = "".join(f"\n    {line.removeprefix('TARGET ')}" for line in lines if line.startswith("TARGET "))
    text = (
        "name: sm\n"
        + ("" if top.startswith("container:") else f"container: {{image: {aws_sagemaker._IMAGE}}}\n")
        + ("" if "model:" in top else "model: {uri: s3://example-models/xgb/v1/model.tar.gz}\n")
        + top
        + f"\ntargets:\n  aws-sagemaker:\n    region: us-east-1{settings}\n"
    )
    path = write_spec_file(tmp_path, "spec", text)
    with pytest.raises(SpecError) as caught:
        pipeline.load_spec(path)
    assert message in str(caught.value), str(caught.value)
    assert str(caught.value).startswith(str(path) + ":")  # located at FILE:LINE:COL
