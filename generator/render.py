"""Rendering: model -> {relative path: text}, in memory, nothing written.

One Jinja environment per output kind, built once: `.tf` templates finalize
every `{{ }}` through the HCL encoder (a raw string cannot reach HCL) and are
then re-indented/aligned as `terraform fmt` would; `.md` templates escape
Markdown instead. StrictUndefined makes a missing variable an error.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import PurePosixPath
from typing import Any

import jinja2

from . import hcl, paths
from .errors import RenderError
from .hclfmt import format_hcl
from .model import Spec

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


@lru_cache(maxsize=None)
def template_names(template_dir: str) -> tuple[str, ...]:
    folder = paths.templates_dir() / template_dir
    if not folder.is_dir():
        raise RenderError(f"no templates for {template_dir!r} in {paths.templates_dir()}")
    return tuple(sorted(p.name for p in folder.glob("*.j2")))


def render_template(name: str, context: dict[str, Any]) -> str:
    is_markdown = name.endswith(".md.j2")
    env = markdown_environment() if is_markdown else hcl_environment()
    try:
        text = env.get_template(name).render(context)
    except jinja2.TemplateError as exc:
        lineno = getattr(exc, "lineno", None)
        where = f"{getattr(exc, 'filename', None) or name}" + (f":{lineno}" if lineno else "")
        raise RenderError(f"template {where}: {exc.message if hasattr(exc, 'message') else exc}") from None
    if is_markdown:
        return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"
    return format_hcl(text) if text.strip() else ""


def module_path(spec: Spec, target: str) -> PurePosixPath:
    """Where a module lives under the output root: <name>/[<env>/]<target>."""
    parts = [spec.service] + ([spec.env] if spec.env else []) + [target]
    return PurePosixPath(*parts)


def render_module(spec: Spec, target_module) -> dict[PurePosixPath, str]:
    """Every file of one module; a template that renders empty is not emitted.

    Terraform files render first; Markdown templates then also get `module`,
    facts read back from that Terraform (inputs, outputs, Checkov skips), so
    the README can never drift from the code it describes.
    """
    context = target_module.context(spec)
    out: dict[PurePosixPath, str] = {}
    root = module_path(spec, target_module.NAME)
    names = template_names(target_module.TEMPLATE_DIR)
    for name in [n for n in names if not n.endswith(".md.j2")]:
        text = render_template(f"{target_module.TEMPLATE_DIR}/{name}", context)
        if text.strip():
            out[root / name[: -len(".j2")]] = text
    facts = module_facts({path.name: text for path, text in out.items()})
    for name in [n for n in names if n.endswith(".md.j2")]:
        out[root / name[: -len(".j2")]] = render_template(f"{target_module.TEMPLATE_DIR}/{name}", {**context, "module": facts})
    return out


_SKIP = re.compile(r"#\s*checkov:skip=([A-Z0-9_]+)(?::(.*))?$")
_BLOCK = re.compile(r'^(resource|data)\s+"([^"]+)"\s+"([^"]+)"')
_VARIABLE = re.compile(r'^variable\s+"([^"]+)"\s*\{')
_OUTPUT = re.compile(r'^output\s+"([^"]+)"\s*\{')
_ATTR = re.compile(r'^\s+(description|type|default)\s*=\s*(.*)$')


def _unquote(value: str) -> str:
    value = value.strip()
    if value.startswith('"') and value.endswith('"'):
        return value[1:-1].replace('\\"', '"').replace("\\\\", "\\")
    return value


def module_facts(tf_files: dict[str, str]) -> dict[str, list[dict[str, Any]]]:
    """Variables, outputs and inline Checkov skips of rendered Terraform."""
    variables, outputs, skips = [], [], []
    for file_name in sorted(tf_files):
        current: dict[str, Any] | None = None
        block_address = None
        for line in tf_files[file_name].splitlines():
            if m := _BLOCK.match(line):
                block_address = (m.group(2) if m.group(1) == "resource" else f"data.{m.group(2)}") + "." + m.group(3)
            if m := _VARIABLE.match(line):
                current = {"name": m.group(1), "type": "any", "default": None, "description": ""}
                variables.append(current)
            elif m := _OUTPUT.match(line):
                current = {"name": m.group(1), "description": ""}
                outputs.append(current)
            elif line.startswith("}"):
                current = None
            elif current is not None and (m := _ATTR.match(line)) and line.startswith("  ") and not line.startswith("   "):
                current[m.group(1)] = _unquote(m.group(2)) if m.group(1) == "description" else m.group(2).strip()
            if m := _SKIP.search(line.strip()):
                skips.append({"check": m.group(1), "reason": (m.group(2) or "").strip(),
                              "resource": block_address or file_name, "file": file_name})
    return {"variables": sorted(variables, key=lambda v: v["name"]),
            "outputs": sorted(outputs, key=lambda o: o["name"]),
            "skips": skips}
