"""Scan reports: one model (model.py), one module per output format.

`render_report(result, fmt)` is the one entry point; formats import lazily so
`tfgen --help` stays fast.
"""

from __future__ import annotations

from importlib import import_module

from .model import ScanFinding, ScanResult

# format name -> (module, function); `table` is what a terminal gets by default.
_RENDERERS = {
    "table": ("table", "render_table"),
    "json": ("json_report", "render_json"),
    "sarif": ("sarif", "render_sarif"),
    "junitxml": ("junit", "render_junit"),
    "markdown": ("markdown", "render_markdown"),
}
FORMATS = tuple(_RENDERERS)

__all__ = ["FORMATS", "ScanFinding", "ScanResult", "render_report"]


def render_report(result: ScanResult, fmt: str = "table", *, color: bool = False) -> str:
    """The report of `result` in format `fmt` (one of FORMATS), ending in a newline.

    `color` only affects the table; click.echo strips it again when stdout is
    not a terminal.
    """
    if fmt not in _RENDERERS:
        raise ValueError(f"unknown report format {fmt!r}; expected one of {', '.join(FORMATS)}")
    module, function = _RENDERERS[fmt]
    render = getattr(import_module(f"{__name__}.{module}"), function)
    return render(result, color=color) if fmt == "table" else render(result)
