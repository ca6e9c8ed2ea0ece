"""Edits that remove a tag from a note or add one to its frontmatter, in the file's own style.

Every edit here is checked by parsing the edited text again: the tag list must change by exactly
the one tag, every other frontmatter value must read the same, and the body must be untouched.
An edit that fails the check is not offered. YAML has too many spellings for a handful of text
rules to be trusted blindly with a user's frontmatter.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Collection, Sequence
from itertools import chain

from notels.edits.lines import break_at, break_before, line_bounds, preferred_break
from notels.edits.text_edit import TextEdit, apply_edits, edits_conflict
from notels.syntax.frontmatter import ScalarLookup
from notels.syntax.model import Frontmatter, Tag, YamlEntry, YamlScalar
from notels.syntax.note import Note, parse_note
from notels.syntax.spans import Span

_TAG_KEYS = ("tags", "tag")
# Between the words of a tag string; one over several lines (`tags: |`) breaks between them.
_SEPARATORS = " \t,\r\n"
_INLINE_SPACE = " \t"
_NULL_WORDS = ("~", "null", "Null", "NULL")
_DEFAULT_INDENT = "  "
_BOM = "\ufeff"


# --- removing ---------------------------------------------------------------------------------


def remove_tag_edits(note: Note, tag: Tag) -> tuple[TextEdit, ...] | None:
    """Edits that take `tag` (one occurrence, in frontmatter or body) out of the note."""
    if not tag.in_frontmatter:
        edits = (_remove_body_span(note, tag.span),)
        return edits if _verified(note, edits, removed=tag.name, in_body=True) else None
    frontmatter = note.frontmatter
    if frontmatter is None:
        return None
    holder = ScalarLookup(frontmatter).holding(tag.span, value=True)
    if holder is None:
        return None
    entry, scalar = frontmatter.entries[holder[0]], holder[1]
    edits = (_remove_frontmatter_tag(note, tag, entry, scalar),)
    # Removing a tag from `connected` changes that key's value too; that change is the point.
    return edits if _verified(note, edits, removed=tag.name, changed_keys=(entry.key,)) else None


def remove_body_tags_edits(
    note: Note, tags: Sequence[Tag]
) -> tuple[tuple[Tag, ...], tuple[TextEdit, ...]] | None:
    """(the tags taken, their edits): many body tags out at once, checked by one parse of the
    result. Checked one by one, each took a parse of the whole note: thousands of stale tags
    took seconds. Tags whose edits would overlap (`#a #b` at a line's end both take the space
    between) go as one run, by `remove_tag_edits`' rules for a single tag: the whole line when
    they are all it holds, else with one neighbouring space.
    """
    body_tags = sorted((tag for tag in tags if not tag.in_frontmatter), key=_start)
    # (index in body_tags of a run's first tag, the run's edit); a run ends at the next's first.
    starts: list[tuple[int, TextEdit]] = []
    for number, tag in enumerate(body_tags):
        first, edit = number, _remove_body_span(note, tag.span)
        while starts and edits_conflict(starts[-1][1], edit):
            first = starts.pop()[0]
            edit = _remove_body_span(note, Span(body_tags[first].span.start, tag.span.end))
        starts.append((first, edit))
    if not starts:
        return None
    ends = [first for first, _ in starts[1:]] + [len(body_tags)]
    runs = [
        (tuple(body_tags[first:end]), edit) for (first, edit), end in zip(starts, ends, strict=True)
    ]
    taken = _removable_together(note, runs)
    if not taken:
        return None
    return tuple(tag for run, _ in taken for tag in run), tuple(edit for _, edit in taken)


# The tags of a run and the one edit that takes them all.
_Removal = tuple[tuple[Tag, ...], TextEdit]


def _start(tag: Tag) -> int:
    return tag.span.start


def remove_frontmatter_tags_edits(
    note: Note, tags: Sequence[Tag]
) -> tuple[tuple[Tag, ...], tuple[TextEdit, ...]] | None:
    """(the tags taken, their edits): many frontmatter tags out at once, each as
    `remove_tag_edits` takes it, checked by one parse of the result (a parse per tag took
    seconds for a long `tags:` list). A tag key whose every item goes goes whole, as its last
    tag would; the last items of a flow list go as one removal; any other removal that would
    overlap the one before it is left for a later pass."""
    frontmatter = note.frontmatter
    if frontmatter is None:
        return None
    holders = ScalarLookup(frontmatter)
    grouped: dict[int, list[tuple[Tag, YamlScalar]]] = {}
    for tag in sorted((tag for tag in tags if tag.in_frontmatter), key=_start):
        found = holders.holding(tag.span, value=True)
        if found is not None:
            grouped.setdefault(found[0], []).append((tag, found[1]))
    removals: list[_Removal] = []
    changed: list[str] = []
    for number, pairs in grouped.items():
        entry = frontmatter.entries[number]
        changed.append(entry.key)
        if _takes_every_item(note, entry, pairs):
            removals.append((tuple(tag for tag, _ in pairs), _remove_tag_key(note, entry)))
            continue
        # This key's removals, each with the first of the whole flow items it takes (None when
        # it is not such a removal).
        made: list[tuple[tuple[Tag, ...], TextEdit, YamlScalar | None]] = []
        for tag, scalar in pairs:
            joined: list[tuple[Tag, ...]] = []  # the tags of the removals this one takes in
            edit = _remove_frontmatter_tag(note, tag, entry, scalar)
            first = scalar if _is_whole_flow_item(note.text, tag, scalar) else None
            # Each flow item but the last goes with the comma after it, the last with the one
            # before it: the last items of a list overlap, and go as one run of items.
            while (
                first is not None
                and made
                and made[-1][2] is not None
                and edits_conflict(made[-1][1], edit)
            ):
                earlier, _, first = made.pop()
                assert first is not None
                joined.append(earlier)
                edit = _remove_flow_items(note, first, scalar)
            if made and edits_conflict(made[-1][1], edit):
                continue  # left for a later pass
            made.append(((*chain.from_iterable(reversed(joined)), tag), edit, first))
        removals += [(taken_tags, edit) for taken_tags, edit, _ in made]
    taken = _removable_together(note, removals, changed)
    if not taken:
        return None
    return tuple(tag for run, _ in taken for tag in run), tuple(edit for _, edit in taken)


def _takes_every_item(
    note: Note, entry: YamlEntry, pairs: Sequence[tuple[Tag, YamlScalar]]
) -> bool:
    """Do the tags empty a tag key: one tag per scalar, each its scalar's only word?"""
    if entry.key.lower() not in _TAG_KEYS or len(pairs) != len(entry.scalars):
        return False
    scalars = {id(scalar) for _, scalar in pairs}
    return len(scalars) == len(entry.scalars) and all(
        _only_word(note.text, tag, scalar) for tag, scalar in pairs
    )


