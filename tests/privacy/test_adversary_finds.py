"""The adversary finds leaks where there are some: every attack against observations
with a leak planted in them, and the whole harness against the app with a leak put back
(the API reading live figures; the network rule showing everything). Without these, an
adversary that finds nothing would prove nothing.
"""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from qms.disclosure import network as network_rule
from qms.methodology.model import Methodology
from qms.store.scores import live_scores
from qms.web import api
from tests.privacy import attacks, comment_attacks, row_attacks
from tests.privacy.adversary import cycle_leaks
from tests.privacy.cycle_world import CycleWorld
from tests.privacy.env import Env, snapshot_testq
from tests.privacy.network_attacks import network_attacks, recovered, statistics
from tests.privacy.network_world import NetworkWorld
from tests.privacy.records import (
    SUPPRESSED,
    CellFigure,
    Comments,
    Document,
    ExportRows,
    ItemFigure,
    NetStat,
    Observation,
)
from tests.privacy.test_network_attack import SCORES

K = {"staff": 3, "clients": 2, "organisation": 1}
M: Methodology = snapshot_testq().methodology


def _obs(step: int, release: str = "1:5", **parts: object) -> Observation:
    obs = Observation(step, f"step {step}")
    obs.releases = {(1, "staff"): release, (1, "clients"): release}
    for name, value in parts.items():
        getattr(obs, name).extend(value)
    return obs


def _goals(counts: Mapping[str, int], source: str = "api", mean: float | None = 50.0) -> ItemFigure:
    full = {"dk": 0, "na": 0, "blank": 0, **counts}
    full["n"] = sum(v for c, v in counts.items() if c not in ("dk", "na", "blank"))
    return ItemFigure(source, 1, "staff", "staff.goals", full, mean)


def _kinds(leaks: list[attacks.Leak]) -> set[str]:
    return {leak.attack for leak in leaks}


def test_subtraction_finds_one_answer_more_and_not_three() -> None:
    before = _obs(0, items=[_goals({"1": 2, "4": 2, "7": 1})])
    one_more = _obs(1, items=[_goals({"1": 2, "4": 3, "7": 1})])  # the same release
    next_release = _obs(1, "2:6", items=[_goals({"1": 2, "4": 3, "7": 1})])
    three_more = _obs(1, "2:8", items=[_goals({"1": 3, "4": 3, "7": 2})])
    assert _kinds(attacks.subtraction([before, one_more], K)) == {"subtraction"}
    assert _kinds(attacks.subtraction([before, next_release], K)) == {"per-item-subtraction"}
    assert attacks.subtraction([before, three_more], K) == []
    # Three more respondents, one of whom answered and two left it blank, are three.
    blanks = _obs(1, "2:8", items=[_goals({"1": 2, "4": 3, "7": 1, "blank": 2})])
    assert attacks.subtraction([before, blanks], K) == []


def test_thresholds_and_agreement_find_a_figure_too_many() -> None:
    small = _obs(0, items=[_goals({"4": 2})])
    assert _kinds(attacks.thresholds([small], K)) == {"threshold"}
    page = _goals({"1": 2, "4": 2, "7": 1}, "item-page", mean=40.0)
    disagree = _obs(0, items=[_goals({"1": 2, "4": 2, "7": 1}), page])
    assert _kinds(attacks.agreement(disagree)) == {"agreement"}


def test_breakdown_remainder_and_cells() -> None:
    cells = [
        CellFigure("breakdown", 1, "staff.role", "staff.goals", "carer", 5, 60.0),
        CellFigure("breakdown", 1, "staff.role", "staff.goals", "nurse", None, None),
        CellFigure("breakdown", 1, "staff.role", "staff.goals", "other", None, None),
    ]
    obs = _obs(0, items=[_goals({"1": 2, "4": 3, "7": 2})], cells=cells)
    assert _kinds(attacks.breakdown_remainder(obs, K)) == {"breakdown-remainder"}
    later = _obs(
        1, "2:9", cells=[CellFigure("breakdown", 1, "staff.role", "staff.goals", "carer", 6, 55.0)]
    )
    assert _kinds(attacks.cell_subtraction([obs, later], K)) == {"cell-subtraction"}


