"""Demo data: a planning region's providers with three years of plausible answers.

The answers are generated from whatever the methodology holds (any items, scales and
`when` conditions) and go through the same checks and writes as a CSV import, so the
demo cannot contain anything an import would refuse. The generator is seeded: every
run builds the same data.

Shape: each organisation has a latent quality that improves a little every year;
groups see it slightly differently; reversed items are answered the other way round.
One small group stays below its min_n in one cycle, so suppression shows; every cycle
has a consensus record, the newest also three working-group members' own entries.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy.orm import Session

from qms.imports.csvfile import Row
from qms.imports.validate import CONSENSUS, validate_rows
from qms.methodology.answers import AnswerValue, is_shown
from qms.methodology.model import Item, Methodology
from qms.store import consensus, plan
from qms.store.cycles import Cycle, close_cycle, create_cycle
from qms.store.directory import network_by_name
from qms.store.errors import StoreError
from qms.store.importing import import_responses
from qms.store.network_releases import release_year
from qms.store.orgs import create_network, create_organisation, find_organisation
from qms.store.sharing import share_cycle
from qms.store.snapshots import Snapshot, cycle_methodology

REGION = "Zemgales plānošanas reģions"
PROJECT = "SocQuality"
YEARS = (2023, 2024, 2025)
SEED = 2025

# (name, member of the planning region, member of the SocQuality project)
SMALL_ORGS = (
    ("Jelgavas novada Sociālais dienests", True, False),
    ("Bauskas sociālās aprūpes centrs „Derpele”", True, False),
    ("Dobeles dienas centrs „Saulstari”", True, False),
    ("Iecavas novada pansionāts „Iecava”", True, False),
    ("Rundāles sociālās aprūpes māja", True, False),
)
# Shared closed cycles: every organisation shares with its networks (so dashboards have
# data); only these consented to be named there. Two of the small demo's five, so that
# three are left that a coordinator cannot identify and the figures can be shown (§5.5).
NAMED_IN_NETWORKS = {0, 2}
REGION_ORGS = (
    *SMALL_ORGS,
    ("Jelgavas pilsētas Sociālo lietu pārvalde", True, True),
    ("Aizkraukles novada Sociālais dienests", True, True),
    ("Jēkabpils grupu dzīvokļi „Atbalsts”", True, False),
    ("Ozolnieku krīzes centrs", True, True),
    ("Joniškio socialinių paslaugų centras", False, True),
    ("Pakruojo globos namai", False, True),
    ("Šiaulių miesto dienos centras „Šaltinis”", False, True),
    ("Biržų rajono socialinės paramos centras", False, True),
)
# Respondents per group and cycle (a group the table does not name gets the default).
SIZES = {
    "small": {"managers": 5, "staff": 9, "clients": 14, "community": 7, "_": 6},
    "region": {"managers": 5, "staff": 14, "clients": 24, "community": 10, "_": 8},
}
GROUP_LEAN = {"clients": 0.12, "managers": 0.05, "staff": -0.03}
ASSESSORS = ("Anna", "Jānis", "Ilze")
COMMENTS = (
    "Paldies darbiniekiem par atsaucību.",
    "Vajadzētu vairāk laika sarunām.",
    "Telpas varētu būt gaišākas.",
    "Informāciju saņemu laikus.",
    "Ačiū už pagalbą.",
    "Norėtųsi daugiau renginių.",
)


@dataclass(frozen=True)
class DemoSummary:
    networks: int
    organisations: int
    cycles: int
    responses: int
    answers: int
    methodology: str


@dataclass(frozen=True)
class _Mood:
    """How well a group thinks of an organisation in a year, 0..1, and how much it varies."""

    level: float
    spread: float


class _Generator:
    def __init__(self, methodology: Methodology, rng: random.Random) -> None:
        self.m = methodology
        self.rng = rng

    def _position(self, mood: _Mood) -> float:
        return min(1.0, max(0.0, self.rng.gauss(mood.level, mood.spread)))

    def _scale(self, item: Item, mood: _Mood, careful: bool) -> AnswerValue | None:
        scale = self.m.item_scale(item)
        if not careful:
            roll = self.rng.random()
            codes = scale.missing_codes()
            if roll < 0.03:
                return None
            if roll < 0.07 and codes:
                return self.rng.choice(codes)
        values = scale.values()
        position = self._position(mood)
        if item.reverse:
            position = 1.0 - position
        return values[round(position * (len(values) - 1))]

    def _number(self, item: Item) -> float:
        low = item.min if item.min is not None else 0.0
        high = item.max if item.max is not None else low + 100.0
        # Skewed towards the low end: waiting days and turnover are mostly small.
        return float(round(low + (high - low) * self.rng.random() ** 3 * 0.5))

    def answer(self, item: Item, mood: _Mood, careful: bool) -> AnswerValue | None:
        rng = self.rng
        if item.type == "scale":
            return self._scale(item, mood, careful)
        if item.type == "choice":
            return rng.choice([o.value for o in item.options])
        if item.type == "multi":
            options = [o.value for o in item.options]
            chosen = set(rng.sample(options, k=min(len(options), rng.randint(1, 2))))
            return tuple(o for o in options if o in chosen)
        if item.type == "number":
            return self._number(item) if careful or rng.random() < 0.9 else None
        if careful or rng.random() < 0.2:
            text = rng.choice(COMMENTS)
            return text[: item.max_length] if item.max_length else text
        return None

    def respondent(self, group: str, mood: _Mood, careful: bool) -> dict[str, AnswerValue]:
        """One respondent's answers in document order, so `when` sees earlier answers."""
        answers: dict[str, AnswerValue] = {}
        for item in self.m.questionnaires[group].items:
            if not is_shown(item, answers):
                continue
            value = self.answer(item, mood, careful)
            if value is not None:
                answers[item.id] = value
        return answers


