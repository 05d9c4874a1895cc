"""Running a cycle in the browser: creating it with its groups and targets, opening,
closing (codes stop working, unfinished answers count) and reopening with a reason, and
the live response table that htmx polls."""

from __future__ import annotations

import re
from collections.abc import Callable

import httpx
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import select

from qms.store import codes
from qms.store.cycles import cycle_groups, get_cycle
from qms.store.db import Database
from qms.store.models import AuditEvent, Cycle, Response
from qms.store.responses import set_answer, submit_response
from tests.factories import make_cycle
from tests.web.conftest import World

Client = TestClient[Litestar]
Post = Callable[..., httpx.Response]


def _new_cycle_form(year: str = "2027", **extra: str) -> dict[str, str]:
    return {"methodology": "socquality", "year": year, **extra}


def _status(database: Database, cycle_id: int) -> str:
    with database.session() as s:
        return get_cycle(s, cycle_id).status


def test_a_head_creates_a_draft_cycle_with_its_groups_and_targets(
    client: Client,
    world: World,
    database: Database,
    sign_in: Callable[..., httpx.Response],
    form_post: Post,
) -> None:
    sign_in(client, world.email("head"))
    org_page = client.get(f"/staff/organisations/{world.org_a}?lang=lv").text
    assert f'href="/staff/organisations/{world.org_a}/cycles/new"' in org_page
    form = client.get(f"/staff/organisations/{world.org_a}/cycles/new").text
    assert 'name="group:staff"' in form and 'name="target:clients"' in form
    assert "Jauns cikls" in form  # the page speaks Latvian

    response = form_post(
        client,
        f"/staff/organisations/{world.org_a}/cycles/new",
        _new_cycle_form(
            **{
                "group:staff": "yes",
                "target:staff": "12",
                "group:clients": "yes",
                "target:clients": "",
            }
        ),
    )
    assert response.status_code == 303
    found = re.fullmatch(r"/staff/cycles/(\d+)\?done=created", response.headers["location"])
    assert found
    cycle_id = int(found.group(1))
    with database.session() as s:
        cycle = get_cycle(s, cycle_id)
        assert (cycle.year, cycle.status, cycle.organisation_id) == (2027, "draft", world.org_a)
        assert cycle_groups(s, cycle_id) == {"staff": 12, "clients": None}
        event = s.scalars(
            select(AuditEvent)
            .where(AuditEvent.action == "cycle.created")
            .order_by(AuditEvent.id.desc())
        ).first()
        assert event is not None and event.actor_id == world.ids["head"]

    page = client.get(f"/staff/cycles/{cycle_id}?lang=en&done=created").text
    assert "created as a draft" in page
    assert 'id="group-staff"' in page and 'id="group-clients"' in page
    assert 'id="group-managers"' not in page  # only the chosen groups
    assert "Open the cycle" in page
    assert "hx-trigger" not in page  # a draft takes no answers: nothing to watch


def test_bad_input_gets_messages_next_to_the_fields(
    client: Client,
    world: World,
    database: Database,
    sign_in: Callable[..., httpx.Response],
    form_post: Post,
) -> None:
    sign_in(client, world.email("head"))
    path = f"/staff/organisations/{world.org_a}/cycles/new?lang=en"
    bad = form_post(
        client, path, _new_cycle_form("20x7", **{"group:staff": "yes", "target:staff": "many"})
    )
    assert bad.status_code == 422
    assert 'id="year-error"' in bad.text and "Enter a year from 2000 to 2100." in bad.text
    assert 'id="target:staff-error"' in bad.text
    assert 'value="many"' in bad.text  # what was typed is kept

    none_chosen = form_post(client, path, _new_cycle_form())
    assert none_chosen.status_code == 422 and "Choose at least one group." in none_chosen.text

    unknown = form_post(client, path, {"methodology": "../etc", "year": "2027"})
    assert unknown.status_code == 422 and "Choose a methodology." in unknown.text

    make_cycle(database)  # 2026 exists
    twice = form_post(client, path, _new_cycle_form("2026", **{"group:staff": "yes"}))
    assert twice.status_code == 422
    assert "already has a cycle of this methodology for that year" in twice.text
    with database.session() as s:
        assert len(s.scalars(select(Cycle)).all()) == 1


