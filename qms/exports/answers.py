"""A cycle's answers as files: the staff form (METHODOLOGY.md §5.3) and the operator's
round-trip form.

The staff form (`GET /staff/cycles/{id}/export.csv`, the XLSX `answers` sheet, and
`qms export` without `--full`) is read from the groups' current releases through
qms.disclosure.rows: only groups whose release has at least `min_n` respondents, under
labels drawn at random for each download, in random order, the quasi-identifiers
k-anonymous with a visible marker for what was hidden, free text in a separate
comments table (qms.disclosure.comments: random order, hidden comments left out, heads
only), and a note in the reader's language that says what was hidden and why and which
groups were left out. Nothing in it links a row to a code, a paper form, an import
line, a respondent key or an order of arrival. The CSV holds three tables one after
the other, separated by an empty line: `respondent,group,item,value` (every column of
every row, blanks empty), `group,item,text` (the comments) and `note`.

The round-trip form (`qms export --format csv --full`, never a download) is the long
format that `qms responses import` reads: every answer of every counted respondent
from the live tables, under stable respondent ids. It holds identifying detail (import
ids can be names, free text names people) and is for operators only.

Every text cell is neutralised against formulas (qms.exports.csvsafe); numbers are not.
"""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from qms.disclosure.comments import GroupComments
from qms.disclosure.kanon import SUPPRESSED
from qms.disclosure.rows import PROXY, Cell, GroupRows, consensus_rows, group_rows
from qms.exports.csvsafe import csv_row
from qms.i18n import N_, translate
from qms.methodology.answers import AnswerValue, is_shown
from qms.methodology.model import Methodology
from qms.store.cycles import Cycle, asked_groups
from qms.store.releases import release_states, released_rows
from qms.store.results import CountedResponse
from qms.store.snapshots import cycle_methodology

COLUMNS = ("respondent", "group", "item", "value")
COMMENT_COLUMNS = ("group", "item", "text")
NOTE_COLUMNS = ("note",)
Row = tuple[str, str, str, Any]

MARKER = N_("[suppressed]")
TITLE = N_("About this file")
LABELS = N_(
    "Each row of the answers table is one answer of one respondent. Respondents are known "
    "by labels drawn at random for this download: the labels change with every download, "
    "and the respondents are in random order. Nothing in this file links a respondent to "
    "an access code, a paper form, an import or the order in which the answers arrived."
)
WHY = N_(
    "Answers to choice and number questions, and whether someone helped the respondent "
    "to answer, could point to a person. So every combination of these answers that "
    "appears in this file is shared by at least as many respondents as the group's "
    "minimum; where it would not be, answers are shown as %(marker)s, the rarest first."
)
GROUP_LINE = N_(
    "%(group)s: respondents %(respondents)s, minimum %(min_n)s, answers shown as "
    "%(marker)s: %(suppressed)s."
)
WITHHELD = N_(
    "%(group)s: answers to questions asked only after a hidden answer, shown as "
    "%(marker)s so that they do not give that answer away: %(withheld)s."
)
SCALES = N_("Scale questions with fewer valid answers than the group's minimum are left out.")
PROXY_LINE = N_("%(column)s: yes when someone helped the respondent to answer, otherwise no.")
CONSENSUS = N_(
    "%(group)s: the working group's consensus record, as agreed (it is named, not anonymous)."
)
BELOW = N_("Left out group: %(group)s, with fewer respondents than its minimum (%(min_n)s).")
PENDING = N_("%(group)s: results appear when the collection closes.")
NOTHING_YET = N_("Results appear when the collection closes.")
COMMENTS = N_(
    "Answers to open questions are in the comments table, in random order and without "
    "any link to the respondents. Comments a head has hidden are left out."
)
NO_COMMENTS = N_("Answers to open questions are shown to the organisation's heads only.")


@dataclass(frozen=True)
class StaffAnswers:
    """What the staff form of one cycle holds, in no language yet."""

    methodology: Methodology
    groups: tuple[GroupRows, ...]  # exported groups, in the methodology's order
    comments: tuple[GroupComments, ...] | None  # None: this reader reads no comments
    below: tuple[str, ...]  # released with fewer respondents than min_n
    pending: tuple[str, ...]  # asked, no release yet


def staff_answers(
    session: Session,
    cycle: Cycle,
    comments: Sequence[GroupComments] | None,
    rng: random.Random | None = None,
) -> StaffAnswers:
    """The staff form of `cycle`, from its current releases. `comments` are
    qms.store.comments.cycle_comments for a reader who may read them, else None."""
    m = cycle_methodology(cycle)
    draw = rng or random.SystemRandom()
    states = release_states(session, cycle, asked_groups(session, cycle))
    groups: list[GroupRows] = []
    below: list[str] = []
    pending: list[str] = []
    for group_id, state in states.items():
        group = m.group(group_id)
        if not state.released:
            pending.append(group_id)
            continue
        rows = released_rows(session, cycle, group_id)
        made = (
            consensus_rows(m, group_id, rows)
            if group.is_consensus
            else group_rows(m, group_id, rows, group.min_n, draw)
        )
        if made is not None:
            groups.append(made)
        elif not group.is_consensus:
            below.append(group_id)
    shown = None if comments is None else tuple(c for c in comments if c.shown)
    return StaffAnswers(m, tuple(groups), shown, tuple(below), tuple(pending))


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


