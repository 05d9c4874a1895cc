"""Network figures from the coordinator's releases, as each viewer may see them (§5.5):
the attack on order statistics, the release button and reporting date, the rule over
time and across two networks, over the pages, downloads and the API."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from datetime import date
from pathlib import Path

import httpx
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import select

from qms.store import directory, network_releases, sharing, tokens, users
from qms.store.cycles import close_cycle, create_cycle
from qms.store.db import Database
from qms.store.models import AuditEvent, Cycle, Organisation
from qms.store.responses import create_response
from qms.store.snapshots import read_snapshot
from tests.web.conftest import World

Client = TestClient[Litestar]
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "methodologies"
ROW = re.compile(r"2\. Results</th>(.*?)</tr>", re.S)
NUM = re.compile(r'<td class="num">([^<]*)</td>')


def _join(
    database: Database,
    network_id: int,
    values: list[int],
    *,
    named: int = 0,
    prefix: str = "Org",
    include_a: bool = False,
    release: bool = True,
) -> list[int]:
    """Organisations that share a closed 2024 cycle with criterion 2 at each value (the
    first `named` of them named); with `include_a`, Org A (network 1) is the first."""
    snapshot = read_snapshot(FIXTURES, "testq")
    ids = []
    with database.session() as s:
        for i, value in enumerate(values):
            if include_a and i == 0:
                org = s.scalars(select(Organisation).where(Organisation.name == "Org A")).one()
            else:
                org_id = directory.create_organisation(s, f"{prefix} {i}", actor_id=None)
                org = s.get_one(Organisation, org_id)
            if network_id not in {n.id for n in org.networks}:
                directory.add_member(s, network_id, org.id, actor_id=None)
            cycle = create_cycle(s, org, 2024, snapshot)
            create_response(
                s,
                cycle,
                group="organisation",
                respondent="consensus",
                source="paper",
                submitted=True,
                answers={"org.results": value},
            )
            close_cycle(s, cycle)
            sharing.share_cycle(s, cycle, network_id, named=i < named, actor_id=None)
            ids.append(org.id)
        if release:
            network_releases.release_year(s, network_id, 2024, "testq", actor_id=None)
        s.commit()
    return ids


def _dashboard(client: Client, network_id: int) -> str:
    page = client.get(f"/staff/networks/{network_id}/dashboard?lang=en&year=2024&methodology=testq")
    assert page.status_code == 200, page.text
    return page.text


def _results_cells(html: str) -> tuple[list[str], str]:
    row = ROW.search(html)
    assert row is not None
    return NUM.findall(row.group(1)), row.group(1)


def test_three_with_two_named_give_the_coordinator_no_order_statistics(
    client: Client, world: World, database: Database, sign_in: Callable[..., httpx.Response]
) -> None:
    _join(database, world.net_1, [25, 75, 50], named=2)  # the third (unnamed) scores 50
    sign_in(client, world.email("coordinator"))
    html = _dashboard(client, world.net_1)
    cells, row = _results_cells(html)
    assert cells == ["3"]
    assert "would let the organisations you can identify" in row
    assert "50.0" not in html and "from the lowest" not in html
    # Downloads and the API say the same.
    table = client.get(f"/staff/networks/{world.net_1}/export.csv?year=2024&methodology=testq")
    rows = {
        (r["node"], r["group"]): r
        for r in csv.DictReader(io.StringIO(table.content.decode("utf-8-sig")))
    }
    composite = rows[("2", "")]
    assert [composite[k] for k in ("min", "median", "max", "mean")] == ["", "", "", ""]
    assert composite["status"] == "identifiable"
    with database.session() as s:
        secret = tokens.create_token(s, world.ids["coordinator"], "t").secret
        s.commit()
    body = client.get(
        f"/api/v1/networks/{world.net_1}/aggregates", headers={"authorization": f"Bearer {secret}"}
    ).json()
    stat = next(x for x in body["stats"] if (x["node"], x["group"]) == ("2", None))
    assert (stat["min"], stat["median"], stat["max"], stat["named"], stat["status"]) == (
        None,
        None,
        None,
        [],
        "identifiable",
    )


def test_a_head_of_one_of_three_sees_no_quartiles(
    client: Client, world: World, database: Database, sign_in: Callable[..., httpx.Response]
) -> None:
    _join(database, world.net_1, [25, 50, 75], include_a=True)
    sign_in(client, world.email("head"))
    page = client.get(f"/staff/organisations/{world.org_a}/networks?lang=en")
    cells, row = _results_cells(page.text)
    assert cells == ["25.0", "3"]  # their own score and the count, no Q1, median or Q3
    assert "would let the organisations you can identify" in row
    assert "50.0" not in page.text and "from the lowest" not in page.text
    # The coordinator (no organisation of their own, nobody named) sees the distribution.
    client.cookies.clear()
    sign_in(client, world.email("coordinator"))
    assert _results_cells(_dashboard(client, world.net_1))[0][:4] == ["3", "25.0", "37.5", "50.0"]


def test_five_with_three_named_are_hidden_six_are_shown(
    client: Client, world: World, database: Database, sign_in: Callable[..., httpx.Response]
) -> None:
    _join(database, world.net_1, [0, 25, 50, 75, 100], named=3)
    _join(database, world.net_2, [0, 25, 50, 75, 100, 100], named=3, prefix="Six")
    with database.session() as s:
        users.add_role(
            s, world.ids["coordinator"], "coordinator", network_id=world.net_2, actor_id=None
        )
        s.commit()
    sign_in(client, world.email("coordinator"))
    five, _ = _results_cells(_dashboard(client, world.net_1))
    six, _ = _results_cells(_dashboard(client, world.net_2))
    assert five == ["5"]
    assert six == ["6", "0.0", "31.2", "62.5", "93.8", "100.0", "58.3"]


def test_the_release_button_and_the_rule_over_time(
    client: Client,
    world: World,
    database: Database,
    sign_in: Callable[..., httpx.Response],
    form_post: Callable[..., httpx.Response],
) -> None:
    _join(database, world.net_1, [0, 25, 50, 75], release=False)
    sign_in(client, world.email("coordinator"))
    html = _dashboard(client, world.net_1)
    assert "The figures of this year are not released yet." in html
    assert "2. Results" not in html  # no table before a release
    assert "Release the figures of 2024" in html
    path = f"/staff/networks/{world.net_1}/releases"
    form = {"year": "2024", "methodology": "testq"}
    done = form_post(client, path, form)
    assert done.status_code == 303
    html = client.get(done.headers["location"] + "&lang=en").text
    assert "The figures are released." in html and "with 4 organisations" in html
    assert _results_cells(html)[0][:4] == ["4", "0.0", "18.8", "37.5"]
    # One more organisation: a new release is refused, and the page says why.
    _join(database, world.net_1, [100], prefix="Late", release=False)
    html = _dashboard(client, world.net_1)
    assert "by 1; a new release needs at least 3" in html
    assert "Release the figures of 2024" not in html
    refused = form_post(client, path, form)
    assert refused.status_code == 409
    assert "a new release is not allowed yet" in refused.text
    assert _results_cells(_dashboard(client, world.net_1))[0][0] == "4"  # the old release
    # Two more: three apart from the release, allowed.
    _join(database, world.net_1, [100, 100], prefix="Later", release=False)
    assert form_post(client, path, form).status_code == 303
    assert _results_cells(_dashboard(client, world.net_1))[0][:4] == ["7", "0.0", "37.5", "75.0"]
    with database.session() as s:
        actions = s.scalars(
            select(AuditEvent.action).where(
                AuditEvent.network_id == world.net_1, AuditEvent.action == "network.released"
            )
        )
        assert len(list(actions)) == 2


def test_a_reporting_date_releases_on_the_first_visit_after_it(
    client: Client,
    world: World,
    database: Database,
    sign_in: Callable[..., httpx.Response],
    form_post: Callable[..., httpx.Response],
) -> None:
    _join(database, world.net_1, [0, 25, 50], release=False)
    sign_in(client, world.email("coordinator"))
    path = f"/staff/networks/{world.net_1}/report-date"
    bad = form_post(
        client,
        path + "?lang=en",
        {"year": "2024", "methodology": "testq", "release_on": "31.03.2026"},
    )
    assert bad.status_code == 422
    assert 'id="release_on-error"' in bad.text and "YYYY-MM-DD" in bad.text
    assert 'value="31.03.2026"' in bad.text
    today = date.today().isoformat()
    saved = form_post(client, path, {"year": "2024", "methodology": "testq", "release_on": today})
    assert saved.status_code == 303
    html = client.get(saved.headers["location"] + "&lang=en").text
    assert "with 3 organisations" in html  # released on this very visit
    with database.session() as s:
        state = network_releases.release_state(s, world.net_1, 2024, "testq")
        assert state.current is not None and state.report_on == date.today()


def test_a_coordinator_of_two_networks_one_apart_sees_only_the_earlier(
    client: Client, world: World, database: Database, sign_in: Callable[..., httpx.Response]
) -> None:
    ids = _join(database, world.net_1, [0, 25, 50, 75])
    with database.session() as s:
        for org_id in ids:
            directory.add_member(s, world.net_2, org_id, actor_id=None)
            cycle = s.scalars(select(Cycle).where(Cycle.organisation_id == org_id)).one()
            sharing.share_cycle(s, cycle, world.net_2, named=False, actor_id=None)
        s.commit()
    _join(database, world.net_2, [100], prefix="Fifth")  # releases network 2 (5 orgs)
    sign_in(client, world.email("coordinator"))
    assert _results_cells(_dashboard(client, world.net_1))[0][0:4] == ["4", "0.0", "18.8", "37.5"]
    with database.session() as s:
        users.add_role(
            s, world.ids["coordinator"], "coordinator", network_id=world.net_2, actor_id=None
        )
        s.commit()
    first, _ = _results_cells(_dashboard(client, world.net_1))
    second, row = _results_cells(_dashboard(client, world.net_2))
    assert first[:4] == ["4", "0.0", "18.8", "37.5"]
    assert second == ["5"]
    assert "differs by only one or two organisations" in row
