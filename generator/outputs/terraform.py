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

from . import FINDINGS, NOT_RUN, SKIPPED, FileKind, Gate, GateOptions, OutputKind, Step


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
        step.not_run = [str(f) for f in folders]
        return
    step.detail = report.summary()
    if report.errors:
        step.status, step.messages = FINDINGS, [str(f) for f in report.errors]


def _validate(step: Step, folders: list[Path], options: GateOptions) -> None:
    """terraform validate on every module; a module it cannot run on fails the check unless the user
    skipped exactly the providers it could not install (--skip-validate-provider)."""
    from ..runners.static_checks import ValidateOutcome, validate_module

    ran, missing = 0, set()
    outcomes = options.each_module(
        lambda folder: validate_module(folder, plugin_mirror=options.plugin_mirror), folders, ValidateOutcome()
    )
    for folder, outcome in zip(folders, outcomes, strict=True):
        if outcome.unavailable:
            uninstallable = set(outcome.missing_providers)
            if uninstallable and uninstallable <= options.skip_validate_providers:
                step.skipped.append(f"{folder} ({', '.join(sorted(uninstallable))})")
            else:
                step.not_run.append(str(folder))
                step.messages.append(f"not run: {folder}: {outcome.unavailable}")
                missing |= uninstallable - options.skip_validate_providers
            continue
        ran += 1
        if outcome.errors:
            step.status = FINDINGS
            step.messages.extend(f"{folder}: {e}" for e in outcome.errors)
    step.detail = f"{ran} of {len(folders)} module(s)" + (f", {len(step.skipped)} skipped" if step.skipped else "")
    if step.not_run:
        if step.status != FINDINGS:
            step.status = NOT_RUN
        skip = " ".join(f"--skip-validate-provider {name}" for name in sorted(missing))
        step.messages.append(
            f"could not run on {len(step.not_run)} module(s): give tfgen those providers (--plugin-mirror DIR "
            "holding them, or registry access)"
            + (f", or skip terraform validate for exactly these modules: {skip}" if skip else "")
        )
    elif step.skipped and ran == 0:
        step.status = SKIPPED


def _validate_replay() -> Any:
    from ..runners.static_checks import UNAVAILABLE_REPLAY

    return UNAVAILABLE_REPLAY


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
    gates=(
        Gate("fmt", _fmt),
        Gate("lint", _lint, in_process=True),
        Gate("terraform validate", _validate, per_module=True, replay=_validate_replay),
        Gate("scan", _scan, in_process=True),
    ),
    file_kinds={".tf": FileKind(_hcl_environment, _tidy_hcl), ".md": FileKind(_markdown_environment, _tidy_markdown)},
    facts=_facts,
    shared_templates=("README.md.j2", "backend.tf.j2", "versions.tf.j2"),
)
