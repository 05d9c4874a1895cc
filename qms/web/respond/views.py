"""View models of the respondent's pages, built from a methodology and the answers.

Templates get plain, already translated values: which items a section shows (a `when`
is decided here, on the server), their labels (easy-read wording when it is switched
on and the item has one), inputs, current values and errors, and the progress.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Literal

from qms.i18n import N_
from qms.methodology.answers import AnswerValue, is_shown
from qms.methodology.model import Item, ItemType, Methodology, Questionnaire, Scale, Text
from qms.web.respond.forms import Problem, number_text, shown_items, text_limit

ANSWER = N_("Answer the question: %(question)s")

Widget = Literal["radios", "checkboxes", "panel", "textarea", "number"]


def dom_id(item_id: str) -> str:
    """An HTML id for an item: dots would need escaping in CSS selectors."""
    return "q-" + item_id.replace(".", "-")


@dataclass(frozen=True)
class Choice:
    """One radio button or checkbox."""

    value: str
    label: str
    input_id: str
    checked: bool


@dataclass(frozen=True)
class BandView:
    """A band of a 0–100 panel: its description and the values in it."""

    low: int
    high: int
    label: str
    dom_id: str
    choices: tuple[Choice, ...]


@dataclass(frozen=True)
class OptionList:
    """A run of options rendered together: the item's own, or its missing answers."""

    input_type: str  # radio or checkbox
    choices: tuple[Choice, ...]
    missing: bool  # "don't know", "not applicable": one choice, set apart


@dataclass(frozen=True)
class ItemView:
    id: str
    dom_id: str
    type: ItemType
    widget: Widget
    label: str
    easy: bool  # the label is the easy-read wording
    help: str | None
    required: bool
    shown: bool
    choices: tuple[Choice, ...] = ()
    missing: tuple[Choice, ...] = ()  # "don't know", "not applicable": set apart
    bands: tuple[BandView, ...] = ()
    value: str = ""  # what the text box or number field holds
    unit: str | None = None
    max_length: int | None = None
    max_length_text: str = ""  # the limit as the page's language writes numbers
    error: str | None = None

    @property
    def option_lists(self) -> tuple[OptionList, ...]:
        """The options outside a panel's bands (where a panel shows its own)."""
        lists: list[OptionList] = []
        if self.choices:
            kind = "checkbox" if self.widget == "checkboxes" else "radio"
            lists.append(OptionList(kind, self.choices, missing=False))
        if self.missing:
            lists.append(OptionList("radio", self.missing, missing=True))
        return tuple(lists)

    @property
    def input_id(self) -> str:
        """Where the error summary's link for this item points: its first input."""
        if self.widget in ("textarea", "number"):
            return self.dom_id + "-input"
        if self.bands:
            return self.bands[0].choices[0].input_id
        return self.choices[0].input_id if self.choices else self.dom_id


@dataclass(frozen=True)
class Progress:
    section: int  # 0 on pages that are not a section (intro, review)
    sections: int
    answered: int
    shown: int


@dataclass(frozen=True)
class ErrorLink:
    href: str
    text: str
    question: str = ""  # which question it is about, shown beside the link


@dataclass(frozen=True)
class SectionView:
    number: int
    count: int
    id: str
    title: str
    items: tuple[ItemView, ...]  # every item, hidden ones with shown=False
    errors: tuple[ErrorLink, ...]
    progress: Progress

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def is_last(self) -> bool:
        return self.number == self.count


@dataclass(frozen=True)
class ReviewRow:
    item_id: str
    dom_id: str
    question: str
    answer: str | None  # None: not answered
    required: bool


@dataclass(frozen=True)
class ReviewSection:
    number: int
    title: str
    rows: tuple[ReviewRow, ...]


@dataclass(frozen=True)
class ReviewView:
    sections: tuple[ReviewSection, ...]
    progress: Progress
    errors: tuple[ErrorLink, ...]


@dataclass(frozen=True)
class IntroView:
    title: str
    group: str
    intro: str | None
    sections: int
    questions: int
    progress: Progress


Answers = Mapping[str, AnswerValue]
Raw = Mapping[str, tuple[str, ...]]


def _label(item: Item, lang: str, easy: bool) -> tuple[str, bool]:
    if easy and item.easy_read is not None:
        return item.easy_read.get(lang), True
    return item.text.get(lang), False


def _text(text: Text | None, lang: str) -> str | None:
    return text.get(lang) if text is not None else None


def _posted(
    item: Item, answer: AnswerValue | None, raw: tuple[str, ...] | None, lang: str
) -> tuple[str, ...]:
    """The item's values as the form fields hold them: what was typed when it had an
    error, else the saved answer."""
    if raw is not None:
        return raw
    if answer is None:
        return ()
    if isinstance(answer, tuple):
        return answer
    if isinstance(answer, float):
        return (number_text(answer, lang),)
    return (str(answer),)


def _scale_choices(
    scale: Scale, base: str, posted: tuple[str, ...], lang: str
) -> tuple[tuple[Choice, ...], tuple[Choice, ...], tuple[BandView, ...]]:
    missing = tuple(
        Choice(m.code, m.label.get(lang), f"{base}-{m.code}", m.code in posted)
        for m in scale.missing
    )
    if scale.range is None:
        choices = tuple(
            Choice(str(o.value), o.label.get(lang), f"{base}-{n}", str(o.value) in posted)
            for n, o in enumerate(scale.options, start=1)
        )
        return choices, missing, ()
    bands = []
    for b, band in enumerate(scale.bands, start=1):
        values = [v for v in scale.values() if band.contains(v)]
        bands.append(
            BandView(
                band.low,
                band.high,
                band.label.get(lang),
                f"{base}-band{b}",
                tuple(Choice(str(v), str(v), f"{base}-v{v}", str(v) in posted) for v in values),
            )
        )
    return (), missing, tuple(bands)


