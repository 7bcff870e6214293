"""aws-ecs: the spec -> ECS/Fargate mapping.

Every variant (the bundled iris example, its prod environment, and inline specs:
public/internal, created/existing VPC, HTTPS/HTTP, with/without secrets,
alarms, scaling policies, ECR/non-ECR image) is rendered once per module and
parsed back to check what the spec asked for. The gates every target gets
(fmt, init + validate, lint, Checkov, determinism, escaping) run over the
target's declared variants in tests/test_conformance.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from generator import pipeline
from generator.errors import SpecError
from generator.targets import aws_ecs
from tests.hclread import (
    local_values,
    outputs,
    parse_module,
    plain,
    policy_statements,
    resources,
)
from tests.support import EXAMPLES, render_spec_file, write_spec_file

NASTY_ENV = {
    "QUOTES": 'say "hi" \\ back\\slash',
    "TEMPLATE": "${var.secret} and %{ if true }x%{ endif }",
    "LINES": "one\ntwo\r\n\tthree",
    "UNICODE": "naïve – ✓",
}
NASTY_DESCRIPTION = 'a "quoted" description with ${braces} and %{ directives }\nover two lines'
CERT = "arn:aws:acm:eu-west-1:123456789012:certificate/0f0e0d0c-1234-5678-9abc-def012345678"

# Internet-facing in a created VPC: ECR image, open to the internet, no secrets,
# no alarms, CPU scaling only, a year of logs, tracing off.
# `env: {}` is replaced by NASTY_ENV as JSON (JSON is YAML: the values go in exactly).
PUBLIC = f"""
name: ecs-pub
description: {json.dumps(NASTY_DESCRIPTION)}
container:
  image: 123456789012.dkr.ecr.us-east-1.amazonaws.com/team/ecs-pub:2.0.0
  port: 9000
  env: {{}}
resources: {{cpu: 0.5, memory: 1024}}
scaling: {{min: 2, max: 6, cpu_target: 60}}
network: {{public: true, allowed_cidrs: ["0.0.0.0/0"], cidr: 10.40.0.0/20}}
observability: {{log_retention_days: 365, tracing: false}}
targets:
  aws-ecs:
    region: eu-west-1
    certificate_arn: {CERT}
"""

# Internal with HTTPS in an existing VPC: three secret references (two share
# a secret), two alarms, a requests-per-target policy only.
EXISTING = """
name: ecs-existing
container:
  image: docker.io/library/nginx:1.27
  secrets: {DB_PASSWORD: db-pass, API_KEY: api-keys, ALSO_DB: db-pass}
scaling: {min: 1, max: 2, concurrency: 50}
network:
  vpc: existing
  allowed_cidrs: ["192.168.0.0/24", "10.1.0.0/16"]
observability:
  alarms: {error_rate_percent: 2.5, latency_p99_ms: 800}
targets:
  aws-ecs:
    region: us-west-2
    certificate_arn: arn:aws:acm:us-west-2:123456789012:certificate/ffff-0000
    network:
      vpc_id: vpc-0123456789abcdef0
      private_subnet_ids: [subnet-0123456789abcdef0, subnet-0123456789abcdef1]
"""

# Internet-facing in an existing VPC, restricted to one range, one alarm, no scaling policy.
EXISTING_PUBLIC = """
name: ecs-ext-pub
container:
  image: ghcr.io/example/x:1
network:
  vpc: existing
  public: true
  allowed_cidrs: ["203.0.113.0/24"]
observability:
  alarms: {cpu_percent: 90}
targets:
  aws-ecs:
    region: us-east-1
    certificate_arn: arn:aws:acm:us-east-1:123456789012:certificate/ffff-0001
    network:
      vpc_id: vpc-0123456789abcdef0
      private_subnet_ids: [subnet-0123456789abcdef0]
      public_subnet_ids: [subnet-0123456789abcdef2, subnet-0123456789abcdef3]
