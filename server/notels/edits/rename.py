"""Renames: a note's file name or a heading, and every link in the vault that points at it.
What is under the cursor (`rename_target_at`) may also be a block id, a tag or an alias,
renamed by rename_labels.py.

Pure: from the index to TextEdits per vault-relative path. The server turns them into a
WorkspaceEdit (with the RenameFile for a note) and decides nothing here.

Decisions worth knowing:
- Only links that resolve to the renamed note change: where several notes share a bare name,
  a link is rewritten only when Obsidian opens the renamed one (closest to the vault root).
  Links that reach the note through one of its aliases keep the alias: it still resolves.
- A link keeps its form. A bare name stays bare; a path (`folder/Old`, `../Old`) keeps its folder
  part; a written `.md` stays. Heading, block and display text are not touched. A note moved to
  another folder gets its path links rewritten from the vault root, its relative links
  (`./Old`, `../Old`) from the linking note's folder. A bare name that would then open a
  namesake closer to the vault root becomes a path link; a note that takes a bare name from
  namesakes farther from the root gives their bare links their paths. The moved note's own
  relative links (`./B`, `../C`) are rewritten from its new folder.
- Attachments move by the same rules (their links and embeds keep the file's extension), and
  files moved together (a folder's) are moved in one step: a link between two of them is
  written once, for where both end up.
- A link never changes the file it opens. A moved file can take links from files that stay:
  `[[./B]]` is read from the vault root first, a path before a path's ending, a name before an
  alias, and a moved note reads its path links from its new folder. Every link a move could
  take is resolved as it will be after the moves (the index's rules over `_MovedNames`), and
  gets a form that still opens its file. A link by an alias that a renamed note takes gets
  the alias's note and shows the alias still: `[[Alias]]` -> `[[Note|Alias]]`.
- An editor's request goes through without the moves whose links cannot be updated (onto a
  file that stays: `split_moves`), rather than not at all.
- Renaming the second of two same-named headings changes no link: links reach the first. A
  note is not renamed to an attachment's name: its links would open the attachment.
- A heading rename rewrites every `[[Note#Heading]]` (through aliases too: the heading is the
  same) and `[[#Heading]]` in the note itself, matching headings as Obsidian does (case and
  emphasis ignored). For nested links (`[[Note#A#B]]`) each matching part is rewritten.
- Inside quoted frontmatter values the new text is escaped for the quotes it stands in.
"""

from __future__ import annotations

import posixpath
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass

from notels.edits.text_edit import TextEdit, apply_edits, check_edits
from notels.syntax.frontmatter import ScalarLookup
from notels.syntax.model import BlockId, Heading, Link, Tag
from notels.syntax.note import Note
from notels.syntax.spans import Span
from notels.syntax.wikilinks import display_pipe
from notels.vault.files import is_walked
from notels.vault.index import VaultIndex, find_block, heading_path
from notels.vault.resolve import (
    ENDS_A_TARGET,
    Resolution,
    ResolutionKind,
    fold,
    heading_key,
    link_heading_text,
    note_key,
    resolve_in,
    stem_key,
    target_key,
)

MD = ".md"
# Characters a note name cannot hold: they end or split a wikilink, or name a folder.
INVALID_NAME_CHARS = frozenset("[]|#^/\\")
# What ends a plain YAML scalar in block context, which a link's new text must not bring in.
_PLAIN_SCALAR_BREAKERS = (": ", ":\t", " #", "\t#")
# What a link's target cannot hold: it would end the link or start its heading or shown text.
INVALID_LINK_CHARS = frozenset("[]|#^")
INVALID_HEADING_CHARS = INVALID_LINK_CHARS  # a heading is named inside links

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


@dataclass(frozen=True, slots=True)
class BlockRename:
    """Rename the block id `block` of the note `path`, from its `^id` or a `[[Note#^id]]`."""

    span: Span  # in the note under the cursor: the id's name, without the caret
    path: str  # the note holding the block
    block: BlockId
    placeholder: str


@dataclass(frozen=True, slots=True)
class TagRename:
    """Rename the tag `name`, and those nested below it, wherever the vault uses them."""

    span: Span  # in the note under the cursor: the tag's name, without `#`
    path: str  # the note under the cursor
    name: str
    placeholder: str


