"""The organisation group's consensus workflow (METHODOLOGY.md §1): each member of the
working group (heads and staff of the cycle's organisation) scores the items on their
own; the consensus page shows the spread of those scores beside the form where a head
records the agreed score with its evidence, strengths and areas for improvement.

The cycle router checks `cycle.assess` / `cycle.consensus` in the cycle's organisation
(another organisation's cycle answers 404). A closed cycle shows everything read-only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.response import Redirect, Template

from qms import i18n
from qms.i18n import N_
from qms.methodology.answers import AnswerValue
from qms.methodology.model import Item, Methodology
from qms.store import consensus, directory
from qms.store.snapshots import cycle_methodology
from qms.web.access import CycleRequest, on_cycle
from qms.web.forms import FormData, text
from qms.web.render import page
from qms.web.respond.forms import Problem
from qms.web.respond.views import ItemView, dom_id, item_view
from qms.web.urls import cycle_path

CHOOSE_SCORE = N_("Choose a score from the scale.")
NOTE_TOO_LONG = N_("A note can have up to %(max)s characters; shorten “%(note)s”.")
NOTE_MAX = 2000
NOTE_FIELDS = (
    ("evidence", N_("Evidence")),
    ("strengths", N_("Strengths")),
    ("improvements", N_("Areas for improvement")),
)


@dataclass(frozen=True)
class Row:
    item: ItemView
    value: str  # the saved score as text ("" when none), for read-only pages
    spread: consensus.ItemSpread | None = None
    notes: consensus.Notes = field(default_factory=consensus.Notes)


@dataclass(frozen=True)
class Block:
    """The items of one sub-criterion."""

    id: str
    title: str
    rows: tuple[Row, ...]


def _score_text(value: AnswerValue | None, methodology: Methodology, item: Item, lang: str) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        scale = methodology.item_scale(item)
        return next((m.label.get(lang) for m in scale.missing if m.code == value), value)
    return str(value)


def _blocks(
    methodology: Methodology,
    answers: Mapping[str, AnswerValue],
    *,
    raw: Mapping[str, tuple[str, ...]] | None = None,
    errors: Mapping[str, Problem] | None = None,
    spread: Mapping[str, consensus.ItemSpread] | None = None,
    notes: Mapping[str, consensus.Notes] | None = None,
) -> tuple[Block, ...]:
    lang = i18n.current_language.get()
    grouped: dict[str, list[Row]] = {}
    for item in consensus.scale_items(methodology):
        view = item_view(
            methodology,
            item,
            lang=lang,
            easy=False,
            answers=answers,
            raw=raw,
            error=(errors or {}).get(item.id),
        )
        row = Row(
            view,
            _score_text(answers.get(item.id), methodology, item, lang),
            (spread or {}).get(item.id),
            (notes or {}).get(item.id, consensus.Notes()),
        )
        grouped.setdefault(item.criterion or "", []).append(row)
    blocks = []
    for criterion, rows in grouped.items():
        try:
            title = methodology.node(criterion).title.get(lang)
        except KeyError:
            title = ""
        blocks.append(Block(criterion, title, tuple(rows)))
    return tuple(blocks)


# Not a declared FormSpec: every field here is an item of the cycle's methodology (its
# score, and its three notes), and a score's rule is the item's scale (values and missing
# codes, qms.methodology.model), which the respondents' pages and the import read too. A
# struct built per methodology would write that rule again as patterns; the scale is asked
# instead, and each wrong field gets its message next to its item as those pages do.
def _read_scores(
    methodology: Methodology, data: Mapping[str, Any]
) -> tuple[dict[str, object], dict[str, tuple[str, ...]], dict[str, Problem]]:
    """The posted scores of the scale items; an empty field is no score."""
    answers: dict[str, object] = {}
    raw: dict[str, tuple[str, ...]] = {}
    errors: dict[str, Problem] = {}
    for item in consensus.scale_items(methodology):
        posted = text(data, item.id)
        if not posted:
            continue
        scale = methodology.item_scale(item)
        if posted in scale.missing_codes():
            answers[item.id] = posted
        elif posted.isdigit() and len(posted) < 6 and scale.is_valid(int(posted)):
            answers[item.id] = int(posted)
        else:
            raw[item.id] = (posted,)
            errors[item.id] = Problem(CHOOSE_SCORE)
    return answers, raw, errors


def _read_notes(
    methodology: Methodology, data: Mapping[str, Any], errors: dict[str, Problem]
) -> dict[str, consensus.Notes]:
    """The posted notes of each item, whole; one too long is its item's error (`errors`,
    after any score error) rather than cut."""
    lang = i18n.current_language.get()
    notes = {}
    for item in consensus.scale_items(methodology):
        texts = [text(data, f"{name}:{item.id}", limit=None) for name, _label in NOTE_FIELDS]
        for note_text, (_name, label) in zip(texts, NOTE_FIELDS, strict=True):
            if len(note_text) > NOTE_MAX and item.id not in errors:
                note = i18n.translate(lang, label)
                errors[item.id] = Problem(NOTE_TOO_LONG, {"max": str(NOTE_MAX), "note": note})
        notes[item.id] = consensus.Notes(*texts)
    return notes


def _context(here: CycleRequest) -> dict[str, Any]:
    org = directory.organisation(here.db, here.cycle.organisation_id)
    return {
        "cycle": here.cycle,
        "organisation_name": org.name if org is not None else "",
        "editable": here.cycle.status == "open",
        "can_consensus": here.principal.can(
            "cycle.consensus", organisation_id=here.cycle.organisation_id
        ),
        "note_fields": NOTE_FIELDS,
        "note_max": NOTE_MAX,
        "wide_spread": consensus.WIDE_SPREAD,
        "dom_id": dom_id,
    }


def _error_links(blocks: tuple[Block, ...]) -> list[tuple[str, str]]:
    return [
        ("#" + row.item.input_id, row.item.error)
        for block in blocks
        for row in block.rows
        if row.item.error
    ]


ASSESS = on_cycle("cycle.assess")


class ConsensusController(Controller):
    @get("/assessment", name="cycle_assessment", opt=ASSESS, sync_to_thread=True)
    def assessment(self, here: NamedDependency[CycleRequest]) -> Template:
        methodology = cycle_methodology(here.cycle)
        answers = consensus.my_answers(here.db, here.cycle, here.principal.user_id)
        return page(
            "consensus/assessment.html",
            {
                **_context(here),
                "blocks": _blocks(methodology, answers),
                "errors": [],
                "saved": here.request.query_params.get("saved") == "1",
            },
            request=here.request,
        )

    @post("/assessment", name="cycle_assessment_save", opt=ASSESS, sync_to_thread=True)
    def save_assessment(
        self, here: NamedDependency[CycleRequest], data: FormData
    ) -> Template | Redirect:
        methodology = cycle_methodology(here.cycle)
        answers, raw, errors = _read_scores(methodology, data)
        if here.cycle.status != "open" or errors:
            shown: Mapping[str, AnswerValue] = (
                consensus.my_answers(here.db, here.cycle, here.principal.user_id)
                if errors == {}
                else {k: v for k, v in answers.items() if isinstance(v, (int, str))}
            )
            blocks = _blocks(methodology, shown, raw=raw, errors=errors)
            return page(
                "consensus/assessment.html",
                {
                    **_context(here),
                    "blocks": blocks,
                    "errors": _error_links(blocks),
                    "saved": False,
                },
                status_code=409 if here.cycle.status != "open" else 422,
                request=here.request,
            )
        consensus.save_my_entry(here.db, here.cycle, here.principal.user_id, answers)
        here.db.commit()
        return Redirect(cycle_path(here, "cycle_assessment") + "?saved=1", status_code=303)

    @get("/consensus", name="cycle_consensus", opt=ASSESS, sync_to_thread=True)
    def consensus_page(self, here: NamedDependency[CycleRequest]) -> Template:
        methodology = cycle_methodology(here.cycle)
        blocks = _blocks(
            methodology,
            consensus.consensus_answers(here.db, here.cycle),
            spread=consensus.spread(here.db, here.cycle),
            notes=consensus.consensus_notes(here.db, here.cycle),
        )
        return page(
            "consensus/consensus.html",
            {
                **_context(here),
                "blocks": blocks,
                "errors": [],
                "saved": here.request.query_params.get("saved") == "1",
            },
            request=here.request,
        )

    @post(
        "/consensus",
        name="cycle_consensus_save",
        opt=on_cycle("cycle.consensus"),
        sync_to_thread=True,
    )
    def save_consensus(
        self, here: NamedDependency[CycleRequest], data: FormData
    ) -> Template | Redirect:
        methodology = cycle_methodology(here.cycle)
        answers, raw, errors = _read_scores(methodology, data)
        notes = _read_notes(methodology, data, errors)
        if here.cycle.status != "open" or errors:
            shown = (
                consensus.consensus_answers(here.db, here.cycle)
                if not errors
                else {k: v for k, v in answers.items() if isinstance(v, (int, str))}
            )
            blocks = _blocks(
                methodology,
                shown,
                raw=raw,
                errors=errors,
                spread=consensus.spread(here.db, here.cycle),
                notes=consensus.consensus_notes(here.db, here.cycle) if not errors else notes,
            )
            return page(
                "consensus/consensus.html",
                {
                    **_context(here),
                    "blocks": blocks,
                    "errors": _error_links(blocks),
                    "saved": False,
                },
                status_code=409 if here.cycle.status != "open" else 422,
                request=here.request,
            )
        consensus.save_consensus(
            here.db, here.cycle, answers, actor_id=here.principal.user_id, notes=notes
        )
        here.db.commit()
        return Redirect(cycle_path(here, "cycle_consensus") + "?saved=1", status_code=303)
