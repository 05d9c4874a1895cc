"""Guessing access codes is limited on every path that takes a code, and the table of
counted attempts does not grow for ever."""

from __future__ import annotations

import ast
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import func, select

from qms.store import directory, ratelimit
from qms.store.base import utcnow
from qms.store.codes import create_codes
from qms.store.cycles import get_cycle
from qms.store.db import Database
from qms.store.models import RateLimitHit
from qms.store.ratelimit import ACCESS_CODE_PER_ADDRESS, LONGEST_WINDOW
from tests.factories import csrf_token, make_cycle

Client = TestClient[Litestar]
WEB = Path(__file__).resolve().parents[2] / "qms" / "web"


class FromAddress:
    """The app as seen from another machine: ASGI's `client`, which is what a server
    (or uvicorn behind a trusted proxy) reports as the caller's address."""

    def __init__(self, app: Litestar, address: str) -> None:
        self.app, self.address = app, address

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            scope = {**scope, "client": (self.address, 40000)}
        await self.app(scope, receive, send)


@contextmanager
def client_at(app: Litestar, address: str) -> Iterator[Client]:
    with TestClient(app=FromAddress(app, address), base_url="http://127.0.0.1") as client:  # type: ignore[arg-type]
        yield client


@pytest.fixture
def real_code(database: Database) -> str:
    with database.session() as s:
        directory.create_organisation(s, "Dienas centrs Saulīte", actor_id=None)
        s.commit()
    cycle_id = make_cycle(database, "Dienas centrs Saulīte")
    with database.session() as s:
        made = create_codes(s, get_cycle(s, cycle_id), "clients", 1)
        s.commit()
        return made[0]


def _guesses() -> Iterator[str]:
    for a in "23456789":
        for b in "23456789":
            yield f"ABCD-EFGH-{a}{b}"


# Every route that takes a code: (method, path after /a/{code} or the form, data).
ROUTES: list[tuple[str, str, dict[str, str]]] = [
    ("POST", "/code", {}),
    ("GET", "", {}),
    ("GET", "?lang=lt", {}),
    ("GET", "/1", {}),
    ("POST", "/1", {"clients.respect": "4"}),
    ("POST", "/save/clients.respect", {"clients.respect": "4"}),
    ("GET", "/review", {}),
    ("POST", "/review", {}),
    ("GET", "/done", {}),
]


def _try(client: Client, token: str, route: tuple[str, str, dict[str, str]], code: str) -> int:
    method, rest, data = route
    if rest == "/code":
        response = client.post(
            "/code", data={"code": code, "csrf_token": token}, follow_redirects=False
        )
    elif method == "GET":
        response = client.get(f"/a/{code}{rest}", follow_redirects=False)
    else:
        response = client.post(
            f"/a/{code}{rest}", data={**data, "csrf_token": token}, follow_redirects=False
        )
    return response.status_code


def test_wrong_codes_count_across_every_route_and_then_every_route_refuses(
    app: Litestar, real_code: str
) -> None:
    guesses = _guesses()
    with client_at(app, "198.51.100.7") as guesser:
        token = csrf_token(guesser)
        # The address's attempts spread over every route still add up to one limit.
        for n in range(ACCESS_CODE_PER_ADDRESS.max_attempts):
            status = _try(guesser, token, ROUTES[n % len(ROUTES)], next(guesses))
            assert status in (404, 422), (ROUTES[n % len(ROUTES)], status)
        for route in ROUTES:
            assert _try(guesser, token, route, next(guesses)) == 429, route
            # Shut out means shut out: a real code opens nothing from here either.
            assert _try(guesser, token, route, real_code) == 429, route
        page = guesser.get(f"/a/{next(guesses)}", headers={"Accept-Language": "en"})
        assert page.status_code == 429
        assert page.headers["retry-after"] == "60"
        assert "Too many attempts" in page.text
        assert "Traceback" not in page.text
    # Another address is not affected.
    with client_at(app, "203.0.113.9") as respondent:
        assert respondent.get(f"/a/{real_code}").status_code == 200
        token = csrf_token(respondent)
        assert _try(respondent, token, ("POST", "/code", {}), real_code) == 303


def test_no_web_module_resolves_a_code_but_the_lookup() -> None:
    # A new route that called qms.store.codes.resolve itself would skip the limit.
    offences = []
    for path in WEB.rglob("*.py"):
        if path.name == "lookup.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.ImportFrom)
                and node.module == "qms.store.codes"
                and any(alias.name == "resolve" for alias in node.names)
            ):
                offences.append(f"{path}:{node.lineno}")
            if (
                isinstance(node, ast.Attribute)
                and node.attr == "resolve"
                and isinstance(node.value, ast.Name)
                and node.value.id == "codes"
            ):
                offences.append(f"{path}:{node.lineno}")
    assert not offences, "resolve codes through qms.web.respond.lookup:\n" + "\n".join(offences)


def _rows(database: Database) -> list[tuple[str, Any]]:
    with database.session() as s:
        return list(s.execute(select(RateLimitHit.bucket, RateLimitHit.at)).tuples())


def _plant_old_rows(database: Database, count: int) -> None:
    old = utcnow() - LONGEST_WINDOW - timedelta(days=2)
    with database.session() as s:
        s.add_all(
            RateLimitHit(bucket=f"code/address:old{n}", at=old - timedelta(seconds=n))
            for n in range(count)
        )
        s.commit()


def _old_left(database: Database) -> int:
    with database.session() as s:
        return int(
            s.scalar(
                select(func.count())
                .select_from(RateLimitHit)
                .where(RateLimitHit.bucket.like("code/address:old%"))
            )
            or 0
        )


@pytest.mark.parametrize("how", ["wrong code", "wrong password"])
def test_expired_attempts_disappear_through_normal_requests(
    client: Client,
    database: Database,
    world: Any,
    form_post: Callable[..., httpx.Response],
    how: str,
) -> None:
    _plant_old_rows(database, 40)
    if how == "wrong code":
        assert client.get("/a/ABCD-EFGH-23").status_code == 404
    else:
        assert (
            form_post(
                client, "/login", {"email": world.email("head"), "password": "not the password"}
            ).status_code
            == 422
        )
    assert _old_left(database) == 0
    # What was just counted stays.
    assert len(_rows(database)) >= 2


def test_pruning_is_bounded_per_request_yet_keeps_up(
    client: Client, database: Database, form_post: Callable[..., httpx.Response]
) -> None:
    # A table that grew before pruning existed shrinks a batch per failure, and no
    # single request pays for deleting all of it.
    _plant_old_rows(database, 250)
    client.get("/a/ABCD-EFGH-23")
    left = _old_left(database)
    assert 0 < left < 250
    for guess in ["ABCD-EFGH-24", "ABCD-EFGH-25"]:
        client.get(f"/a/{guess}")
    assert _old_left(database) == 0


def test_failures_counted_at_once_prune_without_errors(database: Database) -> None:
    # Workers counting failures at the same moment each drop a batch of old rows; none
    # waits for or deadlocks over another's (SKIP LOCKED on PostgreSQL).
    _plant_old_rows(database, 400)
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        try:
            for k in range(25):
                with database.session() as s:
                    ratelimit.count_attempt(
                        s, ratelimit.access_code_buckets(f"192.0.2.{n}", f"ABCD-EFGH-{k:02}")
                    )
                    s.commit()
        except BaseException as failed:  # reported by the assertion below
            errors.append(failed)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert _old_left(database) == 0
    assert len(_rows(database)) == 4 * 25 * 2
