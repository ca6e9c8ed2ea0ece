"""Ranking what the user typed against many names: exact, prefix, word start, substring, typos.

Completion lists are cut to the best few dozen items, so the order is the feature. A name that
starts with the typed text beats one where it starts a later word, which beats one that merely
contains it, which beats one whose words the typed words (or letters) start in order (`mach
lear`, `ml`: Machine Learning); only then do typo-tolerant (rapidfuzz) matches follow. Within a
tier the caller's weight decides (how often a note is linked, how many notes use a tag), then
shorter names.

Keys are lowered once by the caller (catalogs keep them); the query is lowered here.
"""

from __future__ import annotations

import heapq
import re
from bisect import bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from notels.vault.resolve import fold

EXACT = 5
PREFIX = 4
WORD_START = 3
SUBSTRING = 2
WORDS = 1  # each typed word starts a word of the key, in order: `mach lear`, `ml`
FUZZY = 0

# WRatio of a one-letter typo in a 9-letter word is ~94, of a missing word ~85; below ~75 the
# matches stop looking related to what was typed.
FUZZY_CUTOFF = 75.0
# Fewer letters than this say too little for a typo match: every name would "almost" match.
FUZZY_MIN_LENGTH = 3
# Tiers larger than this are ordered by the caller's places (see rank), smaller ones by weight.
_PLACES_FROM = 200


class SearchKeys:
    """Many keys, indexed so that finding those that start with or hold a query runs in C.

    A Python loop over 12,000 keys costs ~1 ms per test. The keys starting with a query (and
    the word starts, each suffix of a key that starts a word: the word-start tier and the typo
    pool) are found through lists by first character (`_Initials`); the keys holding it by
    `str.find` over the joined keys, each after a separator, which costs time per match
    instead. Both are built on first use. Build one per key list that is searched many times
    (the completion catalog, the workspace symbol table); the list must not change afterwards.
    """

    _SEPARATOR = "\n"

    def __init__(self, keys: Sequence[str]) -> None:
        self.keys = keys
        self._usable = not any(self._SEPARATOR in key for key in keys)
        # Each key after its separator; `_starts`: where each key's separator is.
        self._joined, self._starts = _joined_lines(keys if self._usable else ())
        self._words: _Initials | None = None
        self._initials: _Initials | None = None
        self._at_word_initial: dict[str, tuple[list[int], frozenset[int]]] = {}

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
        prefix = self._starting(query)
        exact = [i for i in prefix if len(keys[i]) == len(query)]
        tiers = {EXACT: exact, PREFIX: [i for i in prefix if len(keys[i]) != len(query)]}
        tiers[WORD_START], tiers[SUBSTRING] = [], []
        if len(prefix) > limit:
            return tiers
        taken = set(prefix)
        word = [i for i in self._word_starts(query) if i not in taken]
        tiers[WORD_START] = word
        if len(prefix) + len(word) > limit:
            return tiers
        taken.update(word)
        holding = self.containing(query) or []
        tiers[SUBSTRING] = [i for i in holding if i not in taken]
        return tiers

    def word_initial(self, initial: str) -> list[int] | None:
        """Indexes of the keys where a word starts with `initial` (see _word_initial_pool), in
        order; the list is not to be changed."""
        found = self._with_word_initial(initial)
        return found[0] if found is not None else None

    def word_initial_set(self, initial: str) -> frozenset[int] | None:
        """word_initial's keys, as a set."""
        found = self._with_word_initial(initial)
        return found[1] if found is not None else None

    def _with_word_initial(self, initial: str) -> tuple[list[int], frozenset[int]] | None:
        if len(initial) != 1 or not self._can_search(initial):
            return None
        found = self._at_word_initial.get(initial)
        if found is None:
            holding = frozenset((*self._starting(initial), *self._word_starts(initial)))
            found = self._at_word_initial[initial] = (sorted(holding), holding)
        return found

    def _starting(self, query: str) -> list[int]:
        """Indexes of the keys starting with `query`, in order (not to be changed)."""
        if self._initials is None:
            self._initials = _Initials.of_keys(self.keys)
        return self._initials.starting(query)

    def _word_starts(self, query: str) -> list[int]:
        """Indexes of the keys where `query` starts after a character that is not a letter or
        digit (`_tier`'s WORD_START), in order, each once."""
        words = self._words
        if words is None:
            words = self._words = _Initials.of_words(self.keys)
        owners = words.owners
        found: list[int] = []
        for word in words.starting(query):
            owner = owners[word]
            if not found or found[-1] != owner:  # a key's words are consecutive
                found.append(owner)
        return found


