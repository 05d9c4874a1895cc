"""The cycle page: codes and responses per group (the codes page is tested in test_codes_pages)."""

from __future__ import annotations

import re
from collections.abc import Callable

import httpx
from litestar import Litestar
from litestar.testing import TestClient

from qms.store.db import Database
from tests.factories import make_cycle
from tests.web.conftest import World

Client = TestClient[Litestar]


def _row(html: str, title: str) -> list[str]:
    """The cells of the table row headed `title`."""
    found = re.search(rf'<th scope="row">{re.escape(title)}</th>(.*?)</tr>', html, re.S)
    assert found, f"no row {title!r}"
    return re.findall(r"<td[^>]*>([^<]*)</td>", found.group(1))


def test_organisation_page_lists_its_cycles(
    client: Client, world: World, database: Database, sign_in: Callable[..., httpx.Response]
) -> None:
    cycle_id = make_cycle(database)
    sign_in(client, world.email("staff"))
    html = client.get(f"/staff/organisations/{world.org_a}?lang=en").text
    assert f'href="/staff/cycles/{cycle_id}">2026</a>' in html
    assert "socquality 2025.1" in html


def test_head_sees_counts_per_group(
    client: Client, world: World, database: Database, sign_in: Callable[..., httpx.Response]
) -> None:
    cycle_id = make_cycle(database)
    sign_in(client, world.email("head"))
    response = client.get(f"/staff/cycles/{cycle_id}?lang=lv")
    assert response.status_code == 200
    html = response.text
    assert "<caption>" in html
    # Target, codes issued and started, in progress, submitted (the rate cell has markup).
    assert _row(html, "Darbinieki") == ["–", "0", "0", "0", "0"]  # titles in the page's language
    assert "Klienti" in html
    assert f'href="/staff/cycles/{cycle_id}/codes"' in html


def test_another_organisations_cycle_is_not_found(
    client: Client, world: World, database: Database, sign_in: Callable[..., httpx.Response]
) -> None:
    cycle_id = make_cycle(database)
    sign_in(client, world.email("head_b"))
    assert client.get(f"/staff/cycles/{cycle_id}").status_code == 404


def test_anonymous_is_sent_to_sign_in(client: Client, world: World, database: Database) -> None:
    cycle_id = make_cycle(database)
    response = client.get(f"/staff/cycles/{cycle_id}", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"/login?next=/staff/cycles/{cycle_id}"
