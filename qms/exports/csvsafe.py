"""Formula neutralisation for every file qms writes (CSV and XLSX).

A text cell that begins with `=`, `+`, `-`, `@`, a tab or a carriage return is run as
a formula by spreadsheet programs (CSV injection: a respondent's comment
`=HYPERLINK(...)` would become a link in the head's spreadsheet). In a CSV such a
text gets a leading `'`, which spreadsheets show as text; in an XLSX file the cell is
stored as a string, never as a formula. Only text is neutralised: a negative number
is a number.

`qms responses import` reads the round-trip file (`qms export --full`) back through
`restore`, so the neutralised text comes back as it was. A text that already begins
with apostrophes in front of a formula character gets one more, so that `restore`
undoes exactly what `neutralise` did.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Characters that XLSX (XML 1.0) cannot hold; openpyxl refuses them.
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _looks_like_formula(text: str) -> bool:
    return text.lstrip("'").startswith(FORMULA_START)


def neutralise(value: str) -> str:
    """A text as a CSV cell that no spreadsheet runs."""
    return "'" + value if _looks_like_formula(value) else value


def restore(cell: str) -> str:
    """What `neutralise` was given (a cell not written by it comes back unchanged, but
    for one leading `'` in front of a formula character, which a spreadsheet user
    typed to the same end)."""
    return cell[1:] if cell.startswith("'") and _looks_like_formula(cell) else cell


def csv_cell(value: Any) -> Any:
    """A value for csv.writer: text neutralised, everything else as it is."""
    return neutralise(value) if isinstance(value, str) else value


def csv_row(values: Iterable[Any]) -> list[Any]:
    return [csv_cell(v) for v in values]


def append_row(sheet: Any, values: Sequence[Any]) -> None:
    """Append a row to an openpyxl sheet with every text stored as a string."""
    sheet.append([_ILLEGAL_XML.sub("", v) if isinstance(v, str) else v for v in values])
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str) and cell.data_type != "s":
            cell.data_type = "s"
