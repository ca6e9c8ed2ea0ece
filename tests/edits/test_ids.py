"""New Anki IDs: epoch milliseconds, never taken, never repeated, never going back."""

from __future__ import annotations

import random

from edit_helpers import NOW

from notels.edits.ids import MOST_AHEAD_MS, IdGenerator, generator_for_vault, note_ids, vault_ids
from notels.syntax.note import parse_note
from notels.vault.index import VaultIndex


def fixed_clock(*times: int):  # type: ignore[no-untyped-def]
    values = iter(times)
    last = times[-1]
    return lambda: next(values, last)


def test_an_id_is_now_in_milliseconds_with_13_digits() -> None:
    value = IdGenerator(now_ms=lambda: NOW).next_id()
    assert value == NOW
    assert len(str(value)) == 13


def test_the_real_clock_gives_13_digits() -> None:
    assert len(str(IdGenerator().next_id())) == 13


def test_ids_within_one_millisecond_still_differ() -> None:
    generator = IdGenerator(now_ms=lambda: NOW)
    assert [generator.next_id() for _ in range(3)] == [NOW, NOW + 1, NOW + 2]


def test_taken_ids_are_skipped_whether_given_as_text_or_numbers() -> None:
    generator = IdGenerator([str(NOW), NOW + 1, "not-an-id", ""], now_ms=lambda: NOW)
    assert generator.next_id() == NOW + 2


def test_a_clock_stepping_back_never_repeats_an_id() -> None:
    generator = IdGenerator(now_ms=fixed_clock(NOW, NOW - 5000, NOW + 10))
    assert [generator.next_id() for _ in range(3)] == [NOW, NOW + 1, NOW + 10]


def test_reserved_ids_are_avoided_later() -> None:
    generator = IdGenerator(now_ms=lambda: NOW)
    generator.reserve([NOW, NOW + 1])
    assert generator.next_id() == NOW + 2
    assert generator.is_taken(NOW + 2)


def test_ten_thousand_ids_are_distinct_and_avoid_ten_thousand_existing_ones() -> None:
    rng = random.Random(20250615)
    existing = {NOW + rng.randrange(0, 30_000) for _ in range(10_000)}
    while len(existing) < 10_000:
        existing.add(NOW + rng.randrange(0, 30_000))
    generator = IdGenerator([str(value) for value in existing], now_ms=lambda: NOW)
    issued = [generator.next_id() for _ in range(10_000)]
    assert len(set(issued)) == 10_000
    assert not set(issued) & existing
    assert issued == sorted(issued)
    assert all(len(str(value)) == 13 for value in issued)


def test_the_vault_ids_include_inline_cards_delete_lines_and_misplaced_ids() -> None:
    text = (
        "START\nBasic\nID: 1111111111111\nFRONT: q\nID: 2222222222222\nEND\n"
        "STARTI [Basic] q ENDI <!--ID: 3333333333333-->\n"
        "DELETE\nID: 4444444444444\n"
        "START\nBasic\nFRONT: open\nID: 5555555555555\n"
    )
    expected = {"1111111111111", "2222222222222", "3333333333333", "4444444444444", "5555555555555"}
    assert note_ids(parse_note(text)) == expected
    index = VaultIndex()
    index.set_note("a.md", parse_note(text))
    assert vault_ids(index) == expected
    generator = generator_for_vault(index, now_ms=lambda: 1111111111111)
    assert generator.next_id() == 1111111111112


def test_an_id_never_predates_the_notes_created_date_unless_that_is_far_ahead() -> None:
    generator = IdGenerator(now_ms=lambda: NOW)
    week = 7 * 24 * 3600 * 1000
    created = NOW + week - NOW % 60_000  # `created` names a minute
    # Within that minute, where the clock stands within its own.
    assert generator.next_id(created) == created + NOW % 60_000
    # The next note's ID stays at the time it is made, and never repeats one.
    assert generator.next_id() == NOW
    assert generator.next_id(created) == created + NOW % 60_000 + 1
    # A date further ahead than any plausible ID (a typo) is no floor.
    assert generator.next_id(NOW + MOST_AHEAD_MS + 1) == NOW + 1
    assert (
        generator.floor(NOW + week) == NOW + week and generator.floor(NOW + 2 * MOST_AHEAD_MS) == 0
    )


def test_two_machines_making_a_card_in_a_note_created_ahead_take_different_ids() -> None:
    # Was: a `created` ahead of the clock (a CI runner in UTC sees a Moscow user's new notes 3
    # hours ahead) was the ID itself: two clones, each giving a card of a note created that
    # minute an ID, wrote the same one, and Anki would merge the two cards.
    created = NOW + 3 * 3600 * 1000
    laptop = IdGenerator(now_ms=lambda: NOW + 1_234).next_id(created)
    runner = IdGenerator(now_ms=lambda: NOW + 41_777).next_id(created)
    assert laptop != runner
    assert created <= laptop < created + 60_000 and created <= runner < created + 60_000
