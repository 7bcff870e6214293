"""`tfgen scan`: real Checkov over small fixture modules, every report format.

Checkov costs ~5 s per run, so each module set is scanned once (module-scoped
fixtures) and the CLI tests that only exercise options reuse a real result.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from types import SimpleNamespace

import jsonschema
import pytest
from click.testing import CliRunner

from generator.cli import cli
from generator.report import FORMATS, render_report
from generator.report.model import PARSE_ERROR, SKIP_WITHOUT_REASON
from generator.runners import checkov as runner

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "scan"
SARIF_SCHEMA = json.loads((FIXTURES / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))


def _ids(findings) -> set[str]:
    return {f.check_id for f in findings}


def _validate_sarif(log: dict) -> None:
    jsonschema.Draft4Validator(SARIF_SCHEMA, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER).validate(log)


def _cli_scan(*args: str) -> SimpleNamespace:
    """`tfgen scan ARGS` from the fixtures directory with the real Checkov.

    Returns the CLI result, the ScanResult the command rendered, and every
    subprocess command it ran.
    """
    captured: dict = {}
    commands: list = []
    real_scan, real_popen = runner.scan_paths, subprocess.Popen

    def scan(paths, **kwargs):
        captured["result"] = real_scan(paths, **kwargs)
        return captured["result"]

    def spy(command, *a, **kw):
        commands.append(command)
        return real_popen(command, *a, **kw)

    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(FIXTURES)  # finding paths are relative to the working directory
        patch.setattr(runner, "scan_paths", scan)
        patch.setattr(runner.subprocess, "Popen", spy)
        cli_result = CliRunner().invoke(cli, ["scan", *args], catch_exceptions=False)
    return SimpleNamespace(cli=cli_result, result=captured.get("result"), commands=commands)


@pytest.fixture(scope="module")
def insecure_run():
    return _cli_scan("insecure")


@pytest.fixture(scope="module")
def insecure(insecure_run):
    return insecure_run.result


@pytest.fixture(scope="module")
def clean_run():
    """Clean modules, an honoured skip, and the plan fixture's source, in one run."""
    return _cli_scan("clean", "skip_reason", "plan", "--format", "json")


@pytest.fixture(scope="module")
def unexplained_run():
    """A reasonless skip and a file Checkov cannot parse, in one run."""
    return _cli_scan("skip_noreason", "broken_hcl")


@pytest.fixture(scope="module")
def unexplained(unexplained_run):
    return unexplained_run.result


@pytest.fixture
def in_fixtures(monkeypatch):
    monkeypatch.chdir(FIXTURES)


# --- the insecure module: the check is named in every format ---------------


@pytest.mark.checkov
def test_insecure_security_group_fails_ckv_aws_24(insecure):
    assert not insecure.ok
    failure = next(f for f in insecure.failed if f.check_id == "CKV_AWS_24")
    assert failure.resource == "aws_security_group.ssh_world"
    assert (failure.file, failure.start_line, failure.end_line) == ("insecure/main.tf", 1, 12)
    assert failure.module == "insecure"
    assert "port 22" in failure.name
    assert insecure.passed, "checkov's passed checks are kept, not only failures"
    assert insecure.checkov_version.startswith("3.")


@pytest.mark.checkov
@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_names_the_failed_check(insecure, fmt):
    report = render_report(insecure, fmt)
    assert "CKV_AWS_24" in report
    assert "aws_security_group.ssh_world" in report