"""


@pytest.fixture(scope="module")
def spec_files(tmp_path_factory) -> dict[str, tuple[Path, str | None]]:
    specs = tmp_path_factory.mktemp("ecs-specs")
    public = PUBLIC.replace("env: {}", "env: " + json.dumps(NASTY_ENV, ensure_ascii=False))
    return {
        "example": (EXAMPLES / "iris-classifier.yaml", None),
        "example-prod": (EXAMPLES / "iris-classifier.yaml", "prod"),
        "public": (write_spec_file(specs, "public", public), None),
        "existing": (write_spec_file(specs, "existing", EXISTING), None),
        "existing-public": (write_spec_file(specs, "existing-public", EXISTING_PUBLIC), None),
        "gpu": (EXAMPLES / "whisper-ecs-gpu.yaml", None),  # with resources.spot
        "gpu-on-demand": (write_spec_file(specs, "gpu-on-demand", json.dumps(aws_ecs.VARIANTS["gpu"])), None),
    }


@pytest.fixture(scope="module")
def modules(spec_files, tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("ecs-modules")
    return {name: render_spec_file(path, aws_ecs.TARGET, out, env) for name, (path, env) in spec_files.items()}


# -- parsing helpers (the rest are in tests/hclread.py) ----------------------


def _compact(expr: str) -> str:
    """hcl2 re-spaces expressions and prints nested values Python-style: compare a normal form."""
    text = "".join(str(expr).split()).replace("'", '"')
    return text.replace("True", "true").replace("False", "false")


# -- what the spec asked for -------------------------------------------------


def test_task_definition_is_locked_down_and_wired_to_roles_and_logs(modules):
    task = resources(modules["example"], "aws_ecs_task_definition")["this"]
    assert task["requires_compatibilities"] == ["FARGATE"] and task["network_mode"] == "awsvpc"
    assert (task["cpu"], task["memory"]) == ("1024", "2048")
    assert task["execution_role_arn"] != task["task_role_arn"]
    assert task["volume"] == [{"name": "tmp"}]
    definitions = _compact(task["container_definitions"])
    for fragment in (
        '"readonlyRootFilesystem":true',
        '"containerPath":"/tmp"',
        '"logDriver":"awslogs"',
        '"awslogs-group":"${aws_cloudwatch_log_group.this.name}"',
        '"entryPoint":["uvicorn","app:api"]',
        '"containerPort":8080',
        '"valueFrom":"${local.secret_arn_prefix}:${secret_name}"',
        '"value":"${value}"',
    ):
        assert fragment in definitions, fragment
    log_group = resources(modules["example"], "aws_cloudwatch_log_group")["this"]
    assert log_group["retention_in_days"] == 30 and log_group["kms_key_id"] == "${aws_kms_key.this.arn}"
    prod = resources(modules["example-prod"], "aws_cloudwatch_log_group")["this"]
    assert prod["retention_in_days"] == 90


def test_service_is_private_with_circuit_breaker_and_alb_health(modules):
    service = resources(modules["example"], "aws_ecs_service")["this"]
    assert service["launch_type"] == "FARGATE" and service["enable_execute_command"] is False
    assert service["network_configuration"] == [
        {
            "subnets": "${local.private_subnet_ids}",
            "security_groups": ["${aws_security_group.service.id}"],
            "assign_public_ip": False,
        }
    ]
    assert service["deployment_circuit_breaker"] == [{"enable": True, "rollback": True}]
    group = resources(modules["example"], "aws_lb_target_group")["this"]
    assert group["target_type"] == "ip" and group["port"] == 8080
    # issue 13 #7: a changed port replaces the group; a prefix and create_before_destroy let the
    # new one exist while the listener still points at the old
    assert "name" not in group and group["name_prefix"] == "iris-"
    assert group["lifecycle"] == [{"create_before_destroy": True}]
    assert resources(modules["public"], "aws_lb_target_group")["this"]["name_prefix"] == "ecs-p-"
    check = group["health_check"][0]
    assert (check["path"], check["interval"], check["timeout"]) == ("/healthz", 30, 5)
    cluster = resources(modules["example"], "aws_ecs_cluster")["this"]
    assert cluster["setting"] == [{"name": "containerInsights", "value": "enabled"}]


def test_secrets_are_referenced_by_arn_and_only_they_are_readable(modules):
    assert local_values(modules["existing"])["secrets"] == {
        "ALSO_DB": "db-pass",
        "API_KEY": "api-keys",
        "DB_PASSWORD": "db-pass",
    }
    statements = policy_statements(modules["existing"], "execution")
    assert statements["ReadSecrets"]["actions"] == ["secretsmanager:GetSecretValue"]
    assert _compact(statements["ReadSecrets"]["resources"]) == _compact(
        '${[for secret_name in distinct(values(local.secrets)) : "${local.secret_arn_prefix}:${secret_name}-??????"]}'
    )
    assert "ReadSecrets" not in policy_statements(modules["public"], "execution")
    # Pulling from ECR is granted only for an ECR image, and only on its repository.
    assert "EcrPull" not in policy_statements(modules["existing"], "execution")
    pull = policy_statements(modules["public"], "execution")["EcrPull"]
    assert '"us-east-1","123456789012","team/ecs-pub"' in _compact(pull["resources"])


def test_internal_alb_without_certificate_serves_http_inside_the_network(modules):
    alb = resources(modules["example"], "aws_lb")["this"]
    assert alb["internal"] is True and alb["drop_invalid_header_fields"] is True
    assert alb["subnets"] == "${local.alb_subnet_ids}"
    assert local_values(modules["example"])["alb_subnet_ids"] == "${aws_subnet.private[*].id}"
    listeners = resources(modules["example"], "aws_lb_listener")
    assert list(listeners) == ["http"] and listeners["http"]["default_action"][0]["type"] == "forward"
    assert "aws_wafv2_web_acl" not in (modules["example"] / "load_balancer.tf").read_text()
    assert outputs(modules["example"])["service_url"] == "http://${aws_lb.this.dns_name}"


def test_https_listener_uses_the_certificate_modern_tls_and_a_redirect(modules):
    for name in ("public", "existing"):
        listeners = resources(modules[name], "aws_lb_listener")
        assert listeners["https"]["ssl_policy"] == "ELBSecurityPolicy-TLS13-1-2-2021-06"
        redirect = listeners["http"]["default_action"][0]["redirect"][0]
        assert (redirect["protocol"], redirect["port"], redirect["status_code"]) == ("HTTPS", "443", "HTTP_301")
        assert outputs(modules[name])["service_url"] == "https://${aws_lb.this.dns_name}"
    assert resources(modules["public"], "aws_lb_listener")["https"]["certificate_arn"] == CERT
    assert resources(modules["public"], "aws_lb")["this"]["internal"] is False
    assert resources(modules["existing"], "aws_lb")["this"]["internal"] is True
    assert "aws_wafv2_web_acl_association" in (modules["public"] / "load_balancer.tf").read_text()


def test_security_groups_admit_only_allowed_ranges_and_the_alb(modules):
    rules = resources(modules["existing"], "aws_vpc_security_group_ingress_rule")
    for listener in ("alb_http", "alb_https"):
        assert _compact(rules[listener]["for_each"]) == '${toset(["10.1.0.0/16","192.168.0.0/24"])}'
    assert rules["service_from_alb"]["referenced_security_group_id"] == "${aws_security_group.alb.id}"
    assert set(rules) == {"alb_http", "alb_https", "service_from_alb"}
    egress = resources(modules["existing"], "aws_vpc_security_group_egress_rule")
    assert (egress["service_https"]["from_port"], egress["service_https"]["to_port"]) == (443, 443)


def test_created_vpc_has_two_zones_flow_logs_and_a_locked_default_group(modules):
    module = modules["public"]
    subnets = resources(module, "aws_subnet")
    assert _compact(subnets["private"]["cidr_block"]) == '${element(["10.40.0.0/22","10.40.4.0/22"],count.index)}'
    assert _compact(subnets["public"]["cidr_block"]) == '${element(["10.40.8.0/22","10.40.12.0/22"],count.index)}'
    assert all(s["map_public_ip_on_launch"] is False for s in subnets.values())
    assert resources(module, "aws_default_security_group")["this"] == {"vpc_id": "${aws_vpc.this.id}"}
    assert resources(module, "aws_flow_log")["this"]["traffic_type"] == "ALL"
    assert local_values(module)["alb_subnet_ids"] == "${aws_subnet.public[*].id}"
    for name in ("existing", "existing-public"):
        assert not (modules[name] / "network.tf").exists()
        assert local_values(modules[name])["vpc_id"] == "vpc-0123456789abcdef0"
    assert local_values(modules["existing-public"])["alb_subnet_ids"] == [
        "subnet-0123456789abcdef2",
        "subnet-0123456789abcdef3",
    ]


def test_autoscaling_follows_the_spec_and_the_emulator_toggle(modules):
    target = resources(modules["example"], "aws_appautoscaling_target")["this"]
    assert target["count"] == "${var.enable_autoscaling ? 1 : 0}"
    assert (target["min_capacity"], target["max_capacity"]) == (1, 4)
    assert resources(modules["example-prod"], "aws_appautoscaling_target")["this"]["max_capacity"] == 10

    # issue 13 #5: scaling.concurrency is in-flight requests per task, estimated by Little's law
    policies = resources(modules["example"], "aws_appautoscaling_policy")
    assert list(policies) == ["concurrency"] and policies["concurrency"]["count"] == "${var.enable_autoscaling ? 1 : 0}"
    tracking = policies["concurrency"]["target_tracking_scaling_policy_configuration"][0]
    assert tracking["target_value"] == 80  # the spec's number itself, not a per-minute request count
    assert "predefined_metric_specification" not in tracking
    metrics = {m["id"]: m for m in tracking["customized_metric_specification"][0]["metrics"]}
    assert metrics["in_flight"]["expression"] == "FILL(requests_per_task, 0) / 60 * FILL(response_seconds, 0)"
    assert metrics["in_flight"]["return_data"] is True
    requests = metrics["requests_per_task"]["metric_stat"][0]
    assert (requests["stat"], requests["metric"][0]["metric_name"]) == ("Sum", "RequestCountPerTarget")
    assert requests["metric"][0]["dimensions"] == [
        {"name": "TargetGroup", "value": "${aws_lb_target_group.this.arn_suffix}"}
    ]
    latency = metrics["response_seconds"]["metric_stat"][0]
    assert (latency["stat"], latency["metric"][0]["metric_name"]) == ("Average", "TargetResponseTime")
    assert not metrics["requests_per_task"]["return_data"] and not metrics["response_seconds"]["return_data"]

    cpu = resources(modules["public"], "aws_appautoscaling_policy")
    assert list(cpu) == ["cpu"]
    tracking = cpu["cpu"]["target_tracking_scaling_policy_configuration"][0]
    assert tracking["target_value"] == 60
    assert tracking["predefined_metric_specification"][0]["predefined_metric_type"] == "ECSServiceAverageCPUUtilization"
    # issue 13 #4: with neither cpu_target nor concurrency, CPU and memory at 75 % (terraform-aws-modules/ecs's default)
    default = resources(modules["existing-public"], "aws_appautoscaling_policy")
    assert {
        key: (
            p["target_tracking_scaling_policy_configuration"][0]["target_value"],
            p["target_tracking_scaling_policy_configuration"][0]["predefined_metric_specification"][0][
                "predefined_metric_type"
            ],
        )
        for key, p in default.items()
    } == {"cpu": (75, "ECSServiceAverageCPUUtilization"), "memory": (75, "ECSServiceAverageMemoryUtilization")}
    assert (
        "target tracking on CPU at 75% and on Memory at 75% (the default"
        in (modules["existing-public"] / "README.md").read_text()
    )
    variables = {
        name: plain(body)
        for parsed in parse_module(modules["example"]).values()
        for block in parsed.get("variable", [])
        for name, body in block.items()
    }
    assert list(variables) == ["image", "enable_autoscaling"]
    assert variables["image"]["default"] == "ghcr.io/example/iris-classifier:1.4.2"  # issue 12 #5: --image overrides it
    assert (variables["enable_autoscaling"]["type"], variables["enable_autoscaling"]["default"]) == ("${bool}", True)


def test_alarms_follow_the_spec_thresholds(modules):
    alarms = resources(modules["example"], "aws_cloudwatch_metric_alarm")
    assert set(alarms) == {"cpu", "memory", "error_rate", "latency_p99", "no_healthy_task", "running_tasks"}
    assert (alarms["cpu"]["namespace"], alarms["cpu"]["metric_name"], alarms["cpu"]["threshold"]) == (
        "AWS/ECS",
        "CPUUtilization",
        85,
    )
    assert alarms["memory"]["metric_name"] == "MemoryUtilization"
    assert alarms["latency_p99"]["extended_statistic"] == "p99" and alarms["latency_p99"]["threshold"] == 1.5
    # issue 13 #6: the ALB's own 5xx (no healthy task, a task not answering) count too, over every request
    queries = {q["id"]: q for q in alarms["error_rate"]["metric_query"]}
    assert queries["error_rate"]["expression"] == (
        "IF(requests > 0, 100 * (FILL(target_errors, 0) + FILL(alb_errors, 0)) / requests, 0)"
    )
    assert queries["target_errors"]["metric"][0]["metric_name"] == "HTTPCode_Target_5XX_Count"
    assert queries["target_errors"]["metric"][0]["dimensions"] == "${local.target_group_dimensions}"
    assert queries["alb_errors"]["metric"][0]["metric_name"] == "HTTPCode_ELB_5XX_Count"
    assert queries["alb_errors"]["metric"][0]["dimensions"] == "${local.load_balancer_dimensions}"
    assert queries["requests"]["metric"][0]["metric_name"] == "RequestCount"
    assert queries["requests"]["metric"][0]["dimensions"] == "${local.load_balancer_dimensions}"
    assert local_values(modules["example"])["load_balancer_dimensions"] == {"LoadBalancer": "${aws_lb.this.arn_suffix}"}
    assert alarms["error_rate"]["threshold"] == 5
    assert all(a["alarm_actions"] == "${local.alarm_actions}" for a in alarms.values())
    assert resources(modules["example"], "aws_sns_topic")["alarms"]["kms_master_key_id"] == "${aws_kms_key.this.arn}"

    existing = resources(modules["existing"], "aws_cloudwatch_metric_alarm")
    assert set(existing) == {"error_rate", "latency_p99", "no_healthy_task", "running_tasks"}
    assert existing["latency_p99"]["threshold"] == 0.8 and existing["error_rate"]["threshold"] == 2.5


def test_kms_key_policy_names_service_principals_by_the_partition_dns_suffix(modules):
    """Issue 13 #14: amazonaws.com.cn in the China partition; nothing hardcoded."""
    kms = (modules["example"] / "kms.tf").read_text()
    assert 'amazonaws.com"' not in kms and ".amazonaws.com }" not in kms
    assert 'Principal = { Service = "logs.${local.region}.${local.dns_suffix}" }' in kms
    assert 'Principal = { Service = "cloudwatch.${local.dns_suffix}" }' in kms
    assert local_values(modules["example"])["dns_suffix"] == "${data.aws_partition.current.dns_suffix}"


