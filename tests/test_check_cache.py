"""`tfgen check` runs gates side by side in bounded jobs and remembers passes per module
(generator/gaterun.py, generator/check_cache.py). Fake gates: no terraform, no Checkov."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
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
        registry, "_LOADED", {name: dataclasses.replace(registry.get(name), output=kind) for name in registry.names()}
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


# -- the render step, the skip outcome and the pre-commit hook (issue 14: a re-check with nothing changed) ------


def fake_gates(monkeypatch, *gates: Gate) -> None:
    """Every target's modules get only `gates` (no terraform, no Checkov)."""
    from generator.outputs.terraform import TERRAFORM
    from generator.targets import registry

    kind = dataclasses.replace(TERRAFORM, name="fake", gates=gates)
    monkeypatch.setattr(
        registry, "_LOADED", {name: dataclasses.replace(registry.get(name), output=kind) for name in registry.names()}
    )


@pytest.fixture
def committed(tmp_path) -> tuple[Path, Path]:
    """A spec (iris-classifier: two targets, a prod environment) and its modules rendered beside it."""
    from generator.cli import cli

    spec = tmp_path / "iris.tfgen.yaml"
    spec.write_text((EXAMPLES / "iris-classifier.yaml").read_text())
    modules = tmp_path / "modules"
    result = CliRunner().invoke(cli, ["render", str(spec), "-o", str(modules)])
    assert result.exit_code == 0, result.output
    return spec, modules


def check(spec: Path, modules: Path, *extra: str):
    from generator.cli import cli

    return CliRunner().invoke(cli, ["check", str(spec), "--modules-dir", str(modules), "--jobs", "2", *extra])


def render_row(output: str) -> str:
    return next(line for line in output.splitlines() if line.startswith("render "))


def test_an_up_to_date_render_is_remembered_and_nothing_runs_again(monkeypatch, committed):
    calls: list = []
    fake_gates(monkeypatch, recording_gate("fake gate", calls))
    spec, modules = committed
    first, second = check(spec, modules), check(spec, modules)
    assert (first.exit_code, second.exit_code) == (0, 0), first.output
    assert "cached" not in render_row(first.output)
    assert render_row(second.output).endswith(f"4 module(s) against {modules}, cached")
    assert len(calls) == 1  # the second run ran no gate: every module's pass was remembered
    assert "4 module(s), 4 cached" in second.output


def test_a_changed_spec_is_rendered_and_compared_again(monkeypatch, committed):
    fake_gates(monkeypatch, recording_gate("fake gate", []))
    spec, modules = committed
    assert check(spec, modules).exit_code == 0
    original = spec.read_text()
    spec.write_text(original + "# a comment: new bytes, the same modules\n")
    again = check(spec, modules)
    assert again.exit_code == 0 and "cached" not in render_row(again.output)  # compared again, still up to date
    spec.write_text(original.replace("memory: 2048", "memory: 4096"))
    stale = check(spec, modules)
    assert stale.exit_code == 1 and "out of date:" in stale.output, stale.output
    spec.write_text(original)  # back to the bytes whose modules are committed: the remembered verdict holds
    assert render_row(check(spec, modules).output).endswith(", cached")


def test_a_changed_module_file_is_compared_again(monkeypatch, committed):
    calls: list = []
    fake_gates(monkeypatch, recording_gate("fake gate", calls))
    spec, modules = committed
    assert check(spec, modules).exit_code == 0
    main = modules / "iris-classifier" / "aws-ecs" / "main.tf"
    main.write_text(main.read_text() + "# edited\n")
    edited = check(spec, modules)
    assert edited.exit_code == 1 and f"out of date: {main}" in edited.output, edited.output
    assert len(calls) == 1  # the gates never ran on the stale modules


