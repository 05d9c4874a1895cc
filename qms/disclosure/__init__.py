"""The one disclosure layer (METHODOLOGY.md §5), pure: what a viewer may see of released data.

Every figure that leaves qms (a page, a chart, a CSV, XLSX or PDF file, the API, a
command meant for staff) is computed by a function of this package from a *release*,
never from live tables, and never by calling the scoring functions directly
(`tests/unit/test_layering.py` enforces both the purity and that outputs import their
figures from here):

- `releases`: the identity of a released response, the change count between two
  releases, and whether a re-close makes a new release (§5.2);
- `cycle`: a cycle's scores and breakdowns from its groups' releases, thresholds and
  complementary suppression included (§5.1, §3.4);
- `rows`: answer-level rows for the organisation's staff, k-anonymous over the
  quasi-identifiers, with random labels and shuffled order (§5.3);
- `comments`: which free-text answers a head sees, in what order (§5.4);
- `network`: which network statistics a given viewer sees (§5.5).
"""

from .cycle import (
    Breakdown,
    released_breakdown,
    released_comparison,
    released_criterion_means,
    released_scores,
)
from .releases import changes_between, fingerprint, release_due, unit_key

__all__ = [
    "Breakdown",
    "changes_between",
    "fingerprint",
    "release_due",
    "released_breakdown",
    "released_comparison",
    "released_criterion_means",
    "released_scores",
    "unit_key",
]