def test_readme_says_how_spans_leave_the_task(modules):
    """Issue 13 #8: the task role may write to X-Ray, but no collector runs: the README says what the image must do."""
    readme = (modules["example"] / "README.md").read_text()
    assert "tfgen adds no collector sidecar and there is no X-Ray daemon at 127.0.0.1:2000" in readme
    assert "The image must carry its own collector" in readme
    assert "X-Ray daemon" not in (modules["public"] / "README.md").read_text()  # tracing off there


def test_outage_alarms_exist_without_any_threshold(modules):
    """Issue 13 #6: no healthy task behind the ALB, or fewer running tasks than scaling.min, always alarm."""
    alarms = resources(modules["public"], "aws_cloudwatch_metric_alarm")  # the spec sets no threshold
    assert set(alarms) == {"no_healthy_task", "running_tasks"}
    healthy, running = alarms["no_healthy_task"], alarms["running_tasks"]
    assert (healthy["namespace"], healthy["metric_name"], healthy["statistic"]) == (
        "AWS/ApplicationELB",
        "HealthyHostCount",
        "Minimum",
    )
    assert (healthy["comparison_operator"], healthy["threshold"]) == ("LessThanThreshold", 1)
    assert healthy["dimensions"] == "${local.target_group_dimensions}"
    assert (running["namespace"], running["metric_name"], running["statistic"]) == (
        "ECS/ContainerInsights",
        "RunningTaskCount",
        "Minimum",
    )
    assert (running["comparison_operator"], running["threshold"], running["treat_missing_data"]) == (
        "LessThanThreshold",
        2,
        "breaching",
    )  # PUBLIC has scaling.min 2; no task reports no data
    assert running["dimensions"] == "${local.service_dimensions}"
    assert all(a["alarm_actions"] == "${local.alarm_actions}" for a in alarms.values())
    assert "alarm_topic_arn" in outputs(modules["public"])
    prod = resources(modules["example-prod"], "aws_cloudwatch_metric_alarm")["running_tasks"]
    assert prod["threshold"] == 2  # the prod environment's scaling.min


