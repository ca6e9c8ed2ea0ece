"""Renames of a note's labels: block ids, tags and aliases, and every use of them in the vault.

Pure, as rename.py, whose targets (`BlockRename`, `TagRename`, `AliasRename`) say what the
cursor is on. Decisions worth knowing:
- A block id rename rewrites the `^id` that ends its line and every `[[Note#^id]]` and
  `[[#^id]]` reaching it (case ignored, as Obsidian matches them); the new id is held to what
  Obsidian writes in one: letters A-Z, digits and dashes.
- A tag rename rewrites every use of the tag in the vault, body `#tags` and frontmatter tags
  alike (case ignored, as Obsidian groups them), and the tags nested below it: `#ml` -> `#ai`
  makes `#ml/nlp` `#ai/nlp`. Renaming onto a tag in use merges the two. A card's `Tags:` line
  and `FILE TAGS` are Anki's tags, not Obsidian's: they stay.
- An alias rename rewrites the alias in its note's frontmatter (quoted when YAML would read
  the new text as something else) and every link that reaches the note by it. It is refused
  when the new alias already names another note or file: links by it would open that one.
- A rename to the very name it has changes nothing: `[[N#intro]]` or `#ML`, written in
  another case, are the user's.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import NamedTuple

import yaml

from notels.edits.rename import (
    INVALID_LINK_CHARS,
    Edits,
    LinkQuotes,
    RenameError,
    checked_edits,
    headings_changed,
    linked_path,
    linking_notes,
    tag_name_span,
)
from notels.edits.text_edit import TextEdit
from notels.syntax.anki import scan_anki
from notels.syntax.frontmatter import ScalarLookup, frontmatter_tags, parse_frontmatter
from notels.syntax.markdown import TAG_CHARS, scan_summary_items
from notels.syntax.model import BlockId, Frontmatter, Heading, Tag, YamlScalar
from notels.syntax.note import Note
from notels.syntax.spans import Span
from notels.vault.index import VaultIndex, find_block
from notels.vault.resolve import ResolutionKind, target_key

# What a block id may hold (markdown._BLOCK_ID reads no other), a caret before it optional.
_BLOCK_NAME = re.compile(r"\^?([A-Za-z0-9-]+)")
# What a tag may hold (markdown._tags reads no other), a `#` before it optional.
_TAG_NAME = re.compile(rf"#?([{TAG_CHARS}]+)")


def check_block_name(new_name: str) -> str:
    """The new block id without its caret; RenameError when Obsidian would not read it as one."""
    match = _BLOCK_NAME.fullmatch(new_name.strip())
    if match is None:
        raise RenameError(
            f"{new_name!r} is no block id: one holds only letters A-Z, digits and dashes."
        )
    return match.group(1)


def check_tag_name(new_name: str) -> str:
    """The new tag without its `#`; RenameError when Obsidian would not read it as one."""
    match = _TAG_NAME.fullmatch(new_name.strip())
    name = match.group(1) if match is not None else ""
    if not name or "" in name.split("/") or name.isnumeric():
        raise RenameError(
            f"{new_name!r} is no tag: one holds letters, digits, _ and -, parts split by /, "
            "and not only digits."
        )
    return name


# --- block ids --------------------------------------------------------------------------------


def rename_block_edits(index: VaultIndex, path: str, block: BlockId, new_name: str) -> Edits:
    """The block id's new name, at its line and in every link to it in the vault.

    Raises RenameError on an invalid name, or one the note's other block ids already hold
    (links would then reach the first of the two).
    """
    note = index.notes.get(path)
    if note is None or block not in note.block_ids:
        raise RenameError(f"No such block id in {path}.")
    name = check_block_name(new_name)
    if name == block.name:
        return {}  # F2, Enter: links written in another case are the user's
    old_key, new_key = block.name.lower(), name.lower()
    if new_key != old_key and (taken := find_block(note, name)) is not None:
        raise RenameError(f"{path} already has a block ^{taken.name}.")
    change = TextEdit(Span(block.span.start + 1, block.span.end), name)
    texts = {path: note.text}
    edits = headings_changed(index, path, note, [change], texts)
    edits.setdefault(path, []).append(change)
    if find_block(note, block.name) != block:
        return checked_edits(index, edits, texts)  # a second block of one name: links stay
    for source, source_note in linking_notes(index, path, note, index.linkers_of(path), texts):
        for link in source_note.links:
            span = link.block_span
            if span is None or link.block_ref is None or link.block_ref.lower() != old_key:
                continue
            if link.block_ref != name and linked_path(index.resolve(link, source), source) == path:
                edits.setdefault(source, []).append(TextEdit(span, name))
    return checked_edits(index, edits, texts)


# --- tags ---------------------------------------------------------------------------------------


def tag_users(index: VaultIndex, name: str) -> set[str]:
    """The notes using the tag `name` or one nested below it."""
    key = name.lower()
    below = key + "/"
    users = index.notes_with_tag(key)
    for other in list(index.tags()):  # a copy: the index may change while it is read
        if other.startswith(below):
            users |= index.notes_with_tag(other)
    return users


def rename_tag_edits(index: VaultIndex, name: str, new_name: str) -> Edits:
    """Every use of the tag `name` and of the tags nested below it, renamed."""
    new = check_tag_name(new_name)
    if new == name:
        return {}  # F2, Enter: the tag written in another case elsewhere is the user's
    key = name.lower()
    depth = key.count("/") + 1
    edits: Edits = {}
    texts: dict[str, str] = {}
    for source in sorted(tag_users(index, name)):
        note = _tagged(index, source)
        if note is None:
            continue
        texts[source] = note.text
        anki_lines = note.anki_lines
        changes: list[TextEdit] = []
        lookup = ScalarLookup(note.frontmatter) if note.frontmatter is not None else None
        for tag in note.tags:
            parts = tag.name.split("/")
            if "/".join(parts[:depth]).lower() != key:
                continue
            span = tag_name_span(tag)
            if any(line.start <= span.start < line.end for line in anki_lines):
                continue
            written = "/".join([new, *parts[depth:]])
            if span.slice(note.text) == written:
                continue
            found = lookup.holding(span) if lookup is not None and tag.in_frontmatter else None
            if found is not None and found[1].span == span and not _reads_plain(written):
                written = _yaml_scalar(note.text, found[1], written)  # `- null` would be no tag
            changes.append(TextEdit(span, written))
        in_headings = [
            change
            for change in changes
            if any(h.text_span.start <= change.span.start < h.text_span.end for h in note.headings)
        ]
        if in_headings:
            whole = index.notes.get(source)  # the links to a heading need the whole note
            if whole is not None and whole.text == note.text:
                linked = headings_changed(index, source, whole, in_headings, texts)
                for linking, link_edits in linked.items():
                    edits.setdefault(linking, []).extend(link_edits)
        if changes:
            edits.setdefault(source, []).extend(changes)
    return checked_edits(index, edits, texts)


class _Tagged(NamedTuple):
    """What a tag rename reads of a note: a fifth of the cost of parsing it whole (a tag of
    1,350 notes of the 10,000-note vault: 2.4 -> 0.7 s)."""

    text: str
    frontmatter: Frontmatter | None
    tags: list[Tag]  # frontmatter tags first, as in a Note
    headings: list[Heading]
    anki_lines: list[Span]  # the cards' `Tags:` and the `FILE TAGS` lines: Anki's tags


def _tagged(index: VaultIndex, path: str) -> _Tagged | None:
    text = index.notes.text(path)
    if text is None:
        return None
    frontmatter = parse_frontmatter(text)
    body = scan_summary_items(text, frontmatter.span.end if frontmatter is not None else 0)
    tags = [*frontmatter_tags(text, frontmatter), *body.tags] if frontmatter else body.tags
    anki = scan_anki(text)
    lines = [card.tags_span for card in anki.cards if card.tags_span is not None]
    lines += [file_tags.span for file_tags in anki.file_tags]
    return _Tagged(text, frontmatter, tags, body.headings, lines)


# --- aliases ----------------------------------------------------------------------------------


def alias_scalar(note: Note, alias: str) -> YamlScalar | None:
    """The scalar of the note's `aliases` that reads `alias`."""
    return next((scalar for scalar in note.alias_scalars if scalar.value.strip() == alias), None)