def _removable_together(
    note: Note, removals: Sequence[_Removal], changed_keys: Collection[str] | None = None
) -> Sequence[_Removal]:
    """The most of `removals` found to pass the check together: all when they do, else the
    larger of the two halves' answers, or both joined when that passes too. One removal that
    fails (`#fix/empty#x` would leave the tag `#x`) costs a parse per halving, not the batch;
    at worst, when every one fails, this is two parses per removal."""
    if not removals:
        return ()
    if _pass_together(note, removals, changed_keys):
        return removals
    if len(removals) == 1:
        return ()
    middle = len(removals) // 2
    first = _removable_together(note, removals[:middle], changed_keys)
    second = _removable_together(note, removals[middle:], changed_keys)
    larger = first if len(first) >= len(second) else second
    if not first or not second:
        return larger
    joined = [*first, *second]
    return joined if _pass_together(note, joined, changed_keys) else larger


def _pass_together(
    note: Note, removals: Sequence[_Removal], changed_keys: Collection[str] | None
) -> bool:
    """Do the removals, together, pass the check: body ones when `changed_keys` is None, else
    frontmatter ones, which may change these keys' values besides the tags."""
    removed = Counter(tag.name for run, _ in removals for tag in run)
    edits = tuple(edit for _, edit in removals)
    if changed_keys is None:
        return _verified(note, edits, removed=removed, in_body=True)
    return _verified(note, edits, removed=removed, changed_keys=changed_keys)


# A list item's marker (`- `, `* `, `1. `, a task's `- [ ] `), up to its text.
_LIST_ITEM = re.compile(r"[ \t]*(?:[-*+]|[0-9]{1,9}[.)])[ \t]+(?:\[.\][ \t]+)?")


