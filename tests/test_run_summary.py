"""Plan summaries from `terraform show -json` documents (the real-plan checks are in test_run_lifecycle.py)."""

from __future__ import annotations

import json

import pytest

from generator.summary import MARKDOWN_DIFF_LIMIT, render, summarize, to_json, to_markdown, to_text


def change(address: str, *actions: str, **extra) -> dict:
    rtype, name = address.split("[")[0].split(".")[-2:]
    return {"address": address, "type": rtype, "name": name, "change": {"actions": list(actions), **extra}}


PLAN = {
    "terraform_version": "1.11.4",
    "resource_changes": [
        change("aws_sqs_queue.jobs", "create"),
        change("aws_kms_key.this", "no-op"),
        change("aws_ecs_service.this", "update"),
        change("aws_iam_role.task", "delete"),
        change("aws_ecs_cluster.this", "delete", "create", replace_paths=[["name"]]),
        change("aws_lb.this", "create", "delete", replace_paths=[["name"], ["internal"]]),
        change("data.aws_caller_identity.current", "read"),
    ],
    "output_changes": {"url": {"actions": ["update"]}, "same": {"actions": ["no-op"]}},
}


def test_counts_and_order_follow_terraform():
    summary = summarize(PLAN, module="iris/aws-ecs")
    assert (summary.add, summary.change, summary.destroy) == (3, 1, 3)
    assert summary.headline == "Plan: 3 to add, 1 to change, 3 to destroy."
    assert [(c.address, c.action) for c in summary.changes] == [
        ("aws_iam_role.task", "delete"),
        ("aws_ecs_cluster.this", "replace"),
        ("aws_lb.this", "replace"),
        ("aws_sqs_queue.jobs", "create"),
        ("aws_ecs_service.this", "update"),
        ("data.aws_caller_identity.current", "read"),
    ]
    assert [c.reason for c in summary.destroys] == ["", "name forces replacement", "name, internal force replacement"]
    assert summary.output_changes == (("url", "update"),)


def test_text_calls_out_destruction_before_the_diff():
    text = to_text(summarize(PLAN, diff="Terraform will perform the following actions:\n  ...\n"))
    assert text == (
        "Plan: 3 to add, 1 to change, 3 to destroy.\n"
        "\n"
        "WILL BE DESTROYED OR REPLACED (3):\n"
        "  - aws_iam_role.task (delete)\n"
        "  -/+ aws_ecs_cluster.this (replace: name forces replacement)\n"
        "  -/+ aws_lb.this (replace: name, internal force replacement)\n"
        "\n"
        "Terraform will perform the following actions:\n"
        "  ...\n"
    )


def test_json_is_addresses_and_actions_only():
    plan = dict(
        PLAN,
        resource_changes=PLAN["resource_changes"]
        + [
            {
                **change("aws_ssm_parameter.secret", "update"),
                "change": {"actions": ["update"], "after": {"value": "hunter2"}},
            }
        ],
    )
    document = json.loads(to_json(summarize(plan, module="m")))
    assert document["counts"] == {"add": 3, "change": 2, "destroy": 3}
    assert document["destroys"][0] == {"address": "aws_iam_role.task", "action": "delete", "reason": ""}
    assert document["resource_changes"][1] == {
        "address": "aws_ecs_cluster.this",
        "type": "aws_ecs_cluster",
        "name": "this",
        "module": "",
        "action": "replace",
        "actions": ["delete", "create"],
    }
    assert "hunter2" not in json.dumps(document)


def test_markdown_survives_backticks_and_long_diffs():
    plan = {"resource_changes": [change('aws_s3_bucket.b["we`ird"]', "delete")]}
    diff = '  - resource "x" {\n      ```tricky```\n' + "      - line\n" * (MARKDOWN_DIFF_LIMIT // 10)
    md = to_markdown(summarize(plan, diff=diff, module="m"))
    assert '> - ``aws_s3_bucket.b["we`ird"]`` (delete)' in md
    assert "\n````diff\n" in md and md.rstrip().endswith("````\n\n</details>")  # fence longer than any ``` inside
    assert '\n-   resource "x" {' in md
    assert "... (truncated to fit a GitHub comment (65,536 characters); every change is in the plan's JSON" in md
    assert len(md) < MARKDOWN_DIFF_LIMIT + 2000


def test_no_changes_and_output_only_changes():
    assert to_text(summarize({"resource_changes": [change("a.b", "no-op")]})) == (
        "No changes. The infrastructure matches the configuration.\n"
    )
    only_outputs = summarize({"output_changes": {"url": {"actions": ["create"]}}})
    assert only_outputs.has_changes and only_outputs.headline == "Only output values change; no resources."
    md = to_markdown(only_outputs)
    assert "CAUTION" not in md and "Outputs: `url` (create)" in md


def test_unknown_format():
    with pytest.raises(ValueError):
        render(summarize({}), "yaml")
