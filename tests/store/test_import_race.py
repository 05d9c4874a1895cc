"""Two imports of the same respondents at once: the second says which respondents are
already in the cycle, at file:line, exactly as it would one after the other."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from sqlalchemy import event, func, select

from qms.imports.csvfile import parse_bytes
from qms.imports.validate import validate_rows
from qms.store.cycles import get_cycle
from qms.store.db import Database
from qms.store.importing import ImportRejected, import_responses
from qms.store.models import Answer, Cycle, Response
from qms.store.snapshots import cycle_methodology

CSV = (
    b"respondent,group,item,value\n"
    b"s1,staff,staff.role,carer\n"
    b"s1,staff,staff.goals,7\n"
    b"s2,staff,staff.role,nurse\n"
    b"c1,clients,clients.respect,3\n"
)
LABEL = "answers.csv"


def _parsed(cycle: Cycle) -> Any:
    return validate_rows(cycle_methodology(cycle), parse_bytes(CSV, LABEL)[0])


def _rejection(database: Database, cycle_id: int) -> list[str]:
    with database.session() as s:
        cycle = get_cycle(s, cycle_id)
        with pytest.raises(ImportRejected) as refused:
            import_responses(s, cycle, _parsed(cycle), label=LABEL)
        s.rollback()
    return refused.value.lines


def test_the_second_of_two_concurrent_imports_names_the_respondents(
    db: Database, cycle: Cycle, database_url: str
) -> None:
    first, second = Database(database_url), Database(database_url)
    second_writes = threading.Event()

    @event.listens_for(second.engine, "before_cursor_execute")
    def watch(_c: Any, _cur: Any, statement: str, *_: Any) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO RESPONSES"):
            second_writes.set()

    outcome: list[BaseException | None] = []

    def import_second() -> None:
        try:
            with second.session() as s:
                c = get_cycle(s, cycle.id)
                import_responses(s, c, _parsed(c), label=LABEL)
                s.commit()
            outcome.append(None)
        except BaseException as exc:
            outcome.append(exc)

    try:
        with first.session() as s:
            c = get_cycle(s, cycle.id)
            import_responses(s, c, _parsed(c), label=LABEL)  # written, not yet committed
            thread = threading.Thread(target=import_second)
            thread.start()
            # The second import found no respondent and now waits on the first's rows.
            assert second_writes.wait(20)
            time.sleep(0.5)
            s.commit()
        thread.join(30)
        assert not thread.is_alive()
    finally:
        first.dispose()
        second.dispose()
    [error] = outcome
    assert isinstance(error, ImportRejected), repr(error)
    # One after the other, the same import says exactly this.
    assert error.lines == _rejection(db, cycle.id)
    assert error.lines == [
        f"{LABEL}:2: respondent s1 is already in cycle {cycle.id} "
        "(import with --replace to replace their answers)",
        f"{LABEL}:4: respondent s2 is already in cycle {cycle.id} "
        "(import with --replace to replace their answers)",
        f"{LABEL}:5: respondent c1 is already in cycle {cycle.id} "
        "(import with --replace to replace their answers)",
    ]
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Response)) == 3
        assert s.scalar(select(func.count()).select_from(Answer)) == 4
