"""One HCL reader (generator/hclread.py), one skip-comment pattern, distinct finding types."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from generator import hclread, render
from generator.report import skips

REPO = Path(__file__).resolve().parent.parent


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def test_only_the_reader_parses_hcl():
    """generator/ and the target tests' helper (tests/hclread.py) read HCL through generator/hclread.py only."""
    readers = set()
    for path in sorted([*(REPO / "generator").rglob("*.py"), REPO / "tests" / "hclread.py"]):
        if any(name == "hcl2" or name.startswith("hcl2.") for name in _imports(path)):
            readers.add(path.relative_to(REPO).as_posix())
    assert readers == {"generator/hclread.py"}
    assert "generator.hclread" in _imports(REPO / "tests" / "hclread.py")


def test_dict_view_is_hcl2s_shape_and_node_view_keeps_lines():
    text = 'resource "aws_s3_bucket" "b" {\n  bucket = "x"\n  tags = {\n    a = "1"\n  }\n}\n'
    assert hclread.load_dict(text) == {
        "resource": [
            {"aws_s3_bucket": {"b": {"bucket": ["x"], "tags": [{"a": "1"}], "__start_line__": 1, "__end_line__": 6}}}
        ]
    }
    [block] = hclread.parse_text(text).blocks
    assert (block.labels, block.line, block.body.attribute("tags").line) == (("aws_s3_bucket", "b"), 1, 3)


def test_both_views_report_a_syntax_error_with_its_line():
    text = 'variable "v" {\n  description = "x $${"\n}\n'  # terraform reads this; the grammar cannot
    for read in (hclread.parse_text, hclread.load_dict):
        with pytest.raises(hclread.HclSyntaxError) as failed:
            read(text)
        assert failed.value.line == 2


def test_time_limit_stops_a_runaway_read():
    """A `$${` left open before a few templates sends the grammar into exponential backtracking
    (3 templates: ~1.5 s, 4: over 20 s, 6: hours)."""
    text = (
        'locals {\n  environment = {\n    LOG_LEVEL = "a $${ b"\n  }\n'
        + "".join(f'  s{i} = "arn:${{local.p}}:x:${{local.r}}"\n' for i in range(6))
        + "}\n"
    )
    with pytest.raises(hclread.HclTimeout), hclread.time_limit(0.5):
        hclread.parse_text(text)


def test_skip_comments_are_matched_by_one_pattern():
    assert render._SKIP is skips.SKIP_COMMENT
    facts = render.module_facts(
        {"main.tf": 'resource "aws_sqs_queue" "q" {\n  // checkov:skip=CKV_AWS_27:events are public build notices\n}\n'}
    )
    assert facts["skips"] == [
        {
            "check": "CKV_AWS_27",
            "reason": "events are public build notices",
            "resource": "aws_sqs_queue.q",
            "file": "main.tf",
        }
    ]


def test_lint_and_scan_findings_have_distinct_names():
    classes: dict[str, list[str]] = {}
    for path in sorted((REPO / "generator").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                classes.setdefault(node.name, []).append(path.relative_to(REPO).as_posix())
    assert classes["LintFinding"] == ["generator/lint/findings.py"]
    assert classes["ScanFinding"] == ["generator/report/model.py"]
    assert "generator/lint/findings.py" not in classes.get("Finding", [])
    assert "generator/report/model.py" not in classes.get("Finding", [])


def test_time_limit_gives_an_outer_timer_back():
    """A test runner's (or the user's) own SIGALRM timer survives a bounded read."""
    import signal

    signal.setitimer(signal.ITIMER_REAL, 300)
    try:
        with hclread.time_limit(5):
            hclread.parse_text('locals {\n  a = "b"\n}\n')
        left, _ = signal.getitimer(signal.ITIMER_REAL)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    assert 200 < left <= 300


def test_bounded_reads_are_remembered_per_content(tmp_path, monkeypatch):
    """`tfgen check` lints, then scans: each file is parsed once, and a runaway file costs its time once."""
    calls: list[str] = []
    real_parse = hclread.parse_text
    monkeypatch.setattr(hclread, "_OUTCOMES", {})
    monkeypatch.setattr(hclread, "parse_text", lambda text: calls.append(text) or real_parse(text))
    good, bad, slow = tmp_path / "good.tf", tmp_path / "bad.tf", tmp_path / "slow.tf"
    good.write_text('locals {\n  a = "b"\n}\n')
    bad.write_text('variable "v" {\n  description = "x $${"\n}\n')
    slow.write_text(
        'locals {\n  environment = {\n    LOG_LEVEL = "a $${ b"\n  }\n'
        + "".join(f'  s{i} = "arn:${{local.p}}:x:${{local.r}}"\n' for i in range(6))
        + "}\n"
    )
    for _ in range(2):
        assert hclread.parse_file_within(good, 5).attributes == ()
        with pytest.raises(hclread.HclSyntaxError) as failed:
            hclread.parse_file_within(bad, 5)
        assert failed.value.line == 2
        with pytest.raises(hclread.HclTimeout, match="did not finish reading .*slow.tf within 0.5 s"):
            hclread.parse_file_within(slow, 0.5)
    assert len(calls) == 3
    good.write_text('locals {\n  a = "c"\n}\n')  # new content is read again
    hclread.parse_file_within(good, 5)
    assert len(calls) == 4
