"""What a user reads: messages that say what is wrong once, `fixable` as `--fix` acts, the VS Code
settings as the server takes them, and new IDs that respect a note's `created` date."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from pathlib import Path

from notels.config import config_from_mapping
from notels.rules import known_codes
from vaults import findings_for, run_check, write_vault

VSCODE_PACKAGE = Path(__file__).parents[2] / "editors" / "vscode" / "package.json"


def test_malformed_id_message_for_a_leading_zero_does_not_contradict_itself() -> None:
    # `ID: 0001737306548` has 13 digits; it is refused for its leading zeros, but the message
    # said "ID 0001737306548 has 13 digits; Anki note IDs have 13."
    note = "TARGET DECK: a\nSTART\nBasic\nFront: q\nBack: a\nID: 0001737306548\nEND\n"
    found = [f for f in findings_for({"n.md": note}, "n.md") if f.code == "malformed-id"]
    assert found, "a leading-zero ID is reported"
    message = found[0].message
    match = re.search(r"has (\d+) digits; Anki note IDs have (\d+)", message)
    assert match is None or match.group(1) != match.group(2), message


def test_after_fix_no_finding_is_still_marked_fixable(tmp_path: Path) -> None:
    # docs/rules.md says nested-block "Has a safe automatic fix" and `--format json` marks it
    # `"fixable": true`, but `--fix` (README: IDs, END, START whitespace, fix/empty) leaves it:
    # a second --fix changes nothing while the report still offers a fix.
    vault = write_vault(
        tmp_path,
        {
            "n.md": "TARGET DECK: a\n\n> [!tip] card\n> START\n> Basic\n> Front: q\n> Back: a\n"
            "> END\n\nSome words of content for the note body here.\n",
        },
    )
    fixed = run_check("--fix", "--exit-zero", "-q", ".", cwd=vault)
    assert fixed.returncode == 0, fixed.stderr
    again = run_check("--diff", ".", cwd=vault)
    assert again.returncode == 0 and again.stdout == "", "--fix is done"
    records = json.loads(run_check("--format", "json", "--exit-zero", ".", cwd=vault).stdout)
    still = [(r["code"], r["line"]) for r in records if r["fixable"]]
    assert still == [], f"marked fixable but --fix does not fix them: {still}"


def test_invalid_encoding_message_does_not_repeat_itself(tmp_path: Path) -> None:
    vault = write_vault(tmp_path, {"latin.md": "caf\xe9 words here\n".encode("latin-1")})
    records = json.loads(run_check("--format", "json", "--exit-zero", ".", cwd=vault).stdout)
    [record] = [r for r in records if r["code"] == "invalid-encoding"]
    # Was: "Not valid UTF-8: read with replacement characters; save it as UTF-8 (not valid
    # UTF-8; read with replacement characters)."
    assert record["message"].lower().count("replacement characters") == 1, record["message"]
    assert "the first bad byte, 0xE9, is on line 1" in record["message"]


def test_skipped_binary_file_message_does_not_repeat_itself(tmp_path: Path) -> None:
    vault = write_vault(tmp_path, {"scan.md": b"\x00\x01binary"})
    records = json.loads(run_check("--format", "json", "--exit-zero", ".", cwd=vault).stdout)
    [record] = [r for r in records if r["code"] == "skipped-file"]
    # Was: "Not indexed: a binary file, not a text note (holds NUL bytes: not a text note)."
    assert record["message"].lower().count("not a text note") == 1, record["message"]


def test_vscode_empty_new_note_folder_means_beside_the_linking_note() -> None:
    # package.json: "empty: next to the linking note". The extension sends a value the user
    # set, "" included; the server reads "" as the vault root.
    described = json.loads(VSCODE_PACKAGE.read_text(encoding="utf-8"))["contributes"][
        "configuration"
    ]["properties"]["notels.newNoteFolder"]["markdownDescription"]
    assert "empty: next to the linking note" in described
    config = config_from_mapping({"new-note-folder": ""}, frozenset(known_codes()))
    assert config.new_note_folder is None, repr(config.new_note_folder)


def test_vscode_code_lens_setting_describes_the_lens_the_server_shows() -> None:
    # The server's only lens is "N backlinks" above a note's first line (README: "an optional
    # backlinks code lens"); the setting promised "card counts and actions above blocks".
    described = json.loads(VSCODE_PACKAGE.read_text(encoding="utf-8"))["contributes"][
        "configuration"
    ]["properties"]["notels.codeLens.enable"]["markdownDescription"]
    assert "backlink" in described.lower(), described


def test_generated_id_does_not_predate_the_notes_created_date(tmp_path: Path) -> None:
    # DIALECT: a generated ID "must not predate the note file's created date".
    created = (datetime.now() + timedelta(days=30)).replace(second=0, microsecond=0)
    vault = write_vault(
        tmp_path,
        {
            "n.md": f"---\ncreated: {created:%Y-%m-%d %H:%M}\n---\nTARGET DECK: a\n"
            "START\nBasic\nFront: q\nBack: a\nEND\n",
        },
    )
    diff = run_check("--diff", ".", cwd=vault).stdout
    [new_id] = re.findall(r"^\+ID: (\d+)$", diff, re.MULTILINE)
    assert int(new_id) >= int(created.timestamp() * 1000), (new_id, created)
