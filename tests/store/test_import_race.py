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
from qms.store.counts import read_counts, recompute_counts
from qms.store.cycles import close_cycle, get_cycle
from qms.store.db import Database
from qms.store.errors import Closed
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
        # Where the second waits for the first: SQLite's write lock, taken before the
        # cycle's state is read; PostgreSQL's unique key, at the insert.
        if statement.lstrip().upper().startswith(("INSERT INTO RESPONSES", "BEGIN IMMEDIATE")):
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
            # The second import now waits on the first (its lock, or its rows).
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


def test_an_import_racing_a_close_waits_and_finds_the_cycle_closed(
    db: Database, cycle: Cycle, database_url: str
) -> None:
    """The close holds the cycle; the import, started meanwhile with the cycle read as
    open, waits for it and then stores nothing: no answers inside a closed cycle, and
    counts equal to a recount."""
    closer, importer = Database(database_url), Database(database_url)
    outcome: list[BaseException | None] = []
    loaded, closing = threading.Event(), threading.Event()

    def import_meanwhile() -> None:
        try:
            with importer.session() as s:
                c = get_cycle(s, cycle.id)
                parsed = _parsed(c)  # the cycle as read here: open
                loaded.set()
                assert closing.wait(20)
                import_responses(s, c, parsed, label=LABEL)
                s.commit()
            outcome.append(None)
        except BaseException as exc:
            outcome.append(exc)

    try:
        with closer.session() as s:
            c = get_cycle(s, cycle.id)
            thread = threading.Thread(target=import_meanwhile)
            thread.start()
            assert loaded.wait(20)
            close_cycle(s, c, actor_id=None)  # holds the cycle until the commit
            closing.set()
            time.sleep(0.5)
            s.commit()
        thread.join(30)
        assert not thread.is_alive()
    finally:
        closer.dispose()
        importer.dispose()
    [error] = outcome
    assert isinstance(error, Closed), repr(error)
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Response)) == 0
        assert read_counts(s, cycle.id) == recompute_counts(s, cycle.id)
