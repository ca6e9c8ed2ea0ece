"""Go to definition, find references and hover: queries over the index for the item at an offset.

The item under the cursor comes from the parsed note (finished syntax only): a link, a tag, an
Anki ID, a block id, a heading, or the frontmatter. Backlinks are narrowed with
`index.linkers_of` (notes that mention the name) and each candidate link is then resolved, so
aliases, folder paths and ambiguous names count exactly as Obsidian counts them.
"""

from __future__ import annotations

import posixpath
from bisect import bisect_left
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypeVar

from notels.config import Config
from notels.features.model import Highlight, HighlightKind, HoverResult, Location
from notels.features.outline import attachment_label, note_preview
from notels.syntax.model import BlockId, CardId, Heading, Link, Tag
from notels.syntax.note import Note
from notels.syntax.spans import Span
from notels.vault.index import VaultIndex, find_block, find_heading
from notels.vault.resolve import (
    Resolution,
    ResolutionKind,
    fold,
    heading_key,
    heading_link_key,
    note_key,
    stem_key,
    target_key,
)

_WHOLE = Span(0, 0)


# --- what is at the offset --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LinkItem:
    link: Link


@dataclass(frozen=True, slots=True)
class TagItem:
    tag: Tag


@dataclass(frozen=True, slots=True)
class CardIdItem:
    card_id: CardId


@dataclass(frozen=True, slots=True)
class BlockItem:
    block: BlockId


@dataclass(frozen=True, slots=True)
class HeadingItem:
    heading: Heading
    is_title: bool  # the note's title: references mean all backlinks, not links to a section


@dataclass(frozen=True, slots=True)
class NoteItem:
    """Somewhere in the frontmatter, not on a link or tag: the note itself."""

    span: Span


Item = LinkItem | TagItem | CardIdItem | BlockItem | HeadingItem | NoteItem


def _card_ids(note: Note) -> Iterator[CardId]:
    anki = note.anki
    for card in (*anki.cards, *anki.unclosed):
        if card.id is not None:
            yield card.id
        yield from card.misplaced_ids
    for inline in anki.inline_cards:
        if inline.id is not None:
            yield inline.id
    for marker in anki.deletes:
        if marker.id is not None:
            yield marker.id


def item_at(note: Note, path: str, offset: int) -> Item | None:
    """The item under `offset` (a cursor right after an item still touches it)."""
    offset = min(max(offset, 0), len(note.text))
    link = _touching(note.links, offset)
    if link is not None:
        return LinkItem(link)
    # A frontmatter tag's span leaves out a `#`; a body tag's includes it.
    tag = _touching(note.tags, offset) or _tag_after_hash(note, offset)
    if tag is not None:
        return TagItem(tag)
    for card_id in _card_ids(note):
        if card_id.span.contains(offset):
            return CardIdItem(card_id)
    block = _touching(note.block_ids, offset)
    if block is not None:
        return BlockItem(block)
    heading = _touching(note.headings, offset)
    if heading is not None:
        return HeadingItem(heading, _is_title(note, path, note.headings.index(heading)))
    frontmatter = note.frontmatter
    if frontmatter is not None and frontmatter.span.start <= offset < frontmatter.span.end:
        return NoteItem(frontmatter.span)
    return None


_Spanned = TypeVar("_Spanned", Link, Tag, BlockId, Heading)


def _touching(items: Sequence[_Spanned], offset: int) -> _Spanned | None:
    """The first item whose span holds `offset`, its end included: items are in text order
    and do not overlap, so a bisection finds it (a long note has a thousand links)."""
    found = bisect_left(items, offset, key=_span_end)  # the first ending at or after offset
    if found < len(items) and items[found].span.start <= offset:
        # Between two items (`![[a.png]]![[b.png]]`) the cursor is on the one starting there:
        # a hover or click on the second's first character is at the first's end.
        after = found + 1
        if after < len(items) and items[after].span.start == offset:
            return items[after]
        return items[found]
    return None


