"""Quick fixes: from a finding and its note to the text edits that resolve it.

Pure: a fix is computed from the Note, the index and the config and knows nothing of files or
of LSP. The server offers `fixes_for_finding` as code actions; `notels check --fix` applies
`safe_fixes`, the ones that need no judgement.

Decisions worth knowing:
- `missing-id` inserts the ID line at the start of the `END` line, so the edit is a pure
  insertion and the rest of the card keeps its bytes. It is not safe (offered, not applied by
  `--fix`) when the card swallowed another START (the ID would belong to the merged card), when
  `END` only begins its line (`ENDPOINT: x`: the real end is elsewhere) or when the card already
  has an ID line in the wrong place (moving that one keeps the card's Anki history; a new ID
  would create a second card; an empty `ID:` there would stay in the card's text), nor when
  the line above it ends with `DELETE` (the plugin reads the two as a deletion: see
  delete-in-card), nor to a card without a note type, or whose note type line is a stub's
  `END` or `ID:` (the plugin fails on it, ID or not), nor to a stub whose fields are all
  empty. An ID line left without its number (`ID:`, `<!--ID: -->`) as the block's last line
  gets the number in place instead.
- `duplicate-id` gives a new ID only to the newer copy: by the notes' frontmatter `created`
  when every copy's note has one, then by file creation time when every copy's file has one,
  then by vault order (path, then position). The oldest copy keeps its ID and gets no fix, so
  the two copies are never both renumbered.
- `misplaced-id` moves the line just above `END` when the card has no last-line ID. When it
  has one, the stray line can only be deleted (offered, never safe): which of two IDs Anki
  knows the card by is the user's call.
- `start-trailing-text` is safe only when what follows `START` is whitespace and the exact
  `START` makes one whole card and changes no other (a scan of the edited text tells); visible
  text is the user's words and deleting them is offered, not applied. `--fix` checks its block
  fixes together too: each may be safe alone and break a card beside another.
- `nested-block` takes a card out of its callout or indent: offered, never safe.
- `unclosed-block` inserts `END` after the block's last non-blank line. When a Markdown heading
  stands between START and that line, END goes above the heading instead and the fix is not
  safe: the card probably ended there, but that is a guess. A `TARGET DECK` or `FILE TAGS`
  line, one beginning with an inline card, or a `DELETE` and the ID line it deletes, is no
  card's text either: END goes above the first, safe only when nothing but such lines (no
  deletion) and blank ones follow it. An `END` the writer
  indented (a list's indent kept) loses its indent instead. A START inside a code fence or math
  is not fixed by `--fix` either: it may be an example, not a card.
- `empty-note` (adding `fix/empty`) is a judgement: never safe.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import NamedTuple

from notels.config import Config, IdStyle
from notels.edits.ids import IdGenerator, created_ms
from notels.edits.lines import (
    break_at,
    break_before,
    line_bounds,
    line_break_near,
    preferred_break,
)
from notels.edits.tags import (
    add_frontmatter_tag_edits,
    remove_body_tags_edits,
    remove_frontmatter_tags_edits,
    remove_tag_edits,
)
from notels.edits.text_edit import TextEdit, apply_edits, edits_conflict
from notels.findings import Finding
from notels.syntax.anki import (
    EmptyIdGap,
    empty_id_gap,
    end_as_note_type,
    ends_with_delete,
    id_after_endi,
    is_blank_mark,
    note_type_after_start,
    note_type_spaces,
    scan_anki,
    visible,
)
from notels.syntax.lines import start_of_line
from notels.syntax.model import (
    AnkiItems,
    Card,
    CardId,
    DeleteMarker,
    InlineCard,
    StartWithTrailingText,
)
from notels.syntax.nested import NestedCard, nested_cards
from notels.syntax.note import Note
from notels.syntax.spans import Span, inside_any
from notels.vault.drawings import holds_cards, is_drawing
from notels.vault.index import CardLocation, VaultIndex

# The codes `--fix` applies (when the fix for the finding at hand is marked safe).
SAFE_CODES = frozenset(
    {"missing-id", "duplicate-id", "unclosed-block", "start-trailing-text", "stale-fix-empty"}
)

# File creation time in ns of a vault-relative path, or None when the platform cannot tell.
CreatedNs = Callable[[str], int | None]


@dataclass(frozen=True, slots=True)
class Fix:
    title: str  # what the editor shows: "Generate Anki ID"
    code: str  # the rule code the fix answers
    edits: tuple[TextEdit, ...]  # against the note's text; non-overlapping
    safe: bool  # True: `check --fix` may apply it without asking
    settles: int = 1  # findings it resolves: one, but for stale tags removed together


def id_line(value: int | str, style: IdStyle) -> str:
    if style is IdStyle.COMMENT:
        return f"<!--ID: {value}-->"
    return f"ID: {value}"


# --- missing-id -------------------------------------------------------------------------------


def _can_take_id(card: Card) -> bool:
    return card.closed and card.end_span is not None and card.id is None


def _id_is_safe(note: Note, card: Card) -> bool:
    return (
        card.end_is_exact
        and not card.swallowed_starts
        and not card.misplaced_ids
        and not _id_after_delete(note, card)
        # The plugin fails on a card without its note type, ID or not: an unfinished card
        # (`START` and `END` with nothing between, a template's stub) is none to number yet,
        # nor one whose note type line is the stub's END (`START`, `END`, the card below it).
        and card.note_type is not None
        and not end_as_note_type(card)
        and not _note_type_is_empty_id(note, card)
        and not _empty_id_line_inside(note, card)
        # A template's stub, its fields still to write: Anki refuses a note with none, and the
        # ID would go along when the stub is copied for the next card.
        and any(card_field.value for card_field in card.fields)
    )


def _empty_id_line_inside(note: Note, card: Card) -> bool:
    """Does an ID line waiting for its number (`ID:`) stand above the card's last line of text
    (a template's, above `Tags:`)? The plugin keeps it as field text: a new ID line below would
    leave it in the card, where the writer meant the number to go."""
    if card.end_span is None:
        return False
    text, lines = note.text, note.lines
    last = _last_content_line_end(note, card.end_span.start, card.start_span.end)
    if last is None or text.find("ID:", card.start_span.end, last) == -1:
        return False
    for number in range(lines.line_of(card.start_span.end) + 1, lines.line_of(last)):
        if empty_id_gap(text, lines.line_start(number), lines.line_end(number)) is not None:
            return True
    return False


def _note_type_is_empty_id(note: Note, card: Card) -> bool:
    """Is the card's note type line an ID line waiting for its number (`START`, `ID:`, `END`)?
    The plugin takes it for the note type: a stub, and an ID line below it would be a second."""
    span = card.note_type_span
    return span is not None and empty_id_gap(note.text, span.start, span.end) is not None


def _id_after_delete(note: Note, card: Card) -> bool:
    """Would the card's new ID line follow a `DELETE` (`BACK: DELETE`)? The plugin reads the
    two as a deletion: it deletes the note from Anki and erases both (see delete-in-card)."""
    if card.end_span is None:
        return False
    at = _below_last_text(note, card, card.end_span.start)
    placeholder = _empty_id_gap(note, card, card.end_span.start)
    if placeholder is not None:  # the number goes into the last line: the ID line starts there
        at = line_bounds(note, placeholder.start)[0]
    return ends_with_delete(note.text, card.start_span.end, at) is not None


def new_id_edit(note: Note, card: Card, style: IdStyle, value: int) -> TextEdit | None:
    """Insert `ID: value` as the block's last line: right below its last line of text (at the
    start of its END line, unless blank lines come before END). When that line is an ID line
    waiting for its number (`ID:`), the number goes there, in the form the writer chose: a line
    below would leave `ID:` in the card's last field in Anki."""
    if not _can_take_id(card) or card.end_span is None:
        return None
    placeholder = _empty_id_gap(note, card, card.end_span.start)
    if placeholder is not None:
        return _filled(placeholder, value)
    at = _below_last_text(note, card, card.end_span.start)
    # END begins its line, so a break always ends the line above it; reuse that one.
    eol = break_before(note.text, at) or preferred_break(note.text)
    return TextEdit(Span(at, at), id_line(value, style) + eol)


