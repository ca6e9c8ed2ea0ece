"""Completing links: after `[[`, `![[`, `[[Note#`, `[[Note#^`, `[[#` and `[[Note|`.

Each test: given a small vault, the user types the text (the cursor stands at `‸`) into
`Draft.md`; the client asks for completion there and applies the chosen item.
"""

from __future__ import annotations

import re

from featurekit import accept, complete_at, cursor, labels, vault

from notels.config import Config
from notels.features import CompletionKind, ResolveData, complete, resolve_completion
from notels.features.context import ContextKind, completion_context
from notels.syntax.note import parse_note
from notels.syntax.spans import Span
from notels.vault.index import VaultIndex, note_has_heading

NOTES = {
    "Machine Learning/Embeddings.md": (
        "---\naliases:\n  - Эмбеддинги\ntags:\n  - ml\n---\n"
        "Dense vectors for discrete objects.\n\n"
        "# Word embeddings\nLearned from contexts ^vec-def\n\n"
        "## Training: tips\nUse negative sampling.\n"
    ),
    "Machine Learning/Word Embeddings.md": "Word2Vec, GloVe and FastText.\n",
    "Топология/Метрическое пространство.md": (
        "---\naliases: [Metric space]\n---\nМножество с расстоянием.\n"
    ),
    "Archive/Basis.md": "An old note about bases.\n",
    "Linear Algebra/Basis.md": "A basis spans the space.\n",
    "Feature Representation.md": "How features become vectors.\n",
    "Rock 'n' roll.md": "Music.\n",
    "Draft.md": "",
}
ATTACHMENTS = ("Attachments/embedding.png", "papers/scan.pdf")


def make_vault() -> VaultIndex:
    return vault(NOTES, ATTACHMENTS)


def first(text: str) -> tuple[str, str]:
    """(text after accepting the first item, that item's label)."""
    plain, result = complete_at(make_vault(), "Draft.md", text)
    assert result.items, f"no completion for {text!r}"
    return accept(plain, result.items[0]), result.items[0].label


# --- note names -------------------------------------------------------------------------------


def test_typing_a_name_after_double_brackets_offers_matching_notes():
    plain, result = complete_at(make_vault(), "Draft.md", "See [[Emb‸")
    assert labels(result)[:3] == ["Embeddings", "embedding.png", "Word Embeddings"]
    item = result.items[0]
    assert item.kind is CompletionKind.NOTE
    assert item.replace_span == Span(6, 9)  # exactly the typed `Emb`
    assert item.insert_text == "Embeddings]]"
    assert item.detail == "Machine Learning/Embeddings.md"
    assert item.description == "Dense vectors for discrete objects."
    assert item.data == ResolveData("Machine Learning/Embeddings.md")
    assert accept(plain, item) == "See [[Embeddings]]"


def test_prefix_matches_come_before_word_starts_and_substrings():
    notes = {"Embedding.md": "", "Word Embedding.md": "", "Reembedding.md": "", "Draft.md": ""}
    _, result = complete_at(vault(notes), "Draft.md", "[[emb‸")
    assert labels(result) == ["Embedding", "Word Embedding", "Reembedding"]


def test_right_after_the_brackets_every_note_is_offered_with_an_empty_replace_span():
    _, result = complete_at(make_vault(), "Draft.md", "[[‸")
    assert "Feature Representation" in labels(result)
    assert all(item.replace_span == Span(2, 2) for item in result.items)


def test_existing_closing_brackets_are_not_doubled():
    assert first("See [[Emb‸]] now") == ("See [[Embeddings]] now", "Embeddings")
    # The link goes on after the cursor (a heading, a display text): it is closed already.
    assert first("[[Emb‸#Training]]")[0] == "[[Embeddings#Training]]"
    assert first("[[Emb‸|the vectors]]")[0] == "[[Embeddings|the vectors]]"


