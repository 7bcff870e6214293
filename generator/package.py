"""Deterministic zip packages: a source folder in, the same bytes out on every machine.

A Lambda zip built here depends only on the relative paths, contents and
executable bits of the files in the folder: entries are sorted, every
timestamp is 1980-01-01 00:00 (the earliest a zip can hold), modes are 0644 or
0755, and entries are STORED, not deflated. Deflate output depends on the zlib
build (zlib and zlib-ng, shipped by some distributions, compress the same
bytes differently), so a compressed zip would not be byte-identical across
machines and Terraform's `filebase64sha256()` would see a new package where
the code did not change.

Skipped, so that a local run never changes the package: hidden files and
folders (`.git/`, `.env`, `.DS_Store`), `__pycache__/` and `*.pyc`/`*.pyo`, and
module folders tfgen rendered (they hold its manifest): with `source: .` beside
`modules/`, the zip would otherwise contain the previous zip.
Symbolic links are refused rather than followed (one could point anywhere).
"""

from __future__ import annotations

import io
import os
import stat
import zipfile
from pathlib import Path

from .writer import MANIFEST_NAME

EPOCH = (1980, 1, 1, 0, 0, 0)
UNIX = 3  # ZipInfo.create_system: the external_attr mode bits are honoured on extraction
# Lambda: a zip uploaded directly (the `filename` argument) is at most 50 MB.
MAX_ZIP_BYTES = 50 * 1024 * 1024
SKIPPED_DIRS = frozenset({"__pycache__"})
SKIPPED_SUFFIXES = (".pyc", ".pyo")


class PackageError(ValueError):
    """The source folder cannot be packaged; the message says why, in the user's terms."""


def _skipped(name: str) -> bool:
    return name.startswith(".") or name in SKIPPED_DIRS or name.endswith(SKIPPED_SUFFIXES)


def package_files(source: Path) -> list[tuple[str, Path]]:
    """(archive name, file) of everything that goes into the zip, sorted by archive name."""
    if not source.is_dir():
        raise PackageError(f"{source} is not a folder" if source.exists() else f"folder {source} does not exist")
    found: list[tuple[str, Path]] = []
    for folder, dirs, names in os.walk(source):
        here = Path(folder)
        for name in list(dirs):
            if (here / name).is_symlink():
                raise PackageError(f"{here / name} is a symbolic link; copy what it points to into the folder")
        dirs[:] = [d for d in dirs if not _skipped(d) and not (here / d / MANIFEST_NAME).exists()]
        for name in names:
            path = here / name
            if _skipped(name):
                continue
            if path.is_symlink():
                raise PackageError(f"{path} is a symbolic link; copy what it points to into the folder")
            if path.is_file():
                found.append((path.relative_to(source).as_posix(), path))
    if not found:
        raise PackageError(f"folder {source} has no files to package")
    return sorted(found)


def build_zip(source: Path) -> bytes:
    """The deterministic zip of `source` (see the module docstring for what "deterministic" covers)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for name, path in package_files(source):
            info = zipfile.ZipInfo(name, date_time=EPOCH)
            info.compress_type = zipfile.ZIP_STORED
            info.create_system = UNIX
            executable = path.stat().st_mode & (stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
            info.external_attr = (stat.S_IFREG | (0o755 if executable else 0o644)) << 16
            try:
                data = path.read_bytes()
            except OSError as exc:
                raise PackageError(f"cannot read {path}: {exc.strerror or exc}") from None
            archive.writestr(info, data)
            if buffer.tell() > MAX_ZIP_BYTES:
                raise PackageError(
                    f"the package of {source} exceeds Lambda's {MAX_ZIP_BYTES // (1024 * 1024)} MB "
                    f"limit for a directly uploaded zip (stopped at {name})"
                )
    return buffer.getvalue()
