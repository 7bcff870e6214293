"""Emulator mode: what changes for terraform when it runs against the emulator server (emulator.py).

In emulator mode (`--emulator` on plan/apply/destroy/output) terraform gets,
in its environment only: AWS_ENDPOINT_URL (read by the AWS provider 5.x;
verified with 5.100), test credentials, a default region, and nothing from
the user's AWS profile or credentials files, so an emulator run cannot reach
a real account.

An override file, `tfgen_emulator_override.tf.json`, is present in the module
folder only while an emulator-mode terraform command runs. It

* replaces the module's backend, whatever it is (local, s3, ...), with a
  local backend whose state is in the emulator run's own work dir
  (`.tfgen/emulator-runs/<module>/terraform.tfstate`, see plans.py):
  emulator runs and real runs of one module never share state;
* bounds retries with the provider's own `max_retries`. AWS_MAX_ATTEMPTS is
  not enough: with provider 5.100 an API moto does not implement was still
  retried for more than five minutes with AWS_MAX_ATTEMPTS=2, and a refused
  connection 9 times, while `max_retries = 1` failed both at the first attempt.

What moto cannot create is declared by each target (`emulator_gaps`, read
through the target registry): a module that declares
the feature switch gets it set to false, with one plain line saying what is
left out; a module that has such resources without a switch gets a warning.
What moto accepts but does not give back is each target's `emulator_drift`: the
same override file adds those arguments to the resource's
`lifecycle { ignore_changes }` (keeping the module's own list), so a second
plan after an apply shows no changes, and a line says which are ignored.
"""

from __future__ import annotations

import json
import os
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ..errors import WriteError
from .emulator import Emulator

DEFAULT_REGION = "us-east-1"
TEST_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test"}
MAX_RETRIES = 3  # per AWS API call, in emulator mode
OVERRIDE_FILE = "tfgen_emulator_override.tf.json"


# -- pointing terraform at it --------------------------------------------------

# User settings that could send an emulator run to a real account.
_DROPPED_AWS_ENV = (
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_ROLE_ARN",
    "AWS_ROLE_SESSION_NAME",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
)


def terraform_env(emulator: Emulator) -> dict[str, str | None]:
    """Environment changes for terraform in emulator mode (None removes a variable)."""
    env: dict[str, str | None] = {key: None for key in _DROPPED_AWS_ENV}
    env.update({key: None for key in os.environ if key.startswith("AWS_ENDPOINT_URL_")})
    env.update(TEST_CREDENTIALS)
    env.update(
        {
            "AWS_ENDPOINT_URL": emulator.url,
            "AWS_REGION": DEFAULT_REGION,  # used only where the module sets no region
            "AWS_DEFAULT_REGION": DEFAULT_REGION,
            "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
            "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_MAX_ATTEMPTS": str(MAX_RETRIES),
            "AWS_RETRY_MODE": "standard",
        }
    )
    return env


@dataclass(frozen=True)
class EmulatorPlanSettings:
    variables: dict[str, str]  # -var values: the feature switches turned off
    notes: tuple[str, ...]  # plain lines for the user: what is left out, ignored or will fail
    override: dict | None  # the override file's JSON, or None when nothing needs overriding


def plan_settings(module_dir: Path, state_file: Path | None = None) -> EmulatorPlanSettings:
    """What emulator mode changes for terraform runs of this module.

    `state_file`: where the emulator run keeps its state. The override file
    then replaces the module's backend (whatever it is: local, s3, ...) with a
    local backend at that path, so an emulator run never reads or writes the
    state of a real deployment.
    """
    from ..targets import registry

    blocks = _module_blocks(module_dir)
    variables: dict[str, str] = {}
    notes: list[str] = []
    override: dict = {}
    if state_file is not None:
        override["terraform"] = {"backend": {"local": {"path": str(state_file)}}}
    for gap in registry.emulator_gaps():
        if gap.variable in blocks.variables:
            variables[gap.variable] = "false"
            notes.append(f"emulator: leaving out {gap.feature} ({gap.variable}=false): {gap.reason}")
        else:
            present = sorted(r for r in blocks.resources if r.split(".")[0] in gap.resource_types)
            if present:
                notes.append(
                    f"emulator: cannot create {', '.join(present)} ({gap.reason}); "
                    f"expect these to fail after {MAX_RETRIES} attempts"
                )
    if blocks.aws_aliases:
        override["provider"] = {
            "aws": [
                {**({"alias": alias} if alias else {}), "max_retries": MAX_RETRIES, "s3_use_path_style": True}
                for alias in sorted(blocks.aws_aliases)
            ]
        }
    else:
        notes.append('emulator: the module has no provider "aws" block, so AWS API retries are not bounded')
    ignored = _drift_overrides(blocks)
    if ignored:
        override["resource"] = ignored
        for rtype, named in sorted(ignored.items()):
            drift = next(d for d in registry.emulator_drift() if d.resource_type == rtype)
            notes.append(
                f"emulator: moto does not keep {', '.join(drift.arguments)} of {rtype} "
                f"({', '.join(sorted(named))}); changes to them are ignored in emulator runs"
            )
    return EmulatorPlanSettings(variables, tuple(notes), override or None)


