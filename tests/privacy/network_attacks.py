"""Attacks on unnamed organisations (METHODOLOGY.md §5.5), over everything one viewer
has fetched of networks.

The viewer knows the organisations it can identify: its own, and every organisation
whose value it has ever seen named (in any network, any output; a value once seen is
remembered after consent is withdrawn, as long as it is still that organisation's
value). Then:

- order statistics: a shown statistic over fewer than 3 organisations, or with 1 or 2
  organisations left once the known ones are taken out, gives those organisations'
  values away (min, max, quartiles and median are order statistics, mean × n minus the
  known values is their sum); the leak says what a linear solve recovers;
- subtraction: two shown statistics of one year, methodology, criterion and group (two
  releases, two networks, two outputs) whose organisations and values differ in 1 or 2
  unknown organisations;
- the release itself: a figure shown without a release, or while an organisation of the
  release has withdrawn; a named value without consent; figures that are not the
  release's (an output reading live shares).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from itertools import combinations

import numpy as np

from tests.privacy.attacks import Leak
from tests.privacy.records import NetStat, Observation

Key = tuple[int, str, str, str | None]  # year, methodology, node, group
TOLERANCE = 1e-6


def quantile(xs: Sequence[float], p: float) -> float:
    h = (len(xs) - 1) * p
    lo = int(np.floor(h))
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (h - lo) * (xs[hi] - xs[lo])


def statistics(values: Sequence[float]) -> dict[str, float]:
    xs = sorted(values)
    return {
        "min": xs[0],
        "max": xs[-1],
        "mean": sum(xs) / len(xs),
        "sum": sum(xs),
        "median": quantile(xs, 0.5),
        "q1": quantile(xs, 0.25),
        "q3": quantile(xs, 0.75),
    }


def _weights(n: int, stat: str) -> list[float]:
    """The statistic as a linear combination of the sorted values."""
    w = [0.0] * n
    if stat in ("mean", "sum"):
        return [1 / n if stat == "mean" else 1.0] * n
    p = {"min": 0.0, "max": 1.0, "median": 0.5, "q1": 0.25, "q3": 0.75}[stat]
    h = (n - 1) * p
    lo = int(np.floor(h))
    hi = min(lo + 1, n - 1)
    w[lo] += 1 - (h - lo)
    w[hi] += h - lo
    return w


def recovered(
    truth: Mapping[int, float], known: set[int], shown: Mapping[str, float]
) -> dict[int, float]:
    """The unknown organisations whose values the shown statistics pin, given the
    known values, in the true order (what an attacker who guesses the order gets)."""
    order = sorted(truth, key=lambda o: (truth[o], o))
    unknown = [o for o in order if o not in known]
    if not unknown:
        return {}
    rows, rhs = [], []
    for stat, value in shown.items():
        if stat not in ("min", "max", "median", "q1", "q3", "mean", "sum"):
            continue
        w = _weights(len(order), stat)
        rows.append([w[order.index(o)] for o in unknown])
        rhs.append(value - sum(w[i] * truth[o] for i, o in enumerate(order) if o in known))
    if not rows:
        return {}
    a, b = np.array(rows), np.array(rhs)
    solution, *_ = np.linalg.lstsq(a, b, rcond=None)
    _, sv, vt = np.linalg.svd(a)
    rank = int((sv > 1e-9).sum())
    null = vt[rank:]
    return {
        o: float(solution[j]) for j, o in enumerate(unknown) if all(abs(v[j]) < 1e-9 for v in null)
    }


def _key(s: NetStat) -> Key:
    return s.key


def knowledge(history: Sequence[Observation]) -> dict[tuple[Key, int], float]:
    """Every value the viewer has seen named, and its own organisations' values."""
    known: dict[tuple[Key, int], float] = {}
    for obs in history:
        for s in obs.net:
            for org, value in s.named.items():
                known[_key(s), org] = value
        for (net, year, m, node, group), values in obs.net_truth.items():
            del net
            for org in obs.own & set(values):
                known[(year, m, node, group), org] = values[org]
    return known


def _known_in(
    truth: Mapping[int, float], key: Key, known: Mapping[tuple[Key, int], float], precision: float
) -> set[int]:
    return {
        o
        for o, v in truth.items()
        if (key, o) in known and abs(known[key, o] - v) <= max(precision, TOLERANCE)
    }


def release_invariance(history: Sequence[Observation]) -> list[Leak]:
    """A network output shows the same while the releases, withdrawals and consents of
    every network stay the same (a viewer's figures of one network also depend on the
    others it sees: names there, releases one or two apart)."""
    first: dict[tuple[str, str, str], tuple[Observation, str]] = {}
    leaks = []
    ever: dict[int, set[int]] = defaultdict(set)  # once named, identifiable for good
    for obs in history:
        for net, named in obs.net_named.items():
            ever[net] |= named
        for doc in obs.documents:
            if not doc.scope.startswith("network "):
                continue
            state = repr(
                (
                    sorted((repr(k), sorted(v.items())) for k, v in obs.net_truth.items()),
                    sorted((n, sorted(v)) for n, v in obs.net_named.items()),
                    sorted((n, sorted(v)) for n, v in ever.items()),
                    sorted(obs.net_withdrawn.items()),
                    sorted((n, sorted(v)) for n, v in obs.net_members.items()),
                )
            )
            seen = first.setdefault((doc.source, doc.scope, state), (obs, doc.digest))
            if seen[1] != doc.digest:
                leaks.append(
                    Leak(
                        "network-release-invariance",
                        f"{doc.source} of {doc.scope} "
                        f"changed between step {seen[0].step} and step {obs.step} "
                        "while every network's release stayed the same",
                    )
                )
    return leaks


