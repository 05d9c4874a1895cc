"""Reading what a viewer fetched: HTML tables and fact lists, SVG texts, CSV and XLSX
sheets, PDF text. Only the standard library, openpyxl and poppler's pdftotext."""

from __future__ import annotations

import csv
import hashlib
import io
import re
import shutil
import subprocess
import tempfile
import warnings
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from openpyxl import load_workbook  # type: ignore[import-untyped]

NUMBER = re.compile(r"-?\d+(?:[.,]\d+)?")


@dataclass
class Cell:
    text: str
    href: str = ""
    classes: str = ""


@dataclass
class Table:
    classes: str
    rows: list[list[Cell]] = field(default_factory=list)


class _Parser(HTMLParser):
    """Tables (rows of cells with their text, first link and class) and <dl> facts."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[Table] = []
        self.facts: dict[str, str] = {}
        self.texts: list[str] = []
        self.options: dict[str, list[tuple[str, str]]] = {}
        self._stack: list[Table] = []
        self._row: list[Cell] | None = None
        self._cell: Cell | None = None
        self._cell_text: list[str] = []
        self._dt: list[str] | None = None
        self._dd: list[str] | None = None
        self._last_dt = ""
        self._select = ""
        self._option: tuple[str, list[str]] | None = None
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag in ("script", "style"):
            self._skip += 1
        elif tag == "table":
            self._stack.append(Table(a.get("class", "")))
        elif tag == "tr" and self._stack:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = Cell("", classes=a.get("class", ""))
            self._cell_text = []
        elif tag == "a" and self._cell is not None and not self._cell.href:
            self._cell.href = a.get("href", "")
        elif tag == "dt":
            self._dt = []
        elif tag == "dd":
            self._dd = []
        elif tag == "select":
            self._select = a.get("name", "")
            self.options.setdefault(self._select, [])
        elif tag == "option" and self._select:
            self._option = (a.get("value", ""), [])

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip -= 1
        elif tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._cell.text = " ".join("".join(self._cell_text).split())
            self._row.append(self._cell)
            self._cell = None
        elif tag == "tr" and self._row is not None and self._stack:
            self._stack[-1].rows.append(self._row)
            self._row = None
        elif tag == "table" and self._stack:
            self.tables.append(self._stack.pop())
        elif tag == "dt" and self._dt is not None:
            self._last_dt = " ".join("".join(self._dt).split())
            self._dt = None
        elif tag == "dd" and self._dd is not None:
            self.facts[self._last_dt] = " ".join("".join(self._dd).split())
            self._dd = None
        elif tag == "select":
            self._select = ""
        elif tag == "option" and self._option is not None:
            value, text = self._option
            self.options[self._select].append((value, " ".join("".join(text).split())))
            self._option = None

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        self.texts.append(data)
        for sink in (
            self._cell_text if self._cell is not None else None,
            self._dt,
            self._dd,
            self._option[1] if self._option else None,
        ):
            if sink is not None:
                sink.append(data)


@dataclass
class Page:
    tables: list[Table]
    facts: dict[str, str]
    text: str
    options: dict[str, list[tuple[str, str]]]

    def table(self, cls: str) -> Table | None:
        return next((t for t in self.tables if cls in t.classes.split()), None)


def page(html: str) -> Page:
    parser = _Parser()
    parser.feed(html)
    return Page(
        parser.tables, parser.facts, " ".join(" ".join(parser.texts).split()), parser.options
    )


def numbers(text: str) -> list[float]:
    return [float(n.replace(",", ".")) for n in NUMBER.findall(text)]


def first_number(text: str) -> float | None:
    found = numbers(text)
    return found[0] if found else None


def svg_texts(svg: str) -> list[str]:
    """The text elements of a matplotlib SVG (qms writes text as text)."""
    return [" ".join(t.split()) for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg)]


def csv_rows(content: bytes) -> list[list[str]]:
    text = content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def xlsx_sheets(content: bytes) -> dict[str, list[list[Any]]]:
    book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    sheets = {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in book.worksheets}
    book.close()
    return sheets


PDFTOTEXT = shutil.which("pdftotext")


def pdf_text(content: bytes) -> str | None:
    """The PDF's text (pdftotext -layout); None, with a warning, when poppler is not
    installed: then only the PDFs' figures go unchecked (Debian: apt-get install
    poppler-utils)."""
    if PDFTOTEXT is None:
        warnings.warn(
            "pdftotext is not installed (poppler-utils): the adversary does not "
            "read the PDFs' text",
            stacklevel=2,
        )
        return None
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "file.pdf"
        path.write_bytes(content)
        done = subprocess.run(
            [PDFTOTEXT, "-layout", str(path), "-"], capture_output=True, text=True, check=True
        )
    return done.stdout


def digest(*parts: object) -> str:
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:16]


class _Comments(HTMLParser):
    """Comments of a report or the comments page: (question, text) in page order, for
    list items inside a list whose class names comments; `skip` a block (by class)
    whose comments are left out (the heads' list of hidden ones)."""

    def __init__(self, skip: str) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, str]] = []
        self.question = ""
        self._skip_class = skip
        self._depth = 0
        self._skip_at: int | None = None
        self._heading: list[str] | None = None
        self._in_list = 0
        self._li: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = (dict(attrs).get("class") or "").split()
        if tag in ("div", "section", "article"):
            self._depth += 1
            if self._skip_class in classes and self._skip_at is None:
                self._skip_at = self._depth
        elif tag in ("h3", "h4"):
            self._heading = []
        elif tag == "ul" and any("comments" in c for c in classes):
            self._in_list += 1
        elif tag == "li" and self._in_list and self._skip_at is None:
            self._li = []
        elif tag == "br" and self._li is not None:
            self._li.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("div", "section", "article"):
            if self._skip_at == self._depth:
                self._skip_at = None
            self._depth -= 1
        elif tag in ("h3", "h4") and self._heading is not None:
            self.question = " ".join("".join(self._heading).split())
            self._heading = None
        elif tag == "ul" and self._in_list:
            self._in_list -= 1
        elif tag == "li" and self._li is not None:
            self.found.append((self.question, "".join(self._li).strip()))
            self._li = None

    def handle_data(self, data: str) -> None:
        if self._heading is not None:
            self._heading.append(data)
        if self._li is not None:
            self._li.append(data)


def comments(html: str, skip: str = "hidden-comments") -> list[tuple[str, str]]:
    parser = _Comments(skip)
    parser.feed(html)
    return parser.found
