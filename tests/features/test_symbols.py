"""The outline of a note (document symbols) and the vault-wide symbol search."""

from __future__ import annotations

import pytest
from featurekit import vault

from notels.config import Config
from notels.features import DocumentSymbol, SymbolKind, document_symbols, workspace_symbols
from notels.syntax.note import parse_note
from notels.syntax.spans import Span

NOTE = (
    "---\ntags: [ml]\n---\n"
    "# Embeddings\nIntro.\n\n"
    "## Properties\nDense.\n\n"
    "## Uses\nNLP.\n\n"
    "# Anki\n"
    "TARGET DECK: stem::ml\n"
    "START\nmath_complex\nFRONT: Embedding  \nBACK: A dense vector.\nID: 1737306548883\nEND\n\n"
    "START\nBasic\nFront: What is word2vec?\nEND\n"
)


def outline(symbols: tuple[DocumentSymbol, ...], depth: int = 0) -> list[str]:
    lines: list[str] = []
    for symbol in symbols:
        lines.append("  " * depth + f"{symbol.kind.value}: {symbol.name}")
        lines.extend(outline(symbol.children, depth + 1))
    return lines


def test_headings_form_a_tree_and_cards_sit_under_their_heading():
    index = vault({"Embeddings.md": NOTE})
    symbols = document_symbols(index, "Embeddings.md", index.notes["Embeddings.md"], Config())
    assert outline(symbols) == [
        "heading: Embeddings",
        "  heading: Properties",
        "  heading: Uses",
        "heading: Anki",
        "  card: math_complex: Embedding",
        "  card: Basic: What is word2vec?",
    ]


def test_a_heading_inside_a_card_is_the_cards_text_and_every_child_is_inside_its_parent():
    text = "# Anki\nSTART\nBasic\nFront: q\n# Step one\nBack: a\nEND\n# Next\nx\n"
    index = vault({"a.md": text})
    symbols = document_symbols(index, "a.md", index.notes["a.md"], Config())
    assert outline(symbols) == ["heading: Anki", "  card: Basic: q", "heading: Next"]

    def nested(symbol: DocumentSymbol) -> bool:
        return all(
            symbol.span.start <= child.span.start
            and child.span.end <= symbol.span.end
            and nested(child)
            for child in symbol.children
        )

    assert all(nested(symbol) for symbol in symbols)


def test_a_headings_range_is_its_section_and_its_selection_the_heading_text():
    note = parse_note(NOTE)
    embeddings, anki = document_symbols(vault({}), "Embeddings.md", note, Config())
    assert (
        embeddings.span.slice(NOTE)
        == "# Embeddings\nIntro.\n\n## Properties\nDense.\n\n## Uses\nNLP."
    )
    assert embeddings.selection_span.slice(NOTE) == "Embeddings"
    assert embeddings.children[0].span.slice(NOTE) == "## Properties\nDense."
    card = anki.children[0]
    assert card.span.slice(NOTE).startswith("START\nmath_complex") and card.span.slice(
        NOTE
    ).endswith("END")
    assert card.selection_span.slice(NOTE) == "START"
    assert card.detail == "ID 1737306548883"
    assert anki.children[1].detail == "no ID yet"


def test_cards_before_any_heading_are_top_level_and_unclosed_ones_are_shown():
    text = "START\nBasic\nFront: q\nEND\n# Later\nSTART\nBasic\nFront: lost\n"
    symbols = document_symbols(vault({}), "a.md", parse_note(text), Config())
    assert outline(symbols) == ["card: Basic: q", "heading: Later", "  card: Basic: lost"]
    assert symbols[1].children[0].detail == "unclosed: the plugin skips it"


def test_a_long_front_is_shortened():
    text = "START\nBasic\nFront: " + "x" * 100 + "\nEND\n"
    (symbol,) = document_symbols(vault({}), "a.md", parse_note(text), Config())
    assert symbol.name == "Basic: " + "x" * 59 + "…"


# --- workspace symbols ------------------------------------------------------------------------

VAULT = {
    "ml/Embeddings.md": NOTE,
    "ml/Word Embeddings.md": "---\naliases: [Векторы слов]\n---\n# Skip-gram\n",
    "Топология/Компактность.md": "# Определение\n",
}


def found(query: str) -> list[tuple[str, str, str]]:
    symbols = workspace_symbols(vault(VAULT), query, Config())
    return [(s.kind.value, s.name, s.container) for s in symbols]


def test_exact_then_prefix_then_word_start_and_notes_before_headings():
    assert found("embedding") == [
        ("card", "math_complex: Embedding", "ml/Embeddings.md"),  # the front text is exact
        ("note", "Embeddings", "ml/Embeddings.md"),
        ("heading", "Embeddings", "ml/Embeddings.md"),
        ("note", "Word Embeddings", "ml/Word Embeddings.md"),
    ]


def test_aliases_headings_and_cards_are_found_by_their_text():
    assert found("векторы") == [("alias", "Векторы слов", "ml/Word Embeddings.md")]
    assert found("skip") == [("heading", "Skip-gram", "ml/Word Embeddings.md")]
    assert found("word2vec") == [("card", "Basic: What is word2vec?", "ml/Embeddings.md")]


def test_typos_are_tolerated():
    assert found("компактнсть")[0] == ("note", "Компактность", "Топология/Компактность.md")


def test_locations_point_at_the_item():
    index = vault(VAULT)
    by_name = {(s.kind, s.name): s for s in workspace_symbols(index, "", Config())}
    assert by_name[SymbolKind.NOTE, "Embeddings"].location.span == Span(0, 0)  # its start
    alias = by_name[SymbolKind.ALIAS, "Векторы слов"].location
    assert alias.span.slice(VAULT[alias.path]) == "Векторы слов"
    skip = by_name[SymbolKind.HEADING, "Skip-gram"].location
    assert skip.span.slice(VAULT[skip.path]) == "# Skip-gram"


