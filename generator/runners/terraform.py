"""Every terraform process tfgen starts: argument lists, environment, live output, Ctrl-C.

This is the only module that imports python-terraform, and the only one that
runs terraform for plan/apply/destroy/output.

How python-terraform (0.10.1, last released 2019) is used, and why not more
----------------------------------------------------------------------------
Its convenience methods are wrong for Terraform 1.x: `destroy()` adds
`-force` (removed in 0.15), `apply()` turns `skip_plan` into
`-auto-approve=...` and forces `-no-color`, the methods pass the directory as
a positional argument (1.x wants the working directory or `-chdir`), and the
default `variables={}` or any `var=` dict is written to a temporary
`.tfvars.json` file (secret values on disk). So tfgen never calls them.

tfgen builds every argument list with python-terraform's generic command
builder (`generate_cmd_string`, what its `cmd()` uses), and gives it only
explicit, positional `-flag=value` strings: no keyword options, so nothing
like `-force`, `-no-color` or `-var-file` can be added behind our back
(tests assert the exact argument lists).

The process itself is started here with `subprocess.Popen`, not through
`cmd()`, because `cmd()` cannot do what a safe run needs:
  * it has no `env` parameter (TF_DATA_DIR, TF_CLI_CONFIG_FILE and the
    emulator's endpoint and credentials must reach terraform, and only it);
  * it waits with `communicate()`, so nothing streams while terraform runs;
    `capture_output=False` writes to `sys.stdout`, which has no file
    descriptor under test runners and cannot be parsed for progress lines;
  * `synchronous=False` (documented to return the Popen) is passed on to
    terraform as a bogus `-synchronous=false` flag before it is read;
  * it cannot start terraform in its own session, which Ctrl-C needs (below).

Ctrl-C
------
terraform runs in its own session, so a Ctrl-C at the terminal reaches only
tfgen. tfgen forwards exactly one SIGINT: terraform then stops starting new
operations, waits for the ones in flight, writes state and releases the
lock. (If terraform also got the terminal's SIGINT, ours would be its
second, which makes it exit at once without saving.) A second Ctrl-C is
forwarded as terraform's own "stop now". After INTERRUPT_GRACE seconds
terraform is killed. SIGTERM (a CI job being cancelled) is treated like
Ctrl-C while terraform runs.

Secrets never go on a command line or into a temporary file: the only
`-var` values tfgen passes are the emulator's feature switches (booleans);
users pass their own values the Terraform way, as TF_VAR_* in the environment.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import textwrap
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from python_terraform import Terraform as _PythonTerraform

from ..errors import RunError, ToolError
from .plans import RunPaths

Echo = Callable[[str], None]

# Seconds. Generous: an ECS service or a Lambda in a VPC can take many minutes
# in a real cloud; the emulator is fast.
TIMEOUTS = {"version": 60, "init": 600, "plan": 1800, "apply": 7200, "show": 300, "output": 300}
INTERRUPT_GRACE = 600  # after forwarding SIGINT, how long terraform may take to stop cleanly
INIT_JSON_SINCE = (1, 9)  # `terraform init -json` exists from 1.9

# User environment that would change what tfgen's terraform calls do behind
# its back (extra flags such as -destroy or -target on every command).
_IGNORED_ENV_PREFIX = "TF_CLI_ARGS"


class _ArgumentBuilder(_PythonTerraform):
    """python-terraform's command builder without its side effect.

    Its constructor parses `terraform.tfstate` from the working directory
    (and fails on a half-written one); tfgen never uses that copy of the state.
    """

    def read_state_file(self, file_path=None):  # noqa: ARG002 - python-terraform's signature
        self.tfstate = None


def find_terraform() -> str:
    path = shutil.which("terraform")
    if not path:
        raise ToolError("terraform is not on PATH: install Terraform 1.5 or newer "
                        "(https://developer.hashicorp.com/terraform/install)")
    return path


@dataclass(frozen=True)
class Diagnostic:
    """One error or warning terraform reported."""

    severity: str
    summary: str
    detail: str = ""
    where: str = ""

    def __str__(self) -> str:
        head = f"{self.severity.capitalize()}: {self.summary}"
        if self.where:
            head += f"\n  {self.where}"
        detail = self.detail.strip()
        return head + ("\n" + textwrap.indent(detail, "  ") if detail else "")


@dataclass(frozen=True)
class _Completed:
    returncode: int
    stdout: str
    stderr: str
    diagnostics: tuple[Diagnostic, ...]


class Terraform:
    """terraform for one module: cwd is the module folder, TF_DATA_DIR its work dir.

    `env` is added to the environment of terraform only (None removes a
    variable); `echo` receives the live progress lines.
    """

    def __init__(self, paths: RunPaths, cli_config: Path, *, env: Mapping[str, str | None] | None = None,
                 echo: Echo, binary: str | None = None):
        self.paths = paths
        self._echo = echo
        self._builder = _ArgumentBuilder(working_dir=str(paths.module_dir),
                                         terraform_bin_path=binary or find_terraform())
        self._env = _environment(paths, cli_config, env or {}, echo)
        self._version: str | None = None

    # -- the commands -----------------------------------------------------

    def argv(self, command: str, *args: str) -> list[str]:
        """The exact argument list for `terraform COMMAND ARGS...`."""
        return self._builder.generate_cmd_string(command, *args)

    def version(self) -> str:
        if self._version is None:
            done = self._run("version", ["-json"], timeout=TIMEOUTS["version"])
            try:
                self._version = str(json.loads(done.stdout)["terraform_version"])
            except (ValueError, KeyError, TypeError):
                raise ToolError(f"cannot read the terraform version from: {done.stdout.strip()[:200]!r}") from None
        return self._version

    def init(self) -> None:
        """`terraform init`: backend from the module, providers per the CLI config."""
        self.paths.data_dir.mkdir(parents=True, exist_ok=True)
        if _version_tuple(self.version()) >= INIT_JSON_SINCE:
            self._run("init", ["-input=false", "-json"], timeout=TIMEOUTS["init"], ui=_UiStream(self._echo))
        else:
            self._run("init", ["-input=false", "-no-color"], timeout=TIMEOUTS["init"], stream_stdout=True)

    def plan(self, out: Path, variables: Mapping[str, str], *, destroy: bool = False) -> bool:
        """`terraform plan -out=OUT`; True when the plan has changes."""
        args = ["-input=false", "-json", "-detailed-exitcode", f"-out={out}"]
        if destroy:
            args.append("-destroy")
        args += [f"-var={name}={value}" for name, value in sorted(variables.items())]
        done = self._run("plan", args, timeout=TIMEOUTS["plan"], ui=_UiStream(self._echo), ok=(0, 2))
        return done.returncode == 2

    def apply(self, plan_file: Path) -> None:
        """`terraform apply PLANFILE`: exactly the saved plan (terraform never prompts for one)."""
        self._run("apply", ["-input=false", "-json", str(plan_file)], timeout=TIMEOUTS["apply"],
                  ui=_UiStream(self._echo))

    def show_json(self, plan_file: Path | None = None) -> dict:
        """`terraform show -json [PLANFILE]`: the plan, or the current state."""
        args = ["-json"] + ([str(plan_file)] if plan_file is not None else [])
        return _parse_json(self._run("show", args, timeout=TIMEOUTS["show"]).stdout, "terraform show -json")

    def show_text(self, plan_file: Path) -> str:
        """`terraform show PLANFILE`: the human diff (sensitive values masked)."""
        return self._run("show", ["-no-color", str(plan_file)], timeout=TIMEOUTS["show"]).stdout

    def outputs(self) -> dict:
        """`terraform output -json`: {name: {value, type, sensitive}}."""
        done = self._run("output", ["-json"], timeout=TIMEOUTS["output"])
        return _parse_json(done.stdout or "{}", "terraform output -json")

    def state_resources(self) -> list[str]:
        """Addresses of the managed resources in the current state."""
        state = self.show_json()
        found: list[str] = []
        modules = [state.get("values", {}).get("root_module", {})]
        while modules:
            module = modules.pop()
            found += [r["address"] for r in module.get("resources", []) if r.get("mode") == "managed"]
            modules += module.get("child_modules", [])
        return sorted(found)

    # -- running ------------------------------------------------------------

    def _run(self, command: str, args: list[str], *, timeout: float, ui: _UiStream | None = None,
             stream_stdout: bool = False, ok: Iterable[int] = (0,)) -> _Completed:
        argv = self.argv(command, *args)
        try:
            proc = subprocess.Popen(
                argv, cwd=self.paths.module_dir, env=self._env, stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8", errors="replace",
                bufsize=1, start_new_session=True,
            )
        except OSError as exc:
            raise ToolError(f"cannot run terraform: {exc.strerror or exc}") from None

        out: list[str] = []
        err: list[str] = []
        live = ui is not None or stream_stdout

        def on_stdout(line: str) -> None:
            out.append(line)
            if ui is not None:
                ui.feed(line)
            elif stream_stdout and line.strip():
                self._echo(line.rstrip("\n"))

        def on_stderr(line: str) -> None:
            err.append(line)
            if live and line.strip():
                self._echo(line.rstrip("\n"))

        pumps = [threading.Thread(target=_pump, args=(proc.stdout, on_stdout), daemon=True),
                 threading.Thread(target=_pump, args=(proc.stderr, on_stderr), daemon=True)]
        for pump in pumps:
            pump.start()
        try:
            returncode = self._wait(proc, command, timeout)
        finally:
            for pump in pumps:
                pump.join(timeout=30)
        done = _Completed(returncode, "".join(out), "".join(err), ui.errors if ui else ())
        if returncode not in tuple(ok):
            raise RunError(_failure_message(command, done))
        return done

    def _wait(self, proc: subprocess.Popen, command: str, timeout: float) -> int:
        with _sigterm_as_interrupt():
            try:
                return proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self._echo(f"terraform {command} did not finish within {timeout:.0f} s: stopping it")
                self._stop(proc)
                raise RunError(f"terraform {command} did not finish within {timeout:.0f} s and was stopped") from None
            except KeyboardInterrupt:
                self._echo("interrupted: asking terraform to stop cleanly (it finishes the operations in flight, "
                           "saves state and releases the lock); press Ctrl-C again to stop it at once")
                self._stop(proc)
                raise

    def _stop(self, proc: subprocess.Popen) -> None:
        """One SIGINT (terraform's graceful stop), then its second (stop now), then kill."""
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=INTERRUPT_GRACE)
            self._echo("terraform stopped")
            return
        except KeyboardInterrupt:
            self._echo("second interrupt: terraform stops at once; state may miss what was in flight")
            proc.send_signal(signal.SIGINT)
        except subprocess.TimeoutExpired:
            self._echo(f"terraform did not stop within {INTERRUPT_GRACE} s: killing it; "
                       "state may be stale and locked")
            proc.kill()
        try:
            proc.wait(timeout=30)
        except (subprocess.TimeoutExpired, KeyboardInterrupt):
            proc.kill()
            proc.wait()


