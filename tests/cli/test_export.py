"""`qms export`: the staff form leaves nothing below min_n and nothing that links a row
to a respondent; `--full` re-imports to the same scores; the workbook and the report
open, and bad input is one line."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

Qms = Callable[..., Any]

# staff (min_n 3): staff.night is shown to the three nurses (reportable, so staff.role must
# go out with it); staff.pressure has two answers (not reportable). clients (min_n 2): one
# respondent, so the whole group is below its minimum. anna is a working-group member.
# s2's comment looks like a formula.
ANSWERS = """respondent,group,item,value
s1,staff,staff.role,carer
s1,staff,staff.goals,7
s1,staff,staff.pressure,2
s1,staff,staff.training,first_aid|rights
s1,staff,staff.years,3
s1,staff,staff.comment,Anna room 3
s2,staff,staff.role,nurse
s2,staff,staff.goals,4
s2,staff,staff.pressure,1
s2,staff,staff.night,4
s2,staff,staff.comment,=SUM(A1:A9)
s3,staff,staff.role,nurse
s3,staff,staff.goals,dk
s3,staff,staff.night,7
s4,staff,staff.role,nurse
s4,staff,staff.goals,
s4,staff,staff.night,1
s5,staff,staff.role,other
s5,staff,staff.goals,7
c1,clients,clients.respect,3
c1,clients,clients.outcome,2
consensus,organisation,org.direction,75
consensus,organisation,org.workload,50
consensus,organisation,org.results,100
consensus,organisation,org.waiting,"12,5"
consensus,organisation,org.evidence,Minutes of the board
anna,organisation,org.direction,0
anna,organisation,org.workload,0
"""


def _scores(qms: Qms, cycle: int) -> dict[str, Any]:
    outcome = qms("scores", "--cycle", str(cycle), "--format", "json")
    assert outcome.code == 0, outcome.err
    doc: dict[str, Any] = json.loads(outcome.out)
    return doc


def _close(qms: Qms, cycle: int) -> None:
    done = qms("cycle", "close", "--cycle", str(cycle))
    assert done.code == 0, done.err


@pytest.fixture
def cycle(qms: Qms, new_cycle: Callable[..., int], tmp_path: Path) -> int:
    made: int = new_cycle(qms)
    path = tmp_path / "answers.csv"
    path.write_text(ANSWERS, encoding="utf-8")
    imported = qms("responses", "import", "--cycle", str(made), str(path))
    assert imported.code == 0, imported.err
    return made


def _tables(text: str) -> tuple[list[list[str]], list[list[str]], list[str]]:
    """The staff form's three tables: answers, comments, note (without headers)."""
    rows = list(csv.reader(io.StringIO(text)))
    first, second = (i for i, r in enumerate(rows) if r == [])
    assert rows[0] == ["respondent", "group", "item", "value"]
    assert rows[first + 1] == ["group", "item", "text"] and rows[second + 1] == ["note"]
    return rows[1:first], rows[first + 2 : second], [r[0] for r in rows[second + 2 :]]


