"""Ranking what the user typed against many names: exact, prefix, word start, substring, typos.

Completion lists are cut to the best few dozen items, so the order is the feature. A name that
starts with the typed text beats one where it starts a later word, which beats one that merely
contains it; only then do typo-tolerant (rapidfuzz) matches follow. Within a tier the caller's
weight decides (how often a note is linked, how many notes use a tag), then shorter names.

Keys are lowered once by the caller (catalogs keep them); the query is lowered here.
"""

from __future__ import annotations

import heapq
import re
from bisect import bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import islice

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
# A tier this large is cut from the caller's ranked order rather than sorted.
_LARGE_TIER = 1000


class SearchKeys:
    """Many keys in one string, so that finding the keys holding a query runs in C.

    A Python loop over 12,000 keys costs ~1 ms per test; `str.find` over the joined keys costs
    time per match instead. Every key follows a separator, so "the keys starting with q" is a
    search for the literal separator + q, which the regex engine runs as a fast substring
    search (a `^` anchor or a lookbehind is tried at every offset instead: 5-20x slower). Words
    get the same treatment in a second string, built on first use: each suffix of a key that
    starts a word, for the word-start tier and the typo pool. Build one per key list that is
    searched many times (the completion catalog, the workspace symbol table); the list must not
    change afterwards.
    """

    _SEPARATOR = "\n"

    def __init__(self, keys: Sequence[str]) -> None:
        self.keys = keys
        self._usable = not any(self._SEPARATOR in key for key in keys)
        # Each key after its separator; `_starts`: where each key's separator is.
        self._joined, self._starts = _joined_lines(keys if self._usable else ())
        self._words: _LineKeys | None = None

    def _can_search(self, text: str) -> bool:
        return self._usable and bool(text) and self._SEPARATOR not in text

    def containing(self, text: str) -> list[int] | None:
        """Indexes of the keys holding `text`, in order; None when this index cannot tell."""
        if not self._can_search(text):
            return None
        joined, starts, found = self._joined, self._starts, []
        count = len(starts)
        position = joined.find(text)
        while position != -1:
            key = bisect_right(starts, position) - 1
            found.append(key)
            if key + 1 >= count:
                break
            position = joined.find(text, starts[key + 1])  # one hit per key is enough
        return found

    def tiers(self, query: str, limit: int) -> dict[int, list[int]] | None:
        """The keys holding `query`, by tier (as `_tier` would file them), each tier in key
        order; tiers past the first `limit + 1` keys are left empty, as rank never reaches them.
        None when this index cannot tell."""
        if not self._can_search(query):
            return None
        keys = self.keys
        prefix = _line_hits(self._joined, self._starts, query)
        exact = [i for i in prefix if len(keys[i]) == len(query)]
        tiers = {EXACT: exact, PREFIX: [i for i in prefix if len(keys[i]) != len(query)]}
        tiers[WORD_START], tiers[SUBSTRING] = [], []
        if len(prefix) > limit:
            return tiers
        taken = set(prefix)
        starting = self._word_starts(query)
        if starting is None:  # longer than the indexed words: the keys holding it, by hand
            starting = [
                i for i in self.containing(query) or () if _tier(query, keys[i]) == WORD_START
            ]
        word = [i for i in starting if i not in taken]
        tiers[WORD_START] = word
        if len(prefix) + len(word) > limit:
            return tiers
        taken.update(word)
        holding = self.containing(query) or []
        tiers[SUBSTRING] = [i for i in holding if i not in taken]
        return tiers

    def word_initial(self, initial: str) -> list[int] | None:
        """Indexes of the keys where a word starts with `initial` (see _word_initial_pool)."""
        if len(initial) != 1 or not self._can_search(initial):
            return None
        at_start = _line_hits(self._joined, self._starts, initial)
        return sorted({*at_start, *(self._word_starts(initial) or ())})

    def _word_starts(self, query: str) -> list[int] | None:
        """Indexes of the keys where `query` starts after a character that is not a letter or
        digit (`_tier`'s WORD_START), in order, each once; None for a query longer than the
        indexed words."""
        if len(query) > _WORD_LENGTH:
            return None
        words = self._words
        if words is None:
            words = self._words = _LineKeys.of_words(self.keys)
        owners = words.owners
        found: list[int] = []
        for word in _line_hits(words.joined, words.starts, query):
            owner = owners[word]
            if not found or found[-1] != owner:  # a key's words are consecutive
                found.append(owner)
        return found


# Right after a character that is neither a letter nor a digit (`\w` adds only `_`), with
# something after it.
_WORD_BOUNDARY = re.compile(r"[\W_](?=.)", re.DOTALL)
# Word-start suffixes are indexed this far: the whole suffixes of 72,000 symbol names would take
# several times their size, and a longer query holds few enough keys to test them one by one.
_WORD_LENGTH = 24


@dataclass(frozen=True, slots=True)
class _LineKeys:
    """Word suffixes of keys, each after a separator, and the key each belongs to."""

    joined: str
    starts: list[int]
    owners: list[int]

    @classmethod
    def of_words(cls, keys: Sequence[str]) -> _LineKeys:
        parts: list[str] = []
        owners: list[int] = []
        boundary = _WORD_BOUNDARY.finditer
        for owner, key in enumerate(keys):
            for match in boundary(key):
                parts.append(key[match.end() : match.end() + _WORD_LENGTH])
                owners.append(owner)
        joined, starts = _joined_lines(parts)
        return cls(joined, starts, owners)


def _joined_lines(parts: Iterable[str]) -> tuple[str, list[int]]:
    """The parts, each after a separator, and where each one's separator is."""
    separator = SearchKeys._SEPARATOR
    pieces: list[str] = []
    starts: list[int] = []
    position = 0
    for part in parts:
        pieces.append(separator + part)
        starts.append(position)
        position += len(part) + 1
    return "".join(pieces), starts


def _line_hits(joined: str, starts: list[int], text: str) -> list[int]:
    """Indexes of the lines of `joined` (each after the separator at `starts[i]`) that start
    with `text`."""
    found: list[int] = []
    needle = SearchKeys._SEPARATOR + text
    position = joined.find(needle)
    while position != -1:
        found.append(bisect_right(starts, position) - 1)
        position = joined.find(needle, position + 1)
    return found


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
    search: SearchKeys | None = None,
    ranked: Callable[[], Sequence[int]] | None = None,
) -> tuple[list[Match], bool]:
    """The best `limit` keys for `query`, best first, and whether more would have matched.

    Ties within a tier go to the higher `weight`, then (unless `keep_order`, which keeps the
    keys' own order, e.g. headings in document order) to the shorter key. `search`, built on
    the same `keys`, finds the candidates faster; `ranked` gives every key's index in that
    order, so that a tier of thousands needs no sort.
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
        tiers = search.tiers(query, limit) if search is not None else None
        if tiers is not None:
            buckets = tiers
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
            if ranked is not None and len(bucket) > _LARGE_TIER:
                members = set(bucket)
                chosen = list(islice((i for i in ranked() if i in members), remaining))
            else:
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
    initial = search.word_initial(query[0]) if search is not None else None
    if initial is None:
        pool = _word_initial_pool(query[0], keys, seen)
    else:
        pool = [i for i in initial if i not in seen]
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
    A word starts the key or follows a character that is not a letter or digit.
    """
    return [i for i, key in enumerate(keys) if i not in seen and _tier(initial, key) >= WORD_START]
