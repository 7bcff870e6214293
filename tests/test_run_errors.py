"""Failures surface as one clear message and the right exit code, never a traceback."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures" / "run"


def assert_one_clear_message(result, exit_code: int, first_line: str) -> None:
    assert result.exit_code == exit_code, result.stderr
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert first_line in result.stderr


@pytest.fixture
def isolated_state(tmp_path, monkeypatch):
    monkeypatch.setenv("TFGEN_STATE_DIR", str(tmp_path / "state"))


@pytest.fixture
def moto_enforcing_credentials():
    """A second moto server that checks credentials (moto's INITIAL_NO_AUTH_ACTION_COUNT=0)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = dict(os.environ, INITIAL_NO_AUTH_ACTION_COUNT="0", MOTO_PORT=str(port))
    proc = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(f"{url}/moto-api/", timeout=1).close()
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail("moto server (moto[server]) did not start")
            time.sleep(0.2)
    yield url
    proc.terminate()
    proc.wait(timeout=10)


@pytest.mark.terraform
def test_provider_missing_from_the_mirror(isolated_state, module_copy, tfgen_module, tmp_path):
    empty_mirror = tmp_path / "empty-mirror"
    empty_mirror.mkdir()
    module = module_copy(FIXTURES / "basic")
    result = tfgen_module("plan", module, mirror=empty_mirror)
    assert_one_clear_message(result, 1, "terraform init failed:\nError: Failed to query available provider packages\n")
    assert "provider registry.terraform.io/hashicorp/aws was not found in any of the search locations" in result.stderr
    assert str(empty_mirror) in result.stderr


@pytest.mark.terraform
@pytest.mark.emulator
def test_bad_credentials(isolated_state, module_copy, tfgen_module, moto_enforcing_credentials):
    module = module_copy(FIXTURES / "basic")
    env = {
        "AWS_ENDPOINT_URL": moto_enforcing_credentials,
        "AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE",
        "AWS_SECRET_ACCESS_KEY": "not-a-real-secret",
        "AWS_PROFILE": None,
        "AWS_SESSION_TOKEN": None,
    }
    result = tfgen_module("plan", module, env=env)
    assert_one_clear_message(
        result, 1, "terraform plan failed:\nError: Retrieving AWS account details: validating provider credentials"
    )
    assert "StatusCode: 403" in result.stderr
    assert result.stderr.count("\nError: ") == 1  # said once, not once per stream


@pytest.mark.terraform
def test_unreachable_backend(isolated_state, module_copy, tfgen_module):
    module = module_copy(FIXTURES / "unreachable-backend")
    started = time.monotonic()
    result = tfgen_module("plan", module)
    assert_one_clear_message(result, 1, "terraform init failed:\nError: Failed to get existing workspaces")
    assert "dial tcp 127.0.0.1:1: connect: connection refused" in result.stderr
    assert time.monotonic() - started < 60


@pytest.mark.terraform
def test_terraform_not_installed(isolated_state, module_copy, tfgen_module, tmp_path):
    module = module_copy(FIXTURES / "basic")
    result = tfgen_module("plan", module, env={"PATH": str(tmp_path)})
    assert_one_clear_message(result, 3, "terraform is not on PATH")


@pytest.mark.terraform
def test_emulator_not_running(isolated_state, module_copy, tfgen_module):
    module = module_copy(FIXTURES / "basic")
    result = tfgen_module("plan", module, "--emulator")
    assert_one_clear_message(result, 3, "the AWS emulator is not running: start it with `tfgen emulator start`")


@pytest.mark.terraform
def test_not_a_terraform_module(isolated_state, tfgen_module, tmp_path):
    folder = tmp_path / "modules" / "empty"
    folder.mkdir(parents=True)
    result = tfgen_module("plan", folder)
    assert_one_clear_message(result, 1, f"{folder.resolve()}: no *.tf or *.tf.json files: not a Terraform module")


@pytest.mark.terraform
def test_plugin_mirror_must_be_a_folder(isolated_state, module_copy, tfgen_module, tmp_path):
    module = module_copy(FIXTURES / "basic")
    result = tfgen_module("plan", module, mirror=tmp_path / "no-such-mirror")
    assert_one_clear_message(result, 1, f"provider mirror {tmp_path / 'no-such-mirror'} is not a directory")


@pytest.mark.parametrize(
    "args, message",
    [
        ([], "give a SPEC file and --target TARGET (or --module-dir DIR)"),
        (["spec.yaml"], "--target is required with SPEC"),
        (
            ["spec.yaml", "--module-dir", "."],
            "give either SPEC --target TARGET [--env ENV] or --module-dir DIR, not both",
        ),
    ],
)
def test_module_selection_usage_errors(run_cli, tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "spec.yaml").write_text("service: x\n")
    for command in ("plan", "apply", "destroy", "output"):
        result = run_cli(command, *args)
        assert result.exit_code == 2
        assert message in result.stderr


@pytest.mark.terraform
@pytest.mark.emulator
def test_emulator_names_what_it_cannot_create_and_gives_up_quickly(aws_emulator, module_copy, tfgen_module):
    """Without max_retries moto's missing ListTagsForResource kept the provider retrying for minutes."""
    import secrets

    module = module_copy(FIXTURES / "unsupported", {'default = "tfgen-run"': f'default = "t{secrets.token_hex(3)}"'})
    planned = tfgen_module("plan", module, "--emulator", "--summary", "json")
    assert planned.exit_code == 2, planned.stderr
    assert (
        "emulator: cannot create aws_appautoscaling_target.reads (moto does not implement Application Auto "
        "Scaling ListTagsForResource); expect these to fail after 3 attempts\n"
    ) in planned.stderr
    started = time.monotonic()
    applied = tfgen_module("apply", module, "--emulator", "--auto-approve")
    assert_one_clear_message(applied, 1, "terraform apply failed:\nError: listing tags for Application Auto Scaling")
    assert "ListTagsForResource, exceeded maximum number of attempts, 3," in applied.stderr
    assert time.monotonic() - started < 120
