"""How notels reads frontmatter: where it is, what it holds, and where each value sits in the note."""

from __future__ import annotations

import datetime

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from notels.syntax import frontmatter as frontmatter_module
from notels.syntax.frontmatter import (
    frontmatter_link_targets,
    frontmatter_links,
    frontmatter_tags,
    parse_frontmatter,
)
from notels.syntax.model import Frontmatter, YamlEntry
from notels.syntax.spans import Span

SAMPLE = (
    "---\n"
    "aliases: \n"
    "anki: false\n"
    "created: 2025-01-19 23:46\n"
    "parent:\n"
    '  - "[[Feature Representation]]"\n'
    "connected: \n"
    "tags:\n"
    "  - fix/empty\n"
    "---\n"
    "In every case embeddings give a compact vector representation ...\n"
    "- [[Word Embeddings]] ([[Word2Vec]], GloVe, FastText)\n"
)


def parse(text: str) -> Frontmatter:
    frontmatter = parse_frontmatter(text)
    assert frontmatter is not None
    return frontmatter


def entry(frontmatter: Frontmatter, key: str) -> YamlEntry:
    found = frontmatter.entry(key)
    assert found is not None, key
    return found


def scalar_sources(text: str, found: YamlEntry) -> list[tuple[str, str, str]]:
    """(value, span source, value_span source) of each scalar."""
    return [(s.value, s.span.slice(text), s.value_span.slice(text)) for s in found.scalars]


def links(text: str) -> list[tuple[str, str, str | None]]:
    """(target, link source, key) of each frontmatter link."""
    return [
        (link.target, link.span.slice(text), link.frontmatter_key)
        for link in frontmatter_links(text, parse(text))
    ]


def tags(text: str) -> list[tuple[str, str]]:
    """(name, span source) of each frontmatter tag."""
    found = frontmatter_tags(text, parse(text))
    assert all(tag.in_frontmatter for tag in found)
    return [(tag.name, tag.span.slice(text)) for tag in found]


# --- Where the frontmatter is ---------------------------------------------------------------


def test_the_dialect_sample_note() -> None:
    fm = parse(SAMPLE)
    assert fm.closed and fm.error is None
    assert fm.span.slice(SAMPLE) == SAMPLE[: SAMPLE.index("In every")]
    assert fm.content_span.slice(SAMPLE) == SAMPLE[4 : SAMPLE.index("---\nIn every")]
    assert fm.data == {
        "aliases": None,
        "anki": False,
        "created": "2025-01-19 23:46",
        "parent": ["[[Feature Representation]]"],
        "connected": None,
        "tags": ["fix/empty"],
    }
    assert [e.key for e in fm.entries] == list(fm.data)
    assert [e.key_span.slice(SAMPLE) for e in fm.entries] == list(fm.data)
    assert [e.span.slice(SAMPLE) for e in fm.entries] == [
        "aliases:",
        "anki: false",
        "created: 2025-01-19 23:46",
        'parent:\n  - "[[Feature Representation]]"',
        "connected:",
        "tags:\n  - fix/empty",
    ]
    assert links(SAMPLE) == [
        ("Feature Representation", "[[Feature Representation]]", "parent"),
    ]
    assert tags(SAMPLE) == [("fix/empty", "fix/empty")]


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Just a note.\n",
        "\n---\na: 1\n---\n",  # a blank line first
        "# Title\n---\na: 1\n---\n",
        "----\na: 1\n----\n",
        " ---\na: 1\n---\n",
        "--- a: 1\n---\n",
    ],
)
def test_no_frontmatter_unless_the_first_line_is_three_dashes(text: str) -> None:
    assert parse_frontmatter(text) is None


def test_unclosed_frontmatter_runs_to_the_end_and_is_not_parsed() -> None:
    text = "---\naliases: x\n\nBody with [[Link]]\n"
    fm = parse(text)
    assert not fm.closed
    assert fm.span == Span(0, len(text))
    assert fm.content_span.slice(text) == "aliases: x\n\nBody with [[Link]]\n"
    assert fm.data is None and fm.entries == () and fm.error is None
    assert frontmatter_links(text, fm) == () and frontmatter_tags(text, fm) == ()


@pytest.mark.parametrize("text", ["---", "---\n", "---  \r\n"])
def test_a_lone_opening_line_is_unclosed(text: str) -> None:
    fm = parse(text)
    assert not fm.closed and fm.span == Span(0, len(text))
    assert fm.content_span == Span(len(text), len(text))


