"""Renames: a note's file name or a heading, and every link in the vault that points at it.

Pure: from the index to TextEdits per vault-relative path. The server turns them into a
WorkspaceEdit (with the RenameFile for a note) and decides nothing here.

Decisions worth knowing:
- Only links that resolve to the renamed note change: where several notes share a bare name,
  a link is rewritten only when Obsidian opens the renamed one (closest to the vault root).
  Links that reach the note through one of its aliases keep the alias: it still resolves.
- A link keeps its form. A bare name stays bare; a path (`folder/Old`, `../Old`) keeps its folder
  part; a written `.md` stays. Heading, block and display text are not touched. A note moved to
  another folder gets its path links rewritten from the vault root. A bare name that would then
  open a namesake closer to the vault root becomes a path link; a note that takes a bare name
  from namesakes farther from the root gives their bare links their paths. The moved note's own
  relative links (`./B`, `../C`) are rewritten from its new folder.
- Renaming the second of two same-named headings changes no link: links reach the first. A
  note is not renamed to an attachment's name: its links would open the attachment.
- A heading rename rewrites every `[[Note#Heading]]` (through aliases too: the heading is the
  same) and `[[#Heading]]` in the note itself, matching headings as Obsidian does (case and
  emphasis ignored). For nested links (`[[Note#A#B]]`) each matching part is rewritten.
- Inside quoted frontmatter values the new text is escaped for the quotes it stands in.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass

from notels.edits.text_edit import TextEdit, check_edits
from notels.syntax.frontmatter import ScalarLookup
from notels.syntax.model import Heading, Link
from notels.syntax.note import Note
from notels.syntax.spans import Span
from notels.vault.index import VaultIndex
from notels.vault.resolve import (
    Resolution,
    ResolutionKind,
    heading_key,
    note_key,
    shortest_first,
    stem_key,
)

MD = ".md"
# Characters a note name cannot hold: they end or split a wikilink, or name a folder.
INVALID_NAME_CHARS = frozenset("[]|#^/\\")
INVALID_HEADING_CHARS = frozenset("[]|#^")

Edits = dict[str, list[TextEdit]]


class RenameError(ValueError):
    """The rename cannot be done; the message tells the user why."""


# --- what is under the cursor ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NoteRename:
    """Rename the file of `path`, from a link to it."""

    span: Span  # in the note under the cursor: the name part of the link's target
    path: str  # the note to rename
    placeholder: str  # its file name without `.md`


@dataclass(frozen=True, slots=True)
class HeadingRename:
    """Rename `heading` of the note `path`, from the heading line or a `[[Note#Heading]]`."""

    span: Span  # in the note under the cursor: the heading text, or the link's heading part
    path: str  # the note holding the heading
    heading: Heading
    placeholder: str


RenameTarget = NoteRename | HeadingRename


def rename_target_at(index: VaultIndex, path: str, offset: int) -> RenameTarget | None:
    """What a rename at `offset` of note `path` would rename; None when nothing renamable is there.

    Raises RenameError when the cursor is on a link that cannot be renamed from here (it
    resolves to no note, to an attachment, through an alias, or names a missing heading).
    """
    note = index.notes.get(path)
    if note is None:
        return None
    for link in note.links:
        if link.span.start <= offset <= link.span.end:
            return _link_target(index, path, note, link, offset)
    for heading in note.headings:
        if heading.span.contains(offset) and heading.text:
            return HeadingRename(heading.text_span, path, heading, heading.text)
    return None


def _link_target(
    index: VaultIndex, path: str, note: Note, link: Link, offset: int
) -> RenameTarget | None:
    if link.heading_span is not None and link.heading and link.heading_span.contains(offset):
        return _heading_in_link(index, path, note, link, offset)
    if not link.target:
        return None
    resolution = index.resolve(link, path)
    if resolution.kind is ResolutionKind.ATTACHMENT:
        raise RenameError(f"{link.target!r} is an attachment; notels renames notes only.")
    if resolution.kind is ResolutionKind.UNRESOLVED or resolution.path is None:
        raise RenameError(f"No note named {link.target!r} in the vault: nothing to rename.")
    if resolution.via_alias:
        raise RenameError(
            f"{link.target!r} is an alias of {resolution.path}; "
            "rename the alias in that note's frontmatter, or rename from a link by file name."
        )
    return NoteRename(_name_span(note.text, link), resolution.path, _stem(resolution.path))


def _heading_in_link(
    index: VaultIndex, path: str, note: Note, link: Link, offset: int
) -> HeadingRename:
    target_path = _linked_path(index.resolve(link, path), path)
    target = index.notes.get(target_path) if target_path is not None else None
    if target is None or target_path is None:
        raise RenameError(f"No note named {link.target!r} in the vault: nothing to rename.")
    for part in _heading_parts(note.text, link):
        if part.contains(offset):
            wanted = heading_key(part.slice(note.text))
            heading = next((h for h in target.headings if heading_key(h.text) == wanted), None)
            if heading is None:
                where = "this note" if target_path == path else repr(target_path)
                raise RenameError(f"No heading {part.slice(note.text)!r} in {where}.")
            return HeadingRename(part, target_path, heading, heading.text)
    raise RenameError("Place the cursor on the heading's name.")  # on a `#` between parts


def _linked_path(resolution: Resolution, from_path: str) -> str | None:
    if resolution.kind is ResolutionKind.SELF:
        return from_path
    if resolution.kind in (ResolutionKind.NOTE, ResolutionKind.AMBIGUOUS):
        return resolution.path
    return None


# --- names ----------------------------------------------------------------------------------------


def check_note_name(new_name: str) -> str:
    """The new file name without `.md`; RenameError when a note cannot be called that."""
    name = new_name.strip()
    if name.lower().endswith(MD):
        name = name[: -len(MD)].rstrip()
    if not name:
        raise RenameError("A note's name cannot be empty.")
    bad = sorted(set(name) & INVALID_NAME_CHARS)
    if bad:
        raise RenameError(
            f"A note's name cannot contain {' '.join(bad)}: links could not reach it"
            + (" (folders are not renamed here)." if "/" in bad or "\\" in bad else ".")
        )
    if any(ord(char) < 32 for char in name) or name in (".", ".."):
        raise RenameError(f"{new_name!r} is not a valid file name.")
    if name.startswith("."):
        raise RenameError("A name starting with '.' makes a hidden file the vault does not index.")
    return name


def check_heading_text(new_text: str) -> str:
    text = new_text.strip()
    if not text:
        raise RenameError("A heading cannot be empty.")
    bad = sorted(set(text) & INVALID_HEADING_CHARS)
    if bad:
        raise RenameError(f"A heading cannot contain {' '.join(bad)}: links could not reach it.")
    if "\n" in text or "\r" in text:
        raise RenameError("A heading is one line.")
    if not heading_key(text):
        raise RenameError(f"{new_text!r} leaves nothing a link could name.")
    return text


def _stem(path: str) -> str:
    name = posixpath.basename(path)
    return name[: -len(MD)] if name.lower().endswith(MD) else name


# --- notes ----------------------------------------------------------------------------------------


def rename_note_edits(index: VaultIndex, old_path: str, new_stem: str) -> Edits:
    """Link updates for renaming note `old_path` to `new_stem` in the same folder.

    Raises RenameError on an invalid name or when another note already has it.
    """
    stem = check_note_name(new_stem)
    wanted = stem.lower()
    shadow = next((a for a in index.attachments() if _stem(a).lower() == wanted), None)
    if shadow is not None:
        raise RenameError(f"{shadow} has that name: links [[{stem}]] would open it, not the note.")
    folder = posixpath.dirname(old_path)
    return move_note_edits(index, old_path, posixpath.join(folder, stem + MD))


def renamed_path(old_path: str, new_stem: str) -> str:
    """`folder/Old.md` renamed to `New` is `folder/New.md`."""
    return posixpath.join(posixpath.dirname(old_path), check_note_name(new_stem) + MD)


def move_note_edits(index: VaultIndex, old_path: str, new_path: str) -> Edits:
    """Link updates for moving note `old_path` to `new_path` (another name, folder, or both)."""
    if old_path not in index.notes:
        raise RenameError(f"{old_path} is not a note of the vault.")
    if note_key(new_path) != note_key(old_path):
        taken = _holder(index, new_path)
        if taken is not None:
            raise RenameError(f"{taken} already exists.")
    bare_wins = _bare_name_wins(index, old_path, new_path)
    edits: Edits = {}
    for source in sorted(index.linkers_of(old_path)):
        note = index.notes.get(source)
        if note is None:
            continue
        quotes = _LinkQuotes(note)
        for link in note.links:
            if not link.target:
                continue
            resolution = index.resolve(link, source)
            if resolution.via_alias or resolution.path != old_path:
                continue
            if resolution.kind not in (ResolutionKind.NOTE, ResolutionKind.AMBIGUOUS):
                continue
            new_target = _retarget(link.target, old_path, new_path, bare_wins)
            if new_target != link.target:
                text = quotes.escape(link, new_target)
                edits.setdefault(source, []).append(TextEdit(link.target_span, text))
    if bare_wins:
        _keep_namesakes_reached(index, old_path, new_path, edits)
    if posixpath.dirname(old_path) != posixpath.dirname(new_path):
        _keep_relative_links(index, old_path, new_path, edits)
    return _checked(index, edits)


def _holder(index: VaultIndex, path: str) -> str | None:
    """The note at `path` but for case, the first in the index's order. Only notes of the same
    name are looked at: a move of each of a folder's thousands of notes scanned the vault."""
    key = note_key(path)
    holders = {p for p in index.paths_named(stem_key(path)) if note_key(p) == key}
    if len(holders) > 1:  # case twins, on a case-sensitive file system
        return next(p for p in index.paths() if p in holders)
    return next(iter(holders), None)


