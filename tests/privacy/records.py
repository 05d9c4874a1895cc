"""What the adversary keeps: every figure one viewer fetched, in comparable form.

Each figure records where it was read (`source`: "api", "item-page", "xlsx", ...) and
how precise it is there (full precision for machine outputs, one decimal for people),
so that figures of different outputs and different moments can be set against each
other. An `Observation` is everything fetched at one moment; the adversary keeps all.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

FULL = 1e-6  # machine outputs carry full precision
ONE_DECIMAL = 0.05 + 1e-9  # pages show one decimal
SUPPRESSED = "<suppressed>"  # an export's "suppressed" marker, whatever its wording


@dataclass(frozen=True)
class ItemFigure:
    """One item of one group of one cycle, as one output shows it. `counts` has the
    missing counts ("dk", "na", "blank") and "n" where shown, and one key per scale
    option (its value as text) where the histogram is shown."""

    source: str
    cycle: int
    group: str
    item: str
    counts: Mapping[str, int]
    mean: float | None = None
    precision: float = FULL

    @property
    def has_histogram(self) -> bool:
        return any(k not in ("n", "dk", "na", "blank") for k in self.counts)


@dataclass(frozen=True)
class CellFigure:
    """One cell of a breakdown: item `item` among respondents whose answer to `by` is
    `cell` ("" for no answer); n and mean None where the cell is hidden."""

    source: str
    cycle: int
    by: str
    item: str
    cell: str
    n: int | None
    mean: float | None
    precision: float = ONE_DECIMAL


@dataclass(frozen=True)
class ScoreFigure:
    source: str
    cycle: int
    node: str
    group: str | None  # None: the composite
    score: float | None
    precision: float = FULL


@dataclass(frozen=True)
class ExportRows:
    """One download of answer rows of one group: the rows in file order, each a mapping
    of column to value (SUPPRESSED for the file's marker), and the rows' labels."""

    source: str
    cycle: int
    group: str
    labels: tuple[str, ...]
    rows: tuple[Mapping[str, str], ...]


@dataclass(frozen=True)
class Comments:
    """The comments one output shows for one text item, in the order shown."""

    source: str
    cycle: int
    item: str
    texts: tuple[str, ...]


@dataclass(frozen=True)
class NetStat:
    """One network statistic (node × group, None: composite) of one year as one output
    shows it: only what is shown is in `values` (mean, median, q1, q3, min, max); named
    organisations' scores by organisation id; `own` the viewer's own score (position)."""

    source: str
    network: int
    year: int
    methodology: str
    node: str
    group: str | None
    n_orgs: int | None
    values: Mapping[str, float]
    named: Mapping[int, float] = field(default_factory=dict)
    own: float | None = None
    precision: float = FULL

    @property
    def key(self) -> tuple[int, str, str, str | None]:
        return (self.year, self.methodology, self.node, self.group)


@dataclass(frozen=True)
class Document:
    """A whole output reduced to what it shows (numbers, texts), to tell whether it
    changed while the release it is made from did not."""

    source: str
    scope: str  # what it is about, e.g. "cycle 3"
    digest: str


@dataclass
class Observation:
    """Everything one viewer fetched at one moment (`step`: after which operation)."""

    step: int
    label: str
    items: list[ItemFigure] = field(default_factory=list)
    cells: list[CellFigure] = field(default_factory=list)
    scores: list[ScoreFigure] = field(default_factory=list)
    exports: list[ExportRows] = field(default_factory=list)
    comments: list[Comments] = field(default_factory=list)
    net: list[NetStat] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)
    # What the viewer does not see, kept beside it to judge what it could work out:
    # the release each figure came from, per cycle and group (as the store says).
    releases: dict[tuple[int, str], str] = field(default_factory=dict)
    # Per network statistic (network, year, methodology, node, group): the organisations
    # (id -> value) of the current release it is made from; per network, who consents to
    # be named now, whether one of the release's organisations withdrew, the members.
    net_truth: dict[tuple[int, int, str, str, str | None], dict[int, float]] = field(
        default_factory=dict
    )
    net_named: dict[int, set[int]] = field(default_factory=dict)
    net_withdrawn: dict[int, bool] = field(default_factory=dict)
    net_members: dict[int, set[int]] = field(default_factory=dict)
    own: set[int] = field(default_factory=set)  # the viewer's own organisations
    hidden_comments: frozenset[str] = frozenset()  # hidden by a head before this moment
