"""The memory of workspace symbols' positions: kept per note while its summary is the same."""

from __future__ import annotations

from notels.lsp.symbol_positions import SymbolPositions
from notels.syntax.lines import Encoding
from notels.syntax.spans import Span
from notels.vault.summary import summarize_text


def test_positions_last_while_the_summary_object_and_the_encoding_do() -> None:
    memory = SymbolPositions()
    summary = summarize_text("# A\n")
    first = memory.of_note("a.md", summary, Encoding.UTF16)
    assert first == {}
    assert first is not None
    first[Span(0, 3)] = (0, 0, 0, 3)
    assert memory.of_note("a.md", summary, Encoding.UTF16) is first
    # An equal summary of a text read again is another object: its text may break lines apart.
    assert memory.of_note("a.md", summarize_text("# A\n"), Encoding.UTF16) == {}
    again = memory.of_note("a.md", summary, Encoding.UTF16)
    assert again == {}
    assert again is not None
    again[Span(0, 3)] = (0, 0, 0, 3)
    assert memory.of_note("a.md", summary, Encoding.UTF8) == {}
    assert memory.of_note("gone.md", None, Encoding.UTF8) is None


def test_a_full_memory_starts_afresh() -> None:
    memory = SymbolPositions(most_notes=2)
    summary = summarize_text("# A\n")
    for path in ("a.md", "b.md"):
        positions = memory.of_note(path, summary, Encoding.UTF16)
        assert positions is not None
        positions[Span(0, 3)] = (0, 0, 0, 3)
    assert memory.of_note("b.md", summary, Encoding.UTF16)  # known notes stay
    memory.of_note("c.md", summary, Encoding.UTF16)
    assert memory.of_note("a.md", summary, Encoding.UTF16) == {}
