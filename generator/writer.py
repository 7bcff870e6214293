"""Writing rendered modules: atomic, minimal, and only inside the output root.

Knows nothing about targets or templates: it gets {relative path: text} and
the module folders those files belong to. A file that did not change is not
touched; a file tfgen rendered earlier into one of those folders but no longer
renders (stale) is removed. `plan_changes()` alone serves `--check`/`--diff`.
"""

from __future__ import annotations

import difflib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from .errors import WriteError

# What tfgen renders into a module folder; anything else there (.terraform/,
# the lock file, a user's notes) is never removed.
RENDERED_PATTERNS = ("*.tf", "README.md")


@dataclass(frozen=True, order=True)
class Change:
    path: PurePosixPath  # relative to the output root
    kind: str  # "create" | "update" | "delete"
    old: str | bytes | None  # bytes: a package tfgen built (a Lambda zip)
    new: str | bytes | None

    def diff(self) -> str:
        if isinstance(self.old, bytes) or isinstance(self.new, bytes):
            a = "/dev/null" if self.old is None else f"a/{self.path}"
            b = "/dev/null" if self.new is None else f"b/{self.path}"
            return f"Binary files {a} and {b} differ\n"
        old = (self.old or "").splitlines(keepends=True)
        new = (self.new or "").splitlines(keepends=True)
        a = "/dev/null" if self.old is None else f"a/{self.path}"
        b = "/dev/null" if self.new is None else f"b/{self.path}"
        return "".join(difflib.unified_diff(old, new, a, b))


def _inside(root: Path, rel: PurePosixPath) -> Path:
    if rel.is_absolute() or ".." in rel.parts:
        raise WriteError(f"refusing to write outside the output root: {rel}")
    target = (root / rel).resolve()
    if root.resolve() not in target.parents:
        raise WriteError(f"refusing to write outside the output root: {rel}")
    return target


def _read(path: Path, binary: bool = False) -> str | bytes | None:
    try:
        return path.read_bytes() if binary else path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise WriteError(f"cannot read {path}: {exc}") from None


def plan_changes(files: dict[PurePosixPath, str | bytes], root: Path, modules: set[PurePosixPath]) -> list[Change]:
    """What writing `files` under `root` would create, update or delete."""
    changes = []
    for rel, text in files.items():
        old = _read(_inside(root, rel), binary=isinstance(text, bytes))
        if old is None:
            changes.append(Change(rel, "create", None, text))
        elif old != text:
            changes.append(Change(rel, "update", old, text))
    for module in modules:
        folder = _inside(root, module / "x").parent
        if not folder.is_dir():
            continue
        for pattern in RENDERED_PATTERNS:
            for path in folder.glob(pattern):
                rel = module / path.name
                if rel not in files and path.is_file():
                    changes.append(Change(rel, "delete", _read(path), None))
    return sorted(changes)


def apply_changes(changes: list[Change], root: Path) -> None:
    """Write each file atomically (temp file + rename); delete stale ones."""
    for change in changes:
        target = _inside(root, change.path)
        if change.kind == "delete":
            target.unlink(missing_ok=True)
            continue
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".tfgen-", dir=target.parent)
            try:
                if isinstance(change.new, bytes):
                    with os.fdopen(fd, "wb") as binary:
                        binary.write(change.new)
                else:
                    with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
                        handle.write(change.new or "")
                os.chmod(tmp, 0o644)
                os.replace(tmp, target)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError as exc:
            raise WriteError(f"cannot write {target}: {exc.strerror or exc}") from None
