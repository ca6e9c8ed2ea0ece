"""The headless check: index the vaults holding the given paths, run the rules, locate findings."""

from __future__ import annotations

import logging
import os
import pickle
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, BinaryIO

from notels.config import (
    Config,
    find_vault_root,
    has_vault_marker,
    load_vault_config,
)
from notels.edits.fixes import CreatedNs, fixable_findings
from notels.edits.ids import IdGenerator
from notels.findings import Finding
from notels.fixer import (
    BeforeReplace,
    FixMode,
    FixOutcome,
    file_created_ns,
    fix_vault,
    never_written,
)
from notels.report.located import LocatedFinding, locate
from notels.rules import check_note, known_codes, problem_findings
from notels.syntax.lines import Encoding
from notels.vault.files import relative_key, resolved
from notels.vault.index import VaultIndex
from notels.vault.loader import Progress, load_vault, paused_gc
from notels.vault.parallel import (
    BATCH,
    WorkerFailed,
    decode_frame,
    run_in_workers,
    worker_count,
    write_frame,
)
from notels.vault.shipped import index_from_shipped, ship_index

log = logging.getLogger(__name__)

CHECK_JOB = "check"


@dataclass(frozen=True, slots=True)
class CheckResult:
    findings: list[LocatedFinding]
    files_checked: int
    roots: list[Path]
    fixes: FixOutcome = field(default_factory=FixOutcome)  # empty unless fixing


def _display_path(absolute: Path) -> str:
    try:
        relative = os.path.relpath(absolute)
    except ValueError:  # another drive on Windows
        return str(absolute)
    outside = relative == os.pardir or relative.startswith(os.pardir + os.sep)  # not `..x.md`
    return str(absolute) if outside else relative


def _display_under(root: Path, relative: str) -> str:
    return _display_path(root / relative)


def _named_path(path: Path) -> Path:
    """The absolute path as named: its folders resolved, and a file symlink given as PATH not
    followed, so it is judged where it lies (a link out of the vault is reported there, as
    the vault scan reports it, and never fixed through). A folder symlink is followed: it
    names the folder to check (`notes -> ~/Vault`)."""
    absolute = Path(os.path.abspath(path))
    if absolute.parent == absolute or absolute.is_dir():
        return resolved(absolute)
    return resolved(absolute.parent) / absolute.name


def _scopes_by_vault(paths: Sequence[Path]) -> dict[Path, list[str]]:
    """The vault root of each PATH, with the vault-relative scopes asked for ("" = all).

    A PATH inside another PATH whose vault holds its own (a vault nested in a vault, checked
    as `. sub`) belongs to that outer vault: its notes are checked once, as part of it. So does
    a PATH inside another PATH's vault (`x.md sub/y.md`, as a pre-commit hook passes files),
    unless that vault is only a folder without a marker and this one a marked vault: a note at
    a repository's top does not make the repository the vault of the vault below it.

    Linear in the PATHs (pre-commit passes thousands of notes by name): the vaults are few, and
    whether a PATH lies inside another is a look-up of its folders among the PATHs.
    """
    named = [_named_path(path) for path in paths]
    folder_roots: dict[Path, Path] = {}  # the PATHs of a folder share its vault root
    roots = []
    for path in named:
        folder = path if path.is_dir() else path.parent
        if folder not in folder_roots:
            folder_roots[folder] = find_vault_root(folder)
        roots.append(folder_roots[folder])
    paths_of: dict[Path, set[Path]] = {}  # each vault root's PATHs
    for path, root in zip(named, roots, strict=True):
        paths_of.setdefault(root, set()).add(path)
    marked = {root: has_vault_marker(root) for root in paths_of}
    by_root: dict[Path, list[str]] = {}
    for path, root in zip(named, roots, strict=True):
        outer = [
            other_root
            for other_root, others in paths_of.items()
            if other_root != root
            and root.is_relative_to(other_root)
            and (
                marked[other_root]
                or not marked[root]
                or any(folder in others for folder in (path, *path.parents))
            )
        ]
        if outer:
            root = min(outer, key=lambda folder: len(folder.parts))
        scope = "" if path == root else relative_key(root, path)
        by_root.setdefault(root, []).append(scope)
    return by_root


def _selected(relative: str, scopes: Collection[str]) -> bool:
    """Is this vault-relative path inside one of the requested paths ("" means the whole vault)?
    `scopes` is a set when there are many: the path and each of its folders are looked up."""
    if "" in scopes or relative in scopes:
        return True
    slash = relative.rfind("/")
    while slash > 0:
        if relative[:slash] in scopes:
            return True
        slash = relative.rfind("/", 0, slash)
    return False


