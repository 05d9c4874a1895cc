"""The read-only JSON API: API tokens, cycles and their scores, errors as JSON, OpenAPI."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import select, update

from qms.store import tokens
from qms.store.base import utcnow
from qms.store.cycles import close_cycle, get_cycle
from qms.store.db import Database
from qms.store.models import AuditEvent, Cycle
from tests.cli.conftest import env_for, run_qms
from tests.cli.test_scores import ANSWERS
from tests.factories import make_cycle
from tests.web.conftest import World

Client = TestClient[Litestar]
SECRET = re.compile(r'id="new-token" type="text" readonly value="(qms_[A-Za-z0-9_-]+)"')


def _token(database: Database, world: World, who: str, name: str = "script") -> str:
    with database.session() as s:
        made = tokens.create_token(s, world.ids[who], name)
        s.commit()
        return made.secret


def _bearer(secret: str) -> dict[str, str]:
    return {"authorization": f"Bearer {secret}"}


@pytest.fixture
def scored_cycle(database: Database, database_url: str, tmp_path: Path) -> int:
    """A cycle of Org A with the answers of tests/cli/test_scores.py, imported by `qms`."""
    cycle_id = make_cycle(database, year=2025, methodology="testq")
    path = tmp_path / "answers.csv"
    path.write_text(ANSWERS, encoding="utf-8")
    done = run_qms(
        env_for(database_url), "responses", "import", "--cycle", str(cycle_id), str(path)
    )
    assert done.code == 0, done.err
    closed = run_qms(env_for(database_url), "cycle", "close", "--cycle", str(cycle_id))
    assert closed.code == 0, closed.err  # the API serves released figures only
    return cycle_id


def _publish(database: Database, cycle_id: int) -> None:
    with database.session() as s:
        s.execute(update(Cycle).where(Cycle.id == cycle_id).values(results_published_at=utcnow()))
        s.commit()


# -- tokens ---------------------------------------------------------------------------


def test_a_token_reads_the_api_without_a_session(
    client: Client, world: World, database: Database, scored_cycle: int
) -> None:
    secret = _token(database, world, "head")
    response = client.get("/api/v1/cycles", headers=_bearer(secret))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    assert "set-cookie" not in response.headers
    (cycle,) = response.json()
    assert cycle == {
        "id": scored_cycle,
        "organisation_id": world.org_a,
        "organisation": "Org A",
        "year": 2025,
        "methodology": "testq",
        "version": cycle["version"],
        "status": "closed",
        "scores_available": True,
    }
    with database.session() as s:
        (listed,) = tokens.list_tokens(s, world.ids["head"])
    assert listed.last_used_at is not None


def test_a_revoked_token_is_refused_with_json(
    client: Client, world: World, database: Database
) -> None:
    secret = _token(database, world, "head")
    assert client.get("/api/v1/cycles", headers=_bearer(secret)).status_code == 200
    with database.session() as s:
        (listed,) = tokens.list_tokens(s, world.ids["head"])
        assert tokens.revoke_token(s, world.ids["head"], listed.id)
        s.commit()
    response = client.get("/api/v1/cycles", headers=_bearer(secret))
    assert response.status_code == 401
    assert response.json()["status_code"] == 401
    assert "invalid_token" in response.headers["www-authenticate"]


@pytest.mark.parametrize(
    "header",
    [
        "Bearer qms_unknown-token-0123456789012345678901234567890",
        "Bearer nonsense",
        "bearer qms_",
    ],
)
def test_unknown_tokens_are_refused_with_json(client: Client, world: World, header: str) -> None:
    response = client.get("/api/v1/cycles", headers={"authorization": header})
    assert response.status_code == 401
    assert response.json() == {"status_code": 401, "detail": "The API token is not valid."}


def test_a_token_of_a_deactivated_account_is_refused(
    client: Client, world: World, database: Database
) -> None:
    secret = _token(database, world, "head")
    from qms.store import users

    with database.session() as s:
        users.update_user(s, world.ids["head"], name="", is_active=False, actor_id=None)
        s.commit()
    assert client.get("/api/v1/cycles", headers=_bearer(secret)).status_code == 401


def test_without_a_session_or_token_the_api_answers_401_json(client: Client) -> None:
    response = client.get("/api/v1/cycles")
    assert response.status_code == 401
    assert response.json()["status_code"] == 401
    assert response.headers["www-authenticate"].startswith("Bearer")


def test_a_token_opens_no_html_page(client: Client, world: World, database: Database) -> None:
    secret = _token(database, world, "admin")
    pages = ("/staff", "/account/tokens", "/admin/users", f"/staff/organisations/{world.org_a}")
    for path in pages:
        response = client.get(path, headers=_bearer(secret), follow_redirects=False)
        assert response.status_code == 303, path
        assert response.headers["location"].startswith("/login?next=")


def test_a_token_changes_nothing(client: Client, world: World, database: Database) -> None:
    secret = _token(database, world, "admin")
    # A state-changing request with a token (and no session) gets no further than CSRF.
    response = client.post(
        "/account/tokens", data={"name": "more"}, headers=_bearer(secret), follow_redirects=False
    )
    assert response.status_code == 403
    response = client.post(
        "/admin/organisations",
        data={"name": "Evil"},
        headers={**_bearer(secret), "x-csrf-token": "x"},
        follow_redirects=False,
    )
    assert response.status_code == 403
    response = client.post("/api/v1/cycles", headers=_bearer(secret))
    assert response.status_code in (403, 405)
    with database.session() as s:
        assert len(tokens.list_tokens(s, world.ids["admin"])) == 1


def test_the_session_cookie_reads_the_api_too(
    client: Client, world: World, scored_cycle: int, sign_in: Callable[..., httpx.Response]
) -> None:
    sign_in(client, world.email("head"))
    response = client.get("/api/v1/cycles")
    assert response.status_code == 200
    assert [c["id"] for c in response.json()] == [scored_cycle]


def test_a_bad_token_with_a_good_session_is_still_refused(
    client: Client, world: World, sign_in: Callable[..., httpx.Response]
) -> None:
    # A script must learn its token is wrong, not silently read as the browser's person.
    sign_in(client, world.email("head"))
    response = client.get("/api/v1/cycles", headers=_bearer("qms_nope"))
    assert response.status_code == 401


# -- cycles and scores ----------------------------------------------------------------


def test_cycle_scores_are_the_same_json_as_qms_scores(
    client: Client, world: World, database: Database, database_url: str, scored_cycle: int
) -> None:
    secret = _token(database, world, "head")
    response = client.get(f"/api/v1/cycles/{scored_cycle}/scores", headers=_bearer(secret))
    assert response.status_code == 200, response.text
    printed = run_qms(
        env_for(database_url), "scores", "--cycle", str(scored_cycle), "--format", "json"
    )
    assert printed.code == 0, printed.err
    assert response.json() == json.loads(printed.out)
    # Same keys in the same order, too: a script written against one reads the other.
    assert list(response.json()) == ["cycle", "source", "items", "scores", "overall"]
    assert response.json()["source"] == "release"
    assert list(response.json()["items"][0]) == list(json.loads(printed.out)["items"][0])


def test_a_group_below_its_minimum_size_shows_only_counts(
    client: Client, world: World, database: Database, scored_cycle: int
) -> None:
    secret = _token(database, world, "head")
    document = client.get(f"/api/v1/cycles/{scored_cycle}/scores", headers=_bearer(secret)).json()
    items = {(i["group"], i["item"]): i for i in document["items"]}
    night = items[("staff", "staff.night")]  # two answers, staff min_n is 3
    assert night["reportable"] is False
    assert night["n"] == 2
    assert (night["mean"], night["sd"], night["top_box"], night["histogram"]) == (
        None,
        None,
        None,
        None,
    )
    goals = items[("staff", "staff.goals")]
    assert goals["reportable"] is True and goals["histogram"] is not None
    assert goals["mean"] is not None
    serialised = json.dumps(document)
    assert '"staff.night"' in serialised


def test_another_organisations_cycle_answers_404_json(
    client: Client, world: World, database: Database, scored_cycle: int
) -> None:
    for who in ("head_b", "coordinator", "nobody"):
        secret = _token(database, world, who)
        response = client.get(f"/api/v1/cycles/{scored_cycle}/scores", headers=_bearer(secret))
        assert response.status_code == 404, who
        assert response.json()["status_code"] == 404
        listed = client.get("/api/v1/cycles", headers=_bearer(secret)).json()
        assert listed == [], who
    secret = _token(database, world, "head", "second")
    response = client.get("/api/v1/cycles/987654/scores", headers=_bearer(secret))
    assert response.status_code == 404
    assert response.json()["status_code"] == 404


def test_staff_read_scores_only_once_published(
    client: Client, world: World, database: Database, scored_cycle: int
) -> None:
    secret = _token(database, world, "staff")
    (listed,) = client.get("/api/v1/cycles", headers=_bearer(secret)).json()
    assert listed["scores_available"] is False
    response = client.get(f"/api/v1/cycles/{scored_cycle}/scores", headers=_bearer(secret))
    assert response.status_code == 403
    assert response.json()["status_code"] == 403
    _publish(database, scored_cycle)
    (listed,) = client.get("/api/v1/cycles", headers=_bearer(secret)).json()
    assert listed["scores_available"] is True
    assert (
        client.get(f"/api/v1/cycles/{scored_cycle}/scores", headers=_bearer(secret)).status_code
        == 200
    )


def test_admins_see_every_cycle(client: Client, world: World, database: Database) -> None:
    a = make_cycle(database, "Org A", 2025, "testq")
    b = make_cycle(database, "Org B", 2025, "testq")
    secret = _token(database, world, "admin")
    listed = client.get("/api/v1/cycles", headers=_bearer(secret)).json()
    assert [c["id"] for c in listed] == [a, b]
    # Open cycles have no released figures yet: the API says so instead of live numbers.
    assert [c["scores_available"] for c in listed] == [False, False]
    refused = client.get(f"/api/v1/cycles/{b}/scores", headers=_bearer(secret))
    assert refused.status_code == 409 and "appear when the cycle closes" in refused.text
    with database.session() as s:
        close_cycle(s, get_cycle(s, b))
        s.commit()
    assert client.get(f"/api/v1/cycles/{b}/scores", headers=_bearer(secret)).status_code == 200


def test_networks_list_only_ones_own(client: Client, world: World, database: Database) -> None:
    secret = _token(database, world, "coordinator")
    assert client.get("/api/v1/networks", headers=_bearer(secret)).json() == [
        {"id": world.net_1, "name": "Network 1"}
    ]
    secret = _token(database, world, "head")
    assert client.get("/api/v1/networks", headers=_bearer(secret)).json() == []


# -- OpenAPI --------------------------------------------------------------------------


def test_the_openapi_schema_lists_the_api(client: Client, world: World, database: Database) -> None:
    secret = _token(database, world, "staff")
    response = client.get("/schema/openapi.json", headers=_bearer(secret))
    assert response.status_code == 200, response.text
    schema = response.json()
    paths = schema["paths"]
    for path in ("/api/v1/cycles", "/api/v1/cycles/{cycle_id}/scores", "/api/v1/networks"):
        assert "get" in paths[path], path
        assert set(paths[path]) <= {"get", "head", "parameters"}, path
    ok = paths["/api/v1/cycles/{cycle_id}/scores"]["get"]["responses"]["200"]
    ref = ok["content"]["application/json"]["schema"]["$ref"]
    scores = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]
    assert set(scores["properties"]) == {"cycle", "source", "items", "scores", "overall"}
    assert schema["components"]["securitySchemes"]["apiToken"]["scheme"] == "bearer"
    errors = paths["/api/v1/cycles/{cycle_id}/scores"]["get"]["responses"]
    assert {"401", "403", "404", "409"} <= set(errors)
    for path in ("/api/v1/networks/{network_id}/aggregates", "/api/v1/networks/{network_id}/trend"):
        assert "methodology" in {p["name"] for p in paths[path]["get"]["parameters"]}
    assert client.get("/schema/openapi.json", follow_redirects=False).status_code == 303


# -- the tokens page ------------------------------------------------------------------


def test_the_tokens_page_creates_shows_once_lists_and_revokes(
    client: Client,
    world: World,
    database: Database,
    sign_in: Callable[..., httpx.Response],
    form_post: Callable[..., httpx.Response],
) -> None:
    sign_in(client, world.email("head"))
    page = client.get("/account/tokens?lang=en")
    assert page.status_code == 200
    assert "You have no tokens yet." in page.text
    made = form_post(client, "/account/tokens?lang=en", {"name": "Monthly report"})
    assert made.status_code == 200
    assert made.headers["cache-control"] == "no-store"
    found = SECRET.search(made.text)
    assert found, made.text
    secret = found.group(1)
    assert "Monthly report" in made.text
    again = client.get("/account/tokens?lang=en").text
    assert secret not in again  # shown once
    assert secret[4:12] in again and "Monthly report" in again
    assert client.get("/api/v1/cycles", headers=_bearer(secret)).status_code == 200
    with database.session() as s:
        (listed,) = tokens.list_tokens(s, world.ids["head"])
    revoked = form_post(client, f"/account/tokens/{listed.id}/revoke")
    assert revoked.status_code == 303
    assert revoked.headers["location"] == "/account/tokens?revoked=1"
    assert "Revoked" in client.get("/account/tokens?lang=en").text
    assert client.get("/api/v1/cycles", headers=_bearer(secret)).status_code == 401
    with database.session() as s:
        actions = set(s.scalars(select(AuditEvent.action)))
    assert {"api_token.created", "api_token.revoked"} <= actions


def test_a_token_needs_a_name(
    client: Client,
    world: World,
    sign_in: Callable[..., httpx.Response],
    form_post: Callable[..., httpx.Response],
) -> None:
    sign_in(client, world.email("staff"))
    response = form_post(client, "/account/tokens?lang=en", {"name": "   "})
    assert response.status_code == 422
    assert "Enter a name for the token" in response.text
    assert 'aria-invalid="true"' in response.text
    response = form_post(client, "/account/tokens?lang=lv", {"name": "x" * 150})
    assert response.status_code == 422
    assert "100" in response.text


def test_tokens_page_posts_need_the_csrf_token(
    client: Client, world: World, database: Database, sign_in: Callable[..., httpx.Response]
) -> None:
    sign_in(client, world.email("head"))
    response = client.post("/account/tokens", data={"name": "x"}, follow_redirects=False)
    assert response.status_code == 403
    with database.session() as s:
        assert tokens.list_tokens(s, world.ids["head"]) == []


def test_nobody_revokes_someone_elses_token(
    client: Client,
    world: World,
    database: Database,
    sign_in: Callable[..., httpx.Response],
    form_post: Callable[..., httpx.Response],
) -> None:
    secret = _token(database, world, "head")
    with database.session() as s:
        (listed,) = tokens.list_tokens(s, world.ids["head"])
    sign_in(client, world.email("head_b"))
    assert form_post(client, f"/account/tokens/{listed.id}/revoke").status_code == 303
    assert "qms_" + secret[4:12] not in client.get("/account/tokens").text
    assert client.get("/api/v1/cycles", headers=_bearer(secret)).status_code == 200
