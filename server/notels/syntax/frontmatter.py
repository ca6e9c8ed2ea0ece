"""YAML frontmatter with source positions: delimiters, top-level entries, links and tags.

PyYAML (libyaml when available) parses the YAML once into a node tree. Positions come from each
node's mark `line`/`column` (both count code points), mapped through a line table of the YAML
text. The table breaks lines where YAML does: `\\x85`, `\\u2028` and `\\u2029` too, besides
`\\r\\n`, `\\r` and `\\n`; a value holding `\\u2028` would otherwise shift every later position.
`mark.index` is not used: PyYAML 6.0.4 with libyaml 0.2.6 counts code points there too (checked
with Cyrillic and emoji), but libyaml's reader-error offsets count UTF-8 bytes, and nothing
promises which unit a mark uses.
"""

from __future__ import annotations

import re
import sys
from bisect import bisect_right
from collections.abc import Callable, Hashable, Iterator
from itertools import pairwise
from typing import Any, ClassVar

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from notels.syntax.model import Frontmatter, Link, Tag, YamlEntry, YamlError, YamlScalar
from notels.syntax.spans import Span
from notels.syntax.wikilinks import WIKILINK, find_links, link_targets
from notels.syntax.yaml_subset import parse_simple_yaml

__all__ = [
    "ScalarLookup",
    "frontmatter_link_targets",
    "frontmatter_links",
    "frontmatter_tags",
    "parse_frontmatter",
]

_Loader: type[yaml.SafeLoader] | type[yaml.CSafeLoader]
try:
    _Loader = yaml.CSafeLoader
except AttributeError:  # PyYAML built without libyaml: ~15x slower, same results
    _Loader = yaml.SafeLoader

_BOM = "\ufeff"
_OPENING = re.compile(r"---[ \t]*(\r\n|\r|\n|\Z)")
_CLOSING = re.compile(r"(?:\r\n|\r|\n)(---[ \t]*)(\r\n|\r|\n|\Z)")
_YAML_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
_ODD_LINE_BREAKS = ("\r", "\x85", "\u2028", "\u2029")
_WHITESPACE = " \t\r\n\x85\u2028\u2029"

_NULL_TAG = "tag:yaml.org,2002:null"
_STR_TAG = "tag:yaml.org,2002:str"
_BOOL_TAG = "tag:yaml.org,2002:bool"
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
_MERGE_TAG = "tag:yaml.org,2002:merge"
_MAP_TAG = "tag:yaml.org,2002:map"
_QUOTED = ('"', "'")
_BLOCK_SCALAR = ("|", ">")
_PROPERTY_STARTS = ("&", "!")

ALIASES_KEY = "aliases"
_TAG_KEYS = ("tags", "tag")
# Keys whose values mix links and quoted tags: `connected: ["[[X]]", "#topic/sub"]`.
_MIXED_KEYS = ("connected",)
_TAG_PIECE = re.compile(r"[^\s,]+")

# Building values from nodes can fail outside yaml.YAMLError: explicit tags that do not fit,
# `!!bool maybe` (KeyError), `!!int` with no digits (IndexError), `!!timestamp x` (AttributeError),
# `!!int x` (ValueError); a date like `2025-13-45` or an integer over Python's digit limit
# (ValueError); deep nesting (RecursionError).
_CONSTRUCTION_ERRORS = (yaml.YAMLError, ValueError, LookupError, AttributeError, RecursionError)


