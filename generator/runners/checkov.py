"""Run Checkov as a subprocess and turn its JSON report into a ScanResult.

Checkov has no stable Python API, and importing it costs seconds, so it runs
as `python -m checkov.main` in tfgen's own environment, once per scan however
many modules are given, offline (`--skip-download`), with a timeout.

Two Checkov behaviours shape this module:

* Several `--directory` options in one run are broken in Checkov 3.3: the
  first directory is reported twice and the others not at all. So we list the
  modules' `.tf` files with `--file` instead; Checkov still groups them into
  one graph per directory, so cross-file checks work as with `--directory`
  (on the rendered examples both give the same 240 passed and 15 skipped).
  What `--file` loses: `*.tfvars` files are not read (variable defaults are).
  Values set only at plan time are what `scan_plan` is for.
* Checkov exits 1 for "checks failed" and also when Python itself fails (for
  example, Checkov is not installed). Only a parseable report counts as a scan;
  anything else is a ToolError, never "0 findings".
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path

from ..errors import RunError, TfgenError, ToolError
from ..hclread import PARSE_TIMEOUT
from ..report.checkov_results import (
    build_result,
    parse_failures,
    plan_locator,
    records,
    source_location,
)
from ..report.model import ScanResult

# Tests point this at a missing module or a fake to simulate a broken Checkov.
CHECKOV_COMMAND: tuple[str, ...] = (sys.executable, "-m", "checkov.main")
DEFAULT_TIMEOUT = 600  # seconds; one run over a few modules takes ~5 s
TERRAFORM_SHOW_TIMEOUT = 120

_COMMON_ARGS = (
    "--skip-download",  # no platform metadata: offline and reproducible
    "--download-external-modules",
    "false",
    "--skip-results-upload",
    "--compact",
    "--output",
    "json",
)
_REPORT_FILE = "results_json.json"  # what `--output json --output-file-path DIR` writes

# Environment that would make Checkov reach the network or change which checks
# run. The scan is a gate: hidden settings must not weaken it or upload code.
# Every Bridgecrew / Prisma Cloud platform variable (BC_API_KEY, BC_API_URL,
# PRISMA_API_URL, BC_SOURCE, BC_CA_BUNDLE...: an invalid BC_API_URL alone makes
# Checkov exit 3) and every Checkov setting (CKV_CHECK, CKV_SKIP_CHECK,
# CKV_FRAMEWORK, CKV_VAR_FILE...) is dropped; the forced ones are set again below.
_DROPPED_ENV_PREFIXES = ("BC_", "PRISMA_", "PC_", "CKV_")
_DROPPED_ENV = ("DOWNLOAD_EXTERNAL_MODULES", "EXTERNAL_MODULES_DIR")
_FORCED_ENV = {
    "BC_SKIP_MAPPING": "TRUE",  # no check-ID mapping download
    "CKV_SKIP_PACKAGE_UPDATE_CHECK": "true",  # no PyPI version check
}


def terraform_files(paths: Iterable[Path | str]) -> list[Path]:
    """The `.tf` files to scan: given files, or every `.tf` under given directories.

    Hidden directories (`.terraform`, `.git`) are skipped, as Checkov does.
    """
    files: set[Path] = set()
    for given in paths:
        path = Path(given)
        if not path.exists():
            raise TfgenError(f"{path}: no such file or directory")
        if path.is_file():
            if path.suffix != ".tf":
                raise TfgenError(f"{path}: not a Terraform file (*.tf)")
            files.add(path.resolve())
            continue
        found = set(_tf_files_under(path))
        if not found:
            raise TfgenError(f"{path}: no Terraform files (*.tf) in this directory")
        files |= found
    return sorted(files)


def scan_paths(
    paths: Iterable[Path | str],
    *,
    root: Path | str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    parse_timeout: float | None = PARSE_TIMEOUT,
) -> ScanResult:
    """Scan Terraform modules (directories) or files with one Checkov run.

    Finding paths are relative to `root` (default: the current directory), the
    base SARIF uploads and PR comments expect. A file Checkov's grammar cannot
    read (or would read for hours) fails the scan and is not given to Checkov.
    """
    targets = tuple(str(p) for p in paths)
    if not targets:
        raise TfgenError("nothing to scan: give at least one module directory or .tf file")
    files = terraform_files(targets)
    root_dir = _root(root)
    readable, unreadable = parse_failures(
        files, root_dir, seconds=parse_timeout, consequence="none of its resources were checked"
    )
    reports = (
        run_checkov(["--framework", "terraform", "--file", *map(str, readable)], timeout=timeout) if readable else []
    )
    return build_result(
        reports,
        root=root_dir,
        targets=targets,
        framework="terraform",
        tf_files=readable,
        locate=source_location,
        unreadable=unreadable,
    )


def scan_plan(
    plan: Path | str,
    *,
    module_dir: Path | str | None = None,
    root: Path | str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    parse_timeout: float | None = PARSE_TIMEOUT,
) -> ScanResult:
    """Scan a saved plan, so values known only at plan time are checked too.

    `plan` is the JSON of `terraform show -json PLANFILE`, or the binary plan
    itself (then `terraform show -json` runs in `module_dir`). `module_dir`
    (default: the plan's directory) holds the `.tf` files: Checkov maps plan
    findings back to their lines and reads skip comments there.
    """
    plan = Path(plan)
    if not plan.is_file():
        raise TfgenError(f"{plan}: no such plan file")
    module = Path(module_dir) if module_dir is not None else plan.parent
    if not module.is_dir():
        raise TfgenError(f"{module}: not a directory")
    module = module.resolve()
    with tempfile.TemporaryDirectory(prefix="tfgen-plan-") as tmp:
        plan_json = (
            plan.resolve() if _is_plan_json(plan) else _show_plan(plan, module, Path(tmp) / "plan.json", timeout)
        )
        reports = run_checkov(
            [
                "--framework",
                "terraform_plan",
                "--repo-root-for-plan-enrichment",
                str(module),
                "--file",
                str(plan_json),
            ],
            timeout=timeout,
        )
    # Checkov reads the module's .tf files for skip comments and line numbers and
    # says nothing when it cannot: that is a failure here.
    root_dir = _root(root)
    tf_files, unreadable = parse_failures(
        sorted(_tf_files_under(module)),
        root_dir,
        seconds=parse_timeout,
        consequence="its skip comments and line numbers were not applied to the plan's findings",
    )
    return build_result(
        reports,
        root=root_dir,
        targets=(str(plan),),
        framework="terraform_plan",
        tf_files=tf_files,
        locate=plan_locator(plan, module),
        unreadable=unreadable,
    )


def run_checkov(args: list[str], *, timeout: float = DEFAULT_TIMEOUT) -> list[dict]:
    """Run Checkov with `args`; return its JSON reports (one per framework).

    Raises ToolError when Checkov cannot start, crashes, times out or leaves no
    readable report.
    """
    with tempfile.TemporaryDirectory(prefix="tfgen-checkov-") as out:
        command = [*CHECKOV_COMMAND, *_COMMON_ARGS, "--output-file-path", out, *args]
        try:
            # cwd: Checkov may write helper files into its working directory
            proc = _run_process_group(command, timeout=timeout, env=_checkov_env(), cwd=out)
        except subprocess.TimeoutExpired:
            raise ToolError(f"checkov did not finish within {timeout:g} s") from None
        except OSError as exc:
            raise ToolError(f"cannot run checkov ({command[0]}): {exc.strerror or exc}") from None
        report_path = Path(out) / _REPORT_FILE
        text = report_path.read_text(encoding="utf-8") if report_path.is_file() else proc.stdout

    if proc.returncode not in (0, 1):
        raise ToolError(f"checkov failed (exit code {proc.returncode}){_tail(proc.stderr)}")
    reports = _parse_reports(text)
    if reports is None:
        raise ToolError(
            f"checkov exited with code {proc.returncode} and wrote no report "
            f"(is checkov installed for {CHECKOV_COMMAND[0]}?){_tail(proc.stderr)}"
        )
    if proc.returncode == 1 and not any(records(r, "failed_checks") for r in reports):
        raise ToolError(f"checkov exited with code 1 but reported no failed check{_tail(proc.stderr)}")
    return reports


# --- small helpers ---------------------------------------------------------


def _parse_reports(text: str) -> list[dict] | None:
    """Checkov writes one JSON document, a list of them, or (with some options)
    several documents back to back; None when there is nothing readable."""
    decoder = json.JSONDecoder()
    documents: list = []
    index, text = 0, text or ""
    while True:
        while index < len(text) and text[index].isspace():
            index += 1
        if index >= len(text):
            break
        try:
            value, index = decoder.raw_decode(text, index)
        except json.JSONDecodeError:
            return None
        documents.extend(value if isinstance(value, list) else [value])
    if not documents or not all(isinstance(d, dict) for d in documents):
        return None
    return documents


def _is_plan_json(plan: Path) -> bool:
    """True for `terraform show -json` output; False for a binary plan (a zip)."""
    with plan.open("rb") as handle:
        head = handle.read(4)
    if head.startswith(b"PK"):
        return False
    try:
        data = json.loads(plan.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise TfgenError(f"{plan}: neither a binary Terraform plan nor its JSON (`terraform show -json`)") from None
    if (
        not isinstance(data, dict)
        or "format_version" not in data
        or not ("planned_values" in data or "resource_changes" in data)
    ):
        raise TfgenError(
            f"{plan}: JSON, but not a Terraform plan (expected the output of `terraform show -json PLANFILE`)"
        )
    return True


def _show_plan(plan: Path, module: Path, target: Path, timeout: float) -> Path:
    """`terraform show -json` of a binary plan, written to `target`."""
    from . import tfprocess

    if not shutil.which("terraform"):
        raise ToolError(f"terraform is not on PATH: it is needed to read the binary plan {plan}")
    env = tfprocess.environment(cli_config=None)
    try:
        proc = tfprocess.run(
            tfprocess.find_terraform(),
            "show",
            ["-json", "-no-color", str(plan.resolve())],
            cwd=module,
            env=env,
            timeout=min(timeout, TERRAFORM_SHOW_TIMEOUT),
            ok=None,
        )
    except RunError:
        raise ToolError(f"terraform show -json {plan} did not finish in time") from None
    if proc.returncode != 0:
        raise ToolError(f"terraform show -json {plan} failed (exit code {proc.returncode}){_tail(proc.stderr)}")
    target.write_text(proc.stdout, encoding="utf-8")
    return target


def _run_process_group(command: list[str], *, timeout: float, **kwargs) -> subprocess.CompletedProcess:
    """subprocess.run, except that a timeout or an interrupt kills the whole
    process group: Checkov forks worker processes that would outlive it."""
    posix = os.name == "posix"
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=posix, **kwargs
    ) as proc:
        try:
            stdout, stderr = proc.communicate(timeout=timeout)
        except BaseException:  # TimeoutExpired, KeyboardInterrupt
            if posix:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
            else:
                proc.kill()
            proc.communicate()
            raise
    return subprocess.CompletedProcess(command, proc.returncode, stdout, stderr)


def _checkov_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _DROPPED_ENV and not k.startswith(_DROPPED_ENV_PREFIXES)}
    env.update(_FORCED_ENV)
    return env


def _root(root: Path | str | None) -> Path:
    return Path(root if root is not None else Path.cwd()).resolve()


def _tf_files_under(directory: Path) -> Iterable[Path]:
    for parent, dirs, names in os.walk(directory):
        dirs[:] = [d for d in dirs if not d.startswith(".")]  # .terraform can be large
        for name in names:
            if name.endswith(".tf") and Path(parent, name).is_file():
                yield Path(parent, name).resolve()


def _tail(stderr: str, lines: int = 20) -> str:
    text = "\n".join((stderr or "").strip().splitlines()[-lines:])
    return f":\n{text}" if text else ""
