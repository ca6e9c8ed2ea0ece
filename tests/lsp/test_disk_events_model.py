"""A model of the disk, the editor and a file watcher, checked against the workspace's index.

Given a small vault, indexed (or still being indexed: the first run's batches are read at one
moment and land at a later one); when notes and folders are written, deleted, renamed and
replaced on disk, notes are opened, edited, saved and closed in the editor, and the watcher
reports what happened, late, in bulk or one by one, sometimes twice, while background read jobs
read their batches at one moment and land them at a later one; then, once every change is
reported, every job has landed and the editor has closed its notes, the index is the one a cold
start on the final disk builds: the same summaries (stamps included), file problems,
attachments and findings (pull diagnostics the vault's cache kept included). While a note is
open, the index holds the editor's text for it, never the disk's.

What the watcher may do, as real ones do: report a change only after it happened, sooner or
later but surely; batch reports, split them, repeat them; tell of a folder's change by the
folder's own event, by events of its files, or both, or of any change only as its folder's
(macOS). What it never does: report the events of one path (or of a folder and a path inside
it) out of order, or lose one. Every write moves the clock, so no two versions of a file share
a size and time (the server tells versions apart by them).

Each scenario is drawn from its own seeded random generator: a failure names its seed, and
`run_scenario(seed)` replays it alone, raising with the scenario's story. NOTELS_EXAMPLES=5000
runs more scenarios than the default.
"""

from __future__ import annotations

import os
import random
import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar
from unittest import mock

import lsp_harness  # noqa: F401  (puts the checkout's notels on sys.path)
from workspace_harness import codes_of, indexed, open_in

from notels.config import Config
from notels.findings import Finding
from notels.lsp import indexer
from notels.lsp.workspace import ReadJob, TextChange, Vault, Workspace
from notels.vault.files import VaultFiles, scan_vault
from notels.vault.parallel import Summarized, summarize_all
from notels.vault.summary import summarize_text

SCENARIOS = int(os.environ.get("NOTELS_EXAMPLES", "200"))
MAX_OPERATIONS = 40

CREATED, CHANGED, DELETED = "Created", "Changed", "Deleted"
Event = tuple[str, str]  # (kind, vault-relative path)
_Item = TypeVar("_Item")

FOLDERS = ["", "Алгебра", "Заметки 😀", "Архив", "Архив/Старое 🗂"]
NEW_FOLDERS = ["Новая папка 🙂", "Ёлка", "Архив/Ещё"]
NAMES = ["Кольцо", "Группа 😀", "Поле", "Идеал 🙂", "Модуль", "Ряд", "кольцо"]  # case twins too
ALIASES = ["Кольца", "Группы 😀", "Ring"]
IDS = ["1737306548883", "1737306548884", "1737306548885"]
ATTACHMENTS = ["картинка 😀.png", "Картинка 😀.png"]  # case twins too
TARGETS = [*NAMES, *ALIASES, "Кольцо#Свойства", "Поле#Нет такого", ATTACHMENTS[0], "Нет такой"]
# Files that are no text note: a binary, and invalid UTF-8 (read with replacement characters).
ODD_FILES = [b"\x00\x01binary", b"# \xff\xfe broken [[Nope]]\n"]
START_NS = 1_700_000_000 * 10**9
TICK_NS = 1_000_000_000  # every write moves the clock: no two versions of a file share a stamp


# --- texts ----------------------------------------------------------------------------------


