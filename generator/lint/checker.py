"""The rules: one parsed .tf file against its providers' schemas.

Checked for every resource, data source and provider block, recursively into
nested and dynamic blocks: unknown types, unknown attributes and blocks
(with a "did you mean"), missing required attributes and blocks, computed-only
attributes that are set, block nesting (labels, min/max items, block written as
attribute and the reverse), and the type of literal values. Meta-arguments are
Terraform's, not the provider's, and are checked against Terraform's rules.

Severity: everything Terraform itself would reject is an error. Deprecated
attributes, blocks and resource types are warnings (Terraform only warns too),
as are object attributes that Terraform silently drops.
"""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from ..hclread import Attribute, Block, Body, is_expression
from .findings import ERROR, WARNING, LintFinding
from .schema_source import ProviderSchema
from .types import describe_value, type_problems

RESOURCE_META_ARGS = frozenset({"count", "for_each", "provider", "depends_on"})
RESOURCE_META_BLOCKS = frozenset({"lifecycle", "connection", "provisioner"})
DATA_META_BLOCKS = frozenset({"lifecycle"})
PROVIDER_META_ARGS = frozenset({"alias", "version"})
LIFECYCLE = {
    "resource": (
        frozenset({"create_before_destroy", "prevent_destroy", "ignore_changes", "replace_triggered_by"}),
        frozenset({"precondition", "postcondition"}),
    ),
    "data": (frozenset(), frozenset({"precondition", "postcondition"})),
}
DYNAMIC_ARGS = frozenset({"for_each", "iterator", "labels"})

# Terraform's own blocks, in the provider-schema shape so the same rules apply
_OPTIONAL = {"string": {"type": "string", "optional": True}, "bool": {"type": "bool", "optional": True}}
_ANY = {"type": "dynamic", "optional": True}
_CONDITION = {
    "nesting_mode": "list",
    "block": {
        "attributes": {
            "condition": {"type": "dynamic", "required": True},
            "error_message": {"type": "string", "required": True},
        }
    },
}
LANGUAGE_SCHEMAS = {
    "variable": {
        "attributes": {
            "type": _ANY,  # a type expression, not a value
            "default": _ANY,
            "description": _OPTIONAL["string"],
            "sensitive": _OPTIONAL["bool"],
            "nullable": _OPTIONAL["bool"],
            "ephemeral": _OPTIONAL["bool"],
        },
        "block_types": {"validation": _CONDITION},
    },
    "output": {
        "attributes": {
            "value": {"type": "dynamic", "required": True},
            "description": _OPTIONAL["string"],
            "sensitive": _OPTIONAL["bool"],
            "ephemeral": _OPTIONAL["bool"],
            "depends_on": {"type": ["list", "dynamic"], "optional": True},
        },
        "block_types": {"precondition": _CONDITION},
    },
}
_ROOT_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")


def provider_ref(block: Block) -> str:
    """The provider local name a resource or data block uses.

    `provider = google-beta.west` -> "google-beta"; otherwise Terraform's
    implied provider: the type's prefix before the first underscore.
    """
    meta = block.body.attribute("provider")
    if meta is not None and isinstance(meta.value, str):
        ref = meta.value.strip()
        if ref.startswith("${") and ref.endswith("}"):
            ref = ref[2:-1].strip()
        name = ref.split(".", 1)[0]
        if _ROOT_NAME.fullmatch(name):
            return name
    type_ = block.labels[0] if block.labels else ""
    return type_.split("_", 1)[0]


@dataclass
class Counts:
    """What was checked, for the summary line."""

    resources: int = 0
    data_sources: int = 0
    providers: int = 0

    def add(self, other: Counts) -> None:
        self.resources += other.resources
        self.data_sources += other.data_sources
        self.providers += other.providers


