"""Environment overlays: deep-merge `environments.<env>` over the base spec.

Maps merge key by key; lists and scalars replace; a `state` that names another
backend replaces the base's `state` whole. Positions follow the data:
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


def _switches_backend(base_state: Any, overlay_state: Any) -> bool:
    """Whether an overlay's `state` names another backend than the base's.

    Then it replaces `state` whole: fields of one backend mean nothing to
    another (a local `path` inside `backend "s3"` fails `terraform init`).
    """
    if not isinstance(overlay_state, dict) or "backend" not in overlay_state:
        return False
    base_backend = base_state.get("backend", "local") if isinstance(base_state, dict) else "local"
    return overlay_state["backend"] != base_backend


def merge_spec(base: dict, overlay: dict) -> dict:
    """An environment over the base spec: a deep merge, except that switching backend replaces `state`."""
    merged = merge(base, overlay)
    if "state" in overlay and _switches_backend(base.get("state"), overlay["state"]):
        merged["state"] = overlay["state"]
    return merged


def apply_environment(loaded: LoadedSpec, env: str | None) -> LoadedSpec:
    """The spec as seen in `env` (None: the base), with positions remapped."""
    data = dict(loaded.data)
    environments = data.pop("environments", None) or {}
    if env is None:
        return LoadedSpec(loaded.file, data, loaded.positions)
    overlay = environments.get(env)
    if not isinstance(overlay, dict):
        overlay = {}
    merged = merge_spec(data, overlay)
    positions = dict(loaded.positions)
    prefix = ("environments", env)
    for path, pos in loaded.positions.items():
        if path[:2] == prefix and len(path) > 2:
            positions[path[2:]] = pos
    return LoadedSpec(loaded.file, merged, positions)
