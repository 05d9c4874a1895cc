"""Saves of one response arriving at the same moment (htmx requests in flight) all land."""

from __future__ import annotations

import threading
from pathlib import Path

from qms.store.cycles import create_cycle
from qms.store.db import Database
from qms.store.models import Response
from qms.store.orgs import create_organisation
from qms.store.responses import create_response, response_answers, set_answer
from qms.store.snapshots import read_snapshot

QUESTIONNAIRES = Path(__file__).resolve().parents[2] / "questionnaires"
ITEMS = [
    "clients.respect",
    "clients.time",
    "clients.understanding",
    "clients.conditions",
    "clients.confidentiality",
    "clients.complex",
]


def test_parallel_saves_of_different_items_lose_nothing(database_url: str) -> None:
    database = Database(database_url)
    with database.session() as s:
        snapshot = read_snapshot(QUESTIONNAIRES, "socquality")
        cycle = create_cycle(s, create_organisation(s, "Grupu māja"), 2026, snapshot)
        response_id = create_response(s, cycle, group="clients").id
        s.commit()
    questionnaire_items = {i.id for i in snapshot.methodology.questionnaires["clients"].items}
    items = [i for i in ITEMS if i in questionnaire_items]
    assert len(items) >= 4
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(items))

    def save(item_id: str) -> None:
        try:
            with database.session() as s:
                response = s.get_one(Response, response_id)
                barrier.wait()
                set_answer(s, response, item_id, 4)
                s.commit()
        except BaseException as exc:  # surfaced by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=save, args=(i,)) for i in items]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    with database.session() as s:
        stored = response_answers(s, s.get_one(Response, response_id))
    database.dispose()
    assert not errors, errors
    assert stored == dict.fromkeys(items, 4)


def test_parallel_saves_of_one_item_keep_one_answer(database_url: str) -> None:
    # A double click or a quick change of mind: the same item saved twice at once.
    database = Database(database_url)
    with database.session() as s:
        cycle = create_cycle(
            s,
            create_organisation(s, "Dienas centrs"),
            2026,
            read_snapshot(QUESTIONNAIRES, "socquality"),
        )
        response_id = create_response(s, cycle, group="clients", answers={"clients.respect": 3}).id
        s.commit()
    values = [1, 2, 4, 5, 1, 2]
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(values))

    def save(value: int) -> None:
        try:
            with database.session() as s:
                response = s.get_one(Response, response_id)
                barrier.wait()
                set_answer(s, response, "clients.respect", value)
                s.commit()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=save, args=(v,)) for v in values]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    with database.session() as s:
        stored = response_answers(s, s.get_one(Response, response_id))
    database.dispose()
    assert not errors, errors
    assert stored["clients.respect"] in values
