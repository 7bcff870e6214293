"""The lint's HCL reader (lines, blocks vs attributes) and its literal type rules."""

from __future__ import annotations

import pytest

from generator.hclread import Attribute, HclSyntaxError, is_expression, parse_text
from generator.lint.types import type_problems

SOURCE = """\
# a comment
resource "aws_lb" "this" {
  name = "x"
  tags = {
    Name = "x"
  }
  port = -8

  dynamic "setting" {
    for_each = var.settings
    content {
      value = setting.value
    }
  }
  tags_block {}
}
"""


def test_blocks_and_attributes_keep_their_kind_and_line():
    body = parse_text(SOURCE)
    (resource,) = body.blocks
    assert (resource.type, resource.labels, resource.line) == ("resource", ("aws_lb", "this"), 2)
    assert resource.body.attributes == (
        Attribute("name", "x", 3),
        Attribute("tags", {"Name": "x"}, 4),
        Attribute("port", -8, 7),
    )
    dynamic, tags_block = resource.body.blocks
    assert (dynamic.type, dynamic.labels, dynamic.line) == ("dynamic", ("setting",), 9)
    assert dynamic.body.attribute("for_each") == Attribute("for_each", "${var.settings}", 10)
    (content,) = dynamic.body.blocks_of("content")
    assert content.line == 11
    assert content.body.attributes == (Attribute("value", "${setting.value}", 12),)
    assert (tags_block.type, tags_block.line, tags_block.body.attributes) == ("tags_block", 15, ())


def test_syntax_error_carries_the_line():
    with pytest.raises(HclSyntaxError) as exc:
        parse_text('resource "a" "b" {\n  x = "ok"\n  y = \n}\n')
    assert exc.value.line == 3
    assert str(exc.value).startswith("HCL syntax error")


@pytest.mark.parametrize(
    "value, expected",
    [("${var.x}", True), ("pre-${var.x}", True), ("%{ if true }x%{ endif }", True), ("plain", False), (3, False)],
)
def test_is_expression(value, expected):
    assert is_expression(value) is expected


@pytest.mark.parametrize(
    "value, type_",
    [
        ("x", "string"),
        (3, "string"),  # numbers and bools convert to strings
        (True, "string"),
        (30, "number"),
        ("30", "number"),  # Terraform converts "30"
        ("-1.5e3", "number"),
        (True, "bool"),
        ("false", "bool"),
        ("1", "bool"),
        (None, "number"),  # null is "unset"
        ("${var.x}", ["list", "string"]),  # expressions are unknown until plan
        (["a", 1], ["list", "string"]),
        ([], ["set", "number"]),
        ({"a": "b", "c": 2}, ["map", "string"]),
        ({"a": 1}, ["object", {"a": "number", "b": "string"}, ["b"]]),
        (["a", 1], ["tuple", ["string", "number"]]),
        ({"deep": [1, "x"]}, "dynamic"),
    ],
)
def test_conversions_terraform_accepts(value, type_):
    assert type_problems(value, type_) == []


@pytest.mark.parametrize(
    "value, type_, message",
    [
        ({"a": "b"}, "string", "expected string, got an object"),
        (["a"], "string", "expected string, got a list"),
        ("thirty", "number", 'expected number, got string "thirty"'),
        (True, "number", "expected number, got bool"),
        (1, "bool", "expected bool, got number"),
        ("yes", "bool", 'expected bool, got string "yes"'),
        ("a", ["list", "string"], 'expected list of string, got string "a"'),
        ({"a": "b"}, ["set", "string"], "expected set of string, got an object"),
        (["a"], ["map", "string"], "expected map of string, got a list"),
        ({"b": "x"}, ["object", {"a": "number", "b": "string"}], 'object is missing attribute "a"'),
    ],
)
def test_conversions_terraform_rejects(value, type_, message):
    assert [p.message for p in type_problems(value, type_)] == [message]


def test_problem_paths_point_inside_the_value():
    problems = type_problems({"a": ["1", "x"], "b": {"c": True}}, ["map", ["list", "number"]])
    assert [(p.path, p.message) for p in problems] == [
        ('["a"][1]', 'expected number, got string "x"'),
        ('["b"]', "expected list of number, got an object"),
    ]
