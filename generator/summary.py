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
MARKDOWN_LIMIT = 65_536  # GitHub stops a comment at 65,536 characters; the Markdown summary never exceeds it
MARKDOWN_DIFF_LIMIT = 60_000  # the diff's share of it, when the lists above it are short


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
        changes.append(
            ResourceChange(
                address=raw.get("address", ""),
                type=raw.get("type", ""),
                name=raw.get("name", ""),
                module=raw.get("module_address", ""),
                action=action,
                actions=actions,
                reason=_replace_reason(raw) if action == "replace" else "",
            )
        )
    changes.sort(key=lambda c: (_ORDER.get(c.action, 9), c.address))
    outputs = []
    for name, raw in sorted((plan.get("output_changes") or {}).items()):
        action = _action(tuple((raw or {}).get("actions") or ()))
        if action not in ("no-op", ""):
            outputs.append((name, action))
    return PlanSummary(module, str(plan.get("terraform_version", "")), tuple(changes), tuple(outputs), diff)


def render(summary: PlanSummary, fmt: str, full_plan: str = "") -> str:
    """`full_plan`: where the whole plan is as JSON (named when the Markdown summary had to be cut)."""
    if fmt == "text":
        return to_text(summary)
    if fmt == "markdown":
        return to_markdown(summary, full_plan)
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


def to_markdown(summary: PlanSummary, full_plan: str = "") -> str:
    """Markdown for a pull-request comment: at most MARKDOWN_LIMIT characters.

    Past the limit the diff is cut first, then the list of non-destructive
    changes, then (only if it alone is too long) the list of destroys; each cut
    says so and where the whole plan is (`full_plan`, the plan as JSON).
    """
    where = f"`{full_plan}`" if full_plan else "the plan's JSON (`terraform show -json`)"
    note = f"truncated to fit a GitHub comment ({MARKDOWN_LIMIT:,} characters); every change is in {where}"
    title = f"### Terraform plan: {_code(summary.module)}" if summary.module else "### Terraform plan"
    head = [title, "", f"**{summary.headline}**"]
    destroys = [f"> - {_code(c.address)} ({_describe(c)})" for c in summary.destroys]
    others = [f"- {c.action} {_code(c.address)}" for c in summary.changes if not c.destroys]
    outputs = []
    if summary.output_changes:
        outputs = ["", "Outputs: " + ", ".join(f"{_code(name)} ({action})" for name, action in summary.output_changes)]
    diff = _markdown_diff(summary.diff.strip("\n")) if summary.has_changes and summary.diff.strip() else ""
    if len(diff) > MARKDOWN_DIFF_LIMIT:
        diff = _cut(diff, MARKDOWN_DIFF_LIMIT, note)

    def assemble(destroys: list[str], others: list[str], diff: str) -> str:
        lines = list(head)
        if destroys:
            count = len(summary.destroys)
            lines += [
                "",
                "> [!CAUTION]",
                f"> **This plan destroys or replaces {count} resource{'s' if count != 1 else ''}:**",
            ]
            lines += destroys
        if others:
            lines += [""] + others
        lines += outputs
        if diff:
            fence = "`" * max(3, _longest_backtick_run(diff) + 1)
            lines += [
                "",
                "<details><summary>Show the full plan</summary>",
                "",
                f"{fence}diff",
                diff,
                fence,
                "",
                "</details>",
            ]
        return "\n".join(lines) + "\n"

    text = assemble(destroys, others, diff)
    if len(text) <= MARKDOWN_LIMIT:
        return text
    without_diff = assemble(destroys, others, "")
    room = MARKDOWN_LIMIT - len(without_diff) - 200  # the <details> block's own lines and a longer fence
    if room > 1000:
        return assemble(destroys, others, _cut(diff, room, note))
    # the lists alone are too long: the diff goes, destroys keep their room first (what a reviewer must not miss)
    room_for_others = ["- ... and 999999 more (" + note + ")"] if others else []
    header = 200  # the CAUTION lines above the destroys, the blank line before the others
    destroys = _cut_list(destroys, MARKDOWN_LIMIT - len(assemble([], room_for_others, "")) - header, note, prefix="> ")
    others = _cut_list(others, MARKDOWN_LIMIT - len(assemble(destroys, [], "")) - header, note)
    return assemble(destroys, others, "")


def _cut(text: str, limit: int, note: str) -> str:
    """`text` cut at a line end within `limit` characters, and a line saying so."""
    marker = f"... ({note})"
    return text[: max(limit - len(marker) - 1, 0)].rsplit("\n", 1)[0] + "\n" + marker


def _cut_list(lines: list[str], limit: int, note: str, prefix: str = "") -> list[str]:
    """The first lines of a Markdown list that fit in `limit` characters, then one line saying how many were left out."""
    marker_room = len(f"{prefix}- ... and {len(lines)} more ({note})") + 2
    kept: list[str] = []
    used = 0
    for line in lines:
        if used + len(line) + 1 > limit - marker_room:
            return kept + [f"{prefix}- ... and {len(lines) - len(kept)} more ({note})"]
        kept.append(line)
        used += len(line) + 1
    return kept


def to_json(summary: PlanSummary) -> str:
    document = {
        "format": JSON_FORMAT,
        "module": summary.module,
        "terraform_version": summary.terraform_version,
        "has_changes": summary.has_changes,
        "counts": {"add": summary.add, "change": summary.change, "destroy": summary.destroy},
        "destroys": [{"address": c.address, "action": c.action, "reason": c.reason} for c in summary.destroys],
        "resource_changes": [
            {
                "address": c.address,
                "type": c.type,
                "name": c.name,
                "module": c.module,
                "action": c.action,
                "actions": list(c.actions),
            }
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
    return {
        "replace_because_tainted": "tainted",
        "replace_by_request": "replacement requested",
        "replace_by_triggers": "replace_triggered_by",
    }.get(reason, "")


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
            line = sign + match.group(1) + line[match.end() :]
        out.append(line)
    return "\n".join(out)
