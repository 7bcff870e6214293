"""Helpers shared by tests: real terraform and checkov, failing loudly when missing."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"
SHARED_SCHEMAS = REPO.parent / "shared" / "provider-schemas"
PLUGIN_MIRROR = Path(os.environ.get("TFGEN_PLUGIN_MIRROR", "/opt/tf-plugins"))


def require_terraform() -> str:
    path = shutil.which("terraform")
    if not path:
        pytest.fail("terraform is not on PATH: these tests need the real terraform binary")
    return path


def terraform_env(tmp: Path) -> dict[str, str]:
    """A CLI config that installs providers only from the local mirror."""
    if not (PLUGIN_MIRROR / "registry.terraform.io").is_dir():
        pytest.fail(f"no provider mirror at {PLUGIN_MIRROR} (set TFGEN_PLUGIN_MIRROR)")
    rc = tmp / "terraform.rc"
    rc.write_text(f'provider_installation {{\n  filesystem_mirror {{\n    path = "{PLUGIN_MIRROR}"\n  }}\n}}\n')
    env = dict(os.environ, TF_CLI_CONFIG_FILE=str(rc), TF_IN_AUTOMATION="1", CHECKPOINT_DISABLE="1")
    return env


def run(args: list[str], cwd: Path, env: dict[str, str] | None = None, timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


def terraform_fmt_check(module: Path) -> subprocess.CompletedProcess:
    return run([require_terraform(), "fmt", "-check", "-diff", "-no-color", "-recursive", "."], module)


def terraform_validate(module: Path, tmp: Path) -> subprocess.CompletedProcess:
    """`terraform init -backend=false` (offline, via the mirror) then `validate`, on a copy."""
    work = tmp / "tfvalidate" / module.name
    shutil.copytree(module, work, ignore=shutil.ignore_patterns(".terraform*"))
    env = terraform_env(tmp)
    tf = require_terraform()
    init = run([tf, "init", "-backend=false", "-input=false", "-no-color"], work, env)
    if init.returncode != 0:
        return init
    return run([tf, "validate", "-no-color"], work, env)


def checkov_failures(dirs: list[Path]) -> list[dict]:
    """Run checkov once over `dirs`; return the failed checks (id, resource, file)."""
    args = [sys.executable, "-m", "checkov.main", "--framework", "terraform", "--skip-download",
            "--output", "json", "--compact", "--quiet"]
    for d in dirs:
        args += ["--directory", str(d)]
    env = dict(os.environ, BC_SKIP_MAPPING="TRUE")
    proc = subprocess.run(args, capture_output=True, text=True, timeout=600, env=env)
    if proc.returncode not in (0, 1):
        pytest.fail(f"checkov failed ({proc.returncode}): {proc.stderr[-2000:]}")
    reports = _json_documents(proc.stdout)
    failed = []
    for report in reports:
        for check in report.get("results", {}).get("failed_checks", []):
            failed.append({"id": check["check_id"], "name": check.get("check_name"),
                           "resource": check.get("resource"), "file": check.get("file_path"),
                           "guideline": check.get("guideline")})
    return failed


def _json_documents(text: str) -> list[dict]:
    """Checkov prints one JSON document per --directory, back to back."""
    decoder, out, i = json.JSONDecoder(), [], 0
    text = text.strip()
    while i < len(text):
        value, end = decoder.raw_decode(text, i)
        out.extend(value if isinstance(value, list) else [value])
        i = end
        while i < len(text) and text[i].isspace():
            i += 1
    return out
