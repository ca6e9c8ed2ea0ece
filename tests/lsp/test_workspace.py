"""The server's state without a server: which open notes a change re-checks, and why."""

from __future__ import annotations

from pathlib import Path

import lsp_harness  # noqa: F401  (puts the checkout's notels on sys.path)
import notes
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from lsp_harness import write_files
from workspace_harness import codes_of, indexed, open_in

from notels.lsp.convert import choose_encoding
from notels.lsp.indexer import fill_index
from notels.lsp.workspace import TextChange, Workspace
from notels.syntax.lines import Encoding
from notels.syntax.note import parse_note

Edit = tuple[int, int, int, int, str]


def test_editing_a_card_id_rechecks_the_note_sharing_it(vault: Path) -> None:
    write_files(
        vault, {"Алгебра.md": notes.ALGEBRA, "Копия.md": notes.COPY, "Чистая.md": notes.CLEAN}
    )
    workspace = indexed(vault)
    algebra = open_in(workspace, vault, "Алгебра.md")
    copy = open_in(workspace, vault, "Копия.md")
    clean = open_in(workspace, vault, "Чистая.md")
    assert "duplicate-id" in codes_of(workspace, algebra)

    line = notes.COPY_ID_LINE
    workspace.change(copy, 2, [TextChange("4", (line, 16), (line, 17))])
    effects = workspace.flush(copy)

    assert effects.recheck == {algebra, copy}  # not the clean note: it shares nothing
    assert clean not in effects.recheck
    assert "duplicate-id" not in codes_of(workspace, algebra)


def test_a_new_note_rechecks_the_notes_linking_to_its_name(vault: Path) -> None:
    write_files(vault, {"Ссылки.md": notes.LINKS_TO_MISSING, "Алгебра.md": notes.ALGEBRA})
    workspace = indexed(vault)
    linking = open_in(workspace, vault, "Ссылки.md")
    assert codes_of(workspace, linking) == ["unresolved-link"]

    (vault / "Missing Note.md").write_text("Есть 🙂\n", encoding="utf-8")
    effects = workspace.file_changed(vault / "Missing Note.md")

    assert effects.recheck == {linking}
    assert codes_of(workspace, linking) == []


def test_removing_an_alias_rechecks_the_notes_that_used_it(vault: Path) -> None:
    aliased = "---\naliases:\n  - Missing Note\n---\nС псевдонимом 🙂\n"
    write_files(
        vault, {"Ссылки.md": notes.LINKS_TO_MISSING, "Другая.md": aliased, "Алгебра.md": ""}
    )
    workspace = indexed(vault)
    linking = open_in(workspace, vault, "Ссылки.md")
    other = open_in(workspace, vault, "Другая.md")
    assert codes_of(workspace, linking) == []

    workspace.change(other, 2, [TextChange("Без псевдонима 🙂\n")])  # the whole text
    effects = workspace.flush(other)

    assert linking in effects.recheck
    assert codes_of(workspace, linking) == ["unresolved-link"]


def test_the_editor_text_wins_until_the_note_is_closed(vault: Path) -> None:
    write_files(vault, {"Алгебра.md": notes.ALGEBRA, "Копия.md": notes.COPY})
    workspace = indexed(vault)
    algebra = open_in(workspace, vault, "Алгебра.md")
    copy = open_in(workspace, vault, "Копия.md")
    (vault / "Копия.md").write_text(notes.CLEAN, encoding="utf-8")

    assert workspace.file_changed(vault / "Копия.md").recheck == set()
    assert "duplicate-id" in codes_of(workspace, algebra)
    assert workspace.close(copy).recheck == {algebra}
    assert "duplicate-id" not in codes_of(workspace, algebra)


def test_ignored_notes_are_not_checked_and_bad_settings_keep_the_config(vault: Path) -> None:
    write_files(
        vault,
        {".notels.toml": 'ignore = ["Черновики/**"]\n', "Черновики/Черновик.md": notes.ALGEBRA},
    )
    workspace = indexed(vault)
    draft = open_in(workspace, vault, "Черновики/Черновик.md")
    assert workspace.findings(draft)[1] == []
    (vault_state,) = workspace.vaults.values()
    before = vault_state.config

    effects = workspace.apply_settings({"rules": {"no-such-rule": "off"}})

    assert effects.errors and "no-such-rule" in effects.errors[0]
    assert vault_state.config is before


