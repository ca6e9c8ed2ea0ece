"""notels/syntax/unicode_marks.py is Unicode's list of combining marks, as this Python knows it.

The module is generated (NOTELS_REGENERATE_MARKS=1 rewrites it from unicodedata) rather than
computed at import: walking every code point costs tens of milliseconds in each process.
"""

from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path

import pytest

from notels.syntax import unicode_marks

MODULE = Path(unicode_marks.__file__)
_CATEGORIES = ("Mn", "Mc", "Me")


def _ranges() -> list[tuple[int, int]]:
    ranges: list[list[int]] = []
    for code in range(0x110000):
        if unicodedata.category(chr(code)) in _CATEGORIES:
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1][1] = code
            else:
                ranges.append([code, code])
    return [(first, last) for first, last in ranges]


def _escape(code: int) -> str:
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def _module_text() -> str:
    pieces = [_escape(a) if a == b else f"{_escape(a)}-{_escape(b)}" for a, b in _ranges()]
    lines: list[str] = [""]
    for piece in pieces:  # whole escapes per line: a split one would not parse
        if len(lines[-1]) + len(piece) > 88:
            lines.append("")
        lines[-1] += piece
    head = unicode_marks.__doc__ or ""
    return "\n".join(
        [
            f'"""{head.strip()}\n"""',
            "",
            f'UNICODE_VERSION = "{unicodedata.unidata_version}"',
            "MARKS = (",
            *(f'    "{line}"' for line in lines),
            ")",
            "",
        ]
    )


def test_the_marks_are_unicodes_combining_marks() -> None:
    if os.environ.get("NOTELS_REGENERATE_MARKS"):
        MODULE.write_text(_module_text(), encoding="utf-8")
    if unicodedata.unidata_version != unicode_marks.UNICODE_VERSION:
        pytest.skip(f"generated from Unicode {unicode_marks.UNICODE_VERSION}")
    assert MODULE.read_text(encoding="utf-8") == _module_text()
    pattern = re.compile(f"[{unicode_marks.MARKS}]")
    assert pattern.match("\u0306") and pattern.match("\u093f") and not pattern.match("a")
