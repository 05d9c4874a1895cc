"""Cycles keep the methodology they were created with; queries over their responses."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from qms.store import snapshots
from qms.store.cycles import (
    close_cycle,
    create_cycle,
    cycle_info,
    get_cycle,
    organisation_cycles,
)
from qms.store.db import Database
from qms.store.errors import Conflict, NotFound, StoreError
from qms.store.models import Cycle
from qms.store.orgs import create_network, create_organisation, get_organisation
from qms.store.releases import released_rows
from qms.store.responses import create_response, response_totals, set_answer
from qms.store.snapshots import Snapshot, cycle_methodology, read_snapshot

METHODOLOGIES = Path(__file__).resolve().parents[1] / "fixtures" / "methodologies"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A copy of the test methodology that a test may edit."""
    shutil.copytree(METHODOLOGIES / "testq", tmp_path / "testq")
    return tmp_path


def test_a_cycle_keeps_its_methodology_when_the_files_change(db: Database, folder: Path) -> None:
    with db.session() as session:
        org = create_organisation(session, "Saulīte")
        cycle_id = create_cycle(session, org, 2025, read_snapshot(folder, "testq")).id
        session.commit()
    staff = folder / "testq" / "staff.yaml"
    staff.write_text(
        staff.read_text(encoding="utf-8").replace("I know the goals", "Changed"), encoding="utf-8"
    )
    meta = folder / "testq" / "methodology.yaml"
    meta.write_text(meta.read_text(encoding="utf-8").replace('"1.0"', '"2.0"'), encoding="utf-8")
    assert read_snapshot(folder, "testq").methodology.version == "2.0"
    snapshots._cache.clear()  # as in a fresh process: only the database knows the old files
    with db.session() as session:
        cycle = get_cycle(session, cycle_id)
        methodology = cycle_methodology(cycle)
        assert methodology.version == "1.0"
        assert methodology.item("staff.goals").text.get("en") == "I know the goals"
        assert cycle_info(session, cycle_id).version == "1.0"


def test_option_values_that_clash_with_count_keys_are_refused(folder: Path) -> None:
    staff = folder / "testq" / "staff.yaml"
    staff.write_text(
        staff.read_text(encoding="utf-8").replace("value: other", "value: shown"), encoding="utf-8"
    )
    with pytest.raises(StoreError, match=r"item staff\.role has the option value 'shown'"):
        read_snapshot(folder, "testq")


def test_unknown_methodologies_and_ids_that_are_paths(folder: Path) -> None:
    with pytest.raises(NotFound, match=r"no methodology 'nope' .*\(available: testq\)"):
        read_snapshot(folder, "nope")
    with pytest.raises(NotFound):
        read_snapshot(folder / "testq", "..")


def test_one_cycle_per_organisation_year_and_methodology(
    session: Session, snapshot: Snapshot
) -> None:
    create_network(session, "Zemgale")
    org = create_organisation(session, "Saulīte", ["Zemgale"])
    first = create_cycle(session, org, 2024, snapshot)
    create_cycle(session, org, 2025, snapshot)
    with pytest.raises(Conflict, match="already has a 2025 cycle of methodology testq"):
        create_cycle(session, org, 2025, snapshot)
    session.commit()
    other = create_organisation(session, "Rasa")
    create_cycle(session, other, 2025, snapshot)  # another organisation: fine
    session.commit()
    listed = organisation_cycles(session, get_organisation(session, "Saulīte").id)
    assert [(c.year, c.status, c.organisation) for c in listed] == [
        (2024, "open", "Saulīte"),
        (2025, "open", "Saulīte"),
    ]
    close_cycle(session, first)
    session.commit()
    assert cycle_info(session, first.id).status == "closed"
    assert session.get_one(Cycle, first.id).closed_at is not None
    with pytest.raises(NotFound):
        get_cycle(session, 12345)


def test_released_rows_are_the_counted_answers_without_keys(session: Session, cycle: Cycle) -> None:
    create_response(
        session,
        cycle,
        group="staff",
        respondent="s1",
        source="paper",
        submitted=True,
        answers={"staff.goals": 7, "staff.pressure": "dk"},
    )
    create_response(
        session,
        cycle,
        group="staff",
        respondent="s2",
        source="paper",
        submitted=True,
        answers={"staff.role": "carer", "staff.goals": 2},
    )
    unfinished = create_response(session, cycle, group="staff")
    set_answer(session, unfinished, "staff.goals", 4)
    create_response(
        session,
        cycle,
        group="organisation",
        respondent="consensus",
        source="paper",
        submitted=True,
        answers={"org.direction": 50},
    )
    create_response(
        session,
        cycle,
        group="organisation",
        respondent="assessor:anna",
        source="paper",
        submitted=True,
        answers={"org.direction": 100},
    )
    session.commit()
    assert released_rows(session, cycle, "staff") == []  # nothing before a close
    totals_before = response_totals(session, cycle.id)
    close_cycle(session, cycle)
    session.commit()
    staff = sorted(sorted(r.answers.items()) for r in released_rows(session, cycle, "staff"))
    assert staff == sorted(
        [
            [("staff.goals", 7), ("staff.pressure", "dk")],
            [("staff.goals", 2), ("staff.role", "carer")],
            [("staff.goals", 4)],  # unfinished with an answer counts at the close
        ]
    )
    assert [r.answers for r in released_rows(session, cycle, "organisation")] == [
        {"org.direction": 50}
    ]
    assert totals_before == {
        "staff": {"submitted": 2, "in_progress": 1},
        "organisation": {"submitted": 2},
    }
