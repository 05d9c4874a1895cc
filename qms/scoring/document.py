"""The JSON document of one cycle's scores, as `qms scores --format json` prints it and
the API serves it (DESIGN.md's contract), so both say exactly the same thing."""

from __future__ import annotations

from typing import Any, Protocol

from .cycle import CycleScores

# DESIGN.md's contract: exactly these keys, whatever else CycleScores may carry.
ITEM_KEYS = (
    "group",
    "item",
    "n",
    "dk",
    "na",
    "blank",
    "mean",
    "sd",
    "top_box",
    "histogram",
    "reportable",
)
SCORE_KEYS = ("node", "group", "score", "groups")


class CycleHeader(Protocol):
    """What the document says about the cycle (qms.store.cycles.CycleInfo has it)."""

    @property
    def id(self) -> int: ...
    @property
    def organisation(self) -> str: ...
    @property
    def year(self) -> int: ...
    @property
    def methodology(self) -> str: ...
    @property
    def version(self) -> str: ...
    @property
    def status(self) -> str: ...


def scores_document(
    cycle: CycleHeader, scores: CycleScores, source: str = "release"
) -> dict[str, Any]:
    """`source` says what the figures rest on: "release" (a cycle's current releases,
    what every page shows) or "live" (an operator's look at an open cycle)."""
    result = scores.to_dict()
    return {
        "cycle": {
            "id": cycle.id,
            "organisation": cycle.organisation,
            "year": cycle.year,
            "methodology": cycle.methodology,
            "version": cycle.version,
            "status": cycle.status,
        },
        "source": source,
        "items": [{k: item[k] for k in ITEM_KEYS} for item in result["items"]],
        "scores": [{k: score[k] for k in SCORE_KEYS} for score in result["scores"]],
        "overall": {
            "composite": result["overall"]["composite"],
            "by_group": dict(result["overall"]["by_group"]),
        },
    }
