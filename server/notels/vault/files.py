"""Finding a vault's files and reading them without ever failing the whole scan."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum
from fnmatch import fnmatchcase
from pathlib import Path, PurePosixPath

SKIPPED_FOLDERS = frozenset({".obsidian", ".git", ".trash", "node_modules"})
MARKDOWN_SUFFIX = ".md"


class ProblemKind(Enum):
    INVALID_UTF8 = "invalid-utf8"  # read with replacement characters
    TOO_LARGE = "too-large"  # skipped
    BINARY = "binary"  # skipped
    UNREADABLE = "unreadable"  # skipped
    SYMLINK_OUTSIDE = "symlink-outside"  # not followed
    SYMLINK_LOOP = "symlink-loop"  # not followed


@dataclass(frozen=True, slots=True)
class FileProblem:
    path: str  # vault-relative, `/`-separated
    kind: ProblemKind
    detail: str


@dataclass(frozen=True, slots=True)
class VaultFiles:
    notes: tuple[str, ...]  # vault-relative paths of `*.md` files, sorted
    attachments: tuple[str, ...]  # every other file, for links to images and PDFs
    problems: tuple[FileProblem, ...]


def relative_key(root: Path, path: Path) -> str:
    return PurePosixPath(*path.relative_to(root).parts).as_posix()


def is_ignored(relative: str, ignore: tuple[str, ...]) -> bool:
    """Globs match the vault-relative path; `dir/**` also matches everything under `dir`."""
    for pattern in ignore:
        if fnmatchcase(relative, pattern):
            return True
        if pattern.endswith("/**") and (relative + "/").startswith(pattern[:-2]):
            return True
    return False


def scan_vault(root: Path, ignore: tuple[str, ...] = ()) -> VaultFiles:
    """Walk `root`; follow symlinks only while they stay inside it, and never in a loop."""
    root = root.resolve()
    notes: list[str] = []
    attachments: list[str] = []
    problems: list[FileProblem] = []
    seen_dirs: set[tuple[int, int]] = set()

    def walk(folder: Path) -> Iterator[tuple[Path, str]]:
        try:
            info = folder.stat()
        except OSError as error:
            problems.append(
                FileProblem(relative_key(root, folder), ProblemKind.UNREADABLE, str(error))
            )
            return
        identity = (info.st_dev, info.st_ino)
        if identity in seen_dirs:
            problems.append(
                FileProblem(relative_key(root, folder), ProblemKind.SYMLINK_LOOP, "already visited")
            )
            return
        seen_dirs.add(identity)
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as error:
            problems.append(
                FileProblem(relative_key(root, folder), ProblemKind.UNREADABLE, str(error))
            )
            return
        for entry in entries:
            path = Path(entry.path)
            relative = relative_key(root, path)
            if entry.name in SKIPPED_FOLDERS or is_ignored(relative, ignore):
                continue
            try:
                if entry.is_symlink():
                    target = path.resolve()
                    if not target.is_relative_to(root):
                        problems.append(
                            FileProblem(relative, ProblemKind.SYMLINK_OUTSIDE, str(target))
                        )
                        continue
                    mode = os.stat(path).st_mode
                else:
                    mode = entry.stat(follow_symlinks=False).st_mode
            except (OSError, RuntimeError) as error:  # RuntimeError: resolve() in a loop
                problems.append(FileProblem(relative, ProblemKind.SYMLINK_LOOP, str(error)))
                continue
            if stat.S_ISDIR(mode):
                yield from walk(path)
            elif stat.S_ISREG(mode):
                yield path, relative

    for path, relative in walk(root):
        if path.suffix.lower() == MARKDOWN_SUFFIX:
            notes.append(relative)
        else:
            attachments.append(relative)
    return VaultFiles(tuple(sorted(notes)), tuple(sorted(attachments)), tuple(problems))


@dataclass(frozen=True, slots=True)
class ReadNote:
    text: str | None  # None when the file was skipped
    problem: FileProblem | None
    has_bom: bool = False
    size: int = 0
    mtime_ns: int = 0


_BOM = b"\xef\xbb\xbf"


def decode_note_bytes(data: bytes) -> tuple[str, bool, bool]:
    """(text, had_bom, was_valid_utf8). The BOM is dropped: editors never count it as a column."""
    has_bom = data.startswith(_BOM)
    if has_bom:
        data = data[len(_BOM) :]
    try:
        return data.decode("utf-8"), has_bom, True
    except UnicodeDecodeError:
        return data.decode("utf-8", errors="replace"), has_bom, False


def looks_binary(data: bytes) -> bool:
    # Text notes never hold NUL bytes; images or archives renamed to .md nearly always do.
    return b"\x00" in data[:8192]


def read_note(root: Path, relative: str, max_bytes: int) -> ReadNote:
    path = root / relative
    try:
        info = path.stat()
        if info.st_size > max_bytes:
            return ReadNote(
                None,
                FileProblem(
                    relative,
                    ProblemKind.TOO_LARGE,
                    f"{info.st_size} bytes is over the limit of {max_bytes}",
                ),
                size=info.st_size,
                mtime_ns=info.st_mtime_ns,
            )
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as error:
        return ReadNote(
            None, FileProblem(relative, ProblemKind.UNREADABLE, error.strerror or str(error))
        )
    if len(data) > max_bytes:  # grew between stat and read
        return ReadNote(
            None,
            FileProblem(relative, ProblemKind.TOO_LARGE, f"over the limit of {max_bytes} bytes"),
        )
    if looks_binary(data):
        return ReadNote(
            None, FileProblem(relative, ProblemKind.BINARY, "holds NUL bytes: not a text note")
        )
    text, has_bom, valid = decode_note_bytes(data)
    problem = None
    if not valid:
        problem = FileProblem(
            relative, ProblemKind.INVALID_UTF8, "not valid UTF-8; read with replacement characters"
        )
    return ReadNote(text, problem, has_bom, len(data), info.st_mtime_ns)
