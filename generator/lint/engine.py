"""Lint whole modules: find the .tf files, find each provider's schema, run the rules.

Which schema serves a provider, first match wins:
1. the --provider-schema files, in the order given;
2. `terraform providers schema -json` in the module directory, if it was
   `terraform init`-ed (cached by its lock file);
3. tfgen's bundled schemas (package data, trimmed to the types tfgen renders;
   see bundled.py for when they may serve a module);
4. the built-in `terraform` provider (terraform_data, terraform_remote_state).
A provider in use that none of them covers stops the lint with one error that
names it, before any rule runs: a partial lint would look clean when it isn't.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import TfgenError
from ..hclread import PARSE_TIMEOUT, Body, HclSyntaxError, HclTimeout, parse_file_within
from .bundled import bundled_pool
from .checker import Counts, FileChecker, provider_ref
from .findings import LintFinding
from .init_data import tfgen_data_dir
from .schema_source import (
    ProviderSchema,
    builtin_terraform_provider,
    load_schema_file,
    load_terraform_schemas,
)

DEFAULT_REGISTRY = "registry.terraform.io"
_SKIP_DIRS = {".terraform", ".git"}


class SchemaUnavailable(TfgenError):
    """A provider in use has no schema from any source."""


class NoModules(TfgenError):
    """A path given to lint has no .tf files."""


@dataclass
class LintReport:
    """All findings, sorted by file and line, plus what was checked."""

    findings: list[LintFinding]
    modules: int = 0
    files: int = 0
    counts: Counts = field(default_factory=Counts)

    @property
    def errors(self) -> list[LintFinding]:
        return [f for f in self.findings if f.is_error]

    @property
    def warnings(self) -> list[LintFinding]:
        return [f for f in self.findings if not f.is_error]

    def summary(self) -> str:
        c = self.counts
        return (
            f"lint: {len(self.errors)} error(s), {len(self.warnings)} warning(s) in {self.modules} module(s), "
            f"{self.files} file(s): {c.resources} resource(s), {c.data_sources} data source(s), "
            f"{c.providers} provider block(s) checked"
        )


def lint_modules(
    paths: Sequence[Path | str],
    schema_files: Sequence[Path | str] = (),
    *,
    use_terraform: bool = True,
    use_bundled: bool = True,
    cache_dir: Path | None = None,
) -> list[LintFinding]:
    """Findings for every module under `paths` (errors and warnings; check `.is_error`)."""
    return lint(paths, schema_files, use_terraform=use_terraform, use_bundled=use_bundled, cache_dir=cache_dir).findings


def lint(
    paths: Sequence[Path | str],
    schema_files: Sequence[Path | str] = (),
    *,
    use_terraform: bool = True,
    use_bundled: bool = True,
    cache_dir: Path | None = None,
    parse_timeout: float | None = PARSE_TIMEOUT,
) -> LintReport:
    """Lint module directories (or single .tf files); raise SchemaUnavailable or NoModules.

    A file the HCL grammar cannot read within `parse_timeout` seconds is an
    error finding of its own (the grammar has slow paths that run for hours).
    """
    modules = find_modules([Path(p) for p in paths])
    given: list[ProviderSchema] = []
    for schema_file in schema_files:
        given += load_schema_file(Path(schema_file), cache_dir)

    report = LintReport(findings=[], modules=len(modules))
    parsed: dict[Path, list[tuple[str, Body]]] = {}
    for module_dir, files in modules.items():
        parsed[module_dir] = []
        for tf in files:
            report.files += 1
            try:
                parsed[module_dir].append((str(tf), parse_file_within(tf, parse_timeout)))
            except HclSyntaxError as exc:
                report.findings.append(LintFinding(str(tf), exc.line, "", str(exc)))
            except HclTimeout:
                report.findings.append(
                    LintFinding(
                        str(tf),
                        1,
                        "",
                        f"not linted: the HCL parser did not finish reading this file within "
                        f"{parse_timeout:g} s (its grammar, which Checkov uses too, runs for many minutes on some "
                        "text, for example a `$${` left open in a string)",
                    )
                )
            except (OSError, UnicodeDecodeError) as exc:
                report.findings.append(LintFinding(str(tf), 0, "", f"cannot read: {exc}"))

    resolved = {
        d: _resolve_providers(d, bodies, given, use_terraform, use_bundled, cache_dir) for d, bodies in parsed.items()
    }
    missing: dict[str, list[tuple[Path, str]]] = {}
    for module_dir, (_, unresolved) in resolved.items():
        for name, why in unresolved.items():
            missing.setdefault(name, []).append((module_dir, why))
    if missing:
        raise SchemaUnavailable(_missing_message(missing))

    for module_dir, bodies in parsed.items():
        by_name = resolved[module_dir][0]
        for file, body in bodies:
            checker = FileChecker(file, by_name.get)
            report.findings += checker.check(body)
            report.counts.add(checker.counts)
    report.findings.sort()
    return report


def find_modules(paths: Iterable[Path]) -> dict[Path, list[Path]]:
    """Module directory -> its .tf files, for every directory holding .tf files under `paths`."""
    modules: dict[Path, list[Path]] = {}
    for path in paths:
        if path.is_file():
            if path.suffix != ".tf":
                raise NoModules(f"{path}: not a .tf file")
            files = modules.setdefault(path.parent, [])
            if path not in files:
                files.append(path)
            continue
        if not path.is_dir():
            raise NoModules(f"{path}: no such file or directory")
        found = sorted(
            tf for tf in path.rglob("*.tf") if tf.is_file() and not _SKIP_DIRS.intersection(tf.relative_to(path).parts)
        )
        if not found:
            raise NoModules(f"{path}: no .tf files here or below")
        for tf in found:
            files = modules.setdefault(tf.parent, [])
            if tf not in files:
                files.append(tf)
    return modules


def _resolve_providers(
    module_dir: Path,
    bodies: list[tuple[str, Body]],
    given: list[ProviderSchema],
    use_terraform: bool,
    use_bundled: bool,
    cache_dir: Path | None,
) -> tuple[dict[str, ProviderSchema], dict[str, str]]:
    """(local name -> schema, unresolved local name -> why) for one module."""
    sources = _required_providers(bodies)
    reasons: list[str] = []  # why terraform could not help, for the error message
    terraform: list[list[ProviderSchema]] = []  # asked at most once per module
    bundled: list[list[ProviderSchema]] = []
    bundled_reasons: dict[str, str] = {}  # local name -> why the bundled schema may not serve it

    def pools():  # lazily: terraform runs only if the given files leave a gap
        yield given
        if use_terraform:
            if not terraform:
                providers, why = load_terraform_schemas(module_dir, cache_dir, data_dir=tfgen_data_dir(module_dir))
                terraform.append(providers)
                reasons.extend([f"terraform: {why}"] if why else [])
            yield terraform[0]
        if not bundled:
            providers, why_not = bundled_pool(bodies, cache_dir) if use_bundled else ([], {})
            bundled.append(providers)
            bundled_reasons.update(why_not)
        yield bundled[0]
        yield [builtin_terraform_provider()]

    found: dict[str, ProviderSchema] = {}
    unresolved: dict[str, str] = {}
    for name in sorted(_providers_in_use(bodies)):
        schema = next((s for pool in pools() if (s := match_provider(name, sources.get(name), pool))), None)
        if schema is not None:
            found[name] = schema
        else:
            unresolved[name] = "; ".join(reasons + ([bundled_reasons[name]] if name in bundled_reasons else []))
    return found, unresolved


def match_provider(local_name: str, source: str | None, pool: list[ProviderSchema]) -> ProviderSchema | None:
    """The schema for a provider local name, given its required_providers source if any.

    Exact source address first, then the provider type name, then - loosely -
    google-beta served by a google schema.
    """
    address = normalize_source(source) if source else f"{DEFAULT_REGISTRY}/hashicorp/{local_name}"
    type_name = address.rsplit("/", 1)[-1]
    candidates = [type_name]
    if type_name.endswith("-beta"):
        candidates.append(type_name[: -len("-beta")])
    for schema in pool:
        if schema.source == address:
            return schema
    for candidate in candidates:
        for schema in pool:
            if schema.name == candidate:
                return schema
    return None


def normalize_source(source: str) -> str:
    """`hashicorp/aws` -> `registry.terraform.io/hashicorp/aws` (Terraform's default host)."""
    source = source.strip().lower()
    return source if source.count("/") >= 2 else f"{DEFAULT_REGISTRY}/{source}"


def _required_providers(bodies: list[tuple[str, Body]]) -> dict[str, str]:
    """Local name -> source, from every terraform { required_providers { ... } } in the module."""
    sources: dict[str, str] = {}
    for _, body in bodies:
        for terraform in body.blocks_of("terraform"):
            for required in terraform.body.blocks_of("required_providers"):
                for attr in required.body.attributes:
                    value = attr.value
                    if isinstance(value, dict) and isinstance(value.get("source"), str):
                        sources[attr.name] = value["source"]
    return sources


def _providers_in_use(bodies: list[tuple[str, Body]]) -> set[str]:
    names: set[str] = set()
    for _, body in bodies:
        for block in body.blocks:
            if block.type in ("resource", "data") and len(block.labels) == 2:
                names.add(provider_ref(block))
            elif block.type == "provider" and len(block.labels) == 1:
                names.add(block.labels[0])
    return names


def _missing_message(missing: dict[str, list[tuple[Path, str]]]) -> str:
    lines = []
    for name, where in sorted(missing.items()):
        dirs = ", ".join(str(d) for d, _ in where)
        line = (
            f"no schema for provider {name} (used in {dirs}); pass --provider-schema FILE "
            f"(the output of `terraform providers schema -json`, .json or .json.gz)"
        )
        reasons = sorted({why for _, why in where if why})
        if reasons:
            line += " [" + "; ".join(reasons) + "]"
        lines.append(line)
    return "\n".join(lines)