@dataclass(frozen=True, slots=True)
class AliasRename:
    """Rename the alias `alias` of the note `path`, from a link by it or its frontmatter."""

    span: Span  # in the note under the cursor: the link's target, or the alias's text
    path: str  # the note holding the alias
    alias: str  # as its frontmatter writes it
    placeholder: str


RenameTarget = NoteRename | HeadingRename | BlockRename | TagRename | AliasRename


def rename_target_at(index: VaultIndex, path: str, offset: int) -> RenameTarget | None:
    """What a rename at `offset` of note `path` would rename; None when nothing renamable is there.

    Raises RenameError when the cursor is on a link that cannot be renamed from here (it
    resolves to no note, to an attachment, through an alias, or names a missing heading).
    """
    note = index.notes.get(path)
    if note is None:
        return None
    links = note.links
    for number, link in enumerate(links):
        if link.span.start <= offset <= link.span.end:
            # Between two links (`[[A]][[B]]`) the cursor is on the one starting there.
            following = links[number + 1] if number + 1 < len(links) else None
            touched = following if following and following.span.start == offset else link
            return _link_target(index, path, note, touched, offset)
    for block in note.block_ids:
        if block.span.start <= offset <= block.span.end:
            return BlockRename(Span(block.span.start + 1, block.span.end), path, block, block.name)
    for tag in note.tags:
        # A frontmatter tag's span leaves out the `#` written before it (`"#ml"`): on it too.
        hashed = tag.in_frontmatter and note.text[tag.span.start - 1 : tag.span.start] == "#"
        if tag.span.start - hashed <= offset <= tag.span.end:
            return _tag_target(note, path, tag, offset)
    for scalar in note.alias_scalars:
        alias = scalar.value.strip()
        if scalar.span.start <= offset <= scalar.span.end:
            span = scalar.value_span
            if span.slice(note.text) != scalar.value:  # escapes: no span of its own
                span = scalar.span
            return AliasRename(span, path, alias, alias)
    for heading in note.headings:
        if heading.span.contains(offset) and heading.text:
            name = heading_name_span(note, heading)
            return HeadingRename(name, path, heading, name.slice(note.text))
    return None


def heading_name_span(note: Note, heading: Heading) -> Span:
    """The heading's name: its text without the tags and block id that end it (`## Intro #ml
    ^intro`: `Intro`). A rename changes the name only; the note keeps its tag, and block links
    their target."""
    text = note.text
    end = heading.text_span.end
    marks = [tag.span for tag in note.tags if heading.text_span.contains(tag.span.start)]
    marks += [block.span for block in note.block_ids if heading.span.contains(block.span.start)]
    while True:
        mark = next((span for span in marks if span.end == end), None)
        before = mark.start if mark is not None else end
        name_end = len(text[heading.text_span.start : before].rstrip(" \t"))
        if mark is None or name_end == 0:
            return Span(heading.text_span.start, heading.text_span.start + name_end)
        end = heading.text_span.start + name_end


def _link_target(
    index: VaultIndex, path: str, note: Note, link: Link, offset: int
) -> RenameTarget | None:
    if link.heading_span is not None and link.heading and link.heading_span.contains(offset):
        return _heading_in_link(index, path, note, link, offset)
    # The `#^` before a block's name is the block's too: only the target's name is the note's.
    block = link.block_span
    if block is not None and link.block_ref is not None and block.start - 2 <= offset <= block.end:
        return _block_in_link(index, path, link)
    if not link.target:
        return None
    resolution = index.resolve(link, path)
    if resolution.kind is ResolutionKind.ATTACHMENT:
        raise RenameError(f"{link.target!r} is an attachment; notels renames notes only.")
    if resolution.kind is ResolutionKind.UNRESOLVED or resolution.path is None:
        raise RenameError(f"No note named {link.target!r} in the vault: nothing to rename.")
    if resolution.via_alias:
        alias = _alias_named(index.notes.get(resolution.path), link.target)
        if alias is None:
            raise RenameError(f"No alias {link.target!r} in {resolution.path}.")
        return AliasRename(link.target_span, resolution.path, alias, alias)
    return NoteRename(_name_span(note.text, link), resolution.path, _stem(resolution.path))


