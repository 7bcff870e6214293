"""Safe YAML loading that keeps the line and column of every node.

Returns plain data plus a map from field path to source position, so every
later error can say FILE:LINE:COL. Rejects what YAML allows but a spec must
not have: duplicate keys, non-string keys, alias bombs, huge or binary files.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import Problem, SpecError

MAX_BYTES = 1024 * 1024  # a real spec is a few KiB; this bounds parse time
MAX_NODES = 50_000  # bounds alias expansion (billion laughs)

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

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
    """`("targets", "aws-ecs", "region")` -> `targets.aws-ecs.region`; ints as [i]."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def load_file(path: str | Path) -> LoadedSpec:
    """Read and parse one spec file, or raise SpecError with one clear problem."""
    name = str(path)
    p = Path(path)
    if not p.exists():
        raise SpecError([Problem(name, 1, 1, "", "file not found")])
    if p.is_dir():
        raise SpecError([Problem(name, 1, 1, "", "is a directory, expected a YAML spec file")])
    try:
        size = p.stat().st_size
        if size > MAX_BYTES:
            raise SpecError([Problem(name, 1, 1, "", f"file is {size} bytes; a spec may be at most {MAX_BYTES} bytes")])
        raw = p.read_bytes()
    except OSError as exc:
        raise SpecError([Problem(name, 1, 1, "", f"cannot read file: {exc.strerror or exc}")]) from None
    return load_bytes(raw, name)


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
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        reason = exc.problem or exc.context or "invalid YAML"
        raise SpecError([Problem(name, line, col, "", f"invalid YAML: {reason}")]) from None
    except yaml.YAMLError as exc:
        raise SpecError([Problem(name, 1, 1, "", f"invalid YAML: {exc}")]) from None
    if node is None:
        raise SpecError([Problem(name, 1, 1, "", "file is empty, expected a mapping with at least `name` and `targets`")])
    builder = _Builder(name)
    data = builder.build(node, ())
    if builder.problems:
        raise SpecError(builder.problems)
    if not isinstance(data, dict):
        line, col = node.start_mark.line + 1, node.start_mark.column + 1
        raise SpecError([Problem(name, line, col, "", f"top level is a {kind_of(data)}, expected a mapping of fields (name, container, targets, ...)")])
    return LoadedSpec(name, data, builder.positions)


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
        self.positions.setdefault(path, (node.start_mark.line + 1, node.start_mark.column + 1))
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
            return self._constructor.construct_object(node, deep=True)
        except yaml.YAMLError as exc:
            self._fail(node, path, f"invalid value: {getattr(exc, 'problem', exc)}")
            return None

    def _fail(self, node: yaml.Node, path: FieldPath, message: str) -> None:
        self.problems.append(Problem(self.name, node.start_mark.line + 1, node.start_mark.column + 1, dotted(path), message))
