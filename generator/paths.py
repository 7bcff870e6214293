"""Where the packaged templates and schemas live.

Installed (`pip install .`) they are package data under generator/data/; in a
source checkout they are the top-level templates/ and schemas/ folders.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
_SOURCE_ROOT = _PACKAGE.parent


def _data_dir(name: str) -> Path:
    installed = _PACKAGE / "data" / name
    if installed.is_dir():
        return installed
    return _SOURCE_ROOT / name


def templates_dir() -> Path:
    return _data_dir("templates")


def schemas_dir() -> Path:
    return _data_dir("schemas")


def spec_schema_path() -> Path:
    return schemas_dir() / "tfgen.schema.json"


def provider_schemas_dir() -> Path:
    """tfgen's bundled, trimmed provider schemas (see provider-schemas/README.md)."""
    installed = _PACKAGE / "data" / "provider_schemas"
    return installed if installed.is_dir() else _SOURCE_ROOT / "provider-schemas"
