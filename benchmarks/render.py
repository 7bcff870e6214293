"""Render benchmark: prints numbers, asserts nothing.

1. cold `tfgen render` of one example (all AWS targets), as a fresh process;
2. 1,000 generated specs rendered in one process (wall time, peak memory).

Usage: python benchmarks/render.py [--count 1000]
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


def cold_render(example: Path, target: str, out: Path) -> float:
    """One fresh `tfgen render` process (the installed console script when present)."""
    exe = Path(sys.executable).with_name("tfgen")
    command = [str(exe)] if exe.exists() else [sys.executable, "-m", "generator"]
    start = time.perf_counter()
    subprocess.run(command + ["render", str(example), "-o", str(out), "--target", target],
                   cwd=out.parent, check=True, capture_output=True)
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for example, target in (("iris-classifier", "aws-ecs"), ("sentiment-lambda", "aws-lambda")):
            times = [cold_render(REPO / "examples" / f"{example}.yaml", target, tmp / f"{example}-{n}") for n in range(5)]
            print(f"cold render, {example} ({target}), fresh process: best {min(times):.3f} s, "
                  f"median {sorted(times)[2]:.3f} s")
        elapsed, peak, files = bulk(args.count, tmp)
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"{args.count} specs (aws-ecs + aws-lambda each) in one process: {elapsed:.2f} s, "
              f"{files} files; Python heap peak (first 100, traced) {peak:.1f} MiB; process max RSS {rss:.1f} MiB")


if __name__ == "__main__":
    main()
