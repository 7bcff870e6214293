"""Issue 10 #4 (encoder): template sequences in user text, read back exactly by terraform
AND by Checkov's HCL grammar (bc-python-hcl2, which `tfgen lint` uses too), in every
position a template puts a value: single attribute, list element, map value, jsonencode
argument.

The old encoding (`$${`, `%%{`) was literal for terraform but stopped hcl2 ("unexpected
','" in `["resnet50", "$${evil.attr}",]`), and Checkov then silently skipped the file.
"""

from __future__ import annotations

import ast
import base64
import io
import json
import subprocess

import hcl2
import pytest

from generator.hcl import encode, quote
from generator.hclfmt import format_hcl
from tests.support import require_terraform
from tests.test_hcl import hcl_unescape

TEMPLATE_TEXT = [
    "${",
    "$${",
    "%{",
    "%%{",
    "$$${",
    "%%%{",  # unclosed
    "${evil.attr}",
    "$${evil.attr}",
    "%{ if true }x%{ endif }",
    "%%{ if true }x%%{ endif }",  # closed
    "x ${",
    "a $$${b} c",
    "${a}${b}",
    "}${",
    "${}",
    "%{}",
    "$",
    "%",
    "$$",
    "%%",
    "x $",
    "100%{",
    "\\${x}",
    "\\$${x}",
    '"${x}"',
    '${"}"}',
    "${\n}",
    "{${",
    "$\u0024{",
    "\\u0024{x}",
]
FIRST, LAST = "resnet50", "--port"


def _locals(values: list[str]) -> str:
    """One locals block holding every value in every position, written by the real encoder and formatter."""
    lines = ["locals {"]
    for i, value in enumerate(values):
        lines.append(f"single_{i} = {quote(value)}")
        lines.append(f"short_list_{i} = {encode([FIRST, value, LAST])}")  # one line when short
        lines.append(f"long_list_{i} = {encode([FIRST, value, LAST, 'x' * 80])}")  # one item per line
        lines.append(f"map_{i} = {encode({'k': value, 'other': LAST})}")
        lines.append(f"json_{i} = jsonencode({encode({'k': value, 'l': [FIRST, value]})})")
    lines.append("}")
    return format_hcl("\n".join(lines))


def _expected(value: str) -> dict:
    return {
        "single": value,
        "short_list": [FIRST, value, LAST],
        "long_list": [FIRST, value, LAST, "x" * 80],
        "map": {"k": value, "other": LAST},
        "json": {"k": value, "l": [FIRST, value]},
    }


POSITIONS = ["single", "short_list", "long_list", "map", "json"]


@pytest.mark.terraform
def test_terraform_reads_every_position_back_exactly(tmp_path):
    (tmp_path / "main.tf").write_text(_locals(TEMPLATE_TEXT), encoding="utf-8")
    names = [f"local.{position}_{i}" for i in range(len(TEMPLATE_TEXT)) for position in POSITIONS]
    proc = subprocess.run(
        [require_terraform(), "console"],
        input=f"base64encode(jsonencode([{', '.join(names)}]))",
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
        check=False,
        env={"PATH": "/usr/bin:/bin:/usr/local/bin", "TF_CLI_CONFIG_FILE": "/dev/null", "HOME": str(tmp_path)},
    )
    assert proc.returncode == 0, proc.stderr
    got = iter(json.loads(base64.b64decode(proc.stdout.strip().strip('"'))))
    for value in TEMPLATE_TEXT:
        for position in POSITIONS:
            read = next(got)
            if position == "json":
                read = json.loads(read)
            assert read == _expected(value)[position], (value, position)


def _hcl2_string(raw: str) -> str:
    # hcl2 keeps a string's escapes and sometimes its quotes
    return hcl_unescape(raw[1:-1] if raw.startswith('"') and raw.endswith('"') else raw)


def _hcl2_value(node):
    if isinstance(node, str):
        return _hcl2_string(node)
    if isinstance(node, list):
        return [_hcl2_value(v) for v in node]
    return {k: _hcl2_value(v) for k, v in node.items()}


