"""Finding a vault's files and reading them without ever failing the whole scan."""

from __future__ import annotations

import os
import posixpath
import re
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from enum import Enum
from fnmatch import translate
from functools import lru_cache
from pathlib import Path, PurePosixPath

# Obsidian shows no file or folder whose name starts with a dot (`.obsidian`, `.git`, `.trash`,
# a sync tool's `.stversions` of old copies), so the plugin never syncs their cards: neither
# does the vault hold them.
SKIPPED_FOLDERS = frozenset({"node_modules"})


def vault_relative_path(value: object) -> str | None:
    """A vault-relative path a setting names, as `a/b` ("" for the root), None for null;
    ValueError if invalid.

    Backslashes count as slashes and a leading `/` means the vault root, as in Obsidian's
    settings; a path that leaves the vault (`..`) or holds a drive (`C:`) is refused.
    """
    if value is None:
        return None
    if not isinstance(value, str) or "\0" in value:
        raise ValueError(value)
    path = posixpath.normpath(value.replace("\\", "/").strip().strip("/") or ".")
    if path == ".." or path.startswith("../") or ":" in path.partition("/")[0]:
        raise ValueError(value)
    return "" if path == "." else path


def is_skipped_name(name: str) -> bool:
    """Is a file or folder of this name left out of the vault wherever it lies?"""
    return name.startswith(".") or name in SKIPPED_FOLDERS


MARKDOWN_SUFFIX = ".md"


class ProblemKind(Enum):
    INVALID_UTF8 = "invalid-utf8"  # read with replacement characters
    TOO_LARGE = "too-large"  # skipped
    BINARY = "binary"  # skipped
    UNREADABLE = "unreadable"  # skipped
    SYMLINK_OUTSIDE = "symlink-outside"  # not followed
    SYMLINK_LOOP = "symlink-loop"  # not followed
    SYMLINK_BROKEN = "symlink-broken"  # leads to nothing
    SYMLINK_ALIAS = "symlink-alias"  # another name of a note or folder of the vault
    NOT_A_FILE = "not-a-file"  # a FIFO, socket or device named like a note: never opened


@dataclass(frozen=True, slots=True)
class FileProblem:
    path: str  # vault-relative, `/`-separated
    kind: ProblemKind
    detail: str


@dataclass(frozen=True, slots=True)
class VaultFiles:
    notes: tuple[str, ...]  # vault-relative paths of `*.md` files, sorted
    # Every other file, for links to images and PDFs; and the notes of ignored folders, which
    # Obsidian opens a link to: notels only does not check them.
    attachments: tuple[str, ...]
    problems: tuple[FileProblem, ...]
    # (size, mtime_ns) of each note as the scan saw it, for the index cache.
    stamps: dict[str, tuple[int, int]] = field(default_factory=dict)


def resolved(path: Path) -> Path:
    """`path.resolve()`, but a symlink loop, where resolve() raises, stays as it is named (so
    does a path holding a NUL, which no file has)."""
    try:
        return path.resolve()
    except (RuntimeError, OSError, ValueError):
        return Path(os.path.abspath(path))


def relative_key(root: Path, path: Path) -> str:
    return PurePosixPath(*path.relative_to(root).parts).as_posix()


def is_ignored(relative: str, ignore: tuple[str, ...]) -> bool:
    """Globs match the vault-relative path; `dir/**` also matches everything under `dir`."""
    return bool(ignore) and _compiled(ignore).matches(relative)


@lru_cache(maxsize=4)
def _compiled(ignore: tuple[str, ...]) -> IgnoreGlobs:
    return IgnoreGlobs.compile(ignore)


_WILDCARDS = re.compile(r"[*?\[]")


def vault_glob(glob: str) -> str:
    """The glob as it matches vault-relative paths, `.gitignore` habits read as meant: a path
    is never `/`- or `./`-rooted nor ends in `/`, so those globs matched nothing. Every glob is
    from the root (`/Archive/**`, `./Archive/**`), and `Archive/` is the folder (`Archive/**`)."""
    while glob.startswith("./"):
        glob = glob[2:]
    glob = glob.lstrip("/")
    if glob.endswith("/"):
        glob = glob.rstrip("/") + "/**"
    return glob


