"""A cycle for the people who run it: response rates per group, and batches of access
codes printed as slips.

The cycle's organisation is only known after loading it, so the routes ask for a
signed-in person and the handlers check the organisation (another organisation's cycle
answers 404, like a missing one).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from typing import Any

import segno
from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Template
from markupsafe import Markup
from sqlalchemy.orm import Session

from qms.store import codes, cycles, responses
from qms.store.errors import Conflict, NotFound
from qms.store.snapshots import cycle_methodology
from qms.web.auth import Principal, requires
from qms.web.forms import Form, FormData, integer, text
from qms.web.i18n import N_
from qms.web.render import page

BATCH_MAX = 500
SIGNED_IN = requires("staff.home")
COUNT_ERROR = N_("Enter a whole number from 1 to 500.")
GROUP_ERROR = N_("Choose a group.")
CLOSED_ERROR = N_("This cycle is closed: it takes no new codes.")
STATUS_LABELS = {"draft": N_("Draft"), "open": N_("Open"), "closed": N_("Closed")}
_XML_DECLARATION = re.compile(r"^<\?xml[^>]*\?>\s*")


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


@dataclass(frozen=True)
class Slip:
    code: str
    qr: Markup


def qr_svg(url: str) -> Markup:
    """An inline SVG QR code of `url`: one path, no style attributes, no script."""
    buffer = io.BytesIO()
    segno.make(url, error="m").save(
        buffer, kind="svg", xmldecl=False, svgns=True, border=2, omitsize=True,
        svgclass="qr", lineclass=None,
    )
    svg = _XML_DECLARATION.sub("", buffer.getvalue().decode("ascii"))
    svg = svg.replace("<svg ", '<svg aria-hidden="true" focusable="false" ', 1)
    # Safe: the markup is segno's own, and the URL only becomes path data (black modules),
    # never text, so nothing from the request can reach the page as markup.
    return Markup(svg)  # noqa: S704


def _origin(request: Request[Any, Any, Any]) -> str:
    return str(request.base_url).rstrip("/")


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
        form: Form,
        status_code: int = 200,
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
                "group_options": [(r.id, r.title) for r in rows if r.takes_codes],
                "can_make_codes": cycle.status != "closed"
                and principal.can("cycle.codes", organisation_id=cycle.organisation_id),
                "form": form,
                "batch_max": BATCH_MAX,
            },
            status_code=status_code,
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
        return self._page(request, db, principal, cycle, Form())

    @post("/staff/cycles/{cycle_id:int}/codes", opt=SIGNED_IN, sync_to_thread=True)
    def make_codes(
        self,
        request: Request[Any, Any, Any],
        db: NamedDependency[Session],
        principal: NamedDependency[Principal],
        cycle_id: FromPath[int],
        data: FormData,
    ) -> Template:
        cycle = self._cycle(db, principal, cycle_id, "cycle.codes")
        form = Form(values={"group": text(data, "group"), "count": text(data, "count")})
        methodology = cycle_methodology(cycle)
        groups = {g.id: g for g in methodology.groups if not g.is_consensus}
        group = groups.get(form.values["group"])
        count = integer(data, "count")
        if group is None:
            form.error("group", GROUP_ERROR)
        if count is None or not 1 <= count <= BATCH_MAX:
            form.error("count", COUNT_ERROR)
        if cycle.status == "closed":
            form.error("count", CLOSED_ERROR)
        made: list[str] = []
        if form.ok and group is not None and count is not None:
            try:
                made = codes.create_codes(db, cycle, group.id, count, actor_id=principal.user_id)
            except Conflict:
                form.error("count", CLOSED_ERROR)
        if not form.ok or group is None:
            db.rollback()
            return self._page(request, db, principal, cycle, form, 422)
        db.commit()
        lang: str = request.state.lang
        origin = _origin(request)
        info = cycles.cycle_info(db, cycle.id)
        return page(
            "staff/slips.html",
            {
                "cycle": info,
                "group_title": group.title.get(lang),
                "short_address": origin + "/",
                "slips": [Slip(code, qr_svg(f"{origin}/a/{code}")) for code in made],
            },
            request=request,
        )
