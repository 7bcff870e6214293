"""Remembered check results: `tfgen check` re-runs a step only where something changed.

This module is the one home of the keys. Three kinds of entry, each under the
sha256 of everything that could change its verdict:

* A gate's pass on one module: the gate (output kind + gate name), the
  module's files (relative names and bytes) and the toolchain that judged
  them: tfgen's own code and data (templates, spec schema, bundled provider
  schemas) by content, the Python version, the versions of the libraries that
  render and judge (Checkov, python-hcl2, Jinja2, ...), the terraform and
  kubectl binaries, the plugin mirror's contents, the provider schema files
  given, and the options that change a verdict (--env, --skip-validate-provider).
* A per-module gate's result other than a pass that a gate declares
  replayable (`Replay`): terraform validate's "this provider cannot be
  installed here". Its key also covers where providers come from
  (`provider_sources`), and it is remembered only when those are local and
  fixed (the plugin mirror alone): with registry access or a network mirror
  a provider can become installable while nothing here changes, so that
  outcome is then found out again on every run. A provider added to the
  mirror changes the mirror's contents, hence the key.
* The render step's verdict: the spec files' bytes (every environment is in
  them), the folders they package (a Lambda's `package.source`, by the zip
  tfgen builds), the options, the working folder, tfgen's code and templates;
  with --modules-dir also every file under the modules' folders
  (`<modules-dir>/<service>/`), whose bytes are what render compares with
  ("up to date"); in a temporary folder the digest of each module rendered
  ("rendered"), so that a re-check whose gates are all remembered writes
  nothing.

Only good news is stored: a pass, an up-to-date or rendered render, a
skip-able "provider not installable". A module that failed, could not be checked or
was out of date is checked again on every run, and an entry is written only
when its inputs read the same after the step as before it (a file saved
mid-run is never remembered under the old key). So the cache saves time but
never turns a failure into a pass. Entries live under the user cache dir
($TFGEN_CACHE_DIR, else $XDG_CACHE_HOME/tfgen/check, else ~/.cache/tfgen/check);
a cache that cannot be read or written only costs time.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_FORMAT = "v2"  # bump when what a key covers changes
_PACKAGE = Path(__file__).resolve().parent
_SKIPPED_DIRS = {".terraform", "__pycache__", ".git"}
# Libraries whose version can change what tfgen renders or what a gate says about a module.
_DISTRIBUTIONS = (
    "checkov",
    "bc-python-hcl2",
    "python-hcl2",
    "jsonschema",
    "regress",
    "jinja2",
    "markupsafe",
    "pyyaml",
    "kubernetes-validate",
    "python-terraform",
)


def cache_dir() -> Path:
    if os.environ.get("TFGEN_CACHE_DIR"):
        return Path(os.environ["TFGEN_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "tfgen" / "check"


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _stat_line(path: Path) -> str:
    try:
        info = path.stat()
    except OSError:
        return f"{path} missing"
    return f"{path} {info.st_size} {info.st_mtime_ns}"


def _tree_stats(root: Path) -> Iterable[str]:
    """One line per file under `root` (name, size, mtime): for trees too big to read (a plugin mirror).

    Follows symlinked folders (a mirror may link its providers in from elsewhere), each real folder once.
    """
    seen: set[str] = set()
    for folder, dirs, names in os.walk(root, followlinks=True):
        real = os.path.realpath(folder)
        if real in seen:
            dirs[:] = []
            continue
        seen.add(real)
        dirs[:] = sorted(d for d in dirs if d not in _SKIPPED_DIRS)
        for name in sorted(names):
            if not name.endswith((".pyc", ".pyo")):
                yield _stat_line(Path(folder) / name)


def file_digests(root: Path, folders: Iterable[str] = ("",)) -> dict[str, str]:
    """Relative path -> sha256 of every file under root/<folder> for each folder (all of root by default).

    .terraform/, .git/ and __pycache__/ are left out (terraform's own working data, tfgen never reads
    them); a symlinked folder is recorded by where it points. Raises OSError when a file cannot be read.
    """
    found: dict[str, str] = {}
    for start in folders:
        base = root / start if start else root
        if not base.is_dir():
            found[start] = "missing"
            continue
        for current, dirs, names in os.walk(base):
            here = Path(current)
            for name in dirs:
                if (here / name).is_symlink():
                    found[(here / name).relative_to(root).as_posix()] = "symlink " + os.readlink(here / name)
            dirs[:] = [d for d in dirs if d not in _SKIPPED_DIRS]
            for name in names:
                path = here / name
                found[path.relative_to(root).as_posix()] = _sha(path.read_bytes())
    return found


def module_digest_in(files: Mapping[str, str], module: str) -> str:
    """The digest of the module at `module` (relative to the root `files` was read from): its files by
    name relative to the module and content, local state left out (terraform writes it; no gate reads it)."""
    prefix = f"{module}/" if module else ""
    lines = sorted(
        f"{name[len(prefix) :]}\0{digest}\n"
        for name, digest in files.items()
        if name.startswith(prefix) and ".tfstate" not in name.rpartition("/")[2]
    )
    return _sha("".join(lines).encode())


def module_digest(folder: Path) -> str:
    """sha256 over a module's files, by relative name and content (not by where the module is)."""
    return module_digest_in(file_digests(folder), "")


