"""Where a module's run artefacts live, and the saved plan with its fingerprint.

Run artefacts never go inside the module folder (it is committed, and
`tfgen render` owns its `*.tf` and README.md). Each module gets a work dir:

    $TFGEN_STATE_DIR/runs/<key>/                 when TFGEN_STATE_DIR is set
    <modules_dir>/../.tfgen/runs/<key>/          otherwise (`.tfgen/` beside `modules/`)

<key> is the module's path under the modules dir (`iris/prod/<target>`), or
`external/<folder name>-<hash of its absolute path>` for a module elsewhere.
Runs against the emulator use `emulator-runs/<key>/` instead of `runs/<key>/`,
so nothing of an emulator run (plan, providers' backend settings, state) is
shared with a real run of the same module. The work dir holds:

    terraform-data/      TF_DATA_DIR: providers, backend settings (terraform's `.terraform/`)
    tfplan               the saved binary plan (`terraform plan -out`)
    tfplan.json          `terraform show -json tfplan`, for `tfgen scan --plan` and reviewers
    record.json          what the plan was made from: fingerprint, per-file hashes, the plan
                         file's sha256, options
    destroy.tfplan       the plan `tfgen destroy` shows, then applies
    terraform.tfstate    emulator runs only: their state (see emulator_overrides.py)
    terraform-cli-config.tfrc   a copy of the user's CLI config plus the provider mirror (tfconfig.py)

A real run's state lives wherever the module's backend says (for the local
backend, `terraform.tfstate` in the module folder, as Terraform does).
`.terraform.lock.hcl` is also written into the module folder by Terraform.
Every plan and state file a run creates is readable by its owner only (0600):
terraform runs with umask 077, and tfgen's own files are written 0600.

The fingerprint is a sha256 over the sorted (relative path, bytes) of the
files in the module folder that a plan is made from, plus the terraform
version and the `-var` values. That is every file except README.md, hidden
files and folders (`.terraform/`, `.terraform.lock.hcl`), state files
(`*.tfstate*`), `crash.log` and tfgen's temporary emulator override: not only
`*.tf` and `*.tf.json`, but also `terraform.tfvars` / `*.auto.tfvars` (terraform
reads them by itself) and files the configuration reads, such as a Lambda
zip (`filename`, `filebase64sha256(...)`), whose bytes a saved plan does not
carry. Files the module reads from outside its folder (a `filename` that
points elsewhere) are found in the plan's planned values after planning and
recorded with their hashes too. `tfgen apply` refuses a plan whose
fingerprint or outside files no longer match, and a plan file whose sha256
is not the one recorded when it was made.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..errors import RunError, WriteError

STATE_DIR_ENV = "TFGEN_STATE_DIR"
RECORD_VERSION = 2

# Not part of what a plan was made from: documentation, and files terraform
# itself rewrites (state, crash logs). Hidden files and folders (`.terraform/`,
# `.terraform.lock.hcl`, editor files) are skipped too.
UNFINGERPRINTED_NAMES = frozenset({"README.md", "crash.log"})
UNFINGERPRINTED_SUFFIXES = (".tfstate", ".tfstate.backup")

# Files tfgen itself puts into a module folder for the length of one terraform
# call (emulator mode); they are never part of what the user reviewed.
TFGEN_TEMPORARY_FILES = frozenset({"tfgen_emulator_override.tf.json"})


@dataclass(frozen=True)
class RunPaths:
    """The module folder and the work dir tfgen keeps beside it."""

    module_dir: Path
    work_dir: Path
    emulator: bool = False  # an emulator run: its own work dir and its own state

    @property
    def emulator_state_file(self) -> Path:
        """Where an emulator run keeps its state (never the module's backend)."""
        return self.work_dir / "terraform.tfstate"

    def other_mode(self) -> RunPaths:
        """The same module's paths for the other mode (emulator <-> real)."""
        this, other = ("emulator-runs", "runs") if self.emulator else ("runs", "emulator-runs")
        parts = list(self.work_dir.parts)
        index = len(parts) - 1 - parts[::-1].index(this)
        parts[index] = other
        return RunPaths(self.module_dir, Path(*parts), not self.emulator)

    @property
    def data_dir(self) -> Path:
        return self.work_dir / "terraform-data"

    @property
    def plan_file(self) -> Path:
        return self.work_dir / "tfplan"

    @property
    def plan_json_file(self) -> Path:
        return self.work_dir / "tfplan.json"

    @property
    def record_file(self) -> Path:
        return self.work_dir / "record.json"

    @property
    def destroy_plan_file(self) -> Path:
        return self.work_dir / "destroy.tfplan"


def state_root(modules_dir: Path) -> Path:
    """`$TFGEN_STATE_DIR`, else `.tfgen/` beside the modules dir."""
    configured = os.environ.get(STATE_DIR_ENV)
    if configured:
        return Path(configured).expanduser().resolve()
    return Path(modules_dir).resolve().parent / ".tfgen"


def run_paths(module_dir: Path, modules_dir: Path, *, emulator: bool = False) -> RunPaths:
    """The work dir of `module_dir` (created on first use by the runner); another one for emulator runs."""
    module = Path(module_dir).resolve()
    root = Path(modules_dir).resolve()
    try:
        key = module.relative_to(root).as_posix()
    except ValueError:
        key = ""
    if not key or key == ".":
        digest = hashlib.sha256(str(module).encode()).hexdigest()[:12]
        key = f"external/{module.name}-{digest}"
    runs = "emulator-runs" if emulator else "runs"
    return RunPaths(module_dir=module, work_dir=state_root(root) / runs / key, emulator=emulator)


def module_files(module_dir: Path) -> dict[str, Path]:
    """The fingerprinted files by relative POSIX path, sorted."""
    files: dict[str, Path] = {}
    for dirpath, dirnames, filenames in os.walk(module_dir):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        for name in filenames:
            if (
                name.startswith(".")
                or name in UNFINGERPRINTED_NAMES
                or name in TFGEN_TEMPORARY_FILES
                or name.endswith(UNFINGERPRINTED_SUFFIXES)
                or ".tfstate." in name
            ):
                continue
            path = Path(dirpath) / name
            files[path.relative_to(module_dir).as_posix()] = path
    return dict(sorted(files.items()))


@dataclass(frozen=True)
class Fingerprint:
    digest: str
    files: dict[str, str]  # relative path -> sha256 of its bytes


def fingerprint(module_dir: Path, terraform_version: str, variables: dict[str, str]) -> Fingerprint:
    """sha256 over (path, bytes) of every module file, the terraform version and the -var values."""
    files = module_files(module_dir)
    if not any(rel.endswith((".tf", ".tf.json")) for rel in files):
        raise RunError(f"{module_dir}: no *.tf or *.tf.json files: not a Terraform module")
    hashes = {rel: file_sha256(path) for rel, path in files.items()}
    total = hashlib.sha256(b"tfgen-plan-fingerprint-v1\0")
    for rel, digest in hashes.items():
        total.update(f"file\0{rel}\0{digest}\0".encode())
    total.update(f"terraform\0{terraform_version}\0".encode())
    for name, value in sorted(variables.items()):
        total.update(f"var\0{name}\0{value}\0".encode())
    return Fingerprint(total.hexdigest(), hashes)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except OSError as exc:
        raise RunError(f"cannot read {path}: {exc.strerror or exc}") from None
    return digest.hexdigest()


@dataclass(frozen=True)
class PlanRecord:
    """What a saved plan was made from, and what it will do."""

    fingerprint: str
    files: dict[str, str]
    terraform_version: str
    variables: dict[str, str]
    emulator: str | None  # the emulator's identity ("pid@url") the plan was made against, or None
    has_changes: bool
    plan_sha256: str  # of the binary plan file, as terraform wrote it
    destroys: list[str] = field(default_factory=list)  # addresses deleted or replaced (for information)
    outside_files: dict[str, str] = field(default_factory=dict)  # absolute path -> sha256: read from outside
    version: int = RECORD_VERSION


def save_record(paths: RunPaths, record: PlanRecord) -> None:
    write_private(paths.record_file, json.dumps(asdict(record), indent=2, sort_keys=True) + "\n")


def load_record(paths: RunPaths) -> PlanRecord | None:
    """The saved plan's record, or None when there is no saved plan."""
    if not paths.plan_file.is_file() or not paths.record_file.is_file():
        return None
    try:
        data = json.loads(paths.record_file.read_text(encoding="utf-8"))
        if data.get("version") != RECORD_VERSION:
            return None
        return PlanRecord(**data)
    except (OSError, ValueError, TypeError):
        return None


def discard(paths: RunPaths) -> None:
    """Forget the saved plan (after it was applied, or before a new one is made)."""
    for path in (paths.plan_file, paths.plan_json_file, paths.record_file):
        path.unlink(missing_ok=True)


def files_read_outside(plan_json: dict, module_dir: Path) -> dict[str, str]:
    """Files outside the module folder that the plan's resources name (e.g. a Lambda `filename`), hashed.

    Any string in the planned values that names an existing regular file,
    relative to the module folder (terraform's working directory) or absolute,
    counts: the provider reads such files at apply time, and a saved plan
    does not carry their bytes. Files inside the folder are in the
    fingerprint already.
    """
    module = Path(module_dir).resolve()
    found: dict[str, str] = {}
    for text in _strings(plan_json.get("planned_values", {})):
        if not text or len(text) > 4096 or "\n" in text or "\0" in text:
            continue
        try:
            path = (module / text).resolve()
            if not path.is_file() or path == module or module in path.parents:
                continue
        except (OSError, ValueError):
            continue
        found[str(path)] = file_sha256(path)
    return dict(sorted(found.items()))


def _strings(value) -> list[str]:
    found: list[str] = []
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            found.append(item)
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found


def changed_outside_files(record: PlanRecord) -> list[str]:
    """Human lines naming the files read from outside the module that changed since the plan."""
    lines = []
    for path, digest in sorted(record.outside_files.items()):
        try:
            now = file_sha256(Path(path))
        except RunError:
            lines.append(f"removed: {path} (read by the module)")
            continue
        if now != digest:
            lines.append(f"changed: {path} (read by the module)")
    return lines


def changed_files(record: PlanRecord, current: Fingerprint) -> list[str]:
    """Human lines naming what differs between the plan's files and the module now."""
    lines = []
    for rel in sorted(set(record.files) | set(current.files)):
        before, now = record.files.get(rel), current.files.get(rel)
        if before is None:
            lines.append(f"added: {rel}")
        elif now is None:
            lines.append(f"removed: {rel}")
        elif before != now:
            lines.append(f"changed: {rel}")
    return lines


def copy_private(source: Path, target: Path) -> None:
    """Copy a run artefact (a plan file) to `target`, readable by the owner only."""
    try:
        data = Path(source).read_bytes()
    except OSError as exc:
        raise RunError(f"cannot read {source}: {exc.strerror or exc}") from None
    write_private(target, data)


def tighten_state_files(paths: RunPaths) -> None:
    """Make plan and state files of this run owner-only (0600), including ones an older tfgen left 0644.

    terraform itself runs with umask 077, so what it creates now is 0600 already.
    """
    candidates = [
        paths.plan_file,
        paths.destroy_plan_file,
        paths.emulator_state_file,
        paths.emulator_state_file.with_name("terraform.tfstate.backup"),
    ]
    if not paths.emulator:
        candidates += [paths.module_dir / "terraform.tfstate", paths.module_dir / "terraform.tfstate.backup"]
    for path in candidates:
        try:
            if path.is_file() and not path.is_symlink() and path.stat().st_mode & 0o077:
                path.chmod(0o600)
        except OSError:
            pass  # not ours to change (another owner): terraform's own umask still applied to new files


def write_private(path: Path, text: str | bytes) -> None:
    """Write a run artefact atomically, readable by the owner only (plans can hold sensitive values)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(text.encode("utf-8") if isinstance(text, str) else text)
        os.replace(tmp, path)
    except OSError as exc:
        raise WriteError(f"cannot write {path}: {exc.strerror or exc}") from None
