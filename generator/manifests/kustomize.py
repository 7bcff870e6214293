"""Objects of the base and of each environment -> a Kustomize tree. Pure.

    base/kustomization.yaml, base/<kind>.yaml           the spec without an environment
    overlays/<env>/kustomization.yaml                   `namespace:` + patches
    overlays/<env>/patches/<kind>.yaml                  RFC 6902 ops, or a `$patch: delete`
    overlays/<env>/<kind>.yaml                          objects only that environment has

An overlay is computed, not written by hand: the environment's objects are
built from the environment's spec, the base objects are put through what
Kustomize's namespace transformer will do, and every remaining difference
becomes a JSON-patch op. So `kubectl kustomize overlays/<env>` yields exactly
the environment's objects (a test holds the tree to that).
"""

from __future__ import annotations

import copy
from pathlib import PurePosixPath
from typing import Any

from .yamlout import dump

KUSTOMIZATION = {"apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization"}
Object = dict[str, Any]


# Kinds rendered once per item (one ExternalSecret per secret); every other kind is rendered once.
PER_ITEM_KINDS = frozenset({"ExternalSecret"})


def file_name(obj: Object) -> str:
    kind = obj["kind"].lower()
    return f"{kind}-{obj['metadata']['name']}.yaml" if obj["kind"] in PER_ITEM_KINDS else f"{kind}.yaml"


def _key(obj: Object) -> tuple[str, str]:
    return obj["kind"], obj["metadata"]["name"]


def _pointer(parts: tuple[Any, ...]) -> str:
    """RFC 6901: `~` and `/` escaped (label keys such as app.kubernetes.io/name hold a `/`)."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def _same(a: Any, b: Any) -> bool:
    return type(a) is type(b) and a == b  # True == 1 in Python, not in YAML


def json_patch(old: Any, new: Any, at: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
    """The ops that turn `old` into `new`: maps key by key, equal-length lists item by item."""
    if isinstance(old, dict) and isinstance(new, dict):
        ops: list[dict[str, Any]] = []
        for key in sorted(set(old) | set(new)):
            if key not in new:
                ops.append({"op": "remove", "path": _pointer(at + (key,))})
            elif key not in old:
                ops.append({"op": "add", "path": _pointer(at + (key,)), "value": new[key]})
            else:
                ops += json_patch(old[key], new[key], at + (key,))
        return ops
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        return [op for i, (a, b) in enumerate(zip(old, new, strict=True)) for op in json_patch(a, b, at + (i,))]
    if _same(old, new):
        return []
    return [{"op": "replace", "path": _pointer(at), "value": new}]


def as_namespaced(objects: list[Object], namespace: str) -> list[Object]:
    """What Kustomize's `namespace:` does to the base: namespaced objects move, a Namespace is renamed."""
    out = copy.deepcopy(objects)
    for obj in out:
        if obj["kind"] == "Namespace":
            obj["metadata"]["name"] = namespace
        elif "namespace" in obj["metadata"]:
            obj["metadata"]["namespace"] = namespace
    return out


def _namespace_of(objects: list[Object]) -> str:
    return next(o["metadata"]["name"] for o in objects if o["kind"] == "Namespace")


def base_files(objects: list[Object]) -> dict[PurePosixPath, str]:
    root = PurePosixPath("base")
    files = {root / file_name(o): dump(o) for o in objects}
    files[root / "kustomization.yaml"] = dump({**KUSTOMIZATION, "resources": [file_name(o) for o in objects]})
    return files


def overlay_files(env: str, base: list[Object], env_objects: list[Object]) -> dict[PurePosixPath, str]:
    root = PurePosixPath("overlays") / env
    namespace = _namespace_of(env_objects)
    moved = as_namespaced(base, namespace)
    # patch targets name the base objects: Kustomize applies patches before the namespace transformer
    base_by_key = {_key(m): (m, o) for m, o in zip(moved, base, strict=True)}
    env_by_key = {_key(o): o for o in env_objects}
    files: dict[PurePosixPath, str] = {}
    resources = ["../../base"]
    patches = []
    for key, obj in env_by_key.items():
        if key not in base_by_key:
            resources.append(file_name(obj))
            files[root / file_name(obj)] = dump(obj)
            continue
        moved_obj, original = base_by_key[key]
        ops = json_patch(moved_obj, obj)
        if ops:
            path = f"patches/{file_name(obj)}"
            files[root / path] = dump(ops)
            patches.append({"path": path, "target": {"kind": original["kind"], "name": original["metadata"]["name"]}})
    for key, (_, original) in base_by_key.items():
        if key not in env_by_key:
            path = f"patches/delete-{file_name(original)}"
            meta = {k: v for k, v in original["metadata"].items() if k in ("name", "namespace")}
            files[root / path] = dump(
                {"apiVersion": original["apiVersion"], "kind": original["kind"], "metadata": meta, "$patch": "delete"}
            )
            patches.append({"path": path})
    kustomization: dict[str, Any] = {**KUSTOMIZATION, "resources": resources}
    if namespace != _namespace_of(base):
        kustomization["namespace"] = namespace
    if patches:
        kustomization["patches"] = patches
    files[root / "kustomization.yaml"] = dump(kustomization)
    return files


def tree(base: list[Object], environments: dict[str, list[Object]]) -> dict[PurePosixPath, str]:
    """The whole tree, relative to the target's folder; environments in name order."""
    files = base_files(base)
    for env in sorted(environments):
        files.update(overlay_files(env, base, environments[env]))
    return files
