"""Fixes only the editor offers: they need a choice (which note a link means) or make a file.

Pure, like fixes.py; `notels check --fix` applies none of them.
- `ambiguous-link`: one "Use path link" per candidate, Obsidian's pick first: the bare name is
  replaced by the note's vault path without `.md`, so the link no longer depends on which notes
  share its name.
- `shadowed-target-deck`: delete the ignored `TARGET DECK` line (both lines when the deck stands
  on the next one), so the note says what the plugin does; or move its cards to a new note
  (`<note> (<last deck part>).md` next to it), where that deck is the first and so the one used.
  What moves: the deck line, every card below it up to the next `TARGET DECK` of another deck
  (or the end), repeats of the same deck line, and the runs of blank lines between two of those.
  Everything else (prose, headings, an unclosed START) stays where it is. Moved lines keep their
  bytes, line breaks included; the note keeps every other byte. Not offered when a card straddles
  the region's edge, or an unclosed START lies in it: which lines belong to the card is a guess.
- `unresolved-link`: "Change to [[Name]]" for up to three names in the vault the target is a
  typo of (notes, aliases and attachments; a path for a path link), the most alike first
  (rapidfuzz's `ratio` of the lowered names, at least 80: one wrong letter in eight), then the
  most linked. `unresolved-heading` and `unresolved-block`: the same for the linked note's
  headings (by their keys: case and emphasis ignored) and block ids.
- `unresolved-link`: the note to create for it. A bare name goes next to the linking note (or to
  the `new-note-folder` of the config), a path (`folder/Name`) from the vault root, as Obsidian
  creates them. Attachments are never created. The content is the `new-note-template`, if any,
  with Obsidian's `{{title}}`, `{{date}}` (YYYY-MM-DD) and `{{time}}` (HH:mm) filled in.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from rapidfuzz import fuzz, process

from notels.edits.fixes import Fix
from notels.edits.lines import break_before, line_bounds
from notels.edits.rename import (
    INVALID_LINK_CHARS,
    MD,
    RenameError,
    escape_in_link,
    written_in_link,
)
from notels.edits.text_edit import TextEdit
from notels.features.catalog import NameCatalog
from notels.features.model import CompletionKind
from notels.findings import Finding
from notels.syntax.model import Link, TargetDeck
from notels.syntax.note import Note
from notels.syntax.spans import Span
from notels.syntax.wikilinks import display_pipe
from notels.vault.index import VaultIndex
from notels.vault.resolve import (
    ResolutionKind,
    fold,
    has_attachment_extension,
    heading_key,
    link_heading_text,
    note_key,
)

# fuzz.ratio of one wrong letter in an 8-letter name is ~88, of two ~75: below 80 the names
# offered stop looking like what was meant. Shorter targets say too little for a guess.
_TYPO_CUTOFF = 80.0
_TYPO_MIN_LENGTH = 3
_MOST_TYPO_FIXES = 3


@dataclass(frozen=True, slots=True)
class NewNote:
    """A note to create, with its text, and the edits to the note the action is offered in."""

    title: str  # "Create note 'Name'"
    path: str  # vault-relative path of the file to create
    content: str = ""  # the new file's text
    edits: tuple[TextEdit, ...] = ()  # against the text of the note offering the action


def finding_link(note: Note, finding: Finding) -> Link | None:
    """The link a link rule reported: by its target's span (the whole link when that is empty)."""
    for link in note.links:
        target = link.target_span if link.target_span.start < link.target_span.end else link.span
        if target == finding.span:
            return link
    return None


def path_link_fixes(path: str, note: Note, index: VaultIndex, finding: Finding) -> list[Fix]:
    if finding.code != "ambiguous-link":
        return []
    link = finding_link(note, finding)
    if link is None or not link.target:
        return []
    resolution = index.resolve(link, path)
    if resolution.kind is not ResolutionKind.AMBIGUOUS:
        return []
    fixes: list[Fix] = []
    for candidate in resolution.paths:
        target = written_in_link(candidate)
        edit = TextEdit(link.target_span, escape_in_link(note, link, target))
        fixes.append(Fix(f"Use path link: {target}", "ambiguous-link", (edit,), False))
    return fixes


