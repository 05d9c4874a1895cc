"""The improvement plan of a cycle: actions tied to a criterion with an owner, a due
date, a status and a progress note; proposals from the weakest scores and the
consensus's areas for improvement; open actions of earlier years carried along.

Heads edit, staff read, as the cycle router checks (another organisation's cycle, or an
action this cycle's plan does not show, answers 404). Every change is in the audit log
(qms.store.plan).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template

from qms.i18n import N_
from qms.presentation.context import as_context
from qms.presentation.plan import criterion_options as _criterion_options
from qms.presentation.plan import plan_page
from qms.store import cycles, plan
from qms.store.errors import StoreError
from qms.store.snapshots import cycle_methodology
from qms.web.access import CycleRequest, on_cycle
from qms.web.forms import Form, FormData, FormSpec, one_of, read_form, rule
from qms.web.render import page
from qms.web.urls import cycle_path

EDIT = on_cycle("plan.edit")
STATUS_LABELS = {
    "planned": N_("Planned"),
    "in_progress": N_("Under way"),
    "done": N_("Done"),
    "dropped": N_("Dropped"),
}
CRITERION_ERROR = N_("Choose a criterion.")
TITLE_ERROR = N_("Describe the action (up to 300 characters).")
OWNER_ERROR = N_("The owner's name can have up to 200 characters.")
DUE_ERROR = N_("Enter the due date as YYYY-MM-DD, for example 2026-06-30.")
STATUS_ERROR = N_("Choose a status.")
PROGRESS_ERROR = N_("The progress note can have up to 2000 characters.")


class ActionChange(FormSpec):
    """What editing an action changes; the limits are the store's."""

    status: Annotated[str, rule(STATUS_ERROR, pattern=one_of(plan.ACTION_STATUSES))]
    owner: Annotated[str, rule(OWNER_ERROR, max_length=plan.OWNER_MAX)] = ""
    due: Annotated[date, rule(DUE_ERROR)] | None = None
    progress: Annotated[str, rule(PROGRESS_ERROR, max_length=plan.PROGRESS_MAX)] = ""


class NewAction(FormSpec):
    """A new action; the criterion is checked against the cycle's methodology after."""

    criterion: Annotated[str, rule(CRITERION_ERROR, min_length=1)]
    title: Annotated[str, rule(TITLE_ERROR, min_length=1, max_length=plan.TITLE_MAX)]
    status: Annotated[str, rule(STATUS_ERROR, pattern=one_of(plan.ACTION_STATUSES))]
    owner: Annotated[str, rule(OWNER_ERROR, max_length=plan.OWNER_MAX)] = ""
    due: Annotated[date, rule(DUE_ERROR)] | None = None


class PlanController(Controller):
    def _page(
        self,
        here: CycleRequest,
        form: Form | None = None,
        *,
        edit_form: Form | None = None,
        edit_id: int | None = None,
        status_code: int = 200,
    ) -> Template:
        can_edit = here.principal.can("plan.edit", organisation_id=here.cycle.organisation_id)
        view = plan_page(
            cycles.cycle_info(here.db, here.cycle.id),
            here.cycle.organisation_id,
            cycle_methodology(here.cycle),
            plan.actions_for_cycle(here.db, here.cycle.id),
            plan.proposals(here.db, here.cycle) if can_edit else [],
            STATUS_LABELS,
            can_edit=can_edit,
            saved=here.request.query_params.get("saved", ""),
            lang=here.lang,
        )
        if form is None:
            form = Form(
                values={
                    "criterion": here.request.query_params.get("criterion", ""),
                    "title": here.request.query_params.get("title", "")[: plan.TITLE_MAX],
                    "status": "planned",
                }
            )
        return page(
            "plan/plan.html",
            {
                **as_context(view),
                "form": form,
                "edit_form": edit_form or Form(),
                "edit_id": edit_id,
            },
            status_code=status_code,
            request=here.request,
        )

    @get("/plan", name="cycle_plan", opt=on_cycle("plan.view"), sync_to_thread=True)
    def show(self, here: NamedDependency[CycleRequest]) -> Template:
        return self._page(here)

    @post("/plan", name="plan_action_add", opt=EDIT, sync_to_thread=True)
    def add(self, here: NamedDependency[CycleRequest], data: FormData) -> Template | Redirect:
        new, form = read_form(NewAction, data)
        methodology = cycle_methodology(here.cycle)
        if form.values.get("criterion") not in {
            o for o, _ in _criterion_options(methodology, "en")
        }:
            form.error("criterion", CRITERION_ERROR)
        if new is not None and form.ok:
            try:
                made = plan.add_action(
                    here.db,
                    here.cycle,
                    criterion=new.criterion,
                    title=new.title,
                    owner=new.owner,
                    due=new.due,
                    status=new.status,
                    actor_id=here.principal.user_id,
                )
            except StoreError:
                here.db.rollback()
                form.error("title", TITLE_ERROR)
            else:
                here.db.commit()
                return Redirect(
                    cycle_path(here, "cycle_plan") + f"?saved={made}#action-{made}",
                    status_code=303,
                )
        return self._page(here, form, status_code=422)

    @post("/plan/actions/{action_id:int}", name="plan_action_update", opt=EDIT, sync_to_thread=True)
    def update(
        self, here: NamedDependency[CycleRequest], action_id: FromPath[int], data: FormData
    ) -> Template | Redirect:
        # Only an action this cycle's plan shows (its own or carried) is edited here.
        if action_id not in {a.id for a in plan.actions_for_cycle(here.db, here.cycle.id)}:
            raise NotFoundException()
        change, form = read_form(ActionChange, data)
        if change is not None:
            plan.update_action(
                here.db,
                action_id,
                status=change.status,
                progress=change.progress,
                owner=change.owner,
                due=change.due,
                actor_id=here.principal.user_id,
            )
            here.db.commit()
            return Redirect(
                cycle_path(here, "cycle_plan") + f"?saved={action_id}#action-{action_id}",
                status_code=303,
            )
        return self._page(here, edit_form=form, edit_id=action_id, status_code=422)
