"""What a rule reports: plain data shared by the CLI, the server and the fixers."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from notels.syntax.spans import Span


class Severity(Enum):
    """Ordered from most to least severe; values are the names used in config and output."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"
    HINT = "hint"

    @property
    def rank(self) -> int:
        """0 for error .. 3 for hint: lower is more severe."""
        return _RANK[self]

    def at_least(self, other: Severity) -> bool:
        return self.rank <= other.rank


_RANK = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2, Severity.HINT: 3}


@dataclass(frozen=True, slots=True)
class Related:
    """Another place that explains a finding (e.g. the other copy of a duplicate ID)."""

    path: str  # vault-relative, `/`-separated
    span: Span
    message: str


@dataclass(frozen=True, slots=True)
class Finding:
    code: str
    severity: Severity
    span: Span
    message: str
    related: tuple[Related, ...] = ()
    unnecessary: bool = False  # stale things editors may fade out
