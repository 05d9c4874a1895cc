"""Web fixtures: one app per engine for the whole run, on the database that
tests/conftest.py empties after each test; a fresh client (no cookies) per test; a small
world of organisations and people of every role.

A test that needs other settings (another questionnaire folder, debug, other keys)
builds its own app with `create_app`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import pytest
from litestar import Litestar
from litestar.testing import TestClient

from qms.app import create_app
from qms.settings import Settings
from qms.store.db import Database
from tests.conftest import (
    SharedSqlite,
    cheap_argon2,  # noqa: F401  (tests/privacy imports it from here)
)
from tests.factories import PASSWORD, World, make_world
from tests.factories import csrf_token as csrf_token_of
from tests.factories import form_post as form_post_with_token
from tests.factories import sign_in as sign_in_as

__all__ = ["PASSWORD", "World"]  # tests import them from here

SECRET_KEY = "test-secret-key-0123456789"


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, secret_key=SECRET_KEY)


@pytest.fixture(scope="session")
def apps() -> dict[Settings, Litestar]:
    """The apps built so far in this run, by their settings."""
    return {}


def app_of(apps: dict[Settings, Litestar], settings: Settings) -> Litestar:
    if settings not in apps:
        apps[settings] = create_app(settings)
    return apps[settings]


@pytest.fixture
def app(settings: Settings, apps: dict[Settings, Litestar]) -> Litestar:
    """The app of these settings, built once per run: building one costs tenths of a
    second, and an app keeps nothing of a test's data but what the emptied database held
    (the chart cache is process-wide anyway, keyed by what a chart shows)."""
    return app_of(apps, settings)


@pytest.fixture
def sqlite_app(sqlite_shared: SharedSqlite, apps: dict[Settings, Litestar]) -> Iterator[Litestar]:
    """The app on SQLite alone, for tests whose subject is not the engine."""
    yield app_of(apps, Settings(database_url=sqlite_shared.url, secret_key=SECRET_KEY))
    sqlite_shared.empty()


@pytest.fixture
def client(app: Litestar) -> Iterator[TestClient[Litestar]]:
    with TestClient(app=app, base_url="http://127.0.0.1") as test_client:
        yield test_client


@pytest.fixture
def database(settings: Settings) -> Iterator[Database]:
    db = Database(settings.database_url)
    yield db
    db.dispose()


@pytest.fixture
def world(database: Database) -> World:
    return make_world(database)


@pytest.fixture
def csrf_token() -> Callable[..., str]:
    """csrf_token(client, path="/login"): the session's token, read from a page."""
    return csrf_token_of


@pytest.fixture
def sign_in() -> Callable[..., httpx.Response]:
    """sign_in(client, email, password=PASSWORD): signs in through the login form."""
    return sign_in_as


@pytest.fixture
def form_post() -> Callable[..., httpx.Response]:
    """form_post(client, path, data): a form post carrying the CSRF token, like a browser."""
    return form_post_with_token