@pytest.mark.parametrize("text", ["---\n---\n", "---\n---", "---\n# only a comment\n---\n"])
def test_empty_frontmatter_is_an_empty_mapping(text: str) -> None:
    fm = parse(text)
    assert fm.closed and fm.data == {} and fm.entries == () and fm.error is None
    assert fm.span == Span(0, len(text))


def test_delimiters_may_have_trailing_spaces_and_tabs() -> None:
    text = "--- \t\nanki: true\n---   \nBody\n"
    fm = parse(text)
    assert fm.span.slice(text) == "--- \t\nanki: true\n---   \n"
    assert fm.content_span.slice(text) == "anki: true\n"
    assert fm.data == {"anki": True}


def test_the_first_closing_line_ends_it() -> None:
    text = "---\na: 1\n---\nBody\n---\nb: 2\n---\n"
    fm = parse(text)
    assert fm.span.slice(text) == "---\na: 1\n---\n"
    assert fm.data == {"a": 1}


def test_crlf_line_endings() -> None:
    text = '---\r\nparent: "[[A]]"\r\ntags:\r\n  - x\r\n---\r\nBody\r\n'
    fm = parse(text)
    assert fm.span.slice(text) == '---\r\nparent: "[[A]]"\r\ntags:\r\n  - x\r\n---\r\n'
    assert fm.content_span.slice(text) == 'parent: "[[A]]"\r\ntags:\r\n  - x\r\n'
    assert fm.data == {"parent": "[[A]]", "tags": ["x"]}
    assert entry(fm, "tags").span.slice(text) == "tags:\r\n  - x"
    assert links(text) == [("A", "[[A]]", "parent")]
    assert tags(text) == [("x", "x")]


def test_lone_cr_line_endings() -> None:
    text = "---\ra: x\rb: '[[B]]'\r---\rBody"
    fm = parse(text)
    assert fm.span.slice(text) == "---\ra: x\rb: '[[B]]'\r---\r"
    assert scalar_sources(text, entry(fm, "b")) == [("[[B]]", "'[[B]]'", "[[B]]")]
    assert links(text) == [("B", "[[B]]", "b")]


def test_a_leading_bom_is_skipped() -> None:
    text = '\ufeff---\nparent: "[[A]]"\n---\nBody'
    fm = parse(text)
    assert fm.span.start == 1
    assert fm.span.slice(text) == '---\nparent: "[[A]]"\n---\n'
    assert links(text) == [("A", "[[A]]", "parent")]


# --- Values as written, where they are written ----------------------------------------------


def test_cyrillic_and_emoji_do_not_shift_offsets() -> None:
    # Marks count code points, like Python offsets; an emoji is one, not two (UTF-16) or four.
    text = (
        "---\n"
        "aliases:\n"
        '  - "Эмбеддинги 😀"\n'
        "  - Векторы\n"
        'connected: "😀🎉 see [[Word2Vec|ворд]]"\n'
        "---\n"
    )
    fm = parse(text)
    assert scalar_sources(text, entry(fm, "aliases")) == [
        ("Эмбеддинги 😀", '"Эмбеддинги 😀"', "Эмбеддинги 😀"),
        ("Векторы", "Векторы", "Векторы"),
    ]
    (link,) = frontmatter_links(text, fm)
    assert link.span.slice(text) == "[[Word2Vec|ворд]]"
    assert link.target_span.slice(text) == "Word2Vec"
    assert link.alias_span is not None and link.alias_span.slice(text) == "ворд"


def test_yaml_line_separators_do_not_shift_offsets() -> None:
    # YAML breaks lines at U+2028 and U+0085 too; the positions must follow it.
    text = '---\na: "x\u2028y\x85z"\nparent: "[[P]]"\n---\n'
    assert links(text) == [("P", "[[P]]", "parent")]