def _keep_namesakes_reached(index: VaultIndex, old_path: str, new_path: str, edits: Edits) -> None:
    """The moved note takes its new bare name from namesakes farther from the vault root: their
    bare links get their paths, so each still opens the note it opened."""
    key = stem_key(new_path)
    namesakes = index.paths_named(key) - {old_path}
    for namesake in sorted(namesakes):
        for source in sorted(index.linkers_of(namesake)):
            note = index.notes.get(source)
            if note is None:
                continue
            quotes = _LinkQuotes(note)
            for link in note.links:
                bare = link.target and "/" not in link.target and "\\" not in link.target
                if not bare or stem_key(link.target) != key:
                    continue  # an alias or a path still reaches the namesake
                resolution = index.resolve(link, source)
                if resolution.path != namesake or resolution.via_alias:
                    continue
                suffix = link.target[-len(MD) :] if link.target.lower().endswith(MD) else ""
                text = quotes.escape(link, namesake[: -len(MD)] + suffix)
                edits.setdefault(source, []).append(TextEdit(link.target_span, text))


def _keep_relative_links(index: VaultIndex, old_path: str, new_path: str, edits: Edits) -> None:
    """Links written relative to the moved note's folder (`./B`, `../C`) are written relative
    to its new folder, so they reach the same files."""
    note = index.notes.get(old_path)
    if note is None:
        return
    new_folder = posixpath.dirname(new_path)
    quotes = _LinkQuotes(note)
    for link in note.links:
        if not link.target.startswith(("./", "../")):
            continue
        resolution = index.resolve(link, old_path)
        if resolution.kind not in (
            ResolutionKind.NOTE,
            ResolutionKind.AMBIGUOUS,
            ResolutionKind.ATTACHMENT,
        ):
            continue  # unresolved (kept as written) or the note itself
        reached = resolution.path
        if reached is None or reached == old_path:
            continue  # a link to the moved note itself: rewritten with the other links to it
        if resolution.kind is not ResolutionKind.ATTACHMENT and not link.target.lower().endswith(
            MD
        ):
            reached = reached[: -len(MD)]
        relative = posixpath.relpath(reached, new_folder or ".")
        new_target = relative if relative.startswith("../") else "./" + relative
        if new_target != link.target:
            text = quotes.escape(link, new_target)
            edits.setdefault(old_path, []).append(TextEdit(link.target_span, text))


