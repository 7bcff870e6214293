"""The one reader of HCL tfgen has: rendered modules read back by lint, scan, the emulator and the tests.

It reads with bc-python-hcl2 (the `hcl2` module Checkov ships), the grammar
Checkov itself parses modules with, so what tfgen cannot read, Checkov cannot
either. Two views of one parse:

* `parse_text` / `parse_file`: `Body`/`Block`/`Attribute` nodes that keep
  their line numbers (lint, scan);
* `load_dict` / `load_file_dict`: hcl2's own dict shape (every block a list
  of dicts, `__start_line__`/`__end_line__` on blocks), for code that walks
  it (the emulator's overrides, the target tests).

The grammar has slow paths: on some inputs (a `$${` left open in a string) it
runs for many minutes. `time_limit()` bounds a read; the CLI commands that
read rendered HCL use it.

Why a transformer of our own for the first view: hcl2's `load()` loses two
things a schema lint needs: whether `x { }` was
a block or `x = { }` an attribute (both become a dict in a list), and the line
of anything below a top-level block. So we run its Lark grammar ourselves and
swap in a transformer that builds `Body`/`Block`/`Attribute` nodes with lines,
reusing its expression handling unchanged. Values therefore look exactly like
hcl2's: literals become str/int/float/bool/None/list/dict, and any expression
(reference, function call, interpolation) becomes a string containing "${".
"""

from __future__ import annotations

import hashlib
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hcl2.parser import Hcl2
from hcl2.transformer import DictTransformer
from lark.exceptions import (
    UnexpectedCharacters,
    UnexpectedEOF,
    UnexpectedInput,
    UnexpectedToken,
    VisitError,
)
from lark.visitors import v_args


@dataclass(frozen=True)
class Attribute:
    """`name = value` on `line`."""

    name: str
    value: Any
    line: int


@dataclass(frozen=True)
class Body:
    """The attributes and nested blocks of one block (or of a whole file), in source order."""

    attributes: tuple[Attribute, ...] = ()
    blocks: tuple[Block, ...] = ()

    def attribute(self, name: str) -> Attribute | None:
        return next((a for a in self.attributes if a.name == name), None)

    def blocks_of(self, type_: str) -> list[Block]:
        return [b for b in self.blocks if b.type == type_]


@dataclass(frozen=True)
class Block:
    """`type "label" ... { body }` starting on `line`."""

    type: str
    labels: tuple[str, ...]
    body: Body
    line: int


class HclSyntaxError(Exception):
    """The file is not valid HCL; `line` is where the parser gave up."""

    def __init__(self, line: int, message: str):
        self.line = line
        super().__init__(message)


class HclTimeout(Exception):
    """Reading HCL took longer than the `time_limit()` allowed."""


# Seconds one file may take to parse. The largest rendered file parses in well
# under a second; the grammar's slow paths take minutes to hours.
PARSE_TIMEOUT = 10.0


