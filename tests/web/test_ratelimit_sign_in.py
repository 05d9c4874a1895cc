"""Failed sign-ins are limited per (account, address) and per address, so that someone
elsewhere cannot lock a person out; a high per-account ceiling stops guessing one
account from many addresses."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
from litestar import Litestar
from litestar.testing import TestClient

from qms.store.ratelimit import SIGN_IN_PER_ACCOUNT, SIGN_IN_PER_ADDRESS, SIGN_IN_PER_PAIR
from tests.factories import PASSWORD, csrf_token
from tests.web.test_ratelimit_codes import client_at

Client = TestClient[Litestar]
Attempt = Callable[[str, str], httpx.Response]


def _login_form(client: Client) -> Attempt:
    """Sign-in attempts from this browser, with the token its form carries."""
    token = csrf_token(client)

    def attempt(email: str, password: str) -> httpx.Response:
        return client.post(
            "/login",
            data={"email": email, "password": password, "csrf_token": token},
            follow_redirects=False,
        )

    return attempt


def test_failures_from_one_address_do_not_lock_the_owner_out_elsewhere(
    app: Litestar, world: Any
) -> None:
    head = world.email("head")
    with client_at(app, "198.51.100.7") as attacker:
        attempt = _login_form(attacker)
        for _ in range(SIGN_IN_PER_PAIR.max_attempts):
            assert attempt(head, "a wrong guess").status_code == 422
        # The guesser is stopped at this account, even with the right password...
        assert attempt(head, PASSWORD).status_code == 429
    # ...and the head, at the office, signs in as usual.
    with client_at(app, "203.0.113.20") as office:
        assert _login_form(office)(head, PASSWORD).status_code == 303


def test_an_address_is_stopped_across_accounts(app: Litestar, world: Any) -> None:
    with client_at(app, "198.51.100.8") as attacker:
        attempt = _login_form(attacker)
        for n in range(SIGN_IN_PER_ADDRESS.max_attempts):
            assert attempt(f"guess{n}@example.org", "wrong").status_code == 422
        refused = attempt(world.email("staff"), PASSWORD)
        assert refused.status_code == 429
        assert "Pārāk daudz mēģinājumu" in refused.text
    with client_at(app, "203.0.113.21") as office:
        assert _login_form(office)(world.email("staff"), PASSWORD).status_code == 303


def test_guessing_one_account_from_many_addresses_meets_a_ceiling(
    app: Litestar, world: Any
) -> None:
    head = world.email("head")
    per_address = SIGN_IN_PER_PAIR.max_attempts
    addresses = -(-SIGN_IN_PER_ACCOUNT.max_attempts // per_address)
    # Reaching the ceiling takes many addresses, not one browser.
    assert addresses >= 10
    for n in range(addresses):
        with client_at(app, f"192.0.2.{n + 1}") as bot:
            attempt = _login_form(bot)
            for _ in range(per_address):
                assert attempt(head, "a wrong guess").status_code == 422
    with client_at(app, "203.0.113.22") as anywhere:
        assert _login_form(anywhere)(head, "a wrong guess").status_code == 429
