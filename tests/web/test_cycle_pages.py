"""The cycle page (codes and responses per group) and printable slips of new access codes."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import httpx
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import func, select

from qms.store.codes import normalise_code, resolve
from qms.store.cycles import create_cycle
from qms.store.db import Database
from qms.store.models.codes import AccessCode
from qms.store.orgs import get_organisation
from qms.store.snapshots import read_snapshot
from tests.web.conftest import World

QUESTIONNAIRES = Path(__file__).resolve().parents[2] / "questionnaires"
Client = TestClient[Litestar]
CODE = re.compile(r'<p class="slip-code">([A-Z0-9-]+)</p>')


def _cycle(database: Database, organisation: str = "Org A") -> int:
    with database.session() as s:
        cycle = create_cycle(
            s, get_organisation(s, organisation), 2026, read_snapshot(QUESTIONNAIRES, "socquality")
        )
        s.commit()
        return cycle.id


def _codes_in(database: Database, cycle_id: int) -> int:
    with database.session() as s:
        return s.scalar(
            select(func.count(AccessCode.id)).where(AccessCode.cycle_id == cycle_id)
        ) or 0


def _row(html: str, title: str) -> list[str]:
    """The cells of the table row headed `title`."""
    found = re.search(rf'<th scope="row">{re.escape(title)}</th>(.*?)</tr>', html, re.S)
    assert found, f"no row {title!r}"
    return re.findall(r"<td[^>]*>([^<]*)</td>", found.group(1))


def test_organisation_page_lists_its_cycles(
    client: Client, world: World, database: Database, sign_in: Callable[..., httpx.Response]
) -> None:
    cycle_id = _cycle(database)
    sign_in(client, world.email("staff"))
    html = client.get(f"/staff/organisations/{world.org_a}?lang=en").text
    assert f'href="/staff/cycles/{cycle_id}">2026</a>' in html
    assert "socquality 2025.1" in html


def test_head_sees_counts_per_group(
    client: Client, world: World, database: Database, sign_in: Callable[..., httpx.Response]
) -> None:
    cycle_id = _cycle(database)
    sign_in(client, world.email("head"))
    response = client.get(f"/staff/cycles/{cycle_id}?lang=lv")
    assert response.status_code == 200
    html = response.text
    assert "<caption>" in html
    assert _row(html, "Darbinieki") == ["0"] * 7  # group titles in the page's language
    assert "Klienti" in html
    assert 'name="count"' in html


def test_staff_make_codes_and_get_printable_slips(
    client: Client,
    world: World,
    database: Database,
    sign_in: Callable[..., httpx.Response],
    form_post: Callable[..., httpx.Response],
) -> None:
    cycle_id = _cycle(database)
    sign_in(client, world.email("staff"))
    response = form_post(
        client, f"/staff/cycles/{cycle_id}/codes?lang=en", {"group": "clients", "count": "3"}
    )
    assert response.status_code == 200
    html = response.text
    codes = CODE.findall(html)
    assert len(codes) == 3
    assert html.count("<svg") == 3
    assert "Print or save these slips now" in html
    assert "http://127.0.0.1/" in html
    assert "/static/css/print.css" in html
    # Strict CSP: no inline styles or scripts, not even inside the QR codes.
    assert " style=" not in html
    assert "<script" not in html.replace('<script src="/static/js/htmx.min.js" defer></script>', "")
    with database.session() as s:
        for code in codes:
            target = resolve(s, code)
            assert target is not None and target.group_id == "clients"
            assert target.cycle_id == cycle_id
    assert normalise_code(codes[0]) is not None

    page = client.get(f"/staff/cycles/{cycle_id}?lang=en").text
    assert _row(page, "Clients")[:3] == ["3", "0", "0"]
    assert codes[0] not in page  # codes are shown once


def test_bad_count_shows_the_error_and_stores_nothing(
    client: Client,
    world: World,
    database: Database,
    sign_in: Callable[..., httpx.Response],
    form_post: Callable[..., httpx.Response],
) -> None:
    cycle_id = _cycle(database)
    sign_in(client, world.email("head"))
    for count in ("0", "501", "many", ""):
        response = form_post(
            client, f"/staff/cycles/{cycle_id}/codes?lang=en", {"group": "staff", "count": count}
        )
        assert response.status_code == 422
        assert 'id="count-error"' in response.text
        assert 'aria-invalid="true"' in response.text
        assert 'href="#count"' in response.text
    response = form_post(
        client, f"/staff/cycles/{cycle_id}/codes?lang=en",
        {"group": "organisation", "count": "5"},  # the consensus group takes no codes
    )
    assert response.status_code == 422
    assert 'id="group-error"' in response.text
    assert _codes_in(database, cycle_id) == 0


def test_another_organisations_cycle_is_not_found(
    client: Client,
    world: World,
    database: Database,
    sign_in: Callable[..., httpx.Response],
    form_post: Callable[..., httpx.Response],
) -> None:
    cycle_id = _cycle(database)
    sign_in(client, world.email("head_b"))
    assert client.get(f"/staff/cycles/{cycle_id}").status_code == 404
    response = form_post(client, f"/staff/cycles/{cycle_id}/codes", {"group": "staff",
                                                                     "count": "2"})
    assert response.status_code == 404
    assert _codes_in(database, cycle_id) == 0


def test_anonymous_is_sent_to_sign_in(client: Client, world: World, database: Database) -> None:
    cycle_id = _cycle(database)
    response = client.get(f"/staff/cycles/{cycle_id}", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"/login?next=/staff/cycles/{cycle_id}"
