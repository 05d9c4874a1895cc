"""Alembic environment: the URL comes from qms (config attribute or QMS_DATABASE_URL)."""

from __future__ import annotations

from typing import Any

from alembic import context
from sqlalchemy import Connection, Engine, event

from qms.settings import Settings
from qms.store import models  # noqa: F401  (registers every table on the metadata)
from qms.store.base import Base
from qms.store.db import make_engine

config = context.config
url = config.attributes.get("database_url") or Settings.from_env().database_url


class ForeignKeyViolation(RuntimeError):
    """Rows point at nothing after the migrations; their transaction is rolled back."""


def _sqlite_for_migrations(engine: Engine) -> None:
    """Foreign keys off, and one real transaction around every migration.

    Batch mode rebuilds a table as copy, DROP, rename (Alembic's documentation, "Dealing
    with Referencing Foreign Keys"). With foreign keys on, the DROP deletes every row that
    refers to the table through ON DELETE CASCADE: rebuilding `cycles` emptied responses,
    answers, codes and counts. SQLite ignores the pragma inside a transaction, so it is
    set as the connection opens (after make_engine's own pragmas), and the rows are
    checked instead, before the commit.

    pysqlite opens transactions only before INSERT/UPDATE/DELETE, so a rebuild's CREATE
    and the rows copied after it would commit apart; in autocommit mode with our own
    BEGIN (SQLAlchemy's documented recipe for pysqlite) SQLite's transactional DDL makes
    the whole upgrade or downgrade happen, or not at all.
    """

    @event.listens_for(engine, "connect")
    def _off(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute("PRAGMA foreign_keys=OFF")
        dbapi_connection.isolation_level = None

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN")


def _check_foreign_keys(connection: Connection) -> None:
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
    if broken:
        tables = sorted({str(row[0]) for row in broken})
        raise ForeignKeyViolation(
            f"{len(broken)} row(s) in {', '.join(tables)} would refer to rows that do not"
            " exist; the migration was rolled back and the database is unchanged"
        )


def run() -> None:
    engine = make_engine(url)
    sqlite = engine.dialect.name == "sqlite"
    if sqlite:
        _sqlite_for_migrations(engine)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            render_as_batch=sqlite,
            compare_type=True,
            # One transaction for the whole run on both engines (PostgreSQL has it
            # already), so that the check below can still undo it.
            transactional_ddl=True,
        )
        with context.begin_transaction():
            context.run_migrations()
            if sqlite:
                _check_foreign_keys(connection)
    engine.dispose()


run()