def test_the_search_follows_edits():
    index = vault(VAULT)
    assert found("renamed") == []
    index.set_note("ml/Word Embeddings.md", parse_note("# Renamed section\n"))
    assert [s.name for s in workspace_symbols(index, "renamed", Config())] == ["Renamed section"]
    index.remove_note("ml/Word Embeddings.md")
    assert workspace_symbols(index, "renamed", Config()) == ()


def test_text_typed_above_a_heading_moves_it_in_the_results():
    from notels.features.symbols import _table

    index = vault(VAULT)
    skip = "Skip-gram"
    before = {s.name: s.location for s in workspace_symbols(index, "skip", Config())}[skip]
    search = _table(index).built.search
    edited = VAULT[before.path].replace("# Skip", "Новый абзац 😀\n# Skip")
    index.set_note(before.path, parse_note(edited))
    after = {s.name: s.location for s in workspace_symbols(index, "skip", Config())}[skip]
    assert after.span.slice(edited) == "# Skip-gram"
    assert _table(index).built.search is search  # the same names: the built search is kept


def test_the_result_is_limited():
    notes = {f"n{i}.md": "" for i in range(300)}
    assert len(workspace_symbols(vault(notes), "n", Config(), limit=150)) == 150


def test_the_symbol_table_is_nothing_the_collector_scans():
    """The table lives as long as the vault: each full collection would scan what it holds.
    Was: an object and a Span per symbol, 166,000 tracked objects for 10,000 notes, 50-70 ms
    added to every later full collection, in the middle of whatever set it off."""
    import gc

    notes = {
        f"n{i}.md": f"# Heading {i}\n## Part\n\nSTART\nBasic\nFront: Q{i}\nEND\n"
        for i in range(500)
    }
    index = vault(notes)
    gc.collect()
    before = len(gc.get_objects())
    assert len(workspace_symbols(index, "head", Config())) == 150
    gc.collect()  # stops tracking tuples of strings and numbers
    assert len(gc.get_objects()) - before < 200  # 2,000 symbols


def test_what_is_built_long_lived_is_frozen_and_the_garbage_before_it_is_not():
    """`long_lived` builds as the index is built: frozen after, so that full collections skip
    it; but the cyclic garbage of the moment is collected first, not frozen for good."""
    import gc
    import weakref

    from notels.vault.loader import long_lived

    class Cycle:
        def __init__(self) -> None:
            self.me = self

    garbage = weakref.ref(Cycle())
    try:
        with long_lived():
            built = [Cycle() for _ in range(3)]
        assert garbage() is None
        assert all(cycle not in gc.get_objects() for cycle in built)  # frozen
    finally:
        gc.unfreeze()


WORDS = [
    "Theorem",
    "Lemma",
    "Kernel",
    "Матрица",
    "Ядро",
    "Machine",
    "Learning",
    "Граф",
    "Proof",
    "Topology",
    "Эмбеддинг",
    "Definition",
    "ml",
    "Anki",
    "Vector",
]
QUERIES = [
    "",
    "a",
    "th",
    "lem",
    "ker",
    "теор",
    "матр",
    "mach lear",
    "ml",
    "teorem",
    "Lema",
    "kernal",
    "topolgy",
    "def",
    "ядр",
    "vector",
    "anki",
    "proof",
    "z",
    "грф",
]


def _random_note(rng):
    def words(n):
        return " ".join(rng.choice(WORDS) for _ in range(n))

    lines = []
    if rng.random() < 0.4:
        lines += ["---", f"aliases: [{words(2)}, {words(1)}]", "---"]
    for _ in range(rng.randrange(0, 5)):
        lines += [f"{'#' * rng.randrange(1, 4)} {words(rng.randrange(1, 3))}", words(5), ""]
    for _ in range(rng.randrange(0, 3)):
        lines += [
            "START",
            rng.choice(["Basic", "math_complex"]),
            f"Front: {words(3)}",
            "Back: x",
            "END",
            "",
        ]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("seed", range(8))
def test_a_search_after_edits_finds_what_a_table_built_anew_finds(seed):
    """Notes whose symbols changed since the table was built are searched apart and merged in
    (building the table's search again took 0.25 s at 10,000 notes): every answer must equal,
    in order, the answer of a table built from scratch."""
    import random

    from notels.features import symbols

    rng = random.Random(seed)
    names = [
        f"{rng.choice(WORDS)} {i}.md" if i % 3 else f"Папка/{rng.choice(WORDS)} {i}.md"
        for i in range(120)
    ]
    index = vault({name: _random_note(rng) for name in names})
    limit = rng.choice([5, 20, 150])
    workspace_symbols(index, "warm", Config(), limit)
    for _ in range(12):
        for _ in range(rng.randrange(1, 6)):
            action = rng.random()
            path = rng.choice(names)
            if action < 0.7:
                index.set_note(path, parse_note(_random_note(rng)))
            elif action < 0.85 and path in index.summaries:
                index.remove_note(path)
            else:
                new = f"{rng.choice(WORDS)} new {rng.randrange(10**6)}.md"
                names.append(new)
                index.set_note(new, parse_note(_random_note(rng)))
        for query in rng.sample(QUERIES, 6):
            merged = workspace_symbols(index, query, Config(), limit)
            assert symbols._TABLES[index].apart  # searched apart, not built anew
            fresh = symbols._TABLES.pop(index)
            anew = workspace_symbols(index, query, Config(), limit)
            symbols._TABLES[index] = fresh
            assert merged == anew, query
