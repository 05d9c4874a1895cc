"""A cycle for the people who run it: creating one, opening, closing and reopening it,
and the live response page (access codes have their own page, qms.web.codes).

The cycle pages are routes of the cycle router (qms.web.access), which checks each
one's permission in the cycle's organisation; creating a cycle names its organisation in
the path.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Annotated, Any, cast

import msgspec
from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlalchemy.orm import Session

from qms.i18n import N_
from qms.presentation import cycle as pc
from qms.presentation.context import as_context
from qms.presentation.cycle import GroupRow
from qms.settings import Settings
from qms.store import codes, cycles, snapshots
from qms.store.cycles import Cycle
from qms.store.errors import Conflict, StoreError
from qms.store.snapshots import cycle_methodology
from qms.web.access import CycleRequest, on_cycle
from qms.web.auth import Principal, requires
from qms.web.collections import release_rows
from qms.web.comments import COMMENTS
from qms.web.deps import HttpRequest
from qms.web.forms import (
    WRONG_VALUE,
    Form,
    FormData,
    FormSpec,
    is_htmx,
    one_of,
    read_form,
    rule,
    text,
)
from qms.web.render import page
from qms.web.urls import cycle_path, path_for

MANAGE = "cycle.manage"
REASON_MAX = 500
TARGET_MAX = 100_000
YEAR_ERROR = N_("Enter a year from 2000 to 2100.")
METHODOLOGY_ERROR = N_("Choose a methodology.")
GROUPS_ERROR = N_("Choose at least one group.")
TARGET_ERROR = N_("Enter the target as a whole number from 1 to 100000, or leave it empty.")
DUPLICATE_ERROR = N_("This organisation already has a cycle of this methodology for that year.")
BROKEN_ERROR = N_("This methodology has errors; ask an administrator to check its files.")
CONFIRM_ERROR = N_("Tick the box to confirm that you want to close the cycle.")
REASON_ERROR = N_("Give the reason for reopening (up to 500 characters).")
STATE_ERROR = N_("The cycle has changed meanwhile; look at its status and try again.")


def group_rows(db: Session, cycle: Cycle, lang: str) -> list[GroupRow]:
    """The live table: two grouped queries (codes, responses) and the chosen groups."""
    return pc.group_rows(
        cycle_methodology(cycle),
        codes.code_counts(db, cycle.id),
        cycles.response_breakdown(db, cycle.id),
        cycles.cycle_groups(db, cycle.id),
        lang,
    )


class CloseForm(FormSpec):
    confirm: Annotated[str, rule(CONFIRM_ERROR, pattern=one_of(["yes"]))]


class ReopenForm(FormSpec):
    reason: Annotated[str, rule(REASON_ERROR, min_length=1, max_length=REASON_MAX)]


Ticked = Annotated[str, rule(WRONG_VALUE, pattern=one_of(["yes"]))] | None
Target = Annotated[int, rule(TARGET_ERROR, ge=1, le=TARGET_MAX)] | None


@cache
def new_cycle_form(groups: tuple[str, ...]) -> type[FormSpec]:
    """The new-cycle form for a methodology of these groups: its fixed fields, and a box
    and a target for each group. The groups come from the methodology, so the struct is
    made here (once for each set of groups on disk); a posted name like "group:staff" is
    no identifier, so each field is renamed to it."""
    fields: list[tuple[str, Any, Any]] = [
        ("methodology", Annotated[str, rule(METHODOLOGY_ERROR, min_length=1)], msgspec.NODEFAULT),
        (
            "year",
            Annotated[int, rule(YEAR_ERROR, ge=cycles.YEAR_MIN, le=cycles.YEAR_MAX)],
            msgspec.NODEFAULT,
        ),
    ]
    rename: dict[str, str] = {}
    for n, group in enumerate(groups):
        fields += [(f"group_{n}", Ticked, None), (f"target_{n}", Target, None)]
        rename |= {f"group_{n}": f"group:{group}", f"target_{n}": f"target:{group}"}
    spec = msgspec.defstruct(
        "NewCycleForm", fields, bases=(FormSpec,), rename=rename, module=__name__
    )
    return cast(type[FormSpec], spec)


def _methodologies(settings: Settings) -> list[str]:
    return snapshots.available(Path(settings.questionnaires))


def _new_form_context(
    settings: Settings, organisation: cycles.Organisation, form: Form, lang: str
) -> dict[str, Any]:
    available = _methodologies(settings)
    wanted = form.values.get("methodology") or (
        settings.default_methodology
        if settings.default_methodology in available
        else (available[0] if available else "")
    )
    groups: list[tuple[str, str, bool]] = []
    try:
        snapshot = snapshots.read_snapshot(Path(settings.questionnaires), wanted)
        groups = [(g.id, g.title.get(lang), g.is_consensus) for g in snapshot.methodology.groups]
    except StoreError:
        pass
    return {
        "organisation": organisation,
        "form": form,
        "methodology_options": [(m, m) for m in available],
        "groups": groups,
        "fresh": not form.values,
    }


class CycleController(Controller):
    """A cycle's own page, its live table, and opening, closing and reopening it."""

    def _page(
        self, here: CycleRequest, form: Form | None = None, status_code: int = 200
    ) -> Template:
        org = here.cycle.organisation_id
        can = here.principal.can
        view = pc.cycle_page(
            cycles.cycle_info(here.db, here.cycle.id),
            org,
            cycle_methodology(here.cycle),
            group_rows(here.db, here.cycle, here.lang),
            release_rows(here.db, here.cycle, here.lang),
            pc.CycleActions(
                can_codes=can("cycle.codes", organisation_id=org),
                can_manage=can(MANAGE, organisation_id=org),
                can_compare=can("cycle.compare", organisation_id=org),
                can_plan=can("plan.view", organisation_id=org),
                can_share=can("cycle.share", organisation_id=org),
                can_comments=can(COMMENTS, organisation_id=org),
            ),
            reason_max=REASON_MAX,
            lang=here.lang,
        )
        return page(
            "staff/cycle.html",
            {
                **as_context(view),
                "form": form or Form(),
                "done": here.request.query_params.get("done", ""),
            },
            status_code=status_code,
            request=here.request,
        )

    @get("/", name="staff_cycle", opt=on_cycle("organisation.view"), sync_to_thread=True)
    def show(self, here: NamedDependency[CycleRequest]) -> Template:
        return self._page(here)

    @get(
        "/responses", name="cycle_responses", opt=on_cycle("organisation.view"), sync_to_thread=True
    )
    def responses_fragment(self, here: NamedDependency[CycleRequest]) -> Template | Redirect:
        """Only the table, for htmx to swap in every few seconds; a browser without
        htmx that lands here gets the whole page."""
        if not is_htmx(here.request):
            return Redirect(cycle_path(here, "staff_cycle"), status_code=303)
        return Template(
            template_name="staff/_responses.html",
            context=as_context(
                pc.responses_table(
                    cycles.cycle_info(here.db, here.cycle.id),
                    group_rows(here.db, here.cycle, here.lang),
                )
            ),
        )

    def _change(
        self, here: CycleRequest, change: Callable[[], object], done: str, form: Form
    ) -> Template | Redirect:
        """Make a change of the cycle's state; when another request changed the state
        first, the page again with the message."""
        try:
            change()
        except Conflict:
            here.db.rollback()
            form.error("status", STATE_ERROR)
            return self._page(here, form, 409)
        here.db.commit()
        return Redirect(cycle_path(here, "staff_cycle") + f"?done={done}", status_code=303)

    @post("/open", name="cycle_open", opt=on_cycle(MANAGE), sync_to_thread=True)
    def open(self, here: NamedDependency[CycleRequest]) -> Template | Redirect:
        actor = here.principal.user_id
        return self._change(
            here, lambda: cycles.open_cycle(here.db, here.cycle, actor_id=actor), "opened", Form()
        )

    @post("/close", name="cycle_close", opt=on_cycle(MANAGE), sync_to_thread=True)
    def close(self, here: NamedDependency[CycleRequest], data: FormData) -> Template | Redirect:
        posted, form = read_form(CloseForm, data)
        if posted is None:
            return self._page(here, form, 422)
        actor = here.principal.user_id
        return self._change(
            here, lambda: cycles.close_cycle(here.db, here.cycle, actor_id=actor), "closed", form
        )

    @post("/reopen", name="cycle_reopen", opt=on_cycle(MANAGE), sync_to_thread=True)
    def reopen(self, here: NamedDependency[CycleRequest], data: FormData) -> Template | Redirect:
        posted, form = read_form(ReopenForm, data)
        if posted is None:
            return self._page(here, form, 422)
        if here.cycle.status != "closed":
            form.error("status", STATE_ERROR)
            return self._page(here, form, 409)
        actor, reason = here.principal.user_id, posted.reason
        return self._change(
            here,
            lambda: cycles.reopen_cycle(here.db, here.cycle, actor_id=actor, reason=reason),
            "reopened",
            form,
        )


