"""A respondent's form posts read into typed answers, with errors a person can act on.

Whatever arrives in a post (a tampered option, a number in words, 20,000 characters
in a text box), reading it never raises: a bad value becomes a `Problem` for its item,
and the answer saved before stays as it was.

Answers are typed as in `qms.methodology.answers` (scale -> int or "dk"/"na", choice -> str,
multi -> tuple of str, number -> float, text -> str), so the store takes them as they are.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

from babel.numbers import format_decimal

from qms.i18n import N_, translate
from qms.methodology.answers import AnswerValue, is_shown, without_hidden
from qms.methodology.model import Item, Methodology, Questionnaire, Section

# Field name -> the values posted under it (a form may repeat a name: checkboxes).
RawForm = Mapping[str, Sequence[str]]

# The form fields that are not answers start with "_": item ids start with a letter.
SHOWN_FIELD = "_shown"
# Text items without `max_length` still get a ceiling, so a pasted book is refused
# with a message rather than stored.
TEXT_CEILING = 10_000
_NUMBER_CHARS = 40

CHOOSE_ONE = N_("Choose one of the options")
CHOOSE_SOME = N_("Choose at least one option")
CHOOSE_LISTED = N_("Choose only from the options shown")
ENTER_TEXT = N_("Enter your answer")
TOO_LONG = N_("Use at most %(max)s characters")
ENTER_NUMBER = N_("Enter a number, for example 12 or 2.5")
NUMBER_BETWEEN = N_("Enter a number between %(min)s and %(max)s")
NUMBER_AT_LEAST = N_("Enter a number of %(min)s or more")
NUMBER_AT_MOST = N_("Enter a number of %(max)s or less")
NOT_RECEIVED = N_("Your answer did not arrive. Please try again.")

_INTEGER = re.compile(r"[0-9]{1,9}\Z")
_SPACES = re.compile(r"[\s\u00a0\u202f\u2009']+")
_EN_GROUPED = re.compile(r"-?[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?\Z")
_DECIMAL = re.compile(r"[-+]?[0-9]+([.,][0-9]+)?\Z")


@dataclass(frozen=True)
class Problem:
    """An error as an English message id and its parameters, translated when shown."""

    message: str
    params: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    def text(self, lang: str) -> str:
        template = translate(lang, self.message)
        return template % dict(self.params) if self.params else template


@dataclass(frozen=True)
class Submission:
    """A section's post, read. `answers` is the respondent's whole set after it, without
    answers that a changed condition now hides; `raw` keeps what was typed into items
    with errors so the page can show it again; `revealed` lists items that this post's
    answers made appear on the section and that the page did not show yet."""

    answers: dict[str, AnswerValue]
    errors: dict[str, Problem]
    raw: dict[str, tuple[str, ...]]
    revealed: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.errors and not self.revealed


def first(form: RawForm, name: str) -> str:
    """A control field's value ("" when absent)."""
    values = form.get(name, ())
    return values[0] if values else ""


def questionnaire_of(methodology: Methodology, group: str) -> Questionnaire | None:
    return methodology.questionnaires.get(group)


def section_of(questionnaire: Questionnaire, item_id: str) -> int | None:
    """The 1-based number of the section holding the item."""
    for number, section in enumerate(questionnaire.sections, start=1):
        if any(item.id == item_id for item in section.items):
            return number
    return None


def shown_items(section: Section, answers: Mapping[str, AnswerValue]) -> tuple[Item, ...]:
    return tuple(item for item in section.items if is_shown(item, answers))


def number_text(value: float, lang: str, *, grouped: bool = False) -> str:
    """A number as a person of `lang` writes it; ungrouped where it goes back into a field."""
    if value == int(value) and abs(value) < 1e15:
        value = int(value)
    return str(format_decimal(value, locale=lang, group_separator=grouped))


def _first(values: Sequence[str]) -> str:
    return values[0].strip() if values else ""


def _read_number(text: str, lang: str) -> float | None:
    text = _SPACES.sub("", text)
    if len(text) > _NUMBER_CHARS:
        return None
    # "1,200" is twelve hundred to an English reader and 1.2 to a Latvian one.
    if lang == "en" and _EN_GROUPED.match(text):
        text = text.replace(",", "")
    if not _DECIMAL.match(text):
        return None
    value = float(text.replace(",", "."))
    return value if math.isfinite(value) else None


def _number_problem(item: Item, lang: str) -> Problem:
    low = None if item.min is None else number_text(item.min, lang, grouped=True)
    high = None if item.max is None else number_text(item.max, lang, grouped=True)
    if low is not None and high is not None:
        return Problem(NUMBER_BETWEEN, {"min": low, "max": high})
    if low is not None:
        return Problem(NUMBER_AT_LEAST, {"min": low})
    if high is not None:
        return Problem(NUMBER_AT_MOST, {"max": high})
    return Problem(ENTER_NUMBER)


def text_limit(item: Item) -> int:
    return item.max_length if item.max_length is not None else TEXT_CEILING


