"""Environment overlays: deep-merge `environments.<env>` over the base spec.

Maps merge key by key; lists and scalars replace. Positions follow the data:
a field that came from the overlay points at the overlay's line.
"""

from __future__ import annotations

from typing import Any

from .spec import LoadedSpec


def merge(base: Any, overlay: Any) -> Any:
    if isinstance(base, dict) and isinstance(overlay, dict):
        out = dict(base)
        for key, value in overlay.items():
            out[key] = merge(base[key], value) if key in base else value
        return out
    return overlay


def apply_environment(loaded: LoadedSpec, env: str | None) -> LoadedSpec:
    """The spec as seen in `env` (None: the base), with positions remapped."""
    data = dict(loaded.data)
    environments = data.pop("environments", None) or {}
    if env is None:
        return LoadedSpec(loaded.file, data, loaded.positions)
    overlay = environments.get(env)
    if not isinstance(overlay, dict):
        overlay = {}
    merged = merge(data, overlay)
    positions = dict(loaded.positions)
    prefix = ("environments", env)
    for path, pos in loaded.positions.items():
        if path[:2] == prefix and len(path) > 2:
            positions[path[2:]] = pos
    return LoadedSpec(loaded.file, merged, positions)
