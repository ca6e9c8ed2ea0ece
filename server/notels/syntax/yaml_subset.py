"""The frontmatter nearly every note has, read without PyYAML: the same results, 4x faster.

A vault's frontmatter is almost always a flat mapping: `key: value` lines and block lists of
one-line scalars. For exactly that subset, `parse_simple_yaml` returns what the PyYAML path of
`frontmatter._parse_yaml` returns (data, entries, spans); for anything else it returns None and
PyYAML reads the text. The subset is narrow on purpose: whatever might mean something else to
YAML (comments, tabs, escapes, anchors, flow collections, nesting, multi-line scalars, keys it
would not take as plain) is declined, never guessed at.

Positions are those PyYAML's marks give: a plain scalar ends at its last non-space character;
an empty value (`key:`, a bare `-`) sits right after its `:` or `-`.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable

from yaml.constructor import SafeConstructor
from yaml.nodes import Node, ScalarNode
from yaml.resolver import Resolver

from notels.syntax.model import YamlEntry, YamlScalar
from notels.syntax.spans import Span

__all__ = ["parse_simple_yaml"]

# A top-level key: ASCII, at the line start, then `:` and a space or the line end. Such a key is
# always a plain scalar that PyYAML keeps as written (`true:` or `null:` included). libyaml takes
# keys of at most 1024 characters.
_KEY = re.compile(r"([A-Za-z_][A-Za-z0-9_-]{0,127}):(?= |$)")
_ITEM = re.compile(r"( *)-(?= |$)")
# Anything but `\n` and the printable characters YAML reads as themselves: tabs, `\r` and the
# other line breaks YAML knows (`\x85`, `\u2028`, `\u2029`), controls, a BOM, lone surrogates.
_UNUSUAL = re.compile(
    "[^\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]"
)
# A plain scalar may not start with these (`-`, `?`, `:` may when a non-space follows; declined).
_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@`")

# The tag PyYAML's parser gives an untagged plain scalar (the stubs leave `resolve` untyped).
_resolve: Callable[[type[Node], str, tuple[bool, bool]], str] = Resolver().resolve
_PLAIN = (True, False)
_STR_TAG = "tag:yaml.org,2002:str"
_NULL_TAG = "tag:yaml.org,2002:null"
_BOOL_TAG = "tag:yaml.org,2002:bool"

_new = tuple.__new__


class _Declined(Exception):
    """The text is not in the subset: PyYAML must read it."""


def parse_simple_yaml(
    text: str, start: int, end: int
) -> tuple[dict[str, object], tuple[YamlEntry, ...]] | None:
    """(data, entries) of the YAML in `text[start:end]`, or None when it is not in the subset."""
    content = text[start:end]
    if _UNUSUAL.search(content) is not None:
        return None
    try:
        return _parse(content, start)
    except _Declined:
        return None


def _parse(content: str, offset: int) -> tuple[dict[str, object], tuple[YamlEntry, ...]]:
    data: dict[str, object] = {}
    entries: list[YamlEntry] = []
    # The entry being read: its key, key span, and (for `key:` alone) the list items so far.
    key = ""
    key_span: Span | None = None
    open_key = False  # `key:` with nothing after it: block list items may follow
    item_indent = -1
    items: list[object] = []
    scalars: list[YamlScalar] = []
    value: object = None
    value_end = 0
    line_start = offset
    for line in content.split("\n"):
        here = line_start
        line_start += len(line) + 1
        if not line.strip(" "):
            continue
        match = _KEY.match(line)
        if match is not None:
            if key_span is not None:
                data[key] = items if item_indent >= 0 else value
                entries.append(_entry(key, key_span, value_end, scalars))
            key = sys.intern(match.group(1))
            key_end = here + match.end(1)
            key_span = _new(Span, (here, key_end))
            scalars = []
            item_indent = -1
            value, value_end = _value(line, match.end(), here, scalars)
            open_key = value_end == key_end + 1 and value is None
            continue
        match = _ITEM.match(line)
        if match is None or not open_key:
            raise _Declined
        indent = len(match.group(1))
        if item_indent == -1:
            item_indent = indent
            items = []
        elif indent != item_indent:
            raise _Declined
        item, value_end = _value(line, match.end(), here, scalars)
        items.append(item)
    if key_span is not None:
        data[key] = items if item_indent >= 0 else value
        entries.append(_entry(key, key_span, value_end, scalars))
    return data, tuple(entries)


def _entry(key: str, key_span: Span, value_end: int, scalars: list[YamlScalar]) -> YamlEntry:
    return _new(YamlEntry, (key, key_span, _new(Span, (key_span.start, value_end)), tuple(scalars)))


def _value(line: str, after: int, line_start: int, scalars: list[YamlScalar]) -> tuple[object, int]:
    """(data, end offset) of the scalar after the `:` or `-` that ends at `line[after - 1]`.

    Appends its YamlScalar to `scalars` unless it is a plain null.
    """
    rest = line[after:]
    source = rest.strip(" ")
    if not source:
        return None, line_start + after  # an empty value sits right after its indicator
    start = line_start + len(line) - len(rest.lstrip(" "))
    stop = start + len(source)
    first = source[0]
    if first == '"' or first == "'":
        inner = source[1:-1]
        if len(source) < 2 or source[-1] != first or first in inner or "\\" in inner:
            raise _Declined  # escapes, a quote inside, or text after the closing quote
        scalars.append(
            _new(YamlScalar, (inner, _new(Span, (start, stop)), _new(Span, (start + 1, stop - 1))))
        )
        return inner, stop
    if first in _INDICATORS or ": " in source or source[-1] == ":" or " #" in source:
        raise _Declined
    span = _new(Span, (start, stop))
    tag = _resolve(ScalarNode, source, _PLAIN)
    if tag == _NULL_TAG:
        return None, stop
    scalars.append(_new(YamlScalar, (source, span, span)))
    if tag == _STR_TAG:
        return source, stop
    if tag == _BOOL_TAG:
        return SafeConstructor.bool_values[source.lower()], stop
    try:  # numbers, dates: built as SafeLoader builds them
        return SafeConstructor().construct_object(ScalarNode(tag, source)), stop
    except Exception as error:  # a date like 2025-13-45: PyYAML reports it
        raise _Declined from error
