"""Many specs in one `tfgen render` (issue 14): split over worker processes, the result is what one
process gives: the same files, the same messages, the same errors, and nothing written on an error."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from generator import pipeline, render, render_batch
from generator.errors import RenderError

SPEC = """
name: batch-{i:02d}
description: spec {i}
container:
  image: 123456789012.dkr.ecr.us-east-1.amazonaws.com/batch:{i}
  port: 8080
  env: {{MODEL: m{i}}}
resources: {{cpu: 1, memory: 2048}}
scaling: {{min: 1, max: 4}}
targets:
  aws-ecs: {{region: us-east-1}}
  aws-lambda:
    region: us-east-1
    package: {{type: image}}
"""


@pytest.fixture
def small_chunks(monkeypatch):
    """Workers for a handful of specs (the real thresholds want dozens)."""
    monkeypatch.setattr(render_batch, "MIN_SPECS_PER_JOB", 2)
    monkeypatch.setattr(render_batch, "CHUNK", 3)


def _specs(folder: Path, count: int) -> list[str]:
    folder.mkdir()
    paths = []
    for i in range(count):
        path = folder / f"spec-{i:02d}.yaml"
        path.write_text(SPEC.format(i=i))
        paths.append(str(path))
    return paths


def _snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _render_both_ways(run_cli, tmp_path: Path, specs: list[str]) -> dict[int, tuple]:
    seen = {}
    for jobs in (1, 2):
        out = tmp_path / f"out-{jobs}"
        result = run_cli("render", *specs, "-o", str(out), "--jobs", str(jobs))
        files = _snapshot(out) if out.exists() else {}
        seen[jobs] = (result.exit_code, result.stderr.replace(str(out), "OUT"), files)
    return seen


def test_workers_render_what_one_process_renders(run_cli, tmp_path, small_chunks, monkeypatch):
    specs = _specs(tmp_path / "specs", 10)  # 4 chunks over 2 workers
    pids = tmp_path / "pids"
    pids.mkdir()
    real_render_spec = pipeline.render_spec

    def recording_render_spec(spec, targets=None):
        (pids / str(os.getpid())).touch()
        return real_render_spec(spec, targets)

    monkeypatch.setattr(pipeline, "render_spec", recording_render_spec)
    one = tmp_path / "one"
    assert run_cli("render", *specs, "-o", str(one), "--jobs", "1").exit_code == 0
    assert [p.name for p in pids.iterdir()] == [str(os.getpid())]  # --jobs 1: this process only
    for pid in pids.iterdir():
        pid.unlink()
    seen = _render_both_ways(run_cli, tmp_path, specs)
    workers = {p.name for p in pids.iterdir()} - {str(os.getpid())}  # this process rendered --jobs 1
    assert len(workers) == 2  # --jobs 2: two worker processes
    assert seen[1][0] == 0 and len(seen[1][2]) == 10 * 29  # an ECS and a Lambda module each, manifests included
    assert seen[1] == seen[2]  # every file byte for byte, and every line of the report


def test_a_spec_error_in_a_worker_is_reported_as_in_one_process(run_cli, tmp_path, small_chunks):
    specs = _specs(tmp_path / "specs", 10)
    for broken in (specs[1], specs[8]):  # in the first chunk and in the last
        Path(broken).write_text(Path(broken).read_text().replace("port: 8080", "port: 99999"))
    seen = _render_both_ways(run_cli, tmp_path, specs)
    assert seen[1] == seen[2]
    code, stderr, files = seen[2]
    assert code == 1 and files == {}
    assert [line.split(":")[0] for line in stderr.splitlines()] == [specs[1], specs[8]]


def test_a_render_error_in_a_worker_stops_everything_as_in_one_process(run_cli, tmp_path, small_chunks, monkeypatch):
    specs = _specs(tmp_path / "specs", 10)
    real_render_module = render.render_module

    def failing_render_module(spec, target):
        if spec.service in ("batch-04", "batch-07"):  # the first one in spec order is the one reported
            raise RenderError(f"template broken for {spec.service}")
        return real_render_module(spec, target)

    monkeypatch.setattr(render, "render_module", failing_render_module)
    seen = _render_both_ways(run_cli, tmp_path, specs)
    assert seen[1] == seen[2] == (3, "template broken for batch-04\n", {})


def test_few_specs_stay_in_one_process(monkeypatch):
    monkeypatch.setattr(render_batch, "render_paths", lambda *args, **kwargs: "one process")
    assert render_batch.render_all(["a.yaml"] * 63, None, (), False, jobs=8) == "one process"  # < 2 x 32


@pytest.mark.parametrize(("cpus", "load", "jobs"), [(2, 0.1, 2), (2, 1.6, 1), (2, 7.0, 1), (8, 2.4, 6)])
def test_the_default_leaves_the_cpus_other_work_is_using(monkeypatch, cpus, load, jobs):
    monkeypatch.setattr(render_batch.os, "sched_getaffinity", lambda _pid: set(range(cpus)))
    monkeypatch.setattr(render_batch.os, "getloadavg", lambda: (load, 0.0, 0.0))
    assert render_batch.default_jobs() == jobs


def test_a_target_the_one_spec_lacks_is_tfgens_usage_error_and_the_cli_shows_its_usage(run_cli, tmp_path):
    from generator.errors import UsageError
    from tests.support import EXAMPLES

    spec = str(EXAMPLES / "iris-classifier.yaml")
    with pytest.raises(UsageError, match="has no target aws-lambda; it has: aws-ecs, gcp-cloud-run"):
        render_batch.render_all([spec], None, ("aws-lambda",), False, jobs=1)  # no click in the renderer
    result = run_cli("render", spec, "--target", "aws-lambda", "-o", str(tmp_path / "out"))
    assert result.exit_code == 2
    assert result.stderr.startswith("Usage: ") and "has no target aws-lambda" in result.stderr
    assert not (tmp_path / "out").exists()
