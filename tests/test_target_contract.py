"""The target contract (generator/targets/base.py): every registered target keeps it,
and what is derived from the registry (schema, defaults, CLI choices, docs) is current."""

from __future__ import annotations

import dataclasses
import json
import re

import pytest

from generator import model, pipeline, render, spec_schema
from generator.cli.render import command as render_command
from generator.overrides import override_schema
from generator.targets import contract, registry
from generator.targets.base import Provider
from tests.support import REPO, write_variant_spec

TARGETS = registry.TARGETS
IDS = [t.name for t in TARGETS]


@pytest.mark.parametrize("target", TARGETS, ids=IDS)
def test_every_registered_target_keeps_the_contract(target):
    assert contract.problems(target) == []


def test_target_names_are_unique_and_the_registry_is_the_only_list():
    assert len(set(IDS)) == len(IDS) >= 4
    assert registry.names() == tuple(IDS)
    assert [registry.get(name) for name in IDS] == list(TARGETS)
    choice = next(p for p in render_command.params if p.name == "targets").type
    assert tuple(choice.choices) == registry.names()
    assert not hasattr(model, "TARGET_NAMES") and not hasattr(model, "TARGET_DEFAULTS")


def test_committed_schema_file_is_what_the_registry_builds():
    committed = (REPO / "schemas" / "tfgen.schema.json").read_text(encoding="utf-8")
    assert committed == spec_schema.schema_text(), "stale schema: run `python -m generator.spec_schema`"


def test_schema_targets_section_comes_from_the_fragments():
    schema = spec_schema.spec_schema()
    assert list(schema["$defs"]["targets"]["properties"]) == list(IDS)
    for target in TARGETS:
        ref = schema["$defs"]["targets"]["properties"][target.name]["$ref"]
        # the target's fragment, plus the per-target overrides every target takes (generator/overrides.py)
        expected = {**target.schema, "properties": {**target.schema["properties"], **override_schema()}}
        assert schema["$defs"][ref.split("/")[-1]] == expected
        assert target.title in schema["description"]


def test_a_removed_target_leaves_nothing_behind_in_the_schema():
    kept = [t for t in TARGETS if not t.schema_defs]  # targets without shared definitions
    built = spec_schema.with_targets(spec_schema.spec_schema(), kept)
    gone = [t for t in TARGETS if t not in kept]
    assert gone, "needs a target with shared schema definitions"
    for target in gone:
        assert target.schema_def_name not in built["$defs"]
        assert target.name not in built["$defs"]["targets"]["properties"]
        assert target.title not in built["description"]
        for key in target.schema_defs:
            assert key not in built["$defs"]


@pytest.mark.parametrize("target", TARGETS, ids=IDS)
def test_defaults_are_applied_by_normalize(target):
    spec = model.normalize(target.variants["minimal"])
    settings = spec.target(target.name)
    for key, value in target.defaults.items():
        if not isinstance(value, dict):
            given = target.variants["minimal"]["targets"][target.name].get(key, value)
            assert settings[key] == (tuple(given) if isinstance(given, list) else given)


@pytest.mark.parametrize("target", TARGETS, ids=IDS)
def test_every_variant_validates_and_renders_with_versions_from_the_providers(target, tmp_path):
    for name, data in target.variants.items():
        spec = pipeline.load_spec(write_variant_spec(tmp_path, name, dict(data)))
        files = render.render_module(spec, target)
        by_name = {p.name: text for p, text in files.items()}
        if target.output.name == "terraform":
            for provider in target.providers:
                assert f"source  = {json.dumps(provider.source)}" in by_name["versions.tf"]
                assert f"version = {json.dumps(provider.version)}" in by_name["versions.tf"]
            assert 'backend "' in by_name["backend.tf"]


# -- the contract catches a broken target -------------------------------------


def _broken(target, **changes):
    return contract.problems(dataclasses.replace(target, **changes))


def test_contract_catches_a_missing_template_folder():
    found = _broken(TARGETS[0], template_dir="no-such-folder")
    assert any("no templates in" in p for p in found), found


def test_contract_catches_a_provider_without_a_version():
    found = _broken(TARGETS[0], providers=(Provider("aws", "hashicorp/aws", ""),))
    assert any("is not a version constraint" in p for p in found), found
    found = _broken(TARGETS[0], providers=(Provider("aws", "hashicorp/aws", "latest"),))
    assert any("is not a version constraint" in p for p in found), found
    assert any("needs at least one provider" in p for p in _broken(TARGETS[0], providers=()))


def test_contract_catches_defaults_that_do_not_match_the_schema_fragment():
    with_defaults = next(t for t in TARGETS if any(not isinstance(v, dict) for v in t.defaults.values()))
    key, value = next((k, v) for k, v in with_defaults.defaults.items() if not isinstance(v, dict))
    wrong = _broken(with_defaults, defaults={**with_defaults.defaults, key: "something else"})
    assert any(f"defaults.{key}: 'something else' but the schema fragment says {value!r}" in p for p in wrong), wrong
    missing = _broken(with_defaults, defaults={k: v for k, v in with_defaults.defaults.items() if k != key})
    assert any(f"schema.{key}: default" in p for p in missing), missing
    unknown = _broken(with_defaults, defaults={**with_defaults.defaults, "no_such_setting": 1})
    assert any("defaults.no_such_setting: not a property" in p for p in unknown), unknown


def test_contract_catches_nested_defaults_that_do_not_match():
    nested = next(t for t in TARGETS if any(isinstance(v, dict) for v in t.defaults.values()))
    key, inner = next((k, v) for k, v in nested.defaults.items() if isinstance(v, dict))
    wrong = {**nested.defaults, key: {k: "other" for k in inner}}
    assert any(f"defaults.{key}." in p for p in _broken(nested, defaults=wrong))


