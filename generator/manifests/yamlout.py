"""The one way a Kubernetes object becomes YAML text.

Objects are plain Python data; this dumps them with PyYAML's SafeDumper, so
no user string is ever pasted into YAML text. One extra rule on top: a string
is written plain (unquoted) only when it is unambiguous in every YAML dialect
the readers use (PyYAML is YAML 1.1, kubectl's Go parser mostly 1.2); anything
else is double-quoted, with the emitter's own escaping. So `"1e3"`, `"on"`,
`"0x10"`, `"250m"` or a value with `: ` stay strings for kubectl as well, not
only for PyYAML. Keys are sorted and the width is unlimited, so the same
objects always give the same bytes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import yaml

# Plain only when it starts with a letter and holds nothing YAML could read
# as another type or as syntax; the words YAML 1.1 reads as booleans/null are
# quoted too.
_PLAIN = re.compile(r"^[A-Za-z/][A-Za-z0-9._/-]*$")
_RESERVED_WORDS = frozenset({"y", "n", "yes", "no", "true", "false", "on", "off", "null", "nan", "inf"})


class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, _data: Any) -> bool:  # the same dict twice is written twice, never as &anchor
        return True


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    plain = _PLAIN.match(value) and value.lower() not in _RESERVED_WORDS
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=None if plain else '"')


_Dumper.add_representer(str, _represent_str)


def dump(obj: Any) -> str:
    """One YAML document (no `---`), deterministic."""
    return yaml.dump(
        obj,
        Dumper=_Dumper,
        sort_keys=True,
        default_flow_style=False,
        allow_unicode=True,
        width=float("inf"),
        explicit_start=False,
    )


def dump_all(objs: Iterable[Any]) -> str:
    return "---\n".join(dump(o) for o in objs)
