"""aws-lambda: the spec -> Lambda mapping, and the example function's package.

Every variant (the bundled sentiment example plus inline specs: zip/image, private/public,
no VPC / created VPC / existing VPC, with/without secrets and alarms) is rendered once per
module, with its zip built where the spec says, and parsed back to check what the spec
asked for. The gates every target gets (fmt, init + validate, lint, Checkov,
determinism, escaping) run over the target's declared variants in tests/test_conformance.py.
"""

from __future__ import annotations

import base64
import importlib.util
import json
import sys
import zipfile
from pathlib import Path

import pytest

from generator import pipeline, render
from generator.errors import SpecError
from generator.package import build_zip
from generator.targets import aws_lambda
from tests.hclread import (
    local_values,
    parse_module,
    plain,
    policy_statements,
    resources,
    string_value,
)
from tests.support import EXAMPLES, write_module, write_spec_file

EXAMPLE_SOURCE = EXAMPLES / "sentiment-lambda"
IMAGE = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/models/resnet:1.2"
NASTY_ENV = {
    "QUOTES": 'say "hi" \\ back\\slash',
    "TEMPLATE": "${var.secret} and %{ if true }x%{ endif }",
    "LINES": "one\ntwo\r\n\tthree",
    "UNICODE": "naïve – ✓",
}
NASTY_DESCRIPTION = 'a "quoted" description with ${braces} and %{ directives }\nover two lines'

# An image function with a public URL in a created VPC, two secrets, tracing off, no alarms.
# `env: {}` is replaced by NASTY_ENV as JSON (JSON is YAML: the values go in exactly).
PUBLIC_IMAGE = f"""
name: img-pub
description: {json.dumps(NASTY_DESCRIPTION)}
container:
  image: {IMAGE}
  command: [python, -m, serve]
  args: [--port, "8080"]
  env: {{}}
  secrets: {{API_KEY: api-key, DB_PASSWORD: db-password}}
resources: {{memory: 2048}}
scaling: {{min: 2, max: 5}}
network: {{public: true, cidr: 10.30.0.0/20}}
observability: {{log_retention_days: 365, tracing: false}}
targets:
  aws-lambda:
    region: eu-west-1
    package: {{type: image}}
    vpc: true
    reserve_concurrency: true
"""

# A zip (absolute path) in an existing VPC, plain env only, a latency alarm only.
EXISTING = """
name: zip-existing
container:
  env: {{MODE: strict}}
resources: {{memory: 512}}
scaling: {{min: 1, max: 4}}
network: {{vpc: existing}}
observability:
  log_retention_days: 90
  alarms: {{latency_p99_ms: 250}}
targets:
  aws-lambda:
    region: us-west-2
    package: {{type: zip, filename: {zip}, handler: app.handler, runtime: python3.13}}
    timeout: 120
    vpc: true
    network:
      vpc_id: vpc-0123456789abcdef0
      private_subnet_ids: [subnet-0123456789abcdef0, subnet-0fedcba9876543210]
"""

# Defaults everywhere: no env, no secrets, no alarms, no VPC, min 0.
MINIMAL = """
name: minimal
scaling: {min: 0, max: 2}
targets:
  aws-lambda:
    region: us-east-1
    package: {type: zip, filename: dist/fn.zip, handler: app.handler, runtime: python3.12}
"""


def _render(spec_path: Path, out: Path) -> Path:
    """Render and write the module (tfgen builds a `package.source` zip itself); put a prebuilt zip where `filename` says."""
    spec = pipeline.load_spec(spec_path)
    module = write_module(spec, aws_lambda.TARGET, out)
    package = spec.target(aws_lambda.NAME)["package"]
    if "filename" in package:  # filebase64sha256() needs the file at validate/plan time
        target = Path(package["filename"]) if package["filename"].startswith("/") else module / package["filename"]
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(build_zip(EXAMPLE_SOURCE))
    return module


@pytest.fixture(scope="module")
def modules(tmp_path_factory) -> dict[str, Path]:
    specs = tmp_path_factory.mktemp("specs")
    out = tmp_path_factory.mktemp("modules")
    absolute_zip = tmp_path_factory.mktemp("packages") / "fn.zip"
    public = PUBLIC_IMAGE.replace("env: {}", "env: " + json.dumps(NASTY_ENV, ensure_ascii=False))
    return {
        "example": _render(EXAMPLES / "sentiment-lambda.yaml", out),
        "public": _render(write_spec_file(specs, "public", public), out),
        "existing": _render(write_spec_file(specs, "existing", EXISTING.format(zip=absolute_zip)), out),
        "minimal": _render(write_spec_file(specs, "minimal", MINIMAL), out),
    }


