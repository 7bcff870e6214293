"""Safe YAML loading that keeps the line and column of every node.

Returns plain data plus a map from field path to source position, so every
later error can say FILE:LINE:COL. Rejects what YAML allows but a spec must
not have: duplicate keys, non-string keys, alias bombs, huge or binary files.
"""

from __future__ import annotations

import json
import math
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import Problem, SpecError

MAX_BYTES = 1024 * 1024  # a real spec is a few KiB; this bounds parse time
MAX_NODES = 50_000  # bounds alias expansion (billion laughs)
MAX_DEPTH = 32  # the deepest real field is 7 levels down; bounds every recursive step after parsing

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_PLAIN_COLLECTION_TAGS = {"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"}

FieldPath = tuple  # of str | int


@dataclass(frozen=True)
class LoadedSpec:
    """A spec's data and where each field came from."""

    file: str
    data: Any
    positions: dict = field(repr=False)  # FieldPath -> (line, column), 1-based

    def position(self, path: FieldPath) -> tuple[int, int]:
        """The position of `path`, or of its nearest ancestor that has one."""
        path = tuple(path)
        while path not in self.positions and path:
            path = path[:-1]
        return self.positions.get(path, (1, 1))

    def problem(self, path: FieldPath, message: str) -> Problem:
        line, column = self.position(path)
        return Problem(self.file, line, column, dotted(path), message)


def dotted(path: FieldPath) -> str:
    """`("targets", "some-target", "region")` -> `targets.some-target.region`; ints as [i].

    A key with a line break or another unprintable character is shown quoted
    and escaped, so an error stays one line.
    """
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            text = str(part)
            out += ("." if out else "") + (text if text.isprintable() else repr(text))
    return out


def load_file(path: str | Path) -> LoadedSpec:
    """Read and parse one spec file, or raise SpecError with one clear problem."""
    name = str(path)
    return load_bytes(_read_regular_file(name), name)


_KINDS = [
    (stat.S_ISDIR, "is a directory"),
    (stat.S_ISFIFO, "is a named pipe (FIFO)"),
    (stat.S_ISCHR, "is a character device"),
    (stat.S_ISBLK, "is a block device"),
    (stat.S_ISSOCK, "is a socket"),
]


def _not_regular(mode: int) -> str | None:
    if stat.S_ISREG(mode):
        return None
    reason = next((words for test, words in _KINDS if test(mode)), "is not a regular file")
    return f"{reason}, expected a YAML spec file"


def _read_regular_file(name: str) -> bytes:
    """The bytes of a regular file of at most MAX_BYTES, read with a bounded read.

    A device, FIFO or socket (directly or through a symlink) is refused before
    it is opened for reading; the open does not block (O_NONBLOCK) and the
    opened descriptor is checked again, so a path swapped in between is caught
    too. The read itself stops after MAX_BYTES + 1 bytes whatever `st_size` said.
    """

    def fail(message: str) -> SpecError:
        return SpecError([Problem(name, 1, 1, "", message)])

    try:
        mode = os.stat(name).st_mode
    except FileNotFoundError:
        raise fail("file not found") from None
    except OSError as exc:
        raise fail(f"cannot read file: {exc.strerror or exc}") from None
    reason = _not_regular(mode)
    if reason:
        raise fail(reason)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(name, flags)
    except OSError as exc:
        raise fail(f"cannot read file: {exc.strerror or exc}") from None
    try:
        info = os.fstat(fd)
        reason = _not_regular(info.st_mode)
        if reason:
            raise fail(reason)
        if info.st_size > MAX_BYTES:
            raise fail(f"file is {info.st_size} bytes; a spec may be at most {MAX_BYTES} bytes")
        chunks, total = [], 0
        while total <= MAX_BYTES:
            chunk = os.read(fd, MAX_BYTES + 1 - total)
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        if total > MAX_BYTES:
            raise fail(f"file is more than {MAX_BYTES} bytes; a spec may be at most {MAX_BYTES} bytes")
        return b"".join(chunks)
    except OSError as exc:
        raise fail(f"cannot read file: {exc.strerror or exc}") from None
    finally:
        os.close(fd)


