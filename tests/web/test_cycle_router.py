"""The cycle router: every route under /staff/cycles/{cycle_id} gets its cycle from the
`cycle` dependency, which checks the route's declared permission; a route that would skip
the check stops the app from being built."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from litestar import Controller, Litestar, get
from litestar.di import NamedDependency, Provide
from litestar.exceptions import ImproperlyConfiguredException
from litestar.routes import HTTPRoute
from litestar.testing import TestClient

import qms.app
from qms.settings import Settings
from qms.store.cycles import Cycle, create_cycle
from qms.store.db import Database
from qms.store.orgs import get_organisation
from qms.store.snapshots import read_snapshot
from qms.web.access import (
    CYCLE_PATH,
    check_cycle_routes,
    cycle_route_problems,
    cycle_router,
    on_cycle,
)
from qms.web.auth import requires

QUESTIONNAIRES = Path(__file__).resolve().parents[2] / "questionnaires"


def _cycle_routes(app: Litestar) -> list[str]:
    return [
        f"{method} {route.path}"
        for route in app.routes
        if isinstance(route, HTTPRoute) and route.path.startswith(CYCLE_PATH)
        for handler in route.route_handlers
        for method in sorted(handler.http_methods - {"OPTIONS"})
    ]


def test_the_app_has_no_cycle_route_that_skips_its_check(app: Litestar) -> None:
    assert len(_cycle_routes(app)) > 30  # the test sees the cycle routes at all
    assert cycle_route_problems(app) == []


class Forgetful(Controller):
    @get("/forgot", opt=requires("staff.home"), sync_to_thread=False)
    def forgot(self, cycle: NamedDependency[Cycle]) -> str:
        return "the permission of the cycle's organisation was never asked"

    @get("/unused", opt=on_cycle("cycle.manage"), sync_to_thread=False)
    def unused(self) -> str:
        return "declared, but the cycle (and so the check) is never loaded"


@get(CYCLE_PATH + "/outside", opt=on_cycle("cycle.manage"), sync_to_thread=False)
def outside() -> str:
    return "under the cycle path, but not in the router that provides the check"


@get("/elsewhere/{cycle_id:int}", opt=on_cycle("cycle.manage"), sync_to_thread=False)
def elsewhere() -> str:
    return "a cycle permission on a route the router does not serve"


def _no_db() -> None:
    return None


def _no_principal() -> None:
    return None


def test_every_way_of_skipping_the_check_is_named() -> None:
    app = Litestar(
        route_handlers=[cycle_router([Forgetful]), outside, elsewhere],
        # What the `cycle` dependency itself depends on (create_app provides them).
        dependencies={
            "db": Provide(_no_db, sync_to_thread=False),
            "principal": Provide(_no_principal, sync_to_thread=False),
        },
    )
    problems = cycle_route_problems(app)
    assert problems == [
        f"GET {CYCLE_PATH}/forgot: declare opt=on_cycle(ACTION)",
        f"GET {CYCLE_PATH}/unused: take here: NamedDependency[CycleRequest]",
        f"GET {CYCLE_PATH}/outside: register it in cycle_router(...)",
        f"GET /elsewhere/{{cycle_id:int}}: on_cycle routes live under {CYCLE_PATH}",
    ]
    with pytest.raises(ImproperlyConfiguredException, match="/forgot"):
        check_cycle_routes(app)


def test_create_app_refuses_a_cycle_route_that_skips_its_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Building the app reads no database: the file need not exist.
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'none.db'}", secret_key="test-secret-key-0123456789"
    )
    monkeypatch.setattr(qms.app, "PaperController", Forgetful)
    with pytest.raises(ImproperlyConfiguredException, match="/unused"):
        qms.app.create_app(settings)


def test_only_an_organisation_rule_can_guard_a_cycle() -> None:
    for action in ("staff.home", "admin", "network.view"):
        with pytest.raises(ValueError, match=action):
            on_cycle(action)
    with pytest.raises(KeyError):
        on_cycle("cycle.mange")
    assert on_cycle("results.read")  # the cycle's own rule (published results)


def _page(text: str) -> str:
    text = re.sub(r'nonce="[^"]*"', 'nonce=""', text)
    return re.sub(r'"X-CSRF-Token": "[^"]*"', '"X-CSRF-Token": ""', text)


def test_another_organisations_cycle_looks_like_no_cycle_at_all(
    client: TestClient[Litestar],
    world: Any,
    database: Database,
    sign_in: Callable[..., httpx.Response],
) -> None:
    snapshot = read_snapshot(QUESTIONNAIRES, "socquality")
    with database.session() as s:
        mine = create_cycle(s, get_organisation(s, "Org A"), 2026, snapshot).id
        theirs = create_cycle(s, get_organisation(s, "Org B"), 2026, snapshot).id
        s.commit()
    sign_in(client, world.email("head"))
    for tail in ("", "/results", "/codes", "/export.csv", "/comments"):
        assert client.get(f"/staff/cycles/{mine}{tail}").status_code == 200, tail
        other = client.get(f"/staff/cycles/{theirs}{tail}")
        missing = client.get(f"/staff/cycles/{theirs + mine + 1000}{tail}")
        assert other.status_code == missing.status_code == 404, tail
        assert _page(other.text) == _page(missing.text), tail
