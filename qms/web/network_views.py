"""What the network pages show, formatted (qms.web.networks has the routes): rows of the
distribution table, the medians matrix, the trend, a head's position, the coordinator's
release panel, and the plain words for a figure that is not shown.

Also the viewer's identity for qms.store.aggregates (`viewer_scope`) and the reporting
date's automatic release (`release_due_now`), which every reader of network figures
calls first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from qms import i18n
from qms.i18n import N_
from qms.scoring import fmt1
from qms.store import aggregates, naming, network_releases, networks
from qms.store.networks import OVERALL
from qms.store.position import OrganisationPosition
from qms.web.auth import Principal
from qms.web.deps import HttpRequest
from qms.web.ui import local_time

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
# Why a figure is not shown (qms.disclosure.network's reasons), in plain words.
REASON_TEXTS = {
    "few": N_("Not shown: fewer than 3 organisations."),
    "identifiable": N_(
        "Not shown: it would let the organisations you can identify (your own "
        "and those named) be subtracted from it."
    ),
    "differs": N_(
        "Not shown: it differs by only one or two organisations from figures already released."
    ),
    "withdrawn": N_(
        "Not shown: an organisation withdrew; the figures return with the next release."
    ),
    "unreleased": N_("Not shown: the figures of this year are not released yet."),
}


def reason_text(reason: str, lang: str) -> str:
    return i18n.translate(lang, REASON_TEXTS[reason]) if reason in REASON_TEXTS else ""


def viewer_scope(db: Session, principal: Principal) -> aggregates.Scope:
    """Whom the viewer can identify: their own organisations (any role there; a
    coordinator has none unless their account has one), and which networks they see."""
    own = {g.organisation_id for g in principal.grants if g.organisation_id is not None}
    return aggregates.scope_of(
        db,
        own=own,
        coordinated=principal.network_ids("network.dashboard"),
        head_of=principal.organisation_ids("network.position"),
    )


def release_due_now(db: Session, network_ids: list[int]) -> None:
    """A reporting date that has come releases its year on this request (committed)."""
    if network_releases.release_due(db, network_ids, date.today()):
        db.commit()


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
    """One criterion's distribution, formatted: numbers only where shown."""

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
    why: str = ""


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


def group_param(request: HttpRequest, groups: tuple[networks.Label, ...]) -> str | None:
    raw = request.query_params.get("group", COMPOSITE)
    return raw if raw in {g.id for g in groups} else None


def pick_year(request: HttpRequest, years: list[tuple[int, str]]) -> tuple[int, str] | None:
    """The requested (year, methodology), else the newest; a pair that is not on offer
    (a typo, another network's year) falls back to the newest too."""
    raw_year = request.query_params.get("year", "")
    methodology = request.query_params.get("methodology", "")
    for year, m in years:
        if str(year) == raw_year and (not methodology or m == methodology):
            return year, m
    return years[0] if years else None


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
                label.id,
                node_label(label, lang),
                s.n_orgs,
                s.shown,
                fmt1(s.min),
                fmt1(s.q1),
                fmt1(s.median),
                fmt1(s.q3),
                fmt1(s.max),
                fmt1(s.mean),
                tuple(
                    NamedCell(n.name, fmt1(n.score), place(n.rank, n.of, lang))
                    for n in s.named
                    if n.organisation_id == org
                ),
                "" if s.shown else reason_text(s.reason, lang),
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
    rows = []
    for t in trend:
        s = t.stat(node, group)
        shown = s.reason == "shown"
        rows.append(
            TrendRow(
                t.year,
                s.n_orgs,
                fmt1(s.q1),
                fmt1(s.median),
                fmt1(s.q3),
                "" if shown else reason_text(s.reason, lang),
            )
        )
    return rows


def group_choices(
    groups: tuple[networks.Label, ...], selected: str | None, lang: str
) -> list[Choice]:
    return [Choice(COMPOSITE, i18n.translate(lang, COMPOSITE_LABEL), selected is None)] + [
        Choice(g.id, g.title.get(lang), g.id == selected) for g in groups
    ]


def release_panel(
    db: Session, network_id: int, year: int, methodology: str, lang: str
) -> ReleasePanel:
    state = network_releases.release_state(db, network_id, year, methodology)
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
        held=sum(1 for n, _ in naming.held_in(db, year, methodology) if n == network_id),
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
