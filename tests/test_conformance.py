"""The conformance suite: every registered target x every variant it declares.

A target declares its variants (plain spec dicts: minimal, public, existing
network, every optional feature on) in its contract; this module renders each
one and runs the same gates over all of them, so a new target is covered by
declaring variants, with no new test code:

- `terraform fmt -check` leaves every file as rendered;
- `terraform init` (offline, from the provider mirror) + `terraform validate`
  where the mirror has the target's providers (all variants in one root that
  calls each as a child module: one init, one provider start; diagnostics are
  traced back to the variant by file). google and azurerm are not in the
  mirror: the lint below, against their real schemas, covers them;
- `tfgen lint` against the provider schemas tfgen bundles (trimmed from the real ones);
- Checkov, ONE run per test run (a session fixture; the module is one xdist group) over
  every variant and, beside each, a planted-failure control: a copy with an
  unpinned git module planted into every file (each must fail CKV_TF_1 and
  CKV_TF_2, so every file of the variant was parsed and attributed to its
  folder) and every `#checkov:skip` comment removed (each skipped check must
  then fail: no skip is dead);
- determinism: the same bytes in-process twice and in a fresh process with
  another hash seed;
- hostile free text (description, environment values) renders escaped: it
  parses back exactly, nothing is a live interpolation, and fmt still agrees.

Variant specs are written into a folder holding a copy of examples/'s
folders, so a variant may name one of them (the Lambda zip's package.source).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from generator import pipeline, render
from generator.targets import registry
from tests.hclread import parse_module, string_value
from tests.support import (
    PLUGIN_MIRROR,
    REPO,
    checkov_scan,
    require_terraform,
    run,
    terraform_env,
    terraform_fmt_check,
    write_variant_spec,
)

HOSTILE_DESCRIPTION = 'a "quoted" `code` <b>x</b> | pipe, ${braces} and %{ directives }\nover two lines \\ done'
# ... as the module README must show it: one line, Markdown's special characters escaped
HOSTILE_DESCRIPTION_MARKDOWN = (
    'a "quoted" \\`code\\` \\<b\\>x\\</b\\> \\| pipe, ${braces} and %{ directives } over two lines \\\\ done'
)
HOSTILE_ENV = {
    "QUOTES": 'say "hi" \\ back\\slash',
    "TEMPLATE": "${var.secret} and %{ if true }x%{ endif }",
    "DOLLARS": "$${already} $$ $",
    "LINES": "one\ntwo\r\n\tthree",
    "UNICODE": "naïve – ✓ 中文",
    "HEREDOC": "<<EOF\nx\nEOF",
}
# What must never appear unescaped in rendered Terraform (the hostile text's template sequences).
LIVE_SEQUENCES = ("${var.secret}", "%{ if true }", "${braces}", "%{ directives }")

# Output kinds this suite has gates for. A target of another kind fails
# test_every_output_kind_has_conformance_gates until its gates are added here.
SUPPORTED_KINDS = ("terraform", "kubernetes-manifests")

# Providers the offline mirror cannot hold here: their modules are linted
# against the real (bundled) schema instead of `terraform validate`.
NOT_IN_MIRROR = {"hashicorp/google", "hashicorp/azurerm"}

# The planted-failure control: an unpinned git module appended to every file.
PLANTED_CHECKS = ("CKV_TF_1", "CKV_TF_2")
PLANTED_BLOCK = '\nmodule "tfgen_planted_{stem}" {{\n  source = "git::https://example.com/planted/{stem}.git"\n}}\n'
SKIP_COMMENT_LINE = re.compile(r"^[ \t]*#[ \t]*checkov:skip=.*\n", re.MULTILINE)


# --- the variants ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Variant:
    target: str
    name: str
    spec: dict
    kind: str
    providers: tuple[str, ...]

    @property
    def id(self) -> str:
        return f"{self.target}:{self.name}"

    @property
    def folder(self) -> str:
        """A folder name unique to the variant."""
        return f"{self.target}.{self.name}"

    def __str__(self) -> str:
        return self.id


def _declared_variants() -> list[Variant]:
    return [
        Variant(target.name, name, dict(spec), target.output.name, tuple(p.source for p in target.providers))
        for target in registry.TARGETS
        for name, spec in target.variants.items()
    ]


# One xdist group (setup.cfg: --dist loadgroup): the session fixtures below (renders, the one
# init + validate, the one Checkov run per framework) then exist once per test run, not once per worker.
pytestmark = pytest.mark.xdist_group("conformance")

VARIANTS = _declared_variants()
TERRAFORM = [v for v in VARIANTS if v.kind == "terraform"]
MANIFESTS = [v for v in VARIANTS if v.kind == "kubernetes-manifests"]
VALIDATED = [v for v in TERRAFORM if not set(v.providers) & NOT_IN_MIRROR]


def _hostile(spec: dict) -> dict:
    """The spec with hostile free text in its description and environment values."""
    spec = json.loads(json.dumps(spec))
    spec["description"] = HOSTILE_DESCRIPTION
    container = spec.setdefault("container", {})
    container["env"] = {**container.get("env", {}), **HOSTILE_ENV}
    return spec


# --- rendering ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rendered:
    spec_file: Path
    module: Path
    files: dict[str, bytes]  # module-relative path -> bytes, as rendered in this process


def _render(spec_file: Path, target: str, out: Path) -> Rendered:
    """Render one spec file as `tfgen render` does (templates and built packages); write it under `out`."""
    spec = pipeline.load_spec(spec_file)
    files, _ = pipeline.render_spec(spec, [target])
    module_rel = render.module_path(spec, target)
    for rel, content in files.items():
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    module = out / module_rel
    return Rendered(
        spec_file,
        module,
        {str(p.relative_to(module)): p.read_bytes() for p in sorted(module.rglob("*")) if p.is_file()},
    )


@pytest.fixture(scope="session")
def spec_folder(tmp_path_factory) -> Path:
    """Every variant's spec (and its hostile twin) as a file, beside a copy of examples/'s folders."""
    folder = tmp_path_factory.mktemp("conformance-specs")
    for variant in VARIANTS:
        write_variant_spec(folder, variant.folder, variant.spec)
        write_variant_spec(folder, f"{variant.folder}.hostile", _hostile(variant.spec))
    return folder


@pytest.fixture(scope="session")
def rendered(spec_folder, tmp_path_factory) -> dict[str, Rendered]:
    out = tmp_path_factory.mktemp("conformance-modules")
    return {v.id: _render(spec_folder / f"{v.folder}.yaml", v.target, out / v.folder) for v in VARIANTS}


@pytest.fixture(scope="session")
def hostile(spec_folder, tmp_path_factory) -> dict[str, Rendered]:
    out = tmp_path_factory.mktemp("conformance-hostile")
    return {v.id: _render(spec_folder / f"{v.folder}.hostile.yaml", v.target, out / v.folder) for v in TERRAFORM}


# --- coverage of the suite itself ----------------------------------------------------------------


def test_every_target_declares_at_least_three_variants():
    counts = {t.name: sum(v.target == t.name for v in VARIANTS) for t in registry.TARGETS}
    assert counts and all(n >= 3 for n in counts.values()), counts


def test_every_output_kind_has_conformance_gates():
    assert {v.kind for v in VARIANTS} <= set(SUPPORTED_KINDS), (
        "add this output kind's gates to tests/test_conformance.py"
    )


def test_only_providers_the_mirror_cannot_hold_go_without_terraform_validate():
    """A provider missing from the mirror is a known gap, never a silently smaller suite."""
    mirror = PLUGIN_MIRROR / "registry.terraform.io"
    assert mirror.is_dir(), f"no provider mirror at {PLUGIN_MIRROR} (set TFGEN_PLUGIN_MIRROR)"
    for variant in TERRAFORM:
        for source in variant.providers:
            in_mirror = (mirror / source).is_dir()
            assert in_mirror != (source in NOT_IN_MIRROR), (
                f"{variant}: {source} is {'in' if in_mirror else 'not in'} the mirror; update NOT_IN_MIRROR"
            )
    assert VALIDATED, "no variant is validated by terraform"


# --- terraform fmt, init + validate, lint --------------------------------------------------------


@pytest.mark.terraform
@pytest.mark.parametrize("variant", TERRAFORM, ids=str)
def test_terraform_fmt_leaves_every_file_as_rendered(variant, rendered):
    proc = terraform_fmt_check(rendered[variant.id].module)
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.fixture(scope="session")
def validation(rendered, tmp_path_factory) -> dict[str, list[dict]]:
    """`terraform init` + `validate -json` once, over a root calling every validated variant.

    Returns each variant's diagnostics; diagnostics traced to no variant go to all.
    """
    root = tmp_path_factory.mktemp("conformance-validate")
    for variant in VALIDATED:
        source = os.path.relpath(rendered[variant.id].module, root)
        (root / f"{variant.folder}.tf").write_text(
            f'module "{variant.folder.replace(".", "_")}" {{\n  source = "{source}"\n}}\n', encoding="utf-8"
        )
    env = terraform_env(tmp_path_factory.mktemp("conformance-rc"))
    tf = require_terraform()
    init = run([tf, "init", "-backend=false", "-input=false", "-no-color"], root, env)
    assert init.returncode == 0, init.stdout + init.stderr
    proc = run([tf, "validate", "-json", "-no-color"], root, env)
    report = json.loads(proc.stdout)
    by_variant: dict[str, list[dict]] = {v.id: [] for v in VALIDATED}
    for diagnostic in report["diagnostics"]:
        filename = diagnostic.get("range", {}).get("filename", "")
        owners = [
            v.id
            for v in VALIDATED
            if (root / filename).resolve().is_relative_to(rendered[v.id].module.resolve())
            or filename == f"{v.folder}.tf"
        ]
        for owner in owners or by_variant:
            by_variant[owner].append(diagnostic)
    return by_variant


def _is_batch_artefact(diagnostic: dict) -> bool:
    # Each variant is called as a child module, where Terraform ignores (and warns about) its backend block.
    return diagnostic["severity"] == "warning" and diagnostic["summary"] == "Backend configuration ignored"


@pytest.mark.terraform
@pytest.mark.parametrize("variant", VALIDATED, ids=str)
def test_terraform_init_and_validate(variant, validation):
    problems = [
        f"{d['severity']}: {d['summary']}: {d.get('detail', '')} ({d.get('range', {}).get('filename')})"
        for d in validation[variant.id]
        if not _is_batch_artefact(d)
    ]
    assert problems == []


@pytest.mark.parametrize("variant", TERRAFORM, ids=str)
def test_lint_against_the_bundled_provider_schemas(variant, rendered):
    from generator.lint import lint

    report = lint([rendered[variant.id].module], use_terraform=False)  # tfgen's bundled schemas only
    assert [str(f) for f in report.findings] == []
    assert report.modules == 1 and report.counts.resources > 0


# --- Checkov: one run over every variant and its planted control ---------------------------------


def _plant_control(module: Path, control: Path) -> None:
    """Copy `module` to `control`, plant a failing module block in every file, drop every skip comment."""
    shutil.copytree(module, control)
    for tf in sorted(control.glob("*.tf")):
        text = SKIP_COMMENT_LINE.sub("", tf.read_text(encoding="utf-8"))
        tf.write_text(text + PLANTED_BLOCK.format(stem=tf.stem), encoding="utf-8")


@dataclass(frozen=True)
class CheckovRun:
    by_folder: dict[str, dict[str, set[tuple[str, str, str]]]]  # folder -> status -> (check, resource, file)

    def of(self, folder: str, status: str) -> set[tuple[str, str, str]]:
        return self.by_folder.get(folder, {}).get(status, set())


@pytest.fixture(scope="session")
def checkov_run(rendered, tmp_path_factory) -> CheckovRun:
    root = tmp_path_factory.mktemp("conformance-checkov")
    for variant in TERRAFORM:
        module = rendered[variant.id].module
        shutil.copytree(module, root / variant.folder)
        _plant_control(module, root / f"{variant.folder}.planted-control")
    result = checkov_scan([root])
    by_folder: dict[str, dict[str, set]] = {}
    for status, findings in (("failed", result.failed), ("passed", result.passed), ("skipped", result.skipped)):
        for f in findings:
            folder, file_name = Path(f.file).parts[-2:]
            by_folder.setdefault(folder, {}).setdefault(status, set()).add((f.check_id, f.resource, file_name))
    return CheckovRun(by_folder)


@pytest.mark.checkov
@pytest.mark.parametrize("variant", TERRAFORM, ids=str)
def test_checkov_finds_nothing_and_every_skip_is_in_the_module(variant, rendered, checkov_run):
    assert checkov_run.of(variant.folder, "failed") == set()
    assert checkov_run.of(variant.folder, "passed"), "Checkov passed no check in this variant: did it scan it?"
    skipped = sorted((check, file_name) for check, _, file_name in checkov_run.of(variant.folder, "skipped"))
    module = rendered[variant.id].module
    commented = sorted(
        (m.group(1), tf.name)
        for tf in module.glob("*.tf")
        for m in re.finditer(r"#[ \t]*checkov:skip=([A-Z0-9_]+):\S", tf.read_text(encoding="utf-8"))
    )
    assert skipped == commented  # each skip has a reason and is honoured where it is written


@pytest.mark.checkov
@pytest.mark.parametrize("variant", TERRAFORM, ids=str)
def test_checkov_catches_the_planted_failures(variant, rendered, checkov_run):
    module = rendered[variant.id].module
    planted = {(check, f"tfgen_planted_{tf.stem}", tf.name) for tf in module.glob("*.tf") for check in PLANTED_CHECKS}
    unskipped = checkov_run.of(variant.folder, "skipped")
    assert checkov_run.of(f"{variant.folder}.planted-control", "failed") == planted | unskipped


# --- determinism -------------------------------------------------------------------------------------

_RENDER_ALL = """
import json, sys
from pathlib import Path
from generator import pipeline, render
out = Path(sys.argv[1])
for spec_file, target, folder in json.loads(sys.argv[2]):
    spec = pipeline.load_spec(spec_file)
    files, _ = pipeline.render_spec(spec, [target])
    for rel, content in files.items():
        path = out / folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
