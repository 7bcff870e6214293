"""Module folders tfgen rendered once for a spec that no longer has them (a target or
an environment removed): found by their manifest, and pruned on request.

A folder is an orphan only when all of this holds: it lies under
`<root>/<service>/` of a spec being rendered, it holds tfgen's manifest
(`.tfgen-manifest.json`, so tfgen wrote it), and neither the base nor any
environment of that spec renders to it. Other specs' modules sharing the root
are never looked at.

Pruning goes through the writer: only files the manifest names, and only while
unchanged, are deleted (an edited one refuses the prune unless forced); the
manifest and then empty folders go last. The user's own files stay, and so
does the folder holding them. A module whose local state still records
resources is refused: deleting its configuration would leave cloud resources
nobody can destroy with tfgen.
"""

from __future__ import annotations

import json
import os
from pathlib import Path, PurePosixPath

from .errors import RunError
from .model import Spec
from .render import module_path
from .writer import MANIFEST_NAME, Change, apply_changes, output_lock, plan_write

STATE_FILE = "terraform.tfstate"


def every_module(specs: list[Spec]) -> set[PurePosixPath]:
    """Every module folder the given models (a spec's base and environments) render to, with the
    subfolders of a module whose target builds a tree (e.g. Kustomize base/ and overlays/<env>/)."""
    from .targets import registry

    folders = set()
    for spec in specs:
        for target in spec.targets:
            module = module_path(spec, target)
            folders.add(module)
            folders |= {module / rel.parent for rel in registry.get(target).files(spec)}
    return folders


def find_orphans(root: Path, services: set[str], expected: set[PurePosixPath]) -> list[PurePosixPath]:
    """tfgen-rendered module folders under root/<service>/ that `expected` no longer has."""
    found = []
    for service in sorted(services):
        base = Path(root) / service
        if not base.is_dir() or base.is_symlink():
            continue
        for folder, dirs, names in os.walk(base):  # never follows symlinks
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))  # .terraform/, .tfgen/
            if MANIFEST_NAME in names:
                rel = PurePosixPath(Path(folder).relative_to(root).as_posix())
                if rel not in expected:
                    found.append(rel)
    return sorted(found)


def _has_resources(folder: Path) -> bool:
    try:
        state = json.loads((folder / STATE_FILE).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return False
    except (OSError, ValueError):
        return True  # unreadable: assume it matters
    return bool(state.get("resources")) if isinstance(state, dict) else True


def prune(root: Path, orphans: list[PurePosixPath], *, force: bool = False) -> tuple[list[Change], list[PurePosixPath]]:
    """Delete tfgen's files in the orphaned folders; (deleted files, folders removed entirely)."""
    root = Path(root)
    deployed = [m for m in orphans if _has_resources(root / m)]
    if deployed:
        listed = "\n".join(f"  {root / m}" for m in deployed)
        raise RunError(
            f"refusing to prune module(s) whose local state still records resources:\n{listed}\n"
            "destroy them first (tfgen destroy --module-dir DIR), then prune"
        )
    removed: list[PurePosixPath] = []
    with output_lock(root):
        changes = plan_write({}, root, set(orphans)).changes  # deletes of the manifest's files; edited ones conflict
        apply_changes(changes, root, force=force)
        # deepest first, so a module tree (a Kustomize overlay and its patches/) empties bottom-up
        for module in sorted(orphans, key=lambda m: len(m.parts), reverse=True):
            (root / module / MANIFEST_NAME).unlink(missing_ok=True)
            folder = root / module
            while folder != root and folder.is_dir() and not any(folder.iterdir()):
                folder.rmdir()
                rel = PurePosixPath(folder.relative_to(root).as_posix())
                if rel in orphans:
                    removed.append(rel)
                folder = folder.parent
    return changes, sorted(removed)
