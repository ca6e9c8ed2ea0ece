"""The summary of a text without its Note (what worker processes make at startup) equals the
summary of its parse, on any text."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from notels.syntax import markdown
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


@settings(max_examples=1500, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.one_of(note_texts, link_texts))
def test_the_summary_without_the_note_equals_the_summary_of_its_parse(text: str) -> None:
    assert summarize_text(text, (len(text), 7)) == summarize(parse_note(text), (len(text), 7))


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
