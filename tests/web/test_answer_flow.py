"""A respondent with an access code: enter it, answer section by section, resume, submit."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from litestar import Litestar
from litestar.testing import TestClient

from qms.methodology.model import Item, Methodology
from qms.store import directory
from qms.store.codes import create_codes, resolve
from qms.store.counts import read_counts
from qms.store.cycles import close_cycle, create_cycle, get_cycle
from qms.store.db import Database
from qms.store.models import Response
from qms.store.orgs import get_organisation
from qms.store.responses import response_answers
from qms.store.snapshots import cycle_methodology, read_snapshot

Client = TestClient[Litestar]
QUESTIONNAIRES = Path(__file__).resolve().parents[2] / "questionnaires"


@pytest.fixture
def cycle_code(database: Database) -> tuple[int, list[str]]:
    with database.session() as s:
        directory.create_organisation(s, "Dienas centrs Saulīte", actor_id=None)
        cycle = create_cycle(
            s,
            get_organisation(s, "Dienas centrs Saulīte"),
            2026,
            read_snapshot(QUESTIONNAIRES, "socquality"),
        )
        made = create_codes(s, cycle, "clients", 3)
        s.commit()
        return cycle.id, made


def _an_answer(item: Item, methodology: Methodology) -> list[str]:
    if item.type == "scale":
        return [str(methodology.item_scale(item).values()[-1])]
    if item.type in ("choice", "multi"):
        return [item.options[-1].value]
    if item.type == "number":
        return ["3"]
    return ["Viss kārtībā"]


def test_a_wrong_code_is_refused_next_to_the_field(
    client: Client, form_post: Callable[..., httpx.Response]
) -> None:
    response = form_post(
        client, "/code", {"code": "ABCD-EFGH-JK"}, headers={"Accept-Language": "en"}
    )
    assert response.status_code == 422
    assert "We do not know this code" in response.text
    assert 'aria-invalid="true"' in response.text
    assert 'value="ABCD-EFGH-JK"' in response.text


def test_guessing_codes_is_rate_limited(
    client: Client, form_post: Callable[..., httpx.Response]
) -> None:
    # 30 wrong codes from one address in ten minutes, then the door shuts.
    guesses = [f"ABCD-EFGH-{a}{b}" for a in "234567" for b in "23456"] + ["ABCD-EFGH-JK"]
    statuses = [form_post(client, "/code", {"code": g}).status_code for g in guesses]
    assert statuses[0] == 422
    assert statuses[-1] == 429


def test_a_client_answers_everything_and_submits(
    client: Client,
    database: Database,
    cycle_code: tuple[int, list[str]],
    form_post: Callable[..., httpx.Response],
) -> None:
    cycle_id, codes = cycle_code
    entered = form_post(client, "/code", {"code": codes[0].lower().replace("-", " ")})
    assert entered.status_code == 303
    base = entered.headers["location"]
    assert base == f"/a/{codes[0]}"
    assert client.get(base).status_code == 200

    with database.session() as s:
        methodology = cycle_methodology(get_cycle(s, cycle_id))
    questionnaire = methodology.questionnaires["clients"]
    for number, section in enumerate(questionnaire.sections, start=1):
        page = client.get(f"{base}/{number}")
        assert page.status_code == 200
        data = {
            item.id: _an_answer(item, methodology) for item in section.items if item.when is None
        }
        posted = form_post(client, f"{base}/{number}", data)  # type: ignore[arg-type]
        assert posted.status_code == 303, posted.text[:2000]

    # Nothing is counted before the respondent submits.
    with database.session() as s:
        assert not read_counts(s, cycle_id)
    assert client.get(f"{base}/review").status_code == 200
    sent = form_post(client, f"{base}/review", {"_helped": "1"})
    assert sent.status_code == 303
    assert sent.headers["location"] == f"{base}/done"
    assert client.get(f"{base}/done").status_code == 200

    with database.session() as s:
        target = resolve(s, codes[0])
        assert target is not None and target.submitted
        counts = read_counts(s, cycle_id)
        stored = response_answers(s, s.get_one(Response, target.response_id))
    assert counts[("clients", "clients.respect", "shown")] == 1
    assert stored["clients.respect"] == 5

    # After submission the code only leads to the thank-you page.
    again = form_post(client, f"{base}/2", {"clients.respect": "1"})
    assert again.status_code == 303
    assert again.headers["location"] == f"{base}/done"


def test_answers_saved_one_by_one_resume_in_a_new_browser(
    app: Litestar,
    database: Database,
    cycle_code: tuple[int, list[str]],
    csrf_token: Callable[..., str],
) -> None:
    _, codes = cycle_code
    base = f"/a/{codes[1]}"
    with TestClient(app=app, base_url="http://127.0.0.1") as first:
        token = csrf_token(first, f"{base}/2")
        saved = first.post(
            f"{base}/save/clients.respect",
            data={"clients.respect": "4"},
            headers={"X-CSRF-Token": token, "HX-Request": "true", "Accept-Language": "en"},
        )
        assert saved.status_code == 200
        assert "Saved" in saved.text
        refused = first.post(
            f"{base}/save/clients.respect",
            data={"clients.respect": "9"},
            headers={"X-CSRF-Token": token, "HX-Request": "true"},
        )
        assert refused.status_code == 200
        assert "Saved" not in refused.text
    # Another browser, no cookies: the code alone brings the answer back.
    with TestClient(app=app, base_url="http://127.0.0.1") as second:
        page = second.get(f"{base}/2")
        assert page.status_code == 200
        assert 'name="clients.respect" value="4" checked' in page.text
        assert 'name="clients.respect" value="5" checked' not in page.text


def test_codes_stop_working_when_the_cycle_closes(
    client: Client, database: Database, cycle_code: tuple[int, list[str]]
) -> None:
    cycle_id, codes = cycle_code
    with database.session() as s:
        close_cycle(s, get_cycle(s, cycle_id))
        s.commit()
    response = client.get(f"/a/{codes[2]}", headers={"Accept-Language": "en"})
    assert response.status_code == 410
    assert "closed" in response.text
    assert client.get("/a/ABCD-EFGH-JK").status_code == 404