def test_full_csv_reimports_to_the_same_scores(
    qms: Qms, new_cycle: Callable[..., int], cycle: int, tmp_path: Path
) -> None:
    out = tmp_path / "full.csv"
    done = qms("export", "--cycle", str(cycle), "--format", "csv", "--full", "-o", str(out))
    assert done.code == 0, done.err
    assert "identifying detail" in done.err
    text = out.read_text(encoding="utf-8-sig")
    lines = text.splitlines()
    assert lines[0] == "respondent,group,item,value"
    # Everything of every counted respondent, under the ids they were imported with:
    # small groups, unscored items and free text too; members' own entries are not
    # counted, so they are not there.
    assert "c1,clients,clients.respect,3" in lines
    assert "s1,staff,staff.training,first_aid|rights" in lines
    assert "s1,staff,staff.comment,Anna room 3" in lines
    assert "s2,staff,staff.comment,'=SUM(A1:A9)" in lines  # neutralised, read back below
    assert "s4,staff,staff.goals," in lines  # a blank stays a blank
    assert "consensus,organisation,org.waiting,12.5" in lines
    assert "anna" not in text

    fresh = new_cycle(qms, org="Cits centrs", year=2025)
    back = qms("responses", "import", "--cycle", str(fresh), str(out))
    assert back.code == 0, back.err
    before, after = _scores(qms, cycle), _scores(qms, fresh)
    assert before["source"] == after["source"] == "live"
    assert after["items"] == before["items"]
    assert after["scores"] == before["scores"] and after["overall"] == before["overall"]
    assert any(s["score"] is not None for s in before["scores"] if s["group"] == "staff")
    again = tmp_path / "again.csv"
    assert (
        qms("export", "--cycle", str(fresh), "--format", "csv", "--full", "-o", str(again)).code
        == 0
    )
    assert sorted(again.read_text(encoding="utf-8-sig").splitlines()) == sorted(lines)

    _close(qms, cycle)
    _close(qms, fresh)
    closed, closed_fresh = _scores(qms, cycle), _scores(qms, fresh)
    assert closed["source"] == "release"
    assert closed["scores"] == before["scores"] == closed_fresh["scores"]


def test_full_is_for_csv_only_and_its_help_warns(qms: Qms, cycle: int) -> None:
    wrong = qms("export", "--cycle", str(cycle), "--format", "xlsx", "--full")
    assert wrong.code == 1 and wrong.err_lines == ["qms: error: --full is only for --format csv"]
    helped = qms("export", "--help")
    assert helped.code == 0
    words = " ".join(helped.out.split())
    assert "IT HOLDS IDENTIFYING DETAIL" in words and "for operators" in words


def test_csv_is_the_staff_form_from_the_release(qms: Qms, cycle: int, tmp_path: Path) -> None:
    _close(qms, cycle)
    out = tmp_path / "export.csv"
    done = qms("export", "--cycle", str(cycle), "--format", "csv", "--lang", "en", "-o", str(out))
    assert done.code == 0, done.err
    answers, comments, note = _tables(out.read_text(encoding="utf-8-sig"))
    # Nothing of the group below its minimum, of the scale item below it, of members'
    # entries; no import ids; free text only in the comments table.
    assert {r[1] for r in answers} == {"staff", "organisation"}
    items = {r[2] for r in answers if r[1] == "staff"}
    assert items == {"staff.role", "staff.goals", "staff.night", "staff.training", "staff.years"}
    labels = {r[0] for r in answers if r[1] == "staff"}
    assert len(labels) == 5 and all(re.fullmatch(r"staff-[a-z2-9]{4}", x) for x in labels)
    assert not {"s1", "s2", "anna", "assessor:anna"} & {r[0] for r in answers}
    assert ["staff", "staff.comment", "Anna room 3"] in comments
    assert ["staff", "staff.comment", "'=SUM(A1:A9)"] in comments
    # staff.role is carer 1, nurse 3, other 1 with min_n 3: the carer and the other
    # cannot stand alone, and the numbers and training all differ.
    roles = Counter(r[3] for r in answers if r[2] == "staff.role")
    assert roles["carer"] == roles["other"] == 0 and roles["[suppressed]"] >= 3
    consensus = {r[2]: r[3] for r in answers if r[1] == "organisation"}
    assert consensus["org.waiting"] == "12.5"
    assert consensus["org.evidence"] == "Minutes of the board"
    assert any(n.startswith("Left out group: Clients") for n in note)
    assert any(n.startswith("Staff: respondents 5, minimum 3") for n in note)


def test_an_open_cycle_has_no_answers_in_the_staff_form(qms: Qms, cycle: int) -> None:
    done = qms("export", "--cycle", str(cycle), "--format", "csv", "--lang", "en")
    assert done.code == 0, done.err
    answers, comments, note = _tables(done.out.lstrip("\ufeff"))
    assert answers == [] and comments == []
    assert "Results appear when the collection closes." in note


