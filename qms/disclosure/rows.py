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
  hidden too (`withheld`): a quasi-identifier's in that class, a scale item's on
  every row (its released statistics minus the answers left on rows would be those
  of the few hidden);
- scale items go out where they are reportable (at least k valid answers): below
  that their values are never shown (§3.4);
- `text` answers never stand on a row: the comments table comes from
  qms.disclosure.comments (random order, hidden comments left out).

The consensus group's record is the working group's named record, not an anonymous
answer: it goes out whole, as `consensus`.

The k-anonymisation itself is qms.disclosure.kanon.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol, cast

from qms.disclosure.kanon import SUPPRESSED, Marker, Record, k_anonymise
from qms.methodology.answers import AnswerValue, is_shown
from qms.methodology.model import Item, Methodology

QUASI_TYPES = ("choice", "multi", "number")
PROXY = "(proxy)"  # the column of the "someone helped me" flag; no item id looks like it
CONSENSUS_LABEL = "consensus"
_LABEL_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread
_LABEL_LENGTH = 4


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
                1
                for r in rows
                if isinstance(v := r.answers.get(item.id), int)
                and not isinstance(v, bool)
                and scale.is_valid(v)
            )
            if valid >= k:
                chosen.append(item)
    return chosen


def _parts(members: Sequence[int], dependents: Sequence[Item], rows: Sequence[ReleasedLike]) -> int:
    """The size of the smallest part that `members` split into by which of the
    `dependents` are asked of them."""
    return min(
        Counter(tuple(is_shown(d, rows[i].answers) for d in dependents) for i in members).values()
    )


def _withhold(
    items: Sequence[Item],
    quasi: Sequence[str],
    records: list[list[Cell]],
    rows: Sequence[ReleasedLike],
    k: int,
    hide: set[tuple[int, str]],
    *,
    quasi_items: bool,
) -> int:
    """Hide the answers (to quasi-identifier items or to the others) whose presence
    would split a class with a hidden condition into parts below k; returns how many
    cells it hid. Quasi-identifier cells change in `records`, in that class (classes
    may merge, so the classes are looked at again). Another item's answers go from
    every row (`hide`): the item's released statistics minus the answers still shown
    would otherwise be the statistics of the few answers hidden."""
    position = {c: j for j, c in enumerate(quasi)}
    dependents = [
        i
        for i in items
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
                d
                for d in dependents
                if d.when is not None
                and key[position[d.when.item]] is SUPPRESSED
                and not (quasi_items and key[position[d.id]] is SUPPRESSED)
                and (members[0], d.id) not in hide
            ]
            while asked and _parts(members, asked, rows) < k:
                # Hide the one whose absence leaves the largest smallest part.
                drop = max(
                    asked,
                    key=lambda d: (
                        _parts(members, [o for o in asked if o is not d], rows),
                        -items.index(d),
                    ),
                )
                asked.remove(drop)
                if quasi_items:
                    for i in members:
                        records[i][position[drop.id]] = SUPPRESSED
                    hidden += len(members)
                    changed = True
                else:
                    # On every row, not only this class's: the item's released figures
                    # minus the answers left on rows would give the few hidden ones.
                    gone = [i for i in range(len(rows)) if (i, drop.id) not in hide]
                    hide.update((i, drop.id) for i in gone)
                    hidden += len(gone)
            if changed:
                break
    return hidden


@dataclass(frozen=True)
class _Anonymous:
    columns: tuple[str, ...]
    quasi: tuple[str, ...]
    cells: list[dict[str, Cell]]  # in the order of the release
    suppressed: int
    withheld: int


def _anonymous(
    m: Methodology, group: str, released: Sequence[ReleasedLike], k: int
) -> _Anonymous | None:
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
        tuple(r.answers.get(c) if c != PROXY else r.proxy for c in quasi) for r in released
    ]
    # Deterministic for one release (its rows come in unit order): two downloads hide
    # the same cells, so that putting them side by side shows nothing more.
    anonymous, suppressed = k_anonymise(original, k)
    records = [list(cast(tuple[Cell, ...], r)) for r in anonymous]
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
    return _Anonymous(tuple(columns), tuple(quasi), built, suppressed, withheld)


def anonymised_answers(
    m: Methodology, group: str, released: Sequence[ReleasedLike], k: int
) -> list[dict[str, Cell]] | None:
    """The released answers as the staff export shows them: every cell the export hides
    is SUPPRESSED (the other answers as they are), in the release's order; None below k
    respondents. A figure about the group's rows by the value of a quasi-identifier (a
    breakdown) computed from these can be derived from the export itself, so it cannot
    link a row whose value the export hides to that value."""
    made = _anonymous(m, group, released, k)
    if made is None:
        return None
    return [{**r.answers, **cells} for r, cells in zip(released, made.cells, strict=True)]


def group_rows(
    m: Methodology, group: str, released: Sequence[ReleasedLike], k: int, rng: random.Random
) -> GroupRows | None:
    """The export rows of one individual group's release; None when it has fewer than
    k respondents (the group is left out, and the file says so)."""
    made = _anonymous(m, group, released, k)
    if made is None:
        return None
    order = list(range(len(made.cells)))
    rng.shuffle(order)
    labels = _labels(group, len(order), rng)
    return GroupRows(
        group=group,
        min_n=max(k, 1),
        columns=made.columns,
        quasi=made.quasi,
        rows=tuple(ExportRow(label, made.cells[i]) for label, i in zip(labels, order, strict=True)),
        suppressed=made.suppressed,
        withheld=made.withheld,
    )


def consensus_rows(
    m: Methodology, group: str, released: Sequence[ReleasedLike]
) -> GroupRows | None:
    """The working group's consensus record as it is (every answered item, free text
    included): it is named, not anonymous. None before there is one."""
    if not m.group(group).is_consensus:
        raise ValueError(f"group {group!r} is not a consensus group")
    if not released:
        return None
    record = released[0].answers
    columns = tuple(
        i.id
        for i in m.questionnaires[group].items
        if is_shown(i, record) and (i.id in record or i.is_scored)
    )
    return GroupRows(
        group=group,
        min_n=1,
        columns=columns,
        quasi=(),
        rows=(ExportRow(CONSENSUS_LABEL, {c: record.get(c) for c in columns}),),
        suppressed=0,
        withheld=0,
    )