def _tag_after_hash(note: Note, offset: int) -> Tag | None:
    """The frontmatter tag whose `#` is at `offset` (`"#topic/sub"` under `connected`): its span
    leaves the `#` out, but the `#` is the tag's, as rename takes it and as a body tag's is."""
    if note.text[offset : offset + 1] != "#":
        return None
    tag = _touching(note.tags, offset + 1)
    if tag is None or not tag.in_frontmatter or tag.span.start != offset + 1:
        return None
    return tag


def _span_end(item: Link | Tag | BlockId | Heading) -> int:
    return item.span.end


def _is_title(note: Note, path: str, index: int) -> bool:
    """The first heading is the title when it is a level-1 heading naming the note."""
    heading = note.headings[index]
    return index == 0 and heading.level == 1 and fold(heading.text) == stem_key(path)


# --- definition -------------------------------------------------------------------------------


def _note_of(index: VaultIndex, path: str, current_path: str, current: Note) -> Note | None:
    return current if path == current_path else index.notes.get(path)


def _resolve(index: VaultIndex, link: Link, path: str) -> Resolution:
    resolution = index.resolve(link, path)
    if resolution.kind is ResolutionKind.SELF:
        return Resolution(ResolutionKind.SELF, (path,))
    return resolution


def _heading_line(
    index: VaultIndex, found: str, path: str, note: Note, heading: str
) -> Span | None:
    """The line of the heading a link names in `found`. Another note's comes from its summary:
    a closed note is not parsed for it (its text is read anyway, to convert the position, and
    reading it first re-indexes a note changed on disk)."""
    wanted = heading_link_key(heading)
    # Reading the text first: a stale summary is replaced before it is asked.
    if found != path and wanted and index.lines(found) is not None:
        summary = index.summary(found)
        if summary is not None:
            keys = summary.heading_keys  # of every heading, in order
            if wanted not in keys:
                return None
            # A heading path among namesakes (`[[N#B#Proof]]`): their levels tell, in the note.
            if keys.count(wanted) == 1 or "#" not in heading.strip("# \t"):
                if len(keys) == len(summary.headings):  # no heading without text: same order
                    _, start, end = summary.headings[keys.index(wanted)]
                    return Span(start, end)
                for text, start, end in summary.headings:  # the non-empty headings, in order
                    if heading_key(text) == wanted:
                        return Span(start, end)
                return None
    target = _note_of(index, found, path, note)
    position = find_heading(target, heading) if target is not None else None
    return target.headings[position].span if target is not None and position is not None else None


def link_locations(index: VaultIndex, path: str, note: Note, link: Link) -> tuple[Location, ...]:
    """Where a link leads: every candidate of an ambiguous name, the heading or block named."""
    resolution = _resolve(index, link, path)
    if resolution.kind is ResolutionKind.ATTACHMENT:
        return tuple(Location(found, _WHOLE) for found in resolution.paths)
    locations: list[Location] = []
    for found in resolution.paths:
        span = _WHOLE
        if link.heading:
            span = _heading_line(index, found, path, note, link.heading) or _WHOLE
        elif link.block_ref and (target := _note_of(index, found, path, note)) is not None:
            block = find_block(target, link.block_ref)
            if block is not None:
                span = target.lines.line_span(block.span.start)
        locations.append(Location(found, span))
    return tuple(locations)


def definition(
    index: VaultIndex, path: str, note: Note, offset: int, config: Config
) -> tuple[Location, ...]:
    """Targets of the link under the cursor (frontmatter links too); () elsewhere."""
    item = item_at(note, path, offset)
    if isinstance(item, LinkItem):
        return link_locations(index, path, note, item.link)
    return ()


# --- references -------------------------------------------------------------------------------


