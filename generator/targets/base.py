"""The target contract: everything tfgen knows about one platform, in one typed value.

A target module (`generator/targets/<name>.py`) builds one `Target` and names
it `TARGET`; `registry.py` lists those values, and that list is the only
place tfgen learns which targets exist. Everything else is derived from it:
the spec schema's `targets` section and `$defs` (`generator/spec_schema.py`,
written to schemas/tfgen.schema.json), the defaults `model.normalize` applies,
`tfgen render --target` choices, the spec reference page, `versions.tf`, the
emulator's gaps and drift, the conformance suite's variants. Tests in
tests/test_target_contract.py fail when a target breaks this contract.

Adding a target (scripts/target-audit then shows nothing else names it):

1. generator/targets/<name_with_underscores>.py: `TARGET = Target(...)` with
   the fields below; `variants` are its tests (the conformance suite and the
   contract tests run over every registered target, no new test code).
2. templates/<template_dir>/*.j2: its own files. Terraform modules get
   versions.tf, backend.tf and README.md from templates/_shared/, and AWS
   targets the network pieces from templates/_shared/aws/.
3. One line in registry.py.
4. Regenerate, never hand-edit: `python -m generator.spec_schema` (the
   schema's target parts and docs/spec-reference.md).
A new kind of output (not Terraform) also needs generator/outputs/<kind>.py
(see "Output kinds" below), named in the target's `own_files` with any
builders only it uses.


- `name`, `title`: the spec key (`targets.<name>`, also the module folder) and
  the platform in words (the schema description).
- `template_dir`: the folder under templates/ rendered for the module. Every
  `*.j2` there is rendered; a template that renders empty is not written.
- `output`: the kind of module the target emits (`generator.outputs`): which
  shared templates every module of that kind gets, how each file type is
  encoded, and the gates `tfgen check` runs over it. See "Output kinds" below.
- `providers`: source and version constraint of each provider the module
  uses; `versions.tf` is rendered from them (templates/_shared/versions.tf.j2).
- `schema`: the JSON Schema of `targets.<name>` (Draft 2020-12); `schema_defs`:
  shared definitions it references with `$ref: "#/$defs/<key>"`.
- `defaults`: the values `normalize` fills in for settings the user left out;
  a nested mapping applies inside an object the user gave (never creates it).
  They must equal the schema fragment's `default`s (a contract test checks).
- `check(spec)`: the platform's limits, as (field path, message) findings.
- `context(spec)`: the template context (data only; templates read nothing else).
- `readme(spec, context)`: the README's title, what the module creates, and
  notes (`ReadmeFacts`), from the target's own context; one README template
  (templates/_shared/README.md.j2) renders them for every target.
- `needs_image(settings)`: whether this target needs `container.image`.
- `packages(spec)`: archives tfgen builds into the module (module-relative
  file -> source folder), e.g. a Lambda zip from `package.source`.
- `emulator_gaps` / `emulator_drift`: what the AWS emulator (moto) cannot
  create, or does not give back, for this target's resources
  (generator/runners/emulator_overrides.py applies the union over all targets).
- `routine_replacements`: resource types whose replacement in a plan is a routine deploy,
  not a loss (e.g. an ECS task definition: a new revision, the old one kept with
  skip_destroy); `tfgen apply` lets them through without --allow-destroy. Deleting
  them, and replacing anything else (buckets, keys, log groups, networks), still needs it.
- `warnings(spec)`: what `tfgen check` prints as warnings (field path, message)
  without failing, e.g. alarms nobody is notified of.
- `permission_cloud`: which `permissions.<cloud>` list (aws, gcp, azure) the target
  grants to the application's identity; None for a target that renders no cloud IAM.
- `starter`: what `tfgen init` asks and writes for the target (`Starter`).
- `kinds`: the spec kinds (`kind:`, "service" or "job") the target takes; validation
  refuses a spec of another kind, at `kind`, naming the targets that do take it
  (generator/spec_kind.py). Default: services only.
- `variants`: named example specs (plain dicts, each a whole spec with only
  this target) the conformance suite renders and checks; at least the ones
  its output kind requires (`OutputKind.required_variants`; for Terraform:
  `minimal`, `public`, `existing-network` and `all-features`).

Output kinds (the hook for non-Terraform modules)
-------------------------------------------------
`Target.output` is an `outputs.OutputKind`: a name ("terraform"), the shared
templates rendered into every module of that kind, a `FileKind` per file
suffix (the Jinja environment that encodes values for that language, and the
tidy-up applied after rendering), and its gates. `tfgen check` (generator/check.py)
groups the rendered modules by output kind and runs each kind's gates, in
order, over that kind's module folders; it names no kind and no target.

A gate is `outputs.Gate(name, run)` with `run(step, folders, options)`: it
fills in `step` (status, detail, messages) for `folders`, reading
`options` (`outputs.GateOptions`: provider schemas, plugin mirror ...). The
Terraform gates (fmt, lint, terraform validate, scan) are in
generator/outputs/terraform.py. A new kind (e.g. Kubernetes manifests with
schema validation, `kustomize build` and Checkov's Kubernetes framework) is a
new module beside it defining its `OutputKind` (and `runner` for plan/apply); its
target sets `output=` to it, and may build its files as data (`files`) rather than
from templates, as the Kubernetes manifests are (dumped by a safe YAML emitter).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..model import Spec
    from ..outputs import OutputKind

Finding = tuple[tuple, str]  # (field path, message)


@dataclass(frozen=True)
class Provider:
    """One entry of `required_providers`."""

    name: str  # local name, e.g. "aws"
    source: str  # e.g. "hashicorp/aws"
    version: str  # version constraint, e.g. ">= 5.100.0, < 6.0.0"


@dataclass(frozen=True)
class EmulatorGap:
    """A feature moto cannot emulate, and the module switch that leaves it out."""

    variable: str  # bool variable a rendered module declares for the feature
    feature: str  # what is left out, in words
    resource_types: tuple[str, ...]
    reason: str


@dataclass(frozen=True)
class EmulatorDrift:
    """Arguments moto accepts but does not give back, so every later plan would show a change."""

    resource_type: str
    arguments: tuple[str, ...]


@dataclass(frozen=True)
class ReadmeFacts:
    """What a module README says beyond the facts read back from its code: the
    platform in its title, the "What it creates" list and the notes. Items are
    plain text (Markdown-escaped when rendered) or `markdown(text)`, tfgen's own
    Markdown, used as written."""

    title: str
    creates: tuple[Any, ...] = ()
    notes: tuple[Any, ...] = ()


def markdown(text: str) -> Any:
    """A README item that is tfgen's own Markdown (backticks kept); spec values in it must
    be pattern-restricted by the schema so they cannot carry Markdown."""
    from ..hcl import Expr  # the renderer passes an Expr through unescaped

    return Expr(text)


@dataclass(frozen=True)
class StarterQuestion:
    """Something `tfgen init` asks for a target: a flag, and a prompt in a terminal."""

    option: str  # `tfgen init --<option>`; targets asking the same thing share one option (same question)
    prompt: str
    help: str
    default: str | None = None  # `{name}` is replaced by the service name; None: required


@dataclass(frozen=True)
class Starter:
    """What `tfgen init` writes for a target (generator/starter.py)."""

    questions: tuple[StarterQuestion, ...]
    # YAML lines under `targets.<name>:` (indented 4), from the answers by option; values through yaml_scalar()
    settings: Callable[[Mapping[str, Any]], list[str]]
    needs_image: bool = True
    # Lines replacing the starter's default for a top-level section ("scaling", "observability"),
    # or added to one ("container": comment lines under container:).
    sections: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # Files written beside the spec (path -> text) when their top folder does not exist yet.
    files: Mapping[str, str] = field(default_factory=dict)


def yaml_scalar(value: str | int) -> str:
    """A user value as a YAML scalar: a JSON string is a valid double-quoted YAML scalar,
    so an answer can never change the document's shape."""
    import json

    return json.dumps(value, ensure_ascii=False)


