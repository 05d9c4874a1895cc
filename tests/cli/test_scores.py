"""`qms scores`: an imported file scored by hand, through the real command.

Normalised values (METHODOLOGY.md §3.2) on the fixture's scales:
  uneven (1, 2, 4, 7): 1 -> 0, 2 -> 100/6, 4 -> 50, 7 -> 100; reversed: 100 - s
  three (1, 2, 3): 1 -> 0, 2 -> 50, 3 -> 100;   panel (0..100): the value itself
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Callable
from fractions import Fraction as F
from pathlib import Path
from typing import Any

import pytest

Qms = Callable[..., Any]

ANSWERS = """respondent,group,item,value
s1,staff,staff.role,carer
s1,staff,staff.goals,7
s1,staff,staff.pressure,2
s1,staff,staff.training,first_aid|rights
s1,staff,staff.years,3
s2,staff,staff.role,nurse
s2,staff,staff.goals,4
s2,staff,staff.pressure,1
s2,staff,staff.night,4
s2,staff,staff.years,"10,5"
s3,staff,staff.role,nurse
s3,staff,staff.goals,dk
s3,staff,staff.pressure,4
s3,staff,staff.night,7
s4,staff,staff.role,carer
s4,staff,staff.goals,2
s4,staff,staff.pressure,
s5,staff,staff.role,other
s5,staff,staff.goals,7
c1,clients,clients.respect,3
c1,clients,clients.outcome,2
c1,clients,clients.helper,yes
c2,clients,clients.respect,na
c2,clients,clients.outcome,3
c3,clients,clients.respect,2
c3,clients,clients.outcome,dk
c4,clients,clients.respect,3
consensus,organisation,org.direction,75
consensus,organisation,org.workload,50
consensus,organisation,org.results,100
consensus,organisation,org.waiting,12
anna,organisation,org.direction,0
anna,organisation,org.workload,0
anna,organisation,org.results,0
"""

ITEM_KEYS = {
    "group",
    "item",
    "n",
    "dk",
    "na",
    "blank",
    "mean",
    "sd",
    "top_box",
    "histogram",
    "reportable",
}

# Hand-computed (group weights: organisation 1, staff 2, clients 1; sub-criteria 1.1: 2,
# 1.2: 1; criteria 1: 1, 2: 3; clients.respect weight 2 but alone in its leaf).
GOALS = F(200, 3)  # (100 + 50 + 100/6 + 100) / 4
PRESSURE = F(700, 9)  # (250/3 + 100 + 50) / 3, reversed
STAFF_1 = (2 * GOALS + PRESSURE) / 3  # 1900/27
RESPECT = F(250, 3)  # (100 + 50 + 100) / 3
OUTCOME = F(75)  # (50 + 100) / 2
ORG_1 = (2 * F(75) + F(50)) / 3  # 200/3
EXPECTED_SCORES: dict[tuple[str, str | None], Any] = {
    ("1.1", "organisation"): F(75),
    ("1.1", "staff"): GOALS,
    ("1.1", "clients"): RESPECT,
    ("1.1", None): (F(75) + 2 * GOALS + RESPECT) / 4,
    ("1.2", "organisation"): F(50),
    ("1.2", "staff"): PRESSURE,
    ("1.2", "clients"): None,
    ("1.2", None): (F(50) + 2 * PRESSURE) / 3,
    ("1", "organisation"): ORG_1,
    ("1", "staff"): STAFF_1,
    ("1", "clients"): RESPECT,
    ("1", None): (ORG_1 + 2 * STAFF_1 + RESPECT) / 4,
    ("2", "organisation"): F(100),
    ("2", "staff"): None,  # staff.night has n = 2 < min_n 3: left out
    ("2", "clients"): OUTCOME,
    ("2", None): (F(100) + OUTCOME) / 2,
}
OVERALL = {
    "composite": (EXPECTED_SCORES[("1", None)] + 3 * EXPECTED_SCORES[("2", None)]) / 4,
    "by_group": {
        "organisation": (ORG_1 + 3 * F(100)) / 4,
        "staff": STAFF_1,
        "clients": (RESPECT + 3 * OUTCOME) / 4,
    },
}


def _close(actual: float | None, expected: F | None) -> bool:
    if expected is None or actual is None:
        return actual is expected
    return math.isclose(actual, float(expected), rel_tol=1e-12)


@pytest.fixture
def scored(qms: Qms, new_cycle: Callable[..., int], tmp_path: Path) -> tuple[Qms, int]:
    cycle = new_cycle(qms)
    path = tmp_path / "answers.csv"
    path.write_text(ANSWERS, encoding="utf-8")
    done = qms("responses", "import", "--cycle", str(cycle), str(path))
    assert done.code == 0, done.err
    assert "warning: " in done.err  # c4 left the required clients.outcome out
    return qms, cycle


def test_json_scores_match_the_hand_computation(scored: tuple[Qms, int]) -> None:
    qms, cycle = scored
    outcome = qms("scores", "--cycle", str(cycle), "--format", "json")
    assert outcome.code == 0, outcome.err
    doc = json.loads(outcome.out)
    assert set(doc) == {"cycle", "source", "items", "scores", "overall"}
    assert doc["source"] == "live"  # an open cycle: the operator's look, no page's
    assert doc["cycle"] == {
        "id": cycle,
        "organisation": "Dienas centrs Saulīte",
        "year": 2025,
        "methodology": "testq",
        "version": "1.0",
        "status": "open",
    }
    assert all(set(item) == ITEM_KEYS for item in doc["items"])
    assert all(set(score) == {"node", "group", "score", "groups"} for score in doc["scores"])
    assert set(doc["overall"]) == {"composite", "by_group"}
    items = {(i["group"], i["item"]): i for i in doc["items"]}
    # Only scale items are scored, in every group of the methodology.
    assert set(items) == {
        ("organisation", "org.direction"),
        ("organisation", "org.workload"),
        ("organisation", "org.results"),
        ("staff", "staff.goals"),
        ("staff", "staff.pressure"),
        ("staff", "staff.night"),
        ("clients", "clients.respect"),
        ("clients", "clients.outcome"),
    }

    goals = items[("staff", "staff.goals")]
    assert (goals["n"], goals["dk"], goals["na"], goals["blank"]) == (4, 1, 0, 0)
    assert _close(goals["mean"], GOALS)
    assert math.isclose(goals["sd"] ** 2, 5000 / 3, rel_tol=1e-12)
    assert goals["top_box"] == 0.75
    assert goals["histogram"] == {"1": 0, "2": 1, "4": 1, "7": 2}
    assert goals["reportable"] is True

    pressure = items[("staff", "staff.pressure")]
    assert (pressure["n"], pressure["blank"]) == (3, 2)  # s4's empty value, s5's absent row
    assert _close(pressure["mean"], PRESSURE)
    assert pressure["top_box"] == pytest.approx(2 / 3, rel=1e-15)  # raw 1 and 2 are best

    night = items[("staff", "staff.night")]  # shown to the two nurses only
    assert night == {
        "group": "staff",
        "item": "staff.night",
        "n": 2,
        "dk": 0,
        "na": 0,
        "blank": 0,
        "mean": None,
        "sd": None,
        "top_box": None,
        "histogram": None,
        "reportable": False,
    }

    respect = items[("clients", "clients.respect")]
    assert (respect["n"], respect["dk"], respect["na"], respect["blank"]) == (3, 0, 1, 0)
    assert _close(respect["mean"], RESPECT)
    outcome_item = items[("clients", "clients.outcome")]
    assert (outcome_item["n"], outcome_item["dk"], outcome_item["blank"]) == (2, 1, 1)
    assert outcome_item["sd"] == pytest.approx(math.sqrt(1250), rel=1e-12)

    direction = items[("organisation", "org.direction")]  # the assessor's 0 never counts
    assert (direction["n"], direction["mean"], direction["sd"]) == (1, 75.0, None)
    assert direction["top_box"] is None  # a range scale has no top box
    assert direction["histogram"] == {"0": 0, "25": 0, "50": 0, "75": 1, "100": 0}

    scores = {(s["node"], s["group"]): s for s in doc["scores"]}
    assert set(scores) == set(EXPECTED_SCORES)
    for key, expected in EXPECTED_SCORES.items():
        assert _close(scores[key]["score"], expected), key
    assert scores[("2", None)]["groups"] == ["organisation", "clients"]
    assert scores[("1", None)]["groups"] == ["organisation", "staff", "clients"]
    assert scores[("2", "staff")]["groups"] == []
    assert _close(doc["overall"]["composite"], OVERALL["composite"])
    for group, expected in OVERALL["by_group"].items():
        assert _close(doc["overall"]["by_group"][group], expected), group


def test_a_closed_cycle_prints_its_release(scored: tuple[Qms, int], tmp_path: Path) -> None:
    qms, cycle = scored
    live = json.loads(qms("scores", "--cycle", str(cycle)).out)
    assert qms("cycle", "close", "--cycle", str(cycle)).code == 0
    released = json.loads(qms("scores", "--cycle", str(cycle)).out)
    assert released["source"] == "release" and released["cycle"]["status"] == "closed"
    # The release is the state at the close: the same numbers as just before it.
    for key in ("items", "scores", "overall"):
        assert released[key] == live[key], key

    # One more staff answer after a reopen is fewer than min_n changes: the close keeps
    # the release, and so does `qms scores`, while the live figures have moved on.
    assert qms("cycle", "reopen", "--cycle", str(cycle)).code == 0
    extra = tmp_path / "extra.csv"
    extra.write_text("respondent,group,item,value\ns6,staff,staff.goals,1\n", encoding="utf-8")
    assert qms("responses", "import", "--cycle", str(cycle), str(extra)).code == 0
    moved = json.loads(qms("scores", "--cycle", str(cycle)).out)
    assert moved["source"] == "live" and moved["scores"] != live["scores"]
    closed = qms("cycle", "close", "--cycle", str(cycle))
    assert closed.code == 0 and "keeps release 1" in closed.err
    kept = json.loads(qms("scores", "--cycle", str(cycle)).out)
    assert kept["source"] == "release"
    assert kept["scores"] == live["scores"] and kept["items"] == live["items"]


def test_csv_scores_carry_the_same_numbers(scored: tuple[Qms, int]) -> None:
    qms, cycle = scored
    as_json = json.loads(qms("scores", "--cycle", str(cycle)).out)  # json is the default
    outcome = qms("scores", "--cycle", str(cycle), "--format", "csv")
    assert outcome.code == 0, outcome.err
    rows = list(csv.DictReader(io.StringIO(outcome.out)))
    assert [r["record"] for r in rows] == (
        ["item"] * len(as_json["items"]) + ["score"] * len(as_json["scores"]) + ["overall"] * 4
    )
    goals = next(r for r in rows if r["item"] == "staff.goals")
    assert float(goals["mean"]) == next(
        i["mean"] for i in as_json["items"] if i["item"] == "staff.goals"
    )  # full precision survives the text
    assert goals["histogram"] == "1:0|2:1|4:1|7:2"
    assert goals["reportable"] == "true"
    night = next(r for r in rows if r["item"] == "staff.night")
    assert (night["n"], night["mean"], night["histogram"], night["reportable"]) == (
        "2",
        "",
        "",
        "false",
    )
    composite = next(
        r for r in rows if r["record"] == "score" and r["node"] == "2" and r["group"] == ""
    )
    assert composite["groups"] == "organisation|clients"
    assert float(composite["score"]) == 87.5
    overall = next(r for r in rows if r["record"] == "overall" and r["group"] == "")
    assert float(overall["score"]) == as_json["overall"]["composite"]


def test_scores_of_an_empty_or_unknown_cycle(qms: Qms, new_cycle: Callable[..., int]) -> None:
    cycle = new_cycle(qms)
    doc = json.loads(qms("scores", "--cycle", str(cycle)).out)
    assert all(i["n"] == 0 and i["reportable"] is False for i in doc["items"])
    assert doc["overall"] == {
        "composite": None,
        "by_group": {"organisation": None, "staff": None, "clients": None},
    }
    missing = qms("scores", "--cycle", "4242")
    assert missing.code == 1
    assert missing.err_lines == ["qms: error: no cycle with id 4242"]