def test_log_retention_below_a_year_is_a_documented_skip_only_then(modules):
    example = (modules["example"] / "logging.tf").read_text()
    assert "#checkov:skip=CKV_AWS_338:retention is the spec's observability.log_retention_days (30 days)" in example
    assert "CKV_AWS_338" not in (modules["public"] / "logging.tf").read_text()


# -- the limits check() adds -------------------------------------------------


@pytest.mark.parametrize(
    "change, message",
    [
        ("network: {cidr: 10.20.1.0/16}", "`10.20.1.0/16` has host bits set; use 10.20.0.0/16"),
        ("network: {cidr: 10.20.0.0/26}", "a created VPC needs a /16 to /24 range"),
        (
            "container: {image: ghcr.io/x/y:1, secrets: {TOKEN: api-secret}}",
            "rename the secret so it does not end in `-` and six",
        ),
        ("name: internal-svc", "an ALB name cannot begin with `internal-`"),
        (
            "network: {vpc: existing}\ntargets:\n  aws-ecs:\n    region: us-east-1\n    network:\n"
            "      vpc_id: vpc-0123456789abcdef0\n      private_subnet_ids: [subnet-0123456789abcdef0]",
            "an internal ALB needs subnets in two Availability Zones",
        ),
        (
            "resources: {cpu: 1, memory: 1024}",
            "Fargate with 1 vCPU needs memory 2048-8192 in steps of 1024 MiB; got 1024",
        ),
        ("network: {public: true}", "a public service needs `certificate_arn`"),
        # issue 13 #1: zero tasks emit no metric, so no policy could ever start one
        ("scaling: {min: 0, max: 3}", "scaling.min: ECS on Fargate cannot start from zero tasks"),
    ],
)
def test_check_rejects_what_ecs_cannot_do(tmp_path, change, message):
    base = {
        "name": "name: svc",
        "container": "container: {image: ghcr.io/x/y:1}",
        "targets": "targets:\n  aws-ecs:\n    region: us-east-1",
    }
    key = change.split(":", 1)[0]
    if key == "network" and "targets:" in change:
        network, targets = change.split("\ntargets:", 1)
        base["network"], base["targets"] = network, "targets:" + targets
    else:
        base[key] = change
    path = tmp_path / "spec.yaml"
    path.write_text("\n".join(base.values()) + "\n", encoding="utf-8")
    with pytest.raises(SpecError) as caught:
        pipeline.load_spec(path)
    assert message in str(caught.value)