def check_paths(
    paths: Sequence[Path],
    select: Collection[str] | None = None,
    ignore: Collection[str] = (),
    progress: Progress | None = None,
    fix: FixMode | None = None,
    before_replace: BeforeReplace | None = None,
    judge_fixable: bool = True,
) -> CheckResult:
    """Check every note under `paths`; raises ConfigError for a bad `.notels.toml`.

    With `fix`, the safe fixes are applied first (APPLY) or only planned (DIFF), and the
    findings are those of the notes as they are on disk afterwards. `judge_fixable` fills each
    finding's `fixable` (what the JSON report says), at the cost of finding its fixes.
    """
    by_root = _scopes_by_vault(paths)
    # Every configuration is read before any vault is checked: a bad one must stop the run
    # before --fix has written a file anywhere.
    configs = {root: load_vault_config(root, known_codes()) for root in by_root}
    located: list[LocatedFinding] = []
    files = 0
    fixes = FixOutcome()
    # One generator for the run: every ID it hands out is new, whichever vault it goes to.
    generator = IdGenerator()
    for root, scopes in by_root.items():
        config = configs[root]
        # A plain check of a large vault indexes summaries and runs the rules in worker
        # processes (each parses a note again); fixing re-reads notes many times: it keeps them.
        index = load_vault(root, config, progress, keep_notes=True if fix is not None else None)
        wanted = set(scopes)
        selected = [
            relative
            for relative in sorted({*index.notes, *index.file_problems})
            if _selected(relative, wanted)
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
        created = file_created_ns(root) if judge_fixable else None
        run = _VaultRun(root, index, config, select, ignore, created)
        with paused_gc():  # notes are parsed (again) here: see paused_gc
            files += run.check_selected(selected, located)
    return CheckResult(located, files, list(by_root), fixes)


@dataclass(frozen=True, slots=True)
class _VaultRun:
    """What checking the notes of one vault needs, here or in a worker process."""

    root: Path
    index: VaultIndex
    config: Config
    select: Collection[str] | None
    ignore: Collection[str]
    # As `--fix` tells which copy of a duplicated ID keeps it: a finding's `fixable` agrees.
    # None: `fixable` is not asked for (only the JSON report says it).
    created_ns: CreatedNs | None

    def check_selected(self, selected: Sequence[str], located: list[LocatedFinding]) -> int:
        """Run the rules on the selected notes, in order; returns how many files were checked."""
        index = self.index
        results = self.note_results([relative for relative in selected if relative in index])
        files = 0
        for relative in selected:
            if relative in index:
                checked_relative, found = next(results)
                assert checked_relative == relative
                if found is not None:
                    located.extend(found)
                    files += 1
                continue
            problem = index.file_problems.get(relative)
            if problem is not None:
                display = _display_path(self.root / relative)
                findings = problem_findings(problem, self.config, self.select, self.ignore)
                located.extend(locate(display, finding, None) for finding in findings)
                files += 1
        return files

    def note_results(self, notes: Sequence[str]) -> Iterator[NoteResult]:
        """Each note's findings in order: from worker processes when there are many notes (each
        rebuilds the index from its summaries), in this process otherwise or after a failure."""
        done = 0
        workers = worker_count(len(notes)) if not self.index.keep_notes else 0
        if workers > 0:
            try:
                for batch in self.in_workers(notes, workers):
                    done += len(batch)
                    yield from batch
            except (OSError, WorkerFailed) as error:
                log.warning("checking in this process: worker processes failed (%s)", error)
        for relative in notes[done:]:
            yield relative, self.check_one(relative)

    def check_one(self, relative: str) -> list[LocatedFinding] | None:
        note = self.index.notes.get(relative)
        if note is None:
            return None
        display = _display_path(self.root / relative)
        index, config = self.index, self.config
        findings = check_note(relative, note, index, config, self.select, self.ignore)
        created = self.created_ns
        fixable = [False] * len(findings)
        if created is not None and findings:
            judged = fixable_findings(relative, note, index, config, findings, created)
            # Asked last: resolving the path costs a system call per folder of it, and most
            # notes have nothing --fix would change (0.5 s of a 10,000-note check).
            if any(judged) and never_written(self.root, relative) is None:
                fixable = judged
        return [
            locate(display, finding, note.lines, _locate_related(self.root, index, finding), fix)
            for finding, fix in zip(findings, fixable, strict=True)
        ]

    def in_workers(self, notes: Sequence[str], workers: int) -> Iterator[list[NoteResult]]:
        batches = [list(notes[i : i + BATCH]) for i in range(0, len(notes), BATCH)]
        workers = max(1, min(workers, len(batches)))
        state = ship_index(self.index)
        selection = (
            None if self.select is None else sorted(self.select),
            sorted(self.ignore),
            self.created_ns is not None,
        )
        jobs = [
            pickle.dumps(
                (CHECK_JOB, str(self.root), self.config, state, selection, batches[k::workers])
            )
            for k in range(workers)
        ]
        for payload in run_in_workers(jobs, len(batches)):
            results: list[NoteResult] = decode_frame(pickle.loads, payload)
            yield results


# One note's findings, located: None when the note could not be read again (deleted since).
NoteResult = tuple[str, list[LocatedFinding] | None]


def serve_check(job: tuple[Any, ...], sink: BinaryIO) -> None:
    """The worker's side of _VaultRun.in_workers: the same index, then the rules on its batches."""
    _, root_text, config, state, selection, batches = job
    select, ignore, judge_fixable = selection
    root = Path(root_text)
    index = index_from_shipped(root, config, state)
    created = file_created_ns(root) if judge_fixable else None
    run = _VaultRun(root, index, config, select, ignore, created)
    for batch in batches:
        results = [(relative, run.check_one(relative)) for relative in batch]
        write_frame(sink, pickle.dumps(results, protocol=pickle.HIGHEST_PROTOCOL))


def _locate_related(
    root: Path, index: VaultIndex, finding: Finding
) -> tuple[tuple[str, int, int, str], ...]:
    related = []
    for item in finding.related:
        lines = index.lines(item.path)
        line, column = (0, 0)
        if lines is not None:
            line, column = lines.position(item.span.start, Encoding.UTF32)  # code points
        related.append((_display_path(root / item.path), line + 1, column + 1, item.message))
    return tuple(related)
