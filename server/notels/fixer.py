"""`notels check --fix` / `--diff`: apply the safe fixes to notes on disk.

What a user can rely on:
- Only the edited ranges change. A file is read as bytes, its text must be exactly what the
  index parsed, and it is written back as the same BOM + UTF-8 of the edited text, so line
  endings, the final-newline state and every byte outside the edits are kept.
- A file that is not valid UTF-8 is never written (its text holds replacement characters).
- Writes are atomic: a temporary file in the same folder, flushed and fsynced, given the
  original's permission bits, owner and group, then `os.replace`d over it. A read-only file
  (no write bit, or not writable by this user) is left alone, and so is a file with other
  names (hard links): replacing makes a new inode, and they would keep the old text. (A
  symlink to a note is never indexed, see files.scan_vault: each note is fixed under its own
  path, once.)
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
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path, PurePath

from notels.config import Config
from notels.edits.fixes import SAFE_CODES, CreatedNs, safe_fix_list
from notels.edits.ids import IdGenerator, vault_ids
from notels.edits.text_edit import TextEdit, apply_edits, check_edits
from notels.findings import Finding
from notels.rules import check_note
from notels.syntax.note import Note, parse_note
from notels.syntax.spans import Span
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
class Changed:
    """`before[before_start:before_end]` became `after[after_start:after_end]` (offsets)."""

    before_start: int
    before_end: int
    after_start: int
    after_end: int


@dataclass(frozen=True, slots=True)
class FileChange:
    relative: str  # vault-relative
    display: str  # as shown to the user
    before: str
    after: str
    fixes: int  # problems fixed in this file
    snapshot: Snapshot
    # Sorted, not touching, and the text between two of them is the same before and after:
    # what lets `unified_diff` diff only these stretches.
    changed: tuple[Changed, ...]

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
    refusal = _refusal(path, info)
    if refusal is not None:
        return refusal
    if looks_binary(data):
        return "holds NUL bytes"
    text, has_bom, valid = decode_note_bytes(data)
    if not valid:
        return "not valid UTF-8: never rewritten"
    if text != expected_text:
        return "changed on disk while it was being checked"
    return Snapshot(path, info.st_size, info.st_mtime_ns, _digest(data), has_bom)


def never_written(root: Path, relative: str) -> str | None:
    """Why --fix would leave the file alone whatever its text (read-only, hard-linked...), so
    that its findings are not reported as fixable; None when it may be written."""
    try:
        path = (root / relative).resolve(strict=True)
        info = os.stat(path)
    except OSError as error:
        return f"cannot read: {error.strerror or error}"
    return _refusal(path, info)


def _refusal(path: Path, info: os.stat_result) -> str | None:
    if not stat.S_ISREG(info.st_mode):
        return "not a regular file"
    # Replacing needs only the folder's permission: the file's own must still be honoured.
    if not info.st_mode & _ANY_WRITE or not os.access(path, os.W_OK):
        return "read-only"
    if info.st_nlink > 1:
        # Replacing makes a new file: the note's other names would keep the old text.
        return "hard-linked: the file's other names would keep the old text"
    return None


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
    changed_by: dict[str, list[Changed]] = {}
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
            edits = check_edits(note.text, [edit for fix in fixes for edit in fix.edits])
            fixed_text = apply_edits(note.text, edits)
            if fixed_text == note.text:
                continue
            changed_by[relative] = compose(changed_by.get(relative, []), edits)
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
            tuple(changed_by[relative]),
        )
        for relative in relatives
        if relative in originals and index.notes[relative].text != originals[relative].text
    ]
    refusals = [Refusal(display(relative), reason) for relative, reason in refused.items()]
    return changes, refusals


# What a later pass of `note_fixed_in_passes` looks for: duplicate-id is judged against the
# index, which still holds the note's text from before the first pass, where its own card IDs
# stand at their old places and would read as copies of the cards that moved. A duplicate the
# first pass reveals (a card an added END frees) waits for the next fix-all.
_NOTE_ALONE_SAFE_CODES = SAFE_CODES - {"duplicate-id"}


def note_fixed_in_passes(
    relative: str,
    note: Note,
    index: VaultIndex,
    config: Config,
    findings: Sequence[Finding],
    generator: IdGenerator,
    created_ns: CreatedNs | None = None,
) -> list[TextEdit]:
    """The safe fixes of one note, pass after pass as `--fix` makes them (an added END makes
    a card that needs an ID), as edits of its text; the index is not changed."""
    current = note
    changed: list[Changed] = []
    for _ in range(MAX_PASSES):
        fixes = safe_fix_list(relative, current, index, config, findings, generator, created_ns)
        edits = check_edits(current.text, [edit for fix in fixes for edit in fix.edits])
        fixed_text = apply_edits(current.text, edits)
        if fixed_text == current.text:
            break
        changed = compose(changed, edits)
        current = parse_note(fixed_text)
        findings = check_note(relative, current, index, config, select=_NOTE_ALONE_SAFE_CODES)
    text = current.text
    return [
        TextEdit(
            Span(change.before_start, change.before_end),
            text[change.after_start : change.after_end],
        )
        for change in changed
    ]


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


def write_edited(root: Path, relative: str, text: str, edits: Sequence[TextEdit]) -> str | None:
    """Write the note with `edits` applied to `text`, which must be what its file holds now,
    with the same guarantees as --fix (see the module docstring); None when written, else why
    the file was left as it was."""
    snapshot = take_snapshot(root, relative, text)
    if isinstance(snapshot, str):
        return snapshot
    after = apply_edits(text, check_edits(text, edits))
    return write_change(FileChange(relative, relative, text, after, len(edits), snapshot, ()))


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


def compose(earlier: Sequence[Changed], edits: Sequence[TextEdit]) -> list[Changed]:
    """What changed from the original text to the one `edits` make of its `earlier` changes.

    `earlier` maps the original to the current text; `edits` apply to the current text. The
    stretches of both that overlap or touch become one, in one sweep along the current text.
    """
    later: list[Changed] = []
    shift = 0
    for edit in sorted(edits, key=lambda edit: (edit.span.start, edit.span.end)):
        start, end = edit.span.start, edit.span.end
        later.append(Changed(start, end, start + shift, start + shift + len(edit.new_text)))
        shift += len(edit.new_text) - (end - start)
    # Each stretch of the current text: (start, end, growth from the original, growth to the new).
    stretches = sorted(
        [(c.after_start, c.after_end, _growth(c), 0) for c in earlier]
        + [(c.before_start, c.before_end, 0, _growth(c)) for c in later]
    )
    composed: list[Changed] = []
    grown_before = grown_after = 0  # by the stretches already composed
    index = 0
    while index < len(stretches):
        start, end, from_original, to_new = stretches[index]
        index += 1
        while index < len(stretches) and stretches[index][0] <= end:
            end = max(end, stretches[index][1])
            from_original += stretches[index][2]
            to_new += stretches[index][3]
            index += 1
        composed.append(
            Changed(
                start - grown_before,
                end - grown_before - from_original,
                start + grown_after,
                end + grown_after + to_new,
            )
        )
        grown_before += from_original
        grown_after += to_new
    return composed


def _growth(change: Changed) -> int:
    return (change.after_end - change.after_start) - (change.before_end - change.before_start)


def unified_diff(change: FileChange) -> str:
    """A `diff -u` of one change that `patch -p1` and `git apply` take.

    Lines end at `\n` only, as those tools read them (a lone-CR file is one long line, and
    U+2028 is text); a BOM stays on the first line, where it is on disk. A last line without a
    break is marked as `diff` does.

    Only the lines the fixes changed are compared (`difflib` on each stretch), so a big note
    with thousands of fixes takes linear time, where `difflib` over the whole note takes
    quadratic; the hunks are then grouped and numbered as `difflib.unified_diff` does.
    """
    bom = "\ufeff" if change.snapshot.has_bom else ""
    shown = PurePath(_patched_name(change))
    # A file outside the working folder is shown by its absolute path; its root goes, as in
    # `git diff --no-index /a /b` (`a/tmp/x.md`, not `a//tmp/x.md`): `patch -p1 -d /` takes it.
    name = shown.relative_to(shown.anchor).as_posix() if shown.anchor else shown.as_posix()
    before, after = bom + change.before, bom + change.after
    old, new = _lines(before), _lines(after)
    opcodes = _opcodes(old, new, _changed_lines(change.changed, before, after, len(bom)))
    out: list[str] = []
    for line in _unified(old, new, opcodes, _diff_name("a/" + name), _diff_name("b/" + name)):
        out.append(line)
        if not line.endswith("\n"):
            out.append("\n\\ No newline at end of file\n")
    return "".join(out)


def _patched_name(change: FileChange) -> str:
    """The name the diff gives the file: as displayed, but for a note that is a symlink (into
    an ignored folder) the file it leads to, which `--fix` writes: `patch` and `git apply`
    refuse to patch through a symlink."""
    if not os.path.islink(change.display):
        return change.display
    real = change.snapshot.path
    here = Path.cwd().resolve()
    return real.relative_to(here).as_posix() if real.is_relative_to(here) else str(real)


Opcode = tuple[str, int, int, int, int]  # as difflib.SequenceMatcher.get_opcodes gives them
DIFF_CONTEXT = 3  # lines around each change, as `diff -u` and difflib show


def _changed_lines(
    changed: Sequence[Changed], before: str, after: str, shift: int
) -> list[Changed]:
    """The changed stretches, moved by `shift` characters (a BOM put before both texts), as
    whole lines (indexes into `_lines`), merged where they touch."""
    breaks_before = _break_offsets(before)
    breaks_after = _break_offsets(after)
    count_before = len(breaks_before) + (not _at_line_start(before, len(before)))
    count_after = len(breaks_after) + (not _at_line_start(after, len(after)))
    lines: list[Changed] = []
    for unshifted in changed:
        c = Changed(
            unshifted.before_start + shift,
            unshifted.before_end + shift,
            unshifted.after_start + shift,
            unshifted.after_end + shift,
        )
        # The text before a stretch is the same in both, so its first line is the same line.
        first_before = bisect_left(breaks_before, c.before_start)
        first_after = bisect_left(breaks_after, c.after_start)
        last_before = bisect_left(breaks_before, c.before_end)
        last_after = bisect_left(breaks_after, c.after_end)
        # A stretch ending in a line break on both sides leaves the next line alone.
        if not (_at_line_start(before, c.before_end) and _at_line_start(after, c.after_end)):
            last_before, last_after = last_before + 1, last_after + 1
        line = Changed(
            first_before, min(last_before, count_before), first_after, min(last_after, count_after)
        )
        if lines and line.before_start <= lines[-1].before_end:
            line = Changed(
                lines[-1].before_start, line.before_end, lines[-1].after_start, line.after_end
            )
            lines.pop()
        lines.append(line)
    return lines


def _break_offsets(text: str) -> list[int]:
    offsets: list[int] = []
    position = text.find("\n")
    while position != -1:
        offsets.append(position)
        position = text.find("\n", position + 1)
    return offsets


def _at_line_start(text: str, offset: int) -> bool:
    return offset == 0 or text[offset - 1] == "\n"


def _opcodes(old: list[str], new: list[str], changed: Sequence[Changed]) -> list[Opcode]:
    """difflib's opcodes for `old` -> `new`, where only the `changed` lines may differ."""
    opcodes: list[Opcode] = []
    done_old = done_new = 0
    for c in changed:
        _add(opcodes, ("equal", done_old, c.before_start, done_new, c.after_start))
        matcher = difflib.SequenceMatcher(
            None, old[c.before_start : c.before_end], new[c.after_start : c.after_end]
        )
        for tag, old_start, old_end, new_start, new_end in matcher.get_opcodes():
            _add(
                opcodes,
                (
                    tag,
                    c.before_start + old_start,
                    c.before_start + old_end,
                    c.after_start + new_start,
                    c.after_start + new_end,
                ),
            )
        done_old, done_new = c.before_end, c.after_end
    _add(opcodes, ("equal", done_old, len(old), done_new, len(new)))
    return opcodes