# -- resources.gpu: EC2 GPU instances behind a capacity provider (issue 12 §3) --


def test_fargate_modules_have_no_ec2_capacity(modules):
    for name in ("example", "public", "existing"):
        assert not (modules[name] / "capacity.tf").exists()
        assert resources(modules[name], "aws_ecs_task_definition")["this"]["runtime_platform"]
    assert "aws_ecs_cluster_capacity_providers" not in (modules["example"] / "main.tf").read_text()


def test_gpu_task_definition_is_ec2_with_a_gpu_requirement(modules):
    task = resources(modules["gpu"], "aws_ecs_task_definition")["this"]
    assert task["requires_compatibilities"] == ["EC2"] and task["network_mode"] == "awsvpc"
    assert (task["cpu"], task["memory"]) == ("4096", "14336")
    # Fargate-only: the runtime platform (the AMI decides) and task ephemeral storage
    assert "runtime_platform" not in task and "ephemeral_storage" not in task
    definitions = _compact(task["container_definitions"])
    assert '"resourceRequirements":[{"type":"GPU","value":"1"}]' in definitions
    assert '"readonlyRootFilesystem":true' in definitions
    assert [v["name"] for v in task["volume"]] == ["tmp", "home-app-cache-huggingface"]


def test_gpu_service_runs_on_the_capacity_provider(modules):
    service = resources(modules["gpu-on-demand"], "aws_ecs_service")["this"]
    assert "launch_type" not in service and "platform_version" not in service  # both Fargate-only
    assert service["capacity_provider_strategy"] == [
        {"capacity_provider": "${aws_ecs_capacity_provider.gpu.name}", "weight": 1}
    ]
    assert service["ordered_placement_strategy"] == [{"type": "spread", "field": "attribute:ecs.availability-zone"}]
    assert service["network_configuration"][0]["assign_public_ip"] is False
    assert "aws_ecs_cluster_capacity_providers.this" in _compact(service["depends_on"])
    attached = resources(modules["gpu-on-demand"], "aws_ecs_cluster_capacity_providers")["this"]
    assert attached["capacity_providers"] == ["${aws_ecs_capacity_provider.gpu.name}"]
    assert attached["default_capacity_provider_strategy"] == service["capacity_provider_strategy"]
    assert set(resources(modules["gpu-on-demand"], "aws_autoscaling_group")) == {"gpu"}
    assert "SPOT" not in (modules["gpu-on-demand"] / "capacity.tf").read_text().upper()
    provider = resources(modules["gpu"], "aws_ecs_capacity_provider")["gpu"]
    assert provider["name"] == "gpu-whisper-asr"  # a capacity provider's name may not begin with aws/ecs/fargate
    group = provider["auto_scaling_group_provider"][0]
    assert group["auto_scaling_group_arn"] == "${aws_autoscaling_group.gpu.arn}"
    assert (group["managed_termination_protection"], group["managed_draining"]) == ("ENABLED", "ENABLED")
    scaling = group["managed_scaling"][0]
    assert (scaling["status"], scaling["target_capacity"], scaling["maximum_scaling_step_size"]) == ("ENABLED", 100, 8)


