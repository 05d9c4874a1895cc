"""Engines and sessions for SQLite (embedded default) and PostgreSQL."""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from sqlalchemy import Engine, create_engine, event, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from qms.store.models import Cycle

log = logging.getLogger("qms.db")


def sqlalchemy_url(url: str) -> str:
    """Plain `postgresql://` URLs are what people write; psycopg 3 is the driver we ship."""
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets readers go on while a respondent's answer is written; the busy timeout
    # makes concurrent writers wait instead of failing with "database is locked".
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


# A request holds its connection until its response has been sent (the session closes in
# the dependency's clean-up), so the pool is sized for requests in flight, not for the
# thread pool. A request beyond the pool opens and closes a connection of its own, and on
# SQLite runs the pragmas above each time: 16 section pages at a time opened 106 new
# connections over 160 requests with 6 pooled, 16 with 20.
POOL_SIZE = 20


def make_engine(url: str, **kwargs: Any) -> Engine:
    url = sqlalchemy_url(url)
    if url.startswith("sqlite"):
        if ":memory:" not in url and url not in ("sqlite://", "sqlite:///"):
            kwargs.setdefault("pool_size", POOL_SIZE)
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    kwargs.setdefault("pool_size", POOL_SIZE)
    # Several workers share the server's max_connections (100 by default): no overflow.
    kwargs.setdefault("max_overflow", 0)
    return create_engine(url, pool_pre_ping=True, **kwargs)


def begin_write(session: Session) -> None:
    """Make the session's transaction a writer from here on, before it reads what its
    writes depend on. Python's sqlite3 begins a transaction only at the first INSERT,
    UPDATE or DELETE, so the SELECTs before it read outside any transaction and another
    writer can commit between such a read and the write that relies on it. BEGIN
    IMMEDIATE takes the database's write lock now (waiting as long as the busy timeout);
    once a transaction has written it holds that lock already. PostgreSQL locks rows
    instead (`lock_cycle`)."""
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        return
    if not connection.connection.dbapi_connection.in_transaction:  # type: ignore[union-attr]
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def lock_cycle(session: Session, cycle_id: int, *, shared: bool) -> None:
    """Serialise a change of the cycle's state (a close, a group's close, a reopen:
    `shared` False) with the writes whose checks read that state (saves: `shared` True).
    On PostgreSQL the cycle's row is locked FOR UPDATE or FOR KEY SHARE: saves go on
    side by side, a close waits for the saves in flight and the saves after it wait for
    the close. Whoever takes this lock takes it before any response's row, so a close
    (which then updates responses) and a save cannot wait for each other. On SQLite the
    write lock does all of it.

    Read the state in statements after this one: on PostgreSQL a locking SELECT that
    waited returns the locked row as its holder left it, but reads every other table
    (a group's collection) as they were before the wait."""
    begin_write(session)
    if session.get_bind().dialect.name != "postgresql":
        return
    lock = select(Cycle.id).where(Cycle.id == cycle_id)
    session.execute(lock.with_for_update(read=shared, key_share=shared))


# SQLSTATEs of a server going away: class 08 (connection exception), an administrator's
# or a crash's shutdown, a server still starting. Other OperationalErrors of psycopg
# (a deadlock, a lock or statement timeout) are answers of a running server.
_SERVER_GONE = ("08", "57P01", "57P02", "57P03")


def is_outage(exc: DBAPIError) -> bool:
    """Whether `exc` says that the database cannot be reached (a restart, a cut
    network), so that the request may well succeed in a while.

    SQLite's "database is locked" is not one: the file is there and answers, but a
    writer held it past the busy timeout, which is contention (or a transaction kept
    open too long) to find, not an outage to wait out (`is_busy`)."""
    if exc.connection_invalidated:
        return True
    orig = exc.orig
    if isinstance(orig, psycopg.OperationalError):
        # No SQLSTATE: the client's own failure to connect or to read an answer.
        return orig.sqlstate is None or orig.sqlstate.startswith(_SERVER_GONE)
    return False


def is_busy(exc: DBAPIError) -> bool:
    """SQLite's writer lock held past the busy timeout."""
    return isinstance(exc.orig, sqlite3.OperationalError) and "locked" in str(exc.orig)


class Outage:
    """Whether the database is unreachable now, so that an outage is logged once,
    however many requests meet it, and its end once."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._since: float | None = None

    def begin(self) -> bool:
        """Note a failure; True for the first one of an outage."""
        with self._lock:
            if self._since is not None:
                return False
            self._since = time.monotonic()
            return True

    def end(self) -> float | None:
        """Note a new connection; how long the outage lasted, None if there was none."""
        with self._lock:
            if self._since is None:
                return None
            lasted, self._since = time.monotonic() - self._since, None
            return lasted


class Database:
    """One engine and its session factory, built once per app or command."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        self.outage = Outage()
        # A connection made is the database back: the pool makes new ones only when
        # those it had were lost (pool_pre_ping finds them on checkout) or were too few.
        event.listen(self.engine, "connect", self._connected)

    def _connected(self, _dbapi_connection: Any, _record: Any) -> None:
        lasted = self.outage.end()
        if lasted is not None:
            log.info("database reachable again after %.1f s", lasted)

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self.sessions() as session:
            yield session

    def ping(self) -> bool:
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except Exception:
            return False
        return True

    def dispose(self) -> None:
        self.engine.dispose()
