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
from qms.presentation.context import as_context
from qms.presentation.results import breakdown_choices, item_page, results_page
from qms.presentation.tables import histogram_rows, radar_data
from qms.store import comments, plan, results
from qms.store.cycles import cycle_info
from qms.store.errors import Conflict
from qms.web.access import CycleRequest, can_see_results, on_cycle
from qms.web.charts import chart_response
from qms.web.comments import can_read_comments
from qms.web.render import page
from qms.web.urls import cycle_path

# Items, charts and downloads: heads always, staff once published (qms.web.access).
READ = on_cycle("results.read")
PUBLISH = on_cycle("results.publish")
FORMATS: tuple[Format, ...] = ("svg", "png", "pdf")
ALREADY = N_("Nothing changed: the results were already in that state.")


def parse_chart_name(name: str, stem: str) -> Format:
    base, _, ext = name.rpartition(".")
    for fmt in FORMATS:
        if base == stem and ext == fmt:
            return fmt
    raise NotFoundException()


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
        by = here.request.query_params.get("by") or ""
        found = None
        if by and any(c.id == by for c in breakdown_choices(data.methodology, lang)):
            found = results.breakdown(here.db, here.cycle, data.methodology.item_group(by), by)
        view = results_page(
            data,
            organisation_id=here.cycle.organisation_id,
            by=by,
            breakdown=found,
            actions=plan.actions_for_cycle(here.db, here.cycle.id),
            comment_counts=comments.comment_counts(here.db, here.cycle),
            published_at=here.cycle.results_published_at,
            closed_at=here.cycle.closed_at,
            can_publish=here.principal.can(
                "results.publish", organisation_id=here.cycle.organisation_id
            ),
            comments_link=can_read_comments(here.principal, here.cycle),
            saved=here.request.query_params.get("saved") or "",
            lang=lang,
        )
        return page("results/results.html", as_context(view), request=here.request)

    @get("/results/items/{item_id:str}", name="cycle_result_item", opt=READ, sync_to_thread=True)
    def item(self, here: NamedDependency[CycleRequest], item_id: FromPath[str]) -> Template:
        data = results.cycle_results(here.db, here.cycle)
        view = item_page(data, _scored_item(data, item_id), here.lang)
        return page("results/item.html", as_context(view), request=here.request)

    # `chart`, not `name`: route_reverse takes the route's name as its `name` argument.
    @get("/charts/{chart:str}", name="cycle_chart", opt=READ, sync_to_thread=True)
    def radar(self, here: NamedDependency[CycleRequest], chart: FromPath[str]) -> Response[bytes]:
        fmt = parse_chart_name(chart, "radar")
        data = results.cycle_results(here.db, here.cycle)
        axes, series = radar_data(data, here.lang)
        key = radar_key(here.cycle.id, axes, series)
        return chart_response(
            key,
            fmt,
            lambda: radar_chart(axes, series),
            filename=None if fmt == "svg" else f"radar-{here.cycle.id}",
        )

    @get(
        "/charts/items/{item_id:str}/{chart:str}",
        name="cycle_item_chart",
        opt=READ,
        sync_to_thread=True,
    )
    def histogram(
        self, here: NamedDependency[CycleRequest], item_id: FromPath[str], chart: FromPath[str]
    ) -> Response[bytes]:
        fmt = parse_chart_name(chart, "histogram")
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

    @post("/results/publish", name="results_publish", opt=PUBLISH, sync_to_thread=True)
    def publish(self, here: NamedDependency[CycleRequest]) -> Redirect:
        return self._publish(here, publish=True)

    @post("/results/withdraw", name="results_withdraw", opt=PUBLISH, sync_to_thread=True)
    def withdraw(self, here: NamedDependency[CycleRequest]) -> Redirect:
        return self._publish(here, publish=False)

    def _publish(self, here: CycleRequest, *, publish: bool) -> Redirect:
        change = results.publish_results if publish else results.withdraw_results
        try:
            change(here.db, here.cycle, actor_id=here.principal.user_id)
        except Conflict:
            here.db.rollback()
            return Redirect(cycle_path(here, "cycle_results") + "?saved=same", status_code=303)
        here.db.commit()
        done = "published" if publish else "withdrawn"
        return Redirect(cycle_path(here, "cycle_results") + f"?saved={done}", status_code=303)


def radar_key(cycle_id: int, axes: list[str], series: list[tuple[str, list[float | None]]]) -> str:
    return cache_key("radar", cycle_id, axes, series)


def _scored_item(data: results.CycleResults, item_id: str) -> Item:
    m = data.methodology
    if not m.has_item(item_id) or not m.item(item_id).is_scored:
        raise NotFoundException()
    return m.item(item_id)