def _code_lines() -> Iterable[str]:
    """tfgen's own code and data, by role, relative name and content: an edit, a checkout or an upgrade
    changes it. Labelled by role, not by place, so an installed tfgen (data under generator/data/) and a
    source checkout of the same commit (templates/, schemas/, provider-schemas/ beside generator/) agree."""
    from . import paths

    roots = {
        "templates": paths.templates_dir(),
        "schemas": paths.schemas_dir(),
        "provider-schemas": paths.provider_schemas_dir(),
    }
    data = _PACKAGE / "data"
    for name, digest in sorted(file_digests(_PACKAGE).items()):
        if not name.endswith((".pyc", ".pyo")) and not (name.startswith("data/") and data.is_dir()):
            yield f"generator/{name} {digest}"
    for label, root in roots.items():
        for name, digest in sorted(file_digests(root).items()):
            yield f"{label}/{name} {digest}"


def _library_versions() -> list[str]:
    """The installed version of each library in _DISTRIBUTIONS, read from the `<name>-<version>.dist-info`
    folder that importlib.metadata would find first (a directory listing: importlib.metadata takes ~60 ms)."""
    wanted = {_normalized(name) for name in _DISTRIBUTIONS}
    found: dict[str, str] = {}
    for entry in sys.path:
        try:
            names = sorted(os.listdir(entry or "."))
        except OSError:
            continue
        for name in names:
            if name.endswith((".dist-info", ".egg-info")):
                distribution, _, version = name.rpartition(".")[0].partition("-")
                if _normalized(distribution) in wanted:
                    found.setdefault(_normalized(distribution), version)
    return [f"{name} {found.get(name, 'absent')}" for name in sorted(wanted)]


def _normalized(distribution: str) -> str:
    return re.sub(r"[-_.]+", "_", distribution).lower()


_snapshot: dict[str, str] | None = None  # set by one_run(): what is read once per check


@contextmanager
def one_run() -> Iterator[None]:
    """Within it, tfgen's code and the tools are read once (a check reads them for render and for the gates)."""
    global _snapshot
    _snapshot = {}
    try:
        yield
    finally:
        _snapshot = None


def _fixed_toolchain() -> str:
    """What judges every module whatever the options: tfgen itself, its libraries and the tools on PATH.

    Not where tfgen is installed: the pre-commit hook's own environment and a `tfgen check` run by hand
    share entries when they hold the same tfgen and the same libraries.
    """
    if _snapshot is not None and "fixed" in _snapshot:
        return _snapshot["fixed"]
    lines = [_FORMAT, sys.version, sys.platform, *_library_versions(), *_code_lines()]
    for tool in ("terraform", os.environ.get("TFGEN_KUBECTL", "kubectl")):
        found = shutil.which(tool)
        lines.append(f"{tool}: " + (_stat_line(Path(found).resolve()) if found else "absent"))
    text = "\n".join(lines)
    if _snapshot is not None:
        _snapshot["fixed"] = text
    return text


def toolchain(*, plugin_mirror: Path | None, provider_schemas: Iterable[Path], settings: Iterable[str]) -> str:
    """A digest of everything but the module that decides a gate's verdict."""
    lines = [_fixed_toolchain()]
    lines.append(f"mirror {plugin_mirror}")
    if plugin_mirror is not None and plugin_mirror.is_dir():
        lines.extend(_tree_stats(plugin_mirror))
    lines.extend(f"schema {_stat_line(Path(p).resolve())}" for p in provider_schemas)
    lines.extend(f"setting {s}" for s in settings)
    return _sha("\n".join(lines).encode())


def gate_toolchain(options: Any) -> str:
    """toolchain() for a check's GateOptions: its mirror, provider schemas and the options that change a verdict."""
    return toolchain(
        plugin_mirror=options.plugin_mirror,
        provider_schemas=options.provider_schemas,
        settings=[f"env={options.env}", "skip-validate=" + ",".join(sorted(options.skip_validate_providers))],
    )


