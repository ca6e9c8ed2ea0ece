"""Plain notels data <-> lsprotocol types, or the JSON values they stand for (answers sent often,
built without the types). Every position goes through a LineIndex."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.uris import from_fs_path, to_fs_path

from notels.features.model import CompletionCandidate, CompletionKind
from notels.findings import Finding, Severity
from notels.rules import REGISTRY
from notels.syntax.lines import Encoding, LineIndex
from notels.syntax.spans import Span

SOURCE = "notels"

_SEVERITY = {
    Severity.ERROR: types.DiagnosticSeverity.Error,
    Severity.WARNING: types.DiagnosticSeverity.Warning,
    Severity.INFO: types.DiagnosticSeverity.Information,
    Severity.HINT: types.DiagnosticSeverity.Hint,
}

_ENCODINGS = {encoding.value: encoding for encoding in Encoding}


def choose_encoding(client_offers: Sequence[str] | None) -> Encoding:
    """The first encoding in the client's preference list that we support; else UTF-16.

    UTF-16 is the LSP default and the only one every client must understand.
    """
    for kind in client_offers or ():
        encoding = _ENCODINGS.get(str(kind))
        if encoding is not None:
            return encoding
    return Encoding.UTF16


def path_of_uri(uri: str) -> Path | None:
    """The file a `file:` URI names; None for `untitled:` and other schemes, and for a path
    holding a NUL (`%00`), which names no file and makes every file system call raise."""
    if uri[:17].lower() == "file://localhost/":
        uri = "file:///" + uri[17:]  # RFC 8089: the same file (pygls reads a UNC share)
    path = to_fs_path(uri)
    return Path(path) if path and "\0" not in path else None


def uri_of_path(path: Path) -> str:
    return _uri_of(str(path))


def note_uri(root: Path, relative: str) -> str:
    """The URI of a vault-relative path: answers name notes by the hundred (a long note's
    document links), and joining a Path costs more than the rest of making each."""
    # Keyed by the root's string: Windows paths compare equal across letter case, and two roots
    # differing only in case must keep their own URIs.
    return _note_uri(str(root), relative)


# Room for every note of a 50,000-note vault (about 12 MB then): a workspace pull names them all
# in turn, every time a note changes, and an LRU cache smaller than the vault misses on each
# (10,000 notes: 0.17 s a pass at 8,192 entries).
@lru_cache(maxsize=1 << 16)
def _note_uri(root: str, relative: str) -> str:
    return uri_of_path(Path(root) / relative)


# Percent-encoding a path costs ~10 µs, as much as the rest of a go to definition; answers name
# the same notes again and again.
@lru_cache(maxsize=4096)
def _uri_of(path: str) -> str:
    uri = from_fs_path(path)
    return uri if uri is not None else Path(path).as_uri()


def to_position(lines: LineIndex, offset: int, encoding: Encoding) -> types.Position:
    line, character = lines.position(offset, encoding)
    return types.Position(line=line, character=character)


def to_range(lines: LineIndex, span: Span, encoding: Encoding) -> types.Range:
    return types.Range(
        start=to_position(lines, span.start, encoding),
        end=to_position(lines, span.end, encoding),
    )


def to_offset(lines: LineIndex, position: types.Position, encoding: Encoding) -> int:
    """Out-of-range positions are clamped by LineIndex, as the protocol asks."""
    return lines.offset(position.line, position.character, encoding)


# Where a related finding lives: (uri, its LineIndex) for a vault-relative path, or None if gone.
RelatedLocator = Callable[[str], tuple[str, LineIndex] | None]


# Answers sent often are built as the JSON values the protocol sends: building lsprotocol objects
# and turning them back into dicts (cattrs) took most of the time of publishing a long note's
# diagnostics. tests/lsp/test_convert.py holds them to what lsprotocol's types read and write.
Json = dict[str, Any]


class JsonAnswer(dict[str, Any]):
    """A request's answer built as JSON values: the server sends it as it is (see
    NotelsProtocol._serialize_message)."""


class JsonAnswers(list[Json]):
    """A request's answer that is a list of JSON objects, likewise sent as it is."""


