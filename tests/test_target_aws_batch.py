"""aws-batch: the job spec -> AWS Batch mapping (issue 17).

The nightly-scoring example, the declared variants and inline specs are rendered and
parsed back to check what the spec asked for: the compute environments (Fargate,
Fargate Spot, EC2 GPU Spot with the price-capacity-optimised strategy and an on-demand
fallback) and their max vCPUs, the queue's order, the job definition (resources, GPU,
environment with the input/output/model locations, read-only root, retries, timeout),
the job role's exact grants, the schedule and its role, the failed-job rule and alarms,
the README's submit-job command, and the located refusals. The gates every target gets
(fmt, init + validate, lint, Checkov, determinism, escaping) run over the declared
variants in tests/test_conformance.py; plan -> apply -> plan -> destroy on the emulator
is in tests/test_run_examples.py.
"""

from __future__ import annotations

import ast

import pytest

from generator import pipeline
from generator.cli import plan as plan_cli
from generator.errors import SpecError
from generator.targets import aws_batch, aws_common, registry
from tests.hclread import local_values, outputs, parse_module, plain, policy_statements, resources, string_value
from tests.support import EXAMPLES, render_spec_file, write_spec_file, write_variant_spec

TARGET = registry.get("aws-batch")


def _variant(tmp_path, name: str):
    spec_path = write_variant_spec(tmp_path / "specs", name, TARGET.variants[name])
    return render_spec_file(spec_path, TARGET, tmp_path / "out")


def _encoded(value: str):
    """The argument of a `jsonencode(...)` attribute, as the HCL reader gives it back (Python literals)."""
    assert value.startswith("${jsonencode(") and value.endswith(")}"), value
    return ast.literal_eval(value[len("${jsonencode(") : -2])


def _definition(module) -> tuple[dict, dict]:
    """The job definition and its container_properties."""
    definition = resources(module, "aws_batch_job_definition")["this"]
    return definition, _encoded(definition["container_properties"])


def _environments(module) -> dict[str, dict]:
    return {
        name: body["compute_resources"][0] for name, body in resources(module, "aws_batch_compute_environment").items()
    }


def _queue_order(module) -> list[str]:
    queue = resources(module, "aws_batch_job_queue")["this"]
    order = sorted(queue["compute_environment_order"], key=lambda o: o["order"])
    return [o["compute_environment"] for o in order]


