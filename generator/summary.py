"""A plan, summarised for people and machines: text, Markdown (for a pull request) and JSON.

Built from `terraform show -json PLANFILE` (what will happen, per resource)
plus, for text and Markdown, `terraform show PLANFILE` (Terraform's own diff,
sensitive values masked). Resources that will be destroyed or replaced are
always listed first: they are what a reviewer must not miss.

The JSON summary carries addresses and actions only, never attribute values,
so it is safe to publish even when the plan holds sensitive values.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

FORMATS = ("text", "markdown", "json")
JSON_FORMAT = "tfgen-plan-summary/1"
MARKDOWN_DIFF_LIMIT = 60_000  # GitHub comments stop at 65,536 characters


@dataclass(frozen=True)
class ResourceChange:
    address: str
    type: str
    name: str
    module: str
    action: str  # create, update, delete, replace, read, forget
    actions: tuple[str, ...]  # terraform's own list, e.g. ("delete", "create")
    reason: str = ""  # why a replacement is needed, when terraform says

    @property
    def destroys(self) -> bool:
        return self.action in ("delete", "replace")


@dataclass(frozen=True)
class PlanSummary:
    module: str
    terraform_version: str
    changes: tuple[ResourceChange, ...]  # every resource that changes, destroys first
    output_changes: tuple[tuple[str, str], ...]  # (output name, action)
    diff: str = ""

    @property
    def add(self) -> int:
        return sum(c.action in ("create", "replace") for c in self.changes)

    @property
    def change(self) -> int:
        return sum(c.action == "update" for c in self.changes)

    @property
    def destroy(self) -> int:
        return sum(c.destroys for c in self.changes)

    @property
    def destroys(self) -> tuple[ResourceChange, ...]:
        return tuple(c for c in self.changes if c.destroys)

    @property
    def has_changes(self) -> bool:
        return bool(self.changes or self.output_changes)

    @property
    def headline(self) -> str:
        if not self.has_changes:
            return "No changes. The infrastructure matches the configuration."
        if not self.changes:
            return "Only output values change; no resources."
        return f"Plan: {self.add} to add, {self.change} to change, {self.destroy} to destroy."


_ORDER = {"delete": 0, "replace": 1, "create": 2, "update": 3, "read": 4, "forget": 5}


def summarize(plan: dict, diff: str = "", module: str = "") -> PlanSummary:
    """The summary of `terraform show -json` output (`diff`: `terraform show` text)."""
    changes = []
    for raw in plan.get("resource_changes") or []:
        actions = tuple((raw.get("change") or {}).get("actions") or ())
        action = _action(actions)
        if action in ("no-op", ""):
            continue
        changes.append(ResourceChange(
            address=raw.get("address", ""), type=raw.get("type", ""), name=raw.get("name", ""),
            module=raw.get("module_address", ""), action=action, actions=actions,
            reason=_replace_reason(raw) if action == "replace" else "",
        ))
    changes.sort(key=lambda c: (_ORDER.get(c.action, 9), c.address))
    outputs = []
    for name, raw in sorted((plan.get("output_changes") or {}).items()):
        action = _action(tuple((raw or {}).get("actions") or ()))
        if action not in ("no-op", ""):
            outputs.append((name, action))
    return PlanSummary(module, str(plan.get("terraform_version", "")), tuple(changes), tuple(outputs), diff)


def render(summary: PlanSummary, fmt: str) -> str:
    if fmt == "text":
        return to_text(summary)
    if fmt == "markdown":
        return to_markdown(summary)
    if fmt == "json":
        return to_json(summary)
    raise ValueError(f"unknown summary format {fmt!r}; expected one of {', '.join(FORMATS)}")


def to_text(summary: PlanSummary) -> str:
    lines = [summary.headline]
    if summary.destroys:
        lines += ["", f"WILL BE DESTROYED OR REPLACED ({len(summary.destroys)}):"]
        lines += [f"  {_SIGNS[c.action]} {c.address} ({_describe(c)})" for c in summary.destroys]
    if summary.has_changes and summary.diff.strip():
        lines += ["", summary.diff.strip("\n")]
    return "\n".join(lines) + "\n"


def to_markdown(summary: PlanSummary) -> str:
    title = f"### Terraform plan: {_code(summary.module)}" if summary.module else "### Terraform plan"
    lines = [title, "", f"**{summary.headline}**"]
    if summary.destroys:
        count = len(summary.destroys)
        lines += ["", "> [!CAUTION]",
                  f"> **This plan destroys or replaces {count} resource{'s' if count != 1 else ''}:**"]
        lines += [f"> - {_code(c.address)} ({_describe(c)})" for c in summary.destroys]
    others = [c for c in summary.changes if not c.destroys]
    if others:
        lines += [""] + [f"- {c.action} {_code(c.address)}" for c in others]
    if summary.output_changes:
        lines += ["", "Outputs: " + ", ".join(f"{_code(name)} ({action})" for name, action in summary.output_changes)]
    if summary.has_changes and summary.diff.strip():
        diff = _markdown_diff(summary.diff.strip("\n"))
        if len(diff) > MARKDOWN_DIFF_LIMIT:
            diff = diff[:MARKDOWN_DIFF_LIMIT].rsplit("\n", 1)[0]
            diff += "\n... (diff truncated; the full plan is in the job log)"
        fence = "`" * max(3, _longest_backtick_run(diff) + 1)
        lines += ["", "<details><summary>Show the full plan</summary>", "",
                  f"{fence}diff", diff, fence, "", "</details>"]
    return "\n".join(lines) + "\n"


def to_json(summary: PlanSummary) -> str:
    document = {
        "format": JSON_FORMAT,
        "module": summary.module,
        "terraform_version": summary.terraform_version,
        "has_changes": summary.has_changes,
        "counts": {"add": summary.add, "change": summary.change, "destroy": summary.destroy},
        "destroys": [{"address": c.address, "action": c.action, "reason": c.reason} for c in summary.destroys],
        "resource_changes": [
            {"address": c.address, "type": c.type, "name": c.name, "module": c.module,
             "action": c.action, "actions": list(c.actions)}
            for c in summary.changes
        ],
        "output_changes": [{"name": name, "action": action} for name, action in summary.output_changes],
    }
    return json.dumps(document, indent=2) + "\n"


_SIGNS = {"delete": "-", "replace": "-/+", "create": "+", "update": "~", "read": "<=", "forget": "."}


def _action(actions: tuple[str, ...]) -> str:
    if set(actions) == {"delete", "create"}:
        return "replace"
    if len(actions) == 1:
        return actions[0]
    return "+".join(actions)


def _replace_reason(raw: dict) -> str:
    paths = raw.get("change", {}).get("replace_paths") or []
    names = [".".join(str(step) for step in path) for path in paths if path]
    if names:
        return ", ".join(names) + (" forces" if len(names) == 1 else " force") + " replacement"
    reason = raw.get("action_reason", "")
    return {"replace_because_tainted": "tainted", "replace_by_request": "replacement requested",
            "replace_by_triggers": "replace_triggered_by"}.get(reason, "")


def _describe(change: ResourceChange) -> str:
    return f"{change.action}: {change.reason}" if change.reason else change.action


def _code(text: str) -> str:
    """A Markdown code span whose content is exactly `text` (whatever backticks it holds)."""
    ticks = "`" * (_longest_backtick_run(text) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


def _longest_backtick_run(text: str) -> int:
    return max((len(run) for run in re.findall(r"`+", text)), default=0)


_MARKER = re.compile(r"^(\s+)([-+~])(?=[ /])")


def _markdown_diff(diff: str) -> str:
    """Terraform's indented markers moved to column 0 so a ```diff block colours them (~ becomes !)."""
    out = []
    for line in diff.splitlines():
        match = _MARKER.match(line)
        if match:
            sign = "!" if match.group(2) == "~" else match.group(2)
            line = sign + match.group(1) + line[match.end():]
        out.append(line)
    return "\n".join(out)