"""


@pytest.fixture(scope="session")
def rendered_elsewhere(rendered, tmp_path_factory) -> dict[str, dict[str, bytes]]:
    """Every variant rendered again by a fresh process with another hash seed than this one's."""
    jobs = json.dumps([(str(rendered[v.id].spec_file), v.target, v.folder) for v in VARIANTS])
    seed = "2" if os.environ.get("PYTHONHASHSEED") == "1" else "1"
    out = tmp_path_factory.mktemp("conformance-fresh-process")
    proc = subprocess.run(
        [sys.executable, "-c", _RENDER_ALL, str(out), jobs],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env=dict(os.environ, PYTHONHASHSEED=seed),
    )
    assert proc.returncode == 0, proc.stderr
    renders = {}
    for v in VARIANTS:
        module = out / v.folder / rendered[v.id].module.relative_to(rendered[v.id].module.parents[1])
        renders[v.id] = {str(p.relative_to(module)): p.read_bytes() for p in sorted(module.rglob("*")) if p.is_file()}
    return renders


@pytest.mark.parametrize("variant", VARIANTS, ids=str)
def test_rendering_is_byte_identical_every_time(variant, rendered, rendered_elsewhere, tmp_path):
    first = rendered[variant.id]
    again = _render(first.spec_file, variant.target, tmp_path)
    assert again.files == first.files
    assert rendered_elsewhere[variant.id] == first.files


