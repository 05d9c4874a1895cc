"""k-anonymity of records by local suppression (METHODOLOGY.md §5.3), pure.

k-anonymity by local suppression is NP-hard to do with the fewest cells; `k_anonymise`
is greedy. A value found fewer than k times in its column is hidden first (no valid
result can show it). Then the smallest class that breaks the rule is dealt with, by the
cheapest of: hiding one more of its values (and then, if it is still too small, recruiting the
fewest cells of compatible rows: spare rows of classes above k, or whole classes),
or recruiting rows at once; ties go to the rarest value. A class whose values are all
hidden always gets enough rows that way, so the loop ends with a valid result whenever
there are at least k rows. A last pass shows again every hidden cell whose value the
result does not need.

Libraries: sdcMicro (the statistical agencies' tool for exactly this local suppression)
is R. On PyPI, ANJANA (maintained, from IFCA) and pyCANON anonymise or check pandas
frames by generalisation hierarchies and the suppression of whole *records* up to a
share, not of single cells; anonypy/anonypyx do Mondrian generalisation; crowds and
pyarxaas (a client of an ARX server) are unmaintained. None minimises suppressed cells
with the marker counted as a value, and each would bring pandas into the web app for
a few hundred rows, so the ~100 lines here are tested directly instead
(tests/unit/test_disclosure_rows.py).
"""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Hashable, Sequence
from operator import itemgetter


class Marker(enum.Enum):
    SUPPRESSED = "suppressed"


SUPPRESSED = Marker.SUPPRESSED
Record = tuple[Hashable, ...]


def _suppress(record: Record, columns: Sequence[int]) -> Record:
    return tuple(SUPPRESSED if j in columns else v for j, v in enumerate(record))


class _Table:
    """The records by class (record -> the indices that hold it), with each column's
    value counts, kept up to date as cells are hidden."""

    def __init__(self, rows: list[Record], k: int) -> None:
        self.rows, self.k = rows, k
        self.members: dict[Record, list[int]] = {}
        for index, record in enumerate(rows):
            self.members.setdefault(record, []).append(index)
        width = len(rows[0]) if rows else 0
        self.frequency = [Counter(r[j] for r in rows) for j in range(width)]

    def size(self, record: Record) -> int:
        return len(self.members.get(record, ()))

    def move(self, record: Record, n: int, new: Record) -> None:
        """Turn n rows of class `record` into `new`."""
        indices = self.members[record]
        moving, self.members[record] = indices[:n], indices[n:]
        if not self.members[record]:
            del self.members[record]
        self.members.setdefault(new, []).extend(moving)
        for j, (old, value) in enumerate(zip(record, new, strict=True)):
            if old != value:
                self.frequency[j][old] -= n
                self.frequency[j][value] += n
        for index in moving:
            self.rows[index] = new

    def donors(
        self, target: Record, have: int, exclude: Record | None
    ) -> tuple[int, list[tuple[Record, int]]] | None:
        """The cheapest rows (in hidden cells) found to bring class `target` from `have`
        to k rows without making another class too small: spare rows of classes above
        k, then whole classes. None when there are not enough compatible rows."""
        k = self.k
        need = k - have
        if need <= 0:
            return 0, []
        hidden = [j for j, v in enumerate(target) if v is SUPPRESSED]
        shown = [j for j, v in enumerate(target) if v is not SUPPRESSED]
        # Rows compatible with the target agree with it wherever it shows a value.
        project = itemgetter(*shown) if shown else (lambda _: ())
        wanted = project(target)
        candidates = []
        for record, indices in self.members.items():
            if record in (exclude, target):
                continue
            if project(record) == wanted:
                cost = sum(1 for j in hidden if record[j] is not SUPPRESSED)
                candidates.append((cost, len(indices), repr(record), record))
        candidates.sort()
        taken: dict[Record, int] = {}
        for _cost, count, _, record in candidates:  # spare rows first: no class empties
            if need <= 0:
                break
            spare = min(max(count - k, 0), need)
            if spare:
                taken[record] = spare
                need -= spare
        for _cost, count, _, record in sorted(candidates, key=lambda c: (c[0] * c[1], c[2])):
            if need <= 0:
                break
            rest = count - taken.get(record, 0)
            if rest > 0:
                taken[record] = count
                need -= rest
        if need > 0:
            return None
        costs = {c[3]: c[0] for c in candidates}
        return sum(costs[r] * n for r, n in taken.items()), list(taken.items())

    def step(self) -> bool:
        """Mend the smallest class below k; False when there is none."""
        k = self.k
        small = [(len(m), r) for r, m in self.members.items() if len(m) < k]
        if not small:
            return False
        size = min(n for n, _ in small)
        target = min((r for n, r in small if n == size), key=repr)
        # Options as (lowest possible cost, rarity, column (-1: none), new record, have):
        # each recruited row costs at least one cell, which bounds what is worth working
        # out exactly.
        options: list[tuple[int, int, int, Record, int]] = []
        if SUPPRESSED in target:
            options.append((k - size, -1, -1, target, size))
        open_columns = [j for j, v in enumerate(target) if v is not SUPPRESSED]
        for j in open_columns:
            moved = _suppress(target, [j])
            have = size + self.size(moved)
            options.append((size + max(k - have, 0), self.frequency[j][target[j]], j, moved, have))
        options.sort(key=lambda o: o[:3])
        best: tuple[int, int, int, Record, list[tuple[Record, int]]] | None = None
        for low, rarity, j, new, have in options:
            if best is not None and low > best[0]:
                break
            plan = self.donors(new, have, None if j < 0 else target)
            if plan is None:
                continue
            cost = plan[0] + (0 if j < 0 else size)
            if best is None or (cost, rarity, j) < best[:3]:
                best = (cost, rarity, j, new, plan[1])
        if best is None:  # nothing mends it yet: hide its rarest value and look again
            j = min(open_columns, key=lambda c: (self.frequency[c][target[c]], c))
            best = (0, 0, j, _suppress(target, [j]), [])
        new, donors = best[3], best[4]
        if new != target:
            self.move(target, size, new)
        for record, n in donors:
            self.move(record, n, new)  # each agrees with `new` wherever it shows a value
        return True


