"""Diagnostics and completion items are built as JSON values directly; they must be what
lsprotocol's types read and write, and what the server built with them before."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lsprotocol import types
from pygls.protocol import default_converter

from notels.config import Config
from notels.features import complete
from notels.features.model import CompletionCandidate, CompletionKind
from notels.findings import Finding, Related, Severity
from notels.lsp.convert import (
    CompletionShape,
    RelatedLocator,
    completion_item_json,
    diagnostic_json,
    to_position,
    to_range,
)
from notels.rules import REGISTRY
from notels.syntax.lines import Encoding, LineIndex
from notels.syntax.note import parse_note
from notels.syntax.spans import Span
from vaults import build_index

TEXT = "---\naliases: [Ёж]\n---\n# Заголовок 😀\r\n$x^2$ [[Note]] 𝔸\rlast"
OTHER = "строка 😀\nsecond [[x]]\n"

offsets = st.integers(-3, len(TEXT) + 3)
spans = st.tuples(offsets, offsets).map(lambda pair: Span(min(pair), max(pair)))
related = st.builds(
    Related,
    path=st.sampled_from(["other.md", "gone.md"]),
    span=st.tuples(st.integers(0, len(OTHER)), st.integers(0, 4)).map(
        lambda pair: Span(pair[0], min(pair[0] + pair[1], len(OTHER)))
    ),
    message=st.sampled_from(["Candidate", "Also here: «ID»"]),
)
findings = st.builds(
    Finding,
    code=st.sampled_from([*sorted(REGISTRY), "no-such-rule"]),
    severity=st.sampled_from(list(Severity)),
    span=spans,
    message=st.text(max_size=20),
    related=st.lists(related, max_size=3).map(tuple),
    unnecessary=st.booleans(),
)


def locate(path: str) -> tuple[str, LineIndex] | None:
    if path == "gone.md":
        return None
    return "file:///vault/%D0%B4%D1%80%D1%83%D0%B3%D0%BE%D0%B5.md", LineIndex(OTHER)


def to_diagnostic(
    finding: Finding, lines: LineIndex, encoding: Encoding, locate: RelatedLocator
) -> types.Diagnostic:
    """The Diagnostic as the server built it with lsprotocol's types, before it built JSON."""
    rule = REGISTRY.get(finding.code)
    related: list[types.DiagnosticRelatedInformation] = []
    for item in finding.related:
        place = locate(item.path)
        if place is None:
            continue
        uri, other_lines = place
        related.append(
            types.DiagnosticRelatedInformation(
                location=types.Location(uri=uri, range=to_range(other_lines, item.span, encoding)),
                message=item.message,
            )
        )
    severities = {
        Severity.ERROR: types.DiagnosticSeverity.Error,
        Severity.WARNING: types.DiagnosticSeverity.Warning,
        Severity.INFO: types.DiagnosticSeverity.Information,
        Severity.HINT: types.DiagnosticSeverity.Hint,
    }
    return types.Diagnostic(
        range=to_range(lines, finding.span, encoding),
        message=finding.message,
        severity=severities[finding.severity],
        code=finding.code,
        code_description=types.CodeDescription(href=rule.docs_url) if rule else None,
        source="notels",
        related_information=related or None,
        tags=[types.DiagnosticTag.Unnecessary] if finding.unnecessary else None,
    )


@settings(max_examples=300, deadline=None)
@given(findings, st.sampled_from(list(Encoding)))
def test_published_json_is_the_unstructured_diagnostic(
    finding: Finding, encoding: Encoding
) -> None:
    lines = LineIndex(TEXT)
    expected = default_converter().unstructure(to_diagnostic(finding, lines, encoding, locate))
    assert diagnostic_json(finding, lines, encoding, locate) == expected


# --- completion items -----------------------------------------------------------------------

