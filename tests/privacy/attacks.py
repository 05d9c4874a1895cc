"""The adversary's attacks on respondents (METHODOLOGY.md §5.1-5.4), over everything one
viewer has fetched so far. Each returns the leaks it found, in words that say which
figures were combined; an empty list is the only acceptable outcome.

- thresholds: a figure below the group's minimum shown anywhere;
- agreement: two outputs of one moment that show different figures for the same item
  (one of them is not made from the release the others show);
- subtraction: two views of one item's counts whose difference rests on fewer than k
  answers (the changed answers would be read off it);
- breakdown remainder: the item's total minus the cells a breakdown shows leaves
  fewer than k answers, whose mean is then known;
- release invariance: an output that changes while the releases it is made from do not.

The answer-row attacks (k-anonymity, linking, labels and order) are in
tests.privacy.row_attacks; those on networks in tests.privacy.network_attacks.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations

from tests.privacy.records import FULL, CellFigure, ItemFigure, Observation, ScoreFigure

COARSE = ("n", "dk", "na", "blank")


@dataclass(frozen=True)
class Leak:
    attack: str
    detail: str

    def __str__(self) -> str:
        return f"[{self.attack}] {self.detail}"


MinN = Mapping[str, int]  # group -> k


def _where(obs: Observation, fig: object) -> str:
    return f"step {obs.step} ({obs.label}) {getattr(fig, 'source', '')}"


def thresholds(history: Sequence[Observation], min_n: MinN) -> list[Leak]:
    leaks = []
    for obs in history:
        for f in obs.items:
            k = min_n.get(f.group, 1)
            n = f.counts.get("n")
            if n is None and f.has_histogram:
                n = sum(v for c, v in f.counts.items() if c not in COARSE)
            if n is not None and n < k and (f.has_histogram or f.mean is not None):
                leaks.append(
                    Leak(
                        "threshold",
                        f"{_where(obs, f)}: {f.item} has n = {n} < {k} "
                        f"but shows {dict(f.counts)} mean {f.mean}",
                    )
                )
        for c in obs.cells:
            group = c.item.split(".", 1)[0]
            if c.n is not None and 0 < c.n < min_n.get(group, 1):
                leaks.append(
                    Leak(
                        "threshold",
                        f"{_where(obs, c)}: breakdown {c.by}={c.cell!r} "
                        f"of {c.item} shows n = {c.n} mean {c.mean}",
                    )
                )
        for e in obs.exports:
            if len(e.rows) < min_n.get(e.group, 1):
                leaks.append(
                    Leak(
                        "threshold",
                        f"{_where(obs, e)}: {len(e.rows)} answer rows "
                        f"of group {e.group} (k = {min_n.get(e.group)})",
                    )
                )
    return leaks


def _close(a: float | None, b: float | None, precision: float) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= precision


def agreement(obs: Observation) -> list[Leak]:
    """Every output of one moment shows the API's figures (where it shows any)."""
    leaks = []
    reference: dict[tuple[int, str, str], ItemFigure] = {
        (f.cycle, f.group, f.item): f for f in obs.items if f.source == "api"
    }
    for f in obs.items:
        ref = reference.get((f.cycle, f.group, f.item))
        if f.source == "api":
            continue
        if ref is None:
            if f.has_histogram or f.mean is not None:
                leaks.append(
                    Leak(
                        "agreement",
                        f"{_where(obs, f)} shows {f.item} "
                        f"{dict(f.counts)} where the API shows nothing",
                    )
                )
            continue
        common = set(f.counts) & set(ref.counts)
        if f.source.endswith("-rows"):
            common.discard("blank")  # a file need not write a row for a blank answer
        differ = {c: (f.counts[c], ref.counts[c]) for c in common if f.counts[c] != ref.counts[c]}
        mean_differs = f.mean is not None and not _close(f.mean, ref.mean, f.precision)
        if differ or mean_differs:
            leaks.append(
                Leak(
                    "agreement",
                    f"{_where(obs, f)} shows {f.item} {dict(f.counts)} "
                    f"mean {f.mean}; the API {dict(ref.counts)} mean {ref.mean}",
                )
            )
    scores: dict[tuple[int, str, str | None], ScoreFigure] = {
        (s.cycle, s.node, s.group): s for s in obs.scores if s.source == "api"
    }
    for s in obs.scores:
        ref_s = scores.get((s.cycle, s.node, s.group))
        if s.source == "api" or s.score is None:
            continue
        if ref_s is None or not _close(s.score, ref_s.score, s.precision):
            leaks.append(
                Leak(
                    "agreement",
                    f"{_where(obs, s)} shows score {s.node}/{s.group} "
                    f"= {s.score}; the API {None if ref_s is None else ref_s.score}",
                )
            )
    return leaks


