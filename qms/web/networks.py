"""Networks' pages: the coordinator's dashboard of the distribution across partners, its
charts and the release of a year's figures, and a head's view of where their
organisation stands in each network.

No league tables: the dashboard shows distributions (box plots and their numbers); an
organisation appears by name only where it consented, with its value and its place
from the lowest. Figures come from the year's current release (METHODOLOGY.md §5.5),
as qms.store.aggregates and qms.store.position hand them over for this viewer: a
statistic that is not shown keeps its count and says why (qms.presentation.network).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, TypeVar

import msgspec
from litestar import Controller, Response, get, post
from litestar.di import NamedDependency, Provide
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlalchemy.orm import Session

from qms import i18n
from qms.charts import Format, cache_key
from qms.charts.distribution import BandPoint, band_chart
from qms.i18n import N_
from qms.presentation import network as pn
from qms.presentation.context import as_context
from qms.presentation.network_pages import dashboard_view, position_page
from qms.store import aggregates, cycles, directory, naming, network_releases, report_dates
from qms.store.errors import Conflict
from qms.store.networks import OVERALL
from qms.store.position import OrganisationPosition, organisation_position, organisation_years
from qms.web import network_views as nv
from qms.web.auth import Principal, requires
from qms.web.charts import chart_response
from qms.web.deps import HttpRequest
from qms.web.forms import Form, FormData, FormSpec, read_form, rule
from qms.web.places import STAFF, StaffRequest
from qms.web.render import page
from qms.web.urls import path_for

COORDINATOR = requires("network.dashboard", network="network_id")
DATE_ERROR = N_(
    "Enter the reporting date as YYYY-MM-DD, for example 2026-03-31, or leave it empty."
)
YEAR_ERROR = N_("Choose a year that the network has.")
NOT_ALLOWED = N_("The figures were not released: a new release is not allowed yet.")
DONE = {
    "released": N_("The figures are released."),
    "date": N_("The reporting date is saved."),
}


def _lang() -> str:
    return i18n.current_language.get()


def _format(request: HttpRequest) -> Format:
    return "png" if request.query_params.get("format") == "png" else "svg"


def _years(db: Session, network_id: int) -> list[tuple[int, str]]:
    return aggregates.network_years(db, network_id)


def _view(
    db: Session,
    principal: Principal,
    network_id: int,
    request: HttpRequest,
    year: tuple[int, str] | None = None,
) -> tuple[list[tuple[int, str]], aggregates.NetworkView | None, aggregates.Scope]:
    nv.release_due_now(db, [network_id])
    years = _years(db, network_id)
    scope = nv.viewer_scope(db, principal)
    picked = year if year in years else nv.pick_year(request, years)
    if picked is None:
        return years, None, scope
    return years, aggregates.network_aggregates(db, network_id, picked[0], picked[1], scope), scope


def _dashboard_page(
    request: HttpRequest,
    db: Session,
    principal: Principal,
    network_id: int,
    *,
    year: tuple[int, str] | None = None,
    date_form: Form | None = None,
    release_error: str = "",
    status_code: int = 200,
) -> Template:
    """`year`: the year a form was posted for (else the one the query asks)."""
    net = directory.network(db, network_id)
    if net is None:
        raise NotFoundException()
    years, view, scope = _view(db, principal, network_id, request, year)
    lang = _lang()
    context: dict[str, Any] = {
        "network": net,
        "view": view,
        "year_choices": [],
        "panel": None,
        "date_form": date_form or Form(),
        "release_error": release_error,
        "done": DONE.get(request.query_params.get("done", ""), ""),
    }
    if view is None:
        return page("networks/dashboard.html", context, request=request, status_code=status_code)
    state = network_releases.release_state(db, network_id, view.year, view.methodology_id)
    held = naming.held_in(db, view.year, view.methodology_id)
    panel = pn.release_panel(
        state, view.year, view.methodology_id, lang, sum(1 for n, _ in held if n == network_id)
    )
    if date_form is None:
        context["date_form"] = Form(values={"release_on": panel.report_on})
    trend = aggregates.network_trend(db, network_id, view.methodology_id, scope)
    dashboard = dashboard_view(
        view,
        years,
        panel,
        trend,
        group=nv.group_param(request, view.groups),
        node=request.query_params.get("node", OVERALL),
        raw_org=request.query_params.get("org", ""),
        box_path=path_for(request, "network_distribution_chart", network_id=network_id),
        trend_path=path_for(request, "network_trend_chart", network_id=network_id),
        lang=lang,
    )
    context.update(as_context(dashboard))
    return page("networks/dashboard.html", context, request=request, status_code=status_code)


# The year and methodology are hidden fields of both forms: a wrong one is the release
# panel's message (the page has no field to put it next to).
PostedYear = Annotated[int, rule(YEAR_ERROR, ge=cycles.YEAR_MIN, le=cycles.YEAR_MAX)]
PostedMethodology = Annotated[str, rule(YEAR_ERROR, min_length=1)]


class ReleaseForm(FormSpec):
    year: PostedYear
    methodology: PostedMethodology


class ReportDateForm(FormSpec):
    # First, so that a field the form does not declare is reported next to the one the
    # person sees. Always sent by the form; empty clears the date.
    release_on: Annotated[date, rule(DATE_ERROR)] | None
    year: PostedYear
    methodology: PostedMethodology


Posted = TypeVar("Posted", ReleaseForm, ReportDateForm)


def _read_posted(
    here: StaffRequest, network_id: int, spec: type[Posted], data: FormData
) -> Posted | Template:
    """The posted form when its year is one the network has; otherwise the dashboard
    again, with each message where the person sees it."""
    posted, form = read_form(spec, data)
    # msgspec constrains no dates: the reporting day's year is a cycle's (the store's range).
    day = posted.release_on if isinstance(posted, ReportDateForm) else None
    if day is not None and not cycles.YEAR_MIN <= day.year <= cycles.YEAR_MAX:
        posted = None
        form.error("release_on", DATE_ERROR)
    wrong = [form.errors.pop(name) for name in ("year", "methodology") if name in form.errors]
    year: tuple[int, str] | None = None
    if not wrong:  # both converted, but the struct is None when the date is wrong
        year = (msgspec.convert(form.values["year"], int, strict=False), form.values["methodology"])
    if year not in _years(here.db, network_id):
        return _dashboard_page(
            here.request,
            here.db,
            here.principal,
            network_id,
            release_error=wrong[0] if wrong else YEAR_ERROR,
            status_code=422,
        )
    if posted is None:
        return _dashboard_page(
            here.request,
            here.db,
            here.principal,
            network_id,
            year=year,
            date_form=form,
            status_code=422,
        )
    return posted


def _back(
    request: HttpRequest, network_id: int, year: int, methodology: str, done: str
) -> Redirect:
    return Redirect(
        path_for(request, "network_dashboard", network_id=network_id)
        + f"?year={year}&methodology={methodology}&done={done}",
        status_code=303,
    )


@dataclass(frozen=True)
class ShownYear:
    """The year a chart of the dashboard shows, as the viewer may see it, and the group
    its query picks."""

    view: aggregates.NetworkView
    scope: aggregates.Scope
    group: str | None


def provide_shown_year(here: NamedDependency[StaffRequest], network_id: FromPath[int]) -> ShownYear:
    """A chart's year, or 404 when the network has none to show."""
    _, view, scope = _view(here.db, here.principal, network_id, here.request)
    if view is None:
        raise NotFoundException()
    return ShownYear(view, scope, nv.group_param(here.request, view.groups))


