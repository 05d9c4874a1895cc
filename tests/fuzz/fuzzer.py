"""A fuzz of every route of the app: random paths, queries and form bodies, anonymous and
signed in as a head, counting 5xx answers.

The routes come from the app's own route table rather than from /schema/openapi.json:
the schema describes the JSON API only, and most of what a person can send goes to the
form routes, which a schema-driven tool (schemathesis) would not know. Hypothesis
draws the requests, so values that broke something before (ids past int4, NUL, very
long or odd Unicode text) come up often.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import quote

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from litestar import Litestar
from litestar.routes import HTTPRoute
from litestar.testing import TestClient

from qms.store import directory
from qms.store.codes import create_codes
from qms.store.cycles import get_cycle
from qms.store.db import Database
from tests.factories import World, csrf_token, make_cycle, make_world, sign_in

_PARAM = re.compile(r"\{(\w+):(\w+)\}")
# Real item, group and option names make a body reach the code behind the parsers.
NAMES = (
    "clients.wish",
    "clients.respect",
    "staff.feedback",
    "organisation.1.1",
    "_shown",
    "_action",
    "name",
    "email",
    "password",
    "title",
    "criterion",
    "group",
    "count",
    "role",
    "network",
    "year",
    "methodology",
    "note",
    "value",
    "node",
)
VALUES = ("clients", "staff", "head", "back", "review", "1", "4", "dk", "", "socquality")


@dataclass
class Tally:
    requests: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)

    @property
    def server_errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if status >= 500)


def seed(database: Database) -> tuple[World, list[str]]:
    """The world of the web tests, a cycle of org A and a few access codes."""
    world = make_world(database)
    cycle_id = make_cycle(database)
    with database.session() as s:
        codes = create_codes(s, get_cycle(s, cycle_id), "clients", 3)
        codes += create_codes(s, get_cycle(s, cycle_id), "staff", 2)
        directory.create_network(s, "Network 3", actor_id=None)
        s.commit()
    return world, codes


def routes(app: Litestar) -> list[tuple[str, str]]:
    found = []
    for route in app.routes:
        if isinstance(route, HTTPRoute) and not route.path.startswith("/static"):
            found.extend((m, route.path) for m in sorted(route.methods & {"GET", "POST"}))
    return found


def _texts() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(VALUES),
        st.text(max_size=40),
        st.text(alphabet=st.characters(codec="utf-8"), max_size=300),
        st.sampled_from(["a\x00b", "\x00", "9" * 30, "-1", "1e309", "nan", "' OR 1=1 --"]),
    )


def _ints() -> st.SearchStrategy[int]:
    return st.one_of(
        st.integers(1, 8),
        st.sampled_from([0, -1, 2**31 - 1, 2**31, 2**63, -(2**63) - 1, 10**20]),
        st.integers(),
    )


def requests(
    table: Sequence[tuple[str, str]], codes: Sequence[str]
) -> st.SearchStrategy[tuple[str, str, dict[str, str], dict[str, list[str]] | bytes]]:
    def path_of(template: str, draw: st.DrawFn) -> str:
        def one(m: re.Match[str]) -> str:
            if m.group(2) == "int":
                return str(draw(_ints()))
            if m.group(1) == "code":
                return quote(draw(st.one_of(st.sampled_from(list(codes)), _texts())), safe="")
            return quote(draw(_texts()), safe="")

        return _PARAM.sub(one, template)

    @st.composite
    def build(draw: st.DrawFn) -> tuple[str, str, dict[str, str], dict[str, list[str]] | bytes]:
        method, template = draw(st.sampled_from(list(table)))
        path = path_of(template, draw)
        query = draw(
            st.dictionaries(
                st.sampled_from((*NAMES, "lang", "page", "with", "by", "next")),
                _texts(),
                max_size=3,
            )
        )
        body: dict[str, list[str]] | bytes = draw(
            st.one_of(
                st.dictionaries(st.sampled_from(NAMES), st.lists(_texts(), max_size=3), max_size=6),
                st.binary(max_size=200),
            )
        )
        return method, path, query, body

    return build()


def fuzz(app: Litestar, database: Database, count: int, *, signed_in: str | None) -> Tally:
    """`count` random requests to `app` (anonymous, or as a person of the world)."""
    world, codes = seed(database)
    tally = Tally()
    table = routes(app)
    with TestClient(app=app, base_url="http://127.0.0.1") as client:
        if signed_in is not None:
            sign_in(client, world.email(signed_in))
        token = csrf_token(client, "/login" if signed_in is None else "/staff")

        @settings(
            max_examples=count,
            deadline=None,
            database=None,
            derandomize=False,
            suppress_health_check=list(HealthCheck),
        )
        @given(requests(table, codes))
        def one(request: tuple[str, str, dict[str, str], dict[str, list[str]] | bytes]) -> None:
            method, path, query, body = request
            headers = {"X-CSRF-Token": token}
            try:
                if method == "GET":
                    response = client.get(path, params=query, follow_redirects=False)
                elif isinstance(body, bytes):
                    response = client.post(
                        path, params=query, content=body, headers=headers, follow_redirects=False
                    )
                else:
                    form = {**body, "csrf_token": [token]}
                    response = client.post(
                        path, params=query, data=form, headers=headers, follow_redirects=False
                    )
                status = response.status_code
            except Exception as exc:  # an exception escaping the app is a failure too
                status = 599
                tally.failures.append(f"{method} {path!r}: {type(exc).__name__}: {exc}")
            tally.requests += 1
            tally.statuses[status] += 1
            if 500 <= status < 599:
                tally.failures.append(f"{method} {path!r} {query!r} {body!r}: {status}")

        one()
    return tally
