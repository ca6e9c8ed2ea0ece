"""Completion: what to offer for the context at the cursor, ranked, with exact replace spans."""

from __future__ import annotations

import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import replace

from notels.config import Config, IdStyle
from notels.edits.ids import created_ms, first_id, note_ids
from notels.edits.lines import line_break_near
from notels.features.catalog import NameCatalog, NameEntry, name_catalog
from notels.features.context import CompletionContext, ContextKind, completion_context
from notels.features.fuzzy import FUZZY, SUBSTRING, WORD_START, WORDS, Match, rank
from notels.features.model import (
    CompletionCandidate,
    CompletionKind,
    CompletionResult,
    ResolveData,
    TextEdit,
)
from notels.features.outline import note_preview
from notels.syntax.model import BlockId, Heading
from notels.syntax.note import Note
from notels.syntax.spans import Span
from notels.vault.index import VaultIndex, find_heading
from notels.vault.resolve import ResolutionKind, fold, heading_key
from notels.vault.summary import DESCRIPTION_LENGTH

# As marksman's default: a popup shows about a dozen, and is_incomplete makes the client ask
# again as the user types; every item more is built, sent and parsed on each keystroke.
LIMIT = 50
# Characters a heading link cannot hold (`[[Note#A B]]` for `A: B`); each stands for a space,
# as in `heading_key` when it matches the link back to the heading (`x^2` -> `x 2`).
_HEADING_LINK_DROP = str.maketrans(dict.fromkeys("#|^:%[]", " "))
_DEFAULT_TYPE = ("Basic", ("Front", "Back"))
_ORDER_SAMPLE = 50  # cards of a note type read to learn the order of its fields


def complete(
    index: VaultIndex,
    path: str,
    note: Note,
    offset: int,
    config: Config,
    now_ms: int | None = None,
    limit: int = LIMIT,
) -> CompletionResult:
    """Completion items for `offset` in `note` (the current text of `path`); never raises.

    `now_ms` fixes the clock for the ID in a new card (tests); by default it is the time now.
    """
    context = completion_context(note, offset)
    if context is None:
        return CompletionResult(())
    kind = context.kind
    if kind is ContextKind.LINK:
        return _links(index, context, limit)
    if kind is ContextKind.HEADING:
        return _headings(index, path, note, context, limit)
    if kind is ContextKind.BLOCK:
        return _blocks(index, path, note, context, limit)
    if kind is ContextKind.DISPLAY:
        return _display(index, path, note, context, limit)
    if kind is ContextKind.TAG:
        return _tags(index, path, note, context, limit)
    if kind is ContextKind.NOTE_TYPE:
        return _note_types(index, path, note, context, config, limit)
    if kind is ContextKind.FIELD:
        return _fields(index, context, config, limit)
    if kind is ContextKind.DECK:
        return _decks(index, path, note, context, limit)
    return _start_snippet(index, note, context, config, now_ms)


def resolve_completion(index: VaultIndex, data: ResolveData) -> str | None:
    """Markdown documentation for an item, built only when the client shows it."""
    return note_preview(index, data.path, heading=data.heading, block=data.block)


# --- helpers ----------------------------------------------------------------------------------


def _escape(value: str, quote: str) -> str:
    """`value` as it must be written inside a YAML scalar quoted with `quote` ('' = unquoted)."""
    if quote == '"':
        return value.replace("\\", "\\\\").replace('"', '\\"')
    if quote == "'":
        return value.replace("'", "''")
    return value


def _sort_key(position: int) -> str:
    return f"{position:04d}"


