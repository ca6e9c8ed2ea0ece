"""A START behind an invisible character or a no-break space: the plugin never finds the card.

Text pasted from a web page or a chat brings U+200B, U+FEFF and U+00A0 along; the plugin's
pattern wants `START` at the very start of its line.
"""

from __future__ import annotations

import pytest

from vaults import findings_for

DECK = "TARGET DECK: test::deck\n"


def nested(text: str) -> list[tuple[str, str]]:
    found = findings_for({"a.md": text}, "a.md")
    return [(f.span.slice(text), f.message) for f in found if f.code == "nested-block"]


@pytest.mark.parametrize(
    ("prefix", "named"),
    [
        ("\u200b", "U+200B ZERO WIDTH SPACE"),
        ("\ufeff", "U+FEFF ZERO WIDTH NO-BREAK SPACE"),
        ("\u00a0", "U+00A0 NO-BREAK SPACE"),
        ("\u2060 ", "U+2060 WORD JOINER"),
    ],
)
def test_a_start_behind_an_invisible_character_is_reported(prefix: str, named: str) -> None:
    text = DECK + "Текст 😀\n" + prefix + "START\nBasic\nFront: q 😀\nBack: a\nEND\n"
    assert nested(text) == [
        (
            "START",
            f"START follows {named} on its line: the plugin reads START only at the very "
            "start of a line, so it never syncs this card. Remove it.",
        )
    ]


def test_prose_and_a_start_without_end_are_left_alone() -> None:
    assert nested(DECK + "\u200bSTART\nBasic\nFront: q\n") == []
    assert nested(DECK + "\u00a0START the engine\nEND\n") == []


def test_the_card_pairs_with_a_top_level_end_which_stays_a_stray_end() -> None:
    text = DECK + "\u200bSTART\nBasic\nFront: q\nEND\n"
    found = findings_for({"a.md": text}, "a.md")
    assert sorted(f.code for f in found) == ["nested-block", "stray-end"]
