"""Output kinds: how one kind of module is rendered and checked.

A target declares its kind (`Target.output`, see generator/targets/base.py).
An `OutputKind` names the shared templates every module of the kind gets, the
`FileKind` (Jinja environment + tidy-up) for each rendered file suffix, and the
gates `tfgen check` runs over the kind's module folders. generator/check.py
runs gates per kind and knows no kind by name.

Gate contract: `Gate(name, run)`, `run(step, folders, options)` sets
`step.status` (OK / FINDINGS / NOT_RUN / SKIPPED), `step.detail` (one line for
the table) and `step.messages`; `step.not_run` names every module it could not
run on (the check fails, even when others ran) and `step.skipped` every module
it skipped because the user asked to (shown on the summary line); it raises `ToolError` when its tool breaks (the
caller turns that into TOOL_FAILED) and `SpecError`/`TfgenError` for findings
it cannot express otherwise.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")


def _one_after_another(work: Callable[[Path], R], folders: list[Path], clean: Any = None) -> list[R]:
    return [work(folder) for folder in folders]


OK, FINDINGS, TOOL_FAILED, NOT_RUN = "ok", "findings", "tool failed", "not run"
SKIPPED = "skipped"  # every module of the step skipped, as the user asked (e.g. --skip-validate-provider)


@dataclass
class Step:
    """One row of `tfgen check`'s table."""

    name: str
    status: str = OK
    seconds: float = 0.0
    detail: str = ""
    messages: list[str] = field(default_factory=list)
    not_run: list[str] = field(default_factory=list)  # modules the step could not run on (the check then fails)
    skipped: list[str] = field(default_factory=list)  # modules skipped because the user asked, and why


@dataclass
class GateOptions:
    """What `tfgen check` was asked for; gates read what they need."""

    specs: list[Path]
    env: str | None = None
    modules_dir: Path | None = None  # committed modules to compare against; None: a temp folder
    provider_schemas: list[Path] = field(default_factory=list)
    plugin_mirror: Path | None = None
    # provider type names ("google"): terraform validate may skip a module only when these are what it cannot install
    skip_validate_providers: frozenset[str] = frozenset()
    jobs: int = 1  # at most this many heavy processes at once (generator/gaterun.py); 1: one gate after another
    cache: bool = False  # remember passes per module (generator/check_cache.py); the CLI turns it on
    # `each_module(work, folders, clean)` -> [work(folder) for each folder], run in `jobs` slots by
    # `tfgen check`; a module whose result equalled `clean` (its pass) before, with the same files and
    # tools, is not run again and gets `clean`. What per-module gates (Gate.per_module) call.
    each_module: Callable[..., list[Any]] = _one_after_another


@dataclass(frozen=True)
class Gate:
    name: str  # the step name in the table, e.g. "fmt"
    run: Callable[[Step, list[Path], GateOptions], None]
    # Runs its per-module work through `options.each_module` (parallel slots, remembered per module),
    # so `tfgen check` neither gives it a slot of its own nor remembers it as a whole.
    per_module: bool = False
    # Python work in tfgen's own process whose time limits are SIGALRM timers: runs on the main thread.
    in_process: bool = False
    # per_module only: () -> check_cache.Replay, a result other than the pass that `tfgen check` may remember
    # and give back (terraform validate's "provider not installable here"); None: only passes are remembered.
    replay: Callable[[], Any] | None = None


@dataclass(frozen=True)
class FileKind:
    """How templates of one file type render: the Jinja environment (its
    `finalize` is the encoder for that language) and the text clean-up after."""

    environment: Callable[[], Any]  # -> jinja2.Environment, built once by the callee
    tidy: Callable[[str], str]


@dataclass(frozen=True)
class OutputKind:
    name: str
    gates: tuple[Gate, ...]
    file_kinds: Mapping[str, FileKind]  # rendered file suffix (".tf", ".md") -> how it renders
    # Facts read back from a module's rendered files (not Markdown), given to its
    # Markdown templates as `module` so a README cannot drift from the code.
    facts: Callable[[dict[str, str]], Mapping[str, Any]]
    shared_templates: tuple[str, ...] = ()  # under templates/_shared/, rendered into every module of the kind
    # The conformance variants every target of the kind declares (a Kubernetes module has no network to create).
    required_variants: tuple[str, ...] = ("minimal", "public", "existing-network", "all-features")
    # How `tfgen plan` / `tfgen apply` run a module of this kind (an object with `plan(module, env, echo)`
    # and `apply(module, env, echo, confirm)`); None: Terraform (generator/runners/workflow.py).
    runner: Any = None