def _cell(value: Cell, marker: str) -> Any:
    """A row's value as a file holds it: numbers stay numbers (never neutralised)."""
    if value is SUPPRESSED:
        return marker
    if value is None:
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, tuple):
        return "|".join(value)
    if isinstance(value, float) and value == int(value):
        return int(value)
    return value


def answer_rows(export: StaffAnswers, lang: str) -> list[Row]:
    marker = translate(lang, MARKER)
    return [
        (row.label, g.group, column, _cell(row.cells[column], marker))
        for g in export.groups
        for row in g.rows
        for column in g.columns
    ]


def comment_rows(export: StaffAnswers) -> list[tuple[str, str, str]]:
    return [
        (g.group, item.item, c.text)
        for g in export.comments or ()
        for item in g.items
        for c in item.comments
    ]


def note_lines(export: StaffAnswers, lang: str) -> list[str]:
    m = export.methodology
    marker = translate(lang, MARKER)

    def say(message: str, **values: object) -> str:
        return translate(lang, message) % values

    def title(group: str) -> str:
        return m.group(group).title.get(lang)

    lines = [say(TITLE)]
    individual = [g for g in export.groups if not m.group(g.group).is_consensus]
    if not export.groups and not export.below:
        lines.append(say(NOTHING_YET))
    if individual:
        lines += [say(LABELS), say(WHY, marker=marker)]
    for g in export.groups:
        if m.group(g.group).is_consensus:
            lines.append(say(CONSENSUS, group=title(g.group)))
            continue
        lines.append(
            say(
                GROUP_LINE,
                group=title(g.group),
                respondents=g.respondents,
                min_n=g.min_n,
                marker=marker,
                suppressed=g.suppressed,
            )
        )
        if g.withheld:
            lines.append(say(WITHHELD, group=title(g.group), marker=marker, withheld=g.withheld))
    if individual:
        lines.append(say(SCALES))
        if any(PROXY in g.columns for g in individual):
            lines.append(say(PROXY_LINE, column=PROXY))
    lines += [say(BELOW, group=title(g), min_n=m.group(g).min_n) for g in export.below]
    if export.groups or export.below:
        lines += [say(PENDING, group=title(g)) for g in export.pending]
    if individual:
        lines.append(say(COMMENTS) if export.comments is not None else say(NO_COMMENTS))
    return lines


def _csv_cells(row: Iterable[Any]) -> list[Any]:
    """Text neutralised against formulas; numbers written as the import reads them
    (and never neutralised: a negative number is a number)."""
    return [
        value_text(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else v
        for v in csv_row(row)
    ]


def _write(writer: Any, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    writer.writerow(header)
    writer.writerows(_csv_cells(row) for row in rows)


def staff_csv_bytes(export: StaffAnswers, lang: str) -> bytes:
    """UTF-8 with a byte order mark, so spreadsheet programs read Latvian letters."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    _write(writer, COLUMNS, answer_rows(export, lang))
    writer.writerow([])
    _write(writer, COMMENT_COLUMNS, comment_rows(export))
    writer.writerow([])
    _write(writer, NOTE_COLUMNS, [(line,) for line in note_lines(export, lang)])
    return buffer.getvalue().encode("utf-8-sig")


# -- the operator's round trip ---------------------------------------------------------


def full_ids(responses: Sequence[CountedResponse]) -> dict[str, str]:
    """Respondent key -> an id the import accepts, the same in every export of the
    cycle: import ids as they are, the system's own keys (`web:…`, `paper:…`) with a
    dash for the colon, made unique where that would meet an import id."""
    keys = {r.respondent for r in responses}
    ids: dict[str, str] = {}
    taken = {k for k in keys if ":" not in k}
    for key in sorted(keys):
        if ":" not in key:
            ids[key] = key
            continue
        candidate, n = key.replace(":", "-"), 1
        while candidate in taken:
            n += 1
            candidate = f"{key.replace(':', '-')}-{n}"
        taken.add(candidate)
        ids[key] = candidate
    return ids


def full_rows(m: Methodology, responses: Sequence[CountedResponse]) -> list[Row]:
    """Every answer of every counted respondent, and an empty value for each item shown
    to them and left blank (so `blank` counts come back)."""
    ids = full_ids(responses)
    rows: list[Row] = []
    for response in responses:
        for item in m.questionnaires[response.group].items:
            if not is_shown(item, response.answers):
                continue
            value = response.answers.get(item.id)
            cell: Any = "" if value is None else value
            rows.append(
                (
                    ids[response.respondent],
                    response.group,
                    item.id,
                    "|".join(cell) if isinstance(cell, tuple) else cell,
                )
            )
    return rows


def full_csv_bytes(rows: Sequence[Row]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    _write(writer, COLUMNS, rows)
    return buffer.getvalue().encode("utf-8-sig")
