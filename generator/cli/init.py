"""`tfgen init [SPEC] [--name N] [--image I] [--port P] [--target T]...`"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import click

from ..errors import EXIT_FINDINGS, SpecError
from ..starter import (
    LAMBDA_HANDLER,
    LAMBDA_SOURCE,
    NAME,
    TARGETS,
    Answers,
    needs_image,
    render,
    suggest_name,
)

GCP_PROJECT_HINT = "6-30 characters [a-z0-9-], starting with a letter"
KEY_VAULT_HINT = "/subscriptions/ID/resourceGroups/RG/providers/Microsoft.KeyVault/vaults/NAME"


def _interactive() -> bool:
    """Ask for what the flags left out only when a person is at the terminal."""
    return sys.stdin.isatty()


def _ask(value, label: str, flag: str, ask: bool, **prompt):
    if value is not None:
        return value
    if ask:
        return click.prompt(label, **prompt)
    if "default" in prompt:
        return prompt["default"]
    raise click.UsageError(f"{flag} is required (no terminal to ask; pass it, or run `tfgen init` in a terminal)")


def _valid_name(value: str) -> str:
    if not NAME.match(value):
        raise click.BadParameter("2-24 characters [a-z0-9-], starting with a letter, not ending with -")
    return value


def _targets(value: str) -> tuple[str, ...]:
    chosen = tuple(dict.fromkeys(t.strip() for t in value.replace(" ", ",").split(",") if t.strip()))
    unknown = [t for t in chosen if t not in TARGETS]
    if unknown or not chosen:
        raise click.BadParameter(f"choose from {', '.join(TARGETS)}" + (f"; unknown: {', '.join(unknown)}" if unknown else ""))
    return chosen


@click.command("init")
@click.argument("spec", default="tfgen.yaml", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--name", help="Service name: 2-24 characters [a-z0-9-]. Default: from the folder's name.")
@click.option("--image", help="Container image (pinned tag or digest); not needed for a Lambda-only service.")
@click.option("--port", type=click.IntRange(1, 65535), help="Port the server listens on.  [default: 8080]")
@click.option("--target", "targets", multiple=True, type=click.Choice(TARGETS), help="A platform (repeatable).  [default: aws-ecs]")
@click.option("--region", help="AWS region.  [default: us-east-1]")
@click.option("--gcp-project", help=f"Google Cloud project id for gcp-cloud-run ({GCP_PROJECT_HINT}).")
@click.option("--azure-resource-group", help="Azure resource group for azure-aci (created).  [default: rg-NAME]")
@click.option("--azure-key-vault-id", help=f"Key Vault resource id for azure-aci: {KEY_VAULT_HINT}.")
@click.option("--no-input", is_flag=True, help="Never prompt; use defaults for what the flags leave out.")
def command(spec, name, image, port, targets, region, gcp_project, azure_resource_group, azure_key_vault_id, no_input) -> None:
    """Write a commented starter spec (default tfgen.yaml) that validates as written.

    Asks for the service name, image, port and targets when run in a terminal
    (flags skip the questions; --no-input never asks). Refuses to overwrite an
    existing file. For aws-lambda it also writes a starter handler in src/
    (tfgen zips that folder) unless src/ already exists.

    \b
    Example:
      tfgen init
      tfgen init svc.yaml --name iris --image ghcr.io/acme/iris:1.0 --target aws-ecs --target gcp-cloud-run --gcp-project acme-ml
    """
    if spec.exists() or spec.is_symlink():
        click.echo(f"{spec} already exists; tfgen init never overwrites a file (remove it or name another)", err=True)
        raise SystemExit(EXIT_FINDINGS)
    ask = _interactive() and not no_input
    name = _valid_name(_ask(name, "Service name", "--name", ask, default=suggest_name(Path.cwd().resolve().name),
                            value_proc=_valid_name))
    chosen = tuple(dict.fromkeys(targets)) or _ask(None, f"Targets ({', '.join(TARGETS)})", "--target", ask,
                                                      default="aws-ecs", value_proc=_targets)
    if isinstance(chosen, str):
        chosen = _targets(chosen)
    if needs_image(chosen):
        image = _ask(image, "Container image (e.g. ghcr.io/acme/iris:1.0)", "--image", ask)
    port = _ask(port, "Port the server listens on", "--port", ask, default=8080, type=click.IntRange(1, 65535))
    answers = Answers(name=name, image=image if needs_image(chosen) else None, port=port, targets=chosen)
    if {"aws-ecs", "aws-lambda"} & set(chosen):
        answers = _with(answers, region=_ask(region, "AWS region", "--region", ask, default="us-east-1"))
    if "gcp-cloud-run" in chosen:
        answers = _with(answers, gcp_project=_ask(gcp_project, f"Google Cloud project ({GCP_PROJECT_HINT})", "--gcp-project", ask))
    if "azure-aci" in chosen:
        answers = _with(answers,
                        azure_resource_group=_ask(azure_resource_group, "Azure resource group", "--azure-resource-group", ask,
                                                  default=f"rg-{name}"),
                        azure_key_vault_id=_ask(azure_key_vault_id, f"Key Vault id ({KEY_VAULT_HINT})", "--azure-key-vault-id", ask))
    text = render(answers, spec.name)
    handler = spec.parent / LAMBDA_SOURCE / "app.py" if "aws-lambda" in chosen and not (spec.parent / LAMBDA_SOURCE).exists() else None
    _validate_before_writing(text, spec, handler)
    if handler is not None:
        handler.parent.mkdir(parents=True)
        with handler.open("x", encoding="utf-8") as out:
            out.write(LAMBDA_HANDLER)
        click.echo(f"wrote {handler} (a starter Lambda handler; tfgen zips {handler.parent} into the module)", err=True)
    try:
        with spec.open("x", encoding="utf-8") as out:
            out.write(text)
    except FileExistsError:
        click.echo(f"{spec} already exists; tfgen init never overwrites a file", err=True)
        raise SystemExit(EXIT_FINDINGS) from None
    click.echo(f"wrote {spec}; next: tfgen validate {spec} && tfgen render {spec}", err=True)


def _with(answers: Answers, **changes) -> Answers:
    from dataclasses import replace

    return replace(answers, **changes)


def _validate_before_writing(text: str, spec: Path, handler: Path | None) -> None:
    """Validate the text where it will live (so package.source resolves), writing nothing there yet."""
    from ..spec import load_bytes
    from ..validate import validate

    with tempfile.TemporaryDirectory(prefix="tfgen-init-") as scratch:
        where = spec.parent if handler is None else Path(scratch)
        if handler is not None:
            (where / LAMBDA_SOURCE).mkdir()
            (where / LAMBDA_SOURCE / "app.py").write_text(LAMBDA_HANDLER, encoding="utf-8")
        try:
            validate(load_bytes(text.encode(), str(where / spec.name)))
        except SpecError as exc:  # an answer a flag could not reject (e.g. an image or a project id)
            shown = "\n".join(str(p).replace(str(where / spec.name), str(spec), 1) for p in exc.problems)
            raise click.UsageError(f"the answers do not make a valid spec, nothing written:\n{shown}") from None