CARD = "START\nmath_complex\nFRONT: q\nBACK: a\nID: 1737306548883\nEND\n"
VAULT_NOTES = {
    "ml/Embeddings.md": "---\naliases: [Эмбеддинги]\ntags: [ml/nlp]\n---\n# Training\nx ^blk\n",
    "Topology.md": "#math/topology\nTARGET DECK: stem::math\n" + CARD,
    "pics/x.png.md": "",
}
TYPED = [
    "[[Emb‸",
    "См. [[Эмб‸",
    "See [[Emb‸edings#Training]]",
    "---\nparent: [[Emb‸\n---\n",
    "[[Embeddings#Tr‸",
    "[[Embeddings#^b‸",
    "![[x‸",
    "#ma‸th more",
    "START\nmath‸",
    "START\nmath_complex\nFR‸",
    "TARGET DECK: st‸",
    "START‸",
    "😀 [[‸",
    "[[Embedings‸",
]


@pytest.mark.parametrize("typed", TYPED)
def test_completion_items_are_what_lsprotocol_reads_and_writes_back(typed: str) -> None:
    index = build_index(VAULT_NOTES)
    offset = typed.index("‸")
    text = typed.replace("‸", "")
    note = parse_note(text)
    index.set_note("Draft.md", note)
    result = complete(index, "Draft.md", note, offset, Config(), now_ms=1_737_306_548_883)
    assert result.items, typed
    converter = default_converter()
    for shape in (CompletionShape(True, True, False), CompletionShape(False, False, False)):
        for encoding in Encoding:
            ranges: dict[Span, dict[str, object]] = {}
            for candidate in result.items:
                data = {"vault": 1, **candidate.data.to_json()} if candidate.data else None
                sent = completion_item_json(candidate, note.lines, encoding, shape, ranges, data)
                item = converter.structure(sent, types.CompletionItem)
                # Every key is one lsprotocol knows, with a value of its type (an unknown key
                # would be dropped on the way in), and nothing is lost on the way back.
                assert converter.unstructure(item) == sent
                assert item.label == candidate.label and item.sort_text == candidate.sort_key
                edit = item.text_edit
                assert edit is not None and edit.new_text == candidate.insert_text
                if isinstance(edit, types.InsertReplaceEdit):
                    assert shape.insert_replace and candidate.overwrite_span is not None
                else:
                    start, end = candidate.replace_span
                    assert edit.range.start == to_position(note.lines, start, encoding)
                    assert edit.range.end == to_position(note.lines, end, encoding)


def test_a_plain_text_with_a_space_goes_as_an_escaped_snippet_to_clients_that_take_them() -> None:
    # Neovim 0.11's own completion inserts a plain item's text only up to its first space.
    note = parse_note("See [[Co")
    candidate = CompletionCandidate(
        label="Cost $5 {net}",
        kind=CompletionKind.NOTE,
        replace_span=Span(6, 8),
        insert_text="Cost $5 {net}]]",
        detail="Cost $5 {net}.md",
        sort_key="0",
        filter_text="Cost $5 {net}",
    )
    plain = CompletionShape(False, False, False)
    snippets = CompletionShape(False, False, False, snippets=True)
    sent = completion_item_json(candidate, note.lines, Encoding.UTF16, plain, {}, None)
    assert sent["textEdit"]["newText"] == "Cost $5 {net}]]"  # type: ignore[index]
    assert "insertTextFormat" not in sent
    sent = completion_item_json(candidate, note.lines, Encoding.UTF16, snippets, {}, None)
    assert sent["textEdit"]["newText"] == "Cost \\$5 {net\\}]]"  # type: ignore[index]
    assert sent["insertTextFormat"] == types.InsertTextFormat.Snippet.value
    for text in ("Cost]]", "Cost: "):  # one word, a trailing space alone
        one_word = replace(candidate, label="Cost", insert_text=text, filter_text="Cost")
        sent = completion_item_json(one_word, note.lines, Encoding.UTF16, snippets, {}, None)
        assert sent["textEdit"]["newText"] == text  # type: ignore[index]
        assert "insertTextFormat" not in sent  # plain text, the default
