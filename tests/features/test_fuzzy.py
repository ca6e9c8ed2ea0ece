"""Ranking: the joined-string search agrees with testing each key."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from notels.features.fuzzy import SearchKeys, rank


@given(
    st.lists(st.text(alphabet="ab (/-\nя😀x", max_size=8), max_size=30),
    st.text(alphabet="ab (/-я😀x", min_size=0, max_size=4),
)
def test_search_keys_rank_exactly_as_the_plain_loop(keys: list[str], query: str) -> None:
    """The joined-string search finds the same candidates, in the same order, as testing each
    key (keys holding its separator fall back to the loop)."""
    lowered = [key.lower() for key in keys]
    plain = rank(query, lowered, 10)
    searched = rank(query, lowered, 10, search=SearchKeys(lowered))
    assert searched == plain


def test_search_keys_find_word_starts_for_typos() -> None:
    keys = ["embeddings", "word (embedding)", "sub/embed", "non-embedded", "member", "x\ny"]
    ranked, _ = rank("embedidngs", keys, 10, search=SearchKeys(keys))
    assert [keys[m.index] for m in ranked][:1] == ["embeddings"]
    assert SearchKeys(keys).word_initial("e") is None  # a key holds the separator
    assert SearchKeys(keys[:5]).word_initial("e") == [0, 1, 2, 3]
