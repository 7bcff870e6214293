"""The Markdown plan summary fits a GitHub comment (65,536 characters), however big the plan.

Past the limit it is cut - the diff first, then the list of non-destructive
changes, then the destroys - and every cut says so and names the full plan JSON.
"""

from __future__ import annotations

import pytest

from generator.summary import MARKDOWN_LIMIT, summarize, to_markdown

FULL = ".tfgen/runs/iris/aws-ecs/tfplan.json"
NOTE = f"truncated to fit a GitHub comment (65,536 characters); every change is in `{FULL}`"


def plan_of(creates: int, destroys: int, name_length: int = 40) -> dict:
    def change(i: int, action: str) -> dict:
        return {
            "address": f"aws_ssm_parameter.p{i:05d}_{'x' * name_length}",
            "type": "aws_ssm_parameter",
            "name": f"p{i}",
            "change": {"actions": [action]},
        }

    return {
        "resource_changes": [change(i, "create") for i in range(creates)]
        + [change(100_000 + i, "delete") for i in range(destroys)]
    }


def diff_of(lines: int) -> str:
    return "".join(
        f'  + resource "aws_ssm_parameter" "p{i}" {{\n      + value = "{"v" * 60}"\n    }}\n' for i in range(lines)
    )


def test_a_small_plan_is_not_cut():
    md = to_markdown(summarize(plan_of(3, 1), diff=diff_of(3), module="m"), FULL)
    assert "truncated" not in md and md.count("aws_ssm_parameter.p") == 4 + 0


def test_51_resources_with_a_long_diff_fit_and_point_to_the_json():
    # the case: 51 resources, a diff that alone is ~62 KB
    summary = summarize(plan_of(51, 0), diff=diff_of(700), module="iris/aws-ecs")
    md = to_markdown(summary, FULL)
    assert len(summary.diff) > MARKDOWN_LIMIT - 10_000
    assert len(md) <= MARKDOWN_LIMIT
    assert f"... ({NOTE})" in md
    assert md.count("- create `aws_ssm_parameter.p") == 51  # the lists stay whole; only the diff is cut
    assert md.rstrip().endswith("</details>")


@pytest.mark.parametrize(("creates", "destroys"), [(3000, 0), (3000, 40), (0, 4000), (2500, 2500)])
def test_huge_plans_fit_and_never_hide_a_destroy_silently(creates, destroys):
    md = to_markdown(summarize(plan_of(creates, destroys), diff=diff_of(2000), module="m"), FULL)
    assert len(md) <= MARKDOWN_LIMIT
    assert NOTE in md
    listed_destroys = md.count("> - `aws_ssm_parameter.p1")
    if listed_destroys < destroys:  # destroys cut only when they alone do not fit, and then counted
        assert f"> - ... and {destroys - listed_destroys} more ({NOTE})" in md
    listed_creates = md.count("- create `aws_ssm_parameter.p")
    if listed_creates < creates:
        assert f"- ... and {creates - listed_creates} more ({NOTE})" in md
    assert f"This plan destroys or replaces {destroys} resource" in md if destroys else "CAUTION" not in md


def test_without_a_path_the_note_still_says_where_the_whole_plan_is():
    md = to_markdown(summarize(plan_of(51, 0), diff=diff_of(700), module="m"))
    assert len(md) <= MARKDOWN_LIMIT
    assert "every change is in the plan's JSON (`terraform show -json`)" in md
