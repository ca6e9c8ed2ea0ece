"""Offsets <-> positions in every encoding an LSP client may ask for."""

from __future__ import annotations

from unittest import mock

from hypothesis import given
from hypothesis import strategies as st

from notels.syntax import lines as lines_module
from notels.syntax.lines import Encoding, LineIndex

TEXT = "Привет 😀 [[Нет]]\r\nx\ry\n"


def test_utf16_counts_emoji_as_two_units() -> None:
    lines = LineIndex(TEXT)
    offset = TEXT.index("[[")
    assert lines.position(offset, Encoding.UTF16) == (0, 10)
    assert lines.position(offset, Encoding.UTF32) == (0, 9)
    assert lines.position(offset, Encoding.UTF8) == (0, len("Привет 😀 ".encode()))


def test_every_line_terminator_counts() -> None:
    lines = LineIndex(TEXT)
    assert lines.line_count == 4
    assert [lines.line_text(i) for i in range(4)] == ["Привет 😀 [[Нет]]", "x", "y", ""]
    assert lines.position(TEXT.index("y")) == (2, 0)


def test_offsets_inside_a_crlf_map_to_the_line_end() -> None:
    lines = LineIndex(TEXT)
    cr = TEXT.index("\r")
    assert lines.position(cr + 1) == lines.position(cr)


def test_out_of_range_positions_are_clamped() -> None:
    lines = LineIndex("ab\ncd")
    assert lines.offset(99, 0) == 5
    assert lines.offset(0, 99) == 2
    assert lines.offset(-1, 0) == 0
    assert lines.position(999) == (1, 2)


def test_a_character_inside_a_surrogate_pair_rounds_down() -> None:
    lines = LineIndex("😀x")
    assert lines.offset(0, 1, Encoding.UTF16) == 0
    assert lines.offset(0, 2, Encoding.UTF16) == 1


def test_no_final_newline_and_empty_text() -> None:
    assert LineIndex("").position(0) == (0, 0)
    assert LineIndex("abc").line_count == 1


@given(st.lists(st.sampled_from(["a", "я", "😀", "\n", "\r", "\r\n", "\t", "𝔸"])).map("".join))
def test_position_and_offset_round_trip(text: str) -> None:
    lines = LineIndex(text)
    for encoding in Encoding:
        for offset in range(len(text) + 1):
            line, character = lines.position(offset, encoding)
            back = lines.offset(line, character, encoding)
            # Offsets inside a line terminator come back as the line's end.
            assert back == min(offset, lines.line_end(line))


def _reference_offset(lines: LineIndex, line: int, character: int, encoding: Encoding) -> int:
    """offset() by counting each character's units, as the protocol defines it."""
    if line < 0:
        return 0
    if line >= lines.line_count:
        return len(lines.text)
    offset, end, units = lines.line_start(line), lines.line_end(line), 0
    while offset < end:
        width = len(lines.text[offset].encode(_CODECS[encoding], "surrogatepass"))
        width //= 2 if encoding is Encoding.UTF16 else 4 if encoding is Encoding.UTF32 else 1
        if units + width > character:
            break
        units += width
        offset += 1
    return offset


_CODECS = {Encoding.UTF8: "utf-8", Encoding.UTF16: "utf-16-le", Encoding.UTF32: "utf-32-le"}


@given(
    st.text(alphabet=st.characters(exclude_categories=()), max_size=60),  # surrogates too
    st.integers(-1, 4),
    st.integers(-1, 80),
    st.sampled_from(list(Encoding)),
)
def test_offset_counts_units_like_the_protocol(
    text: str, line: int, character: int, encoding: Encoding
) -> None:
    """The fast paths (ASCII, BMP-only UTF-16, UTF-8 by encoding) agree with counting units,
    lone surrogates and characters cut in half included."""
    lines = LineIndex(text)
    assert lines.offset(line, character, encoding) == _reference_offset(
        lines, line, character, encoding
    )