def _heading_in_link(
    index: VaultIndex, path: str, note: Note, link: Link, offset: int
) -> HeadingRename:
    target_path = linked_path(index.resolve(link, path), path)
    target = index.notes.get(target_path) if target_path is not None else None
    if target is None or target_path is None:
        raise RenameError(f"No note named {link.target!r} in the vault: nothing to rename.")
    parts = _heading_parts(note.text, link)
    named = heading_path(target, link.heading or "")
    for number, part in enumerate(parts):
        if part.contains(offset):
            wanted = heading_key(part.slice(note.text))
            at = named[number] if named is not None and len(named) == len(parts) else None
            heading = (
                target.headings[at]
                if at is not None
                else next((h for h in target.headings if heading_key(h.text) == wanted), None)
            )
            if heading is None:
                where = "this note" if target_path == path else repr(target_path)
                raise RenameError(f"No heading {part.slice(note.text)!r} in {where}.")
            return HeadingRename(part, target_path, heading, heading.text)
    raise RenameError("Place the cursor on the heading's name.")  # on a `#` between parts


def _tag_target(note: Note, path: str, tag: Tag, offset: int) -> TagRename:
    """The tag up to the part under the cursor: on `sub` of `#area/sub/leaf`, `area/sub`, whose
    rename takes `area/sub/leaf` along."""
    name = tag_name_span(tag)
    cut = note.text.find("/", max(offset, name.start), name.end)
    span = Span(name.start, name.end if cut < 0 else cut)
    written = span.slice(note.text)
    return TagRename(span, path, written, written)


def _alias_named(note: Note | None, target: str) -> str | None:
    """The alias of `note` that a link's `target` names, as the frontmatter writes it."""
    key = target_key(target)
    for scalar in note.alias_scalars if note is not None else ():
        if target_key(scalar.value.strip()) == key:
            return scalar.value.strip()
    return None


def _block_in_link(index: VaultIndex, path: str, link: Link) -> BlockRename:
    target_path = linked_path(index.resolve(link, path), path)
    target = index.notes.get(target_path) if target_path is not None else None
    if target is None or target_path is None or link.block_span is None:
        raise RenameError(f"No note named {link.target!r} in the vault: nothing to rename.")
    block = find_block(target, link.block_ref or "")
    if block is None:
        raise RenameError(f"No block ^{link.block_ref} in {target_path!r}.")
    return BlockRename(link.block_span, target_path, block, block.name)


def linked_path(resolution: Resolution, from_path: str) -> str | None:
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
    wanted = fold(stem)
    # A note notels does not read (ignored) loses a bare name to a note: no shadow.
    shadow = next(
        (a for a in index.attachments() if fold(_stem(a)) == wanted and not a.lower().endswith(MD)),
        None,
    )
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
    return move_edits(index, {old_path: new_path})


def move_edits(index: VaultIndex, moves: Mapping[str, str], ignore: tuple[str, ...] = ()) -> Edits:
    """Link updates for moving notes and attachments, old path to new path, all at once.

    `ignore` (the vault's globs) tells which notes notels does not read where they arrive: a
    note of an ignored folder moved out of it becomes a note, which wins a bare name.

    A folder's rename moves everything in it together: a link between two moved files is
    written for where both end up, once (moved one at a time, `./B` in a moved note got one edit
    for its own move and another for B's, overlapping).

    Raises RenameError when a path is neither a note nor an attachment of the vault, or when
    its new path is another file's that is not moved away.
    """
    for old_path, new_path in moves.items():
        _check_move(index, old_path, new_path, moves)
    edits = _LinkEdits()
    after = _MovedNames(index, moves, ignore)
    arrivals = _Arrivals(after, moves)
    for old_path, new_path in sorted(moves.items()):
        bare_wins = _bare_name_wins(after, new_path)
        for source in sorted(index.linkers_of(old_path)):
            note = index.notes.get(source)
            if note is None:
                continue
            new_source = moves.get(source, source)
            for link in note.links:
                if edits.decided(source, link) or not link.target:
                    continue
                resolution = index.resolve(link, source)
                if not _reaches(resolution, old_path):
                    continue
                new_target = _retarget(
                    link.target, old_path, new_path, bare_wins, source, new_source, arrivals
                )
                if not _opens_surely(new_target, new_path) and (
                    _opened(resolve_in(after, new_target, new_source)) != new_path
                ):
                    # The form the link keeps would open another file then: `./New` read
                    # from the root first, a path's ending read as a path first.
                    new_target = _reaching(
                        after, note, link, resolution, new_path, new_source, arrivals
                    )
                edits.put(note, source, link, new_target)
    for old_path, new_path in sorted(moves.items()):
        if posixpath.dirname(old_path) != posixpath.dirname(new_path):
            _keep_relative_links(index, old_path, new_path, arrivals, edits)
    _keep_captured_links(index, moves, after, arrivals, edits)
    return checked_edits(index, edits.by_path)


