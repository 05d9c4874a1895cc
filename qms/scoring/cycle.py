"""Scores of one cycle (METHODOLOGY.md §3 items 5-8) and respondents' criterion means (§3.10)."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from qms.methodology.model import Criterion, Item, Methodology

from .items import ItemCounts, ItemStats, item_stats, normalised
from .stats import weighted_mean

_NO_COUNTS = ItemCounts({})


@dataclass(frozen=True)
class NodeScore:
    """A criterion's or sub-criterion's score for one group, or its composite (group None).

    `groups` lists the groups that contributed: `(group,)` or `()` for a group
    score, the contributing groups in methodology order for a composite.
    """

    node: str
    group: str | None
    score: float | None
    groups: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "node": self.node,
            "group": self.group,
            "score": self.score,
            "groups": list(self.groups),
        }


@dataclass(frozen=True)
class Overall:
    composite: float | None
    by_group: dict[str, float | None]

    def to_dict(self) -> dict[str, Any]:
        return {"composite": self.composite, "by_group": dict(self.by_group)}


@dataclass(frozen=True)
class CycleScores:
    items: tuple[ItemStats, ...]
    scores: tuple[NodeScore, ...]
    overall: Overall
    _item_index: Mapping[tuple[str, str], ItemStats] = field(init=False, repr=False, compare=False)
    _score_index: Mapping[tuple[str, str | None], NodeScore] = field(
        init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        # Frozen, so the lookups are built once here rather than on every call.
        object.__setattr__(self, "_item_index", {(s.group, s.item): s for s in self.items})
        object.__setattr__(self, "_score_index", {(s.node, s.group): s for s in self.scores})

    def item(self, group: str, item: str) -> ItemStats | None:
        return self._item_index.get((group, item))

    def node_score(self, node: str, group: str | None) -> NodeScore | None:
        return self._score_index.get((node, group))

    def score(self, node: str, group: str | None) -> float | None:
        """The score of `node` for `group` (None: the composite); None when absent or unknown."""
        row = self._score_index.get((node, group))
        return None if row is None else row.score

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of `qms scores --format json`, without its "cycle" key."""
        return {
            "items": [s.to_dict() for s in self.items],
            "scores": [s.to_dict() for s in self.scores],
            "overall": self.overall.to_dict(),
        }


def scored_items(m: Methodology, group: str) -> Iterator[Item]:
    """The scale items of a group's questionnaire, in document order."""
    questionnaire = m.questionnaires.get(group)
    if questionnaire is not None:
        yield from (i for i in questionnaire.items if i.is_scored)


def _nodes(m: Methodology) -> Iterator[Criterion]:
    """Every criterion followed by its sub-criteria (pre-order), in methodology order."""
    for criterion in m.criteria:
        yield criterion
        yield from criterion.subcriteria


def _group_node_scores(
    m: Methodology, group: str, stats: Mapping[str, ItemStats]
) -> dict[str, float | None]:
    """Leaf, sub-criterion and criterion scores of one group (§3.5-6), by node id."""
    by_leaf: dict[str, list[tuple[float, float]]] = {}
    for item in scored_items(m, group):
        st = stats[item.id]
        if st.reportable and st.mean is not None and item.criterion is not None:
            by_leaf.setdefault(item.criterion, []).append((item.weight, st.mean))
    scores: dict[str, float | None] = {}
    for criterion in m.criteria:
        if criterion.is_leaf:
            scores[criterion.id] = weighted_mean(by_leaf.get(criterion.id, ()))
            continue
        for sub in criterion.subcriteria:
            scores[sub.id] = weighted_mean(by_leaf.get(sub.id, ()))
        scores[criterion.id] = weighted_mean(
            (sub.weight, s) for sub in criterion.subcriteria if (s := scores[sub.id]) is not None
        )
    return scores


def score_cycle(m: Methodology, counts: Mapping[tuple[str, str], ItemCounts]) -> CycleScores:
    """Every item statistic and score of one cycle.

    `counts` is keyed by (group id, item id). Only the scale items of each group's
    questionnaire are scored; other keys are ignored, and a scored item without
    counts has n = 0.
    """
    items: list[ItemStats] = []
    by_group: dict[str, dict[str, float | None]] = {}
    for g in m.groups:
        stats = {
            it.id: item_stats(m, g.id, it.id, counts.get((g.id, it.id), _NO_COUNTS))
            for it in scored_items(m, g.id)
        }
        items.extend(stats.values())
        by_group[g.id] = _group_node_scores(m, g.id, stats)

    rows: list[NodeScore] = []
    composites: dict[str, float | None] = {}
    for node in _nodes(m):
        present: list[tuple[str, float, float]] = []
        for g in m.groups:
            score = by_group[g.id][node.id]
            rows.append(NodeScore(node.id, g.id, score, () if score is None else (g.id,)))
            if score is not None:
                present.append((g.id, g.weight, score))
        # §3.7: the composite of a node is taken over the groups' scores for that
        # same node, never built up from the sub-criteria's composites.
        composite = weighted_mean((w, s) for _, w, s in present)
        composites[node.id] = composite
        rows.append(NodeScore(node.id, None, composite, tuple(gid for gid, _, _ in present)))

    def criterion_mean(scores: Mapping[str, float | None]) -> float | None:
        return weighted_mean((c.weight, s) for c in m.criteria if (s := scores[c.id]) is not None)

    # §3.8: the overall composite comes from the criterion composites, not from
    # the groups' overall scores (which would weight groups by their coverage).
    overall = Overall(
        composite=criterion_mean(composites),
        by_group={g.id: criterion_mean(by_group[g.id]) for g in m.groups},
    )
    return CycleScores(tuple(items), tuple(rows), overall)


def respondent_criterion_means(
    m: Methodology,
    group: str,
    answers: Mapping[str, Mapping[str, int]],
    reportable_items: Collection[str],
) -> dict[str, list[float]]:
    """Per top-level criterion, the criterion means of the group's respondents (§3.10).

    A respondent's criterion mean is the item-weighted mean of their normalised
    valid answers to the reportable scored items attached to any leaf of the
    criterion (a flat item-weighted mean, as §3.10 defines it, not the
    sub-criterion-weighted structure of the criterion score). Respondents
    without such an answer are left out. Every top-level criterion has a key;
    each list is sorted, so the result neither depends on nor reveals the order
    of respondents. Answers to items that are not scored items of the group are
    ignored; an invalid value for a scored item is a ValueError.
    """
    scored = {
        it.id: it
        for it in scored_items(m, group)
        if it.id in reportable_items and it.criterion is not None
    }
    top_of = {it.id: m.criterion_of(it.criterion).id for it in scored.values() if it.criterion}
    result: dict[str, list[float]] = {c.id: [] for c in m.criteria}
    for respondent_answers in answers.values():
        per_criterion: dict[str, list[tuple[float, float]]] = {}
        for item_id, value in respondent_answers.items():
            item = scored.get(item_id)
            if item is None:
                continue
            scale = m.item_scale(item)
            if not scale.is_valid(value):
                raise ValueError(f"item {item_id!r}: {value!r} is not a valid value")
            per_criterion.setdefault(top_of[item_id], []).append(
                (item.weight, normalised(scale, item.reverse, value))
            )
        for crit, pairs in per_criterion.items():
            mean = weighted_mean(pairs)
            if mean is not None:
                result[crit].append(mean)
    for means in result.values():
        means.sort()
    return result
