"""Lambda `package.source`: tfgen zips the folder deterministically into the module on render, plan and check."""

from __future__ import annotations

import hashlib
import os
import zipfile
from io import BytesIO
from pathlib import Path, PurePosixPath

import pytest

from generator import pipeline
from generator.errors import SpecError
from generator.package import PackageError, build_zip, package_files
from tests.support import EXAMPLES, REPO

SPEC = """
name: pkg-demo
scaling: {min: 0, max: 2}
targets:
  aws-lambda:
    region: us-east-1
    package: {type: zip, %s handler: app.handler, runtime: python3.12}
"""


def _tree(root: Path, files: dict[str, str], mode: int = 0o644, mtime: int = 1_700_000_000) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        os.chmod(path, mode)
        os.utime(path, (mtime, mtime))
    return root


def _entries(data: bytes) -> list[tuple[str, tuple, int, int]]:
    with zipfile.ZipFile(BytesIO(data)) as archive:
        return [(i.filename, i.date_time, i.external_attr >> 16, i.compress_type) for i in archive.infolist()]


def test_same_sources_give_the_same_bytes_whatever_the_order_times_and_umask(tmp_path):
    files = {"app.py": "def handler(e, c):\n    return 1\n", "lib/util.py": "X = 1\n", "model.txt": "weights\n"}
    first = build_zip(_tree(tmp_path / "a", files, mode=0o600, mtime=1_000_000_000))
    second = build_zip(_tree(tmp_path / "b", dict(reversed(list(files.items()))), mode=0o664, mtime=1_800_000_000))
    assert first == second
    assert _entries(first) == [(name, (1980, 1, 1, 0, 0, 0), 0o100644, zipfile.ZIP_STORED) for name in sorted(files)]
    # Golden: the format itself must not drift between Python versions or machines (the module's
    # source_code_hash would change and Lambda publish a new version for unchanged code).
    assert hashlib.sha256(first).hexdigest() == "f66be26d7cc5cfcba602f635fa7d35fe3b21a5b93bbd67fd7b94df7b33e47c28"


def test_executable_bit_is_kept_and_normalised(tmp_path):
    source = _tree(tmp_path / "src", {"bootstrap": "#!/bin/sh\n"}, mode=0o700)
    _tree(source, {"app.py": "x = 1\n"}, mode=0o600)
    assert [(name, mode) for name, _, mode, _ in _entries(build_zip(source))] == [
        ("app.py", 0o100644),
        ("bootstrap", 0o100755),
    ]


def test_hidden_files_and_python_caches_are_left_out(tmp_path):
    source = _tree(
        tmp_path / "src",
        {
            "app.py": "x\n",
            ".env": "SECRET=1\n",
            ".git/HEAD": "ref\n",
            "__pycache__/app.cpython-312.pyc": "c",
            "lib/old.pyc": "c",
            "lib/ok.py": "y\n",
        },
    )
    assert [name for name, _ in package_files(source)] == ["app.py", "lib/ok.py"]


def test_rendered_modules_beside_the_source_are_not_packaged(tmp_path, run_cli, monkeypatch):
    """`source: .` next to the spec and its modules/ folder: the zip never contains tfgen's own output."""
    _tree(tmp_path, {"app.py": "def handler(e, c):\n    return 1\n"})
    spec = _spec(tmp_path, "source: .,")
    monkeypatch.chdir(tmp_path)
    assert run_cli("render", str(spec)).exit_code == 0
    first = (tmp_path / "modules" / "pkg-demo" / "aws-lambda" / "package.zip").read_bytes()
    assert run_cli("render", str(spec), "--check").exit_code == 0  # the zip did not swallow itself
    assert [name for name, *_ in _entries(first)] == ["app.py", "spec.yaml"]


def test_a_package_over_lambdas_direct_upload_limit_is_refused(tmp_path, monkeypatch):
    from generator import package

    monkeypatch.setattr(package, "MAX_ZIP_BYTES", 1000)
    source = _tree(tmp_path / "src", {"a.py": "x" * 600, "b.py": "y" * 600})
    with pytest.raises(
        PackageError, match="exceeds Lambda's 0 MB limit for a directly uploaded zip \\(stopped at b.py\\)"
    ):
        build_zip(source)


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (lambda p: None, "does not exist"),
        (lambda p: (p / "src").mkdir(), "has no files to package"),
        (lambda p: (p / "src").write_text("x"), "is not a folder"),
        (lambda p: ((p / "src").mkdir(), (p / "src" / "link.py").symlink_to("/etc/hostname")), "is a symbolic link"),
    ],
)
def test_unpackageable_folders_are_refused_with_a_reason(tmp_path, setup, message):
    setup(tmp_path)
    with pytest.raises(PackageError, match=message):
        build_zip(tmp_path / "src")


def _spec(tmp_path: Path, package: str) -> Path:
    path = tmp_path / "spec.yaml"
    path.write_text(SPEC % package)
    return path


def test_source_is_relative_to_the_spec_file_and_located_when_missing(tmp_path):
    path = _spec(tmp_path, "source: fn,")
    with pytest.raises(SpecError) as caught:
        pipeline.load_spec(path)
    assert [str(p) for p in caught.value.problems] == [
        f"{path}:7:26: targets.aws-lambda.package.source: folder {tmp_path / 'fn'} does not exist (resolved relative to the spec file)"
    ]


@pytest.mark.parametrize(("package", "word"), [("source: fn, filename: fn.zip,", "both"), ("", "neither")])
def test_a_zip_needs_exactly_one_of_source_and_filename(tmp_path, package, word):
    _tree(tmp_path / "fn", {"app.py": "x\n"})
    with pytest.raises(SpecError, match=f"a zip package needs either `source`.*not {word}"):
        pipeline.load_spec(_spec(tmp_path, package))


def test_render_writes_the_zip_and_check_sees_a_changed_source(tmp_path, run_cli, monkeypatch):
    source = _tree(tmp_path / "fn", {"app.py": "def handler(e, c):\n    return 1\n"})
    spec, out = _spec(tmp_path, "source: fn,"), tmp_path / "modules"
    # run from elsewhere: the source is found beside the spec, not in the working directory
    monkeypatch.chdir(REPO)
    assert run_cli("render", str(spec), "-o", str(out)).exit_code == 0
    built = out / "pkg-demo" / "aws-lambda" / "package.zip"
    assert built.read_bytes() == build_zip(source)
    assert run_cli("render", str(spec), "-o", str(out), "--check").exit_code == 0
    (source / "app.py").write_text("def handler(e, c):\n    return 2\n")
    stale = run_cli("render", str(spec), "-o", str(out), "--check")
    assert stale.exit_code == 1
    assert f"would update: {built}" in stale.stderr
    assert "Binary files" in run_cli("render", str(spec), "-o", str(out), "--diff").stdout
    # plan renders the module first (ensure_module): it builds the new zip before terraform runs
    module = pipeline.ensure_module(spec, "aws-lambda", None, out)
    assert (module / "package.zip").read_bytes() == build_zip(source)


def test_the_example_needs_no_build_step_and_its_committed_zip_is_current():
    spec = pipeline.load_spec(EXAMPLES / "sentiment-lambda.yaml")
    files, _ = pipeline.render_spec(spec)
    committed = REPO / "modules" / "sentiment-lambda" / "aws-lambda" / "package.zip"
    assert files[PurePosixPath("sentiment-lambda/aws-lambda/package.zip")] == committed.read_bytes()
    assert not (EXAMPLES / "sentiment-lambda" / "build.py").exists()
