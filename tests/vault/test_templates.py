"""The template folders a vault's Obsidian settings name, as ignore globs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from notels.config import Config, vault_defaults
from notels.vault.files import IgnoreGlobs
from notels.vault.templates import template_globs

TEMPLATER = ".obsidian/plugins/templater-obsidian/data.json"


def _vault(tmp_path: Path, files: dict[str, str]) -> Path:
    for relative, text in files.items():
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return tmp_path


def test_core_templates_and_templater_folders(tmp_path: Path) -> None:
    root = _vault(
        tmp_path,
        {
            ".obsidian/templates.json": '{"folder": "/Meta/Шаблоны/"}',
            TEMPLATER: '{"templates_folder": "Meta\\\\Templater", "other": 1}',
        },
    )
    assert template_globs(root) == ("Meta/Шаблоны/**", "Meta/Templater/**")


@pytest.mark.parametrize(
    "settings",
    [
        "",  # empty file
        "{not json",
        '["Templates"]',
        '{"folder": ""}',
        '{"folder": "/"}',
        '{"folder": "../elsewhere"}',
        '{"folder": 5}',
    ],
)
def test_no_folder_from_settings_that_name_none(tmp_path: Path, settings: str) -> None:
    root = _vault(tmp_path, {".obsidian/templates.json": settings})
    assert template_globs(root) == ()


def test_a_folder_named_like_a_glob_matches_itself_only(tmp_path: Path) -> None:
    root = _vault(tmp_path, {".obsidian/templates.json": '{"folder": "T[1]*"}'})
    globs = IgnoreGlobs.compile(template_globs(root))
    assert globs.matches("T[1]*/a.md")
    assert not globs.matches("T1x/a.md")


def test_templates_and_the_new_note_template_are_ignored(tmp_path: Path) -> None:
    root = _vault(tmp_path, {TEMPLATER: '{"templates_folder": "Templates"}'})
    config = vault_defaults(root)
    assert config.ignored == ("Templates/**",)
    with_template = Config(
        ignore=("Archive/**",), template_globs=config.template_globs, new_note_template="New [x].md"
    )
    globs = IgnoreGlobs.compile(with_template.ignored)
    assert [globs.matches(p) for p in ("Archive/a.md", "Templates/b.md", "New [x].md")] == [
        True,
        True,
        True,
    ]
    assert not globs.matches("New x.md")


def test_a_settings_file_saved_with_a_bom(tmp_path: Path) -> None:
    """Read as .notels.toml is (utf-8-sig). Was: json failed on the BOM, the folder was not
    left out, and --fix wrote an ID into the template's card skeleton."""
    root = _vault(tmp_path, {".obsidian/templates.json": '\ufeff{"folder": "Templates"}'})
    assert template_globs(root) == ("Templates/**",)


def test_the_daily_notes_template_is_a_template(tmp_path: Path) -> None:
    """The core Daily notes plugin names its template note without `.md` (wherever it lies);
    with `.md` written out, it counts once."""
    root = _vault(tmp_path, {".obsidian/daily-notes.json": '{"template": "Meta/Дневник [d]"}'})
    assert template_globs(root) == ("Meta/Дневник [[]d].md",)
    globs = IgnoreGlobs.compile(template_globs(root))
    assert globs.matches("Meta/Дневник [d].md")
    assert not globs.matches("Meta/Дневник d.md")
    root = _vault(tmp_path, {".obsidian/daily-notes.json": '{"template": "/Daily.md"}'})
    assert template_globs(root) == ("Daily.md",)


PERIODIC = ".obsidian/plugins/periodic-notes/data.json"
QUICKADD = ".obsidian/plugins/quickadd/data.json"


def test_periodic_notes_templates_in_both_settings_shapes(tmp_path: Path) -> None:
    """Periodic Notes names a template note per period: `weekly.template` up to release
    0.0.17, `templatePath` of each period of each calendar set in the 1.0 betas. A template
    of a period turned off is still a template; an empty one names none."""
    released = {
        "showGettingStartedBanner": False,
        "daily": {"format": "", "template": "", "folder": "", "enabled": False},
        "weekly": {"format": "gggg-[W]ww", "template": "Meta/Неделя", "enabled": True},
        "monthly": {"template": "Meta/Month.md", "enabled": False},
        "quarterly": "not an object",
    }
    root = _vault(tmp_path / "released", {PERIODIC: json.dumps(released)})
    assert template_globs(root) == ("Meta/Неделя.md", "Meta/Month.md")
    beta = {
        "activeCalendarSet": "Default",
        "calendarSets": [
            {"id": "Default", "day": {"enabled": True, "templatePath": "T/Day.md"}},
            {"id": "Work", "week": {"templatePath": "T/Week"}, "year": None},
            "junk",
        ],
    }
    root = _vault(tmp_path / "beta", {PERIODIC: json.dumps(beta)})
    assert template_globs(root) == ("T/Day.md", "T/Week.md")


def test_quickadd_template_folders_and_template_choices(tmp_path: Path) -> None:
    """QuickAdd's template folders, and the note of every Template choice, also inside a Multi
    choice; a Capture choice's target is a note, not a template."""
    settings = {
        "templateFolderPaths": ["QuickAdd/Шаблоны"],
        "templateFolderPath": "Old templates",
        "choices": [
            {"type": "Template", "name": "Card", "templatePath": "Cards/Card template.md"},
            {"type": "Capture", "name": "Inbox", "captureTo": "Inbox.md"},
            {
                "type": "Multi",
                "choices": [{"type": "Template", "templatePath": "Deep/Book.md"}],
            },
        ],
    }
    root = _vault(tmp_path, {QUICKADD: json.dumps(settings)})
    assert template_globs(root) == (
        "QuickAdd/Шаблоны/**",
        "Old templates/**",
        "Cards/Card template.md",
        "Deep/Book.md",
    )