# Right after a character that is neither a letter nor a digit (`\w` adds only `_`), with
# something after it.
_WORD_BOUNDARY = re.compile(r"[\W_](?=.)", re.DOTALL)


class _Initials:
    """Where keys, or the words within them, start: listed by their first character, and by
    their first two.

    Entry i is the text of `keys[owners[i]]` from `offsets[i]` on. The entries starting with a
    query are those of the list of its first two characters that start with the rest too: a
    list comprehension over a few dozen entries. One or two typed letters (the first
    keystrokes after `[[`, and the costliest queries) are such a list as it is. Finding the
    query hit by hit in the joined keys was ten times slower: `str.find` is slow on a string
    holding Cyrillic. Entries are not kept as strings of their own: the words of 72,000 symbol
    names would take some 25 MB.
    """

    __slots__ = ("_by_initial", "_by_pair", "_keys", "_offsets", "owners")

    def __init__(self, keys: Sequence[str], owners: Sequence[int], offsets: Sequence[int]) -> None:
        self._keys = keys
        self.owners = owners
        self._offsets = offsets
        by_initial: dict[str, list[int]] = {}
        by_pair: dict[str, list[int]] = {}
        for i, (owner, offset) in enumerate(zip(owners, offsets, strict=True)):
            key = keys[owner]
            if offset < len(key):
                by_initial.setdefault(key[offset], []).append(i)
                by_pair.setdefault(key[offset : offset + 2], []).append(i)
        self._by_initial = by_initial
        self._by_pair = by_pair

    @classmethod
    def of_keys(cls, keys: Sequence[str]) -> _Initials:
        """The keys themselves: entry i is key i."""
        return cls(keys, range(len(keys)), [0] * len(keys))

    @classmethod
    def of_words(cls, keys: Sequence[str]) -> _Initials:
        """Each word of each key, in order (a key's words are consecutive entries)."""
        owners: list[int] = []
        offsets: list[int] = []
        boundary = _WORD_BOUNDARY.finditer
        for owner, key in enumerate(keys):
            for match in boundary(key):
                owners.append(owner)
                offsets.append(match.end())
        return cls(keys, owners, offsets)

    def starting(self, query: str) -> list[int]:
        """Indexes of the entries starting with `query` (not empty), in order; the list is
        not to be changed."""
        if len(query) == 1:
            return self._by_initial.get(query, [])
        listed = self._by_pair.get(query[:2], [])
        if len(query) == 2:
            return listed
        keys, owners, offsets = self._keys, self.owners, self._offsets
        return [i for i in listed if keys[owners[i]].startswith(query, offsets[i])]


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
    places: Callable[[], Sequence[int]] | None = None,
    places_from: int = _PLACES_FROM,
    typo_candidates: bool = False,
) -> tuple[list[Match], bool]:
    """The best `limit` keys for `query`, best first, and whether more would have matched.

    Ties within a tier go to the higher `weight`, then (unless `keep_order`, which keeps the
    keys' own order, e.g. headings in document order) to the shorter key. `search`, built on
    the same `keys`, finds the candidates faster; `places` gives each key's place in that
    order (weight, length, key, then index), kept by the caller: large tiers are then ordered
    by looking places up, in C, instead of calling `weight` for each member: tiers of more than
    `places_from` keys, as places cost a sort of every key after each change of a weight (a
    caller whose weights change only with the keys keeps them cheaply: 0 then).
    `typo_candidates` keeps every typo candidate (the best `room + 1` by exact score, see
    below), not only the `room` that fit: for a caller merging answers over several key lists.
    """
    query = fold(query.strip())
    if limit <= 0:
        return [], bool(keys)

    def order(i: int) -> tuple[int, int, str]:
        heavier = -weight(i) if weight is not None else 0
        if keep_order:
            return heavier, i, ""
        return heavier, len(keys[i]), keys[i]

    def tier_order(size: int) -> Callable[[int], tuple[int, int, str]] | Callable[[int], int]:
        # The same order; places cost a sort of every key after each weight change, which a
        # large tier (one typed letter: hundreds of names) repays at once.
        if places is not None and not keep_order and size > places_from:
            return places().__getitem__
        return order

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
            chosen = heapq.nsmallest(remaining, bucket, key=tier_order(len(bucket)))
            found.extend(Match(i, tier, 100.0) for i in chosen)
            return found, True
        found.extend(Match(i, tier, 100.0) for i in sorted(bucket, key=tier_order(len(bucket))))
        remaining -= len(bucket)
    if remaining == 0 or not query:
        return found, False

    seen = {match.index for match in found}
    initial = search.word_initial(query[0]) if search is not None else None
    if initial is None:
        pool = _word_initial_pool(query[0], keys, seen)
    else:
        pool = [i for i in initial if i not in seen]
    parts = _word_parts(query)
    if parts is not None:
        words = _words_pattern(parts)
        candidates = pool
        for part in parts[1:]:
            # Each part starts a word: keys lacking a word with its initial cannot match, and
            # dropping them by a set costs less than the pattern's search of each (a third of
            # a workspace symbol query went there).
            holding = search.word_initial_set(part[0]) if search is not None else None
            if holding is None:
                break
            candidates = [i for i in candidates if i in holding]
        in_words = sorted((i for i in candidates if words.search(keys[i])), key=order)
        found.extend(Match(i, WORDS, 100.0) for i in in_words[:remaining])
        if len(in_words) > remaining:
            return found, True
        remaining -= len(in_words)
        if remaining == 0:
            return found, False
        taken = set(in_words)
        pool = [i for i in pool if i not in taken]
    if len(query) < FUZZY_MIN_LENGTH:
        return found, False
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
    typos.sort(key=lambda pair: (-round(pair[1]), order(pair[0])))
    kept = typos if typo_candidates else typos[:remaining]
    found.extend(Match(i, FUZZY, score) for i, score in kept)
    return found, len(typos) > remaining


