"""score_cycle against an independent reference built from raw answers, and properties.

The reference is written differently on purpose: it starts from each respondent's
raw answers (not from histograms), uses statistics.mean / statistics.stdev and
plain loops with running sums, and ranks options for top-box by sorting them on
their normalised value.
"""

from __future__ import annotations

import math
import random
import statistics
from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from qms.methodology.model import Methodology
from qms.scoring import ItemCounts, respondent_criterion_means, score_cycle

from .strategies import Case, cases

TOL = 1e-9


def close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=TOL, abs_tol=TOL)


def ref_normalise(m: Methodology, item_id: str, v: int) -> float:
    it = m.item(item_id)
    values = list(m.item_scale(it).values())
    lo, hi = min(values), max(values)
    s = (v - lo) * 100.0 / (hi - lo)
    if it.reverse:
        s = 100.0 - s
    return s


def reference(case: Case) -> tuple[dict, dict, dict]:
    """(item stats, node scores {(node, group|None): (score, groups)}, overall)."""
    m = case.m
    items: dict[tuple[str, str], dict] = {}
    for g in m.groups:
        for section in m.questionnaires[g.id].sections:
            for it in section.items:
                if it.type != "scale":
                    continue
                given = [row[it.id] for row in case.answers[g.id].values() if it.id in row]
                valid = [a for a in given if isinstance(a, int)]
                rec = {
                    "n": len(valid),
                    "dk": given.count("dk"),
                    "na": given.count("na"),
                    "blank": sum(1 for a in given if a is None),
                    "reportable": len(valid) >= g.min_n,
                    "mean": None, "sd": None, "top_box": None, "histogram": None,
                    "criterion": it.criterion, "weight": it.weight,
                }  # fmt: skip
                if rec["reportable"]:
                    s = [ref_normalise(m, it.id, v) for v in valid]
                    rec["mean"] = statistics.mean(s)
                    rec["sd"] = statistics.stdev(s) if len(s) > 1 else None
                    scale = m.item_scale(it)
                    if not scale.is_range:
                        ranked = sorted(scale.values(), key=lambda v: -ref_normalise(m, it.id, v))
                        best = ranked[:2]
                        rec["top_box"] = sum(1 for v in valid if v in best) / len(valid)
                    rec["histogram"] = {str(v): valid.count(v) for v in scale.values()}
                items[(g.id, it.id)] = rec

    def leaf_score(gid: str, leaf: str) -> float | None:
        num = den = 0.0
        for (g2, _), rec in items.items():
            if g2 == gid and rec["criterion"] == leaf and rec["reportable"]:
                num += rec["weight"] * rec["mean"]
                den += rec["weight"]
        return num / den if den else None

    scores: dict[tuple[str, str | None], tuple[float | None, tuple[str, ...]]] = {}
    for g in m.groups:
        for c in m.criteria:
            if not c.subcriteria:
                value = leaf_score(g.id, c.id)
            else:
                num = den = 0.0
                for s_ in c.subcriteria:
                    ls = leaf_score(g.id, s_.id)
                    scores[(s_.id, g.id)] = (ls, () if ls is None else (g.id,))
                    if ls is not None:
                        num += s_.weight * ls
                        den += s_.weight
                value = num / den if den else None
            scores[(c.id, g.id)] = (value, () if value is None else (g.id,))
    for node in list({k[0] for k in scores}):
        num = den = 0.0
        contributors = []
        for g in m.groups:
            value = scores[(node, g.id)][0]
            if value is not None:
                num += g.weight * value
                den += g.weight
                contributors.append(g.id)
        scores[(node, None)] = (num / den if den else None, tuple(contributors))

    def over_criteria(gid: str | None) -> float | None:
        num = den = 0.0
        for c in m.criteria:
            value = scores[(c.id, gid)][0]
            if value is not None:
                num += c.weight * value
                den += c.weight
        return num / den if den else None

    overall = {
        "composite": over_criteria(None),
        "by_group": {g.id: over_criteria(g.id) for g in m.groups},
    }
    return items, scores, overall


def ref_respondent_means(case: Case, gid: str, reportable: set[str]) -> dict[str, list[float]]:
    m = case.m
    out: dict[str, list[float]] = {c.id: [] for c in m.criteria}
    for row in case.answers[gid].values():
        for c in m.criteria:
            leaf_ids = {leaf.id for leaf in c.leaves()}
            num = den = 0.0
            for item_id, answer in row.items():
                it = m.item(item_id)
                if item_id in reportable and it.criterion in leaf_ids and isinstance(answer, int):
                    num += it.weight * ref_normalise(m, item_id, answer)
                    den += it.weight
            if den:
                out[c.id].append(num / den)
    return out


