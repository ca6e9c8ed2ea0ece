"""`notels check` at its edges, run as a CI job runs it: the SARIF and JSON a code-scanning
upload reads, diffs that `patch` and `git apply` take, `--fix` on files it must not harm,
symlinks, nested vaults, and output streams that are not UTF-8.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path
from typing import Literal
from urllib.parse import unquote, urlparse

import pytest

from vaults import write_vault

SERVER = Path(__file__).parents[2] / "server"
CARD = "Text.\nSTART\nBasic\nFRONT: q\nEND\n"  # a card without an ID (fixable)
NEW_ID = re.compile(rb"ID: \d{13}")


def run_check(
    *args: str, cwd: Path, env: dict[str, str] | None = None, prefix: tuple[str, ...] = ()
) -> subprocess.CompletedProcess[bytes]:
    """The CLI's raw bytes: no decoding, so invalid output encodings show."""
    base = {**os.environ, "PYTHONPATH": str(SERVER), "PYTHONIOENCODING": "utf-8"}
    return subprocess.run(
        [*prefix, sys.executable, "-m", "notels", "check", *args],
        cwd=cwd,
        env={**base, **(env or {})},
        capture_output=True,
        timeout=120,
    )


def snapshot(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and not path.is_symlink()
    }


def normalize_ids(data: bytes) -> bytes:
    return NEW_ID.sub(b"ID: NEW", data)


def patch_applies(diff: bytes, cwd: Path) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        ["patch", "-p1", "--batch", "--fuzz=0"],
        input=diff,
        cwd=cwd,
        capture_output=True,
        timeout=60,
    )


def assert_diff_applies(
    vault: Path, name: str, tool: Literal["patch", "git"], env: dict[str, str] | None = None
) -> None:
    """`--diff` run in the vault, applied there by `patch -p1` or `git apply`, fixes `name`
    (a CARD) as --fix does."""
    diff = run_check("--diff", cwd=vault, env=env)
    assert diff.returncode == 1
    if tool == "patch":
        applied = patch_applies(diff.stdout, vault)
    else:
        subprocess.run(["git", "init", "-q", "."], cwd=vault, check=True, capture_output=True)
        applied = subprocess.run(
            ["git", "apply", "-"], input=diff.stdout, cwd=vault, capture_output=True, timeout=60
        )
    assert applied.returncode == 0, (tool, diff.stdout, applied.stdout, applied.stderr)
    assert normalize_ids((vault / name).read_bytes()) == (
        b"Text.\nSTART\nBasic\nFRONT: q\nID: NEW\nEND\n"
    )


def diff_then_fix(tmp_path: Path, files: dict[str, str | bytes], name: str) -> tuple[bytes, bytes]:
    """(what `--diff` + `patch -p1 --fuzz=0` makes of `name`, what `--fix` makes of it)."""
    patched = write_vault(tmp_path / "patched", files)
    fixed = write_vault(tmp_path / "fixed", files)
    diff = run_check("--diff", cwd=patched)
    assert diff.returncode == 1, diff.stderr
    applied = patch_applies(diff.stdout, patched)
    assert applied.returncode == 0, (diff.stdout, applied.stdout, applied.stderr)
    assert run_check("--fix", cwd=fixed).returncode in (0, 1)
    return normalize_ids((patched / name).read_bytes()), normalize_ids((fixed / name).read_bytes())


# --- SARIF ----------------------------------------------------------------------------------

_URI_CHARS = re.compile(r"^(?:[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})*$")


def sarif_uris(stdout: bytes) -> list[str]:
    document = json.loads(stdout)
    return [
        result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for result in document["runs"][0]["results"]
    ]


def test_sarif_uris_are_percent_encoded(tmp_path: Path) -> None:
    """SARIF URIs are percent-encoded: spaces, `%` and Cyrillic in note names."""
    write_vault(tmp_path, {"a b%25 c.md": "Text [[Nope]]\n", "Заметка.md": "Текст [[Нет]]\n"})
    result = run_check("--format", "sarif", cwd=tmp_path)
    uris = sarif_uris(result.stdout)
    assert sorted(unquote(uri) for uri in uris) == ["a b%25 c.md", "Заметка.md"]
    bad = [uri for uri in uris if not _URI_CHARS.match(uri)]
    assert not bad, f"not valid RFC 3986 URI references: {bad}"