def test_quoted_wikilinks_in_a_list_and_as_a_single_value() -> None:
    text = (
        "---\n"
        "parent:\n"
        '  - "[[Set (math)]]"\n'
        "  - '[[Topology#Open sets]]'\n"
        'connected: "[[Subset]]"\n'
        "---\n"
    )
    fm = parse(text)
    assert scalar_sources(text, entry(fm, "parent")) == [
        ("[[Set (math)]]", '"[[Set (math)]]"', "[[Set (math)]]"),
        ("[[Topology#Open sets]]", "'[[Topology#Open sets]]'", "[[Topology#Open sets]]"),
    ]
    assert links(text) == [
        ("Set (math)", "[[Set (math)]]", "parent"),
        ("Topology", "[[Topology#Open sets]]", "parent"),
        ("Subset", "[[Subset]]", "connected"),
    ]


def test_an_unquoted_wikilink_is_one_scalar_though_yaml_reads_a_nested_list() -> None:
    text = '---\nparent:\n  - [[X]]\nconnected: [[Y|why]]\nrelated: ["[[Z]]", [[W]]]\n---\n'
    fm = parse(text)
    assert fm.data is not None and fm.data["parent"] == [[["X"]]]  # PyYAML's view, kept
    assert scalar_sources(text, entry(fm, "parent")) == [("[[X]]", "[[X]]", "[[X]]")]
    assert scalar_sources(text, entry(fm, "connected")) == [("[[Y|why]]", "[[Y|why]]", "[[Y|why]]")]
    assert links(text) == [
        ("X", "[[X]]", "parent"),
        ("Y", "[[Y|why]]", "connected"),
        ("Z", "[[Z]]", "related"),
        ("W", "[[W]]", "related"),
    ]


def test_link_targets_alone_are_the_links_targets_unescaped() -> None:
    # What a note's summary takes of its frontmatter links: their non-empty targets.
    text = (
        "---\n"
        "parent: '[[It''s]]'\n"
        'connected:\n  - "[[Caf\\u00e9#H]]"\n  - "[[ ]]"\n  - "[[#Own]]"\n  - [[X|x]]\n'
        "---\n"
    )
    fm = parse(text)
    assert [link.target for link in frontmatter_links(text, fm)] == ["It's", "Café", "", "X"]
    assert frontmatter_link_targets(text, fm) == ["It's", "Café", "X"]


def test_created_keeps_its_text() -> None:
    text = '---\ncreated: 2025-01-19 23:46\nupdated: "2026-09-20"\ndate: 2026-09-20\n---\n'
    fm = parse(text)
    # PyYAML's timestamp needs seconds: `2025-01-19 23:46` stays a string; a bare date does not.
    assert fm.data == {
        "created": "2025-01-19 23:46",
        "updated": "2026-09-20",
        "date": datetime.date(2026, 9, 20),
    }
    assert scalar_sources(text, entry(fm, "created")) == [
        ("2025-01-19 23:46", "2025-01-19 23:46", "2025-01-19 23:46")
    ]
    assert scalar_sources(text, entry(fm, "updated")) == [
        ("2026-09-20", '"2026-09-20"', "2026-09-20")
    ]
    assert [s.value for s in entry(fm, "date").scalars] == ["2026-09-20"]


def test_booleans_and_numbers_keep_their_text() -> None:
    text = "---\nanki: true\nrank: 3\n---\n"
    fm = parse(text)
    assert fm.data == {"anki": True, "rank": 3}
    assert scalar_sources(text, entry(fm, "anki")) == [("true", "true", "true")]
    assert scalar_sources(text, entry(fm, "rank")) == [("3", "3", "3")]


@pytest.mark.parametrize("value", ["", " ", " ~", " null"])
def test_an_empty_value_is_null_with_no_scalars(value: str) -> None:
    text = f"---\naliases:{value}\nanki: false\n---\n"
    fm = parse(text)
    assert fm.error is None
    assert fm.data == {"aliases": None, "anki": False}
    aliases = entry(fm, "aliases")
    assert aliases.scalars == ()
    assert aliases.span.slice(text) == f"aliases:{value}".rstrip()


def test_an_empty_quoted_string_is_a_scalar() -> None:
    text = '---\naliases: ""\n---\n'
    assert scalar_sources(text, entry(parse(text), "aliases")) == [("", '""', "")]


def test_escapes_are_decoded_in_the_value_but_not_in_the_source() -> None:
    text = '---\na: "tab\\there"\n---\n'
    assert scalar_sources(text, entry(parse(text), "a")) == [
        ("tab\there", '"tab\\there"', "tab\\there")
    ]