def _filter_text(match: Match, label: str, context: CompletionContext) -> str:
    """What the client filters the typed text against: it drops items that do not match.

    Clients filter by a prefix (Neovim) or from a word start (VS Code). An item found from a
    later word or inside the name (`[[Networks` for Neural Networks, `[[dings`) carries the
    name from where the typed text starts in it, which still matches as the user types on; a
    typo match ("Embedings") or a words match (`mach lear`) carries the typed text itself, and
    its list is marked incomplete (`_unsettled`) so that the client asks again at the next
    keystroke instead of filtering it away. A name macOS keeps decomposed (`й` as `и` and a
    breve) is filtered in the composed form the user types. Spaces typed before the name
    (`[[ Emb`) are replaced with it, so the filter text starts with them too.
    """
    if match.tier in (FUZZY, WORDS):
        return context.typed
    composed = unicodedata.normalize("NFC", label)
    lead = context.typed[: len(context.typed) - len(context.typed.lstrip())]
    folded, typed = fold(composed), fold(context.typed.strip())
    # A label that does not start with the typed text: a later word's match, or a name shown
    # as the path it inserts (the twin of an ambiguous name, `Archive/Basis` for `[[Bas`).
    if match.tier in (WORD_START, SUBSTRING) or not folded.startswith(typed):
        at = folded.find(typed) if typed and len(folded) == len(composed) else -1
        return lead + composed[at:] if at > 0 else context.typed
    return lead + composed


def _unsettled(matches: Sequence[Match]) -> bool:
    """Does a match carry the typed text as its filter text (see `_filter_text`)?"""
    return any(match.tier in (FUZZY, WORDS) for match in matches)


def _item(
    context: CompletionContext,
    position: int,
    match: Match,
    label: str,
    kind: CompletionKind,
    value: str,
    *,
    detail: str,
    description: str = "",
    data: ResolveData | None = None,
    extra_edits: tuple[TextEdit, ...] = (),
) -> CompletionCandidate:
    """An item that inserts `value` (escaped for its YAML quote) and closes the link."""
    return CompletionCandidate(
        label=label,
        kind=kind,
        replace_span=context.span,
        insert_text=_escape(value, context.quote) + context.closing,
        detail=detail,
        sort_key=_sort_key(position),
        filter_text=_filter_text(match, label, context),
        description=description,
        data=data,
        additional_edits=context.additional_edits + extra_edits,
        overwrite_span=context.overwrite,
    )


def _target_note(index: VaultIndex, path: str, note: Note, target: str) -> tuple[str, Note] | None:
    """The note `[[target#...` names, the current document's text for the current note."""
    if not target:
        return path, note
    resolution = index.resolve_target(target, path)
    if resolution.kind not in (ResolutionKind.NOTE, ResolutionKind.AMBIGUOUS):
        return None
    found = resolution.paths[0]
    if found == path:
        return path, note
    found_note = index.notes.get(found)
    return (found, found_note) if found_note is not None else None


def _elsewhere(total: int, here: int) -> int:
    return max(total - here, 0)


def _ranked(
    context: CompletionContext,
    names: Sequence[str],
    limit: int,
    weight: Callable[[int], int] | None = None,
    keep_order: bool = False,
) -> tuple[list[Match], bool]:
    matches, more = rank(context.typed, [fold(name) for name in names], limit, weight, keep_order)
    return matches, more or _unsettled(matches)


# --- links ------------------------------------------------------------------------------------


def _links(index: VaultIndex, context: CompletionContext, limit: int) -> CompletionResult:
    catalog = name_catalog(index)
    query = context.typed.strip()
    if "/" in query:
        # A folder path is being typed: match notes by their path.
        matches, more = rank(
            query, catalog.path_keys, limit, _path_weight(catalog), search=catalog.path_search
        )
        chosen = [(m, catalog.entries[catalog.path_entries[m.index]]) for m in matches]
        by_path = True
    else:
        matches, more = rank(
            query,
            catalog.keys,
            limit,
            catalog.weight,
            search=catalog.search,
            places=catalog.places,
        )
        chosen = [(m, catalog.entries[m.index]) for m in matches]
        by_path = False
    more = more or _unsettled(matches)
    items = [
        _name_item(index, context, position, match, entry, by_path)
        for position, (match, entry) in enumerate(chosen)
    ]
    return CompletionResult(tuple(items), is_incomplete=more)