def test_out_of_range_changes_are_clamped(vault: Path) -> None:
    write_files(vault, {"Алгебра.md": notes.ALGEBRA})
    workspace = indexed(vault)
    uri = open_in(workspace, vault, "Алгебра.md")

    workspace.change(uri, 2, [TextChange("END\n", (10_000, 3), (10_000, 9))])
    workspace.change(uri, 3, [TextChange("!", (notes.LINK_LINE, 8), (notes.LINK_LINE, 8))])

    text = workspace.documents[uri].text
    assert text.endswith("END\n")
    assert text.splitlines()[notes.LINK_LINE].startswith("Привет !😀")  # inside the pair: before


def test_the_first_encoding_the_client_offers_that_we_know() -> None:
    assert choose_encoding(None) is Encoding.UTF16
    assert choose_encoding(["utf-7", "utf-32", "utf-8"]) is Encoding.UTF32
    assert choose_encoding(["utf-7"]) is Encoding.UTF16


def test_a_card_moving_to_another_line_rechecks_the_note_sharing_its_id(vault: Path) -> None:
    """A character replaced by a line break keeps every offset and the summary, but the card
    moves a line down: the other note shows where the shared ID stands, so it is re-checked."""
    card = "START\nBasic\nFront: q\nBack: a\nID: 1737306548883\nEND\n"
    write_files(vault, {"A.md": "desc\nxy\n\n" + card, "B.md": "other\n\n" + card})
    workspace = indexed(vault)
    a = open_in(workspace, vault, "A.md")
    b = open_in(workspace, vault, "B.md")
    workspace.flush(a)
    workspace.flush(b)
    workspace.change(a, 2, [TextChange("\n", (1, 1), (1, 2))])
    assert b in workspace.flush(a).recheck


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 12),
            st.integers(0, 40),
            st.integers(0, 12),
            st.integers(0, 40),
            st.sampled_from(["ж", "[[Алгебра]]", "`", "$", "\n", "\r\n", "😀", "", "```\n"]),
        ),
        min_size=1,
        max_size=6,
    )
)
def test_edited_documents_parse_as_their_text(vault: Path, edits: list[Edit]) -> None:
    """Parses of edited documents reuse the previous parse: the result is a fresh parse's,
    whatever the edits (several per notification, several notifications per parse)."""
    write_files(vault, {"Алгебра.md": notes.ALGEBRA})
    workspace = Workspace()
    workspace.add_folder(vault)
    uri = open_in(workspace, vault, "Алгебра.md")
    workspace.flush(uri)
    for i, (line, column, end_line, end_column, text) in enumerate(edits):
        changes = [TextChange(text, (line, column), (end_line, end_column))]
        workspace.change(uri, i + 2, changes)
        if i % 2:
            workspace.flush(uri)
    workspace.flush(uri)
    note = workspace.documents[uri].note
    assert note is not None
    fresh = parse_note(note.text)
    assert (note.links, note.tags, note.headings, note.block_ids, note.hidden) == (
        fresh.links,
        fresh.tags,
        fresh.headings,
        fresh.block_ids,
        fresh.hidden,
    )