def test_nested_values_give_their_leaf_scalars_in_order() -> None:
    text = "---\nmeta:\n  source: '[[Book]]'\n  pages: [1, [2, 3]]\n  note:\n---\n"
    fm = parse(text)
    assert fm.data == {"meta": {"source": "[[Book]]", "pages": [1, [2, 3]], "note": None}}
    meta = entry(fm, "meta")
    assert [s.value for s in meta.scalars] == ["[[Book]]", "1", "2", "3"]
    assert meta.span.slice(text) == "meta:\n  source: '[[Book]]'\n  pages: [1, [2, 3]]\n  note:"
    assert links(text) == [("Book", "[[Book]]", "meta")]


def test_a_block_scalar() -> None:
    text = "---\nsummary: |\n  See [[A]].\n\n  Then more.\n\nanki: true\n---\n"
    fm = parse(text)
    summary = entry(fm, "summary")
    assert summary.span.slice(text) == "summary: |\n  See [[A]].\n\n  Then more."
    assert scalar_sources(text, summary) == [
        (
            "See [[A]].\n\nThen more.\n",
            "|\n  See [[A]].\n\n  Then more.",
            "  See [[A]].\n\n  Then more.",
        )
    ]
    assert links(text) == [("A", "[[A]]", "summary")]


def test_a_block_list_ends_at_its_last_item_not_at_a_comment_after_it() -> None:
    text = "---\ntags:\n  - a\n# [[Not a link]]\n\nanki: true # [[Nor this]]\n---\n"
    fm = parse(text)
    assert entry(fm, "tags").span.slice(text) == "tags:\n  - a"
    assert entry(fm, "anki").span.slice(text) == "anki: true"
    assert links(text) == []


def test_anchors_tags_and_aliases() -> None:
    text = '---\nparent: &p "[[A]]"\nsame: *p\nflag: !!str yes\n---\n'
    fm = parse(text)
    assert fm.data == {"parent": "[[A]]", "same": "[[A]]", "flag": "yes"}
    # Properties are not part of the value's source.
    assert scalar_sources(text, entry(fm, "parent")) == [("[[A]]", '"[[A]]"', "[[A]]")]
    assert scalar_sources(text, entry(fm, "flag")) == [("yes", "yes", "yes")]
    # An alias has no source of its own (its node is the anchor's): no scalars, no second link.
    assert entry(fm, "same").scalars == ()
    assert links(text) == [("A", "[[A]]", "parent")]


def test_keys_are_kept_as_written() -> None:
    text = "---\n1: one\n'quoted key': two\ntrue: three\n---\n"
    fm = parse(text)
    assert fm.data == {"1": "one", "quoted key": "two", "true": "three"}
    assert [(e.key, e.key_span.slice(text)) for e in fm.entries] == [
        ("1", "1"),
        ("quoted key", "'quoted key'"),
        ("true", "true"),
    ]


def test_duplicate_keys_keep_both_entries_and_the_last_value() -> None:
    text = "---\ntags: a\ntags: b\n---\n"
    fm = parse(text)
    assert fm.data == {"tags": "b"}
    assert [e.span.slice(text) for e in fm.entries] == ["tags: a", "tags: b"]
    assert fm.entry("tags") == fm.entries[0]


@pytest.mark.parametrize("content", ["- a\n- b\n", "just text\n", "[1, 2]\n", "42\n"])
def test_a_document_that_is_not_a_mapping_has_no_data_and_no_error(content: str) -> None:
    fm = parse(f"---\n{content}---\n")
    assert fm.data is None and fm.entries == () and fm.error is None


def test_tabs_may_separate_but_not_indent() -> None:
    text = "---\nanki:\ttrue\t\nparent:\t'[[A]]'\n---\n"
    fm = parse(text)
    assert fm.data == {"anki": True, "parent": "[[A]]"}
    assert scalar_sources(text, entry(fm, "parent")) == [("[[A]]", "'[[A]]'", "[[A]]")]

    text = "---\nanki: true\nparent:\n\t- '[[A]]'\n---\n"
    fm = parse(text)
    assert fm.data is None and fm.error is not None
    assert "cannot start any token" in fm.error.message
    assert text[fm.error.offset :].startswith("\t- '[[A]]'")


# --- Tags -----------------------------------------------------------------------------------


def test_tags_as_a_list() -> None:
    text = "---\ntags:\n  - content/definition\n  - фикс/анки\n  - '#quoted'\n---\n"
    assert tags(text) == [
        ("content/definition", "content/definition"),
        ("фикс/анки", "фикс/анки"),
        ("quoted", "quoted"),
    ]


