"""Lint benchmark: prints wall times, asserts nothing.

1. schema load per provider schema (tfgen's bundled ones, or --schemas DIR of
   full `terraform providers schema -json` files): cold (empty cache) and cached;
2. `tfgen lint` of every module directory under modules/ (or, while that is
   empty, the lint test fixtures) as a fresh process each, schema load
   included, against those schemas - the way a user runs it;
3. the same modules linted in one process (what `tfgen check` pays).

Usage: python benchmarks/lint.py [--schemas DIR] [--repeat 3] [--modules DIR]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from generator.lint import lint  # noqa: E402
from generator.lint.engine import find_modules  # noqa: E402
from generator.lint.schema_source import forget_loaded, load_schema_file  # noqa: E402


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def module_dirs(root: Path | None) -> list[Path]:
    modules = root or REPO / "modules"
    if modules.is_dir() and any(modules.rglob("*.tf")):
        return sorted(find_modules([modules]))
    return sorted(find_modules([REPO / "tests" / "fixtures" / "lint" / "clean"]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--schemas",
        type=Path,
        default=REPO / "provider-schemas",
        help="folder of *.schema.json[.gz] (default: tfgen's bundled, trimmed schemas)",
    )
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--modules", type=Path, default=None, help="lint the modules under this folder instead")
    args = parser.parse_args()
    schemas = sorted(args.schemas.glob("*.schema.json*"))
    if not schemas:
        sys.exit(f"no *.schema.json[.gz] in {args.schemas}")

    with tempfile.TemporaryDirectory() as tmp:
        cache = Path(tmp) / "cache"
        os.environ["XDG_CACHE_HOME"] = tmp  # children (fresh processes) share this cache

        print("schema load (seconds)            cold   cached")
        for schema in schemas:
            forget_loaded()
            cold, _ = timed(lambda schema=schema: load_schema_file(schema, cache))
            cached = []
            for _ in range(args.repeat):
                forget_loaded()
                cached.append(timed(lambda schema=schema: load_schema_file(schema, cache))[0])
            size = schema.stat().st_size / 1e6
            print(f"  {schema.name:<32} {cold:6.3f}  {min(cached):6.3f}   ({size:.1f} MB on disk)")
        forget_loaded()
        for schema in schemas:  # the cache for the default location the children use
            load_schema_file(schema)

        dirs = module_dirs(args.modules)
        flags = [arg for schema in schemas for arg in ("--provider-schema", str(schema))]
        print(f"\nfresh `tfgen lint DIR` per module, cached schemas ({len(dirs)} modules; seconds)")
        worst = 0.0
        for module in dirs:
            runs = []
            for _ in range(args.repeat):
                elapsed, proc = timed(
                    lambda module=module: subprocess.run(
                        [sys.executable, "-m", "generator.cli", "lint", str(module), "--no-terraform", *flags],
                        cwd=REPO,
                        capture_output=True,
                        text=True,
                    )
                )
                runs.append(elapsed)
            worst = max(worst, min(runs))
            summary = proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else f"exit {proc.returncode}"
            print(f"  {min(runs):6.3f}  {module}  [{summary}]")
        print(f"  slowest module: {worst:.3f}s")

        forget_loaded()
        elapsed, report = timed(lambda: lint(dirs, schemas, use_terraform=False))
        print(
            f"\nin-process lint of all {len(dirs)} modules, cached schemas: {elapsed:.3f}s "
            f"({elapsed / len(dirs):.3f}s per module; {len(report.errors)} errors, {len(report.warnings)} warnings)"
        )


if __name__ == "__main__":
    main()
