"""Block structure: what makes the sync plugin skip, merge or cut a card."""

from __future__ import annotations

from collections.abc import Iterator

from notels.findings import Related, Severity
from notels.rules.base import Draft, RuleContext, card_rule
from notels.syntax.anki import (
    end_as_note_type,
    note_type_after_start,
    note_type_spaces,
    visible,
)
from notels.syntax.nested import character_name, nested_cards
from notels.syntax.spans import Span


@card_rule(
    "unclosed-block",
    Severity.ERROR,
    "START with no END below it: the plugin ignores the card.",
    """
The sync plugin only sees a card between a `START` line and a later line beginning with `END`.
A `START` with no `END` anywhere below it is silently skipped: the card never reaches Anki.
Add `END` on its own line after the card's last field.
""",
    fixable=True,
)
def unclosed_block(ctx: RuleContext) -> Iterator[Draft]:
    for card in ctx.note.anki.unclosed:
        if end_as_note_type(card):
            yield Draft(
                card.start_span,
                f"{_END_AS_NOTE_TYPE}, so the card has no END: the sync plugin ignores it. "
                "Write the note type and the fields between START and END.",
            )
            continue
        yield Draft(
            card.start_span,
            "Card has no END: the sync plugin ignores it. Add END after its last field.",
        )


_END_AS_NOTE_TYPE = "END right after START is read as this card's note type"


@card_rule(
    "nested-block",
    Severity.WARNING,
    "A card inside a quote, callout or indent, or behind an invisible character: the plugin "
    "never sees it.",
    """
The plugin finds a card only where `START` and `END` stand at the very start of their lines. A
card written inside a callout (`> START`) or indented under a list item is skipped without a
word: it never reaches Anki. Take the card out of the callout, or remove the indent. So is a
card whose `START` follows a character that cannot be seen or looks like a space (a zero-width
space, a BOM, a no-break space: text pasted from a web page or a chat brings them along); the
finding names it. Only a `START` with such an `END` below it counts; code blocks are left
alone.
""",
    fixable=True,
)
def nested_block(ctx: RuleContext) -> Iterator[Draft]:
    for card in nested_cards(ctx.note):
        if card.unseen:
            yield Draft(
                card.start,
                f"START follows {character_name(card.unseen)} on its line: the plugin reads START "
                "only at the very start of a line, so it never syncs this card. Remove it.",
            )
            continue
        where = "inside a quote or callout" if card.quoted else "indented"
        remedy = "Take the card out of the callout" if card.quoted else "Remove the indent"
        yield Draft(
            card.start,
            f"This card is {where}: the plugin reads START and END only at the very start of a "
            f"line, so it never syncs this card. {remedy}.",
        )


@card_rule(
    "stray-end",
    Severity.WARNING,
    "END with no open START.",
    """
An `END` line that closes nothing. Usually a `START` above it was mistyped (`START ` with a
trailing space, `Start`) or deleted, so the card it belonged to is not synced.
""",
)
def stray_end(ctx: RuleContext) -> Iterator[Draft]:
    for span in ctx.note.anki.stray_ends:
        yield Draft(span, "END without an open START: the card above it is not synced.")


@card_rule(
    "swallowed-block",
    Severity.ERROR,
    "A START the plugin merges with the following block into one broken card.",
    """
The plugin matches `START` up to the first `END` below it. When a card lacks its `END`, the
next card's `START` and fields become part of it: Anki gets one broken card instead of two.
Add the missing `END` before the next `START`.
""",
    fixable=True,
)
def swallowed_block(ctx: RuleContext) -> Iterator[Draft]:
    for card in ctx.note.anki.cards:
        if not card.swallowed_starts:
            continue
        lines = ctx.note.lines
        first_inner = card.swallowed_starts[0]
        message = (
            "Card has no END before the next START (line "
            f"{lines.line_of(first_inner.start) + 1}): the plugin merges them into one broken "
            "card. Add END before that START."
        )
        if end_as_note_type(card) and card.end_span is not None:
            message = (
                f"{_END_AS_NOTE_TYPE}, so the card runs on to the END of the card below (line "
                f"{lines.line_of(card.end_span.start) + 1}): the plugin merges them into one "
                "broken card. Write the note type and the fields between START and END, or "
                "delete them."
            )
        yield Draft(
            card.start_span,
            message,
            related=tuple(
                Related(ctx.path, inner, "START swallowed into the card above")
                for inner in card.swallowed_starts
            ),
        )


