"""Scores of a cycle: the stored counts handed to qms.scoring, and respondents' answers
for the year-over-year test."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from qms.methodology.model import Methodology
from qms.scoring import CycleScores, ItemCounts, score_cycle, scored_items
from qms.store.counts import SHOWN, CountKey, is_counted, read_counts
from qms.store.models import Answer, Cycle, Response
from qms.store.snapshots import cycle_methodology


def scoring_counts(
    methodology: Methodology, counts: Mapping[CountKey, int]
) -> dict[tuple[str, str], ItemCounts]:
    """ItemCounts of every scored item, from the stored counts (zeros included)."""
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
    """METHODOLOGY.md §3 for one cycle; costs one query over item_counts."""
    methodology = cycle_methodology(cycle)
    return score_cycle(methodology, scoring_counts(methodology, read_counts(session, cycle.id)))


def respondent_scale_answers(
    session: Session, cycle: Cycle, group: str
) -> dict[str, dict[str, int]]:
    """The valid scale answers of the group's counted respondents, by respondent key
    (for qms.scoring.respondent_criterion_means)."""
    methodology = cycle_methodology(cycle)
    rows = session.execute(
        select(Response.respondent, Answer.item_id, Answer.value_int)
        .join(Answer, Answer.response_id == Response.id)
        .where(
            Response.cycle_id == cycle.id,
            Response.group_id == group,
            Response.status == "submitted",
            Answer.value_int.is_not(None),
        )
    )
    result: dict[str, dict[str, int]] = {}
    for respondent, item_id, value in rows:
        if value is not None and is_counted(methodology, group, respondent, "submitted"):
            result.setdefault(respondent, {})[item_id] = value
    return result
