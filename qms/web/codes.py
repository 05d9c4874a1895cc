"""Access codes of a cycle: batches of single-use codes printed as slips, and open links
with a cap (for a website or a poster).

Heads and staff of the cycle's organisation, as the cycle router checks (another
organisation's cycle answers 404).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Annotated, cast

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromQuery
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Redirect, Template
from sqlalchemy.orm import Session

from qms.i18n import N_
from qms.methodology.model import Group, Methodology
from qms.store import codes, cycles
from qms.store.cycles import Cycle
from qms.store.errors import Conflict, GroupNotInCycle
from qms.store.snapshots import cycle_methodology
from qms.web.access import CycleRequest, on_cycle
from qms.web.deps import HttpRequest
from qms.web.forms import Form, FormData, FormSpec, read_form, rule
from qms.web.render import page
from qms.web.slips import slips_for, slips_pdf
from qms.web.urls import cycle_path

BATCH_MAX = 500
CODES = on_cycle("cycle.codes")
COUNT_ERROR = N_("Enter a whole number from 1 to 500.")
CAP_ERROR = N_("Enter a whole number from 1 to 100000.")
GROUP_ERROR = N_("Choose a group.")
NOT_IN_CYCLE_ERROR = N_("This group does not take part in this cycle: choose one from the list.")
CLOSED_ERROR = N_("This cycle is closed: it takes no new codes.")
NOTHING_LEFT = N_("Every code of this batch has been used: there is nothing left to print.")
CLOSED_PRINT = N_("This cycle is closed: its codes no longer work, so there is nothing to print.")


class BatchForm(FormSpec):
    group: Annotated[str, rule(GROUP_ERROR, min_length=1, max_length=100)]
    count: Annotated[int, rule(COUNT_ERROR, ge=1, le=BATCH_MAX)]


class OpenLinkForm(FormSpec):
    link_group: Annotated[str, rule(GROUP_ERROR, min_length=1, max_length=100)]
    cap: Annotated[int, rule(CAP_ERROR, ge=1, le=codes.OPEN_LINK_MAX_CAP)]


@dataclass(frozen=True)
class GroupCodes:
    id: str
    title: str
    issued: int
    started: int
    submitted: int


@dataclass(frozen=True)
class LinkRow:
    group_title: str
    url: str
    cap: int | None
    uses: int

    @property
    def left(self) -> int | None:
        return None if self.cap is None else max(self.cap - self.uses, 0)


def code_address(request: HttpRequest, code: str) -> str:
    """The absolute URL a code is given out as (a slip, its QR code, an open link)."""
    return request.url_for("answer_intro", code=code)


def _coded_groups(methodology: Methodology) -> dict[str, Group]:
    return {g.id: g for g in methodology.groups if not g.is_consensus}


def _asked_coded_groups(db: Session, cycle: Cycle) -> dict[str, Group]:
    """The groups codes may be made for: those the cycle asks, but the consensus group."""
    asked = cycles.asked_groups(db, cycle)
    return {g: group for g, group in _coded_groups(cycle_methodology(cycle)).items() if g in asked}


def _chosen_group(db: Session, cycle: Cycle, form: Form, name: str) -> Group | None:
    """The group the form's field `name` names, or None with the error set next to it."""
    group = _coded_groups(cycle_methodology(cycle)).get(form.values.get(name, ""))
    if group is None:
        form.error(name, GROUP_ERROR)
    elif not cycles.takes_part(db, cycle, group.id):
        form.error(name, NOT_IN_CYCLE_ERROR)
        return None
    return group