def note_text(rng: random.Random) -> str:
    """A note with aliases, a heading, links, tags and cards whose IDs other notes may share,
    of note types whose fields the vault infers from all their cards."""
    parts = []
    aliases = rng.sample(ALIASES, rng.randint(0, 2))
    if aliases:
        parts.append(f"---\naliases: [{', '.join(aliases)}]\n---\n")
    parts.append(rng.choice(["# Свойства\n", "# Заголовок 😀\n", "Текст 🙂\n", ""]))
    for target in rng.choices(TARGETS, k=rng.randint(0, 3)):
        parts.append(
            f"Смотри [[{target}]] #тег\n" if target not in ATTACHMENTS else f"![[{target}]]\n"
        )
    for card_id in rng.choices([*IDS, None], k=rng.randint(0, 2)):
        note_type = rng.choice(["Basic", "Задача"])
        first = "FRONT" if note_type == "Basic" else rng.choice(["Условие", "TITLE"])
        parts.append(f"TARGET DECK: математика\nSTART\n{note_type}\n{first}: Вопрос 😀\n")
        parts.append("BACK: Ответ\n" + (f"ID: {card_id}\n" if card_id else "") + "END\n")
    return "".join(parts)


def file_bytes(rng: random.Random) -> bytes:
    """Mostly notes; now and then a file that is no text note."""
    return rng.choice(ODD_FILES) if rng.random() < 0.2 else note_text(rng).encode("utf-8")


def vault_files(rng: random.Random) -> dict[str, bytes]:
    """5 to 15 notes in 1 to 3 folders (the root among them, maybe), an attachment or two."""
    folders = rng.sample(FOLDERS, rng.randint(1, 3))
    paths = [f"{folder}/{name}.md".lstrip("/") for folder in folders for name in NAMES]
    files = {
        path: file_bytes(rng) for path in rng.sample(paths, min(len(paths), rng.randint(5, 15)))
    }
    for folder in rng.sample(folders, rng.randint(0, min(2, len(folders)))):
        files[f"{folder}/{rng.choice(ATTACHMENTS)}".lstrip("/")] = b"\x89PNG"
    return files


# --- the world ------------------------------------------------------------------------------


@dataclass
class Job:
    """A background read (see `indexer.read_changed`): batches read from disk, any of them at
    any moment once it began, then landed in order."""

    job: ReadJob
    batches: list[list[str]]
    read: dict[int, list[Summarized]] = field(default_factory=dict)
    landed: int = 0


def related(a: str, b: str) -> bool:
    """Events of these paths keep their order: the same path, or a folder and a path in it."""
    return a == b or a.startswith(b + "/") or b.startswith(a + "/")


