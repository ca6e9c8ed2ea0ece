"""Fields and decks: what lands in the wrong field or the wrong deck."""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterator
from functools import cache

from rapidfuzz.distance import OSA

from notels.findings import Related, Severity
from notels.rules.base import Draft, RuleContext, card_rule
from notels.syntax.anki import fields_as_typed
from notels.syntax.lines import end_of_line
from notels.syntax.model import Card, Field
from notels.syntax.spans import Span


def _schema(ctx: RuleContext, note_type: str) -> tuple[frozenset[str], str] | None:
    configured = ctx.config.note_types.get(note_type)
    if configured is not None:
        return frozenset(configured), "configured"
    inferred = ctx.index.inferred_fields(note_type)
    if inferred:
        return inferred, "seen in this vault"
    return None


def _fields(ctx: RuleContext, card: Card) -> tuple[Field, ...]:
    """The card's fields: as the plugin splits them when `note-types` lists its type's fields,
    else as they look (see syntax.anki._FIELD)."""
    configured = ctx.config.note_types.get(card.note_type) if card.note_type else None
    return fields_as_typed(ctx.note.text, card, configured) if configured else card.fields


@card_rule(
    "unknown-field",
    Severity.WARNING,
    "A field prefix that is not among the note type's fields.",
    """
The plugin only splits fields at prefixes that are fields of the note type in Anki. A line
starting with another prefix (old `TITLE:` where the type now has `FRONT:`) stays text: of the
previous field, or of the card's first field when no field came before it. The fields come from
`note-types` in `.notels.toml`, or else from what the vault's cards of that type agree on (a
field used by at least a fifth of them).

Inside a field's text, a line such as `A: a finite set` or `Example: ...` is prose, not a
field: after the card's first known field, only a prefix that differs from a field by its
letter case or by a typo (`FORMUAL:`, `Back:` for `BACK`) is reported.
""",
    vault_wide=True,
)
def unknown_field(ctx: RuleContext) -> Iterator[Draft]:
    text = ctx.note.text
    variants: dict[frozenset[str], list[int]] = {}  # per schema: where its case variants start
    for card in ctx.note.anki.cards:
        if card.note_type is None:
            continue
        schema = _schema(ctx, card.note_type)
        if schema is None:
            continue
        fields, source = schema
        # With an ALL-CAPS schema, a `Note:` line is prose, not a mistyped field.
        capitals_only = all(name.isupper() for name in fields)
        listed = ", ".join(sorted(fields))
        in_a_field = False  # after a known field: its text may hold lines like `A: x`
        for field in card.fields:
            if not field.name:
                continue
            if field.name in fields:
                in_a_field = True
                continue
            mistyped = _mistyped_field(field.name, fields)
            if in_a_field and not mistyped:
                continue
            if capitals_only and not field.name.isupper() and not mistyped:
                continue
            kept_in = "the previous field" if in_a_field else "the card's first field"
            yield Draft(
                field.name_span,
                f"{field.name} is not a field of {card.note_type} ({source}: {listed}); the "
                f"plugin keeps this line as text of {kept_in}.",
            )
        # A field's name in another case that the looks of a prefix miss (`back:` for Back):
        # the plugin's `startsWith(field + ":")` is exact, so the line is text too. One search
        # of the note per schema finds them all (most notes have none).
        if fields not in variants:
            variants[fields] = [found.start(1) for found in _case_variants(fields).finditer(text)]
        found = variants[fields]
        body_end = card.end_span.start if card.end_span is not None else card.span.end
        first = bisect_left(found, card.start_span.end)
        if first == len(found) or found[first] >= body_end:
            continue
        starts = [field.span.start for field in card.fields if field.name]
        type_line = card.note_type_span.start if card.note_type_span is not None else -1
        for line_start in found[first : bisect_left(found, body_end)]:
            if line_start in starts or line_start == type_line:
                continue  # a prefix the loop above judged, or the note type
            name = text[line_start : text.index(":", line_start)]
            before = bisect_left(starts, line_start)
            kept_in = "the previous field" if before else "the card's first field"
            yield Draft(
                Span(line_start, line_start + len(name)),
                f"{name} is not a field of {card.note_type} ({source}: {listed}); the "
                f"plugin keeps this line as text of {kept_in}.",
            )