class _LinkEdits:
    """The edits of a move, at most one per link: the first builder to reach a link decides
    its new target (unchanged included), and the later ones leave it alone."""

    __slots__ = ("_decided", "_quotes", "by_path")

    def __init__(self) -> None:
        self.by_path: Edits = {}
        self._decided: set[tuple[str, int]] = set()
        self._quotes: dict[str, LinkQuotes] = {}  # one per note: see LinkQuotes

    def decided(self, source: str, link: Link) -> bool:
        return (source, link.target_span.start) in self._decided

    def put(self, note: Note, source: str, link: Link, new_target: str) -> None:
        key = (source, link.target_span.start)
        if key in self._decided:
            return
        self._decided.add(key)
        if new_target != link.target:
            quotes = self._quotes.get(source)
            if quotes is None:
                quotes = self._quotes[source] = LinkQuotes(note)
            text = quotes.escape(link, new_target)
            self.by_path.setdefault(source, []).append(TextEdit(link.target_span, text))


def _check_move(index: VaultIndex, old_path: str, new_path: str, moves: Mapping[str, str]) -> None:
    problem = _move_problem(index, old_path, new_path, moves)
    if problem is not None:
        raise RenameError(problem)


def _move_problem(
    index: VaultIndex, old_path: str, new_path: str, moves: Mapping[str, str]
) -> str | None:
    """Why the links of this move cannot be updated, if they cannot."""
    is_note = old_path in index.notes
    if not is_note and not index.has_attachment(old_path):
        return f"{old_path} is not a note or attachment of the vault."
    if old_path.lower() == new_path.lower():
        # A change of case only, unless a case-sensitive disk holds the other spelling too.
        twin = new_path != old_path and (new_path in index.notes or index.has_attachment(new_path))
        return f"{new_path} already exists." if twin else None
    # Rewritten links would open something else (see ENDS_A_TARGET).
    unlinkable = sorted(set(new_path) & ENDS_A_TARGET)
    if unlinkable:
        return f"no link can name {new_path} (it holds {' '.join(unlinkable)})."
    taken = _holder(index, new_path) if is_note else _attachment_at(index, new_path)
    if taken is not None and taken not in moves:
        return f"{taken} already exists."
    return None


def split_moves(
    index: VaultIndex, moves: Mapping[str, str]
) -> tuple[dict[str, str], dict[str, str]]:
    """(the moves whose links can be updated, the others with the reason why not).

    An editor moves many files in one request (a folder, a selection): one that lands on a
    file that stays should not keep the others' links from following them. A move refused
    may refuse another (a swap whose other half lands on a file that now stays).
    """
    accepted = dict(moves)
    refused: dict[str, str] = {}
    while True:
        problems = {
            old_path: problem
            for old_path, new_path in accepted.items()
            if (problem := _move_problem(index, old_path, new_path, accepted)) is not None
        }
        if not problems:
            return accepted, refused
        refused.update(problems)
        for old_path in problems:
            del accepted[old_path]


def notes_to_read(index: VaultIndex, moves: Mapping[str, str]) -> set[str]:
    """The notes whose links `move_edits` may rewrite: the moved ones, and those linking by
    the moved files' old or new names or by the moved notes' aliases."""
    notes = {old_path for old_path in moves if old_path in index.notes}
    for old_path, new_path in moves.items():
        notes |= index.linkers_of(old_path)
        notes |= index.linkers_of_name(stem_key(new_path))
    return notes


def _attachment_at(index: VaultIndex, path: str) -> str | None:
    name = posixpath.basename(path)
    return next((a for a in index.attachments_named(name) if fold(a) == fold(path)), None)


def _reaches(resolution: Resolution, path: str) -> bool:
    """Does a link so resolved open the file at `path` by its name (an alias stays valid)?"""
    return (
        resolution.path == path
        and not resolution.via_alias
        and resolution.kind
        in (ResolutionKind.NOTE, ResolutionKind.AMBIGUOUS, ResolutionKind.ATTACHMENT)
    )