def test_gpu_with_spot_keeps_one_task_on_demand_and_the_rest_on_a_spot_group(modules):
    service = resources(modules["gpu"], "aws_ecs_service")["this"]
    assert service["capacity_provider_strategy"] == [
        {"capacity_provider": "${aws_ecs_capacity_provider.gpu.name}", "base": 1, "weight": 1},
        {"capacity_provider": "${aws_ecs_capacity_provider.gpu_spot.name}", "weight": 3},
    ]
    attached = resources(modules["gpu"], "aws_ecs_cluster_capacity_providers")["this"]
    assert attached["capacity_providers"] == [
        "${aws_ecs_capacity_provider.gpu.name}",
        "${aws_ecs_capacity_provider.gpu_spot.name}",
    ]
    assert attached["default_capacity_provider_strategy"] == service["capacity_provider_strategy"]
    # no Fargate Spot strategy and no second attachment of the Fargate providers
    assert "FARGATE" not in (modules["gpu"] / "main.tf").read_text()
    groups = resources(modules["gpu"], "aws_autoscaling_group")
    spot = groups["gpu_spot"]
    assert "mixed_instances_policy" not in groups["gpu"] and "launch_template" not in spot
    policy = spot["mixed_instances_policy"][0]
    assert policy["instances_distribution"] == [
        {
            "on_demand_base_capacity": 0,
            "on_demand_percentage_above_base_capacity": 0,
            "spot_allocation_strategy": "price-capacity-optimized",
        }
    ]
    assert policy["launch_template"][0]["launch_template_specification"] == [
        {
            "launch_template_id": "${aws_launch_template.gpu.id}",
            "version": "${aws_launch_template.gpu.latest_version}",
        }
    ]
    assert spot["capacity_rebalance"] is True and spot["protect_from_scale_in"] is True
    assert spot["vpc_zone_identifier"] == "${local.private_subnet_ids}"
    provider = resources(modules["gpu"], "aws_ecs_capacity_provider")["gpu_spot"]
    assert provider["name"] == "gpu-spot-whisper-asr"
    assert (
        provider["auto_scaling_group_provider"][0]["auto_scaling_group_arn"] == "${aws_autoscaling_group.gpu_spot.arn}"
    )


def test_gpu_auto_scaling_group_is_private_and_protected(modules):
    group = resources(modules["gpu"], "aws_autoscaling_group")["gpu"]
    assert group["vpc_zone_identifier"] == "${local.private_subnet_ids}"
    # managed termination protection needs scale-in protection on the group
    assert group["protect_from_scale_in"] is True and group["force_delete"] is True
    assert (group["min_size"], group["max_size"]) == (0, 8)  # twice scaling.max (4): room for a deploy at 200 %
    assert group["launch_template"] == [
        {"id": "${aws_launch_template.gpu.id}", "version": "${aws_launch_template.gpu.latest_version}"}
    ]
    assert group["instance_refresh"][0]["preferences"][0]["scale_in_protected_instances"] == "Refresh"
    assert {"key": "AmazonECSManaged", "value": "true", "propagate_at_launch": True} in group["tag"]
    assert group["lifecycle"] == [{"ignore_changes": ["${desired_capacity}"]}]  # the capacity provider sets it
    assert group["depends_on"] == ["${aws_iam_role_policy.instance}"]


def test_gpu_launch_template_uses_the_gpu_ami_with_imdsv2_and_encrypted_ebs(modules):
    from tests.hclread import blocks

    ami = blocks(modules["gpu"], "data", "aws_ssm_parameter")["gpu_ami"]
    assert ami["name"] == "/aws/service/ecs/optimized-ami/amazon-linux-2023/gpu/recommended/image_id"
    template = resources(modules["gpu"], "aws_launch_template")["gpu"]
    assert template["image_id"] == "${data.aws_ssm_parameter.gpu_ami.insecure_value}"
    assert template["instance_type"] == "g4dn.xlarge"  # 4 vCPU, 14336 MiB and one T4 fit its 16 GiB
    assert template["metadata_options"] == [
        {"http_endpoint": "enabled", "http_tokens": "required", "http_put_response_hop_limit": 1}
    ]
    ebs = template["block_device_mappings"][0]["ebs"][0]
    assert (ebs["encrypted"], ebs["volume_type"], ebs["volume_size"]) == (True, "gp3", 100)
    assert template["iam_instance_profile"] == [{"arn": "${aws_iam_instance_profile.instance.arn}"}]
    assert template["vpc_security_group_ids"] == ["${aws_security_group.instance.id}"]


