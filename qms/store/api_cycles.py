"""What the JSON API lists about cycles: every visible cycle in one query."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from qms.store.models import Cycle, Organisation, Release


@dataclass(frozen=True)
class CycleListing:
    id: int
    organisation_id: int
    organisation: str
    year: int
    methodology: str
    version: str
    status: str
    results_published_at: datetime | None
    released: bool  # some group has a release: the cycle has figures to read


def visible_cycles(
    session: Session, organisation_ids: Collection[int] | None
) -> list[CycleListing]:
    """The cycles of the given organisations (None: of all), by organisation, year and
    methodology."""
    if organisation_ids is not None and not organisation_ids:
        return []
    query = (
        select(
            Cycle.id,
            Cycle.organisation_id,
            Organisation.name,
            Cycle.year,
            Cycle.methodology_id,
            Cycle.methodology_version,
            Cycle.status,
            Cycle.results_published_at,
            exists().where(Release.cycle_id == Cycle.id),
        )
        .join(Organisation, Organisation.id == Cycle.organisation_id)
        .order_by(Organisation.name, Cycle.year, Cycle.methodology_id)
    )
    if organisation_ids is not None:
        query = query.where(Cycle.organisation_id.in_(list(organisation_ids)))
    return [CycleListing(*row[:-1], released=bool(row[-1])) for row in session.execute(query)]
