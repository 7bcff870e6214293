"""`tfgen check` on all examples against running the same tools by hand once each.

Prints numbers, asserts nothing. "By hand" = what a careful engineer would run
for the same gates: `tfgen validate`, `tfgen render --check`, `terraform fmt
-check` per module, `tfgen lint`, `terraform init -backend=false` + `terraform
validate` per AWS module, and one Checkov run over all modules.
Target: tfgen check's total (--no-cache: every step runs, overlapped in
--jobs slots) <= 0.7x the sum of the tools; and `tfgen check` run again with
nothing changed (its cache) <= 1 s.

Usage: python benchmarks/check.py [--mirror /opt/tf-plugins]
"""

from __future__ import annotations

import argparse
import os
import shutil
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mirror", default=os.environ.get("TFGEN_PLUGIN_MIRROR", "/opt/tf-plugins"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        modules = Path(tmp) / "modules"
        subprocess.run(tfgen("render", *SPECS, "-o", str(modules)), cwd=REPO, check=True, capture_output=True)
        hand = by_hand(modules, args.mirror)
        check = tfgen("check", *SPECS, "--modules-dir", str(modules), "--plugin-mirror", args.mirror, *SKIPS)
        env = dict(os.environ, TFGEN_CACHE_DIR=str(Path(tmp) / "cache"))
        start = time.perf_counter()
        proc = subprocess.run([*check, "--no-cache"], cwd=REPO, capture_output=True, text=True, env=env)
        ours = time.perf_counter() - start
        subprocess.run(check, cwd=REPO, capture_output=True, env=env)  # fills the cache
        start = time.perf_counter()
        again = subprocess.run(check, cwd=REPO, capture_output=True, text=True, env=env)
        cached = time.perf_counter() - start
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import jinja2, yaml, click"], check=True)
        floor = time.perf_counter() - start
    for label, seconds, code in hand:
        print(f"  {seconds:7.2f} s  (exit {code})  {label}")
    total = sum(s for _, s, _ in hand)
    print(f"tools by hand, sum: {total:.2f} s")
    print(f"tfgen check:        {ours:.2f} s (exit {proc.returncode})")
    print(f"ratio:              {ours / total:.2f}x (target <= 0.70x)")
    print(
        f"tfgen check again, nothing changed (cache): {cached:.2f} s (exit {again.returncode}; target <= 1 s; "
        f"python -c 'import jinja2, yaml, click' in the same run: {floor:.2f} s)"
    )


if __name__ == "__main__":
    main()
