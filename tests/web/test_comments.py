"""The comments page, and comments in the report and its PDF (METHODOLOGY.md §5.4).

The cycle uses the socquality methodology with a second open question for staff, so
that one respondent's comments on two questions can be told apart. Staff (min_n 5) are
6, each with a comment and 4 with a second one; clients (min_n 5) are only 4, so their
comments must never show.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import select

from qms.imports.csvfile import Row
from qms.imports.validate import validate_rows
from qms.store.audit import list_events
from qms.store.comments import comment_counts, cycle_comments, hidden_keys, hide_comment
from qms.store.cycles import (
    asked_groups,
    close_cycle,
    create_cycle,
    get_cycle,
    reopen_cycle,
)
from qms.store.db import Database
from qms.store.importing import import_responses
from qms.store.models import ReleaseResponse
from qms.store.orgs import get_organisation
from qms.store.releases import close_group
from qms.store.snapshots import cycle_methodology, read_snapshot

Client = TestClient[Litestar]
QUESTIONNAIRES = Path(__file__).resolve().parents[2] / "questionnaires"
EXTRA_ITEM = """      - id: staff.extra
        type: text
        text:
          lv: "Vai vēl kas?"
          lt: "Ar dar kas nors?"
          en: "Anything else?"

      - id: staff.comment
