"""Indentation and `=` alignment exactly as `terraform fmt` (hclwrite) does them.

Templates control tokens and spacing; this pass only re-indents lines by
bracket nesting and aligns the `=` of consecutive one-line attributes, the two
things a template cannot know when it embeds multi-line encoded values. The
rules mirror hclwrite's formatIndent and formatCells; a test checks the
result against the real `terraform fmt`.
"""

from __future__ import annotations

import re

# Only these tokens matter for nesting and alignment; everything else is skipped
# in one regex step instead of character by character.
_TOKENS = re.compile(r'\\.|\$\$\{|%%\{|[$%]\{|"|[{}\[\]()]|[=!<>]=|=>|=|#|//|/\*|\*/')


def _scan(line: str) -> tuple[tuple[tuple[int, int], ...], int | None]:
    """Bracket changes outside strings and comments, and the index of the first bare `=`.

    Returns (((position, +1 or -1), ...), assign index or None).
    """
    changes: list[tuple[int, int]] = []
    assign = None
    # stack of contexts: "s" inside a string, "i" inside ${...} / %{...} in a string
    stack: list[str] = []
    depth: list[int] = []  # brace depth inside each interpolation
    comment_end = -1
    for match in _TOKENS.finditer(line):
        token, pos = match.group(), match.start()
        if pos < comment_end:
            continue
        in_string = bool(stack) and stack[-1] == "s"
        if in_string:
            if token == '"':
                stack.pop()
            elif token in ("${", "%{"):
                stack.append("i")
                depth.append(0)
            continue  # escapes, $${, %%{ and everything else are literal text
        if token == '"':
            stack.append("s")
            continue
        if stack and stack[-1] == "i":
            if token == "{":
                depth[-1] += 1
            elif token == "}":
                if depth[-1] == 0:
                    stack.pop()
                    depth.pop()
                else:
                    depth[-1] -= 1
            continue
        if token in ("#", "//"):
            break
        if token == "/*":
            end = line.find("*/", pos + 2)
            if end < 0:
                break
            comment_end = end + 2
            continue
        if token in "{[(":
            changes.append((pos, 1))
        elif token in "}])":
            changes.append((pos, -1))
        elif token == "=" and assign is None:
            assign = pos
    return tuple(changes), assign


_LINES: dict[str, tuple[int, str, str | None, str]] = {}  # _line's answers; most rendered lines repeat
_LINES_KEPT = 1 << 14  # bounded: lines holding a spec's own names repeat only within that spec


def _line(line: str) -> tuple[int, str, str | None, str]:
    """What formatting needs of one stripped line: its net bracket change, the line, and for an
    alignable one-line attribute its name and value around the `=` (else None and "")."""
    known = _LINES.get(line)
    if known is not None:
        return known
    changes, assign = _scan(line)
    net = sum(c for _, c in changes)
    text = line
    if assign is not None and sum(c for pos, c in changes if pos > assign) != 0:
        # a multi-line value starts here: not an aligned cell, and hclwrite
        # writes it `name = [` whatever padding the template gave it
        if not text.startswith("="):
            text = text[:assign].rstrip() + " = " + text[assign + 1 :].lstrip()
        assign = None
    if assign is None or text.startswith("="):
        known = (net, text, None, "")
    else:
        known = (net, text, text[:assign].rstrip(), text[assign + 1 :].lstrip())
    if len(_LINES) < _LINES_KEPT:
        _LINES[line] = known
    return known


def format_hcl(text: str) -> str:
    """Re-indent and align `text`; also drops trailing spaces, leading and trailing blank lines and
    runs of blank lines."""
    out: list[str] = []
    leads: list[str] = []  # consecutive one-line attributes: indent + name ...
    values: list[str] = []  # ... and value
    indents: list[int] = []
    blank = False  # a blank line is pending (written only when a non-blank line follows)
    known = _LINES.get

    def flush() -> None:
        width = max(map(len, leads)) + 1
        out.extend(lead.ljust(width) + "= " + value for lead, value in zip(leads, values, strict=True))
        leads.clear()
        values.clear()

    for raw in text.split("\n"):
        line = raw.strip()
        if not line:
            blank = bool(out or leads)  # not before the first line
            continue
        if blank:
            if leads:
                flush()
            out.append("")
            blank = False
        net, line, name, value = known(line) or _line(line)
        if net < 0:
            closed = -net
            while closed > 0 and indents:
                top = indents[-1]
                if closed > top:
                    closed -= top
                    indents.pop()
                elif closed < top:
                    indents[-1] -= closed
                    closed = 0
                else:
                    indents.pop()
                    closed = 0
        indent = "  " * len(indents)
        if net > 0:
            indents.append(net)
        if name is None:
            if leads:
                flush()
            out.append(indent + line)
        else:
            leads.append(indent + name)
            values.append(value)
    if leads:
        flush()
    return "\n".join(out) + "\n"
