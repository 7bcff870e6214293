"""Helpers shared by tests: real terraform and checkov, failing loudly when missing;
writing inline specs and their rendered modules."""

from __future__ import annotations

import os
import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest

from generator import pipeline, render
from generator.model import Spec

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"
# tfgen's bundled provider schemas (scripts/trim-provider-schemas); nothing outside the repository
BUNDLED_SCHEMAS = REPO / "provider-schemas"
AWS_SCHEMA = BUNDLED_SCHEMAS / "aws-5.100.0.schema.json.gz"
GOOGLE_SCHEMA = BUNDLED_SCHEMAS / "google-7.9.0.schema.json.gz"
AZURERM_SCHEMA = BUNDLED_SCHEMAS / "azurerm-4.51.0.schema.json.gz"
PLUGIN_MIRROR = Path(os.environ.get("TFGEN_PLUGIN_MIRROR", "/opt/tf-plugins"))

CURRENT_TEST: pytest.Item | None = None  # set by tests/conftest.py around each test


def require_marker(marker: str) -> None:
    """Fail the running test if it uses `marker`'s tool without carrying the marker (the tiers rely on it)."""
    if CURRENT_TEST is not None and CURRENT_TEST.get_closest_marker(marker) is None:
        pytest.fail(f"{CURRENT_TEST.nodeid} runs {marker} but is not marked @pytest.mark.{marker}", pytrace=False)


def require_terraform() -> str:
    require_marker("terraform")
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


def run(
    args: list[str], cwd: Path, env: dict[str, str] | None = None, timeout: int = 300
) -> subprocess.CompletedProcess:
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


def checkov_scan(dirs: list[Path]):
    """Run checkov once over `dirs` through tfgen's own runner; its ScanResult (failed, passed, skipped)."""
    from generator.runners.checkov import scan_paths

    require_marker("checkov")
    return scan_paths(dirs)


def write_spec_file(folder: Path, name: str, text: str) -> Path:
    """Write an inline spec (dedented, leading newlines off) as `<folder>/<name>.yaml`; return its path."""
    path = folder / f"{name}.yaml"
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def write_variant_spec(folder: Path, name: str, data: dict) -> Path:
    """Write a target's variant (a spec as a dict) as `<folder>/<name>.yaml`, beside a copy of examples/'s folders.

    A variant may name a folder of examples/ relative to its spec (a Lambda zip's package.source).
    """
    import json

    for source in EXAMPLES.iterdir():
        if source.is_dir() and not (folder / source.name).exists():
            shutil.copytree(source, folder / source.name)
    path = folder / f"{name}.yaml"
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False), encoding="utf-8")  # JSON is YAML
    return path


def write_module(spec: Spec, target, out: Path) -> Path:
    """Render `spec` for `target` (a `generator.targets.base.Target`) and write every file under `out`.

    A plain write, not tfgen's writer: tests compare what render_spec gives
    (templates, plus any package tfgen builds, such as a Lambda's package.zip).
    Returns the module folder, `out/<service>/[<env>/]<target>`.
    """
    files, _ = pipeline.render_spec(spec, [target.name])
    for rel, content in files.items():
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            (out / rel).write_bytes(content)
        else:
            (out / rel).write_text(content, encoding="utf-8")
    return out / render.module_path(spec, target.name)


def render_spec_file(spec_path: Path, target, out: Path, env: str | None = None) -> Path:
    """Load `spec_path` (for `env`), render it for `target` and write it under `out`; return the module folder."""
    return write_module(pipeline.load_spec(spec_path, env), target, out)
