"""Paper questionnaires typed in by staff: stored as submitted paper responses that count
in the scores, with the web questionnaire's and the import's rules for their values."""

from __future__ import annotations

import re
from collections.abc import Callable

import httpx
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import func, select

from qms.store.cycles import close_cycle, get_cycle
from qms.store.db import Database
from qms.store.models import Response
from qms.store.responses import response_answers
from qms.store.scores import cycle_scores
from tests.factories import make_cycle
from tests.web.conftest import World

Client = TestClient[Litestar]
ENTRY = re.compile(r'name="_entry" value="([0-9a-f]+)"')
FORM = {
    "clients.service": "day_centre",
    "clients.respect": "4",
    "clients.time": "5",
    "clients.premises": "3",  # asked for a day centre
    "clients.overall": "dk",
    "clients.wish": "More outings, please.",
}


def _paper(database: Database, cycle_id: int) -> list[Response]:
    with database.session() as s:
        rows = list(
            s.scalars(
                select(Response)
                .where(Response.cycle_id == cycle_id, Response.source == "paper")
                .order_by(Response.id)
            )
        )
        s.expunge_all()
        return rows


def _responses(database: Database, cycle_id: int) -> int:
    with database.session() as s:
        return s.scalar(select(func.count(Response.id)).where(Response.cycle_id == cycle_id)) or 0


def _entry(client: Client, cycle_id: int, group: str = "clients") -> str:
    page = client.get(f"/staff/cycles/{cycle_id}/paper/{group}?lang=en")
    assert page.status_code == 200
    found = ENTRY.search(page.text)
    assert found, "the form carries its entry id"
    return found.group(1)


def _enter(
    client: Client,
    form_post: Callable[..., httpx.Response],
    cycle_id: int,
    data: dict[str, str],
    group: str = "clients",
) -> httpx.Response:
    fields = {"_entry": _entry(client, cycle_id, group), **data}
    return form_post(client, f"/staff/cycles/{cycle_id}/paper/{group}?lang=en", fields)


def test_picker_offers_every_group_but_the_working_group(
    client: Client, world: World, database: Database, sign_in: Callable[..., httpx.Response]
) -> None:
    cycle_id = make_cycle(database)
    sign_in(client, world.email("staff"))
    html = client.get(f"/staff/cycles/{cycle_id}/paper?lang=en").text
    for group in ("managers", "staff", "clients", "community"):
        assert f'href="/staff/cycles/{cycle_id}/paper/{group}"' in html
    assert "/paper/organisation" not in html
    assert client.get(f"/staff/cycles/{cycle_id}/paper/organisation").status_code == 404
    assert client.get(f"/staff/cycles/{cycle_id}/paper/nosuchgroup").status_code == 404


def test_a_paper_form_is_stored_as_a_submitted_paper_response(
    client: Client,
    world: World,
    database: Database,
    sign_in: Callable[..., httpx.Response],
    form_post: Callable[..., httpx.Response],
) -> None:
    cycle_id = make_cycle(database)
    sign_in(client, world.email("staff"))
    page = client.get(f"/staff/cycles/{cycle_id}/paper/clients?lang=en").text
    # One page holds the whole questionnaire, conditional questions included, with no
    # answer-by-answer saving.
    assert 'name="clients.premises"' in page and 'name="clients.wish"' in page
    assert "Asked only when the answer to" in page
    assert "hx-disable" in page

    response = _enter(client, form_post, cycle_id, {**FORM, "_proxy": "1"})
    assert response.status_code == 303
    assert response.headers["location"].startswith(f"/staff/cycles/{cycle_id}/paper/clients?")
    confirmation = client.get(response.headers["location"] + "&lang=en").text
    assert "The paper questionnaire is saved." in confirmation
    assert "Answers stored: 6" in confirmation
    assert "More outings" not in confirmation  # the next form starts blank
    assert "Paper questionnaires of this group entered so far: 1" in confirmation

    [stored] = _paper(database, cycle_id)
    assert stored.status == "submitted" and stored.group_id == "clients" and stored.proxy
    assert stored.respondent.startswith("paper:")
    with database.session() as s:
        assert response_answers(s, s.get_one(Response, stored.id)) == {
            "clients.service": "day_centre",
            "clients.respect": 4,
            "clients.time": 5,
            "clients.premises": 3,
            "clients.overall": "dk",
            "clients.wish": "More outings, please.",
        }


def test_paper_forms_count_in_the_scores(
    client: Client,
    world: World,
    database: Database,
    sign_in: Callable[..., httpx.Response],
    form_post: Callable[..., httpx.Response],
) -> None:
    cycle_id = make_cycle(database)
    sign_in(client, world.email("head"))
    for value in ("1", "2", "3", "4", "5"):  # min_n of clients is 5
        data = {"clients.service": "home_care", "clients.respect": value}
        assert _enter(client, form_post, cycle_id, data).status_code == 303
    with database.session() as s:
        before = cycle_scores(s, get_cycle(s, cycle_id)).item("clients", "clients.respect")
        assert before is not None and before.n == 0  # nothing released while open
        close_cycle(s, get_cycle(s, cycle_id))  # figures come from the release
        s.commit()
        scores = cycle_scores(s, get_cycle(s, cycle_id))
    stats = scores.item("clients", "clients.respect")
    assert stats is not None and stats.n == 5 and stats.reportable
    assert stats.mean == 50.0  # 1..5 normalised to 0..100
    # A required question left blank is accepted, as on an imported paper form.
    assert scores.item("clients", "clients.overall").blank == 5  # type: ignore[union-attr]
    html = client.get(f"/staff/cycles/{cycle_id}/paper?lang=en").text
    assert re.search(r'data-label="Entered from paper">5<', html)


