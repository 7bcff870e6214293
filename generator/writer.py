"""Writing rendered modules: only tfgen's own files, all or nothing, only inside the output root.

Knows nothing about targets or templates: it gets {relative path: content}
(text, or bytes for a package tfgen built, such as a Lambda zip) and the
module folders those files belong to. `plan_write()` (read only) serves
`--check`/`--diff`; `apply_changes()` writes.

Ownership. Each folder tfgen writes into gets a manifest, `.tfgen-manifest.json`,
naming every file tfgen wrote there with the sha256 of what it wrote. tfgen
overwrites or deletes a file only while it is still byte-for-byte what the
manifest says. Anything else is the user's:
  * a file tfgen did not write (`custom.tf`, `override.tf`) is never touched,
    and is reported as kept;
  * a rendered file edited by hand (or one tfgen would write over but never
    wrote, e.g. a module rendered before manifests existed) is a conflict:
    `apply_changes` refuses, naming the files, unless `force=True`.

Atomicity. Everything is staged first (temp files beside their targets), so
a full disk or any write error leaves the old files untouched. Then each
file is swapped in by rename, keeping a hard link to the old one; if a swap
fails, the swaps already done are rolled back. The manifest is swapped first
and, until the end, also accepts the old hashes, so a process killed mid-swap
leaves files the next render still recognises as its own.

The output root is locked (`flock` on the root folder itself, so nothing is
created in it) from planning to the last rename when callers hold
`output_lock()` around both, and always while `apply_changes` writes.

Symlinks. No path below the output root is followed: a symlink where tfgen
would read, write or delete (a file or any folder above it) is refused, naming
the path. The root itself may be a symlink (the user chose it).
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import fnmatch
import hashlib
import json
import os
import stat
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from .errors import WriteError

Content = str | bytes  # bytes: a package tfgen built (a Lambda zip)

MANIFEST_NAME = ".tfgen-manifest.json"
MANIFEST_VERSION = 1
# Files tfgen may own in a module folder. Others there (.terraform/, the lock
# file, state, a user's notes) are never considered; of these, only the files
# the manifest names are tfgen's.
RENDERED_PATTERNS = ("*.tf", "*.tf.json", "README.md")
# What a user's own Terraform beside the rendered files looks like (reported as kept).
USER_TERRAFORM_PATTERNS = ("*.tf", "*.tf.json")
_STAGE_PREFIX = ".tfgen-stage-"
_BACKUP_PREFIX = ".tfgen-backup-"
LOCK_TIMEOUT = 120.0  # seconds to wait for another tfgen writing into the same root

NOT_WRITTEN_BY_TFGEN = "not written by tfgen"
EDITED_BY_HAND = "edited since tfgen wrote it"


@dataclass(frozen=True, order=True)
class Change:
    path: PurePosixPath  # relative to the output root
    kind: str  # "create" | "update" | "delete"
    old: Content | None
    new: Content | None
    conflict: str = ""  # why the file on disk is not tfgen's to replace ("" when it is)

    def diff(self) -> str:
        if isinstance(self.old, bytes) or isinstance(self.new, bytes):
            a = "/dev/null" if self.old is None else f"a/{self.path}"
            b = "/dev/null" if self.new is None else f"b/{self.path}"
            return f"Binary files {a} and {b} differ\n"
        old = (self.old or "").splitlines(keepends=True)
        new = (self.new or "").splitlines(keepends=True)
        a = "/dev/null" if self.old is None else f"a/{self.path}"
        b = "/dev/null" if self.new is None else f"b/{self.path}"
        import difflib  # only for --diff

        return "".join(difflib.unified_diff(old, new, a, b))


@dataclass(frozen=True)
class WritePlan:
    changes: list[Change]
    kept: list[PurePosixPath] = field(default_factory=list)  # the user's own *.tf beside rendered ones

    @property
    def conflicts(self) -> list[Change]:
        return [c for c in self.changes if c.conflict]


class EditedFilesError(WriteError):
    """Rendering would overwrite or delete files tfgen did not write as they are now."""

    def __init__(self, conflicts: list[Change], root: Path):
        self.conflicts = conflicts
        listed = "\n".join(f"  {root / c.path} ({c.conflict})" for c in conflicts)
        super().__init__(
            f"refusing to overwrite or delete {len(conflicts)} file(s) tfgen did not write as they are now:\n"
            f"{listed}\n"
            "put your own resources in a separate *.tf file beside the rendered ones (tfgen keeps it), "
            "or discard the edits with `tfgen render --force`"
        )


# -- paths, reads and the lock -------------------------------------------------


def _check_inside(rel: PurePosixPath) -> None:
    if rel.is_absolute() or ".." in rel.parts or not rel.parts:
        raise WriteError(f"refusing to write outside the output root: {rel}")


class _Folder:
    """A folder below the root, looked up once for all its files (not once per file)."""

    __slots__ = ("missing_from", "path")

    def __init__(self, path: Path, missing_from: PurePosixPath | None) -> None:
        self.path = path
        # the outermost folder of `rel` (itself or a parent) that does not exist; None when it exists.
        # A missing folder has nothing to read, keep or delete: its files are written as a new tree.
        self.missing_from = missing_from


def _folder(root: Path, rel: PurePosixPath) -> _Folder:
    """`root / rel`, refusing a symlink on the way (the root itself may be one: the user chose it)."""
    if rel.is_absolute() or ".." in rel.parts:
        raise WriteError(f"refusing to write outside the output root: {rel}")
    path = str(root)
    for depth, part in enumerate(rel.parts):
        path = os.path.join(path, part)
        try:
            mode = os.lstat(path).st_mode
        except (FileNotFoundError, NotADirectoryError):
            return _Folder(Path(root, *rel.parts), PurePosixPath(*rel.parts[: depth + 1]))
        if stat.S_ISLNK(mode):
            raise WriteError(f"refusing to follow a symlink inside the output root: {path}")
    return _Folder(Path(path), None)


def _folders(root: Path, rels) -> dict[PurePosixPath, _Folder]:
    return {rel: _folder(root, rel) for rel in sorted(set(rels))}


def _read_bytes(path: Path) -> bytes | None:
    """The file's bytes; None when absent. Never follows a symlink, never reads a non-regular file."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except FileNotFoundError:
        return None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise WriteError(f"refusing to follow a symlink inside the output root: {path}") from None
        raise WriteError(f"cannot read {path}: {exc.strerror or exc}") from None
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise WriteError(f"{path} is not a regular file: refusing to replace it")
        try:
            return handle.read()
        except OSError as exc:
            raise WriteError(f"cannot read {path}: {exc.strerror or exc}") from None


