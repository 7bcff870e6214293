"""`generator.lint`: the rules, against tfgen's bundled provider schemas (real schemas, trimmed).

Every expectation in the broken fixtures was cross-checked once against
`terraform validate` with hashicorp/aws 5.100 (same problems, same lines).
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from generator.lint import ERROR, WARNING, LintFinding, SchemaUnavailable, lint, lint_modules
from tests.support import GOOGLE_SCHEMA

FIXTURES = Path(__file__).parent / "fixtures" / "lint"
BROKEN = FIXTURES / "broken"
TOY = FIXTURES / "toy.schema.json"


@pytest.fixture(autouse=True)
def schema_cache(tmp_path_factory, monkeypatch):
    """One schema cache for the whole session, never the user's ~/.cache."""
    cache = tmp_path_factory.getbasetemp() / "schema-cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    return cache


def write_module(tmp_path: Path, text: str, name: str = "main.tf") -> Path:
    (tmp_path / name).write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return tmp_path


def lines(findings: list[LintFinding], root: Path | None = None) -> list[str]:
    out = []
    for f in findings:
        s = str(f)
        out.append(s.replace(str(root) + "/", "") if root else s)
    return out


def broken(name: str, schemas=()) -> list[str]:
    findings = lint_modules([BROKEN / name], list(schemas), use_terraform=False)
    return [str(f)[len(f.file) + 1 :] for f in findings]  # drop the "path:" prefix


def test_clean_modules_for_all_three_providers_have_no_findings():
    report = lint([FIXTURES / "clean"], [], use_terraform=False)
    assert report.findings == []
    assert report.modules == 3
    assert report.counts.resources == 14
    assert report.counts.data_sources == 1
    assert report.counts.providers == 3


def test_misspelt_attribute_is_reported_with_a_suggestion():
    assert broken("misspelt_attribute.tf") == [
        '6: resource.aws_lb.this: unknown attribute "idle_timout" (did you mean "idle_timeout"?)'
    ]


def test_missing_required_block():
    assert broken("missing_required_block.tf") == [
        '1: resource.aws_lb_listener.http: missing required block "default_action"'
    ]


def test_missing_required_attribute():
    assert broken("missing_required_attribute.tf") == [
        '1: resource.aws_iam_role.task: missing required attribute "assume_role_policy"'
    ]


def test_wrong_literal_types():
    assert broken("wrong_type.tf") == [
        '3: resource.aws_lb.this: wrong type for "internal": expected bool, got string "maybe"',
        '4: resource.aws_lb.this: wrong type for "idle_timeout": expected number, got string "sixty"',
        '5: resource.aws_lb.this: wrong type for "subnets": expected set of string, got string "subnet-1"',
        '6: resource.aws_lb.this: wrong type for "tags": expected map of string, got a list',
    ]


def test_computed_only_attribute_set():
    assert broken("computed_only.tf") == [
        '4: resource.aws_lb.this: "dns_name" is computed by the provider and cannot be set'
    ]


def test_max_items_exceeded_points_at_the_extra_block():
    assert broken("max_items.tf") == [
        '11: resource.aws_lb_target_group.this: too many "health_check" blocks: at most 1 block allowed, found 2'
    ]


def test_unknown_resource_and_data_source_types():
    assert broken("unknown_resource_type.tf") == [
        '1: resource.aws_load_balancer.this: unknown resource type "aws_load_balancer" in provider aws '
        '(did you mean "aws_load_balancer_policy"?)',
        '5: data.aws_iam_policy_documnt.assume: unknown data source "aws_iam_policy_documnt" in provider aws '
        '(did you mean "aws_iam_policy_document"?)',
    ]


def test_block_written_as_attribute_and_attribute_as_block():
    assert broken("block_attribute_confusion.tf") == [
        '5: resource.aws_lb_listener.http: "default_action" is a block, not an attribute: write default_action { ... }',
        '9: resource.aws_lb_listener.http: "tags" is an attribute, not a block: write tags = ...',
    ]


