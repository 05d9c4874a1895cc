"""`qms db repair [--cycle ID] [--check]`: drift planted in the derived tables is found,
named and rebuilt, and the releases (what was published) stay exactly as they were."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import text

from qms.store.db import Database

Qms = Callable[..., Any]

ANSWERS = """respondent,group,item,value
s1,staff,staff.role,carer
s1,staff,staff.goals,7
s1,staff,staff.pressure,2
s2,staff,staff.role,nurse
s2,staff,staff.goals,4
s2,staff,staff.night,4
s3,staff,staff.role,nurse
s3,staff,staff.goals,2
s3,staff,staff.night,7
c1,clients,clients.respect,3
c1,clients,clients.outcome,2
c2,clients,clients.respect,2
c2,clients,clients.outcome,3
"""


def _releases(database: Database) -> list[tuple[Any, ...]]:
    with database.engine.connect() as conn:
        releases = conn.execute(
            text("SELECT id, group_id, seq, respondents, counts FROM releases ORDER BY id")
        ).all()
        rows = conn.execute(
            text(
                "SELECT release_id, unit, fingerprint, answers FROM release_responses"
                " ORDER BY release_id, unit"
            )
        ).all()
    return [tuple(r) for r in releases] + [tuple(r) for r in rows]


def test_check_finds_planted_drift_and_repair_rebuilds_it(
    qms: Qms, new_cycle: Callable[..., int], database_url: str, tmp_path: Path
) -> None:
    cycle_id = new_cycle(qms)
    answers = tmp_path / "answers.csv"
    answers.write_text(ANSWERS, encoding="utf-8")
    assert qms("responses", "import", "--cycle", str(cycle_id), str(answers)).code == 0
    assert qms("cycle", "close", "--cycle", str(cycle_id)).code == 0
    other = new_cycle(qms, year=2026)  # open, no answers: stays clean throughout
    clean = qms("db", "repair", "--check")
    assert (clean.code, clean.out) == (0, ""), clean.err
    scores = qms("scores", "--cycle", str(cycle_id)).out

    database = Database(database_url)
    published = _releases(database)
    assert published
    with database.engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE item_counts SET count = count + 5 WHERE cycle_id = :c"
                " AND group_id = 'staff' AND item_id = 'staff.goals' AND key = 'shown'"
            ),
            {"c": cycle_id},
        )
        conn.execute(
            text("UPDATE org_scores SET score = score + 1 WHERE cycle_id = :c AND node = '1.1'"),
            {"c": cycle_id},
        )
        conn.execute(
            text("DELETE FROM org_response_totals WHERE cycle_id = :c AND group_id = 'clients'"),
            {"c": cycle_id},
        )

    drift = qms("db", "repair", "--check")
    assert drift.code == 1
    lines = drift.out.splitlines()
    assert f"cycle {cycle_id} item_counts staff|staff.goals|shown: 8 -> 3" in lines
    assert f"cycle {cycle_id} org_response_totals clients: (none) -> 2" in lines
    assert any(line.startswith(f"cycle {cycle_id} org_scores 1.1|") for line in lines)
    assert not any(line.startswith(f"cycle {other} ") for line in lines)
    assert "qms db repair" in drift.err
    # Another cycle alone is clean, and --check changed nothing.
    assert qms("db", "repair", "--check", "--cycle", str(other)).code == 0
    assert qms("db", "repair", "--check", "--cycle", str(cycle_id)).out == drift.out

    repaired = qms("db", "repair", "--cycle", str(cycle_id))
    assert repaired.code == 0, repaired.err
    assert repaired.out == drift.out  # what it changed: key, old, new
    again = qms("db", "repair", "--check")
    assert (again.code, again.out) == (0, ""), again.out
    assert qms("scores", "--cycle", str(cycle_id)).out == scores
    assert _releases(database) == published
    database.dispose()


def test_repair_of_an_unknown_cycle_is_a_one_line_error(qms: Qms) -> None:
    missing = qms("db", "repair", "--check", "--cycle", "999")
    assert missing.code == 1
    assert missing.err.splitlines() == ["qms: error: no cycle with id 999"]