def _read(path: Path) -> str | None:
    data = _read_bytes(path)
    if data is None:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise WriteError(f"cannot read {path}: {exc}") from None


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _as_bytes(content: Content | None) -> bytes | None:
    return content.encode("utf-8") if isinstance(content, str) else content


_held: dict[str, list[int]] = {}  # root -> [fd, depth]: the lock is re-entrant within one process


@contextmanager
def output_lock(root: Path, *, create: bool = True) -> Iterator[None]:
    """Hold the output root's lock (exclusive) for the block; waits up to LOCK_TIMEOUT seconds.

    `create=False`: a root that does not exist yet is not created (and not locked).
    """
    root = Path(root)
    if not root.is_dir():
        if not create:
            yield
            return
        try:
            root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise WriteError(f"cannot create {root}: {exc.strerror or exc}") from None
    key = os.path.realpath(root)
    if key in _held:
        _held[key][1] += 1
        try:
            yield
        finally:
            _held[key][1] -= 1
        return
    fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
    try:
        deadline = time.monotonic() + LOCK_TIMEOUT
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise WriteError(
                        f"another tfgen has been writing into {root} for {LOCK_TIMEOUT:.0f} s; "
                        "try again when it is done"
                    ) from None
                time.sleep(0.05)
        _held[key] = [fd, 1]
        try:
            yield
        finally:
            del _held[key]
    finally:
        os.close(fd)  # releases the flock


