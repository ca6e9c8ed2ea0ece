"""The rules reference in docs/ is generated from the registry and must stay in sync."""

from __future__ import annotations

import os
from pathlib import Path

from notels.config import Config
from notels.edits.editor_fixes import delete_deck_fix, new_note_for, path_link_fixes
from notels.edits.fixes import fixes_for_finding
from notels.edits.ids import IdGenerator, vault_ids
from notels.report.rules_doc import render_rules_markdown
from notels.rules import all_rules, check_note
from notels.syntax.note import parse_note
from notels.vault.index import VaultIndex

DOC = Path(__file__).parents[1] / "docs" / "rules.md"
README = Path(__file__).parents[1] / "README.md"


def test_rules_doc_is_up_to_date() -> None:
    rendered = render_rules_markdown(all_rules())
    if os.environ.get("NOTELS_UPDATE_GOLDEN"):
        DOC.write_text(rendered, encoding="utf-8")
    assert DOC.read_text(encoding="utf-8") == rendered


def test_readme_lists_every_rule_code() -> None:
    readme = README.read_text(encoding="utf-8")
    missing = [rule.code for rule in all_rules() if f"`{rule.code}`" not in readme]
    assert not missing


# A note that draws each finding the editor has a quick fix for, though `--fix` leaves it alone.
_EDITOR_FIXED = {
    "misplaced-id": "START\nBasic\nFront: x\nID: 1737306548883\nBack: y\nEND\n",
    "swallowed-block": "START\nBasic\nFront: x\n\nSTART\nBasic\nFront: y\nID: 1737306548883\nEND\n",
    "missing-note-type": "START\nBasic \nFront: x\nID: 1737306548883\nEND\n",
    "empty-note": "---\ncreated: 2025-01-19 23:46\n---\n",
    "unresolved-link": "A text with a [[Missing note]] in it, and some words besides.\n",
    "ambiguous-link": "A text with a [[Shared]] link in it, and some words besides.\n",
    "shadowed-target-deck": (
        "TARGET DECK: a\nSTART\nBasic\nFront: x\nID: 1737306548883\nEND\n"
        "TARGET DECK: b\nSTART\nBasic\nFront: y\nID: 1737306548884\nEND\n"
    ),
}


def _editor_fix_titles(code: str, text: str) -> list[str]:
    """The quick fixes the language server offers for the `code` finding of a note `text`."""
    index = VaultIndex()
    for path, body in {"Note.md": text, "x/Shared.md": "", "y/z/Shared.md": ""}.items():
        index.set_note(path, parse_note(body))
    note, config = index.notes["Note.md"], Config()
    generator = IdGenerator(vault_ids(index), now_ms=lambda: 1_750_000_000_000)
    titles: list[str] = []
    for finding in check_note("Note.md", note, index, config):
        if finding.code != code:
            continue
        fixes = fixes_for_finding("Note.md", note, index, config, finding, generator)
        fixes += path_link_fixes("Note.md", note, index, finding)
        deck = delete_deck_fix(note, finding)
        new = new_note_for("Note.md", note, index, finding)
        titles += [fix.title for fix in fixes] + ([deck.title] if deck else [])
        titles += [new.title] if new else []
    return titles


def test_rules_doc_names_every_rule_the_editor_offers_a_quick_fix_for() -> None:
    # docs/rules.md says "The editor offers a quick fix" only for rules marked fixable. Was:
    # seven rules with quick fixes (Move the ID line, Add END before the next START, Remove the
    # spaces after the note type, Tag the note #fix/empty, Create note, Use path link, Delete
    # this TARGET DECK line) were not marked, so their sections said nothing of a fix.
    by_code = {rule.code: rule for rule in all_rules()}
    offered = {code: _editor_fix_titles(code, text) for code, text in _EDITOR_FIXED.items()}
    assert all(offered.values()), offered  # each sample does draw a fixed finding
    rendered = render_rules_markdown(all_rules())
    unmarked = [code for code in offered if not by_code[code].fixable]
    assert unmarked == [], f"quick fixes the rules doc does not mention: {unmarked}"
    for code in offered:
        section = rendered.split(f"\n## {code}\n", 1)[1].split("\n## ", 1)[0]
        assert "quick fix" in section.split("\n\n")[0], code
