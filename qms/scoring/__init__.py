"""The scoring rules of METHODOLOGY.md §3 as pure functions (stdlib only).

Decisions where §3 is silent (also listed in the module docstrings):

- Input counts are taken as already filtered by "which responses count" (in a
  consensus group only the consensus record); scoring does no filtering of
  respondents.
- Means and standard deviations of items are computed exactly (rational
  arithmetic on the integer answers) and rounded once to float; weighted means
  use `math.fsum` and are clamped into [min, max] of what they average, so no
  score can leave 0-100 by a rounding error.
- A histogram value that is not valid on the item's scale, or a negative count,
  is a ValueError (a bug upstream, not something to score around).
- Confidence intervals are mean ± t·sd/√n as written, not clipped to 0-100.
- NodeScore rows: criteria in methodology order, each criterion's rows before
  its sub-criteria's; for every node the groups in methodology order, then the
  composite (group None).
- Welch's test with zero variance on both sides gives p = 1.0 for equal means
  and p = 0.0 for different ones.
- `respondent_criterion_means` returns a key for every top-level criterion and
  sorts each list (order-free and reveals nothing about respondent order).
- `match_items`: same id first; otherwise the first id in `replaces` that the
  earlier methodology has and that no later item continues under its own id.
- `compare` refuses two different methodology ids (§3.10: same methodology id).
"""

from .compare import (
    Comparison,
    ItemDelta,
    NodeDelta,
    OverallDelta,
    compare,
    match_items,
)
from .cycle import (
    CycleScores,
    NodeScore,
    Overall,
    respondent_criterion_means,
    score_cycle,
    scored_items,
)
from .display import fmt1
from .items import ItemCounts, ItemStats, item_stats, normalised, top_box_values
from .stats import Distribution, distribution, quantile, weighted_mean, welch_p
from .tdist import t_cdf, t_quantile, t_two_sided

__all__ = [
    "Comparison",
    "CycleScores",
    "Distribution",
    "ItemCounts",
    "ItemDelta",
    "ItemStats",
    "NodeDelta",
    "NodeScore",
    "Overall",
    "OverallDelta",
    "compare",
    "distribution",
    "fmt1",
    "item_stats",
    "match_items",
    "normalised",
    "quantile",
    "respondent_criterion_means",
    "score_cycle",
    "scored_items",
    "t_cdf",
    "t_quantile",
    "t_two_sided",
    "top_box_values",
    "weighted_mean",
    "welch_p",
]
