"""Where a vault keeps its note templates: Obsidian's Templates folder, Templater's, and the
Daily notes template.

A template is not a note: its card skeleton has no ID on purpose (each note made from it gets
its own), and its `{{date}}` and `<% tp.file.title %>` are filled in only in the notes made
from it. notels leaves templates out as it leaves out ignored files: not checked, never fixed
(an ID written into a template would be shared by every note made from it afterwards), and
a link to one still opens it.
"""

from __future__ import annotations

import json
from pathlib import Path

from notels.vault.files import vault_relative_path

# (settings file, key, names a folder rather than a note): core Templates, Templater, and the
# core Daily notes' template (a note, named without `.md`, wherever it lies).
_TEMPLATE_KEYS = (
    (".obsidian/templates.json", "folder", True),
    (".obsidian/plugins/templater-obsidian/data.json", "templates_folder", True),
    (".obsidian/daily-notes.json", "template", False),
)
# The vault-relative settings files to follow: a change means reading the config again.
TEMPLATE_SETTINGS = tuple(settings for settings, _, _ in _TEMPLATE_KEYS)
_GLOB_SPECIALS = str.maketrans({"*": "[*]", "?": "[?]", "[": "[[]"})


def template_globs(root: Path) -> tuple[str, ...]:
    """Ignore globs (see vault.files.IgnoreGlobs) of the template folders and notes the vault's
    Obsidian settings name; () when they name none or cannot be read."""
    globs: list[str] = []
    for settings, key, is_folder in _TEMPLATE_KEYS:
        try:
            # A BOM (a Windows editor's) is no part of the JSON, as in .notels.toml.
            data = json.loads((root / settings).read_text(encoding="utf-8-sig"))
        except (OSError, ValueError):
            continue
        path = _setting_path(data.get(key)) if isinstance(data, dict) else None
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