def test_example_is_a_nightly_fargate_spot_array_job(tmp_path):
    module = render_spec_file(EXAMPLES / "nightly-scoring.yaml", TARGET, tmp_path)
    computes = _environments(module)
    assert {k: string_value(v["type"]) for k, v in computes.items()} == {"spot": "FARGATE_SPOT", "on_demand": "FARGATE"}
    # Spot first, on-demand as the fallback
    assert _queue_order(module) == [
        "${aws_batch_compute_environment.spot.arn}",
        "${aws_batch_compute_environment.on_demand.arn}",
    ]
    # a job stuck RUNNABLE is cancelled (and so reported as failed) instead of waiting silently
    limits = resources(module, "aws_batch_job_queue")["this"]["job_state_time_limit_action"]
    assert [(string_value(x["reason"]), x["max_time_seconds"], string_value(x["action"])) for x in limits] == [
        ("CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY", 14400, "CANCEL"),
        ("MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE", 600, "CANCEL"),
        ("MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT", 600, "CANCEL"),
    ]
    # default max_vcpus: 10 array children x 2 vCPU at once
    assert {v["max_vcpus"] for v in computes.values()} == {20}

    definition, properties = _definition(module)
    assert definition["platform_capabilities"] == ["FARGATE"]
    assert properties["image"] == "${var.image}"  # CI may set another tag of the repository (tfgen plan --image)
    declared = {
        name: plain(body)
        for parsed in parse_module(module).values()
        for block in parsed.get("variable", [])
        for name, body in block.items()
    }
    assert string_value(declared["image"]["default"]) == "ghcr.io/example/churn-scorer:2.3.0"
    digest = "ghcr.io/example/churn-scorer@sha256:" + "a" * 64
    assert plan_cli._image_variable(digest, module, {}) == {"image": digest}
    assert properties["command"] == ["python", "-m", "scorer", "--batch-size", "1024"]
    assert properties["resourceRequirements"] == [{"type": "VCPU", "value": "2"}, {"type": "MEMORY", "value": "4096"}]
    assert properties["readonlyRootFilesystem"] is True
    assert properties["mountPoints"] == [{"sourceVolume": "tmp", "containerPath": "/tmp", "readOnly": False}]
    assert properties["volumes"] == [{"name": "tmp"}]
    assert properties["jobRoleArn"] == "${aws_iam_role.job.arn}"
    assert properties["executionRoleArn"] == "${aws_iam_role.execution.arn}"
    assert properties["logConfiguration"]["options"]["awslogs-group"] == "${aws_cloudwatch_log_group.this.name}"
    assert properties["networkConfiguration"] == {"assignPublicIp": "DISABLED"}
    env = local_values(module)["environment"]
    assert env == {
        "INPUT_URI": "s3://example-scoring-data/churn/input/",
        "LOG_LEVEL": "info",
        "MODEL_URI": "s3://example-ml-artifacts/churn/2026-11-01/model.joblib",
        "OUTPUT_URI": "s3://example-scoring-data/churn/predictions/",
    }
    retry = definition["retry_strategy"][0]
    assert retry["attempts"] == 3
    assert [
        (string_value(r["action"]), r.get("on_status_reason"), r.get("on_reason")) for r in retry["evaluate_on_exit"]
    ] == [
        ("RETRY", "Your Spot Task was interrupted*", None),
        ("EXIT", None, "*"),
    ]
    assert definition["timeout"][0]["attempt_duration_seconds"] == 3600

    schedule = resources(module, "aws_scheduler_schedule")["this"]
    assert string_value(schedule["schedule_expression"]) == "cron(0 2 * * ? *)"
    target = schedule["target"][0]
    assert string_value(target["arn"]) == "arn:${local.partition}:scheduler:::aws-sdk:batch:submitJob"
    assert _encoded(target["input"]) == {
        "JobName": "nightly-scoring",
        "JobQueue": "${aws_batch_job_queue.this.arn}",
        "JobDefinition": "${aws_batch_job_definition.this.arn}",
        "ArrayProperties": {"Size": 10},
    }

    out = outputs(module)
    assert out["job_queue_arn"] == "${aws_batch_job_queue.this.arn}"
    assert out["job_definition_arn"] == "${aws_batch_job_definition.this.arn}"
    assert {"job_definition_name", "log_group_name", "schedule_arn", "alarm_topic_arn"} <= set(out)
    readme = (module / "README.md").read_text(encoding="utf-8")
    assert (
        "aws batch submit-job --job-name nightly-scoring --job-queue nightly-scoring "
        "--job-definition nightly-scoring --array-properties size=10"
    ) in readme
    assert "```mermaid" in readme and "Batch job queue" in readme
    assert "  schedule -->|submits| entry" in readme  # the schedule starts runs through the queue