"""
STAFF, CLIENTS = 6, 4
_COMMENT = re.compile(r'<p class="comment-text" id="c-([0-9a-f]{64})">([^<]*)</p>')


def staff_comment(r: int) -> str:
    return f"Staff comment number {r}"


def staff_extra(r: int) -> str:
    return f"Staff extra number {r}"


def client_wish(r: int) -> str:
    return f"Client wish number {r}"


@pytest.fixture(scope="module")
def questionnaires(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("questionnaires")
    shutil.copytree(QUESTIONNAIRES / "socquality", root / "socquality")
    staff = root / "socquality" / "staff.yaml"
    text = staff.read_text(encoding="utf-8")
    assert text.count("      - id: staff.comment\n") == 1
    staff.write_text(text.replace("      - id: staff.comment\n", EXTRA_ITEM), encoding="utf-8")
    return root


def _rows(m: Any) -> list[Row]:
    rows: list[Row] = []

    def add(respondent: str, group: str, item: str, value: str) -> None:
        rows.append(Row(len(rows) + 2, respondent, group, item, value))

    for group, size in (("staff", STAFF), ("clients", CLIENTS)):
        scales = [i for i in m.questionnaires[group].items if i.type == "scale" and not i.when]
        for r in range(size):
            for k, item in enumerate(scales):
                add(f"{group}{r}", group, item.id, str(1 + (r + k) % 5))
            if group == "staff":
                add(f"{group}{r}", group, "staff.comment", staff_comment(r))
                if r < 4:
                    add(f"{group}{r}", group, "staff.extra", staff_extra(r))
            else:
                add(f"{group}{r}", group, "clients.wish", client_wish(r))
    return rows


@pytest.fixture
def cycle_id(world: Any, database: Database, questionnaires: Path) -> int:
    with database.session() as s:
        snapshot = read_snapshot(questionnaires, "socquality")
        cycle = create_cycle(s, get_organisation(s, "Org A"), 2026, snapshot)
        m = cycle_methodology(cycle)
        import_responses(s, cycle, validate_rows(m, _rows(m)), label="test")
        s.commit()
        return cycle.id


def _close(database: Database, cycle_id: int) -> None:
    with database.session() as s:
        close_cycle(s, get_cycle(s, cycle_id))
        s.commit()


def _comments(html: str) -> dict[str, list[tuple[str, str]]]:
    """item id -> [(key, text)] in page order, the visible comments only."""
    found: dict[str, list[tuple[str, str]]] = {}
    for chunk in html.split('<article class="comment-item" id="item-')[1:]:
        item = chunk.split('"', 1)[0]
        visible = chunk.split('<div class="hidden-comments">', 1)[0]
        found[item] = _COMMENT.findall(visible)
    return found


def _texts(html: str, item: str) -> list[str]:
    return [t for _, t in _comments(html).get(item, [])]


def _key(html: str, item: str, text: str) -> str:
    (key,) = [k for k, t in _comments(html)[item] if t == text]
    return key


def _pdf_text(client: Client, cycle_id: int, tmp_path: Path) -> str:
    response = client.get(f"/staff/cycles/{cycle_id}/export.pdf?lang=en")
    assert response.status_code == 200
    path = tmp_path / "report.pdf"
    path.write_bytes(response.content)
    return subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout


def test_comments_appear_only_after_a_close_and_only_at_min_n(
    client: Client,
    world: Any,
    database: Database,
    cycle_id: int,
    sign_in: Callable[..., httpx.Response],
) -> None:
    sign_in(client, world.email("head"))
    url = f"/staff/cycles/{cycle_id}/comments?lang=en"
    before = client.get(url)
    assert before.status_code == 200
    assert "Comments appear when the collection closes." in before.text
    assert "number" not in before.text and not _comments(before.text)
    assert "Staff comment" not in client.get(f"/staff/cycles/{cycle_id}/report?lang=en").text

    _close(database, cycle_id)
    after = client.get(url)
    found = _comments(after.text)
    assert sorted(_texts(after.text, "staff.comment")) == sorted(
        staff_comment(r) for r in range(STAFF)
    )
    assert sorted(_texts(after.text, "staff.extra")) == sorted(staff_extra(r) for r in range(4))
    assert "clients.wish" not in found and "Client wish" not in after.text
    assert "Fewer than 5 respondents: comments are not shown" in after.text
    assert after.text.count(">Hide this comment</button>") == STAFF + 4
    # The question is there, and the consensus group's text is not a comment.
    assert "What would improve your work the most?" in after.text
    assert "org.summary" not in found


def test_a_group_closed_ahead_of_the_cycle_shows_its_comments(
    client: Client,
    world: Any,
    database: Database,
    cycle_id: int,
    sign_in: Callable[..., httpx.Response],
) -> None:
    with database.session() as s:
        cycle = get_cycle(s, cycle_id)
        close_group(s, cycle, "staff", asked=asked_groups(s, cycle), actor_id=None)
        s.commit()
    sign_in(client, world.email("head"))
    page = client.get(f"/staff/cycles/{cycle_id}/comments?lang=en").text
    assert len(_texts(page, "staff.comment")) == STAFF
    assert "Comments appear when the collection closes." in page  # the clients still collect
    assert "Client wish" not in page


def test_comment_counts_for_the_results_page(
    database: Database,
    cycle_id: int,
    world: Any,
) -> None:
    with database.session() as s:
        before = comment_counts(s, get_cycle(s, cycle_id))
    assert before[("staff", "staff.comment")] is None
    assert set(before.values()) == {None}
    _close(database, cycle_id)
    with database.session() as s:
        cycle = get_cycle(s, cycle_id)
        counts = comment_counts(s, cycle)
        assert counts[("staff", "staff.comment")] == STAFF
        assert counts[("staff", "staff.extra")] == 4
        assert counts[("clients", "clients.wish")] is None  # 4 clients, min_n 5
        assert ("organisation", "org.summary") not in counts
        (staff,) = [g for g in cycle_comments(s, cycle) if g.group == "staff"]
        first = staff.items[0].comments[0]
        assert hide_comment(s, cycle, staff.items[0].item, first.key, actor_id=None)
        assert hidden_keys(s, cycle.id) == {(staff.items[0].item, first.key)}
        assert (
            comment_counts(s, cycle)[("staff", staff.items[0].item)]
            == (STAFF if staff.items[0].item == "staff.comment" else 4) - 1
        )
        s.commit()


def test_the_order_is_drawn_anew_not_the_order_of_arrival(
    client: Client,
    world: Any,
    database: Database,
    cycle_id: int,
    sign_in: Callable[..., httpx.Response],
) -> None:
    _close(database, cycle_id)
    sign_in(client, world.email("head"))
    orders = {
        tuple(_texts(client.get(f"/staff/cycles/{cycle_id}/comments").text, "staff.comment"))
        for _ in range(12)
    }
    assert all(sorted(o) == sorted(staff_comment(r) for r in range(STAFF)) for o in orders)
    # 12 loads of 6! orders: a fixed order (arrival, key, anything) gives one.
    assert len(orders) >= 2


def test_keys_link_nothing_a_respondent_answered_elsewhere(
    client: Client,
    world: Any,
    database: Database,
    cycle_id: int,
    sign_in: Callable[..., httpx.Response],
) -> None:
    _close(database, cycle_id)
    sign_in(client, world.email("head"))
    page = client.get(f"/staff/cycles/{cycle_id}/comments").text
    with database.session() as s:
        units = set(s.scalars(select(ReleaseResponse.unit)))
    assert units
    keys = [k for comments in _comments(page).values() for k, _ in comments]
    assert len(keys) == len(set(keys)) == STAFF + 4
    assert not set(keys) & units
    for r in range(4):  # one respondent's two comments carry unrelated keys
        assert _key(page, "staff.comment", staff_comment(r)) != _key(
            page, "staff.extra", staff_extra(r)
        )
    # ... and the same on every load: a hidden comment stays the one that was hidden.
    again = client.get(f"/staff/cycles/{cycle_id}/comments").text
    assert _key(again, "staff.comment", staff_comment(0)) == _key(
        page, "staff.comment", staff_comment(0)
    )


def test_hiding_removes_a_comment_everywhere_and_showing_brings_it_back(
    client: Client,
    world: Any,
    database: Database,
    cycle_id: int,
    tmp_path: Path,
    sign_in: Callable[..., httpx.Response],
    form_post: Callable[..., httpx.Response],
) -> None:
    _close(database, cycle_id)
    sign_in(client, world.email("head"))
    base = f"/staff/cycles/{cycle_id}"
    page = client.get(base + "/comments?lang=en").text
    secret, kept = staff_comment(2), staff_comment(3)
    key = _key(page, "staff.comment", secret)
    assert secret in client.get(base + "/report?lang=en").text

    response = form_post(client, base + "/comments/hide", {"item": "staff.comment", "key": key})
    assert response.status_code == 303
    assert response.headers["location"].startswith(base + "/comments?done=hidden")
    page = client.get(base + "/comments?lang=en").text
    assert secret not in page and kept in page
    assert "Hidden comments: 1" in page
    assert len(_texts(page, "staff.comment")) == STAFF - 1
    report = client.get(base + "/report?lang=en").text
    assert secret not in report and kept in report and "staff extra number 1" in report.lower()
    pdf = _pdf_text(client, cycle_id, tmp_path)
    assert secret not in pdf and kept in pdf
    with database.session() as s:
        events = [
            e
            for e in list_events(s, organisation_id=world.org_a).events
            if e.action == "comment.hidden"
        ]
    assert len(events) == 1
    assert events[0].actor == world.email("head")
    assert events[0].detail == {"item": "staff.comment", "comment": key}
    audit = client.get(f"/staff/organisations/{world.org_a}/audit?lang=en").text
    assert "Comment hidden" in audit and secret not in audit

    # Hiding it again changes nothing and logs nothing more.
    again = form_post(client, base + "/comments/hide", {"item": "staff.comment", "key": key})
    assert again.headers["location"].startswith(base + "/comments?done=same")

    listed = client.get(base + "/comments?hidden=show&lang=en").text
    assert secret in listed and "Show again" in listed
    assert secret not in _texts(listed, "staff.comment")

    shown = form_post(client, base + "/comments/show", {"item": "staff.comment", "key": key})
    assert shown.headers["location"].startswith(base + "/comments?done=shown")
    page = client.get(base + "/comments?lang=en").text
    assert secret in _texts(page, "staff.comment") and "Hidden comments" not in page
    assert secret in client.get(base + "/report?lang=en").text
    with database.session() as s:
        actions = [e.action for e in list_events(s, organisation_id=world.org_a).events]
    assert actions.count("comment.hidden") == 1 and actions.count("comment.shown") == 1


def test_a_hidden_comment_stays_hidden_in_the_next_release(
    client: Client,
    world: Any,
    database: Database,
    cycle_id: int,
    sign_in: Callable[..., httpx.Response],
    form_post: Callable[..., httpx.Response],
) -> None:
    _close(database, cycle_id)
    sign_in(client, world.email("head"))
    base = f"/staff/cycles/{cycle_id}"
    key = _key(client.get(base + "/comments").text, "staff.comment", staff_comment(4))
    form_post(client, base + "/comments/hide", {"item": "staff.comment", "key": key})
    with database.session() as s:
        cycle = get_cycle(s, cycle_id)
        reopen_cycle(s, cycle, reason="late answers")
        m = cycle_methodology(cycle)
        late = [
            Row(2 + n, f"late{n}", "staff", "staff.comment", f"Late comment {n}") for n in range(5)
        ]
        import_responses(s, cycle, validate_rows(m, late), label="late")
        outcome = close_cycle(s, cycle)
        s.commit()
    assert any(o.group == "staff" and o.released for o in outcome.outcomes)
    page = client.get(base + "/comments?lang=en").text
    texts = _texts(page, "staff.comment")
    assert len(texts) == STAFF + 5 - 1 and "Late comment 0" in texts
    assert staff_comment(4) not in page and "Hidden comments: 1" in page


def test_a_comment_that_is_not_shown_cannot_be_hidden(
    client: Client,
    world: Any,
    database: Database,
    cycle_id: int,
    sign_in: Callable[..., httpx.Response],
    form_post: Callable[..., httpx.Response],
) -> None:
    _close(database, cycle_id)
    sign_in(client, world.email("head"))
    base = f"/staff/cycles/{cycle_id}"
    for data in (
        {"item": "clients.wish", "key": "0" * 64},
        {"item": "staff.comment"},
        {"item": "no.such", "key": "x"},
        {},
    ):
        response = form_post(client, base + "/comments/hide", data)
        assert response.status_code == 303, data
        assert response.headers["location"] == base + "/comments?done=missing"
    page = client.get(base + "/comments?done=missing&lang=en").text
    assert "no longer among the results" in page and "Hidden comments" not in page


def test_only_the_organisations_heads_read_or_hide_comments(
    client: Client,
    world: Any,
    database: Database,
    cycle_id: int,
    sign_in: Callable[..., httpx.Response],
    form_post: Callable[..., httpx.Response],
) -> None:
    _close(database, cycle_id)
    base = f"/staff/cycles/{cycle_id}"
    sign_in(client, world.email("head"))
    key = _key(client.get(base + "/comments").text, "staff.comment", staff_comment(1))
    # Publishing the results to staff does not publish the comments.
    assert form_post(client, base + "/results/publish").status_code == 303
    for who in ("head_b", "staff", "coordinator", "nobody"):
        client.cookies.clear()
        sign_in(client, world.email(who))
        assert client.get(base + "/comments").status_code == 404, who
        hide = form_post(client, base + "/comments/hide", {"item": "staff.comment", "key": key})
        assert hide.status_code == 404, who
        show = form_post(client, base + "/comments/show", {"item": "staff.comment", "key": key})
        assert show.status_code == 404, who
    client.cookies.clear()
    sign_in(client, world.email("staff"))
    report = client.get(base + "/report?lang=en")
    assert report.status_code == 200 and "Scores by criterion and group" in report.text
    assert "Staff comment" not in report.text
    client.cookies.clear()
    sign_in(client, world.email("admin"))
    assert staff_comment(1) in client.get(base + "/comments").text
    with database.session() as s:
        hidden = [
            e
            for e in list_events(s, organisation_id=world.org_a).events
            if e.action.startswith("comment.")
        ]
    assert hidden == []