def _below_last_text(note: Note, card: Card, end_line: int) -> int:
    """The start of the line below the block's last line of text. The plugin trims the block
    before it takes the ID from the last line and then the tags from the line above: an ID
    written after blank lines would leave a blank line where `Tags:` stood, and the card's tags
    would become text of its last field."""
    last = _last_content_line_end(note, end_line, card.start_span.end)
    return end_line if last is None else line_bounds(note, last)[2]


def _empty_id_gap(note: Note, card: Card, end_line: int) -> EmptyIdGap | None:
    """The block's last line of text as an empty ID line, when a line of the card stands above
    it (alone in the block, the plugin would take it for the note type)."""
    last = _last_content_line_end(note, end_line, card.start_span.end)
    if last is None:
        return None
    line_start = line_bounds(note, last)[0]
    if _last_content_line_end(note, line_start, card.start_span.end) is None:
        return None
    return empty_id_gap(note.text, line_start, last)


def _filled(placeholder: EmptyIdGap, value: int | str) -> TextEdit:
    """The number written into an empty ID line."""
    number = f" {value} " if placeholder.spaced_comment else f" {value}"
    return TextEdit(Span(placeholder.start, placeholder.end), number)


def missing_id_fix(note: Note, card: Card, config: Config, generator: IdGenerator) -> Fix | None:
    if not _can_take_id(card):
        return None
    edit = new_id_edit(note, card, config.id_style, generator.next_id(created_ms(note)))
    if edit is None:
        return None
    return Fix("Generate Anki ID", "missing-id", (edit,), _id_is_safe(note, card))


def all_missing_ids_fix(note: Note, config: Config, generator: IdGenerator) -> Fix | None:
    """One fix giving every card of the note without an ID a new one (all distinct). A card
    whose new ID would be a guess (an ID line written above its last line, a swallowed START)
    is left to its own quick fix: a second ID there makes Anki create the card again."""
    edits: list[TextEdit] = []
    not_before = created_ms(note)
    for card in note.anki.cards:
        if not _can_take_id(card) or not _id_is_safe(note, card):
            continue
        edit = new_id_edit(note, card, config.id_style, generator.next_id(not_before))
        if edit is not None:
            edits.append(edit)
    if not edits:
        return None
    return Fix("Generate IDs for all cards in this note", "missing-id", tuple(edits), True)


def missing_id_edits_for_vault(
    index: VaultIndex,
    config: Config,
    generator: IdGenerator,
    paths: Iterable[str] | None = None,
    safe_only: bool = True,
) -> list[tuple[str, str, tuple[TextEdit, ...]]]:
    """(path, text, edits) for every note with cards lacking an ID, in path order: `text` is
    the note's text the edits were planned on (a note the index does not keep is read again
    each time it is asked for, and its file may have changed meanwhile).

    One generator for the whole call keeps every new ID distinct from the others and from the
    vault's; seed it with `generator_for_vault(index)`.
    """
    result: list[tuple[str, str, tuple[TextEdit, ...]]] = []
    for path in sorted(paths if paths is not None else index.paths()):
        if not holds_cards(path):
            continue  # a drawing by its name: not even parsed
        note = index.notes.get(path)
        if note is None or is_drawing(note.frontmatter):
            continue
        edits: list[TextEdit] = []
        not_before = created_ms(note)
        for card in note.anki.cards:
            if not _can_take_id(card) or (safe_only and not _id_is_safe(note, card)):
                continue
            edit = new_id_edit(note, card, config.id_style, generator.next_id(not_before))
            if edit is not None:
                edits.append(edit)
        if edits:
            result.append((path, note.text, tuple(edits)))
    return result


# --- duplicate-id -----------------------------------------------------------------------------