# -- the manifest ----------------------------------------------------------------


def _load_manifest(folder: Path) -> dict[str, set[str]]:
    """{file name: accepted sha256 hashes}; empty when missing or unreadable (then nothing is tfgen's)."""
    data = _read_bytes(folder / MANIFEST_NAME)
    return {} if data is None else _parse_manifest(data.decode("utf-8", errors="replace"))


def _parse_manifest(text: str) -> dict[str, set[str]]:
    try:
        files = json.loads(text).get("files", {})
        return {
            str(name): ({value} if isinstance(value, str) else set(map(str, value))) for name, value in files.items()
        }
    except (ValueError, AttributeError, TypeError):
        return {}


def _manifest_text(files: dict[str, str | list[str]]) -> str:
    document = {
        "//": "Written by tfgen render: the files it wrote here and their sha256. "
        "tfgen overwrites or deletes only these, and only while unchanged. Commit it.",
        "files": dict(sorted(files.items())),
        "version": MANIFEST_VERSION,
    }
    return json.dumps(document, indent=2, sort_keys=True) + "\n"


# -- planning ---------------------------------------------------------------------


def _matches(name: str, patterns: tuple[str, ...]) -> bool:
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in patterns)


def plan_write(files: dict[PurePosixPath, Content], root: Path, modules: set[PurePosixPath]) -> WritePlan:
    """What writing `files` under `root` would create, update or delete; the user's files kept.

    Every folder a file goes into is managed (gets a manifest); `modules` adds
    folders to manage even if no file goes into them now.
    """
    root = Path(root)
    by_folder: dict[PurePosixPath, dict[str, Content]] = {PurePosixPath(m): {} for m in modules}
    paths: dict[PurePosixPath, dict[str, PurePosixPath]] = {}  # each file's own path (not built again)
    for rel, text in files.items():
        _check_inside(rel)  # refuse escapes before anything else
        parent, name = rel.parent, rel.name
        by_folder.setdefault(parent, {})[name] = text
        paths.setdefault(parent, {})[name] = rel
    changes: list[Change] = []
    kept: list[PurePosixPath] = []
    with output_lock(root, create=False):
        folders = _folders(root, by_folder)
        for module, rendered in sorted(by_folder.items()):
            folder_changes, folder_kept = _plan_folder(module, folders[module], rendered, paths.get(module, {}))
            changes += folder_changes
            kept += folder_kept
    # paths are unique, so this is Change's own order (path first), with each key built once
    return WritePlan(sorted(changes, key=lambda c: c.path.parts), sorted(kept))


def plan_changes(files: dict[PurePosixPath, Content], root: Path, modules: set[PurePosixPath]) -> list[Change]:
    """The changes of `plan_write` (for callers that only report them)."""
    return plan_write(files, root, modules).changes


def _plan_folder(
    module: PurePosixPath,
    where: _Folder,
    rendered: dict[str, Content],
    paths: dict[str, PurePosixPath],
) -> tuple[list[Change], list]:
    """`paths`: name -> the file's path below the root (`module / name`), as the caller has it."""
    folder = where.path
    if where.missing_from is not None:  # nothing there yet: every file is new, nothing to read or keep
        changes = [Change(paths[name], "create", None, text) for name, text in sorted(rendered.items())]
        if rendered:
            listing = _manifest_text({name: _sha256(_as_bytes(data) or b"") for name, data in rendered.items()})
            changes.append(Change(module / MANIFEST_NAME, "create", None, listing))
        return changes, []
    manifest = _load_manifest(folder) if folder.is_dir() else {}
    changes = []

    def ownership(name: str, data: bytes) -> str:
        if name not in manifest:
            return NOT_WRITTEN_BY_TFGEN
        return "" if _sha256(data) in manifest[name] else EDITED_BY_HAND

    for name, text in sorted(rendered.items()):
        target = folder / name
        data = _read_bytes(target)  # never follows a symlink (refused, naming it)
        if data is None:
            changes.append(Change(module / name, "create", None, text))
        elif data != _as_bytes(text):
            old = data if isinstance(text, bytes) else _decode(data, target)
            changes.append(Change(module / name, "update", old, text, ownership(name, data)))
    for name in sorted(set(manifest) - set(rendered)):
        target = folder / name
        data = _read_bytes(target)
        if data is not None:
            changes.append(Change(module / name, "delete", _decode_if_text(data), None, ownership(name, data)))

    kept: list[PurePosixPath] = []
    if folder.is_dir():
        for entry in sorted(os.scandir(folder), key=lambda e: e.name):
            if (
                entry.name not in rendered
                and entry.name not in manifest
                and not entry.name.startswith(".")
                and _matches(entry.name, USER_TERRAFORM_PATTERNS)
            ):
                kept.append(module / entry.name)

    if rendered:
        new_manifest = _manifest_text({name: _sha256(_as_bytes(text) or b"") for name, text in rendered.items()})
        old_manifest = _read(folder / MANIFEST_NAME) if folder.is_dir() else None
        if old_manifest != new_manifest:
            kind = "create" if old_manifest is None else "update"
            changes.append(Change(module / MANIFEST_NAME, kind, old_manifest, new_manifest))
    return changes, kept