def test_an_orphaned_module_folder_is_found_after_a_remembered_render(monkeypatch, committed):
    fake_gates(monkeypatch, recording_gate("fake gate", []))
    spec, modules = committed
    assert check(spec, modules).exit_code == 0
    shutil.copytree(modules / "iris-classifier" / "aws-ecs", modules / "iris-classifier" / "staging" / "aws-ecs")
    orphaned = check(spec, modules)
    assert orphaned.exit_code == 1 and "orphaned:" in orphaned.output, orphaned.output


@pytest.fixture
def own_templates(tmp_path, monkeypatch) -> Path:
    """tfgen's templates copied where a test may edit them; render's template caches cleared around it."""
    from generator import paths, render

    copy = tmp_path / "templates"
    shutil.copytree(paths.templates_dir(), copy)
    caches = (render.hcl_environment, render.markdown_environment, render.template_names)
    for cached in caches:
        cached.cache_clear()
    monkeypatch.setattr(paths, "templates_dir", lambda: copy)
    yield copy
    for cached in caches:
        cached.cache_clear()


def test_a_changed_template_is_rendered_again(monkeypatch, committed, own_templates):
    fake_gates(monkeypatch, recording_gate("fake gate", []))
    spec, modules = committed
    assert check(spec, modules).exit_code == 0
    template = own_templates / "aws-ecs" / "main.tf.j2"
    template.write_text(template.read_text() + '\nlocals {\n  changed = "by a template edit"\n}\n')
    from generator import render

    render.hcl_environment.cache_clear()
    stale = check(spec, modules)
    assert stale.exit_code == 1 and "iris-classifier/aws-ecs/main.tf (would update)" in stale.output, stale.output


def test_no_cache_renders_and_runs_every_gate_again(monkeypatch, committed):
    calls: list = []
    fake_gates(monkeypatch, recording_gate("fake gate", calls))
    spec, modules = committed
    check(spec, modules)
    forced = check(spec, modules, "--no-cache")
    assert forced.exit_code == 0 and "cached" not in forced.output
    assert len(calls) == 2


def test_a_module_changed_while_its_gate_ran_is_not_remembered(modules, tmp_path):
    """The key is made from a module's bytes before the gate reads them: a file saved in between must not get
    the new bytes' pass stored under the old bytes' key."""
    (modules[0] / "main.tf").write_text("bad\n")

    def run(step, folders, options):
        (modules[0] / "main.tf").write_text("good\n")  # the user saves a fix just as the gate starts
        if any((f / "main.tf").read_text() == "bad\n" for f in folders):
            step.status, step.messages = FINDINGS, ["bad"]

    cache = PassCache(tmp_path / "cache")
    check_twice(Gate("fmt", run), modules, cache)  # passes, on "good"
    (modules[0] / "main.tf").write_text("bad\n")  # the bytes the first run's key was made from

    def judge(step, folders, options):
        if any((f / "main.tf").read_text() == "bad\n" for f in folders):
            step.status, step.messages = FINDINGS, ["bad"]

    again = run_gates([GateRun("kind", Gate("fmt", judge), modules)], GateOptions(specs=[]), lambda line: None, cache)
    assert again[0].status == FINDINGS


def test_a_file_digest_of_the_root_gives_each_modules_own_digest(modules):
    from generator.check_cache import file_digests, module_digest, module_digest_in

    (modules[0] / "sub").mkdir()
    (modules[0] / "sub" / "x.yaml").write_text("x: 1\n")
    (modules[0] / "terraform.tfstate").write_text("{}")
    root = modules[0].parent
    files = file_digests(root)
    assert [module_digest_in(files, m.name) for m in modules] == [module_digest(m) for m in modules]
    assert len({module_digest(m) for m in modules}) == 3


def validate_gate():
    from generator.outputs.terraform import TERRAFORM

    return next(g for g in TERRAFORM.gates if g.name == "terraform validate")