def similar_name_fixes(
    path: str, note: Note, index: VaultIndex, catalog: NameCatalog, finding: Finding
) -> list[Fix]:
    """Fixes "Change to [[Name]]" for the names the unresolved link's target is likely a typo
    of. Each is checked to open its file from this note: an alias another note is named
    after, or shared by two notes, or holding what a link cannot, is linked as
    `[[Note|Alias]]`."""
    if finding.code != "unresolved-link":
        return []
    link = finding_link(note, finding)
    if link is None:
        return []
    target, suffix = link.target, ""
    if target.lower().endswith(MD):
        target, suffix = target[: -len(MD)], target[-len(MD) :]
    # A path link names a path's ending (`[[sub/Name]]`): compared with as many parts of each.
    depth = target.count("/") + 1 if "/" in target else 0
    if depth:
        keys: Sequence[str] = [_ending(key, depth) for key in catalog.path_keys]
        alike = [(score, catalog.path_entries[at]) for score, at in _alike(fold(target), keys)]
    else:
        alike = _alike(fold(target), catalog.keys)
    alike.sort(key=lambda pair: (-pair[0], -catalog.weight(pair[1])))
    names: list[_Name] = []
    for _, at in alike:
        entry = catalog.entries[at]
        if depth:
            written = _ending(written_in_link(entry.path), depth) + suffix
        elif entry.kind is CompletionKind.ALIAS:
            written = entry.label
        else:
            written = entry.target + (suffix if entry.kind is CompletionKind.NOTE else "")
        if _opens(index, written, path, entry.path):
            addition = f" (alias of {entry.path})" if entry.kind is CompletionKind.ALIAS else ""
            names.append(_Name(written, addition))
        elif entry.kind is CompletionKind.ALIAS:
            # The alias as the shown text of a link to its note, as Obsidian writes one.
            name = written_in_link(entry.path)
            bare = name.rpartition("/")[2]
            written = bare if _opens(index, bare, path, entry.path) else name
            names.append(_Name(written, "", entry.label if link.alias is None else None))
    return _typo_fixes(note, link, link.target_span, "unresolved-link", names, "")


def _ending(path: str, parts: int) -> str:
    return "/".join(path.split("/")[-parts:])


def _opens(index: VaultIndex, target: str, from_path: str, path: str) -> bool:
    """Does a link naming `target` from `from_path` open `path`, and no other file?"""
    if INVALID_LINK_CHARS & set(target):
        return False
    resolution = index.resolve_target(target, from_path)
    return resolution.path == path and resolution.kind in (
        ResolutionKind.NOTE,
        ResolutionKind.ATTACHMENT,
    )


def similar_part_fixes(path: str, note: Note, index: VaultIndex, finding: Finding) -> list[Fix]:
    """Fixes "Change to [[Note#Heading]]" (or `#^block`) for the headings or block ids of the linked
    note that the link's broken one is likely a typo of."""
    if finding.code not in ("unresolved-heading", "unresolved-block"):
        return []
    link = next((each for each in note.links if finding.span in _parts(each)), None)
    if link is None:
        return []
    resolution = index.resolve(link, path)
    if resolution.kind is ResolutionKind.SELF:
        target: Note | None = note
    elif resolution.path is not None and resolution.kind is not ResolutionKind.ATTACHMENT:
        target = index.notes.get(resolution.path)
    else:
        target = None
    if target is None:
        return []
    if finding.code == "unresolved-block":
        blocks = [block.name for block in target.block_ids]
        alike = _alike(fold(link.block_ref or ""), [name.lower() for name in blocks])
        names = [_Name(blocks[at]) for _, at in alike]
        return _typo_fixes(note, link, finding.span, finding.code, names, link.target + "#^")
    if link.heading is None or "#" in link.heading:
        return []  # a nested heading: which part is wrong is a guess
    texts = [link_heading_text(heading.text) for heading in target.headings]
    alike = _alike(heading_key(link.heading), [heading_key(text) for text in texts])
    names = [_Name(texts[at]) for _, at in alike]
    return _typo_fixes(note, link, finding.span, finding.code, names, link.target + "#")


def _parts(link: Link) -> tuple[Span | None, Span | None]:
    return link.heading_span, link.block_span


def _alike(query: str, keys: Sequence[str]) -> list[tuple[float, int]]:
    """(score, index) of the keys `query` is likely a typo of, the most alike first."""
    if len(query) < _TYPO_MIN_LENGTH:
        return []
    found = process.extract(query, keys, scorer=fuzz.ratio, score_cutoff=_TYPO_CUTOFF, limit=None)
    return sorted(((score, at) for _, score, at in found), key=lambda pair: -pair[0])


