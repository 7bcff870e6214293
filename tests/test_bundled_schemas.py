"""tfgen's bundled provider schemas (provider-schemas/, package data): complete, traceable, shipped, last in line.

Nothing here reads outside the repository: the full schemas the bundle was
derived from are the input of scripts/trim-provider-schemas only.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from generator.hclread import parse_file
from generator.lint import SchemaUnavailable, lint
from generator.lint.bundled import satisfies
from generator.lint.schema_source import forget_loaded
from generator.runners.plans import run_paths
from generator.targets import registry
from tests.support import (
    BUNDLED_SCHEMAS,
    EXAMPLES,
    REPO,
    require_terraform,
    run,
    terraform_env,
)

TEMPLATES = REPO / "templates"
EXAMPLE_MODULES = sorted(p.parent for p in (REPO / "modules").rglob("versions.tf"))
SOURCES = json.loads((BUNDLED_SCHEMAS / "sources.json").read_text())["providers"]
BLOCK_HEADER = re.compile(r'^\s*(resource|data)\s+"([^"]+)"', re.MULTILINE)


@pytest.fixture(autouse=True)
def schema_cache(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.getbasetemp() / "schema-cache"))


def bundled_types() -> dict[str, set[str]]:
    """Kind -> every type the bundled schema files really hold (read from the files, not from sources.json)."""
    held: dict[str, set[str]] = {"resource": set(), "data": set()}
    for record in SOURCES:
        document = json.loads(gzip.decompress((BUNDLED_SCHEMAS / record["schema_file"]).read_bytes()))
        for schema in document["provider_schemas"].values():
            held["resource"] |= set(schema["resource_schemas"])
            held["data"] |= set(schema["data_source_schemas"])
    return held


def types_in_templates(folder: Path) -> set[tuple[str, str]]:
    return {(kind, type_) for t in folder.rglob("*.j2") for kind, type_ in BLOCK_HEADER.findall(t.read_text())}


def types_in_modules(folder: Path) -> set[tuple[str, str]]:
    found = set()
    for tf in folder.rglob("*.tf"):
        for block in parse_file(tf).blocks:
            if block.type in ("resource", "data"):
                found.add((block.type, block.labels[0]))
    return found


def lacking(types: set[tuple[str, str]]) -> list[str]:
    held = bundled_types()
    return sorted(
        f'{kind} "{type_}"' for kind, type_ in types if not type_.startswith("terraform_") and type_ not in held[kind]
    )


def test_every_type_a_template_renders_is_in_the_bundled_schema():
    """Fails when a template (of any target) gains a type: re-run scripts/trim-provider-schemas."""
    in_templates = types_in_templates(TEMPLATES)
    assert len(in_templates) >= 60  # the scan really read the templates
    assert lacking(in_templates) == [], "re-run scripts/trim-provider-schemas --input DIR and commit provider-schemas/"


def test_every_type_in_the_rendered_example_modules_is_in_the_bundled_schema(tmp_path):
    subprocess.run(
        [sys.executable, "-m", "generator", "render", *map(str, sorted(EXAMPLES.glob("*.yaml"))), "-o", str(tmp_path)],
        cwd=REPO,
        check=True,
        capture_output=True,
    )
    rendered = types_in_modules(tmp_path)
    assert {kind for kind, _ in rendered} == {"resource", "data"} and len(rendered) >= 50
    assert lacking(rendered) == []


def test_the_check_itself_catches_a_type_the_bundle_lacks(tmp_path):
    # the control for the two tests above: a template with one more type is flagged
    planted = tmp_path / "templates" / "aws-ecs"
    shutil.copytree(TEMPLATES / "aws-ecs", planted)
    (planted / "extra.tf.j2").write_text('resource "aws_s3_object" "this" {\n}\n')
    assert lacking(types_in_templates(tmp_path / "templates")) == ['resource "aws_s3_object"']


def test_bundled_versions_are_the_versions_the_templates_pin():
    pinned = {}
    for target in registry.TARGETS:
        if target.output.name == "terraform":
            for provider in target.providers:
                pinned[provider.name] = (f"registry.terraform.io/{provider.source}", provider.version)
    bundled = {r["provider"]: (r["source"], r["version"]) for r in SOURCES}
    assert set(bundled) == set(pinned) >= {"aws", "google", "azurerm"}
    for name, (source, constraint) in pinned.items():
        assert bundled[name][0] == source
        assert constraint.startswith(f">= {bundled[name][1]},"), (name, constraint, bundled[name])
        assert satisfies(bundled[name][1], constraint)


def test_provenance_is_recorded_beside_the_schemas_and_matches_the_files():
    readme = (BUNDLED_SCHEMAS / "README.md").read_text()
    for record in SOURCES:
        assert record["provider"] and record["source"].startswith("registry.terraform.io/hashicorp/")
        assert re.fullmatch(r"[0-9]+\.[0-9]+\.[0-9]+", record["version"])
        assert re.fullmatch(r"[0-9a-f]{64}", record["full_sha256"]) and record["full_sha256"] in readme
        assert record["origin"] and record["origin"] in readme
        content = gzip.decompress((BUNDLED_SCHEMAS / record["schema_file"]).read_bytes())
        # a hand edit of the trimmed file shows here: it no longer is what the script derived
        assert hashlib.sha256(content).hexdigest() == record["schema_content_sha256"]
        document = json.loads(content)
        assert list(document["provider_schemas"]) == [record["source"]]
        schema = document["provider_schemas"][record["source"]]
        assert sorted(schema["resource_schemas"]) == record["resource_types"]
        assert sorted(schema["data_source_schemas"]) == record["data_source_types"]
        assert schema["provider"]["block"], "the provider block's schema is bundled too"
        names = json.loads((BUNDLED_SCHEMAS / record["types_file"]).read_text())
        assert set(record["resource_types"]) < set(names["resource_schemas"])  # trimmed, from a fuller list
    assert len({r["full_sha256"] for r in SOURCES}) == len(SOURCES)


def test_lint_of_the_examples_needs_nothing_but_the_bundle():
    report = lint([REPO / "modules"], [], use_terraform=False)
    assert [str(f) for f in report.findings] == []
    assert report.modules == len(EXAMPLE_MODULES) >= 4
    assert (
        report.counts.providers == len(EXAMPLE_MODULES)
        and report.counts.resources >= 80
        and report.counts.data_sources >= 10
    )


def test_bundled_schema_finds_real_mistakes_with_suggestions_from_the_full_provider(tmp_path):
    (tmp_path / "main.tf").write_text(
        textwrap.dedent("""\
        resource "aws_lb" "this" {
          idle_timout = 60
        }
        resource "aws_load_balancer" "x" {
        }
        """)
    )
    findings = [str(f).split(": ", 1)[1] for f in lint([tmp_path], [], use_terraform=False).findings]
    assert findings == [
        'resource.aws_lb.this: unknown attribute "idle_timout" (did you mean "idle_timeout"?)',
        # aws_load_balancer_policy is not bundled: the suggestion comes from the full provider's names
        (
            'resource.aws_load_balancer.x: unknown resource type "aws_load_balancer" in provider aws '
            '(did you mean "aws_load_balancer_policy"?)'
        ),
    ]


def test_a_real_type_the_bundle_lacks_is_not_called_unknown(tmp_path):
    (tmp_path / "main.tf").write_text('resource "aws_s3_object" "b" {\n}\n')
    with pytest.raises(SchemaUnavailable) as exc:
        lint([tmp_path], [], use_terraform=False)
    assert str(exc.value) == (
        f"no schema for provider aws (used in {tmp_path}); pass --provider-schema FILE (the output of "
        "`terraform providers schema -json`, .json or .json.gz) [tfgen's bundled aws 5.100.0 schema holds only the "
        "types tfgen renders, not resource aws_s3_object (initialise the module or pass --provider-schema)]"
    )


def test_a_module_pinning_another_provider_version_is_not_linted_against_the_bundle(tmp_path):
    (tmp_path / "main.tf").write_text(
        textwrap.dedent("""\
        terraform {
          required_providers {
            aws = {
              source  = "hashicorp/aws"
              version = ">= 6.0.0"
            }
          }
        }
        resource "aws_lb" "this" {
        }
        """)
    )
    with pytest.raises(
        SchemaUnavailable,
        match=r"tfgen's bundled aws 5\.100\.0 schema does not meet the module's "
        r"constraint aws '>= 6\.0\.0'",
    ):
        lint([tmp_path], [], use_terraform=False)


@pytest.mark.parametrize(
    ("constraint", "met"),
    [
        (">= 5.100.0, < 6.0.0", True),
        ("~> 5.0", True),
        ("~> 5.100.0", True),
        ("~> 5.99.0", False),
        ("= 5.100.0", True),
        ("5.100.0", True),
        ("!= 5.100.0", False),
        ("> 5.100.0", False),
        ("<= 5.100", True),
        ("~> 4.0", False),
        (">= 5.0, != 5.100.0", False),
        ("latest", False),
    ],
)
def test_version_constraints(constraint, met):
    assert satisfies("5.100.0", constraint) is met


def test_a_given_schema_file_takes_precedence_over_the_bundle(tmp_path):
    # a schema document in which aws_lb has only "name": the bundle would accept idle_timeout, this file must not
    own = tmp_path / "own.json"
    own.write_text(
        json.dumps(
            {
                "format_version": "1.0",
                "provider_schemas": {
                    "registry.terraform.io/hashicorp/aws": {
                        "provider": {"block": {}},
                        "resource_schemas": {
                            "aws_lb": {"block": {"attributes": {"name": {"type": "string", "optional": True}}}}
                        },
                    }
                },
            }
        )
    )
    module = tmp_path / "m"
    module.mkdir()
    (module / "main.tf").write_text('resource "aws_lb" "this" {\n  idle_timeout = 60\n}\n')
    assert lint([module], [], use_terraform=False).findings == []
    findings = lint([module], [own], use_terraform=False).findings
    assert [f.message for f in findings] == ['unknown attribute "idle_timeout"']


@pytest.mark.terraform
@pytest.mark.parametrize("emulator", [False, True], ids=["real-run", "emulator-run"])
def test_tfgen_init_data_in_dot_tfgen_is_used_before_the_bundle(tmp_path, monkeypatch, emulator):
    """A module tfgen initialised (TF_DATA_DIR under .tfgen/, lock file in the module) is linted by terraform's schema."""
    terraform = require_terraform()
    monkeypatch.delenv("TFGEN_STATE_DIR", raising=False)
    module = tmp_path / "modules" / "svc" / "aws"
    module.mkdir(parents=True)
    # aws_s3_object: only the full provider schema knows it, so a clean lint proves terraform's schema served it
    (module / "main.tf").write_text(
        textwrap.dedent("""\
        terraform {
          backend "local" {}

          required_providers {
            aws = {
              source  = "hashicorp/aws"
              version = "5.100.0"
            }
          }
        }
        resource "aws_s3_object" "readme" {
          bucket  = "b"
          key     = "README"
          content = "hello"
        }
        """)
    )
    data_dir = run_paths(module, tmp_path / "modules", emulator=emulator).data_dir
    runs = "emulator-runs" if emulator else "runs"
    assert data_dir == tmp_path / ".tfgen" / runs / "svc" / "aws" / "terraform-data"
    env = dict(terraform_env(tmp_path), TF_DATA_DIR=str(data_dir))
    # an emulator run keeps its state apart: tfgen inits it with an override file (gone afterwards) that points the
    # backend elsewhere, so its init data's backend settings differ from the module's; lint must not trip over that
    override = module / "tfgen_emulator_override.tf"
    if emulator:
        override.write_text(
            f'terraform {{\n  backend "local" {{\n    path = "{data_dir.parent / "terraform.tfstate"}"\n  }}\n}}\n'
        )
    init = run([terraform, "init", "-input=false", "-no-color"], module, env)
    override.unlink(missing_ok=True)
    assert init.returncode == 0, init.stderr
    assert (module / ".terraform.lock.hcl").is_file() and not (module / ".terraform").exists()

    monkeypatch.chdir(tmp_path / "modules")  # lint is given only the module folder, from anywhere
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))  # terraform must really be asked, not a cache
    forget_loaded()
    report = lint([Path("svc/aws")], [])
    assert report.findings == [] and report.counts.resources == 1

    shutil.rmtree(data_dir)  # without tfgen's init data: the message says what is missing, where
    with pytest.raises(SchemaUnavailable) as exc:
        lint([Path("svc/aws")], [])
    assert "is not initialized (no .terraform.lock.hcl, or no .terraform/ nor tfgen init data in .tfgen/)" in str(
        exc.value
    )


