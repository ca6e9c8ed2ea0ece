"""Every feature accepts any text and any offset: no exception, every span inside its note."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from notels.config import Config
from notels.features import (
    complete,
    completion_context,
    definition,
    document_highlights,
    document_links,
    document_symbols,
    folding_ranges,
    hover,
    references,
    resolve_completion,
    selection_ranges,
    workspace_symbols,
)
from notels.features.model import DocumentSymbol
from notels.features.navigation import (
    BlockItem,
    CardIdItem,
    HeadingItem,
    LinkItem,
    NoteItem,
    TagItem,
    _card_ids,
    _is_title,
    item_at,
)
from notels.features.outline import cards_holding, section_spans
from notels.syntax.note import Note, parse_note
from notels.syntax.spans import Span
from notels.vault.index import VaultIndex

FRAGMENTS = [
    "---\n", "\n", "\r\n", " ", "  - ", '"', "'", "tags:", "parent:", "aliases: [x]",
    "[[", "]]", "![[", "#", "#^", "|", "^abc", "[[Note]]", "[[Note#H|a]]", "# H", "## Ü",
    "START", "START\n", "END", "ENDPOINT", "Basic", "FRONT: ", "ID: 1737306548883",
    "TARGET DECK: ", "TARGET DECK\n", "`", "```", "$", "https://x.org/(a)", "Note", "Эмб", "😀",
    "tags: [a, b]\n", "#t #u", " ^b\n", "[[a]][[b]]", "# H\n# H\n",
]  # fmt: skip

texts = st.lists(st.sampled_from(FRAGMENTS), max_size=25).map("".join)


def _index() -> VaultIndex:
    index = VaultIndex()
    index.set_note("Note.md", parse_note("---\naliases: [Эмб]\n---\n# H\ntext ^abc\n"))
    index.set_note("a/Note.md", parse_note("[[Note]] #tag\nSTART\nBasic\nFRONT: x\nEND\n"))
    index.add_attachment("img/x.png")
    return index


INDEX = _index()
CONFIG = Config()


def _inside(span: Span, length: int) -> bool:
    return 0 <= span.start <= span.end <= length


def _symbols_inside(symbols: tuple[DocumentSymbol, ...], length: int) -> bool:
    return all(
        _inside(s.span, length)
        and _inside(s.selection_span, length)
        and _symbols_inside(s.children, length)
        for s in symbols
    )


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(text=texts, offset=st.integers(min_value=-3, max_value=400))
def test_any_text_any_offset(text: str, offset: int) -> None:
    note = parse_note(text)
    length = len(text)
    completion_context(note, offset)
    result = complete(INDEX, "Draft.md", note, offset, CONFIG, now_ms=1737306548883)
    for item in result.items:
        assert _inside(item.replace_span, length)
        assert item.replace_span.end <= max(0, min(offset, length))
        assert all(_inside(edit.span, length) for edit in item.additional_edits)
        if item.data is not None:
            resolve_completion(INDEX, item.data)
    for location in definition(INDEX, "Draft.md", note, offset, CONFIG):
        assert (
            location.path in INDEX.notes
            or location.path == "img/x.png"
            or location.path == "Draft.md"
        )
    for location in references(INDEX, "Draft.md", note, offset, CONFIG, True):
        other = note.text if location.path == "Draft.md" else INDEX.notes[location.path].text
        assert _inside(location.span, len(other))
    highlights = document_highlights(INDEX, "Draft.md", note, offset)
    assert all(_inside(highlight.span, length) for highlight in highlights)
    found = hover(INDEX, "Draft.md", note, offset, CONFIG)
    assert found is None or _inside(found.span, length)
    assert _symbols_inside(document_symbols(INDEX, "Draft.md", note, CONFIG), length)
    assert all(
        _inside(link.span, length) for link in document_links(INDEX, "Draft.md", note, CONFIG)
    )
    assert all(_inside(r.span, length) for r in folding_ranges(INDEX, "Draft.md", note, CONFIG))
    for selection in selection_ranges(INDEX, "Draft.md", note, [offset], CONFIG):
        assert all(_inside(span, length) for span in selection.spans)
        assert all(
            a.start >= b.start and a.end <= b.end
            for a, b in zip(selection.spans, selection.spans[1:], strict=False)
        )


@given(query=st.text(max_size=12))
def test_any_workspace_query(query: str) -> None:
    for symbol in workspace_symbols(INDEX, query, CONFIG):
        assert _inside(symbol.location.span, len(INDEX.notes[symbol.location.path].text))


def _walked(items: Sequence[Any], offset: int) -> Any:
    """The item starting at `offset` (between two adjacent ones the cursor is on the second),
    else the first that touches it."""
    touching = [item for item in items if item.span.contains(offset)]
    starting = [item for item in touching if item.span.start == offset]
    return (starting or touching or [None])[0]


def _item_at_by_walking(note: Note, path: str, offset: int) -> object:
    """item_at as it was: each kind of item walked in order, the first that touches wins (the
    one starting at the cursor, when one does)."""
    offset = min(max(offset, 0), len(note.text))
    if (link := _walked(note.links, offset)) is not None:
        return LinkItem(link)
    if (tag := _walked(note.tags, offset)) is not None:
        return TagItem(tag)
    if (card_id := _walked(_card_ids(note), offset)) is not None:
        return CardIdItem(card_id)
    if (block := _walked(note.block_ids, offset)) is not None:
        return BlockItem(block)
    if (heading := _walked(note.headings, offset)) is not None:
        return HeadingItem(heading, _is_title(note, path, note.headings.index(heading)))
    frontmatter = note.frontmatter
    if frontmatter is not None and frontmatter.span.start <= offset < frontmatter.span.end:
        return NoteItem(frontmatter.span)
    return None


@settings(max_examples=500, deadline=None)
@given(texts, st.integers(-2, 400))
def test_the_item_under_the_cursor_is_the_one_starting_there_or_the_first_touching_it(
    text: str, at: int
) -> None:
    # item_at bisects each kind of item: they must be in text order and not overlap.
    note = parse_note(text)
    for path in ("Note.md", "H.md"):
        assert item_at(note, path, at) == _item_at_by_walking(note, path, at)


def _sections_by_walking(note: Note) -> list[Span]:
    """section_spans as it was: each heading walks the later ones to the first that ends it.
    A heading in a card's text is the card's: its section ends with the card, and it ends no
    other heading's section."""
    text, headings = note.text, note.headings
    holders = cards_holding(note)
    spans: list[Span] = []
    for i, heading in enumerate(headings):
        end = len(text) if holders[i] is None else holders[i].end
        for later, holder in zip(headings[i + 1 :], holders[i + 1 :], strict=True):
            if holders[i] is None and holder is None and later.level <= heading.level:
                end = later.span.start
                break
        while end > heading.span.end and text[end - 1] in " \t\r\n":
            end -= 1
        spans.append(Span(heading.span.start, end))
    return spans


_HEADING_LINES = ["# A\n", "## B\n", "### C\n", "###### F\n", "#\n", "text\n", "\n", " \n"]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_HEADING_LINES), max_size=30).map("".join) | texts)
@example("START\n# H\n# H\nEND")  # headings in a card's text, found by a run
def test_each_section_ends_at_the_first_later_heading_of_its_level_or_higher(text: str) -> None:
    # section_spans closes open headings from a stack instead of walking the later ones.
    note = parse_note(text)
    assert section_spans(note) == _sections_by_walking(note)