@given(
    st.text(alphabet="ab\nя😀\r", max_size=40),
    st.integers(0, 40),
    st.integers(0, 6),
    st.text(alphabet="xя😀\n\r", max_size=3),
)
def test_an_edited_index_equals_a_fresh_one(
    text: str, start: int, length: int, inserted: str
) -> None:
    """Typing within a line shifts the line starts instead of searching again; line breaks
    typed or deleted, and texts with carriage returns, are indexed from scratch."""
    start = min(start, len(text))
    end = min(start + length, len(text))
    old = LineIndex(text)
    assert old.line_count >= 1  # built, as the editor's index is when an edit arrives
    new_text = text[:start] + inserted + text[end:]
    edited = old.edited(new_text, start, end, inserted)
    fresh = LineIndex(new_text)
    assert edited.line_count == fresh.line_count
    for line in range(fresh.line_count):
        assert (edited.line_start(line), edited.line_end(line)) == (
            fresh.line_start(line),
            fresh.line_end(line),
        )


def _reference_position(lines: LineIndex, offset: int, encoding: Encoding) -> tuple[int, int]:
    """position() by encoding the line up to the offset, as the protocol defines it."""
    offset = min(max(offset, 0), len(lines.text))
    line = lines.line_of(offset)
    segment = lines.text[lines.line_start(line) : min(offset, lines.line_end(line))]
    width = 2 if encoding is Encoding.UTF16 else 4 if encoding is Encoding.UTF32 else 1
    return line, len(segment.encode(_CODECS[encoding], "surrogatepass")) // width


@given(
    st.text(alphabet=st.characters(exclude_categories=()), max_size=40),  # surrogates too
    st.integers(1, 5),
)
def test_long_lines_count_from_checkpoints_as_from_their_start(text: str, stride: int) -> None:
    """Columns past `_STRIDE` characters are counted from the nearest checkpoint of their line
    (a long line's positions cost its length each otherwise): the same answers, checked with
    checkpoints every few characters."""
    with mock.patch.object(lines_module, "_STRIDE", stride):
        lines = LineIndex(text)
        for encoding in Encoding:
            for offset in range(-1, len(text) + 2):
                assert lines.position(offset, encoding) == _reference_position(
                    lines, offset, encoding
                )
            for line in range(lines.line_count):
                for character in range(-1, 4 * (lines.line_end(line) - lines.line_start(line)) + 2):
                    assert lines.offset(line, character, encoding) == _reference_offset(
                        lines, line, character, encoding
                    )


@given(
    st.lists(st.sampled_from(["a", "я", "😀", "\n", "\n", "\r", "\r\n", "\ud800", "x" * 700])).map(
        "".join
    ),
    st.data(),
    st.sampled_from(list(Encoding)),
)
def test_the_first_positions_asked_before_the_lines_are_listed_are_the_same(
    text: str, data: st.DataObject, encoding: Encoding
) -> None:
    """A fresh LineIndex answers its first positions by scanning the text: the same answers as
    from its listed line starts (clamped offsets, CR breaks and long lines included)."""
    offsets = data.draw(
        st.lists(st.integers(min_value=-2, max_value=len(text) + 2), min_size=1, max_size=6)
    )
    listed = LineIndex(text)
    assert listed.line_count >= 1  # lists the line starts
    fresh = LineIndex(text)
    assert [fresh.position(o, encoding) for o in offsets] == [
        listed.position(o, encoding) for o in offsets
    ]


@given(
    st.lists(st.sampled_from(["a", "я", "😀", "\n", "\r", "\r\n", "\ud800", "x" * 700])).map(
        "".join
    ),
    st.data(),
    st.sampled_from(list(Encoding)),
    st.booleans(),
)
def test_a_spans_two_positions_are_those_of_its_ends(
    text: str, data: st.DataObject, encoding: Encoding, listed: bool
) -> None:
    lines = LineIndex(text)
    if listed:
        assert lines.line_count >= 1
    bound = st.integers(min_value=-2, max_value=len(text) + 2)
    for _ in range(3):
        start = data.draw(bound)
        # Mostly a few characters on: spans of one line, ending inside a `\r\n` at times.
        end = (
            start + data.draw(st.integers(min_value=-2, max_value=8))
            if data.draw(st.booleans())
            else data.draw(bound)
        )
        expected = (*LineIndex(text).position(start, encoding), *lines.position(end, encoding))
        assert lines.positions(start, end, encoding) == expected


def test_every_span_of_a_small_text_has_the_positions_of_its_ends() -> None:
    text = "ab\r\nя😀\rc\n\ud800\r\n"
    for encoding in Encoding:
        lines = LineIndex(text)
        assert lines.line_count == 5
        for start in range(-1, len(text) + 2):
            for end in range(-1, len(text) + 2):
                expected = (*lines.position(start, encoding), *lines.position(end, encoding))
                assert lines.positions(start, end, encoding) == expected, (start, end)