def test_gaps_in_required_questions_are_counted_in_the_confirmation(
    client: Client,
    world: World,
    database: Database,
    sign_in: Callable[..., httpx.Response],
    form_post: Callable[..., httpx.Response],
) -> None:
    cycle_id = make_cycle(database)
    sign_in(client, world.email("staff"))
    response = _enter(client, form_post, cycle_id, {"clients.time": "2"})
    assert response.status_code == 303
    html = client.get(response.headers["location"] + "&lang=en").text
    assert "Required questions left blank on paper: 3" in html  # service, respect, overall
    assert len(_paper(database, cycle_id)) == 1


def test_bad_values_are_shown_next_to_their_fields_and_nothing_is_stored(
    client: Client,
    world: World,
    database: Database,
    sign_in: Callable[..., httpx.Response],
    form_post: Callable[..., httpx.Response],
) -> None:
    cycle_id = make_cycle(database)
    sign_in(client, world.email("staff"))
    data = {
        **FORM,
        "clients.respect": "9",  # not on the scale
        "clients.service": "home_care",  # ...so the premises question was not asked
        "clients.wish": "x" * 10_001,  # longer than a text may be
    }
    response = _enter(client, form_post, cycle_id, data)
    assert response.status_code == 422
    html = response.text
    assert "There is a problem" in html
    for item in ("respect", "premises", "wish"):
        assert f'id="q-clients-{item}-error"' in html
    assert 'href="#q-clients-respect-1"' in html  # the summary links to the field
    assert "with the answer to “Which of our services do you use?" in html
    # What was typed stays, so the person corrects rather than retypes.
    assert 'value="home_care" checked' in html
    assert 'value="dk" checked' in html
    assert _responses(database, cycle_id) == 0

    # Corrected (the premises answer removed, the scale value fixed): stored once.
    entry = ENTRY.search(html)
    assert entry
    fixed = {
        **FORM,
        "clients.service": "home_care",
        "clients.respect": "4",
        "_entry": entry.group(1),
    }
    del fixed["clients.premises"]
    response = form_post(client, f"/staff/cycles/{cycle_id}/paper/clients", fixed)
    assert response.status_code == 303
    assert len(_paper(database, cycle_id)) == 1


def test_the_same_form_sent_twice_is_stored_once(
    client: Client,
    world: World,
    database: Database,
    sign_in: Callable[..., httpx.Response],
    form_post: Callable[..., httpx.Response],
) -> None:
    cycle_id = make_cycle(database)
    sign_in(client, world.email("staff"))
    fields = {"_entry": _entry(client, cycle_id), **FORM}
    path = f"/staff/cycles/{cycle_id}/paper/clients"
    assert form_post(client, path, fields).status_code == 303
    again = form_post(client, path, fields)
    assert again.status_code == 303
    assert "again=1" in again.headers["location"]
    assert "saved already" in client.get(again.headers["location"] + "&lang=en").text
    assert len(_paper(database, cycle_id)) == 1


def test_another_organisations_cycle_is_not_found(
    client: Client,
    world: World,
    database: Database,
    sign_in: Callable[..., httpx.Response],
    form_post: Callable[..., httpx.Response],
) -> None:
    cycle_id = make_cycle(database)
    for who in ("head_b", "coordinator"):
        client.cookies.clear()
        sign_in(client, world.email(who))
        assert client.get(f"/staff/cycles/{cycle_id}/paper").status_code == 404
        assert client.get(f"/staff/cycles/{cycle_id}/paper/clients").status_code == 404
        response = form_post(
            client, f"/staff/cycles/{cycle_id}/paper/clients", {"_entry": "0" * 32, **FORM}
        )
        assert response.status_code == 404
    assert _responses(database, cycle_id) == 0


def test_a_closed_cycle_takes_no_paper_forms(
    client: Client,
    world: World,
    database: Database,
    sign_in: Callable[..., httpx.Response],
    form_post: Callable[..., httpx.Response],
) -> None:
    cycle_id = make_cycle(database)
    sign_in(client, world.email("head"))
    entry = _entry(client, cycle_id)
    with database.session() as s:
        close_cycle(s, get_cycle(s, cycle_id))
        s.commit()
    page = client.get(f"/staff/cycles/{cycle_id}/paper/clients?lang=en").text
    assert "This cycle is closed" in page and 'name="clients.respect"' not in page
    response = form_post(
        client, f"/staff/cycles/{cycle_id}/paper/clients?lang=en", {"_entry": entry, **FORM}
    )
    assert response.status_code == 409
    assert "This cycle is closed" in response.text
    assert _responses(database, cycle_id) == 0