def range_json(lines: LineIndex, span: Span, encoding: Encoding) -> Json:
    return positions_json(lines.positions(span.start, span.end, encoding))


def positions_json(positions: tuple[int, int, int, int]) -> Json:
    """A JSON Range from `LineIndex.positions`."""
    start_line, start_character, end_line, end_character = positions
    return {
        "start": {"line": start_line, "character": start_character},
        "end": {"line": end_line, "character": end_character},
    }


def diagnostic_json(
    finding: Finding, lines: LineIndex, encoding: Encoding, locate: RelatedLocator
) -> Json:
    """A finding as the JSON Diagnostic the protocol sends (pushed and pulled alike)."""
    diagnostic: Json = {
        "range": range_json(lines, finding.span, encoding),
        "message": finding.message,
        "severity": _SEVERITY[finding.severity].value,
        "code": finding.code,
    }
    rule = REGISTRY.get(finding.code)
    if rule is not None:
        diagnostic["codeDescription"] = {"href": rule.docs_url}
    diagnostic["source"] = SOURCE
    related: list[Json] = []
    for item in finding.related:
        place = locate(item.path)
        if place is None:
            continue
        uri, other_lines = place
        location = {"uri": uri, "range": range_json(other_lines, item.span, encoding)}
        related.append({"location": location, "message": item.message})
    if related:
        diagnostic["relatedInformation"] = related
    if finding.unnecessary:
        diagnostic["tags"] = [types.DiagnosticTag.Unnecessary.value]
    return diagnostic


def diagnostics_json(
    findings: Sequence[Finding], lines: LineIndex, encoding: Encoding, locate: RelatedLocator
) -> list[Json]:
    return [diagnostic_json(finding, lines, encoding, locate) for finding in findings]


_COMPLETION_KIND = {
    CompletionKind.NOTE: types.CompletionItemKind.File,
    CompletionKind.ALIAS: types.CompletionItemKind.Reference,
    CompletionKind.HEADING: types.CompletionItemKind.Reference,
    CompletionKind.BLOCK: types.CompletionItemKind.Text,
    CompletionKind.TAG: types.CompletionItemKind.Keyword,
    CompletionKind.ATTACHMENT: types.CompletionItemKind.File,
    CompletionKind.NOTE_TYPE: types.CompletionItemKind.Class,
    CompletionKind.FIELD: types.CompletionItemKind.Field,
    CompletionKind.DECK: types.CompletionItemKind.Folder,
    CompletionKind.SNIPPET: types.CompletionItemKind.Snippet,
}


@dataclass(frozen=True, slots=True)
class CompletionShape:
    """What the client's completion items may hold."""

    insert_replace: bool  # an InsertReplaceEdit
    label_details: bool  # CompletionItemLabelDetails
    default_edit_range: bool  # CompletionList.itemDefaults.editRange, with items' textEditText
    snippets: bool = False  # snippetSupport: an item's text may be a snippet


def _sent_text(candidate: CompletionCandidate, shape: CompletionShape) -> tuple[str, bool]:
    """The new text an item sends, and whether it is a snippet. A plain text with a space
    inside (`Embedding layer]]`, a heading) goes as a snippet where the client takes them:
    Neovim 0.11's own completion inserts a plain item's text only up to its first space and
    drops the rest (`[[Embedding`), while it expands a snippet whole. A trailing space alone
    (`Back: `) stays plain: Neovim's 'omnifunc' without `vim.lsp.completion.enable` expands
    no snippet and inserts its label (`Back`), and `Back:` is nearer."""
    text = candidate.insert_text
    if candidate.is_snippet or not shape.snippets or not any(c.isspace() for c in text.rstrip()):
        return text, candidate.is_snippet
    return text.replace("\\", "\\\\").replace("$", "\\$").replace("}", "\\}"), True


# The ranges a completion item's edit replaces: (insert, replace), or (insert, None) when one
# range says both.
EditRanges = tuple[Span, Span | None]


def edit_ranges(candidate: CompletionCandidate, shape: CompletionShape) -> EditRanges:
    overwrite = candidate.overwrite_span
    if shape.insert_replace and overwrite is not None and overwrite != candidate.replace_span:
        return candidate.replace_span, overwrite
    # Insert and replace alike: one range says it (and keeps a list of many items small).
    return candidate.replace_span, None


