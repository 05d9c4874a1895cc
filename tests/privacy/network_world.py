"""Organisations in overlapping networks, their cycles of one year, the operations that
change what networks show, and what is true about it.

Each organisation has a cycle of the test methodology whose scores come from its
working group's consensus (named, released at every close) and a few staff answers.
Closing, reopening, sharing, withdrawing and consent go through the store as the
sharing page and the cycle page call it; a network's release is the coordinator's
button over HTTP. At each observation the world notes, for every network year with a
release, the organisations and values each statistic of the current release rests on
(what the viewer cannot see), and which organisations are named now (they consent and
their name took effect; a held consent names no one).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from qms.store import naming, network_releases, sharing
from qms.store.consensus import save_consensus
from qms.store.cycles import close_cycle, create_cycle, get_cycle, reopen_cycle
from qms.store.orgs import get_organisation
from qms.store.responses import create_response
from tests.privacy.env import Env, snapshot_testq
from tests.privacy.observe_network import observe_networks
from tests.privacy.records import Observation

YEAR = 2025
METHODOLOGY = "testq"
Scores = Mapping[str, int]  # consensus: org.direction, org.workload, org.results


@dataclass
class Org:
    name: str
    id: int
    cycle_id: int
    status: str = "open"
    shares: dict[str, bool] = field(default_factory=dict)  # network -> named


@dataclass
class NetworkWorld:
    env: Env
    orgs: dict[str, Org] = field(default_factory=dict)
    members: dict[str, set[str]] = field(default_factory=dict)
    history: list[Observation] = field(default_factory=list)
    viewers: dict[str, tuple[str, ...]] = field(default_factory=dict)  # key -> own orgs
    _pdf: dict[int, str] = field(default_factory=dict)

    def network(self, name: str, *orgs: str) -> None:
        self.env.network(name)
        self.members[name] = set()
        for org in orgs:
            self.join(org, name)

    def organisation(self, name: str, scores: Scores, staff: list[Mapping[str, int]]) -> Org:
        org_id = self.env.organisation(name)
        with self.env.session() as s:
            cycle = create_cycle(s, get_organisation(s, name), YEAR, snapshot_testq())
            for answers in staff:
                create_response(
                    s,
                    cycle,
                    group="staff",
                    source="web",
                    submitted=True,
                    answers={"staff.role": "carer", **answers},
                )
            save_consensus(s, cycle, dict(scores), actor_id=None)
            s.commit()
            self.orgs[name] = Org(name, org_id, cycle.id)
        return self.orgs[name]

    def join(self, org: str, net: str) -> None:
        if org not in self.members[net]:
            self.env.join(org, net)
            self.members[net].add(org)

    def coordinator(self, key: str, *networks: str) -> None:
        self.env.person(key, "coordinator", networks=networks)
        self.viewers[key] = ()

    def head(self, key: str, org: str) -> None:
        self.env.person(key, "head", org=org)
        self.viewers[key] = (org,)

    # -- operations ---------------------------------------------------------------------

    def close(self, org: str) -> None:
        with self.env.session() as s:
            close_cycle(s, get_cycle(s, self.orgs[org].cycle_id))
            s.commit()
        self.orgs[org].status = "closed"

    def reopen(self, org: str, scores: Scores) -> None:
        """Reopened and given another consensus (it counts again when closed)."""
        with self.env.session() as s:
            cycle = get_cycle(s, self.orgs[org].cycle_id)
            reopen_cycle(s, cycle, reason="the working group met again")
            save_consensus(s, cycle, dict(scores), actor_id=None)
            s.commit()
        self.orgs[org].status = "open"

    def share(self, org: str, net: str, *, named: bool) -> None:
        """Share (or change consent); only a closed cycle of a member can be shared."""
        o = self.orgs[org]
        if o.status != "closed" or org not in self.members[net]:
            return
        with self.env.session() as s:
            sharing.share_cycle(
                s, get_cycle(s, o.cycle_id), self.env.networks[net], named=named, actor_id=None
            )
            s.commit()
        o.shares[net] = named

    def withdraw(self, org: str, net: str) -> None:
        o = self.orgs[org]
        with self.env.session() as s:
            sharing.withdraw_share(
                s, get_cycle(s, o.cycle_id), self.env.networks[net], actor_id=None
            )
            s.commit()
        o.shares.pop(net, None)

    def release(self, net: str, coordinator: str) -> int:
        """The coordinator's button; 303 when released, 409 when not allowed."""
        return self.env.post(
            coordinator,
            f"/staff/networks/{self.env.networks[net]}/releases",
            {"year": str(YEAR), "methodology": METHODOLOGY},
        )

    # -- what the viewer sees -----------------------------------------------------------

    def observe(self, viewer: str, label: str) -> Observation:
        obs = Observation(len(self.history), label)
        self._truth(obs)
        own = [self.orgs[o].id for o in self.viewers.get(viewer, ())]
        names = dict(self.env.networks.items())
        observe_networks(self.env.client(viewer), obs, own, names, self._pdf)
        self.history.append(obs)
        return obs

    def _truth(self, obs: Observation) -> None:
        with self.env.session() as s:
            for net_id in self.env.networks.values():
                info = network_releases.current_release(s, net_id, YEAR, METHODOLOGY)
                if info is None:
                    continue
                release = network_releases.load_releases(s, [info])[info.id]
                for (node, group), values in release.values.items():
                    obs.net_truth[net_id, YEAR, METHODOLOGY, node, group] = dict(values)
                obs.net_named[net_id] = set(naming.named_now(s, [info.id])[info.id])
                obs.net_withdrawn[net_id] = release.withdrawn
        obs.net_members = {
            self.env.networks[n]: {self.orgs[o].id for o in orgs}
            for n, orgs in self.members.items()
        }

    def summary(self) -> str:
        shown = sum(1 for o in self.history for st in o.net if st.values)
        releases = len(
            {
                (k[0], str(sorted(v.items())))
                for o in self.history
                for k, v in o.net_truth.items()
                if k[3] == "overall"
            }
        )
        return (
            f"{len(self.history)} observations, {shown} statistics shown, {releases} "
            f"release sets; "
            f"{[(o.name, o.status, sorted(o.shares.items())) for o in self.orgs.values()]}"
        )
