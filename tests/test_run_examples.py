"""The gates for the examples: plan -> apply -> plan (no changes) -> destroy -> nothing left.

Each step is its own `tfgen` call with SPEC --target (so the module is
rendered from the spec), against the emulator, with providers from the mirror.
"""

from __future__ import annotations

import subprocess
import sys

from tests.support import EXAMPLES


def test_ecs_example(emulator_lifecycle, tmp_path):
    timings = emulator_lifecycle(str(EXAMPLES / "iris-classifier.yaml"), "--target", "aws-ecs",
                                 "--modules-dir", str(tmp_path / "modules"))
    print("aws-ecs seconds per step:", timings)


def test_lambda_example(emulator_lifecycle, run_cli, tmp_path):
    modules = tmp_path / "modules"
    spec = EXAMPLES / "sentiment-lambda.yaml"
    rendered = run_cli("render", str(spec), "--target", "aws-lambda", "-o", str(modules))
    assert rendered.exit_code == 0, rendered.stderr
    # the function's zip is a build output the module reads (build/sentiment.zip beside its .tf files)
    build = subprocess.run([sys.executable, str(EXAMPLES / "sentiment-lambda" / "build.py"),
                            str(modules / "sentiment-lambda" / "aws-lambda" / "build" / "sentiment.zip")],
                           capture_output=True, text=True, timeout=120)
    assert build.returncode == 0, build.stderr
    timings = emulator_lifecycle(str(spec), "--target", "aws-lambda", "--modules-dir", str(modules))
    print("aws-lambda seconds per step:", timings)
