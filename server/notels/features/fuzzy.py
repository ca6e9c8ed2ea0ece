"""Ranking what the user typed against many names: exact, prefix, word start, substring, typos.

Completion lists are cut to the best few dozen items, so the order is the feature. A name that
starts with the typed text beats one where it starts a later word, which beats one that merely
contains it; only then do typo-tolerant (rapidfuzz) matches follow. Within a tier the caller's
weight decides (how often a note is linked, how many notes use a tag), then shorter names.

Keys are lowered once by the caller (catalogs keep them); the query is lowered here.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process

EXACT = 4
PREFIX = 3
WORD_START = 2
SUBSTRING = 1
FUZZY = 0

# WRatio of a one-letter typo in a 9-letter word is ~94, of a missing word ~85; below ~75 the
# matches stop looking related to what was typed.
FUZZY_CUTOFF = 75.0
# Fewer letters than this say too little for a typo match: every name would "almost" match.
FUZZY_MIN_LENGTH = 3


@dataclass(frozen=True, slots=True)
class Match:
    index: int  # into the keys
    tier: int  # EXACT .. FUZZY
    score: float  # rapidfuzz's 0-100 for FUZZY matches; 100 for the others


def _tier(query: str, key: str) -> int:
    pos = key.find(query)
    if pos < 0:
        return -1
    if pos == 0:
        return EXACT if len(key) == len(query) else PREFIX
    while pos > 0:
        if not key[pos - 1].isalnum():
            return WORD_START
        pos = key.find(query, pos + 1)
    return SUBSTRING


def rank(
    query: str,
    keys: Sequence[str],
    limit: int,
    weight: Callable[[int], int] | None = None,
    keep_order: bool = False,
) -> tuple[list[Match], bool]:
    """The best `limit` keys for `query`, best first, and whether more would have matched.

    Ties within a tier go to the higher `weight`, then (unless `keep_order`, which keeps the
    keys' own order, e.g. headings in document order) to the shorter key.
    """
    query = query.strip().lower()
    if limit <= 0:
        return [], bool(keys)

    def order(i: int) -> tuple[int, int, str]:
        heavier = -weight(i) if weight is not None else 0
        if keep_order:
            return heavier, i, ""
        return heavier, len(keys[i]), keys[i]

    buckets: dict[int, list[int]] = {EXACT: [], PREFIX: [], WORD_START: [], SUBSTRING: []}
    if not query:
        buckets[SUBSTRING] = list(range(len(keys)))
    else:
        for i, key in enumerate(keys):
            if query in key:
                buckets[_tier(query, key)].append(i)

    found: list[Match] = []
    remaining = limit
    for tier in (EXACT, PREFIX, WORD_START, SUBSTRING):
        bucket = buckets[tier]
        if not bucket:
            continue
        if len(bucket) > remaining:
            chosen = heapq.nsmallest(remaining, bucket, key=order)
            found.extend(Match(i, tier, 100.0) for i in chosen)
            return found, True
        found.extend(Match(i, tier, 100.0) for i in sorted(bucket, key=order))
        remaining -= len(bucket)
    if remaining == 0:
        return found, False
    if len(query) < FUZZY_MIN_LENGTH:
        return found, False

    seen = {match.index for match in found}
    pool = _word_initial_pool(query[0], keys, seen)
    extracted = process.extract(
        query,
        [keys[i] for i in pool],
        scorer=fuzz.WRatio,
        processor=None,
        limit=remaining + 1,  # one more tells whether the list was cut
        score_cutoff=FUZZY_CUTOFF,
    )
    typos = [(pool[position], score) for _, score, position in extracted]
    # Scores are rounded so that near-equal matches are ordered by weight instead of noise.
    typos.sort(key=lambda pair: (-round(pair[1]), *order(pair[0])))
    found.extend(Match(i, FUZZY, score) for i, score in typos[:remaining])
    return found, len(typos) > remaining


def _word_initial_pool(initial: str, keys: Sequence[str], seen: set[int]) -> list[int]:
    """Keys with a word that starts with the query's first letter, not matched already.

    Typos are sought only there: people rarely mistype the first letter, editors (VS Code)
    filter the same way, and scoring a twentieth of the keys keeps a keystroke within budget.
    """
    after_space = " " + initial
    after_paren = "(" + initial
    after_slash = "/" + initial
    after_dash = "-" + initial
    return [
        i
        for i, key in enumerate(keys)
        if (
            key.startswith(initial)
            or after_space in key
            or after_paren in key
            or after_slash in key
            or after_dash in key
        )
        and i not in seen
    ]