@pytest.mark.checkov
def test_sarif_is_valid_sarif_2_1_0(insecure):
    log = json.loads(render_report(insecure, "sarif"))
    _validate_sarif(log)
    run = log["runs"][0]
    rules = {rule["id"]: rule for rule in run["tool"]["driver"]["rules"]}
    assert "port 22" in rules["CKV_AWS_24"]["name"]
    result = next(r for r in run["results"] if r["ruleId"] == "CKV_AWS_24")
    assert result["level"] == "error"
    assert run["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == "CKV_AWS_24"
    physical = result["locations"][0]["physicalLocation"]
    assert physical["artifactLocation"] == {"uri": "insecure/main.tf", "uriBaseId": "%SRCROOT%"}
    assert physical["region"]["startLine"] == 1
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == FIXTURES.as_uri() + "/"
    assert len(run["results"]) == len(insecure.failed)


@pytest.mark.checkov
def test_junit_parses_with_one_suite_per_module(insecure):
    root = ET.fromstring(render_report(insecure, "junitxml"))
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == ["insecure"]
    failures = {c.find("failure").get("type"): c for c in suites[0].iter("testcase") if c.find("failure") is not None}
    assert "CKV_AWS_24" in failures
    assert "port 22" in failures["CKV_AWS_24"].find("failure").get("message")
    assert int(root.get("failures")) == len(insecure.failed)
    assert int(root.get("tests")) == len(insecure.failed) + len(insecure.passed)


@pytest.mark.checkov
def test_markdown_has_summary_failure_table_and_folded_passes(insecure):
    text = render_report(insecure, "markdown")
    lines = text.splitlines()
    assert lines[0] == f"### tfgen scan failed: {insecure.summary()}"
    row = next(line for line in lines if "`CKV_AWS_24`" in line)
    assert row.startswith("| ") and "`insecure/main.tf:1`" in row and "`aws_security_group.ssh_world`" in row
    assert f"<summary>{len(insecure.passed)} passed</summary>" in text


@pytest.mark.checkov
def test_json_report_counts_match_the_lists(insecure):
    data = json.loads(render_report(insecure, "json"))
    assert data["ok"] is False
    assert data["summary"] == {"failed": len(data["failed"]), "passed": len(data["passed"]), "skipped": 0}
    assert "CKV_AWS_24" in {f["check_id"] for f in data["failed"]}


@pytest.mark.checkov
def test_table_lists_failures_first_then_the_summary(insecure):
    lines = render_report(insecure, "table").splitlines()
    assert lines[0].split() == ["STATUS", "CHECK", "RESOURCE", "LOCATION", "DESCRIPTION"]
    assert all(line.startswith("FAILED ") for line in lines[1 : 1 + len(insecure.failed)])
    assert lines[-1].startswith(f"FAILED: {len(insecure.failed)} failed")
    columns = {line.index("aws_security_group.ssh_world") for line in lines[1 : 1 + len(insecure.failed)]}
    assert len(columns) == 1, "columns are aligned"
    assert "\x1b[" not in "\n".join(lines), "no color unless asked for"


@pytest.mark.checkov
def test_cli_insecure_module_exits_1_and_prints_the_table(insecure_run):
    result = insecure_run.cli
    assert result.exit_code == 1
    assert "CKV_AWS_24" in result.stdout and "insecure/main.tf:1" in result.stdout
    assert "\x1b[" not in result.stdout, "no color when stdout is not a terminal"
    assert "scanning 1 path(s) with checkov" in result.stderr


# --- CLI options, on the real insecure result --------------------------------


@pytest.fixture
def scan_returns(monkeypatch, in_fixtures):
    def use(result):
        monkeypatch.setattr(runner, "scan_paths", lambda paths, **kw: result)

    return use


@pytest.mark.checkov
def test_soft_fail_reports_failures_but_exits_0(run_cli, scan_returns, insecure):
    scan_returns(insecure)
    result = run_cli("scan", "insecure", "--soft-fail")
    assert result.exit_code == 0
    assert "CKV_AWS_24" in result.stdout


@pytest.mark.checkov
def test_output_file_gets_the_format_while_the_terminal_gets_the_table(run_cli, scan_returns, insecure, tmp_path):
    scan_returns(insecure)
    target = tmp_path / "checkov.sarif"
    result = run_cli("scan", "insecure", "--format", "sarif", "--output", str(target))
    assert result.exit_code == 1
    assert result.stdout.startswith("STATUS") and "CKV_AWS_24" in result.stdout
    assert json.loads(target.read_text())["version"] == "2.1.0"
    assert f"wrote sarif report to {target}" in result.stderr


@pytest.mark.checkov
def test_format_without_output_goes_to_stdout(run_cli, scan_returns, insecure):
    scan_returns(insecure)
    result = run_cli("scan", "insecure", "--format", "json")
    assert result.exit_code == 1
    assert json.loads(result.stdout)["summary"]["failed"] == len(insecure.failed)


# --- clean modules and skips with reasons -----------------------------------


@pytest.mark.checkov
def test_clean_modules_exit_0_in_one_checkov_run(clean_run):
    result = clean_run.cli
    assert result.exit_code == 0, result.stdout + result.stderr
    data = json.loads(result.stdout)
    assert data["summary"]["failed"] == 0 and data["ok"] is True
    [command] = clean_run.commands  # checkov runs once over all modules
    assert {"--framework", "terraform", "--skip-download"} <= set(command)
    scanned = command[command.index("--file") + 1 :]
    assert {Path(f).parent.name for f in scanned} == {"clean", "skip_reason", "plan"}
    passed = {(f["check_id"], f["file"]) for f in data["passed"]}
    assert ("CKV_AWS_7", "clean/main.tf") in passed
    # the plan fixture is encrypted by default: only its plan (test_scan_plan.py) is not
    assert ("CKV_AWS_27", "plan/main.tf") in passed


@pytest.mark.checkov
def test_a_skip_with_a_reason_is_honoured_and_listed_with_it(clean_run):
    [skip] = clean_run.result.skipped
    assert (skip.check_id, skip.file, skip.resource) == ("CKV_AWS_27", "skip_reason/main.tf", "aws_sqs_queue.events")
    assert skip.skip_reason == "Carries only public build events; encryption adds nothing here"


@pytest.mark.checkov
@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_lists_skips_with_their_reasons(clean_run, fmt):
    report = render_report(clean_run.result, fmt)
    assert "CKV_AWS_27" in report and "Carries only public build events; encryption adds nothing here" in report


@pytest.mark.checkov
def test_sarif_marks_skips_as_suppressed_with_the_reason(clean_run):
    log = json.loads(render_report(clean_run.result, "sarif"))
    _validate_sarif(log)
    [result] = log["runs"][0]["results"]
    assert result["ruleId"] == "CKV_AWS_27"
    assert result["suppressions"] == [
        {"kind": "inSource", "justification": "Carries only public build events; encryption adds nothing here"}
    ]


@pytest.mark.checkov
def test_junit_reports_skips_as_skipped(clean_run):
    root = ET.fromstring(render_report(clean_run.result, "junitxml"))
    assert {s.get("name") for s in root.findall("testsuite")} == {"clean", "skip_reason", "plan"}
    [skipped] = [c for c in root.iter("testcase") if c.find("skipped") is not None]
    assert "Carries only public build events" in skipped.find("skipped").get("message")
    assert root.get("failures") == "0" and root.get("skipped") == "1"


# --- skips without a reason, unparsable files --------------------------------


@pytest.mark.checkov
def test_a_skip_without_a_reason_is_a_failure(unexplained):
    [failure] = [f for f in unexplained.failed if f.check_id == SKIP_WITHOUT_REASON]
    assert (failure.file, failure.start_line) == ("skip_noreason/main.tf", 2)
    assert failure.resource == "aws_sqs_queue.events"
    assert "CKV_AWS_27" in failure.detail
    assert not [s for s in unexplained.skipped if s.check_id == "CKV_AWS_27"], "the reasonless skip is not honoured"


@pytest.mark.checkov
def test_a_file_checkov_cannot_parse_is_a_failure_not_zero_findings(unexplained):
    [failure] = [f for f in unexplained.failed if f.check_id == PARSE_ERROR]
    assert failure.file == "broken_hcl/main.tf"
    assert _ids(unexplained.failed) == {SKIP_WITHOUT_REASON, PARSE_ERROR}


@pytest.mark.checkov
@pytest.mark.parametrize("fmt", FORMATS)
def test_reasonless_skip_is_reported_in_every_format(unexplained, fmt):
    report = render_report(unexplained, fmt)
    assert SKIP_WITHOUT_REASON in report and "skip_noreason/main.tf" in report


@pytest.mark.checkov
def test_cli_exits_1_for_a_reasonless_skip(unexplained_run):
    result = unexplained_run.cli
    assert result.exit_code == 1
    assert SKIP_WITHOUT_REASON in result.stdout


# --- Checkov missing or broken is a tool failure (exit 3) --------------------


def test_missing_checkov_is_a_tool_failure(run_cli, in_fixtures, monkeypatch):
    monkeypatch.setattr(runner, "CHECKOV_COMMAND", (sys.executable, "-m", "tfgen_test_no_such_checkov"))
    result = run_cli("scan", "clean")
    assert result.exit_code == 3
    assert result.stdout == ""
    assert "wrote no report" in result.stderr and "No module named tfgen_test_no_such_checkov" in result.stderr


def _fake_checkov(monkeypatch, tmp_path, body: str) -> None:
    script = tmp_path / "fake_checkov.py"
    script.write_text(body)
    monkeypatch.setattr(runner, "CHECKOV_COMMAND", (sys.executable, str(script)))


def test_crashing_checkov_is_a_tool_failure(run_cli, in_fixtures, monkeypatch, tmp_path):
    _fake_checkov(monkeypatch, tmp_path, "import sys\nsys.stderr.write('Traceback: boom\\n')\nsys.exit(2)\n")
    result = run_cli("scan", "clean")
    assert result.exit_code == 3
    assert "checkov failed (exit code 2)" in result.stderr and "boom" in result.stderr
    assert result.stdout == ""


def test_checkov_exiting_1_without_failures_is_a_tool_failure(run_cli, in_fixtures, monkeypatch, tmp_path):
    # an uncaught exception in Python also exits 1: that must not read as "checks failed"
    _fake_checkov(monkeypatch, tmp_path, 'import sys\nprint(\'{"passed": 0, "failed": 0}\')\nsys.exit(1)\n')
    result = run_cli("scan", "clean")
    assert result.exit_code == 3
    assert "reported no failed check" in result.stderr


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def test_checkov_timeout_is_a_tool_failure_and_kills_its_workers(monkeypatch, tmp_path):
    pid_file = tmp_path / "worker.pid"
    _fake_checkov(
        monkeypatch,
        tmp_path,
        (
            "import subprocess, sys, time\n"
            "worker = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\n"
            f"open({str(pid_file)!r}, 'w').write(str(worker.pid))\n"
            "time.sleep(60)\n"
        ),
    )
    started = time.monotonic()
    with pytest.raises(runner.ToolError, match="did not finish within 2 s"):
        runner.scan_paths([FIXTURES / "clean"], timeout=2)
    # a surviving worker would hold Checkov's output pipes open for its full minute
    assert time.monotonic() - started < 20
    worker = int(pid_file.read_text())
    for _ in range(50):
        if not _alive(worker):
            break
        time.sleep(0.05)
    assert not _alive(worker), "a forked Checkov worker outlived the timeout"


# --- inputs ------------------------------------------------------------------


def test_a_directory_without_terraform_is_bad_input(run_cli, tmp_path):
    (tmp_path / "notes.txt").write_text("no terraform here")
    result = run_cli("scan", str(tmp_path))
    assert result.exit_code == 1
    assert "no Terraform files (*.tf)" in result.stderr


def test_scan_without_paths_is_a_usage_error(run_cli):
    result = run_cli("scan")
    assert result.exit_code == 2
    assert "give at least one module directory" in result.stderr


def test_terraform_files_skips_hidden_directories(tmp_path):
    (tmp_path / "main.tf").write_text("")
    (tmp_path / "modules" / "child").mkdir(parents=True)
    (tmp_path / "modules" / "child" / "main.tf").write_text("")
    (tmp_path / ".terraform" / "modules" / "x").mkdir(parents=True)
    (tmp_path / ".terraform" / "modules" / "x" / "main.tf").write_text("")
    found = runner.terraform_files([tmp_path])
    assert [f.relative_to(tmp_path.resolve()).as_posix() for f in found] == ["main.tf", "modules/child/main.tf"]


def test_skip_comments_are_read_the_way_checkov_reads_them(tmp_path):
    from generator.report.skips import read_skip_comments

    tf = tmp_path / "main.tf"
    tf.write_text(
        'resource "aws_s3_bucket" "b" {\n'
        "  #checkov:skip=CKV_AWS_18:Access logs go to the central account\n"
        "  # checkov:skip=CKV_AWS_21\n"
        "  #checkov:skip=CKV_AWS_144:   \n"
        "  #checkov:skip=CKV_AWS_145,CKV2_AWS_6:Both handled by the org SCP\n"
        '  bucket = "b" # bridgecrew:skip=CKV2_AWS_62\n'
        "}\n"
    )
    found = [(c.line, c.check_ids, c.reason, c.has_reason) for c in read_skip_comments(tf)]
    assert found == [
        (2, ("CKV_AWS_18",), "Access logs go to the central account", True),
        (3, ("CKV_AWS_21",), "", False),
        (4, ("CKV_AWS_144",), "", False),  # a blank reason is no reason
        (5, ("CKV_AWS_145", "CKV2_AWS_6"), "Both handled by the org SCP", True),
        (6, ("CKV2_AWS_62",), "", False),
    ]