class World:
    """The disk (a real folder), the editor, the watcher's pending events, the session's jobs."""

    def __init__(self, root: Path, rng: random.Random) -> None:
        self.root = root
        self.rng = rng
        self.clock = START_NS
        self.story: list[str] = []
        self.pending: list[Event] = []  # happened, not yet reported (in the order they did)
        self.queued: list[list[str]] = []  # notes to read in a job not yet begun
        self.active: Job | None = None  # one job at a time, as the session's lock makes it
        self.indexing: list[str] = []  # what the first indexing run read and has yet to land
        self.workspace = Workspace()
        self.vault: Vault

    def log(self, line: str) -> None:
        self.story.append(line)

    def chance(self, probability: float = 0.5) -> bool:
        return self.rng.random() < probability

    def pick(self, items: list[_Item]) -> _Item:
        """One of the items; often a note that a job reads, or a folder holding one: there
        are the races."""
        busy = self.busy()
        hot = [item for item in items if item in busy]
        return self.rng.choice(hot if hot and self.chance() else items)

    def busy(self) -> set[str]:
        """The notes that jobs or the indexing run will read or have read, and the folders
        holding them."""
        jobs = [*self.queued, *(self.active.batches if self.active is not None else [])]
        paths = {relative for relatives in [*jobs, self.indexing] for relative in relatives}
        parts = [path.split("/") for path in paths]
        return paths | {"/".join(part[:i]) for part in parts for i in range(1, len(part))}

    # --- the disk

    def files(self, under: str = "") -> list[str]:
        """Every file under a folder (the vault's root: ""), vault-relative, sorted."""
        found = []
        for folder, dirs, names in os.walk(self.root / under):
            dirs[:] = sorted(d for d in dirs if d != ".obsidian")
            found += [Path(folder, name).relative_to(self.root).as_posix() for name in names]
        return sorted(found)

    def notes(self) -> list[str]:
        return [path for path in self.files() if path.endswith(".md")]

    def folders(self) -> list[str]:
        found = []
        for folder, dirs, _ in os.walk(self.root):
            dirs[:] = sorted(d for d in dirs if d != ".obsidian")
            found += [Path(folder, d).relative_to(self.root).as_posix() for d in dirs]
        return sorted(found)

    def write(self, relative: str, data: bytes) -> list[Event]:
        """Write a file, and the folders it needs; the events a watcher may send for it."""
        path = self.root / relative
        new_folders = [p for p in path.parents if p.is_relative_to(self.root) and not p.exists()]
        events: list[Event] = []
        if new_folders and self.chance():
            events.append((CREATED, new_folders[-1].relative_to(self.root).as_posix()))
        events.append((CHANGED if path.exists() else CREATED, relative))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        self.clock += TICK_NS
        os.utime(path, ns=(self.clock, self.clock))
        return events

    def happened(self, events: list[Event]) -> None:
        """Events of changes just made, as the watcher will tell them: now and then only as
        their folder's change (as macOS tells of changes, without file events)."""
        told = []
        for kind, relative in events:
            folder = relative.rpartition("/")[0]
            told.append((CHANGED, folder) if folder and self.chance(0.15) else (kind, relative))
        self.log(f"      pending {told}")
        self.pending += told

    # --- the watcher and the session

    def notify(self, events: list[Event]) -> None:
        """One notification, handled as Session.files_changed and Session._on_disk do, but for
        the choice between reading at once and in a job, which the model makes."""
        self.log(f"  notify {events}")
        last: dict[str, str] = {}
        for kind, relative in events:
            last.pop(relative, None)
            last[relative] = kind
        deleted = [self.root / r for r, kind in last.items() if kind == DELETED]
        changed = [self.root / r for r, kind in last.items() if kind != DELETED]
        self.workspace.files_deleted(deleted)
        _, to_read = self.workspace.files_changed(changed)
        for vault, relatives in to_read.items():
            if self.chance(1 / 3):
                self.log(f"    read at once {relatives}")
                self.workspace.read_notes(vault, relatives)
            else:
                self.log(f"    job queued {relatives}")
                self.queued.append(relatives)

    def report(self, everything: bool = False) -> None:
        """Some pending events, with every earlier one they must follow, in one notification
        or one by one; some may stay pending, to be reported again."""
        if not self.pending:
            return
        count = len(self.pending)
        chosen = set(range(count))
        if not everything:
            chosen = set(self.rng.sample(range(count), self.rng.randint(1, count)))
        for i in reversed(range(count)):
            if i in chosen:
                chosen |= {j for j in range(i) if related(self.pending[j][1], self.pending[i][1])}
        order = sorted(chosen)
        events = [self.pending[i] for i in order]
        # A repeat stays pending where it was: nothing of its path may come before it.
        repeats = set()
        for i in order if not everything else []:
            later = any(related(self.pending[i][1], self.pending[j][1]) for j in order if j > i)
            if not later and self.chance(0.15):
                repeats.add(i)
        self.pending = [e for i, e in enumerate(self.pending) if i not in chosen or i in repeats]
        for notification in [[event] for event in events] if self.chance() else [events]:
            self.notify(notification)

    def start_job(self) -> None:
        assert self.active is None and self.queued
        relatives = self.queued.pop(0)
        job = self.workspace.start_read(self.vault, relatives)
        size = self.rng.randint(1, 3)
        self.active = Job(job, [relatives[i : i + size] for i in range(0, len(relatives), size)])
        self.log(f"  job started {self.active.batches}")

    def read_batch(self) -> None:
        assert self.active is not None
        unread = [i for i in range(len(self.active.batches)) if i not in self.active.read]
        i = self.rng.choice(unread)
        relatives = self.active.batches[i]
        read = [
            s for batch in summarize_all(self.root, relatives, self.vault.config) for s in batch
        ]
        self.active.read[i] = read
        self.log(f"  job read batch {i}: {[(r, s is not None, p) for r, s, p in read]}")

    def land_batch(self) -> None:
        job = self.active
        assert job is not None and job.landed in job.read
        self.log(f"  job landed batch {job.landed}")
        self.workspace.finish_read(job.job, job.read[job.landed])
        job.landed += 1
        if job.landed == len(job.batches):
            self.active = None

    # --- the editor

    def open_notes(self) -> dict[str, str]:
        """Vault-relative path -> URI of the notes open in the editor."""
        return {
            document.relative: uri
            for uri, document in self.workspace.documents.items()
            if document.relative is not None
        }

    def check_open_notes(self) -> None:
        """The index holds the editor's text of every open note (as last flushed)."""
        for relative, uri in self.open_notes().items():
            document = self.workspace.documents[uri]
            note = document.note or (document.parsed.note if document.parsed else None)
            assert note is not None, relative
            summary = summarize_text(note.text)
            assert self.vault.index.summaries.get(relative) == summary, relative
            assert relative not in self.vault.index.file_problems, relative

    def act(self, operations: int) -> None:
        for _ in range(operations):
            self.rng.choice(OPERATIONS)(self)
            self.check_open_notes()


