"""Suppression of small cells in a breakdown (METHODOLOGY.md §3.4), pure.

A breakdown splits one item's answers by the options of a choice item. Every cell obeys
the reportability rule of the item itself (n >= min_n of the group), and the hidden
cells together are complemented too: the item's own total is shown elsewhere, so the
total minus the cells shown gives the hidden cells' answers taken together. So cells are
hidden, smallest first, until the hidden ones hold no answers or at least min_n of them
(and never just one informative cell, which alone would be the remainder).

Decisions where §3.4 is silent:
- The respondents who did not answer the choice item form a cell of their own (the
  "no answer" cell): leaving it out would let total minus options recover it.
- A hidden cell with no answers at all (n = 0) protects nothing and reveals nothing by
  subtraction, so it does not count as "the one hidden cell"; and the complement is
  never an empty cell (hiding it would protect nothing either).
- Of equally small candidates the first in the breakdown's order is hidden.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import TypeVar

from qms.methodology.model import Methodology

from .items import ItemCounts, ItemStats, is_reportable, item_stats

K = TypeVar("K", bound=Hashable)


def hidden_cells(sizes: Mapping[K, int], min_n: int) -> frozenset[K]:
    """The cells of one breakdown to hide, given each cell's number of valid answers."""
    hidden = {k for k, n in sizes.items() if not is_reportable(n, min_n)}

    def exposed() -> bool:
        informative = [k for k in hidden if sizes[k] > 0]
        remainder = sum(sizes[k] for k in informative)
        return len(informative) == 1 or 0 < remainder < min_n

    while exposed():
        candidates = [k for k, n in sizes.items() if k not in hidden and n > 0]
        if not candidates:
            break  # nothing shown to subtract from: the total is all there is
        # min() keeps the first of equal sizes: the breakdown's own order decides.
        hidden.add(min(candidates, key=lambda k: sizes[k]))
    return frozenset(hidden)


def breakdown_stats(
    m: Methodology,
    group: str,
    item_id: str,
    cells: Mapping[str, ItemCounts],
    order: Sequence[str] | None = None,
) -> dict[str, ItemStats | None]:
    """Statistics of `item_id` per cell (keyed as `cells`, in `order` when given); None for
    every hidden cell, whether it is small itself or hidden as the complement."""
    keys = list(order) if order is not None else list(cells)
    sizes = {k: cells[k].n if k in cells else 0 for k in keys}
    hide = hidden_cells(sizes, m.group(group).min_n)
    empty = ItemCounts({})
    return {
        k: None if k in hide else item_stats(m, group, item_id, cells.get(k, empty)) for k in keys
    }
