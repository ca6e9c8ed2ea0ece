"""What a rule is, and the registry every rule module adds itself to."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial

from notels.config import Config
from notels.findings import Related, Severity
from notels.syntax.model import Link
from notels.syntax.note import Note
from notels.syntax.spans import Span
from notels.vault.index import VaultIndex
from notels.vault.resolve import Resolution, heading_key, heading_link_key

DOCS_URL = "https://github.com/notels/notels/blob/main/docs/rules.md"

# Related locations one finding lists at most: a card copied a thousand times would otherwise
# make a million of them (each copy's finding naming every other), and no editor shows more.
MAX_RELATED = 20


@dataclass(frozen=True, slots=True)
class RuleContext:
    path: str  # vault-relative
    note: Note
    index: VaultIndex
    config: Config
    # Several link rules ask about every link, and many links share a target: each target is
    # resolved once per check (a resolution depends on the target alone, from this note), and
    # the rules walk the links beside their resolutions instead of asking per link.
    _resolved_links: list[list[tuple[Link, Resolution]]] = field(default_factory=list)
    _own_heading_keys: list[frozenset[str]] = field(default_factory=list)  # computed once

    def has_own_heading(self, link_heading: str) -> bool:
        """Does this note have the heading a link names? Keys are computed once per check."""
        if not self._own_heading_keys:
            keys = frozenset(heading_key(heading.text) for heading in self.note.headings)
            self._own_heading_keys.append(keys)
        return heading_link_key(link_heading) in self._own_heading_keys[0]

    def resolved_links(self) -> list[tuple[Link, Resolution]]:
        """Each of the note's links, in order, with what its target resolves to."""
        if not self._resolved_links:
            by_target: dict[str, Resolution] = {}
            resolve, path = self.index.resolve_target, self.path
            pairs: list[tuple[Link, Resolution]] = []
            for link in self.note.links:
                target = link.target
                resolution = by_target.get(target)
                if resolution is None:
                    resolution = by_target[target] = resolve(target, path)
                pairs.append((link, resolution))
            self._resolved_links.append(pairs)
        return self._resolved_links[0]


@dataclass(frozen=True, slots=True)
class Draft:
    """A finding before the engine stamps its code and the configured severity on it."""

    span: Span
    message: str
    related: tuple[Related, ...] = ()
    unnecessary: bool = False


Check = Callable[[RuleContext], Iterable[Draft]]


@dataclass(frozen=True, slots=True)
class Rule:
    code: str
    severity: Severity
    summary: str  # one line
    explanation: str  # the docs entry: why it matters and what to do
    check: Check | None  # None for rules reported by the file reader, not from a Note
    fixable: bool = False
    # Its findings depend on the other notes (link targets, IDs, the fields their cards use):
    # with part of the vault indexed, it would report links to notes not yet read as broken.
    vault_wide: bool = False
    # It judges the note's Anki cards: not run where the plugin reads none (drawings.holds_cards).
    cards: bool = False

    @property
    def docs_url(self) -> str:
        return f"{DOCS_URL}#{self.code}"


REGISTRY: dict[str, Rule] = {}


def rule(
    code: str,
    severity: Severity,
    summary: str,
    explanation: str,
    fixable: bool = False,
    vault_wide: bool = False,
    cards: bool = False,
) -> Callable[[Check], Check]:
    def register(check: Check) -> Check:
        if code in REGISTRY:
            raise ValueError(f"rule {code} registered twice")
        REGISTRY[code] = Rule(
            code, severity, summary, explanation.strip(), check, fixable, vault_wide, cards
        )
        return check

    return register


# A rule on the note's Anki cards (see Rule.cards).
card_rule = partial(rule, cards=True)


def register_reader_rule(code: str, severity: Severity, summary: str, explanation: str) -> None:
    REGISTRY[code] = Rule(code, severity, summary, explanation.strip(), None)