def parse_frontmatter(text: str) -> Frontmatter | None:
    """The frontmatter at the start of `text`, or None when the first line is not `---`.

    A leading BOM is skipped. `span` runs to the end of the closing `---` line, its terminator
    included, so the body starts at `span.end`; `content_span` holds the full lines between the
    delimiters. Without a closing line the frontmatter runs to the end of the text and is not
    parsed (`closed=False`, no data, no entries, no error).

    `data` is what PyYAML's SafeLoader builds for a top-level mapping, except that keys are the
    keys as written (`1:` gives "1"); `{}` for empty content; None for another kind of document
    (with no error) or on an error. On a YAML syntax error, `entries` still holds the entries
    of the lines before the error when those parse on their own: links keep working while the
    user is mid-edit.
    """
    start = 1 if text.startswith(_BOM) else 0
    opening = _OPENING.match(text, start)
    if opening is None:
        return None
    content_start = opening.end()
    if not opening.group(1):
        return _unclosed(start, content_start, len(text))
    closing = _CLOSING.search(text, opening.start(1))
    if closing is None:
        return _unclosed(start, content_start, len(text))
    content_end = closing.start(1)
    data, entries, error = _parse_yaml(text, content_start, content_end)
    return Frontmatter(
        span=Span(start, closing.end()),
        content_span=Span(content_start, content_end),
        closed=True,
        data=data,
        entries=entries,
        error=error,
    )


class ScalarLookup:
    """The frontmatter scalar holding a range of the text (a link, a tag), found by bisection:
    a walk of every scalar per link or tag was quadratic over a long list of them."""

    __slots__ = ("_placed", "_starts")

    def __init__(self, frontmatter: Frontmatter) -> None:
        # (scalar, its entry's number), by source start when the sources are disjoint (they
        # always were); else in entry order, walked.
        placed = [
            (scalar, number)
            for number, entry in enumerate(frontmatter.entries)
            for scalar in entry.scalars
        ]
        ordered = sorted(placed, key=lambda each: each[0].span.start)
        disjoint = all(a.span.end <= b.span.start for (a, _), (b, _) in pairwise(ordered))
        self._placed = ordered if disjoint else placed
        self._starts = [scalar.span.start for scalar, _ in ordered] if disjoint else None

    def holding(self, span: Span, value: bool = False) -> tuple[int, YamlScalar] | None:
        """(entry number, scalar) of the first scalar, in entry order, whose source holds
        `span`: its value without the quotes, with `value`."""
        if self._starts is None:
            candidates = self._placed
        else:  # disjoint sources: only the last one starting at or before `span` can hold it
            at = bisect_right(self._starts, span.start) - 1
            candidates = self._placed[at : at + 1] if at >= 0 else []
        for scalar, number in candidates:
            source = scalar.value_span if value else scalar.span
            if source.start <= span.start and span.end <= source.end:
                return number, scalar
        return None


def frontmatter_links(text: str, frontmatter: Frontmatter) -> tuple[Link, ...]:
    """Wikilinks inside the scalar values of every key, in source order, tagged with their key.

    Only scalar values are scanned, so links in YAML comments and in keys do not count. An
    unquoted `- [[X]]`, which YAML reads as a list in a list, is one scalar (see `YamlScalar`).
    """
    links: list[Link] = []
    for key, start, end, unquote in _linked_scalars(text, frontmatter):
        found = find_links(text, start, end, frontmatter_key=key)
        links += found if unquote is None else [_unescaped(link, unquote) for link in found]
    return tuple(links)


def frontmatter_link_targets(text: str, frontmatter: Frontmatter) -> list[str]:
    """The targets of `frontmatter_links`, empty ones left out: what a note's summary needs,
    found by `link_targets`, which builds no Link (2.5% of a worker's summarizing time)."""
    targets: list[str] = []
    for _, start, end, unquote in _linked_scalars(text, frontmatter):
        found = link_targets(text, start, end).targets
        targets += found if unquote is None else map(unquote, found)
    return targets


