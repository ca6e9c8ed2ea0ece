"""`--diff`: what its unified diff promises, on random edits and on the fixer's own changes.

The diff compares only the lines the fixes changed, so it is not always the diff `difflib`
would compute over the whole note. What holds, and is tested here:
- Always: applied to the old text (hunk by hunk, every context and removed line checked), it
  gives the new text; the hunk headers count their lines right.
- Where the old and the new lines have exactly one minimal alignment (fewest changed lines)
  and both diffs find it, the output is byte for byte `difflib`'s. When several alignments are
  minimal, the two may pick different ones (an inserted `END` next to an `END`), and when
  `difflib` is not minimal (it pairs far-apart repeated lines) this diff may well be.
- On the fixer's changes to random notes, that holds whenever `difflib`'s diff is the one
  minimal alignment: the fixer's edits never leave a better one to find.
"""

from __future__ import annotations

import difflib
import os
import re
import tempfile
from collections.abc import Sequence
from pathlib import Path

from edit_helpers import NOW
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_fix_properties import CONFIGS, notes

from notels.config import Config
from notels.edits.ids import IdGenerator
from notels.edits.text_edit import TextEdit, apply_edits
from notels.fixer import Changed, FileChange, FixMode, Snapshot, compose, fix_vault, unified_diff
from notels.syntax.note import parse_note
from notels.syntax.spans import Span
from notels.vault.index import VaultIndex
from timed_run import runs_within

