"""Issue 11, attack 3: network order statistics do not give unnamed organisations away.

In a network of 3 with two organisations named, no statistic is shown (taking the named
values out of min/median/max would leave the third's own score); a head's position page
over 3 organisations shows no quartiles (with its own score they give the partners');
with 5 organisations and 3 named, the two unnamed are not left over either. In each,
every attack of tests.privacy.network_attacks comes back empty.
"""

from __future__ import annotations

from tests.privacy.adversary import report
from tests.privacy.env import Env
from tests.privacy.network_attacks import network_attacks
from tests.privacy.network_world import NetworkWorld

# Consensus scores (direction, workload, results): every organisation's overall differs.
SCORES = {
    "Org A": (25, 50, 75),
    "Org B": (50, 75, 25),
    "Org C": (75, 25, 100),
    "Org D": (100, 50, 50),
    "Org E": (0, 100, 75),
}


def _world(env: Env, names: list[str], named: set[str]) -> NetworkWorld:
    world = NetworkWorld(env)
    for name in names:
        d, w, r = SCORES[name]
        world.organisation(name, {"org.direction": d, "org.workload": w, "org.results": r}, [])
    world.network("Network 1", *names)
    world.coordinator("coordinator", "Network 1")
    world.head("head", "Org A")
    for name in names:
        world.close(name)
        world.share(name, "Network 1", named=name in named)
    assert world.release("Network 1", "coordinator") == 303
    return world


def _shown(world: NetworkWorld, source: str) -> list[object]:
    return [
        (s.node, s.group, s.values)
        for s in world.history[-1].net
        if s.source == source and s.values
    ]


def test_three_organisations_two_named_show_no_order_statistic(env: Env) -> None:
    world = _world(env, ["Org A", "Org B", "Org C"], {"Org A", "Org B"})
    world.observe("coordinator", "released: 3 organisations, 2 named")
    stats = [s for s in world.history[-1].net if s.source == "api"]
    assert stats and all(
        s.n_orgs == 3 for s in stats if s.node == "overall" and s.group in (None, "organisation")
    )
    assert _shown(world, "api") == [] and _shown(world, "dashboard") == []
    assert _shown(world, "csv") == [] and _shown(world, "xlsx") == []
    leaks = network_attacks(world.history)
    assert leaks == [], report(leaks)


def test_a_position_page_over_three_organisations_shows_no_quartiles(env: Env) -> None:
    world = _world(env, ["Org A", "Org B", "Org C"], set())
    world.observe("head", "released: 3 organisations, none named")
    rows = [s for s in world.history[-1].net if s.source == "position"]
    assert rows and all(s.own is not None for s in rows if s.node == "overall" and s.group is None)
    assert _shown(world, "position") == []
    leaks = network_attacks(world.history)
    assert leaks == [], report(leaks)


def test_five_organisations_three_named_leave_no_two_over(env: Env) -> None:
    world = _world(env, ["Org A", "Org B", "Org C", "Org D", "Org E"], {"Org A", "Org B", "Org C"})
    world.observe("coordinator", "released: 5 organisations, 3 named")
    assert _shown(world, "api") == [] and _shown(world, "dashboard") == []
    leaks = network_attacks(world.history)
    assert leaks == [], report(leaks)


def test_five_organisations_none_named_show_their_distribution(env: Env) -> None:
    """The rule hides what it must, not everything: 5 unnamed organisations are shown."""
    world = _world(env, ["Org A", "Org B", "Org C", "Org D", "Org E"], set())
    world.observe("coordinator", "released: 5 organisations, none named")
    overall = [
        s
        for s in world.history[-1].net
        if s.source == "api" and s.node == "overall" and s.group is None
    ]
    assert overall and set(overall[0].values) == {"mean", "median", "q1", "q3", "min", "max"}
    assert _shown(world, "dashboard") and _shown(world, "csv")
    leaks = network_attacks(world.history)
    assert leaks == [], report(leaks)
