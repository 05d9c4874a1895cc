"""`qms demo`: seeded data through the import path, on the test and the real methodology."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from qms.store.counts import read_counts, recompute_counts
from qms.store.db import Database
from qms.store.models import (
    ConsensusNote,
    Cycle,
    Network,
    NetworkShare,
    Organisation,
    Response,
)

Qms = Callable[..., Any]
QUESTIONNAIRES = Path(__file__).resolve().parents[2] / "questionnaires"


def test_the_small_demo(qms: Qms, database_url: str) -> None:
    done = qms("demo")
    assert done.code == 0, done.err
    assert done.err.startswith("demo loaded in ")
    database = Database(database_url)
    with database.session() as session:
        assert session.scalars(select(Network.name)).all() == ["Zemgales plānošanas reģions"]
        assert session.scalar(select(func.count()).select_from(Organisation)) == 5
        cycles = session.scalars(select(Cycle).order_by(Cycle.organisation_id, Cycle.year)).all()
        assert [c.year for c in cycles] == [2023, 2024, 2025] * 5
        assert [c.status for c in cycles] == ["closed", "closed", "open"] * 5
        # Every closed cycle is shared with the region, two organisations named.
        shares = session.execute(select(NetworkShare.cycle_id, NetworkShare.named)).all()
        closed = {c.id for c in cycles if c.status == "closed"}
        assert {cycle_id for cycle_id, _ in shares} == closed
        assert sum(named for _, named in shares) == 2 * 2
        for cycle in cycles:
            assert read_counts(session, cycle.id) == recompute_counts(session, cycle.id)
        newest = cycles[-1]
        keys = set(
            session.scalars(select(Response.respondent).where(Response.cycle_id == newest.id))
        )
        assert "consensus" in keys
        assert {"assessor:Anna", "assessor:Jānis", "assessor:Ilze"} <= keys
        first_id = cycles[0].id
        # Last year's consensus of the first organisation has notes for the report.
        notes = session.scalars(select(ConsensusNote).where(ConsensusNote.cycle_id == cycles[1].id))
        assert [bool(n.evidence and n.improvements) for n in notes] == [True, True]
        assert session.scalar(select(func.count()).select_from(ConsensusNote)) == 2
    database.dispose()
    # The last individual group (clients in testq) is below min_n in the first cycle.
    first = json.loads(qms("scores", "--cycle", str(first_id)).out)
    clients = [i for i in first["items"] if i["group"] == "clients"]
    assert clients
    assert all(
        not i["reportable"] and 0 < i["n"] + i["dk"] + i["na"] + i["blank"] < 2 for i in clients
    )
    later = json.loads(qms("scores", "--cycle", str(first_id + 1)).out)
    assert later["overall"]["by_group"]["clients"] is not None

    again = qms("demo")
    assert again.code == 1
    assert again.err_lines == [
        "qms: error: the demo is already loaded (organisation "
        "'Jelgavas novada Sociālais dienests' exists)"
    ]
    skipped = qms("demo", "--if-empty")
    assert skipped.code == 0
    assert "nothing loaded" in skipped.err


def test_if_empty_skips_any_database_with_an_organisation(qms: Qms, database_url: str) -> None:
    assert qms("org", "create", "Saulīte").code == 0
    assert qms("demo", "--if-empty").code == 0
    database = Database(database_url)
    with database.session() as session:
        assert session.scalar(select(func.count()).select_from(Cycle)) == 0
    database.dispose()


def test_the_demo_on_the_default_methodology_is_quick(run_qms_env: Any, sqlite_url: str) -> None:
    env = {"QMS_DATABASE_URL": sqlite_url, "QMS_QUESTIONNAIRES": str(QUESTIONNAIRES)}
    started = time.perf_counter()
    done = run_qms_env(env, "demo", "--size", "small")
    elapsed = time.perf_counter() - started
    assert done.code == 0, done.err
    assert "(socquality " in done.err
    assert elapsed < 10
    scores = json.loads(run_qms_env(env, "scores", "--cycle", "3").out)
    assert scores["overall"]["composite"] is not None