def test_job_role_reads_exactly_the_input_and_model_and_writes_only_under_the_output(tmp_path):
    module = render_spec_file(EXAMPLES / "nightly-scoring.yaml", TARGET, tmp_path)
    statements = policy_statements(module, "job")
    assert set(statements) == {"ReadInput", "ListInputPrefix", "WriteOutput", "ReadModel"}
    grant = {sid: (s["actions"], s["resources"]) for sid, s in statements.items()}
    assert grant["ReadInput"] == (
        ["s3:GetObject"],
        ['${format("arn:%s:s3:::%s",local.partition,"example-scoring-data/churn/input/*")}'],
    )
    listing = statements["ListInputPrefix"]
    assert listing["actions"] == ["s3:ListBucket"]
    assert listing["condition"][0]["variable"] == "s3:prefix"
    assert listing["condition"][0]["values"] == ["churn/input/", "churn/input/*"]
    assert grant["WriteOutput"] == (
        ["s3:PutObject"],
        ['${format("arn:%s:s3:::%s",local.partition,"example-scoring-data/churn/predictions/*")}'],
    )
    assert grant["ReadModel"] == (
        ["s3:GetObject"],
        ['${format("arn:%s:s3:::%s",local.partition,"example-ml-artifacts/churn/2026-11-01/model.joblib")}'],
    )
    # The execution role pulls and logs; a public-registry image needs no ECR grant.
    assert set(policy_statements(module, "execution")) == {"WriteOwnLogs"}
    scheduler = policy_statements(module, "scheduler")
    assert scheduler["SubmitThisJob"]["actions"] == ["batch:SubmitJob"]
    assert scheduler["SubmitThisJob"]["resources"] == [
        "${aws_batch_job_queue.this.arn}",
        "${aws_batch_job_definition.this.arn_prefix}:*",
    ]


def test_an_input_object_gets_no_listing_and_a_model_key_its_decrypt(tmp_path):
    module = _variant(tmp_path, "all-features")
    statements = policy_statements(module, "job")
    assert {"ReadInput", "ListInputPrefix", "WriteOutput", "ReadModel", "ListModelPrefix", "DecryptModel"} <= set(
        statements
    )
    assert statements["DecryptModel"]["actions"] == ["kms:Decrypt"]
    fargate = _variant(tmp_path / "f", "fargate")
    statements = policy_statements(fargate, "job")
    assert "ListInputPrefix" not in statements  # job.input is one object
    assert statements["ReadInput"]["resources"] == [
        '${format("arn:%s:s3:::%s",local.partition,"example-data/scoring/2026/input.parquet")}'
    ]
    assert set(policy_statements(fargate, "execution")) == {"WriteOwnLogs", "PullImage", "EcrLogin"}


def test_gpu_spot_runs_on_the_shared_gpu_instance_mapping(tmp_path):
    module = _variant(tmp_path, "ec2-gpu-spot")
    spec = pipeline.load_spec(tmp_path / "specs" / "ec2-gpu-spot.yaml")
    instance = aws_common.gpu_instance_type(spec.resources.gpu, spec.resources.cpu, spec.resources.memory)
    assert instance == "g4dn.xlarge"
    computes = _environments(module)
    assert string_value(computes["spot"]["type"]) == "SPOT"
    assert string_value(computes["spot"]["allocation_strategy"]) == "SPOT_PRICE_CAPACITY_OPTIMIZED"
    assert string_value(computes["on_demand"]["type"]) == "EC2"
    for compute in computes.values():
        assert compute["instance_type"] == [instance]
        assert compute["min_vcpus"] == 0
        assert string_value(compute["ec2_configuration"][0]["image_type"]) == "ECS_AL2023_NVIDIA"
        # 8 array children, one GPU each, one per g4dn.xlarge (4 vCPU)
        assert compute["max_vcpus"] == 32
    definition, properties = _definition(module)
    assert definition["platform_capabilities"] == ["EC2"]
    assert {"type": "GPU", "value": "1"} in properties["resourceRequirements"]
    assert "networkConfiguration" not in properties  # Fargate only
    retry = definition["retry_strategy"][0]["evaluate_on_exit"]
    assert retry[0]["on_status_reason"] == "Host EC2*"
    template = resources(module, "aws_launch_template")["this"]
    assert string_value(template["metadata_options"][0]["http_tokens"]) == "required"
    assert template["metadata_options"][0]["http_put_response_hop_limit"] == 1
    # CUDA images and the jobs' writable paths live on the root volume: sized as on aws-ecs, encrypted
    root = template["block_device_mappings"][0]["ebs"][0]
    assert root["volume_size"] == aws_common.GPU_ROOT_VOLUME_GIB == 100
    assert root["encrypted"] is True
    agent = policy_statements(module, "instance")
    assert agent["EcsAgentInOwnClusters"]["resources"][0].endswith('"batch-gpu-spot")}')