def provider_sources(plugin_mirror: Path | None) -> str | None:
    """A digest of where `terraform init` may install providers from, or None when that is not fixed.

    Fixed: a plugin mirror and no `provider_installation` of the user's own, so tfgen's CLI
    configuration lists the mirror as the only installation method (runners/tfconfig.py) and
    whether a provider can be installed depends only on the mirror's contents (in the toolchain
    digest) and that configuration (hashed here). Without a mirror terraform asks the registry, and
    a user's own block may name the registry or a network mirror: a provider missing today may be
    there tomorrow, so None (nothing that depends on it is remembered).
    """
    if plugin_mirror is None:
        return None
    from .errors import RunError
    from .runners.tfconfig import check_mirror, merged_config, user_config_files

    try:
        files, _named = user_config_files()
        user_text = "".join(path.read_text(encoding="utf-8") for path in files)
        if re.search(r"provider_installation", user_text):
            return None
        text = merged_config(check_mirror(plugin_mirror), files)
    except (OSError, UnicodeDecodeError, RunError):
        return None
    return _sha(text.encode())


def render_inputs(specs: Iterable[Any]) -> list[str]:
    """What render reads besides the spec files and tfgen: the folders specs package (by the zip built from
    them). Raises OSError/ValueError when one cannot be packaged (render then says why; nothing is kept)."""
    from .package import build_zip
    from .targets import registry

    lines = []
    for spec in specs:
        for name in spec.targets:
            for rel, source in sorted(registry.get(name).packages(spec).items()):
                lines.append(f"package {spec.origin} {spec.env} {name} {rel} {_sha(build_zip(source))}")
    return lines


def render_key(
    *, spec_files: Iterable[str], settings: Iterable[str], inputs: Iterable[str], modules: Mapping[str, str] | None
) -> str:
    """The key of render's "up to date" verdict: spec files' bytes, options, the packaged folders, tfgen's code,
    the working folder, and (`modules`, from file_digests) every file of the modules compared against."""
    lines = [_fixed_toolchain(), "render", f"cwd {os.getcwd()}"]
    for name in spec_files:
        with open(name, "rb") as handle:  # raises OSError: a spec that cannot be read is not remembered
            lines.append(f"spec {name} {_sha(handle.read())}")
    lines.extend(f"setting {s}" for s in settings)
    lines.extend(inputs)
    if modules is not None:
        lines.extend(f"module file {name} {digest}" for name, digest in sorted(modules.items()))
    return _sha("\n".join(lines).encode())


@dataclass(frozen=True)
class Replay:
    """A per-module gate's result other than its pass that may be remembered and replayed.

    `worth(result)`: whether this result may be stored (e.g. "provider not installable here");
    `dump`/`load`: it as JSON data and back; `depends_on(options)`: what else decides it, beyond the
    module and the toolchain (a digest), or None when that cannot be pinned down (nothing is stored).
    """

    worth: Callable[[Any], bool]
    dump: Callable[[Any], dict]
    load: Callable[[dict], Any]
    depends_on: Callable[[Any], str | None]


class PassCache:
    """Remembered good results, one small JSON file each under its key."""

    def __init__(self, root: Path | None = None, *, enabled: bool = True) -> None:
        self.root = root or cache_dir()
        self.enabled = enabled

    @staticmethod
    def key(gate: str, toolchain_digest: str, module: str) -> str:
        """Where a gate's pass on a module (by module_digest) is kept."""
        return _sha(f"{gate}\0{toolchain_digest}\0{module}".encode())

    @staticmethod
    def replay_key(gate: str, toolchain_digest: str, depends_on: str, module: str) -> str:
        """Where a gate's replayable result on a module is kept: also under what else decides it (Replay.depends_on)."""
        return _sha(f"{gate} replay\0{toolchain_digest}\0{depends_on}\0{module}".encode())

    def _path(self, key: str) -> Path:
        return self.root / key[:2] / key

    def outcome(self, key: str) -> dict | None:
        """The record stored under `key`, or None."""
        if not self.enabled:
            return None
        try:
            record = json.loads(self._path(key).read_text())
        except (OSError, ValueError):
            return None
        return record if isinstance(record, dict) else None

    def passed(self, key: str) -> bool:
        record = self.outcome(key)
        return record is not None and record.get("result") == "passed"

    def remember(self, key: str, record: dict) -> None:
        if not self.enabled:
            return
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile("w", dir=path.parent, delete=False, suffix=".tmp") as handle:
                json.dump(record, handle)
            os.replace(handle.name, path)
        except OSError:
            pass  # an unwritable cache only costs time

    def remember_pass(self, key: str, gate: str) -> None:
        self.remember(key, {"result": "passed", "gate": gate})
