"""The adversary against one cycle (METHODOLOGY.md §5.6): hypothesis draws sequences of
what happens to a cycle — answers arriving by the web, on paper and by import, imports
that replace earlier answers, closes and reopens of the cycle and of one group's
collection, the working group's consensus, publishing to staff — and after every step
the viewer (a head, or a staff member once the results are published) fetches every
output; every attack of tests.privacy.adversary must come back empty.
"""

from __future__ import annotations

from typing import Any, ClassVar

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from tests.privacy.adversary import cycle_leaks, report
from tests.privacy.conftest import FreshEnv
from tests.privacy.cycle_world import Answers, CycleWorld
from tests.privacy.env import snapshot_testq
from tests.privacy.machines import answers_of, debug_summary, ignored, machine_settings

GROUPS = st.sampled_from(["staff", "clients"])
PANEL = st.sampled_from([0, 25, 50, 75, 100])


class CycleMachine(RuleBasedStateMachine):
    fresh: ClassVar[FreshEnv]

    def __init__(self) -> None:
        super().__init__()
        # The PDF is the report page through WeasyPrint (~1 s): two per example suffice.
        self.world = CycleWorld(type(self).fresh(), snapshot_testq(), pdf_limit=2)
        self.viewer = "head"

    @initialize(
        viewer=st.sampled_from(["head", "staff"]),
        staff=st.lists(answers_of("staff"), min_size=3, max_size=7),
        clients=st.lists(answers_of("clients"), min_size=2, max_size=5),
    )
    def begin(self, viewer: str, staff: list[Answers], clients: list[Answers]) -> None:
        """A cycle that already has some answers (near the groups' minimums, where
        small differences matter), seen by a head, or by staff once published."""
        self.viewer = viewer
        if viewer == "staff":
            self.world.publish()
        self.world.earlier_year("staff", staff[:3] if len(staff) >= 3 else [])
        for answers in staff:
            self.world.web("staff", answers)
        self.world.imported([(self.world.new_import_key(), "clients", a) for a in clients])

    @precondition(lambda self: self.world.status == "open")
    @rule(
        group=GROUPS, via=st.sampled_from(["web", "paper", "import", "unfinished"]), data=st.data()
    )
    def answers_arrive(self, group: str, via: str, data: st.DataObject) -> None:
        if not self.world.collecting(group):
            return
        many = data.draw(st.integers(1, 4), label="respondents")
        batch = [data.draw(answers_of(group), label="answers") for _ in range(many)]
        if via == "import":
            self.world.imported([(self.world.new_import_key(), group, a) for a in batch])
            return
        for answers in batch:
            if via == "paper":
                self.world.paper(group, answers, proxy=group == "clients" and len(answers) > 2)
            else:
                self.world.web(group, answers, finished=via == "web")

    @precondition(
        lambda self: (
            self.world.status == "open" and any(r.via == "import" for r in self.world.respondents)
        )
    )
    @rule(data=st.data())
    def import_replaces(self, data: st.DataObject) -> None:
        imported = [
            r
            for r in self.world.respondents
            if r.via == "import" and self.world.collecting(r.group)
        ]
        if not imported:
            return
        many = data.draw(st.integers(1, min(3, len(imported))), label="replaced")
        chosen = data.draw(st.permutations(imported), label="which")[:many]
        rows = []
        for r in chosen:
            # A corrected file may also move a respondent to the other group.
            group = data.draw(
                st.sampled_from(
                    [
                        r.group,
                        r.group,
                        *(
                            g
                            for g in ("staff", "clients")
                            if g != r.group and self.world.collecting(g)
                        ),
                    ]
                ),
                label="group",
            )
            rows.append((r.key, group, data.draw(answers_of(group), label="new")))
        self.world.imported(rows, replace=True)

    @precondition(lambda self: self.world.status == "open")
    @rule(direction=PANEL, workload=PANEL, results=PANEL)
    def consensus(self, direction: int, workload: int, results: int) -> None:
        self.world.agree(
            {"org.direction": direction, "org.workload": workload, "org.results": results}
        )

    @precondition(lambda self: self.world.status == "open")
    @rule()
    def close(self) -> None:
        self.world.close()

    @precondition(lambda self: self.world.status == "closed")
    @rule()
    def reopen(self) -> None:
        self.world.reopen()

    @precondition(lambda self: self.world.status == "open")
    @rule(group=GROUPS)
    def close_group(self, group: str) -> None:
        if self.world.collecting(group):
            self.world.close_group(group)

    @precondition(lambda self: self.world.status == "open" and self.world.closed_groups)
    @rule(group=GROUPS)
    def reopen_group(self, group: str) -> None:
        if group in self.world.closed_groups:
            self.world.reopen_group(group)

    @rule()
    def hide_a_comment(self) -> None:
        self.world.hide_comment()

    @invariant()
    def nothing_to_learn(self) -> None:
        self.world.observe(self.viewer, self._last_step())
        leaks = cycle_leaks(self.world.history, self.world.m, ignore=ignored())
        assert not leaks, "the adversary found:\n" + report(leaks)

    def _last_step(self) -> str:
        w = self.world
        return (
            f"{w.status}, {len(w.respondents)} respondents, closed groups {sorted(w.closed_groups)}"
        )

    def teardown(self) -> None:
        debug_summary(self.world)
        self.world.env.close()


def test_machine_one_cycle(fresh_env: FreshEnv) -> None:
    machine: Any = type("Machine", (CycleMachine,), {"fresh": staticmethod(fresh_env)})
    run_state_machine_as_test(machine, settings=machine_settings(examples=4, steps=8))


pytestmark = pytest.mark.filterwarnings("ignore::hypothesis.errors.NonInteractiveExampleWarning")