def load_bytes(raw: bytes, name: str) -> LoadedSpec:
    if len(raw) > MAX_BYTES:
        raise SpecError([Problem(name, 1, 1, "", f"file is {len(raw)} bytes; a spec may be at most {MAX_BYTES} bytes")])
    if b"\x00" in raw:
        raise SpecError([Problem(name, 1, 1, "", "binary data (NUL byte) found, expected a YAML text file")])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise SpecError([Problem(name, line, 1, "", "not valid UTF-8 text, expected a YAML file")]) from None
    try:
        _check_depth(text, name)
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        reason = exc.problem or exc.context or "invalid YAML"
        raise SpecError([Problem(name, line, col, "", f"invalid YAML: {reason}")]) from None
    except yaml.reader.ReaderError as exc:  # a character YAML forbids (a control character)
        before = text[: exc.position]
        line, col = before.count("\n") + 1, len(before) - (before.rfind("\n") + 1) + 1
        raise SpecError(
            [
                Problem(
                    name,
                    line,
                    col,
                    "",
                    f"invalid YAML: character #x{exc.character:04x} is not allowed "
                    "(control characters may appear only escaped, in double quotes)",
                )
            ]
        ) from None
    except yaml.YAMLError as exc:
        first_line = str(exc).splitlines()[0] if str(exc) else "unreadable"
        raise SpecError([Problem(name, 1, 1, "", f"invalid YAML: {first_line}")]) from None
    if node is None:
        raise SpecError(
            [Problem(name, 1, 1, "", "file is empty, expected a mapping with at least `name` and `targets`")]
        )
    builder = _Builder(name)
    data = builder.build(node, ())
    if builder.problems:
        raise SpecError(builder.problems)
    if not isinstance(data, dict):
        line, col = node.start_mark.line + 1, node.start_mark.column + 1
        raise SpecError(
            [
                Problem(
                    name,
                    line,
                    col,
                    "",
                    f"top level is a {kind_of(data)}, expected a mapping of fields (name, container, targets, ...)",
                )
            ]
        )
    return LoadedSpec(name, data, builder.positions)


def _check_depth(text: str, name: str) -> None:
    """Refuse nesting deeper than MAX_DEPTH before anything recursive sees the document.

    The YAML event stream is flat, so this pass cannot itself overflow; the
    composer, the builder and the schema validator all recurse per level.
    """
    depth = 0
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                mark = event.start_mark
                raise SpecError(
                    [
                        Problem(
                            name,
                            mark.line + 1,
                            mark.column + 1,
                            "",
                            f"nested more than {MAX_DEPTH} levels deep; a spec is at most a few levels deep",
                        )
                    ]
                )
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1


def kind_of(value: Any) -> str:
    """A YAML value's kind in a user's words."""
    if value is None:
        return "null"
    names = {bool: "boolean", int: "number", float: "number", str: "string", list: "list", dict: "mapping"}
    return names.get(type(value), type(value).__name__)


class _Builder:
    """Turns a composed YAML node graph into plain data, recording positions."""

    def __init__(self, name: str):
        self.name = name
        self.positions: dict = {}
        self.problems: list[Problem] = []
        self.nodes = 0
        self._constructor = _Loader("")  # only used to construct scalars safely

    def build(self, node: yaml.Node, path: FieldPath) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            self._fail(node, path, f"document expands to more than {MAX_NODES} nodes (alias bomb?)")
            raise SpecError(self.problems)
        if len(path) > MAX_DEPTH:  # aliases can nest deeper than the text does
            self._fail(node, path[:1], f"nested more than {MAX_DEPTH} levels deep (through aliases)")
            raise SpecError(self.problems)
        self.positions.setdefault(path, (node.start_mark.line + 1, node.start_mark.column + 1))
        if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) and node.tag not in _PLAIN_COLLECTION_TAGS:
            # !!set, !!omap, !!python/...: the builder would read them as a plain map or list
            self._fail(node, path, f"YAML tag {node.tag.replace('tag:yaml.org,2002:', '!!')} is not supported here")
            return None
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, path + (i,)) for i, item in enumerate(node.value)]
        return self._scalar(node, path)

    def _mapping(self, node: yaml.MappingNode, path: FieldPath) -> dict:
        out: dict = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                self._fail(key_node, path, "YAML merge keys (<<) are not supported; use `environments` overlays")
                continue
            key = self._scalar(key_node, path) if isinstance(key_node, yaml.ScalarNode) else None
            if not isinstance(key, str):
                self._fail(key_node, path, "keys must be strings")
                continue
            if key in out:
                first = self.positions.get(path + (key,), (0, 0))[0]
                self._fail(key_node, path + (key,), f"duplicate key (first defined on line {first})")
                continue
            out[key] = self.build(value_node, path + (key,))
            # positions of a field point at its key: that is where a reader looks
            self.positions[path + (key,)] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            self.positions[path + (key, "<value>")] = (value_node.start_mark.line + 1, value_node.start_mark.column + 1)
        return out

    def _scalar(self, node: yaml.Node, path: FieldPath) -> Any:
        try:
            value = self._constructor.construct_object(node, deep=True)
        except yaml.YAMLError as exc:
            self._fail(node, path, f"invalid value: {getattr(exc, 'problem', None) or str(exc).splitlines()[0]}")
            return None
        except Exception as exc:  # noqa: BLE001 - PyYAML's constructors raise anything: `!!timestamp 2024-99-99`, `!!timestamp x`, `0x_`
            why = (
                str(exc).splitlines()[0]
                if isinstance(exc, ValueError) and str(exc)
                else (f"not a valid {node.tag.replace('tag:yaml.org,2002:', '!!')}")
            )
            self._fail(node, path, f"invalid value {json.dumps(node.value)[:60]}: {why}")
            return None
        if isinstance(value, float) and not math.isfinite(value):
            self._fail(node, path, f"{node.value} is not a number a spec can use (not finite)")
            return None
        return value

    def _fail(self, node: yaml.Node, path: FieldPath, message: str) -> None:
        self.problems.append(
            Problem(self.name, node.start_mark.line + 1, node.start_mark.column + 1, dotted(path), message)
        )