def _remove_body_span(note: Note, span: Span) -> TextEdit:
    """The edit that takes `span` (a tag, or a run of tags and the spaces between them) out of
    its line."""
    text = note.text
    start, _, _ = line_bounds(note, span.start)
    _, end, following = line_bounds(note, span.end)  # a run may end on a later line
    item = _LIST_ITEM.match(text, start, span.start)
    if text[item.end() if item else start : end].strip() == span.slice(text):
        # The span is the whole line, or a list item's whole text: drop the line, not leave a
        # blank one (or a bare `-`) behind.
        if following > end:
            return TextEdit(Span(start, following), "")
        # The last line, with no break after it: take the break before it, so the file still
        # ends without a final newline.
        return TextEdit(Span(start - len(break_before(text, start)), end), "")
    # In a list of tags written with commas, its comma goes too: the one after it, else the
    # one before it (the list's last tag).
    if span.end < end and text[span.end] == ",":
        stop = span.end + 1
        while stop < end and text[stop] in _INLINE_SPACE:
            stop += 1
        return TextEdit(Span(span.start, stop), "")
    before = span.start
    while before > start and text[before - 1] in _INLINE_SPACE:
        before -= 1
    if before > start and text[before - 1] == ",":
        return TextEdit(Span(before - 1, span.end), "")
    # Mid-line: take one neighbouring space with it so no double space remains.
    if span.end < end and text[span.end] in _INLINE_SPACE:
        return TextEdit(Span(span.start, span.end + 1), "")
    if span.start > start and text[span.start - 1] in _INLINE_SPACE:
        return TextEdit(Span(span.start - 1, span.end), "")
    return TextEdit(span, "")


def _piece_start(text: str, tag: Tag, scalar: YamlScalar) -> int:
    """Where the tag's word starts in its scalar: at its `#` when it has one."""
    start = tag.span.start
    return start - 1 if start > scalar.value_span.start and text[start - 1] == "#" else start


def _only_word(text: str, tag: Tag, scalar: YamlScalar) -> bool:
    value = scalar.value_span
    rest = text[value.start : _piece_start(text, tag, scalar)] + text[tag.span.end : value.end]
    return not rest.strip(_SEPARATORS)


def _remove_frontmatter_tag(note: Note, tag: Tag, entry: YamlEntry, scalar: YamlScalar) -> TextEdit:
    text = note.text
    if not _only_word(text, tag, scalar):
        return _remove_word(
            text, Span(_piece_start(text, tag, scalar), tag.span.end), scalar.value_span
        )
    # The tag is the scalar's only word: the scalar goes, as a list item or as the value.
    if len(entry.scalars) == 1 and entry.key.lower() in _TAG_KEYS:
        # Nothing left under `tags:`: remove the key too, rather than leave an empty key.
        return _remove_tag_key(note, entry)
    if _is_block_item(note, scalar):
        return TextEdit(_whole_lines(note, scalar.span.start, scalar.span.end), "")
    if _is_flow_item(text, scalar):
        return _remove_flow_items(note, scalar, scalar)
    # A single value of another key (`connected: "#fix/empty"`): leave the key, now empty.
    start = scalar.span.start
    while start > entry.key_span.end and text[start - 1] in _INLINE_SPACE:
        start -= 1
    return TextEdit(Span(start, scalar.span.end), "")


def _remove_word(text: str, word: Span, value: Span) -> TextEdit:
    """One word of a `a b` / `a, b` string, with the separator on one side of it.

    A string may run over several lines (`tags: |`, or plain lines folded into one): a line
    break separates words as a space does, so a word alone on its line takes the line along
    rather than leave it blank."""
    after = word.end
    while after < value.end and text[after] in _SEPARATORS:
        after += 1
    if after < value.end:
        return TextEdit(Span(word.start, after), "")
    before = word.start
    while before > value.start and text[before - 1] in _SEPARATORS:
        before -= 1
    return TextEdit(Span(before, word.end), "")


def _remove_flow_items(note: Note, first: YamlScalar, last: YamlScalar) -> TextEdit:
    """`[a, x, b]` -> `[a, b]`; `[a, x]` -> `[a]`; `[x]` -> `[]`: the items from `first` to
    `last` of a flow list, and one comma. Items on a line of their own in a list written over
    several lines take the line with them."""
    text = note.text
    after = last.span.end
    while after < len(text) and text[after] in _INLINE_SPACE:
        after += 1
    if text.startswith(",", after):
        after += 1
        while after < len(text) and text[after] in _INLINE_SPACE:
            after += 1
        line_start, content_end, following = line_bounds(note, first.span.start)
        alone = not text[line_start : first.span.start].strip(" \t")
        if alone and line_start > 0 and after == content_end < following:
            return TextEdit(Span(line_start, following), "")
        return TextEdit(Span(first.span.start, after), "")
    before = first.span.start
    while before > 0 and text[before - 1] in _INLINE_SPACE:
        before -= 1
    if before > 0 and text[before - 1] == ",":
        return TextEdit(Span(before - 1, last.span.end), "")
    return TextEdit(Span(first.span.start, last.span.end), "")


