"""Declared staff forms: a body with a field missing, of the wrong type, out of range, or
with a field the form does not declare is answered with the page again, the message next
to the field (in the page's language), and nothing in the database changed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import httpx
import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import select

import qms.store.models  # noqa: F401  (every table in Base.metadata)
from qms.store.base import Base
from qms.store.db import Database
from tests.factories import PASSWORD, make_cycle
from tests.web.conftest import World

Client = TestClient[Litestar]
Post = Callable[..., httpx.Response]
UNKNOWN = "This form sent a field the page does not know."
UNKNOWN_LV = "Šī veidlapa nosūtīja lauku, ko lapa nepazīst."


@dataclass(frozen=True)
class Case:
    who: str | None  # signed in as; None: nobody
    path: str  # {cycle}, {org}, {net}, {user} filled in
    body: dict[str, str]  # a body the form takes
    change: dict[str, str | None]  # what to send instead (None: leave the field out)
    field: str  # where the message stands
    message: str  # its start, in English
    error_id: bool = True  # the page marks the message with id="FIELD-error"


def _cases() -> dict[str, Case]:
    plan = {"criterion": "3.2", "title": "Supervision", "status": "planned", "due": ""}
    batch = {"group": "staff", "count": "5"}
    link = {"link_group": "clients", "cap": "10"}
    account = {"email": "new@example.org", "name": "New", "role": "staff", "organisation_id": ""}
    role = {"role": "staff", "organisation_id": "{org}"}
    password = {"current": PASSWORD, "new": "a new long passphrase", "confirm": ""}
    password["confirm"] = password["new"]
    sign_in = {"email": "head@example.org", "password": PASSWORD}
    cases = {
        "plan-missing": Case(
            "head",
            "/staff/cycles/{cycle}/plan",
            plan,
            {"title": None},
            "title",
            "Describe the action",
        ),
        "plan-type": Case(
            "head", "/staff/cycles/{cycle}/plan", plan, {"due": "soon"}, "due", "Enter the due date"
        ),
        "plan-range": Case(
            "head",
            "/staff/cycles/{cycle}/plan",
            plan,
            {"title": "x" * 301},
            "title",
            "Describe the action",
        ),
        "plan-status": Case(
            "head",
            "/staff/cycles/{cycle}/plan",
            plan,
            {"status": "finished"},
            "status",
            "Choose a status",
        ),
        "plan-extra": Case(
            "head", "/staff/cycles/{cycle}/plan", plan, {"priority": "high"}, "criterion", UNKNOWN
        ),
        "codes-missing": Case(
            "head",
            "/staff/cycles/{cycle}/codes",
            batch,
            {"count": None},
            "count",
            "Enter a whole number from 1 to 500",
        ),
        "codes-type": Case(
            "head",
            "/staff/cycles/{cycle}/codes",
            batch,
            {"count": "five"},
            "count",
            "Enter a whole number from 1 to 500",
        ),
        "codes-range": Case(
            "head",
            "/staff/cycles/{cycle}/codes",
            batch,
            {"count": "501"},
            "count",
            "Enter a whole number from 1 to 500",
        ),
        "codes-extra": Case(
            "head", "/staff/cycles/{cycle}/codes", batch, {"prefix": "AB"}, "group", UNKNOWN
        ),
        "link-missing": Case(
            "head",
            "/staff/cycles/{cycle}/open-links",
            link,
            {"link_group": None},
            "link_group",
            "Choose a group",
        ),
        "link-type": Case(
            "head",
            "/staff/cycles/{cycle}/open-links",
            link,
            {"cap": "ten"},
            "cap",
            "Enter a whole number from 1 to 100000",
        ),
        "link-range": Case(
            "head",
            "/staff/cycles/{cycle}/open-links",
            link,
            {"cap": "0"},
            "cap",
            "Enter a whole number from 1 to 100000",
        ),
        "link-extra": Case(
            "head",
            "/staff/cycles/{cycle}/open-links",
            link,
            {"expires": "2030-01-01"},
            "link_group",
            UNKNOWN,
        ),
        "org-missing": Case(
            "admin", "/admin/organisations", {"name": "New"}, {"name": None}, "name", "Enter a name"
        ),
        "org-range": Case(
            "admin",
            "/admin/organisations",
            {"name": "New"},
            {"name": "x" * 201},
            "name",
            "The name can have at most 200",
        ),
        "org-extra": Case(
            "admin", "/admin/organisations", {"name": "New"}, {"code": "X"}, "name", UNKNOWN
        ),
        "rename-net-missing": Case(
            "admin",
            "/admin/networks/{net}",
            {"name": "New"},
            {"name": None},
            "name",
            "Enter a name",
        ),
        "rename-net-extra": Case(
            "admin", "/admin/networks/{net}", {"name": "New"}, {"id": "1"}, "name", UNKNOWN
        ),
        "user-missing": Case(
            "admin",
            "/admin/users",
            account | {"organisation_id": "{org}"},
            {"email": None},
            "email",
            "Enter an email address",
        ),
        "user-type": Case(
            "admin",
            "/admin/users",
            account,
            {"organisation_id": "Org A"},
            "organisation_id",
            "Choose the organisation",
        ),
        "user-range": Case(
            "admin",
            "/admin/users",
            account,
            {"organisation_id": "99999999999"},
            "organisation_id",
            "Choose the organisation",
        ),
        "user-role": Case(
            "admin",
            "/admin/users",
            account | {"organisation_id": "{org}"},
            {"role": "wizard"},
            "role",
            "Choose a role",
        ),
        "user-extra": Case(
            "admin",
            "/admin/users",
            account | {"organisation_id": "{org}"},
            {"is_admin": "1"},
            "email",
            UNKNOWN,
        ),
        "account-range": Case(
            "admin",
            "/admin/users/{user}",
            {"name": "N", "active": "yes"},
            {"name": "x" * 201},
            "name",
            "The full name can have at most 200",
        ),
        "account-type": Case(
            "admin",
            "/admin/users/{user}",
            {"name": "N", "active": "yes"},
            {"active": "maybe"},
            "active",
            "Tick the box",
        ),
        "account-extra": Case(
            "admin",
            "/admin/users/{user}",
            {"name": "N", "active": "yes"},
            {"email": "x@example.org"},
            "name",
            UNKNOWN,
        ),
        "role-missing": Case(
            "admin", "/admin/users/{user}/roles", role, {"role": None}, "role", "Choose a role"
        ),
        "role-type": Case(
            "admin",
            "/admin/users/{user}/roles",
            role,
            {"organisation_id": "first"},
            "organisation_id",
            "Choose the organisation",
        ),
        "role-extra": Case(
            "admin", "/admin/users/{user}/roles", role, {"expires": "never"}, "role", UNKNOWN
        ),
        "token-missing": Case(
            "head",
            "/account/tokens",
            {"name": "script"},
            {"name": None},
            "name",
            "Enter a name for the token",
        ),
        "token-range": Case(
            "head",
            "/account/tokens",
            {"name": "script"},
            {"name": "x" * 101},
            "name",
            "The name can have at most 100",
        ),
        "token-extra": Case(
            "head", "/account/tokens", {"name": "script"}, {"scope": "all"}, "name", UNKNOWN
        ),
        "password-missing": Case(
            "head",
            "/account/password",
            password,
            {"current": None},
            "current",
            "Enter your current password",
        ),
        "password-range": Case(
            "head",
            "/account/password",
            password,
            {"new": "x" * 257, "confirm": "x" * 257},
            "new",
            "The new password is too long",
        ),
        "password-extra": Case(
            "head", "/account/password", password, {"email": "x@example.org"}, "current", UNKNOWN
        ),
        "login-missing": Case(
            None, "/login", sign_in, {"password": None}, "password", "Enter your password"
        ),
        "login-extra": Case(None, "/login", sign_in, {"remember": "1"}, "email", UNKNOWN),
    }
    return cases


CASES = _cases()


def _everything(database: Database) -> dict[str, list[str]]:
    """Every row of every table (the rate-limit counters and sessions aside: reading a
    page may touch them)."""
    with database.session() as s:
        return {
            table.name: sorted(repr(tuple(row)) for row in s.execute(select(table)))
            for table in Base.metadata.sorted_tables
            if not table.name.startswith(("rate", "session"))
        }


def _fill(text: str, ids: dict[str, int]) -> str:
    for key, value in ids.items():
        text = text.replace("{" + key + "}", str(value))
    return text


@pytest.mark.parametrize("name", list(CASES))
def test_a_malformed_body_is_refused_next_to_its_field(
    client: Client,
    world: World,
    database: Database,
    sign_in: Callable[..., httpx.Response],
    form_post: Post,
    name: str,
) -> None:
    case = CASES[name]
    ids = {
        "cycle": make_cycle(database, year=2025),
        "org": world.org_a,
        "net": world.net_1,
        "user": world.ids["nobody"],
    }
    if case.who is not None:
        sign_in(client, world.email(case.who))
    body = {k: _fill(v, ids) for k, v in case.body.items()}
    for key, value in case.change.items():
        if value is None:
            body.pop(key, None)
        else:
            body[key] = value
    before = _everything(database)
    response = form_post(client, _fill(case.path, ids) + "?lang=en", body)
    assert response.status_code == 422, response.text[:2000]
    page = response.text
    if case.error_id:
        start = page.index(f'id="{case.field}-error"')
        assert case.message in page[start : start + 400], page[start : start + 400]
    else:
        assert case.message in page
    assert _everything(database) == before


def test_the_message_is_in_the_page_language(
    client: Client,
    world: World,
    database: Database,
    sign_in: Callable[..., httpx.Response],
    form_post: Post,
) -> None:
    sign_in(client, world.email("admin"))
    before = _everything(database)
    response = form_post(client, "/admin/organisations?lang=lv", {"name": "Jauna", "code": "X"})
    assert response.status_code == 422
    start = response.text.index('id="name-error"')
    assert UNKNOWN_LV in response.text[start : start + 400]
    assert _everything(database) == before


def test_the_bodies_these_cases_start_from_are_taken(
    client: Client,
    world: World,
    database: Database,
    sign_in: Callable[..., httpx.Response],
    form_post: Post,
) -> None:
    """The cases above fail only by what they change: the bodies they start from work."""
    ids = {
        "cycle": make_cycle(database, year=2025),
        "org": world.org_a,
        "net": world.net_1,
        "user": world.ids["nobody"],
    }
    seen: set[tuple[str | None, str]] = set()
    for case in CASES.values():
        if case.who is None or (case.who, case.path) in seen or "password" in case.path:
            continue
        seen.add((case.who, case.path))
        client.cookies.clear()
        sign_in(client, world.email(case.who))
        body = {k: _fill(v, ids) for k, v in case.body.items()}
        if case.path == "/admin/users":
            body = {
                **body,
                "organisation_id": str(world.org_a),
                "email": f"x{len(seen)}@example.org",
            }
        response = form_post(client, _fill(case.path, ids), body)
        assert response.status_code in (200, 303), (case.path, response.text[:1500])