def _function(module: Path) -> dict:
    return resources(module, "aws_lambda_function")["this"]


def _same_expr(parsed: str, expected: str) -> bool:
    """hcl2 drops the spaces between function arguments: compare expressions without whitespace."""
    return "".join(parsed.split()) == "".join(expected.split())


def _skips(module: Path) -> set[str]:
    facts = render.module_facts({p.name: p.read_text() for p in module.glob("*.tf")})
    return {s["check"] for s in facts["skips"]}


# --- Checkov skips (Checkov itself runs once, over every target's variants: tests/test_conformance.py) --------


def test_each_checkov_skip_is_there_because_of_the_spec(modules):
    # CKV_AWS_115 (a concurrency limit): skipped exactly where the spec does not reserve (issue 13 #12)
    assert _skips(modules["example"]) == {
        "CKV_AWS_272",
        "CKV_AWS_117",
        "CKV_AWS_338",
        "CKV_AWS_115",
    }  # zip, no VPC, 14 days
    assert _skips(modules["public"]) == {"CKV_AWS_272", "CKV_AWS_50", "CKV_AWS_258", "CKV_AWS_301", "CKV_AWS_394"}
    assert _skips(modules["existing"]) == {"CKV_AWS_272", "CKV_AWS_338", "CKV_AWS_115"}
    assert _skips(modules["minimal"]) == {"CKV_AWS_272", "CKV_AWS_117", "CKV_AWS_338", "CKV_AWS_115"}
    example = (modules["example"] / "README.md").read_text()
    assert (
        "| CKV_AWS_338 | `aws_cloudwatch_log_group.this` | retention is the spec's observability.log\\_retention\\_days (14 days) |"
        in example
    )
    assert "targets.aws-lambda.vpc is false" in example
    assert "this function runs the ECR image in container.image" in (modules["public"] / "README.md").read_text()


def test_description_becomes_the_function_description(modules):
    # escaping in general is checked for every target in tests/test_conformance.py
    assert string_value(_function(modules["public"])["description"]) == NASTY_DESCRIPTION


# --- the mapping -------------------------------------------------------------------------------


def test_example_zip_function_maps_the_spec(modules):
    function = _function(modules["example"])
    assert (function["function_name"], function["package_type"], function["handler"], function["runtime"]) == (
        "sentiment-lambda",
        "Zip",
        "app.handler",
        "python3.12",
    )
    assert _same_expr(
        local_values(modules["example"])["package_file"], '${format("%s/%s", path.module, "package.zip")}'
    )
    assert (modules["example"] / "package.zip").read_bytes() == build_zip(EXAMPLE_SOURCE)  # built from package.source
    assert function["filename"] == "${local.package_file}"
    assert function["source_code_hash"] == "${filebase64sha256(local.package_file)}"
    assert (function["memory_size"], function["timeout"], function["publish"]) == (1024, 30, True)
    # issue 13 #12: the example does not set reserve_concurrency, so nothing is reserved
    assert "reserved_concurrent_executions" not in function
    assert _function(modules["public"])["reserved_concurrent_executions"] == 5  # reserve_concurrency: scaling.max
    assert function["kms_key_arn"] == "${aws_kms_key.this.arn}"
    assert function["dead_letter_config"] == [{"target_arn": "${aws_sqs_queue.this.arn}"}]
    assert function["tracing_config"] == [{"mode": "Active"}]
    assert "vpc_config" not in function and "image_config" not in function
    assert not (modules["example"] / "network.tf").exists()
    queue = resources(modules["example"], "aws_sqs_queue")["this"]
    assert queue["kms_master_key_id"] == "${aws_kms_key.this.arn}"
    assert resources(modules["example"], "aws_sns_topic")["this"]["kms_master_key_id"] == "${aws_kms_key.this.arn}"
    key = resources(modules["example"], "aws_kms_key")["this"]
    assert key["enable_key_rotation"] is True
    # issue 13 #14: CloudWatch may use the key for this account's alarms only, by the partition's principal
    alarms_statement = policy_statements(modules["example"], "kms")["CloudWatchAlarmsToTopic"]
    assert alarms_statement["principals"] == [
        {"type": "Service", "identifiers": ["cloudwatch.${data.aws_partition.current.dns_suffix}"]}
    ]
    assert alarms_statement["condition"] == [
        {"test": "StringEquals", "variable": "aws:SourceAccount", "values": ["${local.account_id}"]}
    ]
    log_group = resources(modules["example"], "aws_cloudwatch_log_group")["this"]
    assert (log_group["name"], log_group["retention_in_days"], log_group["kms_key_id"]) == (
        "/aws/lambda/sentiment-lambda",
        14,
        "${aws_kms_key.this.arn}",
    )


