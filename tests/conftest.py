"""Shared fixtures: real databases (a SQLite file and a PostgreSQL server), migrated by Alembic.

Each engine is migrated once per test run; every SQLite test gets its own copy of the
migrated file, and PostgreSQL tests share one migrated database that is emptied after
each test. Tests stay isolated and fast while every schema comes from the migrations.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

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


class PostgresTemplates:
    """One migrated database for the run, emptied after each test (TRUNCATE is far cheaper
    than CREATE DATABASE); `new()` still makes a private copy for tests that need one."""

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
            tables = conn.execute(
                text(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                    "AND tablename <> 'alembic_version'"
                )
            ).scalars()
            self._truncate = (
                "TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + (" RESTART IDENTITY CASCADE")
            )
        shared.dispose()
        self.shared_engine = create_engine(
            sqlalchemy_url(_admin_url(self.shared)), isolation_level="AUTOCOMMIT", pool_size=1
        )

    def _exec(self, sql: str) -> None:
        with self.admin.connect() as conn:
            conn.execute(text(sql))

    def empty_shared(self) -> None:
        with self.shared_engine.connect() as conn:
            # A test that leaked a connection would otherwise block TRUNCATE silently.
            conn.execute(text("SET lock_timeout = '20s'"))
            conn.execute(text(self._truncate))

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
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A freshly migrated, empty database of each engine."""
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        path = tmp_path / "qms.db"
        shutil.copyfile(template, path)
        yield f"sqlite:///{path}"
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