def original_copy(
    locations: Sequence[CardLocation], index: VaultIndex, created_ns: CreatedNs | None = None
) -> CardLocation:
    """The copy that keeps the ID: the one in the note `created` first (its frontmatter), then
    in the oldest file, then the first in vault order. Each of the first two counts only when
    every copy's note has one: a copy made without a `created`, or where the platform keeps no
    file birth time, says nothing of its age."""
    paths = {location.path for location in locations}
    summaries = index.summaries
    dates = {path: summary.created if (summary := summaries.get(path)) else "" for path in paths}
    by_date = all(dates.values())
    times = {path: created_ns(path) for path in paths} if created_ns is not None else {}
    by_time = bool(times) and all(time is not None for time in times.values())

    def age(location: CardLocation) -> tuple[str, int, str, int]:
        path = location.path
        return (
            dates[path] if by_date else "",
            (times[path] or 0) if by_time else 0,
            path,
            location.span.start,
        )

    return min(locations, key=age)


# For each card ID, where the index holds it and which of those copies keeps it: asked once per
# ID when fixing a whole note, not once per copy (`_Originals`).
_Known = tuple[frozenset[tuple[str, Span]], tuple[CardLocation, ...], CardLocation | None]
_Originals = dict[str, _Known]


def duplicate_id_fix(
    path: str,
    card: Card | InlineCard,
    index: VaultIndex,
    generator: IdGenerator,
    created_ns: CreatedNs | None = None,
    originals: _Originals | None = None,
    not_before: int = 0,
) -> Fix | None:
    """A new ID for this copy of a duplicated card, unless it is the original; at least
    `not_before` (the note's `created_ms`).

    `originals`, shared by the calls for one note's findings, keeps each ID's copies and
    original: k copies of a card in one note each asked for all k and took the oldest of them,
    k * k steps (7,600 copies: 15 s).
    """
    if card.id is None:
        return None
    known = originals.get(card.id.value) if originals is not None else None
    if known is None:
        found = index.card_locations(card.id.value)
        oldest = original_copy(found, index, created_ns) if len(found) > 1 else None
        known = (frozenset((loc.path, loc.span) for loc in found), found, oldest)
        if originals is not None:
            originals[card.id.value] = known
    places, locations, original = known
    if (path, card.id.span) not in places:
        # An index one edit behind still knows the other copies.
        here = CardLocation(path, card.id.span, card.span)
        locations = (*locations, here)
        original = original_copy(locations, index, created_ns) if len(locations) > 1 else None
    if original is None:
        return None
    if original.path == path and original.span == card.id.span:
        return None
    edit = TextEdit(card.id.value_span, str(generator.next_id(not_before)))
    return Fix("Give this card a new ID", "duplicate-id", (edit,), True)


def copy_id_removal_fix(note: Note, card: Card) -> Fix | None:
    """The copy's ID line removed, for the upstream plugin: it skips a card whose ID its Anki
    collection does not hold, so a new ID is never synced, and it adds a card without one and
    writes the ID Anki gives it. Editor only: `--fix` gives the new ID (see missing-id)."""
    if card.id is None:
        return None
    start, _, following = line_bounds(note, card.id.span.start)
    before = note.text[start : card.id.span.start]
    if before.strip():
        # `BACK: see ID: n`: the ID goes, with the blanks before it; the text is the writer's.
        kept = start + len(before.rstrip())
        removal = TextEdit(Span(kept, card.id.span.end), "")
    else:
        removal = TextEdit(Span(start, following), "")
    return Fix(
        "Remove this copy's ID line: the plugin adds it as a new card",
        "duplicate-id",
        (removal,),
        False,
    )


# --- misplaced-id -----------------------------------------------------------------------------


def misplaced_id_fixes(note: Note, card: Card, misplaced: CardId) -> list[Fix]:
    text = note.text
    start, end, following = line_bounds(note, misplaced.span.start)
    if following == end:
        return []  # the text's last line cannot sit inside a closed block
    delete = TextEdit(Span(start, following), "")
    if card.id is not None:
        title = (
            "Delete the repeated ID line"
            if card.id.value == misplaced.value
            else f"Delete the stray ID line (the card's ID is {card.id.value})"
        )
        return [Fix(title, "misplaced-id", (delete,), False)]
    if card.end_span is None:
        return []
    at = _below_last_text(note, card, card.end_span.start)
    line = id_line(misplaced.value, IdStyle.COMMENT if misplaced.comment else IdStyle.PLAIN)
    eol = break_at(text, end)
    if following == at:
        # Already the last line but not read as an ID (`ID:5`): rewrite it in place.
        edit = TextEdit(Span(start, following), line + eol)
        return [Fix(f"Rewrite the ID line as `{line}`", "misplaced-id", (edit,), False)]
    placeholder = _empty_id_gap(note, card, card.end_span.start)
    if placeholder is not None:
        # An empty `ID:` is the last line: the number goes there, or `ID:` stays field text.
        edits = (delete, _filled(placeholder, misplaced.value))
    else:
        eol = break_before(text, at) or preferred_break(text)
        edits = (delete, TextEdit(Span(at, at), line + eol))
    return [Fix("Move the ID line just above END", "misplaced-id", edits, False)]


def inline_id_into_card_fix(note: Note, inline: InlineCard) -> Fix | None:
    """An inline card's ID after its `ENDI` moved to where the plugin reads and writes it: just
    before `ENDI`, a space after it."""
    if inline.id is None or not id_after_endi(inline):
        return None
    endi = inline.span.end - len("ENDI")
    written = inline.id.span.slice(note.text)
    edits = (
        TextEdit(Span(endi, endi), written + " "),
        TextEdit(Span(inline.span.end, inline.id.span.end), ""),  # the spaces before it too
    )
    return Fix("Move the ID before ENDI", "misplaced-id", edits, False)


# --- blocks -----------------------------------------------------------------------------------


def _last_content_line_end(note: Note, before: int, floor: int) -> int | None:
    """Content end of the last non-blank line that ends before `before` and starts after
    `floor` (the START line's end); None when only blank lines are there."""
    lines = note.lines
    line = lines.line_of(before) - 1
    while line >= 0 and lines.line_start(line) > floor:
        if lines.line_text(line).strip():
            return lines.line_end(line)
        line -= 1
    return None


def _end_insertion(note: Note, after: int) -> TextEdit:
    """`END` on its own line right after the line whose content ends at `after`."""
    _, end, _ = line_bounds(note, after)
    return TextEdit(Span(end, end), line_break_near(note.text, end) + "END")


