"""Year-over-year comparison of two cycles (METHODOLOGY.md §3.10)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from qms.methodology.model import Methodology

from .cycle import CycleScores
from .stats import welch_p

# §3.10: a change is "clear" below this two-sided p.
CLEAR_P = 0.05

CriterionMeans = Mapping[str, Mapping[str, list[float]]]


@dataclass(frozen=True)
class NodeDelta:
    """A score present in both cycles; `clear` only for a group's top-level criterion."""

    node: str
    group: str | None
    earlier: float
    later: float
    delta: float
    clear: bool | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "node": self.node,
            "group": self.group,
            "earlier": self.earlier,
            "later": self.later,
            "delta": self.delta,
            "clear": self.clear,
        }


@dataclass(frozen=True)
class ItemDelta:
    group: str
    item: str  # the later cycle's id
    earlier_item: str
    earlier_mean: float
    later_mean: float
    delta: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "group": self.group,
            "item": self.item,
            "earlier_item": self.earlier_item,
            "earlier_mean": self.earlier_mean,
            "later_mean": self.later_mean,
            "delta": self.delta,
        }


@dataclass(frozen=True)
class OverallDelta:
    """later − earlier of the overall scores; None where either side has none."""

    composite: float | None
    by_group: dict[str, float | None]

    def to_dict(self) -> dict[str, Any]:
        return {"composite": self.composite, "by_group": dict(self.by_group)}


@dataclass(frozen=True)
class Comparison:
    nodes: tuple[NodeDelta, ...]
    items: tuple[ItemDelta, ...]
    overall: OverallDelta

    def node(self, node: str, group: str | None) -> NodeDelta | None:
        return next((d for d in self.nodes if d.node == node and d.group == group), None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "nodes": [d.to_dict() for d in self.nodes],
            "items": [d.to_dict() for d in self.items],
            "overall": self.overall.to_dict(),
        }


def match_items(earlier: Methodology, later: Methodology) -> dict[str, str]:
    """later item id -> the earlier item it continues.

    An item matches the earlier item of the same id; failing that, the first id
    of its `replaces` list that the earlier methodology has. An earlier item
    that is continued under its own id is not claimed again through another
    item's `replaces`: the item that kept the id is its continuation. Several
    later items may continue one earlier item (an item split in two).
    """
    kept = {it.id for it in later.items() if earlier.has_item(it.id)}
    matches: dict[str, str] = {}
    for it in later.items():
        if it.id in kept:
            matches[it.id] = it.id
            continue
        for old in it.replaces:
            if earlier.has_item(old) and old not in kept:
                matches[it.id] = old
                break
    return matches


def _delta(earlier: float | None, later: float | None) -> float | None:
    return None if earlier is None or later is None else later - earlier


def _clear(
    node: str,
    group: str,
    earlier_means: CriterionMeans | None,
    later_means: CriterionMeans | None,
) -> bool | None:
    if earlier_means is None or later_means is None:
        return None
    a = earlier_means.get(group, {}).get(node)
    b = later_means.get(group, {}).get(node)
    if a is None or b is None:
        return None
    p = welch_p(a, b)
    return None if p is None else p < CLEAR_P


def compare(
    earlier_m: Methodology,
    earlier: CycleScores,
    later_m: Methodology,
    later: CycleScores,
    earlier_means: CriterionMeans | None = None,
    later_means: CriterionMeans | None = None,
) -> Comparison:
    """Δ = later − earlier for every score present in both cycles.

    Rows follow the later cycle's order. Nodes and groups match by id. Items
    match through `match_items` and count only when both are scored items of the
    same group and reportable in both cycles. `*_means` are group -> criterion
    -> respondents' criterion means (`respondent_criterion_means`); without them
    `clear` is None.
    """
    if earlier_m.id != later_m.id:
        raise ValueError(
            f"cycles of different methodologies ({earlier_m.id!r}, {later_m.id!r}) "
            "are not comparable"
        )
    top_level = {c.id for c in later_m.criteria}

    nodes: list[NodeDelta] = []
    for row in later.scores:
        before = earlier.score(row.node, row.group)
        if before is None or row.score is None:
            continue
        clear = None
        if row.group is not None and row.node in top_level:
            clear = _clear(row.node, row.group, earlier_means, later_means)
        nodes.append(NodeDelta(row.node, row.group, before, row.score, row.score - before, clear))

    matches = match_items(earlier_m, later_m)
    items: list[ItemDelta] = []
    for st in later.items:
        old_id = matches.get(st.item)
        if old_id is None or st.mean is None:
            continue
        old = earlier.item(st.group, old_id)
        if old is None or old.mean is None or not (st.reportable and old.reportable):
            continue
        items.append(ItemDelta(st.group, st.item, old_id, old.mean, st.mean, st.mean - old.mean))

    overall = OverallDelta(
        composite=_delta(earlier.overall.composite, later.overall.composite),
        by_group={
            g: _delta(earlier.overall.by_group.get(g), score)
            for g, score in later.overall.by_group.items()
        },
    )
    return Comparison(tuple(nodes), tuple(items), overall)
