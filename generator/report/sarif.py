"""SARIF 2.1.0 for code-scanning uploads (GitHub, Azure DevOps, ...).

One run; tfgen is the driver, Checkov an extension (its version is recorded).
Failed checks are results with level "error" (or the level of Checkov's
severity when it gives one); skipped checks are results carrying an in-source
suppression with the skip's reason, so viewers show them as suppressed.
Passed checks are not results: SARIF reports problems.
Locations are relative to the scan root, named by the %SRCROOT% base id.
"""

from __future__ import annotations

import json
from pathlib import Path, PurePosixPath
from urllib.parse import quote

from .. import __version__
from .model import ScanFinding, ScanResult

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
_ROOT_ID = "%SRCROOT%"
_LEVELS = {"CRITICAL": "error", "HIGH": "error", "MEDIUM": "warning", "LOW": "note", "INFO": "note"}


def render_sarif(result: ScanResult) -> str:
    reported = result.failed + result.skipped
    rules, index = _rules(reported)
    log = {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "tfgen",
                        "version": __version__,
                        "rules": rules,
                    },
                    "extensions": [
                        {
                            "name": "checkov",
                            "version": result.checkov_version or "unknown",
                            "informationUri": "https://www.checkov.io/",
                        }
                    ],
                },
                "originalUriBaseIds": {_ROOT_ID: {"uri": Path(result.root).as_uri().rstrip("/") + "/"}},
                "invocations": [{"executionSuccessful": True}],
                "results": [_result(f, index[f.check_id]) for f in reported],
                "properties": {"framework": result.framework, "targets": list(result.targets)},
            }
        ],
    }
    return json.dumps(log, indent=2) + "\n"


def _rules(findings: tuple[ScanFinding, ...]) -> tuple[list[dict], dict[str, int]]:
    rules: list[dict] = []
    index: dict[str, int] = {}
    for finding in sorted(findings, key=lambda f: f.check_id):
        if finding.check_id in index:
            continue
        index[finding.check_id] = len(rules)
        rule = {
            "id": finding.check_id,
            "name": finding.name,
            "shortDescription": {"text": finding.name},
            "fullDescription": {"text": finding.name},
            "defaultConfiguration": {"level": _level(finding)},
        }
        if finding.guideline:
            rule["helpUri"] = finding.guideline
            rule["help"] = {"text": f"{finding.name}. Guideline: {finding.guideline}"}
        rules.append(rule)
    return rules, index


def _result(finding: ScanFinding, rule_index: int) -> dict:
    text = finding.message if not finding.resource else f"{finding.message} ({finding.resource})"
    location: dict = {
        "physicalLocation": {
            "artifactLocation": _artifact(finding.file),
            "region": {"startLine": finding.start_line, "endLine": finding.end_line},
        }
    }
    if finding.resource:
        location["logicalLocations"] = [{"name": finding.resource, "kind": "resource"}]
    result = {
        "ruleId": finding.check_id,
        "ruleIndex": rule_index,
        "level": _level(finding),
        "message": {"text": text},
        "locations": [location],
    }
    if finding.skip_reason is not None:
        result["suppressions"] = [{"kind": "inSource", "justification": finding.skip_reason}]
    return result


def _artifact(file: str) -> dict:
    path = PurePosixPath(file)
    if path.is_absolute():  # outside the scan root
        return {"uri": Path(file).as_uri()}
    return {"uri": quote(file), "uriBaseId": _ROOT_ID}


def _level(finding: ScanFinding) -> str:
    return _LEVELS.get((finding.severity or "").upper(), "error")
