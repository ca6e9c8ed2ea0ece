"""`notels check --fix` / `--diff`: apply the safe fixes to notes on disk.

What a user can rely on:
- Only the edited ranges change. A file is read as bytes, its text must be exactly what the
  index parsed, and it is written back as the same BOM + UTF-8 of the edited text, so line
  endings, the final-newline state and every byte outside the edits are kept.
- A file that is not valid UTF-8 is never written (its text holds replacement characters).
- Writes are atomic: a temporary file in the same folder, flushed and fsynced, given the
  original's permission bits, owner and group, then `os.replace`d over it. A read-only file
  (no write bit, or not writable by this user) is left alone. Replacing makes a new inode:
  hard links to the old one keep the old text. (A symlink to a note is never indexed, see
  files.scan_vault: each note is fixed under its own path, once.)
- A file that changed since it was read (size, mtime or content hash, compared right before
  the replace) is not written; the caller reports it and its findings stay as they were.
- Fixes repeat until a pass changes nothing (at most `MAX_PASSES`), so one run fixes what
  the first pass uncovers (an END added to an unclosed block makes a card that needs an ID) or
  left out (overlapping fixes), and a second run finds nothing left to do.
- One IdGenerator serves the whole run, seeded with every ID of the vault: new IDs are distinct
  from each other and from all existing ones.
"""

from __future__ import annotations

import contextlib
import difflib
import hashlib
import os
import stat
import tempfile
from collections import Counter
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path, PurePath

from notels.config import Config
from notels.edits.fixes import SAFE_CODES, CreatedNs, safe_fix_list
from notels.edits.ids import IdGenerator, vault_ids
from notels.edits.text_edit import apply_edits
from notels.rules import check_note
from notels.syntax.note import Note, parse_note
from notels.vault.files import decode_note_bytes, looks_binary
from notels.vault.index import VaultIndex

MAX_PASSES = 10
_BOM = b"\xef\xbb\xbf"
_ANY_WRITE = stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH

# Called with a file's path after its new content is safely on disk and before the final
# "unchanged since read?" check and the replace: a seam for tests that simulate a racing editor.
BeforeReplace = Callable[[Path], None]


class FixMode(Enum):
    APPLY = "apply"  # --fix: write the files
    DIFF = "diff"  # --diff: only say what would change


@dataclass(frozen=True, slots=True)
class Snapshot:
    """A note file as it was read for fixing, to notice if anything touches it afterwards."""

    path: Path  # the real file (symlinks resolved)
    size: int
    mtime_ns: int
    digest: str
    has_bom: bool


@dataclass(frozen=True, slots=True)
class FileChange:
    relative: str  # vault-relative
    display: str  # as shown to the user
    before: str
    after: str
    fixes: int  # problems fixed in this file
    snapshot: Snapshot

    def new_bytes(self) -> bytes:
        return (_BOM if self.snapshot.has_bom else b"") + self.after.encode("utf-8")


@dataclass(frozen=True, slots=True)
class Refusal:
    display: str
    reason: str


@dataclass(slots=True)
class FixOutcome:
    changes: list[FileChange] = field(default_factory=list)  # planned, written or not
    written: list[FileChange] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)

    @property
    def problems_fixed(self) -> int:
        return sum(change.fixes for change in self.written)


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_created_ns(root: Path) -> CreatedNs:
    """File birth times under `root`, where the platform records them (macOS, BSD, Windows).

    Linux's `stat` has no birth time in Python 3.11, so there duplicate IDs fall back to vault
    order. Modification time is no substitute: editing the original would make it "newer".
    """
    cache: dict[str, int | None] = {}

    def created(relative: str) -> int | None:
        if relative not in cache:
            try:
                info = os.stat(root / relative)
            except OSError:
                cache[relative] = None
                return None
            birth_ns = getattr(info, "st_birthtime_ns", None)
            birth = getattr(info, "st_birthtime", None)
            if isinstance(birth_ns, int):
                cache[relative] = birth_ns
            elif isinstance(birth, int | float):
                cache[relative] = int(birth * 1_000_000_000)
            else:
                cache[relative] = None
        return cache[relative]

    return created


