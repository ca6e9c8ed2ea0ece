"""`notels serve` / `notels check`: argument parsing only."""

from __future__ import annotations

import argparse
import io
import os
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from notels import __version__
from notels.config import ConfigError
from notels.findings import Severity
from notels.vault.loader import Progress

if TYPE_CHECKING:
    from notels.checker import CheckResult

EXIT_CLEAN = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, what a shell reports for a writer killed by it


def _codes(values: list[str] | None) -> list[str]:
    return [code.strip() for value in values or [] for code in value.split(",") if code.strip()]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="notels",
        description="Language server and CI checker for Obsidian notes with Anki cards.",
    )
    parser.add_argument("--version", action="version", version=f"notels {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="run the language server (stdio by default)")
    serve.add_argument("--stdio", action="store_true", help="talk over stdin/stdout (default)")
    serve.add_argument("--tcp", metavar="HOST:PORT", help="listen on TCP instead, for debugging")
    serve.add_argument("--log-file", type=Path, help="also write the server log to this file")

    check = commands.add_parser("check", help="report problems in notes, for CI")
    check.add_argument("paths", nargs="*", type=Path, default=[Path(".")], metavar="PATH")
    check.add_argument("--format", choices=["text", "json", "github", "sarif"], default="text")
    check.add_argument("--select", action="append", metavar="CODES", help="only these rule codes")
    check.add_argument("--ignore", action="append", metavar="CODES", help="skip these rule codes")
    check.add_argument(
        "--fail-on",
        choices=["error", "warning", "info", "hint"],
        default="error",
        help="exit 1 when a finding at or above this severity is reported (default: error)",
    )
    check.add_argument("--exit-zero", action="store_true", help="exit 0 even with findings")
    check.add_argument("--quiet", "-q", action="store_true", help="print findings only")
    check.add_argument("--statistics", action="store_true", help="print counts per rule code")
    check.add_argument(
        "--fix",
        action="store_true",
        help="apply safe fixes (new IDs, END lines, text after START, stale fix/empty tags) "
        "to the files, then report what remains",
    )
    check.add_argument(
        "--diff",
        action="store_true",
        help="print the changes --fix would make as a unified diff, write nothing; "
        "exit 1 when there are any (0 with --exit-zero)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # argparse exits 2 on usage errors and 0 for --help/--version
        return int(exit_.code or 0)
    if args.command == "serve":
        from notels.lsp.server import run_server

        return run_server(tcp=args.tcp, log_file=args.log_file)
    if sys.stdout is None:  # started with stdout closed (`>&-`)
        return _report_lost("stdout is closed")
    try:
        status = _check(args)
        sys.stdout.flush()  # a full disk shows here, not in a message at exit
        return status
    except BrokenPipeError:
        # The reader stopped early (`notels check | head`): nothing left to say, and Python
        # must not complain about flushing stdout at exit either.
        _stdout_to_devnull()
        return EXIT_BROKEN_PIPE
    except OSError as error:
        if error.filename is not None:
            # Not the report: a file's own error is no write failure of stdout.
            return _internal_error()
        _stdout_to_devnull()
        return _report_lost(error.strerror or str(error))
    except Exception:
        return _internal_error()


def _internal_error() -> int:
    """A bug, or an error no check expected: its traceback on stderr, and exit 2 (as ruff does)
    so that CI never reads a crash as a run with findings (1)."""
    if sys.stderr is not None:
        traceback.print_exc()
        print("notels: internal error: please report it with the traceback above", file=sys.stderr)
    return EXIT_USAGE


def _report_lost(why: str) -> int:
    """The report could not be written (a full disk, a closed stdout): say so and exit 2, so
    CI never reads a cut-short SARIF file as a run with findings (1) or none (0)."""
    if sys.stderr is not None:
        print(f"notels: cannot write the report: {why}", file=sys.stderr)
    return EXIT_USAGE


def _stdout_to_devnull() -> None:
    """Nothing more reaches stdout, and Python's flush at exit fails no more."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def _report_streams_never_fail() -> None:
    """A name or message the output's encoding cannot carry is written as `\\u0417` or, for a
    file name that is not UTF-8, `\\udccd`: a Windows pipe (cp1252) or an undecodable name
    must not end the run with a traceback and exit 1. Inside a JSON string both are escapes."""
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="backslashreplace")


def _check(args: argparse.Namespace) -> int:
    from notels.checker import check_paths
    from notels.fixer import FixMode
    from notels.report.emitters import EMITTERS, statistics
    from notels.rules import all_rules, known_codes

    _report_streams_never_fail()
    select = _codes(args.select) or None
    ignore = _codes(args.ignore)
    unknown = sorted((set(select or []) | set(ignore)) - known_codes())
    if unknown:
        print(f"notels: unknown rule code(s): {', '.join(unknown)}", file=sys.stderr)
        return EXIT_USAGE
    # lexists: a dangling or looping symlink is judged where it lies (skipped-file), as in a
    # whole-vault run, not taken for a missing path.
    missing = [str(path) for path in args.paths if not os.path.lexists(path)]
    if missing:
        print(f"notels: no such file or folder: {', '.join(missing)}", file=sys.stderr)
        return EXIT_USAGE

    # --diff wins over --fix: asking to see the changes never writes them.
    fix = FixMode.DIFF if args.diff else FixMode.APPLY if args.fix else None
    progress = _terminal_progress() if sys.stderr.isatty() and not args.quiet else None
    try:
        # Only the JSON report says whether --fix can fix each finding: finding out costs.
        judge_fixable = args.format == "json"
        result = check_paths(args.paths, select, ignore, progress, fix, judge_fixable=judge_fixable)
    except ConfigError as error:
        print(f"notels: {error}", file=sys.stderr)
        return EXIT_USAGE
    if progress is not None:
        sys.stderr.write("\r\033[K")
    for refusal in result.fixes.refused:
        print(f"notels: not fixed: {refusal.display}: {refusal.reason}", file=sys.stderr)
    if fix is FixMode.DIFF:
        changed = _print_diff(result)
        return EXIT_FINDINGS if changed and not args.exit_zero else EXIT_CLEAN

    findings = sorted(result.findings, key=lambda f: (f.path, f.line, f.column, f.finding.code))
    EMITTERS[args.format](findings, all_rules(), sys.stdout)
    if args.statistics:
        rows = statistics(findings)
        stream = sys.stdout if args.format == "text" else sys.stderr
        for code, severity, count in rows:
            stream.write(f"{count:>6}  {code:<22} {severity.value}\n")
    if args.format == "text" and not args.quiet:
        by_severity = {s: sum(1 for f in findings if f.finding.severity is s) for s in Severity}
        parts = [f"{n} {s.value}{'s' if n != 1 else ''}" for s, n in by_severity.items() if n]
        summary = ", ".join(parts) if parts else "no problems"
        sys.stdout.write(f"Checked {_count(result.files_checked, 'note')}: {summary}.\n")
    if fix is FixMode.APPLY:
        fixes = result.fixes
        fixed = _count(fixes.problems_fixed, "problem")
        line = f"Fixed {fixed} in {_count(len(fixes.written), 'file')}.\n"
        text_end = args.format == "text" and not args.quiet
        (sys.stdout if text_end else sys.stderr).write(line)

    fail_on = Severity(args.fail_on)
    failed = any(item.finding.severity.at_least(fail_on) for item in findings)
    return EXIT_FINDINGS if failed and not args.exit_zero else EXIT_CLEAN


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _print_diff(result: CheckResult) -> bool:
    """Print the planned changes; were there any?"""
    from notels.fixer import unified_diff

    changes = result.fixes.changes
    # The diff is bytes for `patch` and `git apply`: UTF-8 text, and each file name as its
    # bytes, whatever encoding stdout has (a cp1252 pipe would write `\u0417` for a letter).
    binary = getattr(sys.stdout, "buffer", None)
    sys.stdout.flush()
    for change in changes:
        diff = unified_diff(change)
        if binary is None:
            sys.stdout.write(diff)
        else:
            binary.write(diff.encode("utf-8", "surrogateescape"))
    if binary is not None:
        binary.flush()
    fixable = sum(change.fixes for change in changes)
    if changes:
        sys.stderr.write(
            f"Would fix {_count(fixable, 'problem')} in {_count(len(changes), 'file')}.\n"
        )
        return True
    sys.stderr.write("No fixes to apply.\n")
    return False


def _terminal_progress() -> Progress:
    def show(done: int, total: int) -> None:
        if done == total or done % 200 == 0:
            sys.stderr.write(f"\rindexing {done}/{total} notes")
            sys.stderr.flush()

    return show