def test_xlsx_has_the_sheets_and_no_values_below_min_n(
    qms: Qms, cycle: int, tmp_path: Path
) -> None:
    _close(qms, cycle)
    out = tmp_path / "export.xlsx"
    done = qms("export", "--cycle", str(cycle), "--format", "xlsx", "-o", str(out))
    assert done.code == 0, done.err
    book = load_workbook(io.BytesIO(out.read_bytes()), read_only=True)
    assert book.sheetnames == ["scores", "items", "answers", "comments", "about"]
    items = list(book["items"].iter_rows(values_only=True))
    header = items[0]
    assert header[:5] == ("group", "item", "text", "criterion", "n")
    rows = {(r[0], r[1]): dict(zip(header, r, strict=True)) for r in items[1:]}
    small = rows[("clients", "clients.respect")]
    assert small["n"] == 1 and small["reportable"] is False
    assert all(small[k] is None for k in ("mean", "sd", "ci_low", "top_box", "histogram"))
    assert rows[("staff", "staff.pressure")]["mean"] is None
    goals = rows[("staff", "staff.goals")]
    assert goals["n"] == 3 and goals["mean"] == pytest.approx(500 / 6)
    answers = list(book["answers"].iter_rows(values_only=True))
    assert answers[0] == ("respondent", "group", "item", "value")
    assert {r[1] for r in answers[1:]} == {"staff", "organisation"}
    scores = list(book["scores"].iter_rows(values_only=True))
    assert scores[0] == ("node", "title", "group", "group_title", "score", "groups")
    assert all(r[4] is None for r in scores[1:] if r[2] == "clients")


def test_csv_goes_to_standard_output_without_a_file(qms: Qms, cycle: int) -> None:
    done = qms("export", "--cycle", str(cycle), "--format", "csv", "--full")
    assert done.code == 0, done.err
    assert "respondent,group,item,value" in done.out and "s1,staff" in done.out


def test_pdf_report_is_a_pdf_in_latvian_with_the_organisation(
    qms: Qms, cycle: int, tmp_path: Path
) -> None:
    _close(qms, cycle)  # figures come from the release
    out = tmp_path / "report.pdf"
    done = qms("export", "--cycle", str(cycle), "--format", "pdf", "-o", str(out))
    assert done.code == 0, done.err
    data = out.read_bytes()
    assert data.startswith(b"%PDF")
    text = subprocess.run(
        ["pdftotext", "-layout", str(out), "-"], capture_output=True, check=True, text=True
    ).stdout
    assert "Dienas centrs Saulīte" in text
    for heading in (
        "Kvalitātes pašnovērtējuma pārskats",
        "Kopsavilkums",
        "Vērtējumi pa kritērijiem un grupām",
        "Atšķirības starp skatpunktiem",
        "Metodika",
    ):
        assert heading.upper() in text.upper(), heading
    assert "mazāk nekā 2 atbildes" in text  # the clients, below their minimum


def test_pdf_in_english_on_request(qms: Qms, cycle: int, tmp_path: Path) -> None:
    out = tmp_path / "report.pdf"
    done = qms("export", "--cycle", str(cycle), "--format", "pdf", "--lang", "en", "-o", str(out))
    assert done.code == 0, done.err
    text = subprocess.run(
        ["pdftotext", str(out), "-"], capture_output=True, check=True, text=True
    ).stdout
    assert "Gaps between perspectives" in text


def test_bad_input_is_one_line_and_a_failure(qms: Qms, tmp_path: Path) -> None:
    missing = qms("export", "--cycle", "4242", "--format", "csv")
    assert missing.code == 1
    assert missing.err_lines == ["qms: error: no cycle with id 4242"]
    assert missing.out == ""


def test_an_unwritable_output_is_one_line(qms: Qms, cycle: int, tmp_path: Path) -> None:
    target = tmp_path / "no-such-folder" / "x.csv"
    done = qms("export", "--cycle", str(cycle), "--format", "csv", "-o", str(target))
    assert done.code == 1
    assert len(done.err_lines) == 1 and "cannot write the file" in done.err
