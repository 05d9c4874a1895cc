"""The in-memory model of a methodology (METHODOLOGY.md §2), immutable once loaded.

The loader builds these objects only from files that passed validation, so the
model can assume references resolve and values have the right types.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

ItemType = Literal["scale", "choice", "multi", "text", "number"]
GroupMode = Literal["consensus", "individual"]
MissingCode = Literal["dk", "na"]
MISSING_CODES: tuple[MissingCode, ...] = ("dk", "na")


@dataclass(frozen=True)
class Text:
    """A text in several languages; `get` falls back to the default language."""

    values: Mapping[str, str]
    default: str

    def get(self, lang: str) -> str:
        return self.values.get(lang) or self.values[self.default]

    @classmethod
    def of(cls, values: Mapping[str, str], default: str) -> Text:
        return cls(MappingProxyType(dict(values)), default)


@dataclass(frozen=True)
class Group:
    id: str
    title: Text
    mode: GroupMode
    min_n: int
    weight: float = 1.0

    @property
    def is_consensus(self) -> bool:
        return self.mode == "consensus"


@dataclass(frozen=True)
class ScaleOption:
    value: int
    label: Text


@dataclass(frozen=True)
class MissingOption:
    code: MissingCode
    label: Text


@dataclass(frozen=True)
class Band:
    low: int  # `from` in the file
    high: int  # `to` in the file
    label: Text

    def contains(self, value: int) -> bool:
        return self.low <= value <= self.high


@dataclass(frozen=True)
class Range:
    min: int
    max: int
    step: int

    def values(self) -> tuple[int, ...]:
        return tuple(range(self.min, self.max + 1, self.step))


@dataclass(frozen=True)
class Scale:
    """Either a list of integer options or a stepped range with bands."""

    id: str
    options: tuple[ScaleOption, ...] = ()
    missing: tuple[MissingOption, ...] = ()
    range: Range | None = None
    bands: tuple[Band, ...] = ()

    @property
    def is_range(self) -> bool:
        return self.range is not None

    def values(self) -> tuple[int, ...]:
        """Every valid raw value, lowest first."""
        if self.range is not None:
            return self.range.values()
        return tuple(o.value for o in self.options)

    @property
    def lo(self) -> int:
        return self.range.min if self.range is not None else self.options[0].value

    @property
    def hi(self) -> int:
        return self.range.max if self.range is not None else self.options[-1].value

    def is_valid(self, value: int) -> bool:
        if self.range is not None:
            r = self.range
            return r.min <= value <= r.max and (value - r.min) % r.step == 0
        return any(o.value == value for o in self.options)

    def missing_codes(self) -> tuple[MissingCode, ...]:
        return tuple(m.code for m in self.missing)

    def band_for(self, value: int) -> Band | None:
        return next((b for b in self.bands if b.contains(value)), None)


@dataclass(frozen=True)
class ChoiceOption:
    value: str  # choice values are compared as text
    label: Text


@dataclass(frozen=True)
class When:
    item: str
    values: tuple[str, ...]  # `in` in the file, as text


@dataclass(frozen=True)
class Item:
    id: str
    type: ItemType
    text: Text
    criterion: str | None = None
    scale: str | None = None
    easy_read: Text | None = None
    help: Text | None = None
    reverse: bool = False
    weight: float = 1.0
    required: bool = False
    when: When | None = None
    replaces: tuple[str, ...] = ()
    options: tuple[ChoiceOption, ...] = ()
    min: float | None = None  # number items
    max: float | None = None
    unit: Text | None = None
    max_length: int | None = None  # text items

    @property
    def is_scored(self) -> bool:
        return self.type == "scale"


@dataclass(frozen=True)
class Section:
    id: str
    title: Text
    items: tuple[Item, ...]


@dataclass(frozen=True)
class Questionnaire:
    group: str
    sections: tuple[Section, ...]
    intro: Text | None = None

    @property
    def items(self) -> tuple[Item, ...]:
        return tuple(i for s in self.sections for i in s.items)


@dataclass(frozen=True)
class Criterion:
    id: str
    title: Text
    weight: float = 1.0
    subcriteria: tuple[Criterion, ...] = ()

    @property
    def is_leaf(self) -> bool:
        return not self.subcriteria

    def leaves(self) -> tuple[Criterion, ...]:
        return self.subcriteria or (self,)


@dataclass(frozen=True)
class Methodology:
    id: str
    version: str
    title: Text
    languages: tuple[str, ...]
    groups: tuple[Group, ...]
    scales: tuple[Scale, ...]
    criteria: tuple[Criterion, ...]
    questionnaires: Mapping[str, Questionnaire]
    # Derived lookups, built once in __post_init__ because the model is frozen.
    _items: Mapping[str, Item] = field(init=False, repr=False, compare=False)
    _item_group: Mapping[str, str] = field(init=False, repr=False, compare=False)
    _nodes: Mapping[str, Criterion] = field(init=False, repr=False, compare=False)
    _parent: Mapping[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        items: dict[str, Item] = {}
        item_group: dict[str, str] = {}
        for gid, q in self.questionnaires.items():
            for it in q.items:
                items[it.id] = it
                item_group[it.id] = gid
        nodes: dict[str, Criterion] = {}
        parent: dict[str, str] = {}
        for c in self.criteria:
            nodes[c.id] = c
            for s in c.subcriteria:
                nodes[s.id] = s
                parent[s.id] = c.id
        object.__setattr__(self, "_items", MappingProxyType(items))
        object.__setattr__(self, "_item_group", MappingProxyType(item_group))
        object.__setattr__(self, "_nodes", MappingProxyType(nodes))
        object.__setattr__(self, "_parent", MappingProxyType(parent))

    @property
    def default_language(self) -> str:
        return self.languages[0]

    def group(self, group_id: str) -> Group:
        return next(g for g in self.groups if g.id == group_id)

    def scale(self, scale_id: str) -> Scale:
        return next(s for s in self.scales if s.id == scale_id)

    def item(self, item_id: str) -> Item:
        return self._items[item_id]

    def has_item(self, item_id: str) -> bool:
        return item_id in self._items

    def item_group(self, item_id: str) -> str:
        return self._item_group[item_id]

    def items(self) -> Iterator[Item]:
        return iter(self._items.values())

    def node(self, node_id: str) -> Criterion:
        """A criterion or sub-criterion by id."""
        return self._nodes[node_id]

    def criterion_of(self, leaf_id: str) -> Criterion:
        """The top-level criterion a leaf belongs to (itself when it has no parent)."""
        return self._nodes[self._parent.get(leaf_id, leaf_id)]

    def leaves(self) -> tuple[Criterion, ...]:
        return tuple(leaf for c in self.criteria for leaf in c.leaves())

    def item_scale(self, item: Item) -> Scale:
        if item.scale is None:
            raise ValueError(f"item {item.id} has no scale")
        return self.scale(item.scale)
