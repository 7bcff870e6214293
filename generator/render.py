"""Rendering: model -> {relative path: text}, in memory, nothing written.

One Jinja environment per output kind, built once: `.tf` templates finalize
every `{{ }}` through the HCL encoder (a raw string cannot reach HCL) and are
then re-indented/aligned as `terraform fmt` would; `.md` templates escape
Markdown instead. StrictUndefined makes a missing variable an error.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from pathlib import PurePosixPath
from typing import Any

import jinja2

from . import hcl, paths
from .errors import RenderError
from .hclfmt import format_hcl
from .model import Spec
from .outputs import FileKind
from .targets.base import ReadmeFacts, Target

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|])")


def _md(value: Any) -> str:
    if isinstance(value, hcl.Expr):
        return str(value)
    text = "" if value is None else str(value)
    return _MD_SPECIAL.sub(r"\\\1", text.replace("\n", " "))


def _bytecode_cache() -> jinja2.BytecodeCache | None:
    """Compiled templates cached per user (XDG_CACHE_HOME): a cold `tfgen render` skips compiling them."""
    import os
    from pathlib import Path

    root = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "tfgen" / "jinja"
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None  # read-only home: render without the cache
    return jinja2.FileSystemBytecodeCache(str(root))


def _environment(finalize) -> jinja2.Environment:
    env = jinja2.Environment(
        bytecode_cache=_bytecode_cache(),
        loader=jinja2.FileSystemLoader(str(paths.templates_dir())),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
        auto_reload=False,  # templates are package data: no stat() per render
        finalize=finalize,
    )
    env.filters["ident"] = hcl.ident
    env.filters["hcl"] = lambda v: hcl.Expr(hcl.encode(v))
    env.filters["raw_md"] = hcl.Expr  # for tfgen's own Markdown fragments (tables, code)
    return env


@lru_cache(maxsize=1)
def hcl_environment() -> jinja2.Environment:
    return _environment(hcl.encode)


@lru_cache(maxsize=1)
def markdown_environment() -> jinja2.Environment:
    return _environment(_md)


@cache
def template_names(template_dir: str) -> tuple[str, ...]:
    folder = paths.templates_dir() / template_dir
    if not folder.is_dir():
        raise RenderError(f"no templates for {template_dir!r} in {paths.templates_dir()}")
    return tuple(sorted(p.name for p in folder.glob("*.j2")))


def _tidy_markdown(text: str) -> str:
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


MARKDOWN_FILE = FileKind(markdown_environment, _tidy_markdown)
HCL_FILE = FileKind(hcl_environment, lambda text: format_hcl(text) if text.strip() else "")


def render_template(name: str, context: dict[str, Any], file_kind: FileKind | None = None) -> str:
    """One template, through its file kind's environment and tidy-up (default: Markdown for
    `.md.j2`, HCL otherwise)."""
    if file_kind is None:
        file_kind = MARKDOWN_FILE if name.endswith(".md.j2") else HCL_FILE
    try:
        text = file_kind.environment().get_template(name).render(context)
    except jinja2.TemplateError as exc:
        lineno = getattr(exc, "lineno", None)
        where = f"{getattr(exc, 'filename', None) or name}" + (f":{lineno}" if lineno else "")
        raise RenderError(f"template {where}: {exc.message if hasattr(exc, 'message') else exc}") from None
    return file_kind.tidy(text)


def module_path(spec: Spec, target: str) -> PurePosixPath:
    """Where a module lives under the output root: <name>/[<env>/]<target> (<name>/<target> for a
    target that holds every environment in one module)."""
    from .targets import registry  # local: the registry's targets import this module

    one_module = registry.get(target).all_environments_in_one_module if target in registry.names() else False
    parts = [spec.service] + ([spec.env] if spec.env and not one_module else []) + [target]
    return PurePosixPath(*parts)


def module_templates(target: Target) -> dict[str, str]:
    """Output file name -> template: the output kind's shared templates and the target's own."""
    templates = {name[: -len(".j2")]: f"_shared/{name}" for name in target.output.shared_templates}
    for name in template_names(target.template_dir) if target.template_dir else ():  # "": files built by code only
        file_name = name[: -len(".j2")]
        if file_name in templates:
            raise RenderError(
                f"templates/{target.template_dir}/{name} clashes with the shared "
                f"{templates[file_name]} every {target.output.name} module gets"
            )
        templates[file_name] = f"{target.template_dir}/{name}"
    return dict(sorted(templates.items()))


@cache
def _suffix(file_name: str) -> str:
    return PurePosixPath(file_name).suffix


def _file_kind(target: Target, file_name: str) -> FileKind:
    suffix = _suffix(file_name)
    if suffix not in target.output.file_kinds:
        raise RenderError(f"{target.name}: {target.output.name} modules have no file kind for `{suffix}` ({file_name})")
    return target.output.file_kinds[suffix]


def render_module(spec: Spec, target: Target) -> dict[PurePosixPath, str]:
    """Every file of one module; a template that renders empty is not emitted.

    Non-Markdown files render first; Markdown templates then also get `module`,
    facts read back from those files (inputs, outputs, Checkov skips), and
    `readme`, the target's README facts, so a README never drifts from the code.
    """
    spec = spec.for_target(target.name)  # its `targets.<t>` overrides merged in (generator/overrides.py)
    # `target`: the shared templates name the module's own things by it (a cloud workspace per module)
    context = {**target.context(spec), "required_providers": target.providers, "target": target.name}
    out: dict[PurePosixPath, str] = {}
    by_name: dict[str, str] = {}  # the same files by their path in the module, for the facts
    root = module_path(spec, target.name)
    templates = module_templates(target)
    for file_name, template in templates.items():
        if not file_name.endswith(".md"):
            text = render_template(template, context, _file_kind(target, file_name))
            if text.strip():
                out[root / file_name] = by_name[file_name] = text
    for rel, text in sorted(target.files(spec).items()):
        path = root / rel
        out[path] = by_name[path.relative_to(root).as_posix()] = text
    facts = target.output.facts(by_name)
    readme = target.readme(spec, context) if target.readme else ReadmeFacts(target.title)
    for file_name, template in templates.items():
        if file_name.endswith(".md"):
            text = render_template(
                template, {**context, "module": facts, "readme": readme}, _file_kind(target, file_name)
            )
            out[root / file_name] = text
    return out


from .skip_comment import SKIP_COMMENT as _SKIP  # noqa: E402 - beside the other patterns (no report code)

_BLOCK = re.compile(r'^(resource|data)\s+"([^"]+)"\s+"([^"]+)"')
_VARIABLE = re.compile(r'^variable\s+"([^"]+)"\s*\{')
_OUTPUT = re.compile(r'^output\s+"([^"]+)"\s*\{')
_ATTR = re.compile(r"^\s+(description|type|default)\s*=\s*(.*)$")
_NUMBER = re.compile(r"^\s+([a-z_]+)\s*=\s*(\d+)\s*$")
_COUNT = re.compile(r"^\s+(count|for_each)\s*=\s*(.+)$")
_ACTIONS = re.compile(r"^\s+actions\s*=\s*\[(.*)\]")


def _unquote(value: str) -> str:
    value = value.strip()
    if value.startswith('"') and value.endswith('"'):
        return value[1:-1].replace('\\"', '"').replace("\\\\", "\\")
    return value


def _skip(match: re.Match, resource: str, file_name: str) -> dict[str, str]:
    return {"check": match.group(1), "reason": (match.group(2) or "").strip(), "resource": resource, "file": file_name}


def module_facts(tf_files: dict[str, str]) -> dict[str, list[dict[str, Any]]]:
    """Variables, outputs, resources and data sources, and inline Checkov skips of rendered Terraform.

    Each resource carries its `count`/`for_each` (None when it always exists),
    the whole-number arguments it sets (any depth: `max_capacity = 4`) and the
    IAM actions it lists, for the README's diagram.
    """
    variables, outputs, skips, resources = [], [], [], []
    for file_name in sorted(tf_files):
        current: dict[str, Any] | None = None
        block_address = None
        block: dict[str, Any] | None = None
        for line in tf_files[file_name].splitlines():
            # each regex runs only where a cheap test says it can match: this reads every line of every module
            if line[:1] == " ":  # inside a block: only its attributes and skip comments matter
                if block is not None:
                    if (
                        ("count" in line or "for_each" in line)
                        and line[2:3] != " "
                        and (m := _COUNT.match(line))
                        and line.startswith("  ")
                    ):
                        block["count"] = m.group(2).strip()
                    elif line.rstrip()[-1:].isdigit() and (m := _NUMBER.match(line)):
                        block["numbers"].setdefault(m.group(1), int(m.group(2)))
                    elif "actions" in line and (m := _ACTIONS.match(line)):
                        block["actions"] += re.findall(r'"([^"]+)"', m.group(1))
                if current is not None and line[2:3] != " " and line.startswith("  ") and (m := _ATTR.match(line)):
                    current[m.group(1)] = _unquote(m.group(2)) if m.group(1) == "description" else m.group(2).strip()
                if "skip=" in line and (m := _SKIP.search(line.strip())):  # every marker ends in "skip="
                    skips.append(_skip(m, block_address or file_name, file_name))
                continue
            if not line:
                continue
            if line.startswith(("resource", "data")) and (m := _BLOCK.match(line)):
                block_address = (m.group(2) if m.group(1) == "resource" else f"data.{m.group(2)}") + "." + m.group(3)
                block = {
                    "address": block_address,
                    "type": m.group(2),
                    "name": m.group(3),
                    "data": m.group(1) == "data",
                    "file": file_name,
                    "count": None,
                    "numbers": {},
                    "actions": [],
                }
                resources.append(block)
                if line.rstrip().endswith("{}"):
                    block = None
            elif line.startswith("}") or line.strip():  # the block ended
                block = None
            if line.startswith("variable") and (m := _VARIABLE.match(line)):
                current = {"name": m.group(1), "type": "any", "default": None, "description": ""}
                variables.append(current)
            elif line.startswith("output") and (m := _OUTPUT.match(line)):
                current = {"name": m.group(1), "description": ""}
                outputs.append(current)
            elif line.startswith("}"):
                current = None
            if "skip=" in line and (m := _SKIP.search(line.strip())):
                skips.append(_skip(m, block_address or file_name, file_name))
    return {
        "variables": sorted(variables, key=lambda v: v["name"]),
        "outputs": sorted(outputs, key=lambda o: o["name"]),
        "resources": resources,
        "skips": skips,
    }