def test_editing_inside_a_name_offers_to_overwrite_the_rest_of_it():
    plain, result = complete_at(make_vault(), "Draft.md", "See [[Emb‸edings#Training]]")
    item = result.items[0]
    assert item.replace_span.slice(plain) == "Emb"
    # Clients that can (LSP insert/replace) may replace the whole name instead.
    assert item.overwrite_span is not None
    assert item.overwrite_span.slice(plain) == "Embedings"


def test_in_an_open_link_the_text_after_the_cursor_is_not_overwritten():
    _, result = complete_at(make_vault(), "Draft.md", "See [[Emb‸ and more")
    assert result.items[0].overwrite_span == result.items[0].replace_span == Span(6, 9)


def test_brackets_of_a_later_link_do_not_count_as_closing_this_one():
    assert first("[[Emb‸ and [[Basis]]")[0] == "[[Embeddings]] and [[Basis]]"


def test_a_typo_still_finds_the_note():
    plain, result = complete_at(make_vault(), "Draft.md", "[[Embedings‸")
    assert labels(result)[0] == "Embeddings"
    item = result.items[0]
    # Clients filter items by the typed text: a typo match must not be filtered away.
    assert item.filter_text == "Embedings"
    assert accept(plain, item) == "[[Embeddings]]"


def test_cyrillic_names_and_aliases():
    assert first("[[метр‸") == ("[[Метрическое пространство]]", "Метрическое пространство")
    # An alias links the note and shows the alias, as Obsidian does.
    plain, result = complete_at(make_vault(), "Draft.md", "[[Эмб‸")
    item = result.items[0]
    assert (item.label, item.kind) == ("Эмбеддинги", CompletionKind.ALIAS)
    assert accept(plain, item) == "[[Embeddings|Эмбеддинги]]"


def test_an_english_alias_of_a_cyrillic_note():
    assert first("[[Metric‸")[0] == "[[Метрическое пространство|Metric space]]"


def test_same_name_in_two_folders_inserts_the_path_for_all_but_obsidians_pick():
    plain, result = complete_at(make_vault(), "Draft.md", "[[Basis‸")
    # Obsidian opens the one closest to the root, then the shortest path: Archive/Basis.md.
    assert labels(result) == ["Basis", "Linear Algebra/Basis"]
    assert [item.detail for item in result.items] == ["Archive/Basis.md", "Linear Algebra/Basis.md"]
    assert accept(plain, result.items[0]) == "[[Basis]]"
    assert accept(plain, result.items[1]) == "[[Linear Algebra/Basis]]"


def test_typing_a_folder_path_completes_paths():
    plain, result = complete_at(make_vault(), "Draft.md", "[[Linear Algebra/Ba‸")
    assert labels(result) == ["Linear Algebra/Basis"]
    assert accept(plain, result.items[0]) == "[[Linear Algebra/Basis]]"


def test_a_folder_path_finds_attachments_too():
    # Files of one name in two folders are told apart by their paths.
    index = vault(NOTES, (*ATTACHMENTS, "img/diagram.png", "old/img/diagram.png"))
    plain, result = complete_at(index, "Draft.md", "![[img/dia‸")
    assert [accept(plain, item) for item in result.items] == [
        "![[img/diagram.png]]",
        "![[old/img/diagram.png]]",
    ]
    assert result.items[0].kind is CompletionKind.ATTACHMENT
    plain, result = complete_at(index, "Draft.md", "[[papers/‸")
    assert labels(result) == ["papers/scan.pdf"]


def test_attachments_are_offered_after_embeds_and_links():
    plain, result = complete_at(make_vault(), "Draft.md", "![[embedding.p‸")
    item = result.items[0]
    assert (item.label, item.kind) == ("embedding.png", CompletionKind.ATTACHMENT)
    assert item.detail == "Attachments/embedding.png"
    assert accept(plain, item) == "![[embedding.png]]"
    assert first("[[scan‸") == ("[[scan.pdf]]", "scan.pdf")


def test_notes_linked_more_often_win_a_tie():
    notes = {
        "Kernel trick.md": "",
        "Kernel methods.md": "",
        "a.md": "[[Kernel methods]]",
        "b.md": "[[Kernel methods]]",
        "Draft.md": "",
    }
    _, result = complete_at(vault(notes), "Draft.md", "[[Kern‸")
    assert labels(result) == ["Kernel methods", "Kernel trick"]


