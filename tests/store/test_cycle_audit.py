"""Cycle life and imports leave a trace in the organisation's audit log."""

from __future__ import annotations

from pathlib import Path

from qms.imports.csvfile import Row
from qms.imports.validate import validate_rows
from qms.store.audit import list_events
from qms.store.codes import create_codes
from qms.store.cycles import close_cycle, create_cycle, reopen_cycle
from qms.store.db import Database
from qms.store.importing import import_responses
from qms.store.orgs import create_organisation
from qms.store.snapshots import read_snapshot

QUESTIONNAIRES = Path(__file__).resolve().parents[2] / "questionnaires"


def test_created_imported_closed_and_reopened_are_logged(database_url: str) -> None:
    database = Database(database_url)
    with database.session() as s:
        org = create_organisation(s, "Krīzes centrs")
        snapshot = read_snapshot(QUESTIONNAIRES, "socquality")
        cycle = create_cycle(s, org, 2026, snapshot, actor_id=None)
        parsed = validate_rows(
            snapshot.methodology,
            [Row(line=2, respondent="r1", group="staff", item="staff.goals", value="4")],
        )
        import_responses(s, cycle, parsed, label="paper.csv")
        close_cycle(s, cycle)
        reopen_cycle(s, cycle, reason="late paper forms")
        create_codes(s, cycle, "clients", 2)
        s.commit()
        events = list_events(s, organisation_id=org.id).events
    database.dispose()
    actions = [e.action for e in reversed(events) if e.action != "organisation.created"]
    assert actions == [
        "cycle.created",
        "responses.imported",
        "cycle.closed",
        "cycle.reopened",
        "codes.created",
    ]
    reopened = next(e for e in events if e.action == "cycle.reopened")
    assert reopened.detail["reason"] == "late paper forms"
    imported = next(e for e in events if e.action == "responses.imported")
    assert imported.detail["created"] == 1
