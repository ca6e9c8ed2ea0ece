"""The summary of a text without its Note (what worker processes make at startup) equals the
summary of its parse, on any text."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from notels.syntax import markdown
from notels.syntax.anki import anki_outline, scan_anki, scan_anki_outline
from notels.syntax.markdown import hidden_spans
from notels.syntax.note import parse_note
from notels.syntax.wikilinks import find_links, link_targets
from notels.vault.files import decode_note_bytes
from notels.vault.summary import summarize, summarize_text
from test_properties import FRAGMENTS, note_texts

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "vault"

# What links are made of, and what hides them or leaves them out.
_LINK_PIECES = [
    *FRAGMENTS,
    "[[",
    "]]",
    "![[",
    "[[Note]]",
    "[[ Note | alias ]]",
    "[[Note\\|x]]",
    "[[Note#H\\|x]]",
    "[[#Head]]",
    "[[#^b1]]",
    "[[ ]]",
    "[[|x]]",
    "[[ #]]",
    "#",
    "#tag",
    " #tag",
    "^b1",
    " ^b1",
    "`[[In code]]`",
    "$[[x]]$",
    "!",
    "Ёж",
]
link_texts = st.lists(
    st.one_of(st.sampled_from(_LINK_PIECES), st.text(max_size=4)), max_size=60
).map("".join)

# Lines of Anki blocks, and lines a block's lines may be taken for: the summary reads cards with
# a scan of its own (scan_anki_outline), which must read each line as the full scan does.
_ANKI_LINES = [
    "START",
    "START x",
    "STARTED",
    "END",
    "END ",
    "ENDPOINT: x",
    "Basic",
    "Basic ",
    "  math_complex",
    "FRONT: q",
    "FRONT:",
    "FRONT:  ",
    "FRONT:Embedding",
    " FRONT: q",
    "BACK: ответ 😀",
    "Front: q",
    "Front:",
    "Front:x",
    "Note:see",
    "Back Side Now: x",
    "A_1:",
    "ID: 1234567890123",
    "<!--ID: 1234567890123-->",
    "  ID: 12",
    "ID:5",
    "ID",
    "BACK: see ID: 7",
    "Tags: a b",
    "Tags:",
    "Tags: ",
    "TARGET DECK: a::b",
    "TARGET DECK",
    "TARGET DECK:x",
    "Deck",
    "FILE TAGS: x",
    "DELETE",
    "DELETE ",
    "STARTI [Basic] q ENDI <!--ID: 9-->",
    "STARTI q ENDI ID: 8",
    "",
    " ",
    "\t",
    "\u00a0",
    "\u2028",
    "\x1c",
    "\r",
    "Ёж 𝔸",
]
_anki_line = st.one_of(
    st.sampled_from(_ANKI_LINES),
    st.lists(st.sampled_from(_ANKI_LINES), min_size=2, max_size=2).map("".join),
    st.text(max_size=4),
)
# Whole blocks too: random lines alone seldom make one.
_anki_block = st.builds(
    lambda lines, end: ["START", *lines, end],
    st.lists(_anki_line, max_size=8),
    st.sampled_from(["END", "END", "END ", "ENDPOINT: x"]),
)
anki_texts = st.builds(
    lambda bom, chunks, line_break, last_break: (
        ("\ufeff" if bom else "")
        + line_break.join(line for chunk in chunks for line in chunk)
        + (line_break if last_break else "")
    ),
    st.booleans(),
    st.lists(
        st.one_of(
            _anki_line.map(lambda line: [line]),
            _anki_block,
            st.sampled_from([["DELETE", "ID: 1234567890124"], ["TARGET DECK", "a::b"]]),
        ),
        max_size=12,
    ),
    st.sampled_from(["\n", "\n", "\n", "\r\n"]),
    st.booleans(),
)


@settings(max_examples=1500, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.one_of(note_texts, link_texts, anki_texts))
def test_the_summary_without_the_note_equals_the_summary_of_its_parse(text: str) -> None:
    assert summarize_text(text, (len(text), 7)) == summarize(parse_note(text), (len(text), 7))


@settings(max_examples=1500, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.one_of(anki_texts, note_texts))
def test_the_outline_scan_reads_the_cards_as_the_full_scan(text: str) -> None:
    assert scan_anki_outline(text) == anki_outline(scan_anki(text))


@settings(max_examples=1500, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(link_texts, st.integers(min_value=0, max_value=8))
def test_link_targets_are_what_find_links_finds(text: str, start: int) -> None:
    start = min(start, len(text))
    hidden = [tuple(span) for span in hidden_spans(text, start)]
    assert hidden == list(markdown.scan_markdown(text, start).hidden_ranges)
    links = find_links(text, start, len(text), hidden)
    targets, spans, cut = link_targets(text, start, len(text), hidden)
    assert targets == [link.target for link in links if link.target]
    assert spans == [tuple(link.span) for link in links]
    assert not cut  # the scan took links first where code or math opened inside one
    # Against code and math sought alone, the flag is what the Links tell.
    plain = markdown._hidden_ranges(markdown._Lines(text, markdown._body_start(text, start)))
    cut = link_targets(text, start, len(text), plain).cut
    assert cut == markdown._cuts_a_link(
        [link.span for link in find_links(text, start, len(text), plain)], plain
    )


def test_the_example_vault_summarizes_alike() -> None:
    notes = sorted(EXAMPLES.rglob("*.md"))
    assert notes
    for path in notes:
        text, _, _ = decode_note_bytes(path.read_bytes())  # binary and bad UTF-8 ones too
        assert summarize_text(text) == summarize(parse_note(text)), path
