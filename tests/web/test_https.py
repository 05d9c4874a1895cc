"""Over https (the scheme as the server reports it): HSTS on every response, and every
cookie Secure, whatever the host."""

from __future__ import annotations

from collections.abc import Iterator
from http.cookies import SimpleCookie

import httpx
import pytest
from litestar import Litestar
from litestar.testing import TestClient

from qms.web.security import SESSION_COOKIE
from tests.factories import csrf_token

Client = TestClient[Litestar]
CLIENTS = "/preview/socquality/clients"


def _cookies(response: httpx.Response) -> dict[str, str]:
    """Each Set-Cookie of the response: name -> its attributes, lower-cased."""
    found = {}
    for header in response.headers.get_list("set-cookie"):
        name = SimpleCookie(header)
        found[next(iter(name))] = header.lower()
    return found


def _secure(attributes: str) -> bool:
    return "secure" in [part.strip() for part in attributes.split(";")[1:]]


@pytest.fixture(params=["https://qms.example.lv", "https://localhost", "https://127.0.0.1:8443"])
def https(sqlite_app: Litestar, request: pytest.FixtureRequest) -> Iterator[Client]:
    # The subject is the web layer, not the engine: SQLite alone.
    with TestClient(app=sqlite_app, base_url=request.param) as client:
        yield client


@pytest.fixture
def http(sqlite_app: Litestar) -> Iterator[Client]:
    with TestClient(app=sqlite_app, base_url="http://127.0.0.1") as client:
        yield client


def test_https_responses_carry_hsts(https: Client) -> None:
    for path in ["/", "/login", "/no/such/page", "/static/css/qms.css", "/healthz"]:
        response = https.get(path, follow_redirects=False)
        assert response.headers["strict-transport-security"] == "max-age=31536000", path


def test_plain_http_carries_no_hsts(http: Client) -> None:
    # Browsers ignore it over http, and a site reached by http on purpose (a test
    # machine) must not be pinned to https by accident.
    assert "strict-transport-security" not in http.get("/login").headers


def test_every_cookie_is_secure_over_https(https: Client) -> None:
    seen: dict[str, str] = {}
    seen |= _cookies(https.get("/login?lang=lt"))  # session (CSRF token) and language
    seen |= _cookies(https.get(f"{CLIENTS}/1?easy=1"))  # easy-read
    token = csrf_token(https, f"{CLIENTS}/1")
    posted = https.post(
        f"{CLIENTS}/1",
        data={"_action": "next", "clients.service": "other", "csrf_token": token},
        follow_redirects=False,
    )
    seen |= _cookies(posted)  # the preview's answers
    assert {SESSION_COOKIE, "qms_lang", "qms_easy", "qms_preview_socquality_clients_0"} <= set(seen)
    for name, attributes in seen.items():
        assert _secure(attributes), (name, attributes)
        assert attributes.count("secure") == 1, (name, attributes)


def test_local_http_cookies_are_not_secure(http: Client) -> None:
    # Development on this machine over plain http keeps working.
    for name, attributes in _cookies(http.get("/login?lang=lt")).items():
        assert not _secure(attributes), name
