"""Inline Checkov skip comments, read straight from the Terraform files.

Checkov honours `#checkov:skip=CKV_AWS_1` with no reason (it records "No
comment provided"). tfgen does not: a skip must say why, so every skip comment
without a reason becomes a failure of its own. We find them ourselves rather
than trust Checkov's placeholder text, so a reasonless skip is caught even where
Checkov would not attach it to a resource.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

# The pattern Checkov 3.x uses (checkov/common/comment/enum.py), copied so that
# we read exactly the comments Checkov reads without importing Checkov (slow).
# Like Checkov, any line containing the marker counts, with or without `#`.
SKIP_COMMENT = re.compile(
    r"(checkov:skip=|bridgecrew:skip=|cortex:skip=) *([A-Za-z_\d-]+(?:,[A-Za-z_\d-]+)*)?(:[^\n]*)?"
)
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
        ids = tuple(i.strip() for i in match.group(2).split(",")) if match.group(2) else ()
        reason = match.group(3)[1:].strip() if match.group(3) else ""
        found.append(SkipComment(file=path, line=number, check_ids=ids, reason=reason))
    return found


def is_reasonless(suppress_comment: str | None) -> bool:
    """Whether Checkov's recorded reason for a skip is really no reason."""
    text = (suppress_comment or "").strip()
    return not text or text == CHECKOV_NO_REASON
