"""Properties of every fix on random notes of this dialect (cards, frontmatter, Cyrillic, CRLF)."""

from __future__ import annotations

import os
from collections import Counter
from itertools import pairwise

from edit_helpers import PATH, Vault, remove_insertions
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from notels.config import Config, IdStyle
from notels.edits import fixes as fixes_module
from notels.edits.fixes import Fix, safe_fixes
from notels.edits.text_edit import TextEdit, apply_edits, check_edits
from notels.syntax.note import parse_note

IDS = ["1737306548883", "1737306548884", "1700000000000"]
WORD = st.text(
    alphabet="абвгдеёжзийклмнопрстуфхцчшщыьэюяАБВГДxyz019🎉😀$\\_", min_size=1, max_size=8
)
TEXT_LINE = st.lists(WORD, min_size=1, max_size=6).map(" ".join)


@st.composite
def card_lines(draw: st.DrawFn) -> list[str]:
    lines = [draw(st.sampled_from(["START", "START", "START", "START", "START ", "START x"]))]
    if draw(st.booleans()):
        lines.append(draw(st.sampled_from(["Basic", "math_complex"])))
    for _ in range(draw(st.integers(0, 3))):
        kind = draw(st.sampled_from(["field", "field", "text", "blank", "id", "loose-id"]))
        if kind == "field":
            name = draw(st.sampled_from(["FRONT", "BACK", "FORMULA", "ADDITIONAL"]))
            lines.append(f"{name}: {draw(TEXT_LINE)}")
        elif kind == "text":
            lines.append(draw(TEXT_LINE))
        elif kind == "blank":
            lines.append(draw(st.sampled_from(["", "  "])))
        elif kind == "id":
            lines.append(f"ID: {draw(st.sampled_from(IDS))}")
        else:
            lines.append(f"ID:{draw(st.sampled_from(IDS))}")
    if draw(st.booleans()):
        lines.append(f"Tags: {draw(WORD)}")
    ending = draw(st.sampled_from(["id", "comment-id", "none", "none"]))
    if ending == "id":
        lines.append(f"ID: {draw(st.sampled_from(IDS))}")
    elif ending == "comment-id":
        lines.append(f"<!--ID: {draw(st.sampled_from(IDS))}-->")
    lines.append(draw(st.sampled_from(["END", "END", "END", "ENDPOINT: x", ""])))
    return lines


@st.composite
def frontmatter_lines(draw: st.DrawFn) -> list[str]:
    tags = draw(
        st.lists(st.sampled_from(["fix/empty", "фикс/empty", "тема", "ml/core"]), max_size=3)
    )
    style = draw(st.sampled_from(["block", "flow", "string", "comma", "none", "empty"]))
    lines = ["---"]
    if draw(st.booleans()):
        lines.append("created: 2025-01-19 23:46")
    if style == "block":
        lines += ["tags:", *(f"  - {tag}" for tag in tags)]
    elif style == "flow":
        lines.append(f"tags: [{', '.join(tags)}]")
    elif style == "string":
        lines.append(f"tags: {' '.join(tags)}")
    elif style == "comma":
        lines.append(f"tags: {', '.join(tags)}")
    elif style == "empty":
        lines.append("tags:")
    if draw(st.booleans()):
        lines += ["parent:", '  - "[[Родитель]]"']
    lines.append("---")
    return lines


@st.composite
def notes(draw: st.DrawFn) -> str:
    lines: list[str] = []
    if draw(st.booleans()):
        lines += draw(frontmatter_lines())
    for _ in range(draw(st.integers(0, 5))):
        kind = draw(st.sampled_from(["text", "card", "card", "heading", "blank", "tag", "deck"]))
        if kind == "text":
            lines.append(draw(TEXT_LINE))
        elif kind == "card":
            lines += draw(card_lines())
        elif kind == "heading":
            lines.append(f"## {draw(TEXT_LINE)}")
        elif kind == "blank":
            lines.append("")
        elif kind == "tag":
            lines.append(f"{draw(TEXT_LINE)} #fix/empty {draw(st.sampled_from(['', 'x']))}")
        else:
            lines.append("TARGET DECK: stem::ml")
    if draw(st.booleans()):
        lines.append(" ".join(["слово"] * 25))  # enough words to make fix/empty stale
    eol = draw(st.sampled_from(["\n", "\r\n"]))
    text = eol.join(lines)
    final_newline = draw(st.booleans())
    if lines and final_newline:
        text += eol
    if draw(st.integers(0, 4)) == 0:
        text = "\ufeff" + text
    return text