def test_the_list_is_cut_to_fifty_and_marked_incomplete():
    notes = {f"Note {i:03d}.md": "" for i in range(150)} | {"Draft.md": ""}
    _, result = complete_at(vault(notes), "Draft.md", "[[Note‸")
    assert [item.label for item in result.items] == [f"Note {i:03d}" for i in range(50)]
    assert result.is_incomplete
    assert [item.sort_key for item in result.items[:2]] == ["0000", "0001"]


def test_no_link_completion_inside_code_or_after_a_closed_link():
    index = make_vault()
    for text in ("`[[Emb‸`", "```\n[[Emb‸\n```", "[[Embeddings]]‸", "[[a]b‸"):
        assert complete_at(index, "Draft.md", text)[1].items == (), text


# --- headings, blocks, display text ------------------------------------------------------------


def test_headings_of_the_named_note_in_document_order():
    plain, result = complete_at(make_vault(), "Draft.md", "[[Embeddings#‸")
    assert labels(result) == ["Word embeddings", "Training: tips"]
    assert result.items[0].kind is CompletionKind.HEADING
    assert result.items[0].replace_span == Span(13, 13)
    # A heading link cannot hold `:` (nor `#|^%[]`); the link still finds the heading.
    assert accept(plain, result.items[1]) == "[[Embeddings#Training tips]]"
    assert note_has_heading(parse_note(NOTES["Machine Learning/Embeddings.md"]), "Training tips")


def test_a_namesake_heading_is_offered_by_its_path():
    proofs = "# Теорема A\n## Доказательство\n# Теорема B\n## Доказательство\n"
    index = vault({**NOTES, "T.md": proofs}, ATTACHMENTS)
    plain, result = complete_at(index, "Draft.md", "[[T#Док‸")
    assert [accept(plain, item) for item in result.items] == [
        "[[T#Доказательство]]",
        "[[T#Теорема B#Доказательство]]",
    ]
    assert result.items[1].label == "Доказательство"
    assert result.items[1].description == "## Теорема B › Доказательство"
    # A path typed already is kept as it is, and offers only the headings under it.
    plain, result = complete_at(index, "Draft.md", "[[T#Теорема B#Док‸")
    assert [accept(plain, item) for item in result.items] == ["[[T#Теорема B#Доказательство]]"]
    plain, result = complete_at(index, "Draft.md", "[[T#Теорема A#‸")
    assert [accept(plain, item) for item in result.items] == ["[[T#Теорема A#Доказательство]]"]


def test_typed_heading_text_narrows_the_list():
    assert first("[[Embeddings#trai‸")[0] == "[[Embeddings#Training tips]]"


def test_headings_of_the_current_document_as_typed_so_far():
    text = "[[#‸\n\n# Fresh heading\n"
    plain, result = complete_at(make_vault(), "Draft.md", text)
    assert labels(result) == ["Fresh heading"]
    assert accept(plain, result.items[0]).startswith("[[#Fresh heading]]\n")


def test_block_ids_of_the_named_note():
    plain, result = complete_at(make_vault(), "Draft.md", "[[Embeddings#^‸")
    item = result.items[0]
    assert (item.label, item.kind) == ("vec-def", CompletionKind.BLOCK)
    assert item.description == "Learned from contexts"
    assert accept(plain, item) == "[[Embeddings#^vec-def]]"


def test_aliases_as_display_text():
    plain, result = complete_at(make_vault(), "Draft.md", "[[Метрическое пространство|‸]]")
    assert labels(result) == ["Metric space"]
    assert accept(plain, result.items[0]) == "[[Метрическое пространство|Metric space]]"


def alias_item(text: str) -> str:
    """The text after accepting the `Metric space` alias item."""
    plain, result = complete_at(make_vault(), "Draft.md", text)
    (item,) = [item for item in result.items if item.label == "Metric space"]
    assert item.kind is CompletionKind.ALIAS
    return accept(plain, item)


