"""Inputs that made notels super-linear or hang, found by a hunt: each now runs in linear time.

Each workload runs in a child process killed at a generous bound, so a regression stops at the
bound instead of running for minutes, and a runaway one cannot eat the machine's memory. The
bounds include the child's start-up (importing notels) and hold with a wide margin on a slow
shared 2-core machine; the quadratic code needed far longer at these sizes.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from timed_run import runs_within as _runs_within

# --- parsing: one call on at most 300 KB ------------------------------------------------------


def test_many_unclosed_inline_cards_on_one_line_parse_in_linear_time() -> None:
    # anki._inline_cards: `STARTI(...*?)ENDI` tries every STARTI to the end of the line.
    # 100 KB: 2.2 s today; 300 KB: about 20 s.
    _runs_within(
        """
        from notels.syntax.note import parse_note
        parse_note("STARTI [Basic] q " * 18_000)
        """,
        3,
    )


def test_many_inline_cards_on_one_line_parse_in_linear_time() -> None:
    # anki._inline_matches looked for the line's end from each `STARTI`, to the line's end.
    # 100 KB: 0.6 s, 300 KB: 5.4 s before; a 1 MB line: about a minute.
    _runs_within(
        """
        from notels.syntax.note import parse_note
        parse_note("STARTI [Basic] q ENDI " * 20_000)
        """,
        3,
    )


def test_inline_card_with_many_open_brackets_parses_in_linear_time() -> None:
    # anki._inline_cards: `_INLINE_TYPE` `\\[(.*?)\\]` tries every `[` to the card's end.
    # 30 KB: 2.9 s today; 100 KB: 31 s.
    _runs_within(
        """
        from notels.syntax.note import parse_note
        parse_note("STARTI " + "[" * 100_000 + " ENDI")
        """,
        3,
    )


def test_escaped_dollars_on_one_line_parse_in_linear_time() -> None:
    # markdown._math_spans: every `\\$` restarts `_MATH.finditer`, whose attempt runs to the
    # line's end. 30 KB: 4.6 s today; 100 KB: over 40 s.
    _runs_within(
        """
        from notels.syntax.note import parse_note
        parse_note("\\\\$a" * 33_000)
        """,
        3,
    )


def test_escaped_dollars_after_a_backtick_parse_in_linear_time() -> None:
    # The same restart in markdown._InlineScanner._math (the path taken when the region holds
    # a backtick). 30 KB: 4.5 s today.
    _runs_within(
        """
        from notels.syntax.note import parse_note
        parse_note("`" + "\\\\$a" * 33_000)
        """,
        3,
    )


def test_dollars_before_digits_after_spaces_parse_in_linear_time() -> None:
    # markdown._MATH: a `$` after a space and before a digit passed both of its tests, and an
    # attempt that found no closer tried the rest of the line once for each: 2**n. A line of
    # 30 prices (`$1 $2 ... $30`, 110 characters): about a minute; 100 KB: never ends.
    _runs_within(
        """
        from notels.syntax.note import parse_note
        parse_note("$1 " * 33_000)
        """,
        3,
    )


def test_code_spans_cutting_formulas_that_share_a_closer_parse_in_linear_time() -> None:
    # markdown._InlineScanner.scan: each code span cuts the formula its `$1` opens (`$1` closes
    # nothing), and the search restarted after it matched the next `$1` to the same `x$` at
    # the line's end again. 100 KB: over 15 s before `_LastFormula`.
    _runs_within(
        """
        from notels.syntax.note import parse_note
        parse_note("`$1` " * 20_000 + "x$")
        """,
        3,
    )


def test_code_span_openers_closed_past_a_blank_line_parse_in_linear_time() -> None:
    # markdown._InlineScanner._next_code: each opener whose closer lies past a blank line
    # searched for that blank line from itself, to the paragraph's end. A paragraph of
    # `\\``` (a literal backtick, then an opener of one) and a lone backtick after it:
    # 40 KB: 1.2 s, 160 KB: 18 s before `_blank_line_between`.
    _runs_within(
        """
        from notels.syntax.note import parse_note
        parse_note("\\\\`` " * 40_000 + "\\n\\n`")
        """,
        3,
    )


def test_positions_on_one_long_line_convert_in_linear_time() -> None:
    # lines.LineIndex counted a column from its line's start: every diagnostic, link or
    # symbol of a long line cost the line's length so far, and `offset` walked it character
    # by character in Python once the line held an emoji. 18,000 positions and back on a
    # 200 KB line: over 2 minutes before the checkpoints.
    _runs_within(
        """
        from notels.syntax.lines import Encoding, LineIndex
        text = "[[Нет]] 😀 " * 20_000
        lines = LineIndex(text)
        offsets = list(range(0, len(text), 11))
        for encoding in (Encoding.UTF16, Encoding.UTF8):
            positions = [lines.position(offset, encoding) for offset in offsets]
            assert [lines.offset(*position, encoding) for position in positions] == offsets
        """,
        3,
    )


# --- rules ------------------------------------------------------------------------------------


def test_many_cards_sharing_one_id_check_in_linear_time() -> None:
    # rules.anki_ids.duplicate_id lists every other card as related for each card: k cards,
    # k*k Related. 4,000 cards (172 KB): 18 s and 2.3 GB today.
    _runs_within(
        """
        from notels.config import Config
        from notels.rules import check_note
        from vaults import build_index
        text = "START\\nBasic\\nFront: x\\nID: 1737306548883\\nEND\\n" * 4_000
        index = build_index({"a.md": text})
        check_note("a.md", index.notes["a.md"], index, Config(), select={"duplicate-id"})
        """,
        4,
    )


def test_many_links_to_an_ambiguous_name_check_in_linear_time() -> None:
    # rules.links.ambiguous_link: each link repeats every candidate as related: 3,000 links to
    # [[x]] with 3,000 `x.md` (an 18 KB note): 9,000,000 Related, 10.7 s today.
    _runs_within(
        """
        from notels.config import Config
        from notels.rules import check_note
        from vaults import build_index
        notes = {f"d{i}/x.md": "hi\\n" for i in range(3_000)}
        notes["a.md"] = "[[x]]\\n" * 3_000
        index = build_index(notes)
        check_note("a.md", index.notes["a.md"], index, Config(), select={"ambiguous-link"})
        """,
        4,
    )


# --- editor features ------------------------------------------------------------------------


def test_symbols_and_folding_of_many_headings_run_in_linear_time() -> None:
    # features.outline.section_spans sliced off the later headings for each heading, to find
    # the first that ends its section. 40,000 headings (160 KB): 1.2 s for the outline, as
    # much again for folding; 100,000 headings: about 8 s each.
    _runs_within(
        """
        from notels.config import Config
        from notels.features import document_symbols, folding_ranges
        from notels.syntax.note import parse_note
        from notels.vault.index import VaultIndex
        note = parse_note("# h\\n" * 100_000)
        assert len(document_symbols(VaultIndex(), "a.md", note, Config())) == 100_000
        folding_ranges(VaultIndex(), "a.md", note, Config())
        """,
        4,
    )


def test_renaming_a_note_linked_from_a_long_frontmatter_list_runs_in_linear_time() -> None:
    # edits.rename.escape_in_link walked every frontmatter scalar to find the one holding the
    # link, for each link: a `parent:` list of 13,000 quoted links to the note (160 KB):
    # 7.4 s; 20,000: about 17 s.
    _runs_within(
        """
        from notels.edits.rename import rename_note_edits
        from vaults import build_index
        text = "---\\nparent:\\n" + '  - "[[x]]"\\n' * 20_000 + "---\\n"
        index = build_index({"a.md": text, "x.md": "# H\\n"})
        assert len(rename_note_edits(index, "x.md", "y")["a.md"]) == 20_000
        """,
        4,
    )


# --- fixes (`notels check --fix`) ---------------------------------------------------------------


def test_removing_a_tag_next_to_billion_laughs_frontmatter_terminates() -> None:
    # edits.tags._verified compares the frontmatter data before and after with `==`: two
    # separately parsed alias graphs, compared node by node, 2**depth. Depth 20: 16 ms, each
    # level doubles; `check --fix` on such a note never ends.
    _runs_within(
        """
        from notels.edits.tags import remove_tag_edits
        from notels.syntax.note import parse_note
        fm = "a0: &a0 [x, x]\\n" + "".join(
            f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}]\\n" for i in range(1, 40)
        )
        note = parse_note("---\\n" + fm + "tags: [fix/empty]\\n---\\n" + "word " * 50 + "\\n")
        tag = next(t for t in note.tags if t.name == "fix/empty")
        remove_tag_edits(note, tag)
        """,
        5,
    )


def _vault(tmp_path: Path, text: str) -> Path:
    (tmp_path / ".obsidian").mkdir()
    (tmp_path / "n.md").write_text(text, encoding="utf-8")
    return tmp_path


def test_fix_of_many_missing_ids_runs_in_linear_time(tmp_path: Path) -> None:
    # edits.fixes.safe_fix_list checks each fix against every edit taken so far, and
    # `_card_starting` walks all cards per finding. 10,000 cards (240 KB): 6 s today; 20,000
    # cards: about 24 s.
    vault = _vault(tmp_path, "START\nBasic\nFront: x\nEND\n" * 20_000)
    _runs_within(
        """
        import sys
        from notels.cli import main
        assert main(["check", "--fix", sys.argv[1]]) in (0, 1)
        """,
        8,
        str(vault),
    )


def test_fix_of_many_stale_fix_empty_tags_runs_in_linear_time(tmp_path: Path) -> None:
    # edits.tags checks a tag's removal by parsing the whole note again: one fix per tag took a
    # parse each, 3,000 tags on one line 8 s. The body's stale tags now go in one checked fix.
    vault = _vault(tmp_path, "# Note\n\n" + "#fix/empty " * 6_000 + "\n")
    _runs_within(
        """
        import sys
        from notels.cli import main
        assert main(["check", "--fix", sys.argv[1]]) in (0, 1)
        """,
        8,
        str(vault),
    )


def test_a_replace_all_of_many_changes_in_one_notification_runs_in_linear_time() -> None:
    # Each change of a didChange copied the whole text: a replace-all of 10,000 words in a
    # 1 MB note (one notification, bottom to top, as VS Code sends it) took 6.5 s.
    _runs_within(
        """
        from notels.lsp.workspace import TextChange, Workspace
        lines = [f"Строка {n} с word и текстом 😀 [[Ссылка {n}]]" for n in range(20_000)]
        workspace = Workspace()
        workspace.open("untitled:a", None, "\\n".join(lines), 1)
        column = len("Строка 0 с ")
        changes = [
            TextChange("WORD", (n, column + len(str(n)) - 1), (n, column + len(str(n)) + 3))
            for n in reversed(range(0, 20_000, 2))
        ]
        workspace.change("untitled:a", 2, changes)
        assert workspace.documents["untitled:a"].text.count("WORD") == 10_000
        """,
        3,
    )


@pytest.mark.parametrize("style", ["block", "flow"])
def test_fix_of_a_long_stale_tags_list_runs_in_linear_time(tmp_path: Path, style: str) -> None:
    # Each frontmatter tag's removal was checked by a parse of the note, and its scalar found
    # by a walk of all: a 20 KB `tags:` list of fix/empty took 6.3 s (a flow list 15 s), 80 KB
    # over a minute. They now go in one checked fix, each scalar found by bisection.
    items = ["fix/empty", "тема"] * 4_000  # the key stays: each tag is an edit of its own
    tags = (
        "".join(f"\n  - {item}" for item in items) if style == "block" else f" [{', '.join(items)}]"
    )
    words = " ".join(["слово"] * 30)
    vault = _vault(tmp_path, f"---\ntags:{tags}\n---\n{words}\n")
    _runs_within(
        """
        import sys
        from pathlib import Path
        from notels.cli import main
        assert main(["check", "--fix", sys.argv[1]]) in (0, 1)
        assert "fix/empty" not in next(Path(sys.argv[1]).glob("*.md")).read_text("utf-8")
        """,
        8,
        str(vault),
    )


def test_fix_of_many_copies_of_one_card_runs_in_linear_time(tmp_path: Path) -> None:
    # edits.fixes.duplicate_id_fix asked the index for all k copies of the ID and took the
    # oldest, for each copy: k * k. 1,900 copies (80 KB): 1.1 s; 7,600 (320 KB): 15.5 s.
    vault = _vault(tmp_path, "START\nBasic\nFront: x\nID: 1737306548883\nEND\n" * 8_000)
    _runs_within(
        """
        import sys
        from notels.cli import main
        assert main(["check", "--fix", sys.argv[1]]) in (0, 1)
        """,
        8,
        str(vault),
    )


def test_fix_of_many_starts_with_trailing_text_runs_in_linear_time(tmp_path: Path) -> None:
    # edits.fixes.fixes_for_finding walked every `START x` line to find each finding's:
    # 11,400 of them (320 KB): 2.8 s; 22,800 (640 KB): 9.7 s.
    vault = _vault(tmp_path, "START x\nBasic\nFront: y\nEND\n" * 23_000)
    _runs_within(
        """
        import sys
        from notels.cli import main
        assert main(["check", "--fix", sys.argv[1]]) in (0, 1)
        """,
        8,
        str(vault),
    )


def test_a_keystroke_in_a_note_with_many_copies_of_one_card_runs_in_linear_time(
    tmp_path: Path,
) -> None:
    # The workspace looked up where a note's card IDs stand once per card, and the index
    # filtered them out once per card: k copies of one ID, k * k. A keystroke in a note of
    # 4,000 copies (170 KB): 2 s; 8,000: 8 s.
    vault = _vault(tmp_path, "intro\n" + "START\nBasic\nFront: x\nID: 1737306548883\nEND\n" * 8_000)
    _runs_within(
        """
        import sys
        from pathlib import Path
        sys.path.insert(0, sys.path[1] + "/lsp")
        from workspace_harness import indexed, open_in
        from notels.lsp.workspace import TextChange
        root = Path(sys.argv[1])
        workspace = indexed(root)
        uri = open_in(workspace, root, "n.md")
        for version in (2, 3):
            workspace.change(uri, version, [TextChange("z", (0, 0), (0, 0))])
            workspace.flush(uri)
        """,
        4,
        str(vault),
    )


def test_removing_many_notes_that_share_a_name_runs_in_linear_time() -> None:
    # VaultIndex._withdraw sought a removed note's case twins (`a/X.md` for `a/x.md`) among
    # every note of its name: removing 5,000 `index.md` of as many folders (a folder
    # deleted, a branch switched) took 2.3 s, 10,000 took 9 s.
    _runs_within(
        """
        from notels.syntax.note import parse_note
        from notels.vault.index import VaultIndex
        index = VaultIndex()
        note = parse_note("[[index]]\\n")
        for i in range(10_000):
            index.set_note(f"d{i}/index.md", note)
        index.set_note("D0/Index.md", note)  # a case twin takes the key over
        for i in range(10_000):
            index.remove_note(f"d{i}/index.md")
        assert index.resolve_target("d0/index", "a.md").paths == ("D0/Index.md",)
        """,
        3,
    )


def test_moving_each_note_of_a_large_folder_runs_in_linear_time() -> None:
    # move_note_edits scanned every note of the vault for one taking the new path or name, so
    # `workspace/willRenameFiles` naming each note of a folder cost the vault's size times the
    # folder's: 1,000 notes moved in a vault of 2,000: 1.6 s, 4,000 in 8,000: 25 s.
    _runs_within(
        """
        from notels.edits.rename import move_note_edits
        from notels.syntax.note import parse_note
        from notels.vault.index import VaultIndex
        index = VaultIndex()
        for i in range(3_000):
            index.set_note(f"Folder/Note {i}.md", parse_note(f"# N {i}\\n"))
            index.set_note(f"Other/L {i}.md", parse_note(f"[[Note {i}]] [[Folder/Note {i}]]\\n"))
        for i in range(3_000):
            edits = move_note_edits(index, f"Folder/Note {i}.md", f"Moved/Note {i}.md")
            assert list(edits) == [f"Other/L {i}.md"]
        """,
        3,
    )


def test_moving_a_large_folder_at_once_runs_in_linear_time() -> None:
    # The whole folder in one step, as the server moves it, relative links between its notes
    # and an image in it included.
    _runs_within(
        """
        from notels.edits.rename import move_edits
        from notels.syntax.note import parse_note
        from notels.vault.index import VaultIndex
        index = VaultIndex()
        index.add_attachment("Folder/img.png")
        moves = {"Folder/img.png": "Moved/img.png"}
        for i in range(3_000):
            text = f"[[./Note {i + 1}]] [[../Other/L {i}]] ![[img.png]] ![[./img.png]]\\n"
            index.set_note(f"Folder/Note {i}.md", parse_note(text))
            index.set_note(f"Other/L {i}.md", parse_note(f"[[Note {i}]] [[Folder/Note {i}]]\\n"))
            moves[f"Folder/Note {i}.md"] = f"Moved/Note {i}.md"
        edits = move_edits(index, moves)
        assert len(edits) == 3_000 and all(path.startswith("Other/") for path in edits)
        """,
        3,
    )
