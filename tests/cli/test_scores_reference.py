"""End to end against an independent implementation: random answers are written as a
CSV file, imported with `qms responses import`, scored with `qms scores --format json`,
and every figure is compared with the reference of tests/unit/scoring/test_reference.py,
which computes METHODOLOGY.md §3 from the raw answers (not from stored counts).

The fixture methodology has unevenly spaced scale values, a reversed item, item,
sub-criterion, criterion and group weights, a `when` condition, a range scale, and
groups whose minimum size the random data falls below about half the time.
"""

from __future__ import annotations

import csv
import json
import math
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from qms.methodology.loader import load_methodology
from tests.unit.scoring.strategies import Answer, Case
from tests.unit.scoring.test_reference import reference

METHODOLOGY = Path(__file__).resolve().parents[1] / "fixtures" / "methodologies" / "testq"
Qms = Callable[..., Any]


Answers = dict[str, dict[str, dict[str, Answer]]]


def _random_answers(rnd: random.Random) -> tuple[list[list[str]], Answers]:
    """(CSV rows, the same answers as the reference reads them: every counted respondent
    has an entry for each scale item shown to them, None where they gave no answer)."""
    rows: list[list[str]] = []
    answers: Answers = {"organisation": {}, "staff": {}, "clients": {}}

    def pick(values: list[int], missing: list[str]) -> Answer:
        roll = rnd.random()
        if roll < 0.12:
            return None
        if roll < 0.12 + 0.08 * len(missing):
            return rnd.choice(missing)
        return rnd.choice(values)

    def emit(respondent: str, group: str, item: str, answer: Answer) -> None:
        # A blank answer is sometimes an empty value, sometimes no row at all.
        if answer is None and rnd.random() < 0.5:
            return
        rows.append([respondent, group, item, "" if answer is None else str(answer)])

    for k in range(rnd.randint(0, 6)):
        rid = f"s{k}"
        role = rnd.choice(["carer", "nurse", "other"])
        rows.append([rid, "staff", "staff.role", role])
        mine: dict[str, Answer] = {}
        shown = ["staff.goals", "staff.pressure"] + (["staff.night"] if role == "nurse" else [])
        for item in shown:
            mine[item] = pick([1, 2, 4, 7], ["dk"])
            emit(rid, "staff", item, mine[item])
        answers["staff"][rid] = mine

    for k in range(rnd.randint(0, 4)):
        rid = f"c{k}"
        rows.append([rid, "clients", "clients.helper", rnd.choice(["yes", "no"])])
        mine = {}
        for item in ("clients.respect", "clients.outcome"):
            mine[item] = pick([1, 2, 3], ["dk", "na"])
            emit(rid, "clients", item, mine[item])
        answers["clients"][rid] = mine

    if rnd.random() < 0.85:
        mine = {}
        for item in ("org.direction", "org.workload", "org.results"):
            mine[item] = pick([0, 25, 50, 75, 100], [])
            emit("consensus", "organisation", item, mine[item])
        rows.append(["consensus", "organisation", "org.waiting", str(rnd.randint(0, 30))])
        answers["organisation"]["consensus"] = mine
    # A working-group member's own entry is stored and never scored.
    for item in ("org.direction", "org.workload", "org.results"):
        rows.append(["assessor-anna", "organisation", item, str(rnd.choice([0, 100]))])
    return rows, answers


def _close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


@pytest.mark.parametrize("seed", range(10))
def test_qms_scores_agrees_with_the_independent_reference(
    qms: Qms, new_cycle: Callable[..., int], tmp_path: Path, seed: int
) -> None:
    rnd = random.Random(seed)
    rows, answers = _random_answers(rnd)
    path = tmp_path / "answers.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["respondent", "group", "item", "value"])
        writer.writerows(rows)
    cycle = new_cycle(qms)
    imported = qms("responses", "import", "--cycle", str(cycle), str(path))
    assert imported.code == 0, imported.err
    scored = qms("scores", "--cycle", str(cycle), "--format", "json")
    assert scored.code == 0, scored.err
    got = json.loads(scored.out)

    methodology = load_methodology(METHODOLOGY)
    ref_items, ref_scores, ref_overall = reference(Case(methodology, answers))

    assert [(i["group"], i["item"]) for i in got["items"]] == list(ref_items)
    for item in got["items"]:
        expected = ref_items[(item["group"], item["item"])]
        for key in ("n", "dk", "na", "blank", "reportable", "histogram"):
            assert item[key] == expected[key], (item, key, expected[key])
        for key in ("mean", "sd", "top_box"):
            assert _close(item[key], expected[key]), (item, key, expected[key])

    assert {(s["node"], s["group"]) for s in got["scores"]} == set(ref_scores)
    for score in got["scores"]:
        value, groups = ref_scores[(score["node"], score["group"])]
        assert _close(score["score"], value), (score, value)
        if score["group"] is None:
            assert tuple(score["groups"]) == groups, score

    assert _close(got["overall"]["composite"], ref_overall["composite"])
    assert got["overall"]["by_group"].keys() == ref_overall["by_group"].keys()
    for group, value in ref_overall["by_group"].items():
        assert _close(got["overall"]["by_group"][group], value), group
