"""The running item counts equal a recomputation from the answers, whatever happened."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from qms.imports.csvfile import Row
from qms.imports.validate import validate_rows
from qms.methodology.answers import AnswerValue, is_shown
from qms.methodology.model import Methodology
from qms.store.counts import read_counts, rebuild_counts, recompute_counts
from qms.store.cycles import close_cycle, reopen_cycle
from qms.store.errors import StoreError
from qms.store.importing import import_responses
from qms.store.models import Cycle, ItemCount, Response
from qms.store.responses import (
    create_response,
    delete_response,
    response_answers,
    set_answer,
    submit_response,
)
from qms.store.snapshots import cycle_methodology


def _cell(value: AnswerValue) -> str:
    return "|".join(value) if isinstance(value, tuple) else str(value)


def _import(
    session: Session,
    cycle: Cycle,
    people: dict[str, tuple[str, dict[str, AnswerValue]]],
    replace: bool,
) -> None:
    rows, line = [], 1
    for key, (group, answers) in people.items():
        if not answers:  # a respondent who left everything blank still has a row
            first = next(iter(cycle_methodology(cycle).questionnaires[group].items))
            line += 1
            rows.append(Row(line, key, group, first.id, ""))
        for item_id, value in answers.items():
            line += 1
            rows.append(Row(line, key, group, item_id, _cell(value)))
    parsed = validate_rows(cycle_methodology(cycle), rows)
    assert parsed.errors == []
    import_responses(session, cycle, parsed, label="t.csv", replace=replace)


class _Script:
    """Random but reproducible work on one cycle, through the store's public functions."""

    def __init__(
        self, session: Session, cycle: Cycle, seed: int, random_answers: Callable[..., Any]
    ) -> None:
        self.session, self.cycle = session, cycle
        self.random_answers = random_answers
        self.m: Methodology = cycle_methodology(cycle)
        self.rng = random.Random(seed)
        self.imported: dict[str, str] = {}  # the file's respondent id -> group
        self.serial = 0
        self.individual = [g.id for g in self.m.groups if not g.is_consensus]

    def _answers(self, group: str) -> dict[str, AnswerValue]:
        return dict(self.random_answers(self.m, group, self.rng))

    def _ids(self) -> list[int]:
        query = select(Response.id).where(Response.cycle_id == self.cycle.id)
        return sorted(self.session.scalars(query))

    def import_new(self) -> None:
        people: dict[str, tuple[str, dict[str, AnswerValue]]] = {}
        for _ in range(self.rng.randint(1, 4)):
            group = self.rng.choice([g.id for g in self.m.groups])
            self.serial += 1
            key = f"r{self.serial}"
            if self.m.group(group).is_consensus and "consensus" not in self.imported:
                key = "consensus"
            people[key] = (group, self._answers(group))
            self.imported[key] = group
        _import(self.session, self.cycle, people, replace=False)

    def import_replace(self) -> None:
        if not self.imported:
            return
        key = self.rng.choice(sorted(self.imported))
        group = self.imported[key]
        if not self.m.group(group).is_consensus:
            # A replacement may move a respondent to another (individual) group.
            group = self.imported[key] = self.rng.choice(self.individual)
        # The respondent may have been deleted since: replacing then creates it anew.
        _import(self.session, self.cycle, {key: (group, self._answers(group))}, replace=True)

    def web(self) -> None:
        group = self.rng.choice(self.individual)
        response = create_response(self.session, self.cycle, group=group)
        for item_id, value in self._answers(group).items():
            set_answer(self.session, response, item_id, value)
        if self.rng.random() < 0.6:
            submit_response(self.session, response)

    def edit(self) -> None:
        ids = self._ids()
        if not ids:
            return
        response = self.session.get_one(Response, self.rng.choice(ids))
        item = self.rng.choice(list(self.m.questionnaires[response.group_id].items))
        # None clears; setting a condition item may hide (and so remove) later answers.
        value = self._answers(response.group_id).get(item.id)
        hidden = value is not None and not is_shown(item, response_answers(self.session, response))
        if hidden:  # refused: an item its condition hides takes no answer
            with pytest.raises(StoreError, match="not shown"):
                set_answer(self.session, response, item.id, value)
        else:
            set_answer(self.session, response, item.id, value)

    def delete(self) -> None:
        if ids := self._ids():
            delete_response(self.session, self.session.get_one(Response, self.rng.choice(ids)))

    def step(self) -> str:
        action = self.rng.choices(
            ["import_new", "import_replace", "web", "edit", "delete"], [4, 2, 3, 4, 1]
        )[0]
        getattr(self, action)()
        return action


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_incremental_counts_equal_a_recomputation(
    session: Session, cycle: Cycle, seed: int, random_answers: Callable[..., Any]
) -> None:
    script = _Script(session, cycle, seed, random_answers)
    done = []
    for number in range(30):
        done.append(script.step())
        if number == 20:
            close_cycle(session, cycle)  # unfinished web answers start to count
            session.commit()
            assert read_counts(session, cycle.id) == recompute_counts(session, cycle.id)
            reopen_cycle(session, cycle)
        session.commit()
        assert read_counts(session, cycle.id) == recompute_counts(session, cycle.id), done
    assert {"import_new", "edit"} <= set(done)
    assert sum(read_counts(session, cycle.id).values()) > 0