@dataclass
class FileChecker:
    """Checks the top-level blocks of one file; `schema_for` maps a provider local name."""

    file: str
    schema_for: Callable[[str], ProviderSchema | None]
    findings: list[LintFinding] = field(default_factory=list)
    counts: Counts = field(default_factory=Counts)
    _address: str = ""

    def check(self, body: Body) -> list[LintFinding]:
        for block in body.blocks:
            if block.type == "resource":
                self._resource(block, "resource")
            elif block.type == "data":
                self._resource(block, "data")
            elif block.type == "provider":
                self._provider(block)
            elif block.type in LANGUAGE_SCHEMAS:
                self._language_block(block)
            # terraform, locals, module, moved, import, check: left to terraform validate
        return self.findings

    # --- top-level blocks -------------------------------------------------

    def _resource(self, block: Block, kind: str) -> None:
        if len(block.labels) != 2:
            self._address = kind
            self._error(block.line, "", f"a {kind} block needs two labels: type and name")
            return
        type_, name = block.labels
        self._address = f"{kind}.{type_}.{name}"
        provider = self.schema_for(provider_ref(block))
        if provider is None:
            return  # the caller has already refused to lint without every schema
        if kind == "resource":
            self.counts.resources += 1
            schema, known = provider.resource(type_), provider.resource_types()
        else:
            self.counts.data_sources += 1
            schema, known = provider.data_source(type_), provider.data_source_types()
        if schema is None:
            what = "resource type" if kind == "resource" else "data source"
            self._error(
                block.line, "", f'unknown {what} "{type_}" in provider {provider.name}' + _suggest(type_, known)
            )
            return
        if schema.get("deprecated"):
            self._warn(block.line, "", f"{type_} is deprecated")
        self._meta_arguments(block.body)
        meta_blocks = RESOURCE_META_BLOCKS if kind == "resource" else DATA_META_BLOCKS
        self._body(schema, block.body, "", block.line, RESOURCE_META_ARGS, meta_blocks, kind)

    def _meta_arguments(self, body: Body) -> None:
        """count, for_each and depends_on literals, by Terraform's rules."""
        count, for_each, depends_on = (body.attribute(n) for n in ("count", "for_each", "depends_on"))
        if count is not None and for_each is not None:
            self._error(for_each.line, "", '"count" and "for_each" cannot both be set')
        if count is not None and not is_expression(count.value) and count.value is not None:
            problems = type_problems(count.value, "number")
            if problems:
                self._error(count.line, "", f'wrong type for "count": {problems[0].message}')
            elif float(count.value) < 0 or float(count.value) != int(float(count.value)):
                self._error(count.line, "", f'"count" must be a whole number >= 0, got {count.value}')
        if for_each is not None and not is_expression(for_each.value) and for_each.value is not None:
            if isinstance(for_each.value, list):
                self._error(for_each.line, "", '"for_each" needs a map or a set of strings: wrap the list in toset()')
            elif not isinstance(for_each.value, dict):
                self._error(
                    for_each.line,
                    "",
                    f'"for_each" needs a map or a set of strings, got {describe_value(for_each.value)}',
                )
        if depends_on is not None:
            self._depends_on(depends_on)

    def _depends_on(self, attr: Attribute) -> None:
        if is_expression(attr.value) or not isinstance(attr.value, list):
            if not is_expression(attr.value):
                self._error(attr.line, "", '"depends_on" must be a list of references')
            return
        for item in attr.value:
            if isinstance(item, str) and not is_expression(item):
                self._warn(
                    attr.line, "", f'quoted references in "depends_on" are deprecated: write {item} without quotes'
                )
            elif not is_expression(item):
                self._error(attr.line, "", f'"depends_on" entries must be references, not {describe_value(item)}')

    def _language_block(self, block: Block) -> None:
        """variable and output blocks: Terraform's arguments, not a provider's."""
        if len(block.labels) != 1:
            self._address = block.type
            self._error(block.line, "", f"a {block.type} block needs one label: its name")
            return
        self._address = f"{block.type}.{block.labels[0]}"
        self._body(LANGUAGE_SCHEMAS[block.type], block.body, "", block.line)

    def _provider(self, block: Block) -> None:
        if len(block.labels) != 1:
            self._address = "provider"
            self._error(block.line, "", "a provider block needs one label: the provider's local name")
            return
        alias = block.body.attribute("alias")
        self._address = f"provider.{block.labels[0]}"
        if alias is not None and isinstance(alias.value, str) and not is_expression(alias.value):
            self._address += f".{alias.value}"
        provider = self.schema_for(block.labels[0])
        if provider is None:
            return
        self.counts.providers += 1
        version = block.body.attribute("version")
        if version is not None:
            self._warn(version.line, "", '"version" in a provider block is deprecated; use required_providers')
        self._body(provider.provider_block(), block.body, "", block.line, PROVIDER_META_ARGS, frozenset(), "provider")

    # --- bodies -----------------------------------------------------------

    def _body(
        self,
        schema: Mapping,
        body: Body,
        path: str,
        line: int,
        meta_args: frozenset = frozenset(),
        meta_blocks: frozenset = frozenset(),
        kind: str = "",
    ) -> None:
        """One block body against one schema block; `line` is where the block starts."""
        attrs: Mapping = schema.get("attributes") or {}
        block_types: Mapping = schema.get("block_types") or {}
        names = list(attrs) + list(block_types)
        present: dict[str, int] = {}  # attribute name -> line, including attributes written as blocks
        misused: set[str] = set()

        for attr in body.attributes:
            if attr.name in present:
                self._error(attr.line, path, f'"{attr.name}" is set twice (first on line {present[attr.name]})')
                continue
            present[attr.name] = attr.line
            if attr.name in meta_args:
                continue
            spec = attrs.get(attr.name)
            if spec is not None:
                self._attribute(spec, attr, path)
            elif attr.name in block_types:
                misused.add(attr.name)  # reported here; not again as a missing block
                self._error(attr.line, path, f'"{attr.name}" is a block, not an attribute: write {attr.name} {{ ... }}')
            else:
                self._error(attr.line, path, f'unknown attribute "{attr.name}"' + _suggest(attr.name, names))

        static: dict[str, list[Block]] = defaultdict(list)
        dynamic: set[str] = set()
        for block in body.blocks:
            if block.type in meta_blocks:
                self._meta_block(block, schema, path, kind)
            elif block.type == "dynamic":
                generated = self._dynamic(block, schema, path)
                if generated:
                    dynamic.add(generated)
            elif block.type in block_types:
                static[block.type].append(block)
                self._nested(block_types[block.type], block, path)
            elif block.type in attrs and _block_syntax_allowed(attrs[block.type]):
                # Terraform accepts a list/set-of-object attribute written as repeated blocks
                present.setdefault(block.type, block.line)
                self._attribute_as_block(attrs[block.type], block, path)
            elif block.type in attrs:
                self._error(block.line, path, f'"{block.type}" is an attribute, not a block: write {block.type} = ...')
            else:
                self._error(block.line, path, f'unknown block "{block.type}"' + _suggest(block.type, names))

        for name, spec in attrs.items():
            if spec.get("required") and name not in present:
                self._error(line, path, f'missing required attribute "{name}"')
        for name, spec in block_types.items():
            if name not in misused:
                self._block_count(name, spec, static.get(name, []), name in dynamic, path, line)

    def _attribute(self, spec: Mapping, attr: Attribute, path: str) -> None:
        if spec.get("computed") and not spec.get("optional") and not spec.get("required"):
            self._error(attr.line, path, f'"{attr.name}" is computed by the provider and cannot be set')
            return
        if spec.get("deprecated"):
            self._warn(attr.line, path, f'"{attr.name}" is deprecated')
        if attr.value is None and spec.get("required"):
            self._error(attr.line, path, f'required attribute "{attr.name}" is null')
            return
        for problem in type_problems(attr.value, _attribute_type(spec)):
            where = f"{attr.name}{problem.path}"
            if problem.warning:
                self._warn(attr.line, path, f'"{where}": {problem.message}')
            else:
                self._error(attr.line, path, f'wrong type for "{where}": {problem.message}')

    def _attribute_as_block(self, spec: Mapping, block: Block, path: str) -> None:
        if spec.get("computed") and not spec.get("optional") and not spec.get("required"):
            self._error(block.line, path, f'"{block.type}" is computed by the provider and cannot be set')
            return
        if block.labels:
            self._error(block.line, path, f'block "{block.type}" takes no labels')
        self._body(_element_block(spec), block.body, _join(path, block.type), block.line)

    def _nested(self, spec: Mapping, block: Block, path: str) -> None:
        mode = spec.get("nesting_mode")
        child = _join(path, block.type)
        if mode == "map":
            if len(block.labels) != 1:
                self._error(block.line, path, f'block "{block.type}" needs one label (its map key)')
            else:
                child += f'["{block.labels[0]}"]'
        elif block.labels:
            self._error(block.line, path, f'block "{block.type}" takes no labels')
        schema = spec.get("block") or {}
        if schema.get("deprecated"):
            self._warn(block.line, path, f'block "{block.type}" is deprecated')
        self._body(schema, block.body, child, block.line)

    def _block_count(
        self, name: str, spec: Mapping, blocks: list[Block], has_dynamic: bool, path: str, line: int
    ) -> None:
        mode = spec.get("nesting_mode")
        min_items = spec.get("min_items") or 0
        max_items = 1 if mode in ("single", "group") else (spec.get("max_items") or 0)
        count = len(blocks)
        if count < min_items and not has_dynamic:  # a dynamic block may generate the rest
            if count == 0:
                self._error(line, path, f'missing required block "{name}"')
            else:
                self._error(blocks[-1].line, path, f'at least {min_items} "{name}" blocks are required, found {count}')
        if max_items and count > max_items:
            plural = "block" if max_items == 1 else "blocks"
            self._error(
                blocks[max_items].line,
                path,
                f'too many "{name}" blocks: at most {max_items} {plural} allowed, found {count}',
            )

    def _dynamic(self, block: Block, schema: Mapping, path: str) -> str | None:
        """Check a dynamic block; return the name of the block it generates."""
        if len(block.labels) != 1:
            self._error(block.line, path, "a dynamic block needs one label: the name of the block it generates")
            return None
        name = block.labels[0]
        where = f'dynamic "{name}"'
        for attr in block.body.attributes:
            if attr.name not in DYNAMIC_ARGS:
                self._error(
                    attr.line, path, f'{where}: unknown argument "{attr.name}"' + _suggest(attr.name, DYNAMIC_ARGS)
                )
        if block.body.attribute("for_each") is None:
            self._error(block.line, path, f'{where}: missing required attribute "for_each"')
        contents = []
        for inner in block.body.blocks:
            if inner.type == "content":
                contents.append(inner)
            else:
                self._error(inner.line, path, f'{where}: unknown block "{inner.type}"; only "content" is allowed')
        if len(contents) != 1:
            line = contents[1].line if contents else block.line
            self._error(line, path, f"{where}: needs exactly one content block, found {len(contents)}")

        attrs: Mapping = schema.get("attributes") or {}
        block_types: Mapping = schema.get("block_types") or {}
        if name in block_types:
            target = block_types[name].get("block") or {}
        elif name in attrs and _block_syntax_allowed(attrs[name]):
            target = _element_block(attrs[name])
        elif name in attrs:
            self._error(block.line, path, f'{where}: "{name}" is an attribute, not a block')
            return None
        else:
            blockish = list(block_types) + [n for n, a in attrs.items() if _block_syntax_allowed(a)]
            self._error(block.line, path, f'{where}: unknown block "{name}"' + _suggest(name, blockish))
            return None
        for content in contents:
            self._body(target, content.body, _join(path, name), content.line)
        return name

    def _meta_block(self, block: Block, schema: Mapping, path: str, kind: str) -> None:
        """lifecycle is Terraform's: check its arguments; connection/provisioner are opaque here."""
        if block.type != "lifecycle" or kind not in LIFECYCLE:
            return
        allowed_args, allowed_blocks = LIFECYCLE[kind]
        for attr in block.body.attributes:
            if attr.name not in allowed_args:
                self._error(
                    attr.line, path, f'lifecycle: unknown argument "{attr.name}"' + _suggest(attr.name, allowed_args)
                )
            elif attr.name == "ignore_changes":
                self._ignore_changes(attr, schema, path)
        for inner in block.body.blocks:
            if inner.type not in allowed_blocks:
                self._error(
                    inner.line, path, f'lifecycle: unknown block "{inner.type}"' + _suggest(inner.type, allowed_blocks)
                )

    def _ignore_changes(self, attr: Attribute, schema: Mapping, path: str) -> None:
        if not isinstance(attr.value, list):
            return  # `all`, or an expression
        names = list(schema.get("attributes") or {}) + list(schema.get("block_types") or {})
        for item in attr.value:
            text = item[2:-1] if isinstance(item, str) and item.startswith("${") and item.endswith("}") else item
            root = _ROOT_NAME.match(text) if isinstance(text, str) else None
            if root and root.group(0) not in names:
                name = root.group(0)
                self._error(
                    attr.line, path, f'lifecycle.ignore_changes: unknown attribute "{name}"' + _suggest(name, names)
                )

    # --- reporting --------------------------------------------------------

    def _error(self, line: int, path: str, message: str) -> None:
        self._add(line, path, message, ERROR)

    def _warn(self, line: int, path: str, message: str) -> None:
        self._add(line, path, message, WARNING)

    def _add(self, line: int, path: str, message: str, severity: str) -> None:
        text = f"{path}: {message}" if path else message
        self.findings.append(LintFinding(self.file, line, self._address, text, severity))


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _suggest(name: str, candidates) -> str:
    match = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.75)
    return f' (did you mean "{match[0]}"?)' if match else ""


def _attribute_type(spec: Mapping):
    if "type" in spec:
        return spec["type"]
    nested = spec.get("nested_type")
    return _nested_type(nested) if nested else "dynamic"


def _nested_type(nested: Mapping):
    """A protocol-6 nested attribute as the cty type its value must have."""
    attrs = nested.get("attributes") or {}
    obj = [
        "object",
        {name: _attribute_type(a) for name, a in attrs.items()},
        sorted(name for name, a in attrs.items() if not a.get("required")),
    ]
    mode = nested.get("nesting_mode", "single")
    return obj if mode == "single" else [mode, obj]


def _block_syntax_allowed(spec: Mapping) -> bool:
    """A list or set of objects may be written as blocks (Terraform's attributes-as-blocks)."""
    type_ = spec.get("type")  # not protocol-6 nested attributes: those are never blocks
    return (
        isinstance(type_, list)
        and type_[0] in ("list", "set")
        and isinstance(type_[1], list)
        and type_[1][0] == "object"
    )


def _element_block(spec: Mapping) -> dict:
    """The block schema Terraform synthesizes for an attribute written as blocks: all optional."""
    element = _attribute_type(spec)[1]
    return {"attributes": {name: {"type": t, "optional": True} for name, t in element[1].items()}}
