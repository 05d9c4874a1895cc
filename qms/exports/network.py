"""Exports of a network's aggregates (METHODOLOGY.md §3.11): the distribution table as
CSV, a workbook (XLSX) with a sheet per table, and a PDF report for the partners.

Everything comes from qms.store.aggregates, which reads the year's current release and
applies qms.disclosure.network's rule for the viewer who downloads: a statistic that is
not shown keeps only `n_orgs` and its `status` (why not), and only consenting
organisations are named, only on shown statistics; these functions add nothing else.
CSV and XLSX carry full precision with the stable English column keys; the PDF is for
people (one decimal).
"""

from __future__ import annotations

import base64
import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from openpyxl import Workbook  # type: ignore[import-untyped]
from openpyxl.styles import Font  # type: ignore[import-untyped]

from qms import i18n
from qms.charts import Figure, cache_key, render
from qms.exports.csvsafe import append_row, neutralise
from qms.i18n import N_
from qms.presentation.network import (
    COMPOSITE_LABEL,
    StatLine,
    TrendRow,
    box_figure,
    node_label,
    spread,
    trend_row,
)
from qms.presentation.templates import report_env
from qms.presentation.text import local_time, reason_text
from qms.scoring.display import fmt1
from qms.store.aggregates import NetworkView, NodeStat, TrendYear
from qms.store.models.networks import OVERALL

COLUMNS = (
    "node",
    "group",
    "n_orgs",
    "mean",
    "median",
    "q1",
    "q3",
    "min",
    "max",
    "node_title",
    "group_title",
    "status",
)
NAMED_COLUMNS = (
    "organisation",
    "node",
    "group",
    "score",
    "rank",
    "of",
    "node_title",
    "group_title",
)
RESPONSE_COLUMNS = ("group", "n_orgs", "responses", "group_title", "status")
TREND_COLUMNS = (
    "year",
    "node",
    "group",
    "n_orgs",
    "median",
    "q1",
    "q3",
    "node_title",
    "group_title",
    "status",
)
SHEETS = {
    "about": N_("About this file"),
    "distribution": N_("Distribution"),
    "named": N_("Named organisations"),
    "responses": N_("Responses"),
    "trend": N_("Trend"),
}
ABOUT_NOTE = N_(
    "Each organisation counts once, with its own scores. A statistic over fewer than 3 "
    "organisations shows only how many organisations it covers. Organisations are named "
    "only where they agreed to it."
)
STATUS_NOTE = N_(
    "The figures come from the network's release of the year. Where a statistic is "
    "blank, its status says why: few (fewer than 3 organisations), identifiable (it would "
    "let the organisations you can identify be subtracted), differs (it differs by only one "
    "or two organisations from figures already released), withdrawn (an organisation "
    "withdrew; the figures return with the next release), unreleased (not released yet)."
)


@dataclass(frozen=True)
class NetworkExport:
    """What every export of one network year shows; built by the caller from the store."""

    view: NetworkView
    trend: tuple[TrendYear, ...]
    methodology_title: str
    lang: str
    today: date


node_title = node_label


def _titles(view: NetworkView, lang: str) -> tuple[dict[str, str], dict[str | None, str]]:
    nodes = {n.id: node_title(n, lang) for n in view.nodes}
    groups: dict[str | None, str] = {g.id: g.title.get(lang) for g in view.groups}
    groups[None] = i18n.translate(lang, COMPOSITE_LABEL)
    return nodes, groups


def _keys(view: NetworkView) -> list[tuple[str, str | None]]:
    """Criteria in methodology order (overall last); each one's groups, then the composite."""
    groups: list[str | None] = [*(g.id for g in view.groups), None]
    return [(n.id, g) for n in view.nodes for g in groups]


def aggregate_rows(export: NetworkExport) -> list[list[Any]]:
    """The distribution table, one row per criterion × group, in COLUMNS order; None
    where a statistic is withheld."""
    view, lang = export.view, export.lang
    nodes, groups = _titles(view, lang)
    rows = []
    for node, group in _keys(view):
        s = view.stat(node, group)
        rows.append(
            [
                node,
                group,
                s.n_orgs,
                s.mean,
                s.median,
                s.q1,
                s.q3,
                s.min,
                s.max,
                nodes[node],
                groups[group],
                s.reason,
            ]
        )
    return rows


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)
    return neutralise(value) if isinstance(value, str) else str(value)


