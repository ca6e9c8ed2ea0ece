"""Restoring an index from its tables (the index cache) equals setting each summary again."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from notels.config import Config
from notels.syntax.model import Link
from notels.syntax.note import parse_note
from notels.syntax.spans import Span
from notels.vault import cache as index_cache
from notels.vault.files import FileProblem, ProblemKind
from notels.vault.index import VaultIndex
from notels.vault.summary import NoteSummary, summarize

# Case twins (`Поле.md` and `поле.md`, three of `ab`) and one name in two folders.
_PATHS = ["Поле.md", "поле.md", "Кольцо.md", "sub/Кольцо.md", "A.md", "a.md", "ml/Ядро 😀.md"]
_PATHS += ["Ab.md", "ab.md", "AB.md"]
_NAMES = ["Поле", "поле", "Кольцо", "sub/Кольцо", "A", "Ядро 😀", "Algebra", "Нет", "ab"]
# Path targets resolve by the case twins' shared key.
_PATH_TARGETS = ["/поле", "/a", "/AB", "/ml/ядро 😀"]


@st.composite
def _note_text(draw: st.DrawFn) -> str:
    aliases = draw(st.lists(st.sampled_from(["Algebra", "Алг", "A"]), max_size=2))
    tags = draw(st.lists(st.sampled_from(["math", "Math", "фикс/анки"]), max_size=2))
    links = draw(st.lists(st.sampled_from(_NAMES), max_size=4))
    cards = draw(
        st.lists(
            st.tuples(
                st.sampled_from(["Basic", "math_complex"]),
                st.sampled_from(["Front", "Back", "Text"]),
                st.sampled_from(["1737306548883", "1737306548884", "1"]),
                st.sampled_from(["Math", "Алгебра"]),
            ),
            max_size=3,
        )
    )
    text = f"---\naliases: [{', '.join(aliases)}]\ntags: [{', '.join(tags)}]\n---\n# Head\n"
    text += " ".join(f"[[{link}]]" for link in links) + "\n"
    for note_type, field_name, card_id, deck in cards:
        text += f"TARGET DECK: {deck}\nSTART\n{note_type}\n{field_name}: q\nID: {card_id}\nEND\n"
    return text


@st.composite
def _summaries(draw: st.DrawFn) -> list[tuple[str, NoteSummary, FileProblem | None]]:
    paths = draw(st.lists(st.sampled_from(_PATHS), unique=True, max_size=len(_PATHS)))
    notes = []
    for number, path in enumerate(paths):
        summary = summarize(parse_note(draw(_note_text())), (number, number))
        problem = None
        if draw(st.booleans()) and number % 3 == 0:
            problem = FileProblem(path, ProblemKind.INVALID_UTF8, "not valid UTF-8")
        notes.append((path, summary, problem))
    return notes


def _built(notes: list[tuple[str, NoteSummary, FileProblem | None]]) -> VaultIndex:
    index = VaultIndex()
    for path, summary, problem in notes:
        index.set_summary(path, summary, problem)
    return index


def _state(index: VaultIndex) -> dict[str, object]:
    """Everything the index derives from its notes, zero counts left out."""
    return {
        "summaries": index.summaries,
        "problems": index.file_problems,
        "by_key": index._by_key,
        "by_stem": dict(index._by_stem),
        "by_alias": dict(index._by_alias),
        "linkers": dict(index._linkers),
        "tags": dict(index._tags),
        "card_ids": {value: sorted(locations) for value, locations in index._card_ids.items()},
        "type_cards": +index._type_cards,
        "type_fields": {k: +v for k, v in index._type_fields.items() if +v},
        "decks": +index._decks,
        "attachments": index._attachments,
    }


def _answers(index: VaultIndex) -> list[object]:
    """What queries see: resolutions from two folders, linkers, card IDs, field counts."""
    answers: list[object] = []
    for name in [*_NAMES, *_PATH_TARGETS, "Algebra", "Алг", "a"]:
        link = Link(Span(0, 1), False, name, Span(0, 1))
        answers.append([index.resolve(link, source) for source in ("x.md", "sub/x.md")])
        answers.append(sorted(index.linkers_of_name(name.lower())))
    for path in _PATHS:
        answers.append(sorted(index.linkers_of(path)))
    for card_id in ("1737306548883", "1737306548884", "1"):
        answers.append(index.card_locations(card_id))
    for note_type in ("Basic", "math_complex"):
        answers.append((index.field_counts(note_type), index.inferred_fields(note_type)))
    answers.append((index.decks(), index.note_types()))
    return answers


@settings(max_examples=300, deadline=None)
@given(
    notes=_summaries(),
    keep_mask=st.lists(st.booleans(), min_size=len(_PATHS), max_size=len(_PATHS)),
    own=_summaries(),
    protected=st.sets(st.sampled_from(_PATHS)),
    not_notes=st.sets(st.sampled_from([*_PATHS, "big.md"])),
)
def test_restoring_equals_setting_each_kept_summary(
    notes: list[tuple[str, NoteSummary, FileProblem | None]],
    keep_mask: list[bool],
    own: list[tuple[str, NoteSummary, FileProblem | None]],
    protected: set[str],
    not_notes: set[str],
) -> None:
    """Some notes of the tables are kept; the index already holds notes of its own, which
    stay when protected (an editor's) and give way otherwise, and problems of files that are
    no notes (too large, a symlink out of the vault), which stay unless a kept note replaces
    them. The result is the index that sets the kept notes, then the protected ones, one by
    one, whatever the order."""
    keep = {path for (path, _, _), kept in zip(notes, keep_mask, strict=False) if kept}
    restored = _built(own)
    restored.add_attachment("img/Поле.png")
    for path in not_notes:
        restored.set_problem(FileProblem(path, ProblemKind.TOO_LARGE, "too large"))
    _answers(restored)  # fills its memos: resolutions, inferred fields
    restored.restore(_built(notes).tables(), keep, protected)

    expected = VaultIndex()
    expected.add_attachment("img/Поле.png")
    for path in not_notes:
        expected.set_problem(FileProblem(path, ProblemKind.TOO_LARGE, "too large"))
    for path, summary, problem in reversed(notes):
        if path in keep and path not in protected:
            expected.set_summary(path, summary, problem)
    for path, summary, problem in own:
        if path in protected and path not in not_notes:
            expected.set_summary(path, summary, problem)
    assert _state(restored) == _state(expected)
    assert _answers(restored) == _answers(expected)


def test_case_twins_share_a_key_held_by_the_smallest_path() -> None:
    """`A.md` and `a.md` (a case-sensitive file system) share a key: the smallest path holds
    it whatever order they come in, and the other takes over when it goes."""
    index = VaultIndex()
    note = summarize(parse_note("# A\n"))
    link = Link(Span(0, 1), False, "sub/a", Span(0, 1))
    index.set_summary("sub/a.md", note)
    assert index.resolve(link, "x.md").paths == ("sub/a.md",)
    index.set_summary("sub/A.md", note)
    assert index.resolve(link, "x.md").paths == ("sub/A.md",)
    index.set_summary("sub/a.md", note)
    assert index.resolve(link, "x.md").paths == ("sub/A.md",)
    index.remove_note("sub/A.md")
    assert index.resolve(link, "x.md").paths == ("sub/a.md",)
    index.remove_note("sub/a.md")
    assert index.resolve(link, "x.md").paths == ()


def test_the_cache_keeps_the_tables_of_its_notes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Written from an index holding an editor's unsaved text (no stamp), read back as the
    notes a start may trust and the tables of all of them: restoring the trusted ones gives
    the index of those notes alone."""
    monkeypatch.setenv("NOTELS_CACHE_DIR", str(tmp_path / "cache"))
    root = tmp_path / "vault"
    root.mkdir()
    texts = {
        "Алгебра.md": "---\naliases: [Algebra]\n---\n[[Поле]] #math\n",
        "Поле.md": "TARGET DECK: M\nSTART\nBasic\nFront: q\nID: 1737306548883\nEND\n",
        "Копия.md": "START\nBasic\nFront: q\nID: 1737306548883\nEND\n[[Algebra]]\n",
    }
    problem = FileProblem("Копия.md", ProblemKind.INVALID_UTF8, "not valid UTF-8")
    notes = [
        (path, summarize(parse_note(text), (len(text), 1)), problem if path == "Копия.md" else None)
        for path, text in texts.items()
    ]
    unsaved = ("Новая.md", summarize(parse_note("[[Algebra]] [[Поле]] #new\n")), None)
    index = _built([*notes, unsaved])
    snapshot = index_cache.cache_snapshot(index.tables())
    # The file is written after the index's lock is released: later changes are not in it.
    index.set_summary("sub/Later.md", summarize(parse_note("[[Поле]] #later\n"), (1, 1)))
    index.remove_note("Поле.md")
    assert index_cache.write_cache(root, Config().max_file_bytes, snapshot)

    cached = index_cache.read_cache(root, Config().max_file_bytes)
    assert cached.tables is not None and cached.notes.keys() == set(texts)
    restored = VaultIndex()
    restored.restore(cached.tables, cached.notes.keys())
    assert _state(restored) == _state(_built(notes))
    assert restored.file_problems["Копия.md"] == problem
    assert [loc.path for loc in restored.card_locations("1737306548883")] == ["Копия.md", "Поле.md"]
    assert restored.linkers_of("Алгебра.md") == {"Копия.md"}
    assert Counter(restored.decks()) == Counter({"M": 1})
