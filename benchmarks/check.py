"""`tfgen check` on all examples against running the same tools by hand once each.

Prints numbers, asserts nothing. "By hand" = what a careful engineer would run
for the same gates: `tfgen validate`, `tfgen render --check`, `terraform fmt
-check` per module, `tfgen lint`, `terraform init -backend=false` + `terraform
validate` per AWS module, and one Checkov run over all modules.
Target: tfgen check's total (--no-cache: every step runs, overlapped in
--jobs slots) <= 0.7x the sum of the tools; and `tfgen check` run again with
nothing changed (its cache: the render step and every gate remembered) <= 1 s,
printed beside its floors measured in the same run, interleaved with it:
Python's startup (`python -c pass`) and `python -c "import click"` (the CLI
framework every tfgen command loads). The re-check is the one scripts/demo
runs: the examples against their committed modules, with the google/azurerm
skips.

Usage: python benchmarks/check.py [--mirror /opt/tf-plugins] [--runs 5] [--cached-only]
  --cached-only: only the re-check with nothing changed and its floors (seconds, not minutes)
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SPECS = sorted(str(p) for p in (REPO / "examples").glob("*.yaml"))
# terraform validate runs where the provider is installable (the by-hand side validates the AWS modules only)
SKIPS = ["--skip-validate-provider", "google", "--skip-validate-provider", "azurerm"]


def timed(label: str, args: list[str], results: list, **kwargs) -> None:
    start = time.perf_counter()
    proc = subprocess.run(args, capture_output=True, text=True, **kwargs)
    results.append((label, time.perf_counter() - start, proc.returncode))


def tfgen(*args: str) -> list[str]:
    return [sys.executable, "-m", "generator", *args]


def by_hand(modules: Path, mirror: str) -> list:
    results: list = []
    timed("tfgen validate", tfgen("validate", *SPECS), results, cwd=REPO)
    timed("tfgen render --check", tfgen("render", *SPECS, "-o", str(modules), "--check"), results, cwd=REPO)
    folders = sorted(p.parent for p in modules.rglob("versions.tf"))
    for folder in folders:
        timed(
            f"terraform fmt -check {folder.relative_to(modules)}",
            ["terraform", "fmt", "-check", "."],
            results,
            cwd=folder,
        )
    timed("tfgen lint", tfgen("lint", *map(str, folders)), results, cwd=REPO)  # tfgen's bundled schemas
    rc = Path(tempfile.mkdtemp()) / "tf.rc"
    rc.write_text(f'provider_installation {{\n  filesystem_mirror {{\n    path = "{mirror}"\n  }}\n}}\n')
    for folder in folders:
        if "aws" not in folder.name:
            continue
        work = Path(tempfile.mkdtemp()) / folder.name
        shutil.copytree(folder, work)
        env = dict(os.environ, TF_CLI_CONFIG_FILE=str(rc), TF_DATA_DIR=str(work.parent / "data"))
        timed(
            f"terraform init {folder.relative_to(modules)}",
            ["terraform", "init", "-backend=false", "-input=false"],
            results,
            cwd=work,
            env=env,
        )
        timed(
            f"terraform validate {folder.relative_to(modules)}", ["terraform", "validate"], results, cwd=work, env=env
        )
    files = [str(p) for f in folders for p in sorted(f.glob("*.tf"))]
    checkov = [
        sys.executable,
        "-m",
        "checkov.main",
        "--framework",
        "terraform",
        "--skip-download",
        "--compact",
        "--quiet",
    ]
    timed(
        "checkov (one run)",
        checkov + [a for f in files for a in ("--file", f)],
        results,
        env=dict(os.environ, BC_SKIP_MAPPING="TRUE"),
    )
    return results


def seconds(args: list[str], **kwargs) -> tuple[float, int]:
    start = time.perf_counter()
    proc = subprocess.run(args, capture_output=True, **kwargs)
    return time.perf_counter() - start, proc.returncode


def recheck(check: list[str], env: dict[str, str], runs: int) -> None:
    """`tfgen check` with nothing changed, `runs` times, interleaved with its floors; medians."""
    subprocess.run(check, cwd=REPO, capture_output=True, env=env)  # fills the cache (a no-op when filled)
    floors = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "python -c 'import click'": [sys.executable, "-c", "import click"],
    }
    times: dict[str, list[float]] = {"check": [], **{name: [] for name in floors}}
    codes = set()
    for _ in range(runs):
        took, code = seconds(check, cwd=REPO, env=env)
        times["check"].append(took)
        codes.add(code)
        for name, args in floors.items():
            times[name].append(seconds(args, check=True, env=env)[0])
    median = {name: statistics.median(values) for name, values in times.items()}
    click_floor = median["python -c 'import click'"]
    print(
        f"tfgen check again, nothing changed (cache), median of {runs}: {median['check']:.2f} s "
        f"(exit {'/'.join(map(str, sorted(codes)))}; target <= 1 s; runs: "
        + ", ".join(f"{t:.2f}" for t in times["check"])
        + ")"
    )
    print(
        f"  floors in the same run, medians: python -c pass {median['python -c pass']:.3f} s, "
        f"python -c 'import click' {click_floor:.3f} s; the re-check is {median['check'] / click_floor:.1f}x "
        "the click floor"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mirror", default=os.environ.get("TFGEN_PLUGIN_MIRROR", "/opt/tf-plugins"))
    parser.add_argument("--runs", type=int, default=5, help="re-checks (and floors) to take the median of")
    parser.add_argument("--cached-only", action="store_true", help="only the re-check with nothing changed")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        modules = Path(tmp) / "modules"
        subprocess.run(tfgen("render", *SPECS, "-o", str(modules)), cwd=REPO, check=True, capture_output=True)
        check = tfgen("check", *SPECS, "--modules-dir", str(modules), "--plugin-mirror", args.mirror, *SKIPS)
        env = dict(os.environ, TFGEN_CACHE_DIR=str(Path(tmp) / "cache"))
        # A user's tfgen runs from compiled bytecode (pip compiles it at install; a checkout writes
        # __pycache__ on first use): with PYTHONDONTWRITEBYTECODE set (some CI images set it) every run
        # would compile tfgen's ~100 modules again (~0.25 s here), which measures the image, not tfgen.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        if not args.cached_only:
            hand = by_hand(modules, args.mirror)
            ours, code = seconds([*check, "--no-cache"], cwd=REPO, env=env)
            for label, took, status in hand:
                print(f"  {took:7.2f} s  (exit {status})  {label}")
            total = sum(s for _, s, _ in hand)
            print(f"tools by hand, sum: {total:.2f} s")
            print(f"tfgen check:        {ours:.2f} s (exit {code})")
            print(f"ratio:              {ours / total:.2f}x (target <= 0.70x)")
        recheck(check, env, args.runs)


if __name__ == "__main__":
    main()
