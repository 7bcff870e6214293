"""Hostile-input benchmark: `tfgen validate` on every hostile spec file, each in a fresh process.

Prints wall seconds per file (best of 3), the CPU seconds of that run (user +
system: what the work costs when the machine is shared) and the one line tfgen
answered; asserts nothing. The target (issue 10): every file answered in under 2 s, one located
line, exit 1. The files are the ones tests/test_hostile_input.py checks.

Usage: python benchmarks/hostile.py
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.test_hostile_input import hostile_files  # noqa: E402 - after the sys.path line


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        files = hostile_files(Path(tmp) / "hostile")
        worst = worst_cpu = 0.0
        for name, (path, _) in sorted(files.items()):
            runs = []
            for _ in range(3):
                before, start = os.times(), time.perf_counter()
                proc = subprocess.run(
                    [sys.executable, "-m", "generator", "validate", str(path)],
                    check=False,
                    cwd=REPO,
                    capture_output=True,
                    text=True,
                    timeout=60,
                )
                after = os.times()
                cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
                runs.append((time.perf_counter() - start, cpu))
            wall, cpu = min(runs)
            worst, worst_cpu = max(worst, wall), max(worst_cpu, cpu)
            lines = proc.stderr.splitlines()
            print(
                f"{name:26} {wall:5.2f} s wall {cpu:5.2f} s cpu  rc={proc.returncode}  lines={len(lines)}  "
                f"{lines[0][-60:] if lines else ''}"
            )
        print(
            f"slowest: {worst:.2f} s wall, {worst_cpu:.2f} s cpu (target < 2 s); load average {os.getloadavg()[0]:.1f}"
        )


if __name__ == "__main__":
    main()