# --- operations -----------------------------------------------------------------------------


def write_note(world: World) -> None:
    notes = world.notes()
    if notes and world.chance(0.6):
        relative = world.pick(notes)
    else:
        folder = world.rng.choice([*FOLDERS, *NEW_FOLDERS])
        relative = f"{folder}/{world.rng.choice(NAMES)}.md".lstrip("/")
    data = file_bytes(world.rng)
    events: list[Event] = []
    if (world.root / relative).exists() and world.chance(0.3):  # saved by replacing it
        (world.root / relative).unlink()
        events.append((DELETED, relative))
    world.log(f"write {relative}: {data.decode('utf-8', 'replace')!r}")
    world.happened(events + world.write(relative, data))


def delete_file(world: World) -> None:
    files = world.files()
    if files:
        relative = world.pick(files)
        world.log(f"delete {relative}")
        (world.root / relative).unlink()
        world.happened([(DELETED, relative)])


def write_attachment(world: World) -> None:
    relative = f"{world.rng.choice(FOLDERS)}/{world.rng.choice(ATTACHMENTS)}".lstrip("/")
    world.log(f"write {relative}")
    world.happened(world.write(relative, b"\x89PNG"))


def rename_file(world: World) -> None:
    """`mv`, over another file at times; the file keeps its time."""
    files = world.files()
    if not files:
        return
    old = world.pick(files)
    folder = world.rng.choice([f for f in FOLDERS if not f or (world.root / f).is_dir()])
    name = world.rng.choice([f"{name}.md" for name in NAMES] + ATTACHMENTS)
    new = f"{folder}/{name}".lstrip("/")
    if new != old:
        world.log(f"rename {old} -> {new}")
        existed = (world.root / new).exists()
        (world.root / old).replace(world.root / new)
        world.happened([(DELETED, old), (CHANGED if existed else CREATED, new)])


def write_elsewhere(world: World) -> None:
    """Files no scan sees: Obsidian's own settings, a note among them."""
    relative = world.rng.choice([".obsidian/workspace.json", ".obsidian/plugins/Заметка.md"])
    world.log(f"write {relative}")
    world.happened(world.write(relative, note_text(world.rng).encode("utf-8")))
    if world.chance(0.3):
        world.happened([(CHANGED, ".obsidian")])


