"""`tfgen render --atlantis FILE`: an Atlantis repo config (atlantis.yaml) for the rendered modules.

One project per rendered Terraform module (Kubernetes manifests are not
Terraform: Atlantis cannot plan them). A project is planned when its module's
files change or when its spec changes (`when_modified`, paths relative to the
project's dir, as Atlantis reads them), and its workflow runs the tfgen gate
(`tfgen check` of that spec against the committed modules) before Terraform's
own init and plan: a pull request whose modules do not match their spec, or
fail a gate, never gets a plan. One workflow per spec, because a workflow
cannot be told which spec its project came from; the gate's step goes back
to the repository root as `$DIR` minus `$REPO_REL_DIR` (both set by Atlantis
for custom run steps).

The file is written from data with a safe YAML dumper and only ever
overwrites a file that starts with tfgen's header line (never a hand-written
atlantis.yaml). Keys used are those of Atlantis' repo-level config reference
(runatlantis.io/docs/repo-level-atlantis-yaml, custom-workflows).
"""

from __future__ import annotations

import os
import shlex
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import yaml

from .errors import WriteError

HEADER = "# Written by `tfgen render --atlantis`; edit the specs and render again (tfgen overwrites this file).\n"


@dataclass(frozen=True)
class Module:
    spec: Path  # the spec file the module is rendered from
    service: str
    folder: PurePosixPath  # under the output root: <name>/[<env>/]<target>


def _relative(path: Path, start: Path) -> str:
    return Path(os.path.relpath(path.resolve(), start.resolve())).as_posix()


def config(modules: list[Module], root: Path, config_path: Path) -> dict:
    """The atlantis.yaml document; paths relative to the file's folder (the repository root)."""
    repo = config_path.parent
    workflows: dict[str, dict] = {}
    workflow_of: dict[Path, str] = {}
    for module in sorted(modules, key=lambda m: (str(m.spec), str(m.folder))):
        if module.spec in workflow_of:
            continue
        name = f"tfgen-{module.service}"
        while name in workflows:  # two specs of one service name: keep both gates apart
            name += "-2"
        workflow_of[module.spec] = name
        gate = (
            f'cd "${{DIR%/$REPO_REL_DIR}}" && tfgen check {shlex.quote(_relative(module.spec, repo))} '
            f"--modules-dir {shlex.quote(_relative(root, repo))}"
        )
        workflows[name] = {"plan": {"steps": [{"run": gate}, "init", "plan"]}, "apply": {"steps": ["apply"]}}
    projects = []
    for module in sorted(modules, key=lambda m: str(m.folder)):
        folder = root / module.folder
        projects.append(
            {
                "name": str(module.folder).replace("/", "-"),
                "dir": _relative(folder, repo),
                "workflow": workflow_of[module.spec],
                # anything in the module (its .tf, a Lambda zip) or its spec
                "autoplan": {"enabled": True, "when_modified": ["**/*", _relative(module.spec, folder)]},
            }
        )
    return {
        "version": 3,
        "automerge": False,
        "parallel_plan": True,
        "parallel_apply": True,
        "projects": projects,
        "workflows": workflows,
    }


def text(document: dict) -> str:
    return HEADER + yaml.safe_dump(document, sort_keys=False, default_flow_style=False, width=1000, allow_unicode=False)


def _current(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise WriteError(f"cannot read {path}: {exc}") from None


def check_writable(path: Path) -> None:
    """Refuse (before anything is written) a file there that tfgen did not write (no header line)."""
    current = _current(path)
    if current is not None and not current.startswith(HEADER):
        raise WriteError(
            f"{path} exists and was not written by tfgen; nothing was written: move it away, "
            "or give --atlantis another path"
        )


def write(path: Path, content: str) -> bool:
    """Write `content` to `path` whole (temp file + rename); False when it already holds exactly that."""
    check_writable(path)
    if _current(path) == content:
        return False
    try:
        with tempfile.NamedTemporaryFile(
            "w", encoding="utf-8", dir=path.parent, delete=False, prefix=".tfgen-", suffix=".tmp"
        ) as handle:
            handle.write(content)
        os.replace(handle.name, path)
    except OSError as exc:
        raise WriteError(f"cannot write {path}: {exc}") from None
    return True
