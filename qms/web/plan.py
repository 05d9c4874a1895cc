"""The improvement plan of a cycle: actions tied to a criterion with an owner, a due
date, a status and a progress note; proposals from the weakest scores and the
consensus's areas for improvement; open actions of earlier years carried along.

Heads edit, staff read, as the cycle router checks (another organisation's cycle, or an
action this cycle's plan does not show, answers 404). Every change is in the audit log
(qms.store.plan).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template

from qms import i18n
from qms.i18n import N_
from qms.methodology.model import Methodology
from qms.scoring import fmt1
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


@dataclass(frozen=True)
class ActionView:
    action: plan.Action
    criterion_title: str
    status_label: str


@dataclass(frozen=True)
class ProposalView:
    criterion: str
    criterion_title: str
    kind: str
    score: str
    note: str


def _title(methodology: Methodology, node: str, lang: str) -> str:
    try:
        return methodology.node(node).title.get(lang)
    except KeyError:
        return ""


def _criterion_options(methodology: Methodology, lang: str) -> list[tuple[str, str]]:
    options = []
    for c in methodology.criteria:
        options.append((c.id, f"{c.id} {c.title.get(lang)}"))
        options.extend((s.id, f"— {s.id} {s.title.get(lang)}") for s in c.subcriteria)
    return options


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
        lang = here.lang
        methodology = cycle_methodology(here.cycle)
        actions = [
            ActionView(a, _title(methodology, a.criterion, lang), STATUS_LABELS[a.status])
            for a in plan.actions_for_cycle(here.db, here.cycle.id)
        ]
        can_edit = here.principal.can("plan.edit", organisation_id=here.cycle.organisation_id)
        proposals = (
            [
                ProposalView(
                    p.criterion,
                    _title(methodology, p.criterion, lang),
                    p.kind,
                    fmt1(p.score),
                    p.note,
                )
                for p in plan.proposals(here.db, here.cycle)
            ]
            if can_edit
            else []
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
                "cycle": cycles.cycle_info(here.db, here.cycle.id),
                "organisation_id": here.cycle.organisation_id,
                "own": [a for a in actions if not a.action.carried],
                "carried": [a for a in actions if a.action.carried],
                "proposals": proposals,
                "can_edit": can_edit,
                "form": form,
                "edit_form": edit_form or Form(),
                "edit_id": edit_id,
                "criterion_options": _criterion_options(methodology, lang),
                "status_options": list(STATUS_LABELS.items()),
                "status_options_translated": [
                    (k, i18n.gettext(v)) for k, v in STATUS_LABELS.items()
                ],
                "saved": here.request.query_params.get("saved", ""),
                "progress_max": plan.PROGRESS_MAX,
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
