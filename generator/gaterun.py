"""Run the output kinds' gates overlapped, in bounded jobs, and skip remembered passes.

Gates read module folders and write nothing into them, so they are
independent: `tfgen check` starts them together. Work that holds a heavy
process (a terraform provider plugin ~600 MB, Checkov ~300 MB) takes one of
`jobs` slots, so at most `jobs` such processes run at once. A gate marked
`per_module` (terraform validate) asks for a slot per module through
`GateOptions.each_module`; any other gate holds one slot for its whole run.
A gate marked `in_process` (lint, and the Terraform scan's HCL pre-read: their
parse time limits are SIGALRM timers, which only the main thread receives)
runs on the main thread, one after another, while the others run beside them.

Before a gate runs, modules whose pass is remembered (generator/check_cache.py)
are taken out; the gate runs on the rest, and if it passes on all of them each
one is remembered. The table says how many were cached.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import suppress
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TypeVar

from .check_cache import PassCache, module_digest, toolchain
from .errors import SpecError, TfgenError, ToolError
from .outputs import FINDINGS, OK, TOOL_FAILED, Gate, GateOptions, Step

R = TypeVar("R")

SLOT_MEMORY = 700 * 1024 * 1024  # one provider plugin process and its terraform, with room


def default_jobs() -> int:
    """The CPU count, lowered so that `jobs` provider processes fit in the memory available now."""
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(cpus, _available_memory() // SLOT_MEMORY))


def _available_memory() -> int:
    try:
        with open("/proc/meminfo") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 1 << 62  # not Linux: bounded by the CPU count alone


@dataclass(frozen=True)
class GateRun:
    kind: str  # output kind name, part of the cache key
    gate: Gate
    folders: list[Path]


def run_gates(
    runs: Sequence[GateRun], options: GateOptions, echo: Callable[[str], None], cache: PassCache | None = None
) -> list[Step]:
    """One Step per run, in the order given; `echo("<gate>: <status>")` as each finishes.

    jobs == 1: one gate after another on this thread, in order. `cache` None: nothing remembered.
    """
    jobs = max(1, options.jobs)
    steps = [Step(run.gate.name) for run in runs]
    digest = (
        toolchain(
            plugin_mirror=options.plugin_mirror,
            provider_schemas=options.provider_schemas,
            settings=[f"env={options.env}", "skip-validate=" + ",".join(sorted(options.skip_validate_providers))],
        )
        if cache is not None
        else ""
    )
    if jobs == 1:
        for run, step in zip(runs, steps, strict=True):
            _remembered(run, step, options, cache, digest, None, None)
            echo(f"{step.name}: {step.status}")
        return steps

    slots = threading.BoundedSemaphore(jobs)
    lock = threading.Lock()
    # gate threads wait on slots or on their modules; `jobs` more threads carry the modules themselves
    with ThreadPoolExecutor(max_workers=jobs + len(runs), thread_name_prefix="tfgen-gate") as pool:

        def one(index: int) -> None:
            _remembered(runs[index], steps[index], options, cache, digest, slots, pool)
            with lock:
                echo(f"{steps[index].name}: {steps[index].status}")

        futures: list[Future[None]] = [pool.submit(one, i) for i, run in enumerate(runs) if not run.gate.in_process]
        for index, run in enumerate(runs):
            if run.gate.in_process:
                one(index)
        for future in futures:
            future.result()
    return steps


def _remembered(
    run: GateRun,
    step: Step,
    options: GateOptions,
    cache: PassCache | None,
    digest: str,
    slots: threading.BoundedSemaphore | None,
    pool: ThreadPoolExecutor | None,
) -> None:
    start = time.perf_counter()
    gate = f"{run.kind}/{run.gate.name}"
    keys = _keys(gate, digest, run.folders, cache)
    cached = 0
    hits: list[Path] = []  # modules each_module found remembered (appended from several threads)

    if run.gate.per_module:  # the gate's modules are remembered one by one, inside each_module

        def each_module(work: Callable[[Path], R], folders: list[Path], clean: object = None) -> list[R]:
            def one(folder: Path) -> R:
                key = keys.get(folder)
                if cache is not None and clean is not None and key and cache.passed(key):
                    hits.append(folder)
                    return clean  # type: ignore[return-value]
                if slots is None:
                    result = work(folder)
                else:
                    with slots:
                        result = work(folder)
                if cache is not None and clean is not None and key and result == clean:
                    cache.remember_pass(key, gate)
                return result

            if pool is None:
                return [one(folder) for folder in folders]
            return [f.result() for f in [pool.submit(one, folder) for folder in folders]]

        given = options if cache is None and pool is None else replace(options, each_module=each_module)
        guarded(step, lambda s: run.gate.run(s, run.folders, given))
        cached = len(hits)
    else:
        todo = [f for f in run.folders if not (cache is not None and f in keys and cache.passed(keys[f]))]
        cached = len(run.folders) - len(todo)
        if todo:
            if slots is None:
                guarded(step, lambda s: run.gate.run(s, todo, options))
            else:
                with slots:
                    start = time.perf_counter()  # the table shows the step's own time, not its wait for a slot
                    guarded(step, lambda s: run.gate.run(s, todo, options))
            # only a pass on every module is remembered: a failure is never stored, so never replayed as a pass
            if cache is not None and step.status == OK and not (step.messages or step.not_run or step.skipped):
                for folder in todo:
                    if folder in keys:
                        cache.remember_pass(keys[folder], gate)
        elif cached:
            step.detail = f"{cached} module(s)"
    if cached:
        step.detail = f"{step.detail}, {cached} cached" if step.detail else f"{cached} cached"
    step.seconds = time.perf_counter() - start


def _keys(gate: str, digest: str, folders: list[Path], cache: PassCache | None) -> dict[Path, str]:
    if cache is None:
        return {}
    keys = {}
    for folder in folders:
        with suppress(OSError):  # an unreadable module is never remembered: the gate says what is wrong with it
            keys[folder] = cache.key(gate, digest, module_digest(folder))
    return keys


def guarded(step: Step, action: Callable[[Step], None]) -> None:
    """Run `action(step)`, turning tfgen's errors into the step's status (every check step and gate)."""
    try:
        action(step)
    except SpecError as exc:
        step.status, step.messages = FINDINGS, [str(p) for p in exc.problems]
    except ToolError as exc:
        step.status, step.messages = TOOL_FAILED, [str(exc)]
    except TfgenError as exc:
        step.status, step.messages = FINDINGS, [str(exc)]
