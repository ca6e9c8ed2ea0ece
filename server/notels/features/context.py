"""What the user is typing at an offset, read from the raw line text.

The parser only knows finished syntax: a half-typed `[[Embe` has no `]]` yet, so it is no Link,
and an unclosed `START` is no card. Completion therefore reads the current line (and, for Anki
blocks, the lines above it) directly. The rest of the note may be broken in any way: only the
line under the cursor and a few neighbours matter, and nothing here raises.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from notels.features.model import TextEdit
from notels.syntax.markdown import TAG_CHARS
from notels.syntax.model import YamlScalar
from notels.syntax.note import Note
from notels.syntax.spans import Span, inside_any
from notels.syntax.wikilinks import display_pipe


class ContextKind(Enum):
    LINK = "link"  # `[[` / `![[`: note names, aliases, attachments
    HEADING = "heading"  # `[[Note#`, `[[#`
    BLOCK = "block"  # `[[Note#^`, `[[#^`
    DISPLAY = "display"  # `[[Note|`: the note's aliases as the shown text
    TAG = "tag"  # `#` in the body, an item under frontmatter `tags:`
    NOTE_TYPE = "note-type"  # the line after `START`
    FIELD = "field"  # a line start inside an Anki block
    DECK = "deck"  # after `TARGET DECK: `
    START = "start"  # `S`..`START` typed at a line start: a whole card


@dataclass(frozen=True, slots=True)
class CompletionContext:
    kind: ContextKind
    span: Span  # the typed part: the completion replaces exactly this
    typed: str  # the text of `span`, for matching
    target: str = ""  # HEADING, BLOCK, DISPLAY: the note named before `#`/`|`; "" = this note
    embed: bool = False  # LINK: after `![[`
    closing: str = ""  # to append after the inserted text: `]]`, `]]"`, or nothing
    quote: str = ""  # the YAML quote the inserted text stands in; it must be escaped for it
    additional_edits: tuple[TextEdit, ...] = ()  # an opening quote for an unquoted YAML link
    note_type: str | None = None  # FIELD: the card's note type, when written
    # FIELD: field names the card already has; TAG in frontmatter: the tags its list holds
    present: frozenset[str] = frozenset()
    in_frontmatter: bool = False
    # The typed part and the rest of the name after the cursor (editing `[[Emb‸eddings]]`): what
    # a client that lets the user choose (LSP insert/replace) overwrites. None: `span`.
    overwrite: Span | None = None
    # LINK in a closed link: what stands between the name and `]]` (`#Heading`, `|shown`), and
    # where that `]]` starts; -1 when the link is not closed.
    link_rest: str = ""
    close_at: int = -1
    pipe: str = "|"  # to write before a display text: `\|` in a Markdown table row


# A YAML value starts after `key: `, list dashes, or `[` / `, ` in a flow list; a quote may
# open it.
_YAML_VALUE_START = re.compile(
    r"[ \t]*(?:-[ \t]+)*(?:[^\s:#'\"\-][^:]*:[ \t]+)?(?:-[ \t]+)*(?:\[[ \t]*|\[.*,[ \t]*)?"
)
# A line that may belong to YAML: blank, a comment, a list item, `key:` or an indented line.
_YAML_LINE = re.compile(r"(?:[ \t]|$|#|-(?:[ \t]|$)|[^\s:][^:]*:(?:[ \t]|$))")
_YAML_KEY = re.compile(r"([^\s:#\-'\"][^:]*?)[ \t]*:(?:[ \t]|$)")
_LINK_CLOSE = re.compile(r"[^\[\]\r\n]*\]\]")
_LONE_CLOSE = re.compile(r"\](?!\])")
_DOUBLE_QUOTED_ESCAPE = re.compile(r'\\(["\\])')
_BODY_TAG = re.compile(rf"(?:^|(?<=\s))#([{TAG_CHARS}]*)$")
_YAML_TAG = re.compile(rf"#?[{TAG_CHARS}]*$")
_TAG_REST = re.compile(rf"[{TAG_CHARS}]*")
_START_PREFIX = re.compile(r"S(?:T(?:A(?:R(?:T)?)?)?)?")
# A field name being typed: at most three words, as _FIELD_LINE reads them; more is prose.
_FIELD_PREFIX = re.compile(r"[A-Za-z][A-Za-z0-9_]*(?: [A-Za-z0-9_]*){0,2}")
_FIELD_LINE = re.compile(r"([A-Za-z][A-Za-z0-9_]*(?: [A-Za-z0-9_]+){0,2}):")
_DECK_LINE = "TARGET DECK: "
# The lines that end a card for the plugin: its ID, and the Tags line above it.
_CARD_TAIL = re.compile(r"(?:<!--)?ID: [0-9]|Tags: ")
_TAG_KEYS = frozenset({"tags", "tag"})
_BOM = "\ufeff"


def completion_context(note: Note, offset: int) -> CompletionContext | None:
    """The completion the user is after at `offset`, or None; any offset is clamped."""
    text = note.text
    offset = min(max(offset, 0), len(text))
    lines = note.lines
    line = lines.line_of(offset)
    line_start = lines.line_start(line)
    line_end = lines.line_end(line)
    offset = min(offset, line_end)  # inside a `\r\n` pair: the line's end
    in_yaml = _in_yaml(note, line, offset)
    found = _link_context(note, line_start, line_end, offset, in_yaml)
    if found is not None:
        return found
    if in_yaml:
        return _yaml_tag_context(note, line, offset)
    before = text[line_start:offset]
    if before.startswith(_BOM):
        before = before[1:]
        line_start += 1
    return (
        _deck_context(note, line, line_start, before, offset)
        or _block_context(note, line, line_start, line_end, before, offset)
        or _start_context(note, line, line_start, line_end, before, offset)
        or _body_tag_context(note, before, offset)
    )


# --- frontmatter ------------------------------------------------------------------------------


def _in_yaml(note: Note, line: int, offset: int) -> bool:
    frontmatter = note.frontmatter
    if frontmatter is None:
        return False
    content = frontmatter.content_span
    if frontmatter.closed:
        return content.start <= offset < content.end  # content ends where `---` starts
    if not content.contains(offset):
        return False
    # Unclosed: the parser takes the whole note as YAML; the writer meant the YAML-looking lines
    # at the top (this one included), and the prose below them is the body.
    lines = note.lines
    for number in range(lines.line_of(frontmatter.content_span.start), line + 1):
        if _YAML_LINE.match(lines.line_text(number)) is None:
            return False
    return True


def _yaml_key_of_line(note: Note, line: int) -> tuple[str, int] | None:
    """The top-level key whose value holds `line`, and the line the key stands on."""
    lines = note.lines
    frontmatter = note.frontmatter
    first = lines.line_of(frontmatter.content_span.start) if frontmatter is not None else 0
    for number in range(line, first - 1, -1):
        match = _YAML_KEY.match(lines.line_text(number))
        if match is not None:
            return match.group(1).strip(), number
        if number != line and lines.line_text(number)[:1] not in (" ", "\t", "-", "#", ""):
            return None
    return None


def _yaml_tag_context(note: Note, line: int, offset: int) -> CompletionContext | None:
    keyed = _yaml_key_of_line(note, line)
    if keyed is None:
        return None
    key, key_line = keyed
    key = key.lower()
    if key not in _TAG_KEYS and key != "connected":
        return None
    lines = note.lines
    line_start = lines.line_start(line)
    before = note.text[line_start:offset]
    if line == key_line:
        colon = before.find(":")
        if colon == -1:
            return None
        value_before = before[colon + 1 :]
        if not value_before[:1].isspace():
            return None  # `tags:x` is no `key: value` yet
    else:
        dash = re.match(r"[ \t]*-[ \t]+", before)
        if dash is None:
            return None
        value_before = before[dash.end() :]
    match = _YAML_TAG.search(value_before)
    if match is None:  # pragma: no cover - the pattern matches the empty string
        return None
    typed = match.group()
    if key == "connected":
        # `connected` mixes links and quoted `"#tag"`s: only a `#` asks for a tag, and it stays.
        if not typed.startswith("#"):
            return None
        typed = typed[1:]
    start = offset - len(typed)
    overwrite = Span(start, _tag_end(note.text, offset))
    closing = ""
    edits: tuple[TextEdit, ...] = ()
    if overwrite.end == offset:  # with more of the tag after the cursor, its quotes stand
        connected = key == "connected"  # its `#` stays, before `start`
        value_at = start - 1 if connected else start
        closing, edits = _tag_quotes(note, line_start, value_at, hashed=connected)
    # Under `tags:` a typed `#` is replaced too: in YAML it would start a comment.
    return CompletionContext(
        ContextKind.TAG,
        Span(start, offset),
        typed.lstrip("#"),
        closing=closing,
        additional_edits=edits,
        present=_listed_tags(note, key_line, overwrite),
        in_frontmatter=True,
        overwrite=overwrite,
    )


def _tag_quotes(
    note: Note, line_start: int, value_at: int, hashed: bool
) -> tuple[str, tuple[TextEdit, ...]]:
    """(text after the insert, extra edits) that keep the YAML valid around a tag typed up to
    the cursor from `value_at`, as a link there is kept: a quote opened before it is closed,
    and a `hashed` one (`#tag` under `connected`) gets quotes when it has none, as unquoted
    ` #` starts a YAML comment, which holds no tag."""
    text = note.text
    line_end = note.lines.line_end(note.lines.line_of(value_at))
    opened = text[value_at - 1 : value_at]
    if opened in ('"', "'"):
        return ("" if opened in text[value_at:line_end] else opened), ()
    if not hashed or _YAML_VALUE_START.fullmatch(text[line_start:value_at]) is None:
        return "", ()  # a plain value, or inside longer YAML text: leave the quoting alone
    return '"', (TextEdit(Span(value_at, value_at), '"'),)


def _listed_tags(note: Note, key_line: int, typed: Span) -> frozenset[str]:
    """The tags (lowered) the frontmatter value of the key on `key_line` lists already, but
    the one being typed over `typed`: offering them again would only write a duplicate."""
    frontmatter = note.frontmatter
    if frontmatter is None:
        return frozenset()
    lines = note.lines
    entry = next(
        (e for e in frontmatter.entries if lines.line_of(e.key_span.start) == key_line), None
    )
    if entry is None:
        return frozenset()
    return frozenset(
        tag.name.lower()
        for tag in note.tags
        if tag.in_frontmatter
        and entry.span.start <= tag.span.start
        and tag.span.end <= entry.span.end
        and not (tag.span.start <= typed.end and typed.start <= tag.span.end)
    )


def _tag_end(text: str, offset: int) -> int:
    match = _TAG_REST.match(text, offset)
    return match.end() if match is not None else offset


# --- links ------------------------------------------------------------------------------------


def _link_context(
    note: Note, line_start: int, line_end: int, offset: int, in_yaml: bool
) -> CompletionContext | None:
    text = note.text
    before = text[line_start:offset]
    at = before.rfind("[[")
    if at == -1:
        return None
    inner_start = line_start + at + 2
    inner = text[inner_start:offset]
    if "]" in inner or "[" in inner:
        return None  # the link before the cursor is closed, or this is no link
    bracket = line_start + at
    embed = at > 0 and before[at - 1] == "!"
    if embed:
        bracket -= 1
    if not in_yaml and _hidden(note, bracket):
        return None
    # The `]]` closing the link already, if one does: the rest of its line up to it.
    close = _LINK_CLOSE.match(text, offset, line_end)
    close_at = close.end() - 2 if close is not None else -1
    closing, quote, edits = _closing(note, line_start, line_end, bracket, offset, in_yaml, close)

    def make(
        kind: ContextKind, typed_start: int, stops: str, target: str = ""
    ) -> CompletionContext:
        end = offset
        if close is not None:  # in an open link the text after the cursor is prose, not the name
            while end < line_end and text[end] not in stops:
                end += 1
            if end > offset and text[end - 1] == "\\" and text[end : end + 1] == "|":
                end -= 1  # a table row's `\|`: the backslash is the pipe's, not the name's
        return CompletionContext(
            kind,
            Span(typed_start, offset),
            text[typed_start:offset],
            target=target,
            embed=embed,
            closing=closing,
            quote=quote,
            additional_edits=edits,
            in_frontmatter=in_yaml,
            overwrite=Span(typed_start, end),
            link_rest=text[end:close_at] if close is not None else "",
            close_at=close_at,
            pipe="|" if in_yaml else display_pipe(text, bracket),
        )

    pipe = inner.find("|")
    hash_at = inner.find("#", 0, pipe if pipe != -1 else len(inner))
    target = (inner[:hash_at] if hash_at != -1 else inner[:pipe] if pipe != -1 else inner).strip()
    # The target as YAML reads it, in the quotes it stands in (not those added around it).
    written_in = "" if any(edit.span.start == bracket for edit in edits) else quote
    target = _unquoted(target, written_in)
    if pipe != -1:
        return make(ContextKind.DISPLAY, inner_start + pipe + 1, "[]", target)
    if hash_at == -1:
        return make(ContextKind.LINK, inner_start, "#|[]")
    if inner.startswith("^", hash_at + 1):
        return make(ContextKind.BLOCK, inner_start + hash_at + 2, "|[]", target)
    # `[[Note#H1#H2`: the part after the last `#` is being typed.
    return make(ContextKind.HEADING, inner_start + inner.rfind("#") + 1, "#|[]", target)


def _unquoted(value: str, quote: str) -> str:
    """`value` as YAML reads it in a scalar quoted with `quote`: a link's target there is
    written with `''` (single quotes) or `\\"` (double quotes), as completion writes it, and
    names the note without them."""
    if quote == "'":
        return value.replace("''", "'")
    if quote == '"':
        return _DOUBLE_QUOTED_ESCAPE.sub(r"\1", value)
    return value


def _hidden(note: Note, offset: int) -> bool:
    """True inside code or math, where `[[` and `#` are plain characters."""
    return inside_any(note.hidden, offset)


def _scalar_begun_before(note: Note, line_start: int, offset: int) -> YamlScalar | None:
    """The frontmatter scalar holding `offset` when it begins on an earlier line."""
    frontmatter = note.frontmatter
    if frontmatter is None:
        return None
    for entry in frontmatter.entries:
        for scalar in entry.scalars:
            if scalar.span.start < line_start and scalar.span.start < offset < scalar.span.end:
                return scalar
    return None


def _closing(
    note: Note,
    line_start: int,
    line_end: int,
    bracket: int,
    offset: int,
    in_yaml: bool,
    close: re.Match[str] | None,
) -> tuple[str, str, tuple[TextEdit, ...]]:
    """(text after the insert, YAML quote to escape for, extra edits) for a link at `bracket`,
    closed by `close` (a `_LINK_CLOSE` match at `offset`) when it is.

    `]]` is added only when the link is not closed already; in frontmatter the YAML scalar must
    stay valid, so a quoted link gets its closing quote, and an unquoted one (which YAML would
    read as a nested list) gets quoted.
    """
    text = note.text
    after = text[offset:line_end]
    close_end = close.end() if close is not None else -1
    # One `]` typed already (`[[Tar‸]`): the second one makes the link. (In YAML a `]` may
    # close a flow list instead.)
    lone = not in_yaml and _LONE_CLOSE.match(after) is not None
    brackets = "" if close is not None else "]" if lone else "]]"
    if not in_yaml:
        return brackets, "", ()
    prefix = text[line_start:bracket]
    quote = prefix[-1:] if prefix[-1:] in ('"', "'") else ""
    value_start = prefix[:-1] if quote else prefix
    if _YAML_VALUE_START.fullmatch(value_start) is None:
        return brackets, "", ()  # a link inside longer YAML text: leave the quoting alone
    continued = _scalar_begun_before(note, line_start, bracket)
    if continued is not None:
        # A line of a block scalar (`|`, `>`) or of a quoted value begun on a line above: the
        # link is text of that value, where quotes of its own would be text too, or end it.
        opened = text[continued.span.start]
        return brackets, opened if opened in ('"', "'") else "", ()
    if quote:
        if close is not None:
            rest = text[close_end:line_end]
            if quote in rest:
                return "", quote, ()
            return "", quote, (TextEdit(Span(close_end, close_end), quote),)
        return brackets + ("" if quote in after else quote), quote, ()
    opening = TextEdit(Span(bracket, bracket), '"')
    if close is not None:
        return "", '"', (opening, TextEdit(Span(close_end, close_end), '"'))
    return brackets + '"', '"', (opening,)


# --- Anki -------------------------------------------------------------------------------------


def _deck_context(
    note: Note, line: int, line_start: int, before: str, offset: int
) -> CompletionContext | None:
    if before.startswith(_DECK_LINE):
        start = line_start + len(_DECK_LINE)
    elif line > 0 and note.lines.line_text(line - 1).lstrip(_BOM) == "TARGET DECK":
        start = line_start  # the two-line form: the deck stands on the next line
    else:
        return None
    return CompletionContext(ContextKind.DECK, Span(start, offset), note.text[start:offset])


def _open_block_start(note: Note, line: int) -> int | None:
    """The `START` line of the block holding `line`, scanning up; None outside any block.

    Read as the plugin reads blocks: a block runs from a line that is exactly `START` to the next
    line that begins with `END`.
    """
    lines = note.lines
    for number in range(line - 1, -1, -1):
        content = lines.line_text(number)
        if number == 0:
            content = content.lstrip(_BOM)
        if content == "START":
            return number
        if content.startswith("END"):
            return None
    return None


def _block_context(
    note: Note, line: int, line_start: int, line_end: int, before: str, offset: int
) -> CompletionContext | None:
    start_line = _open_block_start(note, line)
    if start_line is None:
        return None
    lines = note.lines
    text = note.text
    rest = text[offset:line_end]
    above = [lines.line_text(n) for n in range(start_line + 1, line)]
    if all(not content.strip() for content in above):
        # The first line of a block names the note type.
        if ":" in before or ":" in rest:
            return None
        typed_start = offset - len(before.lstrip())
        return CompletionContext(
            ContextKind.NOTE_TYPE, Span(typed_start, offset), text[typed_start:offset]
        )
    if (before and _FIELD_PREFIX.fullmatch(before) is None) or ":" in rest:
        return None
    if any(_CARD_TAIL.match(content.strip()) for content in above):
        # Below the ID (or the Tags line before it) a field would turn that line into field
        # text: the plugin reads them on the card's last lines only, and syncs a new copy.
        return None
    note_type = next(content.strip() for content in above if content.strip())
    if _FIELD_LINE.match(note_type) is not None:
        note_type_or_none: str | None = None  # the block starts with a field: no type written
    else:
        note_type_or_none = note_type
    present: set[str] = set()
    number = start_line + 1
    while number < lines.line_count:
        content = lines.line_text(number)
        if content.startswith("END") or content == "START":
            break
        if number != line:
            field = _FIELD_LINE.match(content)
            if field is not None:
                present.add(field.group(1))
        number += 1
    return CompletionContext(
        ContextKind.FIELD,
        Span(line_start, offset),
        before,
        note_type=note_type_or_none,
        present=frozenset(present),
    )


def _start_context(
    note: Note, line: int, line_start: int, line_end: int, before: str, offset: int
) -> CompletionContext | None:
    if _START_PREFIX.fullmatch(before) is None or note.text[offset:line_end].strip():
        return None
    return CompletionContext(ContextKind.START, Span(line_start, offset), before)


def _body_tag_context(note: Note, before: str, offset: int) -> CompletionContext | None:
    match = _BODY_TAG.search(before)
    if match is None:
        return None
    typed = match.group(1)
    if _hidden(note, offset - len(typed) - 1):
        return None
    start = offset - len(typed)
    return CompletionContext(
        ContextKind.TAG,
        Span(start, offset),
        typed,
        overwrite=Span(start, _tag_end(note.text, offset)),
    )