# --- hostile free text ---------------------------------------------------------------------------


def _string_leaves(node) -> set[str]:
    if isinstance(node, dict):
        return set().union(*(_string_leaves(v) for k, v in node.items() if not k.startswith("__")))
    if isinstance(node, list):
        return set().union(*(_string_leaves(v) for v in node))
    return {string_value(node)} if isinstance(node, str) else set()


@pytest.mark.terraform
@pytest.mark.parametrize("variant", TERRAFORM, ids=str)
def test_hostile_free_text_is_escaped(variant, hostile):
    module = hostile[variant.id].module
    text = "".join(tf.read_text(encoding="utf-8") for tf in sorted(module.glob("*.tf")))
    inert = text.replace("$${", "").replace("%%{", "")
    assert [s for s in LIVE_SEQUENCES if s in inert] == []  # never a live interpolation or directive
    values = _string_leaves(parse_module(module))  # every file still parses
    assert {k: v for k, v in HOSTILE_ENV.items() if v not in values} == {}  # each value back exactly
    proc = terraform_fmt_check(module)  # terraform reads it, and it is still formatted
    assert proc.returncode == 0, proc.stdout + proc.stderr
    readme = (module / "README.md").read_text(encoding="utf-8")
    assert HOSTILE_DESCRIPTION_MARKDOWN in readme.splitlines()


