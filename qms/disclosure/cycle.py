"""A cycle's figures from its groups' releases (METHODOLOGY.md §5.1-5.2, §3.4), pure.

The store hands over what the releases hold — the counts of each released group, and
for the few views that need respondents' rows (a breakdown, Welch's test) the released
answers without any key — and these functions compute what a page may show. Item
thresholds and the complementary suppression of breakdowns are applied here (by the
scoring rules this module calls), so no caller can get an unsuppressed figure.

A group that has no release yet contributes nothing: its items have n = 0 and its
scores are absent. Pages say "results appear when the collection closes" for it,
from the release list the store returns beside these figures.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from qms.methodology.answers import AnswerValue, is_shown
from qms.methodology.model import Methodology
from qms.scoring import (
    Comparison,
    CycleScores,
    ItemCounts,
    ItemStats,
    compare,
    respondent_criterion_means,
    score_cycle,
    scored_items,
)
from qms.scoring.compare import CriterionMeans
from qms.scoring.suppression import breakdown_stats

from .kanon import SUPPRESSED

NO_ANSWER = ""  # the breakdown cell of respondents who left the choice item blank
# The cell of respondents whose answer to the choice item the answer export hides: a
# breakdown that placed them under their answer would link those rows to it.
HIDDEN_ANSWER = "\x00hidden"


def released_scores(m: Methodology, counts: Mapping[tuple[str, str], ItemCounts]) -> CycleScores:
    """Every item statistic and score of a cycle from its released counts, keyed by
    (group, item); groups without a release are simply absent from `counts`."""
    return score_cycle(m, counts)


@dataclass(frozen=True)
class Breakdown:
    """One group's scale items split by the options of one of its choice items; each
    row's cells are None where suppression hides them."""

    group: str
    by_item: str
    cells: tuple[str, ...]  # option values in questionnaire order, then NO_ANSWER
    rows: Mapping[str, Mapping[str, ItemStats | None]]  # item -> cell -> stats


@dataclass
class _Tally:
    histogram: Counter[int] = field(default_factory=Counter)
    missing: Counter[str] = field(default_factory=Counter)

    def add(self, value: object) -> None:
        if isinstance(value, int) and not isinstance(value, bool):
            self.histogram[value] += 1
        else:
            self.missing[value if value in ("dk", "na") else "blank"] += 1

    def counts(self) -> ItemCounts:
        m = self.missing
        return ItemCounts(dict(self.histogram), dk=m["dk"], na=m["na"], blank=m["blank"])


def released_breakdown(
    m: Methodology, group: str, by_item: str, responses: Iterable[Mapping[str, object]]
) -> Breakdown:
    """The group's scale items by the options of its choice item `by_item`, from the
    group's released answers as the answer export shows them (qms.disclosure.rows:
    a value the export hides is not an answer here; such respondents form a cell of
    their own, HIDDEN_ANSWER, shown only when there are any). ValueError when
    `by_item` is not a choice item of an individual group."""
    if not m.has_item(by_item) or m.item_group(by_item) != group:
        raise ValueError(f"{by_item!r} is not an item of group {group!r}")
    choice = m.item(by_item)
    if choice.type != "choice" or m.group(group).is_consensus:
        raise ValueError(f"{by_item!r} is not a choice item of an individual group")
    given = list(responses)
    hidden = any(a.get(by_item) is SUPPRESSED for a in given)
    cells = (*(o.value for o in choice.options), NO_ANSWER, *((HIDDEN_ANSWER,) if hidden else ()))
    items = list(scored_items(m, group))
    tallies: dict[tuple[str, str], _Tally] = {}
    for answers in given:
        chosen = answers.get(by_item)
        if chosen is SUPPRESSED:
            cell = HIDDEN_ANSWER
        else:
            cell = chosen if isinstance(chosen, str) and chosen in cells else NO_ANSWER
        for item in items:
            if is_shown(item, answers):  # type: ignore[arg-type]  # markers never match a `when`
                tallies.setdefault((item.id, cell), _Tally()).add(answers.get(item.id))
    rows: dict[str, dict[str, ItemStats | None]] = {}
    for item in items:
        counts = {
            cell: tally.counts()
            for cell in cells
            if (tally := tallies.get((item.id, cell))) is not None
        }
        rows[item.id] = breakdown_stats(m, group, item.id, counts, order=cells)
    return Breakdown(group, by_item, cells, rows)


def released_criterion_means(
    m: Methodology,
    group: str,
    responses: Sequence[Mapping[str, AnswerValue]],
    scores: CycleScores,
) -> dict[str, list[float]]:
    """Respondents' criterion means for Welch's test (§3.10), over the reportable items
    of the released scores only; empty for a consensus group or a group whose release
    is below its minimum (a test over fewer respondents is not shown)."""
    if m.group(group).is_consensus or len(responses) < m.group(group).min_n:
        return {}
    reportable: Collection[str] = {
        s.item for s in scores.items if s.group == group and s.reportable
    }
    if not reportable:
        return {}
    answers = {
        str(index): {
            k: v
            for k, v in r.items()
            if isinstance(v, int) and not isinstance(v, bool) and k in reportable
        }
        for index, r in enumerate(responses)
    }
    return respondent_criterion_means(m, group, answers, reportable)


def released_comparison(
    earlier_m: Methodology,
    earlier: CycleScores,
    later_m: Methodology,
    later: CycleScores,
    earlier_means: CriterionMeans | None = None,
    later_means: CriterionMeans | None = None,
) -> Comparison:
    """Year over year (§3.10) between two cycles' released scores."""
    return compare(earlier_m, earlier, later_m, later, earlier_means, later_means)
