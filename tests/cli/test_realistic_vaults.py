"""`notels check` on vaults written as heavy Obsidian users write them: each test is a finding
notels reported although the note is right (or missed although the plugin loses the cards)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vaults import run_check, write_vault


def _findings(vault: Path, *args: str) -> list[dict[str, object]]:
    result = run_check("--format", "json", "--exit-zero", *args, ".", cwd=vault)
    assert result.returncode == 0, result.stderr
    records: list[dict[str, object]] = json.loads(result.stdout)
    return records


def _codes_in(records: list[dict[str, object]], path: str) -> list[str]:
    return [str(r["code"]) for r in records if str(r["path"]).replace("\\", "/").endswith(path)]


def test_links_to_notes_in_an_ignored_folder_are_not_unresolved(tmp_path: Path) -> None:
    """`ignore` (README's own example: `Templates/**`, `Archive/*.md`) means "do not check these
    notes", not "these notes do not exist": Obsidian opens `[[Old Project]]` all the same. Was:
    every link to an archived note is `unresolved-link` "No note named 'Old Project' in the
    vault", and the editor offers to create a second `Old Project.md`."""
    vault = write_vault(
        tmp_path / "vault",
        {
            ".notels.toml": 'ignore = ["Templates/**", "Archive/**"]\n',
            "Archive/2023/Old Project.md": "# Old Project\nWhat we did in 2023.\n",
            "Templates/Daily.md": "# <% tp.file.title %>\n## Tasks\n",
            "Now.md": (
                "Continues [[Old Project]] (see [[Archive/2023/Old Project]]).\n"
                "Made from [[Templates/Daily]].\n"
            ),
        },
    )
    records = _findings(vault)
    assert "unresolved-link" not in _codes_in(records, "Now.md"), records


def test_links_to_a_note_skipped_as_too_large_are_not_unresolved(tmp_path: Path) -> None:
    """A big Excalidraw drawing (embedded images make them megabytes) is skipped by
    `max-file-size` and reported once as `skipped-file`; it still exists, and Obsidian shows
    `![[Big board.excalidraw]]`. Was: each link to it is also `unresolved-link` "No note named
    'Big board.excalidraw' in the vault"."""
    drawing = (
        "---\nexcalidraw-plugin: parsed\n---\n# Text Elements\nBoard\n\n%%\n# Drawing\n"
        "```compressed-json\n" + "N4KAkARALgngDg" * 200 + "\n```\n%%\n"
    )
    vault = write_vault(
        tmp_path / "vault",
        {
            ".notels.toml": "max-file-size = 1000\n",
            "Excalidraw/Big board.excalidraw.md": drawing,
            "Planning.md": "The plan:\n![[Big board.excalidraw]]\nand [[Big board.excalidraw]].\n",
        },
    )
    records = _findings(vault)
    assert _codes_in(records, "Big board.excalidraw.md") == ["skipped-file"]
    assert "unresolved-link" not in _codes_in(records, "Planning.md"), records


def test_prose_prefix_lines_in_a_field_are_not_duplicate_fields(tmp_path: Path) -> None:
    """rules.md (unknown-field): "Inside a field's text, a line such as `A: a finite set` or
    `Example: ...` is prose, not a field". In a vault with fewer than 3 cards of a note type
    (a new type, a small vault, or the editor while indexing), `duplicate-field` read two
    `Example:` lines in BACK as the field `Example` written twice and said "Anki keeps one
    value"; the plugin keeps both lines in BACK."""
    vault = write_vault(
        tmp_path / "vault",
        {
            "Metric space.md": (
                "A metric space is a set with a distance function.\n\n"
                "# Anki\nTARGET DECK: stem::math\n"
                "START\nmath_basic_single\n"
                "FRONT: Examples of metric spaces?\n"
                "BACK: Two standard ones:\n"
                "Example: the real line with $d(x,y)=|x-y|$\n"
                "Example: any set with the discrete metric\n"
                "ID: 1737306548883\nEND\n"
            ),
        },
    )
    records = _findings(vault)
    assert "duplicate-field" not in _codes_in(records, "Metric space.md"), records


def test_fix_keeps_fix_empty_on_a_note_whose_body_is_a_comment_and_a_query(
    tmp_path: Path,
) -> None:
    """A note made from a template: a `%%` writing prompt (hidden in Obsidian's reading view)
    and a Dataview backlinks query, nothing written yet. It is exactly what `fix/empty` marks
    (DIALECT.md: "the note still lacks its content"), yet `stale-fix-empty` counts the
    comment's and the query's words as content, and `--fix` deletes the owner's tag."""
    text = (
        "---\ntags:\n  - fix/empty\n---\n"
        "# Definition\n"
        "%% Write the definition here: one sentence, then an example, the intuition behind it "
        "and the main theorem that uses it. %%\n\n"
        "## Backlinks\n"
        "```dataview\nLIST FROM [[]] WHERE file.name != this.file.name SORT file.mtime DESC\n```\n"
    )
    vault = write_vault(tmp_path / "vault", {"Compact set.md": text})
    records = _findings(vault)
    assert "stale-fix-empty" not in _codes_in(records, "Compact set.md"), records
    run_check("--fix", "--exit-zero", ".", cwd=vault)
    assert (vault / "Compact set.md").read_text(encoding="utf-8") == text


def test_target_deck_with_an_empty_deck_is_reported(tmp_path: Path) -> None:
    """DIALECT.md 4: `TARGET DECK` followed by the deck on the next line. Written with a blank
    line between, the plugin's `^TARGET DECK(?:\\n|: )(.*)` takes the blank line: the deck is
    "" and AnkiConnect rejects every card of the note ("deck was not found"). Was: notels read
    the same empty deck and said nothing."""
    vault = write_vault(
        tmp_path / "vault",
        {
            "Embeddings.md": (
                "Embeddings map objects to dense vectors.\n\n# Anki\nTARGET DECK\n\n"
                "stem::ml::core\n\nSTART\nBasic\nFRONT: Embedding\nBACK: A dense vector.\n"
                "ID: 1737306548883\nEND\n"
            ),
        },
    )
    records = _findings(vault)
    on_deck_line = [r for r in records if r["line"] == 4 and _codes_in([r], "Embeddings.md")]
    assert on_deck_line, f"the empty TARGET DECK (line 4) goes unreported: {records}"


CARD_TEMPLATE = (
    "---\n"
    "aliases: \n"
    'created: <% tp.date.now("YYYY-MM-DD HH:mm") %>\n'
    "parent:\n"
    '  - "[[<% tp.file.folder() %>]]"\n'
    "tags:\n"
    "  - fix/empty\n"
    "---\n"
    "# <% tp.file.title %>\n"
    "<% tp.file.cursor(1) %>\n\n"
    "# Anki\n"
    "TARGET DECK: stem::ml\n"
    "START\nmath_complex\nFRONT: \nBACK: \nFORMULA: \nPICTURE: \nADDITIONAL: \nEND\n"
)


def test_fix_writes_no_id_into_the_configured_new_note_template(tmp_path: Path) -> None:
    """`new-note-template` names the note every "Create note" copies. The template's card
    skeleton has no ID on purpose: each note made from it gets its own when filled in. `--fix`
    writes one into the template itself, so every note created from then on carries that same
    ID: duplicate IDs, cards overwriting each other in Anki (DIALECT.md 5)."""
    vault = write_vault(
        tmp_path / "vault",
        {
            ".notels.toml": 'new-note-template = "Templates/Card note.md"\n',
            "Templates/Card note.md": CARD_TEMPLATE,
            "Adam.md": "Adam combines momentum and RMSProp.\n",
        },
    )
    run_check("--fix", "--exit-zero", ".", cwd=vault)
    assert (vault / "Templates/Card note.md").read_text(encoding="utf-8") == CARD_TEMPLATE


def test_fix_writes_no_id_into_obsidians_templates_folder(tmp_path: Path) -> None:
    """The core Templates plugin's folder (`.obsidian/templates.json`; Templater keeps its own in
    `.obsidian/plugins/templater-obsidian/data.json`) holds templates, not notes: Obsidian
    copies each into every note made from it. Was: `--fix` gives the template's empty card an
    ID, which every note made from it then shares."""
    basic = "START\nBasic\nFront: {{title}}\nBack: \nEND\n"
    vault = write_vault(
        tmp_path / "vault",
        {
            ".obsidian/templates.json": '{"folder": "Templates"}',
            "Templates/Card note.md": CARD_TEMPLATE,
            "Templates/Basic card.md": basic,
            "Adam.md": "Adam combines momentum and RMSProp.\n",
        },
    )
    run_check("--fix", "--exit-zero", ".", cwd=vault)
    assert (vault / "Templates/Card note.md").read_text(encoding="utf-8") == CARD_TEMPLATE
    assert (vault / "Templates/Basic card.md").read_text(encoding="utf-8") == basic


def test_fix_writes_no_id_into_periodic_notes_and_quickadd_templates(tmp_path: Path) -> None:
    """The weekly template of the Periodic Notes plugin and a QuickAdd Template choice's note
    are copied into every note made from them, as core Templates' are. Was: `--fix` gave
    their empty cards an ID that every weekly note (and every QuickAdd card) then shared."""
    weekly = "# Week {{date:ww}}\nSTART\nBasic\nFront: Review of the week\nBack: \nEND\n"
    vault = write_vault(
        tmp_path / "vault",
        {
            ".obsidian/plugins/periodic-notes/data.json": (
                '{"weekly": {"enabled": true, "format": "gggg-[W]ww", "template": "Meta/Weekly"}}'
            ),
            ".obsidian/plugins/quickadd/data.json": (
                '{"choices": [{"type": "Multi", "choices": '
                '[{"type": "Template", "templatePath": "Meta/Card.md"}]}]}'
            ),
            "Meta/Weekly.md": weekly,
            "Meta/Card.md": CARD_TEMPLATE,
            "Adam.md": "Adam combines momentum and RMSProp.\n",
        },
    )
    run_check("--fix", "--exit-zero", ".", cwd=vault)
    assert (vault / "Meta/Weekly.md").read_text(encoding="utf-8") == weekly
    assert (vault / "Meta/Card.md").read_text(encoding="utf-8") == CARD_TEMPLATE


def test_fix_writes_no_id_into_a_quickadd_capture_choices_template(tmp_path: Path) -> None:
    """A QuickAdd Capture choice set to create its target note from a template when the note
    does not exist yet (`createFileIfItDoesntExist.createWithTemplate`, a daily log captured
    to `{{DATE}}.md`) copies that template into every note it makes, as a Template choice
    does. Was: `--fix` gave the template's empty card an ID that every note made from it
    then shared (the plugin updates one Anki note from all of them)."""
    capture = {
        "type": "Capture",
        "name": "Log",
        "captureTo": "Log/{{DATE}}.md",
        "createFileIfItDoesntExist": {
            "enabled": True,
            "createWithTemplate": True,
            "template": "Meta/Log card.md",
        },
    }
    vault = write_vault(
        tmp_path / "vault",
        {
            ".obsidian/plugins/quickadd/data.json": json.dumps({"choices": [capture]}),
            "Meta/Log card.md": CARD_TEMPLATE,
            "Adam.md": "Adam combines momentum and RMSProp.\n",
        },
    )
    run_check("--fix", "--exit-zero", ".", cwd=vault)
    assert (vault / "Meta/Log card.md").read_text(encoding="utf-8") == CARD_TEMPLATE


def test_template_placeholders_in_the_templates_folder_are_not_findings(tmp_path: Path) -> None:
    """Templater's `<% ... %>` and core Templates' `{{date}}` are filled in when a note is
    made; in the templates folder they are what a template is. Was: `invalid-created` on
    `created: <% tp.date.now(...) %>`, `unresolved-link` "No note named '<% tp.file.folder()
    %>'" and "No note named '{{date:YYYY-MM-DD}}'", and an `invalid-frontmatter` error (exit 1
    in CI) on `created: {{date}} {{time}}`."""
    daily = (
        "---\ncreated: {{date}} {{time}}\ntags: [daily]\n---\n# {{title}}\n"
        'Yesterday: [[<% tp.date.now("YYYY-MM-DD", -1) %>]]\n'
        "Tomorrow: [[{{date:YYYY-MM-DD}}]]\n\n## Tasks\n- [ ] \n"
    )
    vault = write_vault(
        tmp_path / "vault",
        {
            ".obsidian/templates.json": '{"folder": "Templates"}',
            "Templates/Card note.md": CARD_TEMPLATE,
            "Templates/Daily.md": daily,
        },
    )
    records = _findings(vault)
    template_codes = {"invalid-created", "unresolved-link", "invalid-frontmatter"}
    wrong = [r for r in records if r["code"] in template_codes]
    assert not wrong, wrong


def test_an_excalidraw_flowchart_with_start_and_end_boxes_is_no_card(tmp_path: Path) -> None:
    """An Excalidraw drawing writes each text element as `text ^elementid` under `# Text
    Elements`. A flowchart has boxes labelled START and END, so the drawing holds
    `START ^Ab12Cd34` ... `END ^Ij90Kl12`: no card (the plugin's `^START\\n` does not match it,
    and Obsidian_to_Anki's `ignored_file_globs` commonly carries `**/*.excalidraw.md`). Was: an
    error `start-trailing-text` "Text '^Ab12Cd34' after START: the sync plugin ignores this
    card" that fails CI on a drawing."""
    elements = [
        {"type": "text", "id": "Ab12Cd34", "text": "START", "originalText": "START"},
        {"type": "text", "id": "Ef56Gh78", "text": "Read input", "originalText": "Read input"},
        {"type": "text", "id": "Ij90Kl12", "text": "END", "originalText": "END"},
    ]
    drawing = (
        "---\n\nexcalidraw-plugin: parsed\ntags: [excalidraw]\n\n---\n"
        "==⚠  Switch to EXCALIDRAW VIEW in the MORE OPTIONS menu of this document. ⚠==\n\n\n"
        "# Text Elements\nSTART ^Ab12Cd34\n\nRead input ^Ef56Gh78\n\nEND ^Ij90Kl12\n\n"
        "%%\n# Drawing\n```json\n"
        + json.dumps({"type": "excalidraw", "version": 2, "elements": elements}, indent="\t")
        + "\n```\n%%"
    )
    vault = write_vault(
        tmp_path / "vault",
        {
            "Excalidraw/Algorithm flowchart.excalidraw.md": drawing,
            "Algorithms.md": "The loop: ![[Algorithm flowchart.excalidraw|400]]\n",
        },
    )
    records = _findings(vault)
    assert _codes_in(records, "Algorithm flowchart.excalidraw.md") == [], records
    result = run_check(".", cwd=vault)
    assert result.returncode == 0, result.stdout


@pytest.mark.parametrize("name", ["Anatomy of a card.excalidraw.md", "Anatomy of a card.md"])
def test_a_card_copied_into_an_excalidraw_drawing_is_no_duplicate_id(
    tmp_path: Path, name: str
) -> None:
    """A drawing explaining the card format has a multi-line text element holding a real card
    (START ... ID ... END): Excalidraw writes the lines as they are and ` ^id` after the last.
    The drawing holds no card, so its copy of the ID is no duplicate. Was: the real card was
    reported (exit 1 in CI), and `--fix` renumbered it when the drawing sorted first, so Anki
    made a new note and lost its reviews."""
    card = "START\nBasic\nFront: What is ATP?\nBack: Energy\nID: 1737306548883\nEND"
    drawing = (
        "---\nexcalidraw-plugin: parsed\n---\n# Text Elements\n"
        + card
        + " ^a4b5c6d7\n\n%%\n# Drawing\n```json\n{}\n```\n%%\n"
    )
    vault = write_vault(
        tmp_path / "vault",
        {
            ".obsidian/app.json": "{}",
            name: drawing,
            "Cell.md": "TARGET DECK: Bio\n\n" + card + "\n",
        },
    )
    records = _findings(vault)
    assert "duplicate-id" not in _codes_in(records, "Cell.md"), records
    run_check("--fix", ".", cwd=vault)
    assert "ID: 1737306548883\n" in (vault / "Cell.md").read_text(encoding="utf-8")


def test_an_excalidraw_drawing_saved_as_plain_md_is_no_card(tmp_path: Path) -> None:
    """Excalidraw's "file name" setting `useExcalidrawExtension: false` saves new drawings as
    plain `.md` files (`Drawing 2024-05-01 10.00.00.md`), known by their frontmatter
    `excalidraw-plugin: parsed`, and hold no card either; a copy of a real card's ID there is
    no duplicate. Was: only the `.excalidraw.md` suffix counted, and the flowchart's `START
    ^id` box was an error (exit 1 in CI)."""
    drawing = (
        "---\n\nexcalidraw-plugin: parsed\ntags: [excalidraw]\n\n---\n"
        "==⚠  Switch to EXCALIDRAW VIEW in the MORE OPTIONS menu of this document. ⚠==\n\n\n"
        "# Text Elements\nSTART ^Ab12Cd34\n\nRead input ^Ef56Gh78\n\nEND ^Ij90Kl12\n\n"
        "%%\n# Drawing\n```json\n{}\n```\n%%"
    )
    vault = write_vault(
        tmp_path / "vault",
        {
            ".obsidian/plugins/obsidian-excalidraw-plugin/data.json": (
                '{"folder": "Excalidraw", "useExcalidrawExtension": false}'
            ),
            "Excalidraw/Drawing 2024-05-01 10.00.00.md": drawing,
            "Algorithms.md": "The loop: ![[Drawing 2024-05-01 10.00.00|400]]\n",
        },
    )
    records = _findings(vault)
    assert _codes_in(records, "Drawing 2024-05-01 10.00.00.md") == [], records
    assert run_check(".", cwd=vault).returncode == 0


@pytest.mark.parametrize("value", ["", " false", " null", ' ""'])
def test_a_cleared_excalidraw_plugin_property_is_no_drawing(tmp_path: Path, value: str) -> None:
    """Excalidraw's isExcalidrawFile needs a truthy `excalidraw-plugin` value; a note whose
    property was cleared in Obsidian's Properties view (`excalidraw-plugin:`) opens as Markdown,
    and the sync plugin reads its cards. Was: notels took the key alone: the card went
    unchecked, and its ID was left out of the index."""
    vault = write_vault(
        tmp_path / "vault",
        {
            ".obsidian/app.json": "{}",
            "Note.md": f"---\nexcalidraw-plugin:{value}\n---\nTARGET DECK: Bio\n\n"
            "START\nBasic\nFront: q\nBack: a\nEND\n",
        },
    )
    records = _findings(vault)
    assert "missing-id" in _codes_in(records, "Note.md"), records


def test_fix_writes_no_id_into_the_daily_notes_template(tmp_path: Path) -> None:
    """The core Daily notes plugin copies its template (`.obsidian/daily-notes.json`, named
    without `.md`) into every day's note: its card skeleton must keep no ID of its own. Was:
    `--fix` wrote one, and every daily note made from then on shared it."""
    template = "# {{date}}\n\nSTART\nBasic\nFront: \nBack: \nEND\n"
    vault = write_vault(
        tmp_path / "vault",
        {
            ".obsidian/daily-notes.json": '{"folder": "Daily", "template": "Meta/Daily"}',
            "Meta/Daily.md": template,
            "Daily/2026-11-27.md": "Read [[Meta/Daily]].\nSTART\nBasic\nFront: q\nEND\n",
        },
    )
    run_check("--fix", "--exit-zero", ".", cwd=vault)
    assert (vault / "Meta/Daily.md").read_text(encoding="utf-8") == template
    assert "ID: " in (vault / "Daily/2026-11-27.md").read_text(encoding="utf-8")
    records = _findings(vault)
    assert _codes_in(records, "Meta/Daily.md") == [], records
    assert "unresolved-link" not in _codes_in(records, "2026-11-27.md"), records


def test_names_with_a_final_sigma_or_a_dot_resolve_in_check(tmp_path: Path) -> None:
    """`notels check` on a vault of Greek and dotted names (a CRLF note links them, and an
    empty note sits beside): `[[ΟΔΟΣ]]` and `[[οδος]]` open `ΟΔΟΣ.md`, `[[web/Node.js]]` opens
    `web/Node.js.md`, and `[[Tools/Café]]` opens a file whose name macOS stored decomposed.
    Was: the first two and the path link reported as `unresolved-link`."""
    vault = write_vault(
        tmp_path / "vault",
        {
            "ΟΔΟΣ.md": "Κείμενο 😀.\n",
            "web/Node.js.md": "Runtime.\n",
            "Node.js.md": "Root.\n",
            "Tools/Cafe\u0301.md": "Decomposed name.\n",
            "Empty.md": "",
        },
    )
    (vault / "Links.md").write_bytes(
        "[[ΟΔΟΣ]], [[οδος]] 😀\r\n[[web/Node.js]] и [[Tools/Café]]\r\n".encode()
    )
    records = _findings(vault)
    assert _codes_in(records, "Links.md") == []
