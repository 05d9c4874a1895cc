"""Shared fixtures: real databases (a SQLite file and a PostgreSQL server), migrated by Alembic.

Each engine is migrated once per test run into a template; every test then gets its own
copy (a copied file, or `CREATE DATABASE ... TEMPLATE`), so tests stay isolated and fast
while every schema still comes from the real migrations.
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

POSTGRES_URL = os.environ.get(
    "QMS_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
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
    """Creates per-test databases from one migrated template, and drops them afterwards."""

    def __init__(self) -> None:
        self.admin = create_engine(
            sqlalchemy_url(POSTGRES_URL), isolation_level="AUTOCOMMIT", pool_size=1
        )
        self.template = f"qms_tpl_{uuid.uuid4().hex[:10]}"
        self._exec(f'CREATE DATABASE "{self.template}"')
        upgrade(_admin_url(self.template))

    def _exec(self, sql: str) -> None:
        with self.admin.connect() as conn:
            conn.execute(text(sql))

    def new(self) -> str:
        name = f"qms_t_{uuid.uuid4().hex[:12]}"
        self._exec(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"')
        return name

    def drop(self, name: str) -> None:
        self._exec(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def close(self) -> None:
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
    name = templates.new()
    yield _admin_url(name)
    templates.drop(name)


@pytest.fixture
def sqlite_url(tmp_path: Path, sqlite_template: Path) -> str:
    """A migrated SQLite file only, for tests whose subject is not the engine."""
    path = tmp_path / "qms.db"
    shutil.copyfile(sqlite_template, path)
    return f"sqlite:///{path}"