@given(cases())
@settings(max_examples=150, deadline=None)
def test_score_cycle_agrees_with_the_reference(case: Case) -> None:
    result = score_cycle(case.m, case.counts())
    ref_items, ref_scores, ref_overall = reference(case)

    assert [(s.group, s.item) for s in result.items] == list(ref_items)
    for st_ in result.items:
        rec = ref_items[(st_.group, st_.item)]
        for key in ("n", "dk", "na", "blank", "reportable", "histogram"):
            assert getattr(st_, key) == rec[key], (st_, key)
        for key in ("mean", "sd", "top_box"):
            assert close(getattr(st_, key), rec[key]), (st_, key, rec[key])

    assert {(r.node, r.group) for r in result.scores} == set(ref_scores)
    assert len(result.scores) == len(ref_scores)
    for row in result.scores:
        value, contributors = ref_scores[(row.node, row.group)]
        assert close(row.score, value), (row, value)
        assert row.groups == contributors, row

    assert close(result.overall.composite, ref_overall["composite"])
    assert result.overall.by_group.keys() == ref_overall["by_group"].keys()
    for gid, value in ref_overall["by_group"].items():
        assert close(result.overall.by_group[gid], value), gid

    for g in case.m.groups:
        reportable = {s.item for s in result.items if s.group == g.id and s.reportable}
        got = respondent_criterion_means(case.m, g.id, case.valid_answers(g.id), reportable)
        expected = ref_respondent_means(case, g.id, reportable)
        assert got.keys() == expected.keys()
        for crit_id, means in expected.items():
            assert len(got[crit_id]) == len(means)
            for a, b in zip(got[crit_id], sorted(means), strict=True):
                assert close(a, b), crit_id


@given(cases())
@settings(max_examples=100, deadline=None)
def test_every_score_lies_in_0_to_100(case: Case) -> None:
    result = score_cycle(case.m, case.counts())
    values = [r.score for r in result.scores] + [result.overall.composite]
    values += list(result.overall.by_group.values())
    values += [s.mean for s in result.items]
    assert all(0.0 <= v <= 100.0 for v in values if v is not None)
    assert all(0.0 <= s.top_box <= 1.0 for s in result.items if s.top_box is not None)
    assert all(s.sd >= 0.0 for s in result.items if s.sd is not None)


@given(cases())
@settings(max_examples=100, deadline=None)
def test_a_composite_lies_between_its_groups(case: Case) -> None:
    result = score_cycle(case.m, case.counts())
    for row in result.scores:
        if row.group is not None:
            continue
        maybe = [result.score(row.node, g) for g in row.groups]
        parts = [p for p in maybe if p is not None]
        assert len(parts) == len(maybe)
        present = [g.id for g in case.m.groups if result.score(row.node, g.id) is not None]
        assert list(row.groups) == present
        if row.score is None:
            assert not parts
        else:
            assert min(parts) <= row.score <= max(parts)


@given(cases(), st.data())
@settings(max_examples=100, deadline=None)
def test_a_non_reportable_item_never_moves_a_score(case: Case, data: st.DataObject) -> None:
    counts = case.counts()
    before = score_cycle(case.m, counts)
    small = [s for s in before.items if not s.reportable and case.m.group(s.group).min_n > 1]
    if not small:
        return
    target = data.draw(st.sampled_from(small))
    key = (target.group, target.item)
    old = counts.get(key, ItemCounts({}))
    room = case.m.group(target.group).min_n - 1 - target.n  # stay below min_n
    values = case.m.item_scale(case.m.item(target.item)).values()
    hist = dict(old.histogram)
    for _ in range(data.draw(st.integers(0, room))):
        v = data.draw(st.sampled_from(values))
        hist[v] = hist.get(v, 0) + 1
    counts[key] = replace(
        old,
        histogram=hist,
        dk=old.dk + data.draw(st.integers(0, 3)),
        na=old.na + data.draw(st.integers(0, 3)),
        blank=old.blank + data.draw(st.integers(0, 3)),
    )
    after = score_cycle(case.m, counts)
    assert after.scores == before.scores
    assert after.overall == before.overall
    moved = after.item(*key)
    assert moved is not None
    assert not moved.reportable


@given(cases(max_respondents=10), st.randoms(use_true_random=False))
@settings(max_examples=75, deadline=None)
def test_respondent_order_does_not_matter(case: Case, rnd: random.Random) -> None:
    for g in case.m.groups:
        answers = case.valid_answers(g.id)
        reportable = {it.id for it in case.m.questionnaires[g.id].items}
        shuffled_ids = list(answers)
        rnd.shuffle(shuffled_ids)
        shuffled = {rid: answers[rid] for rid in shuffled_ids}
        assert respondent_criterion_means(case.m, g.id, shuffled, reportable) == (
            respondent_criterion_means(case.m, g.id, answers, reportable)
        )
