"""Attacks on answer-level downloads (METHODOLOGY.md §5.3).

- k-anonymity: rows grouped by their quasi-identifier values (choice, multi and number
  answers, the "someone helped me" flag; the suppressed marker counts as a value of its
  own): a class of fewer than k rows singles people out;
- breakdown linking: a breakdown cell's n and mean, with the rows whose value of its
  choice item is visible, tell which suppressed rows belong to the cell; with that
  value put back, a class of fewer than k is a leak;
- labels and order: a label seen in two downloads, or the same row order in every
  download of one release, links rows across downloads (and to arrival);
- merging: the rows of two downloads of one release, matched by their answers, with
  the quasi-identifiers visible in either put together, must still be k-anonymous;
- row differences: two downloads of different releases differ by none or at least k
  rows on each side (matching a suppressed cell to any value).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from itertools import combinations

from qms.methodology.model import Methodology
from tests.privacy.attacks import Leak, MinN
from tests.privacy.records import SUPPRESSED, ExportRows, Observation

Row = Mapping[str, str]


def quasi_columns(m: Methodology, group: str, columns: Sequence[str]) -> list[str]:
    """Choice, multi and number items, and any column that is not an item (a flag)."""
    quasi = []
    for c in columns:
        if not m.has_item(c) or m.item(c).type in ("choice", "multi", "number"):
            quasi.append(c)
    return quasi


def _columns(rows: Sequence[Row]) -> list[str]:
    return sorted({c for r in rows for c in r})


def _classes(rows: Sequence[Row], quasi: Sequence[str]) -> Counter[tuple[str, ...]]:
    return Counter(tuple(r.get(c, "") for c in quasi) for r in rows)


def _small(rows: Sequence[Row], quasi: Sequence[str], k: int) -> dict[tuple[str, ...], int]:
    return {key: n for key, n in _classes(rows, quasi).items() if n < k}


def k_anonymity(obs: Observation, m: Methodology, min_n: MinN) -> list[Leak]:
    leaks = []
    for e in obs.exports:
        if m.group(e.group).is_consensus:
            continue
        quasi = quasi_columns(m, e.group, _columns(e.rows))
        small = _small(e.rows, quasi, min_n[e.group])
        if small:
            leaks.append(
                Leak(
                    "k-anonymity",
                    f"step {obs.step} {e.source} {e.group}: classes "
                    f"of fewer than {min_n[e.group]} rows over {quasi}: {small}",
                )
            )
    return leaks


def normalised(m: Methodology, item_id: str, raw: str) -> float | None:
    item = m.item(item_id)
    if not item.is_scored:
        return None
    try:
        value = int(raw)
    except ValueError:
        return None
    scale = m.item_scale(item)
    if not scale.is_valid(value):
        return None
    s = 100 * (value - scale.lo) / (scale.hi - scale.lo)
    return 100 - s if item.reverse else s


def breakdown_link(obs: Observation, m: Methodology, min_n: MinN) -> list[Leak]:
    leaks = []
    for e in obs.exports:
        if m.group(e.group).is_consensus:
            continue
        quasi = quasi_columns(m, e.group, _columns(e.rows))
        for by in quasi:
            filled = _fill(obs, m, e, by)
            if not filled:
                continue
            rows = [dict(r) for r in e.rows]
            for i, value in filled.items():
                rows[i][by] = value
            small = _small(rows, quasi, min_n[e.group])
            if small:
                leaks.append(
                    Leak(
                        "breakdown-link",
                        f"step {obs.step} {e.source} {e.group}: the "
                        f"breakdown by {by} tells rows {sorted(filled)} have {by} = "
                        f"{sorted(set(filled.values()))}; then classes {small} are "
                        f"smaller than {min_n[e.group]}",
                    )
                )
    return leaks


def _fill(obs: Observation, m: Methodology, e: ExportRows, by: str) -> dict[int, str]:
    """Rows whose suppressed value of `by` the breakdown cells give away."""
    hidden = [i for i, r in enumerate(e.rows) if r.get(by) == SUPPRESSED]
    found: dict[int, str] = {}
    if not hidden:
        return found
    for c in obs.cells:
        if (
            c.cycle != e.cycle
            or c.by != by
            or c.n is None
            or c.mean is None
            or c.cell == SUPPRESSED
        ):
            continue  # (the hidden answers' own cell places no row: all of them are in it)
        if any(r.get(c.item) == SUPPRESSED for r in e.rows):
            continue  # withheld answers of the item: its cells cannot be matched to rows
        inside = [normalised(m, c.item, r.get(c.item, "")) for r in e.rows if r.get(by) == c.cell]
        have = [v for v in inside if v is not None]
        need = c.n - len(have)
        spare = [
            (i, v)
            for i in hidden
            if (v := normalised(m, c.item, e.rows[i].get(c.item, ""))) is not None
        ]
        if need <= 0 or need > len(spare) or math.comb(len(spare), need) > 5000:
            continue
        target = c.n * c.mean - sum(have)
        fits = [
            pick
            for pick in combinations(spare, need)
            if abs(sum(v for _, v in pick) - target) <= c.n * c.precision + 1e-6
        ]
        if not fits:
            continue
        sure = set.intersection(*({i for i, _ in pick} for pick in fits))
        for i in sure:
            found[i] = c.cell
    return found


def _release_key(obs: Observation, e: ExportRows) -> str:
    return repr(obs.releases.get((e.cycle, e.group)))


def _content(r: Row) -> tuple[tuple[str, str], ...]:
    return tuple(sorted(r.items()))


def labels_and_order(history: Sequence[Observation], m: Methodology) -> list[Leak]:
    downloads: dict[tuple[str, int, str, str], list[tuple[Observation, ExportRows]]] = defaultdict(
        list
    )
    for obs in history:
        for e in obs.exports:
            if m.group(e.group).is_consensus:
                continue  # the working group's named record is labelled `consensus`
            downloads[e.source, e.cycle, e.group, _release_key(obs, e)].append((obs, e))
    leaks = []
    all_labels: dict[tuple[int, str], list[tuple[Observation, ExportRows]]] = defaultdict(list)
    for (source, _cycle, group, _key), found in downloads.items():
        for obs, e in found:
            all_labels[e.cycle, group].append((obs, e))
        n = len(found[0][1].rows)
        orders = {tuple(_content(r) for r in e.rows) for _, e in found}
        if (
            len(found) > 1
            and len(orders) == 1
            and (_arrangements(found[0][1].rows) ** (len(found) - 1) >= 10**6)
        ):
            leaks.append(
                Leak(
                    "row-order",
                    f"{source} {group}: {len(found)} downloads of one "
                    f"release list their {n} rows in the same order",
                )
            )
    for (_cycle, group), found in all_labels.items():
        for (oa, a), (ob, b) in combinations(found, 2):
            common = set(a.labels) & set(b.labels)
            if len(common) >= 2 or (common and len(a.labels) <= 2):
                leaks.append(
                    Leak(
                        "labels",
                        f"{group}: downloads at step {oa.step} and "
                        f"{ob.step} share labels {sorted(common)[:5]}",
                    )
                )
    return leaks


def _arrangements(rows: Sequence[Row]) -> int:
    """How many orders of the rows can be told apart (equal rows cannot)."""
    count = math.factorial(len(rows))
    for same in Counter(_content(r) for r in rows).values():
        count //= math.factorial(same)
    return count


def _compatible(a: Row, b: Row) -> bool:
    return all(a.get(c) == b.get(c) or SUPPRESSED in (a.get(c), b.get(c)) for c in set(a) | set(b))


def _match(a: Sequence[Row], b: Sequence[Row]) -> tuple[list[int], list[int]]:
    """Rows of `a` and of `b` left unmatched: equal rows first, then compatible ones."""
    left_a, left_b = list(range(len(a))), list(range(len(b)))
    for same in (lambda x, y: _content(x) == _content(y), _compatible):
        for i in list(left_a):
            j = next((j for j in left_b if same(a[i], b[j])), None)
            if j is not None:
                left_a.remove(i)
                left_b.remove(j)
    return left_a, left_b


def merging(history: Sequence[Observation], m: Methodology, min_n: MinN) -> list[Leak]:
    by_release: dict[tuple[int, str, str], list[tuple[Observation, ExportRows]]] = defaultdict(list)
    for obs in history:
        for e in obs.exports:
            if not m.group(e.group).is_consensus:
                by_release[e.cycle, e.group, _release_key(obs, e)].append((obs, e))
    leaks = []
    for (_cycle, group, _key), found in by_release.items():
        for (oa, a), (ob, b) in combinations(found, 2):
            quasi = quasi_columns(m, group, _columns([*a.rows, *b.rows]))
            merged = _merged(a.rows, b.rows, quasi)
            if merged is None:
                continue
            small = _small(merged, quasi, min_n[group])
            if small:
                leaks.append(
                    Leak(
                        "merge",
                        f"{group}: downloads at step {oa.step} ({a.source}) "
                        f"and {ob.step} ({b.source}) of one release, rows matched by "
                        f"their answers, leave classes {small}",
                    )
                )
    return leaks


def _merged(
    a: Sequence[Row], b: Sequence[Row], quasi: Sequence[str]
) -> list[dict[str, str]] | None:
    """Rows of `a` with the cells suppressed in `a` but shown in `b`, where the row's
    answers outside the quasi-identifiers match exactly one row of `b`."""
    if len(a) != len(b):
        return None

    def answers(r: Row) -> tuple[tuple[str, str], ...]:
        return tuple(sorted((c, v) for c, v in r.items() if c not in quasi))

    index: dict[tuple[tuple[str, str], ...], list[Row]] = defaultdict(list)
    for r in b:
        index[answers(r)].append(r)
    merged = []
    for r in a:
        twins = [t for t in index.get(answers(r), []) if _compatible(r, t)]
        row = dict(r)
        if len(twins) == 1:
            for c, v in twins[0].items():
                if row.get(c) == SUPPRESSED and v != SUPPRESSED:
                    row[c] = v
        merged.append(row)
    return merged


def row_differences(history: Sequence[Observation], min_n: MinN) -> list[Leak]:
    latest: dict[tuple[str, int, str, str], tuple[Observation, ExportRows]] = {}
    for obs in history:
        for e in obs.exports:
            latest.setdefault((e.source, e.cycle, e.group, _release_key(obs, e)), (obs, e))
    leaks = []
    grouped: dict[tuple[str, int, str], list[tuple[Observation, ExportRows]]] = defaultdict(list)
    for (source, cycle, group, _key), download in latest.items():
        grouped[source, cycle, group].append(download)
    for (source, _cycle, group), downloads in grouped.items():
        k = min_n[group]
        for (oa, a), (ob, b) in combinations(downloads, 2):
            gone, new = _match(a.rows, b.rows)
            if 0 < len(gone) < k or 0 < len(new) < k:
                leaks.append(
                    Leak(
                        "row-difference",
                        f"{source} {group}: downloads at step "
                        f"{oa.step} and {ob.step} differ by {len(gone)} rows gone "
                        f"and {len(new)} new (k = {k}): "
                        f"{[dict(b.rows[j]) for j in new][:3]}",
                    )
                )
    return leaks


def row_attacks(history: Sequence[Observation], m: Methodology, min_n: MinN) -> list[Leak]:
    leaks: list[Leak] = []
    for obs in history:
        leaks += k_anonymity(obs, m, min_n)
        leaks += breakdown_link(obs, m, min_n)
    leaks += labels_and_order(history, m)
    leaks += merging(history, m, min_n)
    leaks += row_differences(history, min_n)
    return list(dict.fromkeys(leaks))