def test_dynamic_blocks_are_checked_by_label_and_content():
    assert broken("dynamic_blocks.tf") == [
        '8: resource.aws_security_group.this: dynamic "ingres": unknown block "ingres" (did you mean "ingress"?)',
        '20: resource.aws_security_group.this: egress: unknown attribute "protocl" (did you mean "protocol"?)',
        '32: resource.aws_lb_listener.http: default_action.forward: missing required block "target_group"',
        '34: resource.aws_lb_listener.http: default_action.forward.stickiness: wrong type for "duration": '
        'expected number, got string "long"',
    ]


def test_meta_arguments_are_terraforms_and_timeouts_only_where_the_schema_has_it():
    # aws_lb has a timeouts block, aws_cloudwatch_log_group does not
    assert broken("meta_arguments.tf") == [
        '27: resource.aws_cloudwatch_log_group.both: "count" and "for_each" cannot both be set',
        '32: resource.aws_cloudwatch_log_group.both: lifecycle: unknown argument "ignore_chnages" '
        '(did you mean "ignore_changes"?)',
        '35: resource.aws_cloudwatch_log_group.both: unknown block "timeouts"',
    ]


def test_provider_block_is_checked_against_the_provider_schema():
    assert broken("provider_block.tf") == [
        '3: provider.aws: unknown attribute "regon" (did you mean "region"?)',
        '6: provider.aws: default_tags: wrong type for "tags": expected map of string, got string "ManagedBy=tfgen"',
    ]


def test_syntax_error_is_a_finding_with_its_line():
    assert broken("syntax_error.tf") == ["4: HCL syntax error: unexpected '}'"]


def test_deprecated_attribute_is_a_warning_not_an_error():
    findings = lint_modules([BROKEN / "deprecated_only.tf"], [], use_terraform=False)
    assert [(f.line, f.severity, f.message) for f in findings] == [(4, WARNING, '"managed_policy_arns" is deprecated')]
    assert "warning: " in str(findings[0])


def test_findings_sorted_by_file_then_line(tmp_path):
    (tmp_path / "b.tf").write_text('resource "aws_lb" "b" {\n  bogus = 1\n}\n')
    (tmp_path / "a.tf").write_text(
        '\n\nresource "aws_lb" "a" {\n  nope = 1\n}\n\nresource "aws_lb" "c" {\n  zzz = 1\n}\n'
    )
    findings = lint_modules([tmp_path], [], use_terraform=False)
    assert [(Path(f.file).name, f.line) for f in findings] == [("a.tf", 4), ("a.tf", 8), ("b.tf", 2)]
    assert all(f.severity == ERROR for f in findings)


def test_expressions_are_never_type_checked(tmp_path):
    write_module(
        tmp_path,
        """
        variable "internal" {
          type = bool
        }
        resource "aws_lb" "this" {
          name         = "${var.prefix}-lb"
          internal     = var.internal
          idle_timeout = var.enabled ? 60 : 30
          subnets      = concat(var.a, ["subnet-1"])
          tags         = merge(var.tags, { Name = "x" })
        }
        """,
    )
    assert lint_modules([tmp_path], [], use_terraform=False) == []


def test_literal_conversions_terraform_accepts_are_not_flagged(tmp_path):
    write_module(
        tmp_path,
        """
        resource "aws_lb" "this" {
          name         = 42
          internal     = "false"
          idle_timeout = "60"
          subnets      = ["subnet-1", "subnet-2"]
          tags         = { Count = 3, Enabled = true }
        }
        """,
    )
    assert lint_modules([tmp_path], [], use_terraform=False) == []


