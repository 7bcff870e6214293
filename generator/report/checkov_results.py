"""Checkov's JSON reports -> one ScanResult: findings located, skips audited, parse failures failed.

The Checkov process itself is runners/checkov.py; this module only reads what
it reported.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from ..hclread import HclSyntaxError, HclTimeout, parse_file_within
from .model import (
    FAILED,
    PARSE_ERROR,
    PASSED,
    SKIPPED,
    ScanFinding,
    ScanResult,
    module_of,
    relative_path,
    tfgen_finding,
)
from .skips import audit_skips

Locator = Callable[[dict], "tuple[Path, int, int]"]


def build_result(
    reports: list[dict],
    *,
    root: Path,
    targets: tuple[str, ...],
    framework: str,
    tf_files: list[Path],
    locate: Locator,
    unreadable: Iterable[ScanFinding] = (),
) -> ScanResult:
    """One ScanResult from Checkov's reports, plus `unreadable`: files the grammar could not read (parse_failures)."""
    failed: set[ScanFinding] = set(unreadable)
    reported_unreadable = {f.file for f in failed}
    passed: set[ScanFinding] = set()
    skipped: set[ScanFinding] = set()
    version = ""
    for report in reports:
        version = (report.get("summary") or {}).get("checkov_version") or report.get("checkov_version") or version
        for record in records(report, "failed_checks"):
            failed.add(_finding(record, FAILED, root, locate))
        for record in records(report, "passed_checks"):
            passed.add(_finding(record, PASSED, root, locate))
        for record in records(report, "skipped_checks"):
            skipped.add(_finding(record, SKIPPED, root, locate))
        for path in (report.get("results") or {}).get("parsing_errors") or []:
            if relative_path(Path(path), root) not in reported_unreadable:
                failed.add(
                    tfgen_finding(
                        PARSE_ERROR,
                        Path(path),
                        1,
                        root,
                        detail="none of its resources were checked; fix the syntax (see `terraform validate`)",
                    )
                )

    unexplained, honoured = audit_skips(tf_files, skipped, root)
    return ScanResult(
        root=str(root),
        targets=targets,
        framework=framework,
        checkov_version=version,
        failed=_sorted(failed | unexplained),
        passed=_sorted(passed),
        skipped=_sorted(honoured),
    )


def parse_failures(
    tf_files: list[Path],
    root: Path,
    *,
    seconds: float | None,
    consequence: str,
) -> tuple[list[Path], set[ScanFinding]]:
    """(the files Checkov's grammar reads, a PARSE_ERROR failure for each one it cannot).

    Checkov reads .tf files with the same grammar as generator/hclread.py. A
    file it cannot read is a failure, never a silent skip; one it would read
    for hours (the grammar's slow paths) is caught within `seconds` instead of
    holding the scan. `consequence` says what the file's failure costs.
    """
    readable: list[Path] = []
    failures: set[ScanFinding] = set()
    for path in tf_files:
        try:
            parse_file_within(path, seconds)
        except HclSyntaxError as exc:
            failures.add(
                tfgen_finding(
                    PARSE_ERROR,
                    path,
                    max(exc.line, 1),
                    root,
                    detail=f"{exc} (terraform may accept it; Checkov cannot): {consequence}",
                )
            )
            continue
        except HclTimeout:
            failures.add(
                tfgen_finding(
                    PARSE_ERROR,
                    path,
                    1,
                    root,
                    detail=f"Checkov's HCL grammar did not finish reading it within {seconds:g} s "
                    f"(it runs for many minutes on some text, e.g. a `$${{` left open in a "
                    f"string): {consequence}",
                )
            )
            continue
        except (OSError, UnicodeDecodeError) as exc:
            failures.add(tfgen_finding(PARSE_ERROR, path, 1, root, detail=f"cannot read it: {exc}: {consequence}"))
            continue
        readable.append(path)
    return readable, failures


def _finding(record: dict, status: str, root: Path, locate: Locator) -> ScanFinding:
    path, start, end = locate(record)
    file = relative_path(path, root)
    check_result = record.get("check_result") or {}
    severity = record.get("severity")
    return ScanFinding(
        file=file,
        start_line=start,
        end_line=end,
        module=module_of(file),
        check_id=str(record.get("check_id") or "UNKNOWN"),
        resource=str(record.get("resource") or ""),
        status=status,
        name=str(record.get("check_name") or record.get("check_id") or ""),
        guideline=record.get("guideline") or None,
        severity=str(severity) if severity else None,
        skip_reason=(check_result.get("suppress_comment") or "").strip() if status == SKIPPED else None,
    )


def source_location(record: dict) -> tuple[Path, int, int]:
    return Path(record.get("file_abs_path") or record.get("file_path") or "."), *_lines(record)


def plan_locator(plan: Path, module: Path) -> Locator:
    """Plan findings point at the `.tf` line when Checkov could map them back
    (it then gives a path relative to the module), else at the plan file."""

    def locate(record: dict) -> tuple[Path, int, int]:
        relative = record.get("file_path") or ""
        if relative and not relative.startswith("/") and (module / relative).is_file():
            return module / relative, *_lines(record)
        return plan, 1, 1

    return locate


def _lines(record: dict) -> tuple[int, int]:
    span = record.get("file_line_range") or [1, 1]
    start = max(1, int(span[0] or 1))
    end = max(start, int(span[-1] or start))
    return start, end


def records(report: dict, kind: str) -> list[dict]:
    return (report.get("results") or {}).get(kind) or []


def _sorted(findings: set[ScanFinding]) -> tuple[ScanFinding, ...]:
    return tuple(sorted(findings, key=lambda f: (f.file, f.start_line, f.check_id, f.resource, f.detail or "")))
