"""The organisation group's consensus workflow: members' own scores give the spread,
only the consensus record is counted and scored (METHODOLOGY.md §3)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from qms.store import consensus
from qms.store.counts import read_counts, recompute_counts
from qms.store.cycles import close_cycle, create_cycle
from qms.store.errors import Conflict, StoreError
from qms.store.models import AuditEvent, Cycle
from qms.store.orgs import create_organisation
from qms.store.scores import cycle_scores, live_scores
from qms.store.snapshots import read_snapshot

QUESTIONNAIRES = Path(__file__).resolve().parents[2] / "questionnaires"


@pytest.fixture
def org_cycle(session: Session) -> Cycle:
    org = create_organisation(session, "Org A")
    made = create_cycle(session, org, 2026, read_snapshot(QUESTIONNAIRES, "socquality"))
    session.commit()
    return made


def _org_counts(session: Session, cycle: Cycle) -> dict[tuple[str, str, str], int]:
    return {k: v for k, v in read_counts(session, cycle.id).items() if k[0] == "organisation"}


def test_two_entries_give_the_spread_and_count_nothing(session: Session, org_cycle: Cycle) -> None:
    consensus.save_my_entry(session, org_cycle, 1, {"org.mission": 40, "org.leaders": 60})
    consensus.save_my_entry(session, org_cycle, 2, {"org.mission": 70, "org.leaders": 70})
    session.commit()
    assert consensus.my_answers(session, org_cycle, 1) == {"org.mission": 40, "org.leaders": 60}
    entry = consensus.my_entry(session, org_cycle, 2)
    assert entry is not None and entry.respondent == "assessor:2"

    spread = consensus.spread(session, org_cycle)
    assert spread["org.mission"] == consensus.ItemSpread(2, 40, 55.0, 70, True)
    assert spread["org.leaders"] == consensus.ItemSpread(2, 60, 65.0, 70, False)
    assert "org.needs" not in spread
    # Members' entries are stored but never counted.
    assert _org_counts(session, org_cycle) == {}

    # Saving again replaces the entry rather than adding one.
    consensus.save_my_entry(session, org_cycle, 1, {"org.mission": 50})
    session.commit()
    spread = consensus.spread(session, org_cycle)
    assert spread["org.mission"] == consensus.ItemSpread(2, 50, 60.0, 70, False)
    assert spread["org.leaders"].n == 1


def test_the_consensus_alone_is_counted_and_scored(session: Session, org_cycle: Cycle) -> None:
    consensus.save_my_entry(session, org_cycle, 1, {"org.mission": 10})
    consensus.save_my_entry(session, org_cycle, 2, {"org.mission": 90})
    consensus.save_consensus(
        session,
        org_cycle,
        {"org.mission": 60},
        actor_id=None,
        notes={"org.mission": consensus.Notes("minutes of 3 May", "values known", "")},
    )
    session.commit()
    counts = _org_counts(session, org_cycle)
    assert counts[("organisation", "org.mission", "60")] == 1
    assert ("organisation", "org.mission", "10") not in counts
    assert ("organisation", "org.mission", "90") not in counts
    assert counts == {
        k: v for k, v in recompute_counts(session, org_cycle.id).items() if k[0] == "organisation"
    }
    stats = live_scores(session, org_cycle).item("organisation", "org.mission")
    assert stats is not None and stats.n == 1 and stats.mean == 60
    # Nothing is released before a close: the results pages show no figure yet.
    released = cycle_scores(session, org_cycle).item("organisation", "org.mission")
    assert released is not None and released.n == 0

    # Changing the consensus moves the count; the members' entries stay out of it.
    consensus.save_consensus(session, org_cycle, {"org.mission": 70}, actor_id=None)
    session.commit()
    counts = _org_counts(session, org_cycle)
    assert counts.get(("organisation", "org.mission", "60"), 0) == 0
    assert counts[("organisation", "org.mission", "70")] == 1
    stats = live_scores(session, org_cycle).item("organisation", "org.mission")
    assert stats is not None and stats.n == 1 and stats.mean == 70
    assert consensus.consensus_notes(session, org_cycle)["org.mission"].evidence == (
        "minutes of 3 May"
    )
    events = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "consensus.changed")
    ).all()
    assert len(events) == 2
    close_cycle(session, org_cycle)
    session.commit()
    released = cycle_scores(session, org_cycle).item("organisation", "org.mission")
    assert released is not None and released.n == 1 and released.mean == 70


def test_the_consensus_keeps_its_other_answers(session: Session, org_cycle: Cycle) -> None:
    consensus.save_consensus(session, org_cycle, {"org.mission": 60}, actor_id=None)
    record = consensus.consensus_record(session, org_cycle)
    assert record is not None and record.status == "submitted"
    from qms.store.responses import replace_answers

    replace_answers(session, record, {"org.mission": 60, "org.clients_served": 120})
    consensus.save_consensus(session, org_cycle, {"org.leaders": 30}, actor_id=None)
    session.commit()
    assert consensus.consensus_answers(session, org_cycle) == {
        "org.leaders": 30,
        "org.clients_served": 120.0,
    }


def test_notes_are_kept_per_item_and_emptied_away(session: Session, org_cycle: Cycle) -> None:
    consensus.save_consensus(
        session,
        org_cycle,
        {},
        actor_id=None,
        notes={"org.mission": consensus.Notes(strengths="s"), "org.leaders": consensus.Notes()},
    )
    session.commit()
    assert set(consensus.consensus_notes(session, org_cycle)) == {"org.mission"}
    consensus.save_consensus(
        session, org_cycle, {}, actor_id=None, notes={"org.mission": consensus.Notes()}
    )
    session.commit()
    assert consensus.consensus_notes(session, org_cycle) == {}


def test_wrong_items_and_closed_cycles_are_refused(session: Session, org_cycle: Cycle) -> None:
    with pytest.raises(StoreError):
        consensus.save_consensus(session, org_cycle, {"org.summary": "x"}, actor_id=None)
    with pytest.raises(StoreError):
        consensus.save_my_entry(session, org_cycle, 1, {"org.mission": 55})
    session.rollback()
    close_cycle(session, org_cycle)
    session.commit()
    with pytest.raises(Conflict):
        consensus.save_my_entry(session, org_cycle, 1, {"org.mission": 50})
    with pytest.raises(Conflict):
        consensus.save_consensus(session, org_cycle, {"org.mission": 50}, actor_id=None)