class _Name(NamedTuple):
    written: str  # what the link's broken part becomes
    addition: str = ""  # said after the link in the fix's title
    shown: str | None = None  # a display text to give the link (`[[Note|Alias]]`)


def _typo_fixes(
    note: Note, link: Link, span: Span, code: str, names: Sequence[_Name], before: str
) -> list[Fix]:
    """The fixes writing each name at `span`, up to _MOST_TYPO_FIXES; their titles show the
    link as `[[{before}{name}]]`."""
    fixes: list[Fix] = []
    offered: set[tuple[str, str | None]] = {(span.slice(note.text), None)}
    for name in names:
        if (name.written, name.shown) in offered:
            continue
        offered.add((name.written, name.shown))
        try:
            edits = [TextEdit(span, escape_in_link(note, link, name.written))]
            shown = before + name.written
            if name.shown is not None:
                end = link.span.end - 2  # before `]]`
                pipe = display_pipe(note.text, link.span.start)
                shown_text = escape_in_link(note, link, name.shown)
                edits.append(TextEdit(Span(end, end), pipe + shown_text))
                shown += "|" + name.shown
        except RenameError:
            continue  # `: ` in an unquoted frontmatter value would break the frontmatter

        title = f"Change to {'!' if link.embed else ''}[[{shown}]]{name.addition}"
        fixes.append(Fix(title, code, tuple(edits), False))
        if len(fixes) == _MOST_TYPO_FIXES:
            break
    return fixes


def delete_deck_fix(note: Note, finding: Finding) -> Fix | None:
    if finding.code != "shadowed-target-deck":
        return None
    deck = next((d for d in note.anki.decks if d.span == finding.span), None)
    if deck is None:
        return None
    start, _, _ = line_bounds(note, deck.span.start)
    _, end, following = line_bounds(note, deck.span.end)
    if following == end:  # the text's last line: take the break before it instead
        start -= len(break_before(note.text, start))
    edit = TextEdit(Span(start, following), "")
    return Fix("Delete this TARGET DECK line", "shadowed-target-deck", (edit,), False)


def new_note_for(
    path: str,
    note: Note,
    index: VaultIndex,
    finding: Finding,
    *,
    folder: str | None = None,
    template: str | None = None,
    now: datetime | None = None,
) -> NewNote | None:
    """The note that would resolve an unresolved link; None for attachments and odd names.

    `folder` (vault-relative, "" for the root) replaces the linking note's folder for a bare
    name; `template` is the new note's text before `render_template`, at `now`.
    """
    if finding.code != "unresolved-link":
        return None
    link = finding_link(note, finding)
    if link is None or not link.target or has_attachment_extension(link.target):
        return None
    target = link.target.replace("\\", "/").strip()
    name = written_in_link(target)
    if "/" in name:
        relative = posixpath.normpath(name.lstrip("/"))
    else:
        base = posixpath.dirname(path) if folder is None else folder
        relative = posixpath.join(base, name)
    if relative.startswith("../") or relative in ("", ".", "..") or not name.strip("/ "):
        return None
    new_path = relative + MD
    if any(note_key(p) == note_key(new_path) for p in index.paths()):
        return None
    title = posixpath.basename(relative)
    content = render_template(template, title, now or datetime.now()) if template else ""
    return NewNote(f"Create note '{title}'", new_path, content)


_PLACEHOLDER = re.compile(r"\{\{(title|date|time)\}\}")


def render_template(template: str, title: str, now: datetime) -> str:
    """Obsidian's core Templates placeholders: `{{title}}`, `{{date}}`, `{{time}}`.

    The defaults of that plugin: the note name, `YYYY-MM-DD` and `HH:mm`. One pass, so a title
    that itself reads `{{date}}` stays as written. Other `{{...}}` are left alone.
    """
    values = {"title": title, "date": now.strftime("%Y-%m-%d"), "time": now.strftime("%H:%M")}
    return _PLACEHOLDER.sub(lambda match: values[match.group(1)], template)


# --- shadowed-target-deck: move the cards below it --------------------------------------------

# Not allowed in file names on some systems, or breaking a wikilink to the note.
_UNSAFE_NAME = re.compile(r'[\\/:*?"<>|#^\[\]]+')


