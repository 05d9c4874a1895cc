"""`qms backup` under write load and `qms restore` into a new database, on both engines:
every answer acknowledged before the backup began is in the restored database, the
restored counts equal a recount, and every closed cycle's `qms scores` is the same."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text

from qms.store.counts import read_counts, recompute_counts
from qms.store.cycles import get_cycle
from qms.store.db import Database
from qms.store.models import Answer, Response
from qms.store.responses import create_response, set_answer
from tests.cli.conftest import env_for, run_qms

WRITERS = 3
# Each response gets these answers one save at a time; no save overwrites another, so
# an acknowledged save has exactly one value to look for.
SAVES = [("staff.goals", 4), ("staff.pressure", 2), ("staff.years", 3.5)]


@dataclass
class Pair:
    """A source database with the demo in it and an empty one to restore into."""

    source: str
    target: str


@pytest.fixture(params=["sqlite", "postgresql"])
def pair(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Pair]:
    if request.param == "sqlite":
        # The target does not exist yet: a restore makes it.
        yield Pair(request.getfixturevalue("sqlite_url"), f"sqlite:///{tmp_path / 'new.db'}")
        return
    templates = request.getfixturevalue("postgres_templates")
    # The target is migrated and empty, as after `qms db upgrade` on a new server.
    names = templates.new(), templates.new()
    yield Pair(templates.url(names[0]), templates.url(names[1]))
    for name in names:
        templates.drop(name)


@dataclass
class Load:
    """Threads saving answers through the store, each ack recorded after its commit."""

    database: Database
    cycle_id: int
    acked: list[tuple[int, str, object]] = field(default_factory=list)
    errors: list[BaseException] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def run(self) -> None:
        try:
            while not self.stop.is_set():
                with self.database.session() as s:
                    response = create_response(s, get_cycle(s, self.cycle_id), group="staff")
                    s.commit()
                    for item, value in SAVES:
                        set_answer(s, response, item, value)
                        s.commit()
                        with self.lock:
                            self.acked.append((response.id, item, value))
        except BaseException as exc:  # surfaced by the test
            self.errors.append(exc)

    def snapshot(self) -> list[tuple[int, str, object]]:
        with self.lock:
            return list(self.acked)


def _open_cycle(url: str) -> int:
    database = Database(url)
    with database.session() as s:
        found = s.execute(text("SELECT id FROM cycles WHERE status = 'open' ORDER BY id")).first()
    database.dispose()
    assert found is not None
    return int(found[0])


def _scores(env: dict[str, str], url: str) -> dict[int, Any]:
    database = Database(url)
    with database.session() as s:
        closed = s.scalars(text("SELECT id FROM cycles WHERE status = 'closed' ORDER BY id"))
        ids = [int(i) for i in closed]
    database.dispose()
    documents = {}
    for cycle_id in ids:
        done = run_qms(env, "scores", "--cycle", str(cycle_id))
        assert done.code == 0, done.err
        documents[cycle_id] = json.loads(done.out)
    assert documents
    return documents


def test_backup_under_load_then_restore(pair: Pair, tmp_path: Path) -> None:
    source_env, target_env = env_for(pair.source), env_for(pair.target)
    assert run_qms(source_env, "demo").code == 0
    cycle_id = _open_cycle(pair.source)
    database = Database(pair.source)
    load = Load(database, cycle_id)
    threads = [threading.Thread(target=load.run) for _ in range(WRITERS)]
    for thread in threads:
        thread.start()
    try:
        deadline = time.monotonic() + 60
        while len(load.snapshot()) < 30 and not load.errors:
            assert time.monotonic() < deadline, "the writers saved nothing"
            time.sleep(0.05)
        before = load.snapshot()
        made = run_qms(source_env, "backup", str(tmp_path / "qms.backup"))
        during = len(load.snapshot()) - len(before)
    finally:
        load.stop.set()
        for thread in threads:
            thread.join(timeout=60)
    assert not load.errors, load.errors
    assert made.code == 0, made.err
    assert made.err.startswith("backed up ")

    restored = run_qms(target_env, "restore", str(tmp_path / "qms.backup"))
    assert restored.code == 0, restored.err
    assert restored.err.startswith("restored ")
    assert "db upgrade" not in restored.err

    target = Database(pair.target)
    with target.session() as s:
        stored = {
            (rid, item)
            for rid, item in s.execute(
                select(Answer.response_id, Answer.item_id)
                .join(Response, Response.id == Answer.response_id)
                .where(Response.cycle_id == cycle_id)
            )
        }
        # One moment of the data: the counts are those of exactly the answers copied.
        assert read_counts(s, cycle_id) == recompute_counts(s, cycle_id)
    target.dispose()
    missing = [(rid, item) for rid, item, _ in before if (rid, item) not in stored]
    assert not missing, f"{len(missing)} acknowledged answers are not in the backup"
    assert _scores(target_env, pair.target) == _scores(source_env, pair.source)
    assert during > 0, "nothing was saved while the backup ran: no load to speak of"

    # Now the target has data: a second restore is refused, and changes nothing.
    refused = run_qms(target_env, "restore", str(tmp_path / "qms.backup"))
    assert refused.code == 1
    assert refused.err_lines == [
        "qms: error: the database is not empty (5 organisations, 4 users, 15 cycles,"
        f" {_responses(pair.target)} responses): restoring would replace all of it;"
        " add --force to do so"
    ]
    forced = run_qms(target_env, "restore", "--force", str(tmp_path / "qms.backup"))
    assert forced.code == 0, forced.err
    assert _scores(target_env, pair.target) == _scores(source_env, pair.source)
    database.dispose()


def _responses(url: str) -> int:
    database = Database(url)
    with database.session() as s:
        n = s.scalar(text("SELECT count(*) FROM responses"))
    database.dispose()
    return int(n or 0)


@pytest.mark.parametrize("command", ["backup", "restore"])
def test_postgresql_without_its_client_programs_says_so(
    command: str, postgres_templates: Any, tmp_path: Path
) -> None:
    file = tmp_path / "qms.backup"
    file.write_bytes(b"PGDMP not really")
    env = {**env_for(postgres_templates.url(postgres_templates.shared)), "PATH": str(tmp_path)}
    done = run_qms(env, command, str(file))
    assert done.code == 1
    tool = "pg_dump" if command == "backup" else "pg_restore"
    assert done.err_lines == [
        f"qms: error: {tool} was not found on PATH: install PostgreSQL's client programs"
        " (Debian: apt-get install postgresql-client), of the server's major version or newer"
    ]


def test_restore_refuses_what_is_not_a_backup_of_this_engine(
    sqlite_url: str, tmp_path: Path
) -> None:
    env = env_for(sqlite_url)
    junk = tmp_path / "notes.txt"
    junk.write_text("hello")
    done = run_qms(env, "restore", str(junk))
    assert done.err_lines == [
        f"qms: error: {junk} is not a qms backup (neither SQLite nor pg_dump -Fc)"
    ]
    dump = tmp_path / "pg.backup"
    dump.write_bytes(b"PGDMP\x01\x0e\x00")
    done = run_qms(env, "restore", str(dump))
    assert done.code == 1
    assert "is a postgresql backup but QMS_DATABASE_URL is a sqlite database" in done.err
    missing = run_qms(env, "restore", str(tmp_path / "nothing.db"))
    assert missing.err_lines == [f"qms: error: {tmp_path / 'nothing.db'}: no such file"]
