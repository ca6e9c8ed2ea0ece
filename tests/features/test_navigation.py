"""Go to definition, find references and hover over links, headings, blocks, tags and IDs."""

from __future__ import annotations

from featurekit import cursor, vault

from notels.config import Config
from notels.features import Location, definition, hover, references
from notels.syntax.note import Note, parse_note
from notels.syntax.spans import Span
from notels.vault.index import VaultIndex

EMBEDDINGS = (
    "---\naliases:\n  - Эмбеддинги\n---\n"
    "Dense vectors for discrete objects.\n\n"
    "# Word embeddings\nLearned from contexts ^vec-def\n\n"
    "## Training\nUse negative sampling.\n\n"
    "# Anki\nSTART\nBasic\nFront: q\nID: 1737306548883\nEND\n"
)
NOTES = {
    "ml/Embeddings.md": EMBEDDINGS,
    "ml/Word2Vec.md": (
        '---\nparent:\n  - "[[Embeddings]]"\n---\n'
        "Builds [[Embeddings#Word embeddings|word vectors]], see [[Эмбеддинги]].\n"
        "Definition: [[Embeddings#^vec-def]]. #ml/nlp\n"
        "START\nBasic\nFront: copy\nID: 1737306548883\nEND\n"
    ),
    "ml/GloVe.md": "---\ntags: [ml/nlp]\n---\nLike [[ml/Embeddings|these]] and [[Word2Vec]].\n",
    "Archive/Basis.md": "Old.\n",
    "Linear Algebra/Basis.md": "New.\n",
    "Index.md": "[[Basis]] ![[diagram.png|300]] [[Missing note]] [[Missing note]]\n",
}
ATTACHMENTS = ("img/diagram.png",)
CONFIG = Config()


def make_vault() -> VaultIndex:
    return vault(NOTES, ATTACHMENTS)


def at(index: VaultIndex, path: str, marked: str) -> tuple[Note, int]:
    """The indexed note `path`, with the offset where `marked` (the note's text with a `‸`)
    places the cursor."""
    text, offset = cursor(marked)
    note = index.notes[path]
    assert note.text == text
    return note, offset


def mark(path: str, before: str) -> str:
    """The text of `path` with the cursor right after the first occurrence of `before`."""
    text = NOTES[path]
    end = text.index(before) + len(before)
    return text[:end] + "‸" + text[end:]


def span_of(path: str, fragment: str, nth: int = 0) -> Span:
    text = NOTES[path]
    start = -1
    for _ in range(nth + 1):
        start = text.index(fragment, start + 1)
    return Span(start, start + len(fragment))


def go(path: str, before: str) -> tuple[Location, ...]:
    index = make_vault()
    note, offset = at(index, path, mark(path, before))
    return definition(index, path, note, offset, CONFIG)


def refs(path: str, before: str, include_declaration: bool = False) -> list[tuple[str, str]]:
    """References as (path, the text they cover)."""
    index = make_vault()
    note, offset = at(index, path, mark(path, before))
    found = references(index, path, note, offset, CONFIG, include_declaration)
    return [(loc.path, NOTES[loc.path][loc.span.start : loc.span.end]) for loc in found]


# --- definition -------------------------------------------------------------------------------


def test_definition_of_a_link_is_the_note():
    assert go("ml/GloVe.md", "[[Word2") == (Location("ml/Word2Vec.md", Span(0, 0)),)


def test_every_part_of_the_link_leads_there():
    for before in ("Like ", "Like [", "Like [[ml/Emb", "[[ml/Embeddings|the", "these]]"):
        assert go("ml/GloVe.md", before) == (Location("ml/Embeddings.md", Span(0, 0)),), before


def test_definition_of_a_heading_link_is_the_heading():
    (location,) = go("ml/Word2Vec.md", "[[Embeddings#Word")
    assert location == Location(
        "ml/Embeddings.md", span_of("ml/Embeddings.md", "# Word embeddings")
    )


def test_definition_of_a_block_link_is_the_blocks_line():
    (location,) = go("ml/Word2Vec.md", "^vec")
    assert location.path == "ml/Embeddings.md"
    assert location.span == span_of("ml/Embeddings.md", "Learned from contexts ^vec-def")


