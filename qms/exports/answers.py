"""Answers in the import's long format (`respondent,group,item,value`), suppressed.

The file re-imports into an empty cycle of the same methodology with the same scores
(`qms responses import`), and shows nothing that a screen would hide (METHODOLOGY.md
§3.4). Decisions:

- A group with fewer counted respondents than its `min_n` is left out entirely: every
  one of its items has fewer answers than that, so it contributes no score anyway.
- In a consensus group only the consensus record is written (members' own entries are
  never scored); it is the organisation's own record, so all of its answers go out.
- Of an individual group, the scale items that are reportable are written, with an
  empty value for a respondent who was shown the item and left it blank (so `blank`
  counts survive the round trip). An item below `min_n` is left out: its values are
  never shown, and it is in no score. Unscored items are left out too (free text can
  name people; choices and numbers are in no score), except the choice and scale items
  that a written item's `when` needs, without which the import would refuse the rows.
- Respondents get new ids (`staff-0001`, ...), numbered in the order of their stored
  keys: an import's ids may be names, and web keys have no meaning outside the system.

So the scores, the overall figures and every reportable item statistic come back equal;
the counts of the items left out do not (they come back empty).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from qms.imports.values import AnswerValue, is_shown
from qms.methodology.model import Item, Methodology
from qms.scoring import CycleScores
from qms.store.models.cycles import CONSENSUS_KEY
from qms.store.results import CountedResponse

COLUMNS = ("respondent", "group", "item", "value")
Row = tuple[str, str, str, str]


def value_text(value: AnswerValue) -> str:
    """An answer as the import reads it back."""
    if isinstance(value, tuple):
        return "|".join(value)
    if isinstance(value, float):
        if value == int(value):
            return str(int(value))
        text = repr(value)
        return text if "e" not in text else f"{value:.15f}".rstrip("0")
    return str(value)


def reportable_groups(
    m: Methodology, respondents: dict[str, int]
) -> list[str]:
    return [g.id for g in m.groups if respondents.get(g.id, 0) >= g.min_n]


def exported_items(m: Methodology, group: str, scores: CycleScores) -> list[Item]:
    """The items of `group` whose answers go out, in questionnaire order."""
    questionnaire = m.questionnaires[group]
    if m.group(group).is_consensus:
        return list(questionnaire.items)
    wanted = {
        i.id for i in questionnaire.items
        if i.is_scored and (st := scores.item(group, i.id)) is not None and st.reportable
    }
    # The conditions the written items need, and theirs in turn (a `when` looks back).
    for item in reversed(questionnaire.items):
        if item.id in wanted and item.when is not None:
            wanted.add(item.when.item)
    return [i for i in questionnaire.items if i.id in wanted]


def answer_rows(
    m: Methodology, scores: CycleScores, responses: Iterable[CountedResponse],
    respondents: dict[str, int],
) -> list[Row]:
    groups = reportable_groups(m, respondents)
    items = {g: exported_items(m, g, scores) for g in groups}
    numbers: dict[str, int] = {}
    rows: list[Row] = []
    for response in responses:
        if response.group not in items:
            continue
        if m.group(response.group).is_consensus:
            if response.respondent != CONSENSUS_KEY:
                continue
            key = CONSENSUS_KEY
        else:
            numbers[response.group] = numbers.get(response.group, 0) + 1
            key = f"{response.group}-{numbers[response.group]:04d}"
        for item in items[response.group]:
            if not is_shown(item, response.answers):
                continue
            value = response.answers.get(item.id)
            if value is None and not item.is_scored:
                continue
            rows.append((key, response.group, item.id, "" if value is None else value_text(value)))
    return rows


def csv_bytes(rows: Sequence[Row]) -> bytes:
    """UTF-8 with a byte order mark, so spreadsheet programs read Latvian letters."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")