def test_sarif_uri_outside_the_working_folder_is_a_file_uri(tmp_path: Path) -> None:
    """A note outside the working folder has an absolute `file:` URI, not a bare path."""
    vault = write_vault(tmp_path / "vault", {"Note.md": "Text [[Nope]]\n"})
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = run_check("--format", "sarif", str(vault), cwd=elsewhere)
    document = json.loads(result.stdout)
    location = document["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    uri = location["artifactLocation"]["uri"]
    base = location["artifactLocation"].get("uriBaseId")
    # Either an absolute file: URI, or a relative reference resolved against a declared base.
    if base is None:
        parsed = urlparse(uri)
        assert parsed.scheme == "file", f"absolute path given as uri without a scheme: {uri!r}"
        assert unquote(parsed.path) == str(vault / "Note.md")
    else:
        assert base in document["runs"][0].get("originalUriBaseIds", {})


# --- --diff ---------------------------------------------------------------------------------


def test_diff_of_a_lone_cr_note_applies(tmp_path: Path) -> None:
    """The diff of a note with lone-CR line endings applies and gives what --fix gives."""
    files: dict[str, str | bytes] = {"cr.md": b"Text.\rSTART\rBasic\rFRONT: q\rEND\r"}
    patched, fixed = diff_then_fix(tmp_path, files, "cr.md")
    assert patched == fixed == b"Text.\rSTART\rBasic\rFRONT: q\rID: NEW\rEND\r"


def test_diff_of_a_note_with_unicode_line_separator_applies(tmp_path: Path) -> None:
    """U+2028 in a card is text, not a line break, to the diff as to `patch`."""
    text = "Text.\nSTART\nBasic\nFRONT: q\u2028more\nEND\n"
    patched, fixed = diff_then_fix(tmp_path, {"A.md": text}, "A.md")
    expected = "Text.\nSTART\nBasic\nFRONT: q\u2028more\nID: NEW\nEND\n".encode()
    assert patched == fixed == expected


def test_diff_of_a_note_with_a_bom_applies_with_git_apply(tmp_path: Path) -> None:
    """The diff keeps the BOM on the first line, so `git apply` takes it."""
    files: dict[str, str | bytes] = {"bom.md": b"\xef\xbb\xbfSTART\nBasic\nFRONT: q\nEND\n"}
    vault = write_vault(tmp_path, files)
    diff = run_check("--diff", cwd=vault)
    assert diff.returncode == 1
    subprocess.run(["git", "init", "-q", "."], cwd=vault, check=True, capture_output=True)
    applied = subprocess.run(
        ["git", "apply", "-"], input=diff.stdout, cwd=vault, capture_output=True, timeout=60
    )
    assert applied.returncode == 0, applied.stderr.decode()
    assert normalize_ids((vault / "bom.md").read_bytes()) == (
        b"\xef\xbb\xbfSTART\nBasic\nFRONT: q\nID: NEW\nEND\n"
    )


def test_diff_of_a_symlinked_note_names_a_file_patch_can_change(tmp_path: Path) -> None:
    """With a symlink to a note, the diff names the note itself, which `patch` can change."""
    vault = write_vault(tmp_path, {"real.md": CARD})
    (vault / "link.md").symlink_to("real.md")
    diff = run_check("--diff", cwd=vault)
    assert diff.returncode == 1
    applied = patch_applies(diff.stdout, vault)
    assert applied.returncode == 0, (diff.stdout.decode(), applied.stdout.decode())
    assert (vault / "link.md").is_symlink()
    assert (
        normalize_ids((vault / "real.md").read_bytes())
        == b"Text.\nSTART\nBasic\nFRONT: q\nID: NEW\nEND\n"
    )


def test_diff_of_a_note_outside_the_working_folder_applies_from_the_root(tmp_path: Path) -> None:
    """A note outside the working folder is named by its absolute path less the root, as git
    names one: `patch -p1` run from the root changes it."""
    vault = write_vault(tmp_path / "vault", {"Ж note.md": CARD})
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    diff = run_check("--diff", str(vault), cwd=elsewhere)
    assert diff.returncode == 1
    name = (vault / "Ж note.md").relative_to(vault.anchor).as_posix()
    assert f"--- a/{name}\t\n+++ b/{name}\t\n".encode() in diff.stdout
    applied = patch_applies(diff.stdout, Path(vault.anchor))
    assert applied.returncode == 0, (diff.stdout.decode(), applied.stdout.decode())
    assert normalize_ids((vault / "Ж note.md").read_bytes()) == (
        b"Text.\nSTART\nBasic\nFRONT: q\nID: NEW\nEND\n"
    )


@pytest.mark.parametrize("name", ["My note.md", 'Say "hi".md', "back\\slash.md", "tab\there.md"])
def test_diff_names_that_patch_and_git_apply_both_read(tmp_path: Path, name: str) -> None:
    """Spaces (in most note names), quotes, backslashes and tabs: written as git writes them,
    so both tools find the file."""
    for tool in ("patch", "git"):
        vault = write_vault(tmp_path / tool, {name: CARD})
        assert_diff_applies(vault, name, tool)


def test_hidden_files_and_folders_are_neither_checked_nor_fixed(tmp_path: Path) -> None:
    # As in Obsidian: a sync tool's old copy of a note is no duplicate of its card IDs, and
    # `..draft.md` is hidden like every name that starts with a dot.
    synced = "TARGET DECK: D\nText.\nSTART\nBasic\nFRONT: q\nID: 1737306548883\nEND\n"
    files = {
        "Note.md": synced,
        ".stversions/Note~20250101-120000.md": synced,
        "..draft.md": CARD,
        "..archive/Note.md": CARD,
    }
    vault = write_vault(tmp_path / "vault", files)
    result = run_check("--format", "json", cwd=vault)
    assert (result.returncode, json.loads(result.stdout)) == (0, [])
    assert run_check(".stversions/Note~20250101-120000.md", cwd=vault).returncode == 0
    fixed = run_check("--fix", cwd=vault)
    assert fixed.returncode == 0, fixed.stderr
    for name, text in files.items():
        assert (vault / name).read_text(encoding="utf-8") == text


@pytest.mark.parametrize("tool", ["patch", "git"])
def test_diff_of_a_note_whose_name_is_not_utf8_applies(tmp_path: Path, tool: str) -> None:
    vault = write_vault(tmp_path / tool, {})
    name = os.fsdecode(b"bad\xffname.md")
    (vault / name).write_text(CARD, encoding="utf-8")
    assert_diff_applies(vault, name, tool)


@pytest.mark.parametrize("tool", ["patch", "git"])
def test_diff_to_a_stdout_of_another_encoding_still_applies(tmp_path: Path, tool: str) -> None:
    # A Windows pipe: the report may escape what cp1252 lacks, the diff must stay UTF-8.
    vault = write_vault(tmp_path / tool, {"Заметка 😀.md": CARD})
    assert_diff_applies(vault, "Заметка 😀.md", tool, env={"PYTHONIOENCODING": "cp1252"})


def test_diff_honours_exit_zero(tmp_path: Path) -> None:
    """`--diff --exit-zero` exits 0, as --exit-zero promises."""
    vault = write_vault(tmp_path, {"A.md": CARD})
    result = run_check("--diff", "--exit-zero", cwd=vault)
    assert result.returncode == 0


def test_diff_writes_nothing_and_crlf_diff_applies(tmp_path: Path) -> None:
    """--diff leaves every byte alone, and its CRLF/no-final-newline diff applies like --fix."""
    files: dict[str, str | bytes] = {
        "crlf.md": b"Text.\r\nSTART\r\nBasic\r\nFRONT: q\r\nEND\r\n",
        "open.md": b"Text.\nSTART\nBasic\nFRONT: q",
    }
    vault = write_vault(tmp_path / "only", files)
    before = snapshot(vault)
    assert run_check("--diff", cwd=vault).returncode == 1
    assert snapshot(vault) == before
    for name in files:
        patched, fixed = diff_then_fix(tmp_path / name, files, name)
        assert patched == fixed


# --- --fix ----------------------------------------------------------------------------------


def test_fix_a_note_with_a_long_name(tmp_path: Path) -> None:
    """A note whose name is near NAME_MAX is fixed: the temporary name is short."""
    name = "д" * 124 + ".md"  # 251 bytes: a legal file name
    vault = write_vault(tmp_path, {name: CARD})
    result = run_check("--fix", cwd=vault)
    assert b"not fixed" not in result.stderr, result.stderr.decode()
    assert NEW_ID.search((vault / name).read_bytes())


def test_fix_leaves_read_only_notes_alone(tmp_path: Path) -> None:
    """A read-only (0444) note is not fixed, and is named as not fixed."""
    vault = write_vault(tmp_path, {"locked.md": CARD})
    (vault / "locked.md").chmod(0o444)
    result = run_check("--fix", cwd=vault)
    assert (vault / "locked.md").read_bytes() == CARD.encode(), result.stderr.decode()
    assert b"locked.md" in result.stderr  # reported as not fixed


def test_fix_leaves_hard_linked_notes_alone(tmp_path: Path) -> None:
    """A note with a second name (a hard link, e.g. the same note kept in two vaults) is not
    fixed, and is named as not fixed. Was: --fix replaced it by a new file, so the note's
    other name kept the old text, the two copies parted silently, and a later sync of the
    other vault brought the defect back."""
    vault = write_vault(tmp_path / "vault", {"linked.md": CARD, "other.md": CARD.replace("q", "r")})
    elsewhere = tmp_path / "elsewhere.md"
    os.link(vault / "linked.md", elsewhere)
    result = run_check("--fix", cwd=vault)
    assert (vault / "linked.md").read_bytes() == CARD.encode(), result.stderr.decode()
    assert os.path.samefile(vault / "linked.md", elsewhere)
    assert b"linked.md: hard-linked" in result.stderr
    assert NEW_ID.search((vault / "other.md").read_bytes())  # the others are fixed


@pytest.mark.parametrize("kind", ["hard-linked", "read-only"])
def test_a_note_fix_leaves_alone_is_not_marked_fixable(tmp_path: Path, kind: str) -> None:
    """--fix never rewrites a hard-linked or read-only note, so the JSON report must not offer
    its findings as fixable, before --fix or after: a bot that runs --fix while
    `"fixable": true` remains loops forever. Was: missing-id stayed `"fixable": true` after
    --fix refused the file."""
    vault = write_vault(tmp_path / "vault", {"kept.md": CARD})
    if kind == "hard-linked":
        os.link(vault / "kept.md", tmp_path / "elsewhere.md")
    else:
        (vault / "kept.md").chmod(0o444)
    for args in (("--exit-zero",), ("--fix", "--exit-zero")):
        result = run_check(*args, "--format", "json", cwd=vault)
        assert (vault / "kept.md").read_bytes() == CARD.encode()
        records = json.loads(result.stdout)
        assert [r["code"] for r in records if r["code"] == "missing-id"] == ["missing-id"]
        still = [(r["code"], r["line"]) for r in records if r["fixable"]]
        assert still == [], f"{args}: marked fixable but --fix leaves the file: {still}"
    assert f"kept.md: {kind}".encode() in result.stderr


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root to chown")
def test_fix_keeps_the_owner(tmp_path: Path) -> None:
    """--fix run as root keeps the owner and group of another user's note."""
    vault = write_vault(tmp_path, {"A.md": CARD})
    os.chown(vault / "A.md", 65534, 65534)
    run_check("--fix", cwd=vault)
    info = (vault / "A.md").stat()
    assert NEW_ID.search((vault / "A.md").read_bytes())
    assert (info.st_uid, info.st_gid) == (65534, 65534)


def test_fix_writes_nothing_when_a_later_vault_config_is_bad(tmp_path: Path) -> None:
    """A bad .notels.toml in any vault stops `--fix` before it writes a file anywhere."""
    good = write_vault(tmp_path / "good", {"a.md": CARD})
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / ".notels.toml").write_text("bogus = 1\n")
    (bad / "b.md").write_text(CARD)
    result = run_check("--fix", "good", "bad", cwd=tmp_path)
    assert result.returncode == 2
    assert (good / "a.md").read_bytes() == CARD.encode(), "a config error must stop before writing"


