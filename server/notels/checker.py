"""The headless check: index the vaults holding the given paths, run the rules, locate findings."""

from __future__ import annotations

import os
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from notels.config import CONFIG_FILE_NAME, Config, find_vault_root, load_config_file
from notels.edits.ids import IdGenerator
from notels.findings import Finding
from notels.fixer import BeforeReplace, FixMode, FixOutcome, fix_vault
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
    fixes: FixOutcome = field(default_factory=FixOutcome)  # empty unless fixing


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


def _display_under(root: Path, relative: str) -> str:
    return _display_path(root / relative)


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
    fix: FixMode | None = None,
    before_replace: BeforeReplace | None = None,
) -> CheckResult:
    """Check every note under `paths`; raises ConfigError for a bad `.notels.toml`.

    With `fix`, the safe fixes are applied first (APPLY) or only planned (DIFF), and the
    findings are those of the notes as they are on disk afterwards.
    """
    by_root: dict[Path, list[str]] = {}
    for path in paths:
        absolute = path.resolve()
        root = find_vault_root(absolute)
        scope = "" if absolute == root else relative_key(root, absolute)
        by_root.setdefault(root, []).append(scope)
    located: list[LocatedFinding] = []
    files = 0
    fixes = FixOutcome()
    # One generator for the run: every ID it hands out is new, whichever vault it goes to.
    generator = IdGenerator()
    for root, scopes in by_root.items():
        config = load_vault_config(root)
        index = load_vault(root, config, progress)
        selected = [
            relative
            for relative in sorted({*index.notes, *index.file_problems})
            if _selected(relative, scopes)
        ]
        if fix is not None:
            outcome = fix_vault(
                root,
                index,
                config,
                [relative for relative in selected if relative in index],
                fix,
                generator,
                select,
                ignore,
                display=partial(_display_under, root),
                before_replace=before_replace,
            )
            fixes.changes.extend(outcome.changes)
            fixes.written.extend(outcome.written)
            fixes.refused.extend(outcome.refused)
        for relative in selected:
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
    return CheckResult(located, files, list(by_root), fixes)


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
