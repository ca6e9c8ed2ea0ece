"""`notels check` as CI runs it: the real CLI in a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from notels import __version__
from vaults import run_check, write_vault

HERE = Path(__file__).parent
GOLDEN_VAULT = HERE / "golden_vault"
GOLDEN = HERE / "golden"
SERVER = Path(__file__).parents[2] / "server"


@pytest.mark.parametrize("fmt", ["text", "json", "github", "sarif"])
def test_output_matches_golden_file(fmt: str) -> None:
    result = run_check("--format", fmt, ".", cwd=GOLDEN_VAULT)
    assert result.returncode == 1, result.stderr
    # The SARIF report names the folder its relative URIs start from: this checkout's.
    root = GOLDEN_VAULT.resolve().as_uri() + "/"
    output = result.stdout.replace(__version__, "VERSION").replace(root, "file:///ROOT/")
    golden = GOLDEN / f"check.{fmt}"
    if os.environ.get("NOTELS_UPDATE_GOLDEN"):
        golden.write_text(output, encoding="utf-8")
    assert output == golden.read_text(encoding="utf-8")


def test_json_records_have_the_documented_fields() -> None:
    records = json.loads(run_check("--format", "json", cwd=GOLDEN_VAULT).stdout)
    assert records
    for record in records:
        assert set(record) >= {
            "path",
            "line",
            "column",
            "end_line",
            "end_column",
            "severity",
            "code",
            "message",
            "fixable",
        }


def test_sarif_is_2_1_0_with_rule_metadata() -> None:
    sarif = json.loads(run_check("--format", "sarif", cwd=GOLDEN_VAULT).stdout)
    assert sarif["version"] == "2.1.0"
    driver = sarif["runs"][0]["tool"]["driver"]
    ids = [rule["id"] for rule in driver["rules"]]
    for result in sarif["runs"][0]["results"]:
        assert driver["rules"][result["ruleIndex"]]["id"] == result["ruleId"]
    assert "missing-id" in ids and "duplicate-id" in ids


def test_clean_vault_exits_zero(tmp_path: Path) -> None:
    write_vault(tmp_path, {"Note.md": "Some words about [[Other]].\n", "Other.md": "More words.\n"})
    result = run_check(cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == "Checked 2 notes: no problems.\n"


def test_fail_on_and_exit_zero(tmp_path: Path) -> None:
    write_vault(tmp_path, {"Note.md": "Words [[Missing]].\n"})
    assert run_check(cwd=tmp_path).returncode == 0  # a warning does not fail by default
    assert run_check("--fail-on", "warning", cwd=tmp_path).returncode == 1
    assert run_check("--fail-on", "warning", "--exit-zero", cwd=tmp_path).returncode == 0


def test_select_and_ignore(tmp_path: Path) -> None:
    write_vault(
        tmp_path, {"Note.md": "Words [[Missing]] [[Gone]].\n\nSTART\nBasic\nFront: q\nEND\n"}
    )
    selected = run_check("--select", "unresolved-link", "--format", "json", cwd=tmp_path)
    assert {r["code"] for r in json.loads(selected.stdout)} == {"unresolved-link"}
    ignored = run_check("--ignore", "unresolved-link,missing-id", "--format", "json", cwd=tmp_path)
    codes = {r["code"] for r in json.loads(ignored.stdout)}
    assert "unresolved-link" not in codes and "missing-id" not in codes and codes


def test_unknown_code_is_a_usage_error(tmp_path: Path) -> None:
    result = run_check("--select", "no-such-rule", cwd=tmp_path)
    assert result.returncode == 2 and "no-such-rule" in result.stderr


def test_bad_config_names_file_and_line(tmp_path: Path) -> None:
    write_vault(
        tmp_path,
        {
            "Note.md": "x\n",
            ".notels.toml": "id-style = 'plain'\n\n[rules]\nmissing-idd = 'error'\n",
        },
    )
    result = run_check(cwd=tmp_path)
    assert result.returncode == 2
    assert ".notels.toml:4" in result.stderr and "missing-idd" in result.stderr


def test_broken_toml_is_a_usage_error(tmp_path: Path) -> None:
    write_vault(tmp_path, {"Note.md": "x\n", ".notels.toml": "rules = [\n"})
    result = run_check(cwd=tmp_path)
    assert result.returncode == 2 and ".notels.toml" in result.stderr


def test_config_changes_severity_and_ignore_globs(tmp_path: Path) -> None:
    write_vault(
        tmp_path,
        {
            ".notels.toml": "ignore = ['templates/**']\n[rules]\nunresolved-link = 'error'\n",
            "Note.md": "Words [[Missing]].\n",
            "templates/T.md": "[[Whatever]]\n",
        },
    )
    records = json.loads(run_check("--format", "json", cwd=tmp_path).stdout)
    assert [(r["path"], r["severity"]) for r in records] == [("Note.md", "error")]


def test_paths_limit_the_report_but_the_whole_vault_is_indexed(tmp_path: Path) -> None:
    write_vault(
        tmp_path,
        {
            "a/One.md": "Link to [[Two]] and [[Nope]].\n",
            "b/Two.md": "Link to [[Nope either]].\n",
        },
    )
    records = json.loads(run_check("--format", "json", "a", cwd=tmp_path).stdout)
    assert [r["path"] for r in records] == [str(Path("a/One.md"))]
    assert records[0]["message"].startswith("No note named 'Nope'")


def test_vault_root_is_found_upward_from_a_file(tmp_path: Path) -> None:
    write_vault(tmp_path, {"deep/er/One.md": "Link to [[Two]].\n", "Two.md": "x y z\n"})
    result = run_check("--format", "json", "deep/er/One.md", cwd=tmp_path)
    assert json.loads(result.stdout) == []


def test_hazards_are_reported_not_fatal(tmp_path: Path) -> None:
    write_vault(
        tmp_path,
        {
            "good.md": "Link to [[bad utf8]].\n",
            "bad utf8.md": b"caf\xe9 [[good]]\n",
            "binary.md": b"\x89PNG\x00\x00\x00",
            ".notels.toml": "max-file-size = 1000\n",
            "big.md": "x" * 2000,
        },
    )
    (tmp_path / "loop").symlink_to(tmp_path, target_is_directory=True)
    outside = tmp_path.parent / f"{tmp_path.name}-outside"
    outside.mkdir()
    (outside / "secret.md").write_text("outside\n")
    (tmp_path / "escape.md").symlink_to(outside / "secret.md")
    result = run_check("--format", "json", cwd=tmp_path)
    records = json.loads(result.stdout)
    by_path = {r["path"]: r for r in records}
    assert by_path["bad utf8.md"]["code"] == "invalid-encoding"
    assert by_path["binary.md"]["code"] == "skipped-file"
    assert by_path["big.md"]["code"] == "skipped-file"
    assert by_path["escape.md"]["code"] == "skipped-file"
    assert "loop" in by_path and by_path["loop"]["code"] == "skipped-file"
    assert result.returncode == 0


def test_statistics_counts_per_code(tmp_path: Path) -> None:
    write_vault(tmp_path, {"Note.md": "Words [[Missing]] [[Gone]].\n"})
    result = run_check("--statistics", "--quiet", cwd=tmp_path)
    assert result.stdout.splitlines()[-1].split() == ["2", "unresolved-link", "warning"]


def test_version() -> None:
    env = {**os.environ, "PYTHONPATH": str(SERVER)}
    result = subprocess.run(
        [sys.executable, "-m", "notels", "--version"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    assert result.stdout.strip() == f"notels {__version__}"


@pytest.mark.parametrize("scope", ["", "Machine Learning"])
def test_worker_processes_report_exactly_what_one_process_does(scope: str) -> None:
    """examples/vault (every rule fires, hazards included) checked by two worker processes, in
    both phases (summaries, then rules), against the same check in this process alone."""
    vault = SERVER.parent / "examples" / "vault"
    outputs = []
    for processes in ("0", "2"):
        done = subprocess.run(
            [sys.executable, "-m", "notels", "check", str(vault / scope), "--format", "json"],
            capture_output=True,
            text=True,
            env={
                **os.environ,
                "PYTHONPATH": str(SERVER),
                "PYTHONIOENCODING": "utf-8",
                "NOTELS_INDEX_PROCESSES": processes,
            },
            encoding="utf-8",
            timeout=120,
        )
        assert done.returncode == 1, done.stderr
        outputs.append(json.loads(done.stdout))
    assert outputs[0] == outputs[1] and outputs[0]


def test_a_reader_that_stops_early_gets_no_traceback(tmp_path: Path) -> None:
    """`notels check | head -1`: the pipe closes while notels still writes (its report is
    larger than a pipe holds, so the writer must still be writing)."""
    card = "TARGET DECK: d\nSTART\nBasic\nFront: q\nBack: a\nEND\n"
    vault = write_vault(tmp_path / "vault", {f"n{i}.md": card for i in range(400)})
    env = {**os.environ, "PYTHONPATH": str(SERVER), "PYTHONIOENCODING": "utf-8"}
    process = subprocess.Popen(
        [sys.executable, "-m", "notels", "check", str(vault), "--format", "json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.read(10)
    process.stdout.close()
    stderr = process.stderr.read().decode("utf-8")
    assert process.wait(timeout=60) == 141
    assert "Traceback" not in stderr and "BrokenPipe" not in stderr, stderr
