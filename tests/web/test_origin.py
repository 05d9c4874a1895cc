"""A post naming another site in Origin (or, without Origin, Referer) is refused even
with a valid CSRF token; posts from our own pages, and posts naming no site, are not."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from litestar import Litestar
from litestar.testing import TestClient

from qms.store import directory
from qms.store.codes import create_codes, resolve
from qms.store.cycles import get_cycle
from qms.store.db import Database
from qms.store.models import Response
from qms.store.responses import response_answers
from tests.factories import csrf_token, make_cycle

Client = TestClient[Litestar]
SignIn = Callable[..., httpx.Response]
OURS = "http://127.0.0.1"


def _names(database: Database) -> list[str]:
    with database.session() as s:
        return [o.name for o in directory.list_organisations(s)]


def _create(client: Client, name: str, headers: dict[str, str]) -> httpx.Response:
    return client.post(
        "/admin/organisations",
        data={"name": name, "csrf_token": csrf_token(client, "/admin/organisations")},
        headers={"Accept-Language": "en", **headers},
        follow_redirects=False,
    )


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://evil.example"},
        {"Origin": "null"},
        {"Origin": "http://127.0.0.1:8080"},  # another port is another site
        {"Origin": "https://127.0.0.1"},  # and so is another scheme
        {"Origin": "http://127.0.0.1.evil.example"},
        {"Origin": "https://evil.example", "Referer": f"{OURS}/admin/organisations"},
        {"Referer": "https://evil.example/form.html"},
        {"Origin": "not a url"},
    ],
)
def test_a_post_from_another_site_is_refused_with_a_valid_token(
    client: Client, world: Any, sign_in: SignIn, database: Database, headers: dict[str, str]
) -> None:
    sign_in(client, world.email("admin"))
    before = _names(database)
    refused = _create(client, "Sneaky", headers)
    assert refused.status_code == 403
    assert "sent from another website" in refused.text
    assert "Traceback" not in refused.text
    assert _names(database) == before


def test_the_refusal_is_translated(client: Client, world: Any, sign_in: SignIn) -> None:
    sign_in(client, world.email("admin"))
    for lang, words in [("lv", "no citas tīmekļa vietnes"), ("lt", "iš kitos svetainės")]:
        refused = client.post(
            "/admin/organisations",
            data={"name": "Sneaky", "csrf_token": csrf_token(client, "/admin/organisations")},
            headers={"Accept-Language": lang, "Origin": "https://evil.example"},
        )
        assert refused.status_code == 403
        assert words in refused.text


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": OURS},
        {"Origin": "http://127.0.0.1:80"},
        {"Referer": f"{OURS}/admin/organisations?page=2"},
        {},  # neither: the token decides
    ],
)
def test_a_post_from_our_own_pages_goes_through(
    client: Client, world: Any, sign_in: SignIn, database: Database, headers: dict[str, str]
) -> None:
    sign_in(client, world.email("admin"))
    assert _create(client, "Dienas centrs", headers).status_code == 303
    assert "Dienas centrs" in _names(database)


def test_without_origin_a_wrong_token_is_still_refused(
    client: Client, world: Any, sign_in: SignIn, database: Database
) -> None:
    sign_in(client, world.email("admin"))
    refused = client.post(
        "/admin/organisations",
        data={"name": "Sneaky", "csrf_token": "x" * 43},
        headers={"Origin": OURS},
    )
    assert refused.status_code == 403
    assert "Sneaky" not in _names(database)


def test_https_behind_its_own_name(app: Litestar, world: Any, sign_in: SignIn) -> None:
    with TestClient(app=app, base_url="https://qms.example.lv") as client:
        sign_in(client, world.email("admin"))
        ours = _create(client, "Ours", {"Origin": "https://qms.example.lv"})
        assert ours.status_code == 303
        downgraded = _create(client, "Downgraded", {"Origin": "http://qms.example.lv"})
        assert downgraded.status_code == 403


@pytest.fixture
def code(database: Database) -> str:
    with database.session() as s:
        directory.create_organisation(s, "Dienas centrs Saulīte", actor_id=None)
        s.commit()
    cycle_id = make_cycle(database, "Dienas centrs Saulīte")
    with database.session() as s:
        made = create_codes(s, get_cycle(s, cycle_id), "clients", 1)
        s.commit()
        return made[0]


def _stored(database: Database, code: str) -> dict[str, Any]:
    with database.session() as s:
        target = resolve(s, code)
        if target is None or target.response_id is None:
            return {}
        return dict(response_answers(s, s.get_one(Response, target.response_id)))


def test_respondent_posts_from_our_pages_keep_working(
    client: Client, database: Database, code: str
) -> None:
    same = {"Origin": OURS, "Referer": f"{OURS}/"}
    token = csrf_token(client, "/")
    entered = client.post(
        "/code", data={"code": code, "csrf_token": token}, headers=same, follow_redirects=False
    )
    assert entered.status_code == 303
    base = entered.headers["location"]
    assert client.get(base).status_code == 200
    # No-JS form post of a section.
    posted = client.post(
        f"{base}/2",
        data={"clients.respect": "4", "csrf_token": token},
        headers={"Origin": OURS, "Referer": f"{OURS}{base}/2"},
        follow_redirects=False,
    )
    assert posted.status_code == 303, posted.text[:500]
    # htmx saving one answer.
    saved = client.post(
        f"{base}/save/clients.respect",
        data={"clients.respect": "5"},
        headers={"X-CSRF-Token": token, "HX-Request": "true", "Origin": OURS},
    )
    assert saved.status_code == 200
    assert _stored(database, code)["clients.respect"] == 5
    # The same save from another site changes nothing.
    evil = client.post(
        f"{base}/save/clients.respect",
        data={"clients.respect": "1"},
        headers={"X-CSRF-Token": token, "HX-Request": "true", "Origin": "https://evil.example"},
    )
    assert evil.status_code == 403
    assert _stored(database, code)["clients.respect"] == 5