def move_cards_fix(
    path: str, note: Note, index: VaultIndex, finding: Finding, exists: Callable[[str], bool]
) -> NewNote | None:
    """Move the cards under a shadowed TARGET DECK, with that line, to a new note next to this one.

    `exists(path)` tells whether a vault-relative path is taken on disk (the index only knows
    notes). None when there is nothing to move or the region's edges cut through a card.
    """
    if finding.code != "shadowed-target-deck":
        return None
    decks = note.anki.decks
    deck = next((d for d in decks if d.span == finding.span), None)
    if deck is None:
        return None
    lines = note.lines
    first = lines.line_of(deck.span.start)
    following = next(
        (d for d in decks if d.span.start > deck.span.start and d.deck != deck.deck), None
    )
    last = lines.line_of(following.span.start) - 1 if following else lines.line_count - 1
    items = _moved_items(note, deck, first, last)
    if items is None:  # no card: "Delete this TARGET DECK line" says it all
        return None
    moved = _with_blank_gaps(note, items)
    edits: list[TextEdit] = []
    pieces: list[str] = []
    for start_line, end_line in _runs(moved):
        start = lines.line_start(start_line)
        end = lines.line_start(end_line + 1) if end_line + 1 < lines.line_count else len(note.text)
        edits.append(TextEdit(Span(start, end), ""))
        pieces.append(note.text[start:end])
    new_path = _free_path(_split_note_path(path, deck), index, exists)
    return NewNote("Move the cards below to a new note", new_path, "".join(pieces), tuple(edits))


def _moved_items(
    note: Note, deck: TargetDeck, first: int, last: int
) -> list[tuple[int, int]] | None:
    """Line ranges (first, last) of the deck line, its repeats and the cards in first..last.

    Sorted and merged where they overlap (a deck line inside a card). None when there is no
    card, when a card crosses an edge, or when an unclosed START lies in the region.
    """
    lines = note.lines
    items: list[tuple[int, int]] = []
    for card in note.anki.cards:
        card_first, card_last = lines.line_of(card.span.start), lines.line_of(card.span.end)
        if first <= card_first and card_last <= last:
            items.append((card_first, card_last))
        elif card_first <= last and first <= card_last:
            return None
    if not items or any(first <= lines.line_of(c.span.start) <= last for c in note.anki.unclosed):
        return None
    for repeat in note.anki.decks:
        repeat_first = lines.line_of(repeat.span.start)
        if repeat.deck == deck.deck and first <= repeat_first <= last:
            items.append((repeat_first, lines.line_of(repeat.span.end)))
    merged: list[tuple[int, int]] = []
    for start, end in sorted(items):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _with_blank_gaps(note: Note, items: list[tuple[int, int]]) -> list[int]:
    """The lines of the (disjoint, sorted) items plus each gap between two that is all blank."""
    moved: list[int] = []
    for position, (start, end) in enumerate(items):
        if position:
            gap = range(items[position - 1][1] + 1, start)
            if all(not note.lines.line_text(line).strip() for line in gap):
                moved.extend(gap)
        moved.extend(range(start, end + 1))
    return moved


def _runs(lines: list[int]) -> list[tuple[int, int]]:
    """Consecutive line numbers grouped as (first, last)."""
    runs: list[tuple[int, int]] = []
    for line in lines:
        if runs and line == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], line)
        else:
            runs.append((line, line))
    return runs


def _split_note_path(path: str, deck: TargetDeck) -> str:
    """`folder/Note (Leaf)` for the deck `A::B::Leaf` (no `.md`)."""
    parts = [part.strip() for part in deck.deck.split("::")]
    leaf = next((part for part in reversed(parts) if part), "")
    leaf = " ".join(_UNSAFE_NAME.sub(" ", leaf).split()) or "cards"
    stem = written_in_link(posixpath.basename(path))
    return posixpath.join(posixpath.dirname(path), f"{stem} ({leaf})")


def _free_path(base: str, index: VaultIndex, exists: Callable[[str], bool]) -> str:
    """`base.md`, else `base 2.md`, `base 3.md`...: the first not in the index nor on disk."""
    taken = {note_key(p) for p in index.paths()}
    number = 1
    while True:
        candidate = base + (f" {number}" if number > 1 else "") + MD
        if note_key(candidate) not in taken and not exists(candidate):
            return candidate
        number += 1
