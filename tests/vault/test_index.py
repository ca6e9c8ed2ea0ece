"""The vault index: Obsidian's link resolution, and updates by one note's delta."""

from __future__ import annotations

import gc
import weakref

from hypothesis import given, settings
from hypothesis import strategies as st

from notels.syntax.note import parse_note
from notels.vault.index import VaultIndex
from notels.vault.resolve import ResolutionKind
from notels.vault.summary import NoteSummary, moved_only, summarize
from vaults import build_index

NOTES = {
    "Эмбеддинги.md": "---\naliases:\n  - Embeddings\n---\n# Раздел\ntext ^blk\n",
    "ml/Word2Vec.md": "[[Эмбеддинги]] [[embeddings]] #ml/nlp\n",
    "archive/deep/Word2Vec.md": "old\n",
    "ml/sub/Note.md": "x\n",
}


def resolve(index: VaultIndex, target: str, source: str = "ml/Word2Vec.md"):
    return index.resolve_target(target, source)


def test_stem_resolution_is_case_insensitive_and_ignores_md() -> None:
    index = build_index(NOTES)
    for target in ("эмбеддинги", "Эмбеддинги.md", "ЭМБЕДДИНГИ"):
        assert resolve(index, target).paths == ("Эмбеддинги.md",)


def test_alias_resolves_to_its_note() -> None:
    resolution = resolve(build_index(NOTES), "EMBEDDINGS")
    assert resolution.paths == ("Эмбеддинги.md",) and resolution.via_alias


def test_same_name_in_two_folders_prefers_the_one_closest_to_the_root() -> None:
    resolution = resolve(build_index(NOTES), "Word2Vec")
    assert resolution.kind is ResolutionKind.AMBIGUOUS
    assert resolution.paths == ("ml/Word2Vec.md", "archive/deep/Word2Vec.md")


def test_paths_resolve_from_the_root_relatively_and_by_suffix() -> None:
    index = build_index(NOTES)
    assert resolve(index, "archive/deep/Word2Vec").paths == ("archive/deep/Word2Vec.md",)
    assert resolve(index, "sub/Note").paths == ("ml/sub/Note.md",)  # relative to ml/
    assert resolve(index, "deep/Word2Vec", "Эмбеддинги.md").paths == ("archive/deep/Word2Vec.md",)
    assert resolve(index, "nowhere/Note").kind is ResolutionKind.UNRESOLVED


def test_a_path_resolves_from_the_linking_notes_folder_every_time() -> None:
    # Path targets are memoized by the linking note's folder: each folder keeps its own answer,
    # and a new note replaces them all.
    index = build_index(NOTES)
    sources = ("ml/Word2Vec.md", "archive/deep/Word2Vec.md", "ml/sub/Note.md") * 2
    found = [resolve(index, "./Word2Vec", source).paths for source in sources]
    assert found[:3] == found[3:]
    assert found[:2] == [("ml/Word2Vec.md",), ("archive/deep/Word2Vec.md",)]
    assert resolve(index, "./Word2Vec", "ml/sub/Note.md").kind is ResolutionKind.AMBIGUOUS
    index.set_note("ml/sub/Word2Vec.md", parse_note("new\n"))
    assert resolve(index, "./Word2Vec", "ml/sub/Note.md").paths == ("ml/sub/Word2Vec.md",)
    assert resolve(index, "./Word2Vec", "ml/Word2Vec.md").paths == ("ml/Word2Vec.md",)


def test_paths_differing_in_case_resolve_to_the_smallest_every_time() -> None:
    # `A.md` and `a.md` share a key held by the smallest; when it comes or goes, a path
    # target memoized before must follow the key.
    index = VaultIndex()
    index.set_note("a.md", parse_note("# two\n"))
    assert resolve(index, "/a", "x/Src.md").paths == ("a.md",)
    index.set_note("A.md", parse_note("# one\n"))
    assert resolve(index, "/a", "x/Src.md").paths == ("A.md",)
    index.set_note("a.md", parse_note("# changed\n"))
    assert resolve(index, "/a", "x/Src.md").paths == ("A.md",)
    index.remove_note("A.md")
    assert resolve(index, "/a", "x/Src.md").paths == ("a.md",)


def test_attachments_resolve_by_name_anywhere() -> None:
    index = build_index(NOTES, attachments=("pics/Img.PNG",))
    assert resolve(index, "img.png").kind is ResolutionKind.ATTACHMENT
    assert resolve(index, "other.png").kind is ResolutionKind.UNRESOLVED


