"""Declared forms of running a cycle and releasing a network's figures, and the consensus
notes: a body with a field missing, of the wrong type, out of range, or with a field the
form does not declare is answered with the page again, the message next to the field (or
in the release panel's summary, for the hidden year), and nothing in the database changed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import httpx
import pytest
from litestar import Litestar
from litestar.testing import TestClient

from qms.store.cycles import close_cycle, get_cycle
from qms.store.db import Database
from qms.web.respond.views import dom_id
from tests.factories import make_cycle
from tests.web.conftest import World
from tests.web.test_forms import UNKNOWN, _everything, _fill
from tests.web.test_network_releases import _join

Client = TestClient[Litestar]
Post = Callable[..., httpx.Response]
YEAR = "Enter a year from 2000 to 2100."
TARGET = "Enter the target as a whole number from 1 to 100000"
NETWORK_YEAR = "Choose a year that the network has."
DATE = "Enter the reporting date as YYYY-MM-DD"
NEW = "/staff/organisations/{org}/cycles/new"
RELEASE = "/staff/networks/{net}/releases"
REPORT_DATE = "/staff/networks/{net}/report-date"


@dataclass(frozen=True)
class Case:
    who: str
    path: str  # {cycle}, {org}, {net} filled in
    body: dict[str, str]  # a body the form takes
    change: dict[str, str | None]  # what to send instead (None: leave the field out)
    field: str | None  # the id whose "-error" message it is; None: the summary only
    message: str  # its start, in English
    cycle: str = "open"  # the state of the cycle the path names


def _cases() -> dict[str, Case]:
    new = {
        "methodology": "socquality",
        "year": "2031",
        "group:staff": "yes",
        "target:staff": "10",
    }
    year = {"year": "2024", "methodology": "testq"}
    date = year | {"release_on": "2030-03-31"}
    notes = {"org.mission": "60", "evidence:org.mission": "Minutes of 3 May"}
    item = dom_id("org.mission")
    return {
        "new-missing": Case("head", NEW, new, {"year": None}, "year", YEAR),
        "new-type": Case("head", NEW, new, {"year": "twenty"}, "year", YEAR),
        "new-range": Case("head", NEW, new, {"year": "1999"}, "year", YEAR),
        "new-target-type": Case("head", NEW, new, {"target:staff": "many"}, "target:staff", TARGET),
        "new-target-range": Case(
            "head", NEW, new, {"target:staff": "100001"}, "target:staff", TARGET
        ),
        "new-box": Case(
            "head",
            NEW,
            new,
            {"group:staff": "maybe"},
            "groups",
            "Check this field: its value is not one the form offers.",
        ),
        "new-no-group": Case(
            "head", NEW, new, {"group:staff": None}, "groups", "Choose at least one group."
        ),
        "new-extra": Case("head", NEW, new, {"group:wizards": "yes"}, "methodology", UNKNOWN),
        "close-missing": Case(
            "head",
            "/staff/cycles/{cycle}/close",
            {"confirm": "yes"},
            {"confirm": None},
            "confirm",
            "Tick the box to confirm",
        ),
        "close-wrong": Case(
            "head",
            "/staff/cycles/{cycle}/close",
            {"confirm": "yes"},
            {"confirm": "1"},
            "confirm",
            "Tick the box to confirm",
        ),
        "close-extra": Case(
            "head",
            "/staff/cycles/{cycle}/close",
            {"confirm": "yes"},
            {"force": "1"},
            "confirm",
            UNKNOWN,
        ),
        "reopen-missing": Case(
            "head",
            "/staff/cycles/{cycle}/reopen",
            {"reason": "A late paper form"},
            {"reason": None},
            "reason",
            "Give the reason for reopening",
            cycle="closed",
        ),
        "reopen-range": Case(
            "head",
            "/staff/cycles/{cycle}/reopen",
            {"reason": "A late paper form"},
            {"reason": "x" * 501},
            "reason",
            "Give the reason for reopening",
            cycle="closed",
        ),
        "reopen-extra": Case(
            "head",
            "/staff/cycles/{cycle}/reopen",
            {"reason": "A late paper form"},
            {"until": "2030-01-01"},
            "reason",
            UNKNOWN,
            cycle="closed",
        ),
        "release-missing": Case("coordinator", RELEASE, year, {"year": None}, None, NETWORK_YEAR),
        "release-type": Case("coordinator", RELEASE, year, {"year": "last"}, None, NETWORK_YEAR),
        "release-range": Case("coordinator", RELEASE, year, {"year": "2025"}, None, NETWORK_YEAR),
        "release-extra": Case("coordinator", RELEASE, year, {"seq": "2"}, None, UNKNOWN),
        "date-missing": Case(
            "coordinator", REPORT_DATE, date, {"release_on": None}, "release_on", DATE
        ),
        "date-type": Case(
            "coordinator", REPORT_DATE, date, {"release_on": "31.03.2030"}, "release_on", DATE
        ),
        "date-range": Case(
            "coordinator", REPORT_DATE, date, {"release_on": "1999-12-31"}, "release_on", DATE
        ),
        "date-year": Case(
            "coordinator", REPORT_DATE, date, {"methodology": "other"}, None, NETWORK_YEAR
        ),
        "date-extra": Case(
            "coordinator", REPORT_DATE, date, {"notify": "yes"}, "release_on", UNKNOWN
        ),
        "notes-range": Case(
            "head",
            "/staff/cycles/{cycle}/consensus",
            notes,
            {"evidence:org.mission": "x" * 2001},
            item,
            "A note can have up to 2000 characters",
        ),
        "score-range": Case(
            "head",
            "/staff/cycles/{cycle}/consensus",
            notes,
            {"org.mission": "101"},
            item,
            "Choose a score from the scale.",
        ),
    }


CASES = _cases()


def _ids(database: Database, world: World, case: Case) -> dict[str, int]:
    cycle_id = make_cycle(database, year=2025)
    if case.cycle == "closed":
        with database.session() as s:
            close_cycle(s, get_cycle(s, cycle_id))
            s.commit()
    if case.path.startswith("/staff/networks"):
        _join(database, world.net_1, [0, 25, 50], release=False)
    return {"cycle": cycle_id, "org": world.org_a, "net": world.net_1}


def _body(case: Case, ids: dict[str, int]) -> dict[str, str]:
    body = {k: _fill(v, ids) for k, v in case.body.items()}
    for key, value in case.change.items():
        if value is None:
            body.pop(key, None)
        else:
            body[key] = value
    return body


@pytest.mark.parametrize("name", list(CASES))
def test_a_malformed_body_is_refused_next_to_its_field(
    client: Client,
    world: World,
    database: Database,
    sign_in: Callable[..., httpx.Response],
    form_post: Post,
    name: str,
) -> None:
    case = CASES[name]
    ids = _ids(database, world, case)
    sign_in(client, world.email(case.who))
    before = _everything(database)
    response = form_post(client, _fill(case.path, ids) + "?lang=en", _body(case, ids))
    assert response.status_code == 422, response.text[:2000]
    page = response.text
    if case.field is not None:
        start = page.index(f'id="{case.field}-error"')
        assert case.message in page[start : start + 400], page[start : start + 400]
    else:
        summary = page.index('id="error-summary-title"')
        assert case.message in page[summary : summary + 600], page[summary : summary + 600]
    assert _everything(database) == before


@pytest.mark.parametrize(
    "name", ["new-missing", "close-missing", "reopen-missing", "release-missing", "date-missing"]
)
def test_the_bodies_these_cases_start_from_are_taken(
    client: Client,
    world: World,
    database: Database,
    sign_in: Callable[..., httpx.Response],
    form_post: Post,
    name: str,
) -> None:
    """The cases above fail only by what they change: the bodies they start from work."""
    case = CASES[name]
    ids = _ids(database, world, case)
    sign_in(client, world.email(case.who))
    response = form_post(
        client, _fill(case.path, ids), {k: _fill(v, ids) for k, v in case.body.items()}
    )
    assert response.status_code == 303, response.text[:2000]