def _restore(rows: list[Record], original: Sequence[Record], k: int) -> None:
    """Show again every hidden cell that the result does not need."""
    classes = Counter(rows)
    changed = True
    while changed:
        changed = False
        for i, record in enumerate(rows):
            for j, value in enumerate(record):
                if value is not SUPPRESSED or original[i][j] is SUPPRESSED:
                    continue
                shown = (*record[:j], original[i][j], *record[j + 1 :])
                left = classes[record] - 1
                if (left == 0 or left >= k) and classes[shown] + 1 >= k:
                    classes[record] -= 1
                    classes[shown] += 1
                    rows[i] = record = shown
                    changed = True


def k_anonymise(records: Sequence[Record], k: int) -> tuple[list[Record], int]:
    """The records with cells replaced by SUPPRESSED so that every combination that
    appears is shared by at least k records, and how many cells were hidden
    (ValueError for fewer than k records)."""
    rows = [tuple(r) for r in records]
    if rows and len(rows) < k:
        raise ValueError(f"{len(rows)} records cannot be {k}-anonymous")
    # A value found fewer than k times in its column is hidden in every valid result
    # (any class holding it would be smaller than k): hide those cells at once.
    width = len(rows[0]) if rows else 0
    frequency = [Counter(r[j] for r in rows) for j in range(width)]
    rows = [tuple(SUPPRESSED if frequency[j][v] < k else v for j, v in enumerate(r)) for r in rows]
    table = _Table(rows, k)
    while table.step():
        pass
    _restore(rows, records, k)
    hidden = sum(
        1
        for new, old in zip(rows, records, strict=True)
        for a, b in zip(new, old, strict=True)
        if a is SUPPRESSED and b is not SUPPRESSED
    )
    return rows, hidden