@dataclass(frozen=True, slots=True)
class IgnoreGlobs:
    """Ignore globs compiled once: each path then costs a few set lookups and one regex match,
    not one `fnmatchcase` per glob (which recompiles each once there are over 32,768 globs).

    Matches exactly what `fnmatchcase(relative, glob)` for any glob, or for `dir/**` the
    path `dir` or one under it, does.
    """

    exact: frozenset[str]  # globs without wildcards: fnmatch compares them as they are
    folders: frozenset[str]  # `dir/` of each `dir/**`, as written (wildcards are not expanded)
    wildcards: re.Pattern[str] | None  # every other glob, as fnmatch translates it

    @classmethod
    def compile(cls, ignore: Iterable[str]) -> IgnoreGlobs:
        exact: set[str] = set()
        folders: set[str] = set()
        wildcards: list[str] = []
        for glob in map(vault_glob, ignore):
            if glob.endswith("/**"):
                folders.add(glob[:-2])
                if not _WILDCARDS.search(glob[:-3]):
                    continue  # what fnmatch matches (`dir/` and more) is under `dir/`
            if _WILDCARDS.search(glob):
                wildcards.append(translate(glob))
            else:
                exact.add(glob)
        # translate's results are made to be joined by `|` (each ends in `\Z`, group names are
        # distinct): one regex tries them all in C.
        pattern = re.compile("|".join(wildcards)) if wildcards else None
        return cls(frozenset(exact), frozenset(folders), pattern)

    def matches(self, relative: str) -> bool:
        if relative in self.exact:
            return True
        if self.folders and self._in_folder(relative):
            return True
        return self.wildcards is not None and self.wildcards.match(relative) is not None

    def _in_folder(self, relative: str) -> bool:
        # `(relative + "/").startswith(folder)`, where each folder ends in `/`: it is one of
        # the path's own prefixes that end in `/`.
        probe = relative + "/"
        end = probe.find("/")
        while end != -1:
            if probe[: end + 1] in self.folders:
                return True
            end = probe.find("/", end + 1)
        return False


def is_listed(relative: str) -> bool:
    """Would a scan of the vault list this path at all, as a note or an attachment (an ignored
    one too): not in a folder it skips (`.git/`, `.obsidian/`, `.trash/`)?"""
    return relative == "." or not any(is_skipped_name(part) for part in relative.split("/"))


def is_walked(relative: str, ignore: tuple[str, ...]) -> bool:
    """Would a scan of the vault (`scan_vault`) walk this path itself: not in a skipped folder,
    and neither the path nor a folder it lies in ignored?"""
    return _is_walked(relative, _compiled(ignore))


def _is_walked(relative: str, ignore: IgnoreGlobs) -> bool:
    """Does a whole scan of the vault walk this path itself (not skipped, not ignored)? A
    symlink to such a path is its alias; a symlink into `.git/` or an ignored folder is the
    only way in, and is followed."""
    if relative == ".":
        return True
    parts = relative.split("/")
    if any(is_skipped_name(part) for part in parts):
        return False
    return not any(ignore.matches("/".join(parts[: i + 1])) for i in range(len(parts)))


def _is_note_name(name: str) -> bool:
    # Path.suffix: the last dot, not the first character, not the last.
    dot = name.rfind(".")
    return 0 < dot < len(name) - 1 and name[dot:].lower() == MARKDOWN_SUFFIX