def test_release_invariance_finds_an_output_that_moves_alone() -> None:
    a = _obs(0, documents=[Document("report", "cycle 1", "x")])
    b = _obs(1, documents=[Document("report", "cycle 1", "y")])
    assert _kinds(attacks.release_invariance([a, b])) == {"release-invariance"}
    c = _obs(1, "2:9", documents=[Document("report", "cycle 1", "y")])
    assert attacks.release_invariance([a, c]) == []


def _rows(roles: list[str], goals: list[int]) -> ExportRows:
    return ExportRows(
        "csv",
        1,
        "staff",
        tuple(f"staff-{i:04x}" for i in range(len(roles))),
        tuple({"staff.role": r, "staff.goals": str(g)} for r, g in zip(roles, goals, strict=True)),
    )


def test_answer_rows_single_out_a_class_below_k() -> None:
    unique = _obs(0, exports=[_rows(["carer"] * 4 + ["nurse"], [1, 2, 4, 7, 4])])
    assert _kinds(row_attacks.k_anonymity(unique, M, K)) == {"k-anonymity"}
    one_marker = _obs(0, exports=[_rows(["carer"] * 4 + [SUPPRESSED], [1, 2, 4, 7, 4])])
    assert _kinds(row_attacks.k_anonymity(one_marker, M, K)) == {"k-anonymity"}
    fine = _obs(0, exports=[_rows(["carer"] * 3 + [SUPPRESSED] * 3, [1, 2, 4, 7, 4, 1])])
    assert row_attacks.k_anonymity(fine, M, K) == []


def test_a_breakdown_cell_places_suppressed_rows() -> None:
    # Three carers shown, three suppressed (two carers and the nurse); the carer cell of
    # n 5 and mean 60 (goals 7, 7, 4 shown: 100 + 100 + 50; the missing 50 + 50) names
    # the two suppressed rows with goals 4: the row with goals 1 is the nurse's.
    rows = _rows(["carer"] * 3 + [SUPPRESSED] * 3, [7, 7, 4, 4, 4, 1])
    cell = CellFigure("breakdown", 1, "staff.role", "staff.goals", "carer", 5, 60.0)
    obs = _obs(0, exports=[rows], cells=[cell])
    assert _kinds(row_attacks.breakdown_link(obs, M, K)) == {"breakdown-link"}


def test_labels_order_merging_and_row_differences() -> None:
    rows = _rows(["carer"] * 8, [1, 2, 4, 7, 1, 2, 4, 7])
    downloads = [_obs(i, exports=[rows]) for i in range(3)]
    assert _kinds(row_attacks.labels_and_order(downloads, M)) == {"labels", "row-order"}
    a = _rows(["carer", "carer", SUPPRESSED, SUPPRESSED], [1, 2, 4, 7])
    b = _rows([SUPPRESSED, SUPPRESSED, "nurse", "carer"], [1, 2, 4, 7])
    merged = [_obs(0, exports=[a]), _obs(1, exports=[b])]
    assert _kinds(row_attacks.merging(merged, M, K)) == {"merge"}
    grown = _rows(["carer"] * 9, [1, 2, 4, 7, 1, 2, 4, 7, 4])
    assert _kinds(
        row_attacks.row_differences([downloads[0], _obs(1, "2:9", exports=[grown])], K)
    ) == {"row-difference"}


def test_comments_below_k_hidden_on_rows_and_in_order() -> None:
    few = _obs(0, "1:2", comments=[Comments("report", 1, "staff.comment", ("Tired.",))])
    assert _kinds(comment_attacks.comment_attacks([few], M, K)) == {"comment-threshold"}
    hidden = _obs(0, comments=[Comments("report", 1, "staff.comment", ("Names Anna.",))])
    assert _kinds(comment_attacks.comment_attacks([hidden], M, K, ["Names Anna."])) == {
        "comment-hidden"
    }
    texts = tuple(f"comment {i}" for i in range(10))
    same = [
        _obs(i, comments=[Comments("comments-page", 1, "staff.comment", texts)]) for i in range(2)
    ]
    assert _kinds(comment_attacks.comment_attacks(same, M, K)) == {"comment-order"}
    on_row = ExportRows(
        "csv",
        1,
        "staff",
        ("a", "b", "c"),
        tuple({"staff.role": "carer", "staff.comment": t} for t in ("x", "y", "z")),
    )
    assert _kinds(comment_attacks.comment_attacks([_obs(0, exports=[on_row])], M, K)) == {
        "comment-on-row"
    }