class NetworkController(Controller):
    # Off the event loop, like the sync handlers that take it: it asks the database.
    dependencies = {**STAFF, "shown": Provide(provide_shown_year, sync_to_thread=True)}  # noqa: RUF012

    @get(
        "/staff/networks/{network_id:int}/dashboard",
        name="network_dashboard",
        opt=COORDINATOR,
        sync_to_thread=True,
    )
    def dashboard(
        self,
        request: HttpRequest,
        db: NamedDependency[Session],
        principal: NamedDependency[Principal],
        network_id: FromPath[int],
    ) -> Template:
        return _dashboard_page(request, db, principal, network_id)

    @post(
        "/staff/networks/{network_id:int}/releases",
        name="network_release",
        opt=COORDINATOR,
        sync_to_thread=True,
    )
    def release(
        self, here: NamedDependency[StaffRequest], network_id: FromPath[int], data: FormData
    ) -> Template | Redirect:
        posted = _read_posted(here, network_id, ReleaseForm, data)
        if isinstance(posted, Template):
            return posted
        picked = (posted.year, posted.methodology)
        try:
            network_releases.release_year(
                here.db, network_id, *picked, actor_id=here.principal.user_id
            )
        except Conflict:
            # The panel beside the button says why (it reads the same rule).
            here.db.rollback()
            return _dashboard_page(
                here.request,
                here.db,
                here.principal,
                network_id,
                year=picked,
                release_error=NOT_ALLOWED,
                status_code=409,
            )
        here.db.commit()
        return _back(here.request, network_id, *picked, "released")

    @post(
        "/staff/networks/{network_id:int}/report-date",
        name="network_report_date",
        opt=COORDINATOR,
        sync_to_thread=True,
    )
    def report_date(
        self, here: NamedDependency[StaffRequest], network_id: FromPath[int], data: FormData
    ) -> Template | Redirect:
        posted = _read_posted(here, network_id, ReportDateForm, data)
        if isinstance(posted, Template):
            return posted
        picked = (posted.year, posted.methodology)
        report_dates.set_report_date(
            here.db, network_id, *picked, posted.release_on, actor_id=here.principal.user_id
        )
        here.db.commit()
        return _back(here.request, network_id, *picked, "date")

    @get(
        "/staff/networks/{network_id:int}/dashboard/distribution",
        name="network_distribution_chart",
        opt=COORDINATOR,
        sync_to_thread=True,
    )
    def distribution_chart(
        self, here: NamedDependency[StaffRequest], shown: NamedDependency[ShownYear]
    ) -> Response[bytes]:
        view, group, lang = shown.view, shown.group, _lang()
        key = cache_key("network-distribution", lang, group, view.stats, [n.id for n in view.nodes])
        return chart_response(key, _format(here.request), lambda: pn.box_figure(view, group, lang))

    @get(
        "/staff/networks/{network_id:int}/dashboard/trend",
        name="network_trend_chart",
        opt=COORDINATOR,
        sync_to_thread=True,
    )
    def trend_chart(
        self,
        here: NamedDependency[StaffRequest],
        shown: NamedDependency[ShownYear],
        network_id: FromPath[int],
    ) -> Response[bytes]:
        view, group, request = shown.view, shown.group, here.request
        node = request.query_params.get("node", OVERALL)
        if node not in {n.id for n in view.nodes}:
            raise NotFoundException()
        trend = aggregates.network_trend(here.db, network_id, view.methodology_id, shown.scope)
        points = [
            BandPoint(
                t.year, t.stat(node, group).median, t.stat(node, group).q1, t.stat(node, group).q3
            )
            for t in trend
        ]
        lang = _lang()
        key = cache_key("network-trend", lang, node, group, points)
        return chart_response(
            key,
            _format(request),
            lambda: band_chart(
                points,
                y_label=i18n.translate(lang, N_("Score (0–100)")),
                median_label=i18n.translate(lang, N_("Median")),
                band_label=i18n.translate(lang, N_("Middle half (Q1–Q3)")),
            ),
        )

    @get(
        "/staff/organisations/{organisation_id:int}/networks",
        name="organisation_networks",
        opt=requires("network.position", organisation="organisation_id"),
        sync_to_thread=True,
    )
    def position(
        self,
        request: HttpRequest,
        db: NamedDependency[Session],
        principal: NamedDependency[Principal],
        organisation_id: FromPath[int],
    ) -> Template:
        org = directory.organisation(db, organisation_id)
        if org is None:
            raise NotFoundException()
        lang = _lang()
        nv.release_due_now(db, [n.id for n in org.networks])
        scope = nv.viewer_scope(db, principal)
        years = organisation_years(db, organisation_id)
        picked = nv.pick_year(request, years)
        found_positions: list[OrganisationPosition] = []
        group: str | None = None
        if picked is not None:
            found = [
                organisation_position(db, organisation_id, n.id, *picked, scope)
                for n in org.networks
            ]
            found_positions = [p for p in found if p is not None]
            if found_positions:
                group = nv.group_param(request, found_positions[0].groups)
        view = position_page(org, years, picked, found_positions, group, lang)
        return page(
            "networks/position.html",
            as_context(view),
            request=request,
        )