@cache
def _case_variants(fields: frozenset[str]) -> re.Pattern[str]:
    """A line break, then one of `fields` in another letter case and a colon."""
    names = "|".join(re.escape(name) for name in sorted(fields, key=len, reverse=True))
    # After the line break, not `^` with MULTILINE: a literal first character is found fast.
    return re.compile(rf"\n(?!(?:{names}):)((?i:{names})):")


def _mistyped_field(name: str, fields: frozenset[str]) -> bool:
    """Is `name` one of `fields` in other letter case, or a typo of one: a letter added,
    dropped, changed or two swapped (two for longer names)? Short names (`A`, `NB`) are too
    close to everything to tell."""
    upper = name.upper()
    if any(upper == field.upper() for field in fields):
        return True
    if len(name) < 4:
        return False
    most = 1 if len(name) < 7 else 2
    return any(OSA.distance(upper, field.upper(), score_cutoff=most) <= most for field in fields)


@card_rule(
    "duplicate-field",
    Severity.WARNING,
    "The same field twice in one card.",
    """
A second `FRONT:` line in one card: Anki keeps only one value per field, so part of the text is
lost or merged. Join the values or rename the field. Until the note type's fields are known
(configured, or seen on enough cards), only the card's first field, or a name that other cards
of the type use as a field, counts: two `Example:` lines in a field's text are prose.
""",
)
def duplicate_field(ctx: RuleContext) -> Iterator[Draft]:
    for card in ctx.note.anki.cards:
        schema = _schema(ctx, card.note_type) if card.note_type is not None else None
        used = ctx.index.field_counts(card.note_type) if card.note_type and not schema else None
        fields = _fields(ctx, card)
        first_name = next((field.name for field in fields if field.name), None)
        first_seen: dict[str, int] = {}
        for field in fields:
            if not field.name:
                continue
            if schema is not None and field.name not in schema[0]:
                continue  # not a field of the type: the plugin keeps the line as text
            first = field.name == first_name
            if used is not None and not first and used.get(field.name, 0) < 2:
                continue  # no other card has it as a field: likely a line of prose

            if field.name in first_seen:
                yield Draft(
                    field.name_span,
                    f"Field {field.name} appears twice in this card (first on line "
                    f"{ctx.note.lines.line_of(first_seen[field.name]) + 1}); Anki keeps one value.",
                    related=(Related(ctx.path, card.start_span, "The card"),),
                )
            else:
                first_seen[field.name] = field.name_span.start


@card_rule(
    "misplaced-tags",
    Severity.WARNING,
    "A `Tags:` line the plugin does not read: not the card's last line above its ID.",
    """
The plugin takes a card's tags from one line only: the block's last line once the ID line is
taken off, when it starts with `Tags: `. A `Tags:` line anywhere else (above a field, or with a
blank line between it and the ID) stays text of the field above it: the card gets none of the
tags, and Anki shows the line on the card. Move it just above the ID line (or make it the
card's last line). Only a card without tags of its own is looked at: in one that has them,
another line beginning with `Tags: ` is taken for text.
""",
)
def misplaced_tags(ctx: RuleContext) -> Iterator[Draft]:
    text = ctx.note.text
    if "\nTags: " not in text:
        return
    # Each line that starts with `Tags: `, as the plugin's `startsWith` reads it: one search.
    found = [at.start() + 1 for at in _TAGS_LINE.finditer(text)]
    for card in ctx.note.anki.cards:
        if card.tags_span is not None or card.end_span is None:
            continue
        type_line = card.note_type_span.start if card.note_type_span is not None else -1
        inside = found[
            bisect_left(found, card.start_span.end) : bisect_left(found, card.end_span.start)
        ]
        for line_start in inside:
            if line_start == type_line:
                continue
            line_end, _ = end_of_line(text, line_start)
            yield Draft(
                Span(line_start, line_start + len(text[line_start:line_end].rstrip())),
                "The plugin reads tags only from the card's last line, just above its ID: it "
                "keeps this line as text of the field above, and the card gets none of these "
                "tags. Move it just above the ID line.",
            )


_TAGS_LINE = re.compile(r"\nTags: ")


