"""Answer-level rows for the organisation's staff (METHODOLOGY.md §5.3), pure.

One row per released respondent of an individual group whose release counts at least
k respondents (the group's `min_n`):

- labels are drawn at random for each export (`staff-7f3k`) and the rows shuffled, so
  nothing follows the order of the release, of arrival, of codes or of an import;
  a row carries answers only: no key, time stamp, code or source;
- the quasi-identifiers — `choice`, `multi` (the chosen options as one value) and
  `number` items, and the "someone helped me" flag where anyone in the group was
  helped — are k-anonymous: every combination of their values on the rows is shared
  by at least k rows. `SUPPRESSED` counts as a value of its own, so the rows whose
  cells were hidden also form classes of at least k (a head who knows the make-up of
  a service must not find the one row that differs);
- a question asked only for some answers to a quasi-identifier (`when`) would show a
  hidden answer by whether it has a value; where the rows of a class with that
  answer hidden would split into parts smaller than k that way, its answers are
  hidden too (`withheld`);
- scale items go out where they are reportable (at least k valid answers): below
  that their values are never shown (§3.4);
- `text` answers never stand on a row: the comments table comes from
  qms.disclosure.comments (random order, hidden comments left out).

The consensus group's record is the working group's named record, not an anonymous
answer: it goes out whole, as `consensus`.

k-anonymity by local suppression is NP-hard to do with the fewest cells; `k_anonymise`
is greedy. The smallest class that breaks the rule is dealt with first, by the cheapest
of: hiding one more of its values (and then, if it is still too small, recruiting the
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
import random
from collections import Counter
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from qms.imports.values import AnswerValue, is_shown
from qms.methodology.model import Item, Methodology

QUASI_TYPES = ("choice", "multi", "number")
PROXY = "(proxy)"  # the column of the "someone helped me" flag; no item id looks like it
CONSENSUS_LABEL = "consensus"
_LABEL_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread
_LABEL_LENGTH = 4


class Marker(enum.Enum):
    SUPPRESSED = "suppressed"


SUPPRESSED = Marker.SUPPRESSED
Cell = AnswerValue | bool | Marker | None  # None: no answer (blank, or not asked)


class ReleasedLike(Protocol):
    """qms.store.releases.ReleasedRow, as far as rows need it."""

    @property
    def answers(self) -> Mapping[str, AnswerValue]: ...

    @property
    def proxy(self) -> bool: ...


@dataclass(frozen=True)
class ExportRow:
    label: str
    cells: Mapping[str, Cell]  # column -> value, for every column of the group


@dataclass(frozen=True)
class GroupRows:
    group: str
    min_n: int
    columns: tuple[str, ...]  # item ids in questionnaire order, then PROXY if present
    quasi: tuple[str, ...]  # the columns that are quasi-identifiers
    rows: tuple[ExportRow, ...]
    suppressed: int  # quasi-identifier cells hidden for k-anonymity
    withheld: int  # answers hidden because their question would show a hidden value

    @property
    def respondents(self) -> int:
        return len(self.rows)


# -- k-anonymity by local suppression ---------------------------------------------------

Record = tuple[Hashable, ...]


def _suppress(record: Record, columns: Sequence[int]) -> Record:
    return tuple(SUPPRESSED if j in columns else v for j, v in enumerate(record))


def _donors(classes: Counter[Record], target: Record, have: int, k: int,
            exclude: frozenset[Record]) -> tuple[int, list[tuple[Record, int]]] | None:
    """The cheapest rows (in hidden cells) found to bring class `target` from `have` to k
    rows without making another class too small: spare rows of classes above k, then
    whole classes. None when there are not enough compatible rows."""
    need = k - have
    if need <= 0:
        return 0, []
    hidden = [j for j, v in enumerate(target) if v is SUPPRESSED]
    candidates = []
    for record, count in classes.items():
        if record in exclude or record == target:
            continue
        if all(record[j] == v for j, v in enumerate(target) if v is not SUPPRESSED):
            cost = sum(1 for j in hidden if record[j] is not SUPPRESSED)
            candidates.append((cost, count, repr(record), record))
    candidates.sort()
    taken: dict[Record, int] = {}
    for _cost, count, _, record in candidates:  # spare rows first: no class is emptied
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


def _step(rows: list[Record], k: int) -> bool:
    """Mend the smallest class below k; False when there is none."""
    classes = Counter(rows)
    small = [r for r, c in classes.items() if c < k]
    if not small:
        return False
    target = min(small, key=lambda r: (classes[r], repr(r)))
    size = classes[target]
    frequency = [Counter(r[j] for r in rows) for j in range(len(target))]
    options = []  # (cost, rarity, column or -1, new record, donors)
    plan = _donors(classes, target, size, k, frozenset()) if SUPPRESSED in target else None
    if plan is not None:
        options.append((plan[0], -1, -1, target, plan[1]))
    open_columns = [j for j, v in enumerate(target) if v is not SUPPRESSED]
    for j in open_columns:
        moved = _suppress(target, [j])
        plan = _donors(classes, moved, size + classes.get(moved, 0), k, frozenset({target}))
        if plan is not None:
            options.append((size + plan[0], frequency[j][target[j]], j, moved, plan[1]))
    if options:
        _, _, j, new, donors = min(options, key=lambda o: o[:3])
    else:  # nothing mends it yet: hide its rarest value and look again
        j = min(open_columns, key=lambda c: (frequency[c][target[c]], c))
        new, donors = _suppress(target, [j]), []
    want = dict(donors)
    for i, record in enumerate(rows):
        if record == target:
            rows[i] = new
        elif want.get(record, 0) > 0:
            want[record] -= 1
            rows[i] = new  # it agrees with `new` wherever `new` shows a value
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
                shown = (*record[:j], original[i][j], *record[j + 1:])
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
    while _step(rows, k):
        pass
    _restore(rows, records, k)
    hidden = sum(
        1 for new, old in zip(rows, records, strict=True)
        for a, b in zip(new, old, strict=True)
        if a is SUPPRESSED and b is not SUPPRESSED
    )
    return rows, hidden


# -- the rows of one group -------------------------------------------------------------


def _labels(group: str, n: int, rng: random.Random) -> list[str]:
    drawn: set[str] = set()
    while len(drawn) < n:
        drawn.add("".join(rng.choice(_LABEL_ALPHABET) for _ in range(_LABEL_LENGTH)))
    labels = sorted(drawn)
    rng.shuffle(labels)
    return [f"{group}-{label}" for label in labels]


def _columns(m: Methodology, group: str, rows: Sequence[ReleasedLike], k: int) -> list[Item]:
    """Scale items with at least k valid answers, and the quasi-identifier items."""
    chosen = []
    for item in m.questionnaires[group].items:
        if item.type in QUASI_TYPES:
            chosen.append(item)
        elif item.type == "scale":
            scale = m.item_scale(item)
            valid = sum(
                1 for r in rows
                if isinstance(v := r.answers.get(item.id), int) and not isinstance(v, bool)
                and scale.is_valid(v)
            )
            if valid >= k:
                chosen.append(item)
    return chosen


def _parts(members: Sequence[int], dependents: Sequence[Item],
           rows: Sequence[ReleasedLike]) -> int:
    """The size of the smallest part that `members` split into by which of the
    `dependents` are asked of them."""
    return min(Counter(
        tuple(is_shown(d, rows[i].answers) for d in dependents) for i in members
    ).values())


def _withhold(items: Sequence[Item], quasi: Sequence[str], records: list[list[Cell]],
              rows: Sequence[ReleasedLike], k: int, hide: set[tuple[int, str]], *,
              quasi_items: bool) -> int:
    """Hide the answers (to quasi-identifier items or to the others) whose presence
    would split a class with a hidden condition into parts below k; returns how many
    cells it hid. Quasi-identifier cells change in `records` (classes may merge, so
    the classes are looked at again), other cells are added to `hide`."""
    position = {c: j for j, c in enumerate(quasi)}
    dependents = [
        i for i in items
        if i.when is not None and i.when.item in position and (i.id in position) == quasi_items
    ]
    hidden = 0
    changed = True
    while changed:
        changed = False
        classes: dict[tuple[Cell, ...], list[int]] = {}
        for index, record in enumerate(records):
            classes.setdefault(tuple(record), []).append(index)
        for key, members in classes.items():
            asked = [
                d for d in dependents
                if d.when is not None and key[position[d.when.item]] is SUPPRESSED
                and not (quasi_items and key[position[d.id]] is SUPPRESSED)
                and (members[0], d.id) not in hide
            ]
            while asked and _parts(members, asked, rows) < k:
                # Hide the one whose absence leaves the largest smallest part.
                drop = max(asked, key=lambda d: (
                    _parts(members, [o for o in asked if o is not d], rows), -items.index(d)
                ))
                asked.remove(drop)
                for i in members:
                    if quasi_items:
                        records[i][position[drop.id]] = SUPPRESSED
                    else:
                        hide.add((i, drop.id))
                hidden += len(members)
                changed = changed or quasi_items
            if changed:
                break
    return hidden


def group_rows(m: Methodology, group: str, released: Sequence[ReleasedLike], k: int,
               rng: random.Random) -> GroupRows | None:
    """The export rows of one individual group's release; None when it has fewer than
    k respondents (the group is left out, and the file says so)."""
    if m.group(group).is_consensus:
        raise ValueError(f"group {group!r} is a consensus group: see consensus_rows")
    k = max(k, 1)
    if len(released) < k or not released:
        return None
    items = _columns(m, group, released, k)
    quasi = [i.id for i in items if i.type in QUASI_TYPES]
    if any(r.proxy for r in released):
        quasi.append(PROXY)
    original: list[Record] = [
        tuple(r.answers.get(c) if c != PROXY else r.proxy for c in quasi)
        for r in released
    ]
    anonymous, suppressed = k_anonymise(original, k)
    records: list[list[Cell]] = [list(r) for r in anonymous]  # type: ignore[arg-type]
    hide: set[tuple[int, str]] = set()
    withheld = _withhold(items, quasi, records, released, k, hide, quasi_items=True)
    withheld += _withhold(items, quasi, records, released, k, hide, quasi_items=False)
    columns = [i.id for i in items] + ([PROXY] if PROXY in quasi else [])
    position = {c: j for j, c in enumerate(quasi)}
    built = []
    for index, r in enumerate(released):
        cells: dict[str, Cell] = {}
        for column in columns:
            if column in position:
                cells[column] = records[index][position[column]]
            elif (index, column) in hide:
                cells[column] = SUPPRESSED
            else:
                cells[column] = r.answers.get(column)
        built.append(cells)
    order = list(range(len(built)))
    rng.shuffle(order)
    labels = _labels(group, len(order), rng)
    return GroupRows(
        group=group, min_n=k, columns=tuple(columns), quasi=tuple(quasi),
        rows=tuple(ExportRow(label, built[i]) for label, i in zip(labels, order, strict=True)),
        suppressed=suppressed, withheld=withheld,
    )


def consensus_rows(m: Methodology, group: str, released: Sequence[ReleasedLike]
                   ) -> GroupRows | None:
    """The working group's consensus record as it is (every answered item, free text
    included): it is named, not anonymous. None before there is one."""
    if not m.group(group).is_consensus:
        raise ValueError(f"group {group!r} is not a consensus group")
    if not released:
        return None
    record = released[0].answers
    columns = tuple(
        i.id for i in m.questionnaires[group].items
        if is_shown(i, record) and (i.id in record or i.is_scored)
    )
    return GroupRows(
        group=group, min_n=1, columns=columns, quasi=(),
        rows=(ExportRow(CONSENSUS_LABEL, {c: record.get(c) for c in columns}),),
        suppressed=0, withheld=0,
    )
