"""`tfgen check` runs gates side by side in bounded jobs and remembers passes per module
(generator/gaterun.py, generator/check_cache.py). Fake gates: no terraform, no Checkov."""

from __future__ import annotations

import dataclasses
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.check_cache import PassCache
from generator.gaterun import GateRun, default_jobs, run_gates
from generator.outputs import FINDINGS, NOT_RUN, OK, Gate, GateOptions, Step
from tests.support import EXAMPLES


@pytest.fixture
def modules(tmp_path) -> list[Path]:
    folders = []
    for name in ("a", "b", "c"):
        folder = tmp_path / "modules" / name
        folder.mkdir(parents=True)
        (folder / "main.tf").write_text(f"# module {name}\n")
        folders.append(folder)
    return folders


def recording_gate(name: str, calls: list, fail_on: set[str] = frozenset(), **flags) -> Gate:
    def run(step: Step, folders: list[Path], options: GateOptions) -> None:
        calls.append([f.name for f in folders])
        bad = [f.name for f in folders if f.name in fail_on]
        step.detail = f"{len(folders)} module(s)"
        if bad:
            step.status, step.messages = FINDINGS, [f"finding in {b}" for b in bad]

    return Gate(name, run, **flags)


def check_twice(gate: Gate, folders, cache, options=None):
    options = options or GateOptions(specs=[])
    first = run_gates([GateRun("kind", gate, folders)], options, lambda line: None, cache)
    second = run_gates([GateRun("kind", gate, folders)], options, lambda line: None, cache)
    return first[0], second[0]


def test_a_pass_is_remembered_and_one_changed_module_is_checked_again(modules, tmp_path):
    calls: list = []
    cache = PassCache(tmp_path / "cache")
    first, second = check_twice(recording_gate("fmt", calls), modules, cache)
    assert calls == [["a", "b", "c"]]  # the second run ran nothing
    assert (first.status, second.status) == (OK, OK)
    assert second.detail == "3 module(s), 3 cached"

    (modules[1] / "main.tf").write_text("# changed\n")
    again = run_gates(
        [GateRun("kind", recording_gate("fmt", calls), modules)], GateOptions(specs=[]), lambda line: None, cache
    )[0]
    assert calls[-1] == ["b"]
    assert again.detail == "1 module(s), 2 cached"


def test_a_failure_is_never_remembered_so_it_fails_again(modules, tmp_path):
    calls: list = []
    cache = PassCache(tmp_path / "cache")
    first, second = check_twice(recording_gate("scan", calls, fail_on={"b"}), modules, cache)
    assert calls == [["a", "b", "c"], ["a", "b", "c"]]  # a failing run remembers none of its modules
    assert first.status == second.status == FINDINGS
    assert second.messages == ["finding in b"]


def test_a_module_the_gate_could_not_run_on_is_not_remembered(modules, tmp_path):
    calls: list = []

    def run(step, folders, options):
        calls.append([f.name for f in folders])
        step.status, step.not_run = NOT_RUN, [str(folders[0])]

    _first, second = check_twice(Gate("validate", run), modules, PassCache(tmp_path / "cache"))
    assert len(calls) == 2 and second.status == NOT_RUN


def test_no_cache_runs_everything(modules, tmp_path):
    calls: list = []
    cache = PassCache(tmp_path / "cache")
    check_twice(recording_gate("fmt", calls), modules, cache)
    run_gates([GateRun("kind", recording_gate("fmt", calls), modules)], GateOptions(specs=[]), lambda line: None, None)
    assert calls == [["a", "b", "c"], ["a", "b", "c"]]


def test_the_key_covers_tools_schemas_and_options(modules, tmp_path):
    calls: list = []
    cache = PassCache(tmp_path / "cache")
    schema = tmp_path / "aws.schema.json"
    schema.write_text("{}")
    check_twice(recording_gate("lint", calls), modules, cache)
    # another schema file, another skip setting, another gate name: none reuses the pass
    run_gates(
        [GateRun("kind", recording_gate("lint", calls), modules)],
        GateOptions(specs=[], provider_schemas=[schema]),
        lambda line: None,
        cache,
    )
    run_gates(
        [GateRun("kind", recording_gate("lint", calls), modules)],
        GateOptions(specs=[], skip_validate_providers=frozenset({"google"})),
        lambda line: None,
        cache,
    )
    run_gates(
        [GateRun("kind", recording_gate("scan", calls), modules)], GateOptions(specs=[]), lambda line: None, cache
    )
    assert len(calls) == 4
    schema.write_text('{"format_version": "1.0"}')  # the same schema file, edited
    run_gates(
        [GateRun("kind", recording_gate("lint", calls), modules)],
        GateOptions(specs=[], provider_schemas=[schema]),
        lambda line: None,
        cache,
    )
    assert len(calls) == 5


