"""`render` and `render --check` cover the base and every environment of a spec."""

from __future__ import annotations

from pathlib import Path

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
