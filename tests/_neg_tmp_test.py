import os, pytest
from tests import test_scan as t
def test_neg(monkeypatch, tmp_path):
    monkeypatch.setattr(t.runner.os, "killpg", lambda pid, sig: os.kill(pid, sig))  # kill only the leader
    t.test_checkov_timeout_is_a_tool_failure_and_kills_its_workers(monkeypatch, tmp_path)