def links_to(
    index: VaultIndex,
    path: str,
    note: Note,
    target: str,
    wanted_heading: str | None = None,
    block: str | None = None,
    heading_at: int | None = None,
    here_only: bool = False,
) -> list[Location]:
    """Every link in the vault that resolves to `target` (and to the heading whose heading_key
    is `wanted_heading`, or to the block, if given). When the target has several headings of
    that name, `heading_at` says which: only the links whose heading path reaches it count.
    `here_only`: only the links in `path` itself.

    `note` is the current text of `path`, which may be newer than the index's copy.
    """
    if here_only:
        sources = {path}
    else:
        sources = index.linkers_of(target)
        sources.add(target)  # `[[#Heading]]` names no note: it is in no backlink set
        sources.add(path)
    target_note = _note_of(index, target, path, note)
    keys = {stem_key(target)}
    if target_note is not None:
        keys.update(target_key(alias) for alias in target_note.aliases)
    wanted_block = block.lower() if block is not None else None
    namesakes = (
        heading_at is not None
        and target_note is not None
        and sum(heading_key(h.text) == wanted_heading for h in target_note.headings) > 1
    )
    found: list[Location] = []
    for source in sorted(sources):
        source_note = _note_of(index, source, path, note)
        if source_note is None:
            continue
        for link in source_note.links:
            if not link.target:
                if source != target:
                    continue
            elif target_key(link.target) not in keys or index.resolve(link, source).path != target:
                continue
            if wanted_heading is not None and (
                link.heading is None or heading_link_key(link.heading) != wanted_heading
            ):
                continue
            # A namesake's link (`[[N#A#Proof]]` when B's Proof is asked for) reaches another.
            if (
                namesakes
                and target_note is not None
                and find_heading(target_note, link.heading or "") != heading_at
            ):
                continue
            if wanted_block is not None and (
                link.block_ref is None or link.block_ref.lower() != wanted_block
            ):
                continue
            found.append(Location(source, link.span))
    return found


def _links_to_same_file(
    index: VaultIndex, path: str, note: Note, link: Link, here_only: bool
) -> list[Location]:
    """Links naming the same attachment, or the same missing note, as `link` (`here_only`: in
    `path` itself)."""
    resolution = _resolve(index, link, path)
    key = target_key(link.target)
    sources = {path} if here_only else index.linkers_of_name(key) | {path}
    found: list[Location] = []
    for source in sorted(sources):
        source_note = _note_of(index, source, path, note)
        if source_note is None:
            continue
        for other in source_note.links:
            if not other.target or target_key(other.target) != key:
                continue
            other_resolution = _resolve(index, other, source)
            if resolution.kind is ResolutionKind.UNRESOLVED:
                same = other_resolution.kind is ResolutionKind.UNRESOLVED and note_key(
                    other.target.strip()
                ) == note_key(link.target.strip())
            else:
                same = other_resolution.path == resolution.path
            if same:
                found.append(Location(source, other.span))
    return found


def _tag_uses(
    index: VaultIndex, path: str, note: Note, name: str, here_only: bool
) -> list[Location]:
    key = name.lower()
    found: list[Location] = []
    sources = {path} if here_only else index.notes_with_tag(key) | {path}
    for source in sorted(sources):
        source_note = _note_of(index, source, path, note)
        if source_note is None:
            continue
        found.extend(Location(source, t.span) for t in source_note.tags if t.name.lower() == key)
    return found


def references(
    index: VaultIndex,
    path: str,
    note: Note,
    offset: int,
    config: Config,
    include_declaration: bool = False,
) -> tuple[Location, ...]:
    """Everything that refers to the item under the cursor.

    - a link: every link to the same note (and the same heading or block, if it names one);
    - a heading: links to that heading; the title heading or the frontmatter: all backlinks;
    - a block id: links to that block; a tag: every use of it; an Anki ID: every card with it;
    - nothing else at the note's first character: all backlinks, as markdown-oxide answers
      there (a quick note may have neither a title heading nor frontmatter).

    `include_declaration` adds what is referred to (the heading, the block line, the note).
    """
    item = item_at(note, path, offset)
    if item is None and offset <= 0:
        item = NoteItem(Span(0, 0))
    if item is None:
        return ()
    found, declaration = _referents(index, path, note, item, here_only=False)
    if include_declaration and declaration is not None and declaration not in found:
        found.insert(0, declaration)
    return tuple(found)