def take_snapshot(root: Path, relative: str, expected_text: str) -> Snapshot | str:
    """The file as it is now, or why it must not be rewritten."""
    try:
        path = (root / relative).resolve(strict=True)
        with path.open("rb") as handle:
            info = os.fstat(handle.fileno())
            data = handle.read()
    except OSError as error:
        return f"cannot read: {error.strerror or error}"
    if not stat.S_ISREG(info.st_mode):
        return "not a regular file"
    # Replacing needs only the folder's permission: the file's own must still be honoured.
    if not info.st_mode & _ANY_WRITE or not os.access(path, os.W_OK):
        return "read-only: not fixed"
    if looks_binary(data):
        return "holds NUL bytes: not a text note"
    text, has_bom, valid = decode_note_bytes(data)
    if not valid:
        return "not valid UTF-8: never rewritten"
    if text != expected_text:
        return "changed on disk while it was being checked"
    return Snapshot(path, info.st_size, info.st_mtime_ns, _digest(data), has_bom)


def unchanged_since(snapshot: Snapshot) -> bool:
    try:
        info = os.stat(snapshot.path)
        if info.st_size != snapshot.size or info.st_mtime_ns != snapshot.mtime_ns:
            return False
        # Same size and a coarse mtime can hide a quick rewrite; the hash cannot.
        return _digest(snapshot.path.read_bytes()) == snapshot.digest
    except OSError:
        return False


def plan_fixes(
    root: Path,
    index: VaultIndex,
    config: Config,
    relatives: Sequence[str],
    generator: IdGenerator,
    select: Collection[str] | None = None,
    ignore: Collection[str] = (),
    created_ns: CreatedNs | None = None,
    display: Callable[[str], str] = str,
) -> tuple[list[FileChange], list[Refusal]]:
    """Apply safe fixes to the notes `relatives` in the index, pass after pass, in memory.

    The index ends up holding the fixed notes, so later passes and the caller's re-check see
    them (duplicate IDs are judged vault-wide). Nothing is written here.
    """
    originals: dict[str, Note] = {}
    snapshots: dict[str, Snapshot] = {}
    counts: Counter[str] = Counter()
    refused: dict[str, str] = {}
    # After the first pass only the files just changed can have new fixes: new IDs are unique,
    # so a fix in one file never creates work in another.
    pending = list(relatives)
    for _ in range(MAX_PASSES):
        changed: list[str] = []
        for relative in pending:
            note = index.notes.get(relative)
            if note is None or relative in refused:
                continue
            findings = [
                finding
                for finding in check_note(relative, note, index, config, select, ignore)
                if finding.code in SAFE_CODES
            ]
            if not findings:
                continue
            fixes = safe_fix_list(relative, note, index, config, findings, generator, created_ns)
            if not fixes:
                continue
            if relative not in snapshots:
                snapshot = take_snapshot(root, relative, note.text)
                if isinstance(snapshot, str):
                    refused[relative] = snapshot
                    continue
                snapshots[relative] = snapshot
                originals[relative] = note
            fixed_text = apply_edits(note.text, [edit for fix in fixes for edit in fix.edits])
            if fixed_text == note.text:
                continue
            index.set_note(relative, parse_note(fixed_text))
            counts[relative] += sum(fix.settles for fix in fixes)
            changed.append(relative)
        if not changed:
            break
        pending = changed
    changes = [
        FileChange(
            relative,
            display(relative),
            originals[relative].text,
            index.notes[relative].text,
            counts[relative],
            snapshots[relative],
        )
        for relative in relatives
        if relative in originals and index.notes[relative].text != originals[relative].text
    ]
    refusals = [Refusal(display(relative), reason) for relative, reason in refused.items()]
    return changes, refusals


def write_change(change: FileChange, before_replace: BeforeReplace | None = None) -> str | None:
    """Write one fixed file atomically; None on success, else why it was not written."""
    path = change.snapshot.path
    try:
        info = os.stat(path)
        # Not named after the note: a long name plus a suffix would pass the name limit.
        descriptor, temporary = tempfile.mkstemp(prefix=".notels-", suffix=".tmp", dir=path.parent)
    except OSError as error:
        return f"cannot write: {error.strerror or error}"
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(change.new_bytes())
            handle.flush()
            os.fsync(handle.fileno())
            owner = _kept_owner(handle.fileno(), info)
        if owner is not None:
            _remove_quietly(temporary)
            return owner
        os.chmod(temporary, stat.S_IMODE(info.st_mode))
        if before_replace is not None:
            before_replace(path)
        if not unchanged_since(change.snapshot):
            os.unlink(temporary)
            return "changed on disk since it was read: not fixed, run again"
        os.replace(temporary, path)
    except OSError as error:
        _remove_quietly(temporary)
        return f"cannot write: {error.strerror or error}"
    except BaseException:
        _remove_quietly(temporary)
        raise
    _fsync_folder(path.parent)
    return None


