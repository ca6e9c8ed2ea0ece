"""A seeded random editing session against the real server, and its model of the texts.

`Soak` drives one `editor(...)` session over a small vault with a random sequence of steps
(opens, incremental edits, closes, saves, files changed, created, deleted and renamed on disk,
renames through workspace/willRenameFiles), keeping its own copy of every text: the editor's
for open notes, the disk's for the others. `finish()` writes the editor texts to disk (the
server is not told: it reads an open note from the editor) and compares what the server last
published for every note with what `notels check` reports on those texts.

Every step is logged as a line of Python-like text (`Soak.steps`), so that a failing seed can
be minimized and replayed step by step (`replay`).
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lsp_harness import Editor, RelatedRow, check_rows_related, wait_until, write_files
from lsprotocol import types

Created, Changed, Deleted = (
    types.FileChangeType.Created,
    types.FileChangeType.Changed,
    types.FileChangeType.Deleted,
)

ID_A = "1737306548883"
ID_B = "1737306548999"
ID_C = "1740000000001"

VAULT: dict[str, str] = {
    "Алгебра.md": (
        "---\naliases:\n  - Алг\n  - Algebra\ntags:\n  - math/algebra\n"
        "created: 2025-01-19 23:46\n---\n"
        "# Группы\nГруппа — это множество. См. [[Кольца#Определение]] и [[Поле|поля]].\n"
        "Строка с блоком ^grp1\n\n## Определение\nТекст 😀 [[Идеи 😀]]\n\n"
        "# Anki\nTARGET DECK: math::algebra\nSTART\nBasic\nFRONT: Что такое группа?\n"
        f"BACK: Множество с операцией.\nID: {ID_A}\nEND\n"
    ),
    "Кольца.md": (
        "---\naliases: [Rings]\n---\n# Кольца\n## Определение\nКольцо ^ring\n"
        "Ссылка на [[Алгебра#Группы]] и [[Алг#^grp1]] и [[Нет такой]].\n\n"
        f"START\nBasic\nFRONT: Кольцо?\nBACK: Да\nID: {ID_A}\nEND\n"
    ).replace("\n", "\r\n"),
    "Поле.md": (
        "# Поле\nЭмодзи 🧪🧪 и [[Rings#Определение|кольца]] и ![[Идеи 😀#Список]].\n"
        "START\nBasic\nFRONT: Поле?\nBACK: Кольцо с делением.\nEND\n"
    ),
    "Идеи 😀.md": (
        "---\ntags: [fix/empty, идеи]\n---\n# Список\n- [[Алгебра#Определение]]\n"
        "- [[Кольца#^ring]]\n- [[sub/Глубоко]]\n"
    ),
    "sub/Глубоко.md": (
        "# Глубоко\nТекст [[Поле#Поле]] [[Алгебра#Нет]] ^deep\n\n"
        f"TARGET DECK: other\nSTART\nBasic\nFRONT: a\nBACK: b\nID: {ID_B}\nEND\n"
        f"START\nBasic\nFRONT: c\nBACK: d\nID: {ID_B}\nEND\n"
    ).replace("\n", "\r\n"),
    "English.md": (
        "# Title\nSee [[Алгебра]] and [[Глубоко#^deep]] and [[English#Title]].\n#tag/one and #тег\n"
    ),
    "Empty.md": "---\ntags: fix/empty\n---\n",
}

SNIPPETS = [
    "[[Алгебра]]",
    "[[Кольца#Определение]]",
    "[[Кольца#Нет]]",
    "[[Алгебра#^grp1]]",
    "[[Поле|поля]]",
    "[[Алг]]",
    "[[Rings#Кольца]]",
    "![[Идеи 😀]]",
    "[[Нет]]",
    "[[sub/Глубоко#^deep]]",
    "[[New note]]",
    "😀",
    "Ж",
    "#tag",
    " ^blk",
    "\n# Новый\n",
    "\n## Определение\n",
    f"\nID: {ID_A}\n",
    f"\nID: {ID_C}\n",
    "\nSTART\nBasic\nFRONT: q\nBACK: a\nEND\n",
    f"\nSTART\nBasic\nFRONT: q\nBACK: a\nID: {ID_B}\nEND\n",
    "\nTARGET DECK: d2\n",
    "\nEND\n",
    "\nSTART\n",
    "\nSTART\nmath_complex\nFRONT: f\nBACK: b\nFORMULA: x\nEND\n",
    "\nSTART\nBasic\nFRONT: q\nBACK: a\nPROOF: p\nEND\n",
    "FORMULA: $x$",
    "**жирный** текст [[Поле#**Поле**]]",
    "`[[code]]` $[[math]]$",
    "word ",
    "\n",
]

LINES_TO_TYPE = [
    "FRONT: напечатано",
    f"ID: {ID_C}",
    "START",
    "END",
    "# Заголовок 😀",
    "see [[Поле#Поле]]",
    "TARGET DECK: typed",
    "BACK: второе",
    "PROOF: typed",
    "aliases: [Typed]",
    "- [[Кольца#^ring]]",
]

CONFIGS = [
    '[rules]\nunresolved-heading = "off"\n',
    '[rules]\nmissing-id = "error"\nduplicate-id = "hint"\n',
    "stale-fix-min-words = 2\n",
    'ignore = ["sub/**"]\n',
    'fix-tag-prefixes = ["todo"]\n',
    '[note-types]\nBasic = ["FRONT", "BACK"]\n',
    "id-digits = 12\n",
]

NEW_NOTES = [
    "# Новая\n[[Алгебра#Группы]]\n",
    f"START\nBasic\nFRONT: x\nBACK: y\nID: {ID_C}\nEND\n",
    "---\naliases: [Поле]\n---\ntext\n",
    "# Кольца\n## Определение\n",
    "",
]


# --- texts and positions ---------------------------------------------------------------------


def line_starts(text: str) -> list[tuple[int, int]]:
    """(start, end of content) of each line, split as the LSP splits: \\r\\n, \\n, \\r."""
    result = []
    start = 0
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\r" or ch == "\n":
            result.append((start, i))
            if ch == "\r" and i + 1 < len(text) and text[i + 1] == "\n":
                i += 1
            start = i + 1
        i += 1
    result.append((start, len(text)))
    return result


def offset(text: str, line: int, character: int) -> int:
    lines = line_starts(text)
    start, end = lines[line]
    return min(start + character, end)


def position(text: str, at: int) -> tuple[int, int]:
    for number, (start, end) in enumerate(line_starts(text)):
        if start <= at <= end:
            return number, at - start
    raise ValueError(at)


def units(text: str, line: int, character: int) -> tuple[int, int]:
    """A code point position as UTF-16 code units."""
    start, end = line_starts(text)[line]
    head = text[start : min(start + character, end)]
    return line, sum(2 if ord(c) > 0xFFFF else 1 for c in head)


def points(text: str, line: int, unit: int) -> tuple[int, int]:
    """A UTF-16 position as code points."""
    start, end = line_starts(text)[line]
    count = 0
    for i, c in enumerate(text[start:end]):
        if count >= unit:
            return line, i
        count += 2 if ord(c) > 0xFFFF else 1
    return line, end - start


def apply_change(text: str, start: tuple[int, int], end: tuple[int, int], new: str) -> str:
    a, b = offset(text, *start), offset(text, *end)
    return text[:a] + new + text[b:]


def eol(text: str) -> str:
    return "\r\n" if "\r\n" in text else "\n"


Change = tuple[tuple[int, int], tuple[int, int], str]

# (line, character, end line, end character, code, message, related), 0-based, code points;
# related: (vault-relative path, line, character, message) of each related location.
Row = RelatedRow


def diagnostic_rows(root: Path, diagnostics: Any) -> list[Row]:
    return sorted(
        (
            d.range.start.line,
            d.range.start.character,
            d.range.end.line,
            d.range.end.character,
            str(d.code),
            d.message,
            tuple(
                (
                    _relative(root, r.location.uri) or r.location.uri,
                    r.location.range.start.line,
                    r.location.range.start.character,
                    r.message,
                )
                for r in d.related_information or ()
            ),
        )
        for d in diagnostics
    )


@dataclass
class Soak:
    session: Editor
    rng: random.Random
    disk: dict[str, str] = field(default_factory=dict)  # relative -> text on disk
    editor_texts: dict[str, str] = field(default_factory=dict)  # open relative -> text
    steps: list[str] = field(default_factory=list)
    published_closed: set[str] = field(default_factory=set)
    created: int = 0
    compared: dict[str, int] = field(default_factory=dict)
    utf16: bool = False  # positions in UTF-16 code units (no encoding negotiated)
    rapid: bool = False  # no pauses between steps: everything lands inside the debounce
    related_compared: int = 0

    @property
    def root(self) -> Path:
        return self.session.root

    def log(self, line: str) -> None:
        self.steps.append(line)

    # --- the steps ---------------------------------------------------------------------------

    def open(self, rel: str) -> None:
        self.log(f"open({rel!r})")
        text = self.disk[rel]
        self.editor_texts[rel] = text
        self.session.open(rel, text)

    def change(self, rel: str, changes: list[Change]) -> None:
        """One didChange of one or more changes, each applied to the previous one's result."""
        self.log(f"change({rel!r}, {changes!r})")
        text = self.editor_texts[rel]
        sent = []
        for start, end, new in changes:
            if self.utf16:
                sent.append((units(text, *start), units(text, *end), new))
            else:
                sent.append((start, end, new))
            text = apply_change(text, start, end, new)
        self.editor_texts[rel] = text
        uri = self.session.uri(rel)
        self.session.versions[uri] += 1
        self.session.client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(
                    uri=uri, version=self.session.versions[uri]
                ),
                content_changes=[
                    types.TextDocumentContentChangePartial(
                        range=types.Range(start=types.Position(*start), end=types.Position(*end)),
                        text=new,
                    )
                    for start, end, new in sent
                ],
            )
        )

    def close(self, rel: str) -> None:
        self.log(f"close({rel!r})")
        del self.editor_texts[rel]
        self.session.close(self.session.uri(rel))

    def save(self, rel: str, watcher: bool = True) -> None:
        """The editor writes the note, says didSave, and the file watcher reports it."""
        self.log(f"save({rel!r}, watcher={watcher})")
        text = self.editor_texts[rel]
        self.disk[rel] = text
        (self.root / rel).write_bytes(text.encode("utf-8"))
        self.session.client.text_document_did_save(
            types.DidSaveTextDocumentParams(
                text_document=types.TextDocumentIdentifier(uri=self.session.uri(rel))
            )
        )
        if watcher:
            self.session.notify_files((rel, Changed))

    def write_disk(self, rel: str, text: str, kind: types.FileChangeType | None = Changed) -> None:
        """A file changed or created on disk by another program; the watcher reports it."""
        self.log(f"write_disk({rel!r}, {text!r}, {kind.name if kind else None})")
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
        self.disk[rel] = text
        if kind is not None:
            self.session.notify_files((rel, kind))

    def delete_disk(self, rel: str) -> None:
        self.log(f"delete_disk({rel!r})")
        (self.root / rel).unlink()
        del self.disk[rel]
        self.session.notify_files((rel, Deleted))

    async def rename(self, old: str, new: str, watcher: bool = True) -> None:
        """An editor's rename of a closed note: willRenameFiles, its edit applied (open notes in
        the editor, closed ones on disk, which the watcher reports), the move, didRenameFiles."""
        self.log(f"await rename({old!r}, {new!r}, watcher={watcher})")
        params = types.RenameFilesParams(
            files=[types.FileRename(old_uri=self.session.uri(old), new_uri=self.session.uri(new))]
        )
        edit = await asyncio.wait_for(
            self.session.client.workspace_will_rename_files_async(params), 10
        )
        for uri, edits in workspace_edits(edit):
            rel = Path(_path_of(uri)).resolve().relative_to(self.root.resolve()).as_posix()
            # The edits' ranges are in the text as it is now: apply from the bottom up.
            ordered = sorted(
                edits,
                key=lambda e: (e.range.start.line, e.range.start.character),
                reverse=True,
            )
            current = self.editor_texts.get(rel, self.disk[rel])
            back = (
                (lambda line, ch, current=current: points(current, line, ch))
                if self.utf16
                else (lambda line, ch: (line, ch))
            )
            changes: list[Change] = [
                (
                    back(e.range.start.line, e.range.start.character),
                    back(e.range.end.line, e.range.end.character),
                    e.new_text,
                )
                for e in ordered
            ]
            if rel in self.editor_texts:
                self.change(rel, changes)
            else:
                text = self.disk[rel]
                for start, end, new_text in changes:
                    text = apply_change(text, start, end, new_text)
                self.disk[rel] = text
                (self.root / rel).write_bytes(text.encode("utf-8"))
                self.session.notify_files((rel, Changed))
        (self.root / new).parent.mkdir(parents=True, exist_ok=True)
        (self.root / old).rename(self.root / new)
        moved = {
            rel: new + rel[len(old) :]
            for rel in list(self.disk)
            if rel == old or rel.startswith(old + "/")
        }
        for rel, to in moved.items():
            self.disk[to] = self.disk.pop(rel)
            if rel in self.editor_texts:
                # The editor's model of the note moves along, unsaved text and all.
                text = self.editor_texts.pop(rel)
                self.session.close(self.session.uri(rel))
                self.editor_texts[to] = text
                self.session.open(to, text)
        self.session.client.workspace_did_rename_files(params)
        if watcher:
            self.session.notify_files((old, Deleted), (new, Created))

    async def bulk(self, count: int) -> None:
        """Many files at once, as a `git checkout` or a sync: the server reads them elsewhere."""
        rng = self.rng
        plan: list[tuple[str, str | None]] = []
        closed = sorted(set(self.notes()) - set(self.editor_texts))
        for _ in range(count):
            what = rng.random()
            if what < 0.15 and closed:
                rel = closed.pop(rng.randrange(len(closed)))
                plan.append((rel, None))
            elif what < 0.4 and closed:
                rel = rng.choice(closed)
                text = self.disk[rel]
                for change in self.random_change(text):
                    text = apply_change(text, *change)
                plan.append((rel, text))
            else:
                self.created += 1
                rel = f"bulk/Пачка {self.created}.md"
                plan.append((rel, rng.choice(NEW_NOTES + SNIPPETS)))
        self.log(f"await bulk_disk({plan!r})")
        await self.bulk_disk(plan, log=False)

    async def bulk_disk(self, plan: list[tuple[str, str | None]], log: bool = True) -> None:
        if log:
            self.log(f"await bulk_disk({plan!r})")
        events = []
        for rel, text in plan:
            path = self.root / rel
            if text is None:
                if rel in self.disk:
                    path.unlink()
                    del self.disk[rel]
                    events.append((rel, Deleted))
                continue
            kind = Changed if rel in self.disk else Created
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(text.encode("utf-8"))
            self.disk[rel] = text
            events.append((rel, kind))
        self.session.notify_files(*events)

    def notes(self) -> list[str]:
        return sorted(rel for rel in self.disk if rel.endswith(".md"))

    async def pause(self, seconds: float) -> None:
        if self.rapid:
            seconds = 0.0
        self.log(f"await pause({seconds})")
        await asyncio.sleep(seconds)

    # --- random steps ------------------------------------------------------------------------

    def random_change(self, text: str) -> list[Change]:
        rng = self.rng
        lines = line_starts(text)

        def anywhere() -> tuple[int, int]:
            number = rng.randrange(len(lines))
            start, end = lines[number]
            return number, rng.randint(0, end - start)

        kind = rng.choice(
            [
                "insert",
                "insert",
                "delete",
                "delete_span",
                "heading",
                "rename_heading",
                "id",
                "alias",
                "link",
                "multi",
            ]
        )
        nl = eol(text)
        if kind == "insert":
            at = anywhere()
            return [(at, at, rng.choice(SNIPPETS).replace("\n", nl))]
        if kind == "delete":
            number = rng.randrange(len(lines))
            start, end = lines[number]
            a = rng.randint(0, end - start)
            b = rng.randint(a, min(end - start, a + 12))
            return [((number, a), (number, b), "")]
        if kind == "delete_span":
            number = rng.randrange(len(lines))
            last = min(len(lines) - 1, number + rng.randint(1, 3))
            a = rng.randint(0, lines[number][1] - lines[number][0])
            b = rng.randint(0, lines[last][1] - lines[last][0])
            if last == number and b < a:
                a, b = b, a
            return [((number, a), (last, b), rng.choice(["", "", "x", "[[Поле]]"]))]
        if kind in ("heading", "rename_heading"):
            headings = [
                n
                for n, (s, e) in enumerate(lines)
                if text[s:e].startswith("#") and " " in text[s:e]
            ]
            if not headings:
                at = anywhere()
                return [(at, at, f"{nl}# Определение{nl}")]
            number = rng.choice(headings)
            start, end = lines[number]
            if kind == "heading":  # delete the heading line
                if number + 1 < len(lines):
                    return [((number, 0), (number + 1, 0), "")]
                return [((number, 0), (number, end - start), "")]
            hashes = text[start:end].index(" ") + 1
            return [
                (
                    (number, hashes),
                    (number, end - start),
                    rng.choice(
                        ["Определение", "Группы", "Кольца", "Список", "Нечто 😀", "Title", "Поле"]
                    ),
                )
            ]
        if kind == "id":
            ids = [n for n, (s, e) in enumerate(lines) if text[s:e].startswith("ID: ")]
            if ids and rng.random() < 0.6:
                number = rng.choice(ids)
                start, end = lines[number]
                if rng.random() < 0.5 and number + 1 < len(lines):  # remove the ID line
                    return [((number, 0), (number + 1, 0), "")]
                return [((number, 4), (number, end - start), rng.choice([ID_A, ID_B, ID_C, "12"]))]
            ends = [n for n, (s, e) in enumerate(lines) if text[s:e] == "END"]
            if ends:
                number = rng.choice(ends)
                return [((number, 0), (number, 0), f"ID: {rng.choice([ID_A, ID_B, ID_C])}{nl}")]
            at = anywhere()
            return [(at, at, f"{nl}ID: {ID_A}{nl}")]
        if kind == "alias":
            if text.startswith("---"):
                alias = rng.choice(["Поле", "Алг", "Новое имя", "Rings", "Глубоко"])
                for n, (s, e) in enumerate(lines):
                    if text[s:e].startswith("aliases:"):
                        if text[s:e].rstrip() == "aliases:":
                            return [((n + 1, 0), (n + 1, 0), f"  - {alias}{nl}")]
                        if "[" in text[s:e]:
                            col = text[s:e].index("[") + 1
                            return [((n, col), (n, col), f"{alias}, ")]
                return [((1, 0), (1, 0), f"aliases: [{alias}]{nl}")]
            return [((0, 0), (0, 0), f"---{nl}aliases: [Поле]{nl}---{nl}")]
        if kind == "link":
            links = [i for i in range(len(text)) if text.startswith("[[", i)]
            if links and rng.random() < 0.5:
                a = rng.choice(links)
                b = text.find("]]", a)
                if b != -1 and "\n" not in text[a:b]:
                    return [(position(text, a), position(text, b + 2), "")]
            at = anywhere()
            return [(at, at, rng.choice(SNIPPETS[:11]))]
        # multi: two or three changes in one notification, each on the previous result
        changes = []
        current = text
        for _ in range(rng.randint(2, 3)):
            (change,) = self.random_change_simple(current)
            changes.append(change)
            current = apply_change(current, *change)
        return changes

    def random_change_simple(self, text: str) -> list[Change]:
        rng = self.rng
        lines = line_starts(text)
        number = rng.randrange(len(lines))
        start, end = lines[number]
        a = rng.randint(0, end - start)
        if rng.random() < 0.5:
            return [((number, a), (number, a), rng.choice(SNIPPETS).replace("\n", eol(text)))]
        b = rng.randint(a, min(end - start, a + 8))
        return [((number, a), (number, b), "")]

    async def type_line(self, rel: str) -> None:
        """Type a new line character by character, as keystrokes."""
        text = self.editor_texts[rel]
        lines = line_starts(text)
        number = self.rng.randrange(len(lines))
        start, end = lines[number]
        at = (number, end - start)
        nl = eol(text)
        self.change(rel, [(at, at, nl)])
        line = self.rng.choice(LINES_TO_TYPE)
        for i, ch in enumerate(line):
            self.change(rel, [((number + 1, i), (number + 1, i), ch)])
            if self.rng.random() < 0.2:
                await self.pause(self.rng.choice([0.0, 0.05, 0.2]))

    async def random_step(self) -> None:
        rng = self.rng
        opened = sorted(self.editor_texts)
        closed = sorted(set(self.notes()) - set(self.editor_texts))
        choices = ["open"] * 3 + ["edit"] * 8 + ["type"] * 2 + ["close", "save", "pause"]
        choices += ["disk_change", "create", "delete", "rename", "config", "bulk", "folder"]
        kind = rng.choice(choices)
        if kind == "open" and closed:
            self.open(rng.choice(closed))
        elif kind in ("edit", "type") and opened:
            rel = rng.choice(opened)
            if kind == "type":
                await self.type_line(rel)
            else:
                self.change(rel, self.random_change(self.editor_texts[rel]))
        elif kind == "close" and opened:
            rel = rng.choice(opened)
            if rng.random() < 0.5:
                self.save(rel, watcher=rng.random() < 0.7)
            self.close(rel)
        elif kind == "save" and opened:
            self.save(rng.choice(opened), watcher=rng.random() < 0.7)
        elif kind == "disk_change" and self.notes():
            # Another program changes a note, open or not: an open one keeps the editor's text.
            rel = rng.choice(self.notes())
            text = self.disk[rel]
            for change in self.random_change(text):
                text = apply_change(text, *change)
            self.write_disk(rel, text, Changed)
        elif kind == "create":
            self.created += 1
            folder = rng.choice(["", "sub/", "новая папка/"])
            stem = f"Новая {self.created}"
            if rng.random() < 0.3:  # a name another note has: bare links become ambiguous
                stem = Path(rng.choice(sorted(self.disk))).stem
            rel = f"{folder}{stem}.md"
            if rel in self.disk or (self.root / rel).exists():
                rel = f"{folder}Новая {self.created}.md"
            text = rng.choice(NEW_NOTES)
            if rng.random() < 0.3:
                text = text.replace("\n", "\r\n")
            self.write_disk(rel, text, Created)
        elif kind == "delete" and closed and len(self.disk) > 4:
            self.delete_disk(rng.choice(closed))
        elif kind == "bulk":
            await self.bulk(rng.randint(30, 45))
        elif kind == "folder":
            folders = sorted({rel.rsplit("/", 1)[0] for rel in self.notes() if "/" in rel})
            if folders:
                old = rng.choice(folders)
                new = rng.choice(["папка 2", "sub", "archive", "новая папка"])
                if not (self.root / new).exists():
                    await self.rename(old, new, watcher=rng.random() < 0.7)
        elif kind == "config":
            if rng.random() < 0.3 and ".notels.toml" in self.disk:
                self.delete_disk(".notels.toml")
            else:
                kind = Changed if ".notels.toml" in self.disk else Created
                self.write_disk(".notels.toml", rng.choice(CONFIGS), kind)
        elif kind == "rename" and self.notes():
            old = rng.choice(self.notes())
            stem = rng.choice(["Переименовано", "Renamed 😀", "Поле", "Кольца 2", "sub/Moved"])
            new = f"{stem}.md"
            n = 1
            while new in self.disk or (self.root / new).exists():
                n += 1
                new = f"{stem} {n}.md"
            await self.rename(old, new, watcher=rng.random() < 0.7)
        else:
            await self.pause(rng.choice([0.0, 0.05, 0.2, 0.5]))
        if rng.random() < 0.3:
            await self.pause(rng.choice([0.0, 0.02, 0.1, 0.2, 0.4]))

    # --- the comparison ----------------------------------------------------------------------

    async def finish(self, timeout: float = 6.0) -> dict[str, tuple[list[Row], list[Row]]]:
        """Once the server is quiet: the notes whose published diagnostics differ from what
        `notels check` says on the final texts, as {note: (published, check)}."""
        for rel, text in self.editor_texts.items():
            (self.root / rel).write_bytes(text.encode("utf-8"))
        expected = self.expected()
        uris = {rel: self.session.uri(rel) for rel in self.editor_texts}

        def differences() -> dict[str, tuple[list[Row], list[Row]]]:
            found = {}
            for rel, uri in uris.items():
                shown = diagnostic_rows(self.root, self.session.diagnostics(uri))
                if shown != expected.get(rel, []):
                    found[rel] = (shown, expected.get(rel, []))
            # Closed notes were cleared when closed.
            for uri, diagnostics in self.session.client.diagnostics.items():
                rel = _relative(self.root, uri)
                if rel not in uris and list(diagnostics):
                    found[rel or uri] = (diagnostic_rows(self.root, diagnostics), [])
            return found

        with contextlib.suppress(AssertionError):
            await wait_until(lambda: not differences(), timeout)
        # Quiet for a while, then once more: nothing still on its way.
        await asyncio.sleep(0.5)
        self.compared = {rel: len(expected.get(rel, [])) for rel in uris}
        self.related_compared = sum(1 for rel in uris for row in expected.get(rel, []) if row[6])
        return differences()

    async def finish_pull(
        self, timeout: float = 6.0, whole_first: bool = False
    ) -> dict[str, tuple[list[Row], list[Row]]]:
        """`finish` for a client that pulls: every note, open or not, pulled one by one, and the
        whole workspace at once, equal `notels check`. `whole_first`: the workspace pull
        before the notes', so that it, not they, checks the notes not checked yet."""
        for rel, text in self.editor_texts.items():
            (self.root / rel).write_bytes(text.encode("utf-8"))
        expected = self.expected()
        notes = self.notes()

        async def each_note(found: dict[str, tuple[list[Row], list[Row]]]) -> None:
            for rel in notes:
                report = await asyncio.wait_for(
                    self.session.client.text_document_diagnostic_async(
                        types.DocumentDiagnosticParams(
                            text_document=types.TextDocumentIdentifier(uri=self.session.uri(rel))
                        )
                    ),
                    10,
                )
                assert isinstance(report, types.RelatedFullDocumentDiagnosticReport), report
                shown = diagnostic_rows(self.root, report.items)
                if shown != expected.get(rel, []):
                    found[rel] = (shown, expected.get(rel, []))

        async def whole_workspace(found: dict[str, tuple[list[Row], list[Row]]]) -> None:
            whole = await asyncio.wait_for(
                self.session.client.workspace_diagnostic_async(
                    types.WorkspaceDiagnosticParams(previous_result_ids=[])
                ),
                10,
            )
            seen = set()
            for item in whole.items:
                rel = _relative(self.root, item.uri) or item.uri
                seen.add(rel)
                shown = diagnostic_rows(self.root, getattr(item, "items", []))
                if shown != expected.get(rel, []):
                    found[f"workspace: {rel}"] = (shown, expected.get(rel, []))
            for rel in set(expected) - seen:
                found[f"workspace: {rel}"] = ([], expected[rel])

        async def differences() -> dict[str, tuple[list[Row], list[Row]]]:
            found: dict[str, tuple[list[Row], list[Row]]] = {}
            for part in (
                (whole_workspace, each_note) if whole_first else (each_note, whole_workspace)
            ):
                await part(found)
            return found

        await asyncio.sleep(1.0)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while (found := await differences()) and loop.time() < deadline:
            await asyncio.sleep(0.3)
        self.compared = {rel: len(expected.get(rel, [])) for rel in notes}
        self.related_compared = sum(1 for rel in notes for row in expected.get(rel, []) if row[6])
        return found

    def expected(self) -> dict[str, list[Row]]:
        found = check_rows_related(self.root)
        if not self.utf16:
            return found
        texts: dict[str, str] = {}

        def text_of(rel: str) -> str:
            if rel not in texts:
                texts[rel] = (self.root / rel).read_bytes().decode("utf-8", "replace")
            return texts[rel]

        def at(rel: str, line: int, ch: int) -> tuple[int, int]:
            try:
                return units(text_of(rel), line, ch)
            except (OSError, IndexError):
                return line, ch

        return {
            rel: sorted(
                (
                    *at(rel, a, b),
                    *at(rel, c, d),
                    code,
                    message,
                    tuple((p, *at(p, ln, ch), m) for p, ln, ch, m in related),
                )
                for a, b, c, d, code, message, related in rows
            )
            for rel, rows in found.items()
        }

    def server_errors(self) -> list[str]:
        return [
            m.message
            for m in self.session.client.log_messages
            if m.type in (types.MessageType.Error, types.MessageType.Warning)
        ]


