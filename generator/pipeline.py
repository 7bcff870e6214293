"""The chain in one place: spec file -> model -> rendered files -> written modules."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from .errors import Problem, SpecError, UsageError
from .model import Spec
from .spec import load_file
from .targets import registry
from .validate import validate
from .writer import apply_changes, output_lock, plan_changes


def load_spec(path: str | Path, env: str | None = None) -> Spec:
    """Load and validate a spec file (all environments); the model for `env`."""
    return validate(load_file(path), env)


def load_environments(path: str | Path, env: str | None = None) -> list[Spec]:
    """The models `render`/`check` cover: only `env` when given, else the base and every environment."""
    loaded = load_file(path)
    if env is not None:
        return [validate(loaded, env)]
    base = validate(loaded, None)  # validates every environment too: raises on any problem
    envs = loaded.data.get("environments") or {}
    return [base] + [validate(loaded, name) for name in sorted(envs)]


def render_spec(
    spec: Spec, targets: list[str] | None = None
) -> tuple[dict[PurePosixPath, str | bytes], set[PurePosixPath]]:
    """All files of the spec's modules (or only `targets`), and the module folders.

    Text files come from the templates; bytes are packages tfgen builds from
    folders the spec names (a Lambda's `package.source`), so render, plan and
    check always see the zip the module reads.
    """
    from . import render  # Jinja: imported when rendering, not for load_environments (a cached `tfgen check`)

    files: dict[PurePosixPath, str | bytes] = {}
    modules: set[PurePosixPath] = set()
    for name in spec.targets:
        if targets and name not in targets:
            continue
        target = registry.get(name)
        module = render.module_path(spec, name)
        files.update(render.render_module(spec, target))
        for rel, source in target.packages(spec).items():
            from .package import PackageError, build_zip  # zipfile: only for a zip package

            try:
                files[module / rel] = build_zip(source)
            except PackageError as exc:  # the folder changed since validation
                raise SpecError(
                    [Problem(spec.origin or "<spec>", 1, 1, f"targets.{name}.package.source", str(exc))]
                ) from None
        modules.add(module)
    return files, modules


def ensure_module(spec_path: str | Path, target: str, env: str | None, modules_dir: Path) -> Path:
    """Render one module (writing only what changed) and return its folder."""
    from . import render

    spec = load_spec(spec_path, env)
    if target not in spec.targets:  # the same words and exit code (2, usage) as `tfgen render --target`
        raise UsageError(f"{spec_path} has no target {target}; it has: {', '.join(spec.targets)}")
    files, modules = render_spec(spec, [target])
    with output_lock(modules_dir):
        # refuses (listing them) when a rendered file was edited by hand: never reverted silently
        apply_changes(plan_changes(files, modules_dir, modules), modules_dir)
    return modules_dir / render.module_path(spec, target)
