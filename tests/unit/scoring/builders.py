"""Terse construction of Methodology objects for scoring tests (no YAML involved).

m = methodology(
    groups=[group("staff", min_n=2)],
    scales=[scale("agree5", 1, 2, 3, 4, 5)],
    criteria=[crit("1", sub("1.1"), sub("1.2", weight=2)), crit("2")],
    items={"staff": [item("s.a", "1.1"), item("s.b", "2", reverse=True)]},
)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from qms.methodology.model import (
    Band,
    ChoiceOption,
    Criterion,
    Group,
    Item,
    Methodology,
    MissingOption,
    Questionnaire,
    Range,
    Scale,
    ScaleOption,
    Section,
    Text,
)
from qms.scoring import ItemCounts


def text(s: str = "x") -> Text:
    return Text.of({"en": s}, "en")


def scale(scale_id: str, *values: int) -> Scale:
    return Scale(
        id=scale_id,
        options=tuple(ScaleOption(v, text(str(v))) for v in values),
        missing=(MissingOption("dk", text("dk")), MissingOption("na", text("na"))),
    )


def range_scale(scale_id: str, lo: int = 0, hi: int = 100, step: int = 10) -> Scale:
    return Scale(id=scale_id, range=Range(lo, hi, step), bands=(Band(lo, hi, text()),))


def group(group_id: str, min_n: int = 1, weight: float = 1.0, consensus: bool = False) -> Group:
    return Group(
        group_id, text(group_id), "consensus" if consensus else "individual", min_n, weight
    )


def sub(node_id: str, weight: float = 1.0) -> Criterion:
    return Criterion(node_id, text(node_id), weight)


def crit(node_id: str, *subs: Criterion, weight: float = 1.0) -> Criterion:
    return Criterion(node_id, text(node_id), weight, tuple(subs))


def item(
    item_id: str,
    criterion: str,
    scale: str = "agree5",
    weight: float = 1.0,
    reverse: bool = False,
    replaces: Sequence[str] = (),
) -> Item:
    return Item(
        id=item_id,
        type="scale",
        text=text(item_id),
        criterion=criterion,
        scale=scale,
        weight=weight,
        reverse=reverse,
        replaces=tuple(replaces),
    )


def choice(item_id: str, *values: str) -> Item:
    return Item(
        id=item_id,
        type="choice",
        text=text(item_id),
        options=tuple(ChoiceOption(v, text(v)) for v in values),
    )


def methodology(
    groups: Iterable[Group],
    scales: Iterable[Scale],
    criteria: Iterable[Criterion],
    items: Mapping[str, Sequence[Item]],
    methodology_id: str = "m",
    version: str = "1",
) -> Methodology:
    groups = tuple(groups)
    return Methodology(
        id=methodology_id,
        version=version,
        title=text(methodology_id),
        languages=("en",),
        groups=groups,
        scales=tuple(scales),
        criteria=tuple(criteria),
        questionnaires={
            g.id: Questionnaire(g.id, (Section("s", text(), tuple(items.get(g.id, ()))),))
            for g in groups
        },
    )


def counts(
    hist: Mapping[int, int] | None = None, dk: int = 0, na: int = 0, blank: int = 0
) -> ItemCounts:
    return ItemCounts(dict(hist or {}), dk=dk, na=na, blank=blank)
