"""`qms codes create` and `qms responses import` refuse a group the cycle does not ask,
with one line that names the group and the cycle's groups, and store nothing."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from qms.store.cycles import create_cycle
from qms.store.db import Database
from qms.store.models import AccessCode, Answer, Response
from qms.store.orgs import create_organisation
from qms.store.snapshots import read_snapshot
from tests.cli.conftest import METHODOLOGIES, Qms


def _staff_cycle(url: str) -> int:
    """A cycle of the test methodology asking the working group and staff, not clients
    (the command line makes cycles of every group, so the store makes this one)."""
    database = Database(url)
    with database.session() as s:
        org = create_organisation(s, "Aprūpes centrs Avoti")
        cycle = create_cycle(
            s,
            org,
            2026,
            read_snapshot(METHODOLOGIES, "testq"),
            groups={"organisation": None, "staff": 4},
        )
        s.commit()
        cycle_id = cycle.id
    database.dispose()
    return cycle_id


def _count(url: str, model: type) -> int:
    database = Database(url)
    with database.session() as s:
        found = int(s.scalar(select(func.count()).select_from(model)) or 0)
    database.dispose()
    return found


def test_codes_for_a_group_left_out_are_refused_in_one_line(qms: Qms, database_url: str) -> None:
    cycle = _staff_cycle(database_url)
    made = qms("codes", "create", "--cycle", str(cycle), "--group", "staff", "--count", "2")
    assert made.code == 0, made.err
    assert len(made.out.split()) == 2

    refused = qms("codes", "create", "--cycle", str(cycle), "--group", "clients", "--count", "3")
    assert refused.code == 1
    assert refused.out == ""
    assert refused.err_lines == [
        f"qms: error: group clients does not take part in cycle {cycle} "
        "(its groups: organisation, staff)"
    ]
    assert _count(database_url, AccessCode) == 2


def test_an_unknown_group_lists_the_cycles_groups(qms: Qms, database_url: str) -> None:
    cycle = _staff_cycle(database_url)
    refused = qms("codes", "create", "--cycle", str(cycle), "--group", "nobody", "--count", "1")
    assert refused.code == 1
    assert refused.err_lines == ["qms: error: unknown group 'nobody' (groups: organisation, staff)"]


def test_an_import_with_a_group_left_out_names_its_lines_and_stores_nothing(
    qms: Qms, database_url: str, tmp_path: Path
) -> None:
    cycle = _staff_cycle(database_url)
    path = tmp_path / "answers.csv"
    path.write_text(
        "respondent,group,item,value\n"
        "s1,staff,staff.goals,7\n"
        "c1,clients,clients.respect,3\n"
        "s2,staff,staff.goals,4\n",
        encoding="utf-8",
    )
    done = qms("responses", "import", "--cycle", str(cycle), str(path))
    assert done.code == 1
    assert "Traceback" not in done.err
    assert done.err_lines == [
        f"{path}:3: group clients does not take part in cycle {cycle} "
        "(its groups: organisation, staff)",
        f"qms: error: {path}: 1 bad row(s); nothing was imported",
    ]
    assert (_count(database_url, Response), _count(database_url, Answer)) == (0, 0)
