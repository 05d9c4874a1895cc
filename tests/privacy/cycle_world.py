"""One organisation's cycle, the operations that change it, and what is true about it.

Operations go the way people make them: answers from the web (the store's response
functions, as the respondent pages call them), paper forms typed in over HTTP,
imports (with `replace`) through qms.store.importing as `qms responses import` does,
closing, reopening, closing and reopening one group's collection and publishing over
HTTP as a head. The world keeps every respondent's answers (the ground truth the
adversary is judged against) and, at each observation, which release each group's
figures come from (what the viewer cannot see).
"""

from __future__ import annotations

import html
import itertools
import re
import secrets
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field

from qms.imports.csvfile import Row
from qms.imports.validate import validate_rows
from qms.methodology.answers import AnswerValue
from qms.methodology.model import Methodology
from qms.store import consensus
from qms.store.cycles import asked_groups, close_cycle, create_cycle, get_cycle
from qms.store.importing import import_responses
from qms.store.orgs import get_organisation
from qms.store.releases import release_states
from qms.store.responses import create_response
from qms.store.snapshots import Snapshot, cycle_methodology
from tests.privacy.env import Env
from tests.privacy.observe_cycle import ALL, PdfMemo, observe_cycle
from tests.privacy.records import Observation

Answers = Mapping[str, AnswerValue]


@dataclass
class Respondent:
    key: str
    group: str
    answers: dict[str, AnswerValue]
    via: str
    proxy: bool = False


