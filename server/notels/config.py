""".notels.toml (and, in the server, LSP settings) -> one typed Config."""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from enum import Enum
from pathlib import Path

from notels.findings import Severity
from notels.vault.files import resolved, vault_relative_path
from notels.vault.templates import literal_glob, template_globs

CONFIG_FILE_NAME = ".notels.toml"


FILE_WATCHERS = ("auto", "server", "client")


class IdStyle(Enum):
    PLAIN = "plain"  # `ID: 1737306548883`
    COMMENT = "comment"  # `<!--ID: 1737306548883-->`


@dataclass(frozen=True, slots=True)
class Config:
    # Rule code -> severity; a code mapped to None is disabled.
    severities: Mapping[str, Severity | None] = field(default_factory=dict)
    ignore: tuple[str, ...] = ()  # globs, relative to the vault root, of notes not to index
    id_style: IdStyle = IdStyle.PLAIN
    id_digits: int = 13
    note_types: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    stale_fix_min_words: int = 20
    fix_tag_prefixes: tuple[str, ...] = ("fix", "фикс")
    max_file_bytes: int = 5 * 1024 * 1024
    debounce_ms: int = 150
    code_lens: bool = False  # language server: a backlink count above each note's first line
    # Language server: who watches the vault's files. "auto": the editor, when it takes the
    # server's file watchers, else notels; "server": notels (an editor that takes them but
    # reports only its own writes, as Helix); "client": only the editor.
    file_watcher: str = "auto"
    # "Create note": folder (vault-relative, "" for the root) for notes named by a bare link;
    # None puts them next to the linking note.
    new_note_folder: str | None = None
    new_note_template: str | None = None  # vault-relative path of the new note's template
    # Ignore globs of the template folders Obsidian's settings name (vault.templates): not a
    # setting, found beside the vault's own.
    template_globs: tuple[str, ...] = ()

    def severity_of(self, code: str, default: Severity) -> Severity | None:
        return self.severities.get(code, default)

    @property
    def ignored(self) -> tuple[str, ...]:
        """Globs of what is no part of the vault's notes: `ignore`, and the templates (the
        folders Obsidian's settings name, the new-note template): not checked, never fixed."""
        globs = self.ignore + self.template_globs
        if self.new_note_template is not None:
            globs += (literal_glob(self.new_note_template),)
        return globs


class ConfigError(Exception):
    """A config problem the user must fix; the message names the file and line."""


_SEVERITY_WORDS = {s.value: s for s in Severity} | {"off": None, "none": None}


def _line_of_key(raw: str, key: str) -> int:
    """1-based line where `key` is first written, for error messages; 1 when not found.

    As a key of its own line, of an inline table (`rules = { missing-id = "x" }`) or of a
    dotted key (`rules.missing-id = "x"`), or as a table's header (`[note-types]`).
    """
    name = rf"[\"']?{re.escape(key)}[\"']?"
    pattern = re.compile(rf"(?:^|[\s{{,.])\s*{name}\s*=|^\s*\[\s*{name}\s*\]", re.MULTILINE)
    match = pattern.search(raw)
    return raw.count("\n", 0, match.start() + 1) + 1 if match else 1


def vault_defaults(root: Path) -> Config:
    """The config of the vault at `root` before `.notels.toml`: the defaults, and the template
    folders its Obsidian settings name."""
    return Config(template_globs=template_globs(root))


def load_vault_config(root: Path, known_codes: frozenset[str]) -> Config:
    """The config of the vault at `root`: its `.notels.toml` over vault_defaults; raises
    ConfigError."""
    config_path = root / CONFIG_FILE_NAME
    if config_path.is_file():
        return load_config_file(config_path, known_codes)
    return vault_defaults(root)


def load_config_file(path: Path, known_codes: frozenset[str]) -> Config:
    """The config `.notels.toml` at `path` gives its vault (over vault_defaults)."""
    try:
        raw = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: cannot read: {error}") from error
    try:
        data = tomllib.loads(raw)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: {error}") from error
    return config_from_mapping(
        data,
        known_codes,
        base=vault_defaults(path.parent),
        where=lambda key: f"{path}:{_line_of_key(raw, key)}",
    )


