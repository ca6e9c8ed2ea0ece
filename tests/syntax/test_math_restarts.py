"""Formulas cut by a code span or a link: the scanner reuses the closer it already found
(`markdown._LastFormula`) instead of matching to it again, and finds exactly what matching again
found. The old scanner is kept here, as it was, to compare against."""

from __future__ import annotations

from collections.abc import Iterator
from unittest import mock

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from notels.syntax import markdown
from notels.syntax.markdown import MarkdownItems, scan_markdown


def _old_maths(text: str, pos: int, end: int) -> Iterator[tuple[int, int]]:
    floor = pos
    while (first := text.find("$", pos, end)) != -1:
        if first > floor and text[first - 1] == "\\" and markdown._escaped(text, first, floor):
            pos = first + 1
            continue
        math = markdown._MATH.match(text, first, end)
        if math is None:
            pos = first + 1
            continue
        pos = floor = math.end()
        if math.lastindex is None:
            yield first, pos


class _OldScanner(markdown._InlineScanner):
    """`_InlineScanner` before `_LastFormula`: every restart matches each `$` again."""

    __slots__ = ()

    def scan(self, start: int, end: int, hidden: list[tuple[int, int]]) -> None:
        text = self.text
        with_links = self.links_first and text.find("[[", start, end) != -1
        if not with_links and (not self.code or text.find("`", start, end) == -1):
            if self.math:
                markdown._math_spans(text, start, end, hidden)
            return
        maths = _old_maths(text, start, end) if self.math else iter(())
        math = next(maths, None)
        code = self._next_code(start, end) if self.code else None
        link = markdown.LINK_PARTS.search(text, start, end) if with_links else None
        while code is not None or math is not None:
            span = code if math is None or (code is not None and code[0] < math[0]) else math
            assert span is not None
            if link is not None and link.start() < span[0]:
                pos = link.end()
            else:
                hidden.append(span)
                pos = span[1]
            if code is not None and code[0] < pos:
                code = self._next_code(pos, end)
            while math is not None and math[0] < pos:
                if math[1] <= pos:
                    math = next(maths, None)
                else:
                    maths = _old_maths(text, pos, end)
                    math = next(maths, None)
            if link is not None and link.start() < pos:
                link = markdown.LINK_PARTS.search(text, pos, end)


def _old_scan(text: str) -> MarkdownItems:
    with mock.patch.object(markdown, "_InlineScanner", _OldScanner):
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
