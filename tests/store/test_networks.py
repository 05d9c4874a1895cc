"""Sharing closed cycles with networks and the aggregates across partners (§3.11)."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from qms.store import aggregates, network_releases, position, sharing
from qms.store.aggregates import Scope
from qms.store.cycles import close_cycle, create_cycle, reopen_cycle
from qms.store.errors import Conflict, NotFound
from qms.store.models import AuditEvent, Cycle, Organisation
from qms.store.org_scores import score_rows, stored_rows
from qms.store.orgs import create_network, create_organisation
from qms.store.responses import create_response
from qms.store.scores import cycle_scores
from qms.store.snapshots import Snapshot


def _cycle(
    session: Session,
    snapshot: Snapshot,
    org: Organisation,
    year: int,
    results: int,
    *,
    close: bool = True,
) -> Cycle:
    """A cycle whose working group scored criterion 2 at `results` (its only answer)."""
    cycle = create_cycle(session, org, year, snapshot)
    create_response(
        session,
        cycle,
        group="organisation",
        respondent="consensus",
        source="paper",
        submitted=True,
        answers={"org.results": results},
    )
    if close:
        close_cycle(session, cycle)
    return cycle


def _coordinator(net_id: int) -> Scope:
    """A coordinator of the network with no organisation of their own."""
    return Scope(frozenset(), frozenset({net_id}))


def _orgs(session: Session, n: int, network: str = "Zemgale") -> list[Organisation]:
    create_network(session, network)
    return [create_organisation(session, f"Org {i}", [network]) for i in range(n)]


def test_org_scores_are_kept_on_close_and_equal_a_recomputation(
    session: Session, snapshot: Snapshot, random_answers: Callable[..., dict[str, Any]]
) -> None:
    org = create_organisation(session, "Saulīte")
    cycle = create_cycle(session, org, 2025, snapshot)
    rng = random.Random(7)
    m = snapshot.methodology
    for group, n in (("staff", 6), ("clients", 5)):
        for i in range(n):
            create_response(
                session,
                cycle,
                group=group,
                respondent=f"{group}{i}",
                source="import",
                submitted=True,
                answers=random_answers(m, group, rng),
            )
    create_response(
        session,
        cycle,
        group="organisation",
        respondent="consensus",
        source="paper",
        submitted=True,
        answers={"org.direction": 75, "org.workload": 50, "org.results": 25},
    )
    create_response(
        session,
        cycle,
        group="organisation",
        respondent="assessor:anna",
        source="paper",
        submitted=True,
        answers={"org.direction": 0},
    )
    session.commit()
    assert stored_rows(session, cycle.id) == []
    close_cycle(session, cycle)
    session.commit()
    expected = sorted(
        score_rows(cycle, cycle_scores(session, cycle)), key=lambda r: (r[0], r[1], r[2] or "")
    )
    assert stored_rows(session, cycle.id) == expected
    scores = cycle_scores(session, cycle)
    by_key = {(node, group): s for _, node, group, s in expected}
    assert by_key[("1", "staff")] == scores.score("1", "staff")
    assert by_key[("overall", None)] == scores.overall.composite
    assert len(expected) > 10
    reopen_cycle(session, cycle)
    session.commit()
    assert stored_rows(session, cycle.id) == []


def test_sharing_needs_a_closed_cycle_and_membership(session: Session, snapshot: Snapshot) -> None:
    (org,) = _orgs(session, 1)
    other_net = create_network(session, "Elsewhere")
    open_cycle = _cycle(session, snapshot, org, 2025, 50, close=False)
    net_id = org.networks[0].id
    with pytest.raises(Conflict, match="only a closed cycle"):
        sharing.share_cycle(session, open_cycle, net_id, named=True, actor_id=None)
    closed = _cycle(session, snapshot, org, 2024, 50)
    with pytest.raises(NotFound):
        sharing.share_cycle(session, closed, other_net.id, named=True, actor_id=None)
    assert sharing.share_cycle(session, closed, net_id, named=False, actor_id=None)
    assert not sharing.share_cycle(session, closed, net_id, named=False, actor_id=None)
    assert sharing.share_cycle(session, closed, net_id, named=True, actor_id=None)
    [state] = sharing.cycle_shares(session, closed)
    assert (state.network_id, state.shared, state.named) == (net_id, True, True)
    assert sharing.withdraw_share(session, closed, net_id, actor_id=None)
    assert not sharing.withdraw_share(session, closed, net_id, actor_id=None)
    session.commit()
    [state] = sharing.cycle_shares(session, closed)
    assert not state.shared
    actions = session.scalars(
        select(AuditEvent.action).where(AuditEvent.network_id == net_id).order_by(AuditEvent.id)
    ).all()
    assert actions[-3:] == ["cycle.shared", "cycle.share_changed", "cycle.share_withdrawn"]


def test_aggregates_count_only_shared_closed_member_cycles(
    session: Session, snapshot: Snapshot
) -> None:
    orgs = _orgs(session, 6)
    net_id = orgs[0].networks[0].id
    values = [0, 25, 50, 75, 100, 100]
    cycles = [_cycle(session, snapshot, o, 2024, v) for o, v in zip(orgs, values, strict=True)]
    # Shared: orgs 0-3 (org 1 named); org 4 never shares; org 5 shares, then reopens.
    for i in (0, 1, 2, 3, 5):
        sharing.share_cycle(session, cycles[i], net_id, named=i == 1, actor_id=None)
    reopen_cycle(session, cycles[5])
    # Another year and an unshared cycle of a shared organisation do not count either.
    _cycle(session, snapshot, orgs[4], 2023, 0)
    session.commit()
    scope = _coordinator(net_id)
    assert aggregates.network_years(session, net_id) == [(2024, "testq")]
    unreleased = aggregates.network_aggregates(session, net_id, 2024, "testq", scope)
    assert (unreleased.release, unreleased.stat("2", None).reason) == (None, "unreleased")
    network_releases.release_year(session, net_id, 2024, "testq", actor_id=None)
    session.commit()

    view = aggregates.network_aggregates(session, net_id, 2024, "testq", scope)
    assert view.n_orgs == 4
    stat = view.stat("2", None)
    assert (stat.n_orgs, stat.min, stat.q1, stat.median, stat.q3, stat.max) == (
        4,
        0.0,
        18.75,
        37.5,
        56.25,
        75.0,
    )
    assert stat.mean == pytest.approx(37.5)
    assert [(n.name, n.score, n.rank, n.of) for n in stat.named] == [("Org 1", 25.0, 2, 4)]
    assert [r.name for r in view.named] == ["Org 1"]
    assert view.stat("2", "organisation").median == 37.5
    assert view.stat("overall", None).n_orgs == 4
    assert view.stat("2", "staff").n_orgs == 0  # nobody answered as staff
    totals = {t.group: (t.n_orgs, t.responses) for t in view.responses}
    assert totals["organisation"] == (4, 4)
    assert [n.id for n in view.nodes] == ["1", "2", "overall"]

    # Withdrawing hides the year's figures at once; a new release of the two left
    # differs from the first by 2 only, so it is refused and the figures stay hidden.
    sharing.withdraw_share(session, cycles[0], net_id, actor_id=None)
    sharing.withdraw_share(session, cycles[2], net_id, actor_id=None)
    session.commit()
    hidden = aggregates.network_aggregates(session, net_id, 2024, "testq", scope)
    small = hidden.stat("2", None)
    assert (hidden.withdrawn, small.reason, small.median, small.mean, small.min, small.named) == (
        True,
        "withdrawn",
        None,
        None,
        None,
        (),
    )
    assert {t.group: t.responses for t in hidden.responses}["organisation"] is None
    with pytest.raises(network_releases.ReleaseRefused, match="by 2; a new release needs"):
        network_releases.release_year(session, net_id, 2024, "testq", actor_id=None)


def test_an_organisation_that_leaves_the_network_stops_counting(
    session: Session, snapshot: Snapshot
) -> None:
    from qms.store import directory

    orgs = _orgs(session, 3)
    net_id = orgs[0].networks[0].id
    for org in orgs:
        sharing.share_cycle(
            session, _cycle(session, snapshot, org, 2024, 50), net_id, named=True, actor_id=None
        )
    network_releases.release_year(session, net_id, 2024, "testq", actor_id=None)
    session.commit()
    scope = _coordinator(net_id)
    view = aggregates.network_aggregates(session, net_id, 2024, "testq", scope)
    assert (view.n_orgs, view.withdrawn, view.stat("2", None).reason) == (3, False, "shown")
    directory.remove_member(session, net_id, orgs[0].id, actor_id=None)
    session.commit()
    view = aggregates.network_aggregates(session, net_id, 2024, "testq", scope)
    assert (view.withdrawn, view.stat("2", None).reason, view.stat("2", None).median) == (
        True,
        "withdrawn",
        None,
    )
    state = network_releases.release_state(session, net_id, 2024, "testq")
    assert (state.sharing_now, state.allowed, state.differs_by) == (2, False, 1)


def test_trend_and_position(session: Session, snapshot: Snapshot) -> None:
    orgs = _orgs(session, 4)
    net_id = orgs[0].networks[0].id
    for year, base in ((2023, 0), (2024, 25)):
        for i, org in enumerate(orgs[:3]):
            cycle = _cycle(session, snapshot, org, year, min(100, base + 25 * i))
            sharing.share_cycle(session, cycle, net_id, named=False, actor_id=None)
    _cycle(session, snapshot, orgs[3], 2024, 100)  # closed, not shared
    session.commit()
    for year in (2023, 2024):
        network_releases.release_year(session, net_id, year, "testq", actor_id=None)
    session.commit()
    scope = _coordinator(net_id)
    trend = aggregates.network_trend(session, net_id, "testq", scope)
    assert [(t.year, t.n_orgs) for t in trend] == [(2023, 3), (2024, 3)]
    assert (trend[0].stat("2", None).median, trend[1].stat("2", None).median) == (25.0, 50.0)
    assert trend[1].stat("2", None).q1 == 37.5

    # A head of one of three: the other two are left once their own is taken out, so
    # no quartile, band or rank is shown to them.
    head = Scope(frozenset({orgs[0].id}), frozenset({net_id}))
    mine = position.organisation_position(session, orgs[0].id, net_id, 2024, "testq", head)
    assert mine is not None and mine.shared and mine.counted and not mine.named
    row = mine.row("2", None)
    assert row is not None
    assert (row.score, row.n_orgs, row.reason, row.q1, row.median, row.q3, row.band, row.rank) == (
        25.0,
        3,
        "identifiable",
        None,
        None,
        None,
        None,
        None,
    )
    # Not shared: compared with the three others, none of which it can identify.
    outsider_scope = Scope(frozenset({orgs[3].id}), frozenset({net_id}))
    outsider = position.organisation_position(
        session, orgs[3].id, net_id, 2024, "testq", outsider_scope
    )
    assert outsider is not None and not outsider.shared and not outsider.counted
    row = outsider.row("2", None)
    assert row is not None
    assert (row.score, row.band, row.n_orgs, row.rank, row.of, row.median) == (
        100.0,
        "above_q3",
        3,
        4,
        4,
        50.0,
    )
    assert position.organisation_position(session, orgs[0].id, net_id, 2022, "testq", head) is None


def test_migration_0007_matches_the_models(db: Any) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from qms.store.base import Base

    mine = {"network_shares", "org_scores", "org_response_totals"}
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diffs = compare_metadata(context, Base.metadata)

    def table_of(diff: Any) -> str:
        kind, *rest = diff[0] if isinstance(diff, list) else diff
        if kind in ("add_table", "remove_table"):
            return str(rest[0].name)
        if kind in ("add_column", "remove_column") or kind.startswith("modify_"):
            return str(rest[1])
        table = getattr(rest[0], "table", None)
        return str((table if table is not None else rest[0].parent).name)

    assert [d for d in diffs if table_of(d) in mine] == []
