"""Coming back with the same code: the code lands where the person stopped."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from litestar import Litestar
from litestar.testing import TestClient

from qms.store import directory
from qms.store.codes import create_codes, format_code, normalise_code, resolve, target_methodology
from qms.store.cycles import create_cycle
from qms.store.db import Database
from qms.store.orgs import get_organisation
from qms.store.snapshots import read_snapshot
from qms.web.respond.forms import resume_section

Client = TestClient[Litestar]
QUESTIONNAIRES = Path(__file__).resolve().parents[2] / "questionnaires"


@pytest.fixture
def code(database: Database) -> str:
    with database.session() as s:
        directory.create_organisation(s, "Dienas centrs", actor_id=None)
        cycle = create_cycle(
            s,
            get_organisation(s, "Dienas centrs"),
            2026,
            read_snapshot(QUESTIONNAIRES, "socquality"),
        )
        [made] = create_codes(s, cycle, "clients", 1)
        s.commit()
        return made


def _enter(client: Client, form_post: Callable[..., httpx.Response], typed: str) -> httpx.Response:
    return form_post(client, "/code", {"code": typed})


def test_a_new_code_opens_the_introduction(
    client: Client, code: str, form_post: Callable[..., httpx.Response]
) -> None:
    response = _enter(client, form_post, code)
    assert response.status_code == 303
    assert response.headers["location"] == f"/a/{code}"
    assert "Continue where you stopped" not in client.get(f"/a/{code}?lang=en").text


def test_coming_back_lands_on_the_part_where_the_person_stopped(
    client: Client, code: str, form_post: Callable[..., httpx.Response]
) -> None:
    client.get(f"/a/{code}")
    # Part 1 done, part 2 half done (one of its three questions), then the browser closes.
    assert (
        form_post(
            client, f"/a/{code}/1", {"clients.service": "day_centre", "_action": "next"}
        ).status_code
        == 303
    )
    assert (
        form_post(client, f"/a/{code}/save/clients.respect", {"clients.respect": "4"}).status_code
        == 200
    )
    client.cookies.clear()

    typed = normalise_code(code)
    assert typed is not None
    response = _enter(client, form_post, typed.lower())  # typed as people type it
    assert response.status_code == 303
    assert response.headers["location"] == f"/a/{format_code(typed)}/2"
    page = client.get(response.headers["location"] + "?lang=en").text
    assert 'value="4" checked' in page
    intro = client.get(f"/a/{code}?lang=en").text
    assert "Continue where you stopped" in intro
    assert f'href="/a/{code}/2"' in intro
    assert "You have answered 2 of" in intro


def test_a_finished_part_moves_the_resume_point_on(
    client: Client, code: str, form_post: Callable[..., httpx.Response]
) -> None:
    client.get(f"/a/{code}")
    form_post(client, f"/a/{code}/1", {"clients.service": "home_care", "_action": "next"})
    response = _enter(client, form_post, code)
    assert response.headers["location"] == f"/a/{code}/2"


def test_resume_section_rules(code: str, database: Database) -> None:
    with database.session() as s:
        target = resolve(s, code)
        assert target is not None
        questionnaire = target_methodology(s, target).questionnaires["clients"]
    assert resume_section(questionnaire, {}) is None
    assert resume_section(questionnaire, {"clients.service": "day_centre"}) == 2
    assert resume_section(questionnaire, {"clients.service": "day_centre", "clients.time": 3}) == 2
    everything = {item.id: "x" for item in questionnaire.items}
    assert resume_section(questionnaire, everything) is None  # to the review page
