"""Store fixtures: a session on each engine and a cycle of the test methodology."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qms.methodology.answers import AnswerValue, is_shown
from qms.methodology.model import Item, Methodology
from qms.store.cycles import create_cycle
from qms.store.db import Database
from qms.store.models import Cycle
from qms.store.orgs import create_organisation
from qms.store.snapshots import Snapshot, read_snapshot

METHODOLOGIES = Path(__file__).resolve().parents[1] / "fixtures" / "methodologies"


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    yield database
    database.dispose()


@pytest.fixture
def session(db: Database) -> Iterator[Session]:
    with db.session() as s:
        yield s


@pytest.fixture
def snapshot() -> Snapshot:
    return read_snapshot(METHODOLOGIES, "testq")


@pytest.fixture
def cycle(session: Session, snapshot: Snapshot) -> Cycle:
    org = create_organisation(session, "Dienas centrs Saulīte")
    made = create_cycle(session, org, 2025, snapshot)
    session.commit()
    return made


def _count_rows(session: Session, model: type) -> int:
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


@pytest.fixture
def count_rows() -> Callable[[Session, type], int]:
    """count_rows(session, Model): how many rows the model's table has."""
    return _count_rows


def _random_value(m: Methodology, item: Item, rng: random.Random) -> AnswerValue | None:
    if rng.random() < 0.15:
        return None
    if item.type == "scale":
        scale = m.item_scale(item)
        choices: list[AnswerValue] = [*scale.values(), *scale.missing_codes()]
        return rng.choice(choices)
    if item.type == "choice":
        return rng.choice([o.value for o in item.options])
    if item.type == "multi":
        options = [o.value for o in item.options]
        chosen = set(rng.sample(options, rng.randint(1, len(options))))
        return tuple(o for o in options if o in chosen)
    if item.type == "number":
        low, high = item.min or 0.0, item.max if item.max is not None else 100.0
        return round(rng.uniform(low, high), 1)
    return rng.choice(["fine", "could be better", "ok"])


def _random_answers(m: Methodology, group: str, rng: random.Random) -> dict[str, AnswerValue]:
    """Valid answers of one respondent: random values, blanks and missing codes, never an
    answer to an item that its `when` hides."""
    answers: dict[str, AnswerValue] = {}
    for item in m.questionnaires[group].items:
        if is_shown(item, answers) and (value := _random_value(m, item, rng)) is not None:
            answers[item.id] = value
    return answers


RandomAnswers = Callable[[Methodology, str, random.Random], dict[str, AnswerValue]]


@pytest.fixture
def random_answers() -> RandomAnswers:
    """random_answers(methodology, group, rng): one respondent's valid random answers."""
    return _random_answers
