"""A real app on a real database for the adversary: people of every role, signed-in
clients (one per viewer, one for whoever acts), and the store for operations that have
no page. One `Env` is one world; the hypothesis machines make a fresh one per example."""

from __future__ import annotations

import re
from collections.abc import Mapping
from contextlib import AbstractContextManager, ExitStack
from dataclasses import dataclass, field
from pathlib import Path

from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy.orm import Session

from qms.app import create_app
from qms.settings import Settings
from qms.store import directory, users
from qms.store.db import Database
from qms.store.snapshots import Snapshot, read_snapshot

Client = TestClient[Litestar]
PASSWORD = "correct horse battery staple"
METHODOLOGIES = Path(__file__).resolve().parents[1] / "fixtures" / "methodologies"
QUESTIONNAIRES = Path(__file__).resolve().parents[2] / "questionnaires"
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def snapshot_testq() -> Snapshot:
    return read_snapshot(METHODOLOGIES, "testq")


def snapshot_socquality() -> Snapshot:
    return read_snapshot(QUESTIONNAIRES, "socquality")


def email(key: str) -> str:
    return f"{key}@example.org"


@dataclass
class Env:
    url: str
    db: Database = field(init=False)
    app: Litestar = field(init=False)
    orgs: dict[str, int] = field(default_factory=dict)
    networks: dict[str, int] = field(default_factory=dict)
    people: dict[str, int] = field(default_factory=dict)
    _stack: ExitStack = field(default_factory=ExitStack)
    _clients: dict[str, Client] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.db = Database(self.url)
        self.app = create_app(
            Settings(database_url=self.url, secret_key="privacy-secret-key-0123456789")
        )

    def session(self) -> AbstractContextManager[Session]:
        return self.db.session()

    # -- the directory --------------------------------------------------------------

    def organisation(self, name: str, *networks: str) -> int:
        with self.session() as s:
            org = directory.create_organisation(s, name, actor_id=None)
            for net in networks:
                directory.add_member(s, self.network(net, s), org, actor_id=None)
            s.commit()
        self.orgs[name] = org
        return org

    def network(self, name: str, s: Session | None = None) -> int:
        if name not in self.networks:
            if s is None:
                with self.session() as own:
                    self.networks[name] = directory.create_network(own, name, actor_id=None)
                    own.commit()
            else:
                self.networks[name] = directory.create_network(s, name, actor_id=None)
        return self.networks[name]

    def join(self, org: str, net: str) -> None:
        with self.session() as s:
            directory.add_member(s, self.network(net, s), self.orgs[org], actor_id=None)
            s.commit()

    def person(
        self, key: str, role: str, *, org: str | None = None, networks: tuple[str, ...] = ()
    ) -> int:
        """A user KEY@example.org with `role` in `org`, or coordinator of `networks`."""
        with self.session() as s:
            uid = self.people.get(key)
            if uid is None:
                uid = users.create_user(s, email(key), PASSWORD, actor_id=None)
                self.people[key] = uid
            if networks:
                for net in networks:
                    users.add_role(s, uid, role, network_id=self.network(net, s), actor_id=None)
            else:
                users.add_role(
                    s, uid, role, organisation_id=self.orgs[org] if org else None, actor_id=None
                )
            s.commit()
        return uid

    # -- clients ----------------------------------------------------------------------

    def client(self, key: str) -> Client:
        """A client signed in as KEY (one per person, kept for the world's life)."""
        if key not in self._clients:
            client = self._stack.enter_context(
                TestClient(app=self.app, base_url="http://127.0.0.1")
            )
            response = client.post(
                "/login",
                data={"email": email(key), "password": PASSWORD, "csrf_token": csrf(client)},
                follow_redirects=False,
            )
            assert response.status_code == 303, response.text
            self._clients[key] = client
        return self._clients[key]

    def post(self, key: str, path: str, data: Mapping[str, str | list[str]] | None = None) -> int:
        """A form post by KEY, as a browser sends it; the status code."""
        client = self.client(key)
        response = client.post(
            path, data={**(data or {}), "csrf_token": csrf(client)}, follow_redirects=False
        )
        return response.status_code

    def close(self) -> None:
        self._stack.close()
        self.db.dispose()
        self.app.state.db.dispose()


def csrf(client: Client, path: str = "/login") -> str:
    found = _TOKEN.search(client.get(path, follow_redirects=True).text)
    assert found, f"no CSRF token on {path}"
    return found.group(1)
