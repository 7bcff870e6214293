"""`tfgen plan SPEC --target T [--env E] [--emulator] [--summary text|markdown|json]`"""

from __future__ import annotations

import re
from pathlib import Path

import click

from .. import colour
from ..summary import FORMATS
from ._run_options import (
    echo_progress,
    emulator_option,
    module_options,
    resolve_module,
    variables_option,
)

EXIT_CHANGES = 2  # as `terraform plan -detailed-exitcode`


@click.command("plan")
@module_options
@emulator_option
@variables_option
@click.option(
    "--image",
    "image",
    metavar="REF",
    help="Deploy this image for this run: another tag or digest of the spec's container.image repository "
    "(sets the module's `image` input, kept in the saved plan; the spec is not edited).",
)
@click.option(
    "--summary",
    "summary_format",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="Summary on stdout: text, markdown (a pull-request comment) or json (machine-readable).",
)
def command(
    spec: Path | None,
    target: str | None,
    env: str | None,
    modules_dir: Path,
    module_dir: Path | None,
    plugin_mirror: Path | None,
    emulator: bool,
    variables: dict[str, str],
    image: str | None,
    summary_format: str,
) -> None:
    """Plan a module and save the plan for `tfgen apply`.

    Renders the module from SPEC (writing only what changed), runs
    `terraform init` and `terraform plan -out`, and saves the plan with a
    fingerprint of the module's files. Prints the summary on stdout:
    resources to be destroyed or replaced first, then the diff. Terraform's
    progress goes to stderr.

    Exit codes as `terraform plan -detailed-exitcode`: 0 no changes,
    2 changes, 1 error.

    \b
    Example:
      tfgen emulator start
      tfgen plan examples/iris-classifier.yaml --target aws-ecs --emulator
      tfgen plan examples/iris-classifier.yaml --target aws-ecs --env prod --summary markdown > plan.md
      tfgen plan --module-dir infra/legacy --plugin-mirror /opt/tf-plugins
      tfgen plan examples/iris-classifier.yaml --target gcp-cloud-run --var deletion_protection=false
      tfgen plan examples/iris-classifier.yaml --target aws-ecs --image ghcr.io/example/iris-classifier:1.4.3
    """
    from ..runners.plans import run_paths
    from ..runners.workflow import RunOptions, plan
    from ..summary import render
    from . import _kind_runner

    if (runner := _kind_runner.kind_runner(target)) is not None:  # e.g. kubectl diff for manifests
        if image is not None:
            raise click.UsageError(
                f"--image sets a Terraform module input; the {target} module is not Terraform: "
                "set container.image in the spec (or a Kustomize image override)"
            )
        _kind_runner.plan(runner, spec, target, env, modules_dir)
    folder, label = resolve_module(spec, target, env, modules_dir, module_dir)
    if image is not None:
        variables = {**variables, **_image_variable(image, folder, variables)}
    paths = run_paths(folder, modules_dir, emulator=emulator)
    options = RunOptions(plugin_mirror=plugin_mirror, emulator=emulator, label=label, variables=variables)
    result = plan(paths, options, echo_progress, diff=summary_format != "json")
    text = render(result.summary, summary_format, full_plan=_shown(paths.plan_json_file))
    click.echo(colour.plan_text(text) if summary_format == "text" else text, nl=False)
    for note in secret_value_notes(folder):
        echo_progress(note)
    echo_progress(f"plan saved in {paths.work_dir}; `tfgen apply` with the same module arguments applies it")
    raise SystemExit(EXIT_CHANGES if result.has_changes else 0)


# Data sources that read a secret's value (not a reference) into Terraform: the value is then
# in the plan and the state in clear text, whatever `sensitive` hides from the CLI (issue 13 #10).
SECRET_VALUE_SOURCES = re.compile(
    r'^data\s+"(azurerm_key_vault_secret|aws_secretsmanager_secret_version|google_secret_manager_secret_version)"\s+"([^"]+)"',
    re.MULTILINE,
)


def secret_value_notes(folder: Path) -> list[str]:
    """What the plan holds that a reader of it should know: secret values read at plan time."""
    found = sorted(
        {
            f"data.{kind}.{name}"
            for tf in folder.glob("*.tf")
            for kind, name in SECRET_VALUE_SOURCES.findall(tf.read_text(encoding="utf-8"))
        }
    )
    if not found:
        return []
    return [
        f"note: this plan holds secret values in clear text ({', '.join(found)} read them at plan time); so will the "
        "state after apply. Keep the state in an encrypted remote backend with restricted access, and do not keep or "
        "share the saved plan file."
    ]


_IMAGE_INPUT = re.compile(r'^variable "image" \{\n(?:.*\n)*?  default     = ("(?:[^"\\]|\\.)*")\n', re.M)


def _repository(image: str) -> str:
    """`registry/repo:tag` or `registry/repo@sha256:...` -> `registry/repo` (a port's colon is kept)."""
    name = image.split("@", 1)[0]
    slash = name.rfind("/")
    colon = name.rfind(":")
    return name[:colon] if colon > slash else name


def _image_variable(image: str, folder: Path, variables: dict[str, str]) -> dict[str, str]:
    """--image as the module's `image` input, after checking it: a valid reference, the same repository as the
    image the module was rendered with (its grants, e.g. ECR pull, are scoped to that repository)."""
    import json

    from ..spec_schema import spec_schema

    pattern = spec_schema()["$defs"]["container"]["properties"]["image"]["pattern"]
    if len(image) > 255 or not re.fullmatch(pattern, image):
        raise click.BadParameter(
            f"{image!r} is not an image reference (registry/repository:tag or @sha256 digest)", param_hint="--image"
        )
    if "image" in variables and variables["image"] != image:
        raise click.BadParameter("given twice (--image and --var image=...)", param_hint="--image")
    text = (folder / "variables.tf").read_text(encoding="utf-8") if (folder / "variables.tf").is_file() else ""
    declared = _IMAGE_INPUT.search(text)
    if declared is None:
        raise click.UsageError(
            f"{folder} takes no image input (a Lambda zip package, or a module kind that is not "
            "Terraform): --image cannot be used with it"
        )
    rendered = json.loads(declared.group(1))
    if _repository(image) != _repository(rendered):
        raise click.BadParameter(
            f"{image!r} is not in the repository the module was rendered for "
            f"({_repository(rendered)}); change container.image in the spec to move repositories",
            param_hint="--image",
        )
    return {"image": image}


def _shown(path: Path) -> str:
    """`path` relative to the current directory when it is below it (what a CI log or comment can name)."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return str(path)
