"""Networks' pages: the coordinator's dashboard of the distribution across partners, its
charts, and a head's view of where their organisation stands in each network.

No league tables: the dashboard shows distributions (box plots and their numbers); an
organisation appears by name only where it consented, with its value and its place
from the lowest; a statistic over fewer than three organisations shows only its count.
Everything comes from qms.store.aggregates and qms.store.position, which read
organisation-level scores only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Template
from sqlalchemy.orm import Session

from qms.charts import Figure, Format, cache_key
from qms.charts.distribution import BandPoint, Box, band_chart, box_chart
from qms.scoring import fmt1
from qms.store import aggregates, directory, networks
from qms.store.errors import NotFound
from qms.store.networks import OVERALL
from qms.store.position import organisation_position, organisation_years
from qms.web import i18n
from qms.web.auth import requires
from qms.web.charts import chart_response
from qms.web.i18n import N_
from qms.web.render import page

DASHBOARD = "/staff/networks/{network_id:int}/dashboard"
COMPOSITE = "composite"
BAND_LABELS = {
    "below_q1": N_("in the lowest quarter (below Q1)"),
    "q1_to_median": N_("between Q1 and the median"),
    "at_median": N_("at the median"),
    "median_to_q3": N_("between the median and Q3"),
    "above_q3": N_("in the highest quarter (above Q3)"),
}
OVERALL_LABEL = N_("Overall")
COMPOSITE_LABEL = N_("All perspectives (composite)")


@dataclass(frozen=True)
class Choice:
    value: str
    label: str
    selected: bool


@dataclass(frozen=True)
class NamedCell:
    name: str
    score: str
    place: str


@dataclass(frozen=True)
class StatRow:
    """One criterion's distribution, formatted: numbers only when shown (3+ organisations)."""

    node: str
    label: str
    n_orgs: int
    shown: bool
    min: str
    q1: str
    median: str
    q3: str
    max: str
    mean: str
    named: tuple[NamedCell, ...]


@dataclass(frozen=True)
class MatrixRow:
    label: str
    cells: tuple[tuple[str, int], ...]  # (median or "", n_orgs) per group, composite last


@dataclass(frozen=True)
class TrendRow:
    year: int
    n_orgs: int
    q1: str
    median: str
    q3: str


@dataclass(frozen=True)
class PositionView:
    node: str
    label: str
    score: str
    n_orgs: int
    q1: str
    median: str
    q3: str
    where: str
    place: str


def _lang() -> str:
    return i18n.current_language.get()


def _node_label(label: networks.Label, lang: str) -> str:
    if label.id == OVERALL:
        return i18n.translate(lang, OVERALL_LABEL)
    return f"{label.id}. {label.title.get(lang)}"


def _place(rank: int | None, of: int | None, lang: str) -> str:
    if rank is None or of is None:
        return ""
    return i18n.translate(lang, N_("%(rank)s of %(of)s from the lowest")) % {
        "rank": rank, "of": of}


def _group_param(request: Request[Any, Any, Any], groups: tuple[networks.Label, ...]
                 ) -> str | None:
    raw = request.query_params.get("group", COMPOSITE)
    return raw if raw in {g.id for g in groups} else None


def _pick_year(
    request: Request[Any, Any, Any], years: list[tuple[int, str]]
) -> tuple[int, str] | None:
    """The requested (year, methodology), else the newest; a pair that is not on offer
    (a typo, another network's year) falls back to the newest too."""
    raw_year = request.query_params.get("year", "")
    methodology = request.query_params.get("methodology", "")
    for year, m in years:
        if str(year) == raw_year and (not methodology or m == methodology):
            return year, m
    return years[0] if years else None


def _stat_rows(view: aggregates.NetworkView, group: str | None, lang: str, org: int | None
               ) -> list[StatRow]:
    """`org`: the named organisation whose values join the table (one at a time, so the
    page never turns into a table of named organisations side by side)."""
    rows = []
    for label in view.nodes:
        s = view.stat(label.id, group)
        rows.append(StatRow(
            label.id, _node_label(label, lang), s.n_orgs, s.shown, fmt1(s.min), fmt1(s.q1),
            fmt1(s.median), fmt1(s.q3), fmt1(s.max), fmt1(s.mean),
            tuple(NamedCell(n.name, fmt1(n.score), _place(n.rank, n.of, lang))
                  for n in s.named if n.organisation_id == org),
        ))
    return rows