@pytest.mark.parametrize(
    "value", ["a b/c фикс", "a, b/c, фикс", "a,b/c ,фикс", "'#a #b/c #фикс'", "[a, '#b/c', фикс]"]
)
def test_tags_as_a_string_or_flow_list(value: str) -> None:
    text = f"---\ntags: {value}\n---\n"
    assert tags(text) == [("a", "a"), ("b/c", "b/c"), ("фикс", "фикс")]


def test_the_tag_key_and_any_case_count() -> None:
    text = "---\ntag: one\nTags: two\n---\n"
    assert tags(text) == [("one", "one"), ("two", "two")]


def test_an_empty_tags_key_has_no_tags() -> None:
    assert tags("---\ntags:\n---\n") == []
    assert tags("---\ntags: '#'\n---\n") == []


def test_quoted_tags_in_connected() -> None:
    text = '---\nconnected:\n  - "[[Link#Heading]]"\n  - "#обс/linking"\n---\n'
    assert tags(text) == [("обс/linking", "обс/linking")]
    assert links(text) == [("Link", "[[Link#Heading]]", "connected")]


def test_other_keys_hold_no_tags() -> None:
    assert tags("---\naliases: '#not-a-tag'\ntopic: x\n---\n") == []


# --- Errors ---------------------------------------------------------------------------------


def test_a_yaml_error_points_where_pyyaml_stopped() -> None:
    text = "---\naliases:\nkey: value: other\n---\nBody\n"
    fm = parse(text)
    assert fm.closed and fm.data is None and fm.error is not None
    assert fm.error.message.startswith("mapping values are not allowed")
    assert fm.error.offset == text.index(": other")


def test_bad_indentation_is_reported_on_its_line() -> None:
    text = "---\nparent:\n  - '[[A]]'\n - '[[B]]'\n---\n"
    fm = parse(text)
    assert fm.data is None and fm.error is not None
    assert fm.error.message == "did not find expected key"
    assert text[fm.error.offset :].startswith("- '[[B]]'")


def test_entries_before_an_error_are_kept() -> None:
    # Links keep working while the user is halfway through typing a line.
    text = "---\nparent:\n  - '[[A]]'\n - '[[B]]'\n---\n"
    fm = parse(text)
    assert [e.key for e in fm.entries] == ["parent"]
    assert links(text) == [("A", "[[A]]", "parent")]


def test_an_unclosed_quote() -> None:
    text = '---\nanki: true\nparent: "[[A]]\n---\n'
    fm = parse(text)
    assert fm.data is None and fm.error is not None
    assert fm.content_span.contains(fm.error.offset)
    assert [e.key for e in fm.entries] == ["anki"]


def test_a_control_character_is_an_error_at_that_character() -> None:
    text = "---\naliases: Эмб\x01\n---\n"
    fm = parse(text)
    assert fm.data is None and fm.entries == () and fm.error is not None
    assert "#x0001" in fm.error.message
    assert fm.error.offset == text.index("\x01")


def test_a_lone_surrogate_is_an_error_at_that_character() -> None:
    text = "---\na: 😀\ud800\n---\n"
    fm = parse(text)
    assert fm.error is not None and fm.error.offset == text.index("\ud800")


def test_a_value_pyyaml_cannot_build_is_an_error_at_that_value() -> None:
    text = "---\ncreated: !!int 12a\nparent: '[[A]]'\n---\n"
    fm = parse(text)
    assert fm.data is None and fm.error is not None
    assert fm.error.offset == text.index("!!int 12a")
    assert links(text) == [("A", "[[A]]", "parent")]  # the node tree was fine


def test_a_date_that_does_not_exist_is_its_text_as_obsidian_reads_it() -> None:
    # PyYAML refuses to build 2025-13-45; js-yaml (Obsidian) makes a date of it: no YAML error
    # (invalid-created reports the date).
    text = "---\ncreated: 2025-13-45\nold: [2025-02-30, 2024-02-29]\n---\n"
    fm = parse(text)
    assert fm.error is None
    assert fm.data == {"created": "2025-13-45", "old": ["2025-02-30", datetime.date(2024, 2, 29)]}


