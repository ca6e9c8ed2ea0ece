"""Published diagnostics are built as JSON values directly; they must be what lsprotocol's
Diagnostic, the type pull answers use, turns into."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from pygls.protocol import default_converter

from notels.findings import Finding, Related, Severity
from notels.lsp.convert import diagnostic_json, to_diagnostic
from notels.rules import REGISTRY
from notels.syntax.lines import Encoding, LineIndex
from notels.syntax.spans import Span

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


@settings(max_examples=300, deadline=None)
@given(findings, st.sampled_from(list(Encoding)))
def test_published_json_is_the_unstructured_diagnostic(
    finding: Finding, encoding: Encoding
) -> None:
    lines = LineIndex(TEXT)
    expected = default_converter().unstructure(to_diagnostic(finding, lines, encoding, locate))
    assert diagnostic_json(finding, lines, encoding, locate) == expected
