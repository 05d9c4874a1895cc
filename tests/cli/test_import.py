"""`qms responses import`: every bad row reported with its line, and then nothing stored."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from qms.store.counts import read_counts, recompute_counts
from qms.store.db import Database
from qms.store.models import Answer, ItemCount, Response

Qms = Callable[..., Any]
HEADER = "respondent,group,item,value\n"
GOOD = (
    "s1,staff,staff.role,carer\n"
    "s1,staff,staff.goals,7\n"
    "s2,staff,staff.role,nurse\n"
    "s2,staff,staff.night,4\n"
    "c1,clients,clients.respect,3\n"
    "c1,clients,clients.outcome,dk\n"
)


def _write(tmp_path: Path, text: str, name: str = "answers.csv", encoding: str = "utf-8") -> str:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return str(path)


def _stored(url: str) -> tuple[int, int, int]:
    database = Database(url)
    with database.session() as session:
        counts = tuple(
            int(session.scalar(select(func.count()).select_from(model)) or 0)
            for model in (Response, Answer, ItemCount)
        )
    database.dispose()
    return counts  # type: ignore[return-value]


def _answers(url: str) -> dict[tuple[str, str], Any]:
    database = Database(url)
    with database.session() as session:
        rows = session.execute(
            select(
                Response.respondent,
                Answer.item_id,
                Answer.value_int,
                Answer.missing,
                Answer.value_text,
                Answer.value_list,
                Answer.value_num,
            ).join(Answer, Answer.response_id == Response.id)
        )
        found = {(r, i): next(v for v in values if v is not None) for r, i, *values in rows}
    database.dispose()
    return found


def _counts_consistent(url: str, cycle_id: int) -> bool:
    database = Database(url)
    with database.session() as session:
        same = read_counts(session, cycle_id) == recompute_counts(session, cycle_id)
    database.dispose()
    return same


def test_a_good_file_is_imported(
    qms: Qms, database_url: str, new_cycle: Callable[..., int], tmp_path: Path
) -> None:
    cycle = new_cycle(qms)
    path = _write(tmp_path, HEADER + GOOD)
    done = qms("responses", "import", "--cycle", str(cycle), path)
    assert done.code == 0, done.err
    assert done.out == ""
    assert f"imported 3 respondent(s) (0 replaced), 6 answer(s) into cycle {cycle}" in done.err
    assert _stored(database_url)[:2] == (3, 6)
    stored = _answers(database_url)
    assert stored[("s1", "staff.goals")] == 7
    assert stored[("c1", "clients.outcome")] == "dk"
    assert _counts_consistent(database_url, cycle)


def test_spreadsheet_files_bom_semicolons_crlf_quotes(
    qms: Qms, database_url: str, new_cycle: Callable[..., int], tmp_path: Path
) -> None:
    cycle = new_cycle(qms)
    text = (
        "\ufeffItem ; VALUE;group;Respondent\r\n"
        "staff.role;carer;staff;t1\r\n"
        'staff.comment;"two;\r\nlines";staff;t1\r\n'
        "\r\n"
        "staff.training; dementia | first_aid ;staff;t1\r\n"
        'staff.years;"12,5";staff;t1\r\n'
        "org.waiting;3.25;organisation;consensus\r\n"
        "org.direction; 75 ;organisation;Consensus\r\n"
        "org.direction;25;organisation;Jānis\r\n"
    )
    path = _write(tmp_path, text)
    done = qms("responses", "import", "--cycle", str(cycle), path)
    assert done.code == 0, done.err
    stored = _answers(database_url)
    assert stored[("t1", "staff.comment")] == "two;\nlines"
    assert stored[("t1", "staff.training")] == ["first_aid", "dementia"]  # option order
    assert stored[("t1", "staff.years")] == 12.5
    assert stored[("consensus", "org.waiting")] == 3.25
    assert stored[("consensus", "org.direction")] == 75
    assert stored[("assessor:Jānis", "org.direction")] == 25  # stored, never scored
    database = Database(database_url)
    with database.session() as session:
        counts = read_counts(session, cycle)
    database.dispose()
    assert counts[("organisation", "org.direction", "75")] == 1
    assert ("organisation", "org.direction", "25") not in counts


def test_a_quoted_line_break_keeps_later_line_numbers_physical(
    qms_sqlite: Qms, sqlite_url: str, new_cycle: Callable[..., int], tmp_path: Path
) -> None:
    cycle = new_cycle(qms_sqlite)
    text = HEADER + 't1,staff,staff.comment,"line one\nline two"\n' + "t1,staff,staff.goals,5\n"
    outcome = qms_sqlite("responses", "import", "--cycle", str(cycle), _write(tmp_path, text))
    assert outcome.code == 1
    assert outcome.err_lines[0].endswith(
        ":4: item staff.goals: '5' is not a value of scale uneven (allowed: 1, 2, 4, 7, dk)"
    )


BAD_ROWS = [
    ("x1,boss,staff.goals,4", "unknown group 'boss' (groups: clients, organisation, staff)"),
    ("x1,staff,staff.nothing,4", "unknown item 'staff.nothing'"),
    ("x1,clients,staff.goals,4", "item staff.goals is in the staff questionnaire, not clients"),
    (
        "x1,staff,staff.goals,4.0",
        "item staff.goals: '4.0' is not a value of scale uneven (allowed: 1, 2, 4, 7, dk)",
    ),
    ("x1,staff,staff.goals,04", "item staff.goals: '04' is not a value of scale uneven"),
    ("x1,staff,staff.goals,+4", "item staff.goals: '+4' is not a value"),
    ("x1,staff,staff.goals,3", "item staff.goals: '3' is not a value of scale uneven"),
    ("x1,staff,staff.goals,na", "item staff.goals: 'na' is not a value of scale uneven"),
    (
        "consensus,organisation,org.direction,30",
        "item org.direction: '30' is not a value of scale panel (allowed: 0..100 in steps of 25)",
    ),
    ("consensus,organisation,org.direction,125", "'125' is not a value of scale panel"),
    (
        "x1,staff,staff.role,boss",
        "item staff.role: 'boss' is not an option (options: carer, nurse, other)",
    ),
    (
        "x1,staff,staff.training,first_aid|cooking",
        "item staff.training: 'cooking' is not an option",
    ),
    ("x1,staff,staff.training,first_aid||rights", "item staff.training: an empty choice"),
    ("x1,staff,staff.training,rights|rights", "item staff.training: an option is chosen twice"),
    ("x1,staff,staff.years,12 years", "item staff.years: '12 years' is not a decimal number"),
    ("x1,staff,staff.years,1e3", "item staff.years: '1e3' is not a decimal number"),
    ("x1,staff,staff.years,61", "item staff.years: 61 is above the maximum 60"),
    ("x1,staff,staff.years,-1", "item staff.years: -1 is below the minimum 0"),
    (
        "x1,staff,staff.comment,twenty-one characters",
        "item staff.comment: the text has 21 characters, at most 20 allowed",
    ),
    ("consensus,staff,staff.goals,4", "the respondent id 'consensus' is reserved"),
    ("a:b,staff,staff.goals,4", "a respondent id may not contain ':' ('a:b')"),
    (",staff,staff.goals,4", "the respondent id is empty"),
    ("x1,staff,staff.goals", "expected 4 fields, found 3"),
    ("x1,staff,staff.goals,4,extra", "expected 4 fields, found 5"),
]


@pytest.mark.parametrize(("row", "reason"), BAD_ROWS)
def test_a_bad_row_is_reported_and_nothing_is_stored(
    qms_sqlite: Qms,
    sqlite_url: str,
    new_cycle: Callable[..., int],
    tmp_path: Path,
    row: str,
    reason: str,
) -> None:
    cycle = new_cycle(qms_sqlite)
    path = _write(tmp_path, HEADER + GOOD + row + "\n")
    outcome = qms_sqlite("responses", "import", "--cycle", str(cycle), path)
    assert outcome.code == 1
    assert outcome.err_lines[0].startswith(f"{path}:8: ")
    assert reason in outcome.err_lines[0]
    assert outcome.err_lines[1:] == [f"qms: error: {path}: 1 bad row(s); nothing was imported"]
    assert _stored(sqlite_url) == (0, 0, 0)


def test_row_rules_that_need_other_rows(
    qms: Qms, database_url: str, new_cycle: Callable[..., int], tmp_path: Path
) -> None:
    cycle = new_cycle(qms)
    text = (
        HEADER
        + GOOD
        + (
            "s1,staff,staff.night,4\n"  # line 8: s1 is a carer, the item is for nurses
            "s1,staff,staff.goals,4\n"  # line 9: s1 answered staff.goals on line 3
            "s2,clients,clients.respect,3\n"  # line 10: s2 is in staff (line 4)
            "anna,organisation,org.direction,25\n"
            "anna,staff,staff.goals,2\n"  # line 12: anna is in the working group
            's3,staff,"staff.goals,4\n'  # line 13: a quote that never ends
        )
    )
    path = _write(tmp_path, text)
    outcome = qms("responses", "import", "--cycle", str(cycle), path)
    assert outcome.code == 1
    assert outcome.err_lines == [
        f"{path}:8: item staff.night is not shown to respondent s1: it asks for staff.role "
        "in [nurse], the answer is 'carer'; remove the value or the row",
        f"{path}:9: respondent s1 answers item staff.goals twice (first on line 3)",
        f"{path}:10: respondent s2 is in group staff (line 4), not clients",
        f"{path}:12: respondent anna is in group organisation (line 11), not staff",
        f"{path}:13: malformed CSV: unexpected end of data",
        f"qms: error: {path}: 5 bad row(s); nothing was imported",
    ]
    assert _stored(database_url) == (0, 0, 0)


def test_at_most_fifty_bad_rows_are_listed(
    qms_sqlite: Qms, new_cycle: Callable[..., int], tmp_path: Path
) -> None:
    cycle = new_cycle(qms_sqlite)
    text = HEADER + "".join(f"r{n},staff,staff.goals,9\n" for n in range(60))
    path = _write(tmp_path, text)
    outcome = qms_sqlite("responses", "import", "--cycle", str(cycle), path)
    assert outcome.code == 1
    assert len(outcome.err_lines) == 52
    assert outcome.err_lines[49].startswith(f"{path}:51: ")
    assert outcome.err_lines[50] == f"{path}: ... and 10 more bad rows"
    assert outcome.err_lines[51] == f"qms: error: {path}: 60 bad row(s); nothing was imported"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            b"",
            "{path}: the file is empty; it needs the header respondent,group,item,value "
            "and one line per answer",
        ),
        (b"\xef\xbb\xbf \r\n\r\n", "{path}: the file is empty"),
        (
            b"s1,staff,staff.goals,7\n",
            "{path}:1: no header line: the first line must name the "
            "columns respondent,group,item,value",
        ),
        (
            b"respondent,group,item,value,comment\n",
            "{path}:1: unknown column(s) 'comment' "
            "(the columns are respondent,group,item,"
            "value, in any order)",
        ),
        (b"respondent,group,item\n", "{path}:1: missing column(s) value"),
        (b"respondent,group,item,item,value\n", "{path}:1: column(s) named twice: item"),
        (b"respondent,group,item,value\n", "{path}: the file has a header but no answers"),
        (
            "respondent,group,item,value\nJānis,staff,staff.goals,7\n".encode("cp1257"),
            "{path}:2: the file is not UTF-8 text (byte 0xe2); save it from your spreadsheet "
            'program as "CSV UTF-8 (comma delimited)"',
        ),
    ],
)
def test_unreadable_files_are_one_clear_line(
    qms_sqlite: Qms,
    sqlite_url: str,
    new_cycle: Callable[..., int],
    tmp_path: Path,
    content: bytes,
    message: str,
) -> None:
    cycle = new_cycle(qms_sqlite)
    path = tmp_path / "old-excel.csv"
    path.write_bytes(content)
    outcome = qms_sqlite("responses", "import", "--cycle", str(cycle), str(path))
    assert outcome.code == 1
    assert len(outcome.err_lines) == 1
    assert outcome.err_lines[0].startswith("qms: error: " + message.format(path=path))
    assert "Traceback" not in outcome.err
    assert _stored(sqlite_url) == (0, 0, 0)


def test_missing_huge_and_directory_files_are_refused(
    qms_sqlite: Qms, new_cycle: Callable[..., int], tmp_path: Path
) -> None:
    cycle = str(new_cycle(qms_sqlite))
    huge = tmp_path / "huge.csv"
    with huge.open("wb") as handle:  # sparse: no 50 MB written to disk
        handle.truncate(50 * 1024 * 1024 + 1)
    outcome = qms_sqlite("responses", "import", "--cycle", cycle, str(huge))
    assert outcome.err_lines == [
        f"qms: error: {huge}: the file has 50.0 MB, more than the 50 MB an import accepts; "
        "split it into several files"
    ]
    for target in (tmp_path / "nowhere.csv", tmp_path):
        outcome = qms_sqlite("responses", "import", "--cycle", cycle, str(target))
        assert outcome.code == 1
        assert len(outcome.err_lines) == 1
        assert outcome.err_lines[0].startswith(f"qms: error: {target}: cannot read the file")
    assert os.path.getsize(huge) > 50 * 1024 * 1024


def test_existing_respondents_need_replace(
    qms: Qms, database_url: str, new_cycle: Callable[..., int], tmp_path: Path
) -> None:
    cycle = str(new_cycle(qms))
    assert qms("responses", "import", "--cycle", cycle, _write(tmp_path, HEADER + GOOD)).code == 0
    again = _write(
        tmp_path,
        HEADER + "c2,clients,clients.respect,1\n"
        "s1,clients,clients.respect,1\n" + "s1,clients,clients.outcome,2\n",
        "b.csv",
    )
    refused = qms("responses", "import", "--cycle", cycle, again)
    assert refused.code == 1
    assert refused.err_lines == [
        f"{again}:3: respondent s1 is already in cycle {cycle} (import with --replace to "
        "replace their answers)",
        f"qms: error: {again}: 1 bad row(s); nothing was imported",
    ]
    assert _stored(database_url)[:2] == (3, 6)
    replaced = qms("responses", "import", "--cycle", cycle, "--replace", again)
    assert replaced.code == 0, replaced.err
    assert "imported 2 respondent(s) (1 replaced), 3 answer(s)" in replaced.err
    stored = _answers(database_url)
    assert ("s1", "staff.goals") not in stored  # s1's old answers are gone
    assert stored[("s1", "clients.outcome")] == 2
    assert _stored(database_url)[:2] == (4, 7)
    assert _counts_consistent(database_url, int(cycle))


def test_a_closed_cycle_refuses_imports(
    qms: Qms, database_url: str, new_cycle: Callable[..., int], tmp_path: Path
) -> None:
    cycle = str(new_cycle(qms))
    assert qms("cycle", "close", "--cycle", cycle).code == 0
    outcome = qms("responses", "import", "--cycle", cycle, _write(tmp_path, HEADER + GOOD))
    assert outcome.code == 1
    assert outcome.err_lines == [f"qms: error: cycle {cycle} is closed: it accepts no answers"]
    assert _stored(database_url) == (0, 0, 0)
    unknown = qms("responses", "import", "--cycle", "999", _write(tmp_path, HEADER + GOOD))
    assert unknown.err_lines == ["qms: error: no cycle with id 999"]


def test_missing_required_answers_are_a_warning(
    qms_sqlite: Qms, new_cycle: Callable[..., int], tmp_path: Path
) -> None:
    cycle = str(new_cycle(qms_sqlite))
    text = HEADER + (
        "s1,staff,staff.role,carer\n"  # staff.goals (required) missing
        "s2,staff,staff.goals,\n"  # blank value: still missing
        "c1,clients,clients.respect,3\n"  # clients.outcome (required) missing
        "c2,clients,clients.outcome,na\n"  # a missing code is an answer
    )
    outcome = qms_sqlite("responses", "import", "--cycle", cycle, _write(tmp_path, text))
    assert outcome.code == 0
    assert any(
        line.startswith("warning: ") and "3 required answer(s) missing" in line
        for line in outcome.err_lines
    )