def _unknown_difference(
    key: Key,
    a: NetStat,
    ta: Mapping[int, float],
    b: NetStat,
    tb: Mapping[int, float],
    known: Mapping[tuple[Key, int], float],
) -> set[int]:
    differ = {o for o in set(ta) | set(tb) if ta.get(o) != tb.get(o)}
    return differ - _known_in(ta, key, known, a.precision) - _known_in(tb, key, known, b.precision)


def network_attacks(history: Sequence[Observation]) -> list[Leak]:
    """Every attack on organisations. A leak that exists only with names learnt after a
    figure was seen (the viewer kept the figure, then learnt a name that makes it
    combinable) is of the kind "late-name"."""
    known = knowledge(history)
    then = [knowledge(history[: i + 1]) for i in range(len(history))]
    leaks: list[Leak] = release_invariance(history)
    shown: dict[Key, list[tuple[Observation, NetStat, dict[int, float]]]] = defaultdict(list)
    for obs in history:
        for s in obs.net:
            leaks += _single(obs, s, known, then[obs.step], shown)
    for key, found in shown.items():
        for (oa, a, ta), (ob, b, tb) in combinations(found, 2):
            if ta == tb:
                continue
            unknown = _unknown_difference(key, a, ta, b, tb, known)
            if 1 <= len(unknown) <= 2:
                # Combinable already with what the viewer knew when it saw the first of
                # the two? Else a name learnt in between closed the gap: "late-name".
                at_the_time = _unknown_difference(key, a, ta, b, tb, then[min(oa.step, ob.step)])
                kind = "network-subtraction" if 1 <= len(at_the_time) <= 2 else "late-name"
                leaks.append(
                    Leak(
                        kind,
                        f"{key}: step {oa.step} {a.source} "
                        f"(network {a.network}, {a.values}) and step {ob.step} "
                        f"{b.source} (network {b.network}, {b.values}) rest on "
                        f"organisations that differ in {sorted(unknown)} only",
                    )
                )
    return list(dict.fromkeys(leaks))


def _single(
    obs: Observation,
    s: NetStat,
    known: Mapping[tuple[Key, int], float],
    known_then: Mapping[tuple[Key, int], float],
    shown: dict[Key, list[tuple[Observation, NetStat, dict[int, float]]]],
) -> list[Leak]:
    leaks = []
    where = f"step {obs.step} ({obs.label}) {s.source} network {s.network} {s.key}"
    for org in s.named:
        if org not in obs.net_named.get(s.network, set()):
            leaks.append(Leak("named-without-consent", f"{where} names organisation {org}"))
    if not s.values:
        return leaks
    truth = obs.net_truth.get((s.network, *s.key))
    if truth is None:
        return [*leaks, Leak("network-unreleased", f"{where} shows {s.values} without a release")]
    if obs.net_withdrawn.get(s.network):
        leaks.append(
            Leak(
                "network-withdrawn",
                f"{where} shows {s.values} although an organisation of the release withdrew",
            )
        )
    expected = statistics(list(truth.values()))
    wrong = {
        k: (v, expected[k])
        for k, v in s.values.items()
        if k in expected and abs(v - expected[k]) > max(s.precision, TOLERANCE)
    }
    if wrong or (s.n_orgs is not None and s.n_orgs != len(truth)):
        leaks.append(
            Leak(
                "network-agreement",
                f"{where}: n_orgs {s.n_orgs} and {wrong} are "
                f"not the release's ({len(truth)} organisations)",
            )
        )
    identified = _known_in(truth, s.key, known, s.precision) | set(s.named)
    left = len(truth) - len(identified & set(truth))
    if len(truth) < 3 or 1 <= left <= 2:
        pinned = recovered(truth, identified, s.values)
        # Left over only because the viewer remembers values named earlier (consent
        # since withdrawn, or named in an earlier release): a kind of its own.
        now = (obs.own | obs.net_named.get(s.network, set()) | set(s.named)) & set(truth)
        remembered = len(truth) >= 3 and not 1 <= len(truth) - len(now) <= 2
        then = _known_in(truth, s.key, known_then, s.precision) | set(s.named)
        late = len(truth) >= 3 and not 1 <= len(truth) - len(then & set(truth)) <= 2
        kind = "late-name" if late else "remembered-name" if remembered else "order-statistics"
        leaks.append(
            Leak(
                kind,
                f"{where}: {s.values} over {len(truth)} organisations, {left} of "
                f"them unknown to the viewer (who knows {sorted(identified)}); "
                f"recovers { {o: round(v, 4) for o, v in pinned.items()} } (true "
                f"{ {o: round(truth[o], 4) for o in pinned} })",
            )
        )
    shown[s.key].append((obs, s, dict(truth)))
    return leaks