def _cell(value: AnswerValue) -> str:
    if isinstance(value, tuple):
        return "|".join(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def _rows(respondents: list[tuple[str, str, dict[str, AnswerValue]]]) -> Iterator[Row]:
    line = 1
    for key, group, answers in respondents:
        for item_id, value in answers.items():
            line += 1
            yield Row(line, key, group, item_id, _cell(value))


def _cycle_respondents(
    gen: _Generator, size: str, org_index: int, year_index: int, views: dict[str, float]
) -> list[tuple[str, str, dict[str, AnswerValue]]]:
    m, rng = gen.m, gen.rng
    sizes = SIZES[size]
    people: list[tuple[str, str, dict[str, AnswerValue]]] = []
    # The first organisation's first year: too few in the last individual group (community
    # in socquality), so its results show as suppressed.
    small_group = [g.id for g in m.groups if not g.is_consensus][-1]
    for group in m.groups:
        level = min(0.95, views[group.id] + 0.04 * year_index + rng.uniform(-0.015, 0.015))
        if group.is_consensus:
            agreed = _Mood(level, 0.08)  # a working group agrees more than a survey does
            people.append((CONSENSUS, group.id, gen.respondent(group.id, agreed, careful=True)))
            if year_index == len(YEARS) - 1:
                for name in ASSESSORS:
                    own = _Mood(level, 0.15)
                    people.append((name, group.id, gen.respondent(group.id, own, careful=True)))
            continue
        count = sizes.get(group.id, sizes["_"])
        count = max(group.min_n, count + rng.randint(-2, 2))
        if org_index == 0 and year_index == 0 and group.id == small_group:
            count = max(1, group.min_n - 2)
        for number in range(1, count + 1):
            key = f"{group.id[:3]}-{number:03d}"
            people.append((key, group.id, gen.respondent(group.id, _Mood(level, 0.2), False)))
    return people


def _demo_notes(session: Session, cycle: Cycle) -> None:
    """The working group's notes on two sub-criteria (the first, and the fifth or last),
    so that the consensus page and the report show what a working group writes."""
    items = consensus.scale_items(cycle_methodology(cycle))
    agreed = consensus.consensus_answers(session, cycle)
    consensus.save_consensus(
        session,
        cycle,
        {i.id: agreed[i.id] for i in items if i.id in agreed},
        actor_id=None,
        notes={
            items[0].id: consensus.Notes(
                evidence="Misija un vērtības apstiprinātas valdes sēdē februārī;"
                " jaunie darbinieki ar tām iepazīstināti ievadmācībās.",
                strengths="Vērtības pārrunātas arī klientu padomē.",
                improvements="Pārskatīt vērtības kopā ar darbiniekiem reizi gadā.",
            ),
            items[min(4, len(items) - 1)].id: consensus.Notes(
                evidence="Rīcības plāns ir, bet tā izpilde netiek regulāri pārskatīta.",
                improvements="Ieviest ceturkšņa pārskatu par plāna izpildi.",
            ),
        },
    )


def _demo_plan(session: Session, cycle: Cycle) -> None:
    """Last year's improvement plan: one action done, one still under way (so it shows,
    carried, in this year's plan). Criteria by position, so any methodology will do (in
    the default one: 3 Staff and 6 Client results)."""
    criteria = [c.id for c in cycle_methodology(cycle).criteria]
    done = plan.add_action(
        session,
        cycle,
        criterion=criteria[min(2, len(criteria) - 1)],
        title="Supervīzija reizi mēnesī visiem sociālajiem darbiniekiem",
        owner="Vadītājas vietniece",
    )
    plan.update_action(session, done, status="done", progress="Notiek kopš marta")
    going = plan.add_action(
        session,
        cycle,
        criterion=criteria[min(5, len(criteria) - 1)],
        title="Klientu padomes izveide",
        owner="Direktore",
    )
    plan.update_action(
        session, going, status="in_progress", progress="Nolikums apstiprināts, pirmā sēde rudenī"
    )


def load_demo(session: Session, snapshot: Snapshot, size: str = "small") -> DemoSummary:
    """Create the demo in `session` (the caller commits). Refuses a database that already
    holds any of the demo's organisations."""
    if size not in SIZES:
        raise StoreError(f"unknown demo size {size!r} (small or region)")
    organisations = SMALL_ORGS if size == "small" else REGION_ORGS
    for name, _, _ in organisations:
        if find_organisation(session, name) is not None:
            raise StoreError(f"the demo is already loaded (organisation {name!r} exists)")
    m = snapshot.methodology
    rng = random.Random(SEED)  # noqa: S311  (demo data, not secrets)
    gen = _Generator(m, rng)
    region = create_network(session, REGION).name
    networks = 1
    project = None
    if size == "region":
        project = create_network(session, PROJECT).name
        networks += 1
    cycles = responses = answers = 0
    for org_index, (name, in_region, in_project) in enumerate(organisations):
        member_of = [n for n, yes in ((region, in_region), (project, in_project)) if yes and n]
        organisation = create_organisation(session, name, member_of)
        quality = rng.uniform(0.45, 0.7)
        # Each group sees the organisation a little differently, the same way every year;
        # clients tend to be kinder than staff (the ceiling effect of satisfaction surveys).
        views = {
            g.id: quality + rng.uniform(-0.06, 0.06) + GROUP_LEAN.get(g.id, 0.0) for g in m.groups
        }
        for year_index, year in enumerate(YEARS):
            cycle = create_cycle(session, organisation, year, snapshot)
            people = _cycle_respondents(gen, size, org_index, year_index, views)
            parsed = validate_rows(m, _rows(people))
            result = import_responses(session, cycle, parsed, label=f"demo {name} {year}")
            if year != YEARS[-1]:
                if org_index == 0 and year == YEARS[-2]:
                    _demo_notes(session, cycle)
                close_cycle(session, cycle)
                if org_index == 0 and year == YEARS[-2]:
                    _demo_plan(session, cycle)
                for network in organisation.networks:
                    share_cycle(
                        session,
                        cycle,
                        network.id,
                        named=org_index in NAMED_IN_NETWORKS,
                        actor_id=None,
                    )
            cycles += 1
            responses += result.created
            answers += result.answers
    session.flush()
    for network_name in (n for n in (region, project) if n):
        ref = network_by_name(session, network_name)
        assert ref is not None
        for year in YEARS[:-1]:  # the closed years, released by their coordinator
            release_year(session, ref.id, year, m.id, actor_id=None)
    return DemoSummary(
        networks, len(organisations), cycles, responses, answers, f"{m.id} {m.version}"
    )
