"""The results of one cycle as tables for people: the pages, the printable report and
the PDF all show these, so they can never disagree.

Built from already loaded data (qms.store.results.CycleResults) in one language. Values
of groups and items below their minimum size never get here: qms.scoring leaves their
scores and statistics empty, and these rows only say "fewer than N answers".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from qms.methodology.model import Criterion, Item, Methodology
from qms.scoring import ItemStats, scored_items
from qms.scoring.display import fmt1
from qms.scoring.gaps import OTHERS, gaps
from qms.store.results import CycleResults

# "pending": the working group has not agreed a score yet (it has no minimum to miss).
# "unreleased": the group still collects answers, so nothing of it is shown yet.
CellState = Literal["score", "few", "pending", "unreleased", "none"]
# Score bands for the colour of a cell: lower bounds, lowest first. The colour only
# repeats what the number says (WCAG 1.4.1), and every band keeps dark text readable.
BANDS = (0.0, 25.0, 50.0, 75.0)


def band(score: float | None) -> int:
    """1..4 for a score, 0 for none."""
    if score is None:
        return 0
    return max(i + 1 for i, low in enumerate(BANDS) if score >= low)


@dataclass(frozen=True)
class Column:
    id: str
    title: str
    min_n: int
    respondents: int
    consensus: bool


@dataclass(frozen=True)
class Cell:
    score: float | None
    n: int  # the most valid answers any of the node's items has in this group
    state: CellState
    min_n: int

    @property
    def text(self) -> str:
        return fmt1(self.score)

    @property
    def band(self) -> int:
        return band(self.score)


@dataclass(frozen=True)
class Composite:
    score: float | None
    groups: int

    @property
    def text(self) -> str:
        return fmt1(self.score)

    @property
    def band(self) -> int:
        return band(self.score)


@dataclass(frozen=True)
class Row:
    node: str
    title: str
    level: int  # 0 a criterion, 1 a sub-criterion
    cells: tuple[Cell, ...]
    composite: Composite


@dataclass(frozen=True)
class GapRow:
    node: str
    title: str
    left: str
    right: str  # a group title, or "" for everyone else
    left_score: float
    right_score: float
    gap: float

    @property
    def texts(self) -> tuple[str, str, str]:
        sign = "+" if self.gap > 0 else ""
        return fmt1(self.left_score), fmt1(self.right_score), sign + fmt1(self.gap)


@dataclass(frozen=True)
class ItemRow:
    id: str
    group: str
    text: str
    criterion: str
    n: int
    dk: int
    na: int
    blank: int
    min_n: int
    stats: ItemStats | None  # None when not reportable

    @property
    def mean(self) -> str:
        return fmt1(self.stats.mean) if self.stats else ""

    @property
    def top_box(self) -> str:
        if self.stats is None or self.stats.top_box is None:
            return fmt1(None)
        return fmt1(100 * self.stats.top_box) + " %"

    @property
    def ci(self) -> str:
        if self.stats is None or self.stats.ci is None:
            return fmt1(None)
        low, high = self.stats.ci
        return f"{fmt1(low)}–{fmt1(high)}"


@dataclass(frozen=True)
class ResultsTables:
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    overall: tuple[Cell, ...]
    overall_composite: Composite
    gaps: tuple[GapRow, ...]
    items: tuple[ItemRow, ...]
    criteria_titles: tuple[tuple[str, str], ...]  # (id, title) of the top-level criteria


def _nodes(m: Methodology) -> list[tuple[Criterion, int]]:
    return [
        (n, level) for c in m.criteria for n, level in ((c, 0), *((s, 1) for s in c.subcriteria))
    ]


def _node_items(m: Methodology, group: str, node: Criterion) -> list[Item]:
    leaves = {leaf.id for leaf in node.leaves()}
    return [i for i in scored_items(m, group) if i.criterion in leaves]


def node_title(m: Methodology, node_id: str, lang: str) -> str:
    return f"{node_id} {m.node(node_id).title.get(lang)}"


def _state(
    score: float | None, *, asked: bool, consensus: bool, released: bool = True
) -> CellState:
    if score is not None:
        return "score"
    if not asked:
        return "none"
    if not released:
        return "unreleased"
    return "pending" if consensus else "few"


def build_tables(results: CycleResults, lang: str) -> ResultsTables:
    m, scores = results.methodology, results.scores
    columns = tuple(
        Column(g.id, g.title.get(lang), g.min_n, results.respondents.get(g.id, 0), g.is_consensus)
        for g in m.groups
    )
    rows: list[Row] = []
    overall_n: dict[str, int] = {}
    for node, level in _nodes(m):
        cells = []
        for g in m.groups:
            items = _node_items(m, g.id, node)
            ns = [st.n for i in items if (st := scores.item(g.id, i.id)) is not None]
            n = max(ns, default=0)
            score = scores.score(node.id, g.id)
            release = results.releases.get(g.id)
            state = _state(
                score,
                asked=bool(items),
                consensus=g.is_consensus,
                released=release is None or release.released,
            )
            cells.append(Cell(score, n, state, g.min_n))
            if level == 0:
                overall_n[g.id] = max(overall_n.get(g.id, 0), n)
        composite = scores.node_score(node.id, None)
        rows.append(
            Row(
                node.id,
                node.title.get(lang),
                level,
                tuple(cells),
                Composite(
                    composite.score if composite else None,
                    len(composite.groups) if composite else 0,
                ),
            )
        )
    overall = tuple(
        Cell(
            score,
            overall_n.get(g.id, 0),
            _state(
                score,
                asked=any(scored_items(m, g.id)),
                consensus=g.is_consensus,
                released=(r := results.releases.get(g.id)) is None or r.released,
            ),
            g.min_n,
        )
        for g in m.groups
        for score in (scores.overall.by_group.get(g.id),)
    )
    contributing = sum(1 for g in m.groups if scores.overall.by_group.get(g.id) is not None)
    titles = {g.id: g.title.get(lang) for g in m.groups}
    gap_rows = tuple(
        GapRow(
            gap.node,
            node_title(m, gap.node, lang),
            titles[gap.left],
            "" if gap.right == OTHERS else titles[gap.right],
            gap.left_score,
            gap.right_score,
            gap.gap,
        )
        for gap in gaps(m, scores)
    )
    return ResultsTables(
        columns=columns,
        rows=tuple(rows),
        overall=overall,
        overall_composite=Composite(scores.overall.composite, contributing),
        gaps=gap_rows,
        items=tuple(item_rows(results, lang)),
        criteria_titles=tuple((c.id, c.title.get(lang)) for c in m.criteria),
    )


def item_rows(results: CycleResults, lang: str, group: str | None = None) -> list[ItemRow]:
    m, scores = results.methodology, results.scores
    found = []
    for g in m.groups:
        if group is not None and g.id != group:
            continue
        for item in scored_items(m, g.id):
            st = scores.item(g.id, item.id)
            if st is None:
                continue
            found.append(
                ItemRow(
                    item.id,
                    g.id,
                    item.text.get(lang),
                    item.criterion or "",
                    st.n,
                    st.dk,
                    st.na,
                    st.blank,
                    g.min_n,
                    st if st.reportable else None,
                )
            )
    return found


def radar_data(
    results: CycleResults, lang: str
) -> tuple[list[str], list[tuple[str, list[float | None]]]]:
    """Spokes (criteria) and one series per group that has any criterion score."""
    m, scores = results.methodology, results.scores
    axes = [c.id for c in m.criteria]
    series = []
    for g in m.groups:
        values = [scores.score(c.id, g.id) for c in m.criteria]
        if any(v is not None for v in values):
            series.append((g.title.get(lang), values))
    return axes, series


def option_labels(m: Methodology, item: Item, lang: str) -> list[tuple[str, str]]:
    """(raw value as text, label) of every option of a scale item, lowest first."""
    scale = m.item_scale(item)
    if scale.is_range:
        return [(str(v), str(v)) for v in scale.values()]
    return [(str(o.value), o.label.get(lang)) for o in scale.options]


def histogram_rows(
    m: Methodology, item: Item, stats: ItemStats, lang: str
) -> list[tuple[str, int]]:
    histogram = stats.histogram or {}
    return [(label, histogram.get(value, 0)) for value, label in option_labels(m, item, lang)]
