"""The results of one scan, independent of the tool that produced them and of
the format they are printed in.

Every output format (table, json, sarif, junitxml, markdown) renders a
ScanResult and nothing else, so they all name the same checks.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePosixPath

FAILED = "failed"
PASSED = "passed"
SKIPPED = "skipped"

# Findings tfgen raises itself, beside Checkov's own checks.
SKIP_WITHOUT_REASON = "TFGEN_SKIP_REASON"
PARSE_ERROR = "TFGEN_PARSE_ERROR"

TFGEN_CHECK_NAMES = {
    SKIP_WITHOUT_REASON: "Checkov skip without a reason",
    PARSE_ERROR: "Checkov could not parse this file",  # the detail says what that cost
}


@dataclass(frozen=True)
class ScanFinding:
    """One check on one resource: failed, passed or skipped.

    `file` is a POSIX path relative to the scan root (absolute when the file
    lies outside it); `module` is the directory holding that file, the unit a
    JUnit test suite groups by.
    """

    file: str
    start_line: int
    check_id: str
    resource: str
    status: str
    name: str
    end_line: int
    module: str
    guideline: str | None = None
    severity: str | None = None
    skip_reason: str | None = None
    detail: str | None = None  # tfgen's own findings explain what to change

    @property
    def location(self) -> str:
        return f"{self.file}:{self.start_line}"

    @property
    def message(self) -> str:
        """One line naming the check, for formats that carry a single message."""
        text = self.name
        if self.detail:
            text = f"{text}: {self.detail}"
        return text

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class ScanResult:
    """Everything one Checkov run (plus tfgen's skip audit) found.

    `root` is the absolute directory that `ScanFinding.file` paths are relative to;
    `targets` are the paths the user asked to scan, as given.
    """

    root: str
    targets: tuple[str, ...]
    framework: str  # "terraform" (source) or "terraform_plan"
    checkov_version: str
    failed: tuple[ScanFinding, ...] = field(default=())
    passed: tuple[ScanFinding, ...] = field(default=())
    skipped: tuple[ScanFinding, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return not self.failed

    @property
    def counts(self) -> dict[str, int]:
        return {FAILED: len(self.failed), PASSED: len(self.passed), SKIPPED: len(self.skipped)}

    @property
    def findings(self) -> tuple[ScanFinding, ...]:
        """Failures first, then skips, then passes: the order every report uses."""
        return self.failed + self.skipped + self.passed

    def summary(self) -> str:
        c = self.counts
        return f"{c[FAILED]} failed, {c[PASSED]} passed, {c[SKIPPED]} skipped"


def relative_path(path: Path, root: Path) -> str:
    resolved = Path(path).resolve()
    try:
        return resolved.relative_to(root).as_posix()
    except ValueError:
        return resolved.as_posix()


def module_of(file: str) -> str:
    return PurePosixPath(file).parent.as_posix()


def tfgen_finding(check_id: str, path: Path, line: int, root: Path, *, resource: str = "", detail: str) -> ScanFinding:
    file = relative_path(path, root)
    return ScanFinding(
        file=file,
        start_line=line,
        end_line=line,
        module=module_of(file),
        check_id=check_id,
        resource=resource,
        status=FAILED,
        name=TFGEN_CHECK_NAMES[check_id],
        detail=detail,
    )
