"""The persistent index cache: note summaries saved between runs of the server.

One file per vault in the user's cache folder, holding each note's summary under the size and
modification time its file had when it was read, and the index tables those summaries make: a
start takes the tables whole instead of setting 10,000 summaries one by one. A later start takes
the summary of every file whose size and mtime are unchanged and parses only the others. The
file is a cache, nothing more: safe to delete, rewritten whole, ignored when it is unreadable,
damaged, or written by another notels version, another parser (a digest of the parsing and
indexing code is part of its key), another Python, or with another file size limit.
"""

from __future__ import annotations

import contextlib
import glob
import hashlib
import marshal
import os
import sys
import tempfile
import time
import zlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

import notels
from notels.syntax.spans import Span
from notels.vault.files import FileProblem, ProblemKind
from notels.vault.index import CardLocation, NoteTables
from notels.vault.summary import NoteSummary, Stamp

# Bump when the layout of the file changes in a way the digest of the code would not show.
_SCHEMA = 3
_MAGIC = b"notels-index-cache\n"
CACHE_DIR_VARIABLE = "NOTELS_CACHE_DIR"  # a folder, or "off" to use no cache
_TEMPORARY = ".tmp"
_DIGEST_SIZE = 4  # CRC-32 of the entries: a damaged file is no cache
_RACY_NS = 3_000_000_000  # file times are this coarse at worst (FAT: 2 s), with a margin
# A temporary file this old is no other server's write in progress (a write takes seconds).
_STALE_SECONDS = 600

# What the cache keeps per note: (summary, its decoding problem's detail or None).
CachedNote = tuple[NoteSummary, FileProblem | None]


@dataclass(frozen=True, slots=True)
class CachedIndex:
    """What a vault's cache file holds."""

    notes: dict[str, CachedNote]  # the notes whose stamp can be trusted, by path
    tables: NoteTables | None  # every note of the file, with its index tables


_NO_CACHE = CachedIndex({}, None)


def cache_dir() -> Path | None:
    """Where cache files go; None when the user turned the cache off."""
    configured = os.environ.get(CACHE_DIR_VARIABLE)
    if configured:
        return None if configured.lower() == "off" else Path(configured)
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA")
        return Path(base) / "notels" / "Cache" if base else None
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "notels"
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "notels"


def cache_file(root: Path) -> Path | None:
    folder = cache_dir()
    if folder is None:
        return None
    name = hashlib.sha256(str(root).encode("utf-8", "surrogatepass")).hexdigest()[:24]
    return folder / f"{name}.index"


def has_cache(root: Path) -> bool:
    """Is there a cache file for the vault (which may still turn out stale or damaged)?"""
    path = cache_file(root)
    try:
        return path is not None and path.is_file()
    except OSError:  # a cache folder we may not look into: as good as none
        return False


@cache
def _code_digest() -> str:
    """A digest of the code that turns a file into a summary: any change makes a new key."""
    package = Path(notels.__file__).parent
    digest = hashlib.sha256()
    for folder in ("syntax", "vault"):
        for source in sorted((package / folder).glob("*.py")):
            digest.update(source.name.encode())
            digest.update(source.read_bytes())
    return digest.hexdigest()[:24]


def _key(root: Path, max_file_bytes: int) -> bytes:
    fields = (
        _SCHEMA,
        notels.__version__,
        _code_digest(),
        sys.implementation.cache_tag,  # marshal's format is per Python version
        marshal.version,
        str(root),
        max_file_bytes,
    )
    return _MAGIC + repr(fields).encode("utf-8", "surrogatepass") + b"\n"


def read_cache(root: Path, max_file_bytes: int) -> CachedIndex:
    """The cached summaries and index tables of a vault; empty when there is no usable cache.

    Entries of files modified within a few seconds before the cache was written are left out
    of `notes` (the tables still hold them): a later change of the same size within the file
    system's time resolution (two seconds on FAT) would not show in the stamp (git calls such
    entries "racily clean").
    """
    path = cache_file(root)
    if path is None:
        return _NO_CACHE
    try:
        with path.open("rb") as source:
            written_ns = os.fstat(source.fileno()).st_mtime_ns
            data = source.read()
    except OSError:
        return _NO_CACHE
    key = _key(root, max_file_bytes)
    payload = memoryview(data)[len(key) + _DIGEST_SIZE :]
    if not data.startswith(key) or data[len(key) : len(key) + _DIGEST_SIZE] != _digest(payload):
        return _NO_CACHE
    racy_after = written_ns - _RACY_NS
    try:
        entries, plain_tables = marshal.loads(payload)  # a CacheSnapshot
        new = tuple.__new__
        notes: dict[str, CachedNote] = {
            relative: (
                new(NoteSummary, summary),
                None if detail is None else FileProblem(relative, ProblemKind.INVALID_UTF8, detail),
            )
            for relative, (summary, detail) in entries.items()
            if len(summary) == len(NoteSummary._fields)
        }
        if len(notes) != len(entries):
            return _NO_CACHE
        tables = _tables_from_plain(notes, plain_tables)
        trusted = {
            relative: entry
            for relative, entry in notes.items()
            if entry[0].stamp is not None and entry[0].stamp[1] < racy_after
        }
        return CachedIndex(trusted, tables)
    except Exception:
        return _NO_CACHE