def document_highlights(
    index: VaultIndex, path: str, note: Note, offset: int
) -> tuple[Highlight, ...]:
    """The item under the cursor and what refers to it, in this note only: the heading or
    block id a link in this note names (WRITE) and the links to it (READ), every use of a tag,
    every card holding an Anki ID (TEXT). Nothing for the frontmatter or plain text."""
    item = item_at(note, path, offset)
    if item is None or isinstance(item, NoteItem):
        return ()
    found, declaration = _referents(index, path, note, item, here_only=True)
    plain = isinstance(item, TagItem | CardIdItem)
    highlights: list[Highlight] = []
    declared = _declared_here(path, note, item, declaration)
    if declared is not None:
        highlights.append(Highlight(declared, HighlightKind.WRITE))
    kind = HighlightKind.TEXT if plain else HighlightKind.READ
    highlights.extend(Highlight(loc.span, kind) for loc in found if loc.path == path)
    return tuple(sorted(set(highlights), key=lambda h: (h.span.start, h.span.end)))


def _declared_here(path: str, note: Note, item: Item, declaration: Location | None) -> Span | None:
    """The heading or block id (its `^id`, not its whole line) that `item` is or names, when
    it is in this note; None for a whole note (a link to the note itself highlights nothing
    more than the links)."""
    if isinstance(item, HeadingItem):
        return item.heading.span
    if isinstance(item, BlockItem):
        return item.block.span
    if declaration is None or declaration.path != path or declaration.span == _WHOLE:
        return None
    if isinstance(item, LinkItem) and item.link.block_ref is not None:
        block = find_block(note, item.link.block_ref)
        return block.span if block is not None else None
    return declaration.span


def _referents(
    index: VaultIndex, path: str, note: Note, item: Item, here_only: bool
) -> tuple[list[Location], Location | None]:
    """What refers to `item` (in the vault, or `here_only` in `path`), and what it refers to
    (its declaration: the heading, the block line, the note), if anything."""
    found: list[Location] = []
    declaration: Location | None = None
    if isinstance(item, LinkItem):
        link = item.link
        resolution = _resolve(index, link, path)
        if resolution.kind in (ResolutionKind.ATTACHMENT, ResolutionKind.UNRESOLVED):
            found = _links_to_same_file(index, path, note, link, here_only)
        else:
            target = resolution.paths[0]
            wanted = heading_link_key(link.heading) if link.heading is not None else None
            target_note = _note_of(index, target, path, note)
            at = (
                find_heading(target_note, link.heading)
                if link.heading is not None and target_note is not None
                else None
            )
            found = links_to(
                index, path, note, target, wanted, link.block_ref, at, here_only=here_only
            )
            targets = link_locations(index, path, note, link)
            declaration = targets[0] if targets else None
    elif isinstance(item, HeadingItem):
        if item.is_title:
            found = links_to(index, path, note, path, here_only=here_only)
            declaration = Location(path, _WHOLE)
        else:
            # The heading's own text: `C# и F#` is one heading, not the nested `C`, ` и F`.
            wanted = heading_key(item.heading.text)
            at = note.headings.index(item.heading)
            found = links_to(
                index, path, note, path, wanted_heading=wanted, heading_at=at, here_only=here_only
            )
            declaration = Location(path, item.heading.span)
    elif isinstance(item, BlockItem):
        found = links_to(index, path, note, path, block=item.block.name, here_only=here_only)
        declaration = Location(path, note.lines.line_span(item.block.span.start))
    elif isinstance(item, NoteItem):
        found = links_to(index, path, note, path, here_only=here_only)
        declaration = Location(path, _WHOLE)
    elif isinstance(item, TagItem):
        found = _tag_uses(index, path, note, item.tag.name, here_only)
    elif isinstance(item, CardIdItem):
        found = _id_carriers(index, path, note, item)
        if here_only:
            found = [loc for loc in found if loc.path == path]
    return found, declaration


