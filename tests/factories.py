"""Builders shared by the tests: a small world of organisations and people of every role,
a cycle, a signed-in client, a form post that carries its CSRF token as a browser's would.

Plain functions, imported where they are used; the fixtures of the same names in
tests/web/conftest.py hand out these functions for the tests written before them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from litestar import Litestar
from litestar.testing import TestClient

from qms.store import directory, users
from qms.store.cycles import create_cycle
from qms.store.db import Database
from qms.store.orgs import get_organisation
from qms.store.snapshots import Snapshot, read_snapshot

ROOT = Path(__file__).resolve().parents[1]
# The real methodology, and the small one the store and CLI tests are written against.
QUESTIONNAIRES = ROOT / "questionnaires"
METHODOLOGIES = ROOT / "tests" / "fixtures" / "methodologies"

PASSWORD = "correct horse battery staple"

Client = TestClient[Litestar]
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


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


def make_world(database: Database) -> World:
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


def snapshot_of(methodology: str = "socquality") -> Snapshot:
    """The methodology as its folder holds it: the real one or a test fixture's."""
    folder = QUESTIONNAIRES if (QUESTIONNAIRES / methodology).is_dir() else METHODOLOGIES
    return read_snapshot(folder, methodology)


def make_cycle(
    database: Database,
    organisation: str = "Org A",
    year: int = 2026,
    methodology: str = "socquality",
    *,
    draft: bool = False,
    groups: dict[str, int | None] | None = None,
) -> int:
    """A new cycle of an existing organisation (by name); returns its id."""
    with database.session() as s:
        cycle = create_cycle(
            s,
            get_organisation(s, organisation),
            year,
            snapshot_of(methodology),
            draft=draft,
            groups=groups,
        )
        s.commit()
        return cycle.id


def csrf_token(client: Client, path: str = "/login") -> str:
    """The session's CSRF token, read from a page."""
    found = _TOKEN.search(client.get(path, follow_redirects=True).text)
    assert found, f"no CSRF token on {path}"
    return found.group(1)


def sign_in(client: Client, email: str, password: str = PASSWORD) -> httpx.Response:
    """Signs in through the login form."""
    token = csrf_token(client)
    response = client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return response


def signed_in(client: Client, who: str) -> Client:
    """The client, signed in as one of the world's people ("admin", "head", ...)."""
    sign_in(client, World.email(who))
    return client


def form_post(
    client: Client, path: str, data: dict[str, str] | None = None, **kwargs: Any
) -> httpx.Response:
    """A form post carrying the CSRF token, like a browser."""
    kwargs.setdefault("follow_redirects", False)
    return client.post(path, data={**(data or {}), "csrf_token": csrf_token(client)}, **kwargs)