def read_item(
    methodology: Methodology, item: Item, values: Sequence[str], lang: str
) -> tuple[AnswerValue | None, Problem | None]:
    """One item's posted values as (answer, None), (None, None) for a blank, or
    (None, problem). Whether a blank is allowed is the caller's business."""
    if item.type == "multi":
        chosen = {v.strip() for v in values if v.strip()}
        known = [o.value for o in item.options]
        if chosen - set(known):
            return None, Problem(CHOOSE_LISTED)
        picked = tuple(v for v in known if v in chosen)
        return (picked or None), None
    if item.type == "text":
        # Browsers count a line break as one character against `maxlength` but post it
        # as CRLF; counting after normalising keeps the two limits the same.
        text = "\n".join(values).replace("\r\n", "\n").replace("\r", "\n").strip()
        if not text:
            return None, None
        limit = text_limit(item)
        if len(text) > limit:
            return None, Problem(TOO_LONG, {"max": number_text(limit, lang, grouped=True)})
        return text, None
    raw = _first(values)
    if not raw:
        return None, None
    if item.type == "scale":
        scale = methodology.item_scale(item)
        if raw in scale.missing_codes():
            return raw, None
        if _INTEGER.match(raw) and scale.is_valid(int(raw)):
            return int(raw), None
        return None, Problem(CHOOSE_ONE)
    if item.type == "choice":
        if any(o.value == raw for o in item.options):
            return raw, None
        return None, Problem(CHOOSE_ONE)
    number = _read_number(raw, lang)
    if number is None:
        return None, _number_problem(item, lang)
    if (item.min is not None and number < item.min) or (item.max is not None and number > item.max):
        return None, _number_problem(item, lang)
    return number, None


def blank_problem(item: Item, lang: str) -> Problem:
    """What a required item left blank says."""
    if item.type == "multi":
        return Problem(CHOOSE_SOME)
    if item.type == "text":
        return Problem(ENTER_TEXT)
    if item.type == "number":
        return _number_problem(item, lang)
    return Problem(CHOOSE_ONE)


def read_section(
    methodology: Methodology,
    questionnaire: Questionnaire,
    number: int,
    form: RawForm,
    answers: Mapping[str, AnswerValue],
    lang: str,
    *,
    require: bool = True,
) -> Submission:
    """Section `number` (1-based) of a post applied to `answers`. `require=False` (going
    back) lets required items stay blank but still reports values that are wrong."""
    section = questionnaire.sections[number - 1]
    merged = dict(answers)
    errors: dict[str, Problem] = {}
    raw: dict[str, tuple[str, ...]] = {}
    on_page = set(form.get(SHOWN_FIELD, ()))
    revealed: list[str] = []
    # In document order, so a condition answered on this page already counts for the
    # items below it.
    for item in section.items:
        if not is_shown(item, merged):
            merged.pop(item.id, None)
            continue
        if SHOWN_FIELD in form and item.id not in on_page:
            revealed.append(item.id)
            continue
        posted = tuple(form.get(item.id, ()))
        value, problem = read_item(methodology, item, posted, lang)
        if problem is not None:
            errors[item.id] = problem
            raw[item.id] = posted
        elif value is None:
            merged.pop(item.id, None)
            if require and item.required:
                errors[item.id] = blank_problem(item, lang)
        else:
            merged[item.id] = value
    return Submission(without_hidden(questionnaire, merged), errors, raw, tuple(revealed))


def carries(form: RawForm, item_id: str) -> bool:
    """Whether a one-item save says what the answer is. The page posts the whole form:
    the item's field, or (checkboxes with none ticked) at least its `_shown` entry, which
    makes an absent field an explicit blank. A body without either (garbage, JSON, a
    broken client) says nothing, and must not be read as "clear the answer"."""
    return item_id in form or item_id in form.get(SHOWN_FIELD, ())


def save_item(
    methodology: Methodology,
    questionnaire: Questionnaire,
    item_id: str,
    form: RawForm,
    answers: Mapping[str, AnswerValue],
    lang: str,
) -> tuple[dict[str, AnswerValue], Problem | None]:
    """One item saved as given (the htmx path): the new set of answers, or the old one
    and the problem. A blank required item is saved as blank: the page says so on
    "Continue", not while the person is still answering."""
    item = next((i for i in questionnaire.items if i.id == item_id), None)
    if item is None or not is_shown(item, answers):
        return dict(answers), Problem(CHOOSE_LISTED)
    value, problem = read_item(methodology, item, tuple(form.get(item_id, ())), lang)
    if problem is not None:
        return dict(answers), problem
    merged = dict(answers)
    merged.pop(item_id, None)
    if value is not None:
        merged[item_id] = value
    return without_hidden(questionnaire, merged), None


def resume_section(questionnaire: Questionnaire, answers: Mapping[str, AnswerValue]) -> int | None:
    """Where a person who comes back with their code stopped: the last part holding an
    answer, or the next part with questions once that one is complete. None: nothing
    answered yet (start at the beginning), or every part done (their answers to check)."""
    if not answers:
        return None
    sections = questionnaire.sections
    last = max(
        number
        for number, section in enumerate(sections, start=1)
        if any(item.id in answers for item in section.items)
    )
    if any(item.id not in answers for item in shown_items(sections[last - 1], answers)):
        return last
    for number in range(last + 1, len(sections) + 1):
        if shown_items(sections[number - 1], answers):
            return number
    return None


def missing_required(
    questionnaire: Questionnaire, answers: Mapping[str, AnswerValue]
) -> list[tuple[int, Item]]:
    """Required items that are shown and blank, with their section numbers."""
    return [
        (number, item)
        for number, section in enumerate(questionnaire.sections, start=1)
        for item in shown_items(section, answers)
        if item.required and item.id not in answers
    ]
