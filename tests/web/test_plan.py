"""The improvement plan pages: heads add and update actions, staff read; proposals from
the weakest scores and the consensus notes; open actions carried into the next cycle."""

from __future__ import annotations

import re
from collections.abc import Callable

import httpx
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import select

from qms.store import plan
from qms.store.consensus import Notes, save_consensus
from qms.store.cycles import close_cycle, get_cycle
from qms.store.db import Database
from qms.store.models import AuditEvent
from tests.factories import make_cycle
from tests.web.conftest import World

Client = TestClient[Litestar]
Post = Callable[..., httpx.Response]


def _actions(database: Database, cycle_id: int) -> list[plan.Action]:
    with database.session() as s:
        return plan.actions_for_cycle(s, cycle_id)


def test_a_head_adds_an_action_and_updates_its_progress(
    client: Client,
    world: World,
    database: Database,
    sign_in: Callable[..., httpx.Response],
    form_post: Post,
) -> None:
    cycle_id = make_cycle(database, year=2025)
    sign_in(client, world.email("head"))
    base = f"/staff/cycles/{cycle_id}/plan"
    page = client.get(base + "?lang=lv").text
    assert "Pilnveides plāns" in page and 'name="criterion"' in page

    added = form_post(
        client,
        base,
        {
            "criterion": "3.2",
            "title": "Supervision every month",
            "owner": "Deputy head",
            "due": "2026-06-30",
            "status": "planned",
        },
    )
    assert added.status_code == 303
    [action] = _actions(database, cycle_id)
    assert added.headers["location"] == f"{base}?saved={action.id}#action-{action.id}"
    assert (action.criterion, action.title, action.owner, str(action.due), action.status) == (
        "3.2",
        "Supervision every month",
        "Deputy head",
        "2026-06-30",
        "planned",
    )
    html = client.get(base + "?lang=en").text
    assert "Supervision every month" in html and "Due: 2026-06-30" in html

    updated = form_post(
        client,
        f"{base}/actions/{action.id}",
        {
            "status": "in_progress",
            "progress": "Two sessions held",
            "owner": "Deputy head",
            "due": "2026-09-30",
        },
    )
    assert updated.status_code == 303
    [action] = _actions(database, cycle_id)
    assert (action.status, action.progress, str(action.due)) == (
        "in_progress",
        "Two sessions held",
        "2026-09-30",
    )
    with database.session() as s:
        actions = s.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.action.like("plan.%"))
            .order_by(AuditEvent.id)
        ).all()
        assert actions == ["plan.action_added", "plan.action_updated"]


def test_bad_input_is_answered_next_to_the_fields(
    client: Client,
    world: World,
    database: Database,
    sign_in: Callable[..., httpx.Response],
    form_post: Post,
) -> None:
    cycle_id = make_cycle(database, year=2025)
    sign_in(client, world.email("head"))
    base = f"/staff/cycles/{cycle_id}/plan?lang=en"
    bad = form_post(
        client, base, {"criterion": "99", "title": "", "due": "31.12.2026", "status": "finished"}
    )
    assert bad.status_code == 422
    for field, message in [
        ("criterion", "Choose a criterion."),
        ("title", "Describe the action"),
        ("due", "Enter the due date as YYYY-MM-DD"),
        ("status", "Choose a status."),
    ]:
        assert f'id="{field}-error"' in bad.text and message in bad.text
    assert 'value="31.12.2026"' in bad.text
    assert _actions(database, cycle_id) == []

    with database.session() as s:
        action_id = plan.add_action(s, get_cycle(s, cycle_id), criterion="1", title="Kept")
        s.commit()
    wrong = form_post(
        client,
        f"/staff/cycles/{cycle_id}/plan/actions/{action_id}?lang=en",
        {"status": "planned", "progress": "Half way", "due": "soon"},
    )
    assert wrong.status_code == 422
    assert "Enter the due date as YYYY-MM-DD" in wrong.text
    assert "Half way" in wrong.text  # what was typed is kept
    assert f'href="#a{action_id}-due"' in wrong.text
    assert _actions(database, cycle_id)[0].progress == ""