def test_absolute_zip_path_and_image_package(modules):
    assert local_values(modules["existing"])["package_file"].endswith("/fn.zip")
    assert "path.module" not in (modules["existing"] / "main.tf").read_text()
    function = _function(modules["public"])
    assert (function["package_type"], function["image_uri"]) == ("Image", "${var.image}")
    image = plain(parse_module(modules["public"])["variables.tf"]["variable"][0]["image"])
    assert image["default"] == IMAGE  # issue 12 #5: the spec's image, which --image overrides for one run
    assert function["image_config"] == [{"entry_point": ["python", "-m", "serve"], "command": ["--port", "8080"]}]
    for absent in ("filename", "source_code_hash", "handler", "runtime"):
        assert absent not in function
    assert function["tracing_config"] == [{"mode": "PassThrough"}]
    assert "environment" not in _function(modules["minimal"]) and "kms_key_arn" not in _function(modules["minimal"])
    assert _function(modules["existing"])["timeout"] == 120


def test_secrets_become_arn_variables_and_only_those_are_readable(modules):
    local = local_values(modules["example"])
    assert local["secrets"] == {"FEATURE_STORE_KEY": "sentiment-feature-store-key"}
    assert (
        local["secret_arn_prefix"]
        == "arn:${local.partition}:secretsmanager:${local.region}:${local.account_id}:secret:"
    )
    assert 'format("%s%s",env_name,"_SECRET_ARN")' in "".join(local["secret_arns"].split())
    assert _same_expr(local["environment"], "${merge(local.plain_environment, local.secret_arns)}")
    assert _function(modules["example"])["environment"] == [{"variables": "${local.environment}"}]
    read = policy_statements(modules["example"])["ReadNamedSecrets"]
    assert read["actions"] == ["secretsmanager:GetSecretValue"]
    assert _same_expr(
        read["resources"], '${[for secret in values(local.secrets) : "${local.secret_arn_prefix}${secret}-??????"]}'
    )
    # No secrets: no statement, no ARN variables.
    assert "ReadNamedSecrets" not in policy_statements(modules["existing"])
    assert "secret_arns" not in local_values(modules["existing"])
    assert "Secrets: Lambda cannot inject secret values" in (modules["example"] / "README.md").read_text()


def test_role_is_least_privilege(modules):
    statements = policy_statements(modules["example"])
    assert set(statements) == {
        "WriteOwnLogs",
        "SendToDeadLetterQueue",
        "UseServiceKey",
        "WriteTraces",
        "ReadNamedSecrets",
    }
    assert statements["WriteOwnLogs"]["resources"] == ["${aws_cloudwatch_log_group.this.arn}:*"]
    assert statements["SendToDeadLetterQueue"]["resources"] == ["${aws_sqs_queue.this.arn}"]
    assert statements["UseServiceKey"]["resources"] == ["${aws_kms_key.this.arn}"]
    assert "WriteTraces" not in policy_statements(modules["public"])  # tracing off
    network = policy_statements(modules["existing"])
    assert network["DescribeNetwork"]["resources"] == ["*"]
    assert network["ManageNetworkInterfacesInVpc"]["condition"][0]["variable"] == "ec2:Vpc"
    assert _same_expr(
        local_values(modules["existing"])["vpc_arn"],
        '${format("arn:%s:ec2:%s:%s:vpc/%s", local.partition, local.region, local.account_id, "vpc-0123456789abcdef0")}',
    )


def test_concurrency_alias_and_provisioned_instances(modules):
    alias = resources(modules["example"], "aws_lambda_alias")["this"]
    assert (alias["name"], alias["function_version"]) == ("live", "${aws_lambda_function.this.version}")
    # min 0: nothing provisioned; min 2: count-gated by the emulator toggle.
    assert not resources(modules["example"], "aws_lambda_provisioned_concurrency_config")
    provisioned = resources(modules["public"], "aws_lambda_provisioned_concurrency_config")["this"]
    assert provisioned["count"] == "${var.enable_provisioned_concurrency ? 1 : 0}"
    assert (provisioned["provisioned_concurrent_executions"], provisioned["qualifier"]) == (
        2,
        "${aws_lambda_alias.this.name}",
    )
    # issue 13 #15: the switch is declared only where there is something to switch
    assert not (modules["example"] / "variables.tf").exists()
    variables = parse_module(modules["public"])["variables.tf"]["variable"]
    assert [list(v) for v in variables] == [["image"], ["enable_provisioned_concurrency"]]  # image: issue 12 #5
    readme = (modules["public"] / "README.md").read_text()
    assert "| `enable_provisioned_concurrency` | `bool` | `true` |" in readme