def item_view(
    methodology: Methodology,
    item: Item,
    *,
    lang: str,
    easy: bool,
    answers: Answers,
    raw: Raw | None = None,
    error: Problem | None = None,
) -> ItemView:
    label, is_easy = _label(item, lang, easy)
    base = dom_id(item.id)
    posted = _posted(item, answers.get(item.id), (raw or {}).get(item.id), lang)
    choices: tuple[Choice, ...] = ()
    missing: tuple[Choice, ...] = ()
    bands: tuple[BandView, ...] = ()
    widget: Widget
    if item.type == "scale":
        choices, missing, bands = _scale_choices(methodology.item_scale(item), base, posted, lang)
        widget = "panel" if bands else "radios"
    elif item.type in ("choice", "multi"):
        choices = tuple(
            Choice(o.value, o.label.get(lang), f"{base}-{n}", o.value in posted)
            for n, o in enumerate(item.options, start=1)
        )
        widget = "radios" if item.type == "choice" else "checkboxes"
    else:
        widget = "number" if item.type == "number" else "textarea"
    return ItemView(
        id=item.id,
        dom_id=base,
        type=item.type,
        widget=widget,
        label=label,
        easy=is_easy,
        help=_text(item.help, lang),
        required=item.required,
        shown=is_shown(item, answers),
        choices=choices,
        missing=missing,
        bands=bands,
        value=posted[0] if posted and widget in ("number", "textarea") else "",
        unit=_text(item.unit, lang) if item.type == "number" else None,
        max_length=text_limit(item) if item.type == "text" else None,
        max_length_text=number_text(text_limit(item), lang, grouped=True)
        if item.type == "text"
        else "",
        error=error.text(lang) if error is not None else None,
    )


def progress(questionnaire: Questionnaire, answers: Answers, section: int = 0) -> Progress:
    """Answered of shown items over the whole questionnaire; dk and na count as answers."""
    shown = [item for s in questionnaire.sections for item in shown_items(s, answers)]
    answered = sum(1 for item in shown if item.id in answers)
    return Progress(section, len(questionnaire.sections), answered, len(shown))


def section_view(
    methodology: Methodology,
    questionnaire: Questionnaire,
    number: int,
    *,
    lang: str,
    easy: bool,
    answers: Answers,
    raw: Raw | None = None,
    errors: Mapping[str, Problem] | None = None,
) -> SectionView:
    """Section `number` (1-based, checked by the caller) as the page shows it."""
    section = questionnaire.sections[number - 1]
    errors = errors or {}
    items = tuple(
        item_view(
            methodology,
            item,
            lang=lang,
            easy=easy,
            answers=answers,
            raw=raw,
            error=errors.get(item.id),
        )
        for item in section.items
    )
    links = tuple(
        ErrorLink("#" + view.input_id, view.error, view.label)
        for view in items
        if view.error and view.shown
    )
    return SectionView(
        number,
        len(questionnaire.sections),
        section.id,
        section.title.get(lang),
        items,
        links,
        progress(questionnaire, answers, number),
    )


def answer_text(methodology: Methodology, item: Item, value: AnswerValue, lang: str) -> str:
    """An answer as words, for the review page."""
    if item.type == "scale":
        scale = methodology.item_scale(item)
        if isinstance(value, str):
            return next((m.label.get(lang) for m in scale.missing if m.code == value), value)
        if scale.range is not None:
            return str(value)
        return next((o.label.get(lang) for o in scale.options if o.value == value), str(value))
    labels = {o.value: o.label.get(lang) for o in item.options}
    if isinstance(value, tuple):
        return ", ".join(labels.get(v, v) for v in value)
    if isinstance(value, float):
        unit = _text(item.unit, lang)
        text = number_text(value, lang, grouped=True)
        return f"{text} {unit}" if unit else text
    return labels.get(str(value), str(value))


def review_view(
    methodology: Methodology,
    questionnaire: Questionnaire,
    *,
    lang: str,
    easy: bool,
    answers: Answers,
    missing: Collection[str] = (),
    link: Callable[[int], str] = str,
) -> ReviewView:
    """Every shown item with its answer; `missing` are required items left blank, which
    the error summary links to, at `link(section number)`."""
    sections: list[ReviewSection] = []
    links: list[ErrorLink] = []
    for number, section in enumerate(questionnaire.sections, start=1):
        rows = []
        for item in shown_items(section, answers):
            value = answers.get(item.id)
            text = answer_text(methodology, item, value, lang) if value is not None else None
            question = _label(item, lang, easy)[0]
            rows.append(ReviewRow(item.id, dom_id(item.id), question, text, item.required))
            if item.id in missing:
                href = link(number) + "#" + dom_id(item.id)
                links.append(ErrorLink(href, Problem(ANSWER, {"question": question}).text(lang)))
        sections.append(ReviewSection(number, section.title.get(lang), tuple(rows)))
    return ReviewView(tuple(sections), progress(questionnaire, answers), tuple(links))


def intro_view(
    methodology: Methodology, questionnaire: Questionnaire, *, lang: str, answers: Answers
) -> IntroView:
    counts = progress(questionnaire, answers)
    return IntroView(
        methodology.title.get(lang),
        methodology.group(questionnaire.group).title.get(lang),
        _text(questionnaire.intro, lang),
        len(questionnaire.sections),
        counts.shown,
        counts,
    )
