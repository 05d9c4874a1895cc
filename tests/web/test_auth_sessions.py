"""Signing in and out, session cookies, rate limits, password changes."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import select

from qms.settings import Settings
from qms.store.db import Database
from qms.store.models import AuditEvent, RateLimitHit
from qms.store.ratelimit import SIGN_IN_PER_ADDRESS, SIGN_IN_PER_PAIR
from qms.web.security import IDLE_SECONDS, SESSION_COOKIE, SessionCodec, WebSession

PASSWORD = "correct horse battery staple"  # the `world` fixture's (world.password)
Client = TestClient[Litestar]
SignIn = Callable[..., httpx.Response]
Token = Callable[..., str]


def _attempt(client: Client, token: str, email: str, password: str) -> httpx.Response:
    return client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": token},
        follow_redirects=False,
    )


def _without_token(html: str) -> str:
    return re.sub(r'(value="|"X-CSRF-Token": ")[A-Za-z0-9_-]{30,}', r"\1TOKEN", html)


def test_anonymous_staff_pages_send_to_sign_in_and_back(
    client: Client, world: Any, csrf_token: Token
) -> None:
    response = client.get(f"/staff/organisations/{world.org_a}?page=2", follow_redirects=False)
    assert response.status_code == 303
    location = response.headers["location"]
    assert location == f"/login?next=/staff/organisations/{world.org_a}%3Fpage%3D2"
    page = client.get(location)
    assert f'name="next" value="/staff/organisations/{world.org_a}?page=2"' in page.text
    signed = client.post(
        "/login",
        data={
            "email": world.email("head"),
            "password": PASSWORD,
            "csrf_token": csrf_token(client),
            "next": f"/staff/organisations/{world.org_a}?page=2",
        },
        follow_redirects=False,
    )
    assert signed.status_code == 303
    assert signed.headers["location"] == f"/staff/organisations/{world.org_a}?page=2"


def test_a_foreign_next_is_ignored(client: Client, world: Any, csrf_token: Token) -> None:
    token = csrf_token(client)
    response = client.post(
        "/login",
        data={
            "email": world.email("staff"),
            "password": PASSWORD,
            "csrf_token": token,
            "next": "//evil.example/steal",
        },
        follow_redirects=False,
    )
    assert response.headers["location"] == "/staff"


def test_htmx_requests_are_told_to_navigate_to_sign_in(client: Client) -> None:
    response = client.get("/staff", headers={"HX-Request": "true"}, follow_redirects=False)
    assert response.status_code == 204
    assert response.headers["hx-redirect"] == "/login?next=/staff"


def test_signed_in_people_skip_the_sign_in_page(
    client: Client, world: Any, sign_in: SignIn
) -> None:
    sign_in(client, world.email("staff"))
    response = client.get("/login", follow_redirects=False)
    assert (response.status_code, response.headers["location"]) == (303, "/staff")


def test_the_session_cookie_is_httponly_lax_and_secure_off_this_machine(
    app: Litestar, world: Any, client: Client, sign_in: SignIn
) -> None:
    cookie = sign_in(client, world.email("staff")).headers["set-cookie"]
    attributes = {part.strip().lower() for part in cookie.split(";")[1:]}
    assert {"httponly", "samesite=lax", "path=/"} <= attributes
    assert "secure" not in attributes  # 127.0.0.1: development over plain http
    with TestClient(app=app, base_url="https://qms.example.lv") as remote:
        page = remote.get("/login")
        assert "secure" in page.headers["set-cookie"].lower()
        assert "not encrypted" not in page.text
    with TestClient(app=app, base_url="http://qms.example.lv") as plain:
        page = plain.get("/login", headers={"Accept-Language": "en"})
        assert "; secure" in page.headers["set-cookie"].lower()
        assert "This connection is not encrypted" in page.text


def test_unknown_email_and_wrong_password_get_the_same_answer(
    client: Client, world: Any, csrf_token: Token
) -> None:
    token = csrf_token(client)
    headers = {"Accept-Language": "en"}
    wrong = client.post(
        "/login",
        data={"email": world.email("head"), "password": "nope nope", "csrf_token": token},
        headers=headers,
    )
    unknown = client.post(
        "/login",
        data={"email": "ghost@example.org", "password": "nope nope", "csrf_token": token},
        headers=headers,
    )
    assert wrong.status_code == unknown.status_code == 422
    assert "The email address or the password is not right." in wrong.text
    assert _without_token(wrong.text).replace(world.email("head"), "EMAIL") == _without_token(
        unknown.text
    ).replace("ghost@example.org", "EMAIL")


def test_sign_ins_are_logged_without_passwords(
    client: Client, world: Any, csrf_token: Token, database: Database
) -> None:
    token = csrf_token(client)
    _attempt(client, token, world.email("head"), "my secret guess 1")
    _attempt(client, token, "ghost@example.org", "my secret guess 2")
    _attempt(client, token, world.email("head"), PASSWORD)
    with database.session() as s:
        events = list(s.scalars(select(AuditEvent).order_by(AuditEvent.id)))
    failed = [e for e in events if e.action == "auth.sign_in_failed"]
    assert [(e.subject, e.detail["known_account"]) for e in failed] == [
        (world.email("head"), True),
        ("", False),
    ]
    signed_in = [e for e in events if e.action == "auth.signed_in"]
    assert [e.actor_id for e in signed_in] == [world.ids["head"]]
    everything = repr([(e.subject, e.detail) for e in events])
    assert "secret guess" not in everything
    assert PASSWORD not in everything
    assert "ghost" not in everything  # unknown addresses may be passwords typed in the wrong box


def test_an_account_is_locked_from_an_address_after_repeated_failures(
    client: Client, world: Any, csrf_token: Token, database: Database
) -> None:
    token = csrf_token(client)
    for _ in range(SIGN_IN_PER_PAIR.max_attempts):
        assert _attempt(client, token, world.email("head"), "wrong password").status_code == 422
    # Even the right password is refused now, with the rate-limit message.
    blocked = _attempt(client, token, world.email("head"), PASSWORD)
    assert blocked.status_code == 429
    assert "Pārāk daudz mēģinājumu" in blocked.text
    # Other accounts from the same address still sign in.
    assert _attempt(client, token, world.email("staff"), PASSWORD).status_code == 303
    with database.session() as s:
        buckets = set(s.scalars(select(RateLimitHit.bucket)))
    assert not any("example.org" in b or "127.0.0.1" in b for b in buckets)


def test_an_address_is_limited_across_accounts(
    client: Client, world: Any, csrf_token: Token
) -> None:
    token = csrf_token(client)
    for n in range(SIGN_IN_PER_ADDRESS.max_attempts):
        assert _attempt(client, token, f"guess{n}@example.org", "wrong").status_code == 422
    assert _attempt(client, token, world.email("staff"), PASSWORD).status_code == 429


def test_a_successful_sign_in_clears_the_accounts_failures(
    client: Client, world: Any, csrf_token: Token, database: Database
) -> None:
    token = csrf_token(client)
    for _ in range(SIGN_IN_PER_PAIR.max_attempts - 1):
        _attempt(client, token, world.email("head"), "wrong")
    assert _attempt(client, token, world.email("head"), PASSWORD).status_code == 303
    with database.session() as s:
        left = list(s.scalars(select(RateLimitHit.bucket)))
    # This address's failures at this account are gone; the address's own count and the
    # account's ceiling stay (guesses elsewhere must not be wiped by the owner's sign-in).
    assert not [b for b in left if b.startswith(f"{SIGN_IN_PER_PAIR.name}:")]
    assert len(left) == 2 * (SIGN_IN_PER_PAIR.max_attempts - 1)


def test_signing_out_ends_the_session_everywhere(
    app: Litestar, client: Client, world: Any, sign_in: SignIn, csrf_token: Token
) -> None:
    sign_in(client, world.email("head"))
    stolen = client.cookies[SESSION_COOKIE]
    token = csrf_token(client)
    out = client.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    assert (out.status_code, out.headers["location"]) == (303, "/login?signed_out=1")
    assert client.get("/staff", follow_redirects=False).status_code == 303
    with TestClient(app=app, base_url="http://127.0.0.1") as thief:
        thief.cookies.set(SESSION_COOKIE, stolen)
        assert thief.get("/staff", follow_redirects=False).status_code == 303


def test_sign_out_needs_the_csrf_token(client: Client, world: Any, sign_in: SignIn) -> None:
    sign_in(client, world.email("head"))
    assert client.post("/logout", follow_redirects=False).status_code == 403
    assert client.get("/staff", follow_redirects=False).status_code == 200


def _cookie_for(settings: Settings, user_id: int, seen: int, issued: int) -> str:
    session = WebSession.new(issued)
    session.sign_in(user_id, 0, issued)
    session.seen = seen
    return SessionCodec(settings.secret_key).dumps(session)


def test_idle_sessions_expire_and_used_ones_slide(
    app: Litestar, settings: Settings, world: Any
) -> None:
    now = int(time.time())
    with TestClient(app=app, base_url="http://127.0.0.1") as idle:
        long_ago = now - IDLE_SECONDS - 60
        idle.cookies.set(
            SESSION_COOKIE, _cookie_for(settings, world.ids["head"], seen=long_ago, issued=long_ago)
        )
        assert idle.get("/staff", follow_redirects=False).status_code == 303
    with TestClient(app=app, base_url="http://127.0.0.1") as active:
        cookie = _cookie_for(settings, world.ids["head"], seen=now - 3600, issued=now - 7200)
        active.cookies.set(SESSION_COOKIE, cookie)
        response = active.get("/staff", follow_redirects=False)
        assert response.status_code == 200
        refreshed = response.headers["set-cookie"]
        assert refreshed.startswith(f"{SESSION_COOKIE}=")
        assert cookie not in refreshed


def test_a_forged_cookie_is_anonymous(app: Litestar, world: Any) -> None:
    forger = Settings(database_url="sqlite:///unused.db", secret_key="not-the-real-key-123")
    now = int(time.time())
    with TestClient(app=app, base_url="http://127.0.0.1") as client:
        client.cookies.set(SESSION_COOKIE, _cookie_for(forger, world.ids["admin"], now, now))
        assert client.get("/admin/users", follow_redirects=False).status_code == 303


def _change(client: Client, token: str, current: str, new: str, confirm: str) -> httpx.Response:
    return client.post(
        "/account/password",
        data={"current": current, "new": new, "confirm": confirm, "csrf_token": token},
        headers={"Accept-Language": "en"},
        follow_redirects=False,
    )


@pytest.mark.parametrize(
    ("current", "new", "confirm", "field", "message"),
    [
        (
            "",
            "a new long password",
            "a new long password",
            "current",
            "Enter your current password.",
        ),
        (PASSWORD, "", "", "new", "Enter a new password."),
        (
            PASSWORD,
            "a new long password",
            "another one",
            "confirm",
            "The two new passwords are not the same.",
        ),
        (PASSWORD, "short", "short", "new", "The new password needs at least 12 characters."),
        (
            PASSWORD,
            "staff@example.org",
            "staff@example.org",
            "new",
            "The new password must not be your email address.",
        ),
        (
            "wrong current pw",
            "a new long password",
            "a new long password",
            "current",
            "Your current password is not right.",
        ),
    ],
)
def test_password_change_explains_what_is_wrong(
    client: Client,
    world: Any,
    sign_in: SignIn,
    csrf_token: Token,
    current: str,
    new: str,
    confirm: str,
    field: str,
    message: str,
) -> None:
    sign_in(client, world.email("staff"))
    response = _change(client, csrf_token(client), current, new, confirm)
    assert response.status_code == 422
    assert f'<a href="#{field}">{message}</a>' in response.text  # the summary links the field
    assert f'id="{field}-error"' in response.text  # and the message sits by the field
    assert PASSWORD not in response.text  # passwords are never echoed


def test_password_change_keeps_this_session_and_ends_the_others(
    app: Litestar, client: Client, world: Any, sign_in: SignIn, csrf_token: Token
) -> None:
    sign_in(client, world.email("staff"))
    with TestClient(app=app, base_url="http://127.0.0.1") as laptop:
        sign_in(laptop, world.email("staff"))
        new = "a brand new passphrase"
        done = _change(client, csrf_token(client), PASSWORD, new, new)
        assert (done.status_code, done.headers["location"]) == (303, "/account/password?changed=1")
        assert client.get("/staff", follow_redirects=False).status_code == 200
        assert laptop.get("/staff", follow_redirects=False).status_code == 303
    with TestClient(app=app, base_url="http://127.0.0.1") as fresh:
        token = csrf_token(fresh)
        assert _attempt(fresh, token, world.email("staff"), PASSWORD).status_code == 422
        assert _attempt(fresh, token, world.email("staff"), new).status_code == 303