def folder_events(world: World, kind: str, folder: str, files: list[str]) -> list[Event]:
    """A folder deleted or created, as a watcher may tell it: the folder, its files, or both."""
    how = world.rng.choice(["the folder", "its files", "both"])
    events = [(kind, relative) for relative in files] if how != "the folder" else []
    if how != "its files" or not files:
        events = [(kind, folder), *events] if kind == CREATED else [*events, (kind, folder)]
    return events


def fill_folder(world: World, folder: str) -> list[Event]:
    """Create the folder with a few notes (or other files); the events that tell of it."""
    (world.root / folder).mkdir(parents=True)
    names = world.rng.sample(
        [f"{name}.md" for name in NAMES] + ATTACHMENTS, world.rng.randint(0, 4)
    )
    for name in names:
        data = b"\x89PNG" if name in ATTACHMENTS else file_bytes(world.rng)
        world.log(f"  write {folder}/{name}: {data.decode('utf-8', 'replace')!r}")
        world.write(f"{folder}/{name}", data)
    return folder_events(world, CREATED, folder, world.files(folder))


def remove_folder(world: World, verb: str) -> tuple[str, list[Event]] | None:
    """`rm -r` of a folder picked at random: the folder, and its Deleted events (unreported)."""
    folders = world.folders()
    if not folders:
        return None
    folder = world.pick(folders)
    world.log(f"{verb} folder {folder}")
    files = world.files(folder)
    shutil.rmtree(world.root / folder)
    return folder, folder_events(world, DELETED, folder, files)


def delete_folder(world: World) -> None:
    removed = remove_folder(world, "delete")
    if removed is not None:
        world.happened(removed[1])


def create_folder(world: World) -> None:
    free = [f for f in [*FOLDERS, *NEW_FOLDERS] if f and not (world.root / f).exists()]
    if free:
        folder = world.rng.choice(free)
        world.log(f"create folder {folder}")
        world.happened(fill_folder(world, folder))


def replace_folder(world: World) -> None:
    """`rm -r F`, then F written again with other files, or some of the same names."""
    removed = remove_folder(world, "replace")
    if removed is not None:
        folder, deleted = removed
        world.happened(deleted + fill_folder(world, folder))


def rename_folder(world: World) -> None:
    folders = world.folders()
    if not folders:
        return
    old = world.pick(folders)
    targets = [
        f
        for f in [*FOLDERS, *NEW_FOLDERS]
        if f
        and not related(f, old)
        and not (world.root / f).exists()
        and (world.root / f).parent.is_dir()
    ]
    if targets:
        new = world.rng.choice(targets)
        world.log(f"rename folder {old} -> {new}")
        files = world.files(old)
        (world.root / old).rename(world.root / new)
        deleted = folder_events(world, DELETED, old, files)
        world.happened(deleted + folder_events(world, CREATED, new, world.files(new)))


def open_note(world: World) -> None:
    texts = {}
    for relative in world.notes():
        data = (world.root / relative).read_bytes()
        if relative not in world.open_notes() and b"\x00" not in data:
            texts[relative] = data.decode("utf-8", "replace")  # as an editor shows it
    if texts:
        relative = world.pick(sorted(texts))
        world.log(f"open {relative}")
        uri = (world.root / relative).resolve().as_uri()
        world.workspace.open(uri, world.root / relative, texts[relative], 1)


def edit_note(world: World) -> None:
    opened = world.open_notes()
    if not opened:
        return
    relative = world.rng.choice(sorted(opened))
    document = world.workspace.documents[opened[relative]]
    if world.chance():
        change = TextChange(note_text(world.rng))
    else:
        typed = world.rng.choice(["[[Поле]] ", "\n", "ID: 1737306548884\n", "aliases: [Ring]\n"])
        change = TextChange(typed, (0, 0), (0, 0))
    world.log(f"edit {relative}: {change}")
    world.workspace.change(document.uri, (document.version or 0) + 1, [change])
    if world.chance(0.7):  # else the debounce is still running
        world.workspace.flush(document.uri)


