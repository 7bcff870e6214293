"""Inline Checkov skip comments, read straight from the Terraform files.

Checkov honours `#checkov:skip=CKV_AWS_1` with no reason (it records "No
comment provided"). tfgen does not: a skip must say why, so every skip comment
without a reason becomes a failure of its own. We find them ourselves rather
than trust Checkov's placeholder text, so a reasonless skip is caught even where
Checkov would not attach it to a resource.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..skip_comment import SKIP_COMMENT
from .model import (
    FAILED,
    SKIP_WITHOUT_REASON,
    TFGEN_CHECK_NAMES,
    ScanFinding,
    relative_path,
    tfgen_finding,
)

# SKIP_COMMENT (generator/skip_comment.py) is the one pattern for skip comments; these are its markers.
_MARKERS = ("checkov:skip=", "bridgecrew:skip=", "cortex:skip=")

# What Checkov writes into suppress_comment when a skip has no reason.
CHECKOV_NO_REASON = "No comment provided"


@dataclass(frozen=True, order=True)
class SkipComment:
    file: Path
    line: int
    check_ids: tuple[str, ...]  # empty when the comment names no check
    reason: str  # stripped; "" when there is none

    @property
    def has_reason(self) -> bool:
        return bool(self.reason)


def read_skip_comments(path: Path) -> list[SkipComment]:
    """Every skip comment in one file, in line order."""
    found = []
    text = path.read_text(encoding="utf-8", errors="replace")
    for number, line in enumerate(text.splitlines(), start=1):
        if not any(marker in line for marker in _MARKERS):
            continue
        match = SKIP_COMMENT.search(line)
        if not match:
            continue
        ids = tuple(i.strip() for i in match.group(1).split(",")) if match.group(1) else ()
        reason = (match.group(2) or "").strip()
        found.append(SkipComment(file=path, line=number, check_ids=ids, reason=reason))
    return found


def is_reasonless(suppress_comment: str | None) -> bool:
    """Whether Checkov's recorded reason for a skip is really no reason."""
    text = (suppress_comment or "").strip()
    return not text or text == CHECKOV_NO_REASON


def audit_skips(
    tf_files: list[Path], skipped: set[ScanFinding], root: Path
) -> tuple[set[ScanFinding], set[ScanFinding]]:
    """Split Checkov's skips into (failures for skips without a reason, honoured skips).

    Each reasonless skip comment fails once, at the comment's line, naming the
    resource Checkov attached it to. A skip Checkov recorded without a reason
    that no comment explains (it should not happen) fails at the resource.
    """
    failures: set[ScanFinding] = set()
    dishonoured: set[ScanFinding] = set()
    for comment in (c for f in tf_files for c in read_skip_comments(f) if not c.has_reason):
        file = relative_path(comment.file, root)
        for check_id in comment.check_ids or ("",):
            matched = {
                s
                for s in skipped
                if s.check_id == check_id and s.file == file and s.start_line <= comment.line <= s.end_line
            }
            dishonoured |= matched
            resource = ", ".join(sorted(s.resource for s in matched))
            failures.add(
                tfgen_finding(
                    SKIP_WITHOUT_REASON,
                    comment.file,
                    comment.line,
                    root,
                    resource=resource,
                    detail=skip_advice(check_id),
                )
            )
    for skip in skipped - dishonoured:
        if is_reasonless(skip.skip_reason):
            dishonoured.add(skip)
            failures.add(
                ScanFinding(
                    file=skip.file,
                    start_line=skip.start_line,
                    end_line=skip.end_line,
                    module=skip.module,
                    check_id=SKIP_WITHOUT_REASON,
                    resource=skip.resource,
                    status=FAILED,
                    name=TFGEN_CHECK_NAMES[SKIP_WITHOUT_REASON],
                    detail=f"{skip.check_id} is skipped without saying why, so the skip is not honoured",
                )
            )
    return failures, skipped - dishonoured


def skip_advice(check_id: str) -> str:
    if not check_id:
        return "the comment names no check; write #checkov:skip=CHECK_ID:<why>"
    return (
        f"{check_id} is skipped without saying why, so the skip is not honoured; write #checkov:skip={check_id}:<why>"
    )
