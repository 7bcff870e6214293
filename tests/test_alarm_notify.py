"""Issue 13 #3: alarms notify someone.

`observability.notify_emails` (shared) and each target's own destinations
(aws: `alarm_topic_arns`, gcp-cloud-run: `notification_channels`, azure-aci:
`action_group_ids`) reach every alarm the module renders; `tfgen check` warns
(Target.warnings, printed by the validate step) when a module has alarms and
nobody is told; the kubernetes target, which renders no alarms, refuses the field.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from generator import check, pipeline
from generator.errors import SpecError
from generator.targets import aws_ecs, aws_lambda, azure_aci, gcp_cloud_run, registry
from tests.hclread import local_values, parse_module, plain, resources
from tests.support import EXAMPLES, render_spec_file, write_spec_file, write_variant_spec


@pytest.fixture(scope="module")
def full(tmp_path_factory) -> dict[str, Path]:
    """Each target's all-features variant (emails and the target's own destinations set)."""
    folder = tmp_path_factory.mktemp("notify")
    return {
        target.NAME: render_spec_file(
            write_variant_spec(folder, target.NAME, target.VARIANTS["all-features"]), target.TARGET, folder / "out"
        )
        for target in (aws_ecs, aws_lambda, gcp_cloud_run, azure_aci)
    }


@pytest.mark.parametrize("target, topic", [(aws_ecs, "alarms"), (aws_lambda, "this")])
def test_aws_alarms_email_the_spec_and_act_on_its_topics(full, target, topic):
    module = full[target.NAME]
    subscription = resources(module, "aws_sns_topic_subscription")["email"]
    assert subscription["protocol"] == "email" and subscription["endpoint"] == "${each.value}"
    assert subscription["topic_arn"] == f"${{aws_sns_topic.{topic}.arn}}"
    emails = target.VARIANTS["all-features"]["observability"]["notify_emails"]
    assert subscription["for_each"] == f"${{toset({emails!r})}}"  # hcl2 prints the list Python-style
    arns = target.VARIANTS["all-features"]["targets"][target.NAME]["alarm_topic_arns"]
    assert local_values(module)["alarm_actions"] == [f"${{aws_sns_topic.{topic}.arn}}", *arns]
    alarms = resources(module, "aws_cloudwatch_metric_alarm")
    assert alarms and all(a["alarm_actions"] == a["ok_actions"] == "${local.alarm_actions}" for a in alarms.values())


def test_cloud_run_alerts_notify_email_channels_and_the_spec_channels(full):
    module = full[gcp_cloud_run.NAME]
    channel = resources(module, "google_monitoring_notification_channel")["email"]
    assert channel["type"] == "email" and channel["labels"] == {"email_address": "${each.value}"}
    locals_ = "".join(str(plain(b)) for b in parse_module(module)["monitoring.tf"]["locals"])
    assert "google_monitoring_notification_channel.email" in locals_
    assert "projects/ml-serving-demo/notificationChannels/1234567890" in locals_
    policies = resources(module, "google_monitoring_alert_policy")
    assert policies and all(p["notification_channels"] == "${local.notification_channels}" for p in policies.values())


def test_aci_alerts_notify_an_email_action_group_and_the_spec_groups(full):
    module = full[azure_aci.NAME]
    group = resources(module, "azurerm_monitor_action_group")["email"]
    assert len(group["short_name"]) <= 12
    text = (module / "monitoring.tf").read_text()
    assert 'for_each = ["oncall@example.com"]' in text and "email_address           = email_receiver.value" in text
    assert "[azurerm_monitor_action_group.email.id]" in text and "/actionGroups/pager" in text
    assert (
        text.count("for_each = local.action_group_ids") == len(resources(module, "azurerm_monitor_metric_alert")) == 2
    )


def _warnings(path: Path, env: str | None = None) -> list[str]:
    return check._warnings(pipeline.load_environments(path, env))


def test_check_warns_for_every_module_whose_alarms_tell_nobody(tmp_path):
    # The examples set thresholds but name nobody: one warning per module with alarms.
    iris = _warnings(EXAMPLES / "iris-classifier.yaml")
    assert len(iris) == 4  # aws-ecs and gcp-cloud-run, base and prod
    assert all("alarms that notify nobody" in w and "iris-classifier.yaml" in w for w in iris)
    assert any("(environment prod)" in w and "targets.aws-ecs.alarm_topic_arns" in w for w in iris)
    lambda_ = _warnings(EXAMPLES / "sentiment-lambda.yaml")  # the errors and throttles alarms always exist
    assert len(lambda_) == 1 and "targets.aws-lambda.alarm_topic_arns" in lambda_[0]
    assert "targets.azure-aci.action_group_ids" in _warnings(EXAMPLES / "resnet-aci.yaml")[0]
    # Anyone told, or no alarms at all: silence.
    for target in (aws_ecs, aws_lambda, gcp_cloud_run, azure_aci):
        spec = write_variant_spec(tmp_path, target.NAME, target.VARIANTS["all-features"])
        assert _warnings(spec) == [], target.NAME
    # No threshold anywhere and nobody told: still warned (the outage alarms always exist on ECS).
    assert len(_warnings(write_variant_spec(tmp_path, "ecs-min", aws_ecs.VARIANTS["minimal"]))) == 1
    assert _warnings(write_variant_spec(tmp_path, "run-min", gcp_cloud_run.VARIANTS["minimal"])) == []
    emails_only = dict(
        aws_ecs.VARIANTS["minimal"], observability={"alarms": {"cpu_percent": 90}, "notify_emails": ["a@example.org"]}
    )
    assert _warnings(write_variant_spec(tmp_path, "ecs-emails", emails_only)) == []


def test_check_reports_the_warnings_in_its_validate_step(monkeypatch):
    """The validate step carries the warnings and stays ok; the CLI prints every step's messages."""

    def stop(spec, *args, **kwargs):
        raise SpecError([])  # end the run at render: the later gates are not this test's subject

    monkeypatch.setattr(pipeline, "render_spec", stop)
    seen: list[str] = []
    steps = check.run_check(check.CheckOptions([EXAMPLES / "resnet-aci.yaml"]), seen.append)
    assert seen[0] == "validate: ok" and steps[0].name == "validate"
    assert len(steps[0].messages) == 1 and steps[0].messages[0].startswith("warning: ")
    assert "targets.azure-aci.action_group_ids" in steps[0].messages[0]


def test_kubernetes_refuses_notify_emails(tmp_path):
    spec = dict(registry.get("kubernetes").variants["minimal"], observability={"notify_emails": ["a@example.org"]})
    with pytest.raises(SpecError) as caught:
        pipeline.load_spec(write_variant_spec(tmp_path, "k8s", spec))
    assert "observability.notify_emails: the manifests have no alarms" in str(caught.value)


@pytest.mark.parametrize("bad", ["not-an-email", "a@b", "a b@example.org"])
def test_notify_emails_are_checked_by_the_schema(tmp_path, bad):
    text = f"""
    name: svc
    container: {{image: ghcr.io/x/y:1}}
    observability: {{notify_emails: ["{bad}"]}}
    targets:
      aws-ecs: {{region: us-east-1}}
    """
    with pytest.raises(SpecError) as caught:
        pipeline.load_spec(write_spec_file(tmp_path, "bad", text))
    assert "observability.notify_emails" in str(caught.value)
