"""Where lint's provider schemas come from: files, terraform, and the cache."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pytest

from generator.lint import SchemaSourceError, SchemaUnavailable, lint, schema_source
from generator.lint.schema_source import default_cache_dir, forget_loaded, load_schema_file
from tests.support import require_terraform, run, terraform_env

FIXTURES = Path(__file__).parent / "fixtures" / "lint"
TOY = FIXTURES / "toy.schema.json"
CLEAN_AWS = FIXTURES / "clean" / "aws"


@pytest.fixture(autouse=True)
def fresh(tmp_path, monkeypatch):
    """Each test starts with no in-process memo and its own empty cache."""
    forget_loaded()
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    yield
    forget_loaded()


def cache_files(cache: Path) -> list[str]:
    return sorted(p.name for p in cache.glob("*.marshal")) if cache.is_dir() else []


def test_cache_dir_honours_xdg_cache_home(tmp_path, monkeypatch):
    assert default_cache_dir() == tmp_path / "xdg" / "tfgen" / "provider-schemas"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_cache_dir() == tmp_path / "home" / ".cache" / "tfgen" / "provider-schemas"


def test_json_and_gzip_files_give_the_same_schema(tmp_path):
    gz = tmp_path / "toy.schema.json.gz"
    gz.write_bytes(gzip.compress(TOY.read_bytes()))
    (plain,) = load_schema_file(TOY)
    (packed,) = load_schema_file(gz)
    assert plain.source == packed.source == "registry.terraform.io/example/toy"
    assert plain.name == "toy"
    assert plain.resource("toy_thing") == packed.resource("toy_thing")
    assert plain.resource("toy_thing")["attributes"]["name"] == {"type": "string", "required": True}
    assert plain.data_source("toy_lookup") is not None
    assert plain.resource("toy_nothing") is None
    assert plain.provider_block()["attributes"]["endpoint"]["required"] is True


def test_second_load_reads_the_cache_not_the_json(tmp_path, monkeypatch):
    load_schema_file(TOY)
    cache = default_cache_dir()
    files = cache_files(cache)
    assert len(files) == 1 and files[0].startswith(schema_source.hashlib.sha256(TOY.read_bytes()).hexdigest())

    forget_loaded()

    def no_json(_data):
        raise AssertionError("the cached load must not parse JSON")

    monkeypatch.setattr(schema_source, "_parse_json", no_json)
    (toy,) = load_schema_file(TOY)
    assert toy.resource("toy_thing")["block_types"]["zone"]["min_items"] == 2


def test_a_corrupt_cache_file_is_rebuilt():
    load_schema_file(TOY)
    (cached,) = default_cache_dir().glob("*.marshal")
    cached.write_bytes(b"not marshal data")
    forget_loaded()
    (toy,) = load_schema_file(TOY)
    assert toy.resource("toy_thing") is not None
    assert cached.read_bytes() != b"not marshal data"


def test_an_unwritable_cache_only_costs_time(tmp_path):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    (toy,) = load_schema_file(TOY, cache_dir=blocker / "cache")
    assert toy.resource("toy_thing") is not None
    assert list(tmp_path.glob(".tmp-*")) == []


@pytest.mark.parametrize(
    "content, message",
    [
        (b'{"format_version": "1.0"}', "not the output of `terraform providers schema -json` (no provider_schemas)"),
        (b"{nope", "not JSON"),
        (b"\x1f\x8b\x08garbage", "not a readable gzip file"),
        (b'{"provider_schemas": {"x": 1}}', "provider_schemas['x'] is not an object"),
    ],
)
def test_bad_schema_files_are_one_clear_error(tmp_path, content, message):
    bad = tmp_path / "bad.json"
    bad.write_bytes(content)
    with pytest.raises(SchemaSourceError) as exc:
        load_schema_file(bad)
    assert str(exc.value).startswith(f"{bad}: ")
    assert message in str(exc.value)
    assert exc.value.exit_code == 1


def test_missing_schema_file_is_an_error(tmp_path):
    with pytest.raises(SchemaSourceError, match="cannot read provider schema"):
        load_schema_file(tmp_path / "absent.json")


@pytest.mark.terraform
def test_terraform_providers_schema_is_used_and_cached_for_an_initialized_module(tmp_path, monkeypatch):
    """Real terraform, offline via the provider mirror (the provider is symlinked, not copied)."""
    terraform = require_terraform()
    module = tmp_path / "aws"
    shutil.copytree(CLEAN_AWS, module)
    env = terraform_env(tmp_path)
    init = run([terraform, "init", "-backend=false", "-input=false", "-no-color"], module, env)
    assert init.returncode == 0, init.stderr

    monkeypatch.setenv("TF_CLI_CONFIG_FILE", env["TF_CLI_CONFIG_FILE"])
    report = lint([module], [])
    assert report.findings == []
    assert report.counts.resources == 10
    (cached,) = cache_files(default_cache_dir())
    assert cached.startswith("tf-")

    # second run: served from the cache keyed by the lock file, terraform not needed
    forget_loaded()
    monkeypatch.setenv("PATH", str(tmp_path / "empty-path"))
    assert lint([module], []).findings == []

    # without terraform's help (and without tfgen's bundled schemas) the same module has no schema: one clear error
    with pytest.raises(SchemaUnavailable, match=r"^no schema for provider aws"):
        lint([module], [], use_terraform=False, use_bundled=False)


def test_uninitialized_module_without_schema_files_says_why(tmp_path):
    # aws_s3_object: a real aws type that tfgen's templates do not render, so the bundled schema lacks it
    (tmp_path / "main.tf").write_text('resource "aws_s3_object" "b" {\n}\n')
    with pytest.raises(SchemaUnavailable) as exc:
        lint([tmp_path], [])
    assert "no schema for provider aws" in str(exc.value)
    assert "is not initialized" in str(exc.value)
    assert "tfgen's bundled aws 5.100.0 schema holds only the types tfgen renders, not resource aws_s3_object" in str(
        exc.value
    )


def test_loads_without_orjson(monkeypatch):
    monkeypatch.setattr(schema_source, "_fast_json", None)
    (toy,) = load_schema_file(TOY)
    assert toy.resource("toy_thing")["attributes"]["size"] == {"type": "number", "optional": True}
