"""Admin pages for organisations and networks, and which organisations belong to which network."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

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
from qms.web.auth import requires
from qms.web.forms import ROW_ID_MAX, Form, FormData, FormSpec, read_form, rule
from qms.web.places import STAFF, StaffRequest
from qms.web.render import page
from qms.web.urls import path_for

ADMIN = requires("admin")
NAME_ERRORS = {
    "empty": N_("Enter a name."),
    "too_long": N_("The name can have at most 200 characters."),
}
DUPLICATE_ORGANISATION = N_("An organisation with this name already exists.")
DUPLICATE_NETWORK = N_("A network with this name already exists.")


PICK_NETWORK = N_("Choose a network.")
PICK_ORGANISATION = N_("Choose an organisation.")


class NameForm(FormSpec):
    name: Annotated[
        str,
        rule(
            NAME_ERRORS["too_long"],
            empty=NAME_ERRORS["empty"],
            min_length=1,
            max_length=directory.NAME_MAX,
        ),
    ]


class NetworkPick(FormSpec):
    network_id: Annotated[int, rule(PICK_NETWORK, ge=1, le=ROW_ID_MAX)]


class OrganisationPick(FormSpec):
    organisation_id: Annotated[int, rule(PICK_ORGANISATION, ge=1, le=ROW_ID_MAX)]


@dataclass(frozen=True)
class _Kind:
    """Organisations and networks have the same admin pages: a list with a form that
    creates one, and a page per item with a form that renames it."""

    list_template: str
    item_route: str  # the name of an item's page
    item_param: str  # and of its id in that route
    duplicate: str
    listing: Callable[[Session], object]
    create: Callable[[Session, str, int], int]
    rename: Callable[[Session, int, str, int], None]
    item_context: Callable[[Session, int], dict[str, Any] | None]


def _organisation_context(db: Session, organisation_id: int) -> dict[str, Any] | None:
    org = directory.organisation(db, organisation_id)
    if org is None:
        return None
    joined = {n.id for n in org.networks}
    return {
        "template": "admin/organisation.html",
        "organisation": org,
        "name": org.name,
        "other_networks": [n for n in directory.network_refs(db) if n.id not in joined],
    }


def _network_context(db: Session, network_id: int) -> dict[str, Any] | None:
    net = directory.network(db, network_id)
    if net is None:
        return None
    members = {o.id for o in net.members}
    return {
        "template": "admin/network.html",
        "network": net,
        "name": net.name,
        "other_organisations": [o for o in directory.organisation_refs(db) if o.id not in members],
    }


ORGANISATIONS = _Kind(
    "admin/organisations.html",
    "admin_organisation",
    "organisation_id",
    DUPLICATE_ORGANISATION,
    lambda db: {"organisations": directory.list_organisations(db)},
    lambda db, name, actor: directory.create_organisation(db, name, actor_id=actor),
    lambda db, id_, name, actor: directory.rename_organisation(db, id_, name, actor_id=actor),
    _organisation_context,
)
NETWORKS = _Kind(
    "admin/networks.html",
    "admin_network",
    "network_id",
    DUPLICATE_NETWORK,
    lambda db: {"networks": directory.list_networks(db)},
    lambda db, name, actor: directory.create_network(db, name, actor_id=actor),
    lambda db, id_, name, actor: directory.rename_network(db, id_, name, actor_id=actor),
    _network_context,
)


def _list_page(here: StaffRequest, kind: _Kind, form: Form, status_code: int = 200) -> Template:
    context = kind.listing(here.db)
    assert isinstance(context, dict)
    return page(
        kind.list_template,
        {**context, "form": form},
        status_code=status_code,
        request=here.request,
    )


def _item_page(
    here: StaffRequest,
    kind: _Kind,
    item_id: int,
    form: Form | None = None,
    status_code: int = 200,
) -> Template:
    context = kind.item_context(here.db, item_id)
    if context is None:
        raise NotFoundException()
    return page(
        context.pop("template"),
        {
            **context,
            "form": form or Form(values={"name": context["name"]}),
            "pick_form": Form(),
        },
        status_code=status_code,
        request=here.request,
    )


def _item_path(here: StaffRequest, kind: _Kind, item_id: int) -> str:
    return path_for(here.request, kind.item_route, **{kind.item_param: item_id})


def _save_name(
    here: StaffRequest, kind: _Kind, data: FormData, item_id: int | None
) -> Template | Redirect:
    """Creates an item (item_id None) or renames one, or shows the form again with why not."""
    named, form = read_form(NameForm, data)
    if named is not None:
        try:
            if item_id is None:
                item_id = kind.create(here.db, named.name, here.principal.user_id)
            else:
                kind.rename(here.db, item_id, named.name, here.principal.user_id)
        except InvalidName as bad:
            form.error("name", NAME_ERRORS[bad.reason])
        except DuplicateName:
            form.error("name", kind.duplicate)
    if not form.ok or item_id is None:
        here.db.rollback()
        if item_id is None:
            return _list_page(here, kind, form, 422)
        return _item_page(here, kind, item_id, form, status_code=422)
    here.db.commit()
    return Redirect(path=_item_path(here, kind, item_id), status_code=303)


def _change_membership(
    here: StaffRequest, network_id: int, organisation_id: int, *, add: bool, back: str
) -> Redirect:
    # The choices come from a select of existing rows: a missing one was deleted meanwhile
    # or forged, and either way the page is shown again as it now is (so is a choice that
    # is no row id at all: the select offers nothing to correct).
    actor = here.principal.user_id
    try:
        if add:
            directory.add_member(here.db, network_id, organisation_id, actor_id=actor)
        else:
            directory.remove_member(here.db, network_id, organisation_id, actor_id=actor)
    except NotFound:
        here.db.rollback()
    else:
        here.db.commit()
    return Redirect(path=back, status_code=303)


def _join(
    here: StaffRequest, network_id: int | None, organisation_id: int | None, back: str
) -> Redirect:
    if network_id is None or organisation_id is None:
        return Redirect(path=back, status_code=303)  # as for a choice deleted meanwhile
    return _change_membership(here, network_id, organisation_id, add=True, back=back)


Here = NamedDependency[StaffRequest]


class AdminDirectoryController(Controller):
    dependencies = STAFF

    @get("/admin", name="admin", opt=ADMIN, sync_to_thread=False)
    def index(self, here: Here) -> Redirect:
        return Redirect(path=path_for(here.request, "admin_organisations"), status_code=303)

    # -- organisations -------------------------------------------------------------

    @get("/admin/organisations", name="admin_organisations", opt=ADMIN, sync_to_thread=True)
    def organisations(self, here: Here) -> Template:
        return _list_page(here, ORGANISATIONS, Form())

    @post("/admin/organisations", name="admin_organisation_create", opt=ADMIN, sync_to_thread=True)
    def create_organisation(self, here: Here, data: FormData) -> Template | Redirect:
        return _save_name(here, ORGANISATIONS, data, None)

    @get(
        "/admin/organisations/{organisation_id:int}",
        name="admin_organisation",
        opt=ADMIN,
        sync_to_thread=True,
    )
    def organisation(self, here: Here, organisation_id: FromPath[int]) -> Template:
        return _item_page(here, ORGANISATIONS, organisation_id)

    @post(
        "/admin/organisations/{organisation_id:int}",
        name="admin_organisation_rename",
        opt=ADMIN,
        sync_to_thread=True,
    )
    def rename_organisation(
        self, here: Here, organisation_id: FromPath[int], data: FormData
    ) -> Template | Redirect:
        return _save_name(here, ORGANISATIONS, data, organisation_id)

    @post(
        "/admin/organisations/{organisation_id:int}/networks",
        name="admin_organisation_network_join",
        opt=ADMIN,
        sync_to_thread=True,
    )
    def join_network(self, here: Here, organisation_id: FromPath[int], data: FormData) -> Redirect:
        picked, _form = read_form(NetworkPick, data)
        network_id = picked.network_id if picked else None
        back = _item_path(here, ORGANISATIONS, organisation_id)
        return _join(here, network_id, organisation_id, back)

    @post(
        "/admin/organisations/{organisation_id:int}/networks/{network_id:int}/remove",
        name="admin_organisation_network_leave",
        opt=ADMIN,
        sync_to_thread=True,
    )
    def leave_network(
        self, here: Here, organisation_id: FromPath[int], network_id: FromPath[int]
    ) -> Redirect:
        back = _item_path(here, ORGANISATIONS, organisation_id)
        return _change_membership(here, network_id, organisation_id, add=False, back=back)

    # -- networks ------------------------------------------------------------------

    @get("/admin/networks", name="admin_networks", opt=ADMIN, sync_to_thread=True)
    def networks(self, here: Here) -> Template:
        return _list_page(here, NETWORKS, Form())

    @post("/admin/networks", name="admin_network_create", opt=ADMIN, sync_to_thread=True)
    def create_network(self, here: Here, data: FormData) -> Template | Redirect:
        return _save_name(here, NETWORKS, data, None)

    @get("/admin/networks/{network_id:int}", name="admin_network", opt=ADMIN, sync_to_thread=True)
    def network(self, here: Here, network_id: FromPath[int]) -> Template:
        return _item_page(here, NETWORKS, network_id)

    @post(
        "/admin/networks/{network_id:int}",
        name="admin_network_rename",
        opt=ADMIN,
        sync_to_thread=True,
    )
    def rename_network(
        self, here: Here, network_id: FromPath[int], data: FormData
    ) -> Template | Redirect:
        return _save_name(here, NETWORKS, data, network_id)

    @post(
        "/admin/networks/{network_id:int}/members",
        name="admin_network_member_add",
        opt=ADMIN,
        sync_to_thread=True,
    )
    def add_member(self, here: Here, network_id: FromPath[int], data: FormData) -> Redirect:
        picked, _form = read_form(OrganisationPick, data)
        organisation_id = picked.organisation_id if picked else None
        return _join(here, network_id, organisation_id, _item_path(here, NETWORKS, network_id))

    @post(
        "/admin/networks/{network_id:int}/members/{organisation_id:int}/remove",
        name="admin_network_member_remove",
        opt=ADMIN,
        sync_to_thread=True,
    )
    def remove_member(
        self, here: Here, network_id: FromPath[int], organisation_id: FromPath[int]
    ) -> Redirect:
        back = _item_path(here, NETWORKS, network_id)
        return _change_membership(here, network_id, organisation_id, add=False, back=back)
