"""Review of the workspace symbol table's notes "searched apart" (symbols.py since f45395d):
the merged answer must be the answer of a table built anew, and the part searched apart must
stay small, as `_APART_MOST` intends."""

from __future__ import annotations

from featurekit import vault

from notels.config import Config
from notels.features import symbols, workspace_symbols
from notels.syntax.note import parse_note


def _anew(index, query, limit):
    """The answer of a table built from scratch, the table in use left as it was."""
    kept = symbols._TABLES.pop(index)
    try:
        return workspace_symbols(index, query, Config(), limit)
    finally:
        symbols._TABLES[index] = kept


def _names(found):
    return [(s.name, s.container) for s in found]


def test_typos_of_equal_score_are_chosen_as_a_table_built_anew_chooses_them():
    """rank picks typo matches in two steps: the best `room + 1` by exact score (ties by place
    in the table), then those ordered by rounded score, weight, length, key, cut to `room`.
    _with_apart redoes the first step over both parts, but the built table's rank hands back
    only `room` of its `room + 1`: the one it cut is missing from the merge, and a typo of the
    note searched apart takes its place. Here "lema" scores 77.1 against both "lemming" and
    "lemmata": built anew, the first two by place are a.md's two "Lemming" headings, so the
    answer is "Lemming"; merged, it is e.md's "Lemmata".

    Expected (the docstring's claim): exactly the answer of a table built anew."""
    index = vault({"a.md": "# Lemming\n# Lemming\n", "b.md": ""})
    workspace_symbols(index, "lema", Config(), 1)
    index.set_note("e.md", parse_note("# Lemmata\n"))
    merged = workspace_symbols(index, "lema", Config(), 1)
    assert symbols._TABLES[index].apart  # searched apart
    assert _names(merged) == _names(_anew(index, "lema", 1))


def test_typos_at_the_default_limit_are_the_ones_a_table_built_anew_finds():
    """The same at the LSP handler's limit (150): 151 equal typo matches in the built table,
    one added note's equal match sorting before them by key."""
    notes = {f"n{i:03}.md": "# Lemming\n" for i in range(151)}
    index = vault(notes)
    workspace_symbols(index, "lema", Config())
    index.set_note("zz.md", parse_note("# Lemmata\n"))
    merged = workspace_symbols(index, "lema", Config())
    limit = symbols.WORKSPACE_LIMIT
    assert _names(merged) == _names(_anew(index, "lema", limit))


def test_notes_removed_count_towards_rebuilding_the_table():
    """The table is built again once the notes set apart hold more than _APART_MOST symbols,
    but `apart_size` counts the entries those notes have *now*: a removed note has none. Each
    later query ranks `limit + dropped` matches of the built table (every removed note's
    symbols, dropped one by one) and the built table keeps them all, for good: after 3,000 of
    6,000 notes were deleted (a folder removed, a sync), every query took 30-150 ms instead of
    1-15 ms, and nothing ever built the table again.

    Expected: symbols removed since the build count as set apart; past _APART_MOST the next
    query builds the table again."""
    notes = {f"n{i}.md": f"# Heading {i}\n## Part {i}\n" for i in range(1200)}
    index = vault(notes)
    workspace_symbols(index, "part", Config())
    for i in range(800):  # 2,400 symbols gone
        index.remove_note(f"n{i}.md")
    workspace_symbols(index, "part", Config())
    table = symbols._TABLES[index]
    assert not table.apart, f"{len(table.apart)} notes still searched apart"
    assert len(table.built.note_entries) == 400


def test_notes_that_lost_their_symbols_count_towards_rebuilding_the_table():
    """The same for an edit: a note of 3,000 headings cut to none counts 1 symbol set apart
    (its name), while each query drops 3,000 stale entries of the built table."""
    big = "".join(f"# Heading {i}\n" for i in range(3000))
    index = vault({"big.md": big, "other.md": "# Other\n"})
    workspace_symbols(index, "head", Config())
    index.set_note("big.md", parse_note("text\n"))
    workspace_symbols(index, "head", Config())
    table = symbols._TABLES[index]
    assert not table.apart, "3,000 stale symbols still dropped from the built table per query"
