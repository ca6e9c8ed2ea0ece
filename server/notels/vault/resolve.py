"""Obsidian's link-target rules as pure string functions over the index's keys."""

from __future__ import annotations

import posixpath
import re
import sys
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from typing import Protocol

_MD = ".md"
# Written into a link, these end its target (`#` a heading, `|` the shown text) or the link
# itself: no link can name a note whose path holds one. (`^` alone starts nothing.)
ENDS_A_TARGET = frozenset("[]|#")
# Obsidian matches a link's heading to a heading after its `stripHeading` on both: each of
# these characters becomes a space (`[[N#Why not]]` opens `# Why not?`, `[[N#A B]]` opens
# `# A:B`), then runs of spaces one. Emphasis is among them but for `_`, which notels takes
# for emphasis at a word's edge; one inside a word (`snake_case`) is none, and stays (review
# s31).
_HEADING_STRIP = re.compile(r"""[!"#$%&()*+,.:;<=>?@^`{|}~/\[\]\\]+|(?<!\w)_+|_+(?!\w)""")
_SPACES = re.compile(r"\s+")


def fold(name: str) -> str:
    """A name as Obsidian matches names: case ignored, and in Unicode's composed form (NFC).
    macOS may hand back a file's name decomposed (`й` as `и` and a combining breve), which
    Obsidian reads as the name a link types."""
    return unicodedata.normalize("NFC", name).lower()


def note_key(path: str) -> str:
    """Case-insensitive key of a note path without `.md`: `Folder/Note` -> `folder/note`.

    `.md` goes before the name is lowered, as a link's target has none: a Greek capital sigma
    lowers to the final `ς` only at the end of a word (`ΟΔΟΣ` -> `οδος`, `ΟΔΟΣ.md` ->
    `οδοσ.md`)."""
    return fold(path[: -len(_MD)] if path[-len(_MD) :].lower() == _MD else path)


def stem_key(path: str) -> str:
    return note_key(path).rpartition("/")[2]


# Memoized: a vault names the same targets over and over (10,000 notes: 254,000 links, 23,000
# targets), and filing a note's links is most of the work of putting it in the index.
@lru_cache(maxsize=1 << 16)
def target_key(target: str) -> str:
    """The key a link target is filed under in the backlink map: its last path part, lowered.

    Interned: each note's summary holds its own, and marshal keeps a string interned when it
    brings it from a worker process or the index cache, where equal keys would otherwise be
    strings of their own (10,000 notes: 130,000 strings).
    """
    return sys.intern(stem_key(target.replace("\\", "/").strip()))


# Memoized, like target_key: a keystroke re-checks every heading link of the note, and vaults
# repeat their headings (`Definition`, `Anki`).
@lru_cache(maxsize=1 << 16)
def heading_key(heading: str) -> str:
    """Headings match ignoring case, emphasis and the punctuation Obsidian ignores in them.

    Interned, as target_key."""
    return sys.intern(fold(_SPACES.sub(" ", _HEADING_STRIP.sub(" ", heading)).strip()))


# What a link's heading part cannot hold: `#` would start a nested heading, `|` the shown text.
_UNLINKABLE = re.compile(r"[#|^\[\]]+")


def link_heading_text(heading: str) -> str:
    """How a link names the heading whose text is `heading` (`Intro #ml`: `Intro ml`), with
    the same heading_key: a character it cannot hold stands for a space (`x^2`: `x 2`)."""
    return _SPACES.sub(" ", _UNLINKABLE.sub(" ", heading)).strip()


@lru_cache(maxsize=1 << 16)
def heading_link_key(heading: str) -> str:
    """The key of the heading a link names: `[[Note#H1#H2]]` names nested headings, the last."""
    return heading_key(heading.split("#")[-1])


def has_attachment_extension(target: str) -> bool:
    """`image.png`, `paper.pdf`: a target whose extension is not `.md` names an attachment."""
    name = target.rpartition("/")[2]
    dot = name.rfind(".")
    if dot <= 0:
        return False
    extension = name[dot + 1 :].lower()
    # Obsidian's own kinds run to `.canvas` and `.excalidraw`; a name that only looks like one
    # (`Version 1.2beta`) still finds its note, by its full name.
    return extension != "md" and extension.isalnum() and len(extension) <= 10


def path_depth(path: str) -> int:
    return path.count("/")


def shortest_first(paths: Collection[str]) -> tuple[str, ...]:
    """Obsidian picks the candidate closest to the vault root, then the shortest path."""
    return tuple(sorted(paths, key=lambda p: (path_depth(p), len(p), p)))


class ResolutionKind(Enum):
    NOTE = "note"
    AMBIGUOUS = "ambiguous"  # several notes share the name; `paths[0]` is Obsidian's pick
    ATTACHMENT = "attachment"
    UNRESOLVED = "unresolved"
    SELF = "self"  # `[[#Heading]]`


@dataclass(frozen=True, slots=True)
class Resolution:
    kind: ResolutionKind
    paths: tuple[str, ...] = ()
    via_alias: bool = False

    @property
    def path(self) -> str | None:
        return self.paths[0] if self.paths else None


