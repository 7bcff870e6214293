"""Render benchmark: prints numbers, asserts nothing.

1. cold `tfgen render` of one example, as a fresh process, beside the floor
   `python -c "import jinja2, yaml, click"` run interleaved in the same run
   (target: <= 1.2x the floor);
2. 1,000 generated specs in ONE `tfgen render` CLI run, every file written
   (wall time, CPU time and the max RSS of the process and its workers;
   target: <= 3 s and <= 150 MiB), with the default --jobs (the CPUs it may
   use) and with --jobs 1, beside the same floor;
3. the same specs rendered in-process without writing (the old figure).

The machine is shared, so each figure is a median of several runs and the
ratio to the floor measured in the same run is what to compare.
Usage: python benchmarks/render.py [--count 1000] [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

SPEC = """
name: bench-{i:04d}
description: generated spec {i}
labels: {{team: bench, shard: s{shard}}}
container:
  image: 123456789012.dkr.ecr.us-east-1.amazonaws.com/bench:{i}
  port: 8080
  env: {{MODEL: m{i}, LEVEL: info}}
  secrets: {{TOKEN: bench-token-{i}}}
resources: {{cpu: 1, memory: 2048}}
scaling: {{min: 1, max: 4}}
observability: {{log_retention_days: 30, alarms: {{error_rate_percent: 5, latency_p99_ms: 900}}}}
targets:
  aws-ecs: {{region: us-east-1}}
  aws-lambda:
    region: us-east-1
    package: {{type: image}}
"""


def _child_env() -> dict[str, str]:
    # an installed tfgen has byte-compiled modules; PYTHONDONTWRITEBYTECODE would recompile tfgen every run
    return {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def timed_child(command: list[str], cwd: Path) -> tuple[float, float, float]:
    """(wall seconds, max RSS MiB, CPU seconds) of one child process (with the workers it waited for)."""
    start = time.perf_counter()
    proc = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=_child_env())
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{command[:4]}... failed with exit {proc.returncode}")
    return elapsed, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


FLOOR = [sys.executable, "-c", "import jinja2, yaml, click"]


def cold_render(example: Path, target: str, out: Path) -> float:
    """One fresh `tfgen render` process."""
    # this checkout's code (an installed `tfgen` script may point at another one)
    command = [sys.executable, "-m", "generator"]
    start = time.perf_counter()
    subprocess.run(
        command + ["render", str(example), "-o", str(out), "--target", target],
        cwd=REPO,
        check=True,
        capture_output=True,
        env=_child_env(),
    )
    return time.perf_counter() - start


def bulk(count: int, folder: Path) -> tuple[float, float, int]:
    from generator.pipeline import load_spec, render_spec

    paths = []
    for i in range(count):
        path = folder / f"bench-{i:04d}.yaml"
        path.write_text(SPEC.format(i=i, shard=i % 7))
        paths.append(path)
    start = time.perf_counter()
    files = 0
    for path in paths:
        rendered, _ = render_spec(load_spec(path))
        files += len(rendered)
    elapsed = time.perf_counter() - start
    # memory in a second pass: tracemalloc slows Python several-fold, so it is not timed
    tracemalloc.start()
    for path in paths[:100]:
        render_spec(load_spec(path))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return elapsed, peak / 2**20, files


def median(values: list[float]) -> float:
    return sorted(values)[len(values) // 2]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    print(f"load average at the start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for example, target in (("iris-classifier", "aws-ecs"), ("sentiment-lambda", "aws-lambda")):
            cold_render(REPO / "examples" / f"{example}.yaml", target, tmp / f"{example}-warm")  # byte-compile once
            times, floors = [], []
            for n in range(args.runs):  # interleaved, so both see the same load
                floors.append(timed_child(FLOOR, tmp)[0])
                times.append(cold_render(REPO / "examples" / f"{example}.yaml", target, tmp / f"{example}-{n}"))
            print(
                f"cold render, {example} ({target}), fresh process: median {median(times):.3f} s; floor "
                f"(import jinja2, yaml, click) median {median(floors):.3f} s; ratio {median(times) / median(floors):.2f}x "
                "(target <= 1.2x)"
            )
        specs = tmp / "specs"
        specs.mkdir()
        for i in range(args.count):
            (specs / f"bench-{i:04d}.yaml").write_text(SPEC.format(i=i, shard=i % 7))
        cli = [sys.executable, "-m", "generator", "render", *sorted(str(p) for p in specs.glob("*.yaml"))]
        runs: dict[str, list[tuple[float, float, float]]] = {"default --jobs": [], "--jobs 1": []}
        floors = []
        for n in range(max(1, args.runs // 2)):  # interleaved: each figure beside a floor of the same moment
            floors.append(timed_child(FLOOR, REPO)[0])
            runs["default --jobs"].append(timed_child([*cli, "-o", str(tmp / f"out-{n}")], REPO))
            runs["--jobs 1"].append(timed_child([*cli, "-o", str(tmp / f"out1-{n}"), "--jobs", "1"], REPO))
        for label, figures in runs.items():
            print(
                f"{args.count} specs (aws-ecs + aws-lambda each), ONE `tfgen render` run writing every file, "
                f"{label}: median {median([f[0] for f in figures]):.2f} s wall, "
                f"{median([f[2] for f in figures]):.2f} s CPU, max RSS {max(f[1] for f in figures):.0f} MiB "
                f"(target <= 3 s, <= 150 MiB); floor in the same run {median(floors):.3f} s"
            )
        elapsed, peak, files = bulk(args.count, tmp)
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"{args.count} specs (aws-ecs + aws-lambda each) in one process, nothing written: {elapsed:.2f} s, "
            f"{files} files; Python heap peak (first 100, traced) {peak:.1f} MiB; process max RSS {rss:.1f} MiB"
        )
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
