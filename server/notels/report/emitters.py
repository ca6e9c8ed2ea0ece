"""One function per `--format`; each writes the whole report for a list of located findings."""

from __future__ import annotations

import codecs
import json
import os
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from json.encoder import encode_basestring, encode_basestring_ascii
from pathlib import Path
from typing import TextIO
from urllib.parse import quote

from notels import __version__
from notels.findings import Severity
from notels.report.located import LocatedFinding
from notels.rules.base import DOCS_URL, Rule
from notels.syntax.lines import NEWLINE_SEQUENCES

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
    """A list of records, as `json.dump(records, out, indent=2)` writes it, in a tenth of the
    time: json's indenting encoder is pure Python, one call per value."""
    string = encode_basestring_ascii if _ascii_only(out) else encode_basestring
    if not findings:
        out.write("[]\n")
        return
    out.write("[\n")
    for number, item in enumerate(findings):
        out.write(("" if number == 0 else ",\n") + _json_record(item, item.fixable, string))
    out.write("\n]\n")


def _json_record(item: LocatedFinding, fixable: bool, string: Callable[[str], str]) -> str:
    f = item.finding
    return (
        "  {\n"
        f'    "path": {string(item.path)},\n'
        f'    "line": {item.line},\n'
        f'    "column": {item.column},\n'
        f'    "end_line": {item.end_line},\n'
        f'    "end_column": {item.end_column},\n'
        f'    "severity": {string(f.severity.value)},\n'
        f'    "code": {string(f.code)},\n'
        f'    "message": {string(f.message)},\n'
        f'    "fixable": {"true" if fixable else "false"},\n'
        f'    "related": {_json_related(item.related, string)}\n'
        "  }"
    )


def _json_related(
    related: tuple[tuple[str, int, int, str], ...], string: Callable[[str], str]
) -> str:
    if not related:
        return "[]"
    records = (
        "      {\n"
        f'        "path": {string(path)},\n'
        f'        "line": {line},\n'
        f'        "column": {column},\n'
        f'        "message": {string(message)}\n'
        "      }"
        for path, line, column, message in related
    )
    return "[\n" + ",\n".join(records) + "\n    ]"


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
        place = [f"file={_github_property(checkout_path(item.path))}", f"line={item.line}"]
        if item.end_line == item.line:
            place += [
                f"col={item.column}",
                f"endLine={item.end_line}",
                f"endColumn={item.end_column}",
            ]
        else:
            # The runner drops columns given with two lines (actions/toolkit's rule).
            place += [f"endLine={item.end_line}"]
        properties = ",".join([*place, f"title={_github_property('notels ' + f.code)}"])
        out.write(f"::{_GITHUB_LEVEL[f.severity]} {properties}::{_github_data(f.message)}\n")


_SARIF_LEVEL = {
    Severity.ERROR: "error",
    Severity.WARNING: "warning",
    Severity.INFO: "note",
    Severity.HINT: "note",
}


def checkout_path(path: str) -> str:
    """A displayed path (relative to the working folder, or absolute) as GitHub reads one:
    from the checkout's root, GITHUB_WORKSPACE, when that is set and holds the file. A job may
    run notels in a folder below the root (`working-directory: notes`), and the runner and
    code scanning take a relative path as one from the root."""
    workspace = os.environ.get("GITHUB_WORKSPACE")
    if not workspace:
        return path
    relative = _workspace_relative(path, workspace)
    return path if relative is None else relative


def _workspace_relative(path: str, workspace: str) -> str | None:
    """The path from `workspace` to the displayed path, when the workspace holds it."""
    absolute = os.path.abspath(path)
    # Either may be named through a symlink (a self-hosted runner's work folder, /tmp on
    # macOS), the working folder never is (getcwd resolves it): compared as written, then
    # resolved, the note's own name kept (a symlinked note is reported where it lies).
    folder, name = os.path.split(absolute)
    for file, root in (
        (absolute, os.path.abspath(workspace)),
        (os.path.join(os.path.realpath(folder), name), os.path.realpath(workspace)),
    ):
        relative = _relative_inside(file, root)
        if relative is not None:
            return relative
    return None


def _relative_inside(file: str, root: str) -> str | None:
    try:
        relative = os.path.relpath(file, root)
    except ValueError:  # on another drive
        return None
    if relative == os.pardir or relative.startswith(os.pardir + os.sep):
        return None
    return relative.replace(os.sep, "/")


# The uriBaseId of every relative URI, as CodeQL names the checkout's root.
SOURCE_ROOT = "%SRCROOT%"


def source_root() -> str:
    """The folder a relative SARIF URI starts from: the checkout's root (GITHUB_WORKSPACE)
    when set, else the working folder, where displayed paths start."""
    return os.path.abspath(os.environ.get("GITHUB_WORKSPACE") or os.curdir)