@pytest.fixture
def mirror(tmp_path) -> Path:
    folder = tmp_path / "mirror" / "registry.terraform.io" / "hashicorp" / "aws" / "5.100.0" / "linux_amd64"
    folder.mkdir(parents=True)
    (folder / "terraform-provider-aws_v5.100.0_x5").write_text("aws")
    return tmp_path / "mirror"


def fake_validate(monkeypatch, calls: list):
    """terraform validate as the mirror decides it: aws modules pass while the mirror has aws; "google"
    modules cannot install google unless the mirror has it."""
    from generator.runners import static_checks

    def validate_module(folder, *, plugin_mirror=None):
        calls.append(folder.name)
        needs = "google" if folder.name.startswith("g") else "aws"
        has = plugin_mirror is not None and (plugin_mirror / "registry.terraform.io" / "hashicorp" / needs).is_dir()
        if has:
            return static_checks.ValidateOutcome()
        return static_checks.ValidateOutcome(
            unavailable=f"provider not available here ({needs})", missing_providers=(needs,)
        )

    monkeypatch.setattr(static_checks, "validate_module", validate_module)


def validate_modules(tmp_path) -> list[Path]:
    folders = []
    for name in ("aws-a", "google-b"):
        folder = tmp_path / "m" / name
        folder.mkdir(parents=True)
        (folder / "main.tf").write_text(f"# {name}\n")
        folders.append(folder)
    return folders


def run_validate(folders, cache, mirror, skips=("google",)):
    options = GateOptions(specs=[], plugin_mirror=mirror, skip_validate_providers=frozenset(skips), jobs=2)
    return run_gates([GateRun("terraform", validate_gate(), folders)], options, lambda line: None, cache)[0]


def test_a_provider_the_mirror_lacks_is_remembered_until_the_mirror_changes(monkeypatch, tmp_path, mirror):
    calls: list = []
    fake_validate(monkeypatch, calls)
    folders, cache = validate_modules(tmp_path), PassCache(tmp_path / "cache")
    first, second = run_validate(folders, cache, mirror), run_validate(folders, cache, mirror)
    assert sorted(calls) == ["aws-a", "google-b"]  # the second run started no terraform init at all
    assert first.skipped == second.skipped == [f"{folders[1]} (google)"]
    assert (first.status, second.status) == (OK, OK) and second.detail == "1 of 2 module(s), 1 skipped, 2 cached"

    # the skip flag is read on every run, not remembered: without it the same replayed outcome fails the gate
    unskipped = run_validate(folders, cache, mirror, skips=())
    assert unskipped.status == NOT_RUN and unskipped.not_run == [str(folders[1])]

    # google added to the mirror: noticed, validated, and now it passes
    calls.clear()
    (mirror / "registry.terraform.io" / "hashicorp" / "google").mkdir()
    (mirror / "registry.terraform.io" / "hashicorp" / "google" / "provider").write_text("google")
    added = run_validate(folders, cache, mirror)
    assert sorted(calls) == ["aws-a", "google-b"] and added.skipped == [] and added.detail == "2 of 2 module(s)"


def test_a_provider_removed_from_the_mirror_is_validated_again_and_fails(monkeypatch, tmp_path, mirror):
    calls: list = []
    fake_validate(monkeypatch, calls)
    folders, cache = validate_modules(tmp_path)[:1], PassCache(tmp_path / "cache")
    assert run_validate(folders, cache, mirror).status == OK
    shutil.rmtree(mirror / "registry.terraform.io" / "hashicorp" / "aws")
    removed = run_validate(folders, cache, mirror)
    assert calls == ["aws-a", "aws-a"] and removed.status == NOT_RUN  # the remembered pass was not replayed