def flush_notes(world: World) -> None:
    """The editor's debounce ends: its notes are parsed and indexed."""
    for uri in world.open_notes().values():
        world.workspace.flush(uri)


def save_note(world: World) -> None:
    opened = world.open_notes()
    if opened:
        relative = world.rng.choice(sorted(opened))
        world.log(f"save {relative}")
        text = world.workspace.documents[opened[relative]].text
        world.happened(world.write(relative, text.encode("utf-8")))


def close_note(world: World) -> None:
    opened = world.open_notes()
    if opened:
        relative = world.rng.choice(sorted(opened))
        world.log(f"close {relative}")
        world.workspace.close(opened[relative])


def ask_findings(world: World) -> None:
    """Pull diagnostics of notes: answers the vault's cache keeps until a change affects them."""
    index = world.vault.index
    paths = sorted({*index.summaries, *index.file_problems})
    for relative in world.rng.sample(paths, min(3, len(paths))):
        world.workspace.findings_at(world.vault, relative)


def report(world: World) -> None:
    world.report()


def job_step(world: World) -> None:
    """Begin a queued job, read one of its batches, or land the next one."""
    steps = []
    if world.active is None and world.queued:
        steps.append(world.start_job)
    if world.active is not None:
        if len(world.active.read) < len(world.active.batches):
            steps.append(world.read_batch)
        if world.active.landed in world.active.read:
            steps.append(world.land_batch)
    if steps:
        world.rng.choice(steps)()


OPERATIONS: list[Callable[[World], None]] = [
    *[write_note] * 3,
    delete_file,
    rename_file,
    write_attachment,
    write_elsewhere,
    *[delete_folder] * 2,
    create_folder,
    *[replace_folder] * 2,
    *[rename_folder] * 2,
    open_note,
    edit_note,
    flush_notes,
    save_note,
    close_note,
    ask_findings,
    *[report] * 4,
    *[job_step] * 10,
]


# --- the scenario ---------------------------------------------------------------------------


@contextmanager
def a_vault(files: dict[str, bytes]) -> Iterator[Path]:
    """A vault folder holding the files, each written at its own time."""
    with tempfile.TemporaryDirectory(prefix="notels-model-") as folder:
        root = Path(folder).resolve() / "Хранилище 😀"
        (root / ".obsidian").mkdir(parents=True)
        for i, (relative, data) in enumerate(files.items()):
            path = root / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            os.utime(path, ns=(START_NS + i * TICK_NS, START_NS + i * TICK_NS))
        yield root


def settle(world: World) -> None:
    """Every change reported (repeats no more), every job landed, every note closed: in any
    order the world allows."""
    while True:
        steps = []
        if world.pending:
            steps.append(lambda: world.report(everything=world.chance()))
        if world.queued or world.active is not None:
            steps.append(lambda: job_step(world))
        if world.open_notes():
            steps.append(lambda: close_note(world))
        if not steps:
            return
        world.rng.choice(steps)()


def differences(ours: Mapping[str, object], theirs: Mapping[str, object]) -> list[str]:
    return [
        f"{path}: index {ours.get(path)} / cold {theirs.get(path)}"
        for path in sorted({*ours, *theirs})
        if ours.get(path) != theirs.get(path)
    ]


def findings(workspace: Workspace, vault: Vault, relative: str) -> list[Finding]:
    return sorted(workspace.findings_at(vault, relative)[1], key=repr)