def test_on_demand_only_without_spot_and_every_failure_retried(tmp_path):
    module = _variant(tmp_path, "fargate")
    computes = _environments(module)
    assert list(computes) == ["on_demand"] and string_value(computes["on_demand"]["type"]) == "FARGATE"
    assert computes["on_demand"]["max_vcpus"] == 40  # 20 children x 2 vCPU
    retry = resources(module, "aws_batch_job_definition")["this"]["retry_strategy"][0]
    assert retry == {"attempts": 3}  # no evaluate_on_exit: every failed attempt is retried
    assert not resources(module, "aws_scheduler_schedule")  # no job.schedule, no schedule
    minimal = _variant(tmp_path / "m", "minimal")
    definition = resources(minimal, "aws_batch_job_definition")["this"]
    assert "retry_strategy" not in definition and "timeout" not in definition  # one attempt, no limit
    assert {c["max_vcpus"] for c in _environments(minimal).values()} == {1}


def test_max_vcpus_default_and_setting():
    def spec(resources: dict, job: dict, settings: dict | None = None):
        from generator.model import normalize

        data = {
            "name": "mv",
            "kind": "job",
            "container": {"image": "ghcr.io/x/y:1"},
            "resources": resources,
            "job": {"input": "s3://b/in/", "output": "s3://b/out/", **job},
            "targets": {"aws-batch": {"region": "us-east-1", **(settings or {})}},
        }
        return normalize(data)

    assert aws_batch.max_vcpus(spec({"cpu": 0.25, "memory": 512}, {})) == 1
    assert aws_batch.max_vcpus(spec({"cpu": 4, "memory": 8192}, {"array_size": 100})) == 256  # capped
    assert aws_batch.max_vcpus(spec({"cpu": 4, "memory": 8192}, {"array_size": 100}, {"max_vcpus": 1000})) == 1000
    gpu = {"cpu": 4, "memory": 8192, "gpu": {"type": "nvidia-a10g", "count": 1}}
    assert aws_batch.max_vcpus(spec(gpu, {"array_size": 3})) == 12  # three g5.xlarge
    assert aws_batch.max_vcpus(spec(gpu, {"array_size": 1000})) == 256  # capped at whole instances


def test_failed_jobs_of_this_queue_notify_the_topic(tmp_path):
    module = _variant(tmp_path, "scheduled")
    rule = resources(module, "aws_cloudwatch_event_rule")["failed"]
    assert _encoded(rule["event_pattern"]) == {
        "source": ["aws.batch"],
        "detail-type": ["Batch Job State Change"],
        "detail": {"status": ["FAILED"], "jobQueue": ["${aws_batch_job_queue.this.arn}"]},
    }
    target = resources(module, "aws_cloudwatch_event_target")["failed"]
    assert target["arn"] == "${aws_sns_topic.this.arn}"
    alarms = resources(module, "aws_cloudwatch_metric_alarm")
    assert {string_value(a["metric_name"]) for a in alarms.values()} == {"MatchedEvents", "FailedInvocations"}
    assert all(a["alarm_actions"] == "${local.alarm_actions}" for a in alarms.values())
    topic_policy = policy_statements(module, "topic")
    assert topic_policy["FailedJobRule"]["condition"][0]["values"] == ["${aws_cloudwatch_event_rule.failed.arn}"]
    assert set(resources(module, "aws_sns_topic_subscription")) == {"email"}
    # SNS refuses source conditions in key policies for EventBridge deliveries: the rule's key grant has none
    key = policy_statements(module, "kms")
    assert key["FailedJobRuleToTopic"]["principals"][0]["identifiers"] == [
        "events.${data.aws_partition.current.dns_suffix}"
    ]
    assert "condition" not in key["FailedJobRuleToTopic"]
    assert key["CloudWatchAlarmsToTopic"]["condition"][0]["variable"] == "aws:SourceAccount"


