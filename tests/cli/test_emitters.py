"""The json and sarif reports are written by hand for speed: byte for byte what json.dump wrote."""

from __future__ import annotations

import io
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from notels import __version__
from notels.findings import Finding, Severity
from notels.report.emitters import (
    _SARIF_LEVEL,
    SOURCE_ROOT,
    _ascii_only,
    emit_json,
    emit_sarif,
    sarif_uri,
)
from notels.report.located import LocatedFinding
from notels.rules import all_rules
from notels.rules.base import DOCS_URL, Rule
from notels.syntax.spans import Span
from timed_run import runs_within

SETTINGS = settings(
    max_examples=int(os.environ.get("NOTELS_EXAMPLES", "300")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
CODES = [rule.code for rule in all_rules()] + ["no-such-rule"]  # the last has no ruleIndex
# Quotes, backslashes, control characters, Cyrillic, emoji, a lone surrogate (an undecodable
# file name), `%`, `#` and spaces for URIs; absolute paths too.
TEXT = st.text(alphabet=st.sampled_from('ab "\\\n\t\x01/%#é Ж🎉\udccd\u2028'), max_size=8)
PATH = st.one_of(TEXT, TEXT.map(lambda text: "/tmp/" + text.replace("\udccd", "")))
NUMBER = st.integers(1, 10**6)
RELATED = st.tuples(PATH, NUMBER, NUMBER, TEXT)


@st.composite
def located_findings(draw: st.DrawFn) -> LocatedFinding:
    finding = Finding(
        draw(st.sampled_from(CODES)), draw(st.sampled_from(Severity)), Span(0, 0), draw(TEXT)
    )
    line, column, end_line, end_column = (draw(NUMBER) for _ in range(4))
    related = tuple(draw(st.lists(RELATED, max_size=3)))
    fixable = draw(st.booleans())
    return LocatedFinding(draw(PATH), line, column, end_line, end_column, finding, related, fixable)


# --- the emitters as they were: one document, then json.dump(indent=2) ------------------------


def json_before(findings: Sequence[LocatedFinding], rules: Sequence[Rule], out: TextIO) -> None:
    records = [
        {
            "path": item.path,
            "line": item.line,
            "column": item.column,
            "end_line": item.end_line,
            "end_column": item.end_column,
            "severity": item.finding.severity.value,
            "code": item.finding.code,
            "message": item.finding.message,
            "fixable": item.fixable,
            "related": [
                {"path": path, "line": line, "column": column, "message": message}
                for path, line, column, message in item.related
            ],
        }
        for item in findings
    ]
    json.dump(records, out, ensure_ascii=_ascii_only(out), indent=2)
    out.write("\n")


def _root_uri() -> str:
    """The folder relative URIs start from: the checkout (GitHub Actions), else this one."""
    return Path(os.path.abspath(os.environ.get("GITHUB_WORKSPACE") or os.curdir)).as_uri() + "/"


def _artifact(uri: str) -> dict[str, str]:
    """A relative reference names the base it is relative to; a `file:` URI is absolute."""
    return {"uri": uri} if uri.startswith("file:") else {"uri": uri, "uriBaseId": SOURCE_ROOT}


def _location(path: str, line: int, column: int, end_line: int, end_column: int) -> object:
    region = {"startLine": line, "startColumn": column, "endLine": end_line}
    return {
        "physicalLocation": {
            "artifactLocation": _artifact(sarif_uri(path)),
            "region": {**region, "endColumn": end_column},
        }
    }


def _braces_doubled(text: str) -> str:
    """SARIF message strings write a brace doubled: `{n}` is a placeholder (3.11.5)."""
    return text.replace("{", "{{").replace("}", "}}")


def sarif_before(findings: Sequence[LocatedFinding], rules: Sequence[Rule], out: TextIO) -> None:
    rule_index = {rule.code: position for position, rule in enumerate(rules)}
    results = []
    for item in findings:
        f = item.finding
        result: dict[str, object] = {
            "ruleId": f.code,
            "level": _SARIF_LEVEL[f.severity],
            "message": {"text": _braces_doubled(f.message)},
            "locations": [
                _location(item.path, item.line, item.column, item.end_line, item.end_column)
            ],
        }
        if f.code in rule_index:
            result["ruleIndex"] = rule_index[f.code]
        if item.related:
            result["relatedLocations"] = [
                {
                    "id": position,
                    "message": {"text": _braces_doubled(message)},
                    **_location(path, line, column, line, column),  # type: ignore[dict-item]
                }
                for position, (path, line, column, message) in enumerate(item.related)
            ]
        results.append(result)
    rule_records = [
        {
            "id": rule.code,
            "name": rule.code,
            "shortDescription": {"text": rule.summary},
            "fullDescription": {"text": rule.explanation},
            "helpUri": rule.docs_url,
            "defaultConfiguration": {"level": _SARIF_LEVEL[rule.severity]},
        }
        for rule in rules
    ]
    driver = {
        "name": "notels",
        "version": __version__,
        "informationUri": DOCS_URL,
        "rules": rule_records,
    }
    document = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": driver},
                "originalUriBaseIds": {SOURCE_ROOT: {"uri": _root_uri()}},
                "columnKind": "unicodeCodePoints",
                "newlineSequences": ["\r\n", "\r", "\n"],
                "results": results,
            }
        ],
    }
    json.dump(document, out, ensure_ascii=_ascii_only(out), indent=2)
    out.write("\n")


def written(emit: object, findings: Sequence[LocatedFinding], encoding: str) -> bytes:
    """What `emit` writes to a stream in `encoding`, as the CLI sets its streams up."""
    buffer = io.BytesIO()
    out = io.TextIOWrapper(buffer, encoding=encoding, errors="backslashreplace", newline="")
    emit(findings, all_rules(), out)  # type: ignore[operator]
    out.flush()
    return buffer.getvalue()


@SETTINGS
@given(st.lists(located_findings(), max_size=4), st.sampled_from(["utf-8", "cp1252"]))
def test_json_is_byte_for_byte_what_json_dump_wrote(
    findings: list[LocatedFinding], encoding: str
) -> None:
    assert written(emit_json, findings, encoding) == written(json_before, findings, encoding)


@SETTINGS
@given(st.lists(located_findings(), max_size=4), st.sampled_from(["utf-8", "cp1252"]))
def test_sarif_is_byte_for_byte_what_json_dump_wrote(
    findings: list[LocatedFinding], encoding: str
) -> None:
    assert written(emit_sarif, findings, encoding) == written(sarif_before, findings, encoding)


def test_sarif_of_many_findings_is_quick() -> None:
    # json.dump with an indent runs json's pure-Python encoder, a call per value: this run
    # took 5.9 s (500,000 findings of a real vault: 17 s); written by hand, 1.0 s (1.3 s).
    runs_within(
        """
        import io
        from notels.findings import Finding, Severity
        from notels.report.emitters import emit_sarif
        from notels.report.located import LocatedFinding
        from notels.rules import all_rules
        from notels.syntax.spans import Span
        finding = Finding("unresolved-link", Severity.WARNING, Span(0, 5), "No note 'x'.")
        findings = [LocatedFinding(f"n{n // 100}.md", n, 1, n, 6, finding) for n in range(200_000)]
        out = io.StringIO()
        emit_sarif(findings, all_rules(), out)
        assert out.getvalue().count('"ruleId"') == 200_000
        """,
        4,  # a bound, not a measure: the old emitter took 5.9 s, this one 1.0-1.5 s
    )
