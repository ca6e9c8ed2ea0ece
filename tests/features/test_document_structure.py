"""Clickable links, folding ranges and selection ranges of a note."""

from __future__ import annotations

from featurekit import cursor, vault

from notels.config import Config
from notels.features import (
    FoldingKind,
    LinkKind,
    document_links,
    folding_ranges,
    selection_ranges,
)
from notels.syntax.note import parse_note

TARGET = "# Intro\nText ^blk\n"
TEXT = (
    '---\nparent:\n  - "[[Target]]"\n---\n'
    "See [[Target#Intro|the intro]], [[Target#^blk]], ![[pic.png]] and [[Nowhere]].\n"
    "Docs: https://example.org/a_(b)., [site](https://obsidian.md/help).\n"
    "`https://in.code/x` [[#Local]]\n"
    "# Local\nBody.\n"
)


def links() -> list[tuple[str, str, str, str | None]]:
    """(clicked text, kind, target, target text in the target note)."""
    index = vault({"Target.md": TARGET, "Note.md": TEXT}, ("img/pic.png",))
    found = document_links(index, "Note.md", index.notes["Note.md"], Config())
    texts = {"Target.md": TARGET, "Note.md": TEXT}
    return [
        (
            link.span.slice(TEXT),
            link.kind.value,
            link.target,
            link.target_span.slice(texts[link.target]) if link.target_span else None,
        )
        for link in found
    ]


def test_wikilinks_urls_and_embeds_are_clickable_in_document_order():
    assert links() == [
        ("Target", "note", "Target.md", None),  # in the frontmatter
        ("Target", "note", "Target.md", "# Intro"),
        ("Target", "note", "Target.md", "Text ^blk"),
        ("pic.png", "attachment", "img/pic.png", None),
        ("https://example.org/a_(b)", "url", "https://example.org/a_(b)", None),
        ("https://obsidian.md/help", "url", "https://obsidian.md/help", None),
        ("Local", "note", "Note.md", "# Local"),  # `[[#Local]]`: the heading part
    ]


def test_broken_links_and_urls_in_code_are_not_links():
    clicked = [text for text, *_ in links()]
    assert "Nowhere" not in clicked
    assert not any("in.code" in text for text in clicked)
    assert LinkKind.URL.value == "url"


def test_folding_frontmatter_sections_and_cards():
    text = (
        "---\ntags: [a]\n---\n# Top\nText\n\n## Sub\nMore\n\n"
        "# Anki\nSTART\nBasic\nFront: q\nEND\n# One line\n"
    )
    ranges = folding_ranges(vault({}), "a.md", parse_note(text), Config())
    assert [(r.kind, r.span.slice(text)) for r in ranges] == [
        (FoldingKind.FRONTMATTER, "---\ntags: [a]\n---"),
        (FoldingKind.SECTION, "# Top\nText\n\n## Sub\nMore"),
        (FoldingKind.SECTION, "## Sub\nMore"),
        (FoldingKind.SECTION, "# Anki\nSTART\nBasic\nFront: q\nEND"),
        (FoldingKind.CARD, "START\nBasic\nFront: q\nEND"),
    ]


def test_selection_grows_from_the_word_to_the_link_line_section_and_note():
    marked = "# Top\nSee [[Word Embe‸ddings|vectors]] here.\n"
    text, offset = cursor(marked)
    (selection,) = selection_ranges(vault({}), "a.md", parse_note(text), [offset], Config())
    assert [span.slice(text) for span in selection.spans] == [
        "Embeddings",
        "Word Embeddings",
        "[[Word Embeddings|vectors]]",
        "See [[Word Embeddings|vectors]] here.",
        "# Top\nSee [[Word Embeddings|vectors]] here.",
        text,
    ]


def test_a_heading_inside_a_card_folds_inside_the_card():
    text = "# Anki\nSTART\nBasic\nFront: q\n# Step one\nBack: a\nEND\n# Next\nx\n"
    ranges = folding_ranges(vault({}), "a.md", parse_note(text), Config())
    assert [(r.kind, r.span.slice(text)) for r in ranges] == [
        (FoldingKind.SECTION, "# Anki\nSTART\nBasic\nFront: q\n# Step one\nBack: a\nEND"),
        (FoldingKind.CARD, "START\nBasic\nFront: q\n# Step one\nBack: a\nEND"),
        (FoldingKind.SECTION, "# Step one\nBack: a\nEND"),
        (FoldingKind.SECTION, "# Next\nx"),
    ]
