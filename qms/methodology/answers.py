"""Typed answers and the rules of METHODOLOGY.md §3 for them, shared by import and web.

An answer value is typed by its item:
  scale  -> int (a valid option or range value) or "dk" / "na" (declared missing codes)
  choice -> str (an option value)
  multi  -> tuple[str, ...] (option values, in the questionnaire's order, at least one)
  number -> float
  text   -> str (not empty)
A blank answer is no value at all (None, or no entry in a mapping).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping

from qms.methodology.model import Item, Methodology, Questionnaire, Scale

AnswerValue = int | float | str | tuple[str, ...]

MULTI_SEPARATOR = "|"
# A scale value is the integer itself: `4.0`, `04` and `+4` are not (METHODOLOGY.md §3).
_INTEGER = re.compile(r"(0|-?[1-9][0-9]*)\Z")
# Latvian and Lithuanian spreadsheets write a decimal comma; both separators are read.
_DECIMAL = re.compile(r"-?[0-9]+([.,][0-9]+)?\Z")


# The one rule for control characters in any text a person sends (respondents' answers,
# section and staff forms, CSV imports): C0 controls but tab and line breaks, and DEL,
# are removed, the same on both engines. They are stripped rather than refused because
# nobody types them: they arrive from pasted binary, broken clients or probes, carry no
# meaning in an answer, and are invisible in a text box, so a person told to remove one
# could not find it. PostgreSQL cannot store NUL at all; SQLite could, and would then
# hold answers that PostgreSQL refuses, so both strip.
_CONTROLS = {code: None for code in range(32) if chr(code) not in "\t\n\r"} | {0x7F: None}


def clean_text(value: str) -> str:
    """`value` without the control characters that no text input keeps."""
    return value.translate(_CONTROLS)


class BadValue(ValueError):
    """The value breaks a rule; the message says which, for the person who wrote it."""


def allowed_text(scale: Scale) -> str:
    if scale.range is not None:
        r = scale.range
        values = f"{r.min}..{r.max} in steps of {r.step}"
    else:
        values = ", ".join(str(v) for v in scale.values())
    codes = scale.missing_codes()
    return values + (", " + ", ".join(codes) if codes else "")


def _allowed(scale: Scale) -> str:
    return "allowed: " + allowed_text(scale)


def _number_text(value: float) -> str:
    return str(int(value)) if value == int(value) else str(value)


def _check_number(item: Item, value: float) -> float:
    if not math.isfinite(value):
        raise BadValue("a number must be finite")
    if item.min is not None and value < item.min:
        raise BadValue(f"{_number_text(value)} is below the minimum {_number_text(item.min)}")
    if item.max is not None and value > item.max:
        raise BadValue(f"{_number_text(value)} is above the maximum {_number_text(item.max)}")
    return float(value)


def _check_text(item: Item, value: str) -> str:
    if item.max_length is not None and len(value) > item.max_length:
        raise BadValue(f"the text has {len(value)} characters, at most {item.max_length} allowed")
    return value


def _options(item: Item) -> list[str]:
    return [o.value for o in item.options]


def _check_multi(item: Item, chosen: list[str]) -> tuple[str, ...]:
    options = _options(item)
    if any(c == "" for c in chosen):
        raise BadValue(f"an empty choice between '{MULTI_SEPARATOR}' separators")
    unknown = [c for c in chosen if c not in options]
    if unknown:
        raise BadValue(f"{unknown[0]!r} is not an option (options: {', '.join(options)})")
    if len(set(chosen)) != len(chosen):
        raise BadValue("an option is chosen twice")
    return tuple(o for o in options if o in chosen)


def parse_value(methodology: Methodology, item: Item, raw: str) -> AnswerValue | None:
    """A CSV cell as a typed answer; None for a blank cell."""
    text = raw.strip()
    if text == "":
        return None
    if item.type == "scale":
        scale = methodology.item_scale(item)
        if _INTEGER.match(text) and scale.is_valid(int(text)):
            return int(text)
        if text.lower() in scale.missing_codes():
            return text.lower()
        raise BadValue(f"{text!r} is not a value of scale {scale.id} ({_allowed(scale)})")
    if item.type == "choice":
        if text in _options(item):
            return text
        raise BadValue(f"{text!r} is not an option (options: {', '.join(_options(item))})")
    if item.type == "multi":
        return _check_multi(item, [part.strip() for part in text.split(MULTI_SEPARATOR)])
    if item.type == "number":
        if not _DECIMAL.match(text):
            raise BadValue(f"{text!r} is not a decimal number")
        return _check_number(item, float(text.replace(",", ".")))
    # Spreadsheets end lines inside a cell with \r\n; the web sends \n. One form is stored.
    return _check_text(item, text.replace("\r\n", "\n"))


def check_value(methodology: Methodology, item: Item, value: object) -> AnswerValue:
    """A typed answer from code (the web forms) checked and put in its canonical form."""
    if item.type == "scale":
        scale = methodology.item_scale(item)
        if isinstance(value, int) and not isinstance(value, bool) and scale.is_valid(value):
            return value
        if isinstance(value, str) and value in scale.missing_codes():
            return value
        raise BadValue(f"{value!r} is not a value of scale {scale.id} ({_allowed(scale)})")
    if item.type == "choice":
        if isinstance(value, str) and value in _options(item):
            return value
        raise BadValue(f"{value!r} is not an option (options: {', '.join(_options(item))})")
    if item.type == "multi":
        if isinstance(value, (tuple, list)) and value and all(isinstance(v, str) for v in value):
            return _check_multi(item, list(value))
        raise BadValue("a multiple choice answer is a non-empty list of options")
    if item.type == "number":
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return _check_number(item, float(value))
        raise BadValue(f"{value!r} is not a number")
    if isinstance(value, str) and value != "":
        return _check_text(item, value)
    raise BadValue("a text answer is a non-empty string")


def condition_text(value: AnswerValue | None) -> str | None:
    """How an answer compares with `when.in` (values as text); None when it cannot hold."""
    if isinstance(value, bool) or value is None or isinstance(value, (tuple, float)):
        return None
    return str(value)


def is_shown(item: Item, answers: Mapping[str, AnswerValue]) -> bool:
    """An item is shown when it has no `when`, or its condition item's answer is listed."""
    if item.when is None:
        return True
    return condition_text(answers.get(item.when.item)) in item.when.values


def without_hidden(
    questionnaire: Questionnaire, answers: Mapping[str, AnswerValue]
) -> dict[str, AnswerValue]:
    """The answers minus those whose item a changed condition now hides. One pass in
    document order suffices: a `when` only looks at earlier items."""
    kept: dict[str, AnswerValue] = {}
    for item in questionnaire.items:
        if item.id in answers and is_shown(item, kept):
            kept[item.id] = answers[item.id]
    return kept