def shared_edit_ranges(
    candidates: Sequence[CompletionCandidate], shape: CompletionShape
) -> EditRanges | None:
    """The ranges most items of a list replace, to send once as the list's default edit range
    (a link completion's fifty items all replace the typed name); None when the client takes
    no default."""
    if not shape.default_edit_range or not candidates:
        return None
    counts = Counter(edit_ranges(candidate, shape) for candidate in candidates)
    return counts.most_common(1)[0][0]


def edit_range_json(
    ranges: EditRanges, lines: LineIndex, encoding: Encoding, cache: dict[Span, Json]
) -> Json:
    """The JSON of an item default's edit range: a Range, or {insert, replace}."""
    insert, replace = ranges
    if replace is None:
        return _cached_range(insert, lines, encoding, cache)
    return {
        "insert": _cached_range(insert, lines, encoding, cache),
        "replace": _cached_range(replace, lines, encoding, cache),
    }


def _cached_range(
    span: Span, lines: LineIndex, encoding: Encoding, cache: dict[Span, Json]
) -> Json:
    found = cache.get(span)
    if found is None:
        found = cache[span] = range_json(lines, span, encoding)
    return found


def completion_item_json(
    candidate: CompletionCandidate,
    lines: LineIndex,
    encoding: Encoding,
    shape: CompletionShape,
    ranges: dict[Span, Json],
    data: Json | None,
    default_ranges: EditRanges | None = None,
) -> Json:
    """A CompletionItem as the JSON the protocol sends, built directly like the diagnostics: a
    list of 50 items cost ~0.36 ms as lsprotocol objects turned back into JSON by cattrs.
    `ranges` is shared by the items of one list (most replace the same text); an item that
    replaces `default_ranges`, the list's default edit range, says only its new text. Tests
    hold the result to what lsprotocol's CompletionItem reads and writes back."""
    own_ranges = edit_ranges(candidate, shape)
    new_text, is_snippet = _sent_text(candidate, shape)
    edit: Json | None = None
    if own_ranges != default_ranges:
        insert, replace = own_ranges
        insert_json = _cached_range(insert, lines, encoding, ranges)
        if replace is None:
            edit = {"range": insert_json, "newText": new_text}
        else:
            replace_json = _cached_range(replace, lines, encoding, ranges)
            edit = {
                "newText": new_text,
                "insert": insert_json,
                "replace": replace_json,
            }
    item: Json = {"label": candidate.label}
    if shape.label_details and candidate.description:
        item["labelDetails"] = {"description": candidate.description}
    item["kind"] = _COMPLETION_KIND[candidate.kind].value
    if candidate.detail:
        item["detail"] = candidate.detail
    item["sortText"] = candidate.sort_key
    if candidate.filter_text != candidate.label:  # the client filters by the label otherwise
        item["filterText"] = candidate.filter_text
    if is_snippet:  # plain text is the protocol's default
        item["insertTextFormat"] = types.InsertTextFormat.Snippet.value
    if edit is not None:
        item["textEdit"] = edit
    else:
        # Even when it is the label, which the protocol makes the default: Neovim 0.10's own
        # completion took the new text from textEditText or insertText only (fixed in 0.11).
        item["textEditText"] = new_text
    if candidate.additional_edits:
        item["additionalTextEdits"] = [
            {"range": range_json(lines, extra.span, encoding), "newText": extra.new_text}
            for extra in candidate.additional_edits
        ]
    if data is not None:
        item["data"] = data
    return item


def to_edit(
    change: types.TextDocumentContentChangeEvent, lines: LineIndex, encoding: Encoding
) -> tuple[int, int, str]:
    """A content change as (start offset, end offset, new text) into the current text."""
    if isinstance(change, types.TextDocumentContentChangePartial):
        start = to_offset(lines, change.range.start, encoding)
        end = to_offset(lines, change.range.end, encoding)
        return min(start, end), max(start, end), change.text
    return 0, len(lines.text), change.text
