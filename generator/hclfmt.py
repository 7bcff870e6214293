"""Indentation and `=` alignment exactly as `terraform fmt` (hclwrite) does them.

Templates control tokens and spacing; this pass only re-indents lines by
bracket nesting and aligns the `=` of consecutive one-line attributes, the two
things a template cannot know when it embeds multi-line encoded values. The
rules mirror hclwrite's formatIndent and formatCells; a test checks the
result against the real `terraform fmt`.
"""

from __future__ import annotations

_OPEN = "{[("
_CLOSE = "}])"


def _scan(line: str) -> tuple[list[int], int | None]:
    """Bracket changes outside strings/comments, and the index of the first bare `=`.

    Returns (list of +1/-1 per bracket in order with positions folded, assign index).
    """
    changes: list[tuple[int, int]] = []
    assign = None
    i, n = 0, len(line)
    while i < n:
        ch = line[i]
        if ch == '"':
            i = _skip_string(line, i + 1)
            continue
        if ch == "#" or line.startswith("//", i):
            break
        if line.startswith("/*", i):
            end = line.find("*/", i + 2)
            i = n if end < 0 else end + 2
            continue
        if ch in _OPEN:
            changes.append((i, 1))
        elif ch in _CLOSE:
            changes.append((i, -1))
        elif ch == "=" and assign is None:
            prev = line[i - 1] if i else ""
            nxt = line[i + 1] if i + 1 < n else ""
            if prev not in "=!<>" and nxt not in "=>":
                assign = i
        i += 1
    return changes, assign


def _skip_string(line: str, i: int) -> int:
    """Index just past the closing quote of a string starting at `i` (inside it)."""
    n = len(line)
    while i < n:
        ch = line[i]
        if ch == "\\":
            i += 2
            continue
        if ch == '"':
            return i + 1
        if (ch == "$" or ch == "%") and line.startswith("{", i + 1):
            if line.startswith(ch, i - 1) and i >= 1 and line[i - 1] == ch:
                i += 2  # $${ is a literal
                continue
            i = _skip_interpolation(line, i + 2)
            continue
        i += 1
    return n


def _skip_interpolation(line: str, i: int) -> int:
    depth = 1
    n = len(line)
    while i < n and depth:
        ch = line[i]
        if ch == '"':
            i = _skip_string(line, i + 1)
            continue
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        i += 1
    return i


def format_hcl(text: str) -> str:
    """Re-indent and align `text`; also drops trailing spaces and runs of blank lines."""
    raw_lines = [line.strip() for line in text.split("\n")]
    lines: list[str] = []
    for line in raw_lines:
        if line == "" and (not lines or lines[-1] == ""):
            continue  # collapse blank runs and leading blanks
        lines.append(line)
    while lines and lines[-1] == "":
        lines.pop()

    indents: list[int] = []
    indented: list[tuple[int, str, int | None]] = []  # (indent, text, assign index)
    for line in lines:
        if not line:
            indented.append((0, "", None))
            continue
        changes, assign = _scan(line)
        net = sum(c for _, c in changes)
        if assign is not None and sum(c for pos, c in changes if pos > assign) != 0:
            assign = None  # a multi-line value starts here: not an aligned cell
        if assign is not None and line.lstrip().startswith("="):
            assign = None
        if net > 0:
            level = len(indents)
            indents.append(net)
        elif net < 0:
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
            level = len(indents)
        else:
            level = len(indents)
        indented.append((level, line, assign))

    out: list[str] = []
    chain: list[tuple[int, str, int]] = []

    def flush() -> None:
        if not chain:
            return
        width = max(level * 2 + len(text[:a].rstrip()) for level, text, a in chain)
        for level, text, a in chain:
            lead = " " * (level * 2) + text[:a].rstrip()
            out.append(lead + " " * (width - len(lead) + 1) + "= " + text[a + 1 :].lstrip())
        chain.clear()

    for level, text, assign in indented:
        if assign is None:
            flush()
            out.append(" " * (level * 2) + text if text else "")
        else:
            chain.append((level, text, assign))
    flush()
    return "\n".join(out) + "\n"
