"""Admin pages for organisations and networks, and which organisations belong to which network."""

from __future__ import annotations

from collections.abc import Callable

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlalchemy.orm import Session

from qms.i18n import N_
from qms.store import directory
from qms.store.directory import DuplicateName, InvalidName
from qms.store.errors import NotFound
from qms.web.auth import Principal, requires
from qms.web.deps import HttpRequest
from qms.web.forms import Form, FormData, integer, text
from qms.web.render import page
from qms.web.urls import path_for

ADMIN = requires("admin")
NAME_ERRORS = {
    "empty": N_("Enter a name."),
    "too_long": N_("The name can have at most 200 characters."),
}
DUPLICATE_ORGANISATION = N_("An organisation with this name already exists.")
DUPLICATE_NETWORK = N_("A network with this name already exists.")


def _save_name(form: Form, duplicate: str, action: Callable[[str], object]) -> None:
    try:
        action(form.values["name"])
    except InvalidName as bad:
        form.error("name", NAME_ERRORS[bad.reason])
    except DuplicateName:
        form.error("name", duplicate)


class AdminDirectoryController(Controller):
    @get("/admin", name="admin", opt=ADMIN, sync_to_thread=False)
    def index(self, request: HttpRequest) -> Redirect:
        return Redirect(path=path_for(request, "admin_organisations"), status_code=303)

    # -- organisations -------------------------------------------------------------

    def _organisations_page(
        self, request: HttpRequest, db: Session, form: Form, status_code: int = 200
    ) -> Template:
        return page(
            "admin/organisations.html",
            {"organisations": directory.list_organisations(db), "form": form},
            status_code=status_code,
            request=request,
        )

    @get("/admin/organisations", name="admin_organisations", opt=ADMIN, sync_to_thread=True)
    def organisations(self, request: HttpRequest, db: NamedDependency[Session]) -> Template:
        return self._organisations_page(request, db, Form())

    @post("/admin/organisations", name="admin_organisation_create", opt=ADMIN, sync_to_thread=True)
    def create_organisation(
        self,
        request: HttpRequest,
        db: NamedDependency[Session],
        principal: NamedDependency[Principal],
        data: FormData,
    ) -> Template | Redirect:
        form = Form(values={"name": text(data, "name")})
        created: list[int] = []
        _save_name(
            form,
            DUPLICATE_ORGANISATION,
            lambda name: created.append(
                directory.create_organisation(db, name, actor_id=principal.user_id)
            ),
        )
        if not form.ok:
            db.rollback()
            return self._organisations_page(request, db, form, 422)
        db.commit()
        return Redirect(
            path=path_for(request, "admin_organisation", organisation_id=created[0]),
            status_code=303,
        )

    def _organisation_page(
        self,
        request: HttpRequest,
        db: Session,
        organisation_id: int,
        form: Form | None = None,
        status_code: int = 200,
    ) -> Template:
        org = directory.organisation(db, organisation_id)
        if org is None:
            raise NotFoundException()
        joined = {n.id for n in org.networks}
        return page(
            "admin/organisation.html",
            {
                "organisation": org,
                "form": form or Form(values={"name": org.name}),
                "other_networks": [n for n in directory.network_refs(db) if n.id not in joined],
                "pick_form": Form(),
            },
            status_code=status_code,
            request=request,
        )

    @get(
        "/admin/organisations/{organisation_id:int}",
        name="admin_organisation",
        opt=ADMIN,
        sync_to_thread=True,
    )
    def organisation(
        self,
        request: HttpRequest,
        db: NamedDependency[Session],
        organisation_id: FromPath[int],
    ) -> Template:
        return self._organisation_page(request, db, organisation_id)

    @post(
        "/admin/organisations/{organisation_id:int}",
        name="admin_organisation_rename",
        opt=ADMIN,
        sync_to_thread=True,
    )
    def rename_organisation(
        self,
        request: HttpRequest,
        db: NamedDependency[Session],
        principal: NamedDependency[Principal],
        organisation_id: FromPath[int],
        data: FormData,
    ) -> Template | Redirect:
        form = Form(values={"name": text(data, "name")})
        _save_name(
            form,
            DUPLICATE_ORGANISATION,
            lambda name: directory.rename_organisation(
                db, organisation_id, name, actor_id=principal.user_id
            ),
        )
        if not form.ok:
            db.rollback()
            return self._organisation_page(request, db, organisation_id, form, 422)
        db.commit()
        return Redirect(
            path=path_for(request, "admin_organisation", organisation_id=organisation_id),
            status_code=303,
        )

    @post(
        "/admin/organisations/{organisation_id:int}/networks",
        name="admin_organisation_network_join",
        opt=ADMIN,
        sync_to_thread=True,
    )
    def join_network(
        self,
        request: HttpRequest,
        db: NamedDependency[Session],
        principal: NamedDependency[Principal],
        organisation_id: FromPath[int],
        data: FormData,
    ) -> Redirect:
        return _change_membership(
            db,
            principal,
            integer(data, "network_id"),
            organisation_id,
            add=True,
            back=path_for(request, "admin_organisation", organisation_id=organisation_id),
        )

    @post(
        "/admin/organisations/{organisation_id:int}/networks/{network_id:int}/remove",
        name="admin_organisation_network_leave",
        opt=ADMIN,
        sync_to_thread=True,
    )
    def leave_network(
        self,
        request: HttpRequest,
        db: NamedDependency[Session],
        principal: NamedDependency[Principal],
        organisation_id: FromPath[int],
        network_id: FromPath[int],
    ) -> Redirect:
        return _change_membership(
            db,
            principal,
            network_id,
            organisation_id,
            add=False,
            back=path_for(request, "admin_organisation", organisation_id=organisation_id),
        )

    # -- networks ------------------------------------------------------------------

    def _networks_page(
        self, request: HttpRequest, db: Session, form: Form, status_code: int = 200
    ) -> Template:
        return page(
            "admin/networks.html",
            {"networks": directory.list_networks(db), "form": form},
            status_code=status_code,
            request=request,
        )

    @get("/admin/networks", name="admin_networks", opt=ADMIN, sync_to_thread=True)
    def networks(self, request: HttpRequest, db: NamedDependency[Session]) -> Template:
        return self._networks_page(request, db, Form())

    @post("/admin/networks", name="admin_network_create", opt=ADMIN, sync_to_thread=True)
    def create_network(
        self,
        request: HttpRequest,
        db: NamedDependency[Session],
        principal: NamedDependency[Principal],
        data: FormData,
    ) -> Template | Redirect:
        form = Form(values={"name": text(data, "name")})
        created: list[int] = []
        _save_name(
            form,
            DUPLICATE_NETWORK,
            lambda name: created.append(
                directory.create_network(db, name, actor_id=principal.user_id)
            ),
        )
        if not form.ok:
            db.rollback()
            return self._networks_page(request, db, form, 422)
        db.commit()
        return Redirect(
            path=path_for(request, "admin_network", network_id=created[0]), status_code=303
        )

    def _network_page(
        self,
        request: HttpRequest,
        db: Session,
        network_id: int,
        form: Form | None = None,
        status_code: int = 200,
    ) -> Template:
        net = directory.network(db, network_id)
        if net is None:
            raise NotFoundException()
        members = {o.id for o in net.members}
        return page(
            "admin/network.html",
            {
                "network": net,
                "form": form or Form(values={"name": net.name}),
                "other_organisations": [
                    o for o in directory.organisation_refs(db) if o.id not in members
                ],
                "pick_form": Form(),
            },
            status_code=status_code,
            request=request,
        )

    @get("/admin/networks/{network_id:int}", name="admin_network", opt=ADMIN, sync_to_thread=True)
    def network(
        self,
        request: HttpRequest,
        db: NamedDependency[Session],
        network_id: FromPath[int],
    ) -> Template:
        return self._network_page(request, db, network_id)

    @post(
        "/admin/networks/{network_id:int}",
        name="admin_network_rename",
        opt=ADMIN,
        sync_to_thread=True,
    )
    def rename_network(
        self,
        request: HttpRequest,
        db: NamedDependency[Session],
        principal: NamedDependency[Principal],
        network_id: FromPath[int],
        data: FormData,
    ) -> Template | Redirect:
        form = Form(values={"name": text(data, "name")})
        _save_name(
            form,
            DUPLICATE_NETWORK,
            lambda name: directory.rename_network(db, network_id, name, actor_id=principal.user_id),
        )
        if not form.ok:
            db.rollback()
            return self._network_page(request, db, network_id, form, 422)
        db.commit()
        return Redirect(
            path=path_for(request, "admin_network", network_id=network_id), status_code=303
        )

    @post(
        "/admin/networks/{network_id:int}/members",
        name="admin_network_member_add",
        opt=ADMIN,
        sync_to_thread=True,
    )
    def add_member(
        self,
        request: HttpRequest,
        db: NamedDependency[Session],
        principal: NamedDependency[Principal],
        network_id: FromPath[int],
        data: FormData,
    ) -> Redirect:
        return _change_membership(
            db,
            principal,
            network_id,
            integer(data, "organisation_id"),
            add=True,
            back=path_for(request, "admin_network", network_id=network_id),
        )

    @post(
        "/admin/networks/{network_id:int}/members/{organisation_id:int}/remove",
        name="admin_network_member_remove",
        opt=ADMIN,
        sync_to_thread=True,
    )
    def remove_member(
        self,
        request: HttpRequest,
        db: NamedDependency[Session],
        principal: NamedDependency[Principal],
        network_id: FromPath[int],
        organisation_id: FromPath[int],
    ) -> Redirect:
        return _change_membership(
            db,
            principal,
            network_id,
            organisation_id,
            add=False,
            back=path_for(request, "admin_network", network_id=network_id),
        )


def _change_membership(
    db: Session,
    principal: Principal,
    network_id: int | None,
    organisation_id: int | None,
    *,
    add: bool,
    back: str,
) -> Redirect:
    # The choices come from a select of existing rows: a missing one was deleted meanwhile
    # or forged, and either way the page is shown again as it now is.
    if network_id is not None and organisation_id is not None:
        try:
            if add:
                directory.add_member(db, network_id, organisation_id, actor_id=principal.user_id)
            else:
                directory.remove_member(db, network_id, organisation_id, actor_id=principal.user_id)
        except NotFound:
            db.rollback()
        else:
            db.commit()
    return Redirect(path=back, status_code=303)
