"""Helpers for feature tests: a cursor marker in note texts, and applying a completion."""

from __future__ import annotations

from collections.abc import Mapping

from notels.config import Config
from notels.features import CompletionCandidate, CompletionResult, complete
from notels.syntax.note import Note, parse_note
from notels.syntax.spans import Span
from notels.vault.index import VaultIndex
from vaults import build_index

CURSOR = "‸"  # where the cursor stands in a test text; removed before parsing
NOW_MS = 1_737_306_548_883  # 2025-01-19 17:09:08.883 UTC, a fixed clock for new IDs


def cursor(text: str) -> tuple[str, int]:
    """The text without its cursor marker, and the marker's offset."""
    offset = text.index(CURSOR)
    return text.replace(CURSOR, "", 1), offset


def vault(notes: Mapping[str, str], attachments: tuple[str, ...] = ()) -> VaultIndex:
    return build_index(notes, attachments)


def edit(index: VaultIndex, path: str, text: str) -> Note:
    """The document as the server holds it while the user types: re-parsed and re-indexed."""
    note = parse_note(text)
    index.set_note(path, note)
    return note


def complete_at(
    index: VaultIndex, path: str, text: str, config: Config | None = None
) -> tuple[str, CompletionResult]:
    """Type `text` (with its cursor) into `path` and ask for completion at the cursor."""
    plain, offset = cursor(text)
    note = edit(index, path, plain)
    return plain, complete(index, path, note, offset, config or Config(), now_ms=NOW_MS)


def labels(result: CompletionResult) -> list[str]:
    return [item.label for item in result.items]


def accept(text: str, item: CompletionCandidate) -> str:
    """The text after the client applies the item: its edit and any additional edits."""
    edits = [(item.replace_span, item.insert_text)]
    edits += [(extra.span, extra.new_text) for extra in item.additional_edits]
    for span, new_text in sorted(edits, key=lambda pair: pair[0].start, reverse=True):
        text = text[: span.start] + new_text + text[span.end :]
    return text


def spans_of(text: str, fragment: str) -> Span:
    """The span of the only occurrence of `fragment` in `text`."""
    start = text.index(fragment)
    assert text.find(fragment, start + 1) == -1, f"{fragment!r} occurs twice"
    return Span(start, start + len(fragment))
