"""One base error and the exit codes the CLI maps them to.

Exit codes: 0 ok, 1 findings or invalid input, 2 usage, 3 a tool failed.
"""

from __future__ import annotations

from dataclasses import dataclass

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_TOOL = 3


@dataclass(frozen=True, order=True)
class Problem:
    """One located problem in an input file: FILE:LINE:COL: path: message."""

    file: str
    line: int
    column: int
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}"
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


class TfgenError(Exception):
    """Base of every error a user may see; `str()` is the whole message."""

    exit_code = EXIT_FINDINGS


class SpecError(TfgenError):
    """The spec file is unreadable or invalid; carries every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class UsageError(TfgenError):
    """The command line names something that is not there (a target the spec does not have): exit 2,
    as for any other bad argument."""

    exit_code = EXIT_USAGE


class RenderError(TfgenError):
    """A template failed to render (a bug in tfgen or a template)."""

    exit_code = EXIT_TOOL


class WriteError(TfgenError):
    """Output could not be written, or would escape the output root."""


class ToolError(TfgenError):
    """An external tool (terraform, checkov, the emulator) is missing or broke."""

    exit_code = EXIT_TOOL


class RunError(TfgenError):
    """A run was refused or failed for a reason the user can act on."""