def _bare_name_wins(index: VaultIndex, old_path: str, new_path: str) -> bool:
    """Would a bare link by the new name open the note at `new_path`, not a namesake?"""
    key = stem_key(new_path)
    namesakes = index.paths_named(key) - {old_path}
    return shortest_first(namesakes | {new_path})[0] == new_path


def _retarget(target: str, old_path: str, new_path: str, bare_wins: bool) -> str:
    """The link target `target` (which reaches `old_path`) rewritten to reach `new_path`.

    A bare name stays bare unless a namesake closer to the vault root would then take the link:
    such links get the note's path instead, as Obsidian writes them.
    """
    suffix = target[-len(MD) :] if target.lower().endswith(MD) else ""
    new_stem = _stem(new_path)
    cut = max(target.rfind("/"), target.rfind("\\"))
    if cut < 0:
        return new_stem + suffix if bare_wins else new_path[: -len(MD)] + suffix
    if posixpath.dirname(old_path) == posixpath.dirname(new_path):
        return target[: cut + 1] + new_stem + suffix
    return new_path[: -len(MD)] + suffix  # moved: the path from the vault root


def _name_span(text: str, link: Link) -> Span:
    """The name part of a link's target: `Old` in `folder/Old.md`."""
    span = link.target_span
    written = span.slice(text)
    start = span.start + max(written.rfind("/"), written.rfind("\\")) + 1
    end = span.end - len(MD) if written.lower().endswith(MD) and span.end - 3 > start else span.end
    return Span(start, end)