def _id_carriers(index: VaultIndex, path: str, note: Note, item: CardIdItem) -> list[Location]:
    """Where this ID stands: cards of other notes whose ID line carries it, and in this note
    (its current text, not the index's copy) every place it is written: cards, unclosed ones,
    misplaced ID lines, inline cards and DELETE lines, the one under the cursor among them."""
    value = item.card_id.value
    found = [
        Location(loc.path, loc.span) for loc in index.card_locations(value) if loc.path != path
    ]
    here = {Location(path, card_id.span) for card_id in _card_ids(note) if card_id.value == value}
    here.add(Location(path, item.card_id.span))
    return sorted([*found, *here])


# --- hover ------------------------------------------------------------------------------------


def hover(
    index: VaultIndex, path: str, note: Note, offset: int, config: Config
) -> HoverResult | None:
    """A link's target (its start, or the heading's section), an ID's date, a tag's use."""
    item = item_at(note, path, offset)
    if isinstance(item, LinkItem):
        markdown = _link_hover(index, path, note, item.link)
        return HoverResult(markdown, item.link.span) if markdown else None
    if isinstance(item, CardIdItem):
        return HoverResult(_id_hover(index, path, note, item), item.card_id.span)
    if isinstance(item, TagItem):
        return HoverResult(_tag_hover(index, path, note, item.tag), item.tag.span)
    return None


def _link_hover(index: VaultIndex, path: str, note: Note, link: Link) -> str | None:
    resolution = _resolve(index, link, path)
    kind = resolution.kind
    if kind is ResolutionKind.UNRESOLVED:
        missing = "file" if link.embed else "note"  # as the unresolved-link finding says
        return f"No {missing} named `{link.target}` in the vault: the link is broken."
    if kind is ResolutionKind.ATTACHMENT:
        return attachment_label(resolution.paths[0])
    target = resolution.paths[0]
    current = note if target == path else None
    preview = note_preview(index, target, link.heading, link.block_ref, note=current)
    if preview is None:
        return None
    if kind is ResolutionKind.AMBIGUOUS:
        others = ", ".join(f"`{p}`" for p in resolution.paths[1:])
        count = len(resolution.paths)
        shared = (
            f"{count} notes have the alias `{link.target.strip()}`: the link opens"
            if resolution.via_alias
            else f"{count} notes are named `{posixpath.basename(target)}`: Obsidian opens"
        )
        preview = f"*{shared} the one shown; also {others}.*\n\n{preview}"
    return preview


def id_time(value: str) -> datetime | None:
    """The UTC time an Anki ID (epoch milliseconds) encodes; None when it is no valid time."""
    try:
        return datetime.fromtimestamp(int(value) / 1000, tz=UTC)
    except (OverflowError, ValueError, OSError):
        return None


def _id_hover(index: VaultIndex, path: str, note: Note, item: CardIdItem) -> str:
    value = item.card_id.value
    when = id_time(value)
    lines = [f"**Anki note ID** `{value}`", ""]
    if when is None:
        lines.append("Not a valid time: Anki IDs are creation times in milliseconds.")
    else:
        stamp = when.strftime("%Y-%m-%d %H:%M:%S") + f".{when.microsecond // 1000:03d} UTC"
        lines.append(f"Created {stamp}.")
    if len(value) != 13:
        lines.append(f"{len(value)} digits: Anki IDs made today have 13.")
    carriers = _id_carriers(index, path, note, item)
    if len(carriers) <= 1:
        lines.append("Unique in the vault.")
    else:
        where = ", ".join(f"`{loc.path}`" for loc in carriers)
        lines.append(
            f"Carried by {len(carriers)} cards ({where}): in Anki they overwrite each other."
        )
    return "\n\n".join(line for line in lines if line)


def _tag_hover(index: VaultIndex, path: str, note: Note, tag: Tag) -> str:
    key = tag.name.lower()
    paths = index.notes_with_tag(key)
    if any(t.name.lower() == key for t in note.tags):
        paths.add(path)
    else:
        paths.discard(path)
    nested = sum(1 for other in list(index.tags()) if other.startswith(key + "/"))
    count = len(paths)
    text = f"`#{tag.name}`: used in {count} note{'s' if count != 1 else ''}."
    if nested:
        text += f" {nested} nested tag{'s' if nested != 1 else ''} below it."
    return text
