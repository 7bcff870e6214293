"""Many specs for `tfgen render`: each read, validated and rendered in memory, in spec order.

Rendering is pure CPU work in Python (one core per process), so with more than
one CPU and many specs the specs are split into chunks rendered by forked
worker processes, and their results are put together in spec order. The
result is the same either way: the same files in the same order, the same
problems, the same first error. Nothing is written here (the caller writes
everything or nothing).
"""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath
from typing import Any, NoReturn

from .errors import Problem, SpecError, UsageError

# fewer specs per worker than this are not worth a process (fork, and pickling the results back)
MIN_SPECS_PER_JOB = 32
CHUNK = 16  # specs per piece of work: results come back in small pieces, so memory stays flat


class Batch:
    """What the specs render to. A plain class, not a dataclass: `tfgen render` of one spec imports
    this module, and building a dataclass costs more than the class is worth."""

    def __init__(self) -> None:
        self.files: dict[PurePosixPath, str | bytes] = {}
        self.modules: set[PurePosixPath] = set()
        self.problems: list[Problem] = []
        self.services: set[str] = set()  # for orphans: whatever --target/--env narrow
        self.every_module: set[PurePosixPath] = set()  # likewise
        self.atlantis_modules: list[Any] = []  # every Terraform module of the specs

    def add(self, other: Batch) -> None:
        self.files.update(other.files)
        self.modules |= other.modules
        self.problems += other.problems
        self.services |= other.services
        self.every_module |= other.every_module
        self.atlantis_modules += other.atlantis_modules


def default_jobs() -> int:
    """The CPUs this process may run on that other work is not already using (the 1-minute load
    average), at least 1: on a busy shared machine a worker only adds pickling and cold caches."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not Linux
        cpus = os.cpu_count() or 1
    try:
        busy = os.getloadavg()[0]
    except (AttributeError, OSError):
        busy = 0.0
    return max(1, round(cpus - busy))


def render_paths(
    paths: list[str], env: str | None, targets: tuple[str, ...], atlantis: bool, *, one_spec: bool = False
) -> Batch:
    """Every spec of `paths` in one process. `one_spec`: the command names one spec, so a --target it
    lacks is a usage error (with many specs, each renders the targets it has)."""
    from . import orphans
    from .pipeline import load_environments, render_spec

    batch = Batch()
    for path in paths:
        try:
            models = load_environments(path, env)
            every = models if env is None else load_environments(path)
        except SpecError as exc:
            batch.problems.extend(exc.problems)
            continue
        batch.services.add(models[0].service)
        batch.every_module |= orphans.every_module(every)
        if atlantis:
            batch.atlantis_modules += terraform_modules(Path(path), every)
        missing = [t for t in targets if t not in models[0].targets]
        if missing and one_spec:  # the words of pipeline.ensure_module's; the CLI shows it as its usage error
            raise UsageError(f"{path} has no target {', '.join(missing)}; it has: {', '.join(models[0].targets)}")
        for spec in models:
            rendered, folders = render_spec(spec, list(targets) or None)
            batch.files.update(rendered)
            batch.modules |= folders
    return batch


def render_all(paths: list[str], env: str | None, targets: tuple[str, ...], atlantis: bool, jobs: int) -> Batch:
    """`render_paths` over every spec, in up to `jobs` processes when there are enough specs."""
    jobs = min(jobs, len(paths) // MIN_SPECS_PER_JOB)
    if jobs < 2:
        return render_paths(paths, env, targets, atlantis, one_spec=len(paths) == 1)
    import multiprocessing

    work = [(paths[i : i + CHUNK], env, targets, atlantis) for i in range(0, len(paths), CHUNK)]
    batch = Batch()
    with multiprocessing.get_context("fork").Pool(jobs, initializer=_quiet_worker) as pool:
        for outcome in pool.imap(_render_chunk, work):  # in spec order, whatever finished first
            if isinstance(outcome, _Failed):
                outcome.raise_it()
            batch.add(outcome)
    return batch


def terraform_modules(spec_path: Path, models) -> list:
    """Every Terraform module a spec renders (base and environments, every target), for Atlantis."""
    from .atlantis import Module
    from .render import module_path
    from .targets import registry

    found = {}
    for spec in models:
        for name in spec.targets:
            if registry.get(name).output.name == "terraform":
                folder = module_path(spec, name)
                found[folder] = Module(spec_path, spec.service, folder)
    return list(found.values())


class _Failed:
    """An error a worker met, carried back to be raised in the parent as it would have been there."""

    def __init__(self, problems: list[Problem] | None, error: BaseException | None) -> None:
        self.problems = problems  # a SpecError's (its message is rebuilt from them)
        self.error = error

    def raise_it(self) -> NoReturn:
        if self.problems is not None:
            raise SpecError(self.problems)
        assert self.error is not None
        raise self.error


def _render_chunk(work: tuple[list[str], str | None, tuple[str, ...], bool]) -> Batch | _Failed:
    from .errors import TfgenError

    paths, env, targets, atlantis = work
    try:
        return render_paths(paths, env, targets, atlantis)
    except SpecError as exc:  # e.g. a package folder changed since validation
        return _Failed(exc.problems, None)
    except TfgenError as exc:  # one message and an exit code (errors.py): they pickle as they are
        return _Failed(None, exc)


def _quiet_worker() -> None:
    """Ctrl-C reaches the whole process group: the parent stops the workers and says "interrupted"."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
