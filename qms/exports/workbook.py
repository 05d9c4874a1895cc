"""The XLSX workbook of one cycle: scores, item statistics, and the staff form of its
answers (METHODOLOGY.md §5.3, the same as the CSV export): sheets `scores`, `items`,
`answers`, `comments` and `about` (what was hidden and why, in the reader's language).

Full precision (machine output, METHODOLOGY.md §3.9); column keys are the stable
English names of `qms scores`, with the titles in the reader's language beside them.
A non-reportable item shows its counts and nothing else. Every text is stored as a
string, never as a formula (qms.exports.csvsafe).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook  # type: ignore[import-untyped]
from openpyxl.styles import Font  # type: ignore[import-untyped]

from qms.exports.answers import (
    COLUMNS,
    COMMENT_COLUMNS,
    NOTE_COLUMNS,
    StaffAnswers,
    answer_rows,
    comment_rows,
    note_lines,
)
from qms.exports.csvsafe import append_row
from qms.presentation.tables import node_title
from qms.store.results import CycleResults

SCORE_COLUMNS = ("node", "title", "group", "group_title", "score", "groups")
ITEM_COLUMNS = (
    "group",
    "item",
    "text",
    "criterion",
    "n",
    "dk",
    "na",
    "blank",
    "reportable",
    "mean",
    "sd",
    "ci_low",
    "ci_high",
    "top_box",
    "histogram",
)


def _sheet(
    book: Workbook,
    title: str,
    header: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    first: bool = False,
) -> None:
    sheet = book.active if first else book.create_sheet()
    assert sheet is not None
    sheet.title = title
    append_row(sheet, list(header))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        append_row(sheet, list(row))
    sheet.freeze_panes = "A2"


def workbook_bytes(results: CycleResults, answers: StaffAnswers, lang: str) -> bytes:
    m, scores = results.methodology, results.scores
    titles = {g.id: g.title.get(lang) for g in m.groups}
    score_rows: list[list[Any]] = [
        [
            s.node,
            node_title(m, s.node, lang),
            s.group or "",
            titles.get(s.group or "", ""),
            s.score,
            "|".join(s.groups),
        ]
        for s in scores.scores
    ]
    score_rows.append(["overall", "", "", "", scores.overall.composite, ""])
    score_rows.extend(
        ["overall", "", g, titles[g], v, ""] for g, v in scores.overall.by_group.items()
    )
    item_rows: list[list[Any]] = []
    for st in scores.items:
        item = m.item(st.item)
        ci = st.ci or (None, None)
        histogram = "|".join(f"{v}:{n}" for v, n in st.histogram.items()) if st.histogram else None
        item_rows.append(
            [
                st.group,
                st.item,
                item.text.get(lang),
                item.criterion or "",
                st.n,
                st.dk,
                st.na,
                st.blank,
                st.reportable,
                st.mean,
                st.sd,
                ci[0],
                ci[1],
                st.top_box,
                histogram,
            ]
        )
    book = Workbook()
    _sheet(book, "scores", SCORE_COLUMNS, score_rows, first=True)
    _sheet(book, "items", ITEM_COLUMNS, item_rows)
    _sheet(book, "answers", COLUMNS, answer_rows(answers, lang))
    _sheet(book, "comments", COMMENT_COLUMNS, comment_rows(answers))
    _sheet(book, "about", NOTE_COLUMNS, [(line,) for line in note_lines(answers, lang)])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