def _environment(paths: RunPaths, cli_config: Path, extra: Mapping[str, str | None], echo: Echo) -> dict[str, str]:
    env = {}
    for key, value in os.environ.items():
        if key.startswith(_IGNORED_ENV_PREFIX):
            echo(f"ignoring {key}: tfgen passes terraform's arguments itself")
            continue
        env[key] = value
    env.update({
        "TF_DATA_DIR": str(paths.data_dir),
        "TF_CLI_CONFIG_FILE": str(cli_config),
        "TF_IN_AUTOMATION": "1",  # shorter messages, no "run terraform apply" hints
        "TF_INPUT": "0",
        "CHECKPOINT_DISABLE": "1",
    })
    for key, value in extra.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def _pump(stream, handle: Callable[[str], None]) -> None:
    for line in iter(stream.readline, ""):
        handle(line)
    stream.close()


@contextmanager
def _sigterm_as_interrupt():
    """While terraform runs, SIGTERM stops it cleanly like Ctrl-C (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum, frame):  # noqa: ARG001
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _failure_message(command: str, done: _Completed) -> str:
    if done.diagnostics:
        body = "\n\n".join(str(d) for d in done.diagnostics)
    else:
        tail = [line.rstrip() for line in done.stderr.splitlines() if line.strip()][-20:]
        body = "\n".join(tail) if tail else f"exit code {done.returncode}, no message"
    return f"terraform {command} failed:\n{body}"


def _parse_json(text: str, what: str) -> dict:
    try:
        value = json.loads(text)
    except ValueError:
        raise ToolError(f"{what} printed something that is not JSON: {text.strip()[:200]!r}") from None
    if not isinstance(value, dict):
        raise ToolError(f"{what} printed JSON that is not an object")
    return value


def _version_tuple(version: str) -> tuple[int, ...]:
    parts = []
    for piece in version.split("-")[0].split("."):
        if not piece.isdigit():
            break
        parts.append(int(piece))
    return tuple(parts)


# -- terraform's machine-readable UI (-json) -> progress lines ----------------

_VERBS = {  # hook action -> (while, done)
    "create": ("creating", "created"),
    "update": ("updating", "updated"),
    "delete": ("destroying", "destroyed"),
    "replace": ("replacing", "replaced"),
    "read": ("reading", "read"),
    "import": ("importing", "imported"),
    "noop": ("checking", "unchanged"),
}


class _UiStream:
    """Turns the JSON lines of `-json` runs into one short line per event.

    Errors are kept (not printed) so the final message carries them once.
    `resource_drift` events are not shown: terraform sends them for every
    attribute that moved, relevant to the plan or not; the diff shows the
    relevant ones.
    """

    def __init__(self, echo: Echo):
        self._echo = echo
        self._errors: list[Diagnostic] = []
        self._refreshing: dict[str, float] = {}
        self._lock = threading.Lock()

    @property
    def errors(self) -> tuple[Diagnostic, ...]:
        return tuple(self._errors)

    def feed(self, line: str) -> None:
        try:
            event = json.loads(line)
        except ValueError:
            if line.strip():
                self._echo(line.rstrip("\n"))
            return
        if isinstance(event, dict):
            with self._lock:
                self._handle(event)

    def _handle(self, event: dict) -> None:
        kind = event.get("type")
        message = str(event.get("@message", "")).strip()
        hook = event.get("hook") or {}
        addr = (hook.get("resource") or {}).get("addr", "")
        action = hook.get("action", "")
        doing, done = _VERBS.get(action, (action or "working", action or "done"))
        if kind in ("log", "init_output"):
            if message:
                self._echo(message)
        elif kind == "diagnostic":
            diagnostic = _diagnostic(event.get("diagnostic") or {})
            if diagnostic.severity == "error":
                if diagnostic not in self._errors:
                    self._errors.append(diagnostic)
            else:
                self._echo(str(diagnostic))
        elif kind == "apply_start":
            self._echo(f"{addr}: {doing}...")
        elif kind == "apply_progress":
            self._echo(f"{addr}: still {doing}... ({hook.get('elapsed_seconds', 0)}s)")
        elif kind == "apply_complete":
            self._echo(f"{addr}: {done} ({hook.get('elapsed_seconds', 0)}s)")
        elif kind == "apply_errored":
            self._echo(f"{addr}: failed while {doing} ({hook.get('elapsed_seconds', 0)}s)")
        elif kind == "refresh_start":
            self._refreshing[addr] = time.monotonic()
        elif kind == "refresh_complete":
            started = self._refreshing.pop(addr, time.monotonic())
            self._echo(f"{addr}: refreshed ({time.monotonic() - started:.0f}s)")
        elif kind == "provision_errored":
            self._echo(f"{addr}: provisioner failed")
        elif kind == "change_summary" and (event.get("changes") or {}).get("operation") in ("apply", "destroy"):
            self._echo(message)


def _diagnostic(raw: dict) -> Diagnostic:
    where = ""
    rng = raw.get("range") or {}
    if rng.get("filename"):
        where = f"on {rng['filename']} line {(rng.get('start') or {}).get('line', '?')}"
        if raw.get("address"):
            where += f", in {raw['address']}"
    elif raw.get("address"):
        where = f"in {raw['address']}"
    return Diagnostic(str(raw.get("severity", "error")), str(raw.get("summary", "")).strip(),
                      str(raw.get("detail", "")), where)
