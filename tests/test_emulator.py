"""`tfgen emulator start|stop|status` with a real moto server, and what emulator mode changes."""

from __future__ import annotations

import json
import os
import time
import urllib.request
from pathlib import Path

import pytest

from generator.runners import emulator, emulator_overrides


@pytest.fixture
def own_state_dir(tmp_path, monkeypatch):
    """A state dir of its own, so this test's emulator is not the session's."""
    monkeypatch.setenv("TFGEN_STATE_DIR", str(tmp_path))
    return tmp_path


@pytest.mark.emulator
def test_start_status_stop(own_state_dir, run_cli):
    assert run_cli("emulator", "status").exit_code == 1

    started = run_cli("emulator", "start")
    try:
        assert started.exit_code == 0, started.stderr
        recorded = json.loads((own_state_dir / "emulator.json").read_text())
        url = f"http://127.0.0.1:{recorded['port']}"
        assert started.stdout == f"emulator started at {url} (pid {recorded['pid']})\n"
        with urllib.request.urlopen(f"{url}/moto-api/", timeout=5) as response:
            assert response.status == 200
        # the server that runs moto's handlers one at a time (generator/runners/moto_serial.py)
        argv = Path(f"/proc/{recorded['pid']}/cmdline").read_bytes().split(b"\0")
        assert b"generator.runners.moto_serial" in argv

        again = run_cli("emulator", "start")
        assert again.exit_code == 0
        assert again.stdout == f"emulator already running at {url} (pid {recorded['pid']})\n"

        status = run_cli("emulator", "status")
        assert status.exit_code == 0
        assert status.stdout == f"emulator running at {url} (pid {recorded['pid']}, answering)\n"
    finally:
        stopped = run_cli("emulator", "stop")
    assert stopped.exit_code == 0
    assert stopped.stdout == f"emulator stopped (pid {recorded['pid']})\n"
    assert not (own_state_dir / "emulator.json").exists()
    with pytest.raises(OSError):
        urllib.request.urlopen(f"{url}/moto-api/", timeout=2)

    not_running = run_cli("emulator", "status")
    assert (not_running.exit_code, not_running.stdout) == (1, "emulator not running\n")
    assert run_cli("emulator", "stop").stdout == "emulator was not running\n"


def test_stale_state_file_is_not_trusted(own_state_dir, run_cli):
    (own_state_dir / "emulator.json").write_text(json.dumps({"pid": 2**22 + 12345, "port": 1}))
    result = run_cli("emulator", "status")
    assert (result.exit_code, result.stdout) == (1, "emulator not running\n")
    assert not (own_state_dir / "emulator.json").exists()


def _moto_servers_for(state_dir: Path) -> list[int]:
    """Pids of the moto servers started for this state dir (from their environment)."""
    mark = str((state_dir / "emulator.json").resolve())
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and f"{emulator.STATE_ENV}={mark}".encode() in (entry / "environ").read_bytes():
                found.append(int(entry.name))
        except OSError:
            continue
    return found


@pytest.mark.emulator
def test_a_corrupt_state_file_finds_the_running_emulator_instead_of_starting_another(own_state_dir, run_cli):
    """Before: a corrupt emulator.json made `start` launch a second moto and lose the first."""
    first = run_cli("emulator", "start")
    try:
        assert first.exit_code == 0, first.stderr
        recorded = json.loads((own_state_dir / "emulator.json").read_text())
        assert set(recorded) == {"pid", "port", "started", "token", "host"}
        assert oct((own_state_dir / "emulator.json").stat().st_mode & 0o777) == "0o600"
        (own_state_dir / "emulator.json").write_text('{"pid": 12')  # cut short
        again = run_cli("emulator", "start")
        assert again.exit_code == 0, again.stderr
        assert (
            again.stdout == f"emulator already running at http://127.0.0.1:{recorded['port']} (pid {recorded['pid']})\n"
        )
        assert json.loads((own_state_dir / "emulator.json").read_text()) == recorded  # rebuilt
        assert _moto_servers_for(own_state_dir) == [recorded["pid"]]
        (own_state_dir / "emulator.json").write_text("not json at all")
        status = run_cli("emulator", "status")
        assert status.stdout == (
            f"emulator running at http://127.0.0.1:{recorded['port']} (pid {recorded['pid']}, answering)\n"
        )
    finally:
        stopped = run_cli("emulator", "stop")
    assert stopped.stdout == f"emulator stopped (pid {recorded['pid']})\n"
    assert _moto_servers_for(own_state_dir) == []


