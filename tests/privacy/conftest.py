"""Fixtures of the adversary: a fresh world on each engine, as often as a test asks.

`fresh_env()` empties the database (a new copy of the migrated SQLite file, or the shared
PostgreSQL database truncated) and returns a new app on it: a hypothesis machine calls it
once per example, so no example sees another's data. The argon2 cost is the web tests'
(tests/web/conftest.py), since every viewer signs in.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from itertools import count
from pathlib import Path

import pytest

from tests.conftest import PostgresTemplates
from tests.privacy.env import Env
from tests.web import conftest as web

FreshEnv = Callable[[], Env]
cheap_argon2 = web.cheap_argon2  # type: ignore[attr-defined]  # autouse, as for web tests


@pytest.fixture
def fresh_env(
    request: pytest.FixtureRequest, database_url: str, tmp_path: Path
) -> Iterator[FreshEnv]:
    made: list[Env] = []
    numbers = count()

    def reset() -> str:
        if database_url.startswith("sqlite"):
            template: Path = request.getfixturevalue("sqlite_template")
            path = tmp_path / f"world-{next(numbers)}.db"
            shutil.copyfile(template, path)
            return f"sqlite:///{path}"
        templates: PostgresTemplates = request.getfixturevalue("postgres_templates")
        templates.empty_shared()
        return database_url

    def fresh() -> Env:
        while made:
            made.pop().close()
        env = Env(reset())
        made.append(env)
        return env

    yield fresh
    while made:
        made.pop().close()


@pytest.fixture
def env(fresh_env: FreshEnv) -> Env:
    """One world for an example test."""
    return fresh_env()
