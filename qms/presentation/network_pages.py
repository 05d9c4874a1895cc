"""The network pages as a whole: the coordinator's dashboard of one year and a head's
view of where their organisation stands, from what qms.store.aggregates and
qms.store.position hand over for this viewer."""

from __future__ import annotations

from dataclasses import dataclass

from qms.presentation import network as pn
from qms.presentation.text import reason_text
from qms.store import aggregates
from qms.store.directory import OrganisationView
from qms.store.networks import OVERALL
from qms.store.position import OrganisationPosition


def year_choices(years: list[tuple[int, str]], picked: tuple[int, str] | None) -> list[pn.Choice]:
    return [
        pn.Choice(f"year={y}&methodology={m}", f"{y} · {m}", (y, m) == picked) for y, m in years
    ]


@dataclass(frozen=True)
class DashboardView:
    panel: pn.ReleasePanel
    year_choices: list[pn.Choice]
    group_choices: list[pn.Choice]
    node_choices: list[pn.Choice]
    group_value: str
    group_label: str
    node_label: str
    node_value: str
    rows: list[pn.StatRow]
    org_choices: list[pn.Choice]
    org_name: str
    org_value: str
    matrix: list[pn.MatrixRow]
    matrix_groups: list[str]
    trend: list[pn.TrendRow]
    responses: list[tuple[str, int, int | None]]
    withdrawn_text: str
    query: str
    box_src: str
    trend_src: str


def dashboard_view(
    view: aggregates.NetworkView,
    years: list[tuple[int, str]],
    panel: pn.ReleasePanel,
    trend: list[aggregates.TrendYear],
    *,
    group: str | None,
    node: str,
    raw_org: str,
    box_path: str,
    trend_path: str,
    lang: str,
) -> DashboardView:
    """`group`: a group of the view or None (the composite); `node` and `raw_org` as the
    query has them (an unknown node falls back to "overall", an unknown org to none);
    `box_path`, `trend_path`: where its two charts are."""
    node = node if node in {n.id for n in view.nodes} else OVERALL
    query = f"year={view.year}&methodology={view.methodology_id}"
    group_value = group or pn.COMPOSITE
    org = next((r.id for r in view.named if str(r.id) == raw_org), None)
    choices = pn.group_choices(view.groups, group, lang)
    return DashboardView(
        panel=panel,
        year_choices=year_choices(years, (view.year, view.methodology_id)),
        group_choices=choices,
        node_choices=[pn.Choice(n.id, pn.node_label(n, lang), n.id == node) for n in view.nodes],
        group_value=group_value,
        group_label=next(c.label for c in choices if c.selected),
        node_label=next((pn.node_label(n, lang) for n in view.nodes if n.id == node), ""),
        node_value=node,
        rows=pn.stat_rows(view, group, lang, org),
        org_choices=[pn.Choice(str(r.id), r.name, r.id == org) for r in view.named],
        org_name=next((r.name for r in view.named if r.id == org), ""),
        org_value=raw_org if org is not None else "",
        matrix=pn.matrix(view, lang),
        matrix_groups=[g.title.get(lang) for g in view.groups],
        trend=pn.trend_rows(trend, node, group, lang),
        responses=[
            (next(g.title.get(lang) for g in view.groups if g.id == t.group), t.n_orgs, t.responses)
            for t in view.responses
        ],
        withdrawn_text=reason_text("withdrawn", lang),
        query=query,
        box_src=f"{box_path}?{query}&group={group_value}",
        trend_src=f"{trend_path}?methodology={view.methodology_id}&node={node}&group={group_value}",
    )


@dataclass(frozen=True)
class PositionPage:
    organisation: OrganisationView
    positions: list[tuple[OrganisationPosition, list[pn.PositionView]]]
    year_choices: list[pn.Choice]
    picked: tuple[int, str] | None
    group_choices: list[pn.Choice]
    group_value: str
    unreleased_text: str
    withdrawn_text: str


def position_page(
    organisation: OrganisationView,
    years: list[tuple[int, str]],
    picked: tuple[int, str] | None,
    positions: list[OrganisationPosition],
    group: str | None,
    lang: str,
) -> PositionPage:
    """`positions`: the organisation's place in each of its networks in the picked year;
    `group` one of their groups or None (the composite)."""
    return PositionPage(
        organisation=organisation,
        positions=[(pos, pn.position_rows(pos, group, lang)) for pos in positions],
        year_choices=year_choices(years, picked),
        picked=picked,
        group_choices=pn.group_choices(positions[0].groups, group, lang) if positions else [],
        group_value=group or pn.COMPOSITE,
        unreleased_text=reason_text("unreleased", lang),
        withdrawn_text=reason_text("withdrawn", lang),
    )
