"""Downloads of a cycle's results (CSV, XLSX, PDF) and the printable report page.

The same people as the results' detail pages (the cycle router's "results.read"); each download
is audit-logged. The files are made by qms.exports, shared with `qms export`. The
answers in the CSV and XLSX are the staff form of METHODOLOGY.md §5.3 (new random
labels and order on every download, comments for heads only), never the round trip.
"""

from __future__ import annotations

from datetime import date

from litestar import Controller, Response, get
from litestar.di import NamedDependency

from qms.exports import answers, report, workbook
from qms.presentation.tables import radar_data
from qms.store import consensus, plan, results
from qms.web.access import CycleRequest
from qms.web.charts import CACHE
from qms.web.comments import report_comments
from qms.web.results import READ, radar_key
from qms.web.urls import path_for

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _filename(data: results.CycleResults, ext: str) -> str:
    return f"qms-{data.info.id}-{data.info.year}.{ext}"


def _download(content: bytes, media_type: str, filename: str) -> Response[bytes]:
    return Response(
        content=content,
        media_type=media_type,
        headers={
            "content-disposition": f'attachment; filename="{filename}"',
            "cache-control": "private, no-store",
        },
    )


def _page_links(here: CycleRequest) -> report.ReportLinks:
    request, cycle_id = here.request, here.cycle.id
    return report.ReportLinks(
        stylesheet=path_for(request, "static", file_path="css/report.css"),
        radar=path_for(request, "cycle_chart", cycle_id=cycle_id, chart="radar.svg"),
        results=path_for(request, "cycle_results", cycle_id=cycle_id),
        pdf=path_for(request, "cycle_export_pdf", cycle_id=cycle_id),
    )


def _report_context(
    here: CycleRequest, links: report.ReportLinks = report.PDF_LINKS
) -> report.ReportContext:
    data = results.cycle_results(here.db, here.cycle)
    return report.report_context(
        data,
        plan.actions_for_cycle(here.db, here.cycle.id),
        here.cycle.snapshot_hash,
        here.lang,
        links=links,
        today=date.today(),
        notes=consensus.consensus_notes(here.db, here.cycle),
        comments=report_comments(here.db, here.principal, here.cycle),
    )


def _radar_png(context: report.ReportContext) -> bytes:
    axes, series = radar_data(context.results, context.lang)
    return CACHE.get_or_render(
        radar_key(context.results.info.id, axes, series),
        "png",
        lambda: report.radar_figure(context.results, context.lang),
    )


def _export(here: CycleRequest, fmt: str) -> Response[bytes]:
    lang = here.lang
    if fmt == "pdf":
        context = _report_context(here)
        content, media = report.report_pdf(context, _radar_png(context)), "application/pdf"
        data = context.results
    else:
        data = results.cycle_results(here.db, here.cycle)
        # The staff form (METHODOLOGY.md §5.3), from the releases; the round-trip form
        # with respondent ids is `qms export --full` only, never a download.
        comments = report_comments(here.db, here.principal, here.cycle)
        staff = answers.staff_answers(here.db, here.cycle, comments)
        if fmt == "csv":
            content, media = answers.staff_csv_bytes(staff, lang), "text/csv"
        else:
            content, media = workbook.workbook_bytes(data, staff, lang), XLSX
    results.record_export(here.db, here.cycle, fmt, actor_id=here.principal.user_id)
    here.db.commit()
    return _download(content, media, _filename(data, fmt))


class ExportController(Controller):
    # One handler per path: Litestar's path lists did not combine with sync_to_thread.
    @get("/export.csv", name="cycle_export_csv", opt=READ, sync_to_thread=True)
    def export_csv(self, here: NamedDependency[CycleRequest]) -> Response[bytes]:
        return _export(here, "csv")

    @get("/export.xlsx", name="cycle_export_xlsx", opt=READ, sync_to_thread=True)
    def export_xlsx(self, here: NamedDependency[CycleRequest]) -> Response[bytes]:
        return _export(here, "xlsx")

    @get("/export.pdf", name="cycle_export_pdf", opt=READ, sync_to_thread=True)
    def export_pdf(self, here: NamedDependency[CycleRequest]) -> Response[bytes]:
        return _export(here, "pdf")

    @get("/report", name="cycle_report", opt=READ, sync_to_thread=True)
    def printable(self, here: NamedDependency[CycleRequest]) -> Response[str]:
        context = _report_context(here, _page_links(here))
        html = report.render_report_html(context, for_pdf=False)
        return Response(content=html, media_type="text/html")
