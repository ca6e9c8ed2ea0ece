"""FindingsCache: findings computed against the index of some moment are taken later only when
no drop since then could have changed them (lsp/findings_cache.py)."""

from __future__ import annotations

import pytest

from notels.findings import Finding, Severity
from notels.lsp import findings_cache
from notels.lsp.findings_cache import FindingsCache
from notels.syntax.spans import Span

FOUND = [Finding("unresolved-link", Severity.WARNING, Span(0, 4), "Нет 😀")]


def test_findings_of_a_moment_are_taken_when_nothing_dropped_them_since() -> None:
    cache = FindingsCache()
    cache.drop("a.md")  # before the moment: no matter
    moment = cache.moment()
    assert cache.put_if_current("a.md", ("1", FOUND), moment)
    assert cache.get("a.md") == ("1", FOUND)


def test_a_drop_since_the_moment_refuses_that_note_only() -> None:
    cache = FindingsCache()
    moment = cache.moment()
    cache.drop("a.md")  # nothing cached yet: the drop still counts
    assert not cache.put_if_current("a.md", ("1", FOUND), moment)
    assert cache.put_if_current("b.md", ("2", FOUND), moment)
    assert "a.md" not in cache and "b.md" in cache


def test_a_clear_since_the_moment_refuses_every_note() -> None:
    cache = FindingsCache()
    moment = cache.moment()
    cache.clear()
    assert not cache.put_if_current("b.md", ("2", FOUND), moment)
    later = cache.moment()
    assert cache.put_if_current("b.md", ("3", FOUND), later)


def test_findings_checked_since_are_kept_with_their_result_id() -> None:
    cache = FindingsCache()
    moment = cache.moment()
    cache.put("a.md", ("1", []))
    assert not cache.put_if_current("a.md", ("2", FOUND), moment)
    assert cache.get("a.md") == ("1", [])


def test_drops_remembered_are_bounded_and_forgetting_them_counts_as_a_clear(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Paths of notes deleted or renamed long ago must not pile up in a long session."""
    monkeypatch.setattr(findings_cache, "_MAX_DROPS", 10)
    cache = FindingsCache()
    moment = cache.moment()
    for n in range(25):
        cache.drop(f"Старая {n}.md")
    assert len(cache._dropped_at) <= 10
    assert not cache.put_if_current("Другая.md", ("1", FOUND), moment)
    assert cache.put_if_current("Другая.md", ("2", FOUND), cache.moment())
