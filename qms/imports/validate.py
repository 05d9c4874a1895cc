"""Checking CSV rows against a methodology: every bad row found, nothing written.

Respondents in a consensus group (the organisation's working group): the respondent
`consensus` is the consensus record, the only one that is scored; any other id is a
working-group member's own entry, stored as `assessor:<id>` (an id may also be written
with that prefix) and shown to the working group, never scored. Respondent ids are
1-100 characters without `:` (keys with `:` are the system's own), and `consensus` is
reserved for the consensus group.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from qms.imports.csvfile import Row, RowError
from qms.methodology.answers import AnswerValue, BadValue, condition_text, is_shown, parse_value
from qms.methodology.model import Methodology

CONSENSUS = "consensus"
ASSESSOR_PREFIX = "assessor:"
RESPONDENT_MAX = 100


@dataclass
class ParsedRespondent:
    key: str  # as stored: the file's id, or assessor:<id> in a consensus group
    group: str
    line: int  # where the respondent first appears
    answers: dict[str, AnswerValue] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)  # item -> line, blanks included


@dataclass
class ParsedImport:
    respondents: list[ParsedRespondent]
    errors: list[RowError]
    missing_required: int

    @property
    def answer_count(self) -> int:
        return sum(len(r.answers) for r in self.respondents)


def respondent_key(methodology: Methodology, group: str, raw: str) -> str:
    """The stored key for an id written in a file; BadValue when the id is not allowed."""
    name = raw.strip()
    # `Consensus` typed by hand must not quietly become an assessor's entry.
    if name.lower() == CONSENSUS:
        name = CONSENSUS
    consensus_group = methodology.group(group).is_consensus
    if consensus_group and name.startswith(ASSESSOR_PREFIX):
        name = name.removeprefix(ASSESSOR_PREFIX).strip()
        if name.lower() == CONSENSUS:
            raise BadValue("'assessor:consensus' is ambiguous; use another assessor name")
    if not name:
        raise BadValue("the respondent id is empty")
    if len(name) > RESPONDENT_MAX:
        raise BadValue(f"a respondent id has at most {RESPONDENT_MAX} characters")
    if ":" in name:
        raise BadValue(f"a respondent id may not contain ':' ({name!r})")
    if consensus_group:
        return name if name == CONSENSUS else ASSESSOR_PREFIX + name
    if name == CONSENSUS:
        raise BadValue(
            f"the respondent id 'consensus' is reserved for the consensus record of a "
            f"consensus group, and {group} is not one"
        )
    return name


class _Checker:
    def __init__(self, methodology: Methodology) -> None:
        self.methodology = methodology
        # Ids as the methodology holds them: a million rows then share a few dozen
        # strings instead of each keeping its own copy.
        self.groups = {g.id: g.id for g in methodology.groups}
        self.by_key: dict[str, ParsedRespondent] = {}
        self.by_id: dict[str, tuple[str, int]] = {}
        self.errors: list[RowError] = []

    def bad(self, line: int, message: str) -> None:
        self.errors.append(RowError(line, message))

    def row(self, row: Row) -> None:
        m = self.methodology
        group, item_id = row.group.strip(), row.item.strip()
        if group not in self.groups:
            known = ", ".join(sorted(self.groups))
            return self.bad(row.line, f"unknown group {group!r} (groups: {known})")
        if not m.has_item(item_id):
            return self.bad(row.line, f"unknown item {item_id!r}")
        group, item_id = self.groups[group], m.item(item_id).id
        if m.item_group(item_id) != group:
            return self.bad(
                row.line,
                f"item {item_id} is in the {m.item_group(item_id)} questionnaire, not {group}",
            )
        try:
            key = respondent_key(m, group, row.respondent)
        except BadValue as exc:
            return self.bad(row.line, str(exc))
        # One person, one group: `anna` in staff and in the working group is a mistake,
        # even though her working-group entry is stored as assessor:anna.
        first = self.by_id.setdefault(key.removeprefix(ASSESSOR_PREFIX), (group, row.line))
        if first[0] != group:
            return self.bad(
                row.line,
                f"respondent {key.removeprefix(ASSESSOR_PREFIX)} is in group {first[0]} "
                f"(line {first[1]}), not {group}",
            )
        respondent = self.by_key.get(key)
        if respondent is None:
            respondent = self.by_key[key] = ParsedRespondent(key, group, row.line)
        if item_id in respondent.lines:
            return self.bad(
                row.line,
                f"respondent {key} answers item {item_id} twice "
                f"(first on line {respondent.lines[item_id]})",
            )
        respondent.lines[item_id] = row.line
        try:
            value = parse_value(m, m.item(item_id), row.value)
        except BadValue as exc:
            return self.bad(row.line, f"item {item_id}: {exc}")
        if value is not None:
            respondent.answers[item_id] = value
        return None

    def conditions(self, respondent: ParsedRespondent) -> None:
        """An answer to an item its `when` hides is refused (METHODOLOGY.md §3)."""
        for item_id in respondent.answers:
            item = self.methodology.item(item_id)
            if item.when is None or is_shown(item, respondent.answers):
                continue
            given = condition_text(respondent.answers.get(item.when.item))
            self.bad(
                respondent.lines[item_id],
                f"item {item_id} is not shown to respondent {respondent.key}: it asks for "
                f"{item.when.item} in [{', '.join(item.when.values)}], the answer is "
                + (repr(given) if given is not None else "blank")
                + "; remove the value or the row",
            )

    def missing_required(self, respondent: ParsedRespondent) -> int:
        questionnaire = self.methodology.questionnaires[respondent.group]
        return sum(
            1
            for item in questionnaire.items
            if item.required
            and item.id not in respondent.answers
            and is_shown(item, respondent.answers)
        )


def validate_rows(
    methodology: Methodology,
    rows: Iterable[Row | RowError],
    csv_errors: Iterable[RowError] = (),
) -> ParsedImport:
    """Every row checked; `rows` may be a stream of rows and malformed rows (as
    qms.imports.csvfile.stream_file gives them) and is read once."""
    checker = _Checker(methodology)
    checker.errors.extend(csv_errors)
    for row in rows:
        if isinstance(row, RowError):
            checker.errors.append(row)
        else:
            checker.row(row)
    respondents = list(checker.by_key.values())
    for respondent in respondents:
        checker.conditions(respondent)
    missing = sum(checker.missing_required(r) for r in respondents)
    errors = sorted(checker.errors, key=lambda e: e.line)
    return ParsedImport(respondents, errors, missing)