def check_alias(new_alias: str) -> str:
    """The new alias, trimmed; RenameError when no link could name it, or YAML would read it
    back as something else."""
    alias = new_alias.strip()
    if not alias:
        raise RenameError("An alias cannot be empty.")
    # `/` or a backslash make a link a path, which no alias answers.
    bad = sorted(set(alias) & (INVALID_LINK_CHARS | {"/", "\\"}))
    if bad:
        raise RenameError(f"An alias cannot contain {' '.join(bad)}: links could not name it.")
    # Controls (DEL, NEL, tabs) and line separators: YAML refuses some, reads others as a
    # line break, and a link can hold none of them.
    if any(unicodedata.category(char) in ("Cc", "Zl", "Zp") for char in alias):
        raise RenameError("An alias cannot hold line breaks or control characters.")
    return alias


def rename_alias_edits(index: VaultIndex, path: str, alias: str, new_alias: str) -> Edits:
    """The alias in the note's frontmatter, and every link reaching the note by it."""
    note = index.notes.get(path)
    scalar = alias_scalar(note, alias) if note is not None else None
    if note is None or scalar is None:
        raise RenameError(f"{path} has no alias {alias!r}.")
    new = check_alias(new_alias)
    if new == alias:
        return {}
    taken = index.resolve_target(new, path)
    if taken.kind is not ResolutionKind.UNRESOLVED and taken.path != path:
        raise RenameError(f"{new!r} already names {taken.path}: links by it would open that note.")
    edits: Edits = {path: [TextEdit(scalar.span, _yaml_scalar(note.text, scalar, new))]}
    texts = {path: note.text}
    old_key = target_key(alias)
    linkers = index.linkers_of_name(old_key)
    for source, source_note in linking_notes(index, path, note, linkers, texts):
        quotes = LinkQuotes(source_note)
        for link in source_note.links:
            if not link.target or target_key(link.target) != old_key:
                continue
            resolution = index.resolve(link, source)
            if resolution.via_alias and linked_path(resolution, source) == path:
                edits.setdefault(source, []).append(
                    TextEdit(link.target_span, quotes.escape(link, new))
                )
    return checked_edits(index, edits, texts)


def _yaml_scalar(text: str, scalar: YamlScalar, value: str) -> str:
    """`value` written as the scalar is: in its quotes, or plain when YAML reads it back so, in
    a flow list as in a block one; otherwise in double quotes."""
    quote = text[scalar.span.start] if scalar.span else ""
    if quote == "'":
        return "'" + value.replace("'", "''") + "'"
    if quote != '"' and _reads_plain(value):
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


@lru_cache(maxsize=256)  # a tag rename asks it for the same name in every note
def _reads_plain(value: str) -> bool:
    """Does YAML read `value` back as written, plain, where a scalar may stand: in a flow list
    (`[a, b]`, where a comma or bracket ends it) and as a block item or value?"""
    try:
        as_flow = yaml.safe_load(f"[{value}]")
        as_item = yaml.safe_load(f"- {value}")
    except yaml.YAMLError:
        return False
    return bool(as_flow == [value] and as_item == [value])
