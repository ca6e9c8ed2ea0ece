"""Review s33 (CLI as CI meets it): `notels check` wired into GitHub Actions, pre-commit, GitLab.

Each test drives the real CLI in a subprocess on a small vault written here.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urljoin

from timed_run import runs_within
from vaults import run_check_bytes, write_vault

# SARIF 2.1.0 §3.11.5: a message string's `{n}` is a placeholder for `arguments[n]`, and
# "the characters '{' and '}' SHALL be represented by the character sequences '{{' and '}}'".
_PLACEHOLDER = re.compile(r"\{(\d+)\}")


def sarif_shown(text: str, arguments: list[str]) -> str:
    """A message string as a SARIF viewer shows it (§3.11.5): `{{` and `}}` are braces,
    `{n}` the n-th argument, and a lone brace is no valid message string."""
    shown: list[str] = []
    position = 0
    while position < len(text):
        if text.startswith(("{{", "}}"), position):
            shown.append(text[position])
            position += 2
            continue
        placeholder = _PLACEHOLDER.match(text, position)
        if placeholder is not None:
            shown.append(arguments[int(placeholder.group(1))])  # IndexError: none given
            position = placeholder.end()
            continue
        assert text[position] not in "{}", f"a lone brace at {position} of {text!r}"
        shown.append(text[position])
        position += 1
    return "".join(shown)


def test_sarif_messages_show_the_braces_of_a_note_name(tmp_path: Path) -> None:
    """A note made from a template outside Templater keeps `[[{{title}}]]`; another links
    `[[Note {0}]]`. The SARIF report's message text carries the names as they are, so a viewer
    (code scanning, the VS Code SARIF viewer) shows `'{title}'`, and reads `{0}` as a
    placeholder whose argument the result does not have: invalid SARIF (§3.11.11)."""
    vault = write_vault(tmp_path, {"a.md": "From a template: [[{{title}}]] and [[Note {0}]].\n"})
    result = run_check_bytes("--format", "sarif", cwd=vault, timeout=60)
    results = json.loads(result.stdout)["runs"][0]["results"]
    shown = sorted(
        sarif_shown(r["message"]["text"], r["message"].get("arguments", [])) for r in results
    )
    assert shown == [
        "No note named 'Note {0}' in the vault. Create it or fix the name.",
        "No note named '{{title}}' in the vault. Create it or fix the name.",
    ]


def test_pre_commit_passing_every_note_by_name_takes_about_as_long_as_the_folder(
    tmp_path: Path,
) -> None:
    """`pre-commit run --all-files` (as CI runs it) passes the hook every note by name, up to
    128 KiB of names per run: some 3,000 to 4,000 notes. Each run should cost about what
    `notels check .` costs (index the vault, check the notes); it cost a time quadratic in
    the names passed, each name compared with every other to find its vault and each note of
    the vault with every name: 4,000 names of a 4,000-note vault took 5 to 10 times as long as
    the folder. Timed against the folder in the same process, so a busy machine slows both."""
    code = """
        import contextlib, io, os, sys, time
        from notels.cli import main

        root = sys.argv[1]
        os.makedirs(os.path.join(root, ".obsidian"))
        names = []
        for folder in range(40):
            os.makedirs(os.path.join(root, f"Topic {folder}"))
            for number in range(100):
                name = f"Topic {folder}/Some note {folder}-{number}.md"
                with open(os.path.join(root, name), "w", encoding="utf-8") as note:
                    note.write(f"Words [[Some note {folder}-{number + 1}]] here.\\n")
                names.append(name)
        os.chdir(root)

        def timed(*paths):
            out = io.StringIO()
            began = time.perf_counter()
            with contextlib.redirect_stdout(out):
                status = main(["check", "--exit-zero", *paths])
            assert status == 0, out.getvalue()[-2000:]
            assert "Checked 4000 notes: 40 warnings." in out.getvalue(), out.getvalue()[-2000:]
            return time.perf_counter() - began

        folder = min(timed("."), timed("."))
        by_name = min(timed(*names), timed(*names))
        # Quadratic was 5 to 10 times the folder; linear is under twice. Margin for a busy CI.
        assert by_name < 3 * folder + 1.0, (by_name, folder)
    """
    runs_within(code, 90, str(tmp_path / "vault"))


def sarif_lines(text: str, sequences: list[str]) -> list[str]:
    """A text's lines as a SARIF consumer splits them: at the run's `newlineSequences`, tried
    greedily in order at each position, `["\\r\\n", "\\n"]` when the run says nothing."""
    lines, start, position = [], 0, 0
    while position < len(text):
        matched = next((s for s in sequences if text.startswith(s, position)), None)
        if matched is None:
            position += 1
            continue
        lines.append(text[start:position])
        position += len(matched)
        start = position
    return [*lines, text[start:]]


def test_sarif_lines_are_counted_as_the_run_says_it_counts_them(tmp_path: Path) -> None:
    """notels counts a lone CR as a line break (README: "treats CRLF and lone-CR line endings
    like LF"), and SARIF says a run that does not name its `newlineSequences` broke lines at
    `\\r\\n` and `\\n` only. A note pasted from an old Mac editor (lines ending in CR) gets its
    broken link reported on line 2 while, read as the SARIF says, the file has one line: the
    code scanning alert and a SARIF viewer point at a line that is not there."""
    note = "# Old note\rWords and [[Nope]] here.\r"
    vault = write_vault(tmp_path, {"a.md": note})
    run = json.loads(run_check_bytes("--format", "sarif", cwd=vault, timeout=60).stdout)["runs"][0]
    (result,) = run["results"]
    region = result["locations"][0]["physicalLocation"]["region"]
    lines = sarif_lines(note, run.get("newlineSequences", ["\r\n", "\n"]))
    line = lines[region["startLine"] - 1]
    assert line[region["startColumn"] - 1 : region["endColumn"] - 1] == "Nope", (lines, region)


def test_a_relative_sarif_uri_says_what_it_is_relative_to(tmp_path: Path) -> None:
    """SARIF 3.4.4: a top-level artifact's relative `uri` SHOULD come with a `uriBaseId`, which
    the run's `originalUriBaseIds` resolves to an absolute URI. A GitLab job (no
    GITHUB_WORKSPACE) runs `notels check --format sarif` in the repository's `notes/` folder:
    the report names `a.md`, relative to a folder it names nowhere, so a viewer opening the
    report (the VS Code SARIF viewer, a converter to GitLab's formats) looks for `a.md` at the
    repository's root, or wherever the report was saved."""
    vault = write_vault(tmp_path / "repo" / "notes", {"a.md": "Words [[Nope]].\n"})
    env = {"GITHUB_WORKSPACE": "", "GITHUB_ACTIONS": ""}
    sarif = run_check_bytes("--format", "sarif", cwd=vault, env=env, timeout=60)
    run = json.loads(sarif.stdout)["runs"][0]
    (result,) = run["results"]
    location = result["locations"][0]["physicalLocation"]["artifactLocation"]
    assert location["uri"] == "a.md"
    base = run.get("originalUriBaseIds", {}).get(location.get("uriBaseId"), {}).get("uri")
    assert base is not None, location
    assert urljoin(base, location["uri"]) == (vault / "a.md").as_uri()
