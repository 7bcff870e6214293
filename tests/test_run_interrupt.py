"""Ctrl-C (or SIGTERM) during an apply stops terraform cleanly: state saved, lock released."""

from __future__ import annotations

import json
import os
import queue
import signal
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from generator.runners.plans import run_paths
from tests.support import PLUGIN_MIRROR, REPO

FIXTURE = Path(__file__).parent / "fixtures" / "run" / "slow"


def read_lines(stream, into: queue.Queue) -> None:
    for line in iter(stream.readline, ""):
        into.put(line)
    into.put(None)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
@pytest.mark.terraform
def test_interrupted_apply_stops_cleanly(signum, module_copy, tfgen_module, tmp_path, monkeypatch):
    monkeypatch.setenv("TFGEN_STATE_DIR", str(tmp_path / "state"))
    module = module_copy(FIXTURE)
    assert tfgen_module("plan", module).exit_code == 2
    plan_file = run_paths(module, module.parent).plan_file
    assert stat.S_IMODE(plan_file.stat().st_mode) == 0o600  # issue 10 #11: terraform wrote it 0644

    apply = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "generator.cli",
            "apply",
            "--module-dir",
            str(module),
            "--modules-dir",
            str(module.parent),
            "--plugin-mirror",
            str(PLUGIN_MIRROR),
            "--auto-approve",
        ],
        cwd=REPO,
        env=dict(os.environ),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=read_lines, args=(apply.stderr, lines), daemon=True).start()
    seen = []
    deadline = time.monotonic() + 120
    while "terraform_data.slow: creating...\n" not in seen:
        assert time.monotonic() < deadline, "".join(seen)
        line = lines.get(timeout=120)
        assert line is not None, "tfgen apply ended early:\n" + "".join(seen)
        seen.append(line)
    time.sleep(1)  # the provisioner's sleep is running

    started = time.monotonic()
    apply.send_signal(signum)
    assert apply.wait(timeout=60) == 130
    assert time.monotonic() - started < 20  # stopped, not waited out (the resource takes 30 s)
    while (line := lines.get(timeout=10)) is not None:
        seen.append(line)
    stderr = "".join(seen)
    assert "interrupted: asking terraform to stop cleanly" in stderr
    assert "terraform stopped\n" in stderr
    assert stderr.endswith("interrupted\n")
    assert "Traceback" not in stderr
    assert apply.stdout.read() == ""

    state = json.loads((module / "terraform.tfstate").read_text())  # written, and whole
    assert stat.S_IMODE((module / "terraform.tfstate").stat().st_mode) == 0o600  # issue 10 #11: was 0644
    assert [r["instances"][0].get("status") for r in state["resources"]] == ["tainted"]
    assert not (module / ".terraform.tfstate.lock.info").exists()
    again = tfgen_module("plan", module)  # the lock is free: terraform can plan (to replace the tainted one)
    assert again.exit_code == 2, again.stderr
    assert "-/+ terraform_data.slow (replace: tainted)" in again.stdout
