"""Hostile and broken input files: one clear, located message each, fast, exit 1."""

from __future__ import annotations

import pytest

MINIMAL = """
name: demo-svc
container:
  image: ghcr.io/example/demo:1.0
targets:
  aws-ecs:
    region: us-east-1
"""

BILLION_LAUGHS = """
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""


def _one_error(result, fragment: str) -> str:
    assert result.exit_code == 1, result.stdout + result.stderr
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert fragment in lines[0], lines[0]
    return lines[0]


@pytest.mark.parametrize(
    "content, fragment, where",
    [
        (b"", "file is empty", ":1:1:"),
        (b"   \n# only a comment\n", "file is empty", ":1:1:"),
        (b"name: [unclosed\n", "invalid YAML", ":2:1:"),
        (b"- a\n- b\n", "top level is a list, expected a mapping", ":1:1:"),
        (b"just a string\n", "top level is a string", ":1:1:"),
        (b"name: a\nname: b\n", "duplicate key (first defined on line 1)", ":2:1: name:"),
        (b"\x00\x01\x02binary\xff", "binary data", ":1:1:"),
        (b"name: caf\xe9\n", "not valid UTF-8", ":1:1:"),
        (b"? [a, b]\n: c\n", "keys must be strings", ":1:3:"),
        (b"base: &b {x: 1}\nother:\n  <<: *b\n", "merge keys", ":3:3: other:"),
    ],
)
def test_broken_files_get_one_located_error(run_cli, tmp_path, content, fragment, where):
    spec = tmp_path / "broken.yaml"
    spec.write_bytes(content)
    line = _one_error(run_cli("validate", str(spec)), fragment)
    assert line.startswith(f"{spec}{where}"), line


def test_missing_file(run_cli, tmp_path):
    line = _one_error(run_cli("validate", str(tmp_path / "nope.yaml")), "file not found")
    assert line.startswith(str(tmp_path / "nope.yaml") + ":1:1:")


def test_directory_instead_of_file(run_cli, tmp_path):
    _one_error(run_cli("validate", str(tmp_path)), "is a directory")


def test_alias_bomb_is_refused_quickly(run_cli, tmp_path):
    spec = tmp_path / "bomb.yaml"
    spec.write_text(BILLION_LAUGHS)
    # how fast: benchmarks/hostile.py (no timed tests)
    _one_error(run_cli("validate", str(spec)), "alias bomb")


def test_multi_megabyte_file_is_refused_quickly(run_cli, tmp_path):
    spec = tmp_path / "huge.yaml"
    spec.write_text("name: demo\n" + "# padding padding padding padding\n" * 150_000)
    # how fast: benchmarks/hostile.py (no timed tests)
    _one_error(run_cli("validate", str(spec)), "a spec may be at most 1048576 bytes")


def test_minimal_spec_is_valid(run_cli, write_spec):
    path = write_spec(MINIMAL)
    result = run_cli("validate", str(path))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"{path}: ok\n"
    assert result.stderr == ""