def scan_vault(root: Path, ignore: tuple[str, ...] = (), under: str = "") -> VaultFiles:
    """Walk `root`, or only its folder `under` (a vault-relative path: the results, ignore
    globs and symlink rules stay the vault's).

    Notes and folders are indexed under their own paths only: a symlink to one the scan walks
    itself is its alias and is not followed (the editor's events resolve such a name to the
    target too), nor is one leading outside the vault. A symlink to another file of the vault
    (an image), or into a folder the scan skips or ignores, is followed.

    The notes of ignored files and folders are listed as attachments, without their problems
    and without following symlinks: a link may name them. Their other files are not listed.
    """
    root = root.resolve()
    notes: list[str] = []
    attachments: list[str] = []
    problems: list[FileProblem] = []
    stamps: dict[str, tuple[int, int]] = {}
    seen_dirs: set[tuple[int, int]] = set()  # bind mounts can still loop
    # The ignored folders' own: a symlink elsewhere may lead into one, and is followed.
    seen_ignored: set[tuple[int, int]] = set()
    # Notes reached through a symlink the scan follows (into an ignored folder), by target: a
    # second symlink to one is its alias, or `--fix` would write the one file twice.
    followed: dict[Path, str] = {}
    globs = _compiled(ignore)

    # Paths are built as strings: a Path object per file cost more than the rest of the walk.
    def walk(
        folder: Path, prefix: str, ignored: bool = False
    ) -> Iterator[tuple[str, os.stat_result, bool]]:
        """Vault-relative paths (and stats) of the files under `folder`, whose path is `prefix`,
        and whether each is ignored."""
        folder_key = prefix[:-1] or "."
        # An ignored folder's problems are not the user's to hear of.
        report = (lambda problem: None) if ignored else problems.append
        seen = seen_ignored if ignored else seen_dirs
        try:
            info = folder.stat()
        except OSError as error:
            report(FileProblem(folder_key, ProblemKind.UNREADABLE, str(error)))
            return
        identity = (info.st_dev, info.st_ino)
        if identity in seen:
            report(FileProblem(folder_key, ProblemKind.SYMLINK_LOOP, "already visited"))
            return
        seen.add(identity)
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as error:
            report(FileProblem(folder_key, ProblemKind.UNREADABLE, str(error)))
            return
        for entry in entries:
            relative = prefix + entry.name
            if is_skipped_name(entry.name):
                continue
            if ignored or (ignore and globs.matches(relative)):
                yield from walk_ignored(entry, relative)
                continue
            try:
                symlink = entry.is_symlink()
                info_or_problem = (
                    _symlink_target(root, relative, entry.path, globs)
                    if symlink
                    else entry.stat(follow_symlinks=False)
                )
            except FileNotFoundError as error:
                info_or_problem = FileProblem(relative, ProblemKind.SYMLINK_BROKEN, str(error))
            except OSError as error:
                info_or_problem = FileProblem(relative, ProblemKind.SYMLINK_LOOP, str(error))
            if isinstance(info_or_problem, FileProblem):
                problems.append(info_or_problem)
                continue
            if isinstance(info_or_problem, os.stat_result):
                info = info_or_problem
            else:  # a symlink the scan follows
                info, target = info_or_problem
                if stat.S_ISREG(info.st_mode) and _is_note_name(entry.name):
                    first = followed.setdefault(target, relative)
                    if first != relative:
                        problems.append(FileProblem(relative, ProblemKind.SYMLINK_ALIAS, first))
                        continue
            if stat.S_ISDIR(info.st_mode):
                yield from walk(Path(entry.path), relative + "/")
            elif stat.S_ISREG(info.st_mode):
                yield relative, info, False
            elif _is_note_name(entry.name):
                problems.append(_not_a_file(relative, info))

    def walk_ignored(
        entry: os.DirEntry[str], relative: str
    ) -> Iterator[tuple[str, os.stat_result, bool]]:
        """An ignored file, or the files of an ignored folder; their symlinks are not followed."""
        try:
            if entry.is_symlink():
                return
            info = entry.stat(follow_symlinks=False)
        except OSError:
            return
        if stat.S_ISDIR(info.st_mode):
            yield from walk(Path(entry.path), relative + "/", ignored=True)
        elif stat.S_ISREG(info.st_mode):
            yield relative, info, True

    def walk_all() -> Iterator[tuple[str, os.stat_result, bool]]:
        folder = root / under
        if under and folder.is_symlink():
            # What the scan of the folder holding it does with it, if it walks it: its problem
            # (out of the vault, another name of a folder, broken, a loop), or, for one into a
            # folder the scan skips or ignores, its files (`ln -sfn` to another version).
            if _is_walked(under, globs):
                found = _symlink_target(root, under, str(folder), globs)
                if isinstance(found, FileProblem):
                    problems.append(found)
                elif stat.S_ISDIR(found[0].st_mode):
                    yield from walk(folder, f"{under}/")
            return
        ignored = bool(under) and not _is_walked(under, globs)
        yield from walk(folder, f"{under}/" if under else "", ignored)

    for relative, info, ignored in walk_all():
        is_note = _is_note_name(relative.rpartition("/")[2])
        if is_note and not ignored:
            notes.append(relative)
            stamps[relative] = (info.st_size, info.st_mtime_ns)
        elif is_note or not ignored:
            attachments.append(relative)
    return VaultFiles(tuple(sorted(notes)), tuple(sorted(attachments)), tuple(problems), stamps)


