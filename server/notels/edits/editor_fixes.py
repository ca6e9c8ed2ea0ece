"""Fixes only the editor offers: they need a choice (which note a link means) or make a file.

Pure, like fixes.py; `notels check --fix` applies none of them.
- `ambiguous-link`: one "Use path link" per candidate, Obsidian's pick first: the bare name is
  replaced by the note's vault path without `.md`, so the link no longer depends on which notes
  share its name.
- `shadowed-target-deck`: delete the ignored `TARGET DECK` line (both lines when the deck stands
  on the next one), so the note says what the plugin does.
- `unresolved-link`: the note to create for it. A bare name goes next to the linking note, a path
  (`folder/Name`) from the vault root, as Obsidian creates them. Attachments are never created,
  and templates are not applied: the new note is empty.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass

from notels.edits.fixes import Fix
from notels.edits.lines import break_before, line_bounds
from notels.edits.rename import MD, escape_in_link
from notels.edits.text_edit import TextEdit
from notels.findings import Finding
from notels.syntax.model import Link
from notels.syntax.note import Note
from notels.syntax.spans import Span
from notels.vault.index import VaultIndex
from notels.vault.resolve import ResolutionKind, has_attachment_extension, note_key


@dataclass(frozen=True, slots=True)
class NewNote:
    title: str  # "Create note 'Name'"
    path: str  # vault-relative path of the file to create


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
        target = candidate[: -len(MD)] if candidate.lower().endswith(MD) else candidate
        edit = TextEdit(link.target_span, escape_in_link(note, link, target))
        fixes.append(Fix(f"Use path link: {target}", "ambiguous-link", (edit,), False))
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


def new_note_for(path: str, note: Note, index: VaultIndex, finding: Finding) -> NewNote | None:
    """The note that would resolve an unresolved link; None for attachments and odd names."""
    if finding.code != "unresolved-link":
        return None
    link = finding_link(note, finding)
    if link is None or not link.target or has_attachment_extension(link.target):
        return None
    target = link.target.replace("\\", "/").strip()
    name = target[: -len(MD)] if target.lower().endswith(MD) else target
    if "/" in name:
        relative = posixpath.normpath(name.lstrip("/"))
    else:
        relative = posixpath.join(posixpath.dirname(path), name)
    if relative.startswith("../") or relative in ("", ".", "..") or not name.strip("/ "):
        return None
    new_path = relative + MD
    if any(note_key(p) == note_key(new_path) for p in index.paths()):
        return None
    return NewNote(f"Create note '{posixpath.basename(relative)}'", new_path)
