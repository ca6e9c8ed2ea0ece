"""`notels check --fix` and `--diff` as a user runs them: the real CLI in a subprocess."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from vaults import write_vault

SERVER = Path(__file__).parents[2] / "server"
OLD = "1737306548883"
WORDS = " ".join(["слово"] * 25)

COPY = f"TARGET DECK: stem::ml\nТекст.\nSTART\nBasic\nFRONT: q\nID: {OLD}\nEND\n"

VAULT: dict[str, str | bytes] = {
    # CRLF with a BOM: a card without an ID.
    "Эмбеддинги.md": (
        "\ufeffTARGET DECK: stem::ml\r\nТекст заметки.\r\nSTART\r\nBasic\r\nFRONT: Вектор 🎉\r\nEND\r\n"
    ).encode(),
    # No final newline: an unclosed block, which then needs an ID too.
    "sub/Open.md": "TARGET DECK: stem::ml\nТекст.\nSTART\nBasic\nFRONT: q",
    # Two copies of one card: the later path gets a new ID.
    "A.md": COPY,
    "B.md": COPY,
    # A stale fix/empty tag.
    "Stale.md": f"---\ntags:\n  - ml\n  - fix/empty\n---\n{WORDS}\n",
    # Nothing safe to fix: an empty note (tagging it is a judgement).
    "Empty.md": "# Пусто\n",
}


def run_check(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """The CLI's output decoded as is: no newline translation, so `\r\n` in a diff shows."""
    env = {**os.environ, "PYTHONPATH": str(SERVER), "PYTHONIOENCODING": "utf-8"}
    result = subprocess.run(
        [sys.executable, "-m", "notels", "check", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        timeout=60,
    )
    return subprocess.CompletedProcess(
        result.args, result.returncode, result.stdout.decode(), result.stderr.decode()
    )


def snapshot(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def new_ids(data: bytes) -> list[bytes]:
    return [value for value in re.findall(rb"ID: (\d{13})", data) if value != OLD.encode()]


def test_fix_writes_the_safe_fixes_and_keeps_every_other_byte(tmp_path: Path) -> None:
    write_vault(tmp_path, VAULT)
    result = run_check("--fix", ".", cwd=tmp_path)
    assert result.stdout.endswith("Fixed 5 problems in 4 files.\n"), result.stdout + result.stderr
    assert result.returncode == 0, result.stdout  # what remains is below the error level
    assert "empty-note" in result.stdout  # the re-check reports what is left
    assert "missing-id" not in result.stdout and "duplicate-id" not in result.stdout

    files = snapshot(tmp_path)
    (copy_id,) = new_ids(files["B.md"])
    (open_id,) = new_ids(files["sub/Open.md"])
    (crlf_id,) = new_ids(files["Эмбеддинги.md"])
    assert len({copy_id, open_id, crlf_id}) == 3  # and none is OLD, the vault's existing ID
    crlf = "\ufeffTARGET DECK: stem::ml\r\nТекст заметки.\r\nSTART\r\nBasic\r\nFRONT: Вектор 🎉\r\n"
    assert files["Эмбеддинги.md"] == f"{crlf}ID: {crlf_id.decode()}\r\nEND\r\n".encode()
    no_final_newline = "TARGET DECK: stem::ml\nТекст.\nSTART\nBasic\nFRONT: q\n"
    assert files["sub/Open.md"] == f"{no_final_newline}ID: {open_id.decode()}\nEND".encode()
    assert files["A.md"] == COPY.encode()
    assert files["B.md"] == COPY.replace(OLD, copy_id.decode()).encode()
    assert files["Stale.md"] == f"---\ntags:\n  - ml\n---\n{WORDS}\n".encode()
    assert files["Empty.md"] == "# Пусто\n".encode()


def test_a_second_fix_run_changes_nothing(tmp_path: Path) -> None:
    write_vault(tmp_path, VAULT)
    run_check("--fix", cwd=tmp_path)
    before = snapshot(tmp_path)
    again = run_check("--fix", cwd=tmp_path)
    assert again.stdout.endswith("Fixed 0 problems in 0 files.\n")
    assert snapshot(tmp_path) == before
    assert run_check("--diff", cwd=tmp_path).returncode == 0


def test_diff_shows_the_changes_and_writes_nothing(tmp_path: Path) -> None:
    write_vault(tmp_path, VAULT)
    before = snapshot(tmp_path)
    result = run_check("--diff", cwd=tmp_path)
    assert result.returncode == 1
    assert snapshot(tmp_path) == before
    out = re.sub(rf"ID: (?!{OLD})\d{{13}}", "ID: NEW", result.stdout)
    assert (
        "--- a/Stale.md\n+++ b/Stale.md\n@@ -1,6 +1,5 @@\n ---\n tags:\n   - ml\n-  - fix/empty\n ---\n"
        in out
    )
    assert f"-ID: {OLD}\n+ID: NEW\n" in out
    no_newline = "\\ No newline at end of file\n"
    assert f"-FRONT: q\n{no_newline}+FRONT: q\n+ID: NEW\n+END\n{no_newline}" in out
    assert "+ID: NEW\r\n END\r\n" in out
    assert "empty-note" not in out  # a diff, not a findings report
    assert result.stderr.endswith("Would fix 5 problems in 4 files.\n")


def test_diff_and_fix_together_only_show_the_diff(tmp_path: Path) -> None:
    write_vault(tmp_path, VAULT)
    before = snapshot(tmp_path)
    result = run_check("--fix", "--diff", cwd=tmp_path)
    assert result.returncode == 1 and "+++ b/B.md" in result.stdout
    assert snapshot(tmp_path) == before


def test_fix_with_json_output_keeps_stdout_json(tmp_path: Path) -> None:
    write_vault(tmp_path, VAULT)
    result = run_check("--fix", "--format", "json", cwd=tmp_path)
    records = json.loads(result.stdout)
    assert {record["code"] for record in records} >= {"empty-note"}
    assert "Fixed 5 problems in 4 files." in result.stderr


def test_fix_limited_to_a_path_fixes_only_there(tmp_path: Path) -> None:
    write_vault(tmp_path, VAULT)
    before = snapshot(tmp_path)
    result = run_check("--fix", "sub", cwd=tmp_path)
    assert result.stdout.endswith("Fixed 2 problems in 1 file.\n"), result.stdout
    after = snapshot(tmp_path)
    assert [name for name in before if before[name] != after[name]] == ["sub/Open.md"]


def test_invalid_utf8_is_reported_and_left_alone(tmp_path: Path) -> None:
    data = b"START\nBasic\nFRONT: \xff\nEND\n"
    write_vault(tmp_path, {"bad.md": data})
    result = run_check("--fix", cwd=tmp_path)
    assert (tmp_path / "bad.md").read_bytes() == data
    assert "notels: not fixed: bad.md: not valid UTF-8: never rewritten" in result.stderr
    assert "missing-id" in result.stdout


def test_selected_rules_limit_what_is_fixed(tmp_path: Path) -> None:
    write_vault(tmp_path, VAULT)
    result = run_check("--fix", "--select", "stale-fix-empty", cwd=tmp_path)
    assert result.stdout.endswith("Fixed 1 problem in 1 file.\n"), result.stdout
    assert b"fix/empty" not in (tmp_path / "Stale.md").read_bytes()
    assert not new_ids((tmp_path / "B.md").read_bytes())


def test_fix_never_breaks_a_card_that_syncs(tmp_path: Path) -> None:
    # A space after the first START: made exact with no END of its own, it would swallow the
    # synced card below. Two unclosed STARTs: an END for the second alone would do the same.
    swallowing = (
        "TARGET DECK: X\nSTART \nBasic\nFRONT: q\nBACK: a\n\n"
        f"START\nBasic\nFRONT: z\nBACK: y\nID: {OLD}\nEND\n"
    )
    unclosed = "TARGET DECK: X\nSTART\n\nSTART\nBasic\nFRONT: z\n"
    root = write_vault(tmp_path, {"a.md": swallowing, "b.md": unclosed})
    result = run_check("--fix", "--format", "json", cwd=root)
    assert (root / "a.md").read_text(encoding="utf-8") == swallowing
    assert (root / "b.md").read_text(encoding="utf-8") == unclosed
    codes = sorted(finding["code"] for finding in json.loads(result.stdout))
    assert "swallowed-block" not in codes
    assert codes.count("unclosed-block") == 2 and "start-trailing-text" in codes


def test_fix_renumbers_the_copy_created_later(tmp_path: Path) -> None:
    def note(created: str) -> str:
        return f"---\ncreated: {created}\n---\n{COPY}"

    original, copy = note("2025-01-19 23:46"), note("2025-06-01 09:00")
    root = write_vault(tmp_path, {"Zettel.md": original, "Alpha.md": copy})
    result = run_check("--fix", cwd=root)
    assert result.returncode == 0, result.stderr
    assert (root / "Zettel.md").read_text(encoding="utf-8") == original
    assert len(new_ids((root / "Alpha.md").read_bytes())) == 1


def test_fix_fills_empty_id_lines_in_place(tmp_path: Path) -> None:
    # The writer left `ID:` (or the comment form) for the tool: filled, not left as field text.
    crlf = (
        "\ufeffTARGET DECK: stem::ml\r\nТекст.\r\nSTART\r\nBasic\r\nFRONT: Вектор 🎉\r\n"
        "BACK: ∑ x²\r\nID: \r\nEND\r\n"
    ).encode()
    comment = "Текст.\nSTART\nBasic\nFRONT: q\nTags: a b\n<!-- ID: -->\n\nEND"
    root = write_vault(tmp_path, {"Вектор.md": crlf, "c.md": comment})
    result = run_check("--fix", cwd=root)
    assert result.returncode == 0, result.stderr
    fixed = (root / "Вектор.md").read_bytes()
    (value,) = new_ids(fixed)
    assert fixed == crlf.replace(b"ID: \r\n", b"ID: " + value + b"\r\n")
    fixed_comment = (root / "c.md").read_bytes()
    (value,) = new_ids(fixed_comment)
    assert fixed_comment == comment.encode().replace(
        b"<!-- ID: -->", b"<!-- ID: " + value + b" -->"
    )
    assert "missing-id" not in run_check("--format", "json", cwd=root).stdout