def _decode_if_text(data: bytes) -> Content:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data


def _decode(data: bytes, path: Path) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise WriteError(f"cannot read {path}: {exc}") from None


# -- writing ----------------------------------------------------------------------


def apply_changes(changes: list[Change], root: Path, *, force: bool = False) -> None:
    """Write `changes` (from `plan_write`/`plan_changes`): all of them, or none.

    Refuses conflicts (files tfgen did not write as they are now) unless
    `force`, and any file that changed on disk since the plan.
    """
    root = Path(root)
    conflicts = [c for c in changes if c.conflict]
    if conflicts and not force:
        raise EditedFilesError(conflicts, root)
    if not changes:
        return
    for change in changes:
        _check_inside(change.path)
    with output_lock(root):
        parents = [c.path.parent for c in changes]
        folders = _folders(root, parents)
        targets: dict[PurePosixPath, Path] = {}  # only for files written in place
        # a folder that does not exist (yet) is written as a new tree: staged whole beside its
        # outermost missing folder and renamed into place at once
        trees: dict[PurePosixPath, list[Change]] = {}
        in_place: list[Change] = []
        for change, parent in zip(changes, parents, strict=True):
            missing_from = folders[parent].missing_from
            if missing_from is not None:  # nothing there: only a create (or a delete of nothing) is still valid
                if change.old is not None and change.new is not None:
                    raise WriteError(
                        f"{root / change.path} changed while tfgen was rendering; "
                        "nothing was written: run tfgen render again"
                    )
                if change.kind != "delete":
                    trees.setdefault(missing_from, []).append(change)
                continue
            target = targets[change.path] = folders[parent].path / change.path.name
            now = _read_bytes(target)
            if now != _as_bytes(change.old) and now != _as_bytes(change.new):
                raise WriteError(
                    f"{target} changed while tfgen was rendering; nothing was written: run tfgen render again"
                )
            in_place.append(change)
        _remove_leftovers({targets[c.path].parent for c in in_place} | {root / t.parent for t in trees})
        created_dirs: list[Path] = []
        staged: dict[PurePosixPath, Path] = {}
        staged_trees: dict[PurePosixPath, Path] = {}
        by_module: dict[PurePosixPath, list[Change]] = {}  # one pass: a manifest looks only at its module's changes
        for change in in_place:
            by_module.setdefault(change.path.parent, []).append(change)
        try:
            for top, tree_changes in sorted(trees.items()):
                staged_trees[top] = _stage_tree(root, top, tree_changes)
            for change in in_place:
                if change.kind == "delete" or _read_bytes(targets[change.path]) == _as_bytes(change.new):
                    continue
                content = (
                    _transitional_manifest(change, by_module[change.path.parent])
                    if change.path.name == MANIFEST_NAME
                    else change.new
                )
                created_dirs += _make_dirs(root, targets[change.path].parent)
                staged[change.path] = _stage(targets[change.path], content or "")
            finals = {
                c.path: _stage(targets[c.path], c.new or "")
                for c in in_place
                if c.path.name == MANIFEST_NAME and c.path in staged
            }
        except BaseException:
            for temp in staged.values():
                temp.unlink(missing_ok=True)
            for temp in staged_trees.values():
                _remove_tree(temp)
            for folder in reversed(created_dirs):
                _rmdir_quietly(folder)
            raise
        _swap(in_place, targets, staged, finals, {root / top: temp for top, temp in staged_trees.items()})


