"""Access code slips: the QR code of each slip, and the slips of a batch as an A4 PDF.

The same slips are printed from the browser (templates/staff/slips.html with
static/css/print.css) or downloaded as a PDF rendered by WeasyPrint from
templates/codes/slips_pdf.html, whose stylesheet is its own: a PDF is not a page, so
the pages' Content-Security-Policy does not concern it.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import segno
from jinja2 import Environment
from markupsafe import Markup

SLIPS_PER_PAGE = 8
_XML_DECLARATION = re.compile(r"^<\?xml[^>]*\?>\s*")


@dataclass(frozen=True)
class Slip:
    code: str
    qr: Markup


def qr_svg(url: str) -> Markup:
    """An inline SVG QR code of `url`: one path, no style attributes, no script."""
    buffer = io.BytesIO()
    segno.make(url, error="m").save(
        buffer,
        kind="svg",
        xmldecl=False,
        svgns=True,
        border=2,
        omitsize=True,
        svgclass="qr",
        lineclass=None,
    )
    svg = _XML_DECLARATION.sub("", buffer.getvalue().decode("ascii"))
    svg = svg.replace("<svg ", '<svg aria-hidden="true" focusable="false" ', 1)
    # Safe: the markup is segno's own, and the URL only becomes path data (black modules),
    # never text, so nothing from the request can reach the page as markup.
    return Markup(svg)  # noqa: S704


def slips_for(codes: list[str], address: Callable[[str], str]) -> list[Slip]:
    """`address`: the absolute URL a code's QR code opens."""
    return [Slip(code, qr_svg(address(code))) for code in codes]


def _fetch_nothing(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    # Everything a slip shows is in the document itself; nothing may be fetched.
    raise ValueError(f"slips load no resources ({url})")


def slips_pdf(env: Environment, context: Mapping[str, Any]) -> bytes:
    """The slips as a PDF, eight to an A4 page. Slow (WeasyPrint): call off the event loop."""
    # Imported here: WeasyPrint takes a while to import and only this download needs it.
    from weasyprint import HTML  # type: ignore[import-untyped]

    html = env.get_template("codes/slips_pdf.html").render({**context, "per_page": SLIPS_PER_PAGE})
    pdf = HTML(string=html, url_fetcher=_fetch_nothing).write_pdf()
    assert pdf is not None
    return bytes(pdf)
