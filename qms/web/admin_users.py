"""Admin pages for people: accounts, their roles (inline with htmx), password resets."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlalchemy.orm import Session

from qms.i18n import N_
from qms.store import directory, users
from qms.store.errors import NotFound, StoreError
from qms.store.passwords import generate_password
from qms.web.auth import requires
from qms.web.forms import ROW_ID_MAX, Form, FormData, FormSpec, is_htmx, one_of, read_form, rule
from qms.web.places import STAFF, StaffRequest
from qms.web.render import page
from qms.web.urls import path_for

ADMIN = requires("admin")
NAME_TOO_LONG = N_("The full name can have at most 200 characters.")
BAD_EMAIL = N_("Enter an email address like name@example.org.")


CHOOSE_ROLE = N_("Choose a role.")
CHOOSE_ORGANISATION = N_("Choose the organisation for this role.")
CHOOSE_NETWORK = N_("Choose the network for this role.")
ACTIVE_ERROR = N_("Tick the box, or leave it empty.")


Role = Annotated[str, rule(CHOOSE_ROLE, pattern=one_of(users.ROLES))]
OrganisationChoice = Annotated[int, rule(CHOOSE_ORGANISATION, ge=1, le=ROW_ID_MAX)] | None
NetworkChoice = Annotated[int, rule(CHOOSE_NETWORK, ge=1, le=ROW_ID_MAX)] | None


class RoleForm(FormSpec):
    """A role and its place: an organisation for a head or staff member, a network for
    a coordinator (the other select is ignored)."""

    role: Role
    organisation_id: OrganisationChoice = None
    network_id: NetworkChoice = None


def _scope(posted: RoleForm | NewAccountForm, form: Form) -> tuple[str, int | None, int | None]:
    """The role with the place it uses; the place's message when it is missing."""
    if posted.role in ("head", "staff"):
        if posted.organisation_id is None:
            form.error("organisation_id", CHOOSE_ORGANISATION)
        return posted.role, posted.organisation_id, None
    if posted.role == "coordinator":
        if posted.network_id is None:
            form.error("network_id", CHOOSE_NETWORK)
        return posted.role, None, posted.network_id
    return posted.role, None, None


class NewAccountForm(FormSpec, kw_only=True):
    """A new account with its first role; its fields in the page's order, which is the
    order of the error summary."""

    email: Annotated[
        str,
        rule(
            BAD_EMAIL,
            empty=N_("Enter an email address."),
            min_length=1,
            max_length=users.EMAIL_MAX,
        ),
    ]
    name: Annotated[str, rule(NAME_TOO_LONG, max_length=users.NAME_MAX)] = ""
    role: Role
    organisation_id: OrganisationChoice = None
    network_id: NetworkChoice = None


class AccountForm(FormSpec):
    name: Annotated[str, rule(NAME_TOO_LONG, max_length=users.NAME_MAX)] = ""
    active: Annotated[str, rule(ACTIVE_ERROR, pattern=one_of(["yes"]))] | None = None


def _grant_role(
    db: Session,
    form: Form,
    user_id: int,
    scope: tuple[str, int | None, int | None],
    actor_id: int,
) -> None:
    role, organisation_id, network_id = scope
    try:
        users.add_role(
            db,
            user_id,
            role,
            organisation_id=organisation_id,
            network_id=network_id,
            actor_id=actor_id,
        )
    except users.RoleHeld:
        form.error("role", N_("This person already has this role."))
    except NotFound:
        # The organisation or network was deleted while the form was open.
        form.error("role", N_("Choose a role."))


Here = NamedDependency[StaffRequest]


def _places(db: Session) -> dict[str, Any]:
    return {
        "organisations": directory.organisation_refs(db),
        "networks": directory.network_refs(db),
        "roles": users.ROLES,
    }


def _users_page(here: StaffRequest, form: Form, status_code: int = 200) -> Template:
    return page(
        "admin/users.html",
        {"accounts": users.list_accounts(here.db), "form": form, **_places(here.db)},
        status_code=status_code,
        request=here.request,
    )


def _user_page(
    here: StaffRequest,
    user_id: int,
    *,
    form: Form | None = None,
    role_form: Form | None = None,
    status_code: int = 200,
    fragment: bool = False,
) -> Template:
    account = users.account(here.db, user_id)
    if account is None:
        raise NotFoundException()
    context = {
        "account": account,
        "form": form or Form(values={"name": account.name}),
        "role_form": role_form or Form(values={"role": "staff"}),
        "is_self": account.id == here.principal.user_id,
        **_places(here.db),
    }
    name = "admin/_roles.html" if fragment else "admin/user.html"
    return page(name, context, status_code=status_code, request=here.request)