def test_an_uninstallable_provider_is_not_remembered_when_providers_may_come_from_a_network(
    monkeypatch, tmp_path, mirror
):
    calls: list = []
    fake_validate(monkeypatch, calls)
    folders, cache = validate_modules(tmp_path)[1:], PassCache(tmp_path / "cache")
    # no mirror: terraform asks the registry, which may have the provider next time
    run_validate(folders, cache, None), run_validate(folders, cache, None)
    assert calls == ["google-b", "google-b"]
    # a mirror, but the user's own provider_installation (it may name the registry or a network mirror)
    config = tmp_path / "user.tfrc"
    config.write_text("provider_installation {\n  direct {}\n}\n")
    monkeypatch.setenv("TF_CLI_CONFIG_FILE", str(config))
    run_validate(folders, cache, mirror), run_validate(folders, cache, mirror)
    assert calls == ["google-b"] * 4


@pytest.mark.terraform
def test_terraform_init_is_not_run_again_for_a_provider_the_mirror_lacks(monkeypatch, tmp_path):
    """The real gate: a Cloud Run module, a mirror without google; the second check starts no terraform."""
    from generator.runners import tfprocess
    from tests.support import REPO, require_terraform

    require_terraform()
    module = tmp_path / "gcp-cloud-run"
    shutil.copytree(REPO / "modules" / "churn-model" / "gcp-cloud-run", module)
    mirror = tmp_path / "mirror"
    (mirror / "registry.terraform.io").mkdir(parents=True)
    started: list = []
    real_run = tfprocess.run
    monkeypatch.setattr(tfprocess, "run", lambda *a, **k: (started.append(a[1]), real_run(*a, **k))[1])
    cache = PassCache(tmp_path / "cache")
    first, second = run_validate([module], cache, mirror), run_validate([module], cache, mirror)
    assert started == ["init"]
    assert first.status == second.status == "skipped" and first.skipped == second.skipped == [f"{module} (google)"]
    (mirror / "registry.terraform.io" / "README").write_text("changed")  # the mirror changed: found out again
    assert run_validate([module], cache, mirror).status == "skipped" and started == ["init", "init"]


def test_the_pre_commit_hook_shares_the_cache_with_a_check_by_hand(monkeypatch, committed):
    """The hook runs its `entry` on the staged spec files, without --modules-dir (a temporary folder): the
    modules it renders there have the bytes of the committed ones, so the gates' passes are found."""
    import yaml

    from generator.cli import cli
    from tests.support import REPO

    calls: list = []
    fake_gates(monkeypatch, recording_gate("fake gate", calls))
    spec, modules = committed
    assert check(spec, modules).exit_code == 0  # by hand
    hook = next(h for h in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text()) if h["id"] == "tfgen-check")
    program, *args = hook["entry"].split()
    assert program == "tfgen"
    result = CliRunner().invoke(cli, [*args, str(spec)])
    assert result.exit_code == 0, result.output
    assert len(calls) == 1 and "4 module(s), 4 cached" in result.output


def check_in_a_temporary_folder(spec: Path, *extra: str):
    from generator.cli import cli

    return CliRunner().invoke(cli, ["check", str(spec), "--jobs", "2", *extra])


def test_without_modules_dir_nothing_is_written_when_every_gate_is_remembered(monkeypatch, committed):
    calls: list = []
    fake_gates(monkeypatch, recording_gate("fake gate", calls))
    spec, _modules = committed
    first, second = check_in_a_temporary_folder(spec), check_in_a_temporary_folder(spec)
    assert (first.exit_code, second.exit_code) == (0, 0), first.output
    assert render_row(first.output).endswith("4 module(s) in a temporary folder")
    assert render_row(second.output).endswith("4 module(s), cached: none written, every gate's result is remembered")
    assert len(calls) == 1

    spec.write_text(spec.read_text().replace("memory: 2048", "memory: 4096"))  # a changed spec renders again
    changed = check_in_a_temporary_folder(spec)
    assert changed.exit_code == 0 and render_row(changed.output).endswith("in a temporary folder")
    assert len(calls) == 2 and len(calls[-1]) == 4  # memory is in every module: the gate ran on all four


