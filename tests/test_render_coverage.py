"""`render` and `render --check` cover the base and every environment of a spec."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

SPEC = """
name: cover
container: {image: "ghcr.io/example/cover:1.0", port: 8080}
scaling: {min: 1, max: 3}
targets:
  aws-ecs: {region: us-east-1}
environments:
  staging: {scaling: {max: 4}}
  prod: {scaling: {min: 2, max: %d}}
"""


def _spec(tmp_path: Path, prod_max: int = 10) -> Path:
    path = tmp_path / "spec.yaml"
    path.write_text(SPEC % prod_max)
    return path


def _modules(out: Path) -> list[str]:
    return sorted(str(p.parent.relative_to(out)) for p in out.rglob("main.tf"))


def test_render_writes_the_base_and_every_environment(run_cli, tmp_path):
    out = tmp_path / "modules"
    result = run_cli("render", str(_spec(tmp_path)), "-o", str(out))
    assert result.exit_code == 0, result.stderr
    assert _modules(out) == ["cover/aws-ecs", "cover/prod/aws-ecs", "cover/staging/aws-ecs"]
    assert "3 module(s) rendered" in result.stderr


def test_check_finds_a_stale_environment_module(run_cli, tmp_path):
    out = tmp_path / "modules"
    assert run_cli("render", str(_spec(tmp_path)), "-o", str(out)).exit_code == 0
    assert run_cli("render", str(_spec(tmp_path)), "-o", str(out), "--check").exit_code == 0
    spec = _spec(tmp_path, prod_max=12)  # only the prod overlay changes
    stale = run_cli("render", str(spec), "-o", str(out), "--check")
    assert stale.exit_code == 1
    would = [line for line in stale.stderr.splitlines() if line.startswith("would ")]
    assert f"would update: {out / 'cover/prod/aws-ecs/scaling.tf'}" in would
    assert all("/cover/prod/aws-ecs/" in line for line in would), would


def test_env_option_narrows_to_one_environment(run_cli, tmp_path):
    out = tmp_path / "modules"
    result = run_cli("render", str(_spec(tmp_path)), "-o", str(out), "--env", "staging")
    assert result.exit_code == 0, result.stderr
    assert _modules(out) == ["cover/staging/aws-ecs"]


# --- orphans: module folders tfgen rendered that the spec no longer has ----------------------------

TWO_TARGETS = """
name: cover
container: {image: "ghcr.io/example/cover:1.0", port: 8080}
targets:
  aws-ecs: {region: us-east-1}
  gcp-cloud-run: {project: acme-ml, region: europe-west1}
environments:
  staging: {scaling: {max: 4}}
