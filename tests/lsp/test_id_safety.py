"""Every path that writes or judges an Anki ID, where a wrong step corrupts a deck: quick fixes,
source actions, the START snippet and `notels check --fix`. Sessions and `--fix` runs in one
file. Each docstring tells what happened before the fix ("Was" in substance)."""

from __future__ import annotations

import re
from pathlib import Path

from edit_harness import edit_editor, span, text_edits
from lsp_harness import Editor, write_files
from lsprotocol import types

from notels.config import Config
from notels.edits.ids import created_ms
from notels.features import complete
from notels.syntax.note import parse_note
from vaults import build_index, run_check, write_vault

ID = re.compile(r"\d{13}")
OLD = "1737306548883"  # an ID the plugin already synced: Anki knows this card by it
WORDS = "Заметка 😀 с достаточным числом слов, чтобы её содержимое считалось написанным.\n"


async def _actions(
    session: Editor, uri: str, diagnostic: types.Diagnostic | None, only: str
) -> list[types.CodeAction]:
    where = diagnostic.range if diagnostic is not None else span((0, 0), (0, 0))
    result = await session.client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=where,
            context=types.CodeActionContext(
                diagnostics=[diagnostic] if diagnostic is not None else [], only=[only]
            ),
        )
    )
    return [action for action in result or () if isinstance(action, types.CodeAction)]


def _new_id(action: types.CodeAction, uri: str) -> str:
    assert action.edit is not None
    ((_, text),) = text_edits(action.edit)[uri]
    match = ID.search(text)
    assert match is not None, text
    return match.group()


# --- sessions -----------------------------------------------------------------------------------

TWO_CARDS = "TARGET DECK: d\nSTART\nBasic\nFRONT: q1\nEND\nSTART\nBasic\nFRONT: q2\nEND\n"


async def test_an_id_moved_into_an_unclosed_block_of_another_note_is_not_offered_again(
    vault: Path,
) -> None:
    """The user takes "Generate Anki ID" for the first card (ID X), then cuts that card and
    pastes it into another note, END not typed yet (an unclosed block). The quick fix for the
    second card must not offer X again: the OfferedIds cache re-offers an earlier offer unless
    a *block card* holds it (`index.card_ids()`), ignoring unclosed blocks, misplaced lines
    and DELETE lines of other notes. Once END is typed, X is a duplicate, and by path order
    the moved card (the one Anki knows as X) is the copy offered a new ID."""
    write_files(vault, {"A.md": TWO_CARDS, "B.md": WORDS})
    async with edit_editor(vault) as (session, _):
        a, b = session.open("A.md"), session.open("B.md")
        await session.wait_for_codes(a, lambda codes: codes.count("missing-id") == 2)
        (first,) = [
            d for d in session.diagnostics(a) if d.code == "missing-id" and d.range.start.line == 1
        ]
        x = _new_id((await _actions(session, a, first, types.CodeActionKind.QuickFix))[0], a)
        session.edit(a, (4, 0), (4, 0), f"ID: {x}\n")  # the fix, accepted
        session.edit(a, (1, 0), (6, 0), "")  # the card cut ...
        session.edit(b, (1, 0), (1, 0), f"START\nBasic\nFRONT: q1\nID: {x}\n")  # ... and pasted
        await session.wait_for_codes(b, lambda codes: "unclosed-block" in codes)
        await session.wait_for_codes(a, lambda codes: codes.count("missing-id") == 1)
        (second,) = [d for d in session.diagnostics(a) if d.code == "missing-id"]
        offered = await _actions(session, a, second, types.CodeActionKind.QuickFix)
        y = _new_id(offered[0], a)
    assert offered[0].title == "Generate Anki ID"
    assert y != x


MISPLACED = (
    "TARGET DECK: d\n"
    f"START\nBasic\nFRONT: q1\nID: {OLD}\nBACK: added below the ID later\nEND\n"
    "START\nBasic\nFRONT: q2\nEND\n"
)


async def test_generate_ids_for_the_note_leaves_a_card_with_a_misplaced_id_alone(
    vault: Path,
) -> None:
    """The first card's ID line (the ID Anki knows it by) is no longer its last line. The
    source action "Generate IDs for all cards in this note" gives it a second, new ID below:
    Anki then creates the card anew and the old one is orphaned, with `ID: 1737306548883`
    left as field text. `notels.generateIds` and "Fix all" skip that card (fixes.py: moving
    the line keeps the card's history); the note-wide action must too."""
    write_files(vault, {"A.md": MISPLACED})
    async with edit_editor(vault) as (session, _):
        uri = session.open("A.md")
        await session.wait_for_codes(uri, lambda codes: "misplaced-id" in codes)
        actions = await _actions(session, uri, None, types.CodeActionKind.Source)
    (all_ids,) = [a for a in actions if a.title == "Generate IDs for all cards in this note"]
    assert all_ids.edit is not None
    lines = [where.start.line for where, _ in text_edits(all_ids.edit)[uri]]
    assert 6 not in lines  # the END of the card whose ID line is misplaced
    assert lines == [10]  # only the second card, which has no ID anywhere


# --- the START snippet ----------------------------------------------------------------------------


def test_the_start_snippet_id_does_not_predate_the_notes_created_date() -> None:
    """DIALECT §4: a generated ID must not predate the note's `created`. The quick fix and
    `--fix` respect it (a `created` up to a year ahead is the floor); the START snippet's
    fresh ID is just the clock (new_card_id ignores `created`)."""
    now = 1_737_306_548_883  # 2025-01-19
    text = "---\ncreated: 2025-03-01 10:00\n---\nTARGET DECK: d\nSTART"
    note = parse_note(text)
    index = build_index({"Note.md": text})
    result = complete(index, "Note.md", note, len(text), Config(), now_ms=now)
    (item,) = result.items
    match = re.search(r"ID: (\d+)", item.insert_text)
    assert match is not None, item.insert_text
    assert int(match.group(1)) >= created_ms(note) > now


