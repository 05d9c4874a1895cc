"""Hypothesis strategies: random methodologies with raw per-respondent answers."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from hypothesis import strategies as st

from qms.methodology.model import Criterion, Group, Item, Methodology, Scale
from qms.scoring import ItemCounts

from .builders import crit, group, item, methodology, range_scale, scale, sub

# An answer: a raw valid value, a missing code, or None for a blank.
Answer = int | str | None

WEIGHTS = st.sampled_from([0.3, 0.5, 1.0, 1.0, 1.0, 2.0, 3.0, 7.5])


@dataclass(frozen=True)
class Case:
    m: Methodology
    # group -> respondent -> item -> answer
    answers: dict[str, dict[str, dict[str, Answer]]]

    def counts(self) -> dict[tuple[str, str], ItemCounts]:
        out: dict[tuple[str, str], ItemCounts] = {}
        for gid, respondents in self.answers.items():
            per_item: dict[str, list[Answer]] = {}
            for row in respondents.values():
                for item_id, answer in row.items():
                    per_item.setdefault(item_id, []).append(answer)
            for item_id, given in per_item.items():
                c = Counter(given)
                hist = {v: k for v, k in c.items() if isinstance(v, int)}
                out[(gid, item_id)] = ItemCounts(hist, dk=c["dk"], na=c["na"], blank=c[None])
        return out

    def valid_answers(self, gid: str) -> dict[str, dict[str, int]]:
        return {
            rid: {i: v for i, v in row.items() if isinstance(v, int)}
            for rid, row in self.answers[gid].items()
        }


@st.composite
def scales(draw: st.DrawFn) -> list[Scale]:
    out = []
    for k in range(draw(st.integers(1, 3))):
        values = draw(st.lists(st.integers(-5, 20), min_size=2, max_size=6, unique=True))
        out.append(scale(f"sc{k}", *sorted(values)))
    if draw(st.booleans()):
        lo, step, steps = draw(st.integers(0, 10)), draw(st.integers(1, 5)), draw(st.integers(1, 6))
        out.append(range_scale("panel", lo, lo + step * steps, step))
    return out


@st.composite
def criteria(draw: st.DrawFn) -> list[Criterion]:
    out = []
    for c in range(1, draw(st.integers(1, 3)) + 1):
        subs = [
            sub(f"{c}.{k}", weight=draw(WEIGHTS)) for k in range(1, draw(st.integers(0, 3)) + 1)
        ]
        out.append(crit(str(c), *subs, weight=draw(WEIGHTS)))
    return out


@st.composite
def cases(draw: st.DrawFn, max_respondents: int = 7) -> Case:
    sc = draw(scales())
    cr = draw(criteria())
    leaves = [leaf.id for c in cr for leaf in c.leaves()]
    groups: list[Group] = [
        group(f"g{k}", min_n=draw(st.integers(1, 4)), weight=draw(WEIGHTS))
        for k in range(draw(st.integers(1, 3)))
    ]
    items: dict[str, list[Item]] = {}
    for g in groups:
        items[g.id] = [
            item(
                f"{g.id}.i{k}",
                draw(st.sampled_from(leaves)),
                scale=draw(st.sampled_from(sc)).id,
                weight=draw(WEIGHTS),
                reverse=draw(st.booleans()),
            )
            for k in range(draw(st.integers(0, 5)))
        ]
    m = methodology(groups, sc, cr, items)
    answers: dict[str, dict[str, dict[str, Answer]]] = {}
    for g in groups:
        respondents: dict[str, dict[str, Answer]] = {}
        for r in range(draw(st.integers(0, max_respondents))):
            row: dict[str, Answer] = {}
            for it in items[g.id]:
                values: list[Answer] = list(m.item_scale(it).values())
                # valid answers twice as likely as the three kinds of missing together
                choices = [*values, *values, "dk", "na", None]
                if draw(st.integers(0, 9)) > 0:  # now and then the row is absent
                    row[it.id] = draw(st.sampled_from(choices))
            respondents[f"r{r}"] = row
        answers[g.id] = respondents
    return Case(m, answers)