def _linked_scalars(
    text: str, frontmatter: Frontmatter
) -> Iterator[tuple[str, int, int, Callable[[str], str] | None]]:
    """(key, value start, value end, how YAML unescapes the value) of each scalar holding `[[`;
    no unescaping when the value has no escape in it."""
    for entry in frontmatter.entries:
        for scalar in entry.scalars:
            start, end = scalar.value_span
            if text.find("[[", start, end) != -1:
                quote = text[scalar.span.start] if scalar.span.start < scalar.span.end else ""
                unquote: Callable[[str], str] | None = None
                if quote == "'" and text.find("''", start, end) != -1:
                    unquote = _single_quoted
                elif quote == '"' and text.find("\\", start, end) != -1:
                    unquote = _double_quoted
                yield entry.key, start, end, unquote


def _unescaped(link: Link, unquote: Callable[[str], str]) -> Link:
    """The link's names as YAML reads them (`[[It''s]]` in single quotes names `It's`); its
    spans stay on the text as written."""
    return link._replace(
        target=unquote(link.target),
        heading=None if link.heading is None else unquote(link.heading),
        block_ref=None if link.block_ref is None else unquote(link.block_ref),
        alias=None if link.alias is None else unquote(link.alias),
    )


def _single_quoted(written: str) -> str:
    return written.replace("''", "'")


def _double_quoted(written: str) -> str:
    if "\\" not in written:
        return written
    try:
        value = yaml.safe_load(f'"{written}"')
    except yaml.YAMLError:  # a piece cut inside an escape: keep it as written
        return written
    return value if isinstance(value, str) else written


def frontmatter_tags(text: str, frontmatter: Frontmatter) -> tuple[Tag, ...]:
    """Tags from `tags` / `tag` (any case) and `#tag` strings in `connected`, in source order.

    Under `tags` every list item, or a single string, is split on spaces and commas and one
    leading `#` is dropped. Under `connected` only scalars that start with `#` count (the rest are
    links). A Tag's span covers the name, the `#` excluded, as `Tag.name` does.
    """
    tags: list[Tag] = []
    for entry in frontmatter.entries:
        key = entry.key.lower()
        is_tag_key = key in _TAG_KEYS
        if not is_tag_key and key not in _MIXED_KEYS:
            continue
        for scalar in entry.scalars:
            span = scalar.value_span
            if not is_tag_key and not text[span.start : span.end].lstrip().startswith("#"):
                continue
            for piece in _TAG_PIECE.finditer(text, span.start, span.end):
                name_start = piece.start()
                if text[name_start] == "#":
                    name_start += 1
                elif not is_tag_key:
                    continue
                if name_start < piece.end():
                    name_span = Span(name_start, piece.end())
                    name = sys.intern(name_span.slice(text))
                    tags.append(Tag(name, name_span, in_frontmatter=True))
    return tuple(tags)


def _unclosed(start: int, content_start: int, end: int) -> Frontmatter:
    return Frontmatter(
        span=Span(start, end),
        content_span=Span(content_start, end),
        closed=False,
        data=None,
        entries=(),
    )


class _Positions:
    """Note offsets of PyYAML marks for YAML `content` that starts at `start` in the note.

    Hot loops read `bases` and `end` directly: `min(bases[mark.line] + mark.column, end)`.
    """

    __slots__ = ("bases", "end")

    def __init__(self, content: str, start: int) -> None:
        bases = [start]
        if any(char in content for char in _ODD_LINE_BREAKS):
            bases.extend(start + match.end() for match in _YAML_LINE_BREAK.finditer(content))
        else:
            # The common case: `str.find` is several times faster than a regex scan.
            at = content.find("\n")
            while at != -1:
                bases.append(start + at + 1)
                at = content.find("\n", at + 1)
        self.end = start + len(content)
        # A mark is never past the last line; the sentinel keeps a disagreement from raising.
        bases.append(self.end)
        self.bases = bases

    def offset(self, mark: yaml.Mark) -> int:
        line: int = mark.line
        if line >= len(self.bases):
            return self.end
        return min(self.bases[line] + mark.column, self.end)

    def line_start(self, line: int) -> int:
        return self.bases[line] if line < len(self.bases) else self.end


_Parsed = tuple[dict[str, object] | None, tuple[YamlEntry, ...], YamlError | None]


