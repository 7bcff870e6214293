"""Pure HCL encoders: the only way a Python value becomes HCL text.

`encode()` is installed as Jinja's `finalize`, so every `{{ value }}` in a
template goes through it: strings are always quoted and escaped, and only an
`Expr` (built by a target mapping, never from user input) reaches HCL raw.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Mapping
from typing import Any

from .errors import RenderError

# \Z, not $: Python's $ also matches before a final newline
IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*\Z")


# every character quote() writes as an escape (the loop below), in one search
_ESCAPED = re.compile(r'[\\"\x00-\x1f\x7f-\x9f\u2028\u2029]')


class Expr(str):
    """An HCL expression written by tfgen itself (a reference, a function call)."""

    __slots__ = ()


def quote(text: str) -> str:
    """A double-quoted HCL string literal whose value is exactly `text`.

    Backslash first (so later escapes are not doubled), then quotes and
    control characters. The `$` of `${` and the `%` of `%{` are written as
    `\u0024` and `\u0025`: Terraform decodes an escape only after it has
    found its template sequences, so the text stays literal, and no `${` or
    `%{` is left in the file at all. The HCL-native escape (`$${`, `%%{`) is
    also literal for Terraform, but Checkov's HCL grammar (which `tfgen lint`
    shares) cannot read it in lists and other places: it stops, or runs for
    minutes, and Checkov then skips every check of the file. Terraform
    NFC-normalizes every string it reads (even escaped code points), so we
    write the NFC form: the HCL shows exactly the value Terraform will use.
    """
    text = unicodedata.normalize("NFC", text)
    if _ESCAPED.search(text) is None:  # most strings: nothing to escape but template sequences
        return '"' + text.replace("${", "\\u0024{").replace("%{", "\\u0025{") + '"'
    out = []
    for ch in text:
        code = ord(ch)
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif ch == "\t":
            out.append("\\t")
        elif code < 0x20 or code == 0x7F or 0x80 <= code < 0xA0 or ch in "\u2028\u2029":
            out.append(f"\\u{code:04x}")
        else:
            out.append(ch)
    body = "".join(out).replace("${", "\\u0024{").replace("%{", "\\u0025{")
    return f'"{body}"'


def ident(name: str) -> Expr:
    """A name used as an HCL identifier (block label part, object key): checked, never escaped."""
    if not isinstance(name, str) or not IDENTIFIER.match(name):
        raise RenderError(f"not a valid HCL identifier: {name!r}")
    return Expr(name)


def number(value: int | float) -> str:
    if isinstance(value, float):
        if not math.isfinite(value):
            raise RenderError(f"cannot encode {value!r} as an HCL number")
        if value.is_integer():
            return str(int(value))
        return repr(value)
    return str(value)


def encode(value: Any) -> str:
    """Encode a Python value as an HCL expression (objects multi-line, keys sorted)."""
    if isinstance(value, Expr):
        return str(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, (int, float)):
        return number(value)
    if isinstance(value, str):
        return quote(value)
    if isinstance(value, Mapping):
        return _encode_object(value)
    if isinstance(value, (list, tuple)):
        return _encode_list(value)
    raise RenderError(f"cannot encode a {type(value).__name__} as HCL")


def object_key(key: str) -> str:
    return str(key) if IDENTIFIER.match(str(key)) else quote(str(key))


def _encode_object(value: Mapping) -> str:
    if not value:
        return "{}"
    lines = [f"{object_key(k)} = {encode(value[k])}" for k in sorted(value, key=str)]
    return "{\n" + "\n".join(lines) + "\n}"


def _encode_list(value: list | tuple) -> str:
    items = [encode(v) for v in value]
    if not items:
        return "[]"
    if all("\n" not in item for item in items) and sum(len(i) + 2 for i in items) <= 80:
        return "[" + ", ".join(items) + "]"
    return "[\n" + "\n".join(f"{item}," for item in items) + "\n]"