async def replay(soak: Soak, steps: list[str]) -> None:
    """Run steps as `Soak.steps` logs them."""
    names = {
        name: getattr(soak, name)
        for name in (
            "open",
            "change",
            "close",
            "save",
            "write_disk",
            "delete_disk",
            "rename",
            "pause",
            "bulk_disk",
        )
    }
    names.update(Changed=Changed, Created=Created, Deleted=Deleted)
    for step in steps:
        if step.startswith("await "):
            await eval(step[len("await ") :], names)
        else:
            eval(step, names)


def workspace_edits(edit: types.WorkspaceEdit | None) -> list[tuple[str, list[Any]]]:
    if edit is None:
        return []
    found: list[tuple[str, list[Any]]] = []
    for change in edit.document_changes or ():
        if isinstance(change, types.TextDocumentEdit):
            found.append((change.text_document.uri, list(change.edits)))
        else:
            raise AssertionError(f"unexpected resource operation {change!r}")
    for uri, edits in (edit.changes or {}).items():
        found.append((uri, list(edits)))
    return found


def _path_of(uri: str) -> str:
    from urllib.parse import unquote, urlparse

    return unquote(urlparse(uri).path)


def _relative(root: Path, uri: str) -> str | None:
    try:
        return Path(_path_of(uri)).resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return None


def start_vault(root: Path, files: dict[str, str] | None = None) -> dict[str, str]:
    files = dict(VAULT if files is None else files)
    write_files(root, files)
    return files
