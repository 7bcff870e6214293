"""Provider schemas: where they come from, and a cache that makes loading cheap.

Two sources, the same JSON document (`terraform providers schema -json`):
- a file given with --provider-schema (.json or .json.gz);
- `terraform providers schema -json` run in a module directory that has been
  `terraform init`-ed (providers installed, lock file present).

Decoding the AWS document (13 MB of JSON) costs most of a second, and a lint
touches a few dozen of its ~2,100 resource types. So the first load splits it
into one marshal blob per resource/data source type and writes those to a
cache file; later loads read that file (a few ms) and decode only the types a
module uses. The cache lives in $XDG_CACHE_HOME/tfgen/provider-schemas (else
~/.cache/...), keyed by the sha256 of the schema file, or of the module's
.terraform.lock.hcl for terraform's output. A cache that cannot be read or
written is ignored: it only ever costs time.
"""

from __future__ import annotations

import contextlib
import functools
import gzip
import hashlib
import json
import marshal
import os
import re
import sys
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import TfgenError

try:  # about twice as fast on the cold path; checkov brings it, json is the fallback
    import orjson as _fast_json
except ImportError:  # pragma: no cover - depends on the environment
    _fast_json = None  # type: ignore[assignment]

_CACHE_TAG = f"v1-py{sys.version_info[0]}{sys.version_info[1]}"  # marshal is per Python version
TERRAFORM_TIMEOUT = 300  # seconds; starting a big provider plugin takes a few
BUILTIN_TERRAFORM_SOURCE = "terraform.io/builtin/terraform"
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


class SchemaSourceError(TfgenError):
    """A schema file is unreadable or is not a provider schema document."""


@dataclass
class ProviderSchema:
    """One provider's schema, decoded lazily one resource type at a time."""

    source: str  # registry.terraform.io/hashicorp/aws
    origin: str  # where it came from, for messages
    _provider: bytes = field(repr=False)
    _resources: dict[str, bytes] = field(repr=False)
    _data_sources: dict[str, bytes] = field(repr=False)
    _decoded: dict = field(default_factory=dict, repr=False)

    @property
    def name(self) -> str:
        """The provider's type name: the last part of its source address."""
        return self.source.rsplit("/", 1)[-1]

    def provider_block(self) -> dict:
        return self._decode(("provider", ""), self._provider)

    def resource(self, type_: str) -> dict | None:
        """The schema `block` of a resource type, or None if the provider has no such type."""
        blob = self._resources.get(type_)
        return None if blob is None else self._decode(("resource", type_), blob)

    def data_source(self, type_: str) -> dict | None:
        blob = self._data_sources.get(type_)
        return None if blob is None else self._decode(("data", type_), blob)

    def resource_types(self) -> Iterable[str]:
        return self._resources.keys()

    def data_source_types(self) -> Iterable[str]:
        return self._data_sources.keys()

    def _decode(self, key: tuple, blob: bytes) -> dict:
        if key not in self._decoded:
            self._decoded[key] = marshal.loads(blob)  # noqa: S302 - blobs tfgen itself marshalled
        return self._decoded[key]


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "tfgen" / "provider-schemas"


# in-process memo: (cache key) -> providers; `tfgen check` may lint several times
_LOADED: dict[str, list[ProviderSchema]] = {}