def test_emulator_gap_is_the_service_linked_role_switch(tmp_path):
    assert [g.variable for g in TARGET.emulator_gaps] == ["batch_creates_service_linked_role"]
    drift = {d.resource_type: d.arguments for d in TARGET.emulator_drift}
    assert drift["aws_batch_job_queue"] == ("job_state_time_limit_action",)
    assert drift["aws_launch_template"] == ("tag_specifications",)
    module = _variant(tmp_path, "minimal")
    linked = resources(module, "aws_iam_service_linked_role")["batch"]
    assert linked["count"] == "${var.batch_creates_service_linked_role ? 0 : 1}"
    for compute in resources(module, "aws_batch_compute_environment").values():
        assert (
            compute["service_role"]
            == (
                "${var.batch_creates_service_linked_role ? None : aws_iam_service_linked_role.batch[0].arn}"  # null, as read back
            )
        )
    assert TARGET.kinds == frozenset({"job"})


_BASE = """\
name: bj
kind: job
container: {image: ghcr.io/example/scorer:1.0.0}
job: {input: "s3://example-data/in/", output: "s3://example-data/out/"}
"""


@pytest.mark.parametrize(
    "extra, message",
    [
        (
            "resources: {cpu: 3, memory: 8192}",
            "resources.cpu: AWS Batch on Fargate runs 0.25, 0.5, 1, 2, 4, 8, 16 vCPU",
        ),
        ("resources: {cpu: 1, memory: 512}", "resources.memory: AWS Batch on Fargate with 1 vCPU takes 2048-8192"),
        ("resources: {gpu: {type: nvidia-k80}}", "resources.gpu.type: AWS Batch GPU types here"),
        ("resources: {gpu: {type: nvidia-v100}}", "resources.gpu.type: AWS Batch here cannot run nvidia-v100"),
        (
            "resources: {cpu: 4, memory: 8192, gpu: {type: nvidia-t4, count: 8}}",
            "resources: no g4dn instance has 8 nvidia-t4 GPU(s)",
        ),
        (
            "resources: {architecture: arm64}",
            "resources.architecture: tfgen's AWS Batch module runs x86_64 images only (it renders x86_64 compute "
            "environments); targets that can run arm64: none of tfgen's targets for a job",
        ),
        ("observability: {alarms: {cpu_percent: 80}}", "observability.alarms.cpu_percent: AWS Batch publishes no"),
        ("network: {vpc: existing}", "targets.aws-batch: network.vpc is `existing`"),
        ("network: {cidr: 10.0.0.0/28}", "network.cidr: a created VPC needs a /16 to /26 range"),
        ("TARGET max_vcpus: 1\nresources: {cpu: 2, memory: 4096}", "targets.aws-batch.max_vcpus: one job needs 2 vCPU"),
        (
            "permissions: {aws: [{sid: WriteOutput, actions: [s3:GetObject], resources: [arn:aws:s3:::b/k]}]}",
            "`WriteOutput` is already a statement id",
        ),
    ],
)
def test_check_refuses_what_batch_cannot_do(tmp_path, extra, message):
    lines = extra.splitlines()
    top = "\n".join(line for line in lines if not line.startswith("TARGET "))
    settings = "".join(f"\n    {line.removeprefix('TARGET ')}" for line in lines if line.startswith("TARGET "))
    text = _BASE + top + f"\ntargets:\n  aws-batch:\n    region: us-east-1{settings}\n"
    path = write_spec_file(tmp_path, "spec", text)
    with pytest.raises(SpecError) as caught:
        pipeline.load_spec(path)
    assert message in str(caught.value), str(caught.value)
    assert str(caught.value).startswith(str(path) + ":")  # located at FILE:LINE:COL


def test_a_service_spec_is_refused_for_aws_batch(tmp_path):
    path = write_spec_file(
        tmp_path, "svc", "name: svc\ncontainer: {image: ghcr.io/x/y:1}\ntargets:\n  aws-batch: {region: us-east-1}\n"
    )
    with pytest.raises(SpecError) as caught:
        pipeline.load_spec(path)
    assert "kind" in str(caught.value) and "aws-batch" in str(caught.value)


