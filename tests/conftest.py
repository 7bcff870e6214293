"""Shared fixtures, and the rules that keep the test tiers honest.

Tiers: a test that runs terraform, Checkov or the AWS emulator (moto) carries
the marker of that tool (`terraform`, `checkov`, `emulator`, registered in
setup.cfg with --strict-markers). `scripts/test` runs everything in parallel
(pytest-xdist); `scripts/test --fast` runs `-m "not emulator"`. So that a
marker cannot be forgotten, a test that uses one of TOOL_FIXTURES without the
fixture's markers is a collection error, and tests.support's require_terraform()
/ Checkov helpers fail a running test that lacks the marker.

Under xdist every worker is its own process: session fixtures (the emulator,
the conformance suite's single Checkov run) exist once per worker. The emulator
is started per worker with its own state dir and port, so workers never share
(or stop) each other's server; tests that must share one session fixture run
in one xdist_group (scripts/test passes --dist loadgroup).

Keep each area's fixtures in its own test module unless shared.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import cli
from tests import support


@pytest.fixture(autouse=True)
def _private_check_cache(tmp_path_factory, monkeypatch):
    """`tfgen check` remembers passes (generator/check_cache.py): each test starts with an empty cache of
    its own, so a pass remembered on this machine or by another test never stands in for a gate it runs."""
    monkeypatch.setenv("TFGEN_CACHE_DIR", str(tmp_path_factory.mktemp("tfgen-check-cache")))


# fixture -> the markers every test using it must carry
TOOL_FIXTURES: dict[str, tuple[str, ...]] = {
    "aws_emulator": ("emulator",),
    "emulator_lifecycle": ("emulator", "terraform"),
    "tfgen_module": ("terraform",),
}


def pytest_collection_modifyitems(config, items):
    unmarked = []
    for item in items:
        marks = {m.name for m in item.iter_markers()}
        for fixture in set(getattr(item, "fixturenames", ())) & TOOL_FIXTURES.keys():
            missing = [m for m in TOOL_FIXTURES[fixture] if m not in marks]
            if missing:
                unmarked.append(f"{item.nodeid} uses {fixture} but is not marked {', '.join(missing)}")
    if unmarked:
        raise pytest.UsageError("tests without their tool markers:\n  " + "\n  ".join(unmarked))


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    # before any fixture of the test is set up, so module/session fixtures see it too
    support.CURRENT_TEST = item


def pytest_runtest_teardown(item):
    support.CURRENT_TEST = None


@pytest.fixture
def run_cli():
    """Invoke tfgen in-process; returns click's Result (stdout and stderr separate)."""

    def invoke(*args: str, input: str | None = None):
        return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)

    return invoke


@pytest.fixture
def write_spec(tmp_path: Path):
    """Write a YAML spec (dedented) into tmp_path and return its path."""

    def write(text: str, name: str = "spec.yaml") -> Path:
        path = tmp_path / name
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    return write


# -- terraform runs against the AWS emulator (tests/test_run*.py, test_emulator*.py) --


def xdist_worker(request) -> str:
    """`gw0`, `gw1`... under pytest-xdist, `main` without it."""
    return getattr(request.config, "workerinput", {}).get("workerid", "main")


@pytest.fixture(scope="session")
def aws_emulator(request, tmp_path_factory):
    """A real moto server for this session (this xdist worker), started the way `tfgen emulator start` does.

    Worker-safe: each worker's session has its own state dir (under its own
    pytest basetemp), so `emulator.start()` records its own free port there and
    `emulator.stop()` stops only that server. Sets TFGEN_STATE_DIR for the
    session so `tfgen ... --emulator` finds it (tests that need another state
    dir must not use --emulator).
    """
    import os

    from generator.errors import TfgenError
    from generator.runners import emulator

    state = tmp_path_factory.mktemp(f"tfgen-state-{xdist_worker(request)}")
    previous = os.environ.get("TFGEN_STATE_DIR")
    os.environ["TFGEN_STATE_DIR"] = str(state)
    try:
        running, _ = emulator.start()
    except TfgenError as exc:
        pytest.fail(f"cannot start the AWS emulator (moto[server]): {exc}")
    yield running
    emulator.stop()
    if previous is None:
        os.environ.pop("TFGEN_STATE_DIR", None)
    else:
        os.environ["TFGEN_STATE_DIR"] = previous


@pytest.fixture
def module_copy(tmp_path):
    """Copy a module folder to tmp_path/modules/<name>-<random>, with text replacements.

    Unique folder names keep run work dirs apart under a shared TFGEN_STATE_DIR;
    `replace` lets a test give resources unique names in the shared emulator.
    """
    import secrets
    import shutil

    def copy(source: Path, replace: dict[str, str] | None = None) -> Path:
        target = tmp_path / "modules" / f"{source.name}-{secrets.token_hex(4)}"
        shutil.copytree(source, target, ignore=shutil.ignore_patterns(".terraform*", "terraform.tfstate*"))
        for path in target.rglob("*.tf"):
            text = path.read_text(encoding="utf-8")
            for old, new in (replace or {}).items():
                text = text.replace(old, new)
            path.write_text(text, encoding="utf-8")
        return target

    return copy


@pytest.fixture
def tfgen_module():
    """Run `tfgen COMMAND --module-dir DIR [ARGS]` in-process, offline via the provider mirror.

    Each call is a separate CLI invocation; click's Result has exit_code,
    stdout and stderr apart. `env` adds environment variables for that call.
    """
    from tests.support import PLUGIN_MIRROR, require_terraform

    require_terraform()

    def invoke(
        command: str,
        module_dir: Path,
        *args: str,
        input: str | None = None,
        env: dict[str, str] | None = None,
        mirror: Path | None = None,
    ):
        argv = [
            command,
            "--module-dir",
            str(module_dir),
            "--modules-dir",
            str(module_dir.parent),
            "--plugin-mirror",
            str(mirror or PLUGIN_MIRROR),
            *args,
        ]
        return CliRunner().invoke(cli, argv, input=input, env=env, catch_exceptions=False)

    return invoke


@pytest.fixture
def emulator_lifecycle(aws_emulator):
    """plan -> apply -> plan (no changes) -> destroy -> nothing left, each a separate tfgen call.

    `module_args` names the module as the CLI does: ["--module-dir", DIR] or
    [SPEC, "--target", T, "--modules-dir", DIR]. Returns seconds per step.
    """
    import json
    import time

    from tests.support import PLUGIN_MIRROR, require_terraform

    require_terraform()

    def run(*module_args: str) -> dict[str, float]:
        timings: dict[str, float] = {}

        def step(name: str, command: str, *args: str, expect: int):
            started = time.monotonic()
            result = CliRunner().invoke(
                cli,
                [command, *module_args, "--plugin-mirror", str(PLUGIN_MIRROR), "--emulator", *args],
                catch_exceptions=False,
            )
            timings[name] = round(time.monotonic() - started, 1)
            assert result.exit_code == expect, f"{name}: exit {result.exit_code}\n{result.stdout}\n{result.stderr}"
            assert "Traceback" not in result.stderr
            return result

        first = step("plan", "plan", "--summary", "json", expect=2)
        assert json.loads(first.stdout)["counts"]["add"] > 0
        step("apply", "apply", "--auto-approve", expect=0)
        again = step("second plan", "plan", "--summary", "json", expect=0)
        assert json.loads(again.stdout)["has_changes"] is False
        step("destroy", "destroy", "--auto-approve", expect=0)
        left = step("nothing left", "destroy", "--auto-approve", expect=0)
        assert left.stdout.endswith("Nothing to destroy.\n")
        return timings

    return run
