"""Hostile spec files (issue 10 #2 #3 #5): one located line, exit 1, no traceback, nothing echoed.

The files themselves are built by `hostile_files()`, shared with
benchmarks/hostile.py, which times `tfgen validate` on each of them.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator import spec as spec_module
from tests.support import REPO

HEADER = "name: demo-svc\ncontainer: {image: ghcr.io/example/demo:1.0}\ntargets:\n  aws-ecs: {region: us-east-1}\n"


def hostile_files(folder: Path) -> dict[str, tuple[Path, str]]:
    """name -> (spec path, a fragment its one error line must hold)."""
    folder.mkdir(parents=True, exist_ok=True)
    files: dict[str, tuple[Path, str]] = {}

    def text(name: str, content: str, fragment: str) -> None:
        path = folder / f"{name}.yaml"
        path.write_text(content, encoding="utf-8")
        files[name] = (path, fragment)

    deep = "nested more than 32 levels deep"
    text("deep-flow-lists", HEADER + "labels: " + "[" * 600 + "]" * 600 + "\n", deep)
    text("deep-flow-maps", HEADER + "labels: " + "{a: " * 600 + "1" + "}" * 600 + "\n", deep)
    text("deep-block-maps", HEADER + "".join("  " * i + "a:\n" for i in range(600)) + "  " * 600 + "b: 1\n", deep)
    text(
        "deep-through-aliases",
        "a0: &a0 [1]\n" + "".join(f"a{i}: &a{i} [*a{i - 1}]\n" for i in range(1, 700)),
        "nested more than 32 levels deep (through aliases)",
    )
    text("deep-past-libyaml-limit", HEADER + "labels: " + "[" * 20000 + "]" * 20000 + "\n", "")
    text(
        "cidr-with-newline",
        HEADER + 'network: {cidr: "10.20.0.0/16\\n"}\n',
        'network.cidr: "10.20.0.0/16\\n" is not valid',
    )
    text(
        "env-key-with-newline",
        HEADER.replace("{image:", '{env: {"LOG_LEVEL\\n": info}, image:'),
        "container.env.'LOG_LEVEL\\n': invalid key",
    )
    text(
        "secret-value",
        HEADER.replace("{image:", "{secrets: {TOKEN: sk_live_51Hx9Q}, image:"),
        "not a secret name (not shown",
    )
    text(
        "billion-laughs",
        "a: &a [x,x,x,x,x,x,x,x,x]\n"
        + "".join(f"{c}: &{c} [{', '.join(['*' + p] * 9)}]\n" for p, c in zip("abcdefgh", "bcdefghi", strict=True)),
        "alias bomb",
    )
    text("nine-megabytes", HEADER + "# padding padding padding padding padding\n" * 220_000, "a spec may be at most")
    text("control-character", "name: demo\x1b[2J\n", ":1:11: invalid YAML: character #x001b is not allowed")
    text(
        "impossible-date",
        HEADER + "description: !!timestamp 2024-99-99\n",
        ':5:14: description: invalid value "2024-99-99"',
    )
    text("not-a-timestamp", HEADER + "description: !!timestamp soon\n", ':5:14: description: invalid value "soon"')
    text("empty-hex-number", HEADER + "scaling: {max: 0x_}\n", ':5:16: scaling.max: invalid value "0x_"')
    text(
        "not-a-number", HEADER + "resources: {cpu: .nan}\n", ":5:18: resources.cpu: .nan is not a number a spec can use"
    )
    text("infinite", HEADER + "resources: {cpu: .inf}\n", ":5:18: resources.cpu: .inf is not a number a spec can use")
    text(
        "python-tag",
        HEADER + "labels: !!python/object:os.system {}\n",
        "labels: YAML tag !!python/object:os.system is not supported",
    )
    text("set-tag", HEADER + "labels: !!set {a, b}\n", "labels: YAML tag !!set is not supported")
    for device in ("/dev/zero", "/dev/urandom", "/dev/null"):
        link = folder / f"link-to-{Path(device).name}.yaml"
        link.symlink_to(device)
        files[link.stem] = (link, "is a character device, expected a YAML spec file")
    fifo = folder / "fifo.yaml"
    os.mkfifo(fifo)
    files["fifo"] = (fifo, "is a named pipe (FIFO), expected a YAML spec file")
    directory = folder / "directory.yaml"
    directory.mkdir()
    files["directory"] = (directory, "is a directory")
    return files


@pytest.fixture
def hostile(tmp_path):
    files = hostile_files(tmp_path / "hostile")
    sock_path = tmp_path / "s.yaml"  # a socket path must stay short
    listener = socket.socket(socket.AF_UNIX)
    listener.bind(str(sock_path))
    files["socket"] = (sock_path, "is a socket, expected a YAML spec file")
    yield files
    listener.close()


def _validate_in_a_fresh_process(path: Path) -> subprocess.CompletedProcess:
    # a subprocess with a timeout: a regression that blocks on a FIFO or reads
    # /dev/zero forever fails this test instead of hanging the suite
    return subprocess.run(
        [sys.executable, "-m", "generator", "validate", str(path)],
        check=False,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_every_hostile_file_gets_one_located_line_and_exit_1(hostile):
    for name, (path, fragment) in sorted(hostile.items()):
        proc = _validate_in_a_fresh_process(path)
        assert proc.returncode == 1, (name, proc.stderr[-500:])
        assert proc.stdout == "", name
        assert "Traceback" not in proc.stderr, (name, proc.stderr[-500:])
        lines = proc.stderr.splitlines()
        assert len(lines) == 1, (name, lines[:3])
        assert lines[0].startswith(f"{path}:"), lines[0]
        assert fragment in lines[0], (name, lines[0])


def test_deep_nesting_points_at_the_level_too_deep(tmp_path, run_cli):
    spec = tmp_path / "deep.yaml"
    spec.write_text(HEADER + "labels: " + "[" * 600 + "]" * 600 + "\n")
    result = run_cli("validate", str(spec))
    assert result.exit_code == 1
    # labels is on line 5; its first bracket (column 9) is level 2 under the top mapping, level 33 opens at column 40
    assert result.stderr == f"{spec}:5:40: nested more than 32 levels deep; a spec is at most a few levels deep\n"


def test_a_real_spec_is_far_from_the_depth_limit():
    deepest = max(len(path) for path in spec_module.load_file(REPO / "examples" / "iris-classifier.yaml").positions)
    assert deepest < spec_module.MAX_DEPTH // 2


def test_the_read_is_bounded_even_when_the_size_lies(tmp_path, monkeypatch, run_cli):
    """A file that grows after stat (or reports size 0, as /proc files do) is cut off at the limit."""
    big = tmp_path / "big.yaml"
    big.write_bytes(b"#" * (spec_module.MAX_BYTES + 10))
    real_fstat = os.fstat

    class Small:
        def __init__(self, info):
            self.st_mode, self.st_size = info.st_mode, 10

    monkeypatch.setattr(spec_module.os, "fstat", lambda fd: Small(real_fstat(fd)))
    result = run_cli("validate", str(big))
    assert result.exit_code == 1
    assert result.stderr == f"{big}:1:1: file is more than 1048576 bytes; a spec may be at most 1048576 bytes\n"


# -- issue 10 #5: what is under container.secrets is never printed ------------------------

SECRET_CASES = [
    # a value that fails the name pattern
    (
        "container:\n  image: ghcr.io/example/demo:1.0\n  secrets: {TOKEN: sk_live_51Hx9Q}\n",
        "sk_live_51Hx9Q",
        ":4:20: container.secrets.TOKEN: not a secret name (not shown",
    ),
    # a value that passes the pattern but an ECS rule quotes names (ARN-suffix look-alike)
    (
        "container:\n  image: ghcr.io/example/demo:1.0\n  secrets: {TOKEN: sk-live-4f9a2b}\n",
        "4f9a2b",
        ":4:13: container.secrets.TOKEN: Secrets Manager would read the end of `<not shown>`",
    ),
    # a non-string value
    (
        "container:\n  image: ghcr.io/example/demo:1.0\n  secrets: {TOKEN: 4111111111111111}\n",
        "4111111111111111",
        ":4:20: container.secrets.TOKEN: expected a string, got number (not shown",
    ),
    # too long
    (
        "container:\n  image: ghcr.io/example/demo:1.0\n  secrets: {TOKEN: " + "a" * 200 + "}\n",
        "a" * 200,
        ":4:20: container.secrets.TOKEN: not a secret name (not shown",
    ),
    # a secret pasted as the key
    (
        "container:\n  image: ghcr.io/example/demo:1.0\n  secrets: {sk-live-4f9a2b: x}\n",
        "sk-live-4f9a2b",
        ":4:13: container.secrets: invalid key (not shown",
    ),
    # in an environment overlay
    (
        "container: {image: ghcr.io/example/demo:1.0}\nenvironments:\n  prod:\n    container:\n      secrets: {TOKEN: sk_live_51Hx9Q}\n",
        "sk_live_51Hx9Q",
        ":6:24: container.secrets.TOKEN: not a secret name (not shown",
    ),
]
# a target's own container settings (targets.<t>.container overrides the base)
OVERRIDE_CASES = [
    (
        "container:\n      secrets: {TOKEN: sk_live_51Hx9Q}\n",
        "sk_live_51Hx9Q",
        ":7:24: targets.aws-ecs.container.secrets.TOKEN: not a secret name (not shown",
    ),
    (
        "container:\n      secrets: {TOKEN: sk-live-4f9a2b}\n",
        "4f9a2b",
        "Secrets Manager would read the end of `<not shown>`",
    ),
    (
        "container:\n      secrets: {sk-live-4f9a2b: x}\n",
        "sk-live-4f9a2b",
        ":7:17: targets.aws-ecs.container.secrets: invalid key (not shown",
    ),
]


@pytest.mark.parametrize("override, secret, expected", OVERRIDE_CASES)
def test_secret_values_in_a_target_override_are_never_echoed(tmp_path, run_cli, override, secret, expected):
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        "name: demo-svc\ncontainer: {image: ghcr.io/example/demo:1.0}\ntargets:\n  aws-ecs:\n"
        "    region: us-east-1\n    " + override
    )
    result = run_cli("validate", str(spec))
    assert result.exit_code == 1
    assert secret not in result.stderr + result.stdout
    (line,) = result.stderr.splitlines()
    assert expected in line, line


@pytest.mark.parametrize("body, secret, expected", SECRET_CASES)
def test_secret_values_are_never_echoed(tmp_path, run_cli, body, secret, expected):
    spec = tmp_path / "spec.yaml"
    spec.write_text("name: demo-svc\n" + body + "targets:\n  aws-ecs: {region: us-east-1}\n")
    result = run_cli("validate", str(spec))
    assert result.exit_code == 1
    assert secret not in result.stderr + result.stdout
    (line,) = result.stderr.splitlines()
    assert expected in line, line


def test_a_secret_error_says_what_a_name_looks_like(tmp_path, run_cli):
    spec = tmp_path / "spec.yaml"
    spec.write_text("name: demo-svc\n" + SECRET_CASES[0][0] + "targets:\n  aws-ecs: {region: us-east-1}\n")
    line = run_cli("validate", str(spec)).stderr
    assert "a letter, then up to 126 letters, digits and hyphens" in line


def test_a_short_secret_name_does_not_mangle_other_messages(tmp_path, run_cli):
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        "name: demo-svc\ncontainer:\n  image: ghcr.io/example/demo:1.0\n  secrets: {TOKEN: a}\n"
        "resources: {cpu: 3, memory: 4096}\ntargets:\n  aws-ecs: {region: us-east-1}\n"
    )
    result = run_cli("validate", str(spec))
    assert result.exit_code == 1
    assert result.stderr == f"{spec}:5:13: resources.cpu: Fargate supports cpu 0.25, 0.5, 1, 2, 4, 8, 16; got 3\n"


# -- no traceback on any input: mutated examples give a spec or located problems, never a crash --

TOKENS = [
    b"!!timestamp ",
    b"!!binary ",
    b"!!float ",
    b"!!int ",
    b"!!set ",
    b"!!omap ",
    b"!!python/name:os.system ",
    b"&a ",
    b"*a ",
    b"<<: ",
    b"? ",
    b"- ",
    b"{",
    b"}",
    b"[",
    b"]",
    b",",
    b":",
    b"\n",
    b"  ",
    b"'",
    b'"',
    b"\\",
    b"\t",
    b"#",
    b"%YAML 1.2\n",
    b"---\n",
    b"|\n",
    b"\xc2\x85",
    b"\xe2\x80\xa8",
    b"\x1b",
    b"0x",
    b"0o",
    b".nan",
    b"~",
    b"yes",
    b"2024-13-01",
    b"${",
    b"%{",
]


def _examples() -> list[bytes]:
    return [path.read_bytes() for path in sorted((REPO / "examples").glob("*.yaml"))]


@settings(max_examples=400, derandomize=True, deadline=None)
@given(st.data())
def test_mutated_examples_never_crash(data):
    from generator import pipeline
    from generator.errors import SpecError
    from generator.spec import load_bytes
    from generator.validate import validate

    text = bytearray(data.draw(st.sampled_from(_examples())))
    for _ in range(data.draw(st.integers(1, 4))):
        at = data.draw(st.integers(0, len(text) - 1))
        how = data.draw(st.sampled_from(["insert", "delete", "byte"]))
        if how == "insert":
            text[at:at] = data.draw(st.sampled_from(TOKENS))
        elif how == "delete":
            del text[at : at + data.draw(st.integers(1, 5))]
        else:
            text[at] = data.draw(st.integers(0, 255))
    name = str(REPO / "examples" / "mutated.yaml")  # package.source resolves beside the examples
    try:
        spec = validate(load_bytes(bytes(text), name))
    except SpecError as exc:
        assert all(line.startswith(f"{name}:") for line in str(exc).splitlines()), str(exc)
        return
    pipeline.render_spec(spec)
