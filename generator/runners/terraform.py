"""terraform for one module: the commands plan/apply/destroy/output run, and how they read the answers.

Processes are started by tfprocess.py (the only place that starts terraform);
the `-json` event stream is read by tfevents.py. This module says which
commands run, with which arguments, and what their output means.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path

from ..errors import ToolError
from . import tfprocess
from .plans import RunPaths
from .tfconfig import provider_install_hint
from .tfevents import Diagnostic, UiStream
from .tfprocess import TIMEOUTS, Echo, find_terraform

__all__ = ["TIMEOUTS", "Diagnostic", "Echo", "Terraform", "find_terraform"]

INIT_JSON_SINCE = (1, 9)  # `terraform init -json` exists from 1.9


class Terraform:
    """terraform for one module: cwd is the module folder, TF_DATA_DIR its work dir.

    `cli_config` is the CLI configuration file from tfconfig.write_cli_config
    (None: the user's own, untouched). `env` is added to the environment of terraform only (None removes a
    variable); `echo` receives the live progress lines.
    """

    def __init__(
        self,
        paths: RunPaths,
        cli_config: Path | None,
        *,
        env: Mapping[str, str | None] | None = None,
        echo: Echo,
        binary: str | None = None,
    ):
        self.paths = paths
        self._echo = echo
        self._binary = binary or find_terraform()
        self._env = tfprocess.environment(cli_config=cli_config, data_dir=paths.data_dir, extra=env, echo=echo)
        self._version: str | None = None

    # -- the commands -----------------------------------------------------

    def argv(self, command: str, *args: str) -> list[str]:
        """The exact argument list for `terraform COMMAND ARGS...`."""
        return tfprocess.argv(self._binary, command, *args)

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
            self._run("init", ["-input=false", "-json"], timeout=TIMEOUTS["init"], ui=UiStream(self._echo))
        else:
            self._run("init", ["-input=false", "-no-color"], timeout=TIMEOUTS["init"], stream_stdout=True)

    def plan(self, out: Path, variables: Mapping[str, str], *, destroy: bool = False) -> bool:
        """`terraform plan -out=OUT`; True when the plan has changes."""
        args = ["-input=false", "-json", "-detailed-exitcode", f"-out={out}"]
        if destroy:
            args.append("-destroy")
        args += [f"-var={name}={value}" for name, value in sorted(variables.items())]
        done = self._run("plan", args, timeout=TIMEOUTS["plan"], ui=UiStream(self._echo), ok=(0, 2))
        return done.returncode == 2

    def apply(self, plan_file: Path) -> None:
        """`terraform apply PLANFILE`: exactly the saved plan (terraform never prompts for one)."""
        self._run(
            "apply", ["-input=false", "-json", str(plan_file)], timeout=TIMEOUTS["apply"], ui=UiStream(self._echo)
        )

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

    def _run(
        self,
        command: str,
        args: list[str],
        *,
        timeout: float,
        ui: UiStream | None = None,
        stream_stdout: bool = False,
        ok: Iterable[int] = (0,),
    ) -> tfprocess.Completed:
        live = ui is not None or stream_stdout

        def on_stdout(line: str) -> None:
            if ui is not None:
                ui.feed(line)
            elif stream_stdout and line.strip():
                self._echo(line.rstrip("\n"))

        def on_stderr(line: str) -> None:
            if live and line.strip():
                self._echo(line.rstrip("\n"))

        return tfprocess.run(
            self._binary,
            command,
            args,
            cwd=self.paths.module_dir,
            env=self._env,
            timeout=timeout,
            on_stdout=on_stdout,
            on_stderr=on_stderr,
            echo=self._echo,
            ok=ok,
            failure=lambda done: _failure_message(done, ui.errors if ui else ()),
        )


def _failure_message(done: tfprocess.Completed, diagnostics: tuple[Diagnostic, ...]) -> str:
    if diagnostics:
        body = "\n\n".join(str(d) for d in diagnostics)
    else:
        tail = [line.rstrip() for line in done.stderr.splitlines() if line.strip()][-20:]
        body = "\n".join(tail) if tail else f"exit code {done.returncode}, no message"
    hint = provider_install_hint(body + "\n" + done.stdout)
    return f"terraform {done.command} failed:\n{body}" + (f"\n\n{hint}" if hint else "")


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
