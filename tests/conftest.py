"""Shared fixtures: real databases (a SQLite file and a PostgreSQL server), migrated by Alembic.

Each engine is migrated once per test run. `database_url` is one migrated database per
engine for the whole run (a copy of the migrated SQLite file, a copy of the migrated
PostgreSQL database), emptied after each test: deleting the rows and restarting the ids
costs a few milliseconds where a new copy or a TRUNCATE cost tenths of a second, and a
fixed URL lets the web tests build their app once per engine (tests/web/conftest.py).
Tests stay isolated while every schema comes from the migrations. Under pytest-xdist
(`make test`) each worker has databases of its own: its own temporary folder, and
PostgreSQL databases under random names.

Passwords are hashed with argon2id at its lowest cost in every test but those of the
production parameters (tests/store/test_users_passwords.py).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from sqlalchemy import Engine, MetaData, create_engine, text

from qms.store import passwords
from qms.store.db import sqlalchemy_url
from qms.store.migrate import upgrade

POSTGRES_URL = os.environ.get("QMS_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
REQUIRE_POSTGRES = os.environ.get("QMS_REQUIRE_POSTGRES", "") == "1"
ENGINES = ("sqlite", "postgresql")


def _postgres_reason() -> str | None:
    """None when the server answers; otherwise why not, for the skip message."""
    try:
        engine = create_engine(sqlalchemy_url(POSTGRES_URL), connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as exc:
        return f"PostgreSQL at {POSTGRES_URL} is not reachable: {type(exc).__name__}"
    return None


def _admin_url(database: str) -> str:
    base, _, _ = POSTGRES_URL.rpartition("/")
    return f"{base}/{database}"


# Tests whose subject is the production cost of argon2 (and the equal timing it buys).
REAL_ARGON2 = frozenset({"test_users_passwords.py"})
CHEAP_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


@pytest.fixture(autouse=True)
def cheap_argon2(request: pytest.FixtureRequest) -> Iterator[None]:
    """Still argon2id, at the lowest cost: tests create and sign in people often."""
    if request.path.name in REAL_ARGON2:
        yield
        return
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(passwords, "_hasher", CHEAP_HASHER)
        passwords._dummy_hash.cache_clear()
        yield
    passwords._dummy_hash.cache_clear()


def _children_first(engine: Engine) -> list[str]:
    """The migrated tables, each after every table that refers to it."""
    metadata = MetaData()
    metadata.reflect(engine)
    return [t.name for t in reversed(metadata.sorted_tables) if t.name != "alembic_version"]


class SharedSqlite:
    """One migrated SQLite file for the run, emptied by `empty()` (after each test for
    `database_url`, after each module for the browser tests' server)."""

    def __init__(self, template: Path, folder: Path) -> None:
        self.path = folder / "qms.db"
        shutil.copyfile(template, self.path)
        self.url = f"sqlite:///{self.path}"
        engine = create_engine(self.url)
        self._delete = "".join(f'DELETE FROM "{t}";' for t in _children_first(engine))
        engine.dispose()

    def empty(self) -> None:
        # Without AUTOINCREMENT (no table has it) an emptied table numbers from 1 again.
        conn = sqlite3.connect(self.path, timeout=20)
        try:
            conn.executescript(f"BEGIN IMMEDIATE;{self._delete}COMMIT;")
        finally:
            conn.close()


class PostgresTemplates:
    """One migrated database for the run, emptied after each test (deleting the rows of
    small tables is far cheaper than TRUNCATE, which is far cheaper than CREATE DATABASE);
    `new()` still makes a private copy for tests that need one."""

    def __init__(self) -> None:
        self.admin = create_engine(
            sqlalchemy_url(POSTGRES_URL), isolation_level="AUTOCOMMIT", pool_size=1
        )
        self.template = f"qms_tpl_{uuid.uuid4().hex[:10]}"
        self._exec(f'CREATE DATABASE "{self.template}"')
        upgrade(_admin_url(self.template))
        self.shared = self.new()
        self._exec(f'ALTER DATABASE "{self.shared}" SET synchronous_commit = off')
        shared = create_engine(sqlalchemy_url(_admin_url(self.shared)))
        with shared.connect() as conn:
            sequences = conn.execute(
                text("SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'")
            ).scalars()
            # As TRUNCATE ... RESTART IDENTITY: the next id of every table is 1 again.
            self._restart = "SELECT " + ", ".join(f"setval('\"{q}\"', 1, false)" for q in sequences)
        self._delete = "; ".join(f'DELETE FROM "{t}"' for t in _children_first(shared))
        shared.dispose()
        self.shared_engine = create_engine(
            sqlalchemy_url(_admin_url(self.shared)), isolation_level="AUTOCOMMIT", pool_size=1
        )

    def _exec(self, sql: str) -> None:
        with self.admin.connect() as conn:
            conn.execute(text(sql))

    def empty_shared(self) -> None:
        with self.shared_engine.connect() as conn:
            # A test that leaked a transaction would otherwise block the deletes silently.
            conn.exec_driver_sql(
                f"SET lock_timeout = '20s'; BEGIN; {self._delete}; {self._restart}; COMMIT"
            )

    def new(self) -> str:
        name = f"qms_t_{uuid.uuid4().hex[:12]}"
        self._exec(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"')
        return name

    def url(self, name: str) -> str:
        return _admin_url(name)

    def drop(self, name: str) -> None:
        self._exec(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def close(self) -> None:
        self.shared_engine.dispose()
        self.drop(self.shared)
        self.drop(self.template)
        self.admin.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def sqlite_shared(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> SharedSqlite:
    return SharedSqlite(sqlite_template, tmp_path_factory.mktemp("shared"))


@pytest.fixture(scope="session")
def postgres_templates() -> Iterator[PostgresTemplates]:
    reason = _postgres_reason()
    if reason:
        if REQUIRE_POSTGRES:
            pytest.fail(f"QMS_REQUIRE_POSTGRES=1 but {reason}")
        pytest.skip(reason)
    templates = PostgresTemplates()
    yield templates
    templates.close()


@pytest.fixture(params=ENGINES)
def database_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """A migrated, empty database of each engine; the same URL for every test of an
    engine, emptied after each."""
    if request.param == "sqlite":
        shared: SharedSqlite = request.getfixturevalue("sqlite_shared")
        yield shared.url
        shared.empty()
        return
    templates: PostgresTemplates = request.getfixturevalue("postgres_templates")
    yield _admin_url(templates.shared)
    templates.empty_shared()


@pytest.fixture
def sqlite_url(tmp_path: Path, sqlite_template: Path) -> str:
    """A migrated SQLite file only, for tests whose subject is not the engine."""
    path = tmp_path / "qms.db"
    shutil.copyfile(sqlite_template, path)
    return f"sqlite:///{path}"
