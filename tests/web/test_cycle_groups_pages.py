"""The codes and paper pages of a cycle offer only the groups it asks, and refuse the
others: next to the field on the codes forms, 404 for a paper form's address."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime

import httpx
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import func, select

from qms.store.db import Database
from qms.store.models import Response
from qms.store.models.codes import AccessCode
from tests.factories import make_cycle
from tests.web.conftest import World

Client = TestClient[Litestar]
SignIn = Callable[..., httpx.Response]
FormPost = Callable[..., httpx.Response]
ASKED = {"organisation": None, "staff": 10, "clients": None}
NOT_ASKED = "This group does not take part in this cycle: choose one from the list."


def _count(database: Database, model: type, cycle_id: int) -> int:
    query = (
        select(func.count())
        .select_from(model)
        .where(
            model.cycle_id == cycle_id  # type: ignore[attr-defined]
        )
    )
    with database.session() as s:
        return int(s.scalar(query) or 0)


def _options(html: str, name: str) -> list[str]:
    found = re.search(rf'<select id="{name}" name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert found, f"no select {name!r}"
    return re.findall(r'<option value="([^"]*)"', found.group(1))


def _field_error(html: str, name: str) -> str:
    found = re.search(rf'<p class="error-message" id="{name}-error">(.*?)</p>', html, re.S)
    assert found, f"no error next to {name!r}"
    return re.sub(r"<[^>]+>", "", found.group(1)).strip()


def test_codes_page_offers_only_the_cycles_groups(
    client: Client, world: World, database: Database, sign_in: SignIn
) -> None:
    cycle_id = make_cycle(database, groups=ASKED)
    sign_in(client, world.email("staff"))
    html = client.get(f"/staff/cycles/{cycle_id}/codes?lang=en").text
    assert _options(html, "group") == ["staff", "clients"]
    assert _options(html, "link_group") == ["staff", "clients"]
    assert re.findall(r'<th scope="row">([^<]+)</th>', html) == ["Staff", "Clients"]


def test_codes_for_a_group_left_out_are_refused_next_to_the_field(
    client: Client, world: World, database: Database, sign_in: SignIn, form_post: FormPost
) -> None:
    cycle_id = make_cycle(database, groups=ASKED)
    sign_in(client, world.email("head"))
    made = form_post(
        client, f"/staff/cycles/{cycle_id}/codes?lang=en", {"group": "staff", "count": "2"}
    )
    assert made.status_code == 200
    assert _count(database, AccessCode, cycle_id) == 2

    for lang, message in (
        ("en", NOT_ASKED),
        ("lv", "Šī grupa šajā ciklā nepiedalās: izvēlieties grupu no saraksta."),
        ("lt", "Ši grupė šiame cikle nedalyvauja: pasirinkite grupę iš sąrašo."),
    ):
        refused = form_post(
            client,
            f"/staff/cycles/{cycle_id}/codes?lang={lang}",
            {"group": "community", "count": "5"},
        )
        assert refused.status_code == 422
        assert _field_error(refused.text, "group").endswith(message)
        assert 'href="#group"' in refused.text  # the summary leads to the field
    assert _count(database, AccessCode, cycle_id) == 2


def test_an_open_link_for_a_group_left_out_is_refused(
    client: Client, world: World, database: Database, sign_in: SignIn, form_post: FormPost
) -> None:
    cycle_id = make_cycle(database, groups=ASKED)
    sign_in(client, world.email("head"))
    refused = form_post(
        client,
        f"/staff/cycles/{cycle_id}/open-links?lang=en",
        {"link_group": "managers", "cap": "20"},
    )
    assert refused.status_code == 422
    assert _field_error(refused.text, "link_group").endswith(NOT_ASKED)
    assert _count(database, AccessCode, cycle_id) == 0
    made = form_post(
        client,
        f"/staff/cycles/{cycle_id}/open-links?lang=en",
        {"link_group": "clients", "cap": "20"},
    )
    assert made.status_code == 303
    assert _count(database, AccessCode, cycle_id) == 1


def test_a_cycle_of_the_working_group_alone_offers_no_codes_form(
    client: Client, world: World, database: Database, sign_in: SignIn
) -> None:
    cycle_id = make_cycle(database, groups={"organisation": None})
    sign_in(client, world.email("staff"))
    html = client.get(f"/staff/cycles/{cycle_id}/codes?lang=lv").text
    assert 'name="count"' not in html and 'name="cap"' not in html
    assert "Neviena šī cikla grupa neatbild ar piekļuves kodiem" in html


def test_paper_entry_offers_and_takes_only_the_cycles_groups(
    client: Client, world: World, database: Database, sign_in: SignIn, form_post: FormPost
) -> None:
    cycle_id = make_cycle(database, groups=ASKED)
    sign_in(client, world.email("staff"))
    html = client.get(f"/staff/cycles/{cycle_id}/paper?lang=en").text
    assert re.findall(rf'href="/staff/cycles/{cycle_id}/paper/([a-z]+)"', html) == [
        "staff",
        "clients",
    ]
    assert client.get(f"/staff/cycles/{cycle_id}/paper/clients").status_code == 200
    for group in ("managers", "community"):
        assert client.get(f"/staff/cycles/{cycle_id}/paper/{group}").status_code == 404
        posted = form_post(
            client,
            f"/staff/cycles/{cycle_id}/paper/{group}",
            {"_entry": "0" * 32, f"{group}.overall": "4"},
        )
        assert posted.status_code == 404
    assert _count(database, Response, cycle_id) == 0


def test_a_code_of_a_group_left_out_opens_nothing(
    client: Client, world: World, database: Database
) -> None:
    """A code that exists for a group the cycle does not ask (made before groups were
    checked) says the questionnaire is closed and starts no response."""
    cycle_id = make_cycle(database, groups=ASKED)
    with database.session() as s:
        s.add(
            AccessCode(
                code="ABCDEFGHJK",
                cycle_id=cycle_id,
                group_id="community",
                kind="single",
                uses=0,
                created_at=datetime.now(UTC),
            )
        )
        s.commit()
    page = client.get("/a/ABCD-EFGH-JK?lang=en")
    assert page.status_code == 410
    assert "This questionnaire is closed." in page.text
    assert "Traceback" not in page.text
    assert _count(database, Response, cycle_id) == 0
    lv = client.get("/a/ABCD-EFGH-JK?lang=lv")
    assert lv.status_code == 410 and "This questionnaire is closed." not in lv.text
