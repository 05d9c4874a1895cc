"""Who may open what: every role against every staff route, own and other organisation.

The table is the specification. A later issue that adds a route adds rows here;
`test_every_protected_route_is_in_the_matrix` fails until it does.

Each row names a route as registered, fills its path parameters from the `world` fixture
(org A in network 1, org B in network 2), lists who gets through, and says how the
others are refused: 404 for another organisation's or network's object (its existence
is not revealed), 403 for an area the role has no part in. Anonymous visitors are
always sent to the sign-in page.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from litestar import Litestar
from litestar.routes import HTTPRoute
from litestar.testing import TestClient

from qms.store.cycles import create_cycle
from qms.store.db import Database
from qms.store.orgs import get_organisation
from qms.store.snapshots import read_snapshot
from qms.web.auth import Permission

EVERYONE = frozenset({"admin", "coordinator", "head", "staff", "head_b", "nobody"})
ADMIN = frozenset({"admin"})
USERS = ("anonymous", *sorted(EVERYONE))
MISSING_ID = 987654


@dataclass(frozen=True)
class Case:
    method: str
    route: str
    args: dict[str, str] = field(default_factory=dict)  # path param -> World attribute
    allowed: frozenset[str] = EVERYONE
    refused: int = 403
    data: dict[str, str] = field(default_factory=dict)
    ok: int = 200  # status for allowed people

    def path(self, world: Any) -> str:
        path = self.route
        for name, source in self.args.items():
            if source == "missing":
                value: object = MISSING_ID
            elif source.startswith("user:"):
                value = world.ids[source.removeprefix("user:")]
            elif source.startswith("text:"):
                value = source.removeprefix("text:")
            else:
                value = getattr(world, source)
            path = re.sub(rf"\{{{name}:[a-z]+\}}", str(value), path)
        return path

    def __str__(self) -> str:
        return f"{self.method} {self.path_hint()}"

    def path_hint(self) -> str:
        return self.route + (f" {self.args}" if self.args else "")


ORG = "/staff/organisations/{organisation_id:int}"
NET = "/staff/networks/{network_id:int}"
A_ORG = "/admin/organisations/{organisation_id:int}"
A_NET = "/admin/networks/{network_id:int}"
A_USER = "/admin/users/{user_id:int}"
CYCLE = "/staff/cycles/{cycle_id:int}"

# Reading rows first, changing rows last (they rename and add things as admin).
CASES: list[Case] = [
    Case("GET", "/staff"),
    Case("GET", "/account/password"),
    Case("GET", "/account/tokens"),
    # The JSON API: anonymous callers get a 401 (see test_role_matrix), never a redirect.
    Case("GET", "/api/v1/cycles"),
    Case("GET", "/api/v1/networks"),
    # (Staff of org A get 403 for an unpublished cycle_a: tests/web/test_api.py.)
    # cycle_b is open with nothing released: those allowed in are told so (409).
    Case(
        "GET",
        "/api/v1/cycles/{cycle_id:int}/scores",
        {"cycle_id": "cycle_b"},
        frozenset({"admin", "head_b"}),
        404,
        ok=409,
    ),
    Case("GET", "/api/v1/cycles/{cycle_id:int}/scores", {"cycle_id": "missing"}, frozenset(), 404),
    # Network aggregates (API and downloads): nothing is shared here, so even the network's
    # coordinators find nothing (tests/web/test_network_exports.py has the rest).
    *(
        Case(
            "GET",
            NET + tail,
            {"network_id": net},
            frozenset({"admin", "coordinator"}) if net == "net_1" else ADMIN,
            404,
            ok=404,
        )
        for tail in ("/export.csv", "/export.xlsx", "/export.pdf")
        for net in ("net_1", "net_2")
    ),
    *(
        Case(
            "GET",
            "/api/v1/networks/{network_id:int}" + tail,
            {"network_id": net},
            frozenset({"admin", "coordinator"}) if net == "net_1" else ADMIN,
            404,
            ok=404,
        )
        for tail in ("/aggregates", "/trend")
        for net in ("net_1", "net_2")
    ),
    Case("GET", ORG, {"organisation_id": "org_a"}, frozenset({"admin", "head", "staff"}), 404),
    Case("GET", ORG, {"organisation_id": "org_b"}, frozenset({"admin", "head_b"}), 404),
    Case("GET", ORG, {"organisation_id": "missing"}, frozenset(), 404),
    Case("GET", ORG + "/audit", {"organisation_id": "org_a"}, frozenset({"admin", "head"}), 404),
    Case("GET", ORG + "/audit", {"organisation_id": "org_b"}, frozenset({"admin", "head_b"}), 404),
    Case("GET", NET, {"network_id": "net_1"}, frozenset({"admin", "coordinator"}), 404),
    Case("GET", NET, {"network_id": "net_2"}, ADMIN, 404),
    Case("GET", NET, {"network_id": "missing"}, frozenset(), 404),
    Case("GET", CYCLE, {"cycle_id": "cycle_a"}, frozenset({"admin", "head", "staff"}), 404),
    Case("GET", CYCLE, {"cycle_id": "cycle_b"}, frozenset({"admin", "head_b"}), 404),
    Case("GET", CYCLE, {"cycle_id": "missing"}, frozenset(), 404),
    # The working group's pages: heads and staff score, only heads record the consensus.
    Case(
        "GET",
        CYCLE + "/assessment",
        {"cycle_id": "cycle_a"},
        frozenset({"admin", "head", "staff"}),
        404,
    ),
    Case(
        "GET", CYCLE + "/assessment", {"cycle_id": "cycle_b"}, frozenset({"admin", "head_b"}), 404
    ),
    Case("GET", CYCLE + "/assessment", {"cycle_id": "missing"}, frozenset(), 404),
    Case(
        "GET",
        CYCLE + "/consensus",
        {"cycle_id": "cycle_a"},
        frozenset({"admin", "head", "staff"}),
        404,
    ),
    Case("GET", CYCLE + "/consensus", {"cycle_id": "cycle_b"}, frozenset({"admin", "head_b"}), 404),
    # Results: heads read them; the organisation's staff see only that they are not
    # published yet (items, charts and downloads answer 404 until a head publishes).
    Case(
        "GET",
        CYCLE + "/results",
        {"cycle_id": "cycle_a"},
        frozenset({"admin", "head", "staff"}),
        404,
    ),
    Case("GET", CYCLE + "/results", {"cycle_id": "cycle_b"}, frozenset({"admin", "head_b"}), 404),
    Case("GET", CYCLE + "/results", {"cycle_id": "missing"}, frozenset(), 404),
    Case(
        "GET",
        CYCLE + "/results/items/{item_id:str}",
        {"cycle_id": "cycle_a", "item_id": "text:staff.values"},
        frozenset({"admin", "head"}),
        404,
    ),
    Case(
        "GET",
        CYCLE + "/charts/{chart:str}",
        {"cycle_id": "cycle_a", "chart": "text:radar.svg"},
        frozenset({"admin", "head"}),
        404,
    ),
    # No answers yet, so no histogram for anyone (never one below min_n).
    Case(
        "GET",
        CYCLE + "/charts/items/{item_id:str}/{chart:str}",
        {"cycle_id": "cycle_a", "item_id": "text:staff.values", "chart": "text:histogram.svg"},
        frozenset({"admin", "head"}),
        404,
        ok=404,
    ),
    Case("GET", CYCLE + "/export.csv", {"cycle_id": "cycle_a"}, frozenset({"admin", "head"}), 404),
    Case(
        "GET", CYCLE + "/export.xlsx", {"cycle_id": "cycle_b"}, frozenset({"admin", "head_b"}), 404
    ),
    Case("GET", CYCLE + "/export.pdf", {"cycle_id": "cycle_a"}, frozenset({"admin", "head"}), 404),
    Case("GET", CYCLE + "/report", {"cycle_id": "cycle_a"}, frozenset({"admin", "head"}), 404),
    # Comments: heads only, published results or not (tests/web/test_comments.py).
    Case("GET", CYCLE + "/comments", {"cycle_id": "cycle_a"}, frozenset({"admin", "head"}), 404),
    Case("GET", CYCLE + "/comments", {"cycle_id": "cycle_b"}, frozenset({"admin", "head_b"}), 404),
    # Networks: the coordinator's dashboard (its charts answer 404 while nothing is shared),
    # a head's sharing page and position in the organisation's networks.
    Case(
        "GET", NET + "/dashboard", {"network_id": "net_1"}, frozenset({"admin", "coordinator"}), 404
    ),
    Case("GET", NET + "/dashboard", {"network_id": "net_2"}, ADMIN, 404),
    Case(
        "GET",
        NET + "/dashboard/distribution",
        {"network_id": "net_1"},
        frozenset({"admin", "coordinator"}),
        404,
        ok=404,
    ),
    Case(
        "GET",
        NET + "/dashboard/trend",
        {"network_id": "net_1"},
        frozenset({"admin", "coordinator"}),
        404,
        ok=404,
    ),
    Case("GET", CYCLE + "/sharing", {"cycle_id": "cycle_a"}, frozenset({"admin", "head"}), 404),
    Case("GET", CYCLE + "/sharing", {"cycle_id": "cycle_b"}, frozenset({"admin", "head_b"}), 404),
    Case("GET", ORG + "/networks", {"organisation_id": "org_a"}, frozenset({"admin", "head"}), 404),
    Case(
        "GET", ORG + "/networks", {"organisation_id": "org_b"}, frozenset({"admin", "head_b"}), 404
    ),
    # Running a cycle (issue 6): the live table, year over year, the improvement plan.
    Case(
        "GET",
        CYCLE + "/responses",
        {"cycle_id": "cycle_a"},
        frozenset({"admin", "head", "staff"}),
        404,
        ok=303,
    ),
    Case("GET", CYCLE + "/compare", {"cycle_id": "cycle_a"}, frozenset({"admin", "head"}), 404),
    Case("GET", CYCLE + "/compare", {"cycle_id": "cycle_b"}, frozenset({"admin", "head_b"}), 404),
    # One cycle only: no trend to draw, so even those allowed find nothing.
    Case(
        "GET",
        CYCLE + "/compare/trend.svg",
        {"cycle_id": "cycle_a"},
        frozenset({"admin", "head"}),
        404,
        ok=404,
    ),
    Case(
        "GET", CYCLE + "/plan", {"cycle_id": "cycle_a"}, frozenset({"admin", "head", "staff"}), 404
    ),
    Case("GET", CYCLE + "/plan", {"cycle_id": "cycle_b"}, frozenset({"admin", "head_b"}), 404),
    Case(
        "GET", ORG + "/cycles/new", {"organisation_id": "org_a"}, frozenset({"admin", "head"}), 404
    ),
    Case(
        "GET",
        ORG + "/cycles/new",
        {"organisation_id": "org_b"},
        frozenset({"admin", "head_b"}),
        404,
    ),
    # Access codes and paper entry: heads and staff of the cycle's organisation.
    Case(
        "GET", CYCLE + "/codes", {"cycle_id": "cycle_a"}, frozenset({"admin", "head", "staff"}), 404
    ),
    Case("GET", CYCLE + "/codes", {"cycle_id": "cycle_b"}, frozenset({"admin", "head_b"}), 404),
    # No such batch: even those allowed find nothing.
    Case(
        "GET",
        CYCLE + "/codes/slips.pdf",
        {"cycle_id": "cycle_a"},
        frozenset({"admin", "head", "staff"}),
        404,
        ok=404,
    ),
    Case(
        "GET", CYCLE + "/paper", {"cycle_id": "cycle_a"}, frozenset({"admin", "head", "staff"}), 404
    ),
    Case("GET", CYCLE + "/paper", {"cycle_id": "cycle_b"}, frozenset({"admin", "head_b"}), 404),
    Case(
        "GET",
        CYCLE + "/paper/{group:str}",
        {"cycle_id": "cycle_a", "group": "text:clients"},
        frozenset({"admin", "head", "staff"}),
        404,
    ),
    Case(
        "GET",
        CYCLE + "/paper/{group:str}",
        {"cycle_id": "cycle_b", "group": "text:staff"},
        frozenset({"admin", "head_b"}),
        404,
    ),
    Case("GET", "/schema/openapi.json"),
    Case("GET", "/schema"),
    Case("GET", "/schema/{path:str}", {"path": "text:openapi.json"}),
    Case("GET", "/admin", allowed=ADMIN, ok=303),
    Case("GET", "/admin/audit", allowed=ADMIN),
    Case("GET", "/admin/organisations", allowed=ADMIN),
    Case("GET", A_ORG, {"organisation_id": "org_a"}, ADMIN),
    Case("GET", A_ORG, {"organisation_id": "org_b"}, ADMIN),
    Case("GET", "/admin/networks", allowed=ADMIN),
    Case("GET", A_NET, {"network_id": "net_1"}, ADMIN),
    Case("GET", "/admin/users", allowed=ADMIN),
    Case("GET", A_USER, {"user_id": "user:staff"}, ADMIN),
    # An empty form: everyone gets the page back with its errors, nothing changes.
    Case("POST", "/account/password", ok=422),
    Case("POST", "/account/tokens", ok=422),
    Case("POST", "/account/tokens/{token_id:int}/revoke", {"token_id": "missing"}, ok=303),
    Case(
        "POST",
        CYCLE + "/codes",
        {"cycle_id": "cycle_a"},
        frozenset({"admin", "head", "staff"}),
        404,
        data={"group": "staff", "count": "1"},
    ),
    Case(
        "POST",
        CYCLE + "/codes",
        {"cycle_id": "cycle_b"},
        frozenset({"admin", "head_b"}),
        404,
        data={"group": "clients", "count": "1"},
    ),
    Case(
        "POST",
        CYCLE + "/codes",
        {"cycle_id": "missing"},
        frozenset(),
        404,
        data={"group": "staff", "count": "1"},
    ),
    Case(
        "POST",
        CYCLE + "/open-links",
        {"cycle_id": "cycle_a"},
        frozenset({"admin", "head", "staff"}),
        404,
        ok=422,
    ),
    Case(
        "POST",
        CYCLE + "/open-links",
        {"cycle_id": "cycle_b"},
        frozenset({"admin", "head_b"}),
        404,
        ok=422,
    ),
    # A form with a value off the scale: refused with its error, nothing stored.
    Case(
        "POST",
        CYCLE + "/paper/{group:str}",
        {"cycle_id": "cycle_a", "group": "text:clients"},
        frozenset({"admin", "head", "staff"}),
        404,
        data={"clients.respect": "9"},
        ok=422,
    ),
    Case(
        "POST",
        CYCLE + "/paper/{group:str}",
        {"cycle_id": "cycle_b", "group": "text:clients"},
        frozenset({"admin", "head_b"}),
        404,
        data={"clients.respect": "9"},
        ok=422,
    ),
    # Empty forms: a member's empty entry, an empty consensus (nothing is counted).
    Case(
        "POST",
        CYCLE + "/assessment",
        {"cycle_id": "cycle_a"},
        frozenset({"admin", "head", "staff"}),
        404,
        ok=303,
    ),
    Case(
        "POST",
        CYCLE + "/assessment",
        {"cycle_id": "cycle_b"},
        frozenset({"admin", "head_b"}),
        404,
        ok=303,
    ),
    Case(
        "POST",
        CYCLE + "/consensus",
        {"cycle_id": "cycle_a"},
        frozenset({"admin", "head"}),
        404,
        ok=303,
    ),
    Case(
        "POST",
        CYCLE + "/consensus",
        {"cycle_id": "cycle_b"},
        frozenset({"admin", "head_b"}),
        404,
        ok=303,
    ),
    # No such comment: nothing hidden or shown again, the page says so.
    Case(
        "POST",
        CYCLE + "/comments/hide",
        {"cycle_id": "cycle_a"},
        frozenset({"admin", "head"}),
        404,
        data={"item": "staff.comment"},
        ok=303,
    ),
    Case(
        "POST",
        CYCLE + "/comments/show",
        {"cycle_id": "cycle_b"},
        frozenset({"admin", "head_b"}),
        404,
        data={"item": "staff.comment"},
        ok=303,
    ),
    # Publishing results to staff, and withdrawing them again.
    Case(
        "POST",
        CYCLE + "/results/publish",
        {"cycle_id": "cycle_a"},
        frozenset({"admin", "head"}),
        404,
        ok=303,
    ),
    Case(
        "POST",
        CYCLE + "/results/withdraw",
        {"cycle_id": "cycle_a"},
        frozenset({"admin", "head"}),
        404,
        ok=303,
    ),
    # Releasing a network's figures and its reporting date: its coordinators only; nothing
    # is shared, so no year is on offer and the form is refused.
    Case(
        "POST",
        NET + "/releases",
        {"network_id": "net_1"},
        frozenset({"admin", "coordinator"}),
        404,
        data={"year": "2024"},
        ok=422,
    ),
    Case("POST", NET + "/releases", {"network_id": "net_2"}, ADMIN, 404, ok=422),
    Case(
        "POST",
        NET + "/report-date",
        {"network_id": "net_1"},
        frozenset({"admin", "coordinator"}),
        404,
        data={"release_on": "2026-01-01"},
        ok=422,
    ),
    # An empty sharing form: no network chosen, nothing shared.
    Case(
        "POST",
        CYCLE + "/sharing",
        {"cycle_id": "cycle_a"},
        frozenset({"admin", "head"}),
        404,
        ok=422,
    ),
    Case(
        "POST",
        CYCLE + "/sharing",
        {"cycle_id": "cycle_b"},
        frozenset({"admin", "head_b"}),
        404,
        ok=422,
    ),
    # Cycle workflow and plan: forms that change nothing (an open cycle cannot be opened,
    # closing needs the confirmation, reopening a reason, an action its fields).
    Case(
        "POST", CYCLE + "/open", {"cycle_id": "cycle_a"}, frozenset({"admin", "head"}), 404, ok=409
    ),
    Case(
        "POST", CYCLE + "/close", {"cycle_id": "cycle_a"}, frozenset({"admin", "head"}), 404, ok=422
    ),
    Case(
        "POST",
        CYCLE + "/close",
        {"cycle_id": "cycle_b"},
        frozenset({"admin", "head_b"}),
        404,
        ok=422,
    ),
    Case(
        "POST",
        CYCLE + "/reopen",
        {"cycle_id": "cycle_a"},
        frozenset({"admin", "head"}),
        404,
        ok=422,
    ),
    # A group's collection closes ahead of the cycle (and collects again): heads only.
    Case(
        "POST",
        CYCLE + "/groups/{group_id:str}/close",
        {"cycle_id": "cycle_a", "group_id": "text:staff"},
        frozenset({"admin", "head"}),
        404,
        ok=303,
    ),
    Case(
        "POST",
        CYCLE + "/groups/{group_id:str}/reopen",
        {"cycle_id": "cycle_a", "group_id": "text:staff"},
        frozenset({"admin", "head"}),
        404,
        ok=303,
    ),
    Case(
        "POST", CYCLE + "/plan", {"cycle_id": "cycle_a"}, frozenset({"admin", "head"}), 404, ok=422
    ),
    Case(
        "POST",
        CYCLE + "/plan/actions/{action_id:int}",
        {"cycle_id": "cycle_a", "action_id": "missing"},
        frozenset({"admin", "head"}),
        404,
        ok=404,
    ),
    Case(
        "POST",
        ORG + "/cycles/new",
        {"organisation_id": "org_a"},
        frozenset({"admin", "head"}),
        404,
        ok=422,
    ),
    Case(
        "POST",
        ORG + "/cycles/new",
        {"organisation_id": "org_b"},
        frozenset({"admin", "head_b"}),
        404,
        ok=422,
    ),
    Case("POST", "/admin/organisations", allowed=ADMIN, data={"name": "New org"}, ok=303),
    Case("POST", A_ORG, {"organisation_id": "org_a"}, ADMIN, data={"name": "Org A2"}, ok=303),
    Case(
        "POST",
        A_ORG + "/networks",
        {"organisation_id": "org_a"},
        ADMIN,
        data={"network_id": "0"},
        ok=303,
    ),
    Case(
        "POST",
        A_ORG + "/networks/{network_id:int}/remove",
        {"organisation_id": "org_b", "network_id": "net_1"},
        ADMIN,
        ok=303,
    ),
    Case("POST", "/admin/networks", allowed=ADMIN, data={"name": "New network"}, ok=303),
    Case("POST", A_NET, {"network_id": "net_2"}, ADMIN, data={"name": "Network 2b"}, ok=303),
    Case(
        "POST",
        A_NET + "/members",
        {"network_id": "net_1"},
        ADMIN,
        data={"organisation_id": "0"},
        ok=303,
    ),
    Case(
        "POST",
        A_NET + "/members/{organisation_id:int}/remove",
        {"network_id": "net_2", "organisation_id": "org_a"},
        ADMIN,
        ok=303,
    ),
    Case("POST", "/admin/users", allowed=ADMIN, data={"email": "new@example.org", "role": "admin"}),
    Case(
        "POST",
        A_USER,
        {"user_id": "user:nobody"},
        ADMIN,
        data={"name": "No Body", "active": "yes"},
        ok=303,
    ),
    Case(
        "POST",
        A_USER + "/roles",
        {"user_id": "user:nobody"},
        ADMIN,
        data={"role": "staff", "organisation_id": "0"},
        ok=422,
    ),
    Case(
        "POST",
        A_USER + "/roles/{grant_id:int}/remove",
        {"user_id": "user:nobody", "grant_id": "missing"},
        ADMIN,
        ok=303,
    ),
    Case("POST", A_USER + "/password", {"user_id": "user:nobody"}, ADMIN),
]

# Public routes (respondents' pages, sign-in, static files) are declared with
# opt=public(); none of them may live in the staff area.
STAFF_PREFIXES = ("/staff", "/admin", "/account", "/api", "/schema")


def _routes(app: Litestar) -> list[tuple[str, str, object]]:
    """(method, route path, permission) of every handler but Litestar's automatic OPTIONS."""
    return [
        (method, route.path, handler.opt.get("permission"))
        for route in app.routes
        if isinstance(route, HTTPRoute)
        for handler in route.route_handlers
        for method in sorted(handler.http_methods - {"OPTIONS"})
    ]


