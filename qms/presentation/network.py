"""What the network pages and the network report show, formatted: rows of the
distribution table, the medians matrix, the trend, a head's position, the coordinator's
release panel, the box plots, and the plain words for a figure that is not shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from qms import i18n
from qms.charts import Figure
from qms.charts.distribution import Box, box_chart
from qms.i18n import N_
from qms.presentation.text import local_time, reason_text
from qms.scoring import fmt1
from qms.store import aggregates, networks
from qms.store.network_releases import ReleaseState
from qms.store.networks import OVERALL
from qms.store.position import OrganisationPosition

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


@dataclass(frozen=True, kw_only=True)
class Spread:
    """A criterion's distribution across organisations, formatted: numbers only where
    shown, else why not. The dashboard's rows and the report's lines both are one."""

    n_orgs: int
    shown: bool
    min: str
    q1: str
    median: str
    q3: str
    max: str
    mean: str
    why: str = ""


def spread(s: aggregates.NodeStat, lang: str) -> dict[str, Any]:
    """The fields of a `Spread` of `s`, for any of its kinds."""
    return {
        "n_orgs": s.n_orgs,
        "shown": s.shown,
        "min": fmt1(s.min),
        "q1": fmt1(s.q1),
        "median": fmt1(s.median),
        "q3": fmt1(s.q3),
        "max": fmt1(s.max),
        "mean": fmt1(s.mean),
        "why": "" if s.shown else reason_text(s.reason, lang),
    }


@dataclass(frozen=True, kw_only=True)
class StatRow(Spread):
    """One criterion's row of the dashboard."""

    node: str
    label: str
    named: tuple[NamedCell, ...]


@dataclass(frozen=True, kw_only=True)
class StatLine(Spread):
    """One group's (or the composite's) line of a criterion's table in the report."""

    group: str


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
    why: str = ""


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
    shown: bool = False
    why: str = ""


@dataclass(frozen=True)
class ReleasePanel:
    """The coordinator's release of the year, explained."""

    year: int
    methodology: str
    released_at: str
    released_orgs: int
    sharing_now: int
    allowed: bool
    refusal: str
    withdrawn: bool
    report_on: str
    held: int = 0  # consents to be named that have not taken effect (qms.store.naming)


def node_label(label: networks.Label, lang: str) -> str:
    if label.id == OVERALL:
        return i18n.translate(lang, OVERALL_LABEL)
    return f"{label.id}. {label.title.get(lang)}"


def place(rank: int | None, of: int | None, lang: str) -> str:
    if rank is None or of is None:
        return ""
    return i18n.translate(lang, N_("%(rank)s of %(of)s from the lowest")) % {"rank": rank, "of": of}


def stat_rows(
    view: aggregates.NetworkView, group: str | None, lang: str, org: int | None
) -> list[StatRow]:
    """`org`: the named organisation whose values join the table (one at a time, so the
    page never turns into a table of named organisations side by side)."""
    rows = []
    for label in view.nodes:
        s = view.stat(label.id, group)
        rows.append(
            StatRow(
                node=label.id,
                label=node_label(label, lang),
                named=tuple(
                    NamedCell(n.name, fmt1(n.score), place(n.rank, n.of, lang))
                    for n in s.named
                    if n.organisation_id == org
                ),
                **spread(s, lang),
            )
        )
    return rows


def matrix(view: aggregates.NetworkView, lang: str) -> list[MatrixRow]:
    groups = [*(g.id for g in view.groups), None]
    rows = []
    for label in view.nodes:
        cells = []
        for group in groups:
            s = view.stat(label.id, group)
            cells.append((fmt1(s.median) if s.shown else "", s.n_orgs))
        rows.append(MatrixRow(node_label(label, lang), tuple(cells)))
    return rows


def trend_rows(
    trend: list[aggregates.TrendYear], node: str, group: str | None, lang: str
) -> list[TrendRow]:
    return [trend_row(t.year, t.stat(node, group).n_orgs, t.stat(node, group), lang) for t in trend]


def trend_row(year: int, n_orgs: int, s: aggregates.TrendStat, lang: str) -> TrendRow:
    return TrendRow(
        year,
        n_orgs,
        fmt1(s.q1),
        fmt1(s.median),
        fmt1(s.q3),
        "" if s.reason == "shown" else reason_text(s.reason, lang),
    )


def group_choices(
    groups: tuple[networks.Label, ...], selected: str | None, lang: str
) -> list[Choice]:
    return [Choice(COMPOSITE, i18n.translate(lang, COMPOSITE_LABEL), selected is None)] + [
        Choice(g.id, g.title.get(lang), g.id == selected) for g in groups
    ]


def release_panel(
    state: ReleaseState, year: int, methodology: str, lang: str, held: int = 0
) -> ReleasePanel:
    """`held`: how many of the network's consents to be named wait (not which: that
    would hint at how the sets differ)."""
    refusal = ""
    if state.sharing_now == 0:
        refusal = i18n.translate(
            lang, N_("No organisation shares a closed cycle of this year with the network now.")
        )
    elif state.conflict_with is not None and state.differs_by == 0:
        refusal = i18n.translate(
            lang,
            N_(
                "The figures are up to date: the same organisations share the year as in the "
                "release of %(date)s."
            ),
        ) % {"date": local_time(state.conflict_with)[:10]}
    elif state.conflict_with is not None:
        refusal = i18n.translate(
            lang,
            N_(
                "A new release is not allowed yet: the organisations differ from the release of "
                "%(date)s by %(n)s; a new release needs at least 3."
            ),
        ) % {"date": local_time(state.conflict_with)[:10], "n": state.differs_by}
    current = state.current
    return ReleasePanel(
        year=year,
        methodology=methodology,
        released_at=local_time(current.made_at) if current else "",
        released_orgs=current.n_orgs if current else 0,
        sharing_now=state.sharing_now,
        allowed=state.allowed,
        refusal=refusal,
        withdrawn=state.withdrawn,
        report_on=state.report_on.isoformat() if state.report_on else "",
        held=held,
    )


def position_rows(pos: OrganisationPosition, group: str | None, lang: str) -> list[PositionView]:
    rows = []
    for label in pos.nodes:
        r = pos.row(label.id, group)
        if r is None:
            continue
        shown = r.reason == "shown"
        rows.append(
            PositionView(
                label.id,
                node_label(label, lang),
                fmt1(r.score),
                r.n_orgs,
                fmt1(r.q1),
                fmt1(r.median),
                fmt1(r.q3),
                i18n.translate(lang, BAND_LABELS[r.band]) if r.band else "",
                place(r.rank, r.of, lang),
                shown,
                "" if shown else reason_text(r.reason, lang),
            )
        )
    return rows


def box_figure(view: aggregates.NetworkView, group: str | None, lang: str) -> Figure:
    """The distribution of every criterion of one group (None: the composite) as box plots."""
    boxes = []
    for label in view.nodes:
        s = view.stat(label.id, group)
        boxes.append(
            Box(
                node_label(label, lang),
                s.n_orgs,
                s.q1,
                s.median,
                s.q3,
                s.min,
                s.max,
                s.mean,
                tuple(n.score for n in s.named),
            )
        )
    return box_chart(
        boxes,
        x_label=i18n.translate(lang, N_("Score (0–100)")),
        few_label=i18n.translate(lang, N_("not shown (n = {n})")),
    )