def _remove_tag_key(note: Note, entry: YamlEntry) -> TextEdit:
    """The lines of a tag key and its items, but for the comment lines among them: those are
    the user's words, not tags (`  # from the 2023 import`)."""
    whole = _whole_lines(note, entry.key_span.start, entry.span.end)
    text, lines = note.text, note.lines
    starts = [scalar.span.start for scalar in entry.scalars]  # in text order, disjoint
    kept: list[str] = []
    # The key's own line goes whole, a comment after the key with it.
    for line in range(lines.line_of(whole.start) + 1, lines.line_count):
        start = lines.line_start(line)
        if start >= whole.end:
            break
        _, content_end, following = line_bounds(note, start)
        if not text[start:content_end].lstrip(" \t").startswith("#"):
            continue
        holder = bisect_right(starts, start) - 1  # a scalar's later line is no comment
        if holder < 0 or entry.scalars[holder].span.end <= start:
            kept.append(text[start:following])
    return TextEdit(whole, "".join(kept))


def _whole_lines(note: Note, start: int, end: int) -> Span:
    """From the start of the line holding `start` to the start of the line after `end`'s."""
    first, _, _ = line_bounds(note, start)
    _, last_end, following = line_bounds(note, end)
    return Span(first, following if following > last_end else last_end)


def _is_block_item(note: Note, scalar: YamlScalar) -> bool:
    start, _, _ = line_bounds(note, scalar.span.start)
    return note.text[start : scalar.span.start].strip() == "-"


def _is_whole_flow_item(text: str, tag: Tag, scalar: YamlScalar) -> bool:
    """Is the tag a flow list item's only word, so that its removal takes the item?"""
    return _is_flow_item(text, scalar) and _only_word(text, tag, scalar)


def _is_flow_item(text: str, scalar: YamlScalar) -> bool:
    before = scalar.span.start
    while before > 0 and text[before - 1].isspace():
        before -= 1
    return before > 0 and text[before - 1] in "[,"


# --- adding -----------------------------------------------------------------------------------


def add_frontmatter_tag_edits(note: Note, name: str) -> tuple[TextEdit, ...] | None:
    """Edits that add `name` to the frontmatter tags: a new frontmatter or `tags:` key when
    missing, else one more item in the style the key already uses."""
    edits = _add_frontmatter_tag(note, name)
    if edits is None or not _verified(note, edits, added=name):
        return None
    return edits


def _add_frontmatter_tag(note: Note, name: str) -> tuple[TextEdit, ...] | None:
    text = note.text
    frontmatter = note.frontmatter
    if frontmatter is None:
        # The block-list form Obsidian itself writes.
        eol = preferred_break(text)
        at = 1 if text.startswith(_BOM) else 0
        block = f"---{eol}tags:{eol}{_DEFAULT_INDENT}- {name}{eol}---{eol}"
        return (TextEdit(Span(at, at), block),)
    if not frontmatter.closed or frontmatter.error is not None or frontmatter.data is None:
        return None  # broken YAML: any edit would be a guess about what the user meant
    entry = next((e for e in frontmatter.entries if e.key.lower() in _TAG_KEYS), None)
    if entry is None:
        at = frontmatter.content_span.end  # the closing `---` line's start
        eol = break_before(text, at) or preferred_break(text)
        indent = _block_indent(note, frontmatter)
        return (TextEdit(Span(at, at), f"tags:{eol}{indent}- {name}{eol}"),)
    if not entry.scalars:
        return _fill_empty_entry(note, frontmatter, entry, name)
    first, last = entry.scalars[0], entry.scalars[-1]
    if _is_block_item(note, first):
        item_start, _, _ = line_bounds(note, last.span.start)
        prefix = text[item_start : last.span.start]
        indent = prefix[: prefix.rfind("-")]
        _, end, _ = line_bounds(note, last.span.end)
        eol = break_at(text, end) or preferred_break(text)
        return (TextEdit(Span(end, end), f"{eol}{indent}- {name}"),)
    if _is_flow_item(text, first):
        return (TextEdit(Span(last.span.end, last.span.end), f", {name}"),)
    if len(entry.scalars) != 1:
        return None
    value = first.value_span
    written = value.slice(text)
    separator = ", " if "," in written else (" " if written.strip() else "")
    return (TextEdit(Span(value.end, value.end), separator + name),)


