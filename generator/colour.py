"""Colour for terminal output: errors, the check table, plan summaries.

Only ANSI styling via click.style; whether it reaches the terminal is decided
once for the whole run (`configure`): off with NO_COLOR (https://no-color.org,
any non-empty value), on with FORCE_COLOR/CLICOLOR_FORCE, otherwise Click's
own rule (only when the stream is a terminal). Output to a file or a pipe, and
every machine format (JSON, SARIF, Markdown), stays plain.
"""

from __future__ import annotations

import os
import re
from typing import Any

import click

STATUS_STYLES: dict[str, dict[str, Any]] = {
    "ok": {"fg": "green"},
    "findings": {"fg": "red", "bold": True},
    "tool failed": {"fg": "red", "bold": True},
    "not run": {"fg": "yellow", "bold": True},
    "skipped": {"fg": "yellow"},
}
_LOCATION = re.compile(r"^(\S+:\d+:\d+:)( .*)$")
_DIFF_SIGN = re.compile(r"^(\s*)(-/\+|\+/-|[+~-]|<=)(\s)")
_SIGN_STYLES = {"+": "green", "-": "red", "~": "yellow", "-/+": "magenta", "+/-": "magenta", "<=": "cyan"}


def configure(ctx: click.Context) -> None:
    """Decide colour for the run: NO_COLOR wins, then FORCE_COLOR / CLICOLOR_FORCE, else terminal detection."""
    if os.environ.get("NO_COLOR"):
        ctx.color = False
    elif os.environ.get("FORCE_COLOR") or os.environ.get("CLICOLOR_FORCE", "0") not in ("", "0"):
        ctx.color = True


def error(message: str) -> str:
    """An error for stderr: `FILE:LINE:COL:` in bold, the rest in red, line by line."""
    out = []
    for line in message.split("\n"):
        if m := _LOCATION.match(line):
            out.append(click.style(m.group(1), bold=True) + click.style(m.group(2), fg="red"))
        elif line.startswith("  "):  # detail lines under a heading (listed files, hints)
            out.append(line)
        else:
            out.append(click.style(line, fg="red"))
    return "\n".join(out)


def status(text: str, name: str) -> str:
    """`text` (a padded table cell) styled for the step status `name`."""
    style = STATUS_STYLES.get(name)
    return click.style(text, **style) if style else text


def plan_text(text: str) -> str:
    """A text plan summary with the headline bold, destroys red, terraform's +/~/- lines in their colours."""
    out = []
    for line in text.split("\n"):
        if line.startswith(("Plan: ", "No changes.", "Only output values change")):
            out.append(click.style(line, bold=True))
        elif line.startswith("WILL BE DESTROYED"):
            out.append(click.style(line, fg="red", bold=True))
        elif line.lstrip().startswith("# "):
            out.append(click.style(line, bold=True))
        elif m := _DIFF_SIGN.match(line):
            out.append(m.group(1) + click.style(m.group(2), fg=_SIGN_STYLES[m.group(2)], bold=True) + line[m.end(2) :])
        else:
            out.append(line)
    return "\n".join(out)