def test_without_modules_dir_a_gate_with_nothing_remembered_gets_the_modules_written(monkeypatch, committed):
    spec, _modules = committed
    fake_gates(monkeypatch, recording_gate("fake gate", []))
    assert check_in_a_temporary_folder(spec).exit_code == 0

    seen: list = []

    def new_gate(step, folders, options):  # reads the module files: they must be there
        seen.extend(sorted(p.name for p in (folders[0]).iterdir()))

    fake_gates(monkeypatch, recording_gate("fake gate", []), Gate("new gate", new_gate))
    result = check_in_a_temporary_folder(spec)
    assert result.exit_code == 0, result.output
    assert render_row(result.output).endswith("4 module(s) in a temporary folder")
    assert "main.tf" in seen and "versions.tf" in seen


CHECK_WITH_A_FAKE_GATE = """
import dataclasses, sys
from generator.outputs import Gate
from generator.outputs.terraform import TERRAFORM
from generator.targets import registry

kind = dataclasses.replace(TERRAFORM, name="fake", gates=(Gate("fake gate", lambda step, folders, options: None),))
registry._LOADED = {name: dataclasses.replace(registry.get(name), output=kind) for name in registry.names()}
from generator.cli import cli

try:
    cli(["check", *sys.argv[1:]], prog_name="tfgen")
except SystemExit as exit:
    heavy = sorted(m for m in ("jinja2", "jsonschema", "checkov", "lark", "generator.render") if m in sys.modules)
    print("exit", exit.code, "imported:", ",".join(heavy) or "none")
"""


def test_a_remembered_check_imports_no_jinja_jsonschema_or_checkov(committed, tmp_path):
    """A re-check with nothing changed answers from the cache: none of the heavy libraries is loaded."""
    import os
    import subprocess
    import sys

    from tests.support import REPO

    spec, modules = committed
    args = [sys.executable, "-c", CHECK_WITH_A_FAKE_GATE, str(spec), "--modules-dir", str(modules)]
    env = dict(os.environ, TFGEN_CACHE_DIR=str(tmp_path / "cache"))
    first, second = (subprocess.run(args, cwd=REPO, env=env, capture_output=True, text=True) for _ in range(2))
    last = first.stdout.strip().splitlines()[-1]  # the control: the first run renders, so the probe sees Jinja
    assert last.startswith("exit 0 imported: ") and "jinja2" in last.split(": ")[1].split(","), first.stderr
    assert "render " in second.stdout and ", cached" in second.stdout
    assert second.stdout.strip().splitlines()[-1] == "exit 0 imported: none", second.stderr


def test_a_render_record_of_the_wrong_shape_is_a_miss(monkeypatch, committed, tmp_path):
    fake_gates(monkeypatch, recording_gate("fake gate", []))
    monkeypatch.setenv("TFGEN_CACHE_DIR", str(tmp_path / "cache"))
    spec, modules = committed
    for args, result in (((spec, modules), "up to date"), ((spec,), "rendered")):
        run = check if len(args) == 2 else check_in_a_temporary_folder
        assert run(*args).exit_code == 0
        assert render_row(run(*args).output).count("cached") == 1  # the control: remembered as written
        for entry in (tmp_path / "cache").rglob("*"):  # the render's entry: valid JSON, but not what tfgen wrote
            if entry.is_file() and "detail" in entry.read_text():
                entry.write_text(json.dumps({"result": result, "detail": "x", "modules": [["aws-ecs"]], "digests": 1}))
        again = run(*args)
        assert again.exit_code == 0, again.output
        assert "cached" not in render_row(again.output)