def unclosed_block_fix(note: Note, card: Card) -> Fix | None:
    if card.closed or card.span.end <= card.start_span.end or end_as_note_type(card):
        return None  # `START` alone at the end, or above `END`: no card to close yet
    last = card.span.end
    safe = not any(span.start <= card.start_span.start < span.end for span in note.hidden)
    indented = _indented_end(note, card.start_span.end, card.span.end)
    if indented is not None:
        # The writer's END, indented (a list's indent kept on the next line): the plugin wants
        # it at the line's start. END written below the text after it would take that text,
        # and the indented END, into the card.
        blanks = TextEdit(indented, "")
        inside = any(span.start <= indented.end < span.end for span in note.hidden)
        return Fix("Remove the blanks before END", "unclosed-block", (blanks,), safe and not inside)
    heading = next(
        (h for h in note.headings if card.start_span.end < h.span.start < card.span.end), None
    )
    if heading is not None:
        cut = _last_content_line_end(note, heading.span.start, card.start_span.end)
        if cut is None:
            return None
        last, safe = cut, False
    own = _first_line_of_its_own(note, card.start_span.end, last)
    if own is not None:
        # The note's deck or tags, or an inline card, not the card's text (real vaults repeat
        # TARGET DECK above each card): END goes above it. Card text below it makes that a
        # guess, as a heading.
        cut = _last_content_line_end(note, own, card.start_span.end)
        if cut is None:
            return None
        # A deletion right below the card may be the writer's own unfinished one: not safe.
        safe = safe and _only_lines_of_their_own(note, own, last, deletions=False)
        last = cut
    lines = note.lines
    first_id = card.misplaced_ids[0].span.start if card.misplaced_ids else last
    ending = _card_ending_line(note, card.start_span.end, min(first_id, last))
    ids = 0 if ending is not None else 1  # the card's own ID lines its ending holds
    id_line = lines.line_of(first_id if ending is None else ending)
    below = id_line + 1
    if lines.line_end(id_line) < last and not lines.line_text(below).strip():
        # An ID line, a blank line, then more text: the card ends with its ID, which the plugin
        # reads only as the last line. END after the text below would make that text field
        # text and the ID a stray one: the card would be created again (review s31). A field
        # line right below the ID is the card's, though: the ID is misplaced, not its end. So
        # does an ID line waiting for its number, or the card's `Tags:` line.
        last = lines.line_end(id_line)
        safe = safe and heading is None and len(card.misplaced_ids) == ids
    return Fix("Add END after the card", "unclosed-block", (_end_insertion(note, last),), safe)


def _card_ending_line(note: Note, floor: int, before: int) -> int | None:
    """The start of the first line after `floor` and before `before` that ends a card as its
    writer ends one, a blank line below it: an ID line without its number, or `Tags: `. Not
    the line right after START: that one is the note type's."""
    lines = note.lines
    text = note.text
    for number in range(lines.line_of(floor) + 2, lines.line_of(before)):
        start, end = lines.line_start(number), lines.line_end(number)
        if not (text.startswith(_TAGS_LINE, start) or empty_id_gap(text, start, end)):
            continue
        if not lines.line_text(number + 1).strip():
            return start
    return None


_TAGS_LINE = "Tags: "


def _indented_end(note: Note, floor: int, end: int) -> Span | None:
    """The blanks before an `END` alone on its line (spaces, tabs, a no-break space, an
    invisible character) in a card's text, from the end of its START line `floor` to the line
    holding `end`, unless a START, indented too, a heading or a deck line comes first: that END
    may be theirs."""
    lines = note.lines
    above = 0  # the indent of the last line of text, tabs as four spaces
    for number in range(lines.line_of(floor) + 1, lines.line_of(end) + 1):
        written = lines.line_text(number)
        indent = 0
        while indent < len(written) and is_blank_mark(written[indent]):
            indent += 1
        word = written[indent:].rstrip()
        width = len(written[:indent].expandtabs(4))
        if word == "START":
            return None
        if word == "END" and indent and width <= above:
            # As deep as the text above it: it ends that text's block (pseudocode in an
            # indented code block), not the card.
            return None
        if word:
            above = width
        if word == "END" and indent:
            start = lines.line_start(number)
            if _last_content_line_end(note, start, floor) is None:
                return None  # right below START: a stub, no card to close
            if any(floor < heading.span.start < start for heading in note.headings):
                return None
            if _first_line_of_its_own(note, floor, start) is not None:
                return None
            return Span(start, start + indent)
    return None


# A line the plugin reads for the whole note wherever it stands, never a card's text.
_FILE_KEYWORD_LINE = re.compile(r"(?<=[\r\n])(?:TARGET DECK|FILE TAGS)")


def _first_line_of_its_own(note: Note, start: int, end: int, deletions: bool = True) -> int | None:
    """The start of the first line after `start` and before `end` that is no card's text: a
    `TARGET DECK` or `FILE TAGS` line, one holding an inline card, or a `DELETE` line or the
    ID line it deletes; None when there is none."""
    text, hidden = note.text, note.hidden
    found = end
    for keyword in _FILE_KEYWORD_LINE.finditer(text, start, end):
        if not inside_any(hidden, keyword.start()):  # an example in a code block: END not in it
            found = keyword.start()
            break
    deletes = note.anki.deletes if deletions else ()
    # From the last DELETE at or before `start`: the ID line it deletes may follow `start`.
    for marker in deletes[max(bisect_right(deletes, start, key=_delete_start) - 1, 0) :]:
        if marker.span.start >= found:
            break
        if marker.id is None or inside_any(hidden, marker.span.start):
            continue
        for line_start in (marker.span.start, start_of_line(text, marker.id.span.start)):
            if start < line_start < found:
                found = line_start
    inline_cards = note.anki.inline_cards
    at = bisect_right(inline_cards, start, key=_inline_start)
    while at < len(inline_cards) and inline_cards[at].span.start < found:
        opening = inline_cards[at].span.start
        line_start = start_of_line(text, opening)
        if (
            line_start > start
            and _LIST_MARKER.fullmatch(text, line_start, opening)
            and not inside_any(hidden, opening)
        ):
            found = line_start
            break
        at += 1
    return found if found < end else None


