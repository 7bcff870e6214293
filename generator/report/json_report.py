"""Machine-readable report: the ScanResult as JSON, stable key order."""

from __future__ import annotations

import json

from .. import __version__
from .model import ScanResult


def render_json(result: ScanResult) -> str:
    document = {
        "tool": {"name": "tfgen", "version": __version__, "checkov_version": result.checkov_version},
        "framework": result.framework,
        "root": result.root,
        "targets": list(result.targets),
        "ok": result.ok,
        "summary": result.counts,
        "failed": [f.to_dict() for f in result.failed],
        "skipped": [f.to_dict() for f in result.skipped],
        "passed": [f.to_dict() for f in result.passed],
    }
    return json.dumps(document, indent=2, sort_keys=True) + "\n"
