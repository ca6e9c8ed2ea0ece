"""Run the rules over one note: the single path shared by `notels check` and the server."""

from __future__ import annotations

from collections.abc import Collection

from notels.config import Config
from notels.findings import Finding
from notels.rules.base import REGISTRY, Rule, RuleContext
from notels.rules.files import problem_code, problem_message
from notels.syntax.note import Note
from notels.syntax.spans import Span
from notels.vault.drawings import holds_cards
from notels.vault.files import FileProblem
from notels.vault.index import VaultIndex


def all_rules() -> tuple[Rule, ...]:
    return tuple(REGISTRY.values())


def known_codes() -> frozenset[str]:
    return frozenset(REGISTRY)


def is_selected(code: str, select: Collection[str] | None, ignore: Collection[str]) -> bool:
    return (select is None or code in select) and code not in ignore


def check_note(
    path: str,
    note: Note,
    index: VaultIndex,
    config: Config,
    select: Collection[str] | None = None,
    ignore: Collection[str] = (),
    whole_vault: bool = True,
) -> list[Finding]:
    """Findings for one note, sorted by position; a rule that is off is not run at all.

    `whole_vault=False`: the index holds part of the vault (it is being filled), so the rules
    whose findings depend on other notes are not run.
    """
    context = RuleContext(path, note, index, config)
    findings: list[Finding] = []
    cards = holds_cards(path, note.frontmatter)
    for rule in REGISTRY.values():
        if rule.check is None or not is_selected(rule.code, select, ignore):
            continue
        if rule.cards and not cards:
            continue
        if rule.vault_wide and not whole_vault:
            continue
        severity = config.severity_of(rule.code, rule.severity)
        if severity is None:
            continue
        for draft in rule.check(context):
            findings.append(
                Finding(
                    rule.code, severity, draft.span, draft.message, draft.related, draft.unnecessary
                )
            )
    problem = index.file_problems.get(path)
    if problem is not None:
        findings.extend(problem_findings(problem, config, select, ignore))
    findings.sort(key=lambda f: (f.span.start, f.span.end, f.code))
    return findings


def problem_findings(
    problem: FileProblem,
    config: Config,
    select: Collection[str] | None = None,
    ignore: Collection[str] = (),
) -> list[Finding]:
    code = problem_code(problem.kind)
    rule = REGISTRY[code]
    severity = config.severity_of(code, rule.severity)
    if severity is None or not is_selected(code, select, ignore):
        return []
    return [Finding(code, severity, Span(0, 0), problem_message(problem))]
