"""Network releases (§5.5): what a release freezes, when a new one is allowed, reporting
dates, withdrawals and consent read live, and two networks one organisation apart."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from qms.store import aggregates, network_releases, report_dates, sharing
from qms.store.aggregates import Scope
from qms.store.cycles import close_cycle, create_cycle, reopen_cycle
from qms.store.errors import Conflict
from qms.store.models import AuditEvent, Cycle, Organisation
from qms.store.orgs import create_network, create_organisation
from qms.store.responses import create_response, get_response, replace_answers
from qms.store.snapshots import Snapshot


def _shared(
    session: Session,
    snapshot: Snapshot,
    org: Organisation,
    network_id: int,
    value: int,
    *,
    year: int = 2025,
    named: bool = False,
) -> Cycle:
    cycle = create_cycle(session, org, year, snapshot)
    create_response(
        session,
        cycle,
        group="organisation",
        respondent="consensus",
        source="paper",
        submitted=True,
        answers={"org.results": value},
    )
    close_cycle(session, cycle)
    sharing.share_cycle(session, cycle, network_id, named=named, actor_id=None)
    return cycle


def _network(
    session: Session,
    snapshot: Snapshot,
    values: list[int],
    name: str = "Zemgale",
    named: frozenset[int] = frozenset(),
) -> tuple[int, list[Organisation], list[Cycle]]:
    net = create_network(session, name)
    orgs = [create_organisation(session, f"{name} {i}", [name]) for i in range(len(values))]
    cycles = [
        _shared(session, snapshot, o, net.id, v, named=i in named)
        for i, (o, v) in enumerate(zip(orgs, values, strict=True))
    ]
    session.commit()
    return net.id, orgs, cycles


def _median(session: Session, net_id: int, scope: Scope) -> tuple[str, float | None]:
    stat = aggregates.network_aggregates(session, net_id, 2025, "testq", scope).stat("2", None)
    return stat.reason, stat.median


def test_a_release_freezes_the_scores_and_is_audited(session: Session, snapshot: Snapshot) -> None:
    net_id, _, cycles = _network(session, snapshot, [0, 50, 100])
    scope = Scope(frozenset(), frozenset({net_id}))
    assert _median(session, net_id, scope) == ("unreleased", None)
    made = network_releases.release_year(session, net_id, 2025, "testq", actor_id=None)
    session.commit()
    assert (made.seq, made.n_orgs) == (1, 3)
    assert _median(session, net_id, scope) == ("shown", 50.0)
    # A reopened and re-closed cycle with another score does not change the release.
    reopen_cycle(session, cycles[1])
    replace_answers(session, get_response(session, cycles[1].id, "consensus"), {"org.results": 0})
    close_cycle(session, cycles[1])
    session.commit()
    assert _median(session, net_id, scope) == ("shown", 50.0)
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "network.released")).one()
    assert event.network_id == net_id
    assert event.detail == {"year": 2025, "methodology": "testq", "seq": 1, "organisations": 3}


def test_a_new_release_needs_three_organisations_of_difference(
    session: Session, snapshot: Snapshot
) -> None:
    net_id, _, _ = _network(session, snapshot, [0, 25, 50, 75])
    first = network_releases.release_year(session, net_id, 2025, "testq", actor_id=None)
    with pytest.raises(
        network_releases.ReleaseRefused,
        match=f"differ from the release of {first.made_at.date()} by 0",
    ):
        network_releases.release_year(session, net_id, 2025, "testq", actor_id=None)
    extra = [create_organisation(session, f"Extra {i}", ["Zemgale"]) for i in range(3)]
    _shared(session, snapshot, extra[0], net_id, 100)
    session.commit()
    with pytest.raises(network_releases.ReleaseRefused, match="by 1; a new release needs"):
        network_releases.release_year(session, net_id, 2025, "testq", actor_id=None)
    state = network_releases.release_state(session, net_id, 2025, "testq")
    assert (state.allowed, state.differs_by, state.sharing_now) == (False, 1, 5)
    for org in extra[1:]:
        _shared(session, snapshot, org, net_id, 100)
    session.commit()
    second = network_releases.release_year(session, net_id, 2025, "testq", actor_id=None)
    assert (second.seq, second.n_orgs) == (2, 7)
    scope = Scope(frozenset(), frozenset({net_id}))
    assert _median(session, net_id, scope) == ("shown", 75.0)


def test_a_first_release_of_two_shows_only_the_count(session: Session, snapshot: Snapshot) -> None:
    net_id, _, _ = _network(session, snapshot, [0, 25])
    network_releases.release_year(session, net_id, 2025, "testq", actor_id=None)
    view = aggregates.network_aggregates(
        session, net_id, 2025, "testq", Scope(frozenset(), frozenset({net_id}))
    )
    stat = view.stat("2", None)
    assert (view.n_orgs, stat.n_orgs, stat.reason, stat.median) == (2, 2, "few", None)


def test_nothing_to_release(session: Session, snapshot: Snapshot) -> None:
    net = create_network(session, "Empty")
    with pytest.raises(Conflict, match="no organisation shares"):
        network_releases.release_year(session, net.id, 2025, "testq", actor_id=None)


def test_naming_is_read_live_remembered_and_a_withdrawal_hides_until_a_new_release(
    session: Session, snapshot: Snapshot
) -> None:
    net_id, _, cycles = _network(
        session, snapshot, [0, 25, 25, 50, 75, 100], named=frozenset({0, 1, 2})
    )
    network_releases.release_year(session, net_id, 2025, "testq", actor_id=None)
    session.commit()
    scope = Scope(frozenset(), frozenset({net_id}))
    view = aggregates.network_aggregates(session, net_id, 2025, "testq", scope)
    assert [n.name for n in view.stat("2", None).named] == ["Zemgale 0", "Zemgale 1", "Zemgale 2"]
    # Org 3 agrees to be named after the release: now four of six are named, two left.
    sharing.share_cycle(session, cycles[3], net_id, named=True, actor_id=None)
    session.commit()
    assert _median(session, net_id, scope) == ("identifiable", None)
    # Orgs 0 and 3 withdraw their naming consent: un-named at once, but their scores
    # may have been read while they were named, so two unknown are still left.
    sharing.share_cycle(session, cycles[0], net_id, named=False, actor_id=None)
    sharing.share_cycle(session, cycles[3], net_id, named=False, actor_id=None)
    session.commit()
    view = aggregates.network_aggregates(session, net_id, 2025, "testq", scope)
    assert [r.name for r in view.named] == ["Zemgale 1", "Zemgale 2"]
    assert _median(session, net_id, scope) == ("identifiable", None)
    # A withdrawn share hides the year at once.
    sharing.withdraw_share(session, cycles[5], net_id, actor_id=None)
    session.commit()
    assert _median(session, net_id, scope) == ("withdrawn", None)
    assert not network_releases.release_state(session, net_id, 2025, "testq").allowed
    extra = [create_organisation(session, f"Late {i}", ["Zemgale"]) for i in range(2)]
    for org in extra:
        _shared(session, snapshot, org, net_id, 100)
    session.commit()
    # {0..4} + 2 new differs from {0..5} by 3: allowed, and the figures return.
    network_releases.release_year(session, net_id, 2025, "testq", actor_id=None)
    assert _median(session, net_id, scope) == ("shown", 50.0)


def test_a_reporting_date_releases_on_the_first_request_after_it(
    session: Session, snapshot: Snapshot
) -> None:
    net_id, _, _ = _network(session, snapshot, [0, 25, 50])
    today = date(2026, 3, 1)
    assert report_dates.set_report_date(session, net_id, 2025, "testq", today, actor_id=None)
    assert not report_dates.set_report_date(session, net_id, 2025, "testq", today, actor_id=None)
    assert report_dates.release_due(session, [net_id], today - timedelta(days=1)) == []
    [made] = report_dates.release_due(session, [net_id], today)
    assert made.seq == 1
    # Released on or after the date: nothing more to do on later requests.
    assert report_dates.release_due(session, [net_id], today + timedelta(days=3)) == []
    state = network_releases.release_state(session, net_id, 2025, "testq")
    assert state.report_on == today and state.current is not None
    assert report_dates.set_report_date(session, net_id, 2025, "testq", None, actor_id=None)
    assert report_dates.report_date(session, net_id, 2025, "testq") is None


def test_two_networks_one_organisation_apart_show_only_the_earlier(
    session: Session, snapshot: Snapshot
) -> None:
    small_id, orgs, cycles = _network(session, snapshot, [0, 25, 50, 75], name="Small")
    large = create_network(session, "Large")
    from qms.store import directory

    for org in orgs:
        directory.add_member(session, large.id, org.id, actor_id=None)
    for cycle in cycles:
        sharing.share_cycle(session, cycle, large.id, named=False, actor_id=None)
    fifth = create_organisation(session, "Fifth", ["Large"])
    _shared(session, snapshot, fifth, large.id, 100)
    session.commit()
    network_releases.release_year(session, small_id, 2025, "testq", actor_id=None)
    network_releases.release_year(session, large.id, 2025, "testq", actor_id=None)
    session.commit()
    both = Scope(frozenset(), frozenset({small_id, large.id}))
    assert _median(session, small_id, both) == ("shown", 37.5)
    assert _median(session, large.id, both) == ("differs", None)
    # A coordinator of the large network only sees its figures.
    only_large = Scope(frozenset(), frozenset({large.id}))
    assert _median(session, large.id, only_large) == ("shown", 50.0)
    trend = aggregates.network_trend(session, large.id, "testq", both)
    assert trend[0].stat("2", None).reason == "differs"