@contextmanager
def time_limit(seconds: float | None) -> Iterator[None]:
    """Raise HclTimeout in the block if it runs longer than `seconds` (None: no limit).

    The grammar runs in Python, so a SIGALRM timer interrupts it. Signals
    reach only the main thread: elsewhere (and where there is no SIGALRM)
    the block runs unbounded.
    """
    usable = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    outer_delay, outer_interval = signal.getitimer(signal.ITIMER_REAL) if usable else (0.0, 0.0)
    if seconds is None or not usable or (outer_delay and outer_delay <= seconds):  # an outer timer fires first
        yield
        return

    def expire(signum, frame):
        raise HclTimeout(f"reading HCL took longer than {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, expire)
    started = time.monotonic()
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if outer_delay:  # give an outer timer back what is left of it
            left = max(outer_delay - (time.monotonic() - started), 0.001)
            signal.setitimer(signal.ITIMER_REAL, left, outer_interval)


def is_expression(value: Any) -> bool:
    """True for anything only known at plan time: references, calls, templates."""
    return isinstance(value, str) and ("${" in value or "%{" in value)


class _Transformer(DictTransformer):
    """hcl2's transformer, but blocks and attributes become nodes with lines."""

    def start(self, args: list) -> Body:  # type: ignore[override]
        bodies = [a for a in args if isinstance(a, Body)]
        return bodies[0] if bodies else Body()

    def body(self, args: list) -> Body:  # type: ignore[override]
        return Body(
            attributes=tuple(a for a in args if isinstance(a, Attribute)),
            blocks=tuple(b for b in args if isinstance(b, Block)),
        )

    @v_args(meta=True)
    def block(self, meta, args: list) -> Block:
        args = self.strip_new_line_tokens(args)
        body = args[-1] if isinstance(args[-1], Body) else Body()
        names = args[:-1] if isinstance(args[-1], Body) else args
        labels = tuple(str(self.strip_quotes(str(n))) for n in names[1:])
        return Block(str(names[0]), labels, body, meta.line)

    @v_args(meta=True)
    def attribute(self, meta, args: list) -> Attribute:
        name = str(self.strip_quotes(str(args[0])))
        return Attribute(name, self.to_string_dollar(args[1]), meta.line)

    def unary_op(self, args: list) -> Any:
        # hcl2 keeps `-1` as the expression "${-1}"; a negative literal is still a number
        if len(args) == 2 and str(args[0]) == "-" and _is_number(args[1]):
            return -args[1]
        return super().unary_op(args)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def parse_text(text: str) -> Body:
    """Parse HCL source text; raise HclSyntaxError with a line on bad input."""
    try:
        # hcl2's grammar needs a trailing newline after the last block
        tree = Hcl2.lark_parser.parse(text + "\n")
    except UnexpectedInput as exc:
        raise HclSyntaxError(getattr(exc, "line", 0) or 0, _syntax_message(exc)) from None
    try:
        return _Transformer().transform(tree)  # type: ignore[return-value]
    except VisitError as exc:  # hcl2's transformer rejected a construct (e.g. a heredoc)
        meta = getattr(exc.obj, "meta", None)
        raise HclSyntaxError(getattr(meta, "line", 0) or 0, f"HCL error: {exc.orig_exc}") from None


def parse_file(path: Path) -> Body:
    """Parse one .tf file (UTF-8)."""
    return parse_text(Path(path).read_text(encoding="utf-8"))


def parse_file_within(path: Path, seconds: float | None = PARSE_TIMEOUT) -> Body:
    """`parse_file`, bounded: HclSyntaxError for bad HCL, HclTimeout past `seconds` (with the file's name).

    Outcomes are remembered per file content for the life of the process, so
    `tfgen check` (lint, then scan) reads each file once, and a file that
    timed out costs its `seconds` once, not once per step.
    """
    text = Path(path).read_text(encoding="utf-8")
    key = hashlib.sha256(text.encode("utf-8")).hexdigest()
    known = _OUTCOMES.get(key)
    if isinstance(known, Body):
        return known
    if isinstance(known, HclSyntaxError):
        raise HclSyntaxError(known.line, str(known))
    if isinstance(known, float) and seconds is not None and seconds <= known:
        raise HclTimeout(_timeout_message(path, seconds))
    if len(_OUTCOMES) >= _OUTCOMES_MAX:
        _OUTCOMES.clear()
    try:
        with time_limit(seconds):
            body = parse_text(text)
    except HclSyntaxError as exc:
        _OUTCOMES[key] = exc
        raise
    except HclTimeout:
        _OUTCOMES[key] = float(seconds or 0)
        raise HclTimeout(_timeout_message(path, seconds)) from None
    _OUTCOMES[key] = body
    return body


# sha256 of a file's text -> its Body, its syntax error, or the seconds it ran out of
_OUTCOMES: dict[str, Body | HclSyntaxError | float] = {}
_OUTCOMES_MAX = 4096


def _timeout_message(path: Path, seconds: float | None) -> str:
    return (
        f"the HCL parser (the grammar Checkov uses) did not finish reading {path} within {seconds:g} s; this "
        "grammar runs for many minutes on some text (for example a `$${` left open in a string), so the file "
        "was not read"
    )


def load_dict(text: str) -> dict:
    """HCL source text in hcl2's dict shape (what `hcl2.load` returns); HclSyntaxError on bad input."""
    try:
        tree = Hcl2.lark_parser.parse(text + "\n")
    except UnexpectedInput as exc:
        raise HclSyntaxError(getattr(exc, "line", 0) or 0, _syntax_message(exc)) from None
    try:
        return DictTransformer().transform(tree)
    except VisitError as exc:
        meta = getattr(exc.obj, "meta", None)
        raise HclSyntaxError(getattr(meta, "line", 0) or 0, f"HCL error: {exc.orig_exc}") from None


def load_file_dict(path: Path) -> dict:
    """One .tf file (UTF-8) in hcl2's dict shape."""
    return load_dict(Path(path).read_text(encoding="utf-8"))


def _syntax_message(exc: UnexpectedInput) -> str:
    if isinstance(exc, UnexpectedToken):
        token = exc.token
        shown = "end of file" if token.type == "$END" else repr(str(token))
        return f"HCL syntax error: unexpected {shown}"
    if isinstance(exc, UnexpectedCharacters):
        return f"HCL syntax error: unexpected character {exc.char!r}"
    if isinstance(exc, UnexpectedEOF):
        return "HCL syntax error: unexpected end of file"
    return "HCL syntax error"


__all__ = [
    "PARSE_TIMEOUT",
    "Attribute",
    "Block",
    "Body",
    "HclSyntaxError",
    "HclTimeout",
    "is_expression",
    "load_dict",
    "load_file_dict",
    "parse_file",
    "parse_file_within",
    "parse_text",
    "time_limit",
]
