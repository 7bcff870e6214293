"""Per-target overrides: `targets.<t>.container|resources|scaling|model` over the spec.

Composition order (most specific wins): the base spec, then the environment
overlay (`environments.<env>`, which may itself set `targets.<t>.resources`
...), then the target's override, each a deep merge (maps key by key; lists
and scalars replace). So `targets.<t>.resources` wins over the top-level
`resources` of the base and of every environment; to size a target
differently in one environment, set `environments.<env>.targets.<t>.resources`.

A finding about a field the override set is reported at the override
(`targets.<t>.resources.cpu`, its line), so a user sees where the value came from.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .errors import Problem
from .overlay import merge
from .spec import FieldPath, LoadedSpec, dotted

# Not `job` (issue 17): a spec describes one job, whatever runs it; environments may still change it.
OVERRIDABLE = ("container", "resources", "scaling", "model")


def override_schema() -> dict[str, Any]:
    """The properties every target fragment gets (spec_schema adds them beside the target's own)."""
    return {
        key: {
            "$ref": f"#/$defs/{key}",
            "description": f"`{key}` for this target only: deep-merged over the top-level `{key}` (after the environment "
            "overlay; maps merge key by key, lists and scalars replace) and checked against this target's rules.",
        }
        for key in OVERRIDABLE
    }


def settings_only(settings: Any) -> Any:
    """A target's own settings, without the overrides (those become part of its view of the spec)."""
    if not isinstance(settings, dict):
        return settings
    return {key: value for key, value in settings.items() if key not in OVERRIDABLE}


def overrides_of(data: Any, target: str) -> dict[str, Any]:
    targets = data.get("targets") if isinstance(data, dict) else None
    settings = targets.get(target) if isinstance(targets, dict) else None
    if not isinstance(settings, dict):
        return {}
    return {key: settings[key] for key in OVERRIDABLE if isinstance(settings.get(key), dict)}


@dataclass(frozen=True)
class TargetView(LoadedSpec):
    """The spec as one target sees it; findings on overridden fields point at the override."""

    target: str = ""

    def problem(self, path: FieldPath, message: str) -> Problem:
        path = tuple(path)
        prefix = ("targets", self.target)
        for depth in range(len(path), 0, -1):
            if prefix + path[:depth] in self.positions:
                line, column = self.positions[prefix + path[:depth]]
                return Problem(self.file, line, column, dotted(prefix + path), message)
            if path[:depth] in self.positions:
                break
        return super().problem(path, message)


def for_target(view: LoadedSpec, target: str) -> LoadedSpec:
    """`view` (the base or one environment) with `target`'s overrides merged in; `view` itself when it has none."""
    overrides = overrides_of(view.data, target)
    if not overrides:
        return view
    data = dict(view.data)
    for key, value in overrides.items():
        data[key] = merge(data.get(key) if isinstance(data.get(key), dict) else {}, value)
    return TargetView(view.file, data, view.positions, target)