def test_installed_package_ships_the_bundle_and_lints_offline_from_anywhere(tmp_path):
    """`pip install .` (not editable) must carry the schemas as package data."""
    target = tmp_path / "site"
    install = run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(target), str(REPO)],
        tmp_path,
        timeout=600,
    )
    assert install.returncode == 0, install.stdout + install.stderr
    (dist_info,) = target.glob("*.dist-info")
    assert dist_info.name.startswith("tfgen_ml-")  # the distribution tfgen-ml; the command stays tfgen
    assert "tfgen = generator.cli:main" in (dist_info / "entry_points.txt").read_text()
    shipped = sorted(p.name for p in (target / "generator" / "data" / "provider_schemas").iterdir())
    assert shipped == sorted(
        ["README.md", "sources.json", *(r["schema_file"] for r in SOURCES), *(r["types_file"] for r in SOURCES)]
    )
    modules = tmp_path / "modules"
    shutil.copytree(REPO / "modules", modules, ignore=shutil.ignore_patterns(".terraform*"))
    env = dict(os.environ, PYTHONPATH=str(target), XDG_CACHE_HOME=str(tmp_path / "cache"))
    probe = run([sys.executable, "-m", "generator", "lint", "modules", "--no-terraform"], tmp_path, env)
    assert probe.returncode == 0, probe.stderr
    assert probe.stderr.startswith(f"lint: 0 error(s), 0 warning(s) in {len(EXAMPLE_MODULES)} module(s)")
    where = run([sys.executable, "-c", "import generator.paths as p; print(p.provider_schemas_dir())"], tmp_path, env)
    assert where.stdout.strip() == str(target / "generator" / "data" / "provider_schemas")