def test_stop_never_kills_a_process_it_cannot_prove_is_its_own(own_state_dir, run_cli):
    """Before: a stale file whose pid now belonged to any process with "moto" in its command line was killed."""
    import subprocess
    import sys

    bystander = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)", "moto.server", "-p", "1"])
    try:
        started = emulator._process_start(bystander.pid)
        assert started is not None
        for record in (
            {"pid": bystander.pid, "port": 1, "started": "another process, long gone", "token": "t"},  # pid reused
            {"pid": bystander.pid, "port": 1, "started": started, "token": "not its token"},  # right pid and time
            {"pid": bystander.pid, "port": 1},  # an old-style record: pid only
        ):
            (own_state_dir / "emulator.json").write_text(json.dumps(record))
            result = run_cli("emulator", "stop")
            assert (result.exit_code, result.stdout) == (0, "emulator was not running\n")
            assert bystander.poll() is None, "an unrelated process was killed"
            assert not (own_state_dir / "emulator.json").exists()
    finally:
        bystander.kill()
        bystander.wait()


def test_missing_moto_server_is_a_clear_tool_error(own_state_dir, run_cli, monkeypatch):
    real_find_spec = emulator.importlib.util.find_spec
    monkeypatch.setattr(
        emulator.importlib.util, "find_spec", lambda name, *a: None if name == "flask" else real_find_spec(name, *a)
    )
    result = run_cli("emulator", "start")
    assert result.exit_code == 3
    assert result.stderr == (
        "the AWS emulator needs moto's server, which is not installed: pip install 'tfgen-ml[emulator]'\n"
    )


