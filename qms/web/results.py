"""A cycle's results: the criterion × group table, the radar chart, the gaps, item
detail, a breakdown by a choice item, and publishing the results to staff.

Who sees results is decided in one place, the cycle router's "results.read" rule
(qms.web.access.can_see_results): the organisation's heads (and admins) always; its
staff once a head has published them; nobody else (a coordinator reads network
aggregates, never one cycle's own pages). Another organisation's cycle answers 404; so
do the charts, items and downloads for the organisation's staff before publishing, while
the results page tells them why.

Charts are <img> documents (the page CSP forbids the inline styles of matplotlib's SVG),
rendered in sync handlers (off the event loop) and cached under a key made of what they
show, so changed answers give a new key and nothing is ever stale.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template

from qms import i18n
from qms.charts import Format, cache_key
from qms.charts.histogram import histogram_chart
from qms.charts.radar import radar_chart
from qms.i18n import N_
from qms.methodology.model import Item
from qms.presentation.tables import ItemRow, build_tables, histogram_rows, item_rows, radar_data
from qms.presentation.text import local_time
from qms.scoring import ItemStats
from qms.scoring.display import fmt1
from qms.store import comments, plan, results
from qms.store.cycles import Cycle, cycle_info
from qms.store.errors import Conflict
from qms.store.snapshots import cycle_methodology
from qms.web.access import CycleRequest, can_see_results, on_cycle
from qms.web.charts import chart_response
from qms.web.comments import can_read_comments
from qms.web.render import page

# Items, charts and downloads: heads always, staff once published (qms.web.access).
READ = on_cycle("results.read")
PUBLISH = on_cycle("results.publish")
FORMATS: tuple[Format, ...] = ("svg", "png", "pdf")
ALREADY = N_("Nothing changed: the results were already in that state.")
# Respondents whose answer the answer download hides (too rare to show): a breakdown
# counts them apart, so that it cannot say which hidden rows had which answer.
HIDDEN_LABEL = N_("Answer not shown")


def parse_chart_name(name: str, stem: str) -> Format:
    base, _, ext = name.rpartition(".")
    for fmt in FORMATS:
        if base == stem and ext == fmt:
            return fmt
    raise NotFoundException()


@dataclass(frozen=True)
class ChoiceLink:
    id: str
    label: str


def _breakdown_choices(cycle: Cycle, lang: str) -> list[ChoiceLink]:
    m = cycle_methodology(cycle)
    return [
        ChoiceLink(item.id, f"{g.title.get(lang)}: {item.text.get(lang)}")
        for g in m.groups
        if not g.is_consensus
        for item in m.questionnaires[g.id].items
        if item.type == "choice"
    ]


@dataclass(frozen=True)
class BreakdownCell:
    mean: str
    n: int


@dataclass(frozen=True)
class BreakdownRow:
    item: str
    text: str
    cells: tuple[BreakdownCell | None, ...]  # None: hidden


def _cell(stats: ItemStats | None) -> BreakdownCell | None:
    return None if stats is None else BreakdownCell(fmt1(stats.mean), stats.n)


class ResultsController(Controller):
    @get("/results", name="cycle_results", opt=on_cycle("organisation.view"), sync_to_thread=True)
    def show(self, here: NamedDependency[CycleRequest]) -> Template:
        if not can_see_results(here.principal, here.cycle):
            # Their own organisation's staff: say why there is nothing yet.
            return page(
                "results/unpublished.html",
                {
                    "cycle": cycle_info(here.db, here.cycle.id),
                    "organisation_id": here.cycle.organisation_id,
                },
                request=here.request,
            )
        lang = here.lang
        data = results.cycle_results(here.db, here.cycle)
        if not data.any_released:
            # §5.2: nothing computed from answers is shown before a release.
            return page(
                "results/unreleased.html",
                {"cycle": data.info, "organisation_id": here.cycle.organisation_id},
                request=here.request,
            )
        tables = build_tables(data, lang)
        choices = _breakdown_choices(here.cycle, lang)
        by = here.request.query_params.get("by") or ""
        breakdown_view: dict[str, Any] | None = None
        by_error = ""
        if by:
            if any(c.id == by for c in choices):
                m = data.methodology
                found = results.breakdown(here.db, here.cycle, m.item_group(by), by)
                choice = m.item(by)
                labels = {o.value: o.label.get(lang) for o in choice.options}
                labels[results.HIDDEN_ANSWER] = i18n.translate(lang, HIDDEN_LABEL)
                breakdown_view = {
                    "by": by,
                    "question": choice.text.get(lang),
                    "min_n": m.group(found.group).min_n,
                    "cells": [labels.get(c, "") for c in found.cells],
                    "rows": [
                        BreakdownRow(
                            item_id,
                            m.item(item_id).text.get(lang),
                            tuple(_cell(cells[c]) for c in found.cells),
                        )
                        for item_id, cells in found.rows.items()
                    ],
                }
            else:
                by_error = N_("Choose a question from the list.")
        actions = [a for a in plan.actions_for_cycle(here.db, here.cycle.id) if a.is_open]
        m = data.methodology
        open_questions = [
            (m.group(group).title.get(lang), m.item(item_id).text.get(lang), count)
            for (group, item_id), count in comments.comment_counts(here.db, here.cycle).items()
        ]
        items_by_group: dict[str, list[ItemRow]] = {}
        for row in tables.items:
            items_by_group.setdefault(row.group, []).append(row)
        return page(
            "results/results.html",
            {
                "cycle": data.info,
                "organisation_id": here.cycle.organisation_id,
                "t": tables,
                "items_by_group": items_by_group,
                "choices": choices,
                "by": by,
                "by_error": by_error,
                "breakdown": breakdown_view,
                "actions": actions,
                "published_at": local_time(here.cycle.results_published_at),
                "can_publish": here.principal.can(
                    "results.publish", organisation_id=here.cycle.organisation_id
                ),
                "saved": here.request.query_params.get("saved") or "",
                "waiting": [
                    (m_title(data, g, lang), r.waiting)
                    for g, r in data.releases.items()
                    if r.waiting
                ],
                "unreleased": [
                    m_title(data, g, lang) for g, r in data.releases.items() if not r.released
                ],
                "closed_at": local_time(here.cycle.closed_at),
                "open_questions": open_questions,
                "comments_link": can_read_comments(here.principal, here.cycle),
            },
            request=here.request,
        )

    @get("/results/items/{item_id:str}", name="cycle_result_item", opt=READ, sync_to_thread=True)
    def item(self, here: NamedDependency[CycleRequest], item_id: FromPath[str]) -> Template:
        lang = here.lang
        data = results.cycle_results(here.db, here.cycle)
        m = data.methodology
        item = _scored_item(data, item_id)
        group = m.item_group(item.id)
        (row,) = [r for r in item_rows(data, lang, group) if r.id == item.id]
        scale = m.item_scale(item)
        return page(
            "results/item.html",
            {
                "cycle": data.info,
                "row": row,
                "group_title": m.group(group).title.get(lang),
                "criterion": f"{item.criterion} {m.node(item.criterion or '').title.get(lang)}",
                "histogram": histogram_rows(m, item, row.stats, lang) if row.stats else [],
                "missing_labels": {o.code: o.label.get(lang) for o in scale.missing},
                "is_range": scale.is_range,
            },
            request=here.request,
        )

    @get("/charts/{name:str}", opt=READ, sync_to_thread=True)
    def radar(self, here: NamedDependency[CycleRequest], name: FromPath[str]) -> Response[bytes]:
        fmt = parse_chart_name(name, "radar")
        data = results.cycle_results(here.db, here.cycle)
        axes, series = radar_data(data, here.lang)
        key = radar_key(here.cycle.id, axes, series)
        return chart_response(
            key,
            fmt,
            lambda: radar_chart(axes, series),
            filename=None if fmt == "svg" else f"radar-{here.cycle.id}",
        )

    @get("/charts/items/{item_id:str}/{name:str}", opt=READ, sync_to_thread=True)
    def histogram(
        self, here: NamedDependency[CycleRequest], item_id: FromPath[str], name: FromPath[str]
    ) -> Response[bytes]:
        fmt = parse_chart_name(name, "histogram")
        lang = here.lang
        data = results.cycle_results(here.db, here.cycle)
        item = _scored_item(data, item_id)
        stats = data.scores.item(data.methodology.item_group(item.id), item.id)
        if stats is None or not stats.reportable:
            raise NotFoundException()  # §3.4: no histogram below min_n, not even an empty one
        rows = histogram_rows(data.methodology, item, stats, lang)
        labels, counts = [r[0] for r in rows], [r[1] for r in rows]
        ylabel = i18n.gettext("Answers")
        key = cache_key("histogram", here.cycle.id, item.id, labels, counts, ylabel)
        return chart_response(
            key,
            fmt,
            lambda: histogram_chart(labels, counts, ylabel=ylabel),
            filename=None if fmt == "svg" else f"histogram-{here.cycle.id}-{item.id}",
        )

    @post("/results/publish", opt=PUBLISH, sync_to_thread=True)
    def publish(self, here: NamedDependency[CycleRequest]) -> Redirect:
        return self._publish(here, publish=True)

    @post("/results/withdraw", opt=PUBLISH, sync_to_thread=True)
    def withdraw(self, here: NamedDependency[CycleRequest]) -> Redirect:
        return self._publish(here, publish=False)

    def _publish(self, here: CycleRequest, *, publish: bool) -> Redirect:
        change = results.publish_results if publish else results.withdraw_results
        try:
            change(here.db, here.cycle, actor_id=here.principal.user_id)
        except Conflict:
            here.db.rollback()
            return Redirect(f"/staff/cycles/{here.cycle.id}/results?saved=same", status_code=303)
        here.db.commit()
        done = "published" if publish else "withdrawn"
        return Redirect(f"/staff/cycles/{here.cycle.id}/results?saved={done}", status_code=303)


def m_title(data: results.CycleResults, group: str, lang: str) -> str:
    return data.methodology.group(group).title.get(lang)


def radar_key(cycle_id: int, axes: list[str], series: list[tuple[str, list[float | None]]]) -> str:
    return cache_key("radar", cycle_id, axes, series)


def _scored_item(data: results.CycleResults, item_id: str) -> Item:
    m = data.methodology
    if not m.has_item(item_id) or not m.item(item_id).is_scored:
        raise NotFoundException()
    return m.item(item_id)