def sarif_uri(path: str) -> str:
    """A displayed path as a URI, percent-encoded (note names hold spaces, `%`, `#` and
    Cyrillic): a reference relative to `source_root()` when the file lies under it (code
    scanning resolves it against the checkout), else a `file:` URI."""
    workspace = os.environ.get("GITHUB_WORKSPACE")
    if workspace:
        relative = _workspace_relative(path, workspace)
    else:
        relative = None if os.path.isabs(path) else path
    if relative is None:
        return Path(os.path.abspath(path)).as_uri()
    # fsencode: a name the file system gave as undecodable bytes keeps those bytes.
    return quote(os.fsencode(relative.replace(os.sep, "/")), safe="/")


def _source_root_uri() -> str:
    """`source_root()` as the base URI of `originalUriBaseIds`: a folder's, ending in `/`."""
    uri = Path(source_root()).as_uri()
    return uri if uri.endswith("/") else uri + "/"


def emit_sarif(findings: Sequence[LocatedFinding], rules: Sequence[Rule], out: TextIO) -> None:
    """SARIF 2.1.0, as `json.dump(document, out, indent=2)` writes it: json writes the tool
    part, the results (nearly all of it) are written here, in a tenth of json's time."""
    ascii_only = _ascii_only(out)
    string = encode_basestring_ascii if ascii_only else encode_basestring
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
                # What the relative URIs are relative to (SARIF 3.4.4, 3.14.14).
                "originalUriBaseIds": {SOURCE_ROOT: {"uri": _source_root_uri()}},
                "columnKind": "unicodeCodePoints",
                # Lines end where notels ends them (syntax.lines): a lone CR too, which the
                # SARIF default (CRLF and LF only) does not count.
                "newlineSequences": list(NEWLINE_SEQUENCES),
                "results": [],
            }
        ],
    }
    # Strings are written escaped, so the only `"results": []` is the key's own.
    head, tail = json.dumps(document, ensure_ascii=ascii_only, indent=2).split('"results": []')
    if not findings:
        out.write(head + '"results": []' + tail + "\n")
        return
    out.write(head + '"results": [\n')
    for number, result in enumerate(_sarif_results(findings, rules, string)):
        out.write(result if number == 0 else ",\n" + result)
    out.write("\n      ]" + tail + "\n")


def sarif_message(text: str) -> str:
    """A plain-text SARIF message string: `{n}` is a placeholder there and braces are written
    doubled (SARIF 2.1.0 3.11.5), so a note name like `{{title}}` is shown as written."""
    return text.replace("{", "{{").replace("}", "}}")


def _sarif_results(
    findings: Sequence[LocatedFinding], rules: Sequence[Rule], string: Callable[[str], str]
) -> Iterator[str]:
    """Each result, as json.dump(indent=2) writes an element of `runs[0].results`."""
    rule_index = {rule.code: position for position, rule in enumerate(rules)}
    uris: dict[str, str] = {}  # a note's findings share its path: encode it once

    def uri(path: str) -> str:
        if path not in uris:
            uris[path] = string(sarif_uri(path))
        return uris[path]

    for item in findings:
        f = item.finding
        region = (item.line, item.column, item.end_line, item.end_column)
        members = [
            f'          "ruleId": {string(f.code)}',
            f'          "level": {string(_SARIF_LEVEL[f.severity])}',
            f'          "message": {{\n            "text": {string(sarif_message(f.message))}\n'
            "          }",
            '          "locations": [\n            {\n'
            + _physical_location(uri(item.path), region, " " * 14)
            + "\n            }\n          ]",
        ]
        if f.code in rule_index:
            members.append(f'          "ruleIndex": {rule_index[f.code]}')
        if item.related:
            related = (
                "            {\n"
                f'              "id": {position},\n'
                f'              "message": {{\n'
                f'                "text": {string(sarif_message(message))}\n'
                "              },\n"
                + _physical_location(uri(path), (line, column, line, column), " " * 14)
                + "\n            }"
                for position, (path, line, column, message) in enumerate(item.related)
            )
            members.append(
                '          "relatedLocations": [\n' + ",\n".join(related) + "\n          ]"
            )
        yield "        {\n" + ",\n".join(members) + "\n        }"


def _physical_location(uri: str, region: tuple[int, int, int, int], pad: str) -> str:
    """The `"physicalLocation"` member, its key indented by `pad`; `uri` is JSON already."""
    start_line, start_column, end_line, end_column = region
    # A reference without a scheme (`file:`) is relative to the source root.
    relative = not uri.startswith('"file:')
    base = f',\n{pad}    "uriBaseId": "{SOURCE_ROOT}"' if relative else ""
    return (
        f'{pad}"physicalLocation": {{\n'
        f'{pad}  "artifactLocation": {{\n'
        f'{pad}    "uri": {uri}{base}\n'
        f"{pad}  }},\n"
        f'{pad}  "region": {{\n'
        f'{pad}    "startLine": {start_line},\n'
        f'{pad}    "startColumn": {start_column},\n'
        f'{pad}    "endLine": {end_line},\n'
        f'{pad}    "endColumn": {end_column}\n'
        f"{pad}  }}\n"
        f"{pad}}}"
    )


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
