"""terraform's machine-readable output (`-json`): progress lines and diagnostics.

`UiStream` turns the JSON event lines of `init/plan/apply -json` into one short
progress line per event and keeps the error diagnostics for the failure
message; `Diagnostic` is one error or warning terraform reported.
"""

from __future__ import annotations

import json
import textwrap
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

Echo = Callable[[str], None]


@dataclass(frozen=True)
class Diagnostic:
    """One error or warning terraform reported."""

    severity: str
    summary: str
    detail: str = ""
    where: str = ""

    def __str__(self) -> str:
        head = f"{self.severity.capitalize()}: {self.summary}"
        if self.where:
            head += f"\n  {self.where}"
        detail = self.detail.strip()
        return head + ("\n" + textwrap.indent(detail, "  ") if detail else "")


_VERBS = {  # hook action -> (while, done)
    "create": ("creating", "created"),
    "update": ("updating", "updated"),
    "delete": ("destroying", "destroyed"),
    "replace": ("replacing", "replaced"),
    "read": ("reading", "read"),
    "import": ("importing", "imported"),
    "noop": ("checking", "unchanged"),
}


class UiStream:
    """Turns the JSON lines of `-json` runs into one short line per event.

    Errors are kept (not printed) so the final message carries them once.
    `resource_drift` events are not shown: terraform sends them for every
    attribute that moved, relevant to the plan or not; the diff shows the
    relevant ones.
    """

    def __init__(self, echo: Echo):
        self._echo = echo
        self._errors: list[Diagnostic] = []
        self._refreshing: dict[str, float] = {}
        self._lock = threading.Lock()

    @property
    def errors(self) -> tuple[Diagnostic, ...]:
        return tuple(self._errors)

    def feed(self, line: str) -> None:
        try:
            event = json.loads(line)
        except ValueError:
            if line.strip():
                self._echo(line.rstrip("\n"))
            return
        if isinstance(event, dict):
            with self._lock:
                self._handle(event)

    def _handle(self, event: dict) -> None:
        kind = event.get("type")
        message = str(event.get("@message", "")).strip()
        hook = event.get("hook") or {}
        addr = (hook.get("resource") or {}).get("addr", "")
        action = hook.get("action", "")
        doing, done = _VERBS.get(action, (action or "working", action or "done"))
        if kind in ("log", "init_output"):
            if message:
                self._echo(message)
        elif kind == "diagnostic":
            diagnostic = parse_diagnostic(event.get("diagnostic") or {})
            if diagnostic.severity == "error":
                if diagnostic not in self._errors:
                    self._errors.append(diagnostic)
            else:
                self._echo(str(diagnostic))
        elif kind == "apply_start":
            self._echo(f"{addr}: {doing}...")
        elif kind == "apply_progress":
            self._echo(f"{addr}: still {doing}... ({hook.get('elapsed_seconds', 0)}s)")
        elif kind == "apply_complete":
            self._echo(f"{addr}: {done} ({hook.get('elapsed_seconds', 0)}s)")
        elif kind == "apply_errored":
            self._echo(f"{addr}: failed while {doing} ({hook.get('elapsed_seconds', 0)}s)")
        elif kind == "refresh_start":
            self._refreshing[addr] = time.monotonic()
        elif kind == "refresh_complete":
            started = self._refreshing.pop(addr, time.monotonic())
            self._echo(f"{addr}: refreshed ({time.monotonic() - started:.0f}s)")
        elif kind == "provision_errored":
            self._echo(f"{addr}: provisioner failed")
        elif kind == "change_summary" and (event.get("changes") or {}).get("operation") in ("apply", "destroy"):
            self._echo(message)


def parse_diagnostic(raw: dict) -> Diagnostic:
    where = ""
    rng = raw.get("range") or {}
    if rng.get("filename"):
        where = f"on {rng['filename']} line {(rng.get('start') or {}).get('line', '?')}"
        if raw.get("address"):
            where += f", in {raw['address']}"
    elif raw.get("address"):
        where = f"in {raw['address']}"
    return Diagnostic(
        str(raw.get("severity", "error")), str(raw.get("summary", "")).strip(), str(raw.get("detail", "")), where
    )
