"""The adversary's verdict over one world's history: every attack, every leak found."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from qms.methodology.model import Methodology
from tests.privacy.attacks import Leak, respondent_attacks
from tests.privacy.comment_attacks import comment_attacks
from tests.privacy.records import Observation
from tests.privacy.row_attacks import row_attacks

# Kinds of leak found in the tree and reported to the lead, each with a reproduction in
# tests/privacy/test_reported_leaks.py marked xfail(strict=True). The machines leave these
# kinds out, so that they go on hunting for others; when a fix makes a reproduction pass
# (the strict xfail then fails), remove its mark and its kind here.
REPORTED: dict[str, str] = {
    "breakdown-remainder": (
        "LEAK (reported): a breakdown hides two or more small cells whose answers add up "
        "to fewer than k, and no complement; total minus the cells shown gives their "
        "mean (qms.scoring.suppression.hidden_cells complements only a single hidden cell)"
    ),
    "breakdown-link": (
        "LEAK (reported): the answer rows hide a choice value that the breakdown by that "
        "choice shows as a cell; its n and means tell which suppressed rows are in it, "
        "and the rows left over are the rare respondents' (qms.disclosure.rows and the "
        "breakdown's suppression do not agree)"
    ),
    "remembered-name": (
        "LEAK (reported): an organisation named in one release and unnamed in a later one "
        "of the year (consent withdrawn) still counts as unknown there, though the viewer "
        "has seen its score; the later release's order statistics then give the other "
        "unnamed organisations' scores (qms.disclosure.network.Viewer.named is who "
        "consents now)"
    ),
    "cell-subtraction": (
        "LEAK (reported): a breakdown cell changes by fewer than k answers from one "
        "release to the next (the re-release rule counts changes per question, not per "
        "breakdown cell); n x mean before and after gives the newcomers' answers"
    ),
}


def cycle_leaks(history: Sequence[Observation], m: Methodology,
                hidden: Collection[str] = (), ignore: Collection[str] = ()) -> list[Leak]:
    """Every attack on respondents over the history; `hidden`: the comments a head hid;
    `ignore`: kinds of leak not to report (see REPORTED)."""
    min_n = {g.id: g.min_n for g in m.groups}
    found = [*respondent_attacks(history, min_n), *row_attacks(history, m, min_n),
             *comment_attacks(history, m, min_n, hidden)]
    return [leak for leak in found if leak.attack not in ignore]


def only(leaks: Sequence[Leak], *attacks: str) -> list[Leak]:
    return [leak for leak in leaks if leak.attack in attacks]


ROW_ATTACKS = ("threshold", "k-anonymity", "breakdown-link", "labels", "row-order", "merge",
               "row-difference", "comment-on-row", "comment-threshold", "comment-hidden")


def report(leaks: Sequence[Leak], limit: int = 12) -> str:
    lines = [str(leak) for leak in leaks[:limit]]
    if len(leaks) > limit:
        lines.append(f"... and {len(leaks) - limit} more")
    return "\n".join(lines)
