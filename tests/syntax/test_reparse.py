"""Re-parsing an edited note reuses the old links only where that changes nothing."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from notels.syntax.markdown import Same
from notels.syntax.note import Note, parse_keeping, parse_note

FRAGMENTS = [
    "[[Note]]",
    "![[pic.png|300]]",
    "[[Note#Заголовок|alias]]",
    "[[E|$E]]",
    "[[T#x `y]]",
    "[[#^blk]]",
    "[[ a ]]",
    "`[[code]]`",
    "``",
    "`",
    "$",
    "$$",
    "$x$",
    "\\$",
    "```",
    "```\n",
    "\n```\ncode $x$ `y`\n```\n",
    "~~~",
    "\n",
    "\r\n",
    "\r",
    "\n\n",
    " ",
    "#tag ",
    "# Heading\n",
    "^blk\n",
    "---\n",
    "aliases: [x]\n",
    "слово 😀 ",
    "[[",
    "]]",
    "!",
    "|",
    "\ufeff",
    "START\n",
    "START \n",
    "END\n",
    "Basic\n",
    "Front: x\n",
    "ID: 1737306548883\n",
    "TARGET DECK: d\n",
    "FILE TAGS: t\n",
    "DELETE\n",
    "STARTI [Basic] q ENDI",
]

texts = st.lists(st.sampled_from(FRAGMENTS), max_size=30).map("".join)


def shape(note: Note) -> object:
    return (
        note.text,
        note.body_start,
        note.frontmatter,
        note.headings,
        note.links,
        note.tags,
        note.block_ids,
        note.anki,
        note.hidden,
    )


@settings(max_examples=400, deadline=None)
@given(texts, st.integers(0, 2000), st.integers(0, 40), texts)
def test_an_edited_note_parses_as_if_new(base: str, at: int, removed: int, typed: str) -> None:
    start = at % (len(base) + 1)
    end = min(len(base), start + removed)
    edited = base[:start] + typed + base[end:]
    previous = parse_keeping(base)
    again = parse_keeping(edited, previous=previous)
    fresh = parse_keeping(edited)
    assert shape(again.note) == shape(fresh.note)
    assert again.markdown.hidden_ranges == fresh.markdown.hidden_ranges
    assert again.markdown.fences == fresh.markdown.fences


# Notes with frontmatter, closed by a line ending one way or another (or by the text's end).
with_frontmatter = st.builds(
    lambda yaml, closing, body: f"---\n{yaml}---{closing}{body}",
    texts,
    st.sampled_from(["\n", "\r\n", "\r", "", " \n"]),
    texts,
)


@settings(max_examples=400, deadline=None)
@given(with_frontmatter, st.integers(0, 2000), st.integers(0, 40), texts)
def test_an_edit_near_or_past_the_frontmatter_parses_as_if_new(
    base: str, at: int, removed: int, typed: str
) -> None:
    # Edits land in the frontmatter, on its closing line and just past it, where the old one
    # may be kept only when the closing line cannot have changed.
    closing = base.find("---", 4)
    start = max(0, closing - 3 + at % 12) if at % 3 else at % (len(base) + 1)
    start = min(start, len(base))
    end = min(len(base), start + removed % 8)
    edited = base[:start] + typed + base[end:]
    previous = parse_keeping(base)
    again = parse_keeping(edited, previous=previous)
    assert shape(again.note) == shape(parse_keeping(edited).note)


@pytest.mark.parametrize(
    ("old", "new", "same"),
    [
        ("TARGET DECK\rmydeck\r", "TARGET DECK\r\nmydeck\r", Same(12, 7)),
        ("DELETE\rID: 5\r", "DELETE\r\nID: 5\r", Same(7, 6)),
        ("DELETE\r\nID: 5\n", "DELETE\rID: 5\n", None),
        ("START\r\nBasic\nFront: x\nEND\n", "START\rBasic\nFront: x\nEND\n", None),
    ],
)
def test_an_lf_given_to_or_taken_from_a_keyword_lines_cr_moves_its_next_line(
    old: str, new: str, same: Same | None
) -> None:
    # Found by review: the edit starts right after the CR, so the keyword line is not among the
    # edited ones, yet where its next line starts changed.
    again = parse_keeping(new, previous=parse_keeping(old), same=same)
    assert shape(again.note) == shape(parse_keeping(new).note)


@settings(max_examples=200, deadline=None)
@given(texts, texts)
def test_same_finds_the_shared_ends(old: str, new: str) -> None:
    same = Same.between(old, new)
    assert same.prefix + same.suffix <= min(len(old), len(new))
    assert old[: same.prefix] == new[: same.prefix]
    assert old[len(old) - same.suffix :] == new[len(new) - same.suffix :]
    assert (
        same.prefix == len(old) or same.prefix == len(new) or old[same.prefix] != new[same.prefix]
    )


def test_a_keystroke_in_a_long_note_keeps_the_items_before_it() -> None:
    base = "".join(f"## H{i}\nline {i} [[Note {i}]] $x_{i}$ #t{i} ^b{i}\n" for i in range(1500))
    cut = base.index("line 750")
    edited = base[:cut] + "ж" + base[cut:]
    previous = parse_keeping(base)
    again = parse_keeping(edited, previous=previous).note
    assert shape(again) == shape(parse_note(edited))
    assert again.links[0] is previous.note.links[0]  # reused, not scanned again
    assert again.links[-1] is not previous.note.links[-1]  # moved by one character
    assert again.links[-1].span.start == previous.note.links[-1].span.start + 1
    for kind in ("headings", "tags", "block_ids"):
        items, old_items = getattr(again, kind), getattr(previous.note, kind)
        assert items[0] is old_items[0], kind
        assert items[-1].span.start == old_items[-1].span.start + 1, kind