def _net(
    step: int,
    truth: Mapping[int, float],
    named: Mapping[int, float],
    values: Mapping[str, float] | None = None,
) -> Observation:
    obs = Observation(step, f"step {step}")
    obs.net_truth[1, 2025, "testq", "overall", None] = dict(truth)
    obs.net_named[1] = set(named)
    every = statistics(list(truth.values()))
    shown = (
        values if values is not None else {k: every[k] for k in ("min", "max", "median", "mean")}
    )
    obs.net.append(
        NetStat("api", 1, 2025, "testq", "overall", None, len(truth), shown, dict(named))
    )
    return obs


def test_order_statistics_give_the_third_organisation_away() -> None:
    leaks = network_attacks([_net(0, {1: 40.0, 2: 55.0, 3: 68.26}, {1: 40.0, 2: 55.0})])
    assert _kinds(leaks) == {"order-statistics"} and "3: 68.26" in leaks[0].detail
    assert network_attacks([_net(0, {i: 10.0 * i for i in range(1, 7)}, {1: 10.0})]) == []
    # Q1, median and Q3 of three with one's own known: the other two.
    got = recovered({1: 20.0, 2: 50.0, 3: 90.0}, {2}, {"q1": 35.0, "median": 50.0, "q3": 70.0})
    assert got == pytest.approx({1: 20.0, 3: 90.0})


def test_network_subtraction_consent_and_releases() -> None:
    five = {i: 10.0 * i for i in range(1, 6)}
    six = {**five, 6: 77.0}
    leaks = network_attacks([_net(0, five, {}), _net(1, six, {})])
    assert _kinds(leaks) == {"network-subtraction"}
    unconsented = _net(0, six, {6: 77.0})
    unconsented.net_named[1] = set()
    assert "named-without-consent" in _kinds(network_attacks([unconsented]))
    unreleased = _net(0, six, {})
    unreleased.net_truth.clear()
    assert _kinds(network_attacks([unreleased])) == {"network-unreleased"}
    withdrawn = _net(0, six, {})
    withdrawn.net_withdrawn[1] = True
    assert _kinds(network_attacks([withdrawn])) == {"network-withdrawn"}
    live = _net(0, six, {}, {"mean": 50.0})
    assert _kinds(network_attacks([live])) == {"network-agreement"}


def test_the_harness_catches_an_api_that_reads_live_figures(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(api, "score_cycle", live_scores)
    world = CycleWorld(env, snapshot_testq())
    for goals in (1, 4, 7):
        world.web("staff", {"staff.role": "carer", "staff.goals": goals})
    world.close()
    world.observe("head", "released: 3 staff", pdf=False)
    world.reopen()
    world.web("staff", {"staff.role": "carer", "staff.goals": 2})
    world.observe("head", "one more, live", pdf=False)
    assert {"subtraction", "agreement"} <= _kinds(cycle_leaks(world.history, world.m))


def test_the_harness_catches_a_network_rule_that_shows_everything(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = network_rule.reason_for
    monkeypatch.setattr(
        network_rule, "reason_for", lambda *args: "shown" if real(*args) != "few" else "few"
    )
    world = NetworkWorld(env)
    names = ["Org A", "Org B", "Org C"]
    for name in names:
        d, w, r = SCORES[name]
        world.organisation(name, {"org.direction": d, "org.workload": w, "org.results": r}, [])
    world.network("Network 1", *names)
    world.coordinator("coordinator", "Network 1")
    for name in names:
        world.close(name)
        world.share(name, "Network 1", named=name != "Org C")
    assert world.release("Network 1", "coordinator") == 303
    world.observe("coordinator", "released: 3, 2 named")
    leaks = [leak for leak in network_attacks(world.history) if leak.attack == "order-statistics"]
    c = world.orgs["Org C"].id
    assert any(f"{c}: " in leak.detail and "recovers {}" not in leak.detail for leak in leaks)