def _user_data_script(module: Path, cluster: str) -> str:
    """The launch template's user data as the instance runs it: the rendered lines, joined, with the
    cluster name Terraform puts in."""
    text = (module / "capacity.tf").read_text()
    start = text.index('user_data = base64encode(join("\\n", [') + len('user_data = base64encode(join("\\n", [')
    body = text[start : text.index("]))", start)]
    lines = [
        json.loads(line.strip().rstrip(",")) for line in body.strip().splitlines() if not line.strip().startswith("#")
    ]
    return "\n".join(lines).replace("${aws_ecs_cluster.this.name}", cluster)


def test_gpu_user_data_joins_the_cluster_and_the_shell_expands_nothing(modules, tmp_path):
    import subprocess

    script = _user_data_script(modules["gpu"], "whisper-asr")
    assert script.startswith("#!/bin/bash\n")
    # run it with /etc/ecs/ecs.config redirected into tmp_path: exactly the agent settings arrive
    config = tmp_path / "ecs.config"
    ran = subprocess.run(
        ["bash", "-c", script.replace("/etc/ecs/ecs.config", str(config))],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "ECS_CLUSTER": "not-this"},
        check=False,
    )
    assert ran.returncode == 0, ran.stderr
    assert config.read_text() == (
        "ECS_CLUSTER=whisper-asr\nECS_ENABLE_GPU_SUPPORT=true\nECS_AWSVPC_BLOCK_IMDS=true\n"
        # resources.spot: the agent drains an instance on its interruption notice
        "ECS_ENABLE_SPOT_INSTANCE_DRAINING=true\n"
    )
    on_demand = _user_data_script(modules["gpu-on-demand"], "ecs-gpu")
    assert "SPOT" not in on_demand and "ECS_CLUSTER=ecs-gpu\n" in on_demand
    # a cluster name is a spec name (letters, digits, -), but even `$(...)` would stay literal in the quoted heredoc
    hostile = _user_data_script(modules["gpu"], "$(touch pwned)`id`")
    ran = subprocess.run(
        ["bash", "-c", hostile.replace("/etc/ecs/ecs.config", str(config))],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert ran.returncode == 0 and not (tmp_path / "pwned").exists()
    assert "ECS_CLUSTER=$(touch pwned)`id`\n" in config.read_text()


def test_gpu_instance_role_may_only_run_the_ecs_agent_for_this_cluster(modules):
    role = resources(modules["gpu"], "aws_iam_role")["instance"]
    assert role["assume_role_policy"] == "${data.aws_iam_policy_document.ec2_assume.json}"
    statements = policy_statements(modules["gpu"], "instance")
    assert set(statements) == {"JoinThisCluster", "TalkToTheAgentEndpoint", "FindTheAgentEndpoint"}
    assert statements["JoinThisCluster"]["resources"] == ["${aws_ecs_cluster.this.arn}"]
    assert all(a.startswith("ecs:") for s in statements.values() for a in s["actions"])
    assert "container-instance/${aws_ecs_cluster.this.name}/*" in statements["TalkToTheAgentEndpoint"]["resources"][0]
    # the one unscoped action has no resource-level permissions
    assert statements["FindTheAgentEndpoint"] == {
        "sid": "FindTheAgentEndpoint",
        "actions": ["ecs:DiscoverPollEndpoint"],
        "resources": ["*"],
    }
    # no inbound rule for the instances; HTTPS out only
    rules = resources(modules["gpu"], "aws_vpc_security_group_egress_rule")["instance_https"]
    assert (rules["from_port"], rules["to_port"], rules["ip_protocol"]) == (443, 443, "tcp")
    ingress = resources(modules["gpu"], "aws_vpc_security_group_ingress_rule")
    assert all(r["security_group_id"] != "${aws_security_group.instance.id}" for r in ingress.values())


def test_gpu_keeps_scaling_and_alarms(modules):
    assert resources(modules["gpu"], "aws_appautoscaling_target")["this"]["max_capacity"] == 4
    assert "concurrency" in resources(modules["gpu"], "aws_appautoscaling_policy")
    alarms = resources(modules["gpu"], "aws_cloudwatch_metric_alarm")
    assert {"no_healthy_task", "running_tasks", "cpu", "memory", "latency_p99"} <= set(alarms)


def test_gpu_service_starts_from_zero_instances_with_the_startup_grace_and_notifying_alarms(modules):
    # review of issue 12: what the EC2 capacity must not lose against Fargate
    module = modules["gpu-on-demand"]  # container.startup_seconds 180
    group = resources(module, "aws_autoscaling_group")["gpu"]
    # no desired_capacity: the group starts empty and the capacity provider's managed scaling sets it
    assert group["min_size"] == 0 and "desired_capacity" not in group
    interval = resources(module, "aws_lb_target_group")["this"]["health_check"][0]["interval"]
    service = resources(module, "aws_ecs_service")["this"]
    assert service["health_check_grace_period_seconds"] == 180 + aws_ecs.HEALTHY_THRESHOLD * interval
    alarms = resources(module, "aws_cloudwatch_metric_alarm")
    assert alarms and all(a["alarm_actions"] == "${local.alarm_actions}" for a in alarms.values())


def test_gpu_readme_says_where_the_tasks_run(modules):
    readme = (modules["gpu"] / "README.md").read_text()
    assert readme.startswith("# whisper-asr on AWS ECS on EC2 GPU instances")
    assert "g4dn.xlarge instances (1 GPU, nvidia-t4)" in readme and "Fargate task definition" not in readme


GPU_SPEC = "name: svc\ncontainer: {image: ghcr.io/x/y:1}\ntargets:\n  aws-ecs:\n    region: us-east-1\n"


@pytest.mark.parametrize(
    "resources_, instance_type",
    [
        ("{cpu: 4, memory: 16384, gpu: {type: nvidia-t4}}", "g4dn.2xlarge"),  # 16 GiB does not fit a g4dn.xlarge
        ("{cpu: 2, memory: 8192, gpu: {type: nvidia-a10g, count: 4}}", "g5.12xlarge"),
        ("{cpu: 8, memory: 28672, gpu: {type: nvidia-l4}}", "g6.2xlarge"),
        ("{cpu: 8, memory: 30720, gpu: {type: nvidia-l4}}", "g6.4xlarge"),  # 30 GiB is more than 90 % of 32
        ("{cpu: 16, memory: 65536, gpu: {type: nvidia-l4, count: 1}}", "g6.8xlarge"),
    ],
)
def test_gpu_instance_type_follows_gpu_and_task_size(tmp_path, resources_, instance_type):
    path = write_spec_file(tmp_path, "spec", GPU_SPEC + f"resources: {resources_}\n")
    module = render_spec_file(path, aws_ecs.TARGET, tmp_path / "out")
    assert resources(module, "aws_launch_template")["gpu"]["instance_type"] == instance_type


@pytest.mark.parametrize(
    "resources_, message",
    [
        (
            "{cpu: 4, memory: 8192, gpu: {type: nvidia-t4}, architecture: arm64}",
            "resources.architecture: the ECS GPU-optimised AMI is x86_64 only, so GPU tasks run on x86_64 (NVIDIA) "
            "instances; remove resources.architecture: arm64 or resources.gpu",
        ),
        (
            "{cpu: 4, memory: 8192, gpu: {type: nvidia-k80}}",
            "resources.gpu.type: ECS GPU instances carry nvidia-t4, nvidia-a10g, nvidia-l4, nvidia-l40s, "
            "nvidia-v100, nvidia-a100, nvidia-h100; got nvidia-k80",
        ),
        (
            "{cpu: 4, memory: 8192, gpu: {type: nvidia-t4, count: 8}}",
            "resources.gpu.count: g4dn instances (nvidia-t4) have at most 4 GPUs; got 8",
        ),
        (
            "{cpu: 0.1, memory: 1024, gpu: {type: nvidia-t4}}",
            "resources.cpu: an ECS task on EC2 needs at least 0.125 vCPU; got 0.1",
        ),
    ],
)
def test_gpu_refusals_are_located(tmp_path, resources_, message):
    path = write_spec_file(tmp_path, "spec", GPU_SPEC + f"resources: {resources_}\n")
    with pytest.raises(SpecError) as caught:
        pipeline.load_spec(path)
    assert message in str(caught.value)


def test_gpu_task_larger_than_any_instance_is_refused_at_the_size(tmp_path):
    """The schema's limits (16 vCPU, 120 GiB) fit every family today; a size beyond its largest instance
    (were the limits raised) is refused at the field, naming the largest instance."""
    import dataclasses

    path = write_spec_file(tmp_path, "spec", GPU_SPEC + "resources: {cpu: 4, memory: 8192, gpu: {type: nvidia-t4}}\n")
    spec = pipeline.load_spec(path)
    assert aws_ecs.check(spec) == []
    too_big = dataclasses.replace(spec, resources=dataclasses.replace(spec.resources, memory=300_000))
    assert aws_ecs.check(too_big) == [
        (
            ("resources", "memory"),
            "no g4dn instance with 1 nvidia-t4 GPU(s) has 4 vCPU and room for 300000 MiB (a task gets at most 90% "
            "of an instance's memory; the rest is the ECS agent's and the system's); the largest, g4dn.16xlarge, "
            "has 64 vCPU and 262144 MiB",
        )
    ]
    too_many = dataclasses.replace(spec, resources=dataclasses.replace(spec.resources, cpu=96))
    assert aws_ecs.check(too_many)[0][0] == ("resources", "cpu")


def test_gpu_instances_go_into_an_existing_vpcs_private_subnets(tmp_path):
    path = write_spec_file(
        tmp_path,
        "spec",
        EXISTING + "resources: {cpu: 2, memory: 8192, gpu: {type: nvidia-a10g}}\n",
    )
    module = render_spec_file(path, aws_ecs.TARGET, tmp_path / "out")
    assert local_values(module)["private_subnet_ids"] == ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]
    assert resources(module, "aws_autoscaling_group")["gpu"]["vpc_zone_identifier"] == "${local.private_subnet_ids}"
    assert resources(module, "aws_security_group")["instance"]["vpc_id"] == "${local.vpc_id}"
    assert resources(module, "aws_launch_template")["gpu"]["instance_type"] == "g5.xlarge"
