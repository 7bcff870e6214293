"""The only place tfgen starts terraform.

Every terraform process, whatever runs it (plan/apply, `tfgen check`'s fmt and
validate, `tfgen scan --plan`'s `show -json`, lint's `providers schema -json`),
is started by `run()` here, with:

* the binary from `find_terraform()`;
* the argument list built by python-terraform's command builder, given only
  positional `-flag=value` strings (docs/python-terraform.md says why tfgen
  uses no more of python-terraform than that);
* one environment policy, `environment()`: the user's environment minus
  `TF_CLI_ARGS*` (hidden extra flags such as `-destroy`), plus
  TF_IN_AUTOMATION, TF_INPUT=0, CHECKPOINT_DISABLE, and the caller's
  TF_DATA_DIR and CLI configuration (tfconfig.py: a copy of the user's own,
  with tfgen's provider mirror merged in);
* a timeout per command (`TIMEOUTS`);
* Ctrl-C forwarding: terraform runs in its own session, so a Ctrl-C at the
  terminal reaches only tfgen, which forwards exactly one SIGINT (terraform's
  graceful stop: finish the operations in flight, save state, release the
  lock). If terraform had also got the terminal's SIGINT, ours would be its
  second, which makes it exit at once without saving. A second Ctrl-C is
  forwarded as terraform's own "stop now"; after INTERRUPT_GRACE seconds it is
  killed. SIGTERM (a CI job being cancelled) is treated like Ctrl-C;
* output decoded as UTF-8 (undecodable bytes replaced), read line by line as
  it comes so callers can show progress.

No shell, no secrets on the command line or in temporary files: the only
`-var` values tfgen passes are the emulator's feature switches (booleans).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from python_terraform import Terraform as _PythonTerraform

from ..errors import RunError, ToolError

Echo = Callable[[str], None]
LineHandler = Callable[[str], None]

# Seconds. Generous: an ECS service or a Lambda in a VPC can take many minutes
# in a real cloud; the emulator is fast. `validate` and `fmt` read files only;
# `providers schema` starts every provider plugin of a module.
TIMEOUTS = {
    "version": 60,
    "init": 600,
    "plan": 1800,
    "apply": 7200,
    "show": 300,
    "output": 300,
    "fmt": 120,
    "validate": 600,
    "providers schema": 300,
}
INTERRUPT_GRACE = 600  # after forwarding SIGINT, how long terraform may take to stop cleanly

# User environment that would change what tfgen's terraform calls do behind
# its back (extra flags such as -destroy or -target on every command).
IGNORED_ENV_PREFIX = "TF_CLI_ARGS"
CLI_CONFIG_ENV = "TF_CLI_CONFIG_FILE"


class _ArgumentBuilder(_PythonTerraform):
    """python-terraform's command builder without its side effect.

    Its constructor parses `terraform.tfstate` from the working directory
    (and fails on a half-written one); tfgen never uses that copy of the state.
    """

    def read_state_file(self, file_path=None):
        self.tfstate = None


def find_terraform() -> str:
    path = shutil.which("terraform")
    if not path:
        raise ToolError(
            "terraform is not on PATH: install Terraform 1.10 or newer "
            "(https://developer.hashicorp.com/terraform/install)"
        )
    return path


def argv(binary: str, command: str, *args: str) -> list[str]:
    """The exact argument list for `terraform COMMAND ARGS...` (COMMAND may be two words)."""
    return _ArgumentBuilder(terraform_bin_path=binary).generate_cmd_string(command, *args)


def environment(
    *,
    cli_config: Path | None,
    data_dir: Path | None = None,
    extra: Mapping[str, str | None] | None = None,
    echo: Echo | None = None,
) -> dict[str, str]:
    """The environment of one terraform process, built from tfgen's own.

    `cli_config`: the CLI configuration file terraform reads (None: the user's
    own, as they set it up; tfconfig.py decides). `extra` is added last (None removes a variable); `echo` is told about
    every TF_CLI_ARGS* variable that is dropped.
    """
    env: dict[str, str] = {}
    for key, value in os.environ.items():
        if key.startswith(IGNORED_ENV_PREFIX):
            if echo is not None:
                echo(f"ignoring {key}: tfgen passes terraform's arguments itself")
            continue
        env[key] = value
    if cli_config is not None:
        env[CLI_CONFIG_ENV] = str(cli_config)
    env.update(
        {
            "TF_IN_AUTOMATION": "1",  # shorter messages, no "run terraform apply" hints
            "TF_INPUT": "0",
            "CHECKPOINT_DISABLE": "1",
        }
    )
    if data_dir is not None:
        env["TF_DATA_DIR"] = str(data_dir)
    for key, extra_value in (extra or {}).items():
        if extra_value is None:
            env.pop(key, None)
        else:
            env[key] = extra_value
    return env


@dataclass(frozen=True)
class Completed:
    command: str
    returncode: int
    stdout: str
    stderr: str


def run(
    binary: str,
    command: str,
    args: Sequence[str],
    *,
    cwd: Path,
    env: Mapping[str, str],
    timeout: float | None = None,
    on_stdout: LineHandler | None = None,
    on_stderr: LineHandler | None = None,
    echo: Echo | None = None,
    ok: Iterable[int] | None = (0,),
    failure: Callable[[Completed], str] | None = None,
) -> Completed:
    """Run `terraform COMMAND ARGS...` in `cwd` and wait for it.

    Every line of output is collected, and also given to `on_stdout` /
    `on_stderr` as it arrives. `echo` gets the interrupt and timeout notices.
    A return code outside `ok` raises RunError with `failure(completed)` (by
    default the last lines of stderr); `ok=None` returns whatever the code.
    A timeout stops terraform as Ctrl-C does and raises RunError.
    """
    say = echo or (lambda _line: None)
    timeout = TIMEOUTS.get(command, 600) if timeout is None else timeout
    command_line = argv(binary, command, *args)
    try:
        proc = subprocess.Popen(
            command_line,
            cwd=cwd,
            env=dict(env),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            errors="replace",
            bufsize=1,
            start_new_session=True,
            umask=0o077,  # plans and state terraform writes can hold secrets: every file it creates is 0600
        )
    except OSError as exc:
        raise ToolError(f"cannot run terraform ({binary}): {exc.strerror or exc}") from None

    out: list[str] = []
    err: list[str] = []

    def collect(into: list[str], handler: LineHandler | None) -> LineHandler:
        def handle(line: str) -> None:
            into.append(line)
            if handler is not None:
                handler(line)

        return handle

    pumps = [
        threading.Thread(target=_pump, args=(proc.stdout, collect(out, on_stdout)), daemon=True),
        threading.Thread(target=_pump, args=(proc.stderr, collect(err, on_stderr)), daemon=True),
    ]
    for pump in pumps:
        pump.start()
    try:
        returncode = _wait(proc, command, timeout, say)
    finally:
        for pump in pumps:
            pump.join(timeout=30)
    done = Completed(command, returncode, "".join(out), "".join(err))
    if ok is not None and returncode not in tuple(ok):
        raise RunError((failure or default_failure)(done))
    return done


def default_failure(done: Completed) -> str:
    tail = [line.rstrip() for line in done.stderr.splitlines() if line.strip()][-20:]
    body = "\n".join(tail) if tail else f"exit code {done.returncode}, no message"
    return f"terraform {done.command} failed:\n{body}"


def _wait(proc: subprocess.Popen, command: str, timeout: float, echo: Echo) -> int:
    with _sigterm_as_interrupt():
        try:
            return proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            echo(f"terraform {command} did not finish within {timeout:.0f} s: stopping it")
            _stop(proc, echo)
            raise RunError(f"terraform {command} did not finish within {timeout:.0f} s and was stopped") from None
        except KeyboardInterrupt:
            echo(
                "interrupted: asking terraform to stop cleanly (it finishes the operations in flight, "
                "saves state and releases the lock); press Ctrl-C again to stop it at once"
            )
            _stop(proc, echo)
            raise


def _stop(proc: subprocess.Popen, echo: Echo) -> None:
    """One SIGINT (terraform's graceful stop), then its second (stop now), then kill."""
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(timeout=INTERRUPT_GRACE)
        echo("terraform stopped")
        return
    except KeyboardInterrupt:
        echo("second interrupt: terraform stops at once; state may miss what was in flight")
        proc.send_signal(signal.SIGINT)
    except subprocess.TimeoutExpired:
        echo(f"terraform did not stop within {INTERRUPT_GRACE} s: killing it; state may be stale and locked")
        proc.kill()
    try:
        proc.wait(timeout=30)
    except (subprocess.TimeoutExpired, KeyboardInterrupt):
        proc.kill()
        proc.wait()


def _pump(stream, handle: LineHandler) -> None:
    for line in iter(stream.readline, ""):
        handle(line)
    stream.close()


@contextmanager
def _sigterm_as_interrupt():
    """While terraform runs, SIGTERM stops it cleanly like Ctrl-C (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