def test_contract_catches_a_loose_schema_and_missing_variants():
    loose = _broken(TARGETS[0], schema={**TARGETS[0].schema, "additionalProperties": True})
    assert any("additionalProperties: false" in p for p in loose), loose
    invalid = _broken(TARGETS[0], schema={**TARGETS[0].schema, "type": "no-such-type"})
    assert any("not a valid JSON Schema" in p for p in invalid), invalid
    few = _broken(TARGETS[0], variants={"minimal": TARGETS[0].variants["minimal"]})
    assert any("variants: missing public, existing-network, all-features" in p for p in few), few


def test_templates_read_only_their_context():
    """No template reaches into the model (`spec.`): what it shows is decided in the target mapping."""
    offenders = [
        f"{p.relative_to(REPO)}:{n}"
        for p in sorted((REPO / "templates").rglob("*.j2"))
        for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"(?<![\w.])spec(\.\w|\[|\()", line)
    ]
    assert offenders == []


@pytest.mark.parametrize("target", TARGETS, ids=IDS)
def test_readme_facts_come_from_the_mapping_through_one_template(target):
    spec = model.normalize(target.variants["all-features"])
    facts = target.readme(spec, target.context(spec))
    assert facts.title and facts.creates and facts.notes
    files = {p.name: text for p, text in render.render_module(spec, target).items()}
    assert files["README.md"].startswith(f"# {spec.name} on {facts.title}\n")
    assert "README.md" not in render.template_names(target.template_dir)  # the shared one renders it


def test_checkov_skip_reasons_come_from_the_mapping():
    """Templates name the check; its reason is `skip.<key>` from the target's context, never template text."""
    literal = [
        f"{p.relative_to(REPO)}:{n}"
        for p in sorted((REPO / "templates").rglob("*.j2"))
        for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
        if "checkov:skip=" in line and not re.search(r"checkov:skip=[A-Z0-9_]+:\{\{ skip\.\w+ \}\}$", line.strip())
    ]
    assert literal == []
    for target in TARGETS:
        spec = model.normalize(target.variants["all-features"])
        skips = target.context(spec)["skip"]
        assert all(isinstance(reason, str) and reason.strip() for reason in skips.values())


SHARED_AWS_RESOURCES = (
    "aws_availability_zones",
    "aws_default_security_group",
    "aws_subnet",
    "aws_internet_gateway",
    "aws_nat_gateway",
    "aws_route_table",
    "aws_eip",
    "aws_flow_log",
    'aws_cloudwatch_log_group" "flow_logs',
    "aws_kms_alias",
)


def test_aws_network_blocks_are_written_once_in_the_shared_partials():
    """Subnets, NAT, flow logs ... of a created VPC come from templates/_shared/aws/, not per-target copies."""
    copies = [
        f"{p.relative_to(REPO)}: {kind}"
        for p in sorted((REPO / "templates").rglob("*.j2"))
        if "_shared" not in p.parts
        for kind in SHARED_AWS_RESOURCES
        if re.search(rf'^(resource|data) "{kind}"', p.read_text(), re.M)
    ]
    assert copies == []
    shared = "".join(p.read_text() for p in (REPO / "templates" / "_shared" / "aws").glob("*.j2"))
    assert all(f'"{kind}' in shared for kind in SHARED_AWS_RESOURCES)


def test_subnet_maths_is_one_split():
    from generator.targets import aws_common

    split = aws_common.subnet_cidrs("10.20.0.0/16")
    assert split == {"private": ["10.20.0.0/18", "10.20.64.0/18"], "public": ["10.20.128.0/18", "10.20.192.0/18"]}
    assert aws_common.subnet_cidr_in_terraform() == "cidrsubnet(aws_vpc.this.cidr_block, 2, count.index)"
    assert aws_common.largest_vpc_prefix() == 26


# -- the audit: a target is its module, its template folder and one registry line


def test_no_file_outside_a_targets_own_files_names_it():
    """Outside generator/cli/ help texts, the registry, a target's module and template folder, nothing names it
    (the schema's target parts and docs/spec-reference.md are generated from the registry)."""
    assert contract.mentions(REPO, TARGETS) == {t.name: [] for t in TARGETS}


def test_the_audit_finds_planted_mentions(tmp_path):
    (tmp_path / "schemas").mkdir()
    schema = json.loads((REPO / "schemas" / "tfgen.schema.json").read_text())
    schema["$defs"]["container"]["description"] = f"not on {TARGETS[1].name}"
    (tmp_path / "schemas" / "tfgen.schema.json").write_text(json.dumps(schema))
    (tmp_path / "generator" / "targets").mkdir(parents=True)
    module = TARGETS[0].context.__module__.rsplit(".", 1)[-1]
    (tmp_path / "generator" / "pipeline.py").write_text(
        f'if name == "{TARGETS[0].name}":\n    from .targets import {module}\n'
    )
    (tmp_path / "generator" / "targets" / f"{module}.py").write_text(
        f'NAME = "{TARGETS[0].name}"\n'
    )  # its own: allowed
    (tmp_path / "templates" / "other").mkdir(parents=True)
    (tmp_path / "templates" / "other" / "main.tf.j2").write_text(f"# see {TARGETS[0].schema_def_name}\n")
    found = contract.mentions(tmp_path, TARGETS)
    assert found[TARGETS[0].name] == [
        f'generator/pipeline.py:1: if name == "{TARGETS[0].name}":',
        f"generator/pipeline.py:2: from .targets import {module}",
        f"templates/other/main.tf.j2:1: # see {TARGETS[0].schema_def_name}",
    ]
    assert len(found[TARGETS[1].name]) == 1 and "hand-written part" in found[TARGETS[1].name][0]
