"""Issue 11, attack 2: live results cannot be differenced.

A head who reads an open cycle's results before and after one more response finds
nothing to subtract (an open cycle shows no figures at all); after close, reopen, one
more response and close again, the earlier release stands and the page says that a
change waits; a question asked of a few (a `when` condition) does not change by one
answer from one release to the next.
"""

from __future__ import annotations

import random

from qms.methodology.answers import AnswerValue
from tests.privacy.adversary import REPORTED, cycle_leaks, report
from tests.privacy.answers import answers_for
from tests.privacy.cycle_world import CycleWorld
from tests.privacy.env import Env, snapshot_socquality, snapshot_testq
from tests.privacy.observe_cycle import ALL

# While reopened: every output that shows figures (the breakdowns, charts and comparison
# are taken before and after).
WHILE_OPEN = ALL - {"breakdowns", "charts", "compare"}
# The answers of the respondent the issue watched arrive (clients.respect 2, ...).
LAST: dict[str, AnswerValue] = {
    "clients.service": "day_centre",
    "clients.respect": 2,
    "clients.safe": 3,
    "clients.overall": 1,
}


def _world(env: Env) -> CycleWorld:
    world = CycleWorld(env, snapshot_socquality())
    rng = random.Random(11)
    for _ in range(6):
        world.web("clients", answers_for(world.m, "clients", rng, {"clients.overall": 4}))
    return world


def test_an_open_cycle_shows_nothing_to_subtract(env: Env) -> None:
    world = _world(env)
    before = world.observe("head", "6 clients answered, cycle open")
    world.web("clients", answers_for(world.m, "clients", random.Random(1), LAST))
    after = world.observe("head", "one more client answered")
    for obs in (before, after):
        # Not a single figure computed from answers: the API refuses, pages say why.
        assert all(
            f.counts.get("n", 0) == 0 and not f.has_histogram and f.mean is None for f in obs.items
        )
        assert all(s.score is None for s in obs.scores)
        assert obs.cells == [] and all(not e.rows for e in obs.exports)
        assert any(d.source == "api" and d.digest == "409" for d in obs.documents)
    page = env.client("head").get(f"/staff/cycles/{world.cycle_id}/results?lang=en")
    assert "Results appear when the cycle closes" in page.text
    assert cycle_leaks(world.history, world.m) == []


def test_one_more_answer_after_a_reopen_waits_for_the_next_release(env: Env) -> None:
    world = _world(env)
    world.close()
    released = world.observe("head", "closed with 6 clients")
    assert {
        f.counts["n"] for f in released.items if f.source == "api" and f.item == "clients.overall"
    } == {6}
    world.reopen()
    world.observe("head", "reopened", parts=WHILE_OPEN)
    world.web("clients", answers_for(world.m, "clients", random.Random(1), LAST))
    world.observe("head", "one more client while reopened", parts=WHILE_OPEN)
    world.close()
    again = world.observe("head", "closed again")
    # The release stands: every figure of the API is what it was.
    assert [d for d in again.documents if d.source == "api"] == [
        d for d in released.documents if d.source == "api"
    ]
    page = env.client("head").get(f"/staff/cycles/{world.cycle_id}/results?lang=en")
    assert "1 changes wait for the next release" in page.text
    leaks = cycle_leaks(world.history, world.m, ignore=REPORTED)
    assert leaks == [], report(leaks)


def test_a_conditional_question_does_not_change_by_one_between_releases(env: Env) -> None:
    """Night shifts are asked of nurses only. 3 nurses released; reopened, 1 nurse and 2
    carers more, closed: the new release's night-shift histogram is the earlier one plus
    the new nurse's answer."""
    world = CycleWorld(env, snapshot_testq())
    for night in (1, 4, 7):
        world.web("staff", {"staff.role": "nurse", "staff.goals": 4, "staff.night": night})
    world.close()
    world.observe("head", "released: 3 nurses")
    world.reopen()
    world.web("staff", {"staff.role": "nurse", "staff.goals": 4, "staff.night": 2})
    world.web("staff", {"staff.role": "carer", "staff.goals": 7})
    world.web("staff", {"staff.role": "carer", "staff.goals": 1})
    world.close()
    world.observe("head", "released again: 4 nurses, 2 carers")
    leaks = cycle_leaks(world.history, world.m, ignore=REPORTED)
    assert leaks == [], report(leaks)