def check_against_a_cold_start(world: World) -> None:
    root, warm = world.root, world.vault
    cold_workspace = indexed(root)
    (cold,) = cold_workspace.vaults.values()
    summaries = differences(warm.index.summaries, cold.index.summaries)
    assert not summaries, summaries
    problems = differences(warm.index.file_problems, cold.index.file_problems)
    assert not problems, problems
    attachments = sorted(warm.index.attachments()), sorted(cold.index.attachments())
    assert attachments[0] == attachments[1], attachments
    for relative in sorted({*cold.index.summaries, *cold.index.file_problems}):
        found = findings(world.workspace, warm, relative)
        assert found == findings(cold_workspace, cold, relative), relative
    # A few notes opened afterwards, in both.
    texts = [n for n in sorted(cold.index.summaries) if n not in cold.index.file_problems]
    for relative in world.rng.sample(texts, min(3, len(texts))):
        ours = open_in(world.workspace, root, relative)
        theirs = open_in(cold_workspace, root, relative)
        assert codes_of(world.workspace, ours) == codes_of(cold_workspace, theirs), relative


def index_meanwhile(world: World) -> None:
    """The first indexing run, with operations after its scan, before it reads each batch,
    and between reading a batch and landing it (see indexer.fill_index). Half the time an
    earlier server left its index cache, and the disk changed while no server ran."""
    if world.chance():
        earlier = indexed(world.root)
        (vault,) = earlier.vaults.values()
        assert indexer.save_cache(vault, vault.run)
        for _ in range(world.rng.randint(0, 3)):
            world.rng.choice([write_note, delete_file, delete_folder])(world)
        world.pending.clear()  # no server heard of it: the run's scan finds it
        world.log("  (the run starts from the cache of an earlier one)")
    world.workspace = Workspace()
    world.workspace.add_folder(world.root)
    (world.vault,) = world.workspace.vaults.values()
    run, _ = world.workspace.start_indexing(world.vault)

    def scan(root: Path, ignore: tuple[str, ...]) -> VaultFiles:
        files = scan_vault(root, ignore)
        world.log("  (the run scanned the vault)")
        world.act(world.rng.randint(0, 3))
        return files

    def batches(root: Path, relatives: Sequence[str], config: Config) -> Iterator[list[Summarized]]:
        size = world.rng.randint(1, 4)
        for start in range(0, len(relatives), size):
            world.act(world.rng.randint(0, 2))
            world.indexing = list(relatives[start : start + size])
            batch = [s for b in summarize_all(root, world.indexing, config) for s in b]
            world.log(f"  (the run read {world.indexing})")
            world.act(world.rng.randint(0, 3))
            world.log("  (the run lands them)")
            world.indexing = []
            yield batch

    with (
        mock.patch.object(indexer, "scan_vault", scan),
        mock.patch.object(indexer, "summarize_all", batches),
    ):
        assert indexer.fill_index(world.vault, run, lambda done, total: None)
    world.workspace.finish_indexing(world.vault, run)
    world.log("  (the run is done)")


def run_scenario(seed: int) -> None:
    rng = random.Random(seed)
    files = vault_files(rng)
    with a_vault(files) as root:
        world = World(root, rng)
        world.clock = START_NS + len(files) * TICK_NS
        world.log(f"vault {sorted(files)}")
        try:
            if rng.random() < 0.5:
                world.log("indexing, meanwhile:")
                index_meanwhile(world)
            else:
                world.workspace = indexed(root)
                (world.vault,) = world.workspace.vaults.values()
            world.act(rng.randint(1, MAX_OPERATIONS))
            world.log("settle")
            settle(world)
            check_against_a_cold_start(world)
        except Exception as error:
            story = "\n".join(world.story)
            raise AssertionError(f"scenario {seed}:\n{story}\n{error!r}") from error


def test_the_index_ends_as_a_cold_start_on_the_final_disk() -> None:
    failed: dict[int, str] = {}
    for seed in range(SCENARIOS):
        try:
            run_scenario(seed)
        except AssertionError as error:
            failed[seed] = str(error)
    if failed:
        first = next(iter(failed.values()))
        others = "\n".join(
            f"scenario {seed}: {m.splitlines()[-1][:150]}" for seed, m in failed.items()
        )
        raise AssertionError(f"{len(failed)} of {SCENARIOS} scenarios failed:\n{others}\n\n{first}")