def test_the_consensus_record_counts_and_assessors_do_not(session: Session, cycle: Cycle) -> None:
    answers = {"org.direction": 75, "org.workload": 50, "org.waiting": 12.0}
    create_response(
        session,
        cycle,
        group="organisation",
        respondent="assessor:anna",
        source="paper",
        submitted=True,
        answers={"org.direction": 25},
    )
    assert read_counts(session, cycle.id) == {}
    create_response(
        session,
        cycle,
        group="organisation",
        respondent="consensus",
        source="paper",
        submitted=True,
        answers=answers,
    )
    session.commit()
    counts = read_counts(session, cycle.id)
    assert counts[("organisation", "org.direction", "75")] == 1
    assert ("organisation", "org.direction", "25") not in counts
    assert counts[("organisation", "org.evidence", "shown")] == 1
    assert counts[("organisation", "org.waiting", "answered")] == 1
    assert ("organisation", "org.evidence", "answered") not in counts


def test_a_when_condition_decides_shown_and_set_answer_drops_hidden_answers(
    session: Session, cycle: Cycle
) -> None:
    nurse = create_response(
        session,
        cycle,
        group="staff",
        source="paper",
        submitted=True,
        answers={"staff.role": "nurse", "staff.night": 7},
    )
    carer = create_response(
        session,
        cycle,
        group="staff",
        source="paper",
        submitted=True,
        answers={"staff.role": "carer"},
    )
    session.commit()
    counts = read_counts(session, cycle.id)
    assert counts[("staff", "staff.night", "shown")] == 1  # the carer never saw it
    assert counts[("staff", "staff.goals", "shown")] == 2
    with pytest.raises(StoreError, match="not shown"):
        set_answer(session, carer, "staff.night", 4)
    answers = set_answer(session, nurse, "staff.role", "other")
    session.commit()
    assert answers == {"staff.role": "other"}
    counts = read_counts(session, cycle.id)
    assert ("staff", "staff.night", "shown") not in counts
    assert ("staff", "staff.night", "7") not in counts
    assert counts == recompute_counts(session, cycle.id)


def test_unfinished_web_responses_count_when_the_cycle_closes(
    session: Session, cycle: Cycle
) -> None:
    started = create_response(session, cycle, group="clients")
    set_answer(session, started, "clients.respect", 3)
    create_response(session, cycle, group="clients")  # opened, never answered
    session.commit()
    assert read_counts(session, cycle.id) == {}
    assert close_cycle(session, cycle).unfinished == 1
    session.commit()
    counts = read_counts(session, cycle.id)
    assert counts[("clients", "clients.respect", "3")] == 1
    assert counts[("clients", "clients.outcome", "shown")] == 1
    assert started.status == "submitted"
    with pytest.raises(StoreError, match="closed"):
        create_response(session, cycle, group="clients")


def test_rebuild_repairs_counts_edited_by_hand(
    session: Session, cycle: Cycle, count_rows: Callable[[Session, type], int]
) -> None:
    create_response(
        session,
        cycle,
        group="clients",
        source="paper",
        submitted=True,
        answers={"clients.respect": 2, "clients.outcome": "dk"},
    )
    session.commit()
    row = session.get_one(ItemCount, (cycle.id, "clients", "clients.respect", "2"))
    row.count = 99
    session.commit()
    assert read_counts(session, cycle.id) != recompute_counts(session, cycle.id)
    rebuild_counts(session, cycle.id)
    session.commit()
    assert read_counts(session, cycle.id) == recompute_counts(session, cycle.id)
    assert count_rows(session, ItemCount) == len(recompute_counts(session, cycle.id))


def test_values_are_checked_on_every_path(session: Session, cycle: Cycle) -> None:
    response = create_response(session, cycle, group="staff")
    for item_id, bad in [
        ("staff.goals", 3),
        ("staff.goals", "na"),
        ("staff.role", "boss"),
        ("staff.training", ()),
        ("staff.years", 61),
        ("staff.comment", "x" * 21),
        ("clients.respect", 3),
    ]:
        with pytest.raises(StoreError) as caught:
            set_answer(session, response, item_id, bad)
        assert item_id in str(caught.value)
    session.rollback()