def test_backlinks_tags_and_cards_are_indexed() -> None:
    index = build_index(NOTES)
    assert index.linkers_of("Эмбеддинги.md") == {"ml/Word2Vec.md"}
    assert index.notes_with_tag("ML/NLP") == {"ml/Word2Vec.md"}


notes_strategy = st.dictionaries(
    st.sampled_from(["a.md", "b.md", "dir/c.md", "dir/a.md"]),
    st.lists(
        st.sampled_from(
            [
                "[[a]]",
                "[[c]]",
                "#t",
                "#t/x",
                "\n",
                "START\nBasic\nFront: q\nID: 1737306548883\nEND\n",
                "---\naliases: [c]\ntags: [q]\n---\n",
                "# H\n",
                "TARGET DECK: d\n",
                "words ",
            ]
        ),
        max_size=8,
    ).map("".join),
)


def snapshot(index: VaultIndex) -> object:
    return (
        sorted(index.notes),
        sorted(
            (k, sorted((loc.path, loc.span) for loc in index.card_locations(k)))
            for k in index.card_ids()
        ),
        sorted(index.tags()),
        sorted(index.decks().items()),
        sorted(index.note_types().items()),
        {path: sorted(index.linkers_of(path)) for path in index.notes},
        {t: resolve(index, t, "a.md") for t in ("a", "c", "dir/a")},
    )


@settings(max_examples=150, deadline=None)
@given(notes_strategy, notes_strategy)
def test_updating_note_by_note_equals_building_from_scratch(
    before: dict[str, str], after: dict[str, str]
) -> None:
    index = build_index(before)
    for path in set(before) - set(after):
        index.remove_note(path)
    for path, text in after.items():
        index.set_note(path, parse_note(text))
    assert snapshot(index) == snapshot(build_index(after))


@settings(max_examples=150, deadline=None)
@given(notes_strategy, st.integers(0, 10_000), st.sampled_from(["ж", "words\n", "\n\n", "😀 x"]))
def test_text_typed_above_headings_and_cards_moves_their_positions(
    notes: dict[str, str], where: int, typed: str
) -> None:
    """Prose typed into a note shifts its headings, cards and card IDs: the index answers as if
    built from the new texts, and moved_only tells such a change from one that renames."""
    notes = {**notes, "a.md": notes.get("a.md", "") + "\n# H\nSTART\nBasic\nFront: q\nID: 1\nEND\n"}
    index = build_index(notes)
    text = notes["a.md"]
    cut = where % (len(text) + 1)
    # At a line start: typed prose that joins no keyword line and opens no construct.
    cut = text.rfind("\n", 0, cut) + 1
    edited = text[:cut] + typed + "\n" + text[cut:]
    index.set_note("a.md", parse_note(edited))
    after = {**notes, "a.md": edited}
    assert snapshot(index) == snapshot(build_index(after))
    assert index.summary("a.md") == summarize(parse_note(edited))


def test_moved_only_tells_moved_positions_from_renamed_contributions() -> None:
    base = "---\naliases: [A]\n---\nintro\n# H\n[[x]]\nSTART\nBasic\nFront: q\nID: 1\nEND\n"

    def summary(text: str) -> NoteSummary:
        return summarize(parse_note(text))

    moved = base.replace("# H", "prose 😀\n\n# H")
    assert summary(moved) != summary(base)
    assert moved_only(summary(base), summary(moved))
    renames = [("# H", "# H2"), ("[[x]]", "[[y]]"), ("ID: 1", "ID: 2"), ("[A]", "[B]")]
    renames += [("Front: q", "Front: other"), ("intro", "other intro")]
    for old, new in renames:
        assert not moved_only(summary(base), summary(base.replace(old, new))), new


def test_a_dropped_index_is_freed_without_the_cyclic_collector() -> None:
    """The server replaces its index on every indexing run and defers the cyclic collector
    until its client pauses (and freezes what survives a run): a dropped index must go by
    reference counting alone, or a whole vault's summaries stay in memory meanwhile."""
    index = VaultIndex(lambda path: None)
    index.set_note("a.md", parse_note("# A\n[[b]]\n"))
    assert index.notes.get("a.md") is not None
    dropped = weakref.ref(index)
    enabled = gc.isenabled()
    gc.disable()
    try:
        del index
        assert dropped() is None
    finally:
        if enabled:
            gc.enable()
