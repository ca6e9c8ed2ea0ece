"""Findings that notes as Obsidian users write them do not deserve, rule by rule."""

from __future__ import annotations

from vaults import findings_for

DECK = "TARGET DECK: stem::math\n"


def _codes(notes: dict[str, str], path: str) -> list[str]:
    return [f.code for f in findings_for(notes, path)]


def test_repeated_prose_prefix_in_a_field_is_no_duplicate_field():
    """rules.md, unknown-field: "a line such as `A: a finite set` or `Example: ...` is prose,
    not a field". With the type's fields unknown (one card: no inference), duplicate-field
    read the second `Example:` line as the field `Example` written twice."""
    text = DECK + (
        "START\nmath_basic_single\nFRONT: Examples of metric spaces?\nBACK: Two:\n"
        "Example: the real line\nExample: the discrete metric\nID: 1737306548883\nEND\n"
    )
    assert "duplicate-field" not in _codes({"a.md": text}, "a.md")


def test_obsidian_comment_and_dataview_query_are_no_content_for_stale_fix_empty():
    """DIALECT.md: `fix/empty`: "the note still lacks its content". A `%%` prompt (hidden in
    reading view) and a Dataview query are not content a reader sees."""
    text = (
        "---\ntags: [fix/empty]\n---\n# Definition\n"
        "%% Write the definition here: one sentence, then an example, the intuition behind it "
        "and the main theorem that uses it. %%\n"
        "```dataview\nLIST FROM [[]] WHERE file.name != this.file.name SORT file.mtime DESC\n```\n"
    )
    assert "stale-fix-empty" not in _codes({"a.md": text}, "a.md")


def test_a_query_block_ends_at_its_fence_in_any_line_ends():
    """The words after a Dataview block are content in CRLF and lone-CR notes as in LF ones:
    the block ran to the end of the note there (review s30), and a note of 40 words after it
    was called empty."""
    words = " ".join(f"слово{n}" for n in range(40))
    for eol in ("\n", "\r\n", "\r"):
        text = eol.join(["# Заметка", "```dataview", "LIST FROM #тег", "```", words, ""])
        assert "empty-note" not in _codes({"a.md": text}, "a.md"), repr(eol)
        tagged = eol.join(["---", "tags: [fix/empty]", "---", text])
        assert "stale-fix-empty" in _codes({"a.md": tagged}, "a.md"), repr(eol)
