"""The cycle routes: every page and action under /staff/cycles/{cycle_id}.

A cycle's organisation is known only once the cycle is loaded, so these routes cannot
name it in their path as the organisation pages do. Each declares its permission with
`on_cycle`, and the `cycle` dependency that `cycle_router` provides loads the cycle and
checks that permission in the cycle's organisation before the handler runs. Handlers
take it inside `here`, the request as a cycle route sees it (the HTTP request, its
database session, who asks, the checked cycle):

    @post("/close", opt=on_cycle("cycle.manage"), sync_to_thread=True)
    def close(self, here: NamedDependency[CycleRequest], data: FormData) -> ...:
        cycles.close_cycle(here.db, here.cycle, actor_id=here.principal.user_id)

A missing cycle and another organisation's cycle both answer 404, so nobody learns that
someone else's cycle exists. A handler cannot forget the check: create_app refuses to
build an app with a route under the cycle path that declares no `on_cycle` permission,
takes neither `here` nor `cycle`, or lives outside the router (`cycle_route_problems`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from litestar import Litestar, Router
from litestar.di import NamedDependency, Provide
from litestar.exceptions import ImproperlyConfiguredException, NotFoundException
from litestar.routes import HTTPRoute
from litestar.types import ControllerRouterHandler
from sqlalchemy.orm import Session

from qms.store import cycles
from qms.store.cycles import Cycle
from qms.web.auth import RULES, Permission, Principal
from qms.web.deps import HttpRequest

CYCLE_PATH = "/staff/cycles/{cycle_id:int}"
_CYCLE_ID = "cycle_id"


def may_read_results(principal: Principal, organisation_id: int, published: bool) -> bool:
    """The one rule of who reads a cycle's results (pages, charts, exports, report, API):
    the organisation's heads (and admins) always, its staff once a head has published."""
    if principal.can("results.view", organisation_id=organisation_id):
        return True
    return published and principal.can("results.published", organisation_id=organisation_id)


def can_see_results(principal: Principal, cycle: Cycle) -> bool:
    return may_read_results(
        principal, cycle.organisation_id, cycle.results_published_at is not None
    )


# Actions on a cycle that the cycle's state decides together with the table of
# qms.web.auth; any other action is that table's, in the cycle's organisation.
CYCLE_RULES: Mapping[str, Callable[[Principal, Cycle], bool]] = {
    "results.read": can_see_results,
}


def on_cycle(action: str) -> dict[str, Any]:
    """The `opt` of a route of the cycle router: `action` in the cycle's organisation."""
    if action not in CYCLE_RULES and RULES[action].scope != "organisation":
        # A signed-in rule would let everyone at every cycle; a network or admin rule
        # says nothing about the cycle's organisation.
        raise ValueError(f"{action} is not about an organisation: it cannot guard a cycle")
    return {"permission": Permission(action, cycle_param=_CYCLE_ID)}


def provide_cycle(
    request: HttpRequest, db: NamedDependency[Session], principal: NamedDependency[Principal]
) -> Cycle:
    """The `cycle` dependency: the path's cycle, when the route's declared action is
    allowed in its organisation; 404 otherwise (a missing one too, by qms.app)."""
    permission: Permission = request.route_handler.opt["permission"]
    assert permission.action is not None and permission.cycle_param is not None
    cycle = cycles.get_cycle(db, request.path_params[permission.cycle_param])
    rule = CYCLE_RULES.get(permission.action)
    if rule is None:
        principal.require(permission.action, organisation_id=cycle.organisation_id)
    elif not rule(principal, cycle):
        raise NotFoundException()
    return cycle


@dataclass(frozen=True)
class CycleRequest:
    """A request to a cycle route, as its handler works with it."""

    request: HttpRequest
    db: Session
    principal: Principal
    cycle: Cycle  # loaded, and the route's permission checked in its organisation

    @property
    def lang(self) -> str:
        lang: str = self.request.state.lang
        return lang


def provide_cycle_request(
    request: HttpRequest,
    db: NamedDependency[Session],
    principal: NamedDependency[Principal],
    cycle: NamedDependency[Cycle],
) -> CycleRequest:
    """The `here` dependency: what every cycle handler takes, in one parameter."""
    return CycleRequest(request, db, principal, cycle)


def cycle_router(route_handlers: Iterable[ControllerRouterHandler]) -> Router:
    """The routes under CYCLE_PATH, each given the `cycle` dependency (off the event
    loop, like the sync handlers that take it: it asks the database) and `here`."""
    return Router(
        path=CYCLE_PATH,
        route_handlers=list(route_handlers),
        dependencies={
            "cycle": Provide(provide_cycle, sync_to_thread=True),
            "here": Provide(provide_cycle_request, sync_to_thread=False),
        },
    )


def _provides_the_cycle(provider: Provide | None) -> bool:
    dependency = getattr(provider, "dependency", None)
    return getattr(dependency, "func", dependency) is provide_cycle  # sync_to_thread wraps it


def cycle_route_problems(app: Litestar) -> list[str]:
    """Every way a route of `app` could reach a cycle without the check, one line each."""
    problems: list[str] = []
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        under = route.path == CYCLE_PATH or route.path.startswith(CYCLE_PATH + "/")
        for handler in route.route_handlers:
            permission = handler.opt.get("permission")
            if permission is None and handler.http_methods == {"OPTIONS"}:
                continue  # Litestar's automatic OPTIONS answers list methods, nothing else
            declared = isinstance(permission, Permission) and permission.cycle_param is not None
            provided = handler.resolve_dependencies().get("cycle")
            where = f"{'/'.join(sorted(handler.http_methods))} {route.path}"
            if under and not declared:
                problems.append(f"{where}: declare opt=on_cycle(ACTION)")
            elif declared and not under:
                problems.append(f"{where}: on_cycle routes live under {CYCLE_PATH}")
            elif under and not _provides_the_cycle(provided):
                problems.append(f"{where}: register it in cycle_router(...)")
            elif under and not {"here", "cycle"} & set(handler.parsed_fn_signature.parameters):
                problems.append(f"{where}: take here: NamedDependency[CycleRequest]")
    return problems


def check_cycle_routes(app: Litestar) -> None:
    if problems := cycle_route_problems(app):
        raise ImproperlyConfiguredException(
            "cycle routes that would skip their check:\n" + "\n".join(problems)
        )