def test_a_path_that_is_a_symlink_out_of_the_vault_is_never_fixed_through(tmp_path: Path) -> None:
    """A PATH that is a symlink out of the vault is judged where it lies: never fixed through."""
    vault = write_vault(tmp_path / "vault", {"Note.md": "Words.\n"})
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "o.md").write_text(CARD)
    (vault / "link.md").symlink_to(outside / "o.md")
    scan = run_check(cwd=vault)  # the vault scan refuses to follow it
    assert b"link.md:1:1: warning skipped-file" in scan.stdout
    run_check("--fix", "link.md", cwd=vault)
    assert (outside / "o.md").read_bytes() == CARD.encode()


def test_fix_keeps_bytes_and_second_run_changes_nothing(tmp_path: Path) -> None:
    """--fix keeps BOM, CRLF, lone CR, missing final newline and mode; a second run changes nothing."""
    files: dict[str, str | bytes] = {
        "bom.md": b"\xef\xbb\xbfText.\r\nSTART \r\nBasic\r\nFRONT: q \xf0\x9f\x8e\x89\r\nEND",
        "cr.md": b"Text.\rSTART\rBasic\rFRONT: q\rEND\r",
        "open.md": b"Text.\nSTART\nBasic\nFRONT: q",
        "latin1.md": b"Text.\nSTART\nBasic\nFRONT: \xe9t\xe9\nEND\n",
    }
    vault = write_vault(tmp_path, files)
    (vault / "cr.md").chmod(0o640)
    result = run_check("--fix", cwd=vault)
    assert result.returncode == 0, result.stdout.decode() + result.stderr.decode()
    after = {name: normalize_ids(data) for name, data in snapshot(vault).items()}
    assert after["bom.md"] == (
        b"\xef\xbb\xbfText.\r\nSTART\r\nBasic\r\nFRONT: q \xf0\x9f\x8e\x89\r\nID: NEW\r\nEND"
    )
    assert after["cr.md"] == b"Text.\rSTART\rBasic\rFRONT: q\rID: NEW\rEND\r"
    assert after["open.md"] == b"Text.\nSTART\nBasic\nFRONT: q\nID: NEW\nEND"
    assert after["latin1.md"] == files["latin1.md"]  # never rewritten
    assert (vault / "cr.md").stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in vault.iterdir()) == [".obsidian", *sorted(files)]  # no temp files
    before = snapshot(vault)
    again = run_check("--fix", cwd=vault)
    assert again.stdout.endswith(b"Fixed 0 problems in 0 files.\n")
    assert snapshot(vault) == before


