"""The Terraform CLI configuration tfgen's terraform runs read, and the provider mirror option.

The user's CLI configuration is theirs: registry credentials, `host` blocks,
their own `provider_installation`, a plugin cache. tfgen never replaces it.

* Without a provider mirror tfgen needs nothing from the CLI configuration
  (update checks are off through CHECKPOINT_DISABLE), so terraform reads the
  user's configuration exactly as it would outside tfgen: TF_CLI_CONFIG_FILE
  is left as the user set it, or unset. One exception: a TF_CLI_CONFIG_FILE
  naming a missing file (some images set one) makes terraform warn on every
  call, so tfgen points it at an empty file instead (the same settings:
  none).
* With a mirror (`--plugin-mirror DIR` or TFGEN_PLUGIN_MIRROR=DIR) tfgen writes
  a copy of the user's configuration into the run's work dir (readable by the
  owner only: it can hold credentials) and adds a `filesystem_mirror` for DIR:
  as the first installation method of the user's own `provider_installation`
  block if there is one, else in a block of its own (then providers come from
  DIR only: no `direct {}` fallback, which would hang or fail late on an
  offline machine). With the user's own block, their methods still apply
  after DIR (Terraform picks the newest matching version across them).

What "the user's configuration" is follows Terraform: the file named by
TF_CLI_CONFIG_FILE (or the older TERRAFORM_CONFIG); when neither is set,
~/.terraformrc plus every `*.tfrc` / `*.tfrc.json` in ~/.terraform.d (where
`terraform login` keeps credentials), which Terraform stops reading once
TF_CLI_CONFIG_FILE is set, so the copy must carry them. A JSON file is
converted to the HCL it stands for (Terraform's CLI config reader treats
both alike), so the copy is one HCL file.

A filesystem mirror is the folder that holds `registry.terraform.io/`, laid
out unpacked (`DIR/registry.terraform.io/hashicorp/aws/5.100.0/linux_amd64/...`)
or packed (`.../hashicorp/aws/terraform-provider-aws_5.100.0_linux_amd64.zip`).
`terraform providers mirror DIR`, run in a module on a connected machine,
fills one. `terraform init` symlinks unpacked mirror entries into the run's
data dir, so a mirror costs no copy per module.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from ..errors import RunError
from .plans import write_private

MIRROR_ENV = "TFGEN_PLUGIN_MIRROR"
CONFIG_NAME = "terraform-cli-config.tfrc"
CONFIG_FILE_ENVS = ("TF_CLI_CONFIG_FILE", "TERRAFORM_CONFIG")  # Terraform's order

_PROVIDER_INSTALLATION = re.compile(r"^[ \t]*\"?provider_installation\"?[ \t]*\{[ \t]*(?:(?:#|//).*)?$", re.MULTILINE)
_ANY_PROVIDER_INSTALLATION = re.compile(r"^[ \t]*\"?provider_installation\"?[ \t]*\{", re.MULTILINE)

# terraform's words when it could not reach a registry, or found no provider in the mirror
_REGISTRY_UNREACHABLE = re.compile(
    r"could not connect to (?:registry\.terraform\.io|[\w.-]+): failed to request discovery document|"
    r"could not connect to registry|Failed to request discovery document",
    re.IGNORECASE,
)
_PROVIDER_FAILURE = re.compile(r"provider packages|install provider|versions for provider", re.IGNORECASE)
_NOT_IN_MIRROR = re.compile(
    r"provider ([\w.-]+/[\w.-]+/[\w.-]+) was not\s+found in any of the search\s+locations", re.IGNORECASE
)


def check_mirror(plugin_mirror: Path) -> Path:
    """The mirror as an absolute path; a clear error if it is not a folder."""
    path = Path(plugin_mirror).expanduser().resolve()
    if not path.is_dir():
        raise RunError(f"provider mirror {plugin_mirror} is not a directory (from --plugin-mirror or {MIRROR_ENV})")
    return path


def user_config_files(environ: dict[str, str] | None = None, home: Path | None = None) -> tuple[list[Path], bool]:
    """(the user's CLI config files that exist, in Terraform's order; whether an env variable named the file)."""
    environ = dict(os.environ if environ is None else environ)
    for name in CONFIG_FILE_ENVS:
        if environ.get(name):
            given = Path(environ[name]).expanduser()
            return ([given] if given.is_file() else []), True
    home = Path(home) if home is not None else Path(os.path.expanduser("~"))
    files = [home / ".terraformrc"] if (home / ".terraformrc").is_file() else []
    config_dir = home / ".terraform.d"
    if config_dir.is_dir():
        files += sorted(
            p
            for p in config_dir.iterdir()
            if p.is_file() and (p.name.endswith(".tfrc") or p.name.endswith(".tfrc.json"))
        )
    return files, False


def merged_config(plugin_mirror: Path | None, files: list[Path]) -> str:
    """The text of one CLI config: the user's files, in order, plus the mirror (if any)."""
    parts = [
        f"# tfgen: a copy of {', '.join(str(f) for f in files) or 'no user CLI configuration'}"
        + (f", with the provider mirror {plugin_mirror} added" if plugin_mirror else "")
        + "\n"
    ]
    for path in files:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise RunError(f"cannot read your Terraform CLI configuration {path}: {exc}") from None
        parts.append(f"\n# --- {path}\n" + (_json_as_hcl(text, path) if _is_json(text) else text.rstrip("\n") + "\n"))
    text = "".join(parts)
    if plugin_mirror is None:
        return text
    method = f"  filesystem_mirror {{\n    path = {_hcl_string(str(plugin_mirror))}\n  }}\n"
    block = _PROVIDER_INSTALLATION.search(text)
    if block:  # the user's block: our mirror becomes its first method
        return text[: block.end()] + "\n" + method + text[block.end() + 1 :]
    if _ANY_PROVIDER_INSTALLATION.search(text):
        raise RunError(
            "your Terraform CLI configuration has a provider_installation block that starts and "
            "continues on one line; tfgen adds its provider mirror as the block's first method: "
            "put a line break after `provider_installation {`"
        )
    return text + "\n# --- tfgen\nprovider_installation {\n" + method + "}\n"


