"""A cycle's results pages: the criterion × group tables with the breakdown by a choice
item, the open actions and the questions with comments; and one item's detail."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from qms import i18n
from qms.disclosure import Breakdown
from qms.disclosure.cycle import HIDDEN_ANSWER
from qms.i18n import N_
from qms.methodology.model import Item, Methodology
from qms.presentation.tables import ItemRow, ResultsTables, build_tables, histogram_rows, item_rows
from qms.presentation.text import local_time
from qms.scoring import ItemStats
from qms.scoring.display import fmt1
from qms.store.cycles import CycleInfo
from qms.store.plan import Action
from qms.store.results import CycleResults

# Respondents whose answer the answer download hides (too rare to show): a breakdown
# counts them apart, so that it cannot say which hidden rows had which answer.
HIDDEN_LABEL = N_("Answer not shown")
BY_ERROR = N_("Choose a question from the list.")


@dataclass(frozen=True)
class ChoiceLink:
    id: str
    label: str


@dataclass(frozen=True)
class BreakdownCell:
    mean: str
    n: int


@dataclass(frozen=True)
class BreakdownRow:
    item: str
    text: str
    cells: tuple[BreakdownCell | None, ...]  # None: hidden


@dataclass(frozen=True)
class BreakdownView:
    by: str
    question: str
    min_n: int
    cells: list[str]  # the option labels, the table's columns
    rows: list[BreakdownRow]


def breakdown_choices(m: Methodology, lang: str) -> list[ChoiceLink]:
    """The choice items of the individual groups, which a breakdown may split by."""
    return [
        ChoiceLink(item.id, f"{g.title.get(lang)}: {item.text.get(lang)}")
        for g in m.groups
        if not g.is_consensus
        for item in m.questionnaires[g.id].items
        if item.type == "choice"
    ]


def _cell(stats: ItemStats | None) -> BreakdownCell | None:
    return None if stats is None else BreakdownCell(fmt1(stats.mean), stats.n)


def breakdown_view(m: Methodology, found: Breakdown, lang: str) -> BreakdownView:
    choice = m.item(found.by_item)
    labels = {o.value: o.label.get(lang) for o in choice.options}
    labels[HIDDEN_ANSWER] = i18n.translate(lang, HIDDEN_LABEL)
    return BreakdownView(
        by=found.by_item,
        question=choice.text.get(lang),
        min_n=m.group(found.group).min_n,
        cells=[labels.get(c, "") for c in found.cells],
        rows=[
            BreakdownRow(
                item_id,
                m.item(item_id).text.get(lang),
                tuple(_cell(cells[c]) for c in found.cells),
            )
            for item_id, cells in found.rows.items()
        ],
    )


def group_title(data: CycleResults, group: str, lang: str) -> str:
    return data.methodology.group(group).title.get(lang)


@dataclass(frozen=True)
class ResultsPage:
    cycle: CycleInfo
    organisation_id: int
    t: ResultsTables
    items_by_group: dict[str, list[ItemRow]]
    choices: list[ChoiceLink]
    by: str
    by_error: str
    breakdown: BreakdownView | None
    actions: list[Action]
    published_at: str
    can_publish: bool
    saved: str
    waiting: list[tuple[str, int]]
    unreleased: list[str]
    closed_at: str
    open_questions: list[tuple[str, str, int | None]]
    comments_link: bool


def results_page(
    data: CycleResults,
    *,
    organisation_id: int,
    by: str,
    breakdown: Breakdown | None,
    actions: list[Action],
    comment_counts: Mapping[tuple[str, str], int | None],
    published_at: datetime | None,
    closed_at: datetime | None,
    can_publish: bool,
    comments_link: bool,
    saved: str,
    lang: str,
) -> ResultsPage:
    """`by`: the choice item the query asks to break down by ("" for none), and
    `breakdown` its figures when it is one of `breakdown_choices`."""
    m = data.methodology
    tables = build_tables(data, lang)
    items_by_group: dict[str, list[ItemRow]] = {}
    for row in tables.items:
        items_by_group.setdefault(row.group, []).append(row)
    return ResultsPage(
        cycle=data.info,
        organisation_id=organisation_id,
        t=tables,
        items_by_group=items_by_group,
        choices=breakdown_choices(m, lang),
        by=by,
        by_error=BY_ERROR if by and breakdown is None else "",
        breakdown=breakdown_view(m, breakdown, lang) if breakdown is not None else None,
        actions=[a for a in actions if a.is_open],
        published_at=local_time(published_at),
        can_publish=can_publish,
        saved=saved,
        waiting=[
            (group_title(data, g, lang), r.waiting) for g, r in data.releases.items() if r.waiting
        ],
        unreleased=[group_title(data, g, lang) for g, r in data.releases.items() if not r.released],
        closed_at=local_time(closed_at),
        open_questions=[
            (m.group(group).title.get(lang), m.item(item_id).text.get(lang), count)
            for (group, item_id), count in comment_counts.items()
        ],
        comments_link=comments_link,
    )


@dataclass(frozen=True)
class ItemPage:
    cycle: CycleInfo
    row: ItemRow
    group_title: str
    criterion: str
    histogram: list[tuple[str, int]]
    missing_labels: dict[str, str]
    is_range: bool


def item_page(data: CycleResults, item: Item, lang: str) -> ItemPage:
    """One scored item of the results (the caller checked that it is one)."""
    m = data.methodology
    group = m.item_group(item.id)
    (row,) = [r for r in item_rows(data, lang, group) if r.id == item.id]
    scale = m.item_scale(item)
    return ItemPage(
        cycle=data.info,
        row=row,
        group_title=m.group(group).title.get(lang),
        criterion=f"{item.criterion} {m.node(item.criterion or '').title.get(lang)}",
        histogram=histogram_rows(m, item, row.stats, lang) if row.stats else [],
        missing_labels={o.code: o.label.get(lang) for o in scale.missing},
        is_range=scale.is_range,
    )
