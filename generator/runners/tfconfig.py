"""tfgen's own Terraform CLI configuration file, and the provider mirror option.

Every terraform process tfgen starts gets `TF_CLI_CONFIG_FILE` pointing at a
file tfgen wrote for that run (in the run's work dir), so the user's or the
machine's CLI config never changes what a plan installs, and a
`TF_CLI_CONFIG_FILE` naming a missing file (some images set one) no longer
makes Terraform warn on every call.

Using a provider mirror (air-gapped machines, CI without registry access)
-------------------------------------------------------------------------
Pass `--plugin-mirror DIR` to `tfgen plan/apply/destroy/output`, or set
`TFGEN_PLUGIN_MIRROR=DIR`. DIR is a Terraform *filesystem mirror*: the folder
that holds `registry.terraform.io/`, laid out either unpacked

    DIR/registry.terraform.io/hashicorp/aws/5.100.0/linux_amd64/terraform-provider-aws_v5.100.0_x5

or packed (`.../hashicorp/aws/terraform-provider-aws_5.100.0_linux_amd64.zip`).
`terraform providers mirror DIR` run in a module on a connected machine
fills one. With a mirror, tfgen installs providers from DIR only and never
contacts a registry: a provider missing from DIR is an error naming DIR (no
`direct {}` fallback, which would hang or fail late on an offline machine).
Without a mirror, the normal registry is used.

`terraform init` symlinks unpacked mirror entries into the run's data dir, so
a mirror costs no copy per module.

The file is written as JSON, which Terraform's CLI config loader reads as
well as HCL; that keeps any path (quotes, backslashes) exact without an HCL
encoder for the CLI config dialect.
"""

from __future__ import annotations

import json
from pathlib import Path

from ..errors import RunError
from .plans import write_private

MIRROR_ENV = "TFGEN_PLUGIN_MIRROR"
CONFIG_NAME = "terraform-cli-config.tfrc.json"


def cli_config(plugin_mirror: Path | None) -> dict:
    """The CLI config document: no update checks; providers from the mirror only, if one is given."""
    config: dict = {"disable_checkpoint": True}
    if plugin_mirror is not None:
        config["provider_installation"] = {"filesystem_mirror": [{"path": str(plugin_mirror)}]}
    return config


def check_mirror(plugin_mirror: Path) -> Path:
    """The mirror as an absolute path; a clear error if it is not a folder."""
    path = Path(plugin_mirror).expanduser().resolve()
    if not path.is_dir():
        raise RunError(f"provider mirror {plugin_mirror} is not a directory (from --plugin-mirror or {MIRROR_ENV})")
    return path


def write_cli_config(folder: Path, plugin_mirror: Path | None) -> Path:
    """Write the CLI config into `folder` (atomically) and return its path."""
    mirror = check_mirror(plugin_mirror) if plugin_mirror is not None else None
    path = folder / CONFIG_NAME
    write_private(path, json.dumps(cli_config(mirror), indent=2, sort_keys=True) + "\n")
    return path
