"""A cycle for the people who run it: response rates per group (access codes have their
own page, qms.web.codes).

The cycle's organisation is only known after loading it, so the routes ask for a
signed-in person and the handlers check the organisation (another organisation's cycle
answers 404, like a missing one).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar import Controller, Request, get
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Template
from sqlalchemy.orm import Session

from qms.store import codes, cycles, responses
from qms.store.errors import NotFound
from qms.store.snapshots import cycle_methodology
from qms.web.auth import Principal, requires
from qms.web.i18n import N_
from qms.web.render import page

SIGNED_IN = requires("staff.home")
STATUS_LABELS = {"draft": N_("Draft"), "open": N_("Open"), "closed": N_("Closed")}


@dataclass(frozen=True)
class GroupRow:
    id: str
    title: str
    takes_codes: bool
    issued: int
    started: int
    codes_submitted: int
    web: int
    paper: int
    imported: int
    in_progress: int


class CycleController(Controller):
    def _cycle(self, db: Session, principal: Principal, cycle_id: int, action: str) -> cycles.Cycle:
        try:
            cycle = cycles.get_cycle(db, cycle_id)
        except NotFound:
            raise NotFoundException() from None
        principal.require(action, organisation_id=cycle.organisation_id)
        return cycle

    def _page(
        self,
        request: Request[Any, Any, Any],
        db: Session,
        principal: Principal,
        cycle: cycles.Cycle,
    ) -> Template:
        lang: str = request.state.lang
        methodology = cycle_methodology(cycle)
        counts = codes.code_counts(db, cycle.id)
        totals = responses.response_totals(db, cycle.id)
        by_source = cycles.submitted_by_source(db, cycle.id)
        rows = []
        for group in methodology.groups:
            c = counts.get(group.id, codes.CodeCounts(0, 0, 0))
            sources = by_source.get(group.id, {})
            rows.append(
                GroupRow(
                    id=group.id,
                    title=group.title.get(lang),
                    takes_codes=not group.is_consensus,
                    issued=c.issued,
                    started=c.started,
                    codes_submitted=c.submitted,
                    web=sources.get("web", 0),
                    paper=sources.get("paper", 0),
                    imported=sources.get("import", 0),
                    in_progress=totals.get(group.id, {}).get("in_progress", 0),
                )
            )
        return page(
            "staff/cycle.html",
            {
                "cycle": cycles.cycle_info(db, cycle.id),
                "organisation_id": cycle.organisation_id,
                "methodology_title": methodology.title.get(lang),
                "status_label": STATUS_LABELS.get(cycle.status, cycle.status),
                "rows": rows,
                "can_codes": principal.can(
                    "cycle.codes", organisation_id=cycle.organisation_id
                ),
            },
            request=request,
        )

    @get("/staff/cycles/{cycle_id:int}", name="staff_cycle", opt=SIGNED_IN, sync_to_thread=True)
    def show(
        self,
        request: Request[Any, Any, Any],
        db: NamedDependency[Session],
        principal: NamedDependency[Principal],
        cycle_id: FromPath[int],
    ) -> Template:
        cycle = self._cycle(db, principal, cycle_id, "organisation.view")
        return self._page(request, db, principal, cycle)
