"""Ranking: the joined-string search agrees with testing each key."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from notels.features.fuzzy import SUBSTRING, WORDS, SearchKeys, rank


@given(
    st.lists(st.text(alphabet="ab (/-_1.\nя😀x", max_size=8), max_size=30),
    st.text(alphabet="ab (/-_1.я😀x", min_size=0, max_size=5),
    st.integers(1, 12),
)
def test_search_keys_rank_exactly_as_the_plain_loop(
    keys: list[str], query: str, limit: int
) -> None:
    """The indexed search files the same candidates in the same tiers, in the same order, as
    testing each key (keys holding its separator fall back to the loop)."""
    lowered = [key.lower() for key in keys]
    plain = rank(query, lowered, limit)
    searched = rank(query, lowered, limit, search=SearchKeys(lowered))
    assert searched == plain


def test_search_keys_find_word_starts_for_typos() -> None:
    keys = ["embeddings", "word (embedding)", "sub/embed", "non-embedded", "member", "x\ny"]
    ranked, _ = rank("embedidngs", keys, 10, search=SearchKeys(keys))
    assert [keys[m.index] for m in ranked][:1] == ["embeddings"]
    assert SearchKeys(keys).word_initial("e") is None  # a key holds the separator
    assert SearchKeys(keys[:5]).word_initial("e") == [0, 1, 2, 3]
    # A word starts after any character that is not a letter or digit, as for WORD_START.
    dotted = ["v2.embeddings", "old_embeddings", "«embeddings»", "membeddings"]
    assert SearchKeys(dotted).word_initial("e") == [0, 1, 2]
    ranked, _ = rank("embedidngs", dotted, 10, search=SearchKeys(dotted))
    assert sorted(m.index for m in ranked) == [0, 1, 2]


@given(
    st.lists(st.text(alphabet="ab (/-я", max_size=6), max_size=40),
    st.text(alphabet="ab я", max_size=4),
    st.lists(st.integers(0, 3), min_size=40, max_size=40),
    st.integers(1, 8),
)
def test_places_order_tiers_exactly_as_sorting(
    keys: list[str], query: str, weights: list[int], limit: int
) -> None:
    """With each key's place in rank's order (the completion catalog's), tiers are ordered and
    cut by place: the same matches as sorting by weight, length and key."""

    def weight(i: int) -> int:
        return weights[i]

    def places() -> list[int]:
        ranked = sorted(range(len(keys)), key=lambda i: (-weights[i], len(keys[i]), keys[i]))
        return [ranked.index(i) for i in range(len(keys))]

    from notels.features import fuzzy

    plain = rank(query, keys, limit, weight)
    places_from = fuzzy._PLACES_FROM
    fuzzy._PLACES_FROM = 0  # every tier is ordered by places here
    try:
        assert rank(query, keys, limit, weight, places=places) == plain
        assert rank(query, keys, limit, weight, search=SearchKeys(keys), places=places) == plain
    finally:
        fuzzy._PLACES_FROM = places_from


def test_typed_words_and_initials_find_names_by_their_words() -> None:
    keys = ["machine learning", "gradient descent method", "линейная алгебра", "html", "embeddings"]
    search = SearchKeys(keys)

    def found(query: str) -> list[tuple[str, int]]:
        matches, _ = rank(query, keys, 10, search=search)
        plain, _ = rank(query, keys, 10)
        assert plain == matches
        return [(keys[match.index], match.tier) for match in matches]

    assert found("mach lear") == [("machine learning", WORDS)]
    assert found("grad meth") == [("gradient descent method", WORDS)]
    assert found("лин алг") == [("линейная алгебра", WORDS)]
    # Initials come after the names that hold the letters as they are.
    assert found("ml") == [("html", SUBSTRING), ("machine learning", WORDS)]
    # Words out of order are no words match; a longer single word is no initials.
    assert ("machine learning", WORDS) not in found("lear mach")
    assert found("mlea") == []
