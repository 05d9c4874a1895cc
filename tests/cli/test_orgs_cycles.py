"""`qms network create`, `qms org create`, `qms cycle create|close|reopen`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import select

from qms.methodology import read_files, snapshot_hash
from qms.store.db import Database
from qms.store.models import Cycle, Organisation

METHODOLOGIES = Path(__file__).resolve().parents[1] / "fixtures" / "methodologies"
Qms = Callable[..., Any]


def test_networks_and_organisations(qms: Qms, database_url: str) -> None:
    assert qms("network", "create", "Zemgales plānošanas reģions").code == 0
    assert qms("network", "create", "SocQuality").code == 0
    made = qms(
        "org",
        "create",
        "Bauskas  centrs",
        "--network",
        "SocQuality",
        "--network",
        "Zemgales plānošanas reģions",
    )
    assert made.code == 0, made.err
    assert made.out.strip().isdigit()
    database = Database(database_url)
    with database.session() as session:
        org = session.scalars(select(Organisation)).one()
        assert org.name == "Bauskas centrs"  # inner whitespace is tidied
        assert [n.name for n in org.networks] == ["SocQuality", "Zemgales plānošanas reģions"]
    database.dispose()


def test_unknown_network_and_duplicates_are_one_line_errors(qms: Qms) -> None:
    unknown = qms("org", "create", "A", "--network", "Nowhere")
    assert unknown.code == 1
    assert unknown.err_lines == ["qms: error: no network named 'Nowhere'"]
    assert qms("org", "create", "A").code == 0
    twice = qms("org", "create", "A")
    assert twice.code == 1
    assert twice.err_lines == ["qms: error: an organisation named 'A' already exists"]
    assert qms("network", "create", "N").code == 0
    assert qms("network", "create", "N").err_lines == [
        "qms: error: a network named 'N' already exists"
    ]
    assert qms("network", "create", "  ").err_lines == ["qms: error: a name is required"]


def test_cycle_create_prints_the_id_alone_and_stores_the_snapshot(
    qms: Qms, database_url: str
) -> None:
    assert qms("org", "create", "Saulīte").code == 0
    made = qms("cycle", "create", "--org", "Saulīte", "--year", "2025")
    assert made.code == 0, made.err
    assert made.out.strip().isdigit()
    assert made.out == made.out.strip() + "\n"
    files = read_files(METHODOLOGIES / "testq")
    database = Database(database_url)
    with database.session() as session:
        cycle = session.get_one(Cycle, int(made.out))
        assert (cycle.methodology_id, cycle.methodology_version) == ("testq", "1.0")
        assert (cycle.year, cycle.status) == (2025, "open")
        assert cycle.snapshot == files
        assert cycle.snapshot_hash == snapshot_hash(files)
        assert cycle.opened_at is not None
        assert cycle.closed_at is None
    database.dispose()
    explicit = qms(
        "cycle", "create", "--org", "Saulīte", "--year", "2026", "--methodology", "testq"
    )
    assert explicit.code == 0
    assert int(explicit.out) != int(made.out)


def test_cycle_create_refuses_bad_input_in_one_line(qms: Qms) -> None:
    assert qms("org", "create", "Saulīte").code == 0
    assert qms("cycle", "create", "--org", "Saulīte", "--year", "2025").code == 0
    cases = {
        (
            "--org",
            "Saulīte",
            "--year",
            "2025",
        ): "qms: error: Saulīte already has a 2025 cycle of methodology testq",
        ("--org", "Nobody", "--year", "2025"): "qms: error: no organisation named 'Nobody'",
        (
            "--org",
            "Saulīte",
            "--year",
            "1999",
        ): "qms: error: the year must be between 2000 and 2100 (got 1999)",
    }
    for args, message in cases.items():
        outcome = qms("cycle", "create", *args)
        assert outcome.code == 1
        assert outcome.err_lines == [message]
        assert outcome.out == ""
    missing = qms(
        "cycle", "create", "--org", "Saulīte", "--year", "2024", "--methodology", "../testq"
    )
    assert missing.code == 1
    assert len(missing.err_lines) == 1
    assert "no methodology '../testq'" in missing.err
    assert "available: testq" in missing.err


def test_close_and_reopen(qms: Qms) -> None:
    assert qms("org", "create", "Saulīte").code == 0
    cycle_id = qms("cycle", "create", "--org", "Saulīte", "--year", "2025").out.strip()
    assert qms("cycle", "close", "--cycle", cycle_id).code == 0
    again = qms("cycle", "close", "--cycle", cycle_id)
    assert again.err_lines == [f"qms: error: cycle {cycle_id} is already closed"]
    assert qms("cycle", "reopen", "--cycle", cycle_id).code == 0
    assert qms("cycle", "close", "--cycle", "9999").err_lines == [
        "qms: error: no cycle with id 9999"
    ]


def test_an_unmigrated_database_is_one_line(run_qms_env: Any, tmp_path: Path) -> None:
    env = {"QMS_DATABASE_URL": f"sqlite:///{tmp_path / 'empty.db'}"}
    outcome = run_qms_env(env, "org", "create", "A")
    assert outcome.code == 1
    assert outcome.err_lines == [
        "qms: error: database error: no such table: organisations "
        "(is the database migrated? `qms db upgrade`)"
    ]
