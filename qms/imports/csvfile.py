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
import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

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
    """The whole file at once; imports stream it with `stream_file`."""
    return _split(stream_file(path, label))


def stream_file(path: Path, label: str | None = None) -> Iterator[Row | RowError]:
    """The rows of the file one by one, and the malformed ones where they occur: an
    import of a million rows must not hold a million Row objects. CsvFileError (before
    any row, or when the text turns out not to be UTF-8) for a file that cannot be read.
    """
    label = label or str(path)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise CsvFileError(
                f"{label}: the file has {size / 1024 / 1024:.1f} MB, more than the "
                f"{MAX_BYTES // 1024 // 1024} MB an import accepts; split it into several files"
            )
        handle = path.open("rb")
    except OSError as exc:
        raise CsvFileError(f"{label}: cannot read the file: {exc.strerror or exc}") from exc
    with handle:
        text = io.TextIOWrapper(handle, encoding="utf-8-sig", newline="")
        try:
            yield from _parse(text, label)
        except UnicodeDecodeError:
            # Rare and fatal: read it whole once more for the exact line of the bad byte.
            handle.seek(0)
            decode(handle.read(), label)
            raise
        except OSError as exc:
            raise CsvFileError(f"{label}: cannot read the file: {exc.strerror or exc}") from exc


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


def _records(stream: Iterable[str], delimiter: str) -> Iterator[tuple[int, list[str]] | RowError]:
    reader = csv.reader(stream, delimiter=delimiter, strict=True)
    start = 1
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            # The reader cannot resynchronise after broken quoting: stop at this line.
            yield RowError(reader.line_num, f"malformed CSV: {exc}")
            return
        line, start = start, reader.line_num + 1
        if any(field.strip() for field in record):
            yield line, record


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
    return _split(_parse(io.StringIO(decode(data, label), newline=""), label))


def _split(entries: Iterable[Row | RowError]) -> tuple[list[Row], list[RowError]]:
    rows: list[Row] = []
    errors: list[RowError] = []
    for entry in entries:
        if isinstance(entry, Row):
            rows.append(entry)
        else:
            errors.append(entry)
    return rows, errors


def _parse(stream: TextIO, label: str) -> Iterator[Row | RowError]:
    # The delimiter is the header's: read the first line, then go on from it.
    first_line = stream.readline()
    rest = itertools.chain([first_line], stream)
    records = _records(rest, _delimiter(first_line.split("\n", 1)[0]))
    header: tuple[int, list[str]] | None = None
    pending: list[RowError] = []
    for entry in records:
        if isinstance(entry, RowError):
            pending.append(entry)
            continue
        header = entry
        break
    if header is None:
        if pending:
            raise CsvFileError(pending[0].format(label))
        if not first_line.strip():
            raise CsvFileError(
                f"{label}: the file is empty; it needs the header "
                + ",".join(COLUMNS)
                + " and one line per answer"
            )
        raise CsvFileError(f"{label}: the file has no header line")
    names = _header(header[0], header[1], label)
    position = [names.index(name) for name in COLUMNS]
    width = len(names)
    any_rows = False
    for entry in records:
        any_rows = True
        if isinstance(entry, RowError):
            yield entry
            continue
        line, fields = entry
        if len(fields) != width:
            yield RowError(line, f"expected {width} fields, found {len(fields)}")
            continue
        yield Row(line, *(clean_text(restore(fields[i])) for i in position))
    if not any_rows:
        raise CsvFileError(f"{label}: the file has a header but no answers")
