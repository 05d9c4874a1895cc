"""Changing QMS_SECRET_KEY with the old key in QMS_SECRET_KEY_PREVIOUS: cookies the old key
signed are still read, and what the app sends back is signed with the new key."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from typing import Any

import httpx
from litestar import Litestar
from litestar.testing import TestClient

from qms.app import create_app
from qms.settings import Settings
from qms.web.security import SESSION_COOKIE

OLD = "the-old-secret-key-0123"
NEW = "the-new-secret-key-4567"
CLIENTS = "/preview/socquality/clients"
PREVIEW_COOKIE = "qms_preview_socquality_clients_0"
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
SignIn = Callable[..., httpx.Response]


def _app(settings: Settings, key: str, *previous: str) -> Litestar:
    return create_app(dataclasses.replace(settings, secret_key=key, previous_secret_keys=previous))


def _client(app: Litestar) -> TestClient[Litestar]:
    return TestClient(app=app, base_url="http://127.0.0.1")


def _staff_status(app: Litestar, cookie: str) -> httpx.Response:
    with _client(app) as client:
        client.cookies.set(SESSION_COOKIE, cookie)
        return client.get("/staff", follow_redirects=False)


def _sent_cookie(response: httpx.Response, name: str) -> str | None:
    value = response.cookies.get(name)
    return value if isinstance(value, str) else None


def test_a_session_of_the_previous_key_is_read_and_signed_anew(
    settings: Settings, world: Any, sign_in: SignIn
) -> None:
    with _client(_app(settings, OLD)) as client:
        sign_in(client, world.email("head"))
        old_cookie = client.cookies.get(SESSION_COOKIE)
    assert old_cookie
    rotated, new_only = _app(settings, NEW, OLD), _app(settings, NEW)

    refused = _staff_status(new_only, old_cookie)
    assert refused.status_code == 303  # anonymous: sent to sign in

    read = _staff_status(rotated, old_cookie)
    assert read.status_code == 200
    new_cookie = _sent_cookie(read, SESSION_COOKIE)
    assert new_cookie, "a session read with a previous key is sent again at once"
    assert new_cookie != old_cookie
    assert _staff_status(new_only, new_cookie).status_code == 200
    assert _staff_status(_app(settings, OLD), new_cookie).status_code == 303

    payload, dot, rest = old_cookie.partition(".")
    forged = payload[:-2] + ("A" if payload[-2] != "A" else "B") + payload[-1] + dot + rest
    assert _staff_status(rotated, forged).status_code == 303


def test_a_session_of_the_current_key_is_not_sent_again_for_nothing(
    settings: Settings, world: Any, sign_in: SignIn
) -> None:
    rotated = _app(settings, NEW, OLD)
    with _client(rotated) as client:
        sign_in(client, world.email("head"))
        cookie = client.cookies.get(SESSION_COOKIE)
    assert cookie
    read = _staff_status(rotated, cookie)
    assert read.status_code == 200
    assert "set-cookie" not in read.headers


def _answers_shown(app: Litestar, cookie: str) -> str:
    with _client(app) as client:
        client.cookies.set(PREVIEW_COOKIE, cookie, path=CLIENTS)
        page = client.get(f"{CLIENTS}/1", headers={"Accept-Language": "en"}).text
    found = re.search(r"(\d+) of \d+ questions answered", page)
    assert found, "the page shows its progress"
    return found.group(1)


def test_a_preview_of_the_previous_key_keeps_its_answers(settings: Settings) -> None:
    with _client(_app(settings, OLD)) as client:
        token = _TOKEN.search(client.get(f"{CLIENTS}/1").text)
        assert token
        client.post(
            f"{CLIENTS}/1",
            data={"_action": "next", "clients.service": "other", "csrf_token": token.group(1)},
        )
        old_cookie = client.cookies.get(PREVIEW_COOKIE, path=CLIENTS)
    assert old_cookie
    rotated, new_only = _app(settings, NEW, OLD), _app(settings, NEW)
    assert _answers_shown(rotated, old_cookie) == "1"
    assert _answers_shown(new_only, old_cookie) == "0"

    # The next save signs the answers with the new key.
    with _client(rotated) as client:
        client.cookies.set(PREVIEW_COOKIE, old_cookie, path=CLIENTS)
        token = _TOKEN.search(client.get(f"{CLIENTS}/2").text)
        assert token
        saved = client.post(
            f"{CLIENTS}/2",
            data={"_action": "next", "clients.respect": "4", "csrf_token": token.group(1)},
            follow_redirects=False,
        )
        assert saved.status_code == 303
        new_cookie = _sent_cookie(saved, PREVIEW_COOKIE)
    assert new_cookie
    assert _answers_shown(new_only, new_cookie) == "2"
    assert _answers_shown(_app(settings, OLD), new_cookie) == "0"
