"""Indentation and `=` alignment exactly as `terraform fmt` (hclwrite) does them.

Templates control tokens and spacing; this pass only re-indents lines by
bracket nesting and aligns the `=` of consecutive one-line attributes, the two
things a template cannot know when it embeds multi-line encoded values. The
rules mirror hclwrite's formatIndent and formatCells; a test checks the
result against the real `terraform fmt`.
"""

from __future__ import annotations

import re
from functools import lru_cache

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


@lru_cache(maxsize=1 << 14)
def _line(line: str) -> tuple[int, str, str | None, str]:
    """What formatting needs of one stripped line, cached (most rendered lines repeat from module to module):
    (its net bracket change, the line, and for an alignable one-line attribute its name and value
    around the `=`, else None and "")."""
    changes, assign = _scan(line)
    net = sum(c for _, c in changes)
    if assign is not None and sum(c for pos, c in changes if pos > assign) != 0:
        # a multi-line value starts here: not an aligned cell, and hclwrite
        # writes it `name = [` whatever padding the template gave it
        if not line.startswith("="):
            line = line[:assign].rstrip() + " = " + line[assign + 1 :].lstrip()
        assign = None
    if assign is None or line.startswith("="):
        return net, line, None, ""
    return net, line, line[:assign].rstrip(), line[assign + 1 :].lstrip()


def format_hcl(text: str) -> str:
    """Re-indent and align `text`; also drops trailing spaces and runs of blank lines."""
    lines: list[str] = []
    for raw in text.split("\n"):
        line = raw.strip()
        if line == "" and (not lines or lines[-1] == ""):
            continue  # collapse blank runs and leading blanks
        lines.append(line)
    while lines and lines[-1] == "":
        lines.pop()

    out: list[str] = []
    chain: list[tuple[str, str]] = []  # consecutive one-line attributes: (indent + name, value)

    def flush() -> None:
        width = max(len(lead) for lead, _ in chain)
        for lead, value in chain:
            out.append(lead + " " * (width - len(lead) + 1) + "= " + value)
        chain.clear()

    indents: list[int] = []
    for line in lines:
        if not line:
            if chain:
                flush()
            out.append("")
            continue
        net, line, name, value = _line(line)
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
            if chain:
                flush()
            out.append(indent + line)
        else:
            chain.append((indent + name, value))
    if chain:
        flush()
    return "\n".join(out) + "\n"
