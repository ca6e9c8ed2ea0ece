"""What the rest of the vault needs to know about one note, without the note.

A parsed Note is large (its text, every span); a vault keeps a NoteSummary per note instead and
parses a Note again only when a feature reads that note itself. Vault-wide questions (does the
target have this heading, where else is this card ID, which notes link to this name, which
fields do cards of this type use) are all answered from summaries, so the findings of one note
depend on the other notes only through their summaries.

Summaries are plain tuples of strings and ints: they cross process boundaries cheaply (built in
worker processes at cold start) and are written to the persistent index cache with `marshal`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import datetime
from itertools import chain
from typing import NamedTuple, cast

from notels.syntax.anki import AnkiOutline, anki_outline, card_front, scan_anki_outline
from notels.syntax.frontmatter import (
    ALIASES_KEY,
    frontmatter_link_targets,
    frontmatter_tags,
    parse_frontmatter,
)
from notels.syntax.lines import end_of_line
from notels.syntax.markdown import scan_summary_items
from notels.syntax.model import BlockId, Card, Frontmatter, Heading, Tag
from notels.syntax.note import Note
from notels.vault.drawings import is_drawing
from notels.vault.resolve import heading_key, target_key

_FRONT_LENGTH = 60
_NO_CARDS = AnkiOutline((), (), (), (), ())
DESCRIPTION_LENGTH = 80

# (size, mtime_ns) of the file a summary was read from.
Stamp = tuple[int, int]
# (ID value, ID line start, end, card start, end)
CardIdEntry = tuple[str, int, int, int, int]
# (note type, the card's named fields in order)
CardFieldsEntry = tuple[str, tuple[str, ...]]
# (text, start, end) of an alias scalar, a heading line or a card block
NamedSpan = tuple[str, int, int]


class NoteSummary(NamedTuple):
    stamp: Stamp | None  # None when the text came from an editor, not from a file
    aliases: tuple[str, ...]
    alias_spans: tuple[NamedSpan, ...]  # each non-empty alias scalar, for workspace symbols
    link_keys: tuple[str, ...]  # target_key of each distinct link target
    tags: tuple[str, ...]  # distinct ignoring case, as first written
    heading_keys: tuple[str, ...]  # heading_key of each heading, in order
    headings: tuple[NamedSpan, ...]  # non-empty heading texts with their line spans
    block_keys: tuple[str, ...]  # block ids, lowered
    card_ids: tuple[CardIdEntry, ...]  # closed cards whose last line is an ID, inline cards
    other_ids: tuple[str, ...]  # IDs written elsewhere: misplaced, unclosed, inline, DELETE
    card_fields: tuple[CardFieldsEntry, ...]  # closed cards with a note type
    cards: tuple[NamedSpan, ...]  # closed cards: card_name and block span
    decks: tuple[str, ...]  # distinct TARGET DECK names
    description: str  # the first line of the body, shortened (completion shows it)
    created: str  # frontmatter `created` as YYYY-MM-DD[ HH:MM] (see created_text), else ""

    def has_heading(self, link_heading_key: str) -> bool:
        return link_heading_key in self.heading_keys

    def has_block(self, block: str) -> bool:
        return block.lower() in self.block_keys

    def lacks_ids(self) -> bool:
        """Does a closed block card lack an ID? (An inline card's ID is among card_ids too, so
        counting them against the cards cannot tell.)"""
        if len(self.cards) > len(self.card_ids):
            return True
        with_ids = {(start, end) for _, _, _, start, end in self.card_ids}
        return any((start, end) not in with_ids for _, start, end in self.cards)

    def card_id_values(self) -> dict[str, None]:
        """The closed cards' IDs, each once, in order: a note holding k copies of one ID has k
        entries for it, and work done per entry (looking its copies up) cost k * k."""
        return dict.fromkeys(card_id[0] for card_id in self.card_ids)

    def note_types(self) -> set[str]:
        return {note_type for note_type, _ in self.card_fields}


# Fields whose entries are (what, offsets into the note...): the first item says what.
_POSITIONED = frozenset({"alias_spans", "headings", "cards", "card_ids"})


def moved_only(old: NoteSummary, new: NoteSummary) -> bool:
    """Do the two differ at most in positions (text typed above a heading or a card)?

    Such a change reaches other notes only through card IDs' positions (a duplicate's related
    location); everything else they see is the same.
    """
    for name, old_value, new_value in zip(NoteSummary._fields, old, new, strict=True):
        if name == "stamp" or old_value == new_value:
            continue
        if name not in _POSITIONED:
            return False
        old_entries = cast(tuple[tuple[object, ...], ...], old_value)
        new_entries = cast(tuple[tuple[object, ...], ...], new_value)
        if [entry[0] for entry in old_entries] != [entry[0] for entry in new_entries]:
            return False
    return True


# What the rules read of other notes' summaries: the names a link may take (aliases; the path is
# no field), the headings and block ids it may name, the card IDs (duplicates) and the fields of
# each note type's cards (inferred schemas). Links, tags, decks, the description and `created`
# serve the editor's features alone.
_READ_BY_OTHERS_RULES = ("aliases", "heading_keys", "block_keys", "card_fields")


def same_to_other_notes(old: NoteSummary, new: NoteSummary) -> bool:
    """Do other notes' findings read the same of both? The card IDs may have moved (the same
    values in the same order): a note sharing one shows where it stands, which the caller
    must look at."""
    if any(getattr(old, name) != getattr(new, name) for name in _READ_BY_OTHERS_RULES):
        return False
    return [entry[0] for entry in old.card_ids] == [entry[0] for entry in new.card_ids]


def card_name(card: Card) -> str:
    """`<note type>: <first field>`, e.g. `math_complex: Embedding`."""
    return _card_name(card.note_type, card_front(card))


def _card_name(note_type: str | None, front: str) -> str:
    if len(front) > _FRONT_LENGTH:
        front = front[: _FRONT_LENGTH - 1] + "…"
    name = note_type.strip() if note_type else "card"
    return f"{name}: {front}" if front else name


def first_line(text: str, pos: int, limit: int = DESCRIPTION_LENGTH) -> str:
    """The first non-blank line from `pos` (the body's start) on, shortened: a one-line
    description of the note."""
    while pos < len(text):
        end, following = end_of_line(text, pos)
        line = text[pos:end].strip()
        if line:
            return line if len(line) <= limit else line[: limit - 1] + "…"
        pos = following if following != -1 else end
    return ""


def summarize(note: Note, stamp: Stamp | None = None) -> NoteSummary:
    return _summary(
        note.text,
        note.body_start,
        note.frontmatter,
        (link.target for link in note.links),
        note.tags,
        note.headings,
        note.block_ids,
        anki_outline(note.anki),
        stamp,
    )


def summarize_text(text: str, stamp: Stamp | None = None) -> NoteSummary:
    """`summarize(parse_note(text), stamp)`, without the Note: the Markdown and frontmatter
    scans build no links (their targets are all a summary needs of them), and the Anki scan
    no fields (their names and the card's front are), less work for a worker process
    summarizing a vault. tests/syntax/test_summary_scan.py holds the two equal."""
    frontmatter = parse_frontmatter(text)
    body_start = frontmatter.span.end if frontmatter is not None else 0
    body = scan_summary_items(text, body_start)
    targets: Iterable[str] = body.link_targets
    tags: Iterable[Tag] = body.tags
    if frontmatter is not None:
        targets = chain(frontmatter_link_targets(text, frontmatter), targets)
        tags = chain(frontmatter_tags(text, frontmatter), tags)
    anki = scan_anki_outline(text)
    return _summary(
        text, body_start, frontmatter, targets, tags, body.headings, body.block_ids, anki, stamp
    )


# The dialect's `YYYY-MM-DD HH:MM` or date alone, and Obsidian's "Date & time" property
# (`YYYY-MM-DDTHH:MM`, seconds when typed so), which its Properties panel writes.
_CREATED = re.compile(r"(\d{4}-\d{2}-\d{2})(?:[ T](\d{2}:\d{2})(?::\d{2})?)?")


def created_text(value: str) -> str:
    """`created` as `YYYY-MM-DD HH:MM` or `YYYY-MM-DD`, the minute it names; "" when it is no
    real date and time. Compared as text: ISO dates sort as they follow each other (a date
    alone before its times)."""
    written = _CREATED.fullmatch(value)
    if written is None:
        return ""
    try:
        datetime.fromisoformat(value)  # a real day and time (no 2025-13-45, no 25:00)
    except ValueError:
        return ""
    date, minute = written.groups()
    return f"{date} {minute}" if minute else date


def created_date(frontmatter: Frontmatter | None) -> str:
    entry = frontmatter.entry("created") if frontmatter is not None else None
    if entry is None or len(entry.scalars) != 1:
        return ""
    return created_text(entry.scalars[0].value.strip())


def _summary(
    text: str,
    body_start: int,
    frontmatter: Frontmatter | None,
    link_targets: Iterable[str],
    tags: Iterable[Tag],
    headings: Sequence[Heading],
    block_ids: Sequence[BlockId],
    anki: AnkiOutline,
    stamp: Stamp | None,
) -> NoteSummary:
    """A summary from the parts of a note (frontmatter links and tags first, as in a Note)."""
    if is_drawing(frontmatter):
        anki = _NO_CARDS  # see vault.drawings
    aliases: list[str] = []
    alias_spans: list[NamedSpan] = []
    alias_entry = frontmatter.entry(ALIASES_KEY) if frontmatter is not None else None
    if alias_entry is not None:
        for scalar in alias_entry.scalars:
            alias = scalar.value.strip()
            if alias:
                aliases.append(alias)
                alias_spans.append((alias, scalar.span.start, scalar.span.end))
    targets = set(link_targets)
    targets.discard("")
    distinct_tags: dict[str, str] = {}
    for tag in tags:
        distinct_tags.setdefault(tag.name.lower(), tag.name)
    card_ids: list[CardIdEntry] = []
    other_ids: list[str] = []
    card_fields: list[CardFieldsEntry] = []
    cards: list[NamedSpan] = []
    for card in anki.cards:
        if card.id is not None:
            span, card_span = card.id.span, card.span
            card_ids.append((card.id.value, span.start, span.end, card_span.start, card_span.end))
        other_ids.extend(card.misplaced_ids)
        if card.note_type:
            card_fields.append((card.note_type, card.field_names))
        cards.append((_card_name(card.note_type, card.front), card.span.start, card.span.end))
    for unclosed in anki.unclosed:
        if unclosed.id is not None:
            other_ids.append(unclosed.id.value)
        other_ids.extend(unclosed.misplaced_ids)
    # An inline card's ID is a card's ID as much as a block's: a copy of it is a duplicate.
    for inline in anki.inline_cards:
        if inline.id is not None:
            span, card_span = inline.id.span, inline.span
            card_ids.append((inline.id.value, span.start, span.end, card_span.start, card_span.end))
    other_ids.extend(anki.delete_ids)
    return NoteSummary(
        stamp=stamp,
        aliases=tuple(aliases),
        alias_spans=tuple(alias_spans),
        # Sorted: set order differs between processes, and summaries are compared for equality.
        link_keys=tuple(sorted({target_key(target) for target in targets})),
        tags=tuple(distinct_tags.values()),
        heading_keys=tuple(heading_key(heading.text) for heading in headings),
        headings=tuple(
            (heading.text, heading.span.start, heading.span.end)
            for heading in headings
            if heading.text
        ),
        block_keys=tuple(block.name.lower() for block in block_ids),
        card_ids=tuple(card_ids),
        other_ids=tuple(dict.fromkeys(other_ids)),
        card_fields=tuple(card_fields),
        cards=tuple(cards),
        decks=tuple(dict.fromkeys(anki.decks)),
        description=first_line(text, body_start),
        created=created_date(frontmatter),
    )