def _hcl2_jsonencode_argument(expression: str):
    """hcl2 gives a function call back as `${jsonencode(<python repr of its argument>)}`."""
    assert expression.startswith("${jsonencode(") and expression.endswith(")}"), expression
    return _hcl2_value(ast.literal_eval(expression[len("${jsonencode(") : -2]))


@pytest.mark.parametrize("value", TEMPLATE_TEXT)
def test_checkov_hcl2_grammar_reads_every_position_back_exactly(value):
    text = _locals([value])
    parsed = hcl2.load(io.StringIO(text))["locals"][0]
    expected = _expected(value)
    assert _hcl2_value(parsed["single_0"][0]) == expected["single"]
    assert _hcl2_value(parsed["short_list_0"][0]) == expected["short_list"]
    assert _hcl2_value(parsed["long_list_0"][0]) == expected["long_list"]
    assert _hcl2_value(parsed["map_0"][0]) == expected["map"]
    assert _hcl2_jsonencode_argument(parsed["json_0"][0]) == expected["json"]


def test_the_file_holds_no_template_sequence_of_user_text():
    text = _locals(TEMPLATE_TEXT)
    assert "${" not in text.replace("${jsonencode", "") and "%{" not in text


@pytest.mark.parametrize("value", ["$${evil.attr}", "${evil.attr}"])
def test_the_list_from_the_issue_parses(value):
    # `command = ["resnet50", "$${evil.attr}",]` stopped hcl2 with "unexpected ','"
    text = format_hcl(f"command = {encode([FIRST, value, 'y' * 80])}\n")
    assert _hcl2_value(hcl2.load(io.StringIO(text))["command"][0]) == [FIRST, value, "y" * 80]


# --- whole modules: Checkov reads every file and finds nothing -----------------------------------

HOSTILE_TEXT = "x ${evil.attr} $${ %{ if true } %%{ ${"


@pytest.mark.checkov
def test_checkov_scans_modules_with_template_text_everywhere_and_finds_nothing(tmp_path):
    """One Checkov run over every example's modules with template text in each free-text field.

    When hcl2 could not parse a file, Checkov skipped all its checks and failed
    others (CKV_AWS_111/356/109 on the KMS policy, CKV2_AWS_5 on security groups);
    a parse error is itself a failure in tfgen's runner.
    """
    import shutil

    import yaml

    from generator import pipeline
    from generator.errors import SpecError
    from tests.support import EXAMPLES, checkov_scan, write_module

    for folder in EXAMPLES.iterdir():  # source folders (package.source and the like), beside the specs
        if folder.is_dir():
            shutil.copytree(folder, tmp_path / folder.name)
    out = tmp_path / "modules"
    terraform_modules = []
    for example in sorted(EXAMPLES.glob("*.yaml")):
        data = yaml.safe_load(example.read_text(encoding="utf-8"))
        data["description"] = HOSTILE_TEXT
        container = data.setdefault("container", {})
        container.setdefault("env", {})["TEMPLATE"] = HOSTILE_TEXT
        if (
            "command" in container or "args" in container
        ):  # only where the example runs a command (SageMaker, a Lambda zip take none)
            container["command"] = ["resnet50", "$${evil.attr}", "${"]
            container["args"] = ["%{ if x }", "%%{"]
        spec_path = tmp_path / example.name
        spec_path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
        try:
            spec = pipeline.load_spec(spec_path)
        except SpecError as exc:  # a target that takes no command (SageMaker runs the image's entrypoint)
            if "container.command" not in str(exc):
                raise
            container.pop("command"), container.pop("args")
            spec_path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
            spec = pipeline.load_spec(spec_path)
        for target in spec.targets:
            module = write_module(spec, pipeline.registry.get(target), out)
            if pipeline.registry.get(target).output.name == "terraform":
                terraform_modules.append(module)
            for tf in module.glob("*.tf"):
                hcl2.load(io.StringIO(tf.read_text(encoding="utf-8")))  # Checkov's grammar reads every file
    assert terraform_modules and all((m / "main.tf").is_file() for m in terraform_modules)
    result = checkov_scan([out])
    assert [(f.check_id, f.resource, f.file) for f in result.failed] == []
    assert len(result.passed) > 100  # it really scanned the modules