def _md_suffix(target: str, path: str) -> str:
    """The `.md` a link to the note at `path` ends with: as `target` wrote it, and always for a
    name ending in a space, which a link's target loses (`[[B ]]` opens `B.md`)."""
    if target.lower().endswith(MD):
        return target[-len(MD) :]
    written = written_in_link(path)
    return MD if path.lower().endswith(MD) and written != written.rstrip() else ""


def written_in_link(path: str) -> str:
    """A file's path as a link writes it: a note's without `.md`, an attachment's whole."""
    return path[: -len(MD)] if path.lower().endswith(MD) else path


def _holder(index: VaultIndex, path: str) -> str | None:
    """The note at `path` but for case, the first in the index's order. Only notes of the same
    name are looked at: a move of each of a folder's thousands of notes scanned the vault."""
    key = note_key(path)
    holders = {p for p in index.paths_named(stem_key(path)) if note_key(p) == key}
    if len(holders) > 1:  # case twins, on a case-sensitive file system
        return next(p for p in index.paths() if p in holders)
    return next(iter(holders), None)


def _keep_relative_links(
    index: VaultIndex, old_path: str, new_path: str, arrivals: _Arrivals, edits: _LinkEdits
) -> None:
    """Links written relative to the moved note's folder (`./B`, `../C`) are written relative
    to its new folder, so they reach the same files. (Those to files moved too were written
    for both moves already, but for odd ones no backlink names, `[[./.]]`.)"""
    note = index.notes.get(old_path)
    if note is None:
        return
    for link in note.links:
        if not link.target.startswith(("./", "../")) or edits.decided(old_path, link):
            continue
        resolution = index.resolve(link, old_path)
        reached = resolution.path
        if reached is None or reached == old_path or not _reaches(resolution, reached):
            continue  # unresolved (kept as written), or the note itself (moved with it)
        reached = arrivals.final(reached)
        written = reached
        if resolution.kind is not ResolutionKind.ATTACHMENT and not link.target.lower().endswith(
            MD
        ):
            written = written_in_link(reached)
        edits.put(note, old_path, link, arrivals.relative(written, new_path, reached))


def _relative_to(path: str, source: str) -> str:
    """`path` written relative to the folder of note `source`: `./B`, `../C/D`."""
    relative = posixpath.relpath(path, posixpath.dirname(source) or ".")
    return relative if relative.startswith("../") else "./" + relative


class _Arrivals:
    """Where the moved files will be, to tell whether a path will name another file then."""

    __slots__ = ("_after", "_moves")

    def __init__(self, after: _MovedNames, moves: Mapping[str, str]) -> None:
        self._after = after
        self._moves = moves

    def final(self, path: str) -> str:
        return self._moves.get(path, path)

    def relative(self, path: str, new_source: str, new_target: str) -> str:
        """`path` (as a link writes it) relative to `new_source`'s folder, unless that form
        would open another file: a link path is read from the vault root first, so `./C`
        opens the root's `C` when there is one. Then the path from the root."""
        relative = _relative_to(path, new_source)
        if relative.startswith("../"):
            return relative  # read from the root it names nothing
        other = self._file_at(posixpath.normpath(relative))
        return path if other is not None and other != new_target else relative

    def _file_at(self, path: str) -> str | None:
        """The file at `path` (a note's without `.md`) once the moves are done, if any."""
        note = self._after.note_with_key(note_key(path))
        if note is not None:
            return note
        return min(self._after.attachments_with_key(fold(path)), default=None)


def _keep_captured_links(
    index: VaultIndex,
    moves: Mapping[str, str],
    after: _MovedNames,
    arrivals: _Arrivals,
    edits: _LinkEdits,
) -> None:
    """Links that no builder above decided and that would open another file after the moves:
    each gets a form that still opens its file (where that file ends up).

    A file that arrives where a link's path is read first takes the link from the file it
    found some other way: `[[./B]]` is read from the vault root before the note's folder,
    `[[sub/B]]` as a path before as a path's ending, and a note's name before another note's
    alias. And a moved note reads its path links from its new folder. So the links looked at
    are those by the arrivals' names (or their aliases), and every link of a moved note; each
    is resolved as it will be after the moves, by the index's own rules over a view of its
    tables.
    """
    keys: set[str] = set()
    for old_path, new_path in moves.items():
        keys.add(stem_key(new_path))
        summary = index.summary(old_path)
        if summary is not None:
            keys.update(target_key(alias) for alias in summary.aliases)
    # Per note, the names of the links to look at; None: all of them.
    looked_at: dict[str, set[str] | None] = dict.fromkeys(
        (old for old in moves if old in index.notes), None
    )
    for key in keys:
        for source in index.linkers_of_name(key):
            names = looked_at.setdefault(source, set())
            if names is not None:
                names.add(key)
    for source, names in sorted(looked_at.items()):
        note = index.notes.get(source)
        if note is None:
            continue
        new_source = moves.get(source, source)
        for link in note.links:
            if not link.target or edits.decided(source, link):
                continue
            if names is None:  # a moved note: its path links are read from its new folder
                if not _has_folder(link.target) and target_key(link.target) not in keys:
                    continue
            elif target_key(link.target) not in names:
                continue
            resolution = index.resolve(link, source)
            if resolution.kind not in _OPENS or resolution.path is None:
                continue  # a link that opens nothing may open an arrival: as asked
            wanted = moves.get(resolution.path, resolution.path)
            if _opened(resolve_in(after, link.target, new_source)) == wanted:
                continue
            new_target = _reaching(after, note, link, resolution, wanted, new_source, arrivals)
            edits.put(note, source, link, new_target)


