"""`tfgen render`: determinism, minimal and atomic writes, stale files, --check, --diff."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

import pytest

from generator.errors import WriteError
from generator.writer import apply_changes, plan_changes
from tests.support import EXAMPLES

IRIS = str(EXAMPLES / "iris-classifier.yaml")


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_render_is_deterministic(run_cli, tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    assert run_cli("render", IRIS, "-o", str(a)).exit_code == 0
    assert run_cli("render", IRIS, "-o", str(b)).exit_code == 0
    assert _tree(a) == _tree(b)
    assert any(name.startswith("iris-classifier/aws-ecs/") for name in _tree(a))


def test_unchanged_files_are_not_rewritten(run_cli, tmp_path):
    out = tmp_path / "out"
    run_cli("render", IRIS, "-o", str(out))
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*.tf")}
    result = run_cli("render", IRIS, "-o", str(out))
    assert result.exit_code == 0
    assert "0 file(s) changed" in result.stderr
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*.tf")} == before


def test_stale_rendered_files_are_removed_but_others_kept(run_cli, tmp_path):
    import hashlib
    import json

    out = tmp_path / "out"
    run_cli("render", IRIS, "-o", str(out), "--target", "aws-ecs")
    module = out / "iris-classifier" / "aws-ecs"
    (module / "old.tf").write_text("# from an earlier render\n")  # as if tfgen had written it:
    manifest = json.loads((module / ".tfgen-manifest.json").read_text())
    manifest["files"]["old.tf"] = hashlib.sha256(b"# from an earlier render\n").hexdigest()
    (module / ".tfgen-manifest.json").write_text(json.dumps(manifest))
    (module / "custom.tf").write_text("# the user's, never written by tfgen\n")
    (module / ".terraform.lock.hcl").write_text("# terraform's, not ours\n")
    (module / "notes.txt").write_text("a user's file\n")
    result = run_cli("render", IRIS, "-o", str(out), "--target", "aws-ecs")
    assert result.exit_code == 0, result.stderr
    assert not (module / "old.tf").exists()
    assert f"deleted {module / 'old.tf'}" in result.stderr
    assert (module / "custom.tf").exists() and f"kept {module / 'custom.tf'} (not written by tfgen)" in result.stderr
    assert (module / ".terraform.lock.hcl").exists() and (module / "notes.txt").exists()


def test_check_lists_changes_and_writes_nothing(run_cli, tmp_path):
    out = tmp_path / "out"
    result = run_cli("render", IRIS, "-o", str(out), "--check")
    assert result.exit_code == 1
    assert not out.exists()
    assert "would create:" in result.stderr and "out of date" in result.stderr
    run_cli("render", IRIS, "-o", str(out))
    result = run_cli("render", IRIS, "-o", str(out), "--check")
    assert result.exit_code == 0, result.stderr
    assert "up to date" in result.stderr


def test_diff_shows_a_unified_diff(run_cli, tmp_path):
    out = tmp_path / "out"
    run_cli("render", IRIS, "-o", str(out), "--target", "aws-ecs")
    providers = out / "iris-classifier" / "aws-ecs" / "providers.tf"
    providers.write_text(providers.read_text().replace("us-east-1", "eu-west-1"))
    result = run_cli("render", IRIS, "-o", str(out), "--target", "aws-ecs", "--diff")
    assert result.exit_code == 1
    assert "--- a/iris-classifier/aws-ecs/providers.tf" in result.stdout
    assert '-  region = "eu-west-1"' in result.stdout and '+  region = "us-east-1"' in result.stdout
    assert "eu-west-1" in providers.read_text()  # --diff writes nothing


def test_invalid_spec_writes_nothing(run_cli, tmp_path, write_spec):
    bad = write_spec("name: ok-name\ntargets: {aws-ecs: {region: us-east-1}}\nresources: {cpu: 1, memory: 1}\n")
    out = tmp_path / "out"
    result = run_cli("render", IRIS, str(bad), "-o", str(out))
    assert result.exit_code == 1
    assert "resources.memory" in result.stderr and "Traceback" not in result.stderr
    assert not out.exists()


def test_env_renders_into_its_own_folder(run_cli, tmp_path):
    out = tmp_path / "out"
    result = run_cli("render", IRIS, "-o", str(out), "--env", "prod", "--target", "aws-ecs")
    assert result.exit_code == 0, result.stderr
    backend = (out / "iris-classifier" / "prod" / "aws-ecs" / "backend.tf").read_text()
    assert 'backend "s3"' in backend and "use_lockfile" in backend


def test_writer_refuses_paths_outside_the_root(tmp_path):
    for bad in ("../escape.tf", "/abs/olute.tf"):
        with pytest.raises(WriteError):
            plan_changes({PurePosixPath(bad): "x"}, tmp_path, set())


def test_failed_write_leaves_the_previous_file_intact(tmp_path, monkeypatch):
    target = tmp_path / "m" / "main.tf"
    target.parent.mkdir()
    target.write_text("old\n")
    changes = plan_changes({PurePosixPath("m/main.tf"): "new\n"}, tmp_path, set())
    assert [c.conflict for c in changes if c.path.name == "main.tf"] == ["not written by tfgen"]

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("generator.writer.os.replace", broken_replace)
    with pytest.raises(WriteError, match="No space left"):
        apply_changes(changes, tmp_path, force=True)
    assert target.read_text() == "old\n"
    assert [p.name for p in target.parent.iterdir()] == ["main.tf"]  # no temp file left behind


def test_committed_modules_are_current(run_cli):
    """modules/ holds the examples rendered; CI fails when a template or example changed without a re-render."""
    from tests.support import REPO

    specs = sorted(str(p) for p in EXAMPLES.glob("*.yaml"))
    result = run_cli("render", *specs, "-o", str(REPO / "modules"), "--check")
    assert result.exit_code == 0, result.stderr + "\nrun: tfgen render examples/*.yaml"


def test_compiled_template_cache_changes_nothing_and_is_optional(tmp_path):
    """The per-user cache of compiled templates speeds cold runs; output is the same with or without it."""
    import os
    import subprocess
    import sys

    from tests.support import REPO

    outputs = {}
    for name, cache in (("cached", tmp_path / "cache"), ("unwritable", Path("/proc/no-cache-here"))):
        env = dict(os.environ, XDG_CACHE_HOME=str(cache))
        proc = subprocess.run(
            [sys.executable, "-m", "generator", "render", IRIS, "-o", str(tmp_path / name)],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert proc.returncode == 0, proc.stderr
        outputs[name] = _tree(tmp_path / name)
    assert outputs["cached"] == outputs["unwritable"]
    assert list((tmp_path / "cache" / "tfgen" / "jinja").glob("*.cache")), "compiled templates were not cached"


def test_a_cold_render_imports_only_the_spec_s_own_targets(tmp_path):
    """Issue 14: the registry imports a target's module when first asked for, so `tfgen render` of the
    iris spec (aws-ecs and gcp-cloud-run) imports no other target (no Kubernetes manifests), no report code
    and no jsonschema."""
    import ast
    import subprocess
    import sys

    from tests.support import REPO

    probe = (
        "import sys; from generator.cli import main; sys.argv = ['tfgen', 'render', sys.argv[1], '-o', sys.argv[2], "
        "'--target', 'aws-ecs']\ntry:\n    main()\nexcept SystemExit as exc:\n    assert exc.code in (0, None), exc\n"
        "print(sorted(m for m in sys.modules if m.startswith(('generator.targets.', 'generator.report', "
        "'generator.manifests', 'jsonschema'))))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, IRIS, str(tmp_path / "out")], cwd=REPO, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    loaded = ast.literal_eval(done.stdout.strip().splitlines()[-1])  # the module names the probe printed
    # the spec's own targets (all validated, aws-ecs rendered) and their helpers; nothing else
    assert loaded == [
        "generator.targets.aws_common",
        "generator.targets.aws_ecs",
        "generator.targets.base",
        "generator.targets.common",
        "generator.targets.gcp_cloud_run",
        "generator.targets.gcp_common",
        "generator.targets.registry",
    ]