def _path_weight(catalog: NameCatalog) -> Callable[[int], int]:
    def weight(i: int) -> int:
        return catalog.weight(catalog.path_entries[i])

    return weight


def _name_item(
    index: VaultIndex,
    context: CompletionContext,
    position: int,
    match: Match,
    entry: NameEntry,
    by_path: bool,
) -> CompletionCandidate:
    # Typing a folder path asks for the path; an ambiguous name's twins are shown (and
    # matched) as the path they insert, so that they differ from Obsidian's pick.
    if by_path:
        target = label = entry.path[:-3] if entry.path.lower().endswith(".md") else entry.path
        if entry.kind is not CompletionKind.ATTACHMENT and target[-1:].isspace():
            target = entry.path  # a link's target is read trimmed: `[[Plans/Study plan .md]]`
    else:
        target = entry.target
        label = target if entry.twin and entry.kind is not CompletionKind.ALIAS else entry.label
    data = ResolveData(entry.path)
    if entry.kind is CompletionKind.ATTACHMENT:
        return _item(
            context, position, match, label, entry.kind, target, detail=entry.path, data=data
        )
    summary = index.summary(entry.path)
    description = summary.description if summary is not None else ""
    if entry.kind is CompletionKind.ALIAS:
        # Obsidian's own choice for an alias: link the note, show the alias. A link that shows
        # text of its own keeps it; one naming a heading shows the alias after it.
        rest = context.link_rest
        value = f"{target}{context.pipe}{entry.label}"
        extra: tuple[TextEdit, ...] = ()
        if "|" in rest:
            value = target
        elif rest.startswith("#"):
            value = target
            at = Span(context.close_at, context.close_at)
            extra = (TextEdit(at, _escape(context.pipe + entry.label, context.quote)),)
        return _item(
            context,
            position,
            match,
            label,
            entry.kind,
            value,
            detail=entry.path,
            description=description,
            data=data,
            extra_edits=extra,
        )
    return _item(
        context,
        position,
        match,
        label,
        entry.kind,
        target,
        detail=entry.path,
        description=description,
        data=data,
    )


def _heading_link_text(heading: str) -> str:
    return " ".join(heading.translate(_HEADING_LINK_DROP).split())


def _headings(
    index: VaultIndex, path: str, note: Note, context: CompletionContext, limit: int
) -> CompletionResult:
    found = _target_note(index, path, note, context.target)
    if found is None:
        return CompletionResult(())
    target_path, target = found
    headings = target.headings
    text = note.text
    link_start = text.rfind("[[", 0, context.span.start)
    first_hash = text.find("#", link_start, context.span.start)
    # `[[N#A#‸`: the headings under the one `A` reaches, as Obsidian's heading paths go on.
    heading_path = text[first_hash + 1 : context.span.start - 1] if first_hash != -1 else ""
    under = _headings_under(target, heading_path)
    matches, more = _ranked(context, [headings[i].text for i in under], limit, keep_order=True)
    # `[[N#‸`: a heading whose name an earlier one has is reached by its path (`B#Proof`).
    first_of: dict[str, int] = {}
    if first_hash == context.span.start - 1:
        for i, heading in enumerate(headings):
            first_of.setdefault(heading_key(heading.text), i)
    items: list[CompletionCandidate] = []
    inserted: set[str] = set()
    for match in matches:
        at = under[match.index]
        heading = headings[at]
        value = _heading_link_text(heading.text)
        description = "#" * heading.level
        if first_of and first_of[heading_key(heading.text)] != at:
            reached = _heading_reached_by_path(target, at)
            if reached != value:
                value, description = reached, f"{description} {reached.replace('#', ' › ')}"
        if value in inserted:
            continue  # no path tells this heading from an earlier one: the same link
        inserted.add(value)
        items.append(
            _item(
                context,
                len(items),
                match,
                heading.text,
                CompletionKind.HEADING,
                value,
                detail=target_path,
                description=description,
                data=ResolveData(target_path, heading=value),
            )
        )
    return CompletionResult(tuple(items), more)


