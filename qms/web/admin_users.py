"""Admin pages for people: accounts, their roles (inline with htmx), password resets."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

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
from qms.web.auth import Principal, requires
from qms.web.deps import HttpRequest
from qms.web.forms import Form, FormData, integer, is_htmx, text
from qms.web.render import page
from qms.web.urls import path_for

ADMIN = requires("admin")
NAME_TOO_LONG = N_("The full name can have at most 200 characters.")
BAD_EMAIL = N_("Enter an email address like name@example.org.")


def _read_role(data: Mapping[str, Any], form: Form) -> tuple[str, int | None, int | None]:
    """The role fields of a form, checked; the place not used by the role is ignored."""
    role = text(data, "role")
    organisation_id = integer(data, "organisation_id")
    network_id = integer(data, "network_id")
    form.values.update(
        role=role, organisation_id=str(organisation_id or ""), network_id=str(network_id or "")
    )
    if role not in users.ROLES:
        form.error("role", N_("Choose a role."))
    elif role in ("head", "staff"):
        network_id = None
        if organisation_id is None:
            form.error("organisation_id", N_("Choose the organisation for this role."))
    elif role == "coordinator":
        organisation_id = None
        if network_id is None:
            form.error("network_id", N_("Choose the network for this role."))
    else:
        organisation_id = network_id = None
    return role, organisation_id, network_id


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


class AdminUsersController(Controller):
    def _places(self, db: Session) -> dict[str, Any]:
        return {
            "organisations": directory.organisation_refs(db),
            "networks": directory.network_refs(db),
            "roles": users.ROLES,
        }

    def _users_page(
        self, request: HttpRequest, db: Session, form: Form, status_code: int = 200
    ) -> Template:
        return page(
            "admin/users.html",
            {"accounts": users.list_accounts(db), "form": form, **self._places(db)},
            status_code=status_code,
            request=request,
        )

    @get("/admin/users", name="admin_users", opt=ADMIN, sync_to_thread=True)
    def index(self, request: HttpRequest, db: NamedDependency[Session]) -> Template:
        return self._users_page(request, db, Form(values={"role": "staff"}))

    @post("/admin/users", name="admin_user_create", opt=ADMIN, sync_to_thread=True)
    def create(
        self,
        request: HttpRequest,
        db: NamedDependency[Session],
        principal: NamedDependency[Principal],
        data: FormData,
    ) -> Template:
        form = Form(values={"email": text(data, "email"), "name": text(data, "name")})
        if not form.values["email"]:
            form.error("email", N_("Enter an email address."))
        else:
            try:
                users.check_email(form.values["email"])
            except users.BadEmail:
                form.error("email", BAD_EMAIL)
        scope = _read_role(data, form)
        if len(form.values["name"]) > users.NAME_MAX:
            form.error("name", NAME_TOO_LONG)
        password = generate_password()
        user_id = None
        if form.ok:
            try:
                user_id = users.create_user(
                    db,
                    form.values["email"],
                    password,
                    name=form.values["name"],
                    actor_id=principal.user_id,
                )
            except users.BadEmail:
                form.error("email", BAD_EMAIL)
            except users.UserExists:
                form.error("email", N_("A user with this email address already exists."))
        if user_id is not None:
            _grant_role(db, form, user_id, scope, principal.user_id)
        if not form.ok or user_id is None:
            db.rollback()
            return self._users_page(request, db, form, 422)
        db.commit()
        return page(
            "admin/password_shown.html",
            {"account": users.account(db, user_id), "password": password, "created": True},
            request=request,
        )

    def _user_page(
        self,
        request: HttpRequest,
        db: Session,
        principal: Principal,
        user_id: int,
        *,
        form: Form | None = None,
        role_form: Form | None = None,
        status_code: int = 200,
        fragment: bool = False,
    ) -> Template:
        account = users.account(db, user_id)
        if account is None:
            raise NotFoundException()
        context = {
            "account": account,
            "form": form or Form(values={"name": account.name}),
            "role_form": role_form or Form(values={"role": "staff"}),
            "is_self": account.id == principal.user_id,
            **self._places(db),
        }
        name = "admin/_roles.html" if fragment else "admin/user.html"
        return page(name, context, status_code=status_code, request=request)

    @get("/admin/users/{user_id:int}", name="admin_user", opt=ADMIN, sync_to_thread=True)
    def show(
        self,
        request: HttpRequest,
        db: NamedDependency[Session],
        principal: NamedDependency[Principal],
        user_id: FromPath[int],
    ) -> Template:
        return self._user_page(request, db, principal, user_id)

    @post("/admin/users/{user_id:int}", name="admin_user_update", opt=ADMIN, sync_to_thread=True)
    def update(
        self,
        request: HttpRequest,
        db: NamedDependency[Session],
        principal: NamedDependency[Principal],
        user_id: FromPath[int],
        data: FormData,
    ) -> Template | Redirect:
        form = Form(values={"name": text(data, "name")})
        active = text(data, "active") == "yes"
        if not active and user_id == principal.user_id:
            form.error("active", N_("You cannot deactivate your own account."))
        if form.ok:
            try:
                users.update_user(
                    db,
                    user_id,
                    name=form.values["name"],
                    is_active=active,
                    actor_id=principal.user_id,
                )
            except NotFound:
                raise  # a 404, not a message about the name
            except StoreError:
                form.error("name", NAME_TOO_LONG)
        if not form.ok:
            db.rollback()
            return self._user_page(request, db, principal, user_id, form=form, status_code=422)
        db.commit()
        return Redirect(path=path_for(request, "admin_user", user_id=user_id), status_code=303)

    @post(
        "/admin/users/{user_id:int}/roles",
        name="admin_user_role_add",
        opt=ADMIN,
        sync_to_thread=True,
    )
    def add_role(
        self,
        request: HttpRequest,
        db: NamedDependency[Session],
        principal: NamedDependency[Principal],
        user_id: FromPath[int],
        data: FormData,
    ) -> Template | Redirect:
        if users.account(db, user_id) is None:
            raise NotFoundException()
        form = Form()
        scope = _read_role(data, form)
        if form.ok:
            _grant_role(db, form, user_id, scope, principal.user_id)
        if form.ok:
            db.commit()
            form = Form(values={"role": form.values["role"]})
        else:
            db.rollback()
        if is_htmx(request):
            # htmx swaps only 2xx answers; the fragment carries its own error messages.
            return self._user_page(request, db, principal, user_id, role_form=form, fragment=True)
        if form.errors:
            return self._user_page(request, db, principal, user_id, role_form=form, status_code=422)
        return Redirect(path=path_for(request, "admin_user", user_id=user_id), status_code=303)

    @post(
        "/admin/users/{user_id:int}/roles/{grant_id:int}/remove",
        name="admin_user_role_remove",
        opt=ADMIN,
        sync_to_thread=True,
    )
    def remove_role(
        self,
        request: HttpRequest,
        db: NamedDependency[Session],
        principal: NamedDependency[Principal],
        user_id: FromPath[int],
        grant_id: FromPath[int],
    ) -> Template | Redirect:
        account = users.account(db, user_id)
        if account is None:
            raise NotFoundException()
        form = Form()
        grant = next((g for g in account.grants if g.id == grant_id), None)
        if grant is not None and grant.role == "admin" and user_id == principal.user_id:
            form.error("role", N_("You cannot remove your own admin role."))
        elif grant is not None:
            users.remove_role(db, user_id, grant_id, actor_id=principal.user_id)
            db.commit()
        if is_htmx(request):
            return self._user_page(request, db, principal, user_id, role_form=form, fragment=True)
        if form.errors:
            return self._user_page(request, db, principal, user_id, role_form=form, status_code=422)
        return Redirect(path=path_for(request, "admin_user", user_id=user_id), status_code=303)

    @post(
        "/admin/users/{user_id:int}/password",
        name="admin_user_password_reset",
        opt=ADMIN,
        sync_to_thread=True,
    )
    def reset_password(
        self,
        request: HttpRequest,
        db: NamedDependency[Session],
        principal: NamedDependency[Principal],
        user_id: FromPath[int],
    ) -> Template:
        password = users.reset_password(db, user_id, actor_id=principal.user_id)
        db.commit()
        return page(
            "admin/password_shown.html",
            {"account": users.account(db, user_id), "password": password, "created": False},
            request=request,
        )