def test_open_close_and_reopen(
    client: Client,
    world: World,
    database: Database,
    sign_in: Callable[..., httpx.Response],
    form_post: Post,
) -> None:
    cycle_id = make_cycle(database, draft=True)
    with database.session() as s:
        code = codes.create_codes(s, get_cycle(s, cycle_id), "staff", 1)[0]
        s.commit()
        target = codes.resolve(s, code)
        assert target is not None and not target.cycle_open  # a draft's codes wait
    sign_in(client, world.email("head"))
    base = f"/staff/cycles/{cycle_id}"
    assert form_post(client, base + "/open").headers["location"] == base + "?done=opened"
    assert _status(database, cycle_id) == "open"
    assert form_post(client, base + "/open").status_code == 409  # already open

    with database.session() as s:
        target = codes.resolve(s, code)
        assert target is not None and target.cycle_open
        _code, response = codes.start(s, target)
        set_answer(s, response, "staff.goals", 4)  # started, never sent
        s.commit()

    unconfirmed = form_post(client, base + "/close?lang=en")
    assert unconfirmed.status_code == 422
    assert 'id="confirm-error"' in unconfirmed.text
    assert _status(database, cycle_id) == "open"

    closed = form_post(client, base + "/close", {"confirm": "yes"})
    assert closed.headers["location"] == base + "?done=closed"
    with database.session() as s:
        assert get_cycle(s, cycle_id).status == "closed"
        target = codes.resolve(s, code)
        assert target is not None and not target.cycle_open  # the code stops working
        statuses = s.scalars(select(Response.status).where(Response.cycle_id == cycle_id)).all()
        assert statuses == ["submitted"]  # the unfinished answer counts
    page = client.get(base + "?lang=en").text
    assert "Reopen the cycle" in page and "hx-trigger" not in page

    no_reason = form_post(client, base + "/reopen?lang=en", {"reason": "  "})
    assert no_reason.status_code == 422 and 'id="reason-error"' in no_reason.text
    assert _status(database, cycle_id) == "closed"
    reopened = form_post(client, base + "/reopen", {"reason": "Late paper forms arrived"})
    assert reopened.headers["location"] == base + "?done=reopened"
    with database.session() as s:
        assert get_cycle(s, cycle_id).status == "open"
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == "cycle.reopened")).one()
        assert event.detail == {"reason": "Late paper forms arrived"}
        assert event.actor_id == world.ids["head"]
    assert form_post(client, base + "/reopen", {"reason": "again"}).status_code == 409


def test_staff_watch_but_do_not_run_the_cycle(
    client: Client,
    world: World,
    database: Database,
    sign_in: Callable[..., httpx.Response],
    form_post: Post,
) -> None:
    cycle_id = make_cycle(database)
    sign_in(client, world.email("staff"))
    page = client.get(f"/staff/cycles/{cycle_id}?lang=en").text
    assert 'id="responses"' in page and "Close the cycle" not in page
    assert (
        form_post(client, f"/staff/cycles/{cycle_id}/close", {"confirm": "yes"}).status_code == 404
    )
    assert _status(database, cycle_id) == "open"


def test_the_live_table_is_an_htmx_fragment_that_follows_the_answers(
    client: Client,
    world: World,
    database: Database,
    sign_in: Callable[..., httpx.Response],
) -> None:
    cycle_id = make_cycle(database, groups={"staff": 4, "clients": None})
    sign_in(client, world.email("head"))
    page = client.get(f"/staff/cycles/{cycle_id}?lang=en").text
    assert f'hx-get="/staff/cycles/{cycle_id}/responses" hx-trigger="every 5s"' in page

    fragment_path = f"/staff/cycles/{cycle_id}/responses"
    htmx = {"HX-Request": "true"}
    before = client.get(fragment_path, headers=htmx)
    assert before.status_code == 200
    assert "<html" not in before.text and 'id="responses"' in before.text
    assert re.search(r'id="group-staff".*?<span class="rate-value">0%</span>', before.text, re.S)

    with database.session() as s:
        cycle = get_cycle(s, cycle_id)
        made = codes.create_codes(s, cycle, "staff", 2)
        target = codes.resolve(s, made[0])
        assert target is not None
        _code, response = codes.start(s, target)
        set_answer(s, response, "staff.goals", 5)
        submit_response(s, response)
        s.commit()

    after = client.get(fragment_path, headers=htmx).text
    row = re.search(r'<tr id="group-staff">(.*?)</tr>', after, re.S)
    assert row
    cells = re.findall(r"<td[^>]*>\s*([^<\s]*)", row.group(1))
    # target, issued, started, in progress, submitted
    assert cells[:5] == ["4", "2", "1", "0", "1"]
    assert '<span class="rate-value">25%</span>' in row.group(1)
    assert "no target" in after  # clients have none

    # Without htmx the address is the page itself.
    plain = client.get(fragment_path, follow_redirects=False)
    assert plain.status_code == 303 and plain.headers["location"] == f"/staff/cycles/{cycle_id}"


def test_another_organisations_head_cannot_touch_the_cycle(
    client: Client,
    world: World,
    database: Database,
    sign_in: Callable[..., httpx.Response],
    form_post: Post,
) -> None:
    cycle_id = make_cycle(database)
    sign_in(client, world.email("head_b"))
    assert (
        client.get(
            f"/staff/cycles/{cycle_id}/responses", headers={"HX-Request": "true"}
        ).status_code
        == 404
    )
    assert (
        form_post(client, f"/staff/cycles/{cycle_id}/close", {"confirm": "yes"}).status_code == 404
    )
    assert client.get(f"/staff/organisations/{world.org_a}/cycles/new").status_code == 404
    assert _status(database, cycle_id) == "open"


def test_the_audit_log_names_the_steps_and_the_reason(
    client: Client,
    world: World,
    database: Database,
    sign_in: Callable[..., httpx.Response],
    form_post: Post,
) -> None:
    cycle_id = make_cycle(database)
    sign_in(client, world.email("head"))
    base = f"/staff/cycles/{cycle_id}"
    form_post(client, base + "/close", {"confirm": "yes"})
    form_post(client, base + "/reopen", {"reason": "Paper forms <b>late</b>"})
    log = client.get(f"/staff/organisations/{world.org_a}/audit?lang=lv").text
    assert "Cikls slēgts" in log and "Cikls atvērts atkārtoti" in log
    assert "„Paper forms &lt;b&gt;late&lt;/b&gt;”" in log  # shown, and inert