def _has_folder(target: str) -> bool:
    return "/" in target or "\\" in target


def _opens_surely(target: str, path: str) -> bool:
    """Does the link target, as `_retarget` writes it for the file at `path`, open that file
    whatever else is in the vault? A bare name that `_bare_name_wins` let stay; the path from
    the vault root, read first; a path up from the note's folder, which a reading from the
    root cannot take. The other forms are checked by resolving them."""
    return (
        not _has_folder(target)
        or target.startswith("../")
        or target in (written_in_link(path), written_in_link(path) + MD, path)
    )


_OPENS = frozenset({ResolutionKind.NOTE, ResolutionKind.AMBIGUOUS, ResolutionKind.ATTACHMENT})


def _opened(resolution: Resolution) -> str | None:
    return resolution.path if resolution.kind in _OPENS else None


def _reaching(
    after: _MovedNames,
    note: Note,
    link: Link,
    resolution: Resolution,
    wanted: str,
    new_source: str,
    arrivals: _Arrivals,
) -> str:
    """A target for `link` (written in the note that will be at `new_source`) that opens
    `wanted` after the moves, in the link's form where that form still can: relative, bare, or
    else the path from the vault root. A link that reached its note through an alias keeps
    showing the alias (`[[Note|Alias]]`, `[[Note\\|Alias]]` in a table row) when it shows
    nothing else."""
    suffix = _md_suffix(link.target, wanted)
    written = written_in_link(wanted) + suffix
    target = link.target.strip()
    forms: list[str] = []
    if target.startswith(("./", "../")):
        forms.append(arrivals.relative(written, new_source, wanted))
    elif not _has_folder(target):
        forms.append(posixpath.basename(written))
    forms.append(written)
    new_target = next(
        (form for form in forms if _opened(resolve_in(after, form, new_source)) == wanted),
        written,
    )
    if (
        resolution.via_alias
        and link.alias is None
        and link.heading is None
        and link.block_ref is None
    ):
        return f"{new_target}{_pipe(note.text, link)}{target}"
    return new_target


def _pipe(text: str, link: Link) -> str:
    """The `|` before a link's display text (see display_pipe); YAML has no tables."""
    return "|" if link.frontmatter_key is not None else display_pipe(text, link.span.start)


