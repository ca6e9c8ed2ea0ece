"""Code spans stop at a blank line: the scanner reuses the blank line it last found
(`markdown._InlineScanner._blank_line_between`) instead of searching from each opener again,
and finds exactly what searching again found."""

from __future__ import annotations

from unittest import mock

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from notels.syntax import markdown
from notels.syntax.markdown import MarkdownItems, scan_markdown


def _searching_again(scanner: markdown._InlineScanner, after: int, closer: int) -> bool:
    """The blank-line test as it was: a search from the opener to the closer, each time."""
    return markdown._BLANK_LINE.search(scanner.text, after, closer) is not None


def _old_scan(text: str) -> MarkdownItems:
    with mock.patch.object(markdown._InlineScanner, "_blank_line_between", _searching_again):
        return scan_markdown(text, 0)


# Backtick runs of several lengths, escaped ones, blank lines of every kind (CRLF, lone CR,
# spaces and tabs on them), and the math and links that compete with code spans.
_PIECES = [
    "`", "``", "```", "\\`", "\\``", "\\\\`", "a", "x y", " ", "\t", "\n", "\r", "\r\n",
    "\n\n", "\n \n", "\n\t\n", "\r\n\r\n", "\r\r", "\r\n\n", "\n\r", "$", "$x$", "[[A|`", "]]",
    "~~~\n", "```\n",
]  # fmt: skip
_texts = st.lists(st.sampled_from(_PIECES), max_size=40).map("".join)


@settings(max_examples=3000, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(_texts)
def test_reusing_the_last_blank_line_finds_what_searching_again_found(text: str) -> None:
    assert scan_markdown(text, 0) == _old_scan(text)


def test_openers_whose_closer_lies_past_a_blank_line_open_nothing() -> None:
    # Each `\``` is a literal backtick and an opener of one; the lone backtick that would
    # close them all stands after a blank line.
    text = "\\`` a " * 5 + "\n\nb` c"
    items = scan_markdown(text, 0)
    assert items.hidden_ranges == ()
    assert items == _old_scan(text)