def merged(obs: Observation) -> dict[tuple[int, str, str], dict[str, int]]:
    """Per item, everything one moment's outputs show of its counts, put together (they
    agree, or `agreement` says so): the richest view the viewer has at that moment."""
    views: dict[tuple[int, str, str], dict[str, int]] = {}
    for f in sorted(obs.items, key=lambda f: f.source != "api"):
        into = views.setdefault((f.cycle, f.group, f.item), {})
        for c, v in f.counts.items():
            if c == "blank" and f.source.endswith("-rows"):
                continue  # a file's empty cell is also a question not asked
            into.setdefault(c, v)
    return views


def _coordinates(a: Mapping[str, int], b: Mapping[str, int]) -> list[str]:
    """What both views show of the answers' values: the options, with the missing codes
    and blanks. Counts alone (n, dk, na, blank) are shown for any release, even below
    k (§3.4), so a view without the histogram has no values to subtract."""
    common = set(a) & set(b)
    options = {c for c in common if c not in COARSE}
    return sorted(options | (common & {"dk", "na", "blank"})) if options else []


def subtraction(history: Sequence[Observation], min_n: MinN) -> list[Leak]:
    """For every two moments' views of one item: the respondents whose answers were
    added, and those whose answers were taken away, are each none or at least k (else
    their answers are read off the difference). "per-item-subtraction" when the two come
    from two releases of the group (the release rule let them through: enough responses
    changed, but not enough of them for this item), "subtraction" otherwise."""
    views: dict[tuple[int, str, str], list[tuple[Observation, dict[str, int]]]] = defaultdict(list)
    for obs in history:
        for key, counts in merged(obs).items():
            if not views[key] or views[key][-1][1] != counts:
                views[key].append((obs, counts))
    leaks = []
    for (cycle, group, item), found in views.items():
        k = min_n.get(group, 1)
        for (oa, va), (ob, vb) in combinations(found, 2):
            d = {c: vb[c] - va[c] for c in _coordinates(va, vb)}
            added = sum(x for x in d.values() if x > 0)
            removed = -sum(x for x in d.values() if x < 0)
            if 0 < added < k or 0 < removed < k:
                ra, rb = oa.releases.get((cycle, group)), ob.releases.get((cycle, group))
                released = None not in (ra, rb) and ra != rb and "None" not in f"{ra}{rb}"
                kind = "per-item-subtraction" if released else "subtraction"
                leaks.append(
                    Leak(
                        kind,
                        f"{item}: step {oa.step} ({oa.label}) {va} and "
                        f"step {ob.step} ({ob.label}) {vb} differ by "
                        f"{ {c: x for c, x in d.items() if x} } (k = {k}; releases "
                        f"{ra} and {rb})",
                    )
                )
    return leaks


