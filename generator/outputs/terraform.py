"""Terraform modules: `.tf` through the HCL encoder and formatter, and their gates.

Every Terraform module gets `versions.tf` (from the target's providers),
`backend.tf` (from the spec's state) and `README.md` (from the target's
README facts and facts read back from the rendered code) from templates/_shared/. The gates are
what `tfgen check` runs over Terraform modules: terraform fmt -check, tfgen
lint against provider schemas, terraform validate where the provider is
installable, and the Checkov scan.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from . import FINDINGS, NOT_RUN, FileKind, Gate, GateOptions, OutputKind, Step


def _fmt(step: Step, folders: list[Path], options: GateOptions) -> None:
    from ..runners.static_checks import fmt_check

    unformatted = [f for folder in folders for f in fmt_check(folder)]
    step.detail = f"{len(folders)} module(s)"
    if unformatted:
        step.status, step.messages = FINDINGS, [f"not terraform fmt clean: {f}" for f in unformatted]


def _lint(step: Step, folders: list[Path], options: GateOptions) -> None:
    from ..lint import lint
    from ..lint.engine import SchemaUnavailable

    try:
        report = lint(folders, options.provider_schemas)
    except SchemaUnavailable as exc:
        step.status, step.detail, step.messages = NOT_RUN, "no provider schema", [str(exc)]
        return
    step.detail = report.summary()
    if report.errors:
        step.status, step.messages = FINDINGS, [str(f) for f in report.errors]


def _validate(step: Step, folders: list[Path], options: GateOptions) -> None:
    from ..runners.static_checks import validate_module

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


def _scan(step: Step, folders: list[Path], options: GateOptions) -> None:
    from ..runners.checkov import scan_paths

    result = scan_paths(folders)
    step.detail = result.summary()
    if not result.ok:
        step.status = FINDINGS
        step.messages = [f"{f.check_id} {f.resource} ({f.file}:{f.start_line}) {f.name}" for f in result.failed]


# Imported when first used, so listing targets (e.g. for `tfgen --help`) loads no Jinja.
def _hcl_environment() -> Any:
    from ..render import HCL_FILE

    return HCL_FILE.environment()


def _tidy_hcl(text: str) -> str:
    from ..render import HCL_FILE

    return HCL_FILE.tidy(text)


def _markdown_environment() -> Any:
    from ..render import MARKDOWN_FILE

    return MARKDOWN_FILE.environment()


def _tidy_markdown(text: str) -> str:
    from ..render import MARKDOWN_FILE

    return MARKDOWN_FILE.tidy(text)


def _facts(files: dict[str, str]) -> dict[str, Any]:
    from ..diagram import mermaid
    from ..render import module_facts

    facts: dict[str, Any] = module_facts(files)
    facts["diagram"] = mermaid(facts["resources"])  # drawn from the same facts as the README's tables
    return facts


TERRAFORM = OutputKind(
    name="terraform",
    gates=(Gate("fmt", _fmt), Gate("lint", _lint), Gate("terraform validate", _validate), Gate("scan", _scan)),
    file_kinds={".tf": FileKind(_hcl_environment, _tidy_hcl), ".md": FileKind(_markdown_environment, _tidy_markdown)},
    facts=_facts,
    shared_templates=("README.md.j2", "backend.tf.j2", "versions.tf.j2"),
)
