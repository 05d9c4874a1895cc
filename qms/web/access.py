"""Objects whose organisation is known only once loaded: load, then ask the one table.

A missing cycle and another organisation's cycle both answer 404, so nobody learns that
someone else's cycle exists.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from qms.store import cycles
from qms.web.auth import Principal


def cycle_for(db: Session, principal: Principal, cycle_id: int, action: str) -> cycles.Cycle:
    """The cycle, when `principal` may do `action` in its organisation; 404 otherwise."""
    cycle = cycles.get_cycle(db, cycle_id)
    principal.require(action, organisation_id=cycle.organisation_id)
    return cycle