def _headings_under(note: Note, heading_path: str) -> list[int]:
    """The indexes of the headings nested under the one `heading_path` (`A#B`) reaches; of
    every heading when there is no path, or when it reaches none."""
    headings = note.headings
    everything = list(range(len(headings)))
    if not heading_path:
        return everything
    parent = find_heading(note, heading_path)
    if parent is None:
        return everything
    level = headings[parent].level
    nested: list[int] = []
    for i in range(parent + 1, len(headings)):
        if headings[i].level <= level:
            break
        nested.append(i)
    return nested


def _heading_reached_by_path(note: Note, at: int) -> str:
    """What to write after `#` to link the note's heading `at`, which a heading before it
    shares its name with: the shortest path of the headings over it that reaches it, else its
    name."""
    headings = note.headings
    name = _heading_link_text(headings[at].text)
    over: list[Heading] = []  # the headings over `at`, innermost first
    level = headings[at].level
    for heading in reversed(headings[:at]):
        if heading.level < level:
            over.append(heading)
            level = heading.level
    written = name
    for heading in over:
        written = f"{_heading_link_text(heading.text)}#{written}"
        if find_heading(note, written) == at:
            return written
    return name


def _blocks(
    index: VaultIndex, path: str, note: Note, context: CompletionContext, limit: int
) -> CompletionResult:
    found = _target_note(index, path, note, context.target)
    if found is None:
        return CompletionResult(())
    target_path, target = found
    # Links match block ids ignoring case and lead to the first: a later namesake is no choice.
    firsts: dict[str, BlockId] = {}
    for block in target.block_ids:
        firsts.setdefault(block.name.lower(), block)
    blocks = list(firsts.values())
    matches, more = _ranked(context, [b.name for b in blocks], limit, keep_order=True)
    items = []
    for position, match in enumerate(matches):
        block = blocks[match.index]
        line = target.lines.line_span(block.span.start)
        text = target.text[line.start : block.span.start].strip()
        if len(text) > DESCRIPTION_LENGTH:
            text = text[: DESCRIPTION_LENGTH - 1] + "…"
        items.append(
            _item(
                context,
                position,
                match,
                block.name,
                CompletionKind.BLOCK,
                block.name,
                detail=target_path,
                description=text,
                data=ResolveData(target_path, block=block.name),
            )
        )
    return CompletionResult(tuple(items), more)


def _display(
    index: VaultIndex, path: str, note: Note, context: CompletionContext, limit: int
) -> CompletionResult:
    found = _target_note(index, path, note, context.target)
    if found is None:
        return CompletionResult(())
    target_path, target = found
    aliases = target.aliases
    matches, more = _ranked(context, aliases, limit, keep_order=True)
    items = [
        _item(
            context,
            position,
            match,
            aliases[match.index],
            CompletionKind.ALIAS,
            aliases[match.index],
            detail=target_path,
            description="alias",
        )
        for position, match in enumerate(matches)
    ]
    return CompletionResult(tuple(items), more)


# --- tags -------------------------------------------------------------------------------------


def _tags(
    index: VaultIndex, path: str, note: Note, context: CompletionContext, limit: int
) -> CompletionResult:
    typed = context.typed.lower()
    shown: dict[str, str] = {}  # lowered -> as written
    counts: dict[str, int] = {}
    for key in list(index.tags()):  # a copy: the indexing thread may add tags meanwhile
        paths = index.notes_with_tag(key)
        counts[key] = len(paths)
        if key == typed and not paths - {path}:
            continue  # only the tag being typed right now: not a suggestion
        shown[key] = key
    for tag in note.tags:  # the current text may hold tags the index does not know yet
        key = tag.name.lower()
        if key != typed and key not in counts:
            shown[key] = tag.name
            counts[key] = 1
    for key in context.present:
        shown.pop(key, None)
    keys = list(shown)
    matches, more = rank(context.typed, keys, limit, lambda i: counts[keys[i]])
    more = more or _unsettled(matches)
    # Under `tags:` the edit replaces a typed `#` too (YAML would read a comment from it), and
    # clients filter an item by the text its edit replaces: `#ma`, which the filter text must
    # then hold.
    hashed = context.span.end - context.span.start > len(context.typed)
    items = []
    for position, match in enumerate(matches):
        key = keys[match.index]
        name = _written_tag(index, key, shown[key])
        count = counts[key]
        item = _item(
            context,
            position,
            match,
            name,
            CompletionKind.TAG,
            name,
            detail=f"{count} note{'s' if count != 1 else ''}",
        )
        items.append(replace(item, filter_text="#" + item.filter_text) if hashed else item)
    return CompletionResult(tuple(items), more)