@dataclass
class CycleWorld:
    env: Env
    snapshot: Snapshot
    org: str = "Org A"
    year: int = 2025
    cycle_id: int = 0
    m: Methodology = field(init=False)
    respondents: list[Respondent] = field(default_factory=list)
    history: list[Observation] = field(default_factory=list)
    status: str = "open"
    published: bool = False
    closed_groups: set[str] = field(default_factory=set)
    hidden: set[str] = field(default_factory=set)  # comments a head hid
    agreed: bool = False  # the working group has a consensus record
    _numbers: itertools.count[int] = field(default_factory=itertools.count)
    pdf_limit: int | None = None  # PDFs fetched at most (None: whenever the report changed)
    _pdf: PdfMemo = field(init=False)

    def __post_init__(self) -> None:
        self._pdf = PdfMemo(self.pdf_limit)
        env = self.env
        if self.org not in env.orgs:
            env.organisation(self.org)
            env.person("head", "head", org=self.org)
            env.person("staff", "staff", org=self.org)
        with env.session() as s:
            cycle = create_cycle(s, get_organisation(s, self.org), self.year, self.snapshot)
            s.commit()
            self.cycle_id = cycle.id
            self.m = cycle_methodology(cycle)

    @property
    def min_n(self) -> dict[str, int]:
        return {g.id: g.min_n for g in self.m.groups}

    def collecting(self, group: str) -> bool:
        return self.status == "open" and group not in self.closed_groups

    def earlier_year(self, group: str, rows: list[Answers]) -> int:
        """A closed cycle of the year before, so that the comparison page has two."""
        with self.env.session() as s:
            cycle = create_cycle(s, get_organisation(s, self.org), self.year - 1, self.snapshot)
            for answers in rows:
                create_response(
                    s, cycle, group=group, source="web", submitted=True, answers=dict(answers)
                )
            close_cycle(s, cycle)
            s.commit()
            return cycle.id

    def _unique(self, answers: Answers) -> dict[str, AnswerValue]:
        """Text answers made unique, so that a hidden comment is known by its words."""
        return {
            k: f"{v} #{next(self._numbers)}" if self.m.item(k).type == "text" else v
            for k, v in answers.items()
        }

    # -- answers ----------------------------------------------------------------------

    def web(
        self, group: str, answers: Answers, *, proxy: bool = False, finished: bool = True
    ) -> None:
        """A respondent's web answers (finished: submitted; else left in progress)."""
        answers = self._unique(answers)
        with self.env.session() as s:
            r = create_response(
                s,
                get_cycle(s, self.cycle_id),
                group=group,
                source="web",
                submitted=finished,
                proxy=proxy,
                answers=dict(answers),
            )
            s.commit()
            self.respondents.append(
                Respondent(
                    r.respondent, group, dict(answers), "web" if finished else "unfinished", proxy
                )
            )

    def paper(self, group: str, answers: Answers, *, proxy: bool = False) -> None:
        """One paper form typed in by the head over HTTP."""
        answers = self._unique(answers)
        entry = secrets.token_hex(16)
        data: dict[str, str | list[str]] = {"_entry": entry}
        if proxy:
            data["_proxy"] = "1"
        for item, value in answers.items():
            data[item] = list(value) if isinstance(value, tuple) else _text(value)
        status = self.env.post("head", f"/staff/cycles/{self.cycle_id}/paper/{group}?lang=en", data)
        assert status == 303, f"paper entry refused ({status}): {answers}"
        self.respondents.append(Respondent(f"paper:{entry}", group, dict(answers), "paper", proxy))

    def imported(self, rows: Sequence[tuple[str, str, Answers]], *, replace: bool = False) -> None:
        """(respondent id, group, answers) as `qms responses import [--replace]` reads a
        file; with `replace`, a known id's answers become the file's."""
        rows = [(key, group, self._unique(answers)) for key, group, answers in rows]
        lines: list[Row] = []
        line = itertools.count(2)
        for key, group, answers in rows:
            for item, value in answers.items():
                lines.append(Row(next(line), key, group, item, _text(value)))
            if not answers:
                lines.append(Row(next(line), key, group, self._first_item(group), ""))
        with self.env.session() as s:
            cycle = get_cycle(s, self.cycle_id)
            import_responses(
                s, cycle, validate_rows(self.m, lines), label="privacy", replace=replace
            )
            s.commit()
        for key, group, answers in rows:
            known = next((r for r in self.respondents if r.key == key), None)
            if known is None:
                self.respondents.append(Respondent(key, group, dict(answers), "import"))
            else:
                known.group, known.answers, known.via = group, dict(answers), "import"

    def new_import_key(self) -> str:
        return f"imp{next(self._numbers)}"

    def _first_item(self, group: str) -> str:
        return self.m.questionnaires[group].items[0].id

    def agree(self, scores: Mapping[str, int]) -> None:
        """The working group's consensus (named, released at every close)."""
        with self.env.session() as s:
            consensus.save_consensus(s, get_cycle(s, self.cycle_id), dict(scores), actor_id=None)
            s.commit()
        self.agreed = True

    # -- the cycle --------------------------------------------------------------------

    def close(self) -> None:
        assert (
            self.env.post("head", f"/staff/cycles/{self.cycle_id}/close", {"confirm": "yes"}) == 303
        )
        self.status = "closed"
        for r in self.respondents:
            if r.via == "unfinished" and r.answers:
                r.via = "web"

    def reopen(self) -> None:
        assert (
            self.env.post(
                "head", f"/staff/cycles/{self.cycle_id}/reopen", {"reason": "late forms arrived"}
            )
            == 303
        )
        self.status = "open"
        self.closed_groups.clear()

    def close_group(self, group: str) -> None:
        status = self.env.post("head", f"/staff/cycles/{self.cycle_id}/groups/{group}/close")
        assert status == 303
        self.closed_groups.add(group)
        for r in self.respondents:
            if r.group == group and r.via == "unfinished" and r.answers:
                r.via = "web"

    def reopen_group(self, group: str) -> None:
        status = self.env.post("head", f"/staff/cycles/{self.cycle_id}/groups/{group}/reopen")
        assert status == 303
        self.closed_groups.discard(group)

    def hide_comment(self) -> bool:
        """A head hides the first comment of the comments page; False when none."""
        client = self.env.client("head")
        got = client.get(f"/staff/cycles/{self.cycle_id}/comments?lang=en")
        found = re.search(r'<p class="comment-text" id="c-([0-9a-f]+)">(.*?)</p>', got.text, re.S)
        item = re.search(r'name="item" value="([^"]+)"', got.text)
        if found is None or item is None:
            return False
        status = self.env.post(
            "head",
            f"/staff/cycles/{self.cycle_id}/comments/hide",
            {"item": item.group(1), "key": found.group(1)},
        )
        assert status == 303
        self.hidden.add(html.unescape(found.group(2)).replace("<br>", "\n").strip())
        return True

    def publish(self) -> None:
        assert self.env.post("head", f"/staff/cycles/{self.cycle_id}/results/publish") == 303
        self.published = True

    def summary(self) -> str:
        exported = sorted({e.group for o in self.history for e in o.exports if e.rows})
        return (
            f"{len(self.history)} observations, {self.status}, respondents "
            f"{[(r.group, r.via) for r in self.respondents]}, exported {exported}"
        )

    # -- what the viewer sees -----------------------------------------------------------

    def observe(
        self, viewer: str, label: str, *, pdf: bool = True, parts: Collection[str] = ALL
    ) -> Observation:
        obs = Observation(len(self.history), label)
        obs.hidden_comments = frozenset(self.hidden)
        with self.env.session() as s:
            cycle = get_cycle(s, self.cycle_id)
            for group, state in release_states(s, cycle, asked_groups(s, cycle)).items():
                obs.releases[self.cycle_id, group] = f"{state.seq}:{state.respondents}"
        groups = {r.group for r in self.respondents} | {
            g.id for g in self.m.groups if g.is_consensus and self.agreed
        }
        observe_cycle(
            self.env.client(viewer),
            self.cycle_id,
            self.m,
            obs,
            self._pdf if pdf else None,
            groups,
            parts,
        )
        self.history.append(obs)
        return obs


def _text(value: AnswerValue | None) -> str:
    if value is None:
        return ""
    if isinstance(value, tuple):
        return "|".join(value)
    if isinstance(value, float) and value == int(value):
        return str(int(value))
    return str(value)
