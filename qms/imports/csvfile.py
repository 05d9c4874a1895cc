"""Reading an answers CSV as people actually produce it (Excel, LibreOffice, scripts).

Accepted: UTF-8 with or without a byte order mark; comma or semicolon between fields
(whichever the header line uses); \\n or \\r\\n line ends; quoted fields. Blank lines
are skipped. Line numbers are physical lines of the file, the header being line 1; a
quoted field spanning lines is reported at the line where its record starts. A cell
that qms.exports.csvsafe neutralised against formulas (`'=…`) reads as it was.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from qms.exports.csvsafe import restore
from qms.methodology.answers import clean_text

MAX_BYTES = 50 * 1024 * 1024
COLUMNS = ("respondent", "group", "item", "value")
_SAVE_AS = 'save it from your spreadsheet program as "CSV UTF-8 (comma delimited)"'


class CsvFileError(Exception):
    """The file as a whole cannot be read; the message names the file."""


@dataclass(frozen=True)
class Row:
    line: int
    respondent: str
    group: str
    item: str
    value: str


@dataclass(frozen=True)
class RowError:
    line: int
    message: str

    def format(self, label: str) -> str:
        return f"{label}:{self.line}: {self.message}"


def read_file(path: Path, label: str | None = None) -> tuple[list[Row], list[RowError]]:
    label = label or str(path)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise CsvFileError(
                f"{label}: the file has {size / 1024 / 1024:.1f} MB, more than the "
                f"{MAX_BYTES // 1024 // 1024} MB an import accepts; split it into several files"
            )
        data = path.read_bytes()
    except OSError as exc:
        raise CsvFileError(f"{label}: cannot read the file: {exc.strerror or exc}") from exc
    return parse_bytes(data, label)


def decode(data: bytes, label: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise CsvFileError(
            f"{label}:{line}: the file is not UTF-8 text (byte 0x{data[exc.start]:02x}); {_SAVE_AS}"
        ) from exc


def _delimiter(first_line: str) -> str:
    return ";" if first_line.count(";") > first_line.count(",") else ","


def _records(text: str) -> tuple[list[tuple[int, list[str]]], list[RowError]]:
    first_line = text.split("\n", 1)[0]
    stream = io.StringIO(text, newline="")
    reader = csv.reader(stream, delimiter=_delimiter(first_line), strict=True)
    records: list[tuple[int, list[str]]] = []
    errors: list[RowError] = []
    start = 1
    while True:
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            # The reader cannot resynchronise after broken quoting: stop at this line.
            errors.append(RowError(reader.line_num, f"malformed CSV: {exc}"))
            break
        line, start = start, reader.line_num + 1
        if any(field.strip() for field in record):
            records.append((line, record))
    return records, errors


def _header(line: int, fields: list[str], label: str) -> list[str]:
    names = [f.strip().lower() for f in fields]
    if not set(names) & set(COLUMNS):
        raise CsvFileError(
            f"{label}:{line}: no header line: the first line must name the columns "
            + ",".join(COLUMNS)
        )
    problems: list[str] = []
    unknown = [n for n in names if n not in COLUMNS]
    if unknown:
        problems.append("unknown column(s) " + ", ".join(repr(n) for n in unknown))
    twice = sorted({n for n in names if names.count(n) > 1 and n in COLUMNS})
    if twice:
        problems.append("column(s) named twice: " + ", ".join(twice))
    missing = [c for c in COLUMNS if c not in names]
    if missing:
        problems.append("missing column(s) " + ", ".join(missing))
    if problems:
        raise CsvFileError(
            f"{label}:{line}: "
            + "; ".join(problems)
            + " (the columns are "
            + ",".join(COLUMNS)
            + ", in any order)"
        )
    return names


def parse_bytes(data: bytes, label: str) -> tuple[list[Row], list[RowError]]:
    """Rows of the file and the rows that are malformed as CSV (wrong number of fields)."""
    text = decode(data, label)
    if not text.strip():
        raise CsvFileError(
            f"{label}: the file is empty; it needs the header "
            + ",".join(COLUMNS)
            + " and one line per answer"
        )
    records, errors = _records(text)
    if not records:
        if errors:
            raise CsvFileError(errors[0].format(label))
        raise CsvFileError(f"{label}: the file has no header line")
    header_line, header_fields = records[0]
    names = _header(header_line, header_fields, label)
    position = {name: names.index(name) for name in COLUMNS}
    rows: list[Row] = []
    for line, fields in records[1:]:
        if len(fields) != len(names):
            errors.append(RowError(line, f"expected {len(names)} fields, found {len(fields)}"))
            continue
        rows.append(Row(line, *(clean_text(restore(fields[position[name]])) for name in COLUMNS)))
    if not rows and not errors:
        raise CsvFileError(f"{label}: the file has a header but no answers")
    return rows, errors