def test_an_alias_chosen_inside_a_link_keeps_what_the_link_holds():
    name = "Метрическое пространство"
    # The link's own display text stays; after a heading, the alias shows after the heading.
    assert alias_item("[[Metric‸|свой текст]]") == f"[[{name}|свой текст]]"
    assert alias_item("[[Metric‸#Определение 😀]]") == f"[[{name}#Определение 😀|Metric space]]"
    assert alias_item("[[Metric‸]]") == f"[[{name}|Metric space]]"


def test_an_alias_in_a_table_row_escapes_its_pipe():
    name = "Метрическое пространство"
    assert alias_item("| a | [[Metric‸ |") == f"| a | [[{name}\\|Metric space]] |"
    assert alias_item("| a | [[Metric‸#H]] |") == f"| a | [[{name}#H\\|Metric space]] |"


def test_an_alias_after_a_heading_is_escaped_for_its_yaml_quote_and_lone_cr_lines_are_lines():
    name = "Метрическое пространство"
    assert alias_item("---\nparent: '[[Metric‸#H]]'\n---\n") == (
        f"---\nparent: '[[{name}#H|Metric space]]'\n---\n"
    )
    notes = {**NOTES, "B.md": '---\naliases: ["Bayes\' rule"]\n---\n'}
    plain, result = complete_at(
        vault(notes, ATTACHMENTS), "Draft.md", "---\nparent: '[[Bayes‸#H]]'\n---\n"
    )
    (item,) = [item for item in result.items if item.label == "Bayes' rule"]
    assert accept(plain, item) == "---\nparent: '[[B#H|Bayes'' rule]]'\n---\n"
    # A lone CR ends the table row: the link on the next line is in no table.
    assert alias_item("| a | b |\rsee [[Metric‸]]\r") == f"| a | b |\rsee [[{name}|Metric space]]\r"


def test_one_closing_bracket_typed_already_gets_its_second():
    assert first("See [[Feat‸]")[0] == "See [[Feature Representation]]"
    assert first("See [[Feat‸] and")[0] == "See [[Feature Representation]] and"


def test_headings_of_a_missing_note_are_nothing():
    assert complete_at(make_vault(), "Draft.md", "[[Nowhere#‸")[1].items == ()


# --- links in frontmatter ---------------------------------------------------------------------


def test_a_quoted_frontmatter_link_gets_its_closing_quote():
    text = '---\nparent:\n  - "[[Feat‸\n---\nBody\n'
    assert first(text)[0] == '---\nparent:\n  - "[[Feature Representation]]"\n---\nBody\n'


def test_an_already_closed_quote_is_kept():
    text = '---\nparent:\n  - "[[Feat‸"\n---\n'
    assert first(text)[0] == '---\nparent:\n  - "[[Feature Representation]]"\n---\n'


def test_an_unquoted_frontmatter_link_gets_quoted():
    # YAML would read a bare [[X]] as a list inside a list.
    text = "---\nparent: [[Feat‸\n---\n"
    plain, result = complete_at(make_vault(), "Draft.md", text)
    item = result.items[0]
    assert item.additional_edits[0].span == Span(12, 12)
    assert accept(plain, item) == '---\nparent: "[[Feature Representation]]"\n---\n'


def test_an_unquoted_closed_frontmatter_link_gets_both_quotes():
    assert first("---\nparent: [[Feat‸]]\n---\n")[0] == (
        '---\nparent: "[[Feature Representation]]"\n---\n'
    )


def test_a_quoted_link_in_a_flow_list():
    text = '---\nparent: ["[[Basis]]", "[[Feat‸]\n---\n'
    assert first(text)[0] == '---\nparent: ["[[Basis]]", "[[Feature Representation]]"]\n---\n'


def test_names_are_escaped_for_their_yaml_quotes():
    assert first("---\nparent:\n  - '[[Rock‸\n---\n")[0] == (
        "---\nparent:\n  - '[[Rock ''n'' roll]]'\n---\n"
    )


