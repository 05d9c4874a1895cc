"""Issue 11, attack 1: answer-level downloads do not single people out.

With 5 day-centre, 5 group-home and 1 crisis-centre client, the head downloads the
answers (CSV, and the XLSX answers sheet) three times; likewise for staff with "the only
nurse". No row may be linked to the one client or the one nurse: by its quasi-identifier
values (the suppressed marker counted as a value), by the breakdown page's cells, by
labels or row order across the downloads, or by merging two downloads.
"""

from __future__ import annotations

import random

from tests.privacy.adversary import REPORTED, ROW_ATTACKS, cycle_leaks, only, report
from tests.privacy.answers import answers_for
from tests.privacy.cycle_world import CycleWorld
from tests.privacy.env import Env, snapshot_socquality
from tests.privacy.observe_cycle import DOWNLOADS
from tests.privacy.records import SUPPRESSED


def _assert_not_singled_out(world: CycleWorld, group: str, item: str, value: str) -> None:
    world.observe("head", "everything")
    for _ in range(2):
        world.observe("head", "downloads again", parts=DOWNLOADS)
    exported = [e for obs in world.history for e in obs.exports if e.group == group]
    assert exported, f"no answer rows of {group} were downloaded"
    for e in exported:
        assert len(e.rows) == 11
        shown = [r.get(item) for r in e.rows]
        # The one respondent's value is never on a row; it is hidden among enough others.
        assert value not in shown
        assert shown.count(SUPPRESSED) in (0, *range(5, 12))
    leaks = only(cycle_leaks(world.history, world.m, ignore=REPORTED), *ROW_ATTACKS)
    assert leaks == [], report(leaks)


def test_the_only_crisis_centre_client_is_not_in_the_answer_rows(env: Env) -> None:
    world = CycleWorld(env, snapshot_socquality())
    rng = random.Random(5)
    for service in ["day_centre"] * 5 + ["group_home"] * 5 + ["crisis_centre"]:
        world.web("clients", answers_for(world.m, "clients", rng, {"clients.service": service}))
    world.close()
    _assert_not_singled_out(world, "clients", "clients.service", "crisis_centre")


def test_the_only_nurse_is_not_in_the_answer_rows(env: Env) -> None:
    world = CycleWorld(env, snapshot_socquality())
    rng = random.Random(7)
    for role in ["social_worker"] * 5 + ["carer"] * 5 + ["nurse"]:
        world.paper("staff", answers_for(world.m, "staff", rng, {"staff.role": role}))
    world.close()
    _assert_not_singled_out(world, "staff", "staff.role", "nurse")
