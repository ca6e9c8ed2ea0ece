"""Review s31: the file watchers the server registers against the files its index reads.

The client sends `workspace/didChangeWatchedFiles` only for the paths its registered
watchers match (LSP 3.17, DidChangeWatchedFilesRegistrationOptions). VS Code on Linux and
Neovim match glob patterns case-sensitively, so `FakeWatcher` does too.
"""

from __future__ import annotations

import contextlib
import re
from pathlib import Path

from lsp_harness import Editor, editor, wait_until, write_files
from lsprotocol import types


def _glob_regex(glob: str) -> re.Pattern[str]:
    """An LSP 3.17 glob pattern (`*`, `?`, `**`, `{a,b}`, `[a-z]`) as a regex over `/` paths,
    matched case-sensitively as VS Code (on Linux) and Neovim match it."""
    out, i = "", 0
    while i < len(glob):
        if glob.startswith("**/", i):
            out, i = out + "(?:.*/)?", i + 3
        elif glob.startswith("**", i):
            out, i = out + ".*", i + 2
        elif glob[i] == "*":
            out, i = out + "[^/]*", i + 1
        elif glob[i] == "?":
            out, i = out + "[^/]", i + 1
        elif glob[i] == "{":
            end = glob.index("}", i)
            out += "(?:" + "|".join(re.escape(part) for part in glob[i + 1 : end].split(",")) + ")"
            i = end + 1
        elif glob[i] == "[":
            end = glob.index("]", i)
            out += glob[i : end + 1].replace("[!", "[^")
            i = end + 1
        else:
            out, i = out + re.escape(glob[i]), i + 1
    return re.compile(out)


def watches(session: Editor, relative: str, kind: types.WatchKind) -> bool:
    """Does a file-watcher registration the server made match `relative` for `kind`?"""
    path = (session.root / relative).as_posix()  # VS Code matches a plain glob on the path
    for registration in session.registrations:
        if registration.method != types.WORKSPACE_DID_CHANGE_WATCHED_FILES:
            continue
        options = registration.register_options
        assert isinstance(options, dict)
        for watcher in options["watchers"]:
            pattern = watcher["globPattern"]
            asked = watcher.get("kind", 7)
            if not asked & kind:
                continue
            if isinstance(pattern, str) and _glob_regex(pattern).fullmatch(path.lstrip("/")):
                return True
    return False


async def test_a_note_with_an_upper_case_md_extension_is_watched_for_changes(vault: Path) -> None:
    """Given a vault holding `Заметка.MD` (a note: the scan, `notels check` and the index take
    `.MD` as `.md`), and an open note linking to a heading it lacks; when the note is
    changed on disk to add that heading (Obsidian, a sync, `git pull`), the editor sends
    didChangeWatchedFiles only if a registered watcher matches the path for changes.

    The server should register watchers that match every file its index reads as a note
    (`**/*.{md,MD,Md,mD}`), so the finding clears. Was: it registered `**/*.md` for
    changes and `**/*` for creates and deletes only: no change event ever comes for
    `Заметка.MD`, and the open note keeps its stale `unresolved-heading` finding."""
    write_files(
        vault,
        {"Заметка.MD": "# Заметка\nтекст\n", "A.md": "См. [[Заметка#Новый раздел]]\n"},
    )
    async with editor(vault) as session:
        a = session.open("A.md")
        before = await session.wait_for_codes(a, lambda codes: bool(codes))
        (vault / "Заметка.MD").write_text("# Заметка\nтекст\n\n## Новый раздел\n", "utf-8")
        # The editor's watcher: an event only where a registration asks for it.
        if watches(session, "Заметка.MD", types.WatchKind.Change):
            session.notify_files(("Заметка.MD", types.FileChangeType.Changed))
        with contextlib.suppress(AssertionError):
            await wait_until(lambda: session.codes(a) == [], timeout=3)
        after = session.codes(a)

    assert before != []  # the heading is missing: the link is reported
    assert after == [], f"no change event for Заметка.MD reached the server: still {after}"