def test_a_folder_holding_vaults_further_down_stands_for_them(tmp_path: Path) -> None:
    """A workspace folder without a vault's marks (a repository) that holds a marked vault is
    that vault, with its own settings: its notes are judged as `notels check` judges them,
    not with the repository's other Markdown files."""
    files = {
        "Хранилище/.notels.toml": '[rules]\nmissing-id = "off"\n',
        "Хранилище/C.md": "[[Readme]]\nSTART\nBasic\nFront: q\nEND\n",
        "code/Readme.md": "# Readme\n",
    }
    for relative, text in files.items():
        (tmp_path / "repo" / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "repo" / relative).write_text(text, encoding="utf-8")
    workspace = Workspace()
    workspace.add_folder(tmp_path / "repo")
    (vault,) = workspace.vaults.values()
    assert vault.root == (tmp_path / "repo" / "Хранилище").resolve()
    run, _ = workspace.start_indexing(vault)
    assert fill_index(vault, run, lambda done, total: None)
    workspace.finish_indexing(vault, run)
    uri = open_in(workspace, vault.root, "C.md")
    # No missing-id (the vault's config), and [[Readme]] lies outside the vault.
    assert codes_of(workspace, uri) == ["missing-target-deck", "unresolved-link"]
    workspace.close(uri)
    workspace.remove_folder(tmp_path / "repo")
    assert workspace.vaults == {}


def test_a_vault_stays_while_another_workspace_folder_holds_it(vault: Path) -> None:
    write_files(vault, {"Раздел/Заметка.md": notes.CLEAN, "Алгебра.md": notes.ALGEBRA})
    workspace = Workspace()
    workspace.add_folder(vault)
    workspace.add_folder(vault / "Раздел")  # inside the vault: the same vault
    (kept,) = workspace.vaults.values()

    assert not workspace.remove_folder(vault).vaults_changed
    assert list(workspace.vaults.values()) == [kept]
    assert workspace.remove_folder(vault / "Раздел").vaults_changed  # pull clients pull again
    assert workspace.vaults == {}


def test_an_open_note_keeps_its_vault_after_its_folder_is_removed_until_it_closes(
    vault: Path,
) -> None:
    """The open note is still checked against the whole vault: the editor shows it."""
    write_files(vault, {"Алгебра.md": notes.ALGEBRA, "Копия.md": notes.COPY})
    workspace = indexed(vault)
    algebra = open_in(workspace, vault, "Алгебра.md")

    assert not workspace.remove_folder(vault).vaults_changed
    assert "duplicate-id" in codes_of(workspace, algebra)  # Копия.md is still indexed
    assert workspace.close(algebra).vaults_changed
    assert workspace.vaults == {}


def test_a_vault_a_note_brought_in_goes_with_the_last_note_open_in_it(tmp_path: Path) -> None:
    """A note opened outside every workspace folder brings its vault in; the vault stays while
    any of its notes is open, and goes when the last one closes."""
    root = write_files(tmp_path / "Другое", {"Алгебра.md": notes.ALGEBRA, "Копия.md": ""})
    folder = write_files(tmp_path / "Папка", {"Заметка.md": notes.CLEAN})
    workspace = Workspace()
    workspace.add_folder(folder)
    algebra = open_in(workspace, root, "Алгебра.md")
    copy = open_in(workspace, root, "Копия.md")
    assert set(workspace.vaults) == {folder.resolve(), root.resolve()}

    workspace.close(algebra)
    assert root.resolve() in workspace.vaults  # Копия.md is still open
    assert workspace.close(copy).vaults_changed
    assert set(workspace.vaults) == {folder.resolve()}  # the folder's vault stays

    note = open_in(workspace, folder, "Заметка.md")
    workspace.close(note)
    assert set(workspace.vaults) == {folder.resolve()}


def test_a_vault_stays_while_another_spelling_of_its_folder_is_in_the_workspace(
    tmp_path: Path,
) -> None:
    vault = write_files(tmp_path / "Хранилище", {"Алгебра.md": notes.ALGEBRA})
    (vault / ".obsidian").mkdir(exist_ok=True)
    link = tmp_path / "Ссылка"
    link.symlink_to(vault, target_is_directory=True)
    workspace = Workspace()
    workspace.add_folder(vault)
    workspace.add_folder(link)  # the editor shows two folders

    workspace.remove_folder(link)  # one of them closed; the other is still in the workspace

    assert list(workspace.vaults) == [vault.resolve()]
    workspace.remove_folder(vault)  # the last name of it gone: so is the vault
    assert list(workspace.vaults) == []