def load_schema_file(path: Path, cache_dir: Path | None = None) -> list[ProviderSchema]:
    """Every provider in one schema document (.json or .json.gz)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SchemaSourceError(f"{path}: cannot read provider schema: {exc.strerror or exc}") from None
    key = hashlib.sha256(data).hexdigest()
    origin = str(path)
    cached = _from_cache(key, origin, cache_dir)
    if cached is not None:
        return cached
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as exc:
            raise SchemaSourceError(f"{path}: not a readable gzip file: {exc}") from None
    try:
        document = _parse_json(data)
    except ValueError as exc:
        raise SchemaSourceError(f"{path}: not JSON: {exc}") from None
    return _to_cache(key, _split(document, origin), cache_dir)


def terraform_lock_key(module_dir: Path, data_dir: Path | None = None) -> str | None:
    """The cache key for a module's installed providers, or None if it was never initialized.

    `data_dir` is the module's TF_DATA_DIR when it is not `.terraform/` (tfgen keeps its own in `.tfgen/`).
    """
    lock = Path(module_dir) / ".terraform.lock.hcl"
    if not lock.is_file() or not (data_dir or Path(module_dir) / ".terraform").is_dir():
        return None
    try:
        return "tf-" + hashlib.sha256(lock.read_bytes()).hexdigest()
    except OSError:
        return None


def load_terraform_schemas(
    module_dir: Path, cache_dir: Path | None = None, timeout: float = TERRAFORM_TIMEOUT, data_dir: Path | None = None
) -> tuple[list[ProviderSchema], str]:
    """The schemas of an initialized module's providers, via terraform.

    Returns (providers, "") or ([], why not) - never raises, because another
    source may still cover the providers; the caller reports what is missing.
    """
    key = terraform_lock_key(module_dir, data_dir)
    if key is None:
        return (
            [],
            f"{module_dir} is not initialized (no .terraform.lock.hcl, or no .terraform/ nor tfgen init data in .tfgen/)",
        )
    origin = f"terraform providers schema -json in {module_dir}"
    cached = _from_cache(key, origin, cache_dir)
    if cached is not None:
        return cached, ""
    from ..errors import RunError, ToolError
    from ..runners import tfprocess
    from .init_data import providers_workspace

    # tfgen's init data: ask in a scratch module holding only its providers (its backend settings may not match)
    workspace = (
        providers_workspace(Path(module_dir), data_dir)
        if data_dir
        else contextlib.nullcontext((Path(module_dir), None))
    )
    try:
        with workspace as (cwd, tf_data_dir):
            proc = tfprocess.run(
                tfprocess.find_terraform(),
                "providers schema",
                ["-json"],
                cwd=cwd,
                env=tfprocess.environment(cli_config=None, data_dir=tf_data_dir),
                timeout=timeout,
                ok=None,
            )
    except ToolError:
        return [], "terraform is not on PATH"
    except RunError:
        return [], f"terraform providers schema timed out after {timeout:.0f}s"
    except OSError as exc:
        return [], f"cannot read tfgen's init data for {module_dir}: {exc}"
    if proc.returncode != 0:
        errors = [line for line in _ANSI.sub("", proc.stderr).splitlines() if "Error:" in line]
        return [], "terraform providers schema failed: " + (
            errors[0].split("Error:", 1)[1].strip() if errors else f"exit {proc.returncode}"
        )
    try:
        providers = _split(_parse_json(proc.stdout), origin)
    except (ValueError, SchemaSourceError) as exc:
        return [], f"terraform providers schema gave unusable output: {exc}"
    return _to_cache(key, providers, cache_dir), ""


@functools.cache
def builtin_terraform_provider() -> ProviderSchema:
    """terraform_data and terraform_remote_state, which no provider plugin supplies."""
    dynamic_optional = {"type": "dynamic", "optional": True}
    resources = {
        "terraform_data": {
            "attributes": {
                "id": {"type": "string", "computed": True},
                "input": dynamic_optional,
                "output": {"type": "dynamic", "computed": True},
                "triggers_replace": dynamic_optional,
            }
        }
    }
    data_sources = {
        "terraform_remote_state": {
            "attributes": {
                "backend": {"type": "string", "required": True},
                "config": dynamic_optional,
                "defaults": dynamic_optional,
                "outputs": {"type": "dynamic", "computed": True},
                "workspace": {"type": "string", "optional": True},
            }
        }
    }
    return ProviderSchema(
        BUILTIN_TERRAFORM_SOURCE,
        "built in",
        marshal.dumps({}),
        {k: marshal.dumps(v) for k, v in resources.items()},
        {k: marshal.dumps(v) for k, v in data_sources.items()},
    )


def _parse_json(data: bytes | str) -> Any:
    if _fast_json is not None:
        try:
            return _fast_json.loads(data)
        except _fast_json.JSONDecodeError as exc:
            raise ValueError(str(exc)) from None
    return json.loads(data)


def _split(document: Any, origin: str) -> list[ProviderSchema]:
    """One ProviderSchema per provider, each type marshalled on its own."""
    schemas = document.get("provider_schemas") if isinstance(document, dict) else None
    if not isinstance(schemas, dict):
        raise SchemaSourceError(f"{origin}: not the output of `terraform providers schema -json` (no provider_schemas)")
    providers = []
    for source, schema in sorted(schemas.items()):
        if not isinstance(schema, dict):
            raise SchemaSourceError(f"{origin}: provider_schemas[{source!r}] is not an object")
        providers.append(
            ProviderSchema(
                source=source.lower(),
                origin=origin,
                _provider=marshal.dumps(_block(schema.get("provider"))),
                _resources=_blobs(schema.get("resource_schemas")),
                _data_sources=_blobs(schema.get("data_source_schemas")),
            )
        )
    return providers


def _block(schema: Any) -> dict:
    block = schema.get("block") if isinstance(schema, dict) else None
    return block if isinstance(block, dict) else {}


def _blobs(schemas: Any) -> dict[str, bytes]:
    if not isinstance(schemas, dict):
        return {}
    return {name: marshal.dumps(_block(schema)) for name, schema in schemas.items()}


def _cache_file(key: str, cache_dir: Path | None) -> Path:
    return (cache_dir or default_cache_dir()) / f"{key}.{_CACHE_TAG}.marshal"


def _from_cache(key: str, origin: str, cache_dir: Path | None) -> list[ProviderSchema] | None:
    if key in _LOADED:
        return _LOADED[key]
    try:
        stored = marshal.loads(_cache_file(key, cache_dir).read_bytes())  # noqa: S302 - tfgen's own per-user cache
        providers = [ProviderSchema(source, origin, *parts) for source, *parts in stored]
    except (OSError, ValueError, EOFError, TypeError):
        return None  # missing, unreadable or stale: rebuild it
    _LOADED[key] = providers
    return providers


def _to_cache(key: str, providers: list[ProviderSchema], cache_dir: Path | None) -> list[ProviderSchema]:
    _LOADED[key] = providers
    target = _cache_file(key, cache_dir)
    stored = [(p.source, p._provider, p._resources, p._data_sources) for p in providers]
    tmp_name = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=target.parent, prefix=".tmp-", delete=False) as tmp:
            tmp_name = tmp.name
            tmp.write(marshal.dumps(stored))
        os.replace(tmp_name, target)  # atomic: a concurrent reader sees all or nothing
    except OSError:
        if tmp_name:  # a read-only or full disk only makes the next run slower
            Path(tmp_name).unlink(missing_ok=True)
    return providers


def forget_loaded() -> None:
    """Drop the in-process memo (benchmarks and tests measuring the disk cache)."""
    _LOADED.clear()