# --- paths and vaults -----------------------------------------------------------------------


def test_nested_vault_path_is_checked_once(tmp_path: Path) -> None:
    """`check . sub`, sub a vault of its own inside the first: its notes are checked once, in the outer vault."""
    write_vault(tmp_path, {"Top.md": "top [[in]]\n"})
    write_vault(tmp_path / "sub", {"in.md": "x [[Top]]\n"})
    result = run_check(".", "sub", cwd=tmp_path)
    out = result.stdout.decode()
    # README: the vault root is found "upward from the first PATH" (here `.`): [[Top]] resolves.
    assert "unresolved-link" not in out, out
    assert out.endswith("Checked 2 notes: no problems.\n"), out


def test_dangling_symlink_is_not_called_a_loop(tmp_path: Path) -> None:
    """A dangling symlink is reported as such, not as a loop."""
    vault = write_vault(tmp_path, {"A.md": "Words.\n"})
    (vault / "gone.md").symlink_to("missing.md")
    result = run_check(cwd=vault)
    line = next(x for x in result.stdout.decode().splitlines() if x.startswith("gone.md"))
    assert "loop" not in line, line


def test_symlink_alias_is_not_a_duplicate_id(tmp_path: Path) -> None:
    """A note and a symlink to it are one note: no duplicate-id errors that --fix could never fix."""
    card = "Words.\nTARGET DECK: a\nSTART\nBasic\nFRONT: q\nID: 1737306548883\nEND\n"
    vault = write_vault(tmp_path, {"real.md": card})
    (vault / "link.md").symlink_to("real.md")
    run_check("--fix", cwd=vault)
    result = run_check(cwd=vault)
    assert b"duplicate-id" not in result.stdout, result.stdout.decode()
    assert result.returncode == 0


