"""The read-only terraform checks `tfgen check` runs: `fmt -check` and `validate`.

Neither touches the module folder: `validate` runs on a copy with its own
TF_DATA_DIR and tfgen's CLI config, with `init -backend=false`, so no backend
is contacted and nothing is left behind. A provider that cannot be installed
(not in the mirror, no registry) is reported as "unavailable", not as an error
in the module: `tfgen check` shows that step as not run.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ToolError
from .terraform import find_terraform
from .tfconfig import write_cli_config

TIMEOUT = 600
_UNAVAILABLE = re.compile(r"Failed to query available provider packages|Failed to install provider|"
                          r"could not connect to registry|provider registry .* does not have a provider", re.I)


@dataclass
class ValidateOutcome:
    errors: list[str] = field(default_factory=list)
    unavailable: str = ""  # why validate could not run, if it could not


def _env(cli_config: Path, data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TF_CLI_ARGS")}
    env.update(TF_CLI_CONFIG_FILE=str(cli_config), TF_DATA_DIR=str(data_dir), TF_IN_AUTOMATION="1",
               CHECKPOINT_DISABLE="1", TF_INPUT="0")
    return env


def _run(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        raise ToolError(f"terraform {args[1]} timed out after {TIMEOUT}s in {cwd}") from None
    except OSError as exc:
        raise ToolError(f"cannot run terraform: {exc}") from None


def fmt_check(module: Path) -> list[str]:
    """Files in `module` that `terraform fmt` would change (empty: clean)."""
    proc = _run([find_terraform(), "fmt", "-check", "-list=true", "-no-color", "."], module,
                dict(os.environ, TF_CLI_CONFIG_FILE=os.devnull))
    if proc.returncode not in (0, 3):
        raise ToolError(f"terraform fmt failed in {module}: {proc.stderr.strip()[-1000:]}")
    return [str(module / line.strip()) for line in proc.stdout.splitlines() if line.strip()]


def validate_module(module: Path, *, plugin_mirror: Path | None = None) -> ValidateOutcome:
    """`terraform init -backend=false` + `terraform validate -json` on a copy of `module`."""
    terraform = find_terraform()
    with tempfile.TemporaryDirectory(prefix="tfgen-validate-") as tmp:
        work = Path(tmp) / "module"
        shutil.copytree(module, work, ignore=shutil.ignore_patterns(".terraform", "*.tfstate*"))
        env = _env(write_cli_config(Path(tmp), plugin_mirror), Path(tmp) / "data")
        init = _run([terraform, "init", "-backend=false", "-input=false", "-no-color"], work, env)
        if init.returncode != 0:
            text = init.stderr + init.stdout
            if _UNAVAILABLE.search(text):
                return ValidateOutcome(unavailable="provider not available here (" + _provider_names(text) + ")")
            raise ToolError(f"terraform init failed in {module}: {text.strip()[-1500:]}")
        proc = _run([terraform, "validate", "-json", "-no-color"], work, env)
        try:
            report = json.loads(proc.stdout)
        except json.JSONDecodeError:
            raise ToolError(f"terraform validate gave no JSON in {module}: {proc.stderr.strip()[-1000:]}") from None
        errors = []
        for diag in report.get("diagnostics", []):
            if diag.get("severity") != "error":
                continue
            where = diag.get("range") or {}
            location = f"{where.get('filename', '?')}:{where.get('start', {}).get('line', '?')}: " if where else ""
            errors.append(f"{location}{diag.get('summary', '')}: {diag.get('detail', '')}".strip())
        return ValidateOutcome(errors=errors)


def _provider_names(text: str) -> str:
    names = sorted(set(re.findall(r"hashicorp/([a-z0-9-]+)", text)))
    return ", ".join(names) or "see terraform init"
