"""Text input with control characters, and one-answer saves whose body says nothing.

One rule for control characters (qms.methodology.answers.clean_text): NUL and the other
C0 controls but tab and line breaks are stripped from every text a person sends, on
both engines; PostgreSQL cannot store NUL at all.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from qms.methodology.answers import AnswerValue
from qms.store import directory
from qms.store.codes import create_codes
from qms.store.cycles import get_cycle
from qms.store.db import Database
from qms.store.models import Response
from qms.store.responses import response_answers
from qms.web.respond.forms import section_of
from tests.cli.conftest import env_for, run_qms
from tests.factories import csrf_token, make_cycle, snapshot_of

Client = TestClient[Litestar]
DIRTY = "a\x00b\x01c\x7fd\te\r\nf"
CLEAN = "ab" + "cd\te\nf"
WISH = "clients.wish"
RESPECT = "clients.respect"


@pytest.fixture
def code(database: Database) -> str:
    with database.session() as s:
        directory.create_organisation(s, "Org A", actor_id=None)
        s.commit()
    cycle_id = make_cycle(database)
    with database.session() as s:
        made = create_codes(s, get_cycle(s, cycle_id), "clients", 1)
        s.commit()
    return made[0]


def _answers(database: Database) -> dict[str, AnswerValue]:
    with database.session() as s:
        response = s.query(Response).one()
        return dict(response_answers(s, response))


@pytest.fixture
def started(client: Client, code: str) -> tuple[str, str]:
    """(base url, CSRF token) of a respondent whose response has started."""
    base = f"/a/{code}"
    assert client.get(base).status_code == 200
    return base, csrf_token(client, f"{base}/1")


def _save(client: Client, token: str, path: str, **kwargs: object) -> object:
    headers = {"X-CSRF-Token": token, "HX-Request": "true", "Accept-Language": "lv"}
    return client.post(path, headers=headers, **kwargs)  # type: ignore[arg-type]


def test_a_nul_in_a_saved_answer_is_stripped(
    client: Client, database: Database, started: tuple[str, str]
) -> None:
    base, token = started
    saved = _save(client, token, f"{base}/save/{WISH}", data={WISH: DIRTY})
    assert saved.status_code == 200, saved.text  # type: ignore[attr-defined]
    assert _answers(database)[WISH] == CLEAN


def test_a_nul_in_a_section_post_is_stripped(
    client: Client, database: Database, started: tuple[str, str]
) -> None:
    base, token = started
    number = section_of(snapshot_of().methodology.questionnaires["clients"], WISH)
    posted = client.post(
        f"{base}/{number}",
        data={WISH: DIRTY, "csrf_token": token, "_action": "back"},
        follow_redirects=False,
    )
    assert posted.status_code < 500, posted.text
    assert _answers(database)[WISH] == CLEAN


def test_a_nul_in_a_staff_form_is_stripped(client: Client, database: Database) -> None:
    # The sign-in form: an e-mail address with a NUL must not reach PostgreSQL.
    token = csrf_token(client)
    response = client.post(
        "/login",
        data={"email": "a\x00b@example.org", "password": "x\x00y", "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code in (200, 422)


def test_a_nul_in_an_imported_text_is_stripped(database_url: str, tmp_path: Path) -> None:
    env = env_for(database_url)
    assert run_qms(env, "org", "create", "Org").code == 0
    made = run_qms(env, "cycle", "create", "--org", "Org", "--year", "2025")
    assert made.code == 0, made.err
    path = tmp_path / "answers.csv"
    path.write_bytes(
        b"respondent,group,item,value\n"
        b"s\x001,staff,staff.role,carer\n"
        b's1,staff,staff.comment,"a\x00b\x01c\td"\n'
    )
    result = run_qms(env, "responses", "import", "--cycle", made.out.strip(), str(path))
    assert result.code == 0, result.err
    database = Database(database_url)
    try:
        with database.session() as s:
            response = s.query(Response).one()
            assert response.respondent == "s1"
            assert dict(response_answers(s, response))["staff.comment"] == "abc\td"
    finally:
        database.dispose()


# A one-item save whose body does not carry the item's field changes nothing.


@pytest.mark.parametrize(
    "body",
    [
        {"content": b"\x00\xff garbage", "headers": {"Content-Type": "text/plain"}},
        {
            "content": json.dumps({RESPECT: "", "value": ""}).encode(),
            "headers": {"Content-Type": "application/json"},
        },
        {"data": {"unrelated": "1"}},
        {"data": {}},
    ],
    ids=["garbage", "json", "other-field", "empty"],
)
def test_a_save_without_the_items_field_is_refused_and_changes_nothing(
    client: Client, database: Database, started: tuple[str, str], body: dict[str, object]
) -> None:
    base, token = started
    assert _save(client, token, f"{base}/save/{RESPECT}", data={RESPECT: "4"}).status_code == 200  # type: ignore[attr-defined]
    headers = {"X-CSRF-Token": token, "HX-Request": "true", "Accept-Language": "lv"}
    headers.update(body.pop("headers", {}))  # type: ignore[arg-type]
    refused = client.post(f"{base}/save/{RESPECT}", headers=headers, **body)  # type: ignore[arg-type]
    assert refused.status_code == 400, refused.text
    assert "Saved" not in refused.text and "Saglabāts" not in refused.text
    assert "Nav saglabāts" in refused.text
    assert "Jūsu atbilde nenonāca līdz mums" in refused.text
    assert _answers(database)[RESPECT] == 4


def test_an_explicit_empty_field_still_clears(
    client: Client, database: Database, started: tuple[str, str]
) -> None:
    base, token = started
    _save(client, token, f"{base}/save/{RESPECT}", data={RESPECT: "4"})
    _save(client, token, f"{base}/save/{WISH}", data={WISH: "labāk"})
    cleared = _save(client, token, f"{base}/save/{RESPECT}", data={RESPECT: ""})
    assert cleared.status_code == 200  # type: ignore[attr-defined]
    # Checkboxes with none ticked post no field, only the item's `_shown` entry.
    unticked = _save(client, token, f"{base}/save/{WISH}", data={"_shown": WISH})
    assert unticked.status_code == 200  # type: ignore[attr-defined]
    assert _answers(database) == {}