def test_attribute_of_object_list_may_be_written_as_attribute_or_blocks(tmp_path):
    write_module(
        tmp_path,
        """
        resource "aws_security_group" "attr" {
          ingress = [{
            from_port        = 80
            to_port          = 80
            protocol         = "tcp"
            cidr_blocks      = ["0.0.0.0/0"]
            ipv6_cidr_blocks = []
            prefix_list_ids  = []
            security_groups  = []
            self             = false
            description      = "http"
          }]
        }

        resource "aws_security_group" "partial" {
          ingress = [{
            from_port = "eighty"
            to_port   = 80
            protocol  = "tcp"
            colour    = "blue"
          }]
        }
        """,
    )
    got = lines(lint_modules([tmp_path], [], use_terraform=False), tmp_path)
    assert got == [
        'main.tf:16: resource.aws_security_group.partial: warning: "ingress[0]": '
        'attribute "colour" is not part of the object type and is ignored',
        'main.tf:16: resource.aws_security_group.partial: wrong type for "ingress[0]": object is missing attribute "cidr_blocks"',
        'main.tf:16: resource.aws_security_group.partial: wrong type for "ingress[0]": object is missing attribute "description"',
        'main.tf:16: resource.aws_security_group.partial: wrong type for "ingress[0]": '
        'object is missing attribute "ipv6_cidr_blocks"',
        'main.tf:16: resource.aws_security_group.partial: wrong type for "ingress[0]": '
        'object is missing attribute "prefix_list_ids"',
        'main.tf:16: resource.aws_security_group.partial: wrong type for "ingress[0]": '
        'object is missing attribute "security_groups"',
        'main.tf:16: resource.aws_security_group.partial: wrong type for "ingress[0]": object is missing attribute "self"',
        'main.tf:16: resource.aws_security_group.partial: wrong type for "ingress[0].from_port": '
        'expected number, got string "eighty"',
    ]


def test_google_beta_provider_reference_is_served_by_the_google_schema(tmp_path):
    write_module(
        tmp_path,
        """
        terraform {
          required_providers {
            google-beta = {
              source = "hashicorp/google-beta"
            }
          }
        }
        provider "google-beta" {
          alias   = "beta"
          project = "demo"
        }
        resource "google_cloud_run_v2_service" "this" {
          provider = google-beta.beta
          name     = "svc"
          location = "europe-west1"
          template {
            containers {
              imag = "x"
            }
          }
        }
        """,
    )
    got = lines(lint_modules([tmp_path], [GOOGLE_SCHEMA], use_terraform=False), tmp_path)
    assert got == [
        'main.tf:17: resource.google_cloud_run_v2_service.this: template.containers: missing required attribute "image"',
        "main.tf:18: resource.google_cloud_run_v2_service.this: template.containers: "
        'unknown attribute "imag" (did you mean "image"?)',
    ]


def test_azurerm_provider_and_container_group_rules(tmp_path):
    write_module(
        tmp_path,
        """
        provider "azurerm" {
          features {}
          subscription = "x"
        }
        resource "azurerm_container_group" "this" {
          name                = "aci"
          location            = "westeurope"
          resource_group_name = "rg"
          os_type             = "Linux"
          container {
            name   = "model"
            image  = "nginx"
            cpu    = "one"
            memory = 1.5
          }
        }
        """,
    )
    got = lines(lint_modules([tmp_path], [], use_terraform=False), tmp_path)
    assert got == [
        'main.tf:3: provider.azurerm: unknown attribute "subscription" (did you mean "subscription_id"?)',
        'main.tf:13: resource.azurerm_container_group.this: container: wrong type for "cpu": '
        'expected number, got string "one"',
    ]


def test_missing_schema_is_one_clear_error(tmp_path):
    # a type tfgen never renders, so the bundled google schema does not hold it
    write_module(tmp_path, 'resource "google_bigquery_dataset" "b" {\n  dataset_id = "x"\n}\n')
    with pytest.raises(SchemaUnavailable) as exc:
        lint([tmp_path], [], use_terraform=False)
    message = str(exc.value)
    assert message.startswith(f"no schema for provider google (used in {tmp_path}); pass --provider-schema FILE")
    assert "\n" not in message
    assert exc.value.exit_code == 1


def test_builtin_terraform_provider_needs_no_schema_file(tmp_path):
    write_module(
        tmp_path,
        """
        resource "terraform_data" "x" {
          input  = "a"
          output = "b"
        }
        """,
    )
    got = lines(lint_modules([tmp_path], [], use_terraform=False), tmp_path)
    assert got == ['main.tf:3: resource.terraform_data.x: "output" is computed by the provider and cannot be set']


