"""The permission table, the session cookie and the redirect guard, without a server."""

from __future__ import annotations

import pytest
from litestar.exceptions import NotFoundException, PermissionDeniedException

from qms.store.users import Account, Grant
from qms.web.auth import RULES, Principal, requires, safe_next
from qms.web.security import (
    ABSOLUTE_SECONDS,
    IDLE_SECONDS,
    REFRESH_SECONDS,
    SessionCodec,
    WebSession,
    cookie_is_secure,
)

ORG, OTHER_ORG, NET, OTHER_NET = 1, 2, 10, 20


def principal(*grants: tuple[str, int | None, int | None]) -> Principal:
    return Principal(
        Account(
            id=7,
            email="p@example.org",
            name="",
            is_active=True,
            session_epoch=0,
            grants=tuple(Grant(i, role, org, net) for i, (role, org, net) in enumerate(grants)),
        )
    )


ADMIN = principal(("admin", None, None))
HEAD = principal(("head", ORG, None))
STAFF = principal(("staff", ORG, None))
COORDINATOR = principal(("coordinator", None, NET))
NOBODY = principal()
# Someone with roles in two organisations and a network at once.
MIXED = principal(("staff", ORG, None), ("head", OTHER_ORG, None), ("coordinator", None, NET))


@pytest.mark.parametrize(
    ("who", "action", "org", "net", "allowed"),
    [
        (NOBODY, "staff.home", None, None, True),
        (NOBODY, "organisation.view", ORG, None, False),
        (NOBODY, "admin", None, None, False),
        (ADMIN, "admin", None, None, True),
        (ADMIN, "organisation.audit", OTHER_ORG, None, True),
        (ADMIN, "network.view", None, OTHER_NET, True),
        (HEAD, "organisation.view", ORG, None, True),
        (HEAD, "organisation.manage", ORG, None, True),
        (HEAD, "organisation.audit", ORG, None, True),
        (HEAD, "organisation.view", OTHER_ORG, None, False),
        (HEAD, "organisation.view", None, None, False),
        (HEAD, "network.view", None, NET, False),
        (HEAD, "admin", None, None, False),
        (STAFF, "organisation.view", ORG, None, True),
        (STAFF, "organisation.manage", ORG, None, False),
        (STAFF, "organisation.audit", ORG, None, False),
        (COORDINATOR, "network.view", None, NET, True),
        (COORDINATOR, "network.view", None, OTHER_NET, False),
        # Coordinators see what members share, never an organisation's own pages.
        (COORDINATOR, "organisation.view", ORG, None, False),
        (MIXED, "organisation.manage", ORG, None, False),
        (MIXED, "organisation.manage", OTHER_ORG, None, True),
        (MIXED, "organisation.view", ORG, None, True),
        (MIXED, "network.view", None, NET, True),
    ],
)
def test_can(who: Principal, action: str, org: int | None, net: int | None, allowed: bool) -> None:
    assert who.can(action, organisation_id=org, network_id=net) is allowed


def test_require_hides_other_organisations_and_forbids_areas() -> None:
    with pytest.raises(NotFoundException):
        HEAD.require("organisation.view", organisation_id=OTHER_ORG)
    with pytest.raises(NotFoundException):
        HEAD.require("network.view", network_id=NET)
    with pytest.raises(PermissionDeniedException):
        HEAD.require("admin")
    HEAD.require("organisation.view", organisation_id=ORG)  # no exception


def test_reachable_ids() -> None:
    assert MIXED.organisation_ids("organisation.view") == {ORG, OTHER_ORG}
    assert MIXED.organisation_ids("organisation.manage") == {OTHER_ORG}
    assert MIXED.network_ids("network.view") == {NET}
    assert ADMIN.organisation_ids("organisation.view") is None  # all of them


def test_unknown_actions_fail_loudly() -> None:
    with pytest.raises(KeyError):
        requires("organisation.veiw")
    with pytest.raises(KeyError):
        HEAD.can("nonsense")
    assert "admin" in RULES


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/staff/organisations/3?page=2", "/staff/organisations/3?page=2"),
        (None, "/staff"),
        ("", "/staff"),
        ("https://evil.example/", "/staff"),
        ("//evil.example/", "/staff"),
        ("/\\evil.example", "/staff"),
        ("javascript:alert(1)", "/staff"),
        ("/ok\r\nSet-Cookie: x=1", "/staff"),
    ],
)
def test_safe_next_stays_on_this_site(target: str | None, expected: str) -> None:
    assert safe_next(target, "/staff") == expected


CODEC = SessionCodec("k" * 32)
NOW = 1_800_000_000


def signed_in(at: int = NOW, issued: int | None = None) -> str:
    session = WebSession.new(at)
    session.sign_in(5, 3, issued if issued is not None else at)
    session.seen = at
    return CODEC.dumps(session)


def test_a_cookie_round_trips() -> None:
    loaded = CODEC.loads(signed_in(), NOW + 10)
    assert loaded is not None
    assert (loaded.user_id, loaded.epoch, loaded.fresh) == (5, 3, False)
    assert not loaded.dirty  # used a moment ago: no need to send it again


def test_tampered_or_foreign_cookies_are_refused() -> None:
    raw = signed_in()
    payload, _, signature = raw.partition(".")
    forged_payload = payload[:-2] + ("A" if payload[-2] != "A" else "B") + payload[-1]
    assert CODEC.loads(f"{forged_payload}.{signature}", NOW) is None
    assert SessionCodec("other-key-" * 3).loads(raw, NOW) is None
    for junk in ("", ".", "abc", "abc.def", "%%%.%%%", raw + "x"):
        assert CODEC.loads(junk, NOW) is None


def test_sessions_expire_when_idle_and_slide_when_used() -> None:
    raw = signed_in()
    assert CODEC.loads(raw, NOW + IDLE_SECONDS + 1) is None
    used = CODEC.loads(raw, NOW + REFRESH_SECONDS + 1)
    assert used is not None
    assert used.dirty
    assert used.seen == NOW + REFRESH_SECONDS + 1
    # Re-issued, it lives another idle period from its last use.
    again = CODEC.loads(CODEC.dumps(used), NOW + REFRESH_SECONDS + IDLE_SECONDS)
    assert again is not None
    assert again.user_id == 5


def test_sessions_end_after_the_absolute_limit_even_when_used() -> None:
    raw = signed_in(at=NOW, issued=NOW - ABSOLUTE_SECONDS - 1)
    assert CODEC.loads(raw, NOW) is None


def test_anonymous_sessions_only_mark_themselves_for_sending_when_used() -> None:
    session = WebSession.new(NOW)
    assert not session.dirty
    token = session.csrf_token()
    assert session.dirty
    assert len(token) >= 32


@pytest.mark.parametrize(
    ("host", "scheme", "secure"),
    [
        ("localhost:8000", "http", False),
        ("127.0.0.1", "http", False),
        ("[::1]:8000", "http", False),
        ("testserver", "http", False),
        ("qms.example.lv", "http", True),
        ("qms.example.lv", "https", True),
        ("localhost", "https", True),
    ],
)
def test_cookies_are_secure_except_on_this_machine(host: str, scheme: str, secure: bool) -> None:
    scope = {"type": "http", "scheme": scheme, "headers": [(b"host", host.encode())]}
    assert cookie_is_secure(scope) is secure  # type: ignore[arg-type]