def test_function_url_is_iam_unless_public(modules):
    private = resources(modules["example"], "aws_lambda_function_url")["this"]
    assert (private["authorization_type"], private["qualifier"]) == ("AWS_IAM", "${aws_lambda_alias.this.name}")
    assert not resources(modules["example"], "aws_lambda_permission")
    public = resources(modules["public"], "aws_lambda_function_url")["this"]
    assert public["authorization_type"] == "NONE"
    permission = resources(modules["public"], "aws_lambda_permission")["public_url"]
    assert (permission["action"], permission["principal"], permission["qualifier"]) == (
        "lambda:InvokeFunction",
        "*",
        "${aws_lambda_alias.this.name}",
    )
    # issue 13 #11: the statement holds only for requests through a NONE-auth function URL
    assert permission["function_url_auth_type"] == "NONE"
    assert "lambda:FunctionUrlAuthType = NONE" in (modules["public"] / "README.md").read_text()
    assert "cors" not in public


def test_vpc_created_existing_or_none(modules):
    created = modules["public"]
    assert resources(created, "aws_vpc")["this"]["cidr_block"] == "10.30.0.0/20"
    subnets = resources(created, "aws_subnet")["private"]
    assert (subnets["count"], subnets["map_public_ip_on_launch"]) == (2, False)
    assert _same_expr(subnets["cidr_block"], "${cidrsubnet(aws_vpc.this.cidr_block, 2, count.index)}")
    assert resources(created, "aws_default_security_group")["this"] == {"vpc_id": "${aws_vpc.this.id}"}
    flow = resources(created, "aws_flow_log")["this"]
    assert (flow["traffic_type"], flow["log_destination"]) == ("ALL", "${aws_cloudwatch_log_group.flow_logs.arn}")
    assert resources(created, "aws_cloudwatch_log_group")["flow_logs"]["kms_key_id"] == "${aws_kms_key.this.arn}"
    egress = resources(created, "aws_vpc_security_group_egress_rule")["https"]
    assert (egress["from_port"], egress["to_port"], egress["cidr_ipv4"]) == (443, 443, "${aws_vpc.this.cidr_block}")
    assert resources(created, "aws_vpc_endpoint")["secretsmanager"]["private_dns_enabled"] is True  # it has secrets
    assert _function(created)["vpc_config"] == [
        {"subnet_ids": "${aws_subnet.private[*].id}", "security_group_ids": ["${aws_security_group.this.id}"]}
    ]
    existing = modules["existing"]
    assert not resources(existing, "aws_vpc") and not resources(existing, "aws_vpc_endpoint")
    assert resources(existing, "aws_security_group")["this"]["vpc_id"] == "vpc-0123456789abcdef0"
    assert resources(existing, "aws_vpc_security_group_egress_rule")["https"]["cidr_ipv4"] == "0.0.0.0/0"
    assert _function(existing)["vpc_config"][0]["subnet_ids"] == [
        "subnet-0123456789abcdef0",
        "subnet-0fedcba9876543210",
    ]
    outputs = (existing / "outputs.tf").read_text()
    assert 'output "security_group_id"' in outputs and 'output "vpc_id"' not in outputs


def test_alarms_follow_the_spec_thresholds(modules):
    example = resources(modules["example"], "aws_cloudwatch_metric_alarm")
    assert set(example) == {"errors", "throttles", "latency"}
    errors = example["errors"]
    assert errors["threshold"] == 2
    rate = next(q for q in errors["metric_query"] if q["id"] == "error_rate")
    assert (rate["expression"], rate["return_data"]) == ("IF(invocations > 0, 100 * errors / invocations, 0)", True)
    assert example["latency"]["extended_statistic"] == "p99" and example["latency"]["threshold"] == 800
    assert example["throttles"]["metric_name"] == "Throttles"
    for alarm in example.values():
        assert (
            alarm["alarm_actions"] == "${local.alarm_actions}"
        )  # the topic and the spec's (tests/test_alarm_notify.py)
    minimal = resources(modules["minimal"], "aws_cloudwatch_metric_alarm")
    assert set(minimal) == {"errors", "throttles"}
    assert (minimal["errors"]["metric_name"], minimal["errors"]["threshold"]) == ("Errors", 0)


# --- the example function ------------------------------------------------------------------


