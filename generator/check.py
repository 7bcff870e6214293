"""`tfgen check`: every gate on a set of specs, one summary table at the end.

validate -> render (committed modules with --check, or a temporary folder) ->
each output kind's gates over that kind's modules, in the kind's order (for
Terraform: terraform fmt -check, tfgen lint, terraform validate, tfgen scan;
see generator/outputs/). This module names no output kind and no target:
each target declares its kind, and each kind its gates. The gates run
overlapped in `options.jobs` slots and skip remembered passes
(generator/gaterun.py, generator/check_cache.py). The render step is
remembered as well, keyed on the specs, what they package and tfgen: with
--modules-dir its "up to date" (the key also covers every file under the
modules' folders), in a temporary folder what each module's digest was (the
modules are then not written at all when every gate's result is remembered).
A re-check with nothing changed renders nothing and runs no gate.

The gate is green only when every step ran on every module. A step whose tool
breaks, or that could not run on some module (a provider that cannot be
installed, a provider with no schema), fails the check with exit 3 and says
why and what to do; the only way past it is an explicit, narrow skip the user
asks for (`--skip-validate-provider NAME`), which the summary line repeats.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from .check_cache import (
    PassCache,
    file_digests,
    module_digest,
    module_digest_in,
    one_run,
    render_inputs,
    render_key,
)
from .errors import EXIT_FINDINGS, EXIT_OK, EXIT_TOOL, SpecError
from .gaterun import GateRun, all_remembered, guarded, run_gates
from .outputs import FINDINGS, NOT_RUN, OK, SKIPPED, TOOL_FAILED, OutputKind, Step
from .outputs import GateOptions as CheckOptions

__all__ = [
    "FINDINGS",
    "NOT_RUN",
    "OK",
    "SKIPPED",
    "TOOL_FAILED",
    "CheckOptions",
    "Step",
    "exit_code",
    "run_check",
    "summary",
    "table",
]


def _timed(step: Step, action: Callable[[Step], None]) -> Step:
    start = time.perf_counter()
    guarded(step, action)
    step.seconds = time.perf_counter() - start
    return step


def run_check(options: CheckOptions, echo: Callable[[str], None]) -> list[Step]:
    with one_run():
        return _run_check(options, echo)


def _run_check(options: CheckOptions, echo: Callable[[str], None]) -> list[Step]:
    from .pipeline import load_environments
    from .targets import registry

    steps: list[Step] = []
    specs: list = []

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
        step.messages = _warnings(specs)

    steps.append(_timed(Step("validate"), validate))
    echo(f"validate: {steps[-1].status}")
    if steps[-1].status != OK:
        return steps

    scratch: tempfile.TemporaryDirectory | None = None  # rendered into when there are no committed modules
    if options.modules_dir is not None:
        root = options.modules_dir
    else:
        scratch = tempfile.TemporaryDirectory(prefix="tfgen-check-")
        root = Path(scratch.name)
    cache = PassCache() if options.cache else None
    remembered = _RememberedRender.of(options, specs, root, cache)
    modules: list[tuple[str, str]] = []  # (target, module folder relative to root), in render order

    def gate_runs(modules: list[tuple[str, str]]) -> list[GateRun]:
        by_kind: dict[str, tuple[OutputKind, list[Path]]] = {}  # output kind name -> (kind, module folders)
        for target, module in modules:
            kind = registry.get(target).output
            by_kind.setdefault(kind.name, (kind, []))[1].append(root / module)
        return [
            GateRun(kind.name, gate, sorted(set(folders))) for kind, folders in by_kind.values() for gate in kind.gates
        ]

    def render(step: Step) -> None:
        hit = remembered.hit
        if hit is not None and (
            options.modules_dir is not None  # the committed modules were up to date with these very inputs
            # a temporary folder: the modules need not be written when no gate has to read them
            or all_remembered(gate_runs(hit["modules"]), options, cache, remembered.module_digests(hit["modules"]))
        ):
            step.detail = f"{hit['detail']}, cached"
            if options.modules_dir is None:
                step.detail = (
                    f"{len(hit['digests'])} module(s), cached: none written, every gate's result is remembered"
                )
            modules.extend((target, module) for target, module in hit["modules"])
            return
        remembered.hit = None
        _render(options, specs, root, step, modules)
        if step.status == OK:
            remembered.keep(step, modules)

    try:
        steps.append(_timed(Step("render"), render))
        echo(f"render: {steps[-1].status}")
        if steps[-1].status == OK:
            steps.extend(run_gates(gate_runs(modules), options, echo, cache, remembered.module_digests(modules)))
        if options.modules_dir is None:  # name modules as `<service>/[<env>/]<target>`, not by a deleted temp path
            for step in steps:
                for names in (step.messages, step.not_run, step.skipped):
                    names[:] = [n.replace(f"{root}/", "") for n in names]
        return steps
    finally:
        if scratch is not None:
            scratch.cleanup()


def _render(options: CheckOptions, specs: list, root: Path, step: Step, modules: list[tuple[str, str]]) -> None:
    """Render every spec: into `root` (a temporary folder), or compared with the committed modules there."""
    from .orphans import every_module, find_orphans
    from .pipeline import render_spec
    from .render import module_path
    from .writer import apply_changes, plan_changes

    files: dict = {}
    folders: set = set()
    for spec in specs:
        rendered, spec_folders = render_spec(spec)
        files.update(rendered)
        folders.update(spec_folders)
        modules.extend((name, module_path(spec, name).as_posix()) for name in spec.targets)
    changes = plan_changes(files, root, folders)
    if options.modules_dir is None:
        apply_changes(changes, root)
        step.detail = f"{len(folders)} module(s) in a temporary folder"
        return
    step.detail = f"{len(folders)} module(s) against {root}"
    orphaned = [] if options.env else find_orphans(root, {s.service for s in specs}, every_module(specs))
    if changes or orphaned:
        step.status = FINDINGS
        step.messages = [f"out of date: {root / c.path} (would {c.kind}); run `tfgen render`" for c in changes]
        step.messages += [
            f"orphaned: {root / m} (rendered by tfgen; the spec no longer has it); run `tfgen render --prune`"
            for m in orphaned
        ]


class _RememberedRender:
    """The render step's remembered verdict (generator/check_cache.py keys it).

    --modules-dir: "up to date", keyed on every file under the modules' folders too (what render
    compares with, and what the gates then read). A temporary folder: "rendered", with each module's
    digest, so that when every gate has a remembered result for those digests nothing is written.
    """

    def __init__(self, options: CheckOptions, specs: list, root: Path, cache: PassCache | None) -> None:
        self.options, self.specs, self.root, self.cache = options, specs, root, cache
        self.committed = options.modules_dir is not None
        self.key: str | None = None
        self.hit: dict | None = None
        self.files: dict[str, str] | None = None  # relative path -> sha256 of every file under root/<service>/

    @classmethod
    def of(cls, options: CheckOptions, specs: list, root: Path, cache: PassCache | None) -> _RememberedRender:
        self = cls(options, specs, root, cache)
        if cache is None:
            return self
        self.key = self._key()
        record = cache.outcome(self.key) if self.key else None
        if record is not None and self._well_formed(record):
            self.hit = record
        return self

    def _well_formed(self, record: dict) -> bool:
        """A record this tfgen wrote for this mode (anything else is a miss, never an error)."""
        modules, digests = record.get("modules"), record.get("digests")
        return (
            record.get("result") == ("up to date" if self.committed else "rendered")
            and isinstance(record.get("detail"), str)
            and isinstance(modules, list)
            and all(isinstance(m, list) and len(m) == 2 and all(isinstance(p, str) for p in m) for m in modules)
            and (
                self.committed
                or (isinstance(digests, dict) and all(isinstance(digests.get(m), str) for _target, m in modules))
            )
        )

    def _key(self) -> str | None:
        services = sorted({spec.service for spec in self.specs})
        try:
            self.files = file_digests(self.root, services) if self.committed else None
            return render_key(
                spec_files=[str(p) for p in self.options.specs],
                settings=[f"env={self.options.env}", f"modules-dir={self.options.modules_dir}"],
                inputs=render_inputs(self.specs),
                modules=self.files,
            )
        except (OSError, ValueError):  # unreadable, or a package render will refuse: render says what is wrong
            self.files = None
            return None

    def keep(self, step: Step, modules: list[tuple[str, str]]) -> None:
        """Remember a render that found the modules up to date (or wrote them into the temporary folder), if
        nothing it read changed while it ran."""
        if self.cache is None or self.key is None or self.key != self._key():
            return
        record: dict[str, object] = {"detail": step.detail, "modules": modules}
        if self.committed:
            record["result"] = "up to date"
        else:
            try:
                record["digests"] = {module: module_digest(self.root / module) for _target, module in modules}
            except OSError:
                return
            record["result"] = "rendered"
        self.cache.remember(self.key, record)

    def module_digests(self, modules: list[tuple[str, str]]) -> dict[Path, str] | None:
        """Module folder -> check_cache.module_digest, from the files already read for the key (or, in a
        temporary folder, as remembered); None: read them from the folders."""
        if self.files is not None:
            return {self.root / module: module_digest_in(self.files, module) for _target, module in modules}
        if self.hit is not None and isinstance(self.hit.get("digests"), dict):
            digests = self.hit["digests"]
            return {self.root / module: digests[module] for _target, module in modules if module in digests}
        return None


def _warnings(specs) -> list[str]:
    """What each target warns about (Target.warnings) in each spec and environment; never a failure."""
    from .targets import registry

    out = []
    for spec in specs:
        where = spec.origin + (f" (environment {spec.env})" if spec.env else "")
        for name in spec.targets:
            out += [
                f"warning: {where}: {'.'.join(path)}: {message}" for path, message in registry.get(name).warnings(spec)
            ]
    return out


def exit_code(steps: list[Step]) -> int:
    """3 when a tool failed or a step did not run on every module, else 1 on findings, else 0."""
    statuses = {s.status for s in steps}
    if TOOL_FAILED in statuses or NOT_RUN in statuses or any(s.not_run for s in steps):
        return EXIT_TOOL
    if FINDINGS in statuses:
        return EXIT_FINDINGS
    return EXIT_OK


def summary(steps: list[Step]) -> str:
    """The last line: passed or failed (and why), then every skip the user asked for."""
    problems = []
    for step in steps:
        did_not_run = f"did not run on {len(step.not_run)} module(s)" if step.not_run else "did not run"
        if step.status == NOT_RUN:
            problems.append(f"{step.name} {did_not_run}")
        elif step.status in (FINDINGS, TOOL_FAILED):
            problems.append(f"{step.name}: {step.status}" + (f", and {did_not_run}" if step.not_run else ""))
        elif step.not_run:
            problems.append(f"{step.name} {did_not_run}")
    skipped = [f"{step.name} on {', '.join(step.skipped)}" for step in steps if step.skipped]
    if problems:
        line = "check: FAILED: " + "; ".join(problems)
    else:
        line = "check: passed: every step ran on every module" + (" except as skipped" if skipped else "")
    return line + (" (skipped as asked: " + "; ".join(skipped) + ")" if skipped else "")


def table(steps: list[Step], paint: Callable[[str, str], str] = lambda cell, _status: cell) -> str:
    """The summary table; `paint(padded cell, status)` may style the status column (colour on a terminal)."""
    rows = [("step", "status", "time", "detail")] + [(s.name, s.status, f"{s.seconds:.2f}s", s.detail) for s in steps]
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    lines = [f"{r[0]:<{widths[0]}}  {r[1]:<{widths[1]}}  {r[2]:>{widths[2]}}  {r[3]}".rstrip() for r in rows]
    lines.insert(1, "-" * max(len(line) for line in lines))
    for index, step in enumerate(steps, start=2):  # header and rule come first
        cell = f"{step.status:<{widths[1]}}"
        start = widths[0] + 2
        lines[index] = lines[index][:start] + paint(cell, step.status) + lines[index][start + len(cell) :]
    return "\n".join(lines)