def test_frontmatter_context_is_reported():
    text, offset = cursor('---\nparent: "[[Fe‸"\n---\n')
    context = completion_context(parse_note(text), offset)
    assert context is not None
    assert (context.kind, context.in_frontmatter, context.quote) == (ContextKind.LINK, True, '"')


# --- a document with errors elsewhere -----------------------------------------------------------


def test_completion_works_below_broken_yaml():
    text = "---\ntags: [unclosed\n---\nSee [[Emb‸"
    assert first(text)[0] == "---\ntags: [unclosed\n---\nSee [[Embeddings]]"


def test_completion_works_under_an_unclosed_frontmatter():
    # Without a closing `---` the parser takes the whole note as YAML; the prose is the body.
    text = "---\naliases: x\nSee [[Emb‸"
    assert first(text)[0] == "---\naliases: x\nSee [[Embeddings]]"


def test_completion_works_inside_an_unclosed_card():
    text = "START\nBasic\nFront: see [[Emb‸\n\nSTART\n"
    assert first(text)[0] == "START\nBasic\nFront: see [[Embeddings]]\n\nSTART\n"


def test_completion_at_any_offset_is_clamped():
    index = make_vault()
    note = parse_note("[[Emb")
    index.set_note("Draft.md", note)
    assert labels(complete(index, "Draft.md", note, 10_000, Config()))[0] == "Embeddings"
    assert complete(index, "Draft.md", note, -5, Config()).items == ()


# --- resolve ----------------------------------------------------------------------------------


def test_resolving_an_item_previews_the_note_without_its_frontmatter():
    preview = resolve_completion(make_vault(), ResolveData("Machine Learning/Embeddings.md"))
    assert preview is not None
    assert preview.startswith("**Embeddings** · `Machine Learning/Embeddings.md`")
    assert "Dense vectors for discrete objects." in preview
    assert "aliases" not in preview


def test_resolving_a_heading_item_previews_its_section():
    data = ResolveData("Machine Learning/Embeddings.md", heading="Training: tips")
    preview = resolve_completion(make_vault(), data)
    assert preview is not None
    assert preview.endswith("## Training: tips\nUse negative sampling.")


def test_a_long_note_is_cut_to_twenty_lines():
    notes = {"Long.md": "".join(f"line {i}\n" for i in range(50)), "Draft.md": ""}
    preview = resolve_completion(vault(notes), ResolveData("Long.md"))
    assert preview is not None
    body = preview.split("---\n\n", 1)[1].splitlines()
    assert body[0] == "line 0" and body[19] == "line 19" and body[20] == "…"
    assert len(body) == 21


def test_resolving_a_vanished_note_gives_nothing():
    assert resolve_completion(make_vault(), ResolveData("Gone.md")) is None


def test_every_item_replaces_exactly_the_typed_part():
    plain, result = complete_at(make_vault(), "Draft.md", "Some text [[Word Em‸")
    for item in result.items:
        assert plain[item.replace_span.start : item.replace_span.end] == "Word Em"
        assert re.fullmatch(r"\d{4}", item.sort_key)


# --- the name list follows the vault ----------------------------------------------------------


def test_names_follow_added_removed_and_renamed_notes_and_aliases():
    index = vault({"Topics/Kernel.md": "", "Draft.md": ""})

    def offered() -> list[str]:
        return labels(complete_at(index, "Draft.md", "[[kern‸")[1])

    assert offered() == ["Kernel"]
    # A note of the same name nearer the root becomes Obsidian's pick: the first one needs its path.
    index.set_note("Kernel.md", parse_note(""))
    assert offered() == ["Kernel", "Topics/Kernel"]
    index.remove_note("Kernel.md")
    assert offered() == ["Kernel"]
    index.set_note("Topics/Kernel.md", parse_note("---\naliases: [Kernel trick]\n---\n"))
    assert offered() == ["Kernel", "Kernel trick"]
    index.add_attachment("img/kernel.png")
    assert offered() == ["Kernel", "kernel.png", "Kernel trick"]