def test_example_package_is_reproducible(tmp_path):
    first, second = build_zip(EXAMPLE_SOURCE), build_zip(EXAMPLE_SOURCE)
    assert first == second
    (tmp_path / "s.zip").write_bytes(first)
    with zipfile.ZipFile(tmp_path / "s.zip") as archive:
        assert [(i.filename, i.date_time) for i in archive.infolist()] == [("app.py", (1980, 1, 1, 0, 0, 0))]
        assert archive.read("app.py") == (EXAMPLE_SOURCE / "app.py").read_bytes()


def test_example_handler_scores_text_from_a_url_or_a_direct_call(monkeypatch):
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    spec = importlib.util.spec_from_file_location("sentiment_app", EXAMPLE_SOURCE / "app.py")
    app = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(app)
    monkeypatch.delenv("FEATURE_STORE_KEY_SECRET_ARN", raising=False)
    url_event = {
        "requestContext": {},
        "isBase64Encoded": True,
        "body": base64.b64encode(json.dumps({"text": "I love it, excellent work"}).encode()).decode(),
    }
    positive = app.handler(url_event, None)
    assert positive["statusCode"] == 200 and json.loads(positive["body"])["label"] == "positive"
    negative = json.loads(app.handler({"text": "not good, terrible and slow"}, None)["body"])
    assert negative["label"] == "negative" and 0 <= negative["score"] < 0.5
    bad = app.handler({"requestContext": {}, "body": "{}"}, None)
    assert bad["statusCode"] == 400 and "text" in json.loads(bad["body"])["error"]


# --- check() -----------------------------------------------------------------------------------


BASE = """
name: fn
container:
  image: {image}
  env: {env}
  secrets: {secrets}
network: {network}
targets:
  aws-lambda:
    region: us-east-1
    package: {package}
    vpc: {vpc}
{extra}
"""


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"env": "{AWS_REGION: x}"}, "`AWS_REGION` is set by the Lambda runtime"),
        ({"env": "{_X: x}"}, "Lambda environment variable names start with a letter"),
        ({"env": "{TOKEN_SECRET_ARN: x}", "secrets": "{TOKEN: tok}"}, "the secret's ARN goes into `TOKEN_SECRET_ARN`"),
        ({"env": "{BIG: " + "x" * 4096 + "}"}, "Lambda allows 4096 bytes of environment variables in total"),
        ({"vpc": "true", "network": "{cidr: 10.0.0.0/27}"}, "a created VPC needs a /16 to /26 range"),
        ({"vpc": "true", "network": "{vpc: existing}"}, "vpc: true with network.vpc `existing` needs `network`"),
        (
            {"extra": "    network: {vpc_id: vpc-0123456789abcdef0, private_subnet_ids: [subnet-0123456789abcdef0]}"},
            "only used with vpc: true and network.vpc `existing`",
        ),
        (
            {"package": "{type: image}", "image": IMAGE.replace("eu-west-1", "us-east-2")},
            "Lambda pulls images only from ECR in its own region: the image is in us-east-2, the function in us-east-1",
        ),
        ({"vpc": "true", "network": "{cidr: 10.0.0.0/26}"}, None),
    ],
)
def test_check_refuses_what_lambda_cannot_do(tmp_path, changes, message):
    fields = {
        "env": "{}",
        "secrets": "{}",
        "network": "{}",
        "vpc": "false",
        "extra": "",
        "image": IMAGE.replace("eu-west-1", "us-east-1"),
        "package": "{type: zip, filename: fn.zip, handler: app.handler, runtime: python3.12}",
        **changes,
    }
    path = write_spec_file(tmp_path, "spec", BASE.format(**fields))
    if message is None:
        assert pipeline.load_spec(path).target("aws-lambda")["vpc"] is True
        return
    with pytest.raises(SpecError) as caught:
        pipeline.load_spec(path)
    assert message in str(caught.value)


def test_readme_says_what_the_dead_letter_queue_and_the_alias_carry(modules):
    """Issue 13 #15: no alias permissions that do not exist; the queue's use stated; the reservation choice stated."""
    example = (modules["example"] / "README.md").read_text()
    assert "Published versions and a live alias; the function URL points at the alias\n" in example
    assert "with the URL as the only caller the queue stays empty" in example
    assert "No reserved concurrency (targets.aws-lambda.reserve\\_concurrency is false)" in example
    public = (modules["public"] / "README.md").read_text()
    assert "the function URL, its public-invoke permission and provisioned concurrency point at the alias" in public
    assert "reserved concurrency 5 (scaling.max, reserve\\_concurrency)" in public
