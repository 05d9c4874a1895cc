"""Closing a cycle, or one group's collection, while respondents save: real threads on
both engines, through the respondent's save route.

After the close the stored counts equal a recount, no unfinished response has answers
inside the closed collection, every save got either "Saved" or the page a late save
gets (the closed questionnaire), and nothing was logged at ERROR."""

from __future__ import annotations

import logging
import random
import threading
import time
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import exists, select

from qms.app import create_app
from qms.settings import Settings
from qms.store.codes import create_codes
from qms.store.counts import read_counts, recompute_counts
from qms.store.cycles import asked_groups, close_cycle, create_cycle, get_cycle
from qms.store.db import Database
from qms.store.models import Answer, Response
from qms.store.orgs import create_organisation
from qms.store.releases import close_group
from qms.store.snapshots import read_snapshot
from tests.factories import csrf_token

QUESTIONNAIRES = Path(__file__).resolve().parents[2] / "questionnaires"
ITEMS = ["clients.respect", "clients.time", "clients.understanding", "clients.conditions"]
SAVERS = 4
ROUNDS = 3
SECRET_KEY = "test-secret-key-0123456789"


class Errors(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def app(database_url: str) -> Litestar:
    return create_app(Settings(database_url=database_url, secret_key=SECRET_KEY))


def _kind(status: int, location: str, text: str) -> str:
    if status == 200 and "Saved" in text:
        return "saved"
    if status == 410 and "Questionnaire closed" in text:
        return "closed"
    if status == 303 and location.endswith("/done"):
        return "done"  # the close submitted the response: the thank-you page
    return f"{status}: {text[:300]}"


def _round(app: Litestar, database: Database, year: int, how: str) -> None:
    with database.session() as s:
        cycle = create_cycle(
            s,
            create_organisation(s, f"Grupu māja {year}"),
            year,
            read_snapshot(QUESTIONNAIRES, "socquality"),
        )
        cycle_id = cycle.id
        codes = create_codes(s, cycle, "clients", SAVERS)
        s.commit()
    closed = threading.Event()
    barrier = threading.Barrier(SAVERS + 1)
    outcomes: list[list[tuple[bool, str]]] = [[] for _ in codes]
    failures: list[BaseException] = []

    def save(n: int) -> None:
        base = f"/a/{codes[n]}"
        try:
            barrier.wait(timeout=60)
            late = 0
            step = 0
            while late < 2 and step < 400:
                item = ITEMS[step % len(ITEMS)]
                after_close = closed.is_set()
                sent = client.post(
                    f"{base}/save/{item}",
                    data={item: str(1 + (step + n) % 5)},
                    headers=headers,
                    follow_redirects=False,
                )
                location = sent.headers.get("location", "")
                outcomes[n].append((after_close, _kind(sent.status_code, location, sent.text)))
                late += after_close
                step += 1
        except BaseException as exc:  # surfaced by the assertion below
            failures.append(exc)

    def close() -> None:
        try:
            barrier.wait(timeout=60)
            time.sleep(random.uniform(0.05, 0.4))
            with database.session() as s:
                found = get_cycle(s, cycle_id)
                if how == "cycle":
                    close_cycle(s, found)
                else:
                    close_group(s, found, "clients", asked=asked_groups(s, found), actor_id=None)
                s.commit()
            closed.set()
        except BaseException as exc:
            failures.append(exc)
            closed.set()

    # One client for every saver: a respondent is known by the code in the path, and
    # Litestar's test client is not made to be entered from several threads at once.
    with TestClient(app=app, base_url="http://127.0.0.1") as client:
        for code in codes:
            assert client.get(f"/a/{code}").status_code == 200  # starts the response
        headers = {
            "HX-Request": "true",
            "Accept-Language": "en",
            "X-CSRF-Token": csrf_token(client, f"/a/{codes[0]}/1"),
        }
        threads = [threading.Thread(target=save, args=(n,), daemon=True) for n in range(SAVERS)]
        threads.append(threading.Thread(target=close, daemon=True))
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
    assert not failures, failures
    with database.session() as s:
        assert read_counts(s, cycle_id) == recompute_counts(s, cycle_id)
        unfinished_with_answers = s.scalar(
            select(
                exists().where(
                    Response.cycle_id == cycle_id,
                    Response.status == "in_progress",
                    exists().where(Answer.response_id == Response.id),
                )
            )
        )
        assert not unfinished_with_answers

    kinds = {kind for saver in outcomes for _, kind in saver}
    assert kinds <= {"saved", "closed", "done"}, kinds
    # A save sent once the close had committed is refused as closed, for every saver.
    for saver in outcomes:
        late = [kind for after_close, kind in saver if after_close]
        assert late and set(late) <= {"closed", "done"}, saver[-5:]


@pytest.mark.parametrize("how", ["cycle", "group"])
def test_a_close_racing_saves_leaves_counts_equal_to_a_recount(
    app: Litestar, database_url: str, how: str
) -> None:
    database = Database(database_url)
    errors = Errors()
    root = logging.getLogger()
    root.addHandler(errors)
    try:
        for n in range(ROUNDS):
            _round(app, database, 2030 + n, how)
    finally:
        root.removeHandler(errors)
        database.dispose()
    assert not errors.records, [r.getMessage() for r in errors.records]
