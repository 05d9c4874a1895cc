"""Year over year (METHODOLOGY.md §3.10), for people: the Δ table per criterion and
group with the clear-change marks, the items' Δ, and the trend over three or more years."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from qms import i18n
from qms.charts.trend import Series
from qms.i18n import N_
from qms.methodology.model import Methodology
from qms.scoring import Comparison, CycleScores, fmt1
from qms.store.cycles import CycleInfo

TREND_MIN_YEARS = 3
ALL_GROUPS = N_("All groups")


@dataclass(frozen=True)
class Cell:
    earlier: str
    later: str
    delta: str
    direction: str  # "up", "down" or "" (no change)
    clear: bool | None  # None: the test could not be made (fewer than 2 on a side)


@dataclass(frozen=True)
class Row:
    node: str
    title: str
    sub: bool
    cells: tuple[Cell | None, ...]


@dataclass(frozen=True)
class ItemRow:
    group: str
    text: str
    item: str
    earlier_item: str
    earlier: str
    later: str
    delta: str
    direction: str


@dataclass(frozen=True)
class TrendRow:
    label: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class Trend:
    years: tuple[int, ...]
    series: tuple[Series, ...]

    @property
    def rows(self) -> tuple[TrendRow, ...]:
        return tuple(TrendRow(s.label, tuple(fmt1(v) for v in s.values)) for s in self.series)


def _direction(delta: float) -> str:
    shown = fmt1(delta)
    if shown == "0.0":
        return ""
    return "down" if delta < 0 else "up"


def _signed(delta: float) -> str:
    shown = fmt1(delta)
    return shown if shown.startswith("-") or shown == "0.0" else "+" + shown


def node_rows(
    methodology: Methodology, comparison: Comparison, groups: list[str | None], lang: str
) -> list[Row]:
    rows: list[Row] = []
    for criterion in methodology.criteria:
        for node, sub in [(criterion, False), *((s, True) for s in criterion.subcriteria)]:
            cells: list[Cell | None] = []
            for group in groups:
                d = comparison.node(node.id, group)
                cells.append(
                    None
                    if d is None
                    else Cell(
                        fmt1(d.earlier),
                        fmt1(d.later),
                        _signed(d.delta),
                        _direction(d.delta),
                        d.clear,
                    )
                )
            if any(cells):
                rows.append(Row(node.id, node.title.get(lang), sub, tuple(cells)))
    return rows


def trend(
    years: Sequence[int],
    all_scores: Sequence[CycleScores],
    methodology: Methodology,
    node: str | None,
    lang: str,
) -> Trend:
    """Each group's and the composite's score of `node` (None: the overall score) per
    year, for the groups that have any."""
    series: list[Series] = []
    for index, group in enumerate(methodology.groups):
        values = tuple(
            s.overall.by_group.get(group.id) if node is None else s.score(node, group.id)
            for s in all_scores
        )
        if any(v is not None for v in values):
            series.append(Series(group.title.get(lang), values, colour=index))
    composite = tuple(
        s.overall.composite if node is None else s.score(node, None) for s in all_scores
    )
    if any(v is not None for v in composite):
        series.append(Series(i18n.translate(lang, ALL_GROUPS), composite, colour=None))
    return Trend(tuple(years), tuple(series))


@dataclass(frozen=True)
class ComparePage:
    cycle: CycleInfo
    organisation_id: int
    others: list[CycleInfo]
    chosen: CycleInfo | None
    bad_choice: bool
    criteria: list[tuple[str, str]]
    node: str
    node_title: str
    trend: Trend | None


def compare_page(
    cycle: CycleInfo,
    organisation_id: int,
    others: list[CycleInfo],
    chosen: CycleInfo | None,
    raw_choice: str,
    methodology: Methodology,
    node: str | None,
    trend: Trend | None,
    lang: str,
) -> ComparePage:
    """`raw_choice`: the cycle the query asked to compare with, as it came."""
    return ComparePage(
        cycle=cycle,
        organisation_id=organisation_id,
        others=others,
        chosen=chosen,
        bad_choice=bool(raw_choice) and (chosen is None or str(chosen.id) != raw_choice),
        criteria=[(c.id, c.title.get(lang)) for c in methodology.criteria],
        node=node or "",
        node_title=methodology.node(node).title.get(lang) if node else "",
        trend=trend,
    )


@dataclass(frozen=True)
class Delta:
    """The comparison of the page's two years, once the other one is chosen."""

    earlier_year: int
    later_year: int
    columns: list[str]
    rows: list[Row]
    overall: list[tuple[str, str] | None]
    items: list[ItemRow]


def delta(
    earlier_year: int, later_year: int, later: Methodology, comparison: Comparison, lang: str
) -> Delta:
    # The composite first: it is what a head reads first, and it stays in view
    # when a narrow screen scrolls the table.
    groups: list[str | None] = [None] + [
        g.id for g in later.groups if any(d.group == g.id for d in comparison.nodes)
    ]
    titles = {g.id: g.title.get(lang) for g in later.groups}
    return Delta(
        earlier_year=earlier_year,
        later_year=later_year,
        columns=[titles[g] if g else i18n.translate(lang, ALL_GROUPS) for g in groups],
        rows=node_rows(later, comparison, groups, lang),
        overall=[
            None
            if (
                d := (
                    comparison.overall.composite
                    if g is None
                    else comparison.overall.by_group.get(g)
                )
            )
            is None
            else (_signed(d), _direction(d))
            for g in groups
        ],
        items=[
            ItemRow(
                titles.get(d.group, d.group),
                later.item(d.item).text.get(lang),
                d.item,
                d.earlier_item,
                fmt1(d.earlier_mean),
                fmt1(d.later_mean),
                _signed(d.delta),
                _direction(d.delta),
            )
            for d in sorted(comparison.items, key=lambda d: -abs(d.delta))
        ],
    )