def config_from_mapping(
    data: Mapping[str, object],
    known_codes: frozenset[str],
    base: Config | None = None,
    where: Callable[[str], str] | None = None,
) -> Config:
    """Build a Config from TOML data or LSP settings (same keys); unknown keys are errors.

    `where(key)` names the source of a key in messages.
    """

    def place(key: str) -> str:
        return where(key) if where is not None else "settings"

    def fail(key: str, message: str) -> ConfigError:
        return ConfigError(f"{place(key)}: {key}: {message}")

    config = base or Config()
    updates: dict[str, object] = {}
    for key, value in data.items():
        if key == "rules":
            if not isinstance(value, Mapping):
                raise fail(key, "expected a table of rule-code = severity")
            severities = dict(config.severities)
            for code, word in value.items():
                if code not in known_codes:
                    raise fail(code, f"unknown rule code {code!r}")
                if isinstance(word, bool):
                    severities[code] = None if not word else severities.get(code)
                    if word:
                        severities.pop(code, None)
                    continue
                if not isinstance(word, str) or word.lower() not in _SEVERITY_WORDS:
                    raise fail(code, "expected one of error, warning, info, hint, off")
                severities[code] = _SEVERITY_WORDS[word.lower()]
            updates["severities"] = severities
        elif key == "ignore":
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise fail(key, "expected a list of glob strings")
            updates["ignore"] = tuple(value)
        elif key in ("id-style", "id_style", "idStyle"):
            try:
                updates["id_style"] = IdStyle(value)
            except ValueError:
                raise fail(key, "expected 'plain' (ID: n) or 'comment' (<!--ID: n-->)") from None
        elif key in ("id-digits", "id_digits", "idDigits"):
            if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 19:
                raise fail(key, "expected an integer from 1 to 19")
            updates["id_digits"] = value
        elif key in ("note-types", "note_types", "noteTypes"):
            if not isinstance(value, Mapping) or not all(
                isinstance(v, list) and all(isinstance(f, str) for f in v) for v in value.values()
            ):
                raise fail(key, "expected a table of note-type = [field names]")
            # Per note type, as `rules` per code: settings add to the vault file's types.
            updates["note_types"] = {
                **config.note_types,
                **{str(k): tuple(v) for k, v in value.items()},
            }
        elif key in ("stale-fix-min-words", "stale_fix_min_words", "staleFixMinWords"):
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise fail(key, "expected a non-negative integer")
            updates["stale_fix_min_words"] = value
        elif key in ("fix-tag-prefixes", "fix_tag_prefixes", "fixTagPrefixes"):
            if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
                raise fail(key, "expected a list of tag prefixes")
            updates["fix_tag_prefixes"] = tuple(v.strip("#/") for v in value)
        elif key in ("max-file-size", "max_file_size", "maxFileSize"):
            if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
                raise fail(key, "expected a positive number of bytes")
            updates["max_file_bytes"] = value
        elif key in ("debounce-ms", "debounce_ms", "debounceMs"):
            if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 5000:
                raise fail(key, "expected milliseconds from 0 to 5000")
            updates["debounce_ms"] = value
        elif key in ("code-lens", "code_lens", "codeLens"):
            # `{"enable": true}` too: editors nest it as `notels.codeLens.enable`.
            if isinstance(value, Mapping) and set(value) <= {"enable"}:
                value = value.get("enable", False)
            if not isinstance(value, bool):
                raise fail(key, "expected true or false")
            updates["code_lens"] = value
        elif key in ("file-watcher", "file_watcher", "fileWatcher"):
            if value not in FILE_WATCHERS:
                raise fail(key, "expected 'auto', 'server' or 'client'")
            updates["file_watcher"] = value
        elif key in ("new-note-folder", "new_note_folder", "newNoteFolder"):
            try:
                # Empty (VS Code's default, and how a workspace undoes a user-wide folder):
                # beside the linking note; the root is "/".
                blank = isinstance(value, str) and not value.strip()
                updates["new_note_folder"] = None if blank else vault_relative_path(value)
            except ValueError:
                raise fail(key, "expected a folder inside the vault, like 'Inbox' or '/'") from None
        elif key in ("new-note-template", "new_note_template", "newNoteTemplate"):
            try:
                updates["new_note_template"] = vault_relative_path(value) or None
            except ValueError:
                raise fail(
                    key, "expected a file inside the vault, like 'Templates/Note.md'"
                ) from None
        else:
            raise fail(key, "unknown setting")
    return replace(config, **updates)  # type: ignore[arg-type]


OBSIDIAN_FOLDER = ".obsidian"
# What makes a folder a vault's root: Obsidian's settings folder, or notels' own file.
VAULT_MARKERS = frozenset({OBSIDIAN_FOLDER, CONFIG_FILE_NAME})


def has_vault_marker(folder: Path) -> bool:
    return (folder / OBSIDIAN_FOLDER).is_dir() or (folder / CONFIG_FILE_NAME).is_file()


def find_vaults_below(folder: Path, max_depth: int = 4, max_folders: int = 2_000) -> list[Path]:
    """Marked vault roots under `folder` (which is none), outermost only, nearest first: what a
    workspace folder holding vaults further down stands for. Hidden folders, symlinks and
    `node_modules` are not entered, and the search is bounded: a code repository is large."""
    found: list[Path] = []
    level = [resolved(folder)]
    visited = 0
    for _ in range(max_depth):
        deeper: list[Path] = []
        for parent in level:
            try:
                entries = sorted(os.scandir(parent), key=lambda entry: entry.name)
            except OSError:
                continue
            for entry in entries:
                if entry.name.startswith(".") or entry.name == "node_modules":
                    continue
                try:
                    if not entry.is_dir(follow_symlinks=False):
                        continue
                except OSError:
                    continue
                visited += 1
                if visited > max_folders:
                    return found
                child = Path(entry.path)
                if has_vault_marker(child):
                    found.append(child)
                else:
                    deeper.append(child)
        level = deeper
    return found


def find_vault_root(start: Path) -> Path:
    """Nearest folder upward with `.obsidian/` or `.notels.toml`; else the nearest holding
    `.git`; else `start` (or its folder).

    Many keep `.obsidian/` out of git: without a mark, a repository of notes is one vault, as
    `notels check .` at its top takes it, whichever of its files a pre-commit hook names (each
    file's folder alone missed the links and card IDs of the others).
    """
    start = resolved(start)
    folder = start if start.is_dir() else start.parent
    upward = (folder, *folder.parents)
    for candidate in upward:
        if has_vault_marker(candidate):
            return candidate
    for candidate in upward:
        if os.path.lexists(candidate / ".git"):  # a folder, or a file in a worktree
            return candidate
    return folder
