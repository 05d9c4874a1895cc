"""Typed answer values (qms.methodology.answers) to and from the columns of `answers`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, cast

from sqlalchemy import Table, bindparam, select
from sqlalchemy.orm import Session

from qms.methodology.answers import AnswerValue
from qms.methodology.model import Item
from qms.store.models import Answer

_CHUNK = 500  # keeps IN lists well below every driver's parameter limit
# Core statements on the table itself: bulk writes skip the ORM's per-object bookkeeping.
ANSWERS = cast(Table, Answer.__table__)


def answer_columns(item: Item, value: AnswerValue) -> dict[str, Any]:
    """The column values of one answer row (exactly one value column set)."""
    if item.type == "scale":
        return {"value_int": value} if isinstance(value, int) else {"missing": value}
    if item.type == "multi":
        return {"value_list": list(value) if isinstance(value, tuple) else [value]}
    if item.type == "number":
        return {"value_num": value}
    return {"value_text": value}


def answer_value(row: Answer | Any) -> AnswerValue:
    if row.value_int is not None:
        return int(row.value_int)
    if row.missing is not None:
        return str(row.missing)
    if row.value_list is not None:
        return tuple(str(v) for v in row.value_list)
    if row.value_num is not None:
        return float(row.value_num)
    return str(row.value_text)


def answer_rows(
    response_id: int, items: Mapping[str, Item], answers: Mapping[str, AnswerValue]
) -> list[dict[str, Any]]:
    """Parameters for a bulk insert; every value column is present so one statement fits all."""
    rows = []
    for item_id, value in answers.items():
        row: dict[str, Any] = {
            "response_id": response_id,
            "item_id": item_id,
            "value_int": None,
            "missing": None,
            "value_text": None,
            "value_list": None,
            "value_num": None,
        }
        row.update(answer_columns(items[item_id], value))
        rows.append(row)
    return rows


_ONE_RESPONSE = select(ANSWERS).where(ANSWERS.c.response_id == bindparam("response_id"))


def load_answers(
    session: Session, response_ids: Iterable[int]
) -> dict[int, dict[str, AnswerValue]]:
    """Every answer of the given responses, by response id (absent ids have none)."""
    ids = list(dict.fromkeys(response_ids))
    found: dict[int, dict[str, AnswerValue]] = {i: {} for i in ids}
    if len(ids) == 1:  # every respondent request: a statement built once
        for row in session.execute(_ONE_RESPONSE, {"response_id": ids[0]}):
            found[ids[0]][row.item_id] = answer_value(row)
        return found
    table = ANSWERS
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        for row in session.execute(select(table).where(table.c.response_id.in_(chunk))):
            found[row.response_id][row.item_id] = answer_value(row)
    return found