def _kept_owner(descriptor: int, original: os.stat_result) -> str | None:
    """Give the new file the original's owner and group (root fixing a user's notes, as in a
    container); None when done, else why the file must not be replaced."""
    written = os.fstat(descriptor)
    if (written.st_uid, written.st_gid) == (original.st_uid, original.st_gid):
        return None
    chown = getattr(os, "fchown", None)
    if chown is None:  # Windows: no owners to keep
        return None
    try:
        chown(descriptor, original.st_uid, original.st_gid)
    except OSError:
        return "owned by another user or group: not fixed"
    return None


def _remove_quietly(path: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable; not possible (nor needed) on every platform."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def unified_diff(change: FileChange) -> str:
    """A `diff -u` of one change that `patch -p1` and `git apply` take.

    Lines end at `\n` only, as those tools read them (a lone-CR file is one long line, and
    U+2028 is text); a BOM stays on the first line, where it is on disk. A last line without a
    break is marked as `diff` does.
    """
    bom = "\ufeff" if change.snapshot.has_bom else ""
    shown = PurePath(change.display)
    # A file outside the working folder is shown by its absolute path; its root goes, as in
    # `git diff --no-index /a /b` (`a/tmp/x.md`, not `a//tmp/x.md`): `patch -p1 -d /` takes it.
    name = shown.relative_to(shown.anchor).as_posix() if shown.anchor else shown.as_posix()
    lines = difflib.unified_diff(
        _lines(bom + change.before),
        _lines(bom + change.after),
        _diff_name("a/" + name),
        _diff_name("b/" + name),
    )
    out: list[str] = []
    for line in lines:
        out.append(line)
        if not line.endswith("\n"):
            out.append("\n\\ No newline at end of file\n")
    return "".join(out)


_C_ESCAPES = {'"': '\\"', "\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"}


def _diff_name(name: str) -> str:
    """A file name as git writes it in a diff header, which GNU patch and `git apply` read.

    A name with a quote, a backslash or a control character is C-quoted; one with a space ends
    with a tab, since patch otherwise takes the name to end at the first space (`My note.md`).
    """
    if any(_needs_quoting(char) for char in name):
        return f'"{"".join(_quoted(char) for char in name)}"'
    return name + "\t" if " " in name else name


def _needs_quoting(char: str) -> bool:
    # A byte of a name that is not UTF-8 comes as a lone surrogate (os.fsdecode): git writes
    # the byte itself, in octal.
    return char in '"\\' or char < " " or char == "\x7f" or "\udc80" <= char <= "\udcff"


def _quoted(char: str) -> str:
    if char in _C_ESCAPES:
        return _C_ESCAPES[char]
    if _needs_quoting(char):
        return "".join(f"\\{byte:03o}" for byte in os.fsencode(char))
    return char


def _lines(text: str) -> list[str]:
    lines = [line + "\n" for line in text.split("\n")]
    lines[-1] = lines[-1][:-1]
    return lines if lines[-1] else lines[:-1]


def fix_vault(
    root: Path,
    index: VaultIndex,
    config: Config,
    relatives: Sequence[str],
    mode: FixMode,
    generator: IdGenerator | None = None,
    select: Collection[str] | None = None,
    ignore: Collection[str] = (),
    created_ns: CreatedNs | None = None,
    display: Callable[[str], str] = str,
    before_replace: BeforeReplace | None = None,
) -> FixOutcome:
    """Plan and (in APPLY mode) write the safe fixes of `relatives`.

    Afterwards the index holds what is on disk: fixed notes for written files, the original
    notes for refused ones and, in DIFF mode, for all.
    """
    if generator is None:
        generator = IdGenerator()
    generator.reserve(vault_ids(index))
    if created_ns is None:
        created_ns = file_created_ns(root)
    originals = {relative: index.notes[relative] for relative in relatives if relative in index}
    changes, refusals = plan_fixes(
        root, index, config, relatives, generator, select, ignore, created_ns, display
    )
    outcome = FixOutcome(changes=changes, refused=refusals)
    for change in changes:
        reason = None if mode is FixMode.DIFF else write_change(change, before_replace)
        if mode is FixMode.APPLY and reason is None:
            outcome.written.append(change)
            continue
        index.set_note(change.relative, originals[change.relative])
        if reason is not None:
            outcome.refused.append(Refusal(change.display, reason))
    return outcome