@card_rule(
    "empty-field",
    Severity.HINT,
    "The card's first field is empty.",
    """
Anki refuses a note whose first field is empty ("the first field is empty"), so the card is
not added. Text before any field prefix goes to the first field. With the note type's fields
listed in `note-types`, the first field is the first one listed, written anywhere in the card
or not at all, and the card is split as the plugin splits it: a line starts a field only with
`Name:` for a listed name, in any script (`Back:42`, `Ответ:`); otherwise the first field
written.
""",
)
def empty_field(ctx: RuleContext) -> Iterator[Draft]:
    for card in ctx.note.anki.cards:
        if card.note_type is None or not card.fields:
            continue
        configured = ctx.config.note_types.get(card.note_type)
        if not configured:
            first = card.fields[0]
            if not first.value.strip():
                yield Draft(first.span, "First field is empty: Anki will not add this card.")
            continue
        # The plugin puts text before any prefix, and each `NAME:` line, into that field.
        name = configured[0]
        fields = fields_as_typed(ctx.note.text, card, configured)
        parts = [f for f in fields if f.name == name or (f.name == "" and f is fields[0])]
        if any(part.value.strip() for part in parts):
            continue
        named = [part for part in parts if part.name == name]
        if named:
            yield Draft(
                named[0].span,
                f"{name}, the first field of {card.note_type}, is empty: Anki will not add this "
                "card.",
            )
        else:
            yield Draft(
                card.start_span,
                f"Card has no {name}, the first field of {card.note_type}: Anki will not add it.",
            )


@card_rule(
    "shadowed-target-deck",
    Severity.WARNING,
    "A second TARGET DECK naming another deck; the plugin ignores it.",
    """
The plugin reads only the first `TARGET DECK` line of a file and sends every card in it to that
deck. A later line naming a different deck is ignored: the cards below it go to the first deck.
Repeating the same deck is harmless. Move those cards to a note of their own, or delete the line.
""",
    fixable=True,
)
def shadowed_target_deck(ctx: RuleContext) -> Iterator[Draft]:
    decks = ctx.note.anki.decks
    if len(decks) < 2:
        return
    first = decks[0]
    for deck in decks[1:]:
        if deck.deck != first.deck:
            yield Draft(
                deck.span,
                f"The plugin ignores this TARGET DECK: every card in this note goes to "
                f"{first.deck!r}, the first one.",
                related=(Related(ctx.path, first.span, "The deck the plugin uses"),),
            )


@card_rule(
    "empty-target-deck",
    Severity.ERROR,
    "The note's TARGET DECK names no deck: none of its cards syncs.",
    """
The plugin takes the deck from the first `TARGET DECK` line, or from the line after a bare
`TARGET DECK`. Left empty (`TARGET DECK: ` of a template, or a blank line between `TARGET DECK`
and the deck) the deck is "", which Anki does not have: every card of the note fails to sync.
A bare `TARGET DECK` takes the very next line for the deck, even the `START` of a card below it.
Write the deck there.
""",
)
def empty_target_deck(ctx: RuleContext) -> Iterator[Draft]:
    anki = ctx.note.anki
    # Inline cards go to the file's deck as block cards do.
    if not anki.decks or not (anki.cards or anki.inline_cards):
        return
    deck, lines = anki.decks[0], ctx.note.lines
    if not deck.deck.strip():
        yield Draft(
            deck.span,
            'This TARGET DECK names no deck: the plugin sends the note\'s cards to the deck "", '
            "and none of them syncs.",
        )
    elif deck.deck in _KEYWORDS and lines.line_of(deck.deck_span.start) > lines.line_of(
        deck.span.start
    ):
        # A bare `TARGET DECK` takes the next line whatever it holds: `START` of a template.
        yield Draft(
            deck.span,
            f"This TARGET DECK names no deck: the plugin takes the line below it, {deck.deck}, "
            "for the deck, and none of the note's cards syncs. Write the deck there.",
        )


# The plugin's own lines: never a deck the writer meant.
_KEYWORDS = frozenset({"START", "END", "TARGET DECK", "FILE TAGS", "DELETE"})


@card_rule(
    "missing-target-deck",
    Severity.INFO,
    "Cards in a note with no TARGET DECK go to the default deck.",
    """
Without a `TARGET DECK:` line the plugin sends the note's cards to its default deck, which is
rarely where they belong.
""",
)
def missing_target_deck(ctx: RuleContext) -> Iterator[Draft]:
    anki = ctx.note.anki
    if anki.decks or not (anki.cards or anki.inline_cards):
        return
    # At the first card, block or inline.
    starts = [card.start_span for card in anki.cards[:1]]
    starts += [
        Span(card.span.start, card.span.start + len("STARTI")) for card in anki.inline_cards[:1]
    ]
    yield Draft(
        min(starts),
        "This note has cards but no TARGET DECK: they go to the plugin's default deck.",
    )
