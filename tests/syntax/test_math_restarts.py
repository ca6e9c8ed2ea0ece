"""Formulas cut by a code span or a link: the scanner reuses the closer it already found
(`markdown._LastFormula`) instead of matching to it again, and finds exactly what matching again
found: the scan with the kept closer ignored is the one to compare against."""

from __future__ import annotations

from collections.abc import Iterator
from unittest import mock

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from notels.syntax import markdown
from notels.syntax.markdown import MarkdownItems, scan_markdown

_maths = markdown._maths


def _maths_matching_again(
    text: str, pos: int, end: int, last: markdown._LastFormula | None = None
) -> Iterator[tuple[int, int]]:
    """`_maths` without the closer kept: every restart matches each `$` again, as before."""
    return _maths(text, pos, end)


def _old_scan(text: str) -> MarkdownItems:
    with mock.patch.object(markdown, "_maths", _maths_matching_again):
        return scan_markdown(text, 0)


# Dollars in every role (openers, closers, `$` before a digit, `$$`, escaped), backticks that
# cut formulas, and links that do (the links-first scan).
_PIECES = [
    "`", "``", "```", "$", "$$", "$$$", "\\", "\\\\", "\\$", "1", "9", " ", "  ", "\t",
    "a", "x", "b2", "\n", "\r\n", "\n\n", "[[", "]]", "|", "#", "[[A|$", "$1", "`$1` ", "x$",
    " $ ", "$ ", " $", "`$a` ", "`$$1` ", "``$`` ", "\\$1", "[[$1]] ", "$\\",
]  # fmt: skip
_texts = st.lists(st.sampled_from(_PIECES), max_size=40).map("".join)


@settings(max_examples=3000, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(_texts)
def test_reusing_a_cut_formulas_closer_finds_what_matching_again_found(text: str) -> None:
    assert scan_markdown(text, 0) == _old_scan(text)


def test_a_line_of_cut_formulas_sharing_one_closer() -> None:
    # Each `$1` sits in a code span that opened first; the formula it opens runs to `x$`.
    text = "`$1` " * 5 + "x$ [[N]]"
    items = scan_markdown(text, 0)
    assert [text[start:end] for start, end in items.hidden_ranges] == ["`$1`"] * 5
    assert [link.target for link in items.links] == ["N"]
    assert items == _old_scan(text)