def test_an_installed_tfgen_and_a_checkout_of_the_same_code_share_keys(tmp_path):
    """The pre-commit hook runs tfgen installed in its own environment (data under generator/data/); a
    `tfgen check` by hand often runs a checkout. Same code and libraries: the same keys, so they share."""
    import subprocess
    import sys

    from tests.support import REPO

    site = tmp_path / "site"
    shutil.copytree(REPO / "generator", site / "generator", ignore=shutil.ignore_patterns("__pycache__"))
    for source, installed in (
        ("templates", "templates"),
        ("schemas", "schemas"),
        ("provider-schemas", "provider_schemas"),
    ):
        shutil.copytree(REPO / source, site / "generator" / "data" / installed)
    probe = (
        "import generator.check_cache as c, generator.paths as p; print(p.templates_dir()); print(c._fixed_toolchain())"
    )

    def toolchain(pythonpath: Path) -> list[str]:
        env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
        out = subprocess.run(
            [sys.executable, "-c", probe],
            cwd=tmp_path,
            env={**env, "PYTHONPATH": str(pythonpath)},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        return out.splitlines()

    installed, checkout = toolchain(site), toolchain(REPO)
    assert installed[0] == str(site / "generator" / "data" / "templates") and checkout[0] == str(REPO / "templates")
    assert installed[1:] == checkout[1:]

    (site / "generator" / "data" / "templates" / "aws-ecs" / "main.tf.j2").write_text("# changed\n")
    assert toolchain(site)[1:] != checkout[1:]  # the control: a changed template in the installed copy is seen


def test_a_recheck_whose_gates_are_all_remembered_starts_no_threads(monkeypatch, modules, tmp_path):
    import generator.gaterun as gaterun

    calls: list = []
    cache = PassCache(tmp_path / "cache")
    runs = [GateRun("kind", recording_gate(name, calls), modules) for name in ("fmt", "lint")]
    options = GateOptions(specs=[], jobs=2)
    first = run_gates(runs, options, lambda line: None, cache)
    assert [s.status for s in first] == [OK, OK] and len(calls) == 2

    def no_pool(*args, **kwargs):
        raise AssertionError("a thread pool was started for gates whose every result is remembered")

    monkeypatch.setattr(gaterun, "ThreadPoolExecutor", no_pool)
    second = run_gates(runs, options, lambda line: None, cache)
    assert [s.status for s in second] == [OK, OK] and len(calls) == 2
    assert [s.detail for s in second] == ["3 module(s), 3 cached"] * 2


def test_modules_dir_makes_no_scratch_folder(monkeypatch, committed):
    import generator.check as check_module

    def no_scratch(*args, **kwargs):
        raise AssertionError("a temporary folder was made although the modules are committed")

    fake_gates(monkeypatch, recording_gate("fake gate", []))
    monkeypatch.setattr(check_module.tempfile, "TemporaryDirectory", no_scratch)
    spec, modules = committed
    result = check(spec, modules)
    assert result.exit_code == 0, result.output
    assert render_row(result.output).endswith(f"4 module(s) against {modules}")


@pytest.mark.parametrize(("cpus", "slots", "jobs"), [(8, 2.5, 2), (8, 0.5, 1), (2, 10, 2)])
def test_default_jobs_fit_in_the_memory_available(monkeypatch, cpus, slots, jobs):
    import generator.gaterun as gaterun

    monkeypatch.setattr(gaterun.os, "sched_getaffinity", lambda _pid: set(range(cpus)), raising=False)
    monkeypatch.setattr(gaterun, "_available_memory", lambda: int(slots * gaterun.SLOT_MEMORY))
    assert default_jobs() == jobs


def test_an_out_of_date_render_is_never_remembered_as_up_to_date(monkeypatch, committed):
    fake_gates(monkeypatch, recording_gate("fake gate", []))
    spec, modules = committed
    main = modules / "iris-classifier" / "aws-ecs" / "main.tf"
    main.write_text(main.read_text() + "# edited\n")
    for _ in range(2):  # the second run finds it again: the first one's verdict was not kept
        result = check(spec, modules)
        assert result.exit_code == 1 and f"out of date: {main}" in result.output, result.output
        assert "cached" not in render_row(result.output)