# --- output encodings -----------------------------------------------------------------------


def test_json_with_a_non_utf8_file_name_is_valid_json(tmp_path: Path) -> None:
    """A file name that is not UTF-8 (cp1251 bytes) still gives valid UTF-8 JSON, no traceback."""
    vault = write_vault(tmp_path, {"ok.md": "Words.\n"})
    (vault / os.fsdecode(b"\xcd\xe0.md")).write_text("Text [[Nope]]\n")
    for env in ({}, {"PYTHONIOENCODING": ""}):
        result = run_check("--format", "json", cwd=vault, env=env)
        assert b"Traceback" not in result.stderr, result.stderr.decode()
        records = json.loads(result.stdout.decode("utf-8"))
        assert [r["code"] for r in records] == ["unresolved-link"]
        assert result.returncode == 0


def test_non_utf8_stdout_does_not_crash(tmp_path: Path) -> None:
    """A stdout that is not UTF-8 (a Windows pipe; here ascii) does not crash the run on a Cyrillic name."""
    vault = write_vault(tmp_path, {"Заметка.md": "Текст [[Нет]]\n"})
    result = run_check(cwd=vault, env={"PYTHONIOENCODING": "ascii"})
    assert b"Traceback" not in result.stderr, result.stderr.decode()
    assert result.returncode == 0  # warnings only


