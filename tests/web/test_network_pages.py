"""Network pages: sharing a cycle, the coordinator's dashboard, a head's position."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import select

from qms.store import directory, network_releases, sharing
from qms.store.cycles import close_cycle, create_cycle
from qms.store.db import Database
from qms.store.models import AuditEvent, Cycle, Organisation
from qms.store.responses import create_response
from qms.store.snapshots import read_snapshot

Client = TestClient[Litestar]
METHODOLOGIES = Path(__file__).resolve().parents[1] / "fixtures" / "methodologies"
# Results score (criterion 2) of each organisation in network 1; A and D consent to names.
# All but E share: with two named, three are left that nobody can identify.
RESULTS = {"Org A": 25, "Org C": 50, "Org D": 75, "Org E": 100, "Org F": 0, "Org G": 100}
NAMED = {"Org A", "Org D"}
SHARING = ("Org A", "Org C", "Org D", "Org F", "Org G")


@dataclass(frozen=True)
class Net:
    world: Any
    cycles: dict[str, int]  # organisation name -> its closed 2024 cycle
    orgs: dict[str, int]  # organisation name -> id

    def __getattr__(self, name: str) -> Any:
        return getattr(self.world, name)


@pytest.fixture
def net(world: Any, database: Database) -> Net:
    """Orgs C to G join A in network 1; each has a closed 2024 cycle of the test
    methodology; all but E share it (A and D named), and the coordinator's release of
    2024 holds them. Org B (network 2) has a closed cycle too."""
    snapshot = read_snapshot(METHODOLOGIES, "testq")
    cycles: dict[str, int] = {}
    orgs: dict[str, int] = {}
    with database.session() as s:
        for name in ("Org C", "Org D", "Org E", "Org F", "Org G"):
            org_id = directory.create_organisation(s, name, actor_id=None)
            directory.add_member(s, world.net_1, org_id, actor_id=None)
        for name in (*RESULTS, "Org B"):
            org = s.scalars(select(Organisation).where(Organisation.name == name)).one()
            cycle = create_cycle(s, org, 2024, snapshot)
            create_response(
                s,
                cycle,
                group="organisation",
                respondent="consensus",
                source="paper",
                submitted=True,
                answers={"org.results": RESULTS.get(name, 0)},
            )
            close_cycle(s, cycle)
            cycles[name] = cycle.id
            orgs[name] = org.id
            if name in SHARING:
                sharing.share_cycle(s, cycle, world.net_1, named=name in NAMED, actor_id=None)
        network_releases.release_year(s, world.net_1, 2024, "testq", actor_id=None)
        s.commit()
    return Net(world, cycles, orgs)


def _dashboard(net: Net, query: str = "") -> str:
    return f"/staff/networks/{net.net_1}/dashboard?lang=en{query}"


def test_the_coordinator_sees_distributions_and_only_consenting_names(
    client: Client, net: Net, sign_in: Callable[..., httpx.Response]
) -> None:
    sign_in(client, net.email("coordinator"))
    page = client.get(_dashboard(net))
    assert page.status_code == 200
    html = page.text
    # Criterion 2, composite: F 0, A 25, C 50, D 75, G 100.
    row = re.search(r"2\. Results</th>(.*?)</tr>", html, re.S)
    assert row is not None
    cells = re.findall(r'<td class="num">([^<]*)</td>', row.group(1))
    assert cells == ["5", "0.0", "25.0", "50.0", "75.0", "100.0", "50.0"]
    assert "Org A" in html and "Org D" in html
    for name in ("Org C", "Org E", "Org F", "Org G", "Org B"):
        assert name not in html
    assert "5 of 6 members" in html  # E is a member that shared nothing
    assert "with 5 organisations" in html  # the release
    # A named organisation's own values, with its place from the lowest.
    org_a = client.get(_dashboard(net, f"&org={net.world.org_a}")).text
    assert "2 of 5 from the lowest" in org_a
    # An unnamed organisation cannot be picked by its id.
    for org_id in (net.orgs["Org C"], 999999):
        picked = client.get(_dashboard(net, f"&org={org_id}")).text
        assert "from the lowest" not in picked and "Org C" not in picked
    chart = client.get(
        f"/staff/networks/{net.net_1}/dashboard/distribution?year=2024"
        "&methodology=testq&group=composite"
    )
    assert chart.status_code == 200 and chart.headers["content-type"].startswith("image/svg")
    assert "style-src 'unsafe-inline'" in chart.headers["content-security-policy"]
    trend = client.get(
        f"/staff/networks/{net.net_1}/dashboard/trend?methodology=testq"
        "&node=overall&group=composite&format=png"
    )
    assert trend.status_code == 200 and trend.content.startswith(b"\x89PNG")


def test_a_withdrawal_hides_the_year_until_the_next_release(
    client: Client, net: Net, database: Database, sign_in: Callable[..., httpx.Response]
) -> None:
    with database.session() as s:
        cycle = s.get_one(Cycle, net.cycles["Org C"])
        sharing.withdraw_share(s, cycle, net.net_1, actor_id=None)
        s.commit()
    sign_in(client, net.email("coordinator"))
    html = client.get(_dashboard(net, f"&org={net.world.org_a}")).text
    row = re.search(r"2\. Results</th>(.*?)</tr>", html, re.S)
    assert row is not None
    assert re.findall(r'<td class="num">([^<]*)</td>', row.group(1)) == ["5"]
    assert "an organisation withdrew; the figures return with the next release" in row.group(1)
    for value in ("25.0", "75.0", "50.0", "100.0"):
        assert value not in html
    assert "from the lowest" not in html
    # Four left differ from the release by one: a new one is not allowed yet.
    assert "differ from the release of" in html and "by 1; a new release needs" in html
    assert "Release the figures of 2024" not in html


def test_other_networks_and_people_without_the_role_get_404(
    client: Client, net: Net, sign_in: Callable[..., httpx.Response]
) -> None:
    sign_in(client, net.email("coordinator"))
    other = f"/staff/networks/{net.net_2}/dashboard"
    assert client.get(other).status_code == 404
    assert client.get(other + "/distribution?year=2024&methodology=testq").status_code == 404
    # Coordinators never open a cycle's own pages, sharing included.
    assert client.get(f"/staff/cycles/{net.cycles['Org A']}/sharing").status_code == 404
    client.cookies.clear()
    sign_in(client, net.email("head"))
    assert client.get(_dashboard(net)).status_code == 404


def test_a_head_shares_and_withdraws_and_it_is_logged(
    client: Client,
    net: Net,
    database: Database,
    sign_in: Callable[..., httpx.Response],
    form_post: Callable[..., httpx.Response],
) -> None:
    path = f"/staff/cycles/{net.cycles['Org B']}/sharing"
    sign_in(client, net.email("head_b"))
    page = client.get(path + "?lang=en")
    assert page.status_code == 200 and "Network 2" in page.text and "Not shared" in page.text
    missing = form_post(client, path, {"network_id": str(net.net_2), "action": "share"})
    assert missing.status_code == 422
    assert "Choose whether the network may see your organisation" in missing.text
    wrong_net = form_post(
        client, path, {"network_id": str(net.net_1), "action": "share", "named": "yes"}
    )
    assert wrong_net.status_code == 422
    assert form_post(client, path, {"network_id": "x", "named": "yes"}).status_code == 422
    done = form_post(client, path, {"network_id": str(net.net_2), "action": "share", "named": "no"})
    assert done.status_code == 303
    assert "is shared with the network" in client.get(done.headers["location"] + "&lang=en").text
    gone = form_post(client, path, {"network_id": str(net.net_2), "action": "withdraw"})
    assert gone.status_code == 303
    with database.session() as s:
        actions = s.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.network_id == net.net_2)
            .order_by(AuditEvent.id)
        ).all()
    assert actions[-2:] == ["cycle.shared", "cycle.share_withdrawn"]


def test_nobody_shares_another_organisations_cycle(
    client: Client,
    net: Net,
    sign_in: Callable[..., httpx.Response],
    form_post: Callable[..., httpx.Response],
) -> None:
    path = f"/staff/cycles/{net.cycles['Org A']}/sharing"
    for who in ("head_b", "staff"):
        client.cookies.clear()
        sign_in(client, net.email(who))
        assert client.get(path).status_code == 404
        posted = form_post(client, path, {"network_id": str(net.net_1), "action": "withdraw"})
        assert posted.status_code == 404
    client.cookies.clear()
    sign_in(client, net.email("head"))
    assert "Withdraw" in client.get(path + "?lang=en").text  # still shared


def test_an_open_cycle_cannot_be_shared(
    client: Client,
    net: Net,
    database: Database,
    sign_in: Callable[..., httpx.Response],
    form_post: Callable[..., httpx.Response],
) -> None:
    with database.session() as s:
        org = s.get_one(Organisation, net.world.org_a)
        open_id = create_cycle(s, org, 2025, read_snapshot(METHODOLOGIES, "testq")).id
        s.commit()
    sign_in(client, net.email("head"))
    path = f"/staff/cycles/{open_id}/sharing"
    assert "Only a closed cycle can be shared" in client.get(path + "?lang=en").text
    refused = form_post(
        client, path, {"network_id": str(net.net_1), "action": "share", "named": "yes"}
    )
    assert refused.status_code == 422
    assert "Close the cycle first" in refused.text


def test_a_head_sees_where_the_organisation_stands(
    client: Client, net: Net, sign_in: Callable[..., httpx.Response]
) -> None:
    sign_in(client, net.email("head"))
    page = client.get(f"/staff/organisations/{net.world.org_a}/networks?lang=en")
    assert page.status_code == 200
    row = re.search(r"2\. Results</th>(.*?)</tr>", page.text, re.S)
    assert row is not None
    assert "25.0" in row.group(1)
    assert "between Q1 and the median" in row.group(1)
    assert "2 of 5 from the lowest" in row.group(1)
    assert "Org C" not in page.text and "Org D" not in page.text  # no names of partners
    client.cookies.clear()
    sign_in(client, net.email("head_b"))
    assert client.get(f"/staff/organisations/{net.world.org_a}/networks").status_code == 404
    client.cookies.clear()
    sign_in(client, net.email("staff"))
    assert client.get(f"/staff/organisations/{net.world.org_a}/networks").status_code == 404