def _stage_tree(root: Path, top: PurePosixPath, changes: list[Change]) -> Path:
    """Write every file of a new folder tree `root/top` into a temp folder beside it; the temp folder."""
    final = root / top
    temp = final.with_name(f"{_STAGE_PREFIX}{os.urandom(6).hex()}-{final.name}")
    try:
        os.mkdir(temp)
    except OSError as exc:
        raise WriteError(f"cannot create {final}: {exc.strerror or exc}; nothing was changed") from None
    base, skip = str(temp), len(top.parts)
    chmod = _umask() & 0o644 != 0  # only when the umask takes away some of 0644 (or is unknown)
    try:
        made: set[tuple[str, ...]] = set()
        for change in changes:
            parts = change.path.parts[skip:]
            for depth in range(1, len(parts)):  # the folders between the tree's top and the file
                if parts[:depth] not in made:
                    os.mkdir(os.path.join(base, *parts[:depth]))
                    made.add(parts[:depth])
            try:
                _write_new(os.path.join(base, *parts), change.new or "", chmod)
            except OSError as exc:
                raise WriteError(
                    f"cannot write {root / change.path}: {exc.strerror or exc}; nothing was changed"
                ) from None
    except BaseException as exc:
        _remove_tree(temp)
        if isinstance(exc, OSError):
            raise WriteError(f"cannot create {final}: {exc.strerror or exc}; nothing was changed") from None
        raise
    return temp


def _write_new(path: str, content: Content, chmod: bool = True) -> None:
    """A new file (in a staged tree), mode 0644 whatever the umask (`chmod=False`: the umask keeps it)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
    try:
        view = memoryview(_as_bytes(content) or b"")
        while view:
            view = view[os.write(fd, view) :]
        if chmod:
            os.fchmod(fd, 0o644)
    finally:
        os.close(fd)


def _umask() -> int:
    """The process's umask, read without changing it (os.umask can only set it); 0o777 when unknown."""
    try:
        with open("/proc/self/status", encoding="ascii", errors="replace") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    return 0o777


def _remove_tree(folder: Path) -> None:
    """A folder tree tfgen staged or put in place in this run (under the lock: nobody else wrote there)."""
    import shutil  # only when a write failed

    shutil.rmtree(folder, ignore_errors=True)


def _transitional_manifest(change: Change, changes: list[Change]) -> str:
    """The new manifest, also accepting the old hashes, for the time files are being swapped.

    `changes`: at least every change in the manifest's module (others are ignored)."""
    module = change.path.parent
    final = _parse_manifest(str(change.new or ""))
    previous = _parse_manifest(str(change.old or ""))
    merged: dict[str, str | list[str]] = {
        name: sorted(final.get(name, set()) | previous.get(name, set())) for name in set(final) | set(previous)
    }
    for c in changes:  # files being deleted or forced over stay recognisable until the end
        if c.path.parent == module and c.old is not None and c.path.name != MANIFEST_NAME:
            entry = set(merged.get(c.path.name, [])) | {_sha256(_as_bytes(c.old) or b"")}
            merged[c.path.name] = sorted(entry)
    return _manifest_text(merged)