# --- guards on formats and exit codes -------------------------------------------------------


def test_json_columns_count_code_points_with_crlf_and_emoji(tmp_path: Path) -> None:
    """JSON columns are 1-based code points (emoji count once), CRLF does not shift them."""
    vault = write_vault(
        tmp_path, {"crlf.md": b"Link [[Missing]] \xf0\x9f\x8e\x89\xf0\x9f\x8e\x89 [[Gone]]\r\n"}
    )
    records = json.loads(run_check("--format", "json", cwd=vault).stdout)
    assert [(r["line"], r["column"], r["end_column"]) for r in records] == [(1, 8, 15), (1, 23, 27)]


def test_github_annotation_escapes_the_file_property(tmp_path: Path) -> None:
    """`%`, `,` and `:` in a file name are escaped in the github annotation's file= property."""
    vault = write_vault(tmp_path, {"a b%c,d:e.md": "Text [[Nope]]\n"})
    out = run_check("--format", "github", cwd=vault).stdout.decode()
    assert out.startswith("::warning file=a b%25c%2Cd%3Ae.md,line=1,col=8,"), out


def test_exit_codes(tmp_path: Path) -> None:
    """0 for warnings under the default --fail-on, 1 with --fail-on warning, 2 for usage errors."""
    vault = write_vault(tmp_path, {"A.md": "Text [[Nope]]\n"})
    assert run_check(cwd=vault).returncode == 0
    assert run_check("--fail-on", "warning", cwd=vault).returncode == 1
    assert run_check("--fail-on", "warning", "--exit-zero", cwd=vault).returncode == 0
    assert run_check("missing-folder", cwd=vault).returncode == 2
    assert run_check("--select", "no-such-rule", cwd=vault).returncode == 2
    (vault / ".notels.toml").write_text("[rules]\nmissing-id = 3\n")
    bad = run_check(cwd=vault)
    assert bad.returncode == 2 and b".notels.toml:2" in bad.stderr


if shutil.which("patch") is None:  # pragma: no cover
    pytestmark = pytest.mark.skip(reason="needs GNU patch")


