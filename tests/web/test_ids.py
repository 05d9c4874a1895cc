"""Ids beyond what a database column can hold answer 404 on every route, both engines.

The routes are read from the app itself, so a route added later is tried too.
"""

from __future__ import annotations

import re

import pytest
from litestar import Litestar
from litestar.routes import HTTPRoute
from litestar.testing import TestClient

from tests.factories import World, csrf_token, sign_in

# Past PostgreSQL's int4, past SQLite's int64 either way, far past both, and below 1.
OUT_OF_RANGE = (2**31, 2**63, -(2**63) - 1, 10**20, -1, 0)
_PARAM = re.compile(r"\{(\w+):(\w+)\}")


def int_routes(app: Litestar) -> list[tuple[str, str]]:
    """(method, path template) of every route with an integer path parameter."""
    found = []
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        if not any(p.type is int for p in route.path_parameters.values()):
            continue
        for method in sorted(route.methods & {"GET", "POST"}):
            found.append((method, route.path))
    return found


def fill(template: str, number: int) -> str:
    return _PARAM.sub(lambda m: str(number) if m.group(2) == "int" else "clients", template)


def test_the_app_has_the_routes_of_the_report(app: Litestar) -> None:
    # The report counted 46 failing routes; a filter that found none would prove nothing.
    assert len(int_routes(app)) >= 46


@pytest.mark.parametrize("who", ["admin", None])
def test_no_route_fails_on_an_id_out_of_range(
    app: Litestar, client: TestClient[Litestar], world: World, who: str | None
) -> None:
    if who is not None:
        sign_in(client, World.email(who))
    token = csrf_token(client, "/login")
    failures = []
    for method, template in int_routes(app):
        for number in OUT_OF_RANGE:
            path = fill(template, number)
            if method == "GET":
                response = client.get(path, follow_redirects=False)
            else:
                response = client.post(
                    path, data={"csrf_token": token, "name": "x"}, follow_redirects=False
                )
            if response.status_code != 404:
                failures.append(f"{method} {path}: {response.status_code}")
    assert failures == []


def test_the_api_answers_json_404(client: TestClient[Litestar], world: World) -> None:
    sign_in(client, World.email("admin"))
    response = client.get(f"/api/v1/cycles/{2**63}/scores")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/json")
