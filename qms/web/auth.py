"""Who may do what: the one place where authorisation is decided.

Every route declares its permission in `opt`, and the `authorise` guard (installed on
the whole app) enforces it before the handler runs:

    @get("/staff/organisations/{organisation_id:int}",
         opt=requires("organisation.view", organisation="organisation_id"))
    def show(self, principal: NamedDependency[Principal], organisation_id: int) -> ...

    @get("/", opt=public())          # pages for everyone (respondents, sign-in)

A route that declares nothing answers 500 and logs why (fail closed; a test lists
them). The routes under /staff/cycles/{cycle_id} name no organisation in their path:
they declare `on_cycle(action)` instead, and the cycle router's `cycle` dependency
checks the action in the cycle's organisation once it has loaded it (qms.web.access).

Refusals about a particular organisation or network answer 404, so nobody learns that
another organisation's object exists; refusals of a whole area (a staff member opening
/admin) answer 403. Anonymous requests to a protected page are sent to /login?next=...
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import quote

from anyio import to_thread
from litestar import Response
from litestar.connection import ASGIConnection
from litestar.exceptions import (
    ImproperlyConfiguredException,
    NotAuthorizedException,
    NotFoundException,
    PermissionDeniedException,
)
from litestar.handlers import BaseRouteHandler
from litestar.plugins.htmx import ClientRedirect
from litestar.response import Redirect
from litestar.status_codes import HTTP_204_NO_CONTENT

from qms.store.db import Database
from qms.store.tokens import token_account
from qms.store.users import Account, Grant, signed_in_account
from qms.web.deps import HttpRequest
from qms.web.forms import is_htmx
from qms.web.security import session_of
from qms.web.urls import path_for

Scope = Literal["signed_in", "organisation", "network", "admin"]


@dataclass(frozen=True)
class Rule:
    """`scope` says what the permission is about; `roles` which roles grant it there.
    The admin role grants everything."""

    scope: Scope
    roles: frozenset[str] = frozenset()


# The permission table. Later issues add rows (cycles, codes, results, sharing).
RULES: Mapping[str, Rule] = {
    "staff.home": Rule("signed_in"),
    "account.manage": Rule("signed_in"),
    "organisation.view": Rule("organisation", frozenset({"head", "staff"})),
    "organisation.manage": Rule("organisation", frozenset({"head"})),
    "organisation.audit": Rule("organisation", frozenset({"head"})),
    "cycle.codes": Rule("organisation", frozenset({"head", "staff"})),
    "cycle.paper": Rule("organisation", frozenset({"head", "staff"})),
    "cycle.assess": Rule("organisation", frozenset({"head", "staff"})),
    "cycle.consensus": Rule("organisation", frozenset({"head"})),
    "cycle.manage": Rule("organisation", frozenset({"head"})),
    "cycle.compare": Rule("organisation", frozenset({"head"})),
    "plan.view": Rule("organisation", frozenset({"head", "staff"})),
    "plan.edit": Rule("organisation", frozenset({"head"})),
    "network.view": Rule("network", frozenset({"coordinator"})),
    "network.dashboard": Rule("network", frozenset({"coordinator"})),
    "cycle.share": Rule("organisation", frozenset({"head"})),
    "network.position": Rule("organisation", frozenset({"head"})),
    "api.read": Rule("signed_in"),
    "results.view": Rule("organisation", frozenset({"head"})),
    "results.published": Rule("organisation", frozenset({"head", "staff"})),  # once published
    "results.publish": Rule("organisation", frozenset({"head"})),
    "admin": Rule("admin"),
}


@dataclass(frozen=True)
class Permission:
    action: str | None  # None: public
    organisation_param: str | None = None
    network_param: str | None = None
    # The action is about the organisation of the cycle this path parameter names; the
    # guard only asks for someone signed in, the `cycle` dependency decides (on_cycle).
    cycle_param: str | None = None
    # Public pages show who is signed in; static files need not ask the database.
    look_up_user: bool = True


def public(*, look_up_user: bool = True) -> dict[str, Any]:
    return {"permission": Permission(None, look_up_user=look_up_user)}


def requires(
    action: str, *, organisation: str | None = None, network: str | None = None
) -> dict[str, Any]:
    """`organisation`/`network` name the path parameter holding the id the action is about."""
    RULES[action]  # a typo fails at import, not at request time
    return {"permission": Permission(action, organisation, network)}


class SignInRequired(NotAuthorizedException):
    pass


class TokenRefused(SignInRequired):
    """An API token that is unknown, revoked, or whose account is no longer active."""


def bearer_token(connection: ASGIConnection[Any, Any, Any, Any]) -> str | None:
    if connection.scope.get("method") not in ("GET", "HEAD"):
        return None
    # API tokens speak for their person on read-only requests of the JSON API (and its
    # schema) only: never on a form post or an HTML page, where the session decides.
    if not str(connection.scope.get("path", "")).startswith(("/api/", "/schema/")):
        return None
    scheme, _, value = connection.headers.get("authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


@dataclass(frozen=True)
class Principal:
    account: Account

    @property
    def user_id(self) -> int:
        return self.account.id

    @property
    def email(self) -> str:
        return self.account.email

    @property
    def grants(self) -> tuple[Grant, ...]:
        return self.account.grants

    @property
    def is_admin(self) -> bool:
        return any(g.role == "admin" for g in self.account.grants)

    def can(
        self, action: str, *, organisation_id: int | None = None, network_id: int | None = None
    ) -> bool:
        rule = RULES[action]
        if self.is_admin:
            return True
        if rule.scope == "signed_in":
            return True
        if rule.scope == "organisation":
            return organisation_id is not None and any(
                g.role in rule.roles and g.organisation_id == organisation_id for g in self.grants
            )
        if rule.scope == "network":
            return network_id is not None and any(
                g.role in rule.roles and g.network_id == network_id for g in self.grants
            )
        return False

    def require(
        self, action: str, *, organisation_id: int | None = None, network_id: int | None = None
    ) -> None:
        """Raises 404 for someone else's organisation or network, 403 for a whole area."""
        if self.can(action, organisation_id=organisation_id, network_id=network_id):
            return
        if RULES[action].scope in ("organisation", "network"):
            raise NotFoundException()
        raise PermissionDeniedException()

    def organisation_ids(self, action: str) -> frozenset[int] | None:
        """Organisations where `action` is allowed; None means all of them (admins)."""
        if self.is_admin:
            return None
        roles = RULES[action].roles
        return frozenset(
            g.organisation_id
            for g in self.grants
            if g.role in roles and g.organisation_id is not None
        )

    def network_ids(self, action: str) -> frozenset[int] | None:
        if self.is_admin:
            return None
        roles = RULES[action].roles
        return frozenset(
            g.network_id for g in self.grants if g.role in roles and g.network_id is not None
        )


