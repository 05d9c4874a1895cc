"""Releases of a group's responses (METHODOLOGY.md §5.2), pure.

A release freezes, per group, the responses it counts. Each released response is known
by a *unit*: a digest of its cycle and respondent key, so that two releases of a cycle
can be compared response by response without the release holding the key itself (an
import's respondent ids may be names). Its *fingerprint* is a digest of what it
answered, so a changed answer shows as a changed response.

The rule for a re-close: a group gets a new release only when its counted responses
differ from *each* of its earlier releases by at least k (added, removed or changed):
otherwise someone who saw two releases could subtract them and read the few responses
that differ. qms also asks it of every single question: the respondents whose answer
to one question differs between the two releases (shown or not, blank or not, its
value, and the "someone helped me" flag as a question of its own) must number none or
at least k. Without that, k respondents who each changed a different question would
let one question's histograms be subtracted down to one person's answer.

k is the group's `min_n`. The consensus group's record is named, not anonymous: it is
released at every close where it changed (the store decides that, not this rule).
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Collection, Mapping, Sequence

from qms.methodology.answers import AnswerValue, is_shown
from qms.methodology.model import Methodology

# A released response: unit -> fingerprint.
Released = Mapping[str, str]


def unit_key(cycle_id: int, respondent: str) -> str:
    """The unit of a response: stable across the releases of one cycle, unlinkable to
    anything outside them."""
    return hashlib.sha256(f"qms-unit\x00{cycle_id}\x00{respondent}".encode()).hexdigest()


def _plain(value: object) -> object:
    return list(value) if isinstance(value, tuple) else value


def fingerprint(answers: Mapping[str, object], proxy: bool) -> str:
    """A digest of one response's answers and its "someone helped me" flag."""
    canonical = json.dumps(
        {"a": {k: _plain(v) for k, v in sorted(answers.items())}, "p": bool(proxy)},
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def changes_between(a: Released, b: Released) -> int:
    """Responses added, removed or changed between two releases."""
    added = sum(1 for unit in b if unit not in a)
    removed = sum(1 for unit in a if unit not in b)
    changed = sum(1 for unit, fp in b.items() if unit in a and a[unit] != fp)
    return added + removed + changed


# What one released response shows of each question: its answer, BLANK when the
# question was shown and left blank, nothing when the question was not shown.
UnitView = Mapping[str, object]
BLANK = "\x00blank"
PROXY = "\x00proxy"


def unit_view(
    m: Methodology, group: str, answers: Mapping[str, AnswerValue], proxy: bool
) -> dict[str, object]:
    view: dict[str, object] = {PROXY: bool(proxy)}
    for item in m.questionnaires[group].items:
        if is_shown(item, answers):
            value = answers.get(item.id)
            view[item.id] = BLANK if value is None else _plain(value)
    return view


def question_changes(a: Mapping[str, UnitView], b: Mapping[str, UnitView]) -> Counter[str]:
    """Per question, the respondents whose view of it differs between two releases."""
    changes: Counter[str] = Counter()
    empty: UnitView = {}
    for unit in set(a) | set(b):
        va, vb = a.get(unit, empty), b.get(unit, empty)
        for question in set(va) | set(vb):
            if va.get(question, _ABSENT) != vb.get(question, _ABSENT):
                changes[question] += 1
    return changes


_ABSENT = object()


def _cell(view: UnitView | None, question: str) -> str | None:
    """The breakdown cell of a response by a choice question: its option, or "" (no
    answer: blank or not asked); None when the response is not in the release."""
    if view is None:
        return None
    value = view.get(question)
    return value if isinstance(value, str) and value != BLANK else ""


def cell_changes(
    a: Mapping[str, UnitView], b: Mapping[str, UnitView], question: str
) -> Counter[str]:
    """Per cell of a breakdown by `question`, the changed responses that are in it in
    either release (one that moved counts in both cells)."""
    changes: Counter[str] = Counter()
    for unit in set(a) | set(b):
        va, vb = a.get(unit), b.get(unit)
        if va != vb:
            for cell in {_cell(va, question), _cell(vb, question)} - {None}:
                changes[str(cell)] += 1
    return changes


def release_due(
    current: Mapping[str, UnitView],
    earlier: Sequence[Mapping[str, UnitView]],
    k: int,
    breakdowns: Collection[str] = (),
) -> bool:
    """Whether `current` may become a new release after the `earlier` ones (§5.2): it
    differs from each by at least k responses, on every question by none or at least
    k, and in every cell of a breakdown by a choice question of `breakdowns` by none or
    at least k (a cell's n × mean before and after would otherwise give the few
    newcomers' answers)."""
    k = max(k, 1)
    for old in earlier:
        units = sum(1 for u in set(old) | set(current) if old.get(u) != current.get(u))
        if units < k:
            return False
        if any(0 < n < k for n in question_changes(old, current).values()):
            return False
        for question in breakdowns:
            if any(0 < n < k for n in cell_changes(old, current, question).values()):
                return False
    return True


def waiting_changes(current: Mapping[str, UnitView], last: Mapping[str, UnitView] | None) -> int:
    """How many responses changed since the last release ("n changes wait")."""
    last = last or {}
    return sum(1 for u in set(last) | set(current) if last.get(u) != current.get(u))
