"""Moves of random files in random small vaults: after the editor moves the files and applies
the link updates, every link opens the file it opened before, where that file now is.

Links that opened nothing may open something afterwards (a note arrived under their name): that
is what the user asked for. Everything else is a link the move silently turned to another file.
Run longer with NOTELS_EXAMPLES=40000 (40,000 examples passed when it was written).
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from notels.edits.rename import RenameError, move_edits
from notels.edits.text_edit import apply_edits
from notels.vault.resolve import Resolution, ResolutionKind
from vaults import build_index

_FOLDERS = ("", "a/", "a/b/", "c/", "c/b/")
_NAMES = ("B", "C", "Д 😀", "X")
_IMAGES = ("img.png", "b.png")
_ALIASES = ("C", "X", "Д 😀")
# Every form a link takes in these vaults: bare, from the root, a trailing part of a path,
# relative, with `.md`, to an attachment, through an alias, with a heading.
_TARGETS = (
    "B",
    "C",
    "Д 😀",
    "X",
    "a/B",
    "a/b/C",
    "b/B",
    "b/C.md",
    "c/Д 😀",
    "./B",
    "./C",
    "../B",
    "../b/C",
    "img.png",
    "b.png",
    "b/img.png",
    "./img.png",
    "a/b.png",
)
_OPENS = (ResolutionKind.NOTE, ResolutionKind.AMBIGUOUS, ResolutionKind.ATTACHMENT)


@st.composite
def _vaults_and_moves(
    draw: st.DrawFn,
) -> tuple[dict[str, str], list[str], dict[str, str]]:
    places = [folder + name for folder in _FOLDERS for name in _NAMES]
    note_paths = draw(st.lists(st.sampled_from(places), min_size=1, max_size=7, unique=True))
    notes: dict[str, str] = {}
    for path in note_paths:
        aliases = draw(st.lists(st.sampled_from(_ALIASES), max_size=1))
        links = draw(st.lists(st.sampled_from(_TARGETS), max_size=5))
        heading = draw(st.booleans())
        front = f"---\naliases: [{', '.join(aliases)}]\n---\n" if aliases else ""
        body = " ".join(
            f"[[{t}#H]]" if heading and i == 0 else f"[[{t}]]" for i, t in enumerate(links)
        )
        notes[path + ".md"] = f"{front}# H\n{body}\n"
    images = [folder + name for folder in _FOLDERS for name in _IMAGES]
    attachments = draw(st.lists(st.sampled_from(images), max_size=3, unique=True))
    files = sorted(notes) + attachments
    moved = draw(st.lists(st.sampled_from(files), min_size=1, max_size=3, unique=True))
    moves: dict[str, str] = {}
    for path in moved:
        name = path.rpartition("/")[2]
        if path.endswith(".md") and draw(st.booleans()):
            name = draw(st.sampled_from(_NAMES)) + ".md"
        elif not path.endswith(".md") and draw(st.booleans()):
            name = draw(st.sampled_from(_IMAGES))
        moves[path] = draw(st.sampled_from(_FOLDERS)) + name
    return notes, attachments, moves


def _valid(notes: Mapping[str, str], attachments: list[str], moves: Mapping[str, str]) -> bool:
    """Moves an editor would make: no two files end at one path, none lands on a file that
    stays, and a note stays a note (paths compared ignoring case, as on macOS and Windows)."""
    after = [moves.get(path, path).lower() for path in [*notes, *attachments]]
    return len(set(after)) == len(after)


def _opened(resolution: Resolution) -> str | None:
    return resolution.path if resolution.kind in _OPENS else None


@settings(
    max_examples=int(os.environ.get("NOTELS_EXAMPLES", "1500")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(_vaults_and_moves())
def test_after_a_move_every_link_opens_the_file_it_opened(
    case: tuple[dict[str, str], list[str], dict[str, str]],
) -> None:
    notes, attachments, moves = case
    if not _valid(notes, attachments, moves):
        return
    before = build_index(notes, tuple(attachments))
    try:
        edits = move_edits(before, moves)
    except RenameError:
        return
    texts = {path: apply_edits(text, edits.get(path, [])) for path, text in notes.items()}
    after = build_index(
        {moves.get(path, path): text for path, text in texts.items()},
        tuple(moves.get(path, path) for path in attachments),
    )
    for path in notes:
        old_links = before.notes[path].links
        new_path = moves.get(path, path)
        new_links = after.notes[new_path].links
        assert len(new_links) == len(old_links), (path, texts[path])
        for old_link, new_link in zip(old_links, new_links, strict=True):
            old = before.resolve(old_link, path)
            if old.kind is ResolutionKind.SELF:
                assert after.resolve(new_link, new_path).kind is ResolutionKind.SELF
                continue
            opened = _opened(old)
            if opened is None:
                continue  # opened nothing: may open an arrival now
            now = _opened(after.resolve(new_link, new_path))
            assert now == moves.get(opened, opened), (
                f"{path}: [[{old_link.target}]] opened {opened}; after {moves} "
                f"[[{new_link.target}]] in {new_path} opens {now}"
            )