def _parse_yaml(text: str, start: int, end: int) -> _Parsed:
    simple = parse_simple_yaml(text, start, end)
    if simple is not None:
        return simple[0], simple[1], None
    content = text[start:end]
    positions = _Positions(content, start)
    try:
        root = _compose(content)
    except yaml.MarkedYAMLError as exc:
        entries = _entries_before_error(text, exc, positions)
        return None, entries, _marked_error(exc, positions)
    except yaml.YAMLError as exc:  # ReaderError: a character YAML does not allow
        return None, (), _reader_error(exc, content, start)
    except UnicodeEncodeError as exc:  # a lone surrogate: libyaml only takes valid UTF-8
        return None, (), _unacceptable_character(text, start + exc.start)
    except RecursionError:  # the pure-Python parser on deep nesting
        return None, (), YamlError("too deeply nested", start)
    if root is None:
        return {}, (), None
    if not isinstance(root, MappingNode):
        return None, (), None
    entries = _entries(text, root, positions)
    data = _construct(root, positions)
    if isinstance(data, YamlError):
        return None, entries, data
    return data, entries, None


def _compose(content: str) -> Node | None:
    loader = _Loader(content)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


def _timestamp_or_text(constructor: SafeConstructor, node: ScalarNode) -> object:
    """A YAML date, or the text of one that does not exist (`2025-13-99`).

    PyYAML refuses to construct such a date; js-yaml, which Obsidian reads frontmatter with,
    makes a date of it. The frontmatter is valid YAML: the `invalid-created` rule reports it.
    """
    try:
        return constructor.construct_yaml_timestamp(node)
    except (ValueError, OverflowError):
        return constructor.construct_scalar(node)


class _Constructor(SafeConstructor):
    yaml_constructors: ClassVar[dict[Any, Any]] = {
        **SafeConstructor.yaml_constructors,
        _TIMESTAMP_TAG: _timestamp_or_text,
    }


def _construct(root: MappingNode, positions: _Positions) -> dict[str, object] | YamlError | None:
    """The data SafeLoader gives, keys as written; None when that is not a dict (`!!set`)."""
    # The constructor only needs the nodes: a fresh one skips parsing the text again.
    constructor = _Constructor()
    if root.tag != _MAP_TAG or any(key.tag == _MERGE_TAG for key, _ in root.value):
        # `<<: *base` or `!!set` on the document have their own rules; rare: the slow path.
        try:
            document = constructor.construct_document(root)
        except _CONSTRUCTION_ERRORS as exc:
            return _construction_error(exc, root, positions)
        if not isinstance(document, dict):
            return None
        return {str(key): value for key, value in document.items()}
    data: dict[str, object] = {}
    for key_node, value_node in root.value:
        node = key_node
        try:
            if isinstance(key_node, ScalarNode):
                if key_node.tag != _STR_TAG:  # kept as written, but `!!int x:` is an error
                    constructor.construct_object(key_node)
                key = key_node.value
            else:
                complex_key = constructor.construct_object(key_node, deep=True)
                if not isinstance(complex_key, Hashable):  # as SafeLoader says of `[a, b]: c`
                    return YamlError("found unhashable key", positions.offset(key_node.start_mark))
                key = str(complex_key)
            node = value_node
            data[key] = _construct_value(constructor, value_node)
        except _CONSTRUCTION_ERRORS as exc:
            return _construction_error(exc, node, positions)
    return data


def _construct_value(constructor: SafeConstructor, node: Node) -> object:
    # Fast paths for what frontmatter is made of; each gives what SafeConstructor would.
    if isinstance(node, ScalarNode):
        tag = node.tag
        if tag == _STR_TAG:
            return node.value
        if tag == _NULL_TAG:
            return None
        if tag == _BOOL_TAG:
            return constructor.bool_values[node.value.lower()]
    elif isinstance(node, SequenceNode) and all(
        isinstance(item, ScalarNode) and item.tag == _STR_TAG for item in node.value
    ):
        return [item.value for item in node.value]
    return constructor.construct_object(node, deep=True)


