"""Held names in the store and on the pages, on both engines: a consent given after two
networks' figures were seen waits until it can no longer reveal another organisation's
score, in consent order, and a name once effective stays identified."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from qms.app import create_app
from qms.settings import Settings
from qms.store import aggregates, directory, naming, network_releases, sharing, users
from qms.store.cycles import close_cycle, create_cycle
from qms.store.db import Database
from qms.store.migrate import downgrade, upgrade
from qms.store.models import Cycle, NetworkShare, Organisation
from qms.store.responses import create_response
from qms.store.snapshots import read_snapshot
from tests.factories import PASSWORD, sign_in

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "methodologies"
YEAR, METHODOLOGY = 2024, "testq"
HELD_EN = "Your name will appear with the network"
HELD_LV = "Jūsu organizācijas nosaukums parādīsies līdzās tīkla skaitļiem"


@dataclass
class Networks:
    orgs: dict[str, int]
    cycles: dict[str, int]
    nets: dict[str, int]


def _world(database: Database, members: dict[str, list[str]]) -> Networks:
    """Organisations (each with a closed 2024 cycle) in networks, every one sharing
    unnamed, every network released; a coordinator of all of them and a head of A."""
    snapshot = read_snapshot(FIXTURES, METHODOLOGY)
    orgs: dict[str, int] = {}
    cycles: dict[str, int] = {}
    nets: dict[str, int] = {}
    with database.session() as s:
        for net, names in members.items():
            nets[net] = directory.create_network(s, net, actor_id=None)
            for name in names:
                if name not in orgs:
                    orgs[name] = directory.create_organisation(s, f"Org {name}", actor_id=None)
                    cycle = create_cycle(s, s.get_one(Organisation, orgs[name]), YEAR, snapshot)
                    create_response(
                        s,
                        cycle,
                        group="organisation",
                        respondent="consensus",
                        source="paper",
                        submitted=True,
                        answers={"org.results": 25 * (len(orgs) % 5)},
                    )
                    close_cycle(s, cycle)
                    cycles[name] = cycle.id
                directory.add_member(s, nets[net], orgs[name], actor_id=None)
        for net, names in members.items():
            for name in names:
                _share(s, cycles[name], nets[net], named=False)
            network_releases.release_year(s, nets[net], YEAR, METHODOLOGY, actor_id=None)
        coordinator = users.create_user(s, "coordinator@example.org", PASSWORD, actor_id=None)
        for net_id in nets.values():
            users.add_role(s, coordinator, "coordinator", network_id=net_id, actor_id=None)
        head = users.create_user(s, "head@example.org", PASSWORD, actor_id=None)
        users.add_role(s, head, "head", organisation_id=orgs["A"], actor_id=None)
        s.commit()
    return Networks(orgs, cycles, nets)


def _share(s: Session, cycle_id: int, network_id: int, *, named: bool) -> None:
    sharing.share_cycle(s, s.get_one(Cycle, cycle_id), network_id, named=named, actor_id=None)


def _consent(database: Database, w: Networks, org: str, net: str, named: bool = True) -> None:
    with database.session() as s:
        _share(s, w.cycles[org], w.nets[net], named=named)
        s.commit()


def _named(database: Database, w: Networks) -> dict[str, set[str]]:
    """What the coordinator of every network sees named, per network."""
    by_id = {v: k for k, v in w.orgs.items()}
    scope = aggregates.Scope(frozenset(), frozenset(w.nets.values()))
    with database.session() as s:
        return {
            net: {
                by_id[o.id]
                for o in aggregates.network_aggregates(s, net_id, YEAR, METHODOLOGY, scope).named
            }
            for net, net_id in w.nets.items()
        }


def _held(database: Database, w: Networks) -> set[tuple[str, str]]:
    orgs = {v: k for k, v in w.orgs.items()}
    nets = {v: k for k, v in w.nets.items()}
    with database.session() as s:
        return {(nets[n], orgs[o]) for n, o in naming.held_in(s, YEAR, METHODOLOGY)}


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    yield database
    database.dispose()


def test_a_late_name_is_held_until_the_difference_is_of_named_organisations(
    db: Database, database_url: str
) -> None:
    w = _world(db, {"N1": ["A", "B", "C", "D", "E"], "N2": ["C", "D", "E", "F"]})
    app = create_app(Settings(database_url=database_url, secret_key="test-secret-key-0123456789"))
    with TestClient(app=app, base_url="http://127.0.0.1") as client:
        sign_in(client, "head@example.org")
        sharing_page = f"/staff/cycles/{w.cycles['A']}/sharing"
        assert HELD_EN not in client.get(sharing_page + "?lang=en").text

        _consent(db, w, "A", "N1")
        assert _held(db, w) == {("N1", "A")}
        assert _named(db, w) == {"N1": set(), "N2": set()}
        assert HELD_EN in client.get(sharing_page + "?lang=en").text
        assert HELD_LV in client.get(sharing_page + "?lang=lv").text
        position = client.get(f"/staff/organisations/{w.orgs['A']}/networks?lang=en").text
        assert HELD_EN in position and "is named in this network" not in position

        _consent(db, w, "B", "N1")
        assert _held(db, w) == {("N1", "A"), ("N1", "B")}
        _consent(db, w, "F", "N2")
        assert _held(db, w) == set()
        assert _named(db, w) == {"N1": {"A", "B"}, "N2": {"F"}}
        assert HELD_EN not in client.get(sharing_page + "?lang=en").text

    # Withdrawn, the name is no longer shown but stays identified; given again, it shows
    # at once.
    _consent(db, w, "A", "N1", named=False)
    assert _named(db, w)["N1"] == {"B"}
    with db.session() as s:
        seen = naming.names_seen(s, [w.nets["N1"]], YEAR, METHODOLOGY)
    assert w.orgs["A"] in seen
    _consent(db, w, "A", "N1")
    assert _named(db, w)["N1"] == {"A", "B"}


def test_the_coordinator_is_told_how_many_names_wait(db: Database, database_url: str) -> None:
    w = _world(db, {"N1": ["A", "B", "C", "D", "E"], "N2": ["C", "D", "E", "F"]})
    _consent(db, w, "A", "N1")
    app = create_app(Settings(database_url=database_url, secret_key="test-secret-key-0123456789"))
    with TestClient(app=app, base_url="http://127.0.0.1") as client:
        sign_in(client, "coordinator@example.org")
        page = client.get(
            f"/staff/networks/{w.nets['N1']}/dashboard?lang=en&year={YEAR}&methodology={METHODOLOGY}"
        ).text
        # The API names no one either, until B and F consent too.
        query = f"year={YEAR}&methodology={METHODOLOGY}"
        api = f"/api/v1/networks/{w.nets['N1']}/aggregates?{query}"
        assert client.get(api).json()["named_organisations"] == []
        _consent(db, w, "B", "N1")
        _consent(db, w, "F", "N2")
        named = client.get(api).json()["named_organisations"]
        assert sorted(o["name"] for o in named) == ["Org A", "Org B"]
    assert "consented to be named but are not named yet: 1." in page


def test_of_two_names_that_cannot_both_take_effect_the_first_consent_does(db: Database) -> None:
    """One release of five, and a head of A: for the head one name leaves three unknown
    (of B-E), two would leave two."""
    w = _world(db, {"N1": ["A", "B", "C", "D", "E"]})
    _consent(db, w, "D", "N1")
    _consent(db, w, "C", "N1")
    assert _named(db, w) == {"N1": {"D"}}
    assert _held(db, w) == {("N1", "C")}
    # D withdraws its consent: it stays identified, so C's name would still leave two.
    _consent(db, w, "D", "N1", named=False)
    assert _named(db, w) == {"N1": set()}
    assert _held(db, w) == {("N1", "C")}
    _consent(db, w, "E", "N1")
    _consent(db, w, "B", "N1")
    assert _held(db, w) == {("N1", "B"), ("N1", "C"), ("N1", "E")}
    # A's name is nothing new to its head and leaves the coordinator three; then B, C
    # and E together leave no one unknown to either.
    _consent(db, w, "A", "N1")
    assert _held(db, w) == set()
    assert _named(db, w) == {"N1": {"A", "B", "C", "E"}}


def test_a_name_in_a_network_without_a_release_identifies_all_the_same(db: Database) -> None:
    w = _world(db, {"N1": ["A", "B", "C"]})
    with db.session() as s:
        network = directory.create_network(s, "N3", actor_id=None)
        directory.add_member(s, network, w.orgs["A"], actor_id=None)
        account = users.account_by_email(s, "coordinator@example.org")
        assert account is not None
        coordinator = account.id
        users.add_role(s, coordinator, "coordinator", network_id=network, actor_id=None)
        s.commit()
    w.nets["N3"] = network
    _consent(db, w, "A", "N3")
    # No release of N3, but the coordinator of N1 and N3 identifies A all the same: A
    # would leave two of N1's three unknown, so its name waits.
    assert _held(db, w) == {("N3", "A")}


def _named_at(url: str) -> list[tuple[bool, bool]]:
    database = Database(url)
    try:
        with database.session() as s:
            rows = s.execute(
                select(NetworkShare.named, NetworkShare.named_at).order_by(NetworkShare.id)
            )
            return [(bool(n), at is not None) for n, at in rows]
    finally:
        database.dispose()


def _roundtrip(url: str) -> None:
    database = Database(url)
    w = _world(database, {"N1": ["A", "B", "C"]})
    _consent(database, w, "A", "N1")
    database.dispose()
    assert _named_at(url) == [(True, True), (False, False), (False, False)]
    downgrade(url, "0012")
    database = Database(url)
    with database.session() as s:
        kept = s.execute(text("SELECT named FROM network_shares ORDER BY id")).scalars().all()
    database.dispose()
    assert [bool(n) for n in kept] == [True, False, False]
    upgrade(url)
    assert _named_at(url) == [(True, True), (False, False), (False, False)]


def test_the_consent_order_survives_a_downgrade_and_upgrade_on_sqlite(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'named_at.db'}"
    upgrade(url)
    _roundtrip(url)


@pytest.mark.postgres
def test_the_consent_order_survives_a_downgrade_and_upgrade_on_postgresql(
    postgres_templates: Any,
) -> None:
    name = postgres_templates.new()
    try:
        _roundtrip(postgres_templates.url(name))
    finally:
        postgres_templates.drop(name)
