"""Every spec shown in README.md and docs/ is a spec `tfgen validate` accepts.

A fenced block is a spec when it is YAML with the spec's top-level keys. A
```yaml block that has some of those keys but is not a whole spec (a fragment)
fails too: a reader copies examples, so each must work as written. YAML that
is not a spec (a pre-commit config, a CI workflow) shares none of the keys.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from tests.support import REPO

DOCS = sorted([REPO / "README.md", *(REPO / "docs").rglob("*.md")])
SPEC_KEYS = frozenset(json.loads((REPO / "schemas" / "tfgen.schema.json").read_text())["properties"])
FENCE = re.compile(
    r"^(?P<indent>[ \t]*)```(?P<info>[^\n`]*)\n(?P<body>.*?)^(?P=indent)```[ \t]*$", re.MULTILINE | re.DOTALL
)


def fenced_blocks(path: Path) -> list[tuple[int, str, str]]:
    """(line, info string, text) of every fenced code block in a Markdown file."""
    text = path.read_text(encoding="utf-8")
    blocks = []
    for match in FENCE.finditer(text):
        indent = len(match.group("indent"))
        body = "".join(line[indent:] for line in match.group("body").splitlines(keepends=True))
        blocks.append((text.count("\n", 0, match.start()) + 1, match.group("info").strip(), body))
    return blocks


def spec_examples() -> list[tuple[str, str, str]]:
    """(where, info string, text) of every block that is YAML with spec keys."""
    found = []
    for path in DOCS:
        for line, info, body in fenced_blocks(path):
            tagged = info.split(" ")[0] in ("yaml", "yml")
            try:
                document = yaml.safe_load(body)
            except yaml.YAMLError:
                if tagged:
                    found.append((f"{path.relative_to(REPO)}:{line}", info, body))  # validate reports the error
                continue
            if isinstance(document, dict) and SPEC_KEYS & set(document):
                found.append((f"{path.relative_to(REPO)}:{line}", info, body))
    return found


EXAMPLES = spec_examples()


def test_the_readme_spec_is_found():
    assert any(where.startswith("README.md:") for where, _, _ in EXAMPLES), "the README's spec example was not found"


@pytest.mark.parametrize(("where", "info", "text"), EXAMPLES, ids=[e[0] for e in EXAMPLES])
def test_every_spec_example_in_the_docs_validates(where, info, text, tmp_path, run_cli):
    spec = tmp_path / "example.yaml"
    spec.write_text(text, encoding="utf-8")
    result = run_cli("validate", str(spec))
    assert result.exit_code == 0, f"{where}: the example does not validate:\n{result.stderr}"


def test_a_failing_example_is_caught(tmp_path, run_cli):
    """The control: the README's old example (cpu_target with a Cloud Run target) fails this test's check."""
    readme_spec = next(text for where, _, text in EXAMPLES if where.startswith("README.md:"))
    broken = readme_spec.replace("scaling: {min: 1, max: 4,", "scaling: {min: 1, max: 4, cpu_target: 70,")
    assert broken != readme_spec
    spec = tmp_path / "example.yaml"
    spec.write_text(broken, encoding="utf-8")
    result = run_cli("validate", str(spec))
    assert result.exit_code == 1
    assert "scaling.cpu_target: Cloud Run has no CPU-target setting" in result.stderr


def test_fenced_blocks_are_read_with_their_lines_and_indentation(tmp_path):
    page = tmp_path / "page.md"
    page.write_text("intro\n\n```yaml\nname: a\n```\n\n1. step\n\n   ```\n   targets: {}\n   ```\n")
    assert fenced_blocks(page) == [(3, "yaml", "name: a\n"), (9, "", "targets: {}\n")]