def _add(opcodes: list[Opcode], opcode: Opcode) -> None:
    """Append, joining neighbouring equal runs into one as difflib reports them."""
    tag, old_start, old_end, new_start, new_end = opcode
    if old_start == old_end and new_start == new_end:
        return
    if tag == "equal" and opcodes and opcodes[-1][0] == "equal":
        _, old_start, _, new_start, _ = opcodes.pop()
    opcodes.append((tag, old_start, old_end, new_start, new_end))


def _grouped(opcodes: list[Opcode], context: int = DIFF_CONTEXT) -> Iterator[list[Opcode]]:
    """The hunks: difflib.SequenceMatcher.get_grouped_opcodes, over known opcodes."""
    codes = list(opcodes) or [("equal", 0, 1, 0, 1)]
    if codes[0][0] == "equal":
        tag, i1, i2, j1, j2 = codes[0]
        codes[0] = tag, max(i1, i2 - context), i2, max(j1, j2 - context), j2
    if codes[-1][0] == "equal":
        tag, i1, i2, j1, j2 = codes[-1]
        codes[-1] = tag, i1, min(i2, i1 + context), j1, min(j2, j1 + context)
    group: list[Opcode] = []
    for tag, i1, i2, j1, j2 in codes:
        # A long unchanged run ends one hunk and starts the next.
        if tag == "equal" and i2 - i1 > 2 * context:
            group.append((tag, i1, min(i2, i1 + context), j1, min(j2, j1 + context)))
            yield group
            group = []
            i1, j1 = max(i1, i2 - context), max(j1, j2 - context)
        group.append((tag, i1, i2, j1, j2))
    if group and not (len(group) == 1 and group[0][0] == "equal"):
        yield group


def _unified(
    old: list[str], new: list[str], opcodes: list[Opcode], old_name: str, new_name: str
) -> Iterator[str]:
    """The lines difflib.unified_diff writes for these opcodes."""
    for number, group in enumerate(_grouped(opcodes)):
        if number == 0:
            yield f"--- {old_name}\n"
            yield f"+++ {new_name}\n"
        first, last = group[0], group[-1]
        old_range = _hunk_range(first[1], last[2])
        new_range = _hunk_range(first[3], last[4])
        yield f"@@ -{old_range} +{new_range} @@\n"
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                yield from (" " + line for line in old[i1:i2])
                continue
            if tag in ("replace", "delete"):
                yield from ("-" + line for line in old[i1:i2])
            if tag in ("replace", "insert"):
                yield from ("+" + line for line in new[j1:j2])


def _hunk_range(start: int, stop: int) -> str:
    """A hunk's `start,length` as `diff -u` writes it (difflib's _format_range_unified)."""
    beginning = start + 1  # lines count from 1
    length = stop - start
    if length == 1:
        return f"{beginning}"
    if not length:
        beginning -= 1  # an empty range starts on the line before
    return f"{beginning},{length}"


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
