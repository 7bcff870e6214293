"""`tfgen lint`: rendered Terraform against real provider schemas, offline.

Public API (the CLI and `tfgen check` call these):
    lint_modules(paths, schema_files) -> list[LintFinding]
    lint(paths, schema_files) -> LintReport   # findings plus what was checked
Raises SchemaUnavailable / NoModules / SchemaSourceError (all TfgenError, exit 1).
"""

from .engine import LintReport, NoModules, SchemaUnavailable, lint, lint_modules
from .findings import ERROR, WARNING, LintFinding
from .schema_source import SchemaSourceError, default_cache_dir

__all__ = [
    "ERROR",
    "WARNING",
    "LintFinding",
    "LintReport",
    "NoModules",
    "SchemaSourceError",
    "SchemaUnavailable",
    "default_cache_dir",
    "lint",
    "lint_modules",
]
