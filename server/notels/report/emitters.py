"""One function per `--format`; each writes the whole report for a list of located findings."""

from __future__ import annotations

import codecs
import json
import os
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO
from urllib.parse import quote

from notels import __version__
from notels.findings import Severity
from notels.report.located import LocatedFinding
from notels.rules.base import DOCS_URL, Rule

Emitter = Callable[[Sequence[LocatedFinding], Sequence[Rule], TextIO], None]


def _ascii_only(out: TextIO) -> bool:
    """Must JSON escape every non-ASCII character? Yes for a stream that is not UTF-8 (a Windows
    pipe): what it cannot encode would be replaced by an escape JSON lacks (`\\U0001f389`)."""
    encoding = getattr(out, "encoding", None)
    return encoding is not None and codecs.lookup(encoding).name != "utf-8"


def emit_text(findings: Sequence[LocatedFinding], rules: Sequence[Rule], out: TextIO) -> None:
    for item in findings:
        f = item.finding
        out.write(
            f"{item.path}:{item.line}:{item.column}: {f.severity.value} {f.code} {f.message}\n"
        )


def emit_json(findings: Sequence[LocatedFinding], rules: Sequence[Rule], out: TextIO) -> None:
    fixable = {rule.code for rule in rules if rule.fixable}
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
            "fixable": item.finding.code in fixable,
            "related": [
                {"path": path, "line": line, "column": column, "message": message}
                for path, line, column, message in item.related
            ],
        }
        for item in findings
    ]
    json.dump(records, out, ensure_ascii=_ascii_only(out), indent=2)
    out.write("\n")


_GITHUB_LEVEL = {
    Severity.ERROR: "error",
    Severity.WARNING: "warning",
    Severity.INFO: "notice",
    Severity.HINT: "notice",
}


def _github_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _github_property(text: str) -> str:
    return _github_data(text).replace(":", "%3A").replace(",", "%2C")


def emit_github(findings: Sequence[LocatedFinding], rules: Sequence[Rule], out: TextIO) -> None:
    """GitHub Actions workflow commands: one annotation line per finding."""
    for item in findings:
        f = item.finding
        properties = ",".join(
            [
                f"file={_github_property(item.path)}",
                f"line={item.line}",
                f"col={item.column}",
                f"endLine={item.end_line}",
                f"endColumn={item.end_column}",
                f"title={_github_property('notels ' + f.code)}",
            ]
        )
        out.write(f"::{_GITHUB_LEVEL[f.severity]} {properties}::{_github_data(f.message)}\n")


_SARIF_LEVEL = {
    Severity.ERROR: "error",
    Severity.WARNING: "warning",
    Severity.INFO: "note",
    Severity.HINT: "note",
}


def sarif_uri(path: str) -> str:
    """A displayed path as a URI, percent-encoded (note names hold spaces, `%`, `#` and
    Cyrillic): a `file:` URI when absolute, else a reference relative to the working folder,
    which code scanning resolves against the checkout."""
    if Path(path).is_absolute():
        return Path(path).as_uri()
    # fsencode: a name the file system gave as undecodable bytes keeps those bytes.
    return quote(os.fsencode(path.replace(os.sep, "/")), safe="/")


def _sarif_location(path: str, line: int, column: int, end_line: int, end_column: int) -> object:
    return {
        "physicalLocation": {
            "artifactLocation": {"uri": sarif_uri(path)},
            "region": {
                "startLine": line,
                "startColumn": column,
                "endLine": end_line,
                "endColumn": end_column,
            },
        }
    }


def emit_sarif(findings: Sequence[LocatedFinding], rules: Sequence[Rule], out: TextIO) -> None:
    rule_index = {rule.code: position for position, rule in enumerate(rules)}
    results = []
    for item in findings:
        f = item.finding
        result: dict[str, object] = {
            "ruleId": f.code,
            "level": _SARIF_LEVEL[f.severity],
            "message": {"text": f.message},
            "locations": [
                _sarif_location(item.path, item.line, item.column, item.end_line, item.end_column)
            ],
        }
        if f.code in rule_index:
            result["ruleIndex"] = rule_index[f.code]
        if item.related:
            result["relatedLocations"] = [
                {
                    "id": position,
                    "message": {"text": message},
                    **_sarif_location(path, line, column, line, column),  # type: ignore[dict-item]
                }
                for position, (path, line, column, message) in enumerate(item.related)
            ]
        results.append(result)
    document = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "notels",
                        "version": __version__,
                        "informationUri": DOCS_URL,
                        "rules": [
                            {
                                "id": rule.code,
                                "name": rule.code,
                                "shortDescription": {"text": rule.summary},
                                "fullDescription": {"text": rule.explanation},
                                "helpUri": rule.docs_url,
                                "defaultConfiguration": {"level": _SARIF_LEVEL[rule.severity]},
                            }
                            for rule in rules
                        ],
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }
    json.dump(document, out, ensure_ascii=_ascii_only(out), indent=2)
    out.write("\n")


EMITTERS: dict[str, Emitter] = {
    "text": emit_text,
    "json": emit_json,
    "github": emit_github,
    "sarif": emit_sarif,
}


def statistics(findings: Sequence[LocatedFinding]) -> list[tuple[str, Severity, int]]:
    """(code, severity, count) rows, most frequent first."""
    counts = Counter((item.finding.code, item.finding.severity) for item in findings)
    return [(code, severity, n) for (code, severity), n in counts.most_common()]
