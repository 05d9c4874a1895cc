"""Form posts: declared forms, reading fields safely and collecting errors for the GOV.UK
error pattern.

A staff form is declared once as a `FormSpec` (a msgspec Struct): each field's type and
constraints, and the message shown next to it when the posted value breaks them:

    class NameForm(FormSpec):
        name: Annotated[str, rule(NAME_ERROR, min_length=1, max_length=directory.NAME_MAX)]

`read_form(NameForm, data)` gives the struct, or None with the messages set in the
`Form` the page renders. msgspec does the converting and checking (a library rather than
hand-written parsing); it stops at the first error of a whole object, and the GOV.UK
pattern lists every wrong field, so each field is converted on its own. A field missing, of
the wrong type or out of range gets its message; a field the form does not
declare gets one too (next to the form's first field), and nothing is saved.

Error messages are English msgids (marked with N_); templates translate them, so the
same `Form` renders in whatever language the page is in.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from types import NoneType, UnionType
from typing import Annotated, Any, TypeVar, Union, get_args, get_origin, get_type_hints

import msgspec
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.plugins.htmx import HTMXDetails

from qms.i18n import N_
from qms.methodology.answers import clean_text
from qms.web.deps import HttpRequest
from qms.web.security import CSRF_FIELD

FormData = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
FIELD_MAX = 2000
ROW_ID_MAX = 2**31 - 1  # the largest PostgreSQL integer: a larger id is refused, not a 500
UNKNOWN_FIELD = N_("This form sent a field the page does not know. Reload the page and try again.")
WRONG_VALUE = N_("Check this field: its value is not one the form offers.")
_NOT_DECLARED = {CSRF_FIELD}  # checked by the CSRF guard before any handler runs


def text(
    data: Mapping[str, Any], name: str, *, strip: bool = True, limit: int | None = FIELD_MAX
) -> str:
    """A field as one string: repeated fields give the first, absent ones "", and very
    long input is cut (it is refused later by the length rules, not by a crash);
    `limit=None` keeps it whole, for a page that says how long it is."""
    value = data.get(name, "")
    if isinstance(value, list):
        value = value[0] if value else ""
    if not isinstance(value, str):
        value = str(value)
    value = clean_text(value[:limit])
    return value.strip() if strip else value


def integer(data: Mapping[str, Any], name: str) -> int | None:
    raw = text(data, name)
    if not raw.isdigit() or len(raw) > 12:
        return None
    return int(raw)


@dataclass
class Form:
    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    def error(self, name: str, message: str) -> None:
        self.errors.setdefault(name, message)

    @property
    def ok(self) -> bool:
        return not self.errors


class FormSpec(msgspec.Struct, forbid_unknown_fields=True):
    """A declared form: subclasses list the fields (those with a default last), `rule`
    gives each its constraints and its message."""


S = TypeVar("S", bound=FormSpec)


def rule(
    message: str, *, empty: str | None = None, strip: bool = True, **constraints: Any
) -> msgspec.Meta:
    """The constraints of a field (msgspec.Meta's: min_length, max_length, ge, le,
    pattern ...) and the message shown next to it when a posted value breaks them;
    `empty`, another one for a field left blank or missing. `strip=False` keeps
    surrounding spaces (passwords)."""
    extra = {"message": message, "empty": empty or message, "strip": strip}
    return msgspec.Meta(**constraints, extra=extra)


def one_of(choices: Iterable[str]) -> str:
    """A `pattern` that takes exactly one of `choices`."""
    return "^(?:" + "|".join(re.escape(choice) for choice in choices) + ")$"


@dataclass(frozen=True)
class _Field:
    name: str  # as posted (a struct made with `rename` may post names that are no identifiers)
    attr: str
    hint: Any
    message: str
    empty: str  # the message when the field is blank or missing
    strip: bool
    optional: bool  # "" means None
    required: bool


def _metas(hint: Any) -> list[msgspec.Meta]:
    """Every Meta in a field's type, in unions too (`Annotated[int, rule(...)] | None`)."""
    if get_origin(hint) is Annotated:
        found = [m for m in hint.__metadata__ if isinstance(m, msgspec.Meta)]
        return found + _metas(get_args(hint)[0])
    if get_origin(hint) in (Union, UnionType):
        return [m for arg in get_args(hint) for m in _metas(arg)]
    return []


def _admits_none(hint: Any) -> bool:
    if get_origin(hint) is Annotated:
        return _admits_none(get_args(hint)[0])
    return get_origin(hint) in (Union, UnionType) and NoneType in get_args(hint)


@cache
def _fields(spec: type[FormSpec]) -> tuple[_Field, ...]:
    hints = get_type_hints(spec, include_extras=True)
    fields = []
    for info in msgspec.structs.fields(spec):
        extra: dict[str, Any] = {}
        for meta in _metas(hints[info.name]):
            extra.update(meta.extra or {})
        fields.append(
            _Field(
                info.encode_name,
                info.name,
                hints[info.name],
                extra.get("message", WRONG_VALUE),
                extra.get("empty", WRONG_VALUE),
                extra.get("strip", True),
                _admits_none(hints[info.name]),
                info.required,
            )
        )
    return tuple(fields)


def read_form(
    spec: type[S], data: Mapping[str, Any], form: Form | None = None
) -> tuple[S | None, Form]:
    """The posted `data` as a `spec`, or None with each wrong field's message in the
    returned form (which also keeps what was typed, to show it again)."""
    form = form if form is not None else Form()
    fields = _fields(spec)
    converted: dict[str, Any] = {}
    for f in fields:
        raw = data.get(f.name)
        if raw is None:
            if f.required:
                form.error(f.name, f.empty)
            continue
        if isinstance(raw, list):  # repeated: the first counts, as browsers' forms send it
            raw = raw[0] if raw else ""
        value = clean_text(str(raw))
        value = value.strip() if f.strip else value
        form.values[f.name] = value[:FIELD_MAX]
        if value == "" and f.optional:
            converted[f.attr] = None
            continue
        try:
            converted[f.attr] = msgspec.convert(value, f.hint, strict=False)
        except msgspec.ValidationError:
            form.error(f.name, f.message if value else f.empty)
    declared = {f.name for f in fields}
    if fields and any(name not in declared and name not in _NOT_DECLARED for name in data):
        form.error(fields[0].name, UNKNOWN_FIELD)
    if not form.ok:
        return None, form
    return spec(**converted), form


def is_htmx(request: HttpRequest) -> bool:
    """Whether htmx sent the request, as Litestar's htmx plugin reads its headers."""
    return bool(HTMXDetails(request))


def client_address(request: HttpRequest) -> str:
    return request.client.host if request.client else "unknown"