def test_a_corrupt_cache_entry_is_a_miss(modules, tmp_path):
    calls: list = []
    cache = PassCache(tmp_path / "cache")
    check_twice(recording_gate("fmt", calls), modules, cache)
    for entry in (tmp_path / "cache").rglob("*"):
        if entry.is_file():
            entry.write_text("not json")
    run_gates([GateRun("kind", recording_gate("fmt", calls), modules)], GateOptions(specs=[]), lambda line: None, cache)
    assert calls[-1] == ["a", "b", "c"]


def test_per_module_gate_remembers_each_clean_module_and_replays_nothing_else(modules, tmp_path):
    ran: list = []

    def run(step, folders, options):
        outcomes = options.each_module(lambda f: (ran.append(f.name), "error" if f.name == "b" else "")[1], folders, "")
        step.messages = [f"{f.name}: {o}" for f, o in zip(folders, outcomes, strict=True) if o]
        step.status = FINDINGS if step.messages else OK

    gate = Gate("terraform validate", run, per_module=True)
    for jobs in (1, 2):
        ran.clear()
        cache = PassCache(tmp_path / f"cache{jobs}")
        options = GateOptions(specs=[], jobs=jobs)
        first, second = check_twice(gate, modules, cache, options)
        assert sorted(ran) == ["a", "b", "b", "c"]  # the second run: only the module that failed
        assert first.messages == second.messages == ["b: error"]  # the failing module ran again and failed again
        assert second.status == FINDINGS and second.detail.endswith("2 cached")


def test_jobs_bound_how_many_gates_run_at_once_and_steps_keep_their_order(modules):
    running, most, lock = [0], [0], threading.Lock()
    threads: dict[str, str] = {}

    def gate(name, **flags):
        def run(step, folders, options):
            with lock:
                running[0] += 1
                most[0] = max(most[0], running[0])
            threads[name] = threading.current_thread().name
            time.sleep(0.05)  # long enough for the others to start beside it
            with lock:
                running[0] -= 1

        return Gate(name, run, **flags)

    runs = [
        GateRun("kind", gate(n, in_process=(n == "lint")), modules)
        for n in ("fmt", "lint", "validate", "scan", "build")
    ]
    seen: list[str] = []
    steps = run_gates(runs, GateOptions(specs=[], jobs=2), seen.append, None)
    assert [s.name for s in steps] == ["fmt", "lint", "validate", "scan", "build"]
    assert most[0] == 2  # overlapped, never more than --jobs
    assert threads["lint"] == threading.main_thread().name  # its SIGALRM parse limit works only there
    assert sorted(seen) == sorted(f"{n}: ok" for n in ("fmt", "lint", "validate", "scan", "build"))


def test_default_jobs_is_at_least_one_and_at_most_the_cpus():
    import os

    assert 1 <= default_jobs() <= (os.cpu_count() or 1)


def test_cli_check_remembers_passes_and_no_cache_forgets(monkeypatch, tmp_path):
    """`tfgen check` (the command the pre-commit hook runs) uses the cache; --no-cache runs every gate."""
    from generator.cli import cli
    from generator.outputs.terraform import TERRAFORM
    from generator.targets import registry

    calls: list = []
    kind = dataclasses.replace(TERRAFORM, name="fake", gates=(recording_gate("fake gate", calls),))
    monkeypatch.setattr(
        registry,
        "_BY_NAME",
        {name: dataclasses.replace(target, output=kind) for name, target in registry._BY_NAME.items()},
    )
    monkeypatch.setenv("TFGEN_CACHE_DIR", str(tmp_path / "cache"))
    spec = tmp_path / "svc.yaml"
    text = (EXAMPLES / "iris-classifier.yaml").read_text()
    spec.write_text(text)
    runner = CliRunner()
    args = ["check", str(spec), "--jobs", "2"]
    first = runner.invoke(cli, args)
    second = runner.invoke(cli, args)
    third = runner.invoke(cli, [*args, "--no-cache"])
    assert [r.exit_code for r in (first, second, third)] == [0, 0, 0], first.output
    assert len(calls) == 2  # first and --no-cache
    modules = calls[0]
    assert "fake gate" in second.output and f"{len(modules)} module(s), {len(modules)} cached" in second.output
    assert "cached" not in third.output