def _drift_overrides(blocks: _Blocks) -> dict:
    """`lifecycle { ignore_changes }` for resources with arguments moto drops, keeping the module's own."""
    from ..targets import registry

    resources: dict = {}
    for drift in registry.emulator_drift():
        for address, own in sorted(blocks.resources.items()):
            rtype, name = address.split(".", 1)
            if rtype != drift.resource_type or own == ("all",):
                continue
            ignore = list(own) + [a for a in drift.arguments if a not in own]
            resources.setdefault(rtype, {})[name] = {"lifecycle": {"ignore_changes": ignore}}
    return resources


@contextmanager
def provider_override(module_dir: Path, document: dict | None):
    """The override file in the module folder for the duration of the block."""
    remove_override(module_dir)
    if document is None:
        yield
        return
    path = Path(module_dir) / OVERRIDE_FILE
    body = {"//": "Written by tfgen for one emulator run and removed after it; do not commit.", **document}
    try:
        path.write_text(json.dumps(body, indent=2) + "\n", encoding="utf-8")
    except OSError as exc:
        raise WriteError(f"cannot write {path}: {exc.strerror or exc}") from None
    try:
        yield
    finally:
        path.unlink(missing_ok=True)


def remove_override(module_dir: Path) -> None:
    """Remove an override file a killed tfgen left behind, so it never reaches a real plan."""
    (Path(module_dir) / OVERRIDE_FILE).unlink(missing_ok=True)


# -- reading the module --------------------------------------------------------


@dataclass(frozen=True)
class _Blocks:
    variables: frozenset[str]
    resources: dict[str, tuple[str, ...]]  # "type.name" -> its own lifecycle.ignore_changes
    aws_aliases: frozenset[str]  # "" for the default aws provider configuration


def _module_blocks(module_dir: Path) -> _Blocks:
    """Variables, resources and aws provider configurations declared in the module's own files.

    A file that does not parse is skipped: terraform will report it properly.
    """
    variables: set[str] = set()
    resources: dict[str, tuple[str, ...]] = {}
    aliases: set[str] = set()
    for path in sorted(Path(module_dir).iterdir()):
        if path.name == OVERRIDE_FILE or not path.is_file():
            continue
        document = _load_terraform_file(path)
        for block in _as_list(document.get("variable")):
            variables.update(k for k in block if not k.startswith("__"))
        for block in _as_list(document.get("resource")):
            for rtype, named in block.items():
                for named_block in _as_list(named):
                    for name, body in named_block.items():
                        if not name.startswith("__"):
                            resources[f"{rtype}.{name}"] = _ignore_changes(body)
        for block in _as_list(document.get("provider")):
            for config in _as_list(block.get("aws")):
                alias = config.get("alias", "")
                aliases.add(str(alias[0] if isinstance(alias, list) else alias))
    return _Blocks(frozenset(variables), resources, frozenset(aliases))


def _ignore_changes(body) -> tuple[str, ...]:
    """A resource's own `lifecycle { ignore_changes }` as expressions ("all" alone for all)."""
    found: list[str] = []
    for body_part in _as_list(body):
        for lifecycle in _as_list(body_part.get("lifecycle") if isinstance(body_part, dict) else None):
            value = lifecycle.get("ignore_changes") if isinstance(lifecycle, dict) else None
            while isinstance(value, list) and len(value) == 1 and isinstance(value[0], list):
                value = value[0]  # hcl2 wraps every attribute value in a list
            for item in _as_list(value):
                text = str(item)
                if text.startswith("${") and text.endswith("}"):
                    text = text[2:-1]
                found.append(text)
    return ("all",) if "all" in found else tuple(found)


def _load_terraform_file(path: Path) -> dict:
    try:
        if path.name.endswith(".tf.json"):
            document = json.loads(path.read_text(encoding="utf-8"))
        elif path.suffix == ".tf":
            from ..hclread import load_file_dict

            document = load_file_dict(path)
        else:
            return {}
    except Exception:  # noqa: BLE001 - any parse failure: terraform reports it better
        return {}
    return document if isinstance(document, dict) else {}


def _as_list(value) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]