class _MovedNames:
    """The index's name tables as they will be once the moves are done (NameTables)."""

    __slots__ = (
        "_aliases",
        "_attachments_at",
        "_attachments_named",
        "_index",
        "_moves",
        "_notes_at",
        "_notes_named",
    )

    def __init__(
        self, index: VaultIndex, moves: Mapping[str, str], ignore: tuple[str, ...] = ()
    ) -> None:
        self._index = index
        self._moves = moves
        self._notes_at: dict[str, str] = {}  # the arrivals by note_key
        self._notes_named: dict[str, set[str]] = {}  # by stem_key
        self._aliases: dict[str, set[str]] = {}  # the moved notes by their aliases, lowered
        self._attachments_at: dict[str, str] = {}  # by lowered path
        self._attachments_named: dict[str, set[str]] = {}  # by lowered file name
        for old_path, new_path in moves.items():
            summary = index.summary(old_path)
            if summary is None and _read_where_it_arrives(index, old_path, new_path, ignore):
                self._notes_at[note_key(new_path)] = new_path  # its aliases are not known
                self._notes_named.setdefault(stem_key(new_path), set()).add(new_path)
                continue
            if summary is None:
                self._attachments_at[fold(new_path)] = new_path
                name = fold(posixpath.basename(new_path))
                self._attachments_named.setdefault(name, set()).add(new_path)
                continue
            self._notes_at[note_key(new_path)] = new_path
            self._notes_named.setdefault(stem_key(new_path), set()).add(new_path)
            for alias in summary.aliases:
                self._aliases.setdefault(fold(alias), set()).add(new_path)

    def _staying(self, paths: Collection[str]) -> set[str]:
        return {path for path in paths if path not in self._moves}

    def note_with_key(self, key: str) -> str | None:
        arrived = self._notes_at.get(key)
        if arrived is not None:
            return arrived
        path = self._index.note_with_key(key)
        return None if path in self._moves else path

    def notes_with_stem(self, stem: str) -> Collection[str]:
        arrived = self._notes_named.get(stem, set())
        return self._staying(self._index.notes_with_stem(stem)) | arrived

    def notes_with_alias(self, alias: str) -> Collection[str]:
        arrived = self._aliases.get(alias, set())
        return self._staying(self._index.notes_with_alias(alias)) | arrived

    def attachments_with_key(self, path: str) -> Collection[str]:
        found = self._staying(self._index.attachments_with_key(path))
        arrived = self._attachments_at.get(path)
        return found if arrived is None else found | {arrived}

    def attachments_with_name(self, name: str) -> Collection[str]:
        arrived = self._attachments_named.get(name, set())
        return self._staying(self._index.attachments_with_name(name)) | arrived


def _read_where_it_arrives(
    index: VaultIndex, old_path: str, new_path: str, ignore: tuple[str, ...]
) -> bool:
    """Is `old_path`, a note notels does not read (ignored, or too large), read at `new_path`:
    one of an ignored folder moved out of it?"""
    return (
        new_path.lower().endswith(MD)
        and old_path not in index.file_problems
        and is_walked(new_path, ignore)
    )


def _bare_name_wins(after: _MovedNames, new_path: str) -> bool:
    """Would a bare link by the new name open the file at `new_path`, not a namesake (where
    the namesake will be: it may move too, or another file may arrive under that name)?"""
    bare = posixpath.basename(written_in_link(new_path))
    return _opened(resolve_in(after, bare, new_path)) == new_path


def _retarget(
    target: str,
    old_path: str,
    new_path: str,
    bare_wins: bool,
    source: str,
    new_source: str,
    arrivals: _Arrivals,
) -> str:
    """The link target `target` (which reaches `old_path` from note `source`) rewritten to
    reach `new_path` from the note's new path, `new_source`.

    A bare name stays bare unless a namesake closer to the vault root would then take the link:
    such links get the file's path instead, as Obsidian writes them. A file moved under its own
    name keeps its bare links as written, letter case and `.md` alike. A relative path stays
    relative (unless read from the vault root, as links are read first, it would open another
    file); another path keeps its folder part when the file stays in its folder, and is
    written from the vault root when it leaves it.
    """
    suffix = _md_suffix(target, new_path)
    written = written_in_link(new_path)
    cut = max(target.rfind("/"), target.rfind("\\"))
    if cut < 0:
        if bare_wins and posixpath.basename(old_path) == posixpath.basename(new_path):
            return target  # moved, not renamed: `[[TARGET#h]]` still opens it, as written
        return posixpath.basename(written) + suffix if bare_wins else written + suffix
    same_folder = posixpath.dirname(old_path) == posixpath.dirname(new_path)
    if target.startswith(("./", "../")) and not (same_folder and source == new_source):
        return arrivals.relative(written + suffix, new_source, new_path)
    if same_folder:
        return target[: cut + 1] + posixpath.basename(written) + suffix
    return written + suffix


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
    name = check_heading_text(new_text)
    name_span = heading_name_span(note, heading)
    if name == name_span.slice(note.text):
        return {}  # F2, Enter: links written in another case are the user's
    # The tags and block id after the name stay, in the heading and so in links to it; a
    # heading of a tag alone (`## #ml`) gets the name before it, a space between.
    suffix = note.text[name_span.end : heading.text_span.end]
    written = name + " " if name_span.start == name_span.end and suffix else name
    text = written + suffix
    old_key, new_key = heading_key(heading.text), heading_key(text)
    if new_key != old_key and any(heading_key(h.text) == new_key for h in note.headings):
        raise RenameError(f"{path} already has a heading {text!r}.")
    texts = {path: note.text}
    edits = heading_link_edits(index, path, note, heading, text, texts)
    if name_span.slice(note.text) != written:
        edits.setdefault(path, []).append(TextEdit(name_span, written))
    return checked_edits(index, edits, texts)


