"""`tfgen init [SPEC] [--name N] [--image I] [--port P] [--target T]...`"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import click

from ..errors import EXIT_FINDINGS, SpecError
from ..starter import (
    NAME,
    TARGETS,
    Answers,
    files,
    needs_image,
    questions,
    render,
    suggest_name,
)


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
    if not NAME.fullmatch(value):  # fullmatch: `$` alone lets a final "\n" through
        raise click.BadParameter("2-24 characters [a-z0-9-], starting with a letter, not ending with -")
    return value


def _targets(value: str) -> tuple[str, ...]:
    chosen = tuple(dict.fromkeys(t.strip() for t in value.replace(" ", ",").split(",") if t.strip()))
    unknown = [t for t in chosen if t not in TARGETS]
    if unknown or not chosen:
        raise click.BadParameter(
            f"choose from {', '.join(TARGETS)}" + (f"; unknown: {', '.join(unknown)}" if unknown else "")
        )
    return chosen


def _target_options(command):
    """One option per question the targets' starters ask (targets asking the same thing share it)."""
    for question in reversed(questions()):
        default = f"  [default: {question.default.replace('{name}', 'NAME')}]" if question.default else ""
        command = click.option(f"--{question.option}", question.option.replace("-", "_"), help=question.help + default)(
            command
        )
    return command


@click.command("init")
@click.argument("spec", default="tfgen.yaml", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--name", help="Service name: 2-24 characters [a-z0-9-]. Default: from the folder's name.")
@click.option("--image", help="Container image (pinned tag or digest); not needed for a Lambda-only service.")
@click.option("--port", type=click.IntRange(1, 65535), help="Port the server listens on.  [default: 8080]")
@click.option(
    "--target",
    "targets",
    multiple=True,
    type=click.Choice(TARGETS),
    help="A platform (repeatable).  [default: aws-ecs]",
)
@_target_options
@click.option("--no-input", is_flag=True, help="Never prompt; use defaults for what the flags leave out.")
def command(spec, name, image, port, targets, no_input, **given) -> None:
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
    name = _valid_name(
        _ask(
            name, "Service name", "--name", ask, default=suggest_name(Path.cwd().resolve().name), value_proc=_valid_name
        )
    )
    chosen = tuple(dict.fromkeys(targets)) or _ask(
        None, f"Targets ({', '.join(TARGETS)})", "--target", ask, default=TARGETS[0], value_proc=_targets
    )
    if isinstance(chosen, str):
        chosen = _targets(chosen)
    if needs_image(chosen):
        image = _ask(image, "Container image (e.g. ghcr.io/acme/iris:1.0)", "--image", ask)
    port = _ask(port, "Port the server listens on", "--port", ask, default=8080, type=click.IntRange(1, 65535))
    settings = {}
    for question in questions(chosen):
        default = {} if question.default is None else {"default": question.default.replace("{name}", name)}
        settings[question.option] = _ask(
            given[question.option.replace("-", "_")], question.prompt, f"--{question.option}", ask, **default
        )
    answers = Answers(
        name=name, image=image if needs_image(chosen) else None, port=port, targets=chosen, settings=settings
    )
    text = render(answers, spec.name)
    extra = {
        spec.parent / rel: content
        for rel, content in files(chosen).items()
        if not (spec.parent / rel.split("/")[0]).exists()
    }
    _validate_before_writing(text, spec, extra)
    for path, content in extra.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("x", encoding="utf-8") as out:
            out.write(content)
        click.echo(f"wrote {path} (a starter file; tfgen builds {path.parent} into the module)", err=True)
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


def _validate_before_writing(text: str, spec: Path, extra: dict[Path, str]) -> None:
    """Validate the text where it will live (so package.source resolves), writing nothing there yet."""
    from ..spec import load_bytes
    from ..validate import validate

    with tempfile.TemporaryDirectory(prefix="tfgen-init-") as scratch:
        where = spec.parent if not extra else Path(scratch)
        for path, content in extra.items():
            copy = where / path.relative_to(spec.parent)
            copy.parent.mkdir(parents=True, exist_ok=True)
            copy.write_text(content, encoding="utf-8")
        try:
            validate(load_bytes(text.encode(), str(where / spec.name)))
        except SpecError as exc:  # an answer a flag could not reject (e.g. an image or a project id)
            shown = "\n".join(str(p).replace(str(where / spec.name), str(spec), 1) for p in exc.problems)
            raise click.UsageError(f"the answers do not make a valid spec, nothing written:\n{shown}") from None