def _fill_empty_entry(
    note: Note, frontmatter: Frontmatter, entry: YamlEntry, name: str
) -> tuple[TextEdit, ...] | None:
    """`tags:`, `tags: ~` or `tags: []` -> one item."""
    text = note.text
    _, line_end, _ = line_bounds(note, entry.key_span.start)
    colon = text.find(":", entry.key_span.end, line_end)
    if colon < 0:
        return None
    value_end = max(entry.span.end, colon + 1)
    written = text[colon + 1 : value_end].strip()
    indent = _block_indent(note, frontmatter)
    eol = break_at(text, line_end) or preferred_break(text)
    if not written:
        return (TextEdit(Span(line_end, line_end), f"{eol}{indent}- {name}"),)
    if written in _NULL_WORDS:
        return (TextEdit(Span(colon + 1, value_end), f"{eol}{indent}- {name}"),)
    if written.startswith("[") and written.endswith("]"):
        inside = text.find("[", colon + 1, value_end) + 1
        return (TextEdit(Span(inside, inside), name),)
    return None


def _block_indent(note: Note, frontmatter: Frontmatter) -> str:
    """The indentation the file's block lists use before `-` (Obsidian writes two spaces)."""
    for entry in frontmatter.entries:
        for scalar in entry.scalars:
            if _is_block_item(note, scalar):
                start, _, _ = line_bounds(note, scalar.span.start)
                prefix = note.text[start : scalar.span.start]
                return prefix[: prefix.rfind("-")]
    return _DEFAULT_INDENT


# --- checking ---------------------------------------------------------------------------------


def _verified(
    note: Note,
    edits: tuple[TextEdit, ...],
    removed: str | Counter[str] | None = None,
    added: str | None = None,
    changed_keys: Collection[str] = (),
    in_body: bool = False,
) -> bool:
    try:
        after = parse_note(apply_edits(note.text, edits))
    except ValueError:
        return False
    expected = Counter(tag.name for tag in note.tags)
    if isinstance(removed, Counter):
        expected.subtract(removed)
    elif removed is not None:
        expected[removed] -= 1
    if added is not None:
        expected[added] += 1
    if +expected != Counter(tag.name for tag in after.tags):
        return False
    if in_body:
        # A body edit: the frontmatter must come through byte for byte, and the cards as the
        # plugin reads them (`START #fix/empty` is no card; `START` alone opens one).
        if note.text[: note.body_start] != after.text[: after.body_start]:
            return False
        return _cards_read(note) == _cards_read(after)
    if _body(after) != _body(note):
        return False
    before_fm, after_fm = note.frontmatter, after.frontmatter
    if after_fm is None:
        return before_fm is None
    if before_fm is not None and before_fm.error is None and after_fm.error is not None:
        return False
    if after_fm.error is not None or not after_fm.closed:
        return False
    try:
        return _same_data(
            _other_values(before_fm, changed_keys), _other_values(after_fm, changed_keys), set()
        )
    except RecursionError:
        return False


def _cards_read(note: Note) -> tuple[object, ...]:
    """What the sync plugin makes of the note's blocks, positions aside."""
    anki = note.anki
    return (
        [card.id.value if card.id is not None else None for card in anki.cards],
        # A tag line right after START was the note type line: the next line becomes it.
        [(card.note_type, tuple(field.name for field in card.fields)) for card in anki.cards],
        [card.id.value if card.id is not None else None for card in anki.unclosed],
        [card.id.value if card.id is not None else None for card in anki.inline_cards],
        [marker.id.value if marker.id is not None else None for marker in anki.deletes],
        [deck.deck for deck in anki.decks],
        len(anki.stray_ends),
        len(anki.trailing_starts),
    )


def _same_data(before: object, after: object, compared: set[tuple[int, int]]) -> bool:
    """`before == after` for YAML data, each pair of containers compared once: with aliases
    (`&a [*b, *b]`) the same list stands in many places, and `==` would compare it every time,
    twice as often per level (forty levels fit in a few lines)."""
    if isinstance(before, dict) and isinstance(after, dict):
        if (id(before), id(after)) in compared:
            return True
        compared.add((id(before), id(after)))
        return before.keys() == after.keys() and all(
            _same_data(value, after[key], compared) for key, value in before.items()
        )
    if isinstance(before, list) and isinstance(after, list):
        if (id(before), id(after)) in compared:
            return True
        compared.add((id(before), id(after)))
        return len(before) == len(after) and all(
            _same_data(one, other, compared) for one, other in zip(before, after, strict=True)
        )
    return type(before) is type(after) and before == after


def _body(note: Note) -> str:
    return note.text[note.body_start :].removeprefix(_BOM)


def _other_values(
    frontmatter: Frontmatter | None, changed_keys: Collection[str]
) -> dict[str, object] | None:
    """The frontmatter's values besides the tag keys (and the keys an edit means to change)."""
    if frontmatter is None:
        return {}
    if frontmatter.data is None:
        return None
    return {
        key: value
        for key, value in frontmatter.data.items()
        if key.lower() not in _TAG_KEYS and key not in changed_keys
    }
