"""The terminal report: failures first, then skips with their reasons, then a
one-line summary. Passed checks are only counted (every other format lists
them); a module has dozens.
"""

from __future__ import annotations

import click

from .model import FAILED, ScanFinding, ScanResult

_HEADER = ("STATUS", "CHECK", "RESOURCE", "LOCATION", "DESCRIPTION")
_STATUS_COLOR = {"failed": "red", "skipped": "yellow", "passed": "green"}


def render_table(result: ScanResult, *, color: bool = False) -> str:
    rows = [_row(f) for f in result.failed + result.skipped]
    lines = []
    if rows:
        widths = [max(len(r[i]) for r in [_HEADER, *rows]) for i in range(len(_HEADER) - 1)]
        lines.append(_line(_HEADER, widths, bold=color))
        for finding, row in zip(result.failed + result.skipped, rows, strict=True):
            lines.append(_line(row, widths, status=finding.status if color else None))
        lines.append("")
    lines.append(_summary(result, color))
    return "\n".join(lines) + "\n"


def _row(finding: ScanFinding) -> tuple[str, ...]:
    description = finding.message
    if finding.skip_reason:
        description = f"{description} (skipped: {finding.skip_reason})"
    if finding.guideline:
        description = f"{description} [{finding.guideline}]"
    return (finding.status.upper(), finding.check_id, finding.resource or "-", finding.location, description)


def _line(cells: tuple[str, ...], widths: list[int], *, status: str | None = None, bold: bool = False) -> str:
    padded = [cell.ljust(width) for cell, width in zip(cells, widths, strict=False)] + [cells[-1]]
    if status:
        padded[0] = click.style(padded[0], fg=_STATUS_COLOR[status], bold=status == FAILED)
    text = "  ".join(padded).rstrip()
    return click.style(text, bold=True) if bold else text


def _summary(result: ScanResult, color: bool) -> str:
    verdict = "FAILED" if result.failed else "PASSED"
    text = f"{verdict}: {result.summary()} (checkov {result.checkov_version or '?'}, {result.framework})"
    if color:
        return click.style(text, fg="red" if result.failed else "green", bold=True)
    return text