# What may stand before an inline card that begins its line: blanks and a list item's marker.
_LIST_MARKER = re.compile(r"[ \t]*(?:[-*+]|[0-9]+[.)])?[ \t]*")


def _inline_start(inline: InlineCard) -> int:
    return inline.span.start


def _delete_start(marker: DeleteMarker) -> int:
    return marker.span.start


def _only_lines_of_their_own(note: Note, start: int, end: int, deletions: bool = True) -> bool:
    """Are the lines from the one holding `start` to the one holding `end` all blank or lines
    of their own (see `_first_line_of_its_own`)?"""
    lines = note.lines
    for line in range(lines.line_of(start), lines.line_of(end) + 1):
        line_start, line_end = lines.line_start(line), lines.line_end(line)
        if lines.line_text(line).strip() and (
            _first_line_of_its_own(note, line_start - 1, line_end, deletions) is None
        ):
            return False
    return True


def swallowed_block_fix(note: Note, card: Card) -> Fix | None:
    if not card.swallowed_starts or end_as_note_type(card):
        return None
    floor = card.start_span.end
    indented = _indented_end(note, floor, card.swallowed_starts[0].start - 1)
    if indented is not None:
        blanks = TextEdit(indented, "")
        return Fix("Remove the blanks before END", "swallowed-block", (blanks,), False)
    last = _last_content_line_end(note, card.swallowed_starts[0].start, floor)
    # A TARGET DECK or FILE TAGS line right above the next START is the note's, not the card's.
    while last is not None and _only_lines_of_their_own(note, last, last):
        last = _last_content_line_end(note, line_bounds(note, last)[0], floor)
    if last is None:
        return None
    edit = _end_insertion(note, last)
    return Fix("Add END before the next START", "swallowed-block", (edit,), False)


_QUOTE_MARKERS = re.compile(r"[ \t]*>(?:[ \t]*>)*[ \t]?")


def nested_block_fix(note: Note, card: NestedCard) -> Fix:
    """The card's lines, START to END, without their quote markers or indent: where the plugin
    finds it. Offered, never safe: the callout around it loses those lines."""
    text, lines = note.text, note.lines
    first = lines.line_of(card.start.start)
    indent = text[lines.line_start(first) : card.start.start]
    if card.unseen:
        # Only the START and END lines: a field line's own leading spaces are its text.
        cuts = [
            TextEdit(Span(start_of_line(text, keyword.start), keyword.start), "")
            for keyword in (card.start, card.end)
            if start_of_line(text, keyword.start) < keyword.start
        ]
        shown = "the Unicode space" if card.unseen.isspace() else "the invisible character"
        return Fix(f"Remove {shown} before START", "nested-block", tuple(cuts), False)
    edits: list[TextEdit] = []
    for number in range(first, lines.line_of(card.end.start) + 1):
        start = lines.line_start(number)
        line = text[start : lines.line_end(number)]
        if card.quoted:
            marker = _QUOTE_MARKERS.match(line)
            cut = marker.end() if marker is not None else 0
        else:
            cut = len(indent) if line.startswith(indent) else len(line) - len(line.lstrip(" \t"))
        if cut:
            edits.append(TextEdit(Span(start, start + cut), ""))
    title = "Take the card out of the callout" if card.quoted else "Remove the card's indent"
    return Fix(title, "nested-block", tuple(edits), False)


def note_type_to_its_line_fix(note: Note, start: StartWithTrailingText) -> Fix | None:
    """`START Basic` above a field line: Basic is the note type, wanted on the line below."""
    note_type = note_type_after_start(note.text, start)
    if note_type is None:
        return None
    eol = line_break_near(note.text, start.line_span.end)
    edit = TextEdit(start.trailing_span, eol + note_type)
    return Fix(
        f"Put the note type `{note_type}` on the line below START",
        "start-trailing-text",
        (edit,),
        False,
    )


def start_trailing_text_fix(note: Note, trailing: Span) -> Fix:
    """Safe for whitespace alone, and only when the block it makes stands on its own (see
    `_safe_start_trims`)."""
    written = trailing.slice(note.text)
    whitespace = not visible(written)  # spaces, or characters that show as nothing (U+200B)
    title = "Remove the whitespace after START" if whitespace else "Remove the text after START"
    edit = TextEdit(trailing, "")
    safe = whitespace and trailing in _safe_start_trims(note)
    return Fix(title, "start-trailing-text", (edit,), safe)


def _safe_start_trims(note: Note) -> frozenset[Span]:
    """The whitespace after a START whose removal alone makes one whole card and changes no
    other block (see `_makes_a_card_alone`), kept for the note's other findings.

    A note a template wrote `START ` into thousands of times took a scan of the whole note per
    START: quadratic. All trims are first tried at once, in one scan: when together they make
    as many whole cards and change nothing else, each does alone too (a trim that swallowed a
    card, or was swallowed, alone would do so together). Only otherwise is each tried alone, as
    many as `_MOST_BLOCK_FIXES_SORTED`; those past it count as unsafe.
    """
    memo = _note_memo(note)
    known = memo.get("safe_start_trims")
    if isinstance(known, frozenset):
        return known
    text = note.text
    trims = [
        start.trailing_span
        for start in note.anki.trailing_starts
        if not visible(start.trailing_span.slice(text))
    ]
    edits = [TextEdit(trailing, "") for trailing in trims]
    safe: frozenset[Span] = frozenset()
    if len(edits) > 1:
        before = _blocks_of(text, note.anki)
        if _blocks_after(note, edits) == before._replace(cards=before.cards + len(edits)):
            safe = frozenset(trims)
    if not safe:
        checked = edits[:_MOST_BLOCK_FIXES_SORTED]
        safe = frozenset(edit.span for edit in checked if _makes_a_card_alone(note, edit))
    memo["safe_start_trims"] = safe
    return safe