def _matrix(view: aggregates.NetworkView, lang: str) -> list[MatrixRow]:
    groups = [*(g.id for g in view.groups), None]
    rows = []
    for label in view.nodes:
        cells = []
        for group in groups:
            s = view.stat(label.id, group)
            cells.append((fmt1(s.median) if s.shown else "", s.n_orgs))
        rows.append(MatrixRow(_node_label(label, lang), tuple(cells)))
    return rows


def _group_choices(groups: tuple[networks.Label, ...], selected: str | None, lang: str
                   ) -> list[Choice]:
    return [Choice(COMPOSITE, i18n.translate(lang, COMPOSITE_LABEL), selected is None)] + [
        Choice(g.id, g.title.get(lang), g.id == selected) for g in groups
    ]


def _format(request: Request[Any, Any, Any]) -> Format:
    return "png" if request.query_params.get("format") == "png" else "svg"


def _view(db: Session, network_id: int, request: Request[Any, Any, Any]
          ) -> tuple[list[tuple[int, str]], aggregates.NetworkView | None]:
    try:
        years = aggregates.network_years(db, network_id)
        picked = _pick_year(request, years)
        if picked is None:
            return years, None
        return years, aggregates.network_aggregates(db, network_id, picked[0], picked[1])
    except NotFound:
        raise NotFoundException() from None


def _box_figure(view: aggregates.NetworkView, group: str | None, lang: str) -> Figure:
    boxes = []
    for label in view.nodes:
        s = view.stat(label.id, group)
        boxes.append(Box(_node_label(label, lang), s.n_orgs, s.q1, s.median, s.q3, s.min, s.max,
                         s.mean, tuple(n.score for n in s.named)))
    return box_chart(
        boxes, x_label=i18n.translate(lang, N_("Score (0–100)")),
        few_label=i18n.translate(lang, N_("fewer than 3 organisations (n = {n})")),
    )


