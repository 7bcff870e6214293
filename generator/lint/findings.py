"""One lint finding: where, which resource, what is wrong."""

from __future__ import annotations

from dataclasses import asdict, dataclass

ERROR = "error"
WARNING = "warning"  # reported, but does not make `tfgen lint` exit 1


@dataclass(frozen=True, order=True)
class LintFinding:
    """`str(finding)` is the report line: `file:line: address: message`."""

    file: str
    line: int
    address: str  # resource.aws_lb.this, data.aws_iam_policy_document.x, provider.aws
    message: str
    severity: str = ERROR

    def __str__(self) -> str:
        prefix = f"{self.file}:{self.line}: "
        if self.address:
            prefix += f"{self.address}: "
        if self.severity == WARNING:
            prefix += "warning: "
        return prefix + self.message

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def to_dict(self) -> dict:
        return asdict(self)