@pytest.mark.parametrize(
    "value", ["!!bool maybe", "!!timestamp x", "!!int x", "!!int ''", "!!binary é"]
)
def test_explicit_tags_that_do_not_fit_are_errors(value: str) -> None:
    text = f"---\na: {value}\n---\n"
    fm = parse(text)
    assert fm.data is None and fm.error is not None
    assert fm.error.offset == text.index("!!")


def test_deep_nesting_is_an_error() -> None:
    fm = parse("---\na: " + "[" * 5000 + "\n---\n")
    assert fm.data is None and fm.error is not None


# --- Both parsers agree ---------------------------------------------------------------------


def test_pure_python_fallback_gives_the_same_result(monkeypatch: pytest.MonkeyPatch) -> None:
    texts = [SAMPLE, "---\nconnected: [[A]]\na: 'Б😀 [[B]]'\n---\n", "---\nkey: value: x\n---\n"]
    fast = [parse(text) for text in texts]
    monkeypatch.setattr(frontmatter_module, "_Loader", yaml.SafeLoader)
    slow = [parse(text) for text in texts]
    assert [(f.data, f.entries) for f in fast] == [(s.data, s.entries) for s in slow]
    assert [f.error is None for f in fast] == [s.error is None for s in slow]


# --- Never raises, always in bounds ---------------------------------------------------------

FRAGMENTS = st.sampled_from(
    [
        "key: value",
        "tags: a #b, c",
        "parent:",
        "- item",
        "  - ",
        '"[[X]]"',
        "'[[Y|y]]'",
        "[[Z]]",
        '"#t/s"',
        "\t",
        ":",
        " ",
        "{",
        "}",
        "[",
        "]",
        ",",
        "&a ",
        "*a",
        "!!str ",
        "!!int ",
        "!!bool ",
        "<<: ",
        "|",
        "~",
        "#",
        '"',
        "'",
        "\\",
        "Привет",
        "😀",
        "\r",
        "\n",
        "\r\n",
        "\u2028",
        "\x01",
        "---",
        "...",
        "2025-01-19 23:46",
    ]
)


def check_invariants(text: str, fm: Frontmatter) -> None:
    def inside(span: Span, outer: Span) -> bool:
        return outer.start <= span.start <= span.end <= outer.end

    assert inside(fm.span, Span(0, len(text)))
    assert inside(fm.content_span, fm.span)
    if fm.error is not None:
        assert fm.data is None
        assert fm.content_span.contains(fm.error.offset)
    for found in fm.entries:
        assert inside(found.key_span, fm.content_span)
        assert inside(found.span, fm.content_span)
        assert found.span.start == found.key_span.start
        for scalar in found.scalars:
            assert inside(scalar.span, fm.content_span)
            assert inside(scalar.value_span, scalar.span)
    targets = [link.target for link in frontmatter_links(text, fm)]
    assert frontmatter_link_targets(text, fm) == [target for target in targets if target]
    for link in frontmatter_links(text, fm):
        assert inside(link.span, fm.content_span)
        assert link.span.slice(text).lstrip("!").startswith("[[")
    for tag in frontmatter_tags(text, fm):
        assert inside(tag.span, fm.content_span)
        assert tag.span.slice(text) == tag.name and tag.name


@settings(max_examples=300)
@given(st.text())
def test_any_text(text: str) -> None:
    fm = parse_frontmatter(text)
    if fm is not None:
        check_invariants(text, fm)


@settings(max_examples=1000)
@given(st.lists(FRAGMENTS | st.text(max_size=3), max_size=30).map("".join))
def test_yaml_ish_frontmatter(content: str) -> None:
    text = f"---\n{content}\n---\nBody"
    check_invariants(text, parse(text))


@settings(max_examples=1000)
@given(st.lists(FRAGMENTS, max_size=30).map("".join))
def test_data_is_what_pyyaml_gives(content: str) -> None:
    text = f"---\n{content}\n---\n"
    fm = parse(text)
    try:
        expected = yaml.load(fm.content_span.slice(text), Loader=yaml.CSafeLoader)
    except (yaml.YAMLError, ValueError, LookupError, AttributeError, RecursionError):
        assert fm.data is None
        return
    if isinstance(expected, dict) and all(isinstance(key, str) for key in expected):
        assert fm.error is None
        assert fm.data == expected
    elif expected is None:  # empty, or a null document such as `~`, which is not a mapping
        assert fm.data in ({}, None)
