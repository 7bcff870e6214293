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
one is remembered. A per-module gate's result that its `Gate.replay` declares
replayable (terraform validate's "provider not installable here") is kept and
given back too, under a key that also covers where providers come from. The
table says how many were cached.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import suppress
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TypeVar

from .check_cache import PassCache, Replay, gate_toolchain, module_digest
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
    runs: Sequence[GateRun],
    options: GateOptions,
    echo: Callable[[str], None],
    cache: PassCache | None = None,
    digests: Mapping[Path, str] | None = None,
) -> list[Step]:
    """One Step per run, in the order given; `echo("<gate>: <status>")` as each finishes.

    jobs == 1: one gate after another on this thread, in order. `cache` None: nothing remembered.
    `digests`: module folder -> check_cache.module_digest, when the caller has read them already.
    """
    jobs = max(1, options.jobs)
    steps = [Step(run.gate.name) for run in runs]
    memo = _Memo.of(runs, options, cache, digests)
    if jobs == 1 or memo.everything_remembered(runs):  # nothing to overlap: no threads
        for run, step in zip(runs, steps, strict=True):
            _remembered(run, step, options, memo, None, None)
            echo(f"{step.name}: {step.status}")
        return steps

    slots = threading.BoundedSemaphore(jobs)
    lock = threading.Lock()
    # gate threads wait on slots or on their modules; `jobs` more threads carry the modules themselves
    with ThreadPoolExecutor(max_workers=jobs + len(runs), thread_name_prefix="tfgen-gate") as pool:

        def one(index: int) -> None:
            _remembered(runs[index], steps[index], options, memo, slots, pool)
            with lock:
                echo(f"{steps[index].name}: {steps[index].status}")

        futures: list[Future[None]] = [pool.submit(one, i) for i, run in enumerate(runs) if not run.gate.in_process]
        for index, run in enumerate(runs):
            if run.gate.in_process:
                one(index)
        for future in futures:
            future.result()
    return steps


def all_remembered(
    runs: Sequence[GateRun], options: GateOptions, cache: PassCache | None, digests: Mapping[Path, str] | None
) -> bool:
    """Whether every gate has a remembered result for every module (then no module file need exist)."""
    if cache is None or digests is None or not set(digests) >= {f for run in runs for f in run.folders}:
        return False
    return _Memo.of(runs, options, cache, digests).everything_remembered(runs)