class NetworkController(Controller):
    @get(DASHBOARD, name="network_dashboard",
         opt=requires("network.dashboard", network="network_id"), sync_to_thread=True)
    def dashboard(
        self,
        request: Request[Any, Any, Any],
        db: NamedDependency[Session],
        network_id: FromPath[int],
    ) -> Template:
        net = directory.network(db, network_id)
        if net is None:
            raise NotFoundException()
        years, view = _view(db, network_id, request)
        lang = _lang()
        context: dict[str, Any] = {"network": net, "view": view, "year_choices": []}
        if view is not None:
            group = _group_param(request, view.groups)
            node_ids = {n.id for n in view.nodes}
            node = request.query_params.get("node", OVERALL)
            node = node if node in node_ids else OVERALL
            trend = aggregates.network_trend(db, network_id, view.methodology_id)
            query = f"year={view.year}&methodology={view.methodology_id}"
            group_value = group or COMPOSITE
            raw_org = request.query_params.get("org", "")
            org = next((r.id for r in view.named if str(r.id) == raw_org), None)
            context.update(
                year_choices=[Choice(f"year={y}&methodology={m}", f"{y} · {m}",
                                    (y, m) == (view.year, view.methodology_id)) for y, m in years],
                group_choices=_group_choices(view.groups, group, lang),
                node_choices=[Choice(n.id, _node_label(n, lang), n.id == node)
                              for n in view.nodes],
                group_value=group_value,
                group_label=next(c.label for c in _group_choices(view.groups, group, lang)
                                 if c.selected),
                node_label=next(_node_label(n, lang) for n in view.nodes if n.id == node),
                node_value=node,
                rows=_stat_rows(view, group, lang, org),
                org_choices=[Choice(str(r.id), r.name, r.id == org) for r in view.named],
                org_name=next((r.name for r in view.named if r.id == org), ""),
                org_value=raw_org if org is not None else "",
                matrix=_matrix(view, lang),
                matrix_groups=[g.title.get(lang) for g in view.groups],
                trend=[TrendRow(t.year, t.n_orgs, fmt1(t.stat(node, group).q1),
                                fmt1(t.stat(node, group).median), fmt1(t.stat(node, group).q3))
                       for t in trend],
                responses=[(next(g.title.get(lang) for g in view.groups if g.id == t.group),
                            t.n_orgs, t.responses) for t in view.responses],
                query=query,
                box_src=f"{DASHBOARD.replace('{network_id:int}', str(network_id))}"
                        f"/distribution?{query}&group={group_value}",
                trend_src=f"{DASHBOARD.replace('{network_id:int}', str(network_id))}"
                          f"/trend?methodology={view.methodology_id}&node={node}"
                          f"&group={group_value}",
            )
        return page("networks/dashboard.html", context, request=request)

    @get(DASHBOARD + "/distribution", opt=requires("network.dashboard", network="network_id"),
         sync_to_thread=True)
    def distribution_chart(
        self,
        request: Request[Any, Any, Any],
        db: NamedDependency[Session],
        network_id: FromPath[int],
    ) -> Response[bytes]:
        _, view = _view(db, network_id, request)
        if view is None:
            raise NotFoundException()
        group = _group_param(request, view.groups)
        lang = _lang()
        key = cache_key("network-distribution", lang, group, view.stats,
                        [n.id for n in view.nodes])
        return chart_response(key, _format(request), lambda: _box_figure(view, group, lang))

    @get(DASHBOARD + "/trend", opt=requires("network.dashboard", network="network_id"),
         sync_to_thread=True)
    def trend_chart(
        self,
        request: Request[Any, Any, Any],
        db: NamedDependency[Session],
        network_id: FromPath[int],
    ) -> Response[bytes]:
        _, view = _view(db, network_id, request)
        if view is None:
            raise NotFoundException()
        group = _group_param(request, view.groups)
        node = request.query_params.get("node", OVERALL)
        if node not in {n.id for n in view.nodes}:
            raise NotFoundException()
        trend = aggregates.network_trend(db, network_id, view.methodology_id)
        points = [BandPoint(t.year, t.stat(node, group).median, t.stat(node, group).q1,
                            t.stat(node, group).q3) for t in trend]
        lang = _lang()
        key = cache_key("network-trend", lang, node, group, points)
        return chart_response(key, _format(request), lambda: band_chart(
            points, y_label=i18n.translate(lang, N_("Score (0–100)")),
            median_label=i18n.translate(lang, N_("Median")),
            band_label=i18n.translate(lang, N_("Middle half (Q1–Q3)")),
        ))

    @get("/staff/organisations/{organisation_id:int}/networks", name="organisation_networks",
         opt=requires("network.position", organisation="organisation_id"), sync_to_thread=True)
    def position(
        self,
        request: Request[Any, Any, Any],
        db: NamedDependency[Session],
        organisation_id: FromPath[int],
    ) -> Template:
        org = directory.organisation(db, organisation_id)
        if org is None:
            raise NotFoundException()
        lang = _lang()
        years = organisation_years(db, organisation_id)
        picked = _pick_year(request, years)
        positions = []
        group: str | None = None
        group_choices: list[Choice] = []
        if picked is not None:
            found = [organisation_position(db, organisation_id, n.id, *picked)
                     for n in org.networks]
            found_positions = [p for p in found if p is not None]
            if found_positions:
                group = _group_param(request, found_positions[0].groups)
                group_choices = _group_choices(found_positions[0].groups, group, lang)
            for pos in found_positions:
                rows = []
                for label in pos.nodes:
                    r = pos.row(label.id, group)
                    if r is None:
                        continue
                    rows.append(PositionView(
                        label.id, _node_label(label, lang), fmt1(r.score), r.n_orgs,
                        fmt1(r.q1), fmt1(r.median), fmt1(r.q3),
                        i18n.translate(lang, BAND_LABELS[r.band]) if r.band else "",
                        _place(r.rank, r.of, lang)))
                positions.append((pos, rows))
        return page(
            "networks/position.html",
            {
                "organisation": org,
                "positions": positions,
                "year_choices": [Choice(f"year={y}&methodology={m}", f"{y} · {m}", (y, m) == picked)
                                 for y, m in years],
                "picked": picked,
                "group_choices": group_choices,
                "group_value": group or COMPOSITE,
            },
            request=request,
        )
