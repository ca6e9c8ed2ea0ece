"""Ignore globs: compiled once, matching exactly what one `fnmatchcase` per glob matched."""

from __future__ import annotations

import json
import os
from fnmatch import fnmatchcase
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from notels.vault.files import IgnoreGlobs, is_ignored, is_walked, scan_vault, vault_glob
from timed_run import runs_within
from vaults import run_check, write_vault

SETTINGS = settings(
    max_examples=int(os.environ.get("NOTELS_EXAMPLES", "300")) * 5,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
# Every character fnmatch reads specially, and `/`, which it does not but the `dir/**` rule does.
GLOB = st.text(alphabet="ab/*?[]!-^\\.", max_size=8) | st.sampled_from(
    ["a/**", "a/b/**", "*/**", "[ab]/**", "**", "/**", "a*", "*.md", "a/*/b"]
)
PATH = st.text(alphabet="ab/.-]!*", min_size=1, max_size=8)


def matched_before(relative: str, ignore: tuple[str, ...]) -> bool:
    """files.is_ignored as it was: one fnmatchcase per glob, then the `dir/**` prefix rule
    (each glob read as `vault_glob` reads a `.gitignore` habit)."""
    for pattern in map(vault_glob, ignore):
        if fnmatchcase(relative, pattern):
            return True
        if pattern.endswith("/**") and (relative + "/").startswith(pattern[:-2]):
            return True
    return False


@SETTINGS
@given(st.lists(GLOB, max_size=6).map(tuple), st.lists(PATH, min_size=1, max_size=6))
def test_compiled_globs_match_what_fnmatch_matched(
    ignore: tuple[str, ...], paths: list[str]
) -> None:
    compiled = IgnoreGlobs.compile(ignore)
    for relative in paths:
        assert compiled.matches(relative) == matched_before(relative, ignore), relative
        assert is_ignored(relative, ignore) == matched_before(relative, ignore), relative


def test_a_folder_glob_ignores_the_folder_and_what_is_under_it_only() -> None:
    ignore = ("Шаблоны/**",)
    assert is_ignored("Шаблоны", ignore) and is_ignored("Шаблоны/a/b.md", ignore)
    assert not is_ignored("Шаблоны2/a.md", ignore) and not is_ignored("x/Шаблоны/a.md", ignore)


def test_a_scan_with_many_globs_takes_linear_time(tmp_path: Path) -> None:
    # One fnmatchcase per path per glob: 4,000 globs x 5,000 notes took 5.4 s; past 32,768
    # globs fnmatch's cache overflows and each call compiles its glob: 40,000 globs here ran
    # for over 10 minutes.
    for folder in range(10):
        (tmp_path / f"f{folder}").mkdir()
        for note in range(50):
            (tmp_path / f"f{folder}" / f"n{note}.md").write_text("x\n", encoding="utf-8")
    code = """
        import sys
        from pathlib import Path
        from notels.vault.files import scan_vault
        kinds = ["archive{}/**", "*.tmp{}", "f1/sub*/d{}.md", "notes/n{}.md", "x?{}/[ab]*.md"]
        ignore = tuple(kinds[n % 5].format(n) for n in range(40_000)) + ("f1/**", "*/n1.md")
        assert len(scan_vault(Path(sys.argv[1]), ignore).notes) == 9 * 49
    """
    runs_within(code, 10, str(tmp_path))
    assert len(scan_vault(tmp_path, ("f1/**", "*/n1.md")).notes) == 9 * 49


def test_hidden_files_and_folders_are_no_part_of_the_vault(tmp_path: Path) -> None:
    # Obsidian shows none of them, so the plugin syncs none of their cards: a sync tool's old
    # copies (`.stversions`) would otherwise be duplicate IDs of the real notes.
    for relative in (
        "Заметка.md",
        "sub/Note.md",
        ".stversions/Заметка~20250101-120000.md",
        ".hidden.md",
        "sub/.cache/x.md",
        ".obsidian/snippets/y.md",
        ".trash/old.md",
        "node_modules/pkg/README.md",
        ".img/pic.png",
    ):
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("[[x]]\n", encoding="utf-8")
    files = scan_vault(tmp_path)
    assert sorted(files.notes) == ["sub/Note.md", "Заметка.md"]
    assert not files.attachments and not files.problems
    assert is_walked("sub/Note.md", ())
    assert not is_walked(".stversions/Заметка~20250101-120000.md", ())
    assert not is_walked("sub/.cache/x.md", ())


@pytest.mark.parametrize("glob", ["Archive/", "/Archive/**", "./Archive/**", "/Archive/"])
def test_globs_written_as_in_a_gitignore_ignore_the_folder(tmp_path: Path, glob: str) -> None:
    """A `.gitignore` habit matched no vault path as written (paths are relative, never end in
    `/`): the folder's notes were checked, and nothing said why. From the root is what every
    glob means; a trailing `/` is the folder."""
    vault = write_vault(
        tmp_path,
        {"Archive/Old.md": "[[Нет такой]]\n", "Archive/sub/Older.md": "x\n", "Note.md": "x\n"},
    )
    (vault / ".notels.toml").write_text(f"ignore = [{glob!r}]\n", encoding="utf-8")
    done = run_check("--format", "json", "--exit-zero", cwd=vault)
    assert done.returncode == 0, done.stderr
    assert [record["path"] for record in json.loads(done.stdout)] == []
    assert not is_ignored("Archive2/x.md", (glob,)) and not is_ignored("x/Archive/y.md", (glob,))
