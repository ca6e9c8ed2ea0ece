"""Findings with file and human (1-based, code point) positions, as every output format needs."""

from __future__ import annotations

from dataclasses import dataclass

from notels.findings import Finding
from notels.syntax.lines import Encoding, LineIndex


@dataclass(frozen=True, slots=True)
class LocatedFinding:
    path: str  # as shown to the user (relative to the working folder when under it)
    line: int  # 1-based
    column: int  # 1-based, in code points
    end_line: int
    end_column: int
    finding: Finding
    related: tuple[tuple[str, int, int, str], ...] = ()  # (path, line, column, message)
    fixable: bool = False  # `--fix` has a safe fix for it


def locate(
    path: str,
    finding: Finding,
    lines: LineIndex | None,
    related: tuple[tuple[str, int, int, str], ...] = (),
    fixable: bool = False,
) -> LocatedFinding:
    if lines is None:
        return LocatedFinding(path, 1, 1, 1, 1, finding, related, fixable)
    line, column = lines.position(finding.span.start, Encoding.UTF32)
    end_line, end_column = lines.position(finding.span.end, Encoding.UTF32)
    return LocatedFinding(
        path, line + 1, column + 1, end_line + 1, end_column + 1, finding, related, fixable
    )
