"""Access codes: unguessable, single-use, bound to one response, dead once the cycle closes."""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qms.store.codes import (
    ALPHABET,
    CODE_LENGTH,
    code_counts,
    create_codes,
    create_open_link,
    normalise_code,
    resolve,
    start,
)
from qms.store.cycles import close_cycle, create_cycle
from qms.store.db import Database
from qms.store.errors import Conflict, StoreError
from qms.store.models import AccessCode, Cycle
from qms.store.orgs import create_organisation
from qms.store.responses import set_answer, submit_response
from qms.store.snapshots import read_snapshot

QUESTIONNAIRES = Path(__file__).resolve().parents[2] / "questionnaires"


@pytest.fixture
def session(database_url: str) -> Iterator[Session]:
    database = Database(database_url)
    with database.session() as s:
        yield s
    database.dispose()


@pytest.fixture
def cycle(session: Session) -> Cycle:
    org = create_organisation(session, "Dienas centrs Saulīte")
    made = create_cycle(session, org, 2026, read_snapshot(QUESTIONNAIRES, "socquality"))
    session.commit()
    return made


def test_codes_carry_at_least_40_bits_and_no_look_alikes() -> None:
    assert CODE_LENGTH * math.log2(len(ALPHABET)) >= 40
    assert not set("01OIL") & set(ALPHABET)


def test_typed_codes_ignore_case_spaces_and_dashes() -> None:
    assert normalise_code(" abcd-efgh 23 ") == "ABCDEFGH23"
    assert normalise_code("ABCD-EFGH-2O") is None  # a letter O is never part of a code
    assert normalise_code("short") is None


def test_a_batch_is_unique_and_each_code_resolves_to_its_group(
    session: Session, cycle: Cycle
) -> None:
    made = create_codes(session, cycle, "clients", 50)
    session.commit()
    assert len(set(made)) == 50
    target = resolve(session, made[0].lower())
    assert target is not None
    assert (target.cycle_id, target.group_id, target.response_id) == (cycle.id, "clients", None)
    assert resolve(session, "ABCD-EFGH-JK") is None


@pytest.mark.parametrize(
    ("group", "count", "message"),
    [
        ("nobody", 3, "unknown group"),
        ("organisation", 3, "working group"),
        ("clients", 0, "between"),
    ],
)
def test_bad_batches_are_refused(
    session: Session, cycle: Cycle, group: str, count: int, message: str
) -> None:
    with pytest.raises(StoreError, match=message):
        create_codes(session, cycle, group, count)


def test_a_code_opens_one_response_and_resumes_it(session: Session, cycle: Cycle) -> None:
    [code] = create_codes(session, cycle, "clients", 1)
    session.commit()
    first_code, first = start(session, resolve(session, code))  # type: ignore[arg-type]
    set_answer(session, first, "clients.respect", 4)
    session.commit()
    again_code, again = start(session, resolve(session, code))  # type: ignore[arg-type]
    assert (again_code, again.id) == (first_code, first.id)
    submit_response(session, again)
    session.commit()
    target = resolve(session, code)
    assert target is not None and target.submitted


def test_an_open_link_hands_out_personal_codes_up_to_its_cap(
    session: Session, cycle: Cycle
) -> None:
    link = create_open_link(session, cycle, "community", cap=2)
    session.commit()
    personal = [start(session, resolve(session, link))[0] for _ in range(2)]  # type: ignore[arg-type]
    session.commit()
    assert len(set(personal)) == 2
    assert normalise_code(link) not in personal
    spent = resolve(session, link)
    assert spent is not None and not spent.cycle_open
    with pytest.raises(Conflict):
        start(session, spent)
    # The personal codes still resume their own responses.
    mine = resolve(session, personal[0])
    assert mine is not None and mine.response_id is not None and mine.cycle_open


def test_codes_stop_working_when_the_cycle_closes(session: Session, cycle: Cycle) -> None:
    [code] = create_codes(session, cycle, "staff", 1)
    session.commit()
    close_cycle(session, cycle)
    session.commit()
    target = resolve(session, code)
    assert target is not None and not target.cycle_open
    with pytest.raises(Conflict):
        start(session, target)
    with pytest.raises(Conflict):
        create_codes(session, cycle, "staff", 1)


def test_counts_per_group_follow_the_codes(session: Session, cycle: Cycle) -> None:
    staff = create_codes(session, cycle, "staff", 3)
    create_codes(session, cycle, "clients", 2)
    session.commit()
    _, response = start(session, resolve(session, staff[0]))  # type: ignore[arg-type]
    start(session, resolve(session, staff[1]))  # type: ignore[arg-type]
    set_answer(session, response, "staff.goals", 5)
    submit_response(session, response)
    session.commit()
    counts = code_counts(session, cycle.id)
    assert (counts["staff"].issued, counts["staff"].started, counts["staff"].submitted) == (3, 2, 1)
    assert (counts["clients"].issued, counts["clients"].started) == (2, 0)
    assert session.scalar(select(func.count()).select_from(AccessCode)) == 5
