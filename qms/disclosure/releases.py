"""Releases of a group's responses (METHODOLOGY.md §5.2), pure.

A release freezes, per group, the responses it counts. Each released response is known
by a *unit*: a digest of its cycle and respondent key, so that two releases of a cycle
can be compared response by response without the release holding the key itself (an
import's respondent ids may be names). Its *fingerprint* is a digest of what it
answered, so a changed answer shows as a changed response.

The rule for a re-close: a group gets a new release only when its counted responses
differ from *each* of its earlier releases by at least k (added, removed or changed):
otherwise someone who saw two releases could subtract them and read the few responses
that differ. k is the group's `min_n`; the consensus group's record is named, not
anonymous, and is released at every close (`min_n` 1 makes any change enough, and
no change at all keeps the last release, which holds the same record).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence

# A released response: unit -> fingerprint.
Released = Mapping[str, str]


def unit_key(cycle_id: int, respondent: str) -> str:
    """The unit of a response: stable across the releases of one cycle, unlinkable to
    anything outside them."""
    return hashlib.sha256(f"qms-unit\x00{cycle_id}\x00{respondent}".encode()).hexdigest()


def _plain(value: object) -> object:
    return list(value) if isinstance(value, tuple) else value


def fingerprint(answers: Mapping[str, object], proxy: bool) -> str:
    """A digest of one response's answers and its "someone helped me" flag."""
    canonical = json.dumps(
        {"a": {k: _plain(v) for k, v in sorted(answers.items())}, "p": bool(proxy)},
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def changes_between(a: Released, b: Released) -> int:
    """Responses added, removed or changed between two releases."""
    added = sum(1 for unit in b if unit not in a)
    removed = sum(1 for unit in a if unit not in b)
    changed = sum(1 for unit, fp in b.items() if unit in a and a[unit] != fp)
    return added + removed + changed


def release_due(current: Released, earlier: Sequence[Released], k: int) -> bool:
    """Whether `current` may become a new release after the `earlier` ones (§5.2)."""
    if not earlier:
        return True
    return all(changes_between(old, current) >= max(k, 1) for old in earlier)


def waiting_changes(current: Released, last: Released | None) -> int:
    """How many changes wait for the next release ("n changes wait")."""
    return changes_between(last or {}, current)
