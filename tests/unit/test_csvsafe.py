"""Formula neutralisation: text that a spreadsheet would run never reaches it as a
formula, numbers stay numbers, and the importer reads back what was written."""

from __future__ import annotations

import csv
import io

from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from qms.disclosure.rows import ExportRow, GroupRows
from qms.exports.answers import StaffAnswers, full_csv_bytes, staff_csv_bytes
from qms.exports.csvsafe import FORMULA_START, append_row, neutralise, restore
from qms.imports.csvfile import parse_bytes
from tests.unit.scoring.builders import crit, group, methodology, scale


@given(st.text())
def test_neutralised_text_never_starts_a_formula_and_reads_back(text: str) -> None:
    cell = neutralise(text)
    assert not cell.startswith(FORMULA_START)
    assert restore(cell) == text


def test_only_formula_looking_text_changes() -> None:
    assert [neutralise(t) for t in ("=1+1", "+3", "-x", "@SUM", "\tA", "\rB", "ok", "'=")] == [
        "'=1+1",
        "'+3",
        "'-x",
        "'@SUM",
        "'\tA",
        "'\rB",
        "ok",
        "''=",
    ]
    assert restore("'plain") == "'plain"  # an apostrophe someone typed stays


def test_xlsx_cells_with_formula_text_are_strings() -> None:
    book = Workbook()
    sheet = book.active
    append_row(sheet, ['=HYPERLINK("x")', -3, 2.5, "ok\x07"])
    buffer = io.BytesIO()
    book.save(buffer)
    row = next(load_workbook(io.BytesIO(buffer.getvalue())).active.iter_rows())
    assert [(c.value, c.data_type) for c in row] == [
        ('=HYPERLINK("x")', "s"),
        (-3, "n"),
        (2.5, "n"),
        ("ok", "s"),
    ]


def test_the_staff_csv_neutralises_text_but_not_negative_numbers() -> None:
    m = methodology(
        groups=[group("staff", min_n=1)], scales=[scale("s", 1, 2)], criteria=[crit("1")], items={}
    )
    rows = GroupRows(
        group="staff",
        min_n=1,
        columns=("a", "b", "c"),
        quasi=("a", "b", "c"),
        rows=(ExportRow("staff-abcd", {"a": -3.5, "b": "-1", "c": -2.0}),),
        suppressed=0,
        withheld=0,
    )
    text = staff_csv_bytes(StaffAnswers(m, (rows,), None, (), ()), "en").decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text)))
    assert lines[1:4] == [
        ["staff-abcd", "staff", "a", "-3.5"],
        ["staff-abcd", "staff", "b", "'-1"],
        ["staff-abcd", "staff", "c", "-2"],
    ]


def test_the_round_trip_file_reads_back_as_written() -> None:
    data = full_csv_bytes(
        [("-s1", "staff", "staff.comment", "=SUM(A1)"), ("-s1", "staff", "staff.years", -2.5)]
    )
    rows, errors = parse_bytes(data, "full.csv")
    assert errors == []
    assert [(r.respondent, r.value) for r in rows] == [("-s1", "=SUM(A1)"), ("-s1", "-2.5")]
