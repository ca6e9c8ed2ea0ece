"""Completing links to notes whose names hold odd characters: the inserted link must open the
note the user chose, or the name is not offered at all."""

from __future__ import annotations

from featurekit import accept, complete_at, vault

from notels.features import CompletionKind
from notels.syntax.note import parse_note
from vaults import build_index


def _opened(notes: dict[str, str], path: str, text: str) -> str | None:
    """What the only link of `text`, written in note `path`, opens (None: no link there)."""
    index = build_index({**notes, path: text})
    links = parse_note(text).links
    assert len(links) <= 1, links
    return index.resolve(links[0], path).path if links else None


def test_a_name_no_link_can_hold_is_not_completed_into_a_wrong_link() -> None:
    """`C#.md` next to `C.md` (a programming vault), `Ratio 1|2.md` (synced from Linux) next to
    `Ratio 1.md`, `Paper [2020].md` (a reference manager's naming): a link cannot name them,
    since `#` starts the heading part, `|` the shown text, and a link holds no brackets (rename
    refuses such names for that reason). Choosing one of them in the list must not write a
    link that opens another note, or text that is no link at all.

    Was: choosing `C#` inserted `[[C#]]`, which opens `C.md`; choosing `Ratio 1|2` inserted
    `[[Ratio 1|2]]`, which opens `Ratio 1.md` and shows `2`; choosing `Paper [2020]` inserted
    `[[Paper [2020]]]`, which is no link (and so no finding either)."""
    notes = {
        "C.md": "The C language.\n",
        "C#.md": "The C# language.\n",
        "Ratio 1.md": "One.\n",
        "Ratio 1|2.md": "One half.\n",
        "Paper.md": "Draft.\n",
        "Paper [2020].md": "Published.\n",
    }
    for typed, wanted in (
        ("[[C‸", "C#.md"),
        ("[[Ratio 1‸", "Ratio 1|2.md"),
        ("[[Paper‸", "Paper [2020].md"),
    ):
        index = vault(notes)
        plain, result = complete_at(index, "Draft.md", typed)
        for item in result.items:
            if item.kind is CompletionKind.NOTE and item.detail == wanted:
                written = accept(plain, item)
                assert _opened(notes, "Draft.md", written) == wanted, (item.label, written)


def test_a_name_ending_in_a_space_is_completed_into_a_link_that_opens_it() -> None:
    """`Study plan .md`: a name typed with a trailing space (macOS, Linux and iOS keep it; a
    sync brings it to every device). A link's target is read trimmed, so `[[Study plan ]]`
    names `Study plan`, while `[[Study plan .md]]` opens the note.

    Was: choosing it inserted `[[Study plan ]]`, reported at once as an unresolved link to
    `Study plan`."""
    notes = {"Study plan .md": "Weeks 1-4.\n"}
    index = vault(notes)
    plain, result = complete_at(index, "Draft.md", "See [[Study‸")
    (item,) = [item for item in result.items if item.detail == "Study plan .md"]
    written = accept(plain, item)
    assert _opened(notes, "Draft.md", written) == "Study plan .md", written


def test_a_name_ending_in_a_space_is_completed_by_its_path_into_a_link_that_opens_it() -> None:
    """`Plans/Study plan .md`, completed as a folder path is typed (`[[Plans/Stu`): the item
    inserts the note's path, whose target is read trimmed as well, so it must keep its `.md`
    as the name's item does (`[[Plans/Study plan .md]]`).

    Was: it inserted `[[Plans/Study plan ]]`, which names `Plans/Study plan` and is reported
    at once as an unresolved link."""
    notes = {"Plans/Study plan .md": "Weeks 1-4.\n"}
    index = vault(notes)
    plain, result = complete_at(index, "Draft.md", "See [[Plans/Stu‸")
    (item,) = [item for item in result.items if item.detail == "Plans/Study plan .md"]
    written = accept(plain, item)
    assert _opened(notes, "Draft.md", written) == "Plans/Study plan .md", written