# --- notels check --fix -------------------------------------------------------------------------

LIVE = f"TARGET DECK: d\n{WORDS}START\nBasic\nFRONT: q\nID: {OLD}\nEND\n"


def test_fix_never_renumbers_the_live_card_to_revive_a_block_holding_its_id(
    tmp_path: Path,
) -> None:
    """B.md holds the only card the plugin reads with ID 1737306548883. A.md holds leftovers
    of a copy of it that the plugin skips: a block without END, and a block after `START `.
    `--fix` (safe fixes) closes / trims them, which makes two more cards with that ID, then
    settles the duplicate by path order: A.md keeps the ID and B.md's card, the one Anki has,
    gets a new one (its review history lost, the Anki note overwritten by the leftover)."""
    for leftover in (
        f"TARGET DECK: d\n{WORDS}START\nBasic\nFRONT: old\nID: {OLD}\n",
        f"TARGET DECK: d\n{WORDS}START \nBasic\nFRONT: old\nID: {OLD}\nEND\n",
    ):
        root = write_vault(tmp_path / str(len(leftover)), {"A.md": leftover, "B.md": LIVE})
        fixed = run_check("--fix", "--exit-zero", "-q", ".", cwd=root)
        assert fixed.returncode == 0, fixed.stderr
        assert (root / "B.md").read_text(encoding="utf-8") == LIVE, leftover


def test_fix_does_not_close_a_block_over_a_delete_line_taking_its_id(tmp_path: Path) -> None:
    """A card being written lacks its END; below it stands `DELETE` / `ID: 1737306548883`, the
    plugin's order to delete that Anki note. `--fix` puts END after the last non-blank line,
    below the DELETE: the new card takes the deleted card's ID (the plugin updates that note
    with it instead of deleting it), and nothing is reported afterwards."""
    note = f"TARGET DECK: d\n{WORDS}START\nBasic\nFRONT: новая карта\n\nDELETE\nID: {OLD}\n"
    root = write_vault(tmp_path, {"A.md": note})
    fixed = run_check("--fix", "--exit-zero", "-q", ".", cwd=root)
    assert fixed.returncode == 0, fixed.stderr
    after = (root / "A.md").read_text(encoding="utf-8")
    end = after.find("\nEND")
    assert end == -1 or end < after.index("DELETE"), after


def test_fix_does_not_close_a_block_over_an_inline_card_and_renumber_it(tmp_path: Path) -> None:
    """Same END placement over an inline card that Anki knows by its ID: the block takes the
    inline card's ID (unanchored last-line ID), the pair reads as a duplicate of itself, and
    the synced inline card loses its ID."""
    note = (
        f"TARGET DECK: d\n{WORDS}START\nBasic\nFRONT: q\n\n"
        f"Текст 😀 STARTI [Basic] q :: a <!--ID: {OLD}--> ENDI\n"
    )
    root = write_vault(tmp_path, {"A.md": note})
    fixed = run_check("--fix", "--exit-zero", "-q", ".", cwd=root)
    assert fixed.returncode == 0, fixed.stderr
    assert f"<!--ID: {OLD}-->" in (root / "A.md").read_text(encoding="utf-8")


def test_fix_does_not_churn_an_id_that_a_block_and_an_inline_card_share(tmp_path: Path) -> None:
    """A block whose last line is an inline card: both read the same `ID:` text, so notels
    reports the ID as a duplicate of itself, and "Give this card a new ID" rewrites that one
    token, which still is both. `--fix` applies it pass after pass (10 new IDs, "Fixed 10
    problems"), the synced ID is gone, the duplicate stays, and every later run renumbers it
    again ("A second run changes nothing" does not hold)."""
    note = (
        f"TARGET DECK: d\n{WORDS}START\nBasic\nFRONT: q\n"
        f"Текст STARTI [Basic] q :: a <!--ID: {OLD}--> ENDI\nEND\n"
    )
    root = write_vault(tmp_path, {"A.md": note})
    first = run_check("--fix", "--exit-zero", "-q", ".", cwd=root)
    assert first.returncode == 0, first.stderr
    after_first = (root / "A.md").read_text(encoding="utf-8")
    second = run_check("--fix", "--exit-zero", "-q", ".", cwd=root)
    assert second.returncode == 0, second.stderr
    assert (root / "A.md").read_text(encoding="utf-8") == after_first  # a second run: no change
    assert after_first == note  # no fix can settle it: the synced ID stays


def test_fix_writes_no_id_that_its_own_check_then_reports_as_malformed(tmp_path: Path) -> None:
    """With `id-digits = 10` (a vault whose IDs are 10 digits), `--fix` writes a 13-digit ID
    and the very next check reports it as a malformed-id error (exit 1): the fix makes an
    error the user can only undo by hand."""
    note = f"TARGET DECK: d\n{WORDS}START\nBasic\nFRONT: q\nID: 1737306548\nEND\n"
    note += "START\nBasic\nFRONT: q2\nEND\n"
    root = write_vault(tmp_path, {"A.md": note, ".notels.toml": "id-digits = 10\n"})
    before = run_check(".", cwd=root)
    assert before.returncode == 0, before.stdout
    run_check("--fix", "--exit-zero", "-q", ".", cwd=root)
    after = run_check(".", cwd=root)
    assert "malformed-id" not in after.stdout, after.stdout