def test_terraform_env_points_only_at_the_emulator(monkeypatch):
    monkeypatch.setenv("AWS_PROFILE", "production")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "real-token")
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", "https://s3.amazonaws.com")
    env = emulator_overrides.terraform_env(emulator.Emulator(pid=1, port=4567, started="0", token="t"))
    assert env["AWS_ENDPOINT_URL"] == "http://127.0.0.1:4567"
    assert (env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"]) == ("test", "test")
    assert env["AWS_PROFILE"] is None and env["AWS_SESSION_TOKEN"] is None and env["AWS_ENDPOINT_URL_S3"] is None
    assert env["AWS_SHARED_CREDENTIALS_FILE"] == env["AWS_CONFIG_FILE"] == os.devnull


def write(folder: Path, name: str, text: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text)


def test_plan_settings_switch_off_what_moto_cannot_create(tmp_path):
    write(
        tmp_path,
        "variables.tf",
        'variable "enable_autoscaling" {\n  type = bool\n}\n'
        'variable "enable_provisioned_concurrency" {\n  type = bool\n}\n',
    )
    write(
        tmp_path,
        "main.tf",
        'provider "aws" {\n  region = "eu-west-1"\n}\nprovider "aws" {\n  alias  = "dr"\n  region = "eu-west-2"\n}\n',
    )
    settings = emulator_overrides.plan_settings(tmp_path)
    assert settings.variables == {"enable_autoscaling": "false", "enable_provisioned_concurrency": "false"}
    assert settings.notes == (
        "emulator: leaving out ECS service auto scaling (enable_autoscaling=false): "
        "moto does not implement Application Auto Scaling ListTagsForResource",
        "emulator: leaving out Lambda provisioned concurrency (enable_provisioned_concurrency=false): "
        "moto does not implement Lambda provisioned concurrency",
    )
    assert settings.override == {
        "provider": {
            "aws": [
                {"max_retries": 3, "s3_use_path_style": True},
                {"alias": "dr", "max_retries": 3, "s3_use_path_style": True},
            ]
        }
    }


def test_plan_settings_warn_about_unswitchable_resources(tmp_path):
    write(
        tmp_path,
        "main.tf.json",
        json.dumps(
            {
                "resource": {
                    "aws_lambda_provisioned_concurrency_config": {
                        "this": {"function_name": "f", "qualifier": "1", "provisioned_concurrent_executions": 1}
                    }
                }
            }
        ),
    )
    settings = emulator_overrides.plan_settings(tmp_path)
    assert settings.variables == {}
    assert settings.override is None
    assert settings.notes == (
        "emulator: cannot create aws_lambda_provisioned_concurrency_config.this (moto does not implement "
        "Lambda provisioned concurrency); expect these to fail after 3 attempts",
        'emulator: the module has no provider "aws" block, so AWS API retries are not bounded',
    )


def test_arguments_moto_drops_are_ignored_keeping_the_modules_own(tmp_path):
    write(
        tmp_path,
        "main.tf",
        'provider "aws" {}\n'
        'resource "aws_ecs_service" "this" {\n  name = "s"\n'
        "  lifecycle {\n    ignore_changes = [desired_count]\n  }\n}\n"
        'resource "aws_ecs_service" "all" {\n  lifecycle {\n    ignore_changes = all\n  }\n}\n'
        'resource "aws_lambda_function" "fn" {\n  function_name = "f"\n}\n',
    )
    settings = emulator_overrides.plan_settings(tmp_path)
    assert settings.override["resource"] == {
        "aws_ecs_service": {
            "this": {
                "lifecycle": {
                    "ignore_changes": [
                        "desired_count",
                        "availability_zone_rebalancing",
                        "enable_ecs_managed_tags",
                        "health_check_grace_period_seconds",
                        "capacity_provider_strategy",
                        "ordered_placement_strategy",
                    ]
                }
            }
        },
        "aws_lambda_function": {"fn": {"lifecycle": {"ignore_changes": ["dead_letter_config"]}}},
    }
    assert (
        "emulator: moto does not keep dead_letter_config of aws_lambda_function (fn); "
        "changes to them are ignored in emulator runs"
    ) in settings.notes


def test_override_file_exists_only_inside_the_block(tmp_path):
    document = {"provider": {"aws": [{"max_retries": 3}]}}
    with emulator_overrides.provider_override(tmp_path, document):
        written = json.loads((tmp_path / emulator_overrides.OVERRIDE_FILE).read_text())
        assert written["provider"] == document["provider"]
    assert not (tmp_path / emulator_overrides.OVERRIDE_FILE).exists()
    with pytest.raises(RuntimeError), emulator_overrides.provider_override(tmp_path, document):
        raise RuntimeError("terraform failed")
    assert not (tmp_path / emulator_overrides.OVERRIDE_FILE).exists()


def test_the_emulator_answers_one_request_at_a_time():
    """moto's backends have no locks: the server tfgen starts runs its handlers one after another."""
    import threading

    from generator.runners import moto_serial

    running = 0
    most = 0
    guard = threading.Lock()

    class App:
        def __init__(self, *args):
            pass

        def __call__(self, environ, start_response):
            nonlocal running, most
            with guard:
                running += 1
                most = max(most, running)
            time.sleep(0.05)  # long enough for the other threads to arrive while this one works
            with guard:
                running -= 1
            return [environ["n"]]

    app = moto_serial._serialised(App)()
    answers: list = []
    threads = [threading.Thread(target=lambda n=n: answers.append(app({"n": n}, None))) for n in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers) == [[n] for n in range(5)]
    assert most == 1