def _digest(payload: bytes | memoryview) -> bytes:
    # CRC-32 finds damage (a cut or scribbled file) at 1.5 ms for 10 MB, five times faster
    # than a cryptographic hash; nobody forges a cache file to fool their own editor.
    return zlib.crc32(payload).to_bytes(_DIGEST_SIZE, "big")


# NoteTables as marshal writes them: the summaries apart, sets as tuples (marshal sorts a set's
# items: 80 ms for the link table of 10,000 notes, against 9 ms for tuples), card locations
# as flat tuples, counters as plain dicts.
_PlainTables = tuple[Any, ...]  # marshal's values are untyped


def _plain_tables(tables: NoteTables) -> _PlainTables:
    """A copy: the index goes on changing while the cache is written."""
    return (
        dict(tables.by_key),
        *(
            {key: tuple(paths) for key, paths in table.items()}
            for table in (tables.by_stem, tables.by_alias, tables.linkers, tables.tags)
        ),
        {
            value: [(loc.path, *loc.span, *loc.card_span) for loc in locations]
            for value, locations in tables.card_ids.items()
        },
        dict(tables.type_cards),
        tables.type_fields,
        dict(tables.decks),
    )


def _tables_from_plain(notes: dict[str, CachedNote], plain: _PlainTables) -> NoteTables:
    by_key, by_stem, by_alias, linkers, tags, card_ids, type_cards, type_fields, decks = plain
    # The digest rules out damage, not a file of another layout: a table of the wrong shape
    # must fail here, where it means "no cache", rather than in the index.
    if not all(type(table) is dict for table in plain) or not all(
        type(fields) is dict for fields in type_fields.values()
    ):
        raise ValueError("not the tables of a notels index")
    new = tuple.__new__
    return NoteTables(
        summaries={relative: summary for relative, (summary, _) in notes.items()},
        problems={
            relative: problem for relative, (_, problem) in notes.items() if problem is not None
        },
        by_key=by_key,
        by_stem=_sets(by_stem),
        by_alias=_sets(by_alias),
        linkers=_sets(linkers),
        tags=_sets(tags),
        card_ids={
            value: [
                new(
                    CardLocation, (path, new(Span, (start, end)), new(Span, (card_start, card_end)))
                )
                for path, start, end, card_start, card_end in locations
            ]
            for value, locations in card_ids.items()
        },
        type_cards=type_cards,
        type_fields=type_fields,
        decks=decks,
    )


def _sets(table: dict[str, tuple[str, ...]]) -> dict[str, set[str]]:
    return {key: set(paths) for key, paths in table.items()}


class CacheSnapshot(NamedTuple):
    """An index's notes and tables as the cache file holds them, copied from the live index."""

    # path -> (summary as a plain tuple, its decoding problem's detail or None)
    entries: dict[str, tuple[tuple[Any, ...], str | None]]
    tables: _PlainTables

    def read_from_file(self, relative: str, stamp: Stamp, problem: FileProblem | None) -> None:
        """The note's summary is that of its file, as it is now: an editor's text was the
        file's (the next start may take it), with the file's own decoding problem."""
        summary, _ = self.entries[relative]
        self.entries[relative] = (
            (stamp, *summary[1:]),
            None if problem is None else problem.detail,
        )


def cache_snapshot(tables: NoteTables) -> CacheSnapshot:
    """A copy of an index's `tables()`; the caller tells whether the index changed while it
    was made (see indexer._snapshot).

    Notes without a file stamp (an editor's unsaved text) are written too, so that the tables
    stay those of the notes beside them, and never trusted by a later start: it withdraws
    them from what it restores. Notes are written in path order, a cold start's order: where
    features break ties by the index's order (workspace symbols past their limit, the cards
    sampled for a note type's field order), a warm start answers as a cold one.
    """
    details = {relative: problem.detail for relative, problem in tables.problems.items()}
    entries = {
        relative: (tuple(summary), details.get(relative))
        for relative, summary in sorted(tables.summaries.items())
    }
    return CacheSnapshot(entries, _plain_tables(tables))


def write_cache(root: Path, max_file_bytes: int, snapshot: CacheSnapshot) -> bool:
    """Replace the vault's cache file atomically; False when it could not be written."""
    path = cache_file(root)
    if path is None:
        return False
    try:
        payload = marshal.dumps((snapshot.entries, snapshot.tables))
        payload = _key(root, max_file_bytes) + _digest(payload) + payload
        path.parent.mkdir(parents=True, exist_ok=True)
        _remove_stale_temporaries(path)
        handle, temporary = tempfile.mkstemp(prefix=path.name, suffix=_TEMPORARY, dir=path.parent)
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(payload)
            os.replace(temporary, path)
        except BaseException:
            os.unlink(temporary)
            raise
    except (OSError, ValueError):
        return False
    return True


def _remove_stale_temporaries(path: Path) -> None:
    """Half-written files of writers that were killed (an editor quitting mid-write)."""
    now = time.time()
    for stale in path.parent.glob(f"{glob.escape(path.name)}*{_TEMPORARY}"):
        with contextlib.suppress(OSError):
            if now - stale.stat().st_mtime > _STALE_SECONDS:
                stale.unlink()
