"""Summaries, the on-demand note store, the persistent cache and the worker processes."""

from __future__ import annotations

import os
import sys
import time
from functools import partial
from pathlib import Path

import pytest

from notels.config import Config
from notels.lsp.indexer import fill_index, save_cache
from notels.lsp.workspace import Vault
from notels.syntax.note import parse_note
from notels.vault import cache as index_cache
from notels.vault import parallel, workers
from notels.vault.index import VaultIndex
from notels.vault.notes import note_from_disk, text_from_disk
from notels.vault.parallel import decode_batch, encode_batch, summarize_file, summarize_in_workers
from notels.vault.summary import summarize

NOTES = {
    "Алгебра.md": "---\naliases: [Algebra]\ntags: [math]\n---\n# Группы 🙂\n[[Поле#Аксиомы]] ^b1\n",
    "Поле.md": "# Аксиомы\nTARGET DECK: Math\nSTART\nBasic\nFront: q\nBack: a\nID: 1737306548883\nEND\n",
    "sub/Кольцо.md": "START\nBasic\nFront: x\nID: 1\nBack: y\nEND\nSTARTI Basic q ID: 2 ENDI\n",
    "bad utf8.md": "caf\udcc3 [[Поле]]\n",
    "binary.md": "\x00\x01\x02",
}