def write_cli_config(folder: Path, plugin_mirror: Path | None) -> Path | None:
    """The CLI config file tfgen's terraform runs should read, written into `folder` if needed.

    None: terraform reads the user's configuration as it is (no mirror given).
    """
    mirror = check_mirror(plugin_mirror) if plugin_mirror is not None else None
    files, named = user_config_files()
    path = folder / CONFIG_NAME
    if mirror is None and (files or not named):
        path.unlink(missing_ok=True)  # an earlier run's copy (it may hold credentials) is not left behind
        return None
    write_private(path, merged_config(mirror, files))
    return path


def provider_install_hint(terraform_message: str) -> str:
    """What to do when terraform could not install a provider; "" for any other failure."""
    missing = sorted(set(_NOT_IN_MIRROR.findall(terraform_message)))
    if missing:
        return (
            f"The provider mirror has no {', '.join(missing)}: add it there with `terraform providers mirror "
            f"DIR` run in the module on a machine with registry access."
        )
    if _REGISTRY_UNREACHABLE.search(terraform_message) and _PROVIDER_FAILURE.search(terraform_message):
        return (
            "terraform could not reach the provider registry (offline, or a proxy in the way). Point tfgen "
            f"at a provider mirror: --plugin-mirror DIR or {MIRROR_ENV}=DIR, where DIR is a filesystem "
            "mirror filled by `terraform providers mirror DIR` on a machine with registry access."
        )
    return ""


# -- JSON CLI config -> the HCL it stands for ----------------------------------


def _is_json(text: str) -> bool:
    return text.lstrip().startswith("{")


def _json_as_hcl(text: str, path: Path) -> str:
    try:
        document = json.loads(text)
    except ValueError as exc:
        raise RunError(f"your Terraform CLI configuration {path} is not valid JSON: {exc}") from None
    if not isinstance(document, dict):
        raise RunError(f"your Terraform CLI configuration {path} is not a JSON object")
    return "".join(_hcl_items(document, ""))


def _hcl_items(document: dict, indent: str) -> list[str]:
    """An object's members as HCL: objects (and lists of objects) as blocks, the rest as attributes."""
    lines: list[str] = []
    for key, value in document.items():
        name = _hcl_string(str(key))
        blocks = (
            [value]
            if isinstance(value, dict)
            else value
            if (isinstance(value, list) and value and all(isinstance(v, dict) for v in value))
            else None
        )
        if blocks is None:
            lines.append(f"{indent}{name} = {_hcl_value(value)}\n")
            continue
        for body in blocks:
            lines.append(f"{indent}{name} {{\n")
            lines += _hcl_items(body, indent + "  ")
            lines.append(f"{indent}}}\n")
    return lines


def _hcl_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return json.dumps(value)
    if isinstance(value, str):
        return _hcl_string(value)
    if isinstance(value, list):
        return "[" + ", ".join(_hcl_value(v) for v in value) + "]"
    if value is None:
        return '""'
    raise RunError(f"unexpected value in a Terraform CLI configuration: {value!r}")


def _hcl_string(text: str) -> str:
    escaped = (
        text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
    )
    return f'"{escaped}"'
