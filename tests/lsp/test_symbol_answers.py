"""The memory of workspace symbols' answers: kept per note while its summary, its editor URI
and the form of answers (encoding, ranges resolved later) are the same."""

from __future__ import annotations

from notels.lsp.symbol_answers import SymbolAnswers
from notels.syntax.lines import Encoding
from notels.vault.summary import summarize_text

UTF16 = (Encoding.UTF16, False)
URI = None  # not open in the editor


def test_answers_last_while_the_summary_object_the_uri_and_the_form_do() -> None:
    memory = SymbolAnswers()
    summary = summarize_text("# A\n")
    first = memory.of_note("a.md", summary, URI, UTF16)
    assert first == {}
    assert first is not None
    first["A"] = {"name": "A"}
    assert memory.of_note("a.md", summary, URI, UTF16) is first
    # An equal summary of a text read again is another object: its text may break lines apart.
    assert memory.of_note("a.md", summarize_text("# A\n"), URI, UTF16) == {}
    again = memory.of_note("a.md", summary, URI, UTF16)
    assert again == {}
    assert again is not None
    again["A"] = {"name": "A"}
    # Opened in the editor, the note is named by the editor's URI.
    assert memory.of_note("a.md", summary, "file:///V/a.md", UTF16) == {}
    opened = memory.of_note("a.md", summary, "file:///V/a.md", UTF16)
    assert opened is not None
    opened["A"] = {"name": "A"}
    assert memory.of_note("a.md", summary, "file:///V/a.md", UTF16) is opened
    assert memory.of_note("a.md", summary, URI, UTF16) == {}
    kept = memory.of_note("a.md", summary, URI, UTF16)
    assert kept is not None
    kept["A"] = {"name": "A"}
    assert memory.of_note("a.md", summary, URI, (Encoding.UTF8, False)) == {}
    kept = memory.of_note("a.md", summary, URI, (Encoding.UTF8, False))
    assert kept is not None
    kept["A"] = {"name": "A"}
    assert memory.of_note("a.md", summary, URI, (Encoding.UTF8, True)) == {}
    assert memory.of_note("gone.md", None, URI, UTF16) is None


def test_a_full_memory_starts_afresh() -> None:
    memory = SymbolAnswers(most_notes=2)
    summary = summarize_text("# A\n")
    for path in ("a.md", "b.md"):
        answers = memory.of_note(path, summary, URI, UTF16)
        assert answers is not None
        answers["A"] = {"name": "A"}
    assert memory.of_note("b.md", summary, URI, UTF16)  # known notes stay
    memory.of_note("c.md", summary, URI, UTF16)
    assert memory.of_note("a.md", summary, URI, UTF16) == {}