# The last note fixes were asked for, and what they found of it that its other findings need
# again (a note with thousands of findings made a scan per finding quadratic). One note only,
# by identity: fixes are asked for one note's findings at a time.
_last_note: tuple[Note | None, dict[str, object]] = (None, {})


def _note_memo(note: Note) -> dict[str, object]:
    global _last_note
    last = _last_note
    if last[0] is not note:
        last = _last_note = (note, {})
    return last[1]


def _nested_card_at(note: Note, start: Span) -> NestedCard | None:
    """The nested card whose START keyword is at `start`."""
    memo = _note_memo(note)
    by_start = memo.get("nested_cards")
    if not isinstance(by_start, dict):
        by_start = memo["nested_cards"] = {card.start: card for card in nested_cards(note)}
    found = by_start.get(start)
    return found if isinstance(found, NestedCard) else None


def _makes_a_card_alone(note: Note, edit: TextEdit) -> bool:
    """Does the exact START that `edit` makes add one whole card and change no other? It could
    swallow the card below it, be swallowed by an open block above it, stay unclosed, or end
    at an `ENDPOINT:` line; the plugin's pattern has more such turns than a few line rules
    would follow, so the edited text is scanned again. (`--fix` takes many fixes at once:
    `_blocks_kept_whole` checks them together.)"""
    before = _blocks_of(note.text, note.anki)
    return _blocks_after(note, (edit,)) == before._replace(cards=before.cards + 1)


class _Blocks(NamedTuple):
    """How many blocks a text has of each kind the plugin reads."""

    cards: int  # closed cards
    unclosed: int
    swallowed: int  # STARTs merged into the card above them
    cut_short: int  # cards ended by a line that only begins with END (`ENDPOINT: x`)


def _blocks_of(text: str, anki: AnkiItems) -> _Blocks:
    return _Blocks(
        len(anki.cards),
        len(anki.unclosed),
        sum(len(card.swallowed_starts) for card in anki.cards),
        sum(
            1
            for card in anki.cards
            if card.end_span is not None and card.end_span.slice(text).strip() != "END"
        ),
    )


def _blocks_after(note: Note, edits: Sequence[TextEdit]) -> _Blocks:
    """The note's blocks once `edits` are applied, scanned again."""
    edited = apply_edits(note.text, edits)
    return _blocks_of(edited, scan_anki(edited))


# --- tags -------------------------------------------------------------------------------------


def stale_fix_empty_fix(note: Note, tag_span: Span) -> Fix | None:
    tag = next((t for t in note.tags if t.span == tag_span), None)
    if tag is None:
        return None
    edits = remove_tag_edits(note, tag)
    if edits is None:
        return None
    return Fix(f"Remove #{tag.name}", "stale-fix-empty", edits, True)


def stale_fix_empty_tags_fixes(note: Note, tag_spans: Iterable[Span]) -> list[Fix]:
    """The stale tags removed together, for `--fix` and "fix all": those of the frontmatter in
    one fix, those of the body in another (the per-finding fix would check each removal with a
    parse of the note: thousands of them took seconds, or minutes in a long `tags:` list)."""
    spans = set(tag_spans)
    stale = [tag for tag in note.tags if tag.span in spans]
    fixes: list[Fix] = []
    for remove in (remove_frontmatter_tags_edits, remove_body_tags_edits):
        found = remove(note, stale)
        if found is None:
            continue
        tags, edits = found
        title = f"Remove #{tags[0].name}" if len(tags) == 1 else f"Remove {len(tags)} stale tags"
        fixes.append(Fix(title, "stale-fix-empty", edits, True, settles=len(tags)))
    return fixes


def fix_empty_tag_name(config: Config) -> str:
    prefix = config.fix_tag_prefixes[0] if config.fix_tag_prefixes else "fix"
    return f"{prefix}/empty"


def empty_note_fix(note: Note, config: Config) -> Fix | None:
    name = fix_empty_tag_name(config)
    edits = add_frontmatter_tag_edits(note, name)
    if edits is None:
        return None
    return Fix(f"Tag the note #{name}", "empty-note", edits, False)


# --- entry points -----------------------------------------------------------------------------


def _card_starting(cards: Sequence[Card], span: Span) -> Card | None:
    """The card whose START line is `span`: cards come in text order, so a bisection finds it
    (a fix per card of a note would otherwise walk all its cards each time)."""
    at = bisect_left(cards, span.start, key=_start_of)
    return cards[at] if at < len(cards) and cards[at].start_span == span else None


def _card_holding(cards: Sequence[Card], span: Span) -> Card | None:
    """The card whose text holds `span`: the last one starting at or before it (cards come in
    text order and do not overlap)."""
    at = bisect_right(cards, span.start, key=_start_of)
    return cards[at - 1] if at else None


def _start_of(card: Card) -> int:
    return card.start_span.start


def _trailing_start(start: StartWithTrailingText) -> int:
    return start.trailing_span.start