class NewCycleController(Controller):
    """A new cycle of an organisation (its id is in the path, so the guard checks it)."""

    @get(
        "/staff/organisations/{organisation_id:int}/cycles/new",
        name="cycle_new",
        opt=requires(MANAGE, organisation="organisation_id"),
        sync_to_thread=True,
    )
    def new(
        self,
        request: HttpRequest,
        db: NamedDependency[Session],
        settings: NamedDependency[Settings],
        organisation_id: FromPath[int],
    ) -> Template:
        organisation = cycles.get_organisation(db, organisation_id)
        form = Form()
        if (m := request.query_params.get("methodology")) in _methodologies(settings):
            form.values["methodology"] = m
        return page(
            "staff/cycle_new.html",
            _new_form_context(settings, organisation, form, request.state.lang),
            request=request,
        )

    @post(
        "/staff/organisations/{organisation_id:int}/cycles/new",
        name="cycle_create",
        opt=requires(MANAGE, organisation="organisation_id"),
        sync_to_thread=True,
    )
    def create(
        self,
        request: HttpRequest,
        db: NamedDependency[Session],
        settings: NamedDependency[Settings],
        principal: NamedDependency[Principal],
        organisation_id: FromPath[int],
        data: FormData,
    ) -> Template | Redirect:
        organisation = cycles.get_organisation(db, organisation_id)
        lang: str = request.state.lang
        form = Form()
        snapshot = None
        wanted = text(data, "methodology")
        if wanted not in _methodologies(settings):
            form.error("methodology", METHODOLOGY_ERROR)
        else:
            try:
                snapshot = snapshots.read_snapshot(Path(settings.questionnaires), wanted)
            except StoreError:
                form.error("methodology", BROKEN_ERROR)
        groups = snapshot.methodology.groups if snapshot is not None else ()
        posted, form = read_form(new_cycle_form(tuple(g.id for g in groups)), data, form)
        # A box's wrong value is the group list's message: the table has no place for it.
        for key in [k for k in form.errors if k.startswith("group:")]:
            form.error("groups", form.errors.pop(key))
        ticked = [g.id for g in groups if form.values.get(f"group:{g.id}") == "yes"]
        if snapshot is not None and not ticked:
            form.error("groups", GROUPS_ERROR)
        fields = msgspec.to_builtins(posted) if posted is not None else {}
        chosen = {group: fields.get(f"target:{group}") for group in ticked}
        year = fields.get("year")
        if form.ok and snapshot is not None and isinstance(year, int):
            try:
                made = cycles.create_cycle(
                    db,
                    organisation,
                    year,
                    snapshot,
                    actor_id=principal.user_id,
                    draft=True,
                    groups=chosen,
                )
            except Conflict:
                db.rollback()
                form.error("year", DUPLICATE_ERROR)
            else:
                db.commit()
                return Redirect(
                    path_for(request, "staff_cycle", cycle_id=made.id) + "?done=created",
                    status_code=303,
                )
        return page(
            "staff/cycle_new.html",
            _new_form_context(settings, organisation, form, lang),
            status_code=422,
            request=request,
        )


__all__ = ["CycleController", "GroupRow", "NewCycleController", "group_rows"]
