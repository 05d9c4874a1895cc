"""Year over year (METHODOLOGY.md §3.10): two cycles of one organisation and methodology
side by side, Δ per criterion and group with the clear-change marks, item Δ matched
through `replaces`, and a trend chart once there are three or more years.

Only reportable data reaches the page: scores are built from reportable items only, and
item Δ needs the item reportable in both years (qms.scoring.compare). The route asks for
a head of the cycle's organisation (another organisation's cycle answers 404).
"""

from __future__ import annotations

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.response import Response, Template
from sqlalchemy.orm import Session

from qms import i18n
from qms.charts import Figure, cache_key
from qms.charts.trend import trend_chart
from qms.disclosure import released_comparison as compare
from qms.i18n import N_
from qms.methodology.model import Methodology
from qms.presentation import compare as pcmp
from qms.presentation.compare import TREND_MIN_YEARS, Trend
from qms.presentation.context import as_context
from qms.scoring import CycleScores
from qms.store import cycles
from qms.store.cycles import Cycle
from qms.store.scores import criterion_means, cycle_scores
from qms.store.snapshots import cycle_methodology
from qms.web.access import CycleRequest, on_cycle
from qms.web.charts import chart_response
from qms.web.deps import HttpRequest
from qms.web.render import page

COMPARE = on_cycle("cycle.compare")
OVERALL = N_("Overall score")


def _siblings(db: Session, cycle: Cycle) -> list[cycles.CycleInfo]:
    """The organisation's cycles of the same methodology id, by year."""
    return [
        c
        for c in cycles.organisation_cycles(db, cycle.organisation_id)
        if c.methodology == cycle.methodology_id
    ]


def _criterion_means(
    db: Session, cycle: Cycle, methodology: Methodology, scores: CycleScores
) -> dict[str, dict[str, list[float]]]:
    return criterion_means(db, cycle, scores)


def _trend(
    db: Session,
    siblings: list[cycles.CycleInfo],
    methodology: Methodology,
    node: str | None,
    lang: str,
) -> Trend | None:
    if len(siblings) < TREND_MIN_YEARS:
        return None
    all_scores = [cycle_scores(db, cycles.get_cycle(db, c.id)) for c in siblings]
    return pcmp.trend([c.year for c in siblings], all_scores, methodology, node, lang)


def _node_param(request: HttpRequest, methodology: Methodology) -> str | None:
    wanted = request.query_params.get("node", "")
    return wanted if wanted in {c.id for c in methodology.criteria} else None


class CompareController(Controller):
    @get("/compare", name="cycle_compare", opt=COMPARE, sync_to_thread=True)
    def compare_page(self, here: NamedDependency[CycleRequest]) -> Template:
        lang = here.lang
        methodology = cycle_methodology(here.cycle)
        siblings = _siblings(here.db, here.cycle)
        others = [c for c in siblings if c.id != here.cycle.id]
        raw = here.request.query_params.get("with", "")
        chosen = next((c for c in others if str(c.id) == raw), None)
        if chosen is None:
            # The year before is what people compare with first.
            earlier_ones = [c for c in others if c.year < here.cycle.year]
            chosen = earlier_ones[-1] if earlier_ones else (others[0] if others else None)
        node = _node_param(here.request, methodology)
        view = pcmp.compare_page(
            cycles.cycle_info(here.db, here.cycle.id),
            here.cycle.organisation_id,
            others,
            chosen,
            raw,
            methodology,
            node,
            _trend(here.db, siblings, methodology, node, lang),
            lang,
        )
        context = as_context(view)
        if chosen is not None:
            other = cycles.get_cycle(here.db, chosen.id)
            earlier, later = (
                (other, here.cycle) if other.year < here.cycle.year else (here.cycle, other)
            )
            em, lm = cycle_methodology(earlier), cycle_methodology(later)
            es, ls = cycle_scores(here.db, earlier), cycle_scores(here.db, later)
            comparison = compare(
                em,
                es,
                lm,
                ls,
                _criterion_means(here.db, earlier, em, es),
                _criterion_means(here.db, later, lm, ls),
            )
            context.update(as_context(pcmp.delta(earlier.year, later.year, lm, comparison, lang)))
        return page("compare/compare.html", context, request=here.request)

    @get("/compare/trend.svg", name="cycle_trend_chart", opt=COMPARE, sync_to_thread=True)
    def trend_svg(self, here: NamedDependency[CycleRequest]) -> Response[bytes]:
        lang = here.lang
        methodology = cycle_methodology(here.cycle)
        node = _node_param(here.request, methodology)
        trend = _trend(here.db, _siblings(here.db, here.cycle), methodology, node, lang)
        if trend is None:
            raise NotFoundException()
        title = methodology.node(node).title.get(lang) if node else i18n.gettext(OVERALL)

        def build() -> Figure:
            return trend_chart(trend.years, trend.series, title=title)

        # The key is what the chart shows, so new answers or another language draw anew.
        key = cache_key(
            "trend",
            title,
            list(trend.years),
            [[s.label, list(s.values), s.colour] for s in trend.series],
        )
        return chart_response(key, "svg", build)