# A word start: the key's start, or right after a character that is neither letter nor digit.
_AT_WORD = r"(?:^|(?<=[\W_]))"
# Initials are matched only for a few letters: `ml`, `lsp`; longer runs are words being typed.
_MOST_INITIALS = 4


def _word_parts(query: str) -> list[str] | None:
    """What the WORDS tier looks for, each to start a word of the key, in order: the words of
    `query` (`mach lear`: Machine Learning), or for a few letters typed together, each letter
    (`ml`); None when the query is one longer word."""
    parts = query.split()
    if len(parts) < 2:
        if not (2 <= len(query) <= _MOST_INITIALS and query.isalnum()):
            return None
        parts = list(query)
    return parts


def _words_pattern(parts: list[str]) -> re.Pattern[str]:
    return re.compile(".*?".join(_AT_WORD + re.escape(part) for part in parts))


def _word_initial_pool(initial: str, keys: Sequence[str], seen: set[int]) -> list[int]:
    """Keys with a word that starts with the query's first letter, not matched already.

    Typos are sought only there: people rarely mistype the first letter, editors (VS Code)
    filter the same way, and scoring a twentieth of the keys keeps a keystroke within budget.
    A word starts the key or follows a character that is not a letter or digit.
    """
    return [i for i, key in enumerate(keys) if i not in seen and _tier(initial, key) >= WORD_START]
