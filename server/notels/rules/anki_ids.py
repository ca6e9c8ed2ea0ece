"""Card IDs: missing, misplaced, malformed and duplicated ones."""

from __future__ import annotations

import heapq
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from itertools import chain

from notels.findings import Related, Severity
from notels.rules.base import MAX_RELATED, Draft, RuleContext, card_rule
from notels.syntax.anki import deletions_in, ends_with_delete, id_after_endi
from notels.syntax.model import Card, InlineCard
from notels.vault.index import CardLocation

# Anki note IDs are creation times, and Anki appeared in 2006: an earlier ID is a typo.
_EARLIEST_MS = 1_136_073_600_000  # 2006-01-01
_ONE_YEAR_MS = 366 * 24 * 3600 * 1000
_EPOCH_MS_DIGITS = 13  # every epoch millisecond from 2001 to 2286
_NAMED_PATHS = 5  # notes a duplicate-id message names; the related locations list more


def describe_id_time(value: int) -> str:
    return datetime.fromtimestamp(value / 1000, tz=UTC).strftime("%Y-%m-%d %H:%M UTC")


@card_rule(
    "missing-id",
    Severity.WARNING,
    "A card without an ID line.",
    """
Without an `ID:` line the plugin creates the card again on every fresh sync of a copy of the
vault. Quick fix: Generate Anki ID. An `ID:` line left empty as the block's last line (`ID:`,
`<!--ID: -->`) is field text to the plugin; the fix writes the number into it.

Know what the upstream plugin does with an ID: it adds to Anki only the cards that have none,
and writes the ID Anki gave back into the note. A card whose ID the Anki collection does not
hold is skipped with a console warning ("Note with id ... does not exist in Anki!"), never
added. A generated ID therefore suits a sync that takes the note's ID as given; with the plugin
alone, let its first sync write the ID instead.
""",
    fixable=True,
)
def missing_id(ctx: RuleContext) -> Iterator[Draft]:
    for card in ctx.note.anki.cards:
        if card.id is None:
            yield Draft(
                card.start_span,
                "Card has no ID: the sync plugin will create it again. "
                "Quick fix: Generate Anki ID.",
            )


@card_rule(
    "misplaced-id",
    Severity.ERROR,
    "An ID line that is not the block's last line, or not written as the plugin reads it.",
    """
The plugin only reads the ID from the block's last line. An `ID:` line anywhere else is field
text, and the plugin creates a duplicate card. Move the line just above `END`. On the last line,
an ID written otherwise than `ID: <digits>` (`ID:5`, `ID:  5`, `Id: 5`, `ID 5`, `<!-- ID:5 -->`;
past `ID:`, with ten digits or more) is field text to the plugin too: rewrite it as it reads it.
An inline card's ID goes before `ENDI` (`STARTI [Basic] q :: a ID: n ENDI`, where the plugin
writes it); after `ENDI` it is no part of the card, which the plugin adds to Anki again.
`notels check --fix` leaves these to you, and gives such a card no second ID.
""",
    fixable=True,
)
def misplaced_id(ctx: RuleContext) -> Iterator[Draft]:
    lines = ctx.note.lines
    for card in ctx.note.anki.cards:
        # The block's last line of text (the plugin trims the blank lines above END): an ID there
        # that the plugin does not read is written wrong.
        last_line = lines.line_of(card.end_span.start) - 1 if card.end_span is not None else -1
        while last_line > 0 and not lines.line_text(last_line).strip():
            last_line -= 1
        for misplaced in card.misplaced_ids:
            if card.id is None and lines.line_of(misplaced.span.start) == last_line:
                written = f"ID: {misplaced.value}"
                if misplaced.comment:
                    written = f"<!--{written}-->"
                yield Draft(
                    misplaced.span,
                    "The plugin reads an ID only as written `ID: <digits>`, one space after "
                    "the colon: it reads this one as field text and creates a duplicate card. "
                    f"Write it as `{written}`.",
                )
                continue
            yield Draft(
                misplaced.span,
                "ID line is not the card's last line: the plugin reads it as field text and "
                "creates a duplicate card. Move it just above END.",
            )
    for inline in ctx.note.anki.inline_cards:
        # Read as this card's (see syntax.anki), but the plugin reads an ID inside the card only.
        if inline.id is not None and id_after_endi(inline):
            yield Draft(
                inline.id.span,
                "The plugin reads an inline card's ID only before ENDI: it adds this card to "
                "Anki again as a new note, and the note of this ID is never updated. Move the "
                "ID before ENDI.",
            )