def test_staff_read_the_plan_but_do_not_edit_it(
    client: Client,
    world: World,
    database: Database,
    sign_in: Callable[..., httpx.Response],
    form_post: Post,
) -> None:
    cycle_id = make_cycle(database, year=2025)
    with database.session() as s:
        action_id = plan.add_action(s, get_cycle(s, cycle_id), criterion="5", title="Rota")
        s.commit()
    sign_in(client, world.email("staff"))
    html = client.get(f"/staff/cycles/{cycle_id}/plan?lang=en").text
    assert "Rota" in html and "Add an action" not in html and "Update this action" not in html
    base = f"/staff/cycles/{cycle_id}/plan"
    assert (
        form_post(client, base, {"criterion": "1", "title": "x", "status": "planned"}).status_code
        == 404
    )
    assert form_post(client, f"{base}/actions/{action_id}", {"status": "done"}).status_code == 404
    assert _actions(database, cycle_id)[0].status == "planned"


def test_open_actions_carry_into_the_next_cycle(
    client: Client,
    world: World,
    database: Database,
    sign_in: Callable[..., httpx.Response],
    form_post: Post,
) -> None:
    first = make_cycle(database, year=2024)
    with database.session() as s:
        cycle = get_cycle(s, first)
        open_id = plan.add_action(s, cycle, criterion="6", title="Client council")
        done_id = plan.add_action(s, cycle, criterion="7", title="Finished one")
        plan.update_action(s, done_id, status="done", progress="")
        s.commit()
    second = make_cycle(database, year=2025)
    sign_in(client, world.email("head"))
    html = client.get(f"/staff/cycles/{second}/plan?lang=en").text
    assert "Open actions from earlier years" in html
    assert "Client council" in html and "from the 2024 plan" in html
    assert "Finished one" not in html

    # Finished from the later cycle's page: it then stays only in its own year.
    assert (
        form_post(
            client,
            f"/staff/cycles/{second}/plan/actions/{open_id}",
            {"status": "done", "progress": "Meets quarterly"},
        ).status_code
        == 303
    )
    assert "Client council" not in client.get(f"/staff/cycles/{second}/plan").text
    assert _actions(database, first)[0].status == "done"
    # An action the page does not show cannot be changed through it.
    assert (
        form_post(
            client, f"/staff/cycles/{second}/plan/actions/{done_id}", {"status": "planned"}
        ).status_code
        == 404
    )


def test_another_organisations_plan_is_not_found(
    client: Client,
    world: World,
    database: Database,
    sign_in: Callable[..., httpx.Response],
    form_post: Post,
) -> None:
    ours = make_cycle(database, year=2025)
    theirs = make_cycle(database, "Org B", year=2025)
    with database.session() as s:
        action_id = plan.add_action(s, get_cycle(s, ours), criterion="1", title="Ours")
        s.commit()
    sign_in(client, world.email("head_b"))
    assert client.get(f"/staff/cycles/{ours}/plan").status_code == 404
    assert (
        form_post(
            client, f"/staff/cycles/{theirs}/plan/actions/{action_id}", {"status": "done"}
        ).status_code
        == 404
    )
    assert _actions(database, ours)[0].status == "planned"


def test_suggestions_from_the_consensus_notes(
    client: Client,
    world: World,
    database: Database,
    sign_in: Callable[..., httpx.Response],
) -> None:
    cycle_id = make_cycle(database, year=2025)
    with database.session() as s:
        save_consensus(
            s,
            get_cycle(s, cycle_id),
            {"org.mission": 30},
            actor_id=None,
            notes={"org.mission": Notes(improvements="Review the mission with staff")},
        )
        close_cycle(s, get_cycle(s, cycle_id))  # suggested scores are released ones
        s.commit()
    sign_in(client, world.email("head"))
    html = client.get(f"/staff/cycles/{cycle_id}/plan?lang=en").text
    assert "Suggestions" in html and "Review the mission with staff" in html
    # The weakest (here the only) criterion with a score.
    assert "1 Leadership</strong>: score 30.0" in " ".join(html.split())
    link = re.search(r'href="(/staff/cycles/\d+/plan\?criterion=[^"]+title=[^"]+)#add"', html)
    assert link
    prefilled = client.get(link.group(1).replace("&amp;", "&")).text
    assert 'value="Review the mission with staff"' in prefilled
    assert re.search(r'<option value="1\.\d"[^>]* selected>', prefilled)
