"""Attacks on comments (METHODOLOGY.md §5.3-5.4).

- threshold: a comment shown while its group's release counts fewer than k respondents
  (or the group has no release);
- hidden: a comment a head hid, in any output but the heads' own list of hidden ones;
- order: every view of one release listing the comments of an item in one order (the
  order would follow arrival or a key);
- rows: a text answer standing on an answer row, beside the answers it would identify.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Collection, Sequence

from qms.methodology.model import Methodology
from tests.privacy.attacks import Leak, MinN
from tests.privacy.records import Observation


def _respondents(obs: Observation, cycle: int, group: str) -> int:
    state = obs.releases.get((cycle, group), "None:0")
    seq, _, n = state.partition(":")
    return 0 if seq == "None" else int(n)


def comment_attacks(
    history: Sequence[Observation], m: Methodology, min_n: MinN, hidden: Collection[str] = ()
) -> list[Leak]:
    """`hidden`: comments hidden before every observation (each observation also says
    which were hidden by its time)."""
    leaks = []
    views: dict[tuple[str, int, str, str], list[tuple[str, ...]]] = defaultdict(list)
    for obs in history:
        for c in obs.comments:
            if not c.texts or not m.has_item(c.item):
                continue
            group = m.item_group(c.item)
            released = _respondents(obs, c.cycle, group)
            if released < min_n[group]:
                leaks.append(
                    Leak(
                        "comment-threshold",
                        f"step {obs.step} {c.source}: "
                        f"{len(c.texts)} comments on {c.item} while the release of "
                        f"{group} counts {released} (k = {min_n[group]})",
                    )
                )
            shown_hidden = sorted(set(c.texts) & (set(hidden) | obs.hidden_comments))
            if shown_hidden:
                leaks.append(
                    Leak(
                        "comment-hidden",
                        f"step {obs.step} {c.source} shows hidden "
                        f"comments on {c.item}: {shown_hidden}",
                    )
                )
            key = repr(obs.releases.get((c.cycle, group)))
            views[c.source, c.cycle, c.item, key].append(c.texts)
        for e in obs.exports:
            texts = sorted(
                {
                    col
                    for r in e.rows
                    for col in r
                    if m.has_item(col)
                    and m.item(col).type == "text"
                    and any(r.get(col) for r in e.rows)
                }
            )
            if texts and not m.group(e.group).is_consensus:
                leaks.append(
                    Leak(
                        "comment-on-row",
                        f"step {obs.step} {e.source}: answer "
                        f"rows of {e.group} carry the text answers {texts}",
                    )
                )
    for (source, _cycle, item, _key), orders in views.items():
        n = len(orders[0])
        arrangements = math.factorial(n)
        for same in Counter(orders[0]).values():
            arrangements //= math.factorial(same)
        if (
            len(orders) > 1
            and len(set(orders)) == 1
            and (arrangements ** (len(orders) - 1) >= 10**6)
        ):
            leaks.append(
                Leak(
                    "comment-order",
                    f"{source}: {len(orders)} views of one release "
                    f"list the {n} comments on {item} in the same order",
                )
            )
    return list(dict.fromkeys(leaks))
