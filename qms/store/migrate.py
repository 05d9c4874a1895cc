"""Alembic, driven from code so `qms db upgrade`, `make run` and the tests share one path;
and the check that the database's schema is the one this version of the code needs."""

from __future__ import annotations

import threading
import time
import weakref
from functools import cache

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection

from qms.paths import data_dir
from qms.store.db import Database, make_engine


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(data_dir("migrations")))
    cfg.attributes["database_url"] = url
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str) -> None:
    command.downgrade(alembic_config(url), revision)


@cache
def head_revision() -> str:
    """The newest revision the code knows (the history has one head: test_migrations)."""
    heads = ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads()
    return ",".join(sorted(heads))


@cache
def known_revisions() -> frozenset[str]:
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    return frozenset(rev.revision for rev in script.walk_revisions())


def current_revision(conn: Connection) -> str | None:
    """The database's revision, None when it was never migrated."""
    heads = MigrationContext.configure(conn).get_current_heads()
    return ",".join(sorted(heads)) or None


def schema_problem(conn: Connection) -> str | None:
    """None when the schema is the one the code needs; otherwise one line saying what to do."""
    current, head = current_revision(conn), head_revision()
    if current == head:
        return None
    if current is None:
        return f"database has no schema, this version needs {head}: run qms db upgrade"
    if current in known_revisions():
        return f"database is at {current}, this version needs {head}: run qms db upgrade"
    return (
        f"database is at {current}, which this version does not know (it needs {head}):"
        " run the version of qms that migrated it, or a newer one"
    )


def is_current(url: str) -> bool:
    """True when the database is at the newest revision the code knows."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return current_revision(conn) == head_revision()
    finally:
        engine.dispose()


def check_schema(url: str) -> str | None:
    """schema_problem() for a URL; a database that cannot be reached is a problem too."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return schema_problem(conn)
    except Exception as exc:
        return f"cannot reach the database: {type(exc).__name__}: {_first_line(exc)}"
    finally:
        engine.dispose()


def _first_line(exc: Exception) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else ""


class SchemaWatch:
    """schema_problem() of a running app's database, asked again at most every `ttl`
    seconds: /healthz is polled often, and one small read per few seconds is enough to
    notice a schema changed under the server (a downgrade, a restore of an old backup)."""

    def __init__(self, database: Database, ttl: float = 5.0) -> None:
        self.database = database
        self.ttl = ttl
        self._lock = threading.Lock()
        self._checked = -float("inf")
        self._problem: str | None = None

    def problem(self) -> str | None:
        with self._lock:
            now = time.monotonic()
            if now - self._checked >= self.ttl:
                try:
                    with self.database.engine.connect() as conn:
                        self._problem = schema_problem(conn)
                except Exception as exc:
                    # Not kept: the next request asks again once the database is back.
                    return f"cannot read the schema version: {type(exc).__name__}"
                self._checked = now
            return self._problem


_watches: weakref.WeakKeyDictionary[Database, SchemaWatch] = weakref.WeakKeyDictionary()
_watches_lock = threading.Lock()


def schema_watch(database: Database) -> SchemaWatch:
    """The one SchemaWatch of this Database (the app's, for the health check)."""
    with _watches_lock:
        watch = _watches.get(database)
        if watch is None:
            watch = _watches[database] = SchemaWatch(database)
        return watch
