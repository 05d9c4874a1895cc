"""Paper questionnaires typed in by staff: one whole questionnaire on one page, stored as
a submitted response of source "paper".

    GET  /staff/cycles/{id}/paper            which group's form to type in
    GET  /staff/cycles/{id}/paper/{group}    a blank form (after a save: its confirmation)
    POST /staff/cycles/{id}/paper/{group}    store one form, or show its errors

Each value is read as the web questionnaire reads it (qms.web.respond.forms.read_item),
and the rest follows the CSV import, since the form on the desk is the same paper the
import reads: a required question left blank is accepted (paper forms have gaps) and
counted in the confirmation, and an answer to a question the form's conditions did not
ask is refused next to that question. The consensus group has its own page.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, replace

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from sqlalchemy.orm import Session

from qms.i18n import N_
from qms.methodology.answers import AnswerValue, is_shown
from qms.methodology.model import Item, Methodology, Questionnaire
from qms.store import cycles, responses
from qms.store.cycles import Cycle
from qms.store.errors import Conflict
from qms.store.snapshots import cycle_methodology
from qms.web.access import CycleRequest, on_cycle
from qms.web.forms import FormData
from qms.web.render import page
from qms.web.respond import forms
from qms.web.respond.forms import Problem, RawForm
from qms.web.respond.pages import form_of
from qms.web.respond.views import ErrorLink, ItemView, answer_text, item_view
from qms.web.urls import cycle_path

PAPER = on_cycle("cycle.paper")
ENTRY_FIELD = "_entry"
PROXY_FIELD = "_proxy"
_ENTRY = re.compile(r"[0-9a-f]{32}\Z")

NOT_ASKED = N_("Leave this blank: with the answer to “%(question)s”, this question is not asked.")
ONLY_WHEN = N_("Asked only when the answer to “%(question)s” is: %(answers)s")
CLOSED = N_("This cycle is closed: it takes no more answers.")
ALREADY = N_("This form was saved already; it was not stored a second time.")


@dataclass(frozen=True)
class PaperItem:
    view: ItemView


@dataclass(frozen=True)
class PaperSection:
    title: str
    items: tuple[PaperItem, ...]


@dataclass(frozen=True)
class GroupLink:
    id: str
    title: str
    paper: int


@dataclass(frozen=True)
class Reading:
    answers: dict[str, AnswerValue]
    errors: dict[str, Problem]
    raw: dict[str, tuple[str, ...]]
    gaps: int  # required questions asked and left blank


def _label(item: Item, lang: str) -> str:
    return item.text.get(lang)


# Not a declared FormSpec: but for two hidden fields every field is a question of the
# questionnaire, read by forms.read_item, which the web questionnaire uses too, with the
# answer rules of qms.methodology.answers that the CSV import applies. A struct built per
# questionnaire would write those rules (scales, options, ranges, repeated fields of a
# multiple choice) a second time. The hidden fields need no messages: a malformed entry
# key is replaced by a new one, and the proxy box is ticked only by "1".
def read_paper(
    methodology: Methodology, questionnaire: Questionnaire, form: RawForm, lang: str
) -> Reading:
    answers: dict[str, AnswerValue] = {}
    errors: dict[str, Problem] = {}
    raw: dict[str, tuple[str, ...]] = {}
    for item in questionnaire.items:
        posted = tuple(form.get(item.id, ()))
        value, problem = forms.read_item(methodology, item, posted, lang)
        if problem is not None:
            errors[item.id], raw[item.id] = problem, posted
        elif value is not None:
            answers[item.id] = value
    by_id = {item.id: item for item in questionnaire.items}
    for item in questionnaire.items:
        when = item.when
        # A condition whose own answer is wrong says nothing yet: that error comes first.
        if when is None or item.id not in answers or when.item in errors:
            continue
        if not is_shown(item, answers):
            raw[item.id] = tuple(form.get(item.id, ()))
            errors[item.id] = Problem(NOT_ASKED, {"question": _label(by_id[when.item], lang)})
            del answers[item.id]
    gaps = sum(
        1
        for item in questionnaire.items
        if item.required
        and item.id not in answers
        and item.id not in errors
        and is_shown(item, answers)
    )
    return Reading(answers, errors, raw, gaps)


def _condition(
    methodology: Methodology, questionnaire: Questionnaire, item: Item, lang: str
) -> str | None:
    if item.when is None:
        return None
    source = next(i for i in questionnaire.items if i.id == item.when.item)
    answers = []
    for value in item.when.values:
        typed: AnswerValue = int(value) if source.type == "scale" and value.isdigit() else value
        answers.append(answer_text(methodology, source, typed, lang))
    return Problem(
        ONLY_WHEN, {"question": _label(source, lang), "answers": ", ".join(answers)}
    ).text(lang)


def _sections(
    methodology: Methodology,
    questionnaire: Questionnaire,
    lang: str,
    answers: Mapping[str, AnswerValue],
    raw: Mapping[str, tuple[str, ...]],
    errors: Mapping[str, Problem],
) -> tuple[PaperSection, ...]:
    def paper_item(item: Item) -> PaperItem:
        view = item_view(
            methodology,
            item,
            lang=lang,
            easy=False,
            answers=answers,
            raw=raw,
            error=errors.get(item.id),
        )
        # Every question shows, conditional ones too: the person types what the paper
        # says. When a question is asked goes into its hint, which its inputs point to.
        condition = _condition(methodology, questionnaire, item, lang)
        hint = " ".join(t for t in (condition, view.help) if t) or None
        return PaperItem(replace(view, shown=True, help=hint))

    return tuple(
        PaperSection(section.title.get(lang), tuple(paper_item(i) for i in section.items))
        for section in questionnaire.sections
    )


def _new_entry() -> str:
    return secrets.token_hex(16)


class PaperController(Controller):
    def _questionnaire(
        self, db: Session, cycle: Cycle, group: str
    ) -> tuple[Methodology, Questionnaire]:
        """404 for a group the cycle does not ask, as for one the methodology lacks: the
        groups page links to neither."""
        methodology = cycle_methodology(cycle)
        questionnaire = methodology.questionnaires.get(group)
        if (
            questionnaire is None
            or methodology.group(group).is_consensus
            or not cycles.takes_part(db, cycle, group)
        ):
            raise NotFoundException()
        return methodology, questionnaire

    def _form_page(
        self,
        here: CycleRequest,
        group: str,
        *,
        reading: Reading | None = None,
        proxy: bool = False,
        entry: str | None = None,
        saved: int | None = None,
        gaps: int = 0,
        message: str | None = None,
        status_code: int = 200,
    ) -> Template:
        lang = here.lang
        methodology, questionnaire = self._questionnaire(here.db, here.cycle, group)
        reading = reading or Reading({}, {}, {}, 0)
        sections = _sections(
            methodology, questionnaire, lang, reading.answers, reading.raw, reading.errors
        )
        errors = tuple(
            ErrorLink("#" + item.view.input_id, item.view.error, item.view.label)
            for section in sections
            for item in section.items
            if item.view.error
        )
        base = cycle_path(here, "paper_form", group=group)
        if here.cycle.status != "open" and message is None:
            message = CLOSED
        return page(
            "paper/form.html",
            {
                "cycle": cycles.cycle_info(here.db, here.cycle.id),
                "is_open": here.cycle.status == "open",
                "group_title": methodology.group(group).title.get(lang),
                "action": base,
                "urls": None,  # paper is stored whole, never answer by answer
                "sections": sections,
                "errors": errors,
                "proxy": proxy,
                "entry": entry or _new_entry(),
                "saved": saved,
                "gaps": gaps,
                "message": message,
                "entered": cycles.submitted_by_source(here.db, here.cycle.id)
                .get(group, {})
                .get("paper", 0),
            },
            status_code=status_code,
            request=here.request,
        )

    @get("/paper", name="staff_paper", opt=PAPER, sync_to_thread=True)
    def groups(self, here: NamedDependency[CycleRequest]) -> Template:
        lang = here.lang
        methodology = cycle_methodology(here.cycle)
        by_source = cycles.submitted_by_source(here.db, here.cycle.id)
        asked = cycles.asked_groups(here.db, here.cycle)
        links = [
            GroupLink(g.id, g.title.get(lang), by_source.get(g.id, {}).get("paper", 0))
            for g in methodology.groups
            if not g.is_consensus and g.id in methodology.questionnaires and g.id in asked
        ]
        return page(
            "paper/groups.html",
            {
                "cycle": cycles.cycle_info(here.db, here.cycle.id),
                "is_open": here.cycle.status == "open",
                "groups": links,
            },
            request=here.request,
        )

    @get("/paper/{group:str}", name="paper_form", opt=PAPER, sync_to_thread=True)
    def blank_form(
        self,
        here: NamedDependency[CycleRequest],
        group: FromPath[str],
        saved: FromQuery[int | None] = None,
        gaps: FromQuery[int] = 0,
        again: FromQuery[int] = 0,
    ) -> Template:
        return self._form_page(
            here, group, saved=saved, gaps=gaps, message=ALREADY if again else None
        )

    @post("/paper/{group:str}", name="paper_enter", opt=PAPER, sync_to_thread=True)
    def enter(
        self, here: NamedDependency[CycleRequest], group: FromPath[str], data: FormData
    ) -> Template | Redirect:
        methodology, questionnaire = self._questionnaire(here.db, here.cycle, group)
        lang = here.lang
        form = form_of(data)
        proxy = forms.first(form, PROXY_FIELD) == "1"
        entry = forms.first(form, ENTRY_FIELD)
        if not _ENTRY.match(entry):
            entry = _new_entry()
        if here.cycle.status != "open":
            return self._form_page(here, group, message=CLOSED, status_code=409)
        reading = read_paper(methodology, questionnaire, form, lang)
        if reading.errors:
            return self._form_page(
                here, group, reading=reading, proxy=proxy, entry=entry, status_code=422
            )
        base = cycle_path(here, "paper_form", group=group)
        key = responses.PAPER_PREFIX + entry
        if responses.find_response(here.db, here.cycle.id, key) is not None:
            return Redirect(f"{base}?again=1", status_code=303)
        try:
            # A group left out of the cycle meanwhile: GroupNotInCycle, a 404 (qms.app).
            responses.enter_paper(
                here.db,
                here.cycle,
                group=group,
                entry=entry,
                answers=reading.answers,
                proxy=proxy,
                actor_id=here.principal.user_id,
            )
        except Conflict:
            here.db.rollback()
            # Either the same form won a race with itself, or the cycle closed meanwhile.
            if responses.find_response(here.db, here.cycle.id, key):
                return Redirect(f"{base}?again=1", status_code=303)
            return self._form_page(here, group, message=CLOSED, status_code=409)
        # Committed here: a redirect is not a 2xx, so nothing would commit it later.
        here.db.commit()
        return Redirect(f"{base}?saved={len(reading.answers)}&gaps={reading.gaps}", status_code=303)