def test_existing_network_runs_in_the_given_subnets(tmp_path):
    module = _variant(tmp_path, "existing-network")
    for compute in _environments(module).values():
        assert compute["subnets"] == ["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"]
        assert compute["security_group_ids"] == ["${aws_security_group.this.id}"]
    group = resources(module, "aws_security_group")["this"]
    assert string_value(group["vpc_id"]) == "vpc-0123456789abcdef0"
    assert not resources(module, "aws_vpc") and not resources(module, "aws_nat_gateway")
    egress = resources(module, "aws_vpc_security_group_egress_rule")
    assert list(egress) == ["https"] and egress["https"]["from_port"] == egress["https"]["to_port"] == 443
    assert not resources(module, "aws_vpc_security_group_ingress_rule")  # nothing may connect to a job


def test_alarms_nobody_hears_are_a_warning(tmp_path):
    quiet = pipeline.load_spec(write_variant_spec(tmp_path, "minimal", TARGET.variants["minimal"]))
    assert [path for path, _ in TARGET.warnings(quiet.for_target("aws-batch"))] == [("observability",)]
    told = pipeline.load_spec(write_variant_spec(tmp_path, "scheduled", TARGET.variants["scheduled"]))
    assert TARGET.warnings(told.for_target("aws-batch")) == []


def test_existing_job_code_keeps_its_variable_names(tmp_path):
    """A job whose code reads INPUT_PATH / OUTPUT_PATH / MODEL_PATH (as a hand-written submit_job passes them) runs unchanged."""
    spec = write_spec_file(
        tmp_path,
        "scorer",
        """
        name: scorer
        kind: job
        container: {image: ghcr.io/example/scorer:1.0}
        model: {uri: s3://models-bucket/scorer/model.pkl, env: MODEL_PATH}
        job: {input: s3://data-bucket/in/, output: s3://data-bucket/out/, input_env: INPUT_PATH, output_env: OUTPUT_PATH}
        targets:
          aws-batch: {region: us-east-1}
        """,
    )
    module = render_spec_file(spec, TARGET, tmp_path / "out")
    assert local_values(module)["environment"] == {
        "INPUT_PATH": "s3://data-bucket/in/",
        "MODEL_PATH": "s3://models-bucket/scorer/model.pkl",
        "OUTPUT_PATH": "s3://data-bucket/out/",
    }
    readme = (module / "README.md").read_text()
    assert "name=INPUT_PATH,value=S3_URI" in readme and "name=OUTPUT_PATH,value=S3_URI" in readme


@pytest.mark.parametrize(("variant", "scheduled"), [("scheduled", True), ("minimal", False)])
def test_the_key_names_the_schedule_only_when_there_is_one(tmp_path, variant, scheduled):
    module = _variant(tmp_path, variant)
    key = resources(module, "aws_kms_key")["this"]
    assert string_value(key["description"]).endswith(": logs, alarms, schedule" if scheduled else ": logs, alarms")
    readme = (module / "README.md").read_text(encoding="utf-8")
    assert ("the topic and the schedule." in readme) is scheduled


def test_a_secret_name_its_partial_arn_cannot_resolve_is_refused(tmp_path):
    # valueFrom is arn:...:secret:NAME; Secrets Manager would take NAME's last "-xxxxxx" for its random suffix.
    text = _BASE.replace(
        "container: {image: ghcr.io/example/scorer:1.0.0}",
        "container: {image: ghcr.io/example/scorer:1.0.0, secrets: {API_TOKEN: scoring-token-abc123}}",
    )
    path = write_spec_file(tmp_path, "spec", text + "targets:\n  aws-batch:\n    region: us-east-1\n")
    with pytest.raises(SpecError) as caught:
        pipeline.load_spec(path)
    assert "container.secrets.API_TOKEN: Secrets Manager would read the end of" in str(caught.value)
    assert "as its random ARN suffix" in str(caught.value)
    assert str(caught.value).startswith(str(path) + ":")
