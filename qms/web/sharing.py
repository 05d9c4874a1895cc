"""A head shares a closed cycle with the organisation's networks: named or not, and
can withdraw it. Each change is audit-logged by the store.

Only a head of the cycle's organisation gets here (another organisation's cycle, or a
staff member, answers 404: the cycle router's check); coordinators never see a cycle's
own pages.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.response import Redirect, Template

from qms.i18n import N_
from qms.store import cycles, sharing
from qms.store.errors import Conflict, NotFound
from qms.web.access import CycleRequest, on_cycle
from qms.web.forms import ROW_ID_MAX, Form, FormData, FormSpec, integer, one_of, read_form, rule
from qms.web.render import page
from qms.web.urls import cycle_path

SHARE = on_cycle("cycle.share")
NAMED_ERROR = N_("Choose whether the network may see your organisation's name.")
NETWORK_ERROR = N_("Choose one of your organisation's networks.")
NOT_CLOSED = N_("Only a closed cycle can be shared. Close the cycle first.")
DONE = {
    "shared": N_("The cycle is shared with the network."),
    "withdrawn": N_("The cycle is no longer shared with the network."),
    "unchanged": N_("Nothing changed."),
}


class ShareForm(FormSpec):
    """One network's row of the sharing page; `named` first, next to which the row shows
    a message about the form as a whole."""

    named: Annotated[str, rule(NAMED_ERROR, pattern=one_of(("yes", "no")))] | None = None
    action: Annotated[str, rule(NAMED_ERROR, pattern=one_of(("share", "withdraw")))] = "share"
    network_id: Annotated[int, rule(NETWORK_ERROR, ge=1, le=ROW_ID_MAX)] | None = None


@dataclass(frozen=True)
class ShareRow:
    state: sharing.ShareState
    form: Form


class SharingController(Controller):
    def _page(
        self, here: CycleRequest, forms: dict[int, Form] | None = None, status_code: int = 200
    ) -> Template:
        states = sharing.cycle_shares(here.db, here.cycle)
        forms = forms or {}
        rows = []
        for state in states:
            default = Form(values={"named": "yes" if state.named else "no"} if state.shared else {})
            rows.append(ShareRow(state, forms.get(state.network_id, default)))
        done = here.request.query_params.get("done", "")
        return page(
            "sharing/sharing.html",
            {
                "cycle": cycles.cycle_info(here.db, here.cycle.id),
                "organisation_id": here.cycle.organisation_id,
                "closed": here.cycle.status == "closed",
                "rows": rows,
                "done": DONE.get(done, ""),
                "errors": [
                    (f"#named-{n}-yes" if name == "named" else "#networks", message)
                    for n, f in forms.items()
                    for name, message in f.errors.items()
                ],
            },
            status_code=status_code,
            request=here.request,
        )

    @get("/sharing", name="cycle_sharing", opt=SHARE, sync_to_thread=True)
    def show(self, here: NamedDependency[CycleRequest]) -> Template:
        return self._page(here)

    @post("/sharing", name="cycle_sharing_change", opt=SHARE, sync_to_thread=True)
    def change(self, here: NamedDependency[CycleRequest], data: FormData) -> Template | Redirect:
        posted, form = read_form(ShareForm, data)
        network_id = posted.network_id if posted is not None else integer(data, "network_id")
        mine = {s.network_id for s in sharing.cycle_shares(here.db, here.cycle)}
        if network_id is None or network_id not in mine:
            return self._page(here, {0: Form(errors={"network": NETWORK_ERROR})}, 422)
        if posted is None:
            return self._page(here, {network_id: form}, 422)
        action, named = posted.action, posted.named or ""
        outcome = "unchanged"
        try:
            if action == "withdraw":
                changed = sharing.withdraw_share(
                    here.db, here.cycle, network_id, actor_id=here.principal.user_id
                )
                outcome = "withdrawn" if changed else outcome
            else:
                if named not in ("yes", "no"):
                    form.error("named", NAMED_ERROR)
                if here.cycle.status != "closed":
                    form.error("named", NOT_CLOSED)
                if not form.ok:
                    here.db.rollback()
                    return self._page(here, {network_id: form}, 422)
                changed = sharing.share_cycle(
                    here.db,
                    here.cycle,
                    network_id,
                    named=named == "yes",
                    actor_id=here.principal.user_id,
                )
                outcome = "shared" if changed else outcome
        except (Conflict, NotFound):
            here.db.rollback()
            form.error("named", NOT_CLOSED)
            return self._page(here, {network_id: form}, 422)
        here.db.commit()
        return Redirect(cycle_path(here, "cycle_sharing") + f"?done={outcome}", status_code=303)