def _alias_problem(root: Path, relative: str, target: Path) -> FileProblem:
    named = relative_key(root, target)
    inside = named == "." or relative.startswith(named + "/")
    return FileProblem(
        relative, ProblemKind.SYMLINK_LOOP if inside else ProblemKind.SYMLINK_ALIAS, named
    )


def _symlink_target(
    root: Path, relative: str, path: str, globs: IgnoreGlobs
) -> FileProblem | tuple[os.stat_result, Path]:
    """A symlink of the vault at `relative`: the problem that keeps the scan from following it
    (leading outside the vault, another name of a folder or note the scan walks, broken, in a
    loop), or the stat and path of what it leads to, which the scan follows."""
    try:
        target = Path(path).resolve(strict=True)
        if not target.is_relative_to(root):
            return FileProblem(relative, ProblemKind.SYMLINK_OUTSIDE, str(target))
        info = os.stat(path)
    except FileNotFoundError as error:
        return FileProblem(relative, ProblemKind.SYMLINK_BROKEN, str(error))
    except (OSError, RuntimeError) as error:  # RuntimeError: resolve() in a loop
        return FileProblem(relative, ProblemKind.SYMLINK_LOOP, str(error))
    aliased = stat.S_ISDIR(info.st_mode) or _is_note_name(relative.rpartition("/")[2])
    if aliased and _is_walked(relative_key(root, target), globs):
        return _alias_problem(root, relative, target)
    return info, target


def _not_a_file(relative: str, info: os.stat_result) -> FileProblem:
    # Reading a FIFO would wait for a writer forever: said, and never opened.
    return FileProblem(relative, ProblemKind.NOT_A_FILE, _kind_of(info))


def odd_entry_problem(root: Path, relative: str, ignore: tuple[str, ...]) -> FileProblem | None:
    """What a scan of the vault at `root` reports for `relative`, a symlink or a file that is
    neither a plain file nor a folder; None when the scan would follow or skip it silently.
    (A second symlink to a note reached through another is not told apart here.)"""
    path = root / relative
    try:
        info = os.lstat(path)
    except OSError:
        return None
    if stat.S_ISLNK(info.st_mode):
        followed_to = _symlink_target(root, relative, str(path), _compiled(ignore))
        if isinstance(followed_to, FileProblem):
            return followed_to
        info = followed_to[0]
    if stat.S_ISREG(info.st_mode) or stat.S_ISDIR(info.st_mode):
        return None
    return _not_a_file(relative, info) if _is_note_name(path.name) else None


def _kind_of(info: os.stat_result) -> str:
    mode = info.st_mode
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


@dataclass(frozen=True, slots=True)
class ReadNote:
    text: str | None  # None when the file was skipped
    problem: FileProblem | None
    has_bom: bool = False
    size: int = 0
    mtime_ns: int = 0

    @property
    def stamp(self) -> tuple[int, int]:
        """(size, mtime_ns): what the index cache and change checks compare."""
        return self.size, self.mtime_ns


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
    return data.find(b"\x00", 0, 8192) != -1  # no copy of the first 8 KiB, as a slice makes