def _roles_answer(here: StaffRequest, user_id: int, role_form: Form) -> Template | Redirect:
    """After a role was added or removed (or refused): the roles again."""
    if is_htmx(here.request):
        # htmx swaps only 2xx answers; the fragment carries its own error messages.
        return _user_page(here, user_id, role_form=role_form, fragment=True)
    if role_form.errors:
        return _user_page(here, user_id, role_form=role_form, status_code=422)
    return Redirect(path=path_for(here.request, "admin_user", user_id=user_id), status_code=303)


class AdminUsersController(Controller):
    dependencies = STAFF

    @get("/admin/users", name="admin_users", opt=ADMIN, sync_to_thread=True)
    def index(self, here: Here) -> Template:
        return _users_page(here, Form(values={"role": "staff"}))

    @post("/admin/users", name="admin_user_create", opt=ADMIN, sync_to_thread=True)
    def create(self, here: Here, data: FormData) -> Template:
        db, actor = here.db, here.principal.user_id
        posted, form = read_form(NewAccountForm, data)
        user_id = None
        password = generate_password()
        if "email" not in form.errors:
            try:
                users.check_email(form.values["email"])
            except users.BadEmail:
                form.error("email", BAD_EMAIL)
        if posted is not None:
            scope = _scope(posted, form)
            if form.ok:
                try:
                    user_id = users.create_user(
                        db, posted.email, password, name=posted.name, actor_id=actor
                    )
                except users.BadEmail:
                    form.error("email", BAD_EMAIL)
                except users.UserExists:
                    form.error("email", N_("A user with this email address already exists."))
            if user_id is not None:
                _grant_role(db, form, user_id, scope, actor)
        if not form.ok or user_id is None:
            db.rollback()
            return _users_page(here, form, 422)
        db.commit()
        return page(
            "admin/password_shown.html",
            {"account": users.account(db, user_id), "password": password, "created": True},
            request=here.request,
        )

    @get("/admin/users/{user_id:int}", name="admin_user", opt=ADMIN, sync_to_thread=True)
    def show(self, here: Here, user_id: FromPath[int]) -> Template:
        return _user_page(here, user_id)

    @post("/admin/users/{user_id:int}", name="admin_user_update", opt=ADMIN, sync_to_thread=True)
    def update(self, here: Here, user_id: FromPath[int], data: FormData) -> Template | Redirect:
        posted, form = read_form(AccountForm, data)
        active = posted is not None and posted.active == "yes"
        if posted is not None and not active and user_id == here.principal.user_id:
            form.error("active", N_("You cannot deactivate your own account."))
        if posted is not None and form.ok:
            try:
                users.update_user(
                    here.db,
                    user_id,
                    name=posted.name,
                    is_active=active,
                    actor_id=here.principal.user_id,
                )
            except NotFound:
                raise  # a 404, not a message about the name
            except StoreError:
                form.error("name", NAME_TOO_LONG)
        if not form.ok:
            here.db.rollback()
            return _user_page(here, user_id, form=form, status_code=422)
        here.db.commit()
        return Redirect(path=path_for(here.request, "admin_user", user_id=user_id), status_code=303)

    @post(
        "/admin/users/{user_id:int}/roles",
        name="admin_user_role_add",
        opt=ADMIN,
        sync_to_thread=True,
    )
    def add_role(self, here: Here, user_id: FromPath[int], data: FormData) -> Template | Redirect:
        if users.account(here.db, user_id) is None:
            raise NotFoundException()
        posted, form = read_form(RoleForm, data)
        if posted is not None:
            scope = _scope(posted, form)
            if form.ok:
                _grant_role(here.db, form, user_id, scope, here.principal.user_id)
        if form.ok:
            here.db.commit()
            form = Form(values={"role": form.values["role"]})
        else:
            here.db.rollback()
        return _roles_answer(here, user_id, form)

    @post(
        "/admin/users/{user_id:int}/roles/{grant_id:int}/remove",
        name="admin_user_role_remove",
        opt=ADMIN,
        sync_to_thread=True,
    )
    def remove_role(
        self, here: Here, user_id: FromPath[int], grant_id: FromPath[int]
    ) -> Template | Redirect:
        account = users.account(here.db, user_id)
        if account is None:
            raise NotFoundException()
        form = Form()
        grant = next((g for g in account.grants if g.id == grant_id), None)
        if grant is not None and grant.role == "admin" and user_id == here.principal.user_id:
            form.error("role", N_("You cannot remove your own admin role."))
        elif grant is not None:
            users.remove_role(here.db, user_id, grant_id, actor_id=here.principal.user_id)
            here.db.commit()
        return _roles_answer(here, user_id, form)

    @post(
        "/admin/users/{user_id:int}/password",
        name="admin_user_password_reset",
        opt=ADMIN,
        sync_to_thread=True,
    )
    def reset_password(self, here: Here, user_id: FromPath[int]) -> Template:
        password = users.reset_password(here.db, user_id, actor_id=here.principal.user_id)
        here.db.commit()
        return page(
            "admin/password_shown.html",
            {"account": users.account(here.db, user_id), "password": password, "created": False},
            request=here.request,
        )