def breakdown_remainder(obs: Observation, min_n: MinN) -> list[Leak]:
    """Total minus shown cells, per breakdown row: none or at least k answers left."""
    totals = {(f.cycle, f.item): f for f in obs.items if f.source == "api"}
    rows: dict[tuple[int, str, str], list[CellFigure]] = defaultdict(list)
    for c in obs.cells:
        rows[c.cycle, c.by, c.item].append(c)
    leaks = []
    for (cycle, by, item), cells in rows.items():
        total = totals.get((cycle, item))
        if total is None or total.mean is None:
            continue
        k = min_n.get(total.group, 1)
        shown = [c for c in cells if c.n is not None]
        left = total.counts["n"] - sum(c.n or 0 for c in shown)
        if 0 < left < k:
            rest = total.counts["n"] * total.mean - sum((c.n or 0) * (c.mean or 0) for c in shown)
            hidden = [c.cell or "(no answer)" for c in cells if c.n is None]
            leaks.append(
                Leak(
                    "breakdown-remainder",
                    f"step {obs.step}: {item} by {by}: total "
                    f"n = {total.counts['n']} minus the shown cells leaves {left} "
                    f"answers (< {k}) in {hidden}, their mean ≈ {rest / left:.1f}",
                )
            )
    return leaks


def cell_subtraction(history: Sequence[Observation], min_n: MinN) -> list[Leak]:
    """One breakdown cell shown at two moments: its n changes by none or at least k."""
    seen: dict[tuple[int, str, str, str], list[tuple[Observation, CellFigure]]] = defaultdict(list)
    for obs in history:
        for c in obs.cells:
            if c.n is not None:
                seen[c.cycle, c.by, c.item, c.cell].append((obs, c))
    leaks = []
    for (_cycle, by, item, cell), found in seen.items():
        k = min_n.get(item.split(".", 1)[0], 1)
        for (oa, a), (ob, b) in combinations(found, 2):
            if a.n is not None and b.n is not None and 0 < abs(a.n - b.n) < k:
                leaks.append(
                    Leak(
                        "cell-subtraction",
                        f"{item} by {by}={cell!r}: "
                        f"{_where(oa, a)} n = {a.n} mean {a.mean}, {_where(ob, b)} "
                        f"n = {b.n} mean {b.mean}",
                    )
                )
    return leaks


def release_invariance(history: Sequence[Observation]) -> list[Leak]:
    """An output of a cycle shows the same while the cycle's releases are the same."""
    first: dict[tuple[str, str, str], tuple[Observation, str]] = {}
    leaks = []
    for obs in history:
        for doc in obs.documents:
            cycle = doc.scope.split()[1] if doc.scope.startswith("cycle ") else ""
            # A head hiding a comment changes what shows without a release: part of the key.
            key = repr(
                (
                    sorted((k, v) for k, v in obs.releases.items() if str(k[0]) == cycle),
                    sorted(obs.hidden_comments),
                )
            )
            seen = first.setdefault((doc.source, doc.scope, key), (obs, doc.digest))
            if seen[1] != doc.digest:
                leaks.append(
                    Leak(
                        "release-invariance",
                        f"{doc.source} of {doc.scope} changed "
                        f"between step {seen[0].step} ({seen[0].label}) and step "
                        f"{obs.step} ({obs.label}) while its releases stayed {key}",
                    )
                )
        for doc in obs.documents:
            if doc.source == "pdf-extra-numbers" and doc.digest != "[]":
                leaks.append(
                    Leak(
                        "pdf",
                        f"step {obs.step}: the PDF of {doc.scope} shows numbers "
                        f"the report page does not: {doc.digest}",
                    )
                )
    return leaks


def respondent_attacks(history: Sequence[Observation], min_n: MinN) -> list[Leak]:
    """Every attack of this module over the history (the newest observation last)."""
    leaks: list[Leak] = []
    leaks += thresholds(history, min_n)
    for obs in history:
        leaks += agreement(obs)
        leaks += breakdown_remainder(obs, min_n)
    leaks += subtraction(history, min_n)
    leaks += cell_subtraction(history, min_n)
    leaks += release_invariance(history)
    return _unique(leaks)


def _unique(leaks: Iterable[Leak]) -> list[Leak]:
    return list(dict.fromkeys(leaks))


__all__ = ["FULL", "Leak", "respondent_attacks"]