_NONBLOCK = getattr(os, "O_NONBLOCK", 0)


def read_note(root: Path, relative: str, max_bytes: int) -> ReadNote:
    # `os` calls on a file descriptor rather than Path.stat() and Path.open(): half the time,
    # which counts when a vault of 10,000 notes is read at startup.
    path = os.path.join(root, relative)
    try:
        # O_NONBLOCK: opening a FIFO would otherwise wait for a writer; for a file it is moot.
        fd = os.open(path, os.O_RDONLY | _NONBLOCK | getattr(os, "O_BINARY", 0))
    except OSError as error:
        # A file too large is reported as such even when it cannot be opened.
        try:
            info = os.stat(path)
        except OSError:
            info = None
        if info is None or info.st_size <= max_bytes:
            return _unreadable(relative, error)
        return _too_large(relative, info, max_bytes)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return ReadNote(None, FileProblem(relative, ProblemKind.NOT_A_FILE, _kind_of(info)))
        if info.st_size > max_bytes:
            return _too_large(relative, info, max_bytes)
        data = _read_at_most(fd, info.st_size, max_bytes + 1)
    except OSError as error:
        return _unreadable(relative, error)
    finally:
        os.close(fd)
    if len(data) > max_bytes:  # grew between stat and read
        return ReadNote(
            None,
            FileProblem(relative, ProblemKind.TOO_LARGE, f"over the limit of {max_bytes} bytes"),
        )
    if looks_binary(data):
        return ReadNote(None, FileProblem(relative, ProblemKind.BINARY, "holds NUL bytes"))
    text, has_bom, valid = decode_note_bytes(data)
    problem = None
    if not valid:
        problem = FileProblem(relative, ProblemKind.INVALID_UTF8, first_bad_byte(data))
    return ReadNote(text, problem, has_bom, len(data), info.st_mtime_ns)


def first_bad_byte(data: bytes) -> str:
    """Where bytes that are not UTF-8 first go wrong, for the user to find it: the byte and
    its line (a Latin-1 `é` is one byte, 0xE9)."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        return f"the first bad byte, 0x{data[error.start]:02X}, is on line {line}"
    return "not UTF-8"


def stamp_on_disk(root: Path, relative: str) -> tuple[int, int] | None:
    """(size, mtime_ns) of the file now, as `ReadNote.stamp`; None when it cannot be seen."""
    try:
        info = os.stat(os.path.join(root, relative))
    except (OSError, ValueError):
        return None
    return info.st_size, info.st_mtime_ns


def _unreadable(relative: str, error: OSError) -> ReadNote:
    return ReadNote(
        None, FileProblem(relative, ProblemKind.UNREADABLE, error.strerror or str(error))
    )


def too_large(relative: str, size: int, max_bytes: int) -> FileProblem:
    return FileProblem(
        relative, ProblemKind.TOO_LARGE, f"{size} bytes is over the limit of {max_bytes}"
    )


def _too_large(relative: str, info: os.stat_result, max_bytes: int) -> ReadNote:
    return ReadNote(
        None,
        too_large(relative, info.st_size, max_bytes),
        size=info.st_size,
        mtime_ns=info.st_mtime_ns,
    )


def _read_at_most(fd: int, size: int, limit: int) -> bytes:
    """Up to `limit` bytes of the file, in one read when it still has the `size` stat gave."""
    # Asking for one byte more than expected shows the end of the file in the same call: a
    # regular file returns fewer bytes than asked only at its end.
    data = os.read(fd, min(size + 1, limit))
    if len(data) <= size or len(data) >= limit:
        return data
    chunks = [data]  # the file grew since fstat
    total = len(data)
    while total < limit:
        chunk = os.read(fd, limit - total)
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    return b"".join(chunks)