# --- Kubernetes manifests: the built output, strict schema, Checkov with a planted control -------


@pytest.fixture(scope="session")
def built_manifests(rendered) -> dict[str, dict[str, list[dict]]]:
    """`kubectl kustomize` of base/ and every overlay of each manifests variant (what a cluster receives)."""
    from generator.manifests import gates

    return {v.id: gates.build([rendered[v.id].module]) for v in MANIFESTS}


@pytest.mark.parametrize("variant", MANIFESTS, ids=str)
def test_manifests_build_and_validate_strictly(variant, built_manifests):
    from generator.manifests import gates

    built = built_manifests[variant.id]
    assert built and all(built.values())
    assert gates.schema_problems(built) == []


def _planted(objects: list[dict]) -> list[dict]:
    """Every `checkov.io/skip` annotation dropped (each skipped check must then fail) and a writable root filesystem."""
    planted = json.loads(json.dumps(objects))
    for obj in planted:
        annotations = obj.get("metadata", {}).get("annotations", {})
        for key in [k for k in annotations if k.startswith("checkov.io/skip")]:
            del annotations[key]
        if obj["kind"] == "Deployment":
            obj["spec"]["template"]["spec"]["containers"][0]["securityContext"]["readOnlyRootFilesystem"] = False
    return planted