def test_definition_of_a_frontmatter_link():
    assert go("ml/Word2Vec.md", '"[[Emb') == (Location("ml/Embeddings.md", Span(0, 0)),)


def test_an_alias_link_leads_to_its_note():
    assert go("ml/Word2Vec.md", "[[Эмб") == (Location("ml/Embeddings.md", Span(0, 0)),)


def test_an_ambiguous_link_offers_every_candidate_obsidians_pick_first():
    assert go("Index.md", "[[Bas") == (
        Location("Archive/Basis.md", Span(0, 0)),
        Location("Linear Algebra/Basis.md", Span(0, 0)),
    )


def test_an_embed_leads_to_the_attachment_file():
    assert go("Index.md", "![[diag") == (Location("img/diagram.png", Span(0, 0)),)


def test_a_same_note_heading_link():
    text = "# Top\n\nSee [[#Top]].\n"
    index = vault({"a.md": text})
    note = index.notes["a.md"]
    assert definition(index, "a.md", note, text.index("#Top]"), CONFIG) == (
        Location("a.md", Span(0, 5)),
    )


PROOFS = "# Теорема A\n## Доказательство\nпервое\n# Теорема B\n## Доказательство\nвторое\n"


def test_a_heading_path_leads_to_the_namesake_under_its_section():
    text = "[[T#Доказательство]] [[T#Теорема B#Доказательство]]\n"
    index = vault({"T.md": PROOFS, "a.md": text})
    note = index.notes["a.md"]
    first, second = (index.notes["T.md"].headings[i].span for i in (1, 3))
    assert definition(index, "a.md", note, 3, CONFIG) == (Location("T.md", first),)
    at = text.index("Теорема B")
    assert definition(index, "a.md", note, at, CONFIG) == (Location("T.md", second),)
    hovered = hover(index, "a.md", note, at, CONFIG)
    assert hovered is not None and "второе" in hovered.markdown and "первое" not in hovered.markdown
    # References from the second heading: only the link whose path reaches it.
    proofs = index.notes["T.md"]
    found = references(index, "T.md", proofs, second.start + 4, CONFIG)
    assert [(loc.path, loc.span.slice(text)) for loc in found] == [
        ("a.md", "[[T#Теорема B#Доказательство]]")
    ]


def test_no_definition_off_links_or_for_broken_ones():
    assert go("Index.md", "[[Missing") == ()
    assert go("ml/GloVe.md", "Li") == ()


# --- references -------------------------------------------------------------------------------


def test_references_of_a_link_are_all_links_to_that_note():
    # By name, by alias, by path, from frontmatter and with a heading or block: all count.
    assert refs("ml/GloVe.md", "[[Word2") == [("ml/GloVe.md", "[[Word2Vec]]")]
    assert refs("ml/Word2Vec.md", '"[[Emb') == [
        ("ml/GloVe.md", "[[ml/Embeddings|these]]"),
        ("ml/Word2Vec.md", "[[Embeddings]]"),
        ("ml/Word2Vec.md", "[[Embeddings#Word embeddings|word vectors]]"),
        ("ml/Word2Vec.md", "[[Эмбеддинги]]"),
        ("ml/Word2Vec.md", "[[Embeddings#^vec-def]]"),
    ]


def test_references_of_a_heading_link_are_the_links_to_that_heading():
    assert refs("ml/Word2Vec.md", "[[Embeddings#Wo") == [
        ("ml/Word2Vec.md", "[[Embeddings#Word embeddings|word vectors]]")
    ]


def test_references_on_a_heading_line():
    assert refs("ml/Embeddings.md", "# Word emb") == [
        ("ml/Word2Vec.md", "[[Embeddings#Word embeddings|word vectors]]")
    ]
    assert refs("ml/Embeddings.md", "# Word emb", include_declaration=True)[0] == (
        "ml/Embeddings.md",
        "# Word embeddings",
    )


def test_references_on_a_block_id():
    assert refs("ml/Embeddings.md", "^vec") == [("ml/Word2Vec.md", "[[Embeddings#^vec-def]]")]


def test_references_from_the_frontmatter_are_all_backlinks():
    assert len(refs("ml/Embeddings.md", "alias")) == 5