def fixes_for_finding(
    path: str,
    note: Note,
    index: VaultIndex,
    config: Config,
    finding: Finding,
    generator: IdGenerator,
    created_ns: CreatedNs | None = None,
    note_wide: bool = True,
    originals: _Originals | None = None,
) -> list[Fix]:
    """The fixes for one finding of `note`, best first; [] when it has none.

    The finding must come from this very text: the card or tag is found by the exact span the
    rule reported, so a stale finding gets no fix rather than a wrong one. `note_wide` adds
    "Generate IDs for all cards in this note" to `missing-id` when more than one card lacks one.
    `originals`, shared by the calls for the findings of one note, spares asking the index
    for a duplicated ID's copies again (see `duplicate_id_fix`).
    """
    code, span = finding.code, finding.span
    anki = note.anki
    found: list[Fix | None] = []
    if code == "missing-id":
        card = _card_starting(anki.cards, span)
        if card is not None:
            for misplaced in card.misplaced_ids[:1]:
                found.extend(misplaced_id_fixes(note, card, misplaced))
            found.append(missing_id_fix(note, card, config, generator))
            if note_wide and sum(1 for c in anki.cards if _can_take_id(c)) > 1:
                found.append(all_missing_ids_fix(note, config, generator))
    elif code == "duplicate-id":
        holder: Card | InlineCard | None = _card_holding(anki.cards, span)
        if holder is None or holder.id is None or holder.id.span != span:
            holder = next((c for c in anki.inline_cards if c.id and c.id.span == span), None)
        if holder is not None and holder.id is not None and holder.id.span == span:
            renumbered = duplicate_id_fix(
                path, holder, index, generator, created_ns, originals, created_ms(note)
            )
            found.append(renumbered)
            if renumbered is not None and isinstance(holder, Card):
                found.append(copy_id_removal_fix(note, holder))
    elif code == "misplaced-id":
        card = _card_holding(anki.cards, span)
        if card is not None:
            for misplaced in card.misplaced_ids:
                if misplaced.span == span:
                    found.extend(misplaced_id_fixes(note, card, misplaced))
        for inline in anki.inline_cards:
            if inline.id is not None and inline.id.span == span:
                found.append(inline_id_into_card_fix(note, inline))
    elif code == "unclosed-block":
        card = _card_starting(anki.unclosed, span)
        if card is not None:
            found.append(unclosed_block_fix(note, card))
    elif code == "swallowed-block":
        card = _card_starting(anki.cards, span)
        if card is not None:
            found.append(swallowed_block_fix(note, card))
    elif code == "nested-block":
        nested = _nested_card_at(note, span)
        if nested is not None:
            found.append(nested_block_fix(note, nested))
    elif code == "start-trailing-text":
        # In text order: a bisection, not a walk per finding (quadratic over a note's fixes).
        starts = anki.trailing_starts
        at = bisect_left(starts, span.start, key=_trailing_start)
        if at < len(starts) and starts[at].trailing_span == span:
            found.append(note_type_to_its_line_fix(note, starts[at]))
            found.append(start_trailing_text_fix(note, span))
    elif code == "missing-note-type":
        card = _card_holding(anki.cards, span)
        if card is not None and note_type_spaces(card) == span:
            found.append(
                Fix("Remove the spaces after the note type", code, (TextEdit(span, ""),), False)
            )
    elif code == "stale-fix-empty":
        found.append(stale_fix_empty_fix(note, span))
    elif code == "empty-note":
        found.append(empty_note_fix(note, config))
    fixes = [_unless_it_revives_a_held_id(path, note, index, fix) for fix in found if fix]
    if config.id_digits != _WRITTEN_DIGITS:
        # New IDs are 13 digits (Anki's, epoch ms): in a vault whose IDs are checked against
        # another length, `--fix` would write one its own check then reports as malformed.
        fixes = [replace(f, safe=False) if f.code in _NEW_ID_CODES else f for f in fixes]
    return fixes


_WRITTEN_DIGITS = 13
_NEW_ID_CODES = frozenset({"missing-id", "duplicate-id"})


def _unless_it_revives_a_held_id(path: str, note: Note, index: VaultIndex, fix: Fix) -> Fix:
    """`fix`, not safe when the card it makes (END added, START trimmed) carries an ID held
    elsewhere: another card's in the vault, an inline card's, a DELETE line's. `--fix` would
    then make two cards of one ID, and renumber the copy Anki already has."""
    if not fix.safe or fix.code not in _BLOCK_CODES:
        return fix
    anki = note.anki
    for value in _revived_ids(note, fix.edits):
        elsewhere = any(location.path != path for location in index.card_locations(value))
        in_note = (
            sum(1 for card in anki.cards if card.id is not None and card.id.value == value)
            + sum(1 for card in anki.inline_cards if card.id is not None and card.id.value == value)
            + _delete_count(anki, value)
        )
        if elsewhere or in_note:
            return replace(fix, safe=False)
    return fix


_BLOCK_CODES = frozenset({"unclosed-block", "start-trailing-text", "swallowed-block"})


def _delete_count(anki: AnkiItems, value: str) -> int:
    return sum(1 for marker in anki.deletes if marker.id is not None and marker.id.value == value)


def _revived_ids(note: Note, edits: Sequence[TextEdit]) -> list[str]:
    """The IDs of the cards `edits` make, that the note's cards did not have before.

    Only the text from the START above the first edit to the first END line after the edits
    is scanned again (a scan of the whole note per fix made `--fix` quadratic in the cards)."""
    text = note.text
    first = min(edit.span.start for edit in edits)
    opening = text.rfind("START", 0, first + len("START"))
    while opening > 0 and text[opening - 1] != "\n":  # a START that begins its line
        opening = text.rfind("START", 0, opening)
    start = text.rfind("\n", 0, opening if opening != -1 else first) + 1
    last = max(edit.span.end for edit in edits)
    closing = _END_LINE.search(text, last)
    if closing is not None:
        stop = closing.end()
    else:
        # No END below: a card opened after the edits stays unclosed, with no ID to count, on
        # both sides. Scanning them all made `--fix` quadratic in the unclosed cards (1,500 in
        # one note: 32 s).
        following = _START_LINE.search(text, last)
        stop = following.start() if following is not None else len(text)
    window = text[start:stop]
    moved = [TextEdit(edit.span.shifted(-start), edit.new_text) for edit in edits]
    before = Counter(card.id.value for card in scan_anki(window).cards if card.id is not None)
    edited = scan_anki(apply_edits(window, moved)).cards
    after = Counter(card.id.value for card in edited if card.id is not None)
    return list((after - before).elements())


_END_LINE = re.compile(r"^END[ \t]*\r?$", re.MULTILINE)
_START_LINE = re.compile(r"^START", re.MULTILINE)


