"""JUnit XML for CI test views: one <testsuite> per module directory, one
<testcase> per check on a resource; failures carry the check's message,
skips their reason. Built with ElementTree, so it is always well-formed.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from itertools import groupby
from typing import Any

from .model import FAILED, SKIPPED, ScanFinding, ScanResult


def render_junit(result: ScanResult) -> str:
    findings = sorted(result.findings, key=lambda f: (f.module, f.file, f.start_line, f.check_id, f.resource))
    suites = ET.Element("testsuites", name="tfgen scan", **_counts(findings))
    for module, group in groupby(findings, key=lambda f: f.module):
        members = list(group)
        suite = ET.SubElement(suites, "testsuite", name=module, **_counts(members))
        for finding in members:
            _testcase(suite, finding)
    ET.indent(suites)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"


def _counts(findings: list[ScanFinding]) -> dict[str, Any]:
    return {
        "tests": str(len(findings)),
        "failures": str(sum(f.status == FAILED for f in findings)),
        "errors": "0",
        "skipped": str(sum(f.status == SKIPPED for f in findings)),
    }


def _testcase(suite: ET.Element, finding: ScanFinding) -> None:
    name = f"{finding.check_id} {finding.resource}".strip()
    case = ET.SubElement(
        suite, "testcase", name=name, classname=finding.file, file=finding.file, line=str(finding.start_line)
    )
    if finding.status == FAILED:
        failure = ET.SubElement(case, "failure", message=finding.message, type=finding.check_id)
        body = [
            f"{finding.check_id}: {finding.message}",
            f"resource: {finding.resource or '-'}",
            f"location: {finding.location}",
        ]
        if finding.guideline:
            body.append(f"guideline: {finding.guideline}")
        failure.text = "\n".join(body)
    elif finding.status == SKIPPED:
        ET.SubElement(case, "skipped", message=f"{finding.check_id} skipped: {finding.skip_reason or ''}".strip())
