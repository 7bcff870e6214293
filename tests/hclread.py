"""Read a rendered module back for the target tests, with tfgen's one HCL reader (generator/hclread.py).

Its dict view is bc-python-hcl2's shape, which wraps every attribute value in a
list and adds __start_line__/__end_line__ to every block. These helpers undo
that so a test can compare a resource with plain Python values:
`resources(module, "aws_lb")["this"]["internal"] is True`.
"""

from __future__ import annotations

from pathlib import Path

from generator.hclread import load_file_dict
from tests.test_hcl import hcl_unescape


def parse_module(module: Path) -> dict[str, dict]:
    """Every .tf file of `module` parsed, in hcl2's dict shape, by file name (sorted)."""
    return {tf.name: load_file_dict(tf) for tf in sorted(module.glob("*.tf"))}


def is_block(node) -> bool:
    """Whether a parsed node is a block (every attribute a list) rather than an object value.

    An object-valued attribute (labels, tags, a for_each map) holds bare values.
    """
    return isinstance(node, dict) and all(isinstance(v, list) for k, v in node.items() if not k.startswith("__"))


def plain(body: dict) -> dict:
    """A parsed block with attribute values unwrapped; nested blocks stay lists of (plain) blocks.

    Drops __start_line__/__end_line__. hcl2 never gives an attribute an empty
    list (`x = []` reads as `[[]]`, `lifecycle {}` as `[{}]`), so an empty one
    is read as an empty list of blocks.
    """
    out = {}
    for key, value in body.items():
        if key.startswith("__"):
            continue
        out[key] = [plain(b) for b in value] if all(is_block(b) for b in value) else value[0]
    return out


def blocks(module: Path, section: str, kind: str) -> dict[str, dict]:
    """Blocks `<section> "<kind>" "<name>"` of every file, by name, as plain dicts.

    `blocks(module, "data", "aws_iam_policy_document")`; {} when there are none.
    """
    found = {}
    for parsed in parse_module(module).values():
        for block in parsed.get(section, []):
            for name, body in block.get(kind, {}).items():
                found[name] = plain(body)
    return found


def resources(module: Path, kind: str) -> dict[str, dict]:
    """Resources of type `kind`, by name, as plain dicts; {} when there are none."""
    return blocks(module, "resource", kind)


def local_values(module: Path) -> dict:
    """Every `locals` value of every file, by name (each value unwrapped once)."""
    found = {}
    for parsed in parse_module(module).values():
        for block in parsed.get("locals", []):
            found.update({k: v[0] for k, v in block.items() if not k.startswith("__")})
    return found


def outputs(module: Path) -> dict[str, str]:
    """Every output of every file: name -> its value expression, as hcl2 reads it."""
    found = {}
    for parsed in parse_module(module).values():
        for block in parsed.get("output", []):
            for name, body in block.items():
                found[name] = body["value"][0]
    return found


def string_value(value: str) -> str:
    """A parsed HCL string literal back to its value: outer quotes (when both are there) off, escapes undone."""
    return hcl_unescape(value[1:-1] if value.startswith('"') and value.endswith('"') else value)


def policy_statements(module: Path, document: str = "this") -> dict[str, dict]:
    """The statements of `data "aws_iam_policy_document" "<document>"`, by sid (position when it has none)."""
    policy = blocks(module, "data", "aws_iam_policy_document")[document]
    return {s.get("sid", str(i)): s for i, s in enumerate(policy["statement"])}
