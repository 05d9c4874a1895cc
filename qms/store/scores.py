"""Scores of a cycle, from its groups' current releases (METHODOLOGY.md §5.2) through the
disclosure layer, and the live figures an operator's `qms scores` may ask for."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy.orm import Session

from qms.disclosure import released_criterion_means, released_scores
from qms.methodology.model import Methodology
from qms.scoring import CycleScores, ItemCounts, scored_items
from qms.store.counts import SHOWN, CountKey, read_counts
from qms.store.models import Cycle
from qms.store.releases import released_counts, released_rows
from qms.store.snapshots import cycle_methodology


def scoring_counts(
    methodology: Methodology, counts: Mapping[CountKey, int]
) -> dict[tuple[str, str], ItemCounts]:
    """ItemCounts of every scored item, from item_counts-shaped counts (zeros included)."""
    result: dict[tuple[str, str], ItemCounts] = {}
    for group in methodology.groups:
        for item in scored_items(methodology, group.id):
            scale = methodology.item_scale(item)
            key = (group.id, item.id)
            histogram = {v: counts.get((*key, str(v)), 0) for v in scale.values()}
            dk = counts.get((*key, "dk"), 0)
            na = counts.get((*key, "na"), 0)
            blank = counts.get((*key, SHOWN), 0) - sum(histogram.values()) - dk - na
            result[key] = ItemCounts(histogram, dk=dk, na=na, blank=blank)
    return result


def cycle_scores(session: Session, cycle: Cycle) -> CycleScores:
    """METHODOLOGY.md §3 for one cycle, from its current releases (one query)."""
    return released_scores(cycle_methodology(cycle), released_counts(session, cycle))


def live_scores(session: Session, cycle: Cycle) -> CycleScores:
    """The figures of the live counts, under the same thresholds: only for the operator's
    `qms scores` on an open cycle, never for a page, a file or the API."""
    methodology = cycle_methodology(cycle)
    return released_scores(methodology, scoring_counts(methodology, read_counts(session, cycle.id)))


def criterion_means(
    session: Session, cycle: Cycle, scores: CycleScores
) -> dict[str, dict[str, list[float]]]:
    """Per group, the released respondents' criterion means for Welch's test (§3.10)."""
    m = cycle_methodology(cycle)
    means: dict[str, dict[str, list[float]]] = {}
    for group in m.groups:
        if group.is_consensus:
            continue
        rows = [r.answers for r in released_rows(session, cycle, group.id)]
        found = released_criterion_means(m, group.id, rows, scores)
        if found:
            means[group.id] = found
    return means