def fixable_findings(
    path: str,
    note: Note,
    index: VaultIndex,
    config: Config,
    findings: Sequence[Finding],
    created_ns: CreatedNs | None = None,
) -> list[bool]:
    """For each finding of the note, does `--fix` have a safe fix for it (see safe_fix_list)?
    Not for a card the plugin cuts short, nor for the copy of a duplicated ID that keeps it,
    nor outside SAFE_CODES. Stale tags are judged together, as `--fix` removes them: a parse
    of the note per tag took minutes for a long `tags:` list."""
    stale = [finding.span for finding in findings if finding.code == "stale-fix-empty"]
    removable = _removable_stale_tags(note, stale) if len(stale) > 1 else None
    originals: _Originals = {}
    fixable: list[bool] = []
    block_fixes: dict[int, Fix] = {}  # finding's place -> its safe fix that makes or ends a block
    for place, finding in enumerate(findings):
        if finding.code not in SAFE_CODES:
            fixable.append(False)
        elif removable is not None and finding.code == "stale-fix-empty":
            fixable.append(finding.span in removable)
        else:
            # The IDs drawn here are never written: any generator serves.
            fixes = fixes_for_finding(
                path, note, index, config, finding, IdGenerator(), created_ns, False, originals
            )
            safe = next((fix for fix in fixes if fix.safe), None)
            fixable.append(safe is not None)
            if safe is not None and safe.code in _BLOCK_CODES:
                block_fixes[place] = safe
    if len(block_fixes) > 1:
        # As safe_fix_list: block fixes that would break a card together are left out.
        kept = {id(fix) for fix in _blocks_kept_whole(note, list(block_fixes.values()))}
        for place, fix in block_fixes.items():
            fixable[place] = id(fix) in kept
    return fixable


def _removable_stale_tags(note: Note, tag_spans: Iterable[Span]) -> set[Span]:
    """The stale tags that `stale_fix_empty_tags_fixes` removes."""
    spans = set(tag_spans)
    stale = [tag for tag in note.tags if tag.span in spans]
    removable: set[Span] = set()
    for remove in (remove_frontmatter_tags_edits, remove_body_tags_edits):
        found = remove(note, stale)
        if found is not None:
            removable.update(tag.span for tag in found[0])
    return removable


def safe_fix_list(
    path: str,
    note: Note,
    index: VaultIndex,
    config: Config,
    findings: Iterable[Finding],
    generator: IdGenerator,
    created_ns: CreatedNs | None = None,
) -> list[Fix]:
    """The first safe fix of each finding, in text order, none overlapping another.

    A fix whose edits conflict with one already taken is left out whole (never half-applied).
    Applying the result and checking again may reveal more: an added END turns an unclosed
    block into a card that needs an ID, and a left-out fix no longer conflicts. The fixer
    repeats until nothing changes, so `--fix` finishes in one run.
    """
    chosen: list[Fix] = []
    taken = _TakenEdits()
    originals: _Originals = {}
    ordered = sorted(findings, key=lambda f: (f.span.start, f.span.end, f.code))
    stale = [finding.span for finding in ordered if finding.code == "stale-fix-empty"]
    for together in stale_fix_empty_tags_fixes(note, stale) if len(stale) > 1 else ():
        chosen.append(together)
        taken.add(together.edits)
    for finding in ordered:
        if finding.code not in SAFE_CODES:
            continue
        if len(stale) > 1 and finding.code == "stale-fix-empty":
            # Taken together above, or left out: it failed the check with others, or overlaps
            # another, and waits for the fixer's next pass (a parse per tag here would be what
            # taking them together avoids).
            continue
        for fix in fixes_for_finding(
            path, note, index, config, finding, generator, created_ns, False, originals
        ):
            if not fix.safe:
                continue
            if not any(taken.conflicts(edit) for edit in fix.edits):
                chosen.append(fix)
                taken.add(fix.edits)
            break
    return _blocks_kept_whole(note, chosen)


# Fixes that make or close blocks: safe each alone, they may still break one another's cards.
_BLOCK_CODES = frozenset({"unclosed-block", "start-trailing-text"})
# Past this many, block fixes that break a card together are all left out rather than sorted
# out with a scan of the note each.
_MOST_BLOCK_FIXES_SORTED = 200


def _blocks_kept_whole(note: Note, chosen: list[Fix]) -> list[Fix]:
    """`chosen` without the block fixes that, taken together, would break a card: an END added
    below one of two unclosed STARTs makes the first swallow the second. The others are kept
    in text order as long as they break nothing together."""
    blocks = [fix for fix in chosen if fix.code in _BLOCK_CODES]
    if not blocks or _breaks_no_block(note, blocks):
        return chosen
    kept: list[Fix] = []
    if len(blocks) <= _MOST_BLOCK_FIXES_SORTED:
        for fix in blocks:
            if _breaks_no_block(note, [*kept, fix]):
                kept.append(fix)
    left_out = {id(fix) for fix in blocks} - {id(fix) for fix in kept}
    return [fix for fix in chosen if id(fix) not in left_out]


def _breaks_no_block(note: Note, fixes: Sequence[Fix]) -> bool:
    """Do the fixes, together, leave no card swallowed, unclosed or cut short that was not?"""
    before = _blocks_of(note.text, note.anki)
    after = _blocks_after(note, [edit for fix in fixes for edit in fix.edits])
    return (
        after.unclosed <= before.unclosed
        and after.swallowed <= before.swallowed
        and after.cut_short <= before.cut_short
    )


class _TakenEdits:
    """Edits that conflict with none of each other, sorted: a new edit can conflict only with
    its neighbours there, so checking one costs a bisection, not a pass over all of them (ten
    thousand cards without an ID in one note took six seconds)."""

    def __init__(self) -> None:
        self._keys: list[tuple[int, int]] = []
        self._edits: list[TextEdit] = []

    def conflicts(self, edit: TextEdit) -> bool:
        at = bisect_left(self._keys, (edit.span.start, edit.span.end))
        return any(edits_conflict(edit, other) for other in self._edits[max(0, at - 2) : at + 2])

    def add(self, edits: Iterable[TextEdit]) -> None:
        for edit in edits:
            key = (edit.span.start, edit.span.end)
            at = bisect_left(self._keys, key)
            self._keys.insert(at, key)
            self._edits.insert(at, edit)


def safe_fixes(
    path: str,
    note: Note,
    index: VaultIndex,
    config: Config,
    findings: Iterable[Finding],
    generator: IdGenerator,
    created_ns: CreatedNs | None = None,
) -> list[TextEdit]:
    """The edits of `safe_fix_list`, ready for `apply_edits`."""
    fixes = safe_fix_list(path, note, index, config, findings, generator, created_ns)
    return [edit for fix in fixes for edit in fix.edits]
