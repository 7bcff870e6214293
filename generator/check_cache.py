"""Remembered gate passes: `tfgen check` re-runs a gate only on modules that changed.

A gate's pass on one module is stored under a content address: the sha256 of
the gate (output kind + gate name), the module's files (names and bytes), and
the toolchain that judged them (tfgen's own code and bundled data, the
terraform and kubectl binaries, the Checkov and Python versions, the plugin
mirror's contents, the provider schema files given, and the options that change
a verdict such as --skip-validate-provider). Change any of them and the key
changes, so a stale pass is never found.

Only passes are stored. A module that failed, could not be checked or was
skipped is checked again on every run, so the cache can save time but never
turn a failure into a pass. Entries live under the user cache dir
($TFGEN_CACHE_DIR, else $XDG_CACHE_HOME/tfgen/check, else ~/.cache/tfgen/check);
a cache that cannot be read or written only costs time.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path

_FORMAT = "v1"  # bump when what a key covers changes
_PACKAGE = Path(__file__).resolve().parent
_SKIPPED_DIRS = {".terraform", "__pycache__", ".git"}


def cache_dir() -> Path:
    if os.environ.get("TFGEN_CACHE_DIR"):
        return Path(os.environ["TFGEN_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "tfgen" / "check"


def _stat_line(path: Path) -> str:
    try:
        info = path.stat()
    except OSError:
        return f"{path} missing"
    return f"{path} {info.st_size} {info.st_mtime_ns}"


def _tree_stats(root: Path) -> Iterable[str]:
    """One line per file under `root` (name, size, mtime): cheap, and any edit or reinstall changes it."""
    for folder, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in _SKIPPED_DIRS)
        for name in sorted(names):
            if not name.endswith((".pyc", ".pyo")):
                yield _stat_line(Path(folder) / name)


@functools.lru_cache(maxsize=1)
def _fixed_toolchain() -> str:
    """What judges every module whatever the options: tfgen itself and the tools on PATH."""
    from importlib import metadata

    lines = [_FORMAT, sys.version, sys.executable, *_tree_stats(_PACKAGE)]
    for tool in ("terraform", os.environ.get("TFGEN_KUBECTL", "kubectl")):
        found = shutil.which(tool)
        lines.append(f"{tool}: " + (_stat_line(Path(found).resolve()) if found else "absent"))
    for package in ("checkov", "jsonschema", "bc-python-hcl2"):
        try:
            lines.append(f"{package} {metadata.version(package)}")
        except metadata.PackageNotFoundError:
            lines.append(f"{package} absent")
    return "\n".join(lines)


def toolchain(*, plugin_mirror: Path | None, provider_schemas: Iterable[Path], settings: Iterable[str]) -> str:
    """A digest of everything but the module that decides a gate's verdict."""
    lines = [_fixed_toolchain()]
    lines.append(f"mirror {plugin_mirror}")
    if plugin_mirror is not None and plugin_mirror.is_dir():
        lines.extend(_tree_stats(plugin_mirror))
    lines.extend(f"schema {_stat_line(Path(p).resolve())}" for p in provider_schemas)
    lines.extend(f"setting {s}" for s in settings)
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def module_digest(folder: Path) -> str:
    """sha256 over a module's files, by relative name and content (not by where the module is)."""
    digest = hashlib.sha256()
    for line in sorted(_module_files(folder)):
        digest.update(line)
    return digest.hexdigest()


def _module_files(folder: Path) -> Iterable[bytes]:
    for current, dirs, names in os.walk(folder):
        dirs[:] = [d for d in dirs if d not in _SKIPPED_DIRS]
        for name in names:
            if ".tfstate" in name:
                continue
            path = Path(current) / name
            relative = path.relative_to(folder).as_posix()
            yield relative.encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest()


class PassCache:
    """Passes of (gate, module content, toolchain), one small file each."""

    def __init__(self, root: Path | None = None, *, enabled: bool = True) -> None:
        self.root = root or cache_dir()
        self.enabled = enabled

    @staticmethod
    def key(gate: str, toolchain_digest: str, module: str) -> str:
        return hashlib.sha256(f"{gate}\0{toolchain_digest}\0{module}".encode()).hexdigest()

    def _path(self, key: str) -> Path:
        return self.root / key[:2] / key

    def passed(self, key: str) -> bool:
        if not self.enabled:
            return False
        try:
            return json.loads(self._path(key).read_text()).get("result") == "passed"
        except (OSError, ValueError, AttributeError):
            return False

    def remember_pass(self, key: str, gate: str) -> None:
        if not self.enabled:
            return
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile("w", dir=path.parent, delete=False, suffix=".tmp") as handle:
                json.dump({"result": "passed", "gate": gate}, handle)
            os.replace(handle.name, path)
        except OSError:
            pass  # an unwritable cache only costs time
