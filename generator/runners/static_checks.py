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
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ..check_cache import Replay, provider_sources
from ..errors import RunError, ToolError
from . import tfprocess
from .tfconfig import provider_install_hint, write_cli_config

_UNAVAILABLE = re.compile(
    r"Failed to query available provider packages|Failed to install provider|"
    r"could not connect to registry|provider registry .* does not have a provider",
    re.IGNORECASE,
)


@dataclass
class ValidateOutcome:
    errors: list[str] = field(default_factory=list)
    unavailable: str = ""  # why validate could not run, if it could not
    missing_providers: tuple[str, ...] = ()  # the providers it could not install (type names: "google")


def _from_record(record: dict) -> ValidateOutcome:
    return ValidateOutcome(
        unavailable=str(record["unavailable"]), missing_providers=tuple(str(p) for p in record["missing_providers"])
    )


# `tfgen check` remembers "this module's providers cannot be installed here" as it remembers a pass (see
# check_cache.provider_sources: only while providers come from the plugin mirror alone, keyed on its
# contents), so a re-check does not run `terraform init` again only to find the same providers missing.
UNAVAILABLE_REPLAY = Replay(
    worth=lambda outcome: bool(outcome.unavailable and outcome.missing_providers and not outcome.errors),
    dump=lambda outcome: {"unavailable": outcome.unavailable, "missing_providers": list(outcome.missing_providers)},
    load=_from_record,
    depends_on=lambda options: provider_sources(options.plugin_mirror),
)


def fmt_check(module: Path) -> list[str]:
    """Files in `module` that `terraform fmt` would change (empty: clean)."""
    env = tfprocess.environment(cli_config=Path(os.devnull))  # fmt reads no CLI configuration
    proc = tfprocess.run(
        tfprocess.find_terraform(), "fmt", ["-check", "-list=true", "-no-color", "."], cwd=module, env=env, ok=None
    )
    if proc.returncode not in (0, 3):
        raise ToolError(f"terraform fmt failed in {module}: {proc.stderr.strip()[-1000:]}")
    return [str(module / line.strip()) for line in proc.stdout.splitlines() if line.strip()]


def validate_module(module: Path, *, plugin_mirror: Path | None = None) -> ValidateOutcome:
    """`terraform init -backend=false` + `terraform validate -json` on a copy of `module`."""
    terraform = tfprocess.find_terraform()
    with tempfile.TemporaryDirectory(prefix="tfgen-validate-") as tmp:
        work = Path(tmp) / "module"
        shutil.copytree(module, work, ignore=shutil.ignore_patterns(".terraform", "*.tfstate*"))
        env = tfprocess.environment(cli_config=write_cli_config(Path(tmp), plugin_mirror), data_dir=Path(tmp) / "data")
        try:
            init = tfprocess.run(
                terraform, "init", ["-backend=false", "-input=false", "-no-color"], cwd=work, env=env, ok=None
            )
        except RunError as exc:  # a timeout: terraform was stopped
            raise ToolError(f"{exc} (in {module})") from None
        if init.returncode != 0:
            text = init.stderr + init.stdout
            if _UNAVAILABLE.search(text):
                hint = provider_install_hint(text)
                return ValidateOutcome(
                    unavailable="provider not available here ("
                    + _provider_names(text)
                    + ")"
                    + (f". {hint}" if hint else ""),
                    missing_providers=tuple(sorted(set(_PROVIDER_NAME.findall(text)))),
                )
            raise ToolError(f"terraform init failed in {module}: {text.strip()[-1500:]}")
        try:
            proc = tfprocess.run(terraform, "validate", ["-json", "-no-color"], cwd=work, env=env, ok=None)
        except RunError as exc:
            raise ToolError(f"{exc} (in {module})") from None
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


_PROVIDER_NAME = re.compile(r"hashicorp/([a-z0-9-]+)")


def _provider_names(text: str) -> str:
    names = sorted(set(_PROVIDER_NAME.findall(text)))
    return ", ".join(names) or "see terraform init"
