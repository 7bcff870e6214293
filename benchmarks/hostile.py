"""Hostile-input benchmark: `tfgen validate` on every hostile spec file, each in a fresh process.

Prints seconds per file (best of 3) and the one line tfgen answered; asserts
nothing. The target (issue 10): every file answered in under 2 s, one located
line, exit 1. The files are the ones tests/test_hostile_input.py checks.

Usage: python benchmarks/hostile.py
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.test_hostile_input import hostile_files


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        files = hostile_files(Path(tmp) / "hostile")
        worst = 0.0
        for name, (path, _) in sorted(files.items()):
            times = []
            for _ in range(3):
                start = time.perf_counter()
                proc = subprocess.run([sys.executable, "-m", "generator", "validate", str(path)], check=False, cwd=REPO,
                                      capture_output=True, text=True, timeout=60)
                times.append(time.perf_counter() - start)
            worst = max(worst, min(times))
            lines = proc.stderr.splitlines()
            print(f"{name:28} {min(times):5.2f} s  rc={proc.returncode}  lines={len(lines)}  {lines[0][-70:] if lines else ''}")
        print(f"slowest: {worst:.2f} s (target < 2 s)")


if __name__ == "__main__":
    main()
