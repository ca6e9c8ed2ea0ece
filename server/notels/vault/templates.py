"""Where a vault keeps its note templates: the folders and notes that Obsidian's Templates,
Daily notes, and the Templater, Periodic Notes and QuickAdd plugins name in their settings.

A template is not a note: its card skeleton has no ID on purpose (each note made from it gets
its own), and its `{{date}}` and `<% tp.file.title %>` are filled in only in the notes made
from it. notels leaves templates out as it leaves out ignored files: not checked, never fixed
(an ID written into a template would be shared by every note made from it afterwards), and
a link to one still opens it.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Callable, Iterator
from pathlib import Path

from notels.vault.files import vault_relative_path

# A place a settings file names: (the value as written, names a folder rather than a note).
_Named = tuple[object, bool]
_PERIODS = ("daily", "weekly", "monthly", "quarterly", "yearly")
_GRANULARITIES = ("day", "week", "month", "quarter", "year", "fiscalYear")
_GLOB_SPECIALS = str.maketrans({"*": "[*]", "?": "[?]", "[": "[[]"})


def _templates_folder(settings: dict[str, object]) -> Iterator[_Named]:
    yield settings.get("folder"), True


def _templater(settings: dict[str, object]) -> Iterator[_Named]:
    yield settings.get("templates_folder"), True


def _daily_notes(settings: dict[str, object]) -> Iterator[_Named]:
    # A note, named without `.md`, wherever it lies.
    yield settings.get("template"), False


def _periodic_notes(settings: dict[str, object]) -> Iterator[_Named]:
    """A template note per period: `daily.template` and the like (releases up to 0.0.17), or
    `templatePath` of each period of each calendar set (the 1.0 betas)."""
    for period in _PERIODS:
        if isinstance(config := settings.get(period), dict):
            yield config.get("template"), False
    calendar_sets = settings.get("calendarSets")
    for calendar_set in calendar_sets if isinstance(calendar_sets, list) else ():
        for granularity in _GRANULARITIES:
            if isinstance(calendar_set, dict) and isinstance(
                config := calendar_set.get(granularity), dict
            ):
                yield config.get("templatePath"), False


def _quickadd(settings: dict[str, object]) -> Iterator[_Named]:
    """Its template folders (`templateFolderPaths`, once `templateFolderPath`), the note of
    every Template choice, and the template a Capture choice makes a missing note from,
    however deep in Multi choices and macros they sit."""
    folders = settings.get("templateFolderPaths")
    for folder in folders if isinstance(folders, list) else ():
        yield folder, True
    yield settings.get("templateFolderPath"), True
    pending: deque[object] = deque([settings.get("choices")])
    while pending:
        value = pending.popleft()
        if isinstance(value, list):
            pending.extend(value)
        elif isinstance(value, dict):
            if value.get("type") == "Template":
                yield value.get("templatePath"), False
            created = value.get("createFileIfItDoesntExist")
            if isinstance(created, dict):
                yield created.get("template"), False
            pending.extend(value.values())


# (settings file, what it names): a change of one of these files means reading them again.
_TEMPLATE_SETTINGS: tuple[tuple[str, Callable[[dict[str, object]], Iterator[_Named]]], ...] = (
    (".obsidian/templates.json", _templates_folder),
    (".obsidian/plugins/templater-obsidian/data.json", _templater),
    (".obsidian/daily-notes.json", _daily_notes),
    (".obsidian/plugins/periodic-notes/data.json", _periodic_notes),
    (".obsidian/plugins/quickadd/data.json", _quickadd),
)
# The vault-relative settings files to follow: a change means reading the config again.
TEMPLATE_SETTINGS = tuple(settings for settings, _ in _TEMPLATE_SETTINGS)


def template_globs(root: Path) -> tuple[str, ...]:
    """Ignore globs (see vault.files.IgnoreGlobs) of the template folders and notes the vault's
    Obsidian settings name; () when they name none or cannot be read."""
    globs: list[str] = []
    for settings, named in _TEMPLATE_SETTINGS:
        try:
            # A BOM (a Windows editor's) is no part of the JSON, as in .notels.toml.
            data = json.loads((root / settings).read_text(encoding="utf-8-sig"))
        except (OSError, ValueError):
            continue
        if not isinstance(data, dict):
            continue
        for value, is_folder in named(data):
            path = _setting_path(value)
            if path is None:
                continue
            if is_folder:
                glob = literal_glob(path) + "/**"
            else:
                glob = literal_glob(path if path.lower().endswith(".md") else path + ".md")
            if glob not in globs:
                globs.append(glob)
    return tuple(globs)


def literal_glob(path: str) -> str:
    """A glob matching `path` alone, whatever characters it holds."""
    return path.translate(_GLOB_SPECIALS)


def _setting_path(value: object) -> str | None:
    """The folder or note a template setting names; None for none, the root, or a value that
    names no place inside the vault."""
    try:
        return vault_relative_path(value) or None
    except ValueError:
        return None