@dataclass
class _Memo:
    """The cache as the gates of one run see it: keys from the toolchain digest and each module's digest."""

    cache: PassCache | None
    toolchain: str
    digests: dict[Path, str]
    options: GateOptions
    replay_extra: dict[str, str | None]  # gate -> Replay.depends_on(options), computed once

    @classmethod
    def of(
        cls, runs: Sequence[GateRun], options: GateOptions, cache: PassCache | None, given: Mapping[Path, str] | None
    ) -> _Memo:
        if cache is None:
            return cls(None, "", {}, options, {})
        digest = gate_toolchain(options)
        digests = dict(given or {})
        for folder in {f for run in runs for f in run.folders} - set(digests):
            with suppress(OSError):  # an unreadable module is never remembered: the gate says what is wrong with it
                digests[folder] = module_digest(folder)
        return cls(cache, digest, digests, options, {})

    def _replay(self, run: GateRun) -> tuple[Replay | None, str | None]:
        if run.gate.replay is None:
            return None, None
        replay: Replay = run.gate.replay()
        name = _name(run)
        if name not in self.replay_extra:
            self.replay_extra[name] = replay.depends_on(self.options)
        return replay, self.replay_extra[name]

    def keys(self, run: GateRun, folder: Path) -> tuple[str | None, str | None]:
        """(the key of the gate's pass on the module, the key of a replayable result), None where not kept."""
        module = self.digests.get(folder)
        if self.cache is None or module is None:
            return None, None
        _replay, extra = self._replay(run)
        name = _name(run)
        replay_key = self.cache.replay_key(name, self.toolchain, extra, module) if extra else None
        return self.cache.key(name, self.toolchain, module), replay_key

    def everything_remembered(self, runs: Sequence[GateRun]) -> bool:
        return self.cache is not None and all(
            folder in self.digests and self.lookup(run, folder) is not None for run in runs for folder in run.folders
        )

    def lookup(self, run: GateRun, folder: Path) -> object | None:
        """The remembered result of the gate on the module: True for its pass, else a replayed result; or None."""
        key, replay_key = self.keys(run, folder)
        if key is None or self.cache is None:
            return None
        if self.cache.passed(key):
            return True
        if replay_key is not None:
            record = self.cache.outcome(replay_key)
            replay, _extra = self._replay(run)
            if record is not None and replay is not None and record.get("result") == "replay":
                try:
                    return replay.load(record["outcome"])
                except (KeyError, TypeError, ValueError):
                    return None
        return None

    def remember(self, run: GateRun, folder: Path, result: object, clean: object) -> None:
        """Keep `result` of the gate on the module when it is its pass (== clean) or a replayable result, and the
        module still reads as it did when the key was made (a file saved during the run is not remembered)."""
        key, replay_key = self.keys(run, folder)
        if key is None or self.cache is None:
            return
        replay, _extra = self._replay(run)
        record: dict[str, object]
        if result == clean:
            record = {"result": "passed", "gate": _name(run)}
            where = key
        elif replay_key is not None and replay is not None and replay.worth(result):
            record = {"result": "replay", "gate": _name(run), "outcome": replay.dump(result)}
            where = replay_key
        else:
            return
        try:
            unchanged = module_digest(folder) == self.digests[folder]
        except OSError:
            unchanged = False
        if unchanged:
            self.cache.remember(where, record)


def _name(run: GateRun) -> str:
    return f"{run.kind}/{run.gate.name}"


def _remembered(
    run: GateRun,
    step: Step,
    options: GateOptions,
    memo: _Memo,
    slots: threading.BoundedSemaphore | None,
    pool: ThreadPoolExecutor | None,
) -> None:
    start = time.perf_counter()
    cached = 0
    hits: list[Path] = []  # modules each_module found remembered (appended from several threads)

    if run.gate.per_module:  # the gate's modules are remembered one by one, inside each_module

        def each_module(work: Callable[[Path], R], folders: list[Path], clean: object = None) -> list[R]:
            def one(folder: Path) -> R:
                if clean is not None:
                    found = memo.lookup(run, folder)
                    if found is not None:
                        hits.append(folder)
                        return clean if found is True else found  # type: ignore[return-value]
                if slots is None:
                    result = work(folder)
                else:
                    with slots:
                        result = work(folder)
                if clean is not None:
                    memo.remember(run, folder, result, clean)
                return result

            if pool is None:
                return [one(folder) for folder in folders]
            return [f.result() for f in [pool.submit(one, folder) for folder in folders]]

        given = options if memo.cache is None and pool is None else replace(options, each_module=each_module)
        guarded(step, lambda s: run.gate.run(s, run.folders, given))
        cached = len(hits)
    else:
        todo = [f for f in run.folders if memo.lookup(run, f) is not True]
        cached = len(run.folders) - len(todo)
        if todo:
            if slots is None:
                guarded(step, lambda s: run.gate.run(s, todo, options))
            else:
                with slots:
                    start = time.perf_counter()  # the table shows the step's own time, not its wait for a slot
                    guarded(step, lambda s: run.gate.run(s, todo, options))
            # only a pass on every module is remembered: a failure is never stored, so never replayed as a pass
            if step.status == OK and not (step.messages or step.not_run or step.skipped):
                for folder in todo:
                    memo.remember(run, folder, True, True)
        elif cached:
            step.detail = f"{cached} module(s)"
    if cached:
        step.detail = f"{step.detail}, {cached} cached" if step.detail else f"{cached} cached"
    step.seconds = time.perf_counter() - start


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