_PRINCIPAL_KEY = "qms.principal"


def _load_account(database: Database, user_id: int, epoch: int) -> Account | None:
    with database.session() as session:
        return signed_in_account(session, user_id, epoch)


def _load_token_account(database: Database, secret: str) -> Account | None:
    with database.session() as session:
        found = token_account(session, secret)
        session.commit()  # when it was last used
        return found


async def current_principal(connection: ASGIConnection[Any, Any, Any, Any]) -> Principal | None:
    """The signed-in person, loaded once per request; None for anonymous visitors."""
    state = connection.scope.setdefault("state", {})
    if _PRINCIPAL_KEY in state:
        cached: Principal | None = state[_PRINCIPAL_KEY]
        return cached
    session = session_of(connection)
    principal: Principal | None = None
    database: Database = connection.app.state.db
    if (token := bearer_token(connection)) is not None:
        found = await to_thread.run_sync(_load_token_account, database, token)
        if found is None:
            raise TokenRefused()
        principal = Principal(found)
    elif session.user_id is not None:
        account = await to_thread.run_sync(_load_account, database, session.user_id, session.epoch)
        principal = Principal(account) if account is not None else None
    state[_PRINCIPAL_KEY] = principal
    return principal


def _path_id(connection: ASGIConnection[Any, Any, Any, Any], name: str | None) -> int | None:
    if name is None:
        return None
    value = connection.path_params.get(name)
    if not isinstance(value, int):
        raise ImproperlyConfiguredException(f"path parameter {name!r} must be an int")
    return value


async def authorise(
    connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler
) -> None:
    permission = handler.opt.get("permission")
    if permission is None and getattr(handler, "http_methods", None) == {"OPTIONS"}:
        return  # Litestar's automatic OPTIONS answers list methods, nothing else
    if not isinstance(permission, Permission):
        raise ImproperlyConfiguredException(
            f"route {handler} declares no permission: add opt=public() or opt=requires(...)"
        )
    if permission.action is None:
        if permission.look_up_user:
            await current_principal(connection)
        return
    principal = await current_principal(connection)
    if principal is None:
        raise SignInRequired()
    if permission.cycle_param is not None:
        return
    principal.require(
        permission.action,
        organisation_id=_path_id(connection, permission.organisation_param),
        network_id=_path_id(connection, permission.network_param),
    )


def provide_principal(request: HttpRequest) -> Principal:
    """The `principal` dependency of protected handlers (the guard has loaded it)."""
    principal = request.scope.get("state", {}).get(_PRINCIPAL_KEY)
    if not isinstance(principal, Principal):
        raise SignInRequired()
    return principal


def safe_next(target: str | None, home: str) -> str:
    """Only paths on this site: never `//evil.example` or `https://...`; `home` instead."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return home
    if any(ch in target for ch in "\r\n\t"):
        return home
    return target


def on_sign_in_required(request: HttpRequest, exc: Exception) -> Response[Any]:
    if isinstance(exc, TokenRefused):
        return Response(
            {"status_code": 401, "detail": "The API token is not valid."},
            status_code=401,
            headers={"www-authenticate": 'Bearer realm="qms", error="invalid_token"'},
        )
    if request.url.path.startswith("/api/"):
        return Response(
            {"status_code": 401, "detail": "Sign in first."},
            status_code=401,
            headers={"www-authenticate": 'Bearer realm="qms"'},
        )
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    home = path_for(request, "staff")
    if request.method != "GET":
        target = home  # coming back to a form post by GET would only find a 405
    location = path_for(request, "login") + f"?next={quote(safe_next(target, home), safe='/')}"
    if is_htmx(request):
        # htmx would swap a login page into a fragment; make it navigate instead.
        redirect = ClientRedirect(location)
        redirect.status_code = HTTP_204_NO_CONTENT  # not the plugin's 200: nothing to swap
        return redirect
    return Redirect(path=location, status_code=303)