@pytest.fixture(scope="session")
def manifests_scan(built_manifests):
    """One Checkov run over every manifests variant and, beside each, its planted control."""
    from generator.manifests import gates
    from tests.support import require_marker

    require_marker("checkov")
    built = {f"{v.id}|{where}": objs for v in MANIFESTS for where, objs in built_manifests[v.id].items()}
    built.update(
        {
            f"{v.id}.planted-control|{where}": _planted(objs)
            for v in MANIFESTS
            for where, objs in built_manifests[v.id].items()
        }
    )
    return gates.scan(built)


@pytest.mark.checkov
@pytest.mark.parametrize("variant", MANIFESTS, ids=str)
def test_manifests_checkov_finds_nothing_and_the_planted_control_fails(variant, built_manifests, manifests_scan):
    assert [f for f in manifests_scan.failures if f[1].startswith(f"{variant.id}|")] == []
    assert manifests_scan.reasonless == []
    control = {
        (check, where.split("|", 1)[1])
        for check, where, _ in manifests_scan.failures
        if where.startswith(f"{variant.id}.planted-control|")
    }
    skipped = {
        (value.partition("=")[0], where)
        for where, objs in built_manifests[variant.id].items()
        for obj in objs
        for key, value in obj["metadata"].get("annotations", {}).items()
        if key.startswith("checkov.io/skip")
    }
    roots = set(built_manifests[variant.id])
    assert control == {("CKV_K8S_22", where) for where in roots} | skipped  # every skip is live, every root scanned


@pytest.mark.parametrize("variant", MANIFESTS, ids=str)
def test_manifests_hostile_free_text_comes_back_exactly(variant, spec_folder, tmp_path):
    from generator.manifests import gates

    module = _render(spec_folder / f"{variant.folder}.hostile.yaml", variant.target, tmp_path).module
    for objects in gates.build([module]).values():  # kubectl (Go's YAML) reads what tfgen wrote
        pods = [o["spec"]["template"]["spec"] for o in objects if o["kind"] == "Deployment"]
        env = {e["name"]: e["value"] for e in pods[0]["containers"][0]["env"] if "value" in e}
        assert {k: v for k, v in HOSTILE_ENV.items() if env.get(k) != v} == {}
        namespace = next(o for o in objects if o["kind"] == "Namespace")
        assert namespace["metadata"]["annotations"]["kubernetes.io/description"] == HOSTILE_DESCRIPTION
    readme = (module / "README.md").read_text(encoding="utf-8")
    assert HOSTILE_DESCRIPTION_MARKDOWN in readme.splitlines()
