"""What every reader of network figures does first, from the request: the viewer's
identity for qms.store.aggregates (`viewer_scope`), the reporting date's automatic
release (`release_due_now`), and the year and group the query asks for. What the pages
show is built by qms.presentation.network.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from qms.presentation.network import COMPOSITE
from qms.store import aggregates, networks, report_dates
from qms.web.auth import Principal
from qms.web.deps import HttpRequest


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
    if report_dates.release_due(db, network_ids, date.today()):
        db.commit()


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
