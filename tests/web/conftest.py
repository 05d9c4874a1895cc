from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from argon2 import PasswordHasher
from litestar import Litestar
from litestar.testing import TestClient

from qms.app import create_app
from qms.settings import Settings
from qms.store import directory, passwords, users
from qms.store.db import Database


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, secret_key="test-secret-key-0123456789")


@pytest.fixture
def app(settings: Settings) -> Litestar:
    return create_app(settings)


@pytest.fixture
def client(app: Litestar) -> Iterator[TestClient[Litestar]]:
    with TestClient(app=app, base_url="http://127.0.0.1") as test_client:
        yield test_client


# -- accounts: a small world of organisations, networks and people of every role ------

PASSWORD = "correct horse battery staple"
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
Client = TestClient[Litestar]


@pytest.fixture(autouse=True)
def cheap_argon2(monkeypatch: pytest.MonkeyPatch) -> None:
    """Still argon2id, at the lowest cost: web tests sign in often. The production
    parameters and the equal timing are tested in tests/store/test_users_passwords.py."""
    monkeypatch.setattr(
        passwords, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )
    passwords._dummy_hash.cache_clear()


@dataclass(frozen=True)
class World:
    """Org A is in network 1, org B in network 2. People (keys of `ids`, email
    KEY@example.org, password PASSWORD): admin, coordinator (of network 1), head and
    staff (of org A), head_b (of org B), nobody (no role at all)."""

    org_a: int
    org_b: int
    net_1: int
    net_2: int
    ids: dict[str, int]
    password: str = PASSWORD

    @staticmethod
    def email(key: str) -> str:
        return f"{key}@example.org"


@pytest.fixture
def database(settings: Settings) -> Iterator[Database]:
    db = Database(settings.database_url)
    yield db
    db.dispose()


@pytest.fixture
def world(database: Database) -> World:
    with database.session() as s:
        org_a = directory.create_organisation(s, "Org A", actor_id=None)
        org_b = directory.create_organisation(s, "Org B", actor_id=None)
        net_1 = directory.create_network(s, "Network 1", actor_id=None)
        net_2 = directory.create_network(s, "Network 2", actor_id=None)
        directory.add_member(s, net_1, org_a, actor_id=None)
        directory.add_member(s, net_2, org_b, actor_id=None)
        plan: dict[str, tuple[str, int | None, int | None] | None] = {
            "admin": ("admin", None, None),
            "coordinator": ("coordinator", None, net_1),
            "head": ("head", org_a, None),
            "staff": ("staff", org_a, None),
            "head_b": ("head", org_b, None),
            "nobody": None,
        }
        ids: dict[str, int] = {}
        for key, grant in plan.items():
            ids[key] = users.create_user(s, World.email(key), PASSWORD, actor_id=None)
            if grant is not None:
                role, org, net = grant
                users.add_role(
                    s, ids[key], role, organisation_id=org, network_id=net, actor_id=None
                )
        s.commit()
    return World(org_a, org_b, net_1, net_2, ids)


def _csrf_token(client: Client, path: str = "/login") -> str:
    found = _TOKEN.search(client.get(path, follow_redirects=True).text)
    assert found, f"no CSRF token on {path}"
    return found.group(1)


def _sign_in(client: Client, email: str, password: str = PASSWORD) -> httpx.Response:
    token = _csrf_token(client)
    response = client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return response


def _form_post(
    client: Client, path: str, data: dict[str, str] | None = None, **kwargs: Any
) -> httpx.Response:
    kwargs.setdefault("follow_redirects", False)
    return client.post(path, data={**(data or {}), "csrf_token": _csrf_token(client)}, **kwargs)


@pytest.fixture
def csrf_token() -> Callable[..., str]:
    """csrf_token(client, path="/login"): the session's token, read from a page."""
    return _csrf_token


@pytest.fixture
def sign_in() -> Callable[..., httpx.Response]:
    """sign_in(client, email, password=PASSWORD): signs in through the login form."""
    return _sign_in


@pytest.fixture
def form_post() -> Callable[..., httpx.Response]:
    """form_post(client, path, data): a form post carrying the CSRF token, like a browser."""
    return _form_post