SETTINGS = settings(
    max_examples=int(os.environ.get("NOTELS_EXAMPLES", "300")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
# Few distinct lines, so that repeated lines make alignments ambiguous.
LINE = st.sampled_from(["a", "b", "END", "", "x\r", "\ufeffa"])
NEW_TEXT = st.sampled_from(["", "a\n", "b", "\n", "END\n", "ID: 1\n", "x\r\nx\n", "c\nEND\n"])
_HUNK = re.compile(r"@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")


# --- a strict `patch` ------------------------------------------------------------------------


def _lf_lines(text: str) -> list[str]:
    lines = [line + "\n" for line in text.split("\n")]
    lines[-1] = lines[-1][:-1]
    return lines if lines[-1] else lines[:-1]


def _diff_lines(diff: str) -> list[str]:
    """The diff's lines, each marked line joined to its `\\ No newline` marker (dropping `\\n`)."""
    lines = _lf_lines(diff)
    joined: list[str] = []
    for line in lines:
        if line == "\\ No newline at end of file\n":
            joined[-1] = joined[-1].removesuffix("\n")
        else:
            joined.append(line)
    return joined


def apply_diff(old: str, diff: str) -> str:
    """`old` patched by `diff`, failing on any mismatch (as `patch --fuzz=0` would)."""
    if not diff:
        return old
    source = _lf_lines(old)
    lines = _diff_lines(diff)
    assert lines[0].startswith("--- ") and lines[1].startswith("+++ ")
    result: list[str] = []
    done = 0  # lines of `source` already copied or replaced
    position = 2
    while position < len(lines):
        header = _HUNK.fullmatch(lines[position].rstrip("\n"))
        assert header, lines[position]
        old_start, old_count, _, new_count = (
            int(group) if group is not None else 1 for group in header.groups()
        )
        first = old_start - 1 if old_count else old_start  # an empty range names the line before
        assert first >= done
        result += source[done:first]
        done = first
        position += 1
        taken = added = 0
        while position < len(lines) and not lines[position].startswith("@@"):
            kind, line = lines[position][0], lines[position][1:]
            if kind in " -":
                assert source[done] == line, (source[done], line)
                done += 1
                taken += 1
            if kind in " +":
                result.append(line)
                added += 1
            position += 1
        assert (taken, added) == (old_count, new_count)
    return "".join(result + source[done:])


# --- random edits, applied in passes as the fixer does ----------------------------------------


@st.composite
def pass_edits(draw: st.DrawFn, text: str) -> list[TextEdit]:
    """Edits that do not conflict, as one fix pass makes them."""
    points = sorted(draw(st.lists(st.integers(0, len(text)), max_size=8)))
    edits: list[TextEdit] = []
    for start, end in zip(points[::2], points[1::2], strict=False):
        if edits and (start < edits[-1].span.end or start == edits[-1].span.start):
            continue
        edits.append(TextEdit(Span(start, end), draw(NEW_TEXT)))
    return edits


@st.composite
def fixed_texts(draw: st.DrawFn) -> tuple[str, str, list[Changed]]:
    """(old text, text after one to three passes of edits, what the passes changed)."""
    old = "".join(line + "\n" for line in draw(st.lists(LINE, max_size=14)))
    if draw(st.booleans()):
        old = old.removesuffix("\n")
    text, changed = old, []
    for _ in range(draw(st.integers(1, 3))):
        edits = draw(pass_edits(text))
        changed = compose(changed, edits)
        text = apply_edits(text, edits)
    return old, text, changed


def a_change(before: str, after: str, changed: Sequence[Changed], bom: bool = False) -> FileChange:
    snapshot = Snapshot(Path("n.md"), 0, 0, "", bom)
    return FileChange("n.md", "n.md", before, after, 1, snapshot, tuple(changed))


def difflib_diff(change: FileChange) -> str:
    """What `unified_diff` printed before it compared only the changed lines."""
    bom = "\ufeff" if change.snapshot.has_bom else ""
    out: list[str] = []
    for line in difflib.unified_diff(
        _lf_lines(bom + change.before), _lf_lines(bom + change.after), "a/n.md", "b/n.md"
    ):
        out.append(line)
        if not line.endswith("\n"):
            out.append("\n\\ No newline at end of file\n")
    return "".join(out)


def minimal_alignments(old: list[str], new: list[str]) -> tuple[int, int]:
    """(fewest changed lines of any diff, how many alignments reach it), by dynamic programming."""
    longest = [[0] * (len(new) + 1) for _ in range(len(old) + 1)]
    ways = [[1] * (len(new) + 1) for _ in range(len(old) + 1)]
    for i in reversed(range(len(old))):
        for j in reversed(range(len(new))):
            pair = 1 + longest[i + 1][j + 1] if old[i] == new[j] else 0
            best = max(pair, longest[i + 1][j], longest[i][j + 1])
            longest[i][j] = best
            # Alignments through the pair, skipping old[i], skipping new[j]; the last two
            # both count those that skip both.
            count = ways[i + 1][j + 1] if pair == best else 0
            count += ways[i + 1][j] if longest[i + 1][j] == best else 0
            count += ways[i][j + 1] if longest[i][j + 1] == best else 0
            count -= ways[i + 1][j + 1] if longest[i + 1][j + 1] == best else 0
            ways[i][j] = count
    return len(old) + len(new) - 2 * longest[0][0], ways[0][0]


def changed_lines(diff: str) -> int:
    return sum(line[:1] in "+-" for line in _diff_lines(diff)[2:])


def is_the_one_minimal_diff(change: FileChange, diff: str) -> bool:
    bom = "\ufeff" if change.snapshot.has_bom else ""
    fewest, ways = minimal_alignments(_lf_lines(bom + change.before), _lf_lines(bom + change.after))
    return ways == 1 and changed_lines(diff) == fewest


# --- the properties ---------------------------------------------------------------------------


def test_the_strict_patch_takes_difflib_diffs() -> None:
    # The checker itself, on a diff of known shape: a change in the middle, none at the end.
    old, new = "1\n2\n3\n4\n5\n6\n7\n8\n9", "1\n2\n3\n4\nfive\n6\n7\n8\n9"
    assert apply_diff(old, difflib_diff(a_change(old, new, []))) == new


@SETTINGS
@given(fixed_texts(), st.booleans())
def test_the_diff_applied_to_the_old_text_gives_the_new_text(
    case: tuple[str, str, list[Changed]], bom: bool
) -> None:
    old, new, changed = case
    mark = "\ufeff" if bom else ""
    assert apply_diff(mark + old, unified_diff(a_change(old, new, changed, bom))) == mark + new


@SETTINGS
@given(fixed_texts())
def test_the_diff_is_difflibs_where_both_find_the_one_minimal_alignment(
    case: tuple[str, str, list[Changed]],
) -> None:
    change = a_change(*case)
    ours, theirs = unified_diff(change), difflib_diff(change)
    if is_the_one_minimal_diff(change, ours) and is_the_one_minimal_diff(change, theirs):
        assert ours == theirs


def test_two_minimal_alignments_may_differ_from_difflib() -> None:
    # Why the property above asks for one minimal alignment: an END inserted after an END.
    old = "START\nEND\n"
    edits = [TextEdit(Span(6, 6), "ID: 1\nEND\n")]
    change = a_change(old, apply_edits(old, edits), compose([], edits))
    assert unified_diff(change).endswith("@@ -1,2 +1,4 @@\n START\n+ID: 1\n+END\n END\n")
    assert difflib_diff(change).endswith("@@ -1,2 +1,4 @@\n START\n+ID: 1\n END\n+END\n")


@SETTINGS
@given(st.lists(notes(), min_size=1, max_size=4).map("\n".join), CONFIGS)
def test_the_fixers_diff_is_difflibs_where_difflib_finds_the_one_minimal_alignment(
    text: str, config: Config
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        Path(folder, "n.md").write_bytes(text.encode("utf-8"))
        index = VaultIndex()
        index.set_note("n.md", parse_note(text.removeprefix("\ufeff")))
        generator = IdGenerator(now_ms=lambda: NOW)
        outcome = fix_vault(Path(folder), index, config, ["n.md"], FixMode.DIFF, generator)
    for change in outcome.changes:
        theirs = difflib_diff(change)
        if is_the_one_minimal_diff(change, theirs):
            assert unified_diff(change) == theirs


def test_the_diff_of_many_scattered_fixes_takes_linear_time(tmp_path: Path) -> None:
    # difflib over the whole note paired each unchanged run anew: 5,000 cards without IDs
    # (140 KB): 6 s; 10,000: about 25 s.
    (tmp_path / "n.md").write_text(
        "".join(f"START\nBasic\nFront: q{n}\nEND\n" for n in range(10_000)), encoding="utf-8"
    )
    code = """
        import sys
        from notels.cli import main
        assert main(["check", "--diff", sys.argv[1]]) == 1
    """
    done = runs_within(code, 8, str(tmp_path))
    assert done.stdout.count("\n+ID: ") == 10_000