def _written_tag(index: VaultIndex, key: str, fallback: str) -> str:
    """The tag as some note writes it: the index keeps tags lowered."""
    return index.tag_spelling(key) or fallback


# --- Anki -------------------------------------------------------------------------------------


def _simple(
    context: CompletionContext,
    names: list[str],
    counts: Counter[str],
    kind: CompletionKind,
    detail: Callable[[str], str],
    suffix: str,
    limit: int,
    keep_order: bool = False,
    accept: Callable[[Match], bool] | None = None,
) -> CompletionResult:
    matches, more = _ranked(context, names, limit, lambda i: counts[names[i]], keep_order)
    if accept is not None:
        matches = [match for match in matches if accept(match)]
    items = [
        CompletionCandidate(
            label=names[match.index],
            kind=kind,
            replace_span=context.span,
            insert_text=names[match.index] + suffix,
            detail=detail(names[match.index]),
            sort_key=_sort_key(position),
            filter_text=_filter_text(match, names[match.index], context),
            overwrite_span=context.overwrite,
        )
        for position, match in enumerate(matches)
    ]
    return CompletionResult(tuple(items), more)


def _note_types(
    index: VaultIndex,
    path: str,
    note: Note,
    context: CompletionContext,
    config: Config,
    limit: int,
) -> CompletionResult:
    counts = index.note_types()
    indexed = index.notes.get(path)
    if indexed is not None:
        here = Counter(card.note_type for card in indexed.anki.cards if card.note_type)
        for name, count in here.items():
            if name == context.typed.strip() and _elsewhere(counts[name], count) == 0:
                del counts[name]  # only the type being typed right now
    names = list(dict.fromkeys([*config.note_types, *counts]))

    def detail(name: str) -> str:
        cards = counts.get(name, 0)
        configured = " (configured)" if name in config.note_types else ""
        return f"{cards} card{'s' if cards != 1 else ''}{configured}"

    return _simple(context, names, counts, CompletionKind.NOTE_TYPE, detail, "", limit)


def fields_of(index: VaultIndex, config: Config, note_type: str) -> tuple[str, ...]:
    """A note type's field names in writing order: as configured, else as the vault writes them.

    The index counts fields (and infers which belong to the type) but keeps no order, so the
    order is read from the first cards of the type: each field's mean position there.
    """
    configured = config.note_types.get(note_type)
    if configured:
        return configured
    counts = index.field_counts(note_type)
    inferred = index.inferred_fields(note_type)
    names = [n for n, c in counts.items() if n and c > 0 and (inferred is None or n in inferred)]
    positions = _field_positions(index, note_type)

    def order(name: str) -> tuple[float, int, str]:
        seen = positions.get(name)
        mean = sum(seen) / len(seen) if seen else float("inf")
        return mean, -counts[name], name

    return tuple(sorted(names, key=order))


def _field_positions(index: VaultIndex, note_type: str) -> dict[str, list[int]]:
    """Where each field stands in the first cards of a type (enough to tell the order)."""
    positions: dict[str, list[int]] = {}
    cards = 0
    for summary in list(index.summaries.values()):
        for card_type, named in summary.card_fields:
            if card_type != note_type:
                continue
            cards += 1
            for position, name in enumerate(named):
                positions.setdefault(name, []).append(position)
        if cards >= _ORDER_SAMPLE:
            break
    return positions