@card_rule(
    "start-trailing-text",
    Severity.ERROR,
    "START followed by a space or words on its line: the plugin ignores the block.",
    """
The plugin's block pattern is `^START\\n`: not even a space may follow `START`, nor an invisible
character (a zero-width space or a BOM pasted with the text). With anything after it the whole
card is silently skipped. Remove the trailing text; a note type written there
(`START Basic` above a field line) belongs on the line below, which a quick fix does. Words after
`START` count only when an `END` line follows (a card meant); prose such as `START: the race` or
`START the engine.` with no `END` below is left alone.
""",
    fixable=True,
)
def start_trailing_text(ctx: RuleContext) -> Iterator[Draft]:
    text = ctx.note.text
    # Inside a block whose START has no END before it, the plugin reads such a card as more
    # text of that block (see swallowed-block), rather than skipping it.
    merged = {inner for card in ctx.note.anki.cards for inner in card.swallowed_starts}
    for start in ctx.note.anki.trailing_starts:
        trailing = start.trailing_span.slice(text)
        shown = visible(trailing)
        what = f"Text {trailing.strip()!r}" if shown else "Trailing whitespace"
        if not shown and not trailing.isspace():
            what = "An invisible character"  # U+200B and the like: say what cannot be seen
        # `START Basic` above `Front: …`: the note type, written on the wrong line.
        remedy = "Remove it."
        if note_type_after_start(text, start) is not None:
            remedy = "Put the note type on the line below START."
        effect = "ignores this card"
        if start.line_span in merged:
            effect = "reads this card as part of the card above"
        yield Draft(start.trailing_span, f"{what} after START: the sync plugin {effect}. {remedy}")


@card_rule(
    "crlf-card",
    Severity.WARNING,
    "A card whose START line ends with CRLF: the plugin skips it.",
    """
The plugin's block pattern `^START\\n` wants a bare LF right after `START`, and Obsidian hands it
a note's bytes as they are: in a note with CRLF line breaks (written on Windows by another
program, or checked out by git with `core.autocrlf`) it finds no card and skips them all,
without a word. Obsidian writes LF when it saves the note, which ends it for that note; save
the note with LF line breaks (your editor's line ending setting), or set git's `core.autocrlf`
to `input` for the vault.
""",
)
def crlf_card(ctx: RuleContext) -> Iterator[Draft]:
    text = ctx.note.text
    if "\r" not in text:
        return
    for card in ctx.note.anki.cards:
        after = card.start_span.end
        if text.startswith("\r", after):
            breaks = "CRLF" if text.startswith("\r\n", after) else "CR"
            yield Draft(
                card.start_span,
                f"START ends its line with {breaks}: the sync plugin wants START and a bare LF, "
                "so it skips this card. Save the note with LF line breaks.",
            )


@card_rule(
    "end-prefix",
    Severity.WARNING,
    "A line starting with END closes the block early.",
    """
The plugin ends a block at the first line that merely *begins* with `END`, so a field line such
as `ENDPOINT: x` cuts the card there and the rest of it is lost. Rename the field or reword the
line so it does not start with `END`.
""",
)
def end_prefix(ctx: RuleContext) -> Iterator[Draft]:
    for card in ctx.note.anki.cards:
        end = card.end_span
        if end is None or end.slice(ctx.note.text).strip() == "END":
            continue
        yield Draft(
            end,
            f"{end.slice(ctx.note.text).strip()!r} starts with END, so the plugin ends the card "
            "here. Reword the line or add the real END below it.",
        )


@card_rule(
    "missing-note-type",
    Severity.ERROR,
    "Block with no note type line, a field line in its place, or a note type with a trailing "
    "space.",
    """
The first line inside a block names the Anki note type (`Basic`, `math_complex`, ...). When it
is missing, the plugin takes the first field line as the note type and the card fails to sync.
The plugin looks the note type up exactly as written, trailing spaces included: `Basic ` is no
note type of Anki's, and that card fails too (a quick fix removes the spaces). So does a card
whose START stands right above an END (a stub) and whose lines follow that END: the plugin's
block pattern wants a line between them, so that END is the note type. An inline card
names its type in brackets (`STARTI [Basic] ...`): without them the plugin fails on the card.
""",
    fixable=True,
)
def missing_note_type(ctx: RuleContext) -> Iterator[Draft]:
    text = ctx.note.text
    for card in ctx.note.anki.cards:
        if card.note_type is None:
            yield Draft(
                card.start_span,
                "Card has no note type: the line after START must name one (e.g. Basic).",
            )
            continue
        if end_as_note_type(card) and not card.swallowed_starts:  # swallowed-block says it
            assert card.note_type_span is not None
            end_line = ctx.note.lines.line_of(card.end_span.start) + 1 if card.end_span else 0
            runs_on = f", and the card runs on to the END on line {end_line}" if end_line else ""
            yield Draft(
                card.note_type_span,
                f"{_END_AS_NOTE_TYPE}{runs_on}: Anki has no note type END, so the card fails "
                "to sync. Write the note type on this line, or remove it.",
            )
            continue
        spaces = note_type_spaces(card)
        if spaces is not None:
            name = card.note_type.rstrip()
            yield Draft(
                spaces,
                f"Note type {name!r} has {spaces.slice(text)!r} after it: the plugin looks "
                f"up {card.note_type!r}, which Anki does not have, and skips the card. "
                "Remove the spaces.",
            )
    for inline in ctx.note.anki.inline_cards:
        if inline.note_type is None:
            # `InlineNote.getNoteType` uses its `\[(.*?)\]` match unchecked.
            yield Draft(
                Span(inline.span.start, inline.span.start + len("STARTI")),
                "Inline card has no note type: the plugin reads it from brackets after STARTI "
                "(e.g. STARTI [Basic] ...) and fails on this card.",
            )