def csv_bytes(export: NetworkExport) -> bytes:
    """UTF-8 with a byte order mark, so that spreadsheet programs read the letters right."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows([_cell(v) for v in row] for row in aggregate_rows(export))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def named_rows(export: NetworkExport) -> list[list[Any]]:
    view, lang = export.view, export.lang
    nodes, groups = _titles(view, lang)
    rows = []
    for node, group in _keys(view):
        for n in view.stat(node, group).named:
            rows.append([n.name, node, group, n.score, n.rank, n.of, nodes[node], groups[group]])
    return rows


def trend_rows(export: NetworkExport) -> list[list[Any]]:
    nodes, groups = _titles(export.view, export.lang)
    rows = []
    for year in export.trend:
        for s in year.stats:
            rows.append(
                [
                    year.year,
                    s.node,
                    s.group,
                    s.n_orgs,
                    s.median,
                    s.q1,
                    s.q3,
                    nodes.get(s.node, s.node),
                    groups.get(s.group, s.group or ""),
                    s.reason,
                ]
            )
    return rows


def _sheet_title(text: str) -> str:
    cleaned = "".join(" " if ch in "[]:*?/\\" else ch for ch in text)
    return cleaned[:31]


def workbook_bytes(export: NetworkExport) -> bytes:
    view, lang = export.view, export.lang
    _, groups = _titles(view, lang)
    book = Workbook()
    sheets: list[tuple[str, Sequence[str], list[list[Any]]]] = [
        (
            "about",
            ("key", "value"),
            [
                ["network", view.network_name],
                ["year", view.year],
                ["methodology", view.methodology_id],
                ["methodology_title", export.methodology_title],
                ["n_orgs", view.n_orgs],
                ["released_at", view.released_at.isoformat() if view.released_at else ""],
                ["named_organisations", "|".join(o.name for o in view.named)],
                ["prepared_on", export.today.isoformat()],
                ["note", i18n.translate(lang, ABOUT_NOTE)],
                ["status_note", i18n.translate(lang, STATUS_NOTE)],
            ],
        ),
        ("distribution", COLUMNS, aggregate_rows(export)),
        ("named", NAMED_COLUMNS, named_rows(export)),
        (
            "responses",
            RESPONSE_COLUMNS,
            [
                [r.group, r.n_orgs, r.responses, groups.get(r.group, r.group), r.reason]
                for r in view.responses
            ],
        ),
        ("trend", TREND_COLUMNS, trend_rows(export)),
    ]
    for index, (key, header, rows) in enumerate(sheets):
        sheet = book.active if index == 0 else book.create_sheet()
        assert sheet is not None
        sheet.title = _sheet_title(i18n.translate(lang, SHEETS[key]))
        append_row(sheet, list(header))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            append_row(sheet, row)
        sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# -- the PDF report -------------------------------------------------------------------


@dataclass(frozen=True)
class NamedLine:
    """A consenting organisation's scores of one criterion, one cell per line of its
    table ("" where it has none), each with its place from the lowest."""

    organisation: str
    cells: tuple[str, ...]


@dataclass(frozen=True)
class CriterionTable:
    node: str
    title: str
    lines: tuple[StatLine, ...]
    named: tuple[NamedLine, ...]


@dataclass(frozen=True)
class ReportView:
    network: str
    year: int
    methodology: str
    methodology_title: str
    n_orgs: int
    named: tuple[str, ...]
    criteria: tuple[CriterionTable, ...]
    responses: tuple[tuple[str, int, int | None, str], ...]
    trend: tuple[TrendRow, ...]
    chart_uri: str
    chart_rows: tuple[tuple[str, StatLine], ...]  # the chart's data, as its text alternative
    today: str
    released_at: str
    withdrawn: str


def _line(s: NodeStat, group: str, lang: str) -> StatLine:
    return StatLine(group=group, **spread(s, lang))


def distribution_figure(export: NetworkExport) -> Figure:
    """The composite's distribution per criterion as box plots."""
    return box_figure(export.view, None, export.lang)


def chart_key(export: NetworkExport) -> str:
    """Changes whenever the chart would (qms.charts.cache_key)."""
    view = export.view
    return cache_key(
        "network-report-distribution", export.lang, view.stats, [n.id for n in view.nodes]
    )


def report_view(export: NetworkExport, chart_png: bytes) -> ReportView:
    view, lang = export.view, export.lang
    nodes, groups = _titles(view, lang)
    criteria = []
    for label in view.nodes:
        stats = [view.stat(label.id, group) for group in [*(g.id for g in view.groups), None]]
        stats = [s for s in stats if s.n_orgs > 0]
        names = sorted({n.name for s in stats for n in s.named})
        cells = {
            (n.name, i): f"{fmt1(n.score)} ({n.rank}/{n.of})"
            for i, s in enumerate(stats)
            for n in s.named
        }
        criteria.append(
            CriterionTable(
                label.id,
                nodes[label.id],
                tuple(_line(s, groups[s.group], lang) for s in stats),
                tuple(
                    NamedLine(name, tuple(cells.get((name, i), "") for i in range(len(stats))))
                    for name in names
                ),
            )
        )
    trend = tuple(trend_row(t.year, t.n_orgs, t.stat(OVERALL, None), lang) for t in export.trend)
    return ReportView(
        network=view.network_name,
        year=view.year,
        methodology=view.methodology_id,
        methodology_title=export.methodology_title,
        n_orgs=view.n_orgs,
        named=tuple(o.name for o in view.named),
        criteria=tuple(criteria),
        responses=tuple(
            (
                groups.get(r.group, r.group),
                r.n_orgs,
                r.responses,
                "" if r.reason == "shown" else reason_text(r.reason, lang),
            )
            for r in view.responses
        ),
        trend=trend,
        chart_uri="data:image/png;base64," + base64.b64encode(chart_png).decode("ascii"),
        chart_rows=tuple(
            (nodes[n.id], _line(view.stat(n.id, None), groups[None], lang)) for n in view.nodes
        ),
        today=export.today.isoformat(),
        released_at=local_time(view.released_at),
        withdrawn=reason_text("withdrawn", lang) if view.withdrawn else "",
    )


def report_html(export: NetworkExport, chart_png: bytes) -> str:
    token = i18n.current_language.set(export.lang)
    try:
        template = report_env().get_template("network_report/report.html")
        return template.render(r=report_view(export, chart_png), lang=export.lang)
    finally:
        i18n.current_language.reset(token)


def report_pdf(export: NetworkExport, chart_png: bytes | None = None) -> bytes:
    """The PDF; it may load nothing but its own data: URIs (no file, no network)."""
    from weasyprint import HTML  # type: ignore[import-untyped]
    from weasyprint.urls import URLFetcher  # type: ignore[import-untyped]

    png = chart_png if chart_png is not None else render(distribution_figure(export), "png")
    html = report_html(export, png)
    buffer = io.BytesIO()
    HTML(
        string=html,
        base_url="https://network-report.invalid/",
        url_fetcher=URLFetcher(allowed_protocols=["data"]),
    ).write_pdf(buffer)
    return buffer.getvalue()
