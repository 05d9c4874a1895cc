"""Whatever people type into names and emails comes back as text, never as markup."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import httpx
from litestar import Litestar
from litestar.testing import TestClient

from qms.store import directory, users
from qms.store.db import Database

Client = TestClient[Litestar]
SCRIPT = "<script>alert(1)</script>"
PAYLOADS = {
    "org": f"{SCRIPT}<b>Org</b>",
    "network": '<img src=x onerror="alert(2)">"\'><i>Net</i>',
    "person": f"{SCRIPT}<a href='javascript:alert(3)'>Mr X</a>",
}
RAW_MARKERS = ["<script>alert", "<b>Org</b>", "<img src=x", "<i>Net</i>", "<a href='javascript"]


def _inert(html: str) -> list[str]:
    """The payload fragments that reached the page as markup (should be none)."""
    return [marker for marker in RAW_MARKERS if marker in html]


def test_hostile_names_are_inert_on_every_page(
    client: Client,
    world: Any,
    sign_in: Callable[..., httpx.Response],
    form_post: Callable[..., httpx.Response],
    database: Database,
) -> None:
    sign_in(client, world.email("admin"))
    # Through the forms, as a person would type them.
    made = form_post(client, "/admin/organisations", {"name": PAYLOADS["org"]})
    assert made.status_code == 303
    org_id = int(made.headers["location"].rsplit("/", 1)[1])
    made = form_post(client, "/admin/networks", {"name": PAYLOADS["network"]})
    net_id = int(made.headers["location"].rsplit("/", 1)[1])
    form_post(client, f"/admin/networks/{net_id}/members", {"organisation_id": str(org_id)})
    form_post(client, f"/admin/networks/{net_id}/members", {"organisation_id": str(world.org_a)})
    shown = form_post(
        client,
        "/admin/users",
        {
            "email": "x@example.org",
            "name": PAYLOADS["person"],
            "role": "head",
            "organisation_id": str(org_id),
        },
    )
    assert shown.status_code == 200
    with database.session() as s:
        person = users.account_by_email(s, "x@example.org")
        assert person is not None
        assert person.name == " ".join(PAYLOADS["person"].split())
        users.add_role(s, world.ids["coordinator"], "coordinator", network_id=net_id, actor_id=None)
        assert directory.organisation(s, org_id).name == PAYLOADS["org"]  # type: ignore[union-attr]
        s.commit()

    pages = [
        "/staff",
        "/admin/organisations",
        f"/admin/organisations/{org_id}",
        f"/admin/organisations/{world.org_a}",
        "/admin/networks",
        f"/admin/networks/{net_id}",
        "/admin/users",
        f"/admin/users/{person.id}",
        "/admin/audit",
        f"/staff/organisations/{org_id}",
        f"/staff/organisations/{org_id}/audit",
        f"/staff/networks/{net_id}",
    ]
    for path in pages:
        page = client.get(path)
        assert page.status_code == 200, path
        assert not _inert(page.text), f"{path}: {_inert(page.text)}"
    # The names are shown (escaped), not dropped.
    listing = client.get("/admin/organisations").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;b&gt;Org&lt;/b&gt;" in listing

    # The pages of the people the hostile names reach.
    for key, path in [
        ("head", f"/staff/organisations/{world.org_a}"),
        ("coordinator", f"/staff/networks/{net_id}"),
        ("coordinator", "/staff"),
    ]:
        with TestClient(app=client.app, base_url="http://127.0.0.1") as other:
            sign_in(other, world.email(key))
            page = other.get(path)
            assert page.status_code == 200, (key, path)
            assert not _inert(page.text), (key, path)


def test_hostile_input_echoed_by_a_refused_form_is_inert(
    client: Client,
    world: Any,
    sign_in: Callable[..., httpx.Response],
    form_post: Callable[..., httpx.Response],
) -> None:
    sign_in(client, world.email("admin"))
    email = f"{SCRIPT}@example.org"
    refused = form_post(
        client, "/admin/users", {"email": email, "name": PAYLOADS["person"], "role": "admin"}
    )
    assert refused.status_code == 422
    assert not _inert(refused.text)
    assert 'value="&lt;script&gt;alert(1)&lt;/script&gt;@example.org"' in refused.text
    too_long = form_post(client, "/admin/networks", {"name": PAYLOADS["network"] * 30})
    assert too_long.status_code == 422
    assert not _inert(too_long.text)
    # The login form echoes the email it was given.
    with TestClient(app=client.app, base_url="http://127.0.0.1") as anonymous:
        page = anonymous.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
        answer = anonymous.post(
            "/login",
            data={"email": '"><script>alert(4)</script>', "password": "x", "csrf_token": token},
        )
        assert answer.status_code == 422
        assert "<script>alert(4)" not in answer.text
        next_page = anonymous.get('/login?next=/staff"><script>alert(5)</script>')
        assert "<script>alert(5)" not in next_page.text