def heading_link_edits(
    index: VaultIndex, path: str, note: Note, heading: Heading, new_text: str, texts: dict[str, str]
) -> Edits:
    """Every link to `heading` of the note `path`, naming it as a heading of `new_text` (not
    yet in order: see checked_edits). Adds the texts of the notes it read to `texts`."""
    old_key = heading_key(heading.text)
    linked = link_heading_text(new_text)
    edits: Edits = {}
    renamed = note.headings.index(heading)  # equal, maybe not the same object: parsed again
    for source, source_note in linking_notes(index, path, note, index.linkers_of(path), texts):
        quotes = LinkQuotes(source_note)
        for link in source_note.links:
            if link.heading is None or link.heading_span is None:
                continue
            if old_key not in (heading_key(part) for part in link.heading.split("#")):
                continue
            if linked_path(index.resolve(link, source), source) != path:
                continue
            # Each part names a heading of the path (`[[N#A#Proof]]`: A, then the Proof under
            # it); a link by a namesake's name reaches the namesake, and stays.
            parts = _heading_parts(source_note.text, link)
            named = heading_path(note, link.heading)
            if named is None or len(named) != len(parts):
                continue
            for part, at in zip(parts, named, strict=True):
                if at == renamed and part.slice(source_note.text) != linked:
                    escaped = quotes.escape(link, linked)
                    edits.setdefault(source, []).append(TextEdit(part, escaped))
    return edits


def linking_notes(
    index: VaultIndex, path: str, note: Note, sources: Iterable[str], texts: dict[str, str]
) -> Iterator[tuple[str, Note]]:
    """`path` and each of `sources`, in path order, with its Note (`note` for `path`); the
    texts go to `texts`, for checked_edits."""
    for source in sorted({*sources, path}):
        source_note = note if source == path else index.notes.get(source)
        if source_note is None:
            continue
        texts[source] = source_note.text
        yield source, source_note


def headings_changed(
    index: VaultIndex, path: str, note: Note, changes: list[TextEdit], texts: dict[str, str]
) -> Edits:
    """The links to the note's headings that `changes` (to its tags or block ids) rewrite: a
    heading's tags and block id are part of the name links give it (`[[N#Intro ml]]`)."""
    edits: Edits = {}
    for heading in note.headings:
        inside = [
            TextEdit(change.span.shifted(-heading.text_span.start), change.new_text)
            for change in changes
            if heading.text_span.start <= change.span.start < heading.text_span.end
        ]
        if inside:
            text = apply_edits(heading.text_span.slice(note.text), inside).strip()
            found_edits = heading_link_edits(index, path, note, heading, text, texts)
            for source, found in found_edits.items():
                edits.setdefault(source, []).extend(found)
    return edits


def tag_name_span(tag: Tag) -> Span:
    """The tag's name: a body tag's span holds its `#` too."""
    return tag.span if tag.in_frontmatter else Span(tag.span.start + 1, tag.span.end)


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
    return LinkQuotes(note).escape(link, new_text)


class LinkQuotes:
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
        # A plain scalar (`source: see [[Note]]`) ends at `: ` and ` #`: the value would
        # become a mapping or a comment, and the note would lose its whole frontmatter.
        if any(breaker in new_text for breaker in _PLAIN_SCALAR_BREAKERS):
            key = link.frontmatter_key
            raise RenameError(
                f"The link in `{key}:` of the frontmatter is an unquoted YAML value: with "
                f"{new_text!r} in it, the value would no longer read. Quote the value first."
            )
        return new_text


def checked_edits(index: VaultIndex, edits: Edits, texts: Mapping[str, str] | None = None) -> Edits:
    """Edits per path in text order; a conflict would be a bug in a builder, so it raises.

    `texts` holds the notes' texts the builder read: a note the index does not keep would
    be read and parsed again (a tag of 1,350 notes: 2.4 s more)."""
    known = texts or {}
    return {
        path: check_edits(known[path] if path in known else index.notes[path].text, path_edits)
        for path, path_edits in sorted(edits.items())
    }
