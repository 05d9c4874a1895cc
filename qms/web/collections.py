"""Collections group by group (METHODOLOGY.md §5.2): a head closes one group's
collection ahead of the cycle, so that the working group sees that survey's released
results while it agrees its consensus, and may let it collect again.

Closing makes the group's release (or keeps the last one when fewer than the group's
minimum of responses changed); the cycle page shows, per group, which release the
figures come from and how many changes wait for the next one.
"""

from __future__ import annotations

from dataclasses import dataclass

from litestar import Controller, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect
from sqlalchemy.orm import Session

from qms.presentation.text import local_time
from qms.store import cycles, releases
from qms.store.cycles import Cycle
from qms.store.errors import Conflict
from qms.store.snapshots import cycle_methodology
from qms.web.access import CycleRequest, on_cycle
from qms.web.urls import cycle_path

MANAGE = on_cycle("cycle.manage")


@dataclass(frozen=True)
class ReleaseRow:
    """One group's line in the cycle page's release table."""

    id: str
    title: str
    released: bool
    seq: int | None
    respondents: int
    released_at: str
    waiting: int
    collecting: bool
    can_close: bool  # an individual group collecting in an open cycle


def release_rows(db: Session, cycle: Cycle, lang: str) -> list[ReleaseRow]:
    m = cycle_methodology(cycle)
    states = releases.release_states(db, cycle, cycles.asked_groups(db, cycle))
    rows = []
    for group_id, state in states.items():
        group = m.group(group_id)
        rows.append(
            ReleaseRow(
                id=group_id,
                title=group.title.get(lang),
                released=state.released,
                seq=state.seq,
                respondents=state.respondents,
                released_at=local_time(state.released_at),
                waiting=state.waiting,
                collecting=state.collecting,
                can_close=cycle.status == "open" and not group.is_consensus,
            )
        )
    return rows


def _group_of(db: Session, cycle: Cycle, group_id: str) -> str:
    if group_id not in cycles.asked_groups(db, cycle):
        raise NotFoundException()
    return group_id


class CollectionController(Controller):
    @post("/groups/{group_id:str}/close", name="group_close", opt=MANAGE, sync_to_thread=True)
    def close(self, here: NamedDependency[CycleRequest], group_id: FromPath[str]) -> Redirect:
        group = _group_of(here.db, here.cycle, group_id)
        try:
            outcome = releases.close_group(
                here.db,
                here.cycle,
                group,
                asked=cycles.asked_groups(here.db, here.cycle),
                actor_id=here.principal.user_id,
            )
        except Conflict:
            here.db.rollback()
            return Redirect(
                cycle_path(here, "staff_cycle") + "?done=group-unchanged#releases", status_code=303
            )
        here.db.commit()
        done = "group-released" if outcome.released else "group-kept"
        return Redirect(cycle_path(here, "staff_cycle") + f"?done={done}#releases", status_code=303)

    @post("/groups/{group_id:str}/reopen", name="group_reopen", opt=MANAGE, sync_to_thread=True)
    def reopen(self, here: NamedDependency[CycleRequest], group_id: FromPath[str]) -> Redirect:
        group = _group_of(here.db, here.cycle, group_id)
        try:
            releases.reopen_group(here.db, here.cycle, group, actor_id=here.principal.user_id)
        except Conflict:
            here.db.rollback()
            return Redirect(
                cycle_path(here, "staff_cycle") + "?done=group-unchanged#releases", status_code=303
            )
        here.db.commit()
        return Redirect(
            cycle_path(here, "staff_cycle") + "?done=group-reopened#releases", status_code=303
        )
