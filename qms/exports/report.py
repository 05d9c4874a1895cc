"""The cycle's report for the council: one Jinja template (templates/report/report.html)
rendered the same way for the printable page and for the PDF (WeasyPrint), so the two
never differ.

WeasyPrint cannot fetch the app's signed-in URLs, so the PDF's stylesheet and charts are
handed to it by a URL fetcher that knows only the report's own resources (the static
CSS and the charts rendered beforehand) and refuses everything else: no network access
from a PDF rendering, whatever the HTML says.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from qms import i18n
from qms.charts import Figure, render
from qms.charts.radar import radar_chart
from qms.disclosure.comments import GroupComments
from qms.paths import static_dir
from qms.presentation.tables import ResultsTables, build_tables, node_title, radar_data
from qms.presentation.templates import report_env
from qms.store.consensus import Notes
from qms.store.plan import Action
from qms.store.results import CycleResults

PDF_BASE = "https://report.invalid/"


@dataclass(frozen=True)
class NoteRow:
    """What the working group wrote down for one sub-criterion at the consensus."""

    title: str
    evidence: str
    strengths: str
    improvements: str


@dataclass(frozen=True)
class CommentItem:
    question: str
    comments: tuple[str, ...]  # visible ones, in the random order they were drawn


@dataclass(frozen=True)
class CommentSection:
    """One group's comments in the report; `items` empty unless `state` is "shown"."""

    title: str
    state: str  # "shown", "few" (below min_n), "pending" (no release yet)
    min_n: int
    items: tuple[CommentItem, ...]


@dataclass(frozen=True)
class ReportLinks:
    """Where the report points. The printable page links the site, by the paths qms.web
    reverses from route names; the PDF (from the web or from `qms export`, which has no
    app to ask) names only its own resources, those its URL fetcher hands over."""

    stylesheet: str
    radar: str
    results: str = ""  # the page's navigation, not in the PDF
    pdf: str = ""


# Resolved against PDF_BASE by the fetcher: the stylesheet under the name the static
# files have on the site, the chart rendered beforehand.
PDF_LINKS = ReportLinks(stylesheet="/static/css/report.css", radar="/charts/radar.png")


@dataclass(frozen=True)
class ReportContext:
    results: CycleResults
    tables: ResultsTables
    actions: tuple[Action, ...]
    organisation: str
    snapshot_hash: str
    lang: str
    today: date
    links: ReportLinks = PDF_LINKS
    notes: tuple[NoteRow, ...] = ()
    # None: the reader may not read comments (only heads do, METHODOLOGY.md §5.4).
    comments: tuple[CommentSection, ...] | None = None


def report_context(
    results: CycleResults,
    actions: list[Action],
    snapshot_hash: str,
    lang: str,
    *,
    links: ReportLinks = PDF_LINKS,
    today: date | None = None,
    notes: Mapping[str, Notes] | None = None,
    comments: Sequence[GroupComments] | None = None,
) -> ReportContext:
    """`comments`: qms.store.comments.cycle_comments for a reader who may read them
    (hidden ones are already left out there), None for anyone else."""
    return ReportContext(
        results=results,
        tables=build_tables(results, lang),
        actions=tuple(actions),
        organisation=results.info.organisation,
        snapshot_hash=snapshot_hash,
        lang=lang,
        links=links,
        today=today or date.today(),
        notes=_note_rows(results, notes or {}, lang),
        comments=None if comments is None else _comment_sections(results, comments, lang),
    )


def _comment_sections(
    results: CycleResults, comments: Sequence[GroupComments], lang: str
) -> tuple[CommentSection, ...]:
    m = results.methodology
    return tuple(
        CommentSection(
            m.group(g.group).title.get(lang),
            g.state,
            g.min_n,
            tuple(
                CommentItem(m.item(i.item).text.get(lang), tuple(c.text for c in i.comments))
                for i in g.items
            ),
        )
        for g in comments
    )


def _note_rows(results: CycleResults, notes: Mapping[str, Notes], lang: str) -> tuple[NoteRow, ...]:
    """The consensus notes in the questionnaire's order. The working group's words are the
    organisation's own record, so no minimum size applies (as to its agreed scores)."""
    m = results.methodology
    rows = []
    for group in m.groups:
        if not group.is_consensus or group.id not in m.questionnaires:
            continue
        for item in m.questionnaires[group.id].items:
            note = notes.get(item.id)
            if note is None or note.empty:
                continue
            title = node_title(m, item.criterion, lang) if item.criterion else item.id
            rows.append(NoteRow(title, note.evidence, note.strengths, note.improvements))
    return tuple(rows)


def render_report_html(context: ReportContext, *, for_pdf: bool) -> str:
    token = i18n.current_language.set(context.lang)
    try:
        template = report_env().get_template("report/report.html")
        return template.render(r=context, for_pdf=for_pdf, current_language=context.lang)
    finally:
        i18n.current_language.reset(token)


def radar_figure(results: CycleResults, lang: str) -> Figure:
    axes, series = radar_data(results, lang)
    return radar_chart(axes, series)


def _fetcher(resources: Mapping[str, tuple[bytes, str]]) -> Any:
    from weasyprint.urls import URLFetcher, URLFetcherResponse  # type: ignore[import-untyped]

    class ReportFetcher(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
            parts = urlsplit(url)
            path = parts.path
            if url.startswith(PDF_BASE) and path in resources:
                body, media_type = resources[path]
                return URLFetcherResponse(url, body, {"Content-Type": media_type})
            if url.startswith(PDF_BASE) and path.startswith("/static/css/"):
                file = static_dir() / "css" / path.removeprefix("/static/css/")
                if file.is_file() and file.suffix == ".css" and "/" not in file.name:
                    return URLFetcherResponse(
                        url, file.read_bytes(), {"Content-Type": "text/css; charset=utf-8"}
                    )
            raise ValueError(f"the report may not fetch {url}")

    return ReportFetcher()


def report_pdf(context: ReportContext, radar_png: bytes | None = None) -> bytes:
    """The report as PDF bytes; `radar_png` is the chart if the caller has it cached."""
    from weasyprint import HTML  # type: ignore[import-untyped]

    png = (
        radar_png
        if radar_png is not None
        else render(radar_figure(context.results, context.lang), "png")
    )
    resources = {context.links.radar: (png, "image/png")}
    html = render_report_html(context, for_pdf=True)
    buffer = io.BytesIO()
    HTML(string=html, base_url=PDF_BASE, url_fetcher=_fetcher(resources)).write_pdf(buffer)
    return buffer.getvalue()