def _fields(
    index: VaultIndex, context: CompletionContext, config: Config, limit: int
) -> CompletionResult:
    if context.note_type is None:
        return CompletionResult(())
    names = [n for n in fields_of(index, config, context.note_type) if n not in context.present]
    counts = index.field_counts(context.note_type)

    def detail(name: str) -> str:
        return f"{context.note_type} field, on {counts.get(name, 0)} cards"

    def near_in_length(match: Match) -> bool:
        # A typo match must be about as long as the name: a first word of prose on a field's
        # next line (`Backpropagation`) is no misspelt `Back`, and the item would replace it.
        typed = context.typed.strip()
        return match.tier != FUZZY or abs(len(names[match.index]) - len(typed)) <= 2

    return _simple(
        context,
        names,
        Counter(),
        CompletionKind.FIELD,
        detail,
        ": ",
        limit,
        keep_order=True,
        accept=near_in_length,
    )


def _decks(
    index: VaultIndex, path: str, note: Note, context: CompletionContext, limit: int
) -> CompletionResult:
    counts = index.decks()
    indexed = index.notes.get(path)
    typed = context.typed.strip()
    if indexed is not None and typed in counts:
        here = 1 if any(deck.deck == typed for deck in indexed.anki.decks) else 0
        if _elsewhere(counts[typed], here) == 0:
            del counts[typed]  # only the deck being typed right now
    names = [name for name in counts if name.strip()]  # `TARGET DECK: ` of a template

    def detail(name: str) -> str:
        return f"{counts[name]} note{'s' if counts[name] != 1 else ''}"

    return _simple(context, names, counts, CompletionKind.DECK, detail, "", limit)


def _snippet_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("$", "\\$").replace("}", "\\}")


def _most_used_type(index: VaultIndex, config: Config) -> tuple[str, tuple[str, ...]]:
    counts = index.note_types()
    for name, _ in counts.most_common():
        fields = fields_of(index, config, name)
        if fields:
            return name, fields
    for name, fields in config.note_types.items():
        if fields:
            return name, fields
    return _DEFAULT_TYPE


def new_card_id(index: VaultIndex, note: Note, now_ms: int | None = None) -> int:
    """Anki's kind of ID (creation time in ms), moved past any ID the vault or note holds:
    block cards', and those of inline cards, DELETE lines and misplaced ID lines, each of
    which names a note in the user's Anki collection too."""
    taken = note_ids(note)
    for summary in index.summaries.values():
        taken.update(summary.other_ids)
    now = now_ms if now_ms is not None else time.time_ns() // 1_000_000
    # Not before the note's `created`, as every ID notels writes (edits/ids.IdGenerator).
    candidate = first_id(now, created_ms(note))
    while str(candidate) in taken or index.card_locations(str(candidate)):
        candidate += 1
    return candidate


def _start_snippet(
    index: VaultIndex,
    note: Note,
    context: CompletionContext,
    config: Config,
    now_ms: int | None,
) -> CompletionResult:
    note_type, fields = _most_used_type(index, config)
    card_id = new_card_id(index, note, now_ms)
    id_line = f"<!--ID: {card_id}-->" if config.id_style is IdStyle.COMMENT else f"ID: {card_id}"
    lines = ["START", f"${{1:{_snippet_escape(note_type)}}}"]
    lines.extend(f"{_snippet_escape(field)}: ${n}" for n, field in enumerate(fields, start=2))
    lines.extend((id_line, "END$0"))
    item = CompletionCandidate(
        label="START",
        kind=CompletionKind.SNIPPET,
        replace_span=context.span,
        # The note's own line break: a client may insert the text as it is (VS Code adapts it).
        insert_text=line_break_near(note.text, context.span.start).join(lines),
        detail=f"Anki card: {note_type} ({', '.join(fields)})",
        sort_key=_sort_key(0),
        filter_text="START",
        is_snippet=True,
    )
    return CompletionResult((item,))
