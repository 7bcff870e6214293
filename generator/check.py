"""`tfgen check`: every gate on a set of specs, one summary table at the end.

validate -> render (committed modules with --check, or a temporary folder) ->
terraform fmt -check -> tfgen lint -> terraform validate (where the provider
is installable) -> tfgen scan. A step that cannot run says so; a step whose
tool breaks is a tool failure (exit 3), never a pass.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .errors import EXIT_FINDINGS, EXIT_OK, EXIT_TOOL, SpecError, TfgenError, ToolError

OK, FINDINGS, TOOL_FAILED, NOT_RUN = "ok", "findings", "tool failed", "not run"


@dataclass
class Step:
    name: str
    status: str = OK
    seconds: float = 0.0
    detail: str = ""
    messages: list[str] = field(default_factory=list)


@dataclass
class CheckOptions:
    specs: list[Path]
    env: str | None = None
    modules_dir: Path | None = None  # committed modules to compare against; None: a temp folder
    provider_schemas: list[Path] = field(default_factory=list)
    plugin_mirror: Path | None = None


def _timed(step: Step, action: Callable[[Step], None]) -> Step:
    start = time.perf_counter()
    try:
        action(step)
    except SpecError as exc:
        step.status, step.messages = FINDINGS, [str(p) for p in exc.problems]
    except ToolError as exc:
        step.status, step.messages = TOOL_FAILED, [str(exc)]
    except TfgenError as exc:
        step.status, step.messages = FINDINGS, [str(exc)]
    step.seconds = time.perf_counter() - start
    return step


def run_check(options: CheckOptions, echo: Callable[[str], None]) -> list[Step]:
    from .orphans import every_module, find_orphans
    from .pipeline import load_environments, render_spec
    from .writer import apply_changes, plan_changes

    steps: list[Step] = []
    specs, files, modules = [], {}, set()

    def validate(step: Step) -> None:
        problems = []
        for path in options.specs:
            try:
                specs.extend(load_environments(path, options.env))  # the base and every environment
            except SpecError as exc:
                problems.extend(exc.problems)
        step.detail = f"{len(options.specs)} spec(s)"
        if problems:
            raise SpecError(problems)

    steps.append(_timed(Step("validate"), validate))
    echo(f"validate: {steps[-1].status}")
    if steps[-1].status != OK:
        return steps

    scratch = tempfile.TemporaryDirectory(prefix="tfgen-check-")
    root = options.modules_dir or Path(scratch.name)

    def render(step: Step) -> None:
        for spec in specs:
            rendered, folders = render_spec(spec)
            files.update(rendered)
            modules.update(folders)
        changes = plan_changes(files, root, modules)
        if options.modules_dir is None:
            apply_changes(changes, root)
            step.detail = f"{len(modules)} module(s) in a temporary folder"
        else:
            step.detail = f"{len(modules)} module(s) against {root}"
            orphaned = [] if options.env else find_orphans(root, {s.service for s in specs}, every_module(specs))
            if changes or orphaned:
                step.status = FINDINGS
                step.messages = [f"out of date: {root / c.path} (would {c.kind}); run `tfgen render`" for c in changes]
                step.messages += [f"orphaned: {root / m} (rendered by tfgen; the spec no longer has it); "
                                  "run `tfgen render --prune`" for m in orphaned]

    try:
        steps.append(_timed(Step("render"), render))
        echo(f"render: {steps[-1].status}")
        if steps[-1].status == OK:
            folders = [root / m for m in sorted(modules)]
            for name, action in (("fmt", _fmt), ("lint", _lint), ("terraform validate", _validate), ("scan", _scan)):
                steps.append(_timed(Step(name), lambda step, a=action: a(step, folders, options)))
                echo(f"{name}: {steps[-1].status}")
        return steps
    finally:
        scratch.cleanup()


def _fmt(step: Step, folders: list[Path], options: CheckOptions) -> None:
    from .runners.static_checks import fmt_check

    unformatted = [f for folder in folders for f in fmt_check(folder)]
    step.detail = f"{len(folders)} module(s)"
    if unformatted:
        step.status, step.messages = FINDINGS, [f"not terraform fmt clean: {f}" for f in unformatted]


def _lint(step: Step, folders: list[Path], options: CheckOptions) -> None:
    from .lint import lint
    from .lint.engine import SchemaUnavailable

    try:
        report = lint(folders, options.provider_schemas)
    except SchemaUnavailable as exc:
        step.status, step.detail, step.messages = NOT_RUN, "no provider schema", [str(exc)]
        return
    step.detail = report.summary()
    if report.errors:
        step.status, step.messages = FINDINGS, [str(f) for f in report.errors]


def _validate(step: Step, folders: list[Path], options: CheckOptions) -> None:
    from .runners.static_checks import validate_module

    ran, unavailable = 0, []
    for folder in folders:
        outcome = validate_module(folder, plugin_mirror=options.plugin_mirror)
        if outcome.unavailable:
            unavailable.append(f"{folder}: {outcome.unavailable}")
            continue
        ran += 1
        if outcome.errors:
            step.status = FINDINGS
            step.messages.extend(f"{folder}: {e}" for e in outcome.errors)
    step.detail = f"{ran} of {len(folders)} module(s)"
    if unavailable:
        step.messages.extend(f"not run: {u}" for u in unavailable)
        if ran == 0:
            step.status = NOT_RUN


def _scan(step: Step, folders: list[Path], options: CheckOptions) -> None:
    from .runners.checkov import scan_paths

    result = scan_paths(folders)
    step.detail = result.summary()
    if not result.ok:
        step.status = FINDINGS
        step.messages = [f"{f.check_id} {f.resource} ({f.file}:{f.start_line}) {f.name}" for f in result.failed]


def exit_code(steps: list[Step]) -> int:
    statuses = {s.status for s in steps}
    if TOOL_FAILED in statuses:
        return EXIT_TOOL
    if FINDINGS in statuses:
        return EXIT_FINDINGS
    return EXIT_OK


def table(steps: list[Step], paint: Callable[[str, str], str] = lambda cell, _status: cell) -> str:
    """The summary table; `paint(padded cell, status)` may style the status column (colour on a terminal)."""
    rows = [("step", "status", "time", "detail")] + [(s.name, s.status, f"{s.seconds:.2f}s", s.detail) for s in steps]
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    lines = [f"{r[0]:<{widths[0]}}  {r[1]:<{widths[1]}}  {r[2]:>{widths[2]}}  {r[3]}".rstrip() for r in rows]
    lines.insert(1, "-" * max(len(l) for l in lines))
    for index, step in enumerate(steps, start=2):  # header and rule come first
        cell = f"{step.status:<{widths[1]}}"
        start = widths[0] + 2
        lines[index] = lines[index][:start] + paint(cell, step.status) + lines[index][start + len(cell):]
    return "\n".join(lines)