# --- entries --------------------------------------------------------------------------------


def _entries(text: str, root: MappingNode, positions: _Positions) -> tuple[YamlEntry, ...]:
    walker = _Walker(text, positions)
    entries: list[YamlEntry] = []
    for key_node, value_node in root.value:
        key_span = Span(*walker.extent(key_node))
        key = key_node.value if isinstance(key_node, ScalarNode) else key_span.slice(text)
        key = sys.intern(key)  # every note repeats the same few keys
        end = walker.end_of(value_node, key_span.end)
        scalars = walker.scalars(value_node)
        entries.append(YamlEntry(key, key_span, Span(key_span.start, end), scalars))
    return tuple(entries)


class _Walker:
    """Scalars and extents of the values of one document."""

    __slots__ = ("_bases", "_end", "_positions", "_seen", "_text")

    def __init__(self, text: str, positions: _Positions) -> None:
        self._text = text
        self._positions = positions
        self._bases = positions.bases
        self._end = positions.end
        # An alias repeats its anchor's node object, whose marks point at the anchor: visiting
        # each node once keeps scalars where they are written, and keeps `&a [*a]` or a billion
        # laughs from looping or exploding.
        self._seen: set[int] = set()

    def end_of(self, node: Node, floor: int) -> int:
        """Where a value ends in the source, trailing blank lines and comments excluded.

        A block collection's end mark sits at whatever follows it (the next key, after comments
        and blank lines), so the end of its last item is used instead. Trailing whitespace is
        dropped down to `floor` at most: block scalars keep their line breaks, and an empty
        value may sit after spaces.
        """
        while isinstance(node, (SequenceNode, MappingNode)) and not node.flow_style and node.value:
            last = node.value[-1]
            node = last[1] if isinstance(last, tuple) else last
        end = max(self.extent(node)[1], floor)
        text = self._text
        while end > floor and text[end - 1] in _WHITESPACE:
            end -= 1
        return end

    def scalars(self, node: Node) -> tuple[YamlScalar, ...]:
        """Scalar leaves in source order: list items at any depth and mapping values (not keys).

        Plain nulls (`key:`, `~`, `null`) are no scalar. An unquoted `[[X]]`, which YAML reads
        as a list holding a list, is one scalar whose value is the source `[[X]]`: the writer
        meant a link.
        """
        seen = self._seen
        found: list[YamlScalar] = []
        stack = [node]
        while stack:
            node = stack.pop()
            if id(node) in seen:
                continue
            seen.add(id(node))
            if isinstance(node, ScalarNode):
                if node.tag != _NULL_TAG or node.style in _QUOTED:
                    found.append(self._scalar(node))
            elif isinstance(node, SequenceNode):
                link = self._unquoted_wikilink(node) if node.flow_style else None
                if link is not None:
                    found.append(link)
                else:
                    stack.extend(reversed(node.value))
            elif isinstance(node, MappingNode):
                stack.extend(value for _, value in reversed(node.value))
        return tuple(found)

    def extent(self, node: Node) -> tuple[int, int]:
        """The node's source as (start, end) offsets in the note."""
        # Inlined `_Positions.offset`: this runs for every node.
        bases = self._bases
        limit = self._end
        mark = node.start_mark
        start = min(bases[mark.line] + mark.column, limit)
        mark = node.end_mark
        return start, min(bases[mark.line] + mark.column, limit)

    def _scalar(self, node: ScalarNode) -> YamlScalar:
        start, end = self.extent(node)
        text = self._text
        if text[start : start + 1] in _PROPERTY_STARTS:
            start = self._after_properties(start, end)
        style = node.style
        if not style:
            span = Span(start, end)
            return YamlScalar(node.value, span, span)
        if style in _QUOTED and end - start >= 2:
            return YamlScalar(node.value, Span(start, end), Span(start + 1, end - 1))
        if style in _BLOCK_SCALAR:
            # The value starts on the line after the `|` / `>` header; the end mark follows
            # the trailing line breaks that the value keeps (or folds).
            header_end = _YAML_LINE_BREAK.search(text, start, end)
            value_start = end if header_end is None else header_end.end()
            while end > value_start and text[end - 1] in _WHITESPACE:
                end -= 1
            return YamlScalar(node.value, Span(start, end), Span(value_start, end))
        span = Span(start, end)
        return YamlScalar(node.value, span, span)

    def _unquoted_wikilink(self, node: SequenceNode) -> YamlScalar | None:
        start, end = self.extent(node)
        text = self._text
        if text[start : start + 1] in _PROPERTY_STARTS:
            start = self._after_properties(start, end)
        if not text.startswith("[[", start) or WIKILINK.fullmatch(text, start, end) is None:
            return None
        span = Span(start, end)
        return YamlScalar(span.slice(text), span, span)

    def _after_properties(self, start: int, end: int) -> int:
        """Where the value starts after an anchor `&a` and/or a tag `!!str`, which marks include."""
        text = self._text
        while start < end and text[start] in _PROPERTY_STARTS:
            while start < end and text[start] not in _WHITESPACE:
                start += 1
            while start < end and text[start] in _WHITESPACE:
                start += 1
        return start