def _always(settings: Mapping[str, Any]) -> bool:
    return True


def _no_packages(spec: Spec) -> Mapping[PurePosixPath, Path]:
    return {}


def _no_files(spec: Spec) -> Mapping[PurePosixPath, str]:
    return {}


def _no_warnings(spec: Spec) -> list[Finding]:
    return []


@dataclass(frozen=True)
class Target:
    name: str
    title: str
    template_dir: str
    output: OutputKind
    providers: tuple[Provider, ...]
    schema: Mapping[str, Any]
    defaults: Mapping[str, Any]
    check: Callable[[Spec], list[Finding]]
    context: Callable[[Spec], dict[str, Any]]
    readme: Callable[[Spec, dict[str, Any]], ReadmeFacts] | None = None
    needs_image: Callable[[Mapping[str, Any]], bool] = _always
    packages: Callable[[Spec], Mapping[PurePosixPath, Path]] = _no_packages
    # Files built as data by code rather than from templates (path relative to the module folder -> text),
    # e.g. Kubernetes manifests dumped by a YAML emitter; rendered beside the templates' files.
    files: Callable[[Spec], Mapping[PurePosixPath, str]] = _no_files
    # True: one module holds every environment (e.g. Kustomize overlays), at <name>/<target>/ for
    # the base and every environment alike; False: one module per environment, <name>/[<env>/]<target>/.
    all_environments_in_one_module: bool = False
    # Further files and folders that belong to this target alone (e.g. its output kind and
    # builders), which may name it; the audit (contract.mentions) skips them like its module.
    own_files: tuple[str, ...] = ()
    schema_defs: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    emulator_gaps: tuple[EmulatorGap, ...] = ()
    emulator_drift: tuple[EmulatorDrift, ...] = ()
    variants: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    starter: Starter | None = None
    # What `tfgen check` reports as warnings, never failures (field path, message): a module that
    # works but likely not as meant, e.g. alarms that notify nobody.
    warnings: Callable[[Spec], list[Finding]] = _no_warnings
    # Resource types whose replacement is a routine deploy (issue 12 #5), never a stateful resource.
    routine_replacements: tuple[str, ...] = ()
    # The `permissions.<cloud>` escape hatch this target renders for the application's identity
    # ("aws", "gcp", "azure"); None: the target renders no cloud IAM and refuses `permissions`.
    permission_cloud: str | None = None
    # The spec kinds (`kind:`) this target takes: "service" (a server behind a port) and/or "job" (issue 17).
    kinds: frozenset[str] = frozenset({"service"})

    @property
    def schema_def_name(self) -> str:
        """The `$defs` key of the fragment: `cloud-service` -> `cloudService`."""
        first, *rest = self.name.split("-")
        return first + "".join(part.capitalize() for part in rest)


def apply_defaults(defaults: Mapping[str, Any], settings: Mapping[str, Any]) -> dict[str, Any]:
    """`settings` over `defaults`; a nested default mapping fills in only an object the user gave."""
    merged = dict(settings)
    for key, default in defaults.items():
        if isinstance(default, Mapping):
            if isinstance(merged.get(key), Mapping):
                merged[key] = apply_defaults(default, merged[key])
        elif key not in merged:
            merged[key] = default
    return merged