def test_folder_symlink_sorting_first_does_not_hide_the_real_folder(tmp_path: Path) -> None:
    """A symlink `Alias -> real` sorting first leaves `real` indexed under its own path."""
    vault = write_vault(tmp_path, {"real/x.md": "Words.\n", "top.md": "See [[real/x]].\n"})
    (vault / "Alias").symlink_to("real")
    whole = run_check(cwd=vault).stdout.decode()
    assert "real:1:1: warning skipped-file" not in whole, whole
    assert "unresolved-link" not in whole, whole  # [[real/x]] names an existing note
    explicit = run_check("real/x.md", cwd=vault).stdout.decode()
    assert explicit.endswith("Checked 1 note: no problems.\n"), explicit


def test_json_on_a_stdout_that_is_not_utf8_escapes_what_it_cannot_carry(tmp_path: Path) -> None:
    """On an ascii stdout, JSON and SARIF stay valid JSON (`\\U0001f389` is no JSON escape) and
    name the note exactly."""
    vault = write_vault(tmp_path, {"Заметка 🎉.md": "Текст [[Нет]]\n"})
    for fmt in ("json", "sarif"):
        result = run_check("--format", fmt, cwd=vault, env={"PYTHONIOENCODING": "ascii"})
        assert result.returncode == 0, result.stderr.decode()
        document = json.loads(result.stdout.decode("ascii"))
        if fmt == "json":
            assert [record["path"] for record in document] == ["Заметка 🎉.md"]
        else:
            assert [unquote(uri) for uri in sarif_uris(result.stdout)] == ["Заметка 🎉.md"]


def test_related_locations_count_code_points_as_the_finding_does(tmp_path: Path) -> None:
    """A related location after an emoji is in code points, as `columnKind` says (UTF-16
    would count the emoji twice)."""
    card = "START\nBasic\nFRONT: q\n{}ID: 1737306548883\nEND\n"
    vault = write_vault(
        tmp_path, {"a.md": "Words.\n" + card.format(""), "b.md": "Words.\n" + card.format("🎉 ")}
    )
    records = json.loads(run_check("--format", "json", cwd=vault).stdout)
    (from_a,) = [r for r in records if r["path"] == "a.md" and r["code"] == "duplicate-id"]
    ((path, line, column, _),) = [tuple(item.values()) for item in from_a["related"]]
    assert (path, line, column) == ("b.md", 5, 3)


def test_a_path_that_is_a_symlink_to_a_vault_folder_checks_that_vault(tmp_path: Path) -> None:
    """`notels check notes`, `notes -> ~/Vault`: the vault it names is checked."""
    vault = write_vault(tmp_path / "Vault", {"n.md": "Text [[Nope]]\n"})
    home = tmp_path / "home"
    home.mkdir()
    (home / "notes").symlink_to(vault)
    out = run_check("notes", cwd=home).stdout.decode()
    assert "unresolved-link" in out and "skipped-file" not in out, out


def test_a_symlink_into_an_ignored_folder_is_followed(tmp_path: Path) -> None:
    """A symlink is an alias only of what the scan walks itself: one into an ignored folder
    is the only way in, and the note it names is checked."""
    vault = write_vault(
        tmp_path,
        {".notels.toml": 'ignore = ["Шаблоны/**"]\n', "Шаблоны/real.md": "Text [[Nope]]\n"},
    )
    (vault / "link.md").symlink_to(vault / "Шаблоны" / "real.md")
    out = run_check(cwd=vault).stdout.decode()
    assert "link.md:1:8: warning unresolved-link" in out and "skipped-file" not in out, out


def test_dialect_repairs_hold_through_the_cli(tmp_path: Path) -> None:
    """Through `notels check`: a link holding math is a link (its target is judged), a quoted
    frontmatter link with `''` names the note it spells, a spaced `<!-- ID: n -->` on the last
    line is the card's ID, and a `.canvas` file resolves."""
    vault = write_vault(
        tmp_path,
        {
            "It's.md": "Words.\n",
            "maps/Board.canvas": "{}",
            "A.md": (
                "---\nparent: '[[It''s]]'\n---\n"
                "See [[Energy|$E=mc^2$]] and ![[Board.canvas]] 😀\r\n"
                "TARGET DECK: d\r\nSTART\r\nBasic\r\nFront: q\r\n<!-- ID: 1737306548883 -->\r\nEND\r\n"
            ),
        },
    )
    records = json.loads(run_check("--format", "json", cwd=vault).stdout)
    assert [(r["path"], r["code"], r["line"], r["column"]) for r in records] == [
        ("A.md", "unresolved-link", 4, 7),
        ("A.md", "crlf-card", 6, 1),  # the plugin wants a bare LF after START
    ]