def _send(client: TestClient[Litestar], case: Case, world: Any, token: str) -> httpx.Response:
    path = case.path(world)
    if case.method == "GET":
        return client.get(path, follow_redirects=False)
    return client.post(path, data={**case.data, "csrf_token": token}, follow_redirects=False)


@dataclass(frozen=True)
class MatrixWorld:
    """The `world` fixture and a cycle of each organisation."""

    world: Any
    cycle_a: int
    cycle_b: int

    def __getattr__(self, name: str) -> Any:
        return getattr(self.world, name)


@pytest.fixture
def matrix_world(world: Any, database: Database) -> MatrixWorld:
    snapshot = read_snapshot(Path(__file__).resolve().parents[2] / "questionnaires", "socquality")
    with database.session() as s:
        cycle_a = create_cycle(s, get_organisation(s, "Org A"), 2026, snapshot).id
        cycle_b = create_cycle(s, get_organisation(s, "Org B"), 2026, snapshot).id
        s.commit()
    return MatrixWorld(world, cycle_a, cycle_b)


@pytest.mark.parametrize("who", USERS)
def test_role_matrix(
    who: str,
    client: TestClient[Litestar],
    matrix_world: MatrixWorld,
    sign_in: Callable[..., httpx.Response],
    csrf_token: Callable[..., str],
) -> None:
    world = matrix_world
    if who != "anonymous":
        sign_in(client, world.email(who))
    token = csrf_token(client)
    wrong: list[str] = []
    for case in CASES:
        response = _send(client, case, world, token)
        if who == "anonymous" and case.route.startswith("/api/"):
            expected = 401
            ok = response.status_code == 401
        elif who == "anonymous":
            expected = 303
            ok = response.status_code == 303 and response.headers["location"].startswith(
                "/login?next="
            )
        else:
            expected = case.ok if who in case.allowed else case.refused
            ok = response.status_code == expected
        if not ok:
            wrong.append(f"{case}: expected {expected}, got {response.status_code}")
    assert not wrong, f"{who}:\n" + "\n".join(wrong)


def test_every_route_declares_a_permission(app: Litestar) -> None:
    undeclared = [f"{m} {path}" for m, path, p in _routes(app) if not isinstance(p, Permission)]
    assert not undeclared, "add opt=public() or opt=requires(...):\n" + "\n".join(undeclared)


def test_every_protected_route_is_in_the_matrix(app: Litestar) -> None:
    covered = {(case.method, case.route) for case in CASES}
    missing = sorted(
        f"{m} {path}"
        for m, path, p in _routes(app)
        if getattr(p, "action", None) is not None and (m, path) not in covered
    )
    assert not missing, "add rows to CASES for:\n" + "\n".join(missing)


def test_nothing_in_the_staff_area_is_public(app: Litestar) -> None:
    public = {(m, path) for m, path, p in _routes(app) if getattr(p, "action", "") is None}
    assert ("POST", "/login") in public  # the test sees public routes at all
    leaks = sorted(f"{m} {path}" for m, path in public if path.startswith(STAFF_PREFIXES))
    assert not leaks, leaks
