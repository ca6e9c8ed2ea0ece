"""The parser and every rule accept any text: no exception, every range inside the text."""

from __future__ import annotations

import marshal
from dataclasses import fields, is_dataclass

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from notels.config import Config
from notels.rules import check_note
from notels.syntax.note import Note, parse_note
from notels.syntax.spans import Span
from notels.vault.index import VaultIndex
from notels.vault.summary import NoteSummary, summarize

FRAGMENTS = [
    "---",
    "---\n",
    "\n",
    "\r\n",
    "\r",
    " ",
    "\t",
    "START",
    "START ",
    "END",
    "ENDPOINT: x",
    "ID: 1737306548883",
    "<!--ID: 1737306548884-->",
    "ID: 12",
    "Tags: a b",
    "TARGET DECK: a::b",
    "TARGET DECK",
    "FILE TAGS: x",
    "DELETE",
    "STARTI [Basic] q ENDI",
    "Basic",
    "math_complex",
    "FRONT: ",
    "BACK: ответ",
    "TITLE: x",
    "Front: q",
    "[[",
    "]]",
    "[[Note]]",
    "![[img.png|500]]",
    "[[Note#Heading|alias]]",
    "[[E|$E]]",  # a `$` or backtick that a link holds opens nothing
    "[[T#x `y|z]]",
    "[[#H]]",
    "[[N#^blk]]",
    "#tag",
    "#фикс/анки",
    "#123",
    "# Heading",
    "## Anki",
    "^blk",
    " ^id",
    "$",
    "$$",
    "$x$",
    "`",
    "```",
    "~~~",
    "aliases:",
    "  - ",
    '"[[X]]"',
    "tags: [a, b",
    "created: 2025-01-19 23:46",
    "parent:",
    ":",
    "{",
    "[",
    "😀",
    "Привет",
    "𝔸",
    "\ufeff",
    "\x00",
    "\u2028",
    "\\",
    "|",
]

note_texts = st.one_of(
    st.text(),
    st.lists(st.sampled_from(FRAGMENTS), max_size=60).map("".join),
    st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=5)), max_size=40).map("".join),
)


def spans_in(value: object) -> list[Span]:
    """Every Span reachable from a parser result, however deeply nested."""
    found: list[Span] = []
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, Span):
            found.append(item)
        elif isinstance(item, (tuple, list)):
            stack.extend(item)
        elif is_dataclass(item) and not isinstance(item, type):
            stack.extend(getattr(item, f.name) for f in fields(item))
    return found


def check_text(text: str) -> None:
    note: Note = parse_note(text)
    for span in spans_in(
        [
            note.frontmatter,
            note.headings,
            note.links,
            note.tags,
            note.block_ids,
            note.hidden,
            note.anki,
        ]
    ):
        assert 0 <= span.start <= span.end <= len(text), (span, len(text))
    index = VaultIndex()
    index.set_note("a.md", note)
    index.set_note("b.md", parse_note(text[::-1]))
    for finding in check_note("a.md", note, index, Config()):
        assert 0 <= finding.span.start <= finding.span.end <= len(text), finding
        note.lines.position(finding.span.end)
    index.remove_note("a.md")
    index.remove_note("b.md")
    assert not list(index.card_ids()) and not list(index.tags())


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(note_texts)
def test_parse_and_rules_never_fail(text: str) -> None:
    check_text(text)


@pytest.mark.slow
@pytest.mark.timeout(3600)  # 100,000 texts: the suite's 120 s cut it off inside Hypothesis
@settings(max_examples=100_000, suppress_health_check=list(HealthCheck), deadline=None)
@given(note_texts)
def test_parse_and_rules_never_fail_long_profile(text: str) -> None:
    """Run with `pytest -m slow`: the long profile the default run leaves out."""
    check_text(text)


def _through_cache(text: str) -> NoteSummary:
    """The summary of a parse, as it comes back from a worker or the index cache."""
    plain = marshal.loads(marshal.dumps(tuple(summarize(parse_note(text), (len(text), 1)))))
    return tuple.__new__(NoteSummary, plain)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(note_texts, note_texts)
def test_a_summary_tells_the_rules_what_the_whole_note_did(text: str, other: str) -> None:
    """The rules of a note see another note only through its summary, whether that note is
    held parsed (notels check) or known by a summary from a worker or the cache (the server):
    the findings are the same, on any text (CRLF, BOM, empty, half-typed blocks)."""
    note = parse_note(text)
    parsed = VaultIndex()
    parsed.set_note("a.md", note)
    parsed.set_note("Note.md", parse_note(other))
    summarized = VaultIndex()
    summarized.set_note("a.md", note)
    summarized.set_summary("Note.md", _through_cache(other))
    assert check_note("a.md", note, summarized, Config()) == check_note(
        "a.md", note, parsed, Config()
    )
