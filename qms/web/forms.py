"""Form posts: reading fields safely and collecting errors for the GOV.UK error pattern.

Error messages are English msgids (marked with N_); templates translate them, so the
same `Form` renders in whatever language the page is in.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any

from litestar import Request
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.plugins.htmx import HTMXDetails

from qms.methodology.answers import clean_text

FormData = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
FIELD_MAX = 2000


def text(data: Mapping[str, Any], name: str, *, strip: bool = True) -> str:
    """A field as one string: repeated fields give the first, absent ones "", and very
    long input is cut (it is refused later by the length rules, not by a crash)."""
    value = data.get(name, "")
    if isinstance(value, list):
        value = value[0] if value else ""
    if not isinstance(value, str):
        value = str(value)
    value = clean_text(value[:FIELD_MAX])
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


def is_htmx(request: Request[Any, Any, Any]) -> bool:
    """Whether htmx sent the request, as Litestar's htmx plugin reads its headers."""
    return bool(HTMXDetails(request))


def client_address(request: Request[Any, Any, Any]) -> str:
    return request.client.host if request.client else "unknown"