def _swap(
    changes: list[Change],
    targets: dict[PurePosixPath, Path],
    staged: dict[PurePosixPath, Path],
    finals: dict[PurePosixPath, Path],
    trees: dict[Path, Path] | None = None,
) -> None:
    """Rename staged new folder trees (`trees`: final -> staged) and files into place (manifests first),
    keeping the old files until all succeeded."""
    order = sorted(changes, key=lambda c: (c.path.name != MANIFEST_NAME, c.path))
    done: list[tuple[Path, Path | None]] = []  # (target, backup of what was there, or None)
    trees = dict(trees or {})
    placed: list[Path] = []  # new trees renamed into place
    try:
        for final in sorted(trees):
            os.rename(trees[final], final)  # a whole new module (or more) appears at once
            placed.append(final)
            del trees[final]
        for change in order:
            target = targets[change.path]
            if change.kind != "delete" and change.path not in staged:
                continue  # already what it should be
            backup = target.with_name(f"{_BACKUP_PREFIX}{os.urandom(6).hex()}-{target.name}")
            if change.kind == "delete":
                os.replace(target, backup)
                done.append((target, backup))
            elif change.kind == "create" and not target.exists():
                os.link(staged[change.path], target)  # fails if something appeared there meanwhile
                staged.pop(change.path).unlink()
                done.append((target, None))
            else:
                os.link(target, backup)
                try:
                    os.replace(staged[change.path], target)
                except BaseException:
                    backup.unlink(missing_ok=True)  # the target was not replaced: the link is all there is to undo
                    raise
                staged.pop(change.path)
                done.append((target, backup))
        for path, final in finals.items():
            os.replace(final, targets[path])
    except BaseException as exc:
        failure = _rollback(done)
        for folder in [*reversed(placed), *trees.values()]:
            _remove_tree(folder)
        for temp in [*staged.values(), *finals.values()]:
            temp.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            detail = exc.strerror or str(exc)
            where = f" {exc.filename}" if exc.filename else ""
            raise WriteError(
                f"cannot write{where}: {detail}; " + (failure or "rolled back: the module is as it was")
            ) from None
        raise
    for _target_path, kept in done:
        if kept is not None:
            kept.unlink(missing_ok=True)


def _rollback(done: list[tuple[Path, Path | None]]) -> str:
    """Undo the swaps; "" when everything was restored, else what could not be."""
    lost = []
    for target, backup in reversed(done):
        try:
            if backup is None:
                target.unlink(missing_ok=True)
            else:
                os.replace(backup, target)
        except OSError:
            lost.append(str(target))
    return f"could not restore {', '.join(lost)}" if lost else ""


def _stage(target: Path, content: Content) -> Path:
    temp = target.with_name(f"{_STAGE_PREFIX}{os.urandom(6).hex()}-{target.name}")
    try:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(_as_bytes(content) or b"")
            os.chmod(temp, 0o644)
        except BaseException:
            temp.unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise WriteError(f"cannot write {target}: {exc.strerror or exc}; nothing was changed") from None
    return temp


def _make_dirs(root: Path, folder: Path) -> list[Path]:
    """Create `folder` and missing parents below `root`; the ones created, outermost first."""
    missing = []
    path = folder
    while not path.exists() and path != root:
        missing.append(path)
        path = path.parent
    created: list[Path] = []
    for path in reversed(missing):
        try:
            path.mkdir()
        except FileExistsError:
            continue
        except OSError as exc:
            for done in reversed(created):
                _rmdir_quietly(done)
            raise WriteError(f"cannot create {path}: {exc.strerror or exc}; nothing was changed") from None
        created.append(path)
    return created


def _rmdir_quietly(folder: Path) -> None:
    with contextlib.suppress(OSError):  # not empty (the user's files) or already gone: keep going
        folder.rmdir()


def _remove_leftovers(folders: set[Path]) -> None:
    """Temp files and staged trees of a tfgen killed mid-write (we hold the lock: nobody else is writing)."""
    for folder in folders:
        if not folder.is_dir() or folder.is_symlink():
            continue
        for entry in os.scandir(folder):
            if entry.name.startswith((_STAGE_PREFIX, _BACKUP_PREFIX)) and entry.is_file(follow_symlinks=False):
                Path(entry.path).unlink(missing_ok=True)
            elif entry.name.startswith(_STAGE_PREFIX) and entry.is_dir(follow_symlinks=False):
                _remove_tree(Path(entry.path))