def test_references_of_a_tag_in_body_and_frontmatter():
    assert refs("ml/Word2Vec.md", "#ml/n") == [
        ("ml/GloVe.md", "ml/nlp"),
        ("ml/Word2Vec.md", "#ml/nlp"),
    ]


def test_references_of_an_anki_id_are_the_cards_carrying_it():
    assert refs("ml/Embeddings.md", "ID: 17") == [
        ("ml/Embeddings.md", "ID: 1737306548883"),
        ("ml/Word2Vec.md", "ID: 1737306548883"),
    ]


def test_references_of_an_attachment_and_of_a_missing_note():
    assert refs("Index.md", "![[dia") == [("Index.md", "![[diagram.png|300]]")]
    assert refs("Index.md", "[[Miss") == [
        ("Index.md", "[[Missing note]]"),
        ("Index.md", "[[Missing note]]"),
    ]


def test_references_use_the_unsaved_text_of_the_current_document():
    index = make_vault()
    text = "New [[Word2Vec]] link"
    note = parse_note(text)  # not in the index yet
    found = references(index, "ml/GloVe.md", note, 6, CONFIG)
    assert [(loc.path, loc.span) for loc in found] == [("ml/GloVe.md", Span(4, 16))]


# --- hover ------------------------------------------------------------------------------------


def hover_at(path: str, before: str) -> str:
    index = make_vault()
    note, offset = at(index, path, mark(path, before))
    result = hover(index, path, note, offset, CONFIG)
    assert result is not None
    return result.markdown


def test_hover_on_a_link_previews_the_note_without_frontmatter():
    text = hover_at("ml/GloVe.md", "[[ml/Emb")
    assert text.startswith("**Embeddings** · `ml/Embeddings.md`\n\n---\n\nDense vectors")
    assert "aliases" not in text


def test_hover_on_a_heading_link_shows_the_section():
    text = hover_at("ml/Word2Vec.md", "[[Embeddings#Wo")
    assert text.endswith(
        "# Word embeddings\nLearned from contexts ^vec-def\n\n## Training\nUse negative sampling."
    )


def test_hover_on_an_ambiguous_link_says_so():
    text = hover_at("Index.md", "[[Bas")
    assert text.startswith(
        "*2 notes are named `Basis.md`: Obsidian opens the one shown; also `Linear Algebra/Basis.md`.*"
    )
    assert "`Archive/Basis.md`" in text


def test_hover_on_a_link_by_a_shared_alias_says_the_alias_is_shared():
    notes = {"T.md": "---\naliases: [Nick]\n---\nT.\n", "U.md": "---\naliases: [Nick]\n---\nU.\n"}
    index = vault({**notes, "Index.md": "See [[Nick]].\n"})
    note, offset = at(index, "Index.md", "See [[Ni‸ck]].\n")
    result = hover(index, "Index.md", note, offset, CONFIG)
    assert result is not None
    assert result.markdown.startswith(
        "*2 notes have the alias `Nick`: the link opens the one shown; also `U.md`.*"
    )


def test_hover_on_a_broken_link():
    assert (
        hover_at("Index.md", "[[Miss")
        == "No note named `Missing note` in the vault: the link is broken."
    )


def test_hover_on_an_id_tells_its_time_and_whether_it_is_unique():
    assert hover_at("ml/Embeddings.md", "ID: 17") == (
        "**Anki note ID** `1737306548883`\n\n"
        "Created 2025-01-19 17:09:08.883 UTC.\n\n"
        "Carried by 2 cards (`ml/Embeddings.md`, `ml/Word2Vec.md`): in Anki they overwrite each other."
    )
    index = vault({"a.md": "START\nBasic\nFront: q\nID: 1737306548999\nEND\n"})
    note = index.notes["a.md"]
    result = hover(index, "a.md", note, note.text.index("ID:"), CONFIG)
    assert result is not None
    assert result.markdown.endswith("Unique in the vault.")
    assert result.span == Span(21, 38)  # the `ID:` line


def test_hover_on_a_tag_counts_its_notes():
    assert hover_at("ml/Word2Vec.md", "#ml/n") == "`#ml/nlp`: used in 2 notes."


def test_no_hover_on_plain_text():
    index = make_vault()
    note = index.notes["ml/GloVe.md"]
    assert hover(index, "ml/GloVe.md", note, note.text.index("Like"), CONFIG) is None