def _write(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for relative, text in NOTES.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8", "surrogateescape"))
    return age(root)


def age(root: Path, seconds: int = 3600) -> Path:
    """Files written an hour ago: the cache does not trust files changed just before it."""
    then = time.time() - seconds
    for path in root.rglob("*"):
        os.utime(path, (then, then))
    return root


def _disk_index(root: Path) -> VaultIndex:
    config = Config()

    return VaultIndex(partial(note_from_disk, root, config), keep_notes=False)


def _cached_vault(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The test vault, written an hour ago, with an index cache of its own; one process."""
    monkeypatch.setenv("NOTELS_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("NOTELS_INDEX_PROCESSES", "0")
    return _write(tmp_path / "vault").resolve()


def _filled(root: Path) -> Vault:
    """A server's vault of `root`, indexed by one run (run 0)."""
    vault = Vault(root, Config(), Config())
    vault.index = _disk_index(root)
    assert fill_index(vault, 0, lambda done, total: None)
    return vault


def test_summaries_keep_what_other_notes_need() -> None:
    summary = summarize(parse_note(NOTES["Алгебра.md"]))
    assert summary.aliases == ("Algebra",)
    assert summary.link_keys == ("поле",)
    assert summary.has_heading("группы 🙂") and summary.has_block("B1")
    assert summary.tags == ("math",)
    ring = summarize(parse_note(NOTES["sub/Кольцо.md"]))
    # A misplaced ID is no card's; an inline card's is its card's.
    assert [entry[0] for entry in ring.card_ids] == ["2"] and ring.other_ids == ("1",)


def test_the_store_parses_a_dropped_note_again_from_disk(tmp_path: Path) -> None:
    root = _write(tmp_path / "vault")
    index = _disk_index(root)
    for relative in ("Алгебра.md", "Поле.md"):
        _, summary, problem = summarize_file(root, relative, Config())
        assert summary is not None
        index.set_summary(relative, summary, problem)
    assert not index.notes.is_loaded("Поле.md")
    note = index.notes["Поле.md"]
    assert note.text == NOTES["Поле.md"] and index.notes.is_loaded("Поле.md")
    assert index.has_heading("Поле.md", "Аксиомы") and not index.has_heading("Поле.md", "Нет")
    assert [loc.path for loc in index.card_locations("1737306548883")] == ["Поле.md"]
    (root / "Поле.md").unlink()
    index.notes.forget("Поле.md")
    assert "Поле.md" in index.notes and index.notes.get("Поле.md") is None


def test_recently_read_notes_are_bounded_and_pinned_ones_stay(tmp_path: Path) -> None:
    root = tmp_path / "vault"
    root.mkdir()
    index = _disk_index(root)
    for i in range(300):
        (root / f"n{i}.md").write_text(f"# N{i}\n", encoding="utf-8")
        index.set_note(f"n{i}.md", parse_note(f"# N{i}\n"), stamp=(0, 0))
    index.set_note("open.md", parse_note("# Open\n"), pinned=True)
    loaded = [path for path in index.paths() if index.notes.is_loaded(path)]
    assert len(loaded) == 257 and "open.md" in loaded and "n0.md" not in loaded
    assert index.notes["n0.md"].text == "# N0\n"  # read again


def test_a_same_summary_update_changes_no_table(tmp_path: Path) -> None:
    index = VaultIndex()
    index.set_note("a.md", parse_note("# A\n\nsome prose\n"))
    generation = index.generation
    index.set_note("a.md", parse_note("# A\n\nsome prose, edited\n"))
    assert index.generation == generation
    assert index.notes["a.md"].text.endswith("edited\n")
    index.set_note("a.md", parse_note("# B\n\nsome prose, edited\n"))
    assert index.generation > generation and index.has_heading("a.md", "B")


def test_workers_summarize_exactly_as_this_process(tmp_path: Path) -> None:
    root = _write(tmp_path / "vault")
    relatives = sorted(NOTES)
    here = [summarize_file(root, relative, Config()) for relative in relatives]
    batches = list(summarize_in_workers(root, relatives, Config(), workers=2))
    assert [item for batch in batches for item in batch] == here
    kinds = {relative: problem.kind.value for relative, _, problem in here if problem}
    assert kinds == {"bad utf8.md": "invalid-utf8", "binary.md": "binary"}


def test_workers_started_ahead_are_taken_and_ended_with_the_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _write(tmp_path / "vault")
    monkeypatch.setenv("NOTELS_INDEX_PROCESSES", "2")
    monkeypatch.setattr(parallel, "BATCH", 2)  # a batch for each worker at least
    workers.start_spares()
    spares = list(workers._spares)
    assert len(spares) == 2 and all(process.poll() is None for process in spares)
    started: list[int] = []
    real_start = workers._start

    def counted_start():  # type: ignore[no-untyped-def]
        started.append(1)
        return real_start()

    monkeypatch.setattr(workers, "_start", counted_start)
    relatives = sorted(NOTES)
    batches = list(summarize_in_workers(root, relatives, Config(), workers=2))
    here = [summarize_file(root, relative, Config()) for relative in relatives]
    assert [item for batch in batches for item in batch] == here
    assert started == [] and workers._spares == []
    assert all(process.returncode is not None for process in spares)


@pytest.mark.skipif(sys.platform != "linux", reason="pipe sizes are set on Linux only")
def test_a_worker_can_write_several_frames_ahead_of_the_parent() -> None:
    """A frame is about 100 KB, more than a pipe's default 64 KB: a worker waited at each for
    the parent, which reads the workers in turn, and both went at the slower one's pace."""
    import fcntl

    process = workers._start()
    try:
        assert process.stdout is not None
        assert fcntl.fcntl(process.stdout.fileno(), fcntl.F_GETPIPE_SZ) >= 8 * 128 * 1024
    finally:
        workers.end(process)


def test_a_dead_spare_is_passed_over_and_the_rest_end_when_released(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("NOTELS_INDEX_PROCESSES", "3")
    workers.start_spares()
    first, second, third = workers._spares
    first.kill()
    first.wait()
    assert workers.spawn() is second
    # A spare whose parent goes away without a job ends by itself, quietly.
    assert second.stdin is not None
    second.stdin.close()
    assert second.wait(timeout=30) == 0
    workers.end(second)
    workers.release_spares()
    assert workers._spares == [] and third.returncode is not None
    monkeypatch.setenv("NOTELS_INDEX_PROCESSES", "0")
    workers.start_spares()
    assert workers._spares == []


def test_indexing_goes_on_in_the_server_when_workers_die(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _write(tmp_path / "vault")
    monkeypatch.setenv("NOTELS_INDEX_PROCESSES", "2")
    monkeypatch.setenv("NOTELS_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(parallel, "BATCH", 2)  # several batches, so some could arrive first
    real_spawn = parallel._spawn

    def dying_spawn():  # type: ignore[no-untyped-def]
        if not dying_spawn.started:  # type: ignore[attr-defined]
            dying_spawn.started = True  # type: ignore[attr-defined]
            return real_spawn()
        import subprocess

        return subprocess.Popen(
            [sys.executable, "-c", "import sys; sys.stdin.buffer.read(); sys.exit(3)"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )

    dying_spawn.started = False  # type: ignore[attr-defined]
    monkeypatch.setattr(parallel, "_spawn", dying_spawn)
    vault = _filled(root.resolve())
    assert sorted(vault.index.paths()) == sorted(set(NOTES) - {"binary.md"})
    assert vault.index.file_problems["binary.md"].kind.value == "binary"


def test_link_and_heading_keys_are_one_string_across_worker_frames() -> None:
    """Each worker frame (and the cache) is read by its own marshal.loads: a key many notes
    share stays one string only because it is interned (10,000 notes: 130,000 strings)."""
    first = summarize(parse_note("# Key Properties\n[[Affine basis]]\n"))
    second = summarize(parse_note("# key  properties\n[[affine Basis|b]]\n"))
    ((_, one, _),) = decode_batch(encode_batch([("a.md", first, None)]))
    ((_, other, _),) = decode_batch(encode_batch([("b.md", second, None)]))
    assert one is not None and other is not None
    assert one.link_keys == other.link_keys == ("affine basis",)
    assert one.link_keys[0] is other.link_keys[0]
    assert one.heading_keys[0] is other.heading_keys[0]


def test_the_cache_round_trips_and_is_keyed_by_version_and_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _cached_vault(tmp_path, monkeypatch)
    vault = _filled(root)
    assert vault.reused == 0
    assert save_cache(vault, 0)
    cached = index_cache.read_cache(root, Config().max_file_bytes).notes
    assert {path: entry[0] for path, entry in cached.items()} == vault.index.summaries
    assert cached["bad utf8.md"][1] == vault.index.file_problems["bad utf8.md"]
    assert index_cache.read_cache(root, 1000).notes == {}  # another size limit
    monkeypatch.setattr("notels.__version__", "99.0")
    assert index_cache.read_cache(root, Config().max_file_bytes).notes == {}
    monkeypatch.undo()
    monkeypatch.setenv("NOTELS_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("NOTELS_INDEX_PROCESSES", "0")
    # A file touched since (same size, new mtime) is read again; the others come from the cache.
    stat = os.stat(root / "Поле.md")
    os.utime(root / "Поле.md", ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    again = _filled(root)
    assert again.reused == 3 and not again.cache_current
    assert again.index.summaries.keys() == vault.index.summaries.keys()


def test_cached_resolutions_follow_notes_aliases_and_attachments() -> None:
    index = VaultIndex()
    index.set_note("a.md", parse_note("[[Target]] ![[pic.png]]\n"))
    assert index.resolve_target("Target", "a.md").kind.value == "unresolved"
    index.set_note("sub/Target.md", parse_note("# T\n"))
    assert index.resolve_target("Target", "a.md").paths == ("sub/Target.md",)
    index.set_note("Other.md", parse_note("---\naliases: [Alias]\n---\n"))
    assert index.resolve_target("alias", "a.md").paths == ("Other.md",)
    index.set_note("Other.md", parse_note("---\naliases: [Renamed]\n---\n"))
    assert index.resolve_target("alias", "a.md").kind.value == "unresolved"
    index.remove_note("sub/Target.md")
    assert index.resolve_target("Target", "a.md").kind.value == "unresolved"
    assert index.resolve_target("pic.png", "a.md").kind.value == "unresolved"
    index.add_attachment("img/pic.png")
    assert index.resolve_target("pic.png", "a.md").paths == ("img/pic.png",)
    index.remove_attachment("img/pic.png")
    assert index.resolve_target("pic.png", "a.md").kind.value == "unresolved"


def _summarized(root: Path, relatives: tuple[str, ...]) -> tuple[VaultIndex, list[str]]:
    """An index of these notes from their summaries, and the list of notes it parsed since."""
    parsed: list[str] = []

    def load(relative: str):  # type: ignore[no-untyped-def]
        parsed.append(relative)
        return note_from_disk(root, Config(), relative)

    index = VaultIndex(load, keep_notes=False, text_loader=partial(text_from_disk, root, Config()))
    for relative in relatives:
        _, summary, _ = summarize_file(root, relative, Config())
        assert summary is not None
        index.set_summary(relative, summary)
    return index, parsed


def test_positions_in_a_dropped_note_come_from_its_text_without_a_parse(tmp_path: Path) -> None:
    index, parsed = _summarized(_write(tmp_path / "vault"), ("Алгебра.md",))
    lines = index.lines("Алгебра.md")
    assert lines is not None and lines.position(len(NOTES["Алгебра.md"]) - 1) == (5, 20)
    assert parsed == [] and not index.notes.is_loaded("Алгебра.md")
    assert index.lines("missing.md") is None


def test_go_to_a_heading_of_a_closed_note_reads_it_without_a_parse(tmp_path: Path) -> None:
    from notels.features.navigation import definition
    from notels.syntax.spans import Span

    index, parsed = _summarized(_write(tmp_path / "vault"), ("Алгебра.md", "Поле.md"))
    text = NOTES["Алгебра.md"]
    offset = text.index("Аксиомы")
    found = definition(index, "Алгебра.md", parse_note(text), offset, Config())
    assert [(location.path, location.span) for location in found] == [
        ("Поле.md", Span(0, len("# Аксиомы")))
    ]
    assert parsed == []  # positions from the summary, the lines from the text


def test_links_to_closed_notes_lead_there_without_parsing_them(tmp_path: Path) -> None:
    # Document links (VS Code asks after every edit) and go to definition on plain links: only a
    # block id needs the target parsed. A long note's document links took 115 ms parsing every
    # note it linked to.
    from notels.features.navigation import definition
    from notels.features.structure import document_links

    index, parsed = _summarized(_write(tmp_path / "vault"), ("Алгебра.md", "Поле.md"))
    text = "[[Поле]] [[Algebra]] [[Поле#Аксиомы]] ![[Поле]]\n"
    found = document_links(index, "Новая.md", parse_note(text), Config())
    assert [link.target for link in found] == ["Поле.md", "Алгебра.md", "Поле.md", "Поле.md"]
    assert definition(index, "Новая.md", parse_note(text), 3, Config())[0].path == "Поле.md"
    assert parsed == []
    # A block id is looked up in the parsed target.
    document_links(index, "Новая.md", parse_note("[[Алгебра#^b1]]\n"), Config())
    assert parsed == ["Алгебра.md"]


def test_the_cache_does_not_trust_a_file_changed_just_before_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Same size, same mtime within the file system's resolution: a change the stamp cannot
    show. Such files are read again at the next start."""
    root = _cached_vault(tmp_path, monkeypatch)
    os.utime(root / "Поле.md")  # just now
    vault = _filled(root)
    assert save_cache(vault, 0)
    cached = index_cache.read_cache(root, Config().max_file_bytes).notes
    assert "Поле.md" not in cached and "Алгебра.md" in cached


def test_a_note_changed_on_disk_without_an_event_is_indexed_again_when_read(
    tmp_path: Path,
) -> None:
    """The server re-indexes a note it reads again whose file no longer matches its summary
    (no watcher, or its event not there yet): no finding compares the new text with the old
    summary (the card ID below would otherwise be its own duplicate)."""
    from notels.lsp.workspace import Workspace

    root = tmp_path / "vault"
    card = "TARGET DECK: d\nSTART\nBasic\nFront: q\nBack: a\nID: 1737306548883\nEND\n"
    (root / ".obsidian").mkdir(parents=True)
    (root / "A.md").write_text(card, encoding="utf-8")
    (root / "B.md").write_text("[[A]]\n", encoding="utf-8")
    age(root)
    workspace = Workspace()
    workspace.add_folder(root)
    (vault,) = workspace.vaults.values()
    seen: list[object] = []
    workspace.on_effects = seen.append
    run, _ = workspace.start_indexing(vault)
    assert fill_index(vault, run, lambda done, total: None)
    workspace.finish_indexing(vault, run)
    (root / "A.md").write_text("A line before.\n" + card, encoding="utf-8")
    _, findings = workspace.findings_at(vault, "A.md")
    assert [finding.code for finding in findings] == []
    (location,) = vault.index.card_locations("1737306548883")
    assert location.span.start == len("A line before.\n") + card.index("ID:")
    assert seen  # the session is told to re-check what the change affects


def test_a_cache_damaged_where_marshal_does_not_notice_is_ignored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _cached_vault(tmp_path, monkeypatch)
    vault = _filled(root)
    assert save_cache(vault, 0)
    path = index_cache.cache_file(root)
    assert path is not None
    data = bytearray(path.read_bytes())
    at = data.index("Поле".encode()) + 1  # a letter of a path: still loads, other meaning
    data[at] ^= 0x01
    path.write_bytes(bytes(data))
    assert index_cache.read_cache(root, Config().max_file_bytes).notes == {}


def test_a_cache_of_another_layout_that_passes_the_digest_is_parsed_around(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cache file whose digest holds but whose tables break the index (only a broken writer
    makes one): the run parses every note, as without a cache, and the file is rewritten."""
    import marshal

    root = _cached_vault(tmp_path, monkeypatch)
    cold = _filled(root)
    assert save_cache(cold, 0)
    path = index_cache.cache_file(root)
    assert path is not None
    key = index_cache._key(root, Config().max_file_bytes)
    entries, tables = marshal.loads(path.read_bytes()[len(key) + 4 :])
    summary, detail = entries["Поле.md"]
    entries["Поле.md"] = ((summary[0], (1, 2), *summary[2:]), detail)  # aliases of ints
    payload = marshal.dumps((entries, tables))
    path.write_bytes(key + index_cache._digest(payload) + payload)
    (root / "Поле.md").write_text("# Поле\n", encoding="utf-8")  # withdrawn at restore
    then = time.time() - 7200
    os.utime(root / "Поле.md", (then, then))

    warm = _filled(root)
    assert warm.reused == 0 and not warm.cache_current
    assert warm.index.summaries.keys() == cold.index.summaries.keys()
    assert warm.index.summaries["Алгебра.md"] == cold.index.summaries["Алгебра.md"]
    assert save_cache(warm, 0)
    assert _filled(root).reused == len(cold.index.summaries)


@pytest.mark.parametrize("changes", [1, 3])
def test_the_cache_is_copied_again_when_the_index_changed_meanwhile(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, changes: int
) -> None:
    """The copy of the index is made without its lock: a note set while it is made (once, or
    at every attempt, when the last copy is made under the lock) still ends up in the cache,
    with its tables."""
    from notels.lsp import indexer

    assert indexer._SNAPSHOT_ATTEMPTS == 3

    root = _cached_vault(tmp_path, monkeypatch)
    vault = _filled(root)
    made = indexer.cache_snapshot
    calls: list[int] = []

    def changing(tables: index_cache.NoteTables) -> index_cache.CacheSnapshot:
        snapshot = made(tables)
        if len(calls) < changes:
            calls.append(len(calls))
            text = f"[[Алгебра]] #new{len(calls)}\n"
            vault.index.set_note(f"New {len(calls)}.md", parse_note(text), stamp=(1, 1))
        return snapshot

    monkeypatch.setattr(indexer, "cache_snapshot", changing)
    assert save_cache(vault, 0)
    cached = index_cache.read_cache(root, Config().max_file_bytes)
    assert cached.tables is not None
    assert set(cached.tables.summaries) == set(vault.index.summaries)
    restored = VaultIndex()
    restored.restore(cached.tables, set(cached.tables.summaries))
    assert restored.linkers_of("Алгебра.md") == vault.index.linkers_of("Алгебра.md")
    assert restored.tags() == vault.index.tags()


def test_a_warm_start_holds_its_notes_in_a_cold_starts_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Features that break ties by the index's order (workspace symbols past their limit)
    answer a warm start as a cold one, however the last session reordered its notes."""
    root = _cached_vault(tmp_path, monkeypatch)
    session = _filled(root)
    first = next(iter(session.index.summaries))
    summary = session.index.summaries[first]
    session.index.remove_note(first)  # back at the end of the index, as after a deletion undone
    session.index.set_summary(first, summary)
    assert list(session.index.summaries)[-1] == first
    assert save_cache(session, 0)
    warm = _filled(root)
    assert warm.reused == len(summary_paths := list(warm.index.summaries))
    assert summary_paths == sorted(summary_paths) == list(_filled_cold(root).index.summaries)


def _filled_cold(root: Path) -> Vault:
    vault = Vault(root, Config(), Config())
    vault.index = _disk_index(root)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("NOTELS_CACHE_DIR", "off")
        assert fill_index(vault, 0, lambda done, total: None)
    return vault


def test_an_open_note_keeps_its_files_decoding_problem_in_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from notels.lsp.workspace import Workspace
    from notels.vault.files import read_note

    root = _cached_vault(tmp_path, monkeypatch)
    workspace = Workspace()
    workspace.add_folder(root)
    (vault,) = workspace.vaults.values()
    text = read_note(root, "bad utf8.md", 10**7).text  # as an editor decoding with U+FFFD
    assert text is not None
    workspace.open((root / "bad utf8.md").as_uri(), root / "bad utf8.md", text, 1)
    run, _ = workspace.start_indexing(vault)
    assert fill_index(vault, run, lambda done, total: None) and save_cache(vault, run)
    cached = index_cache.read_cache(root, Config().max_file_bytes).notes
    problem = cached["bad utf8.md"][1]
    assert problem is not None and problem.kind.value == "invalid-utf8"


def test_an_unreadable_frame_or_a_failed_spawn_falls_back_to_this_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _write(tmp_path / "vault").resolve()
    monkeypatch.setattr(parallel, "BATCH", 1)
    expected = [summarize_file(root, relative, Config()) for relative in sorted(NOTES)]
    real_decode = parallel.decode_batch
    calls = []

    def bad_second_frame(payload: bytes):  # type: ignore[no-untyped-def]
        calls.append(payload)
        if len(calls) == 2:
            raise ValueError("bad marshal data")
        return real_decode(payload)

    monkeypatch.setattr(parallel, "decode_batch", bad_second_frame)
    monkeypatch.setenv("NOTELS_INDEX_PROCESSES", "2")
    got = [
        item for batch in parallel.summarize_all(root, sorted(NOTES), Config()) for item in batch
    ]
    assert got == expected
    monkeypatch.setattr(parallel, "decode_batch", real_decode)

    started: list[object] = []
    real_spawn = parallel._spawn

    def spawn_once():  # type: ignore[no-untyped-def]
        if started:
            raise OSError("fork failed")
        started.append(real_spawn())
        return started[0]

    monkeypatch.setattr(parallel, "_spawn", spawn_once)
    got = [
        item for batch in parallel.summarize_all(root, sorted(NOTES), Config()) for item in batch
    ]
    assert got == expected
    assert started[0].poll() is not None  # type: ignore[attr-defined]  # killed and reaped


@pytest.mark.parametrize(
    "target",
    [
        "# Первый 😀\n## Второй\n## **второй**\n",  # every heading has text
        "# Первый 😀\n#\n##   \n## Второй\n## **второй**\n",  # two have none
        "# ***\n## Второй\n",  # text whose key is empty
    ],
)
def test_go_to_a_heading_of_a_closed_note_finds_the_first_of_that_name(
    tmp_path: Path, target: str
) -> None:
    from notels.features.navigation import definition

    root = tmp_path / "vault"
    root.mkdir()
    source = "См. [[Цель#второй]] и [[Цель#Нет такого]]\n"
    (root / "Цель.md").write_text(target, encoding="utf-8")
    (root / "Ссылки.md").write_text(source, encoding="utf-8")
    index, parsed = _summarized(root, ("Цель.md", "Ссылки.md"))
    note = parse_note(source)
    first = target.index("## Второй")  # the first of the two named so
    wanted = (first, target.index("\n", first))
    found = definition(index, "Ссылки.md", note, source.index("второй"), Config())
    assert [(location.path, tuple(location.span)) for location in found] == [("Цель.md", wanted)]
    # A heading the note lacks: the whole note.
    missing = definition(index, "Ссылки.md", note, source.index("Нет такого"), Config())
    assert [location.path for location in missing] == ["Цель.md"]
    assert tuple(missing[0].span) != wanted
    assert parsed == []
