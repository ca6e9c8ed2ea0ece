"""The headless check: index the vaults holding the given paths, run the rules, locate findings."""

from __future__ import annotations

import os
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path

from notels.config import CONFIG_FILE_NAME, Config, find_vault_root, load_config_file
from notels.findings import Finding
from notels.report.located import LocatedFinding, locate
from notels.rules import check_note, known_codes, problem_findings
from notels.vault.files import relative_key
from notels.vault.index import VaultIndex
from notels.vault.loader import Progress, load_vault


@dataclass(frozen=True, slots=True)
class CheckResult:
    findings: list[LocatedFinding]
    files_checked: int
    roots: list[Path]


def load_vault_config(root: Path) -> Config:
    config_path = root / CONFIG_FILE_NAME
    if config_path.is_file():
        return load_config_file(config_path, known_codes())
    return Config()


def _display_path(absolute: Path) -> str:
    try:
        relative = os.path.relpath(absolute)
    except ValueError:  # another drive on Windows
        return str(absolute)
    return str(absolute) if relative.startswith("..") else relative


def _selected(relative: str, scopes: Sequence[str]) -> bool:
    """Is this vault-relative path inside one of the requested paths ("" means the whole vault)?"""
    return any(
        scope == "" or relative == scope or relative.startswith(scope + "/") for scope in scopes
    )


def check_paths(
    paths: Sequence[Path],
    select: Collection[str] | None = None,
    ignore: Collection[str] = (),
    progress: Progress | None = None,
) -> CheckResult:
    """Check every note under `paths`; raises ConfigError for a bad `.notels.toml`."""
    by_root: dict[Path, list[str]] = {}
    for path in paths:
        absolute = path.resolve()
        root = find_vault_root(absolute)
        scope = "" if absolute == root else relative_key(root, absolute)
        by_root.setdefault(root, []).append(scope)
    located: list[LocatedFinding] = []
    files = 0
    for root, scopes in by_root.items():
        config = load_vault_config(root)
        index = load_vault(root, config, progress)
        for relative in sorted({*index.notes, *index.file_problems}):
            if not _selected(relative, scopes):
                continue
            files += 1
            display = _display_path(root / relative)
            note = index.notes.get(relative)
            findings: list[Finding]
            if note is None:
                findings = problem_findings(index.file_problems[relative], config, select, ignore)
                located.extend(locate(display, f, None) for f in findings)
                continue
            for finding in check_note(relative, note, index, config, select, ignore):
                located.append(
                    locate(display, finding, note.lines, _locate_related(root, index, finding))
                )
    return CheckResult(located, files, list(by_root))


def _locate_related(
    root: Path, index: VaultIndex, finding: Finding
) -> tuple[tuple[str, int, int, str], ...]:
    related = []
    for item in finding.related:
        note = index.notes.get(item.path)
        line, column = (0, 0)
        if note is not None:
            line, column = note.lines.position(item.span.start)
        related.append((_display_path(root / item.path), line + 1, column + 1, item.message))
    return tuple(related)
