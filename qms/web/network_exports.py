"""Downloads of a network's aggregates for its coordinators: the distribution table as
CSV, a workbook (XLSX) and a PDF report, for one year and methodology
(`?year=&methodology=`, the newest shared year when omitted).

The same permission as the dashboard; the files hold exactly what the dashboard shows
the same viewer: the year's current release, through qms.disclosure.network's rule
(qms.store.aggregates), with a status column that says why a blank is blank.
"""

from __future__ import annotations

from datetime import date

from litestar import Controller, Response, get
from litestar.di import NamedDependency, Provide
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from sqlalchemy.orm import Session

from qms import i18n
from qms.exports import network as export
from qms.store import aggregates
from qms.web.auth import Principal, requires
from qms.web.charts import CACHE
from qms.web.deps import HttpRequest
from qms.web.network_views import release_due_now, viewer_scope

COORDINATOR = requires("network.dashboard", network="network_id")
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


def provide_export(
    request: HttpRequest,
    db: NamedDependency[Session],
    principal: NamedDependency[Principal],
    network_id: FromPath[int],
) -> export.NetworkExport:
    """The `made` dependency: what each download holds, for the requested year and
    methodology; 404 for anything the network has not got."""
    release_due_now(db, [network_id])
    raw_year = request.query_params.get("year")
    methodology = request.query_params.get("methodology")
    offered = aggregates.network_years(db, network_id)
    picked = next(
        (
            (y, m)
            for y, m in offered
            if (raw_year is None or str(y) == raw_year)
            and (methodology is None or m == methodology)
        ),
        None,
    )
    if picked is None:
        raise NotFoundException()
    scope = viewer_scope(db, principal)
    view = aggregates.network_aggregates(db, network_id, *picked, scope)
    trend = aggregates.network_trend(db, network_id, picked[1], scope)
    return export.NetworkExport(
        view=view,
        trend=tuple(trend),
        methodology_title=picked[1],
        lang=i18n.current_language.get(),
        today=date.today(),
    )


def _download(data: bytes, fmt: str, made: export.NetworkExport) -> Response[bytes]:
    name = f"network-{made.view.network_id}-{made.view.year}-{made.view.methodology_id}.{fmt}"
    return Response(
        content=data,
        media_type=MEDIA_TYPES[fmt],
        headers={"content-disposition": f'attachment; filename="{name}"'},
    )


class NetworkExportController(Controller):
    # Off the event loop, like the sync handlers that take it: it asks the database.
    dependencies = {"made": Provide(provide_export, sync_to_thread=True)}  # noqa: RUF012

    @get(
        "/staff/networks/{network_id:int}/export.csv",
        name="network_export_csv",
        opt=COORDINATOR,
        sync_to_thread=True,
    )
    def csv(self, made: NamedDependency[export.NetworkExport]) -> Response[bytes]:
        return _download(export.csv_bytes(made), "csv", made)

    @get(
        "/staff/networks/{network_id:int}/export.xlsx",
        name="network_export_xlsx",
        opt=COORDINATOR,
        sync_to_thread=True,
    )
    def xlsx(self, made: NamedDependency[export.NetworkExport]) -> Response[bytes]:
        return _download(export.workbook_bytes(made), "xlsx", made)

    @get(
        "/staff/networks/{network_id:int}/export.pdf",
        name="network_export_pdf",
        opt=COORDINATOR,
        sync_to_thread=True,
    )
    def pdf(self, made: NamedDependency[export.NetworkExport]) -> Response[bytes]:
        chart = CACHE.get_or_render(
            export.chart_key(made), "png", lambda: export.distribution_figure(made)
        )
        return _download(export.report_pdf(made, chart), "pdf", made)