@card_rule(
    "delete-in-card",
    Severity.ERROR,
    "DELETE right before a card's ID line: the plugin deletes the card from Anki.",
    """
The plugin looks for `DELETE` followed by an ID line anywhere in a note, cards included, not
only at the start of a line. In a card (`BACK: DELETE` above `ID: 1737306548883`) it deletes
that note from Anki on the next sync and erases the word and the ID line from the card, which
the sync after adds again as a new card, its review history lost. A card whose text ends with
`DELETE` and has no ID yet loses the ID the plugin writes below it at once, and is added again
on every sync. Reword the line so that `DELETE` does not end it; to delete a card, put `DELETE`
and its ID line in place of the whole block.
""",
)
def delete_in_card(ctx: RuleContext) -> Iterator[Draft]:
    text = ctx.note.text
    for card in ctx.note.anki.cards:
        if card.end_span is None:
            continue
        inside = (card.start_span.end, card.end_span.start)
        for delete in deletions_in(text, *inside):
            yield Draft(
                delete,
                "The plugin reads DELETE and the ID line after it as a deletion: it deletes "
                "that note from Anki and erases both from this card, which the next sync adds "
                "again as a new card. Reword the line so that DELETE does not end it.",
            )
        # The plugin writes a new card's ID at the start of its END line.
        last_word = ends_with_delete(text, *inside) if card.id is None else None
        if last_word is not None:
            yield Draft(
                last_word,
                "The card's text ends with DELETE: the plugin reads it and the ID it writes "
                "below as a deletion and erases both, so every sync adds this card to Anki "
                "again. Reword the line so that DELETE does not end it.",
            )


@card_rule(
    "malformed-id",
    Severity.ERROR,
    "ID is not a plausible epoch-millisecond note ID.",
    """
Anki note IDs are epoch milliseconds: 13 digits today. An ID with another length, or one that
decodes to a time before 2006 (before Anki existed) or more than a year ahead, was mistyped or
truncated. A vault whose IDs are of another kind can set their length with `id-digits`; IDs
of a length other than 13 are not epoch milliseconds, so their time is not checked.

An ID after other text on the block's last line (`BACK: see ID: 1737306548883`) is read by the
plugin, which then drops the whole line: that text never reaches Anki.
""",
)
def malformed_id(ctx: RuleContext) -> Iterator[Draft]:
    digits = ctx.config.id_digits
    latest = int(time.time() * 1000) + _ONE_YEAR_MS
    text = ctx.note.text
    for card in ctx.note.anki.cards:
        if card.id is None:
            continue
        line = ctx.note.lines.line_span(card.id.span.start)
        before = text[line.start : card.id.span.start].strip()
        if before and before != "<!--":
            yield Draft(
                line,
                "The plugin reads the ID after this text and drops the whole line: the text "
                "never reaches Anki. Put the ID on a line of its own.",
            )
        value = card.id.value
        if len(value) != digits:
            yield Draft(
                card.id.value_span,
                f"ID {value} has {len(value)} digits; Anki note IDs have {digits}.",
            )
        elif value.startswith("0"):
            yield Draft(
                card.id.value_span,
                f"ID {value} starts with a zero: Anki note IDs have {digits} digits without "
                "leading zeros. Was it mistyped?",
            )
        elif digits == _EPOCH_MS_DIGITS and not _EARLIEST_MS <= int(value) <= latest:
            yield Draft(
                card.id.value_span,
                f"ID {value} decodes to {describe_id_time(int(value))}: not a plausible "
                "creation time. Was it mistyped?",
            )


@card_rule(
    "duplicate-id",
    Severity.ERROR,
    "The same ID on two cards anywhere in the vault.",
    """
Two cards with one ID overwrite each other in Anki on every sync; this usually happens when a
note is copied to start a new one. Give the copy a new ID. Inline cards (`STARTI ... ENDI`)
count as cards here, block cards' IDs and theirs alike. The upstream plugin skips a card whose
ID its Anki collection does not hold (see missing-id): with it alone, remove the copy's ID line
instead, and its next sync adds the card and writes the ID Anki gives it.
""",
    fixable=True,
    vault_wide=True,
)
def duplicate_id(ctx: RuleContext) -> Iterator[Draft]:
    # What each ID's locations are, worked out once per ID: a note holding a card copied a
    # thousand times asks for the same ID a thousand times.
    seen: dict[str, tuple[tuple[CardLocation, ...], set[tuple[str, int]], Counter[str]]] = {}
    anki = ctx.note.anki
    cards: Iterable[Card | InlineCard] = chain(anki.cards, anki.inline_cards)
    reported: set[int] = set()
    for card in cards:
        # A block whose last line is an inline card reads that card's ID too (its span may
        # differ by the comment's `-->`): one ID where it starts, one place.
        if card.id is None or card.id.span.start in reported:
            continue
        reported.add(card.id.span.start)
        value = card.id.value
        if value not in seen:
            locations = ctx.index.card_locations(value)
            keys = {(location.path, location.span.start) for location in locations}
            seen[value] = (locations, keys, Counter(path for path, _ in keys))
        locations, keys, per_path = seen[value]
        mine = (ctx.path, card.id.span.start)
        listed = mine in keys
        count = len(keys) - listed
        if count == 0:
            continue
        paths = [
            path for path, copies in per_path.items() if copies - (listed and path == ctx.path) > 0
        ]
        places = ", ".join(heapq.nsmallest(_NAMED_PATHS, paths))
        if len(paths) > _NAMED_PATHS:
            places += f" and {len(paths) - _NAMED_PATHS} more notes"
        others = [
            location
            for location in locations[: MAX_RELATED + 1]
            if (location.path, location.span.start) != mine
        ][:MAX_RELATED]
        yield Draft(
            card.id.span,
            f"ID {value} is also used by {count} other card(s) ({places}): "
            "Anki will overwrite one with the other. Give this card a new ID.",
            related=tuple(
                Related(location.path, location.span, f"Same ID {value}") for location in others
            ),
        )