CONFIGS = st.sampled_from([Config(), Config(id_style=IdStyle.COMMENT)])
SETTINGS = settings(
    max_examples=int(os.environ.get("NOTELS_EXAMPLES", "300")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def all_fixes(text: str, config: Config) -> list[Fix]:
    """Every fix offered for every finding of `text` (a duplicate of IDS[0] lives elsewhere)."""
    vault = Vault({PATH: text, "Other.md": f"START\nBasic\nFRONT: q\nID: {IDS[0]}\nEND\n"}, config)
    return [fix for code in {f.code for f in vault.findings()} for fix in vault.fixes(code)]


@SETTINGS
@given(notes(), CONFIGS)
def test_fix_edits_stay_inside_their_ranges(text: str, config: Config) -> None:
    for fix in all_fixes(text, config):
        edits = check_edits(text, fix.edits)
        result = apply_edits(text, edits)
        # Independently of how apply_edits splices: everything before the first edit and after
        # the last one is the same code points, hence the same UTF-8 bytes.
        head, tail = edits[0].span.start, len(text) - edits[-1].span.end
        assert result[:head] == text[:head]
        assert result[len(result) - tail :] == text[len(text) - tail :]
        assert result.encode("utf-8").startswith(text[:head].encode("utf-8"))
        assert result.encode("utf-8").endswith(text[len(text) - tail :].encode("utf-8"))
        # Between two edits, the original text sits where the earlier edits shifted it.
        shift = 0
        for before, after in pairwise(edits):
            shift += len(before.new_text) - len(before.span)
            gap = text[before.span.end : after.span.start]
            at = before.span.end + shift
            assert result[at : at + len(gap)] == gap
        for edit in edits:
            assert "\ufffd" not in edit.new_text


@SETTINGS
@given(notes(), CONFIGS)
def test_insertion_fixes_undo_exactly(text: str, config: Config) -> None:
    for fix in all_fixes(text, config):
        if fix.code not in ("missing-id", "unclosed-block", "swallowed-block", "empty-note"):
            continue
        if fix.code == "empty-note" and "tags:" in text:
            continue  # `tags: ~` must be replaced; the other forms are insertions
        edits = fix.edits
        assert all(edit.is_insertion for edit in edits), fix
        assert remove_insertions(apply_edits(text, edits), edits) == text


@SETTINGS
@given(notes(), CONFIGS)
def test_fixes_keep_a_crlf_file_crlf(text: str, config: Config) -> None:
    if "\n" not in text or text.replace("\r\n", "").count("\n"):
        return
    for fix in all_fixes(text, config):
        result = apply_edits(text, fix.edits)
        assert "\n" not in result.replace("\r\n", ""), fix


@SETTINGS
@given(notes(), CONFIGS)
def test_safe_fixes_reach_a_fixpoint_and_then_change_nothing(text: str, config: Config) -> None:
    current = text
    for _ in range(10):
        vault = Vault({PATH: current}, config)
        edits = safe_fixes(
            PATH, vault.note(), vault.index, vault.config, vault.findings(), vault.generator
        )
        if not edits:
            break
        current = apply_edits(current, edits)
    else:
        raise AssertionError(f"no fixpoint for {text!r}")
    vault = Vault({PATH: current}, config)
    leftover = {finding.code for finding in vault.findings()}
    # What is left of START lines is text after them, or a space whose removal would make a
    # block without an END of its own.
    assert not any(fix.safe for fix in vault.fixes("start-trailing-text"))
    # A stale tag is left only where removing it would change a card (its note type line).
    assert "stale-fix-empty" not in leftover or not any(
        fix.safe for fix in vault.fixes("stale-fix-empty")
    )
    assert current.startswith("\ufeff") == text.startswith("\ufeff")
    assert current.endswith(("\n", "\r\n")) == text.endswith(("\n", "\r\n")) or not text


# Findings a safe fix must never bring: each means a card that syncs is broken by the fix.
_BROKEN_BLOCKS = ("swallowed-block", "unclosed-block", "end-prefix")


@SETTINGS
@given(notes(), CONFIGS)
def test_safe_fixes_never_break_a_block(text: str, config: Config) -> None:
    vault = Vault({PATH: text}, config)
    before = Counter(f.code for f in vault.findings() if f.code in _BROKEN_BLOCKS)
    edits = safe_fixes(
        PATH, vault.note(), vault.index, vault.config, vault.findings(), vault.generator
    )
    fixed = Vault({PATH: apply_edits(text, edits)}, config)
    after = Counter(f.code for f in fixed.findings() if f.code in _BROKEN_BLOCKS)
    assert after <= before, (before, after)


@SETTINGS
@given(notes())
def test_start_trims_judged_together_are_each_safe_alone(text: str) -> None:
    # All trims of whitespace after START are first tried in one scan (a note a template filled
    # with `START ` took a scan per START): those called safe so must each make a whole card
    # alone, as the scan per trim says.
    note = parse_note(text)
    for trailing in fixes_module._safe_start_trims(note):
        assert fixes_module._makes_a_card_alone(note, TextEdit(trailing, ""))