# --- headings -------------------------------------------------------------------------------------


def rename_heading_edits(index: VaultIndex, path: str, heading: Heading, new_text: str) -> Edits:
    """The heading's new text and every link to it in the vault.

    Raises RenameError on invalid text, or when the note already has a heading of that name
    (links would then reach the first of the two).
    """
    note = index.notes.get(path)
    if note is None or heading not in note.headings:
        raise RenameError(f"No such heading in {path}.")
    text = check_heading_text(new_text)
    old_key, new_key = heading_key(heading.text), heading_key(text)
    if new_key != old_key and any(heading_key(h.text) == new_key for h in note.headings):
        raise RenameError(f"{path} already has a heading {text!r}.")
    edits: Edits = {}
    if heading.text != text:
        edits[path] = [TextEdit(heading.text_span, text)]
    first = next(h for h in note.headings if heading_key(h.text) == old_key)
    if first != heading:  # equal, not the same object: the note may have been parsed again
        return _checked(index, edits)  # links by its name reach the first of that name
    for source in sorted(index.linkers_of(path) | {path}):
        source_note = index.notes.get(source)
        if source_note is None:
            continue
        quotes = _LinkQuotes(source_note)
        for link in source_note.links:
            if link.heading is None or link.heading_span is None:
                continue
            if _linked_path(index.resolve(link, source), source) != path:
                continue
            for part in _heading_parts(source_note.text, link):
                written = part.slice(source_note.text)
                if heading_key(written) == old_key and written != text:
                    escaped = quotes.escape(link, text)
                    edits.setdefault(source, []).append(TextEdit(part, escaped))
    return _checked(index, edits)


def _heading_parts(text: str, link: Link) -> list[Span]:
    """The `#`-separated parts of a link's heading (`A#B` in `[[Note#A#B]]`), trimmed."""
    span = link.heading_span
    if span is None:
        return []
    parts: list[Span] = []
    start = span.start
    while True:
        cut = text.find("#", start, span.end)
        end = span.end if cut < 0 else cut
        part = _trim(text, start, end)
        if part.start < part.end:
            parts.append(part)
        if cut < 0:
            return parts
        start = cut + 1


def _trim(text: str, start: int, end: int) -> Span:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Span(start, end)


# --- shared ---------------------------------------------------------------------------------------


def escape_in_link(note: Note, link: Link, new_text: str) -> str:
    """`new_text` as it must be written where `link` stands: escaped inside quoted YAML."""
    return _LinkQuotes(note).escape(link, new_text)


class _LinkQuotes:
    """`escape_in_link` for many links of one note, the frontmatter's scalars looked up by
    bisection (walking them all for each link was quadratic on a list of links)."""

    __slots__ = ("_lookup", "_note")

    def __init__(self, note: Note) -> None:
        self._note = note
        self._lookup: ScalarLookup | None = None  # made for the first link in the frontmatter

    def escape(self, link: Link, new_text: str) -> str:
        frontmatter = self._note.frontmatter
        if link.frontmatter_key is None or frontmatter is None:
            return new_text
        if self._lookup is None:
            self._lookup = ScalarLookup(frontmatter)
        found = self._lookup.holding(link.span)
        if found is None:
            return new_text
        scalar = found[1]
        quote = self._note.text[scalar.span.start] if scalar.span else ""
        if quote == '"':
            return new_text.replace("\\", "\\\\").replace('"', '\\"')
        if quote == "'":
            return new_text.replace("'", "''")
        return new_text


def _checked(index: VaultIndex, edits: Edits) -> Edits:
    """Edits per path in text order; a conflict would be a bug in a builder, so it raises."""
    return {
        path: check_edits(index.notes[path].text, path_edits)
        for path, path_edits in sorted(edits.items())
    }