_CHANGE_TEXTS = ["ж", "[[Алгебра]]", "\n", "\r\n", "\r", "😀", "", "```\n", "\u2028"]


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet="abcdж😀\n\r\u2028#[]$`", min_size=40, max_size=200),
    st.lists(
        st.tuples(
            st.integers(0, 2),
            st.integers(0, 4),
            st.integers(0, 1),
            st.integers(0, 4),
            st.sampled_from(_CHANGE_TEXTS),
            st.integers(0, 31),
        ),
        min_size=1,
        max_size=60,
    ),
    st.sampled_from(list(Encoding)),
)
def test_many_changes_in_one_notification_give_what_one_at_a_time_gives(
    text: str, steps: list[tuple[int, int, int, int, str, int]], encoding: Encoding
) -> None:
    """An editor's replace-all comes as one notification of changes from the bottom up, which
    are applied in one pass: the text, its lines and the untouched ends must be what applying
    them one by one gives. Each change ends at or above where the last one started, unless a
    jump (one in thirty-two) puts it anywhere."""
    changes: list[TextChange] = []
    line, column = 20, 12
    for up, end_column, lines, start_column, inserted, jump in steps:
        if jump == 0:
            line, column = up * 5, end_column
        end = (max(line - up, 0), end_column)
        if end[0] == line:
            end = (line, min(end_column, column))
        line = max(end[0] - lines, 0)
        column = min(start_column, end[1]) if line == end[0] else start_column
        # An editor may send a range backwards; the server reads it either way.
        first, last = ((line, column), end) if jump % 2 else (end, (line, column))
        changes.append(TextChange(inserted, first, last))
    _same_in_one_pass(text, changes, encoding)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.text(alphabet="ab ж😀\t", max_size=12), min_size=8, max_size=60),
    st.sampled_from(["\n", "\r\n", "\r"]),
    st.sampled_from(["a", "ж", "😀", " "]),
    st.sampled_from(["", "Б", "😀😀", "\n", "x\r\ny"]),
    st.sampled_from(list(Encoding)),
)
def test_a_replace_all_in_one_notification_gives_what_one_at_a_time_gives(
    lines: list[str], line_break: str, word: str, replacement: str, encoding: Encoding
) -> None:
    """Every occurrence of `word` replaced, bottom to top, in one notification (as VS Code
    sends a replace-all): the same text, lines and untouched ends as one change at a time."""
    text = line_break.join(lines)
    changes = [
        TextChange(replacement, (number, column), (number, column + _units(word, encoding)))
        for number, line in reversed(list(enumerate(lines)))
        for column in reversed(_columns(line, word, encoding))
    ]
    assume(changes)
    assert _same_in_one_pass(text, changes, encoding) == text.replace(word, replacement)


def _same_in_one_pass(text: str, changes: list[TextChange], encoding: Encoding) -> str:
    """The text after `changes` sent in one notification, checked to be what sending them one
    at a time gives: the text, its line starts and the untouched head and tail."""
    one_pass, one_by_one = Workspace(), Workspace()
    for workspace in (one_pass, one_by_one):
        workspace.encoding = encoding
        workspace.open("untitled:a", None, text, 1)
    one_pass.change("untitled:a", 2, changes)
    for change in changes:
        one_by_one.change("untitled:a", 2, [change])
    batched, single = one_pass.documents["untitled:a"], one_by_one.documents["untitled:a"]
    assert batched.text == single.text
    assert batched.untouched == single.untouched
    count = single.lines.line_count
    assert batched.lines.line_count == count
    assert [batched.lines.line_start(n) for n in range(count)] == [
        single.lines.line_start(n) for n in range(count)
    ]
    return batched.text


def _units(text: str, encoding: Encoding) -> int:
    if encoding is Encoding.UTF8:
        return len(text.encode("utf-8"))
    if encoding is Encoding.UTF16:
        return len(text.encode("utf-16-le")) // 2
    return len(text)


def _columns(line: str, word: str, encoding: Encoding) -> list[int]:
    """The columns of `word`'s occurrences in `line`, as `str.replace` finds them."""
    columns, at = [], line.find(word)
    while at != -1:
        columns.append(_units(line[:at], encoding))
        at = line.find(word, at + len(word))
    return columns