# --- the rules that the real schemas exercise rarely, on a small hand-written schema


def test_toy_schema_nesting_modes_counts_and_types(tmp_path):
    write_module(
        tmp_path,
        """
        provider "toy" {
          endpoint = "https://toy"
        }
        resource "toy_thing" "a" {
          name     = "a"
          size     = [1]
          enabled  = 1
          old      = "x"
          spec     = { a = "s" }
          pair     = ["s", 1, 2]
          anything = { any = ["thing"] }
          settings = [{ value = "v" }]

          one {
            x = "1"
          }
          one {
            x = "2"
          }
          env "HOME" {
            value = "/root"
          }
          env {
            value = "/tmp"
          }
          zone {
            name = "z1"
          }
          zone "labelled" {
            name = "z2"
          }
        }
        resource "toy_thing" "b" {
          name = null
          zone {
            name = "z1"
          }
          zone {
            name = "z2"
          }
          zone {
            name = "z3"
          }
          zone {
            name = "z4"
          }
        }
        resource "toy_thing" "c" {
          name = "c"
          dynamic "zone" {
            for_each = var.zones
            content {
              name = zone.value
            }
          }
        }
        resource "toy_legacy" "d" {
        }
        resource "toy_thing" "f" {
          name = "f"
          zone {
            name = "only"
          }
        }
        resource "toy_thing" "g" {
          name = "g"
        }
        data "toy_lookup" "e" {
          query  = "q"
          result = "r"
        }
        """,
    )
    got = lines(lint_modules([tmp_path], [TOY], use_terraform=False), tmp_path)
    assert got == [
        'main.tf:6: resource.toy_thing.a: wrong type for "size": expected number, got a list',
        'main.tf:7: resource.toy_thing.a: wrong type for "enabled": expected bool, got number',
        'main.tf:8: resource.toy_thing.a: warning: "old" is deprecated',
        'main.tf:10: resource.toy_thing.a: wrong type for "pair": expected a tuple of 2 elements, got 3',
        'main.tf:12: resource.toy_thing.a: wrong type for "settings[0]": object is missing attribute "key"',
        'main.tf:17: resource.toy_thing.a: too many "one" blocks: at most 1 block allowed, found 2',
        'main.tf:23: resource.toy_thing.a: block "env" needs one label (its map key)',
        'main.tf:29: resource.toy_thing.a: block "zone" takes no labels',
        'main.tf:34: resource.toy_thing.b: required attribute "name" is null',
        'main.tf:44: resource.toy_thing.b: too many "zone" blocks: at most 3 blocks allowed, found 4',
        "main.tf:57: resource.toy_legacy.d: warning: toy_legacy is deprecated",
        'main.tf:61: resource.toy_thing.f: at least 2 "zone" blocks are required, found 1',
        'main.tf:65: resource.toy_thing.g: missing required block "zone"',
        'main.tf:70: data.toy_lookup.e: "result" is computed by the provider and cannot be set',
    ]


def test_variable_output_and_meta_argument_literals_follow_terraforms_rules():
    # terraform validate agrees line for line (it stops after the first two groups)
    assert broken("language_and_meta.tf") == [
        '3: variable.name: unknown attribute "descripton" (did you mean "description"?)',
        '6: output.url: missing required attribute "value"',
        '7: output.url: wrong type for "description": expected string, got an object',
        '11: resource.aws_cloudwatch_log_group.a: wrong type for "count": expected number, got string "abc"',
        '16: resource.aws_cloudwatch_log_group.b: "for_each" needs a map or a set of strings: wrap the list in toset()',
        '18: resource.aws_cloudwatch_log_group.b: warning: quoted references in "depends_on" are deprecated: '
        "write aws_cloudwatch_log_group.a without quotes",
        '22: resource.aws_cloudwatch_log_group.c: "count" must be a whole number >= 0, got -1',
    ]