"""


def _rendered_then_shrunk(run_cli, tmp_path: Path) -> tuple[Path, Path]:
    """Render base + staging for two targets, then drop gcp-cloud-run and the staging environment."""
    spec, out = tmp_path / "spec.yaml", tmp_path / "modules"
    spec.write_text(TWO_TARGETS)
    assert run_cli("render", str(spec), "-o", str(out)).exit_code == 0
    spec.write_text(
        TWO_TARGETS.replace("  gcp-cloud-run: {project: acme-ml, region: europe-west1}\n", "").replace(
            "environments:\n  staging: {scaling: {max: 4}}\n", ""
        )
    )
    return spec, out


def test_check_reports_orphaned_modules(run_cli, tmp_path):
    spec, out = _rendered_then_shrunk(run_cli, tmp_path)
    (out / "other" / "aws-ecs").mkdir(parents=True)  # another spec's module in the same root: not ours to judge
    (out / "other" / "aws-ecs" / ".tfgen-manifest.json").write_text('{"files": {}, "version": 1}\n')
    result = run_cli("render", str(spec), "-o", str(out), "--check")
    assert result.exit_code == 1
    orphaned = [line for line in result.stderr.splitlines() if line.startswith("orphaned: ")]
    assert orphaned == [
        f"orphaned: {out / m} (rendered by tfgen; the spec no longer has it)"
        for m in ("cover/gcp-cloud-run", "cover/staging/aws-ecs", "cover/staging/gcp-cloud-run")
    ]
    assert result.stderr.endswith(
        "0 file(s) out of date, 3 orphaned module(s); run `tfgen render` with --prune to update\n"
    )


def test_plain_render_only_warns_about_orphans(run_cli, tmp_path):
    spec, out = _rendered_then_shrunk(run_cli, tmp_path)
    result = run_cli("render", str(spec), "-o", str(out))
    assert result.exit_code == 0
    assert "`tfgen render --prune` removes it" in result.stderr
    assert (out / "cover" / "gcp-cloud-run" / "main.tf").is_file()


def test_prune_removes_only_what_tfgen_wrote(run_cli, tmp_path):
    spec, out = _rendered_then_shrunk(run_cli, tmp_path)
    mine = out / "cover" / "staging" / "aws-ecs" / "notes.tf"
    mine.write_text("# my own file\n")
    result = run_cli("render", str(spec), "-o", str(out), "--prune")
    assert result.exit_code == 0, result.stderr
    assert not (out / "cover" / "gcp-cloud-run").exists() and not (out / "cover" / "staging" / "gcp-cloud-run").exists()
    assert sorted(p.name for p in mine.parent.iterdir()) == ["notes.tf"]  # the user's file and its folder stay
    assert f"removed orphaned module {out / 'cover/gcp-cloud-run'}" in result.stderr
    assert f"pruned (your own files there were kept) orphaned module {out / 'cover/staging/aws-ecs'}" in result.stderr
    assert run_cli("render", str(spec), "-o", str(out), "--check").exit_code == 0
    assert _modules(out) == ["cover/aws-ecs"]


def test_prune_refuses_an_edited_file_and_a_module_with_resources_in_its_state(run_cli, tmp_path):
    spec, out = _rendered_then_shrunk(run_cli, tmp_path)
    edited = out / "cover" / "gcp-cloud-run" / "main.tf"
    edited.write_text(edited.read_text() + "# tuned by hand\n")
    refused = run_cli("render", str(spec), "-o", str(out), "--prune")
    assert refused.exit_code == 1
    assert f"{edited} (edited since tfgen wrote it)" in refused.stderr
    assert (
        edited.read_text().endswith("# tuned by hand\n")
        and (out / "cover" / "staging" / "aws-ecs" / "main.tf").exists()
    )
    edited.write_text(edited.read_text().replace("# tuned by hand\n", ""))
    state = out / "cover" / "staging" / "aws-ecs" / "terraform.tfstate"
    state.write_text('{"version": 4, "resources": [{"type": "aws_ecs_service", "name": "this"}]}')
    deployed = run_cli("render", str(spec), "-o", str(out), "--prune")
    assert deployed.exit_code == 1
    assert "refusing to prune module(s) whose local state still records resources" in deployed.stderr
    assert (out / "cover" / "staging" / "aws-ecs" / "main.tf").exists() and (out / "cover" / "gcp-cloud-run").exists()


def test_prune_cannot_be_combined_with_check(run_cli, tmp_path):
    spec, out = _rendered_then_shrunk(run_cli, tmp_path)
    result = run_cli("render", str(spec), "-o", str(out), "--check", "--prune")
    assert result.exit_code == 2


def test_the_check_gate_fails_on_an_orphaned_module(run_cli, tmp_path):
    from generator.check import CheckOptions, exit_code, run_check

    spec, out = _rendered_then_shrunk(run_cli, tmp_path)
    assert run_cli("render", str(spec), "-o", str(out)).exit_code == 0  # everything but the orphans is current
    steps = run_check(CheckOptions([spec], modules_dir=out), echo=lambda _line: None)
    assert [(s.name, s.status) for s in steps] == [("validate", "ok"), ("render", "findings")]  # stops before fmt
    assert steps[1].messages == [
        f"orphaned: {out / m} (rendered by tfgen; the spec no longer has it); run `tfgen render --prune`"
        for m in ("cover/gcp-cloud-run", "cover/staging/aws-ecs", "cover/staging/gcp-cloud-run")
    ]
    assert exit_code(steps) == 1


def test_prune_empties_a_nested_orphan_tree_bottom_up(tmp_path):
    from generator.orphans import find_orphans, prune
    from generator.writer import apply_changes, plan_write

    root = tmp_path / "modules"
    tree = {
        PurePosixPath("svc/kubernetes/overlays/staging/kustomization.yaml"): "resources: []\n",
        PurePosixPath("svc/kubernetes/overlays/staging/patches/replicas.yaml"): "- op: add\n",
    }
    folders = {
        PurePosixPath("svc/kubernetes/overlays/staging"),
        PurePosixPath("svc/kubernetes/overlays/staging/patches"),
    }
    apply_changes(plan_write(tree, root, folders).changes, root)
    orphans = find_orphans(root, {"svc"}, set())
    assert orphans == sorted(folders)
    deleted, removed = prune(root, orphans)
    assert sorted(c.path for c in deleted) == sorted(tree)
    assert removed == sorted(folders)  # both reported as removed, not "kept"
    assert list(root.iterdir()) == []  # folders left empty go too, up to the output root
