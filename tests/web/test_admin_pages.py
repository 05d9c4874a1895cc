"""Admin pages: organisations, networks, memberships, users and roles, the audit log."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import select

from qms.store import audit, directory, users
from qms.store.db import Database
from qms.store.models import AuditEvent
from tests.factories import signed_in

Client = TestClient[Litestar]
Post = Callable[..., httpx.Response]
SignIn = Callable[..., httpx.Response]
EN = {"Accept-Language": "en"}


@pytest.fixture
def admin(client: Client, world: Any) -> Client:
    return signed_in(client, "admin")


def _actions(database: Database) -> list[tuple[str, str]]:
    with database.session() as s:
        events = s.scalars(select(AuditEvent).order_by(AuditEvent.id))
        return [(e.action, e.subject) for e in events]


def _errors(html: str) -> tuple[list[str], list[str]]:
    """(links in the error summary, messages next to fields)."""
    summary = re.findall(r'<li><a href="#([a-z_]+)">', html)
    fields = re.findall(r'id="([a-z_]+)-error">', html)
    return summary, fields


def test_create_rename_and_validate_an_organisation(
    admin: Client, form_post: Post, database: Database
) -> None:
    made = form_post(admin, "/admin/organisations", {"name": "  Dienas   centrs  Saulīte "})
    assert made.status_code == 303
    org_id = int(made.headers["location"].rsplit("/", 1)[1])
    assert "Dienas centrs Saulīte" in admin.get("/admin/organisations").text

    for name, message in [
        ("", "Enter a name."),
        ("x" * 201, "The name can have at most 200 characters."),
        ("Dienas centrs Saulīte", "An organisation with this name already exists."),
    ]:
        refused = form_post(admin, "/admin/organisations", {"name": name}, headers=EN)
        assert refused.status_code == 422, name
        assert message in refused.text
        assert _errors(refused.text) == (["name"], ["name"])
        assert 'class="error-summary"' in refused.text

    renamed = form_post(admin, f"/admin/organisations/{org_id}", {"name": "Saulīte"})
    assert renamed.status_code == 303
    clash = form_post(admin, "/admin/organisations", {"name": "Org A"})
    assert clash.status_code == 422
    back = form_post(admin, f"/admin/organisations/{org_id}", {"name": "Org A"}, headers=EN)
    assert back.status_code == 422
    assert "already exists" in back.text
    assert ("organisation.renamed", "Saulīte") in _actions(database)
    assert form_post(admin, "/admin/organisations/99999", {"name": "Ghost"}).status_code == 404


def test_error_messages_follow_the_language(admin: Client, form_post: Post) -> None:
    lv = form_post(admin, "/admin/networks", {"name": ""}, headers={"Accept-Language": "lv"})
    assert "Ievadiet nosaukumu." in lv.text
    assert "Radās problēma" in lv.text
    lt = form_post(admin, "/admin/networks", {"name": ""}, headers={"Accept-Language": "lt"})
    assert "Įveskite pavadinimą." in lt.text


def test_memberships_from_both_sides(
    admin: Client, world: Any, form_post: Post, database: Database
) -> None:
    joined = form_post(
        admin, f"/admin/organisations/{world.org_b}/networks", {"network_id": str(world.net_1)}
    )
    assert joined.headers["location"] == f"/admin/organisations/{world.org_b}"
    with database.session() as s:
        net = directory.network(s, world.net_1)
        assert net is not None
        assert [o.name for o in net.members] == ["Org A", "Org B"]
    # Joining twice changes nothing; an unknown network is ignored.
    form_post(
        admin, f"/admin/organisations/{world.org_b}/networks", {"network_id": str(world.net_1)}
    )
    form_post(admin, f"/admin/organisations/{world.org_b}/networks", {"network_id": "4242"})
    left = form_post(admin, f"/admin/networks/{world.net_1}/members/{world.org_a}/remove")
    assert left.headers["location"] == f"/admin/networks/{world.net_1}"
    with database.session() as s:
        net = directory.network(s, world.net_1)
        assert net is not None
        assert [o.name for o in net.members] == ["Org B"]
    page = admin.get(f"/admin/networks/{world.net_1}").text
    assert f'<option value="{world.org_a}">Org A</option>' in page  # offered to join again
    actions = [a for a, _ in _actions(database)]
    assert actions.count("network.member_added") == 3  # two from the world, one here
    assert actions.count("network.member_removed") == 1


def test_a_new_user_gets_a_password_shown_once_that_works(
    app: Litestar,
    admin: Client,
    world: Any,
    form_post: Post,
    csrf_token: Callable[..., str],
) -> None:
    shown = form_post(
        admin,
        "/admin/users",
        {
            "email": "New.Person@Example.org",
            "name": "Ona",
            "role": "staff",
            "organisation_id": str(world.org_b),
            "network_id": str(world.net_1),
        },
    )
    assert shown.status_code == 200
    password = re.search(r"<code>([^<]+)</code>", shown.text).group(1)  # type: ignore[union-attr]
    assert len(password) >= 20
    assert shown.headers["cache-control"] == "no-store"
    assert password not in admin.get("/admin/users").text
    with TestClient(app=app, base_url="http://127.0.0.1") as newcomer:
        answer = newcomer.post(
            "/login",
            data={
                "email": "new.person@example.org",
                "password": password,
                "csrf_token": csrf_token(newcomer),
            },
            follow_redirects=False,
        )
        assert answer.status_code == 303
        home = newcomer.get("/staff").text
        assert "Org B" in home
        assert "Network 1" not in home


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        ({"email": "", "role": "admin"}, ["email"]),
        ({"email": "not an email", "role": "admin"}, ["email"]),
        ({"email": "head@example.org", "role": "admin"}, ["email"]),  # exists already
        ({"email": "a@example.org", "role": "head"}, ["organisation_id"]),
        ({"email": "a@example.org", "role": "coordinator", "organisation_id": "1"}, ["network_id"]),
        ({"email": "", "role": "wizard"}, ["email", "role"]),
        ({"email": "a@example.org", "role": "staff", "organisation_id": "77777"}, ["role"]),
        ({"email": "a@example.org", "name": "n" * 201, "role": "admin"}, ["name"]),
    ],
)
def test_user_form_errors_sit_next_to_their_fields(
    admin: Client, form_post: Post, database: Database, data: dict[str, str], errors: list[str]
) -> None:
    before = len(_actions(database))
    refused = form_post(admin, "/admin/users", data)
    assert refused.status_code == 422
    summary, fields = _errors(refused.text)
    assert summary == errors
    assert fields == errors
    assert len(_actions(database)) == before  # nothing half-made


def test_roles_are_added_and_removed_inline_with_htmx(
    admin: Client, world: Any, csrf_token: Callable[..., str], database: Database
) -> None:
    token = csrf_token(admin)
    htmx = {"HX-Request": "true", "X-CSRF-Token": token, **EN}
    url = f"/admin/users/{world.ids['nobody']}/roles"
    added = admin.post(
        url, data={"role": "coordinator", "network_id": str(world.net_2)}, headers=htmx
    )
    assert added.status_code == 200
    assert added.text.lstrip().startswith('<section id="roles"')  # a fragment, not a page
    assert "Network coordinator: Network 2" in added.text
    again = admin.post(
        url, data={"role": "coordinator", "network_id": str(world.net_2)}, headers=htmx
    )
    assert again.status_code == 200  # htmx swaps only 2xx; the error is in the fragment
    assert "This person already has this role." in again.text
    with database.session() as s:
        account = users.account(s, world.ids["nobody"])
        assert account is not None
        (grant,) = account.grants
    removed = admin.post(f"{url}/{grant.id}/remove", headers=htmx)
    assert removed.status_code == 200
    assert "has no role yet" in removed.text
    assert [a for a, _ in _actions(database)][-2:] == ["role.added", "role.removed"]


def test_roles_work_without_javascript_too(
    admin: Client, world: Any, form_post: Post, database: Database
) -> None:
    url = f"/admin/users/{world.ids['nobody']}/roles"
    added = form_post(admin, url, {"role": "head", "organisation_id": str(world.org_b)})
    assert (added.status_code, added.headers["location"]) == (
        303,
        f"/admin/users/{world.ids['nobody']}",
    )
    missing = form_post(admin, url, {"role": "head"}, headers=EN)
    assert missing.status_code == 422
    assert "Choose the organisation for this role." in missing.text
    assert "<html" in missing.text  # the whole page, with the error
    with database.session() as s:
        account = users.account(s, world.ids["nobody"])
        assert account is not None
        assert [(g.role, g.place) for g in account.grants] == [("head", "Org B")]
        grant_id = account.grants[0].id
    removed = form_post(admin, f"{url}/{grant_id}/remove")
    assert removed.status_code == 303
    # Removing someone else's grant id through this user's URL does nothing.
    with database.session() as s:
        staff = users.account(s, world.ids["staff"])
        assert staff is not None
    form_post(admin, f"{url}/{staff.grants[0].id}/remove")
    with database.session() as s:
        assert len(users.account(s, world.ids["staff"]).grants) == 1  # type: ignore[union-attr]


def test_admins_cannot_lock_themselves_out(
    admin: Client, world: Any, form_post: Post, database: Database
) -> None:
    me = world.ids["admin"]
    refused = form_post(admin, f"/admin/users/{me}", {"name": "Me"}, headers=EN)
    assert refused.status_code == 422
    assert "You cannot deactivate your own account." in refused.text
    with database.session() as s:
        account = users.account(s, me)
        assert account is not None
        grant_id = account.grants[0].id
    kept = form_post(admin, f"/admin/users/{me}/roles/{grant_id}/remove", headers=EN)
    assert kept.status_code == 422
    assert "You cannot remove your own admin role." in kept.text
    assert admin.get("/admin/users").status_code == 200


def test_deactivating_ends_sessions_and_sign_ins(
    app: Litestar,
    admin: Client,
    world: Any,
    form_post: Post,
    sign_in: SignIn,
    csrf_token: Callable[..., str],
) -> None:
    with TestClient(app=app, base_url="http://127.0.0.1") as staff:
        sign_in(staff, world.email("staff"))
        done = form_post(admin, f"/admin/users/{world.ids['staff']}", {"name": "Left us"})
        assert done.status_code == 303
        assert staff.get("/staff", follow_redirects=False).status_code == 303
        again = staff.post(
            "/login",
            data={
                "email": world.email("staff"),
                "password": world.password,
                "csrf_token": csrf_token(staff),
            },
        )
        assert again.status_code == 422
    listing = admin.get("/admin/users").text
    assert "Left us" in listing
    assert 'class="inactive"' in listing


def test_a_password_reset_replaces_the_old_password(
    app: Litestar, admin: Client, world: Any, form_post: Post, csrf_token: Callable[..., str]
) -> None:
    shown = form_post(admin, f"/admin/users/{world.ids['head']}/password")
    assert shown.status_code == 200
    new = re.search(r"<code>([^<]+)</code>", shown.text).group(1)  # type: ignore[union-attr]
    with TestClient(app=app, base_url="http://127.0.0.1") as head:
        token = csrf_token(head)
        old = head.post(
            "/login",
            data={"email": world.email("head"), "password": world.password, "csrf_token": token},
            follow_redirects=False,
        )
        assert old.status_code == 422
        ok = head.post(
            "/login",
            data={"email": world.email("head"), "password": new, "csrf_token": token},
            follow_redirects=False,
        )
        assert ok.status_code == 303
    assert form_post(admin, "/admin/users/99999/password").status_code == 404


GARBAGE = [
    "",
    " ",
    "x" * 5000,
    "\x00",
    "ž" * 300,
    "'; DROP TABLE users; --",
    "-1",
    "1e9",
    "99999999999999999999",
]


def test_nothing_typed_into_a_form_makes_a_500(
    admin: Client, world: Any, form_post: Post, csrf_token: Callable[..., str]
) -> None:
    targets = [
        ("/admin/organisations", ["name"]),
        (f"/admin/organisations/{world.org_a}", ["name"]),
        (f"/admin/organisations/{world.org_a}/networks", ["network_id"]),
        ("/admin/networks", ["name"]),
        (f"/admin/networks/{world.net_1}", ["name"]),
        (f"/admin/networks/{world.net_1}/members", ["organisation_id"]),
        ("/admin/users", ["email", "name", "role", "organisation_id", "network_id"]),
        (f"/admin/users/{world.ids['nobody']}", ["name", "active"]),
        (f"/admin/users/{world.ids['nobody']}/roles", ["role", "organisation_id", "network_id"]),
        ("/account/password", ["current", "new", "confirm"]),
    ]
    for path, fields in targets:
        for value in GARBAGE:
            response = form_post(admin, path, dict.fromkeys(fields, value))
            assert response.status_code < 500, (path, value, response.status_code)
    # A JSON body, or repeated fields, where a form is expected are handled calmly too.
    token = csrf_token(admin)
    odd = admin.post("/admin/organisations", json={"name": "J"}, headers={"X-CSRF-Token": token})
    assert odd.status_code < 500, odd.status_code
    repeated = admin.post(
        "/admin/organisations",
        content=f"name=First&name=Second&csrf_token={token}",
        headers={"content-type": "application/x-www-form-urlencoded"},
        follow_redirects=False,
    )
    assert repeated.status_code == 303
    assert "First" in admin.get("/admin/organisations").text


def test_audit_log_pages_newest_first_and_heads_see_only_their_own(
    client: Client, world: Any, sign_in: SignIn, database: Database
) -> None:
    with database.session() as s:
        for n in range(audit.PAGE_SIZE + 5):
            audit.record_event(
                s,
                actor_id=world.ids["head"],
                action="cycle.opened",
                organisation_id=world.org_a,
                subject=f"event {n:03d}",
            )
        audit.record_event(
            s,
            actor_id=world.ids["head_b"],
            action="cycle.opened",
            organisation_id=world.org_b,
            subject="org B secret",
        )
        s.commit()
    sign_in(client, world.email("head"))
    first = client.get(f"/staff/organisations/{world.org_a}/audit").text
    assert first.index("event 054") < first.index("event 053")
    assert "event 004" not in first
    assert "org B secret" not in first
    assert "Failed sign-in" not in first
    assert "Neizdevusies" not in first
    second = client.get(f"/staff/organisations/{world.org_a}/audit?page=2").text
    assert "event 004" in second
    assert "event 054" not in second
    # Out-of-range and junk page numbers show a real page.
    assert client.get(f"/staff/organisations/{world.org_a}/audit?page=999").status_code == 200
    assert client.get(f"/staff/organisations/{world.org_a}/audit?page=x").status_code == 200
    assert client.get(f"/staff/organisations/{world.org_b}/audit").status_code == 404


def test_admins_see_every_event_including_failed_sign_ins(
    admin: Client, world: Any, csrf_token: Callable[..., str]
) -> None:
    with TestClient(app=admin.app, base_url="http://127.0.0.1") as stranger:
        stranger.post(
            "/login",
            data={
                "email": world.email("head"),
                "password": "guess guess",
                "csrf_token": csrf_token(stranger),
            },
        )
    page = admin.get("/admin/audit", headers=EN).text
    assert "Failed sign-in" in page
    assert "Signed in" in page
    assert "Account created" in page
    assert "guess guess" not in page