UNRESOLVED = Resolution(ResolutionKind.UNRESOLVED)


def normalize_target_path(target: str, from_path: str) -> tuple[str, str]:
    """(from the vault root, relative to the linking note's folder), both `/`-separated."""
    cleaned = target.replace("\\", "/").strip()
    absolute = posixpath.normpath(cleaned.lstrip("/"))
    relative = posixpath.normpath(posixpath.join(posixpath.dirname(from_path), cleaned))
    return absolute, relative


class NameTables(Protocol):
    """Where a link target is looked up: the index's tables, or a view of them as they will be
    after files move (edits/rename.py). Each takes a lowered key; the collections are read,
    never kept or changed."""

    def note_with_key(self, key: str) -> str | None:
        """The note whose `note_key` is `key`."""

    def notes_with_stem(self, stem: str) -> Collection[str]:
        """The notes whose `stem_key` is `stem`."""

    def notes_with_alias(self, alias: str) -> Collection[str]:
        """The notes with the alias, stripped and lowered."""

    def attachments_with_key(self, path: str) -> Collection[str]:
        """The attachments at `path`, lowered."""

    def attachments_with_name(self, name: str) -> Collection[str]:
        """The attachments whose file name, lowered, is `name`."""


def resolve_in(names: NameTables, target: str, from_path: str) -> Resolution:
    """What the link target `target`, written in the note at `from_path`, opens (not `SELF`:
    the caller tells an empty target apart).

    A note first (by path, name, then alias), else a file the index holds as an attachment: an
    image, or a note notels does not read (ignored, too large), which Obsidian opens all the
    same."""
    if has_attachment_extension(target):
        return _resolve_attachment(names, target, from_path)
    resolution = _resolve_note(names, target, from_path)
    if resolution.kind is not ResolutionKind.UNRESOLVED:
        return resolution
    cleaned = target.replace("\\", "/").strip()
    if not cleaned:
        return UNRESOLVED
    file_name = cleaned if cleaned.lower().endswith(_MD) else cleaned + _MD
    return _attachment_at(names, file_name, from_path)


def _resolve_note(names: NameTables, target: str, from_path: str) -> Resolution:
    if "/" in target or "\\" in target:
        absolute, relative = normalize_target_path(target, from_path)
        for candidate in (absolute, relative):
            path = names.note_with_key(note_key(candidate))
            if path is not None:
                return Resolution(ResolutionKind.NOTE, (path,))
        # Obsidian also accepts a trailing part of a path: `sub/Note` for `a/sub/Note.md`.
        suffix = "/" + note_key(absolute)
        matches = {
            p
            for p in names.notes_with_stem(stem_key(absolute))
            if ("/" + note_key(p)).endswith(suffix)
        }
        resolution = _from_candidates(matches, via_alias=False)
    else:
        resolution = _from_candidates(names.notes_with_stem(stem_key(target)), via_alias=False)
    if resolution.kind is not ResolutionKind.UNRESOLVED:
        return resolution
    return _by_alias(names, target)


def _by_alias(names: NameTables, target: str) -> Resolution:
    return _from_candidates(names.notes_with_alias(fold(target.strip())), via_alias=True)


def _resolve_attachment(names: NameTables, target: str, from_path: str) -> Resolution:
    cleaned = target.replace("\\", "/").strip()
    found = _attachment_at(names, cleaned, from_path)
    if found.kind is not ResolutionKind.UNRESOLVED:
        return found
    # A note's name may hold a dot (`Node.js`, `v1.2`, a literal `x.png.md`), by its name or
    # its path (`web/Node.js`, the link Obsidian writes for it); an alias may hold one too; and
    # `Board.excalidraw` may be a note notels does not read.
    as_note = _resolve_note(names, target, from_path)
    if as_note.kind is not ResolutionKind.UNRESOLVED or not cleaned:
        return as_note
    return _attachment_at(names, cleaned + _MD, from_path)


def _attachment_at(names: NameTables, cleaned: str, from_path: str) -> Resolution:
    """The attachment a `/`-separated target names, by its path, else by its file name."""
    if "/" in cleaned:
        absolute, relative = normalize_target_path(cleaned, from_path)
        for candidate in (absolute, relative):
            found = names.attachments_with_key(fold(candidate))
            if found:
                return Resolution(ResolutionKind.ATTACHMENT, (min(found),))
    by_name = names.attachments_with_name(fold(posixpath.basename(cleaned)))
    if by_name:
        return Resolution(ResolutionKind.ATTACHMENT, shortest_first(by_name))
    return UNRESOLVED


def _from_candidates(paths: Collection[str], via_alias: bool) -> Resolution:
    if not paths:
        return UNRESOLVED
    if len(paths) == 1:
        return Resolution(ResolutionKind.NOTE, (next(iter(paths)),), via_alias)
    return Resolution(ResolutionKind.AMBIGUOUS, shortest_first(paths), via_alias)
