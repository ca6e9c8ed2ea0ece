"""`created` as Obsidian's Properties panel writes a "Date & time" property: `2025-01-19T23:46`
(and with seconds when typed so). A note whose date was picked there was reported as having an
invalid date, and its cards' new IDs were not held to it."""

from __future__ import annotations

from pathlib import Path

import pytest

from notels.edits.ids import created_ms
from notels.syntax.note import parse_note
from vaults import findings_for, run_check, write_vault


def _note(created: str) -> str:
    return f"---\ncreated: {created}\n---\nEnough words in this note to count as its content.\n"


@pytest.mark.parametrize(
    "created", ["2025-01-19T23:46", "2025-01-19T23:46:05", '"2025-01-19T23:46"']
)
def test_the_date_time_property_form_is_valid(created: str) -> None:
    found = [
        f for f in findings_for({"a.md": _note(created)}, "a.md") if f.code == "invalid-created"
    ]
    assert found == []


@pytest.mark.parametrize("created", ["2025-01-19T23", "2025-01-19T25:00", "2025-01-19 T23:46"])
def test_what_is_no_date_time_still_is_reported(created: str) -> None:
    found = [
        f for f in findings_for({"a.md": _note(created)}, "a.md") if f.code == "invalid-created"
    ]
    assert len(found) == 1


def test_new_ids_hold_to_it_as_to_the_space_form() -> None:
    spaced = created_ms(parse_note(_note("2025-01-19 23:46")))
    assert spaced > 0
    assert created_ms(parse_note(_note("2025-01-19T23:46"))) == spaced
    assert created_ms(parse_note(_note("2025-01-19T23:46:59"))) == spaced


def test_through_the_cli(tmp_path: Path) -> None:
    vault = write_vault(tmp_path, {"a.md": _note("2025-01-19T23:46")})
    done = run_check(cwd=vault)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "invalid-created" not in done.stdout