class CodesController(Controller):
    def _page(
        self,
        here: CycleRequest,
        batch_form: Form | None = None,
        link_form: Form | None = None,
        status_code: int = 200,
    ) -> Template:
        lang = here.lang
        # Titles from every group: links made before a group was left out still show.
        groups = _coded_groups(cycle_methodology(here.cycle))
        counts = codes.code_counts(here.db, here.cycle.id)
        rows = []
        for group in _asked_coded_groups(here.db, here.cycle).values():
            c = counts.get(group.id, codes.CodeCounts(0, 0, 0))
            rows.append(
                GroupCodes(group.id, group.title.get(lang), c.issued, c.started, c.submitted)
            )
        links = [
            LinkRow(
                groups[link.group_id].title.get(lang) if link.group_id in groups else link.group_id,
                code_address(here.request, link.code),
                link.cap,
                link.uses,
            )
            for link in codes.open_links(here.db, here.cycle.id)
        ]
        batch_form = batch_form or Form()
        link_form = link_form or Form()
        # Both forms share one page and one error summary: their field names differ.
        errors = Form(errors={**batch_form.errors, **link_form.errors})
        return page(
            "codes/codes.html",
            {
                "cycle": cycles.cycle_info(here.db, here.cycle.id),
                "is_open": here.cycle.status != "closed",
                "rows": rows,
                "links": links,
                "group_options": [(r.id, r.title) for r in rows],
                "batch_form": batch_form,
                "link_form": link_form,
                "errors": errors,
                "batch_max": BATCH_MAX,
            },
            status_code=status_code,
            request=here.request,
        )

    @get("/codes", name="staff_codes", opt=CODES, sync_to_thread=True)
    def show(self, here: NamedDependency[CycleRequest]) -> Template:
        return self._page(here)

    @post("/codes", name="codes_create", opt=CODES, sync_to_thread=True)
    def make_codes(self, here: NamedDependency[CycleRequest], data: FormData) -> Template:
        posted, form = read_form(BatchForm, data)
        group = _chosen_group(here.db, here.cycle, form, "group")
        if here.cycle.status == "closed":
            form.error("count", CLOSED_ERROR)
        made: list[str] = []
        batch = codes.new_batch_id()
        if form.ok and group is not None and posted is not None:
            try:
                made = codes.create_codes(
                    here.db,
                    here.cycle,
                    group.id,
                    posted.count,
                    actor_id=here.principal.user_id,
                    batch=batch,
                )
            except GroupNotInCycle:
                form.error("group", NOT_IN_CYCLE_ERROR)
            except Conflict:
                form.error("count", CLOSED_ERROR)
        if not form.ok or group is None:
            here.db.rollback()
            return self._page(here, batch_form=form, status_code=422)
        here.db.commit()
        lang = here.lang
        return page(
            "staff/slips.html",
            {
                "cycle": cycles.cycle_info(here.db, here.cycle.id),
                "group_title": group.title.get(lang),
                "short_address": here.request.url_for("home"),
                "slips": slips_for(made, partial(code_address, here.request)),
                "pdf_href": cycle_path(here, "codes_slips_pdf") + f"?batch={batch}",
            },
            request=here.request,
        )

    @get("/codes/slips.pdf", name="codes_slips_pdf", opt=CODES, sync_to_thread=True)
    def slips_pdf(
        self, here: NamedDependency[CycleRequest], batch: FromQuery[str] = ""
    ) -> Response[bytes] | Template:
        """The unused codes of one batch as a PDF. The batch id is only on the slips page
        of the person who made it; a used code is left out, and a closed cycle prints
        nothing, since its codes no longer open anything."""
        found = codes.batch_slips(here.db, here.cycle.id, batch)
        if found is None:
            raise NotFoundException()
        info = cycles.cycle_info(here.db, here.cycle.id)
        if here.cycle.status == "closed" or not found.unused:
            return page(
                "codes/nothing_to_print.html",
                {
                    "cycle": info,
                    "message": CLOSED_PRINT if here.cycle.status == "closed" else NOTHING_LEFT,
                },
                status_code=409,
                request=here.request,
            )
        lang = here.lang
        groups = _coded_groups(cycle_methodology(here.cycle))
        engine = cast(JinjaTemplateEngine, here.request.app.template_engine)
        pdf = slips_pdf(
            engine.engine,
            {
                "cycle": info,
                "group_title": groups[found.group_id].title.get(lang)
                if found.group_id in groups
                else found.group_id,
                "short_address": here.request.url_for("home"),
                "slips": slips_for(found.unused, partial(code_address, here.request)),
            },
        )
        filename = f"slips-{info.year}-{found.group_id}-{here.cycle.id}.pdf"
        return Response(
            content=pdf,
            media_type="application/pdf",
            headers={
                "content-disposition": f'attachment; filename="{filename}"',
                "cache-control": "no-store",
            },
        )

    @post("/open-links", name="open_link_create", opt=CODES, sync_to_thread=True)
    def make_open_link(
        self, here: NamedDependency[CycleRequest], data: FormData
    ) -> Template | Redirect:
        posted, form = read_form(OpenLinkForm, data)
        group = _chosen_group(here.db, here.cycle, form, "link_group")
        if here.cycle.status == "closed":
            form.error("cap", CLOSED_ERROR)
        if form.ok and group is not None and posted is not None:
            try:
                codes.create_open_link(
                    here.db, here.cycle, group.id, posted.cap, actor_id=here.principal.user_id
                )
            except GroupNotInCycle:
                form.error("link_group", NOT_IN_CYCLE_ERROR)
            except Conflict:
                form.error("cap", CLOSED_ERROR)
        if not form.ok:
            here.db.rollback()
            return self._page(here, link_form=form, status_code=422)
        # Committed here: a redirect is not a 2xx, so nothing would commit it later.
        here.db.commit()
        return Redirect(cycle_path(here, "staff_codes") + "#open-links", status_code=303)
