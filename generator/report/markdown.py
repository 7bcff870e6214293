"""Markdown for a pull-request comment: a summary line, a table of failures,
then the skips (with reasons) and the passed checks folded in <details>.
"""

from __future__ import annotations

from .model import ScanFinding, ScanResult


def render_markdown(result: ScanResult) -> str:
    verdict = "failed" if result.failed else "passed"
    lines = [
        f"### tfgen scan {verdict}: {result.summary()}",
        "",
        f"Checkov {result.checkov_version or '?'} ({result.framework}) on {', '.join(f'`{_code(t)}`' for t in result.targets)}.",
        "",
    ]
    if result.failed:
        lines += _table(("Check", "Resource", "Location", "Description"), [_failure_row(f) for f in result.failed])
        lines.append("")
    if result.skipped:
        lines += _details(
            f"{len(result.skipped)} skipped (with reasons)",
            _table(("Check", "Resource", "Location", "Reason"), [_skip_row(f) for f in result.skipped]),
        )
    if result.passed:
        lines += _details(
            f"{len(result.passed)} passed",
            _table(("Check", "Resource", "Location", "Description"), [_pass_row(f) for f in result.passed]),
        )
    return "\n".join(lines).rstrip("\n") + "\n"


def _failure_row(f: ScanFinding) -> tuple[str, ...]:
    description = _cell(f.message)
    if f.guideline:
        description = f"[{description}]({f.guideline})"
    return (f"`{_code(f.check_id)}`", _resource(f), f"`{_code(f.location)}`", description)


def _skip_row(f: ScanFinding) -> tuple[str, ...]:
    return (f"`{_code(f.check_id)}`", _resource(f), f"`{_code(f.location)}`", _cell(f.skip_reason or ""))


def _pass_row(f: ScanFinding) -> tuple[str, ...]:
    return (f"`{_code(f.check_id)}`", _resource(f), f"`{_code(f.location)}`", _cell(f.name))


def _resource(f: ScanFinding) -> str:
    return f"`{_code(f.resource)}`" if f.resource else "-"


def _table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> list[str]:
    return [
        "| " + " | ".join(header) + " |",
        "|" + "|".join("---" for _ in header) + "|",
        *("| " + " | ".join(row) + " |" for row in rows),
    ]


def _details(summary: str, body: list[str]) -> list[str]:
    # Blank lines around the table: GitHub renders Markdown inside <details> only then.
    return ["<details>", f"<summary>{_cell(summary)}</summary>", "", *body, "", "</details>", ""]


def _cell(text: str) -> str:
    """Text safe inside a table cell: one line, no column breaks, no raw HTML."""
    return " ".join(text.split()).replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")


def _code(text: str) -> str:
    """Text safe inside `code` in a table cell."""
    return " ".join(text.split()).replace("|", "\\|").replace("`", "'")
