"""The staff area: the home page after sign-in, organisation and network pages, audit log."""

from __future__ import annotations

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.response import Template
from sqlalchemy.orm import Session

from qms.store import audit, cycles, directory
from qms.store.directory import NetworkView, OrganisationView
from qms.web.auth import Principal, requires
from qms.web.deps import HttpRequest
from qms.web.places import STAFF, StaffRequest
from qms.web.render import page


def _page_number(request: HttpRequest) -> int:
    raw = request.query_params.get("page", "1")
    return int(raw) if raw.isdigit() and len(raw) < 7 else 1


Here = NamedDependency[StaffRequest]
Organisation = NamedDependency[OrganisationView]  # the path's, or 404


class StaffController(Controller):
    dependencies = STAFF

    @get("/staff", name="staff", opt=requires("staff.home"), sync_to_thread=True)
    def home(
        self,
        request: HttpRequest,
        db: NamedDependency[Session],
        principal: NamedDependency[Principal],
    ) -> Template:
        org_ids = principal.organisation_ids("organisation.view")
        net_ids = principal.network_ids("network.view")
        organisations = directory.organisation_refs(db, org_ids)
        networks = directory.network_refs(db, net_ids)
        roles_by_org: dict[int, list[str]] = {}
        for grant in principal.grants:
            if grant.organisation_id is not None:
                roles_by_org.setdefault(grant.organisation_id, []).append(grant.role)
        return page(
            "staff/home.html",
            {
                "principal": principal,
                "organisations": organisations,
                "networks": networks,
                "roles_by_org": roles_by_org,
                "audit_orgs": {
                    o.id
                    for o in organisations
                    if principal.can("organisation.audit", organisation_id=o.id)
                },
            },
            request=request,
        )

    @get(
        "/staff/organisations/{organisation_id:int}",
        name="staff_organisation",
        opt=requires("organisation.view", organisation="organisation_id"),
        sync_to_thread=True,
    )
    def organisation(self, here: Here, organisation: Organisation) -> Template:
        principal, org = here.principal, organisation
        return page(
            "staff/organisation.html",
            {
                "organisation": org,
                "roles": [g.role for g in principal.grants if g.organisation_id == org.id],
                "can_audit": principal.can("organisation.audit", organisation_id=org.id),
                "cycles": cycles.organisation_cycles(here.db, org.id),
            },
            request=here.request,
        )

    @get(
        "/staff/networks/{network_id:int}",
        name="staff_network",
        opt=requires("network.view", network="network_id"),
        sync_to_thread=True,
    )
    def network(self, here: Here, network: NamedDependency[NetworkView]) -> Template:
        return page("staff/network.html", {"network": network}, request=here.request)

    @get(
        "/staff/organisations/{organisation_id:int}/audit",
        name="organisation_audit",
        opt=requires("organisation.audit", organisation="organisation_id"),
        sync_to_thread=True,
    )
    def organisation_audit(self, here: Here, organisation: Organisation) -> Template:
        request = here.request
        events = audit.list_events(
            here.db, organisation_id=organisation.id, page=_page_number(request)
        )
        return page(
            "staff/audit.html",
            {"events": events, "organisation": organisation, "base_path": request.url.path},
            request=request,
        )

    @get("/admin/audit", name="admin_audit", opt=requires("admin"), sync_to_thread=True)
    def all_audit(self, request: HttpRequest, db: NamedDependency[Session]) -> Template:
        events = audit.list_events(db, page=_page_number(request))
        return page(
            "staff/audit.html",
            {"events": events, "organisation": None, "base_path": request.url.path},
            request=request,
        )