# --- errors ---------------------------------------------------------------------------------


def _marked_error(exc: yaml.MarkedYAMLError, positions: _Positions) -> YamlError:
    message = exc.problem or exc.context or "invalid YAML"
    mark = exc.problem_mark or exc.context_mark
    offset = positions.offset(mark) if mark is not None else positions.bases[0]
    return YamlError(message, offset)


def _entries_before_error(
    text: str, exc: yaml.MarkedYAMLError, positions: _Positions
) -> tuple[YamlEntry, ...]:
    """Entries of the lines before the error, when those parse on their own; else ().

    A cut can end inside a broken construct (an unclosed quote) that fails again: cut again
    before it (where its error's context began), a few times at most.
    """
    line = exc.problem_mark.line if exc.problem_mark is not None else 0
    for _ in range(3):
        if line <= 0:
            return ()
        try:
            root = _compose(text[positions.bases[0] : positions.line_start(line)])
        except yaml.MarkedYAMLError as again:
            marks = (again.problem_mark, again.context_mark)
            line = max((m.line for m in marks if m is not None and m.line < line), default=0)
            continue
        except (yaml.YAMLError, UnicodeEncodeError, RecursionError):
            return ()
        if not isinstance(root, MappingNode):
            return ()
        return _entries(text, root, positions)
    return ()


def _reader_error(exc: yaml.YAMLError, content: str, start: int) -> YamlError:
    # libyaml gives the position in UTF-8 bytes; the character itself finds the offset.
    message = str(exc).split("\n", 1)[0]
    character = getattr(exc, "character", None)
    offset = start
    if isinstance(character, int) and 0 <= character <= 0x10FFFF:
        found = content.find(chr(character))
        if found != -1:
            offset = start + found
    return YamlError(message, offset)


def _unacceptable_character(text: str, offset: int) -> YamlError:
    code = ord(text[offset])
    message = f"unacceptable character #x{code:04x}: special characters are not allowed"
    return YamlError(message, offset)


def _construction_error(exc: BaseException, node: Node, positions: _Positions) -> YamlError:
    if isinstance(exc, yaml.MarkedYAMLError) and exc.problem_mark is not None:
        return YamlError(exc.problem or "invalid YAML", positions.offset(exc.problem_mark))
    if isinstance(exc, RecursionError):
        message = "too deeply nested"
    else:
        message = f"cannot read value: {exc}"
    return YamlError(message, positions.offset(node.start_mark))