def test_a_dollar_or_backtick_inside_a_link_hides_nothing_after_it(tmp_path: Path) -> None:
    """Through `notels check`: the `$` and the backtick of the first links are theirs, so the
    links after them are judged (their targets are missing), and the math and code after them
    still hide what they hold."""
    vault = write_vault(
        tmp_path,
        {
            "Energy.md": "E.\n",
            "A.md": (
                "[[Energy|$E]] vs [[Масса]] is $m [[Hidden]]$ 😀\n"
                "[[Energy|`x]] and [[Нет]] `y [[Code]]`\n"
            ),
        },
    )
    records = json.loads(run_check("--format", "json", cwd=vault).stdout)
    assert [(r["path"], r["code"], r["line"], r["column"]) for r in records] == [
        ("A.md", "unresolved-link", 1, 20),
        ("A.md", "unresolved-link", 2, 21),
    ]


def test_a_symlink_path_that_leads_nowhere_is_reported_not_refused(tmp_path: Path) -> None:
    # pre-commit passes such names: judged where they lie, as in a run over the whole vault.
    vault = write_vault(tmp_path, {"a.md": "Text.\n"})
    (vault / "dangling.md").symlink_to("nowhere.md")
    (vault / "self.md").symlink_to("self.md")
    for name in ("dangling.md", "self.md"):
        result = run_check(name, "--format", "json", cwd=vault)
        assert result.returncode == 0, result.stderr
        assert [(f["path"], f["code"]) for f in json.loads(result.stdout)] == [
            (name, "skipped-file")
        ]


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_a_report_that_cannot_be_written_exits_2_with_a_message(tmp_path: Path) -> None:
    vault = write_vault(tmp_path, {"a.md": CARD})
    env = {**os.environ, "PYTHONPATH": str(SERVER)}
    command = [sys.executable, "-m", "notels", "check", "--format", "sarif", "--exit-zero"]
    with open("/dev/full", "wb") as full:
        result = subprocess.run(command, cwd=vault, env=env, stdout=full, stderr=subprocess.PIPE)
    assert result.returncode == 2
    assert result.stderr == b"notels: cannot write the report: No space left on device\n"
    closed = subprocess.run(
        ["sh", "-c", 'exec "$@" >&-', "sh", *command], cwd=vault, env=env, capture_output=True
    )
    assert closed.returncode == 2
    assert closed.stderr == b"notels: cannot write the report: stdout is closed\n"


def test_names_kept_decomposed_resolve_as_obsidian_reads_them(tmp_path: Path) -> None:
    """macOS may keep file names decomposed (NFD: `й` as `и` and a combining breve, `Ё` as
    `Е` and a diaeresis); links, aliases and headings are typed composed (NFC). Obsidian
    matches them: notels must not call such a link broken."""
    nfd = lambda text: unicodedata.normalize("NFD", text)  # noqa: E731
    write_vault(
        tmp_path,
        {
            nfd("Линейный оператор.md"): "# Ядро оператора\n\nТекст.\n",
            nfd("Ёж.md"): "---\naliases: [Колючий]\n---\nТекст.\n",
            nfd("Схемы/Рисунок ёлки.png"): "",
            "Заметка.md": "[[Линейный оператор]], [[Линейный оператор#Ядро оператора]],\n"
            "[[Ёж]], ![[Рисунок ёлки.png]].\n",
            "Ссылки.md": nfd("[[Колючий]] и [[Линейный оператор#Ядро оператора]].\n"),
        },
    )
    result = run_check("--format", "json", ".", cwd=tmp_path)
    findings = json.loads(result.stdout)
    # Was: five unresolved links (and two unresolved headings).
    assert [(f["path"], f["code"]) for f in findings] == [], findings
    assert result.returncode == 0
