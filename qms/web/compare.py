"""Year over year (METHODOLOGY.md §3.10): two cycles of one organisation and methodology
side by side, Δ per criterion and group with the clear-change marks, item Δ matched
through `replaces`, and a trend chart once there are three or more years.

Only reportable data reaches the page: scores are built from reportable items only, and
item Δ needs the item reportable in both years (qms.scoring.compare). The route asks for
a head of the cycle's organisation (another organisation's cycle answers 404).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.response import Response, Template
from sqlalchemy.orm import Session

from qms import i18n
from qms.charts import Figure, cache_key
from qms.charts.trend import Series, trend_chart
from qms.disclosure import released_comparison as compare
from qms.i18n import N_
from qms.methodology.model import Methodology
from qms.scoring import Comparison, CycleScores, fmt1
from qms.store import cycles
from qms.store.cycles import Cycle
from qms.store.scores import criterion_means, cycle_scores
from qms.store.snapshots import cycle_methodology
from qms.web.access import CycleRequest, on_cycle
from qms.web.charts import chart_response
from qms.web.deps import HttpRequest
from qms.web.render import page

COMPARE = on_cycle("cycle.compare")
TREND_MIN_YEARS = 3
ALL_GROUPS = N_("All groups")
OVERALL = N_("Overall score")


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


def _siblings(db: Session, cycle: Cycle) -> list[cycles.CycleInfo]:
    """The organisation's cycles of the same methodology id, by year."""
    return [
        c
        for c in cycles.organisation_cycles(db, cycle.organisation_id)
        if c.methodology == cycle.methodology_id
    ]


def _direction(delta: float) -> str:
    shown = fmt1(delta)
    if shown == "0.0":
        return ""
    return "down" if delta < 0 else "up"


def _signed(delta: float) -> str:
    shown = fmt1(delta)
    return shown if shown.startswith("-") or shown == "0.0" else "+" + shown


def _criterion_means(
    db: Session, cycle: Cycle, methodology: Methodology, scores: CycleScores
) -> dict[str, dict[str, list[float]]]:
    return criterion_means(db, cycle, scores)


def _rows(
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


def _trend(
    db: Session,
    siblings: list[cycles.CycleInfo],
    methodology: Methodology,
    node: str | None,
    lang: str,
) -> Trend | None:
    if len(siblings) < TREND_MIN_YEARS:
        return None
    years = tuple(c.year for c in siblings)
    all_scores = [cycle_scores(db, cycles.get_cycle(db, c.id)) for c in siblings]
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
    return Trend(years, tuple(series))


def _node_param(request: HttpRequest, methodology: Methodology) -> str | None:
    wanted = request.query_params.get("node", "")
    return wanted if wanted in {c.id for c in methodology.criteria} else None


class CompareController(Controller):
    @get("/compare", name="cycle_compare", opt=COMPARE, sync_to_thread=True)
    def compare_page(self, here: NamedDependency[CycleRequest]) -> Template:
        lang = here.lang
        methodology = cycle_methodology(here.cycle)
        siblings = _siblings(here.db, here.cycle)
        others = [c for c in siblings if c.id != here.cycle.id]
        raw = here.request.query_params.get("with", "")
        chosen = next((c for c in others if str(c.id) == raw), None)
        if chosen is None:
            # The year before is what people compare with first.
            earlier_ones = [c for c in others if c.year < here.cycle.year]
            chosen = earlier_ones[-1] if earlier_ones else (others[0] if others else None)
        node = _node_param(here.request, methodology)
        context: dict[str, Any] = {
            "cycle": cycles.cycle_info(here.db, here.cycle.id),
            "organisation_id": here.cycle.organisation_id,
            "others": others,
            "chosen": chosen,
            "bad_choice": bool(raw) and (chosen is None or str(chosen.id) != raw),
            "criteria": [(c.id, c.title.get(lang)) for c in methodology.criteria],
            "node": node or "",
            "node_title": methodology.node(node).title.get(lang) if node else "",
            "trend": _trend(here.db, siblings, methodology, node, lang),
        }
        if chosen is not None:
            other = cycles.get_cycle(here.db, chosen.id)
            earlier, later = (
                (other, here.cycle) if other.year < here.cycle.year else (here.cycle, other)
            )
            em, lm = cycle_methodology(earlier), cycle_methodology(later)
            es, ls = cycle_scores(here.db, earlier), cycle_scores(here.db, later)
            comparison = compare(
                em,
                es,
                lm,
                ls,
                _criterion_means(here.db, earlier, em, es),
                _criterion_means(here.db, later, lm, ls),
            )
            # The composite first: it is what a head reads first, and it stays in view
            # when a narrow screen scrolls the table.
            groups: list[str | None] = [None] + [
                g.id for g in lm.groups if any(d.group == g.id for d in comparison.nodes)
            ]
            titles = {g.id: g.title.get(lang) for g in lm.groups}
            context.update(
                earlier_year=earlier.year,
                later_year=later.year,
                columns=[titles[g] if g else i18n.gettext(ALL_GROUPS) for g in groups],
                rows=_rows(lm, comparison, groups, lang),
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
                        lm.item(d.item).text.get(lang),
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
        return page("compare/compare.html", context, request=here.request)

    @get("/compare/trend.svg", name="cycle_trend_chart", opt=COMPARE, sync_to_thread=True)
    def trend_svg(self, here: NamedDependency[CycleRequest]) -> Response[bytes]:
        lang = here.lang
        methodology = cycle_methodology(here.cycle)
        node = _node_param(here.request, methodology)
        trend = _trend(here.db, _siblings(here.db, here.cycle), methodology, node, lang)
        if trend is None:
            raise NotFoundException()
        title = methodology.node(node).title.get(lang) if node else i18n.gettext(OVERALL)

        def build() -> Figure:
            return trend_chart(trend.years, trend.series, title=title)

        # The key is what the chart shows, so new answers or another language draw anew.
        key = cache_key(
            "trend",
            title,
            list(trend.years),
            [[s.label, list(s.values), s.colour] for s in trend.series],
        )
        return chart_response(key, "svg", build)
